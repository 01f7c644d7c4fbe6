"""The supervisor's config loader through `harv check` and `harv up`: every kind of mistake
is refused with FILE:LINE:COL: key: what is wrong, valid: what; the shipped example passes."""
import os

import pytest

from suputil import HARV, SRC, harv, workdir, no_stray_processes  # noqa: F401 (autouse)

BASE = "listeners:\n  web: 127.0.0.1:0\nhttp:\n  listen: [web]\n  root: .\n"

CASES = [
    # (yaml, expected message after "FILE:")
    (BASE + "  rooot: x\n",
     "6:3: http.rooot: unknown key (did you mean root?), valid: listen, root, index, mime_allow, access_log, "
     "threads, max_connections, requests_per_connection, max_body, max_head, "
     "timeout_request, timeout_body, timeout_keepalive, timeout_send, test_handlers, limits, "
     "sandbox, restart, drain_timeout"),
    (BASE + "  colour: blue\n",
     "6:3: http.colour: unknown key, valid: listen, root, index, mime_allow, access_log, "
     "threads, max_connections, requests_per_connection, max_body, max_head, "
     "timeout_request, timeout_body, timeout_keepalive, timeout_send, test_handlers, limits, "
     "sandbox, restart, drain_timeout"),
    ("listeners:\n  web: 127.0.0.1:0\nhtpt:\n  listen: [web]\n",
     "3:1: htpt: unknown key (did you mean http?), valid: version, listeners, state_dir, "
     "user, log, backlog, http, sql, php, probe"),
    (BASE + "  threads: many\n",
     "6:12: http.threads: 'many' is not a whole number, valid: a number from 1 to 64"),
    (BASE + "  threads: 65\n",
     "6:12: http.threads: '65' is out of range, valid: a number from 1 to 64"),
    (BASE + "  root: /srv\n",
     "6:3: http.root: duplicate key (first at line 5), valid: each key once"),
    (BASE + "  index: {a: 1}\n",
     "6:10: http.index: expected a list, found a mapping, valid: a list of file names"),
    (BASE + "  limits:\n    memory: 12x\n",
     "7:13: http.limits.memory: '12x' is not a size (e.g. 4096, 64k, 256m, 1g), "
     "valid: a size from 1m to 1t"),
    (BASE + "  limits: {memory: 1k}\n",
     "6:20: http.limits.memory: '1k' is out of range, valid: a size from 1m to 1t"),
    (BASE + "  restart: {window: soon}\n",
     "6:21: http.restart.window: 'soon' is not a duration (e.g. 500ms, 10s, 2m), "
     "valid: a duration from 1s to 24h"),
    (BASE + "  sandbox: {seccomp: maybe}\n",
     "6:22: http.sandbox.seccomp: 'maybe' is not a boolean, valid: true or false"),
    ("base: &b {x: 1}\n" + BASE,
     "1:7: anchors (&b) are refused, valid: write the value out"),
    ("listeners:\n  web: 127.0.0.1:0\nhttp:\n  listen: [web]\n  root: *r\n",
     "5:9: aliases (*r) are refused, valid: write the value out"),
    ("listeners:\n  web: 127.0.0.1:0\nhttp:\n  listen: [webb]\n  root: .\n",
     "4:12: http.listen: 'webb' is not a listener, valid: one of the names under listeners "
     "(web)"),
    ("listeners:\n  web: 127.0.0.1:99999\nhttp:\n  listen: [web]\n  root: .\n",
     "2:8: listeners.web: '127.0.0.1:99999' is not a listen address: use HOST:PORT "
     "(127.0.0.1:8080), [V6]:PORT ([::1]:8080), :PORT, PORT, or unix:PATH; ports 0-65535"),
    ("listeners:\n  web: 127.0.0.1:0\nhttp:\n  listen: [web]\n",
     "3:1: http: missing key 'root', valid: the directory to serve"),
    ("listeners:\n  web: 127.0.0.1:0\n",
     "1:1: nothing to run, valid: an http and/or a sql section"),
    ("sql:\n  listen: 127.0.0.1:3306\n",
     "1:1: sql: 'listen' needs at least one entry in 'users', valid: users: [{name: app, "
     "password: secret}]"),
    ("sql:\n  socket: s.sock\n  durability: sometimes\n",
     "3:15: sql.durability: 'sometimes' is not allowed, valid: full or normal"),
    ("sql:\n  socket: s.sock\n  users:\n    - {name: a}\n",
     "4:7: sql.users: a user needs both name and password, valid: {name: app, password: "
     "secret}"),
    ("http: [1, 2]\n",
     "1:7: http: expected a mapping, found a list, valid: keys listen..."),
    ("http:\n  root: x\n bad indent\n",
     "3:2: YAML syntax: did not find expected key while parsing a block mapping, valid: a "
     "YAML mapping of keys"),
    ("", "1:1: the file is empty, valid: a mapping with an http and/or a sql section"),
    ("log: {level: loud}\n" + BASE,
     "1:14: log.level: 'loud' is not a log level, valid: debug, info, warn or error"),
    ("version: 2\n" + BASE, "1:10: version: '2' is out of range, valid: 1"),
]


@pytest.mark.parametrize("text,msg", CASES)
def test_check_reports_file_line_col(text, msg):
    d = workdir()
    path = os.path.join(d, "bad.yaml")
    with open(path, "w") as f:
        f.write(text)
    r = harv("check", "-c", path)
    assert r.returncode == 1
    assert r.stderr.strip() == "%s:%s" % (path, msg)


def test_up_refuses_a_bad_config_with_the_same_message():
    d = workdir()
    path = os.path.join(d, "harv.yaml")
    with open(path, "w") as f:
        f.write(BASE + "  threads: 0\n")
    r = harv("up", "-c", path, timeout=20)
    assert r.returncode == 2
    assert ("%s:6:12: http.threads: '0' is out of range" % path) in r.stderr


def test_missing_file():
    r = harv("check", "-c", "/nonexistent/harv.yaml")
    assert r.returncode == 1
    assert "/nonexistent/harv.yaml: cannot open: No such file or directory" in r.stderr


def test_example_config_is_valid():
    path = os.path.join(SRC, "examples", "harv.yaml")
    r = harv("check", "-c", path)
    assert r.returncode == 0, r.stderr
    assert "tasks: sql php http" in r.stdout


def test_relative_paths_resolve_against_the_config_directory():
    d = workdir()
    path = os.path.join(d, "harv.yaml")
    with open(path, "w") as f:
        f.write("state_dir: st\nlisteners:\n  web: 127.0.0.1:0\n  loc: unix:run/w.sock\n"
                "http:\n  listen: [web, loc]\n  root: site\n")
    r = harv("check", "-c", path)
    assert r.returncode == 0, r.stderr
    assert "state_dir %s/st;" % d in r.stdout
    assert "loc=unix:%s/st/run/w.sock" % d in r.stdout

"""PHP under `harv up`: the php task (the prefork pool on STATE/run/php.sock, bound by the
supervisor) beside HarvSQL and HarvTTP. A script answers; mysqli reaches HarvSQL through its
unix socket (the default socket the task sets); the wall-clock timeout answers 504; the
task's sandbox refuses exec(), writes outside the writable dirs and TCP out; `harv status`
shows the php task with its sandbox; kill -9 of the pool's master is repaired by the restart
policy and the next request succeeds; a clean stop leaves no process."""
# ctest: labels=integration;php timeout=180
import os
import signal
import subprocess
import time

import pytest

from harvutil import SANITIZED

from suputil import HARV, Up, http_get, workdir, no_stray_processes  # noqa: F401 (autouse)


def _has_php():
    r = subprocess.run([HARV, "php", "--help"], capture_output=True, text=True)
    return r.returncode == 0


def _has_sql():
    r = subprocess.run([HARV, "sql", "--help"], capture_output=True, text=True)
    return r.returncode == 0


pytestmark = [pytest.mark.skipif(not _has_php(), reason="PHP is not built in"),
              pytest.mark.skipif(not _has_sql(), reason="HarvSQL is not built in")]

SCRIPTS = {
    "index.php": "<?php echo 'hello php ', PHP_MAJOR_VERSION, ' pid=', getmypid(), \"\\n\";\n",
    "db.php": """<?php
$m = new mysqli('localhost', 'app', 'pw', 'app');  // HarvSQL's socket: the task's default
$m->query('CREATE TABLE IF NOT EXISTS t (x INT)');
$m->query('INSERT INTO t VALUES (41)');
$r = $m->query('SELECT MAX(x) + 1 FROM t');
echo 'db=', $r->fetch_row()[0], ' socket=', ini_get('mysqli.default_socket'), "\\n";
""",
    "slow.php": "<?php sleep(5); echo \"late\\n\";\n",
    "second.php": "<?php usleep(1000000); echo \"finished\\n\";\n",
    "sandbox.php": """<?php
function r($v) { return $v === false || $v === null ? 'FAIL' : 'OK'; }
$out = []; $rc = -1;
$e = @exec('/bin/echo pwned', $out, $rc);
echo 'exec=', ($e === 'pwned') ? 'OK' : 'FAIL', "\\n";
echo 'write_root=', r(@file_put_contents(__DIR__ . '/planted.php', 'x')), "\\n";
echo 'write_outside=', r(@file_put_contents('/tmp/harv-php-planted-' . getmypid(), 'x')), "\\n";
echo 'write_writable=', r(@file_put_contents(__DIR__ . '/uploads/ok.txt', 'x')), "\\n";
echo 'write_tmp=', r(@file_put_contents(sys_get_temp_dir() . '/ok.txt', 'x')), "\\n";
$s = @stream_socket_client('tcp://127.0.0.1:' . $_GET['port'], $en, $es, 2);
echo 'tcp=', $s ? 'OK' : 'FAIL', "\\n";
echo 'read_etc=', r(@file_get_contents('/etc/passwd')), "\\n";
// W^X: the JITs are off (PCRE's would ask for PROT_EXEC memory), regexes still work
echo 'jit_off=', ini_get('pcre.jit') === '0' && preg_match('/^h(.)llo$/', 'hello') ? 'OK' : 'FAIL', "\\n";
// glibc's iconv modules were loaded before the sandbox (W^X): conversions still work
echo 'iconv=', @iconv('UTF-8', 'WINDOWS-1252', "caf\\xc3\\xa9") === "caf\\xe9" ? 'OK' : 'FAIL', "\\n";
""",
}


def make_site(d):
    site = os.path.join(d, "site")
    os.makedirs(os.path.join(site, "uploads"))
    for name, text in SCRIPTS.items():
        with open(os.path.join(site, name), "w") as f:
            f.write(text)
    with open(os.path.join(site, "plain.txt"), "w") as f:
        f.write("static\n")
    return site


CONFIG = """state_dir: state
listeners: {web: 127.0.0.1:0}
http: {listen: [web], root: site}
sql: {socket: run/sql.sock, databases: [app]}
php:
  workers: 2
  timeout: 1500ms
  max_requests: 200
  writable: [uploads]
  ini: {memory_limit: 64M}
  restart: {stable: 100ms}
"""


def get_ok(host, port, path, timeout=20):
    """GET until 200 (a restarting pool may answer 502 for a moment); (status, body)."""
    deadline = time.time() + timeout
    while True:
        try:
            st, body = http_get(host, port, path)
            if st == 200 or time.time() > deadline:
                return st, body
        except OSError:
            if time.time() > deadline:
                raise
        time.sleep(0.05)


def test_php_task_serves_is_sandboxed_and_restarts():
    d = workdir()
    make_site(d)
    up = Up(d, CONFIG, wait=("sql", "php", "http"))
    try:
        host, port = up.hostport()
        # A script answers; static files still come from the static handler.
        st, body = get_ok(host, port, "/index.php")
        assert st == 200 and body.startswith(b"hello php 8"), body
        st, body = http_get(host, port, "/plain.txt")
        assert (st, body) == (200, b"static\n")
        # mysqli → HarvSQL over its unix socket (the default socket the task configured).
        if not SANITIZED:  # a sanitizer build's PHP has no mysqli
            st, body = get_ok(host, port, "/db.php")
            sock = os.path.join(d, "state", "run", "sql.sock")
            assert st == 200 and body.decode() == "db=42 socket=%s\n" % sock, body
        # The wall-clock timeout: 504, and the pool serves on.
        t0 = time.time()
        st, _ = http_get(host, port, "/slow.php")
        assert st == 504 and time.time() - t0 < 4.5, (st, time.time() - t0)
        st, body = get_ok(host, port, "/index.php")
        assert st == 200
        # The sandbox, from inside a PHP script.
        st, body = get_ok(host, port, "/sandbox.php?port=%d" % port)
        res = dict(l.split("=", 1) for l in body.decode().split())
        assert res == {"exec": "FAIL", "write_root": "FAIL", "write_outside": "FAIL",
                       "write_writable": "OK", "write_tmp": "OK", "tcp": "FAIL",
                       "read_etc": "FAIL", "jit_off": "OK",
                       # a sanitizer build's PHP has no shared extensions (iconv)
                       "iconv": "" if SANITIZED else "OK"}, res
        assert not os.path.exists(os.path.join(d, "site", "planted.php"))
        assert os.path.exists(os.path.join(d, "site", "uploads", "ok.txt"))
        # harv status lists the task with what its sandbox applied.
        php = up.task("php")
        assert php["state"] == "running" and php["pid"], php
        for feature in ("no_new_privs", "seccomp(", "w^x", "landlock=", "netns",
                        "workers(no-fork"):
            assert feature in php["sandbox"], php["sandbox"]
        assert any(l["name"] == "php.sock" and l["address"].endswith("/state/run/php.sock")
                   for l in up.status()["listeners"])
        # kill -9 the pool's master: the policy restarts it, requests succeed again.
        old = php["pid"]
        workers = [int(p) for p in
                   open("/proc/%d/task/%d/children" % (old, old)).read().split()]
        assert len(workers) == 2, workers
        t0 = time.time()
        os.kill(old, signal.SIGKILL)
        new = up.wait_running("php", not_pid=old, timeout=15)
        restart_s = time.time() - t0
        st, body = get_ok(host, port, "/index.php")
        assert st == 200 and body.startswith(b"hello php"), body
        if not SANITIZED:
            st, body = get_ok(host, port, "/db.php")
            assert st == 200 and body.startswith(b"db=42"), body
        t = up.task("php")
        assert t["restarts"] == 1 and t["last_restart_ms"] >= 0, t
        assert "killed by signal 9" in t["last_exit"], t
        print("php task: kill -9 -> running again in %.0f ms (supervisor: death -> ready "
              "%d ms)" % (restart_s * 1000, t["last_restart_ms"]))
        assert t["last_restart_ms"] < 5000, t
        # The old master's workers died with it (its cgroup was killed as a tree).
        deadline = time.time() + 5
        while any(os.path.exists("/proc/%d" % w) for w in workers) and time.time() < deadline:
            time.sleep(0.05)
        assert not any(os.path.exists("/proc/%d" % w) for w in workers), workers
        up.seen_pids.update(workers)
        assert new["pid"] != old
    except BaseException:
        up.kill()
        raise
    up.stop()
    assert not os.path.exists(os.path.join(d, "state", "run", "php.sock"))


def test_php_config_errors_name_the_place():
    d = workdir()
    make_site(d)
    cases = [
        ("php:\n  wrokers: 2\n", "5:3: php.wrokers: unknown key (did you mean workers?)"),
        ("php:\n  workers: many\n", "5:12: php.workers: 'many' is not a whole number"),
        ("php:\n  ini: [memory_limit]\n", "5:9: php.ini: 'memory_limit' is not KEY=VALUE"),
        ("php:\n  fastcgi: nowhere\n", "5:12: php.fastcgi: 'nowhere' is not an address"),
    ]
    base = "state_dir: state\nlisteners: {web: 127.0.0.1:0}\nhttp: {listen: [web], root: site}\n"
    for i, (section, want) in enumerate(cases):
        path = os.path.join(d, "c%d.yaml" % i)
        with open(path, "w") as f:
            f.write(base + section)
        r = subprocess.run([HARV, "check", "-c", path], capture_output=True, text=True)
        assert r.returncode != 0 and want in r.stderr, (section, r.stderr)
    path = os.path.join(d, "ok.yaml")
    with open(path, "w") as f:
        f.write(base + "php:\n  ini: [memory_limit=64M, 'upload_max_filesize=8M']\n"
                "  fastcgi: unix:/run/php/php8.2-fpm.sock\n")
    r = subprocess.run([HARV, "check", "-c", path], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_serve_dir_with_php_gets_the_php_task():
    """`harv up --serve DIR` on a directory holding *.php: http + php, zero config."""
    d = workdir()
    site = make_site(d)
    up = Up(d, "# unused: harv up --serve builds its config in memory\n", wait=("php", "http"),
            argv=[HARV, "up", "--serve", site, "--listen", "127.0.0.1:0", "--state",
                  os.path.join(d, "state")])
    try:
        host, port = up.hostport("l0")
        st, body = get_ok(host, port, "/index.php")
        assert st == 200 and body.startswith(b"hello php"), body
        assert "seccomp(" in up.task("php")["sandbox"]
    except BaseException:
        up.kill()
        raise
    up.stop()


def test_kill9_of_the_php_task_under_load():
    """4 client threads on a PHP script while the pool's master is SIGKILLed: the socket
    stays bound in the supervisor (no connection is refused) and the replacement serves.
    Requests in flight on the killed workers may fail (502), nothing else."""
    from suputil import Load
    d = workdir()
    make_site(d)
    up = Up(d, CONFIG, wait=("sql", "php", "http"))
    try:
        host, port = up.hostport()
        get_ok(host, port, "/index.php")
        ld = Load(host, port, "/index.php", threads=4)
        time.sleep(0.5)
        before = ld.ok
        old = up.task("php")["pid"]
        os.kill(old, signal.SIGKILL)
        up.wait_running("php", not_pid=old, timeout=15)
        time.sleep(0.5)
        mid = ld.ok
        time.sleep(0.5)
        ld.stop()
        t = up.task("php")
        print("php kill -9 under load: %d ok (%d before the kill), %d refused, %d reset, %d "
              "other %r; death -> ready %d ms" % (ld.ok, before, ld.refused, ld.reset,
                                                  ld.other, ld.errors[:3], t["last_restart_ms"]))
        assert ld.refused == 0, ld.errors
        assert ld.ok > mid > before > 0
        assert ld.other + ld.reset <= 16, ld.errors  # at most the requests in flight
    except BaseException:
        up.kill()
        raise
    up.stop()


def test_reload_lets_php_requests_in_flight_finish():
    """A reload starts a new pool on the same socket and drains the old one: a request in
    flight on an old worker finishes (200), new ones go to the new pool."""
    import threading
    d = workdir()
    make_site(d)
    up = Up(d, CONFIG.replace("timeout: 1500ms", "timeout: 10s"), wait=("sql", "php", "http"))
    try:
        host, port = up.hostport()
        get_ok(host, port, "/index.php")
        old = up.task("php")["pid"]
        res = {}
        th = threading.Thread(target=lambda: res.update(r=http_get(host, port, "/second.php")))
        th.start()
        time.sleep(0.3)
        r = up.ctl("reload")
        assert r.returncode == 0, r.stderr
        up.wait_running("php", not_pid=old)
        st, body = get_ok(host, port, "/index.php")
        assert st == 200
        th.join(15)
        assert res["r"] == (200, b"finished\n"), res
    except BaseException:
        up.kill()
        raise
    up.stop()

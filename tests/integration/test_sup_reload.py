"""Reload and listeners under `harv up`: a valid reload starts the new generation and drains
the old one without cutting a request in flight or refusing a connection; an invalid one
keeps running and reports FILE:LINE:COL; SIGHUP reloads; IPv6, unix-socket and systemd
socket-activation (LISTEN_FDS) listeners are served."""
import os
import signal
import socket
import subprocess
import threading
import time

from suputil import HARV, Load, Up, http_get, workdir, no_stray_processes  # noqa: F401 (autouse)


def make_site(d, name, text):
    os.makedirs(os.path.join(d, name), exist_ok=True)
    with open(os.path.join(d, name, "index.html"), "w") as f:
        f.write(text)


def cfg(root, listeners="  web: 127.0.0.1:0\n", listen="[web]"):
    return ("state_dir: state\nlisteners:\n%shttp:\n  listen: %s\n  root: %s\n"
            "  test_handlers: true\n  timeout_keepalive: 1s\n  drain_timeout: 5s\n"
            % (listeners, listen, root))


def test_reload_switches_generation_without_cutting_requests():
    d = workdir()
    make_site(d, "a", "A\n")
    make_site(d, "b", "B\n")
    up = Up(d, cfg("a"))
    try:
        host, port = up.hostport()
        assert http_get(host, port)[1] == b"A\n"
        old = up.task("http")["pid"]
        fds0 = len(up.fds())
        load = Load(host, port, threads=3)
        slow = {}
        th = threading.Thread(target=lambda: slow.update(r=http_get(host, port,
                                                                    "/_test/sleep?ms=1200")))
        th.start()
        time.sleep(0.3)
        # Rebinding the same address keeps the very same socket: use the bound port.
        up.write_config(cfg("b", "  web: 127.0.0.1:%d\n" % port))
        r = up.ctl("reload")
        assert r.returncode == 0 and "generation 2" in r.stdout, r.stderr
        t = up.wait_running("http", not_pid=old)
        assert t["generation"] == 2
        deadline = time.time() + 5
        while http_get(host, port)[1] != b"B\n" and time.time() < deadline:
            time.sleep(0.05)
        assert http_get(host, port)[1] == b"B\n"
        th.join(10)
        time.sleep(0.3)
        load.stop()
        assert slow["r"] == (200, b"slept\n")  # in flight on the old generation: finished
        assert load.refused == 0 and load.reset == 0 and load.other == 0, load.errors
        deadline = time.time() + 10
        while up.task("http")["old_pids"] and time.time() < deadline:
            time.sleep(0.05)
        assert up.task("http")["old_pids"] == []
        # The old generation (its config memfd) goes with its last instance.
        assert up.wait_fds(fds0) == fds0, up.fds()
        assert not os.path.exists("/proc/%d/status" % old) or \
            "Z" in open("/proc/%d/stat" % old).read().split(") ")[1][:1]
    finally:
        up.stop()


def test_invalid_reload_keeps_running_and_says_why():
    d = workdir()
    make_site(d, "a", "A\n")
    up = Up(d, cfg("a"))
    try:
        host, port = up.hostport()
        pid = up.task("http")["pid"]
        up.write_config(cfg("a") + "  threads: lots\n")
        r = up.ctl("reload")
        assert r.returncode == 1
        assert "%s:10:12: http.threads: 'lots' is not a whole number" % up.cfg in r.stderr
        up.wait_log("reload refused, still running generation 1")
        t = up.task("http")
        assert t["pid"] == pid and t["generation"] == 1 and t["state"] == "running"
        assert http_get(host, port)[1] == b"A\n"
        # SIGHUP with a fixed file reloads.
        up.write_config(cfg("a", "  web: 127.0.0.1:%d\n" % port))
        up.proc.send_signal(signal.SIGHUP)
        up.wait_running("http", not_pid=pid)
        assert up.status()["generation"] == 2
    finally:
        up.stop()


def test_reload_adds_a_listener():
    d = workdir()
    make_site(d, "a", "A\n")
    up = Up(d, cfg("a"))
    try:
        host, port = up.hostport()
        up.write_config(cfg("a", "  web: 127.0.0.1:%d\n  more: 127.0.0.1:0\n" % port,
                            "[web, more]"))
        assert up.ctl("reload").returncode == 0
        up.wait_running("http")
        h2, p2 = up.hostport("more")
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                if http_get(h2, p2)[1] == b"A\n":
                    break
            except OSError:
                pass
            time.sleep(0.05)
        assert http_get(h2, p2)[1] == b"A\n"
        assert http_get(host, port)[1] == b"A\n"
    finally:
        up.stop()


def test_ipv6_and_unix_listeners():
    d = workdir()
    make_site(d, "a", "A\n")
    up = Up(d, cfg("a", '  web: 127.0.0.1:0\n  six: "[::1]:0"\n  loc: unix:run/web.sock\n',
                   "[web, six, loc]"))
    try:
        h6, p6 = up.hostport("six")
        assert h6 == "::1"
        assert http_get(h6, p6)[1] == b"A\n"
        path = os.path.join(d, "state", "run", "web.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(path)
        s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            c = s.recv(4096)
            if not c:
                break
            data += c
        s.close()
        assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"A\n")
    finally:
        up.stop()
    assert not os.path.exists(path)


def test_systemd_socket_activation():
    d = workdir()
    make_site(d, "a", "A\n")
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    port = ls.getsockname()[1]
    fd = ls.fileno()
    cfgpath = os.path.join(d, "harv.yaml")
    # LISTEN_PID must be harv's own pid: the shell's $$, kept by exec.
    argv = ["/bin/sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" up -c "$1"', HARV, cfgpath]
    up = Up(d, cfg("a", "  web: 127.0.0.1:%d\n" % port), argv=argv,
            popen_kw={"pass_fds": (3,), "preexec_fn": lambda: os.dup2(fd, 3)})
    ls.close()  # only harv holds it now
    try:
        assert http_get("127.0.0.1", port)[1] == b"A\n"
        up.wait_log("socket activation: 1 inherited listener(s)")
    finally:
        up.stop()


def test_up_serve_builds_the_config_in_memory():
    d = workdir()
    make_site(d, "www", "W\n")
    state = os.path.join(d, "state")  # where Up looks for the control socket
    argv = [HARV, "up", "--serve", os.path.join(d, "www"), "--listen", "127.0.0.1:0",
            "--state", state]
    up = Up(d, "# unused: harv up --serve has no file\n", argv=argv)
    up.cfg = os.path.join(d, "harv.yaml")  # the CLI clients below use --state instead
    try:
        r = subprocess.run([HARV, "status", "--json", "--state", state], capture_output=True,
                           text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        import json
        st = json.loads(r.stdout)
        addr = st["listeners"][0]["address"]
        host, _, port = addr.rpartition(":")
        assert http_get(host, int(port))[1] == b"W\n"
        assert st["config"].endswith("/harv-serve.yaml")
        assert st["tasks"][0]["name"] == "http" and st["tasks"][0]["state"] == "running"
        up.seen_pids.add(st["tasks"][0]["pid"])
    finally:
        r = subprocess.run([HARV, "stop", "--state", state], capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0, r.stderr
        assert up.proc.wait(10) == 0
        up.finish()

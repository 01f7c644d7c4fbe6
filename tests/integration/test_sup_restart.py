"""Self-healing tasks under `harv up`: kill -9 the http task under load and see it back at once
with zero connection-refused errors (the supervisor keeps the listener); backoff and giving
up; harv restart; harv stop drains in-flight requests and leaves no process behind."""
import os
import signal
import threading
import time

from suputil import Load, Up, harv, http_get, workdir, no_stray_processes  # noqa: F401 (autouse)


def site(d, text="hello\n"):
    os.makedirs(os.path.join(d, "site"), exist_ok=True)
    with open(os.path.join(d, "site", "index.html"), "w") as f:
        f.write(text)


def config(extra_http="", stable="300ms"):
    return ("state_dir: state\nlisteners:\n  web: 127.0.0.1:0\n"
            "http:\n  listen: [web]\n  root: site\n  test_handlers: true\n"
            "  timeout_keepalive: 1s\n  drain_timeout: 5s\n"
            "  restart: {max_deaths: 50, window: 60s, stable: %s}\n%s" % (stable, extra_http))


def test_kill9_under_load_zero_refused():
    d = workdir()
    site(d)
    up = Up(d, config())
    try:
        host, port = up.hostport()
        fds0 = len(up.fds())
        load = Load(host, port, threads=4)
        time.sleep(0.5)
        latencies = []
        for i in range(3):
            t = up.task("http")
            os.kill(t["pid"], signal.SIGKILL)
            t2 = up.wait_running("http", not_pid=t["pid"])
            latencies.append(t2["last_restart_ms"])
            assert t2["restarts"] == i + 1
            assert "killed by signal 9" in t2["last_exit"]
            time.sleep(0.6)  # > stable: the next crash is a "first" one again
        load.stop()
        print("restart latencies (death -> ready) ms:", latencies,
              "ok=%d refused=%d reset=%d other=%d" % (load.ok, load.refused, load.reset,
                                                    load.other))
        assert load.refused == 0, load.errors
        assert load.ok > 50
        assert load.other == 0, load.errors
        # The promise is "at once" (< 100 ms on an idle machine); allow a loaded 2-core box.
        assert all(0 <= ms < 1000 for ms in latencies), latencies
        assert up.wait_fds(fds0) == fds0, "supervisor fds leaked: %r" % up.fds()
        up.wait_log("died: killed by signal 9 (KILL)")
        deadline = time.time() + 10  # the reader thread may lag: all 4 starts logged
        while sum("task http started" in l for l in up.err) < 4 and time.time() < deadline:
            time.sleep(0.02)
        # The replacement is spawned in the same loop tick as the death is seen.
        def stamp(l):  # "2026-11-21T06:50:33.123Z ...": seconds of the day
            h, m, sec = l[11:23].split(":")
            return int(h) * 3600 + int(m) * 60 + float(sec)
        lines = [l for l in up.err if "task http" in l]
        gaps = []
        for i, l in enumerate(lines):
            if " died: " in l and i + 1 < len(lines) and " started (pid" in lines[i + 1]:
                gaps.append(round((stamp(lines[i + 1]) - stamp(l)) * 1000))
        print("death seen -> replacement spawned (ms):", gaps)
        assert len(gaps) == 3 and all(0 <= g < 100 for g in gaps), (gaps, lines)
    finally:
        up.stop()


def test_backoff_then_gives_up_and_says_why():
    d = workdir()
    # No root directory: the task fails at start, every time.
    up = Up(d, "state_dir: state\nlisteners:\n  web: 127.0.0.1:0\nhttp:\n  listen: [web]\n"
               "  root: missing\n  restart: {max_deaths: 4, window: 60s, backoff_max: 400ms}\n",
            wait=())
    try:
        t = up.wait_running("http", state="failed", timeout=20)
        assert t["restarts"] == 3
        assert "exited with status 1" in t["last_exit"]
        assert "missing" in t["last_exit"]  # the task's last words are part of the reason
        err = up.wait_log("giving up on task http: 4 deaths within 60000 ms")
        assert "restarts in 100 ms" in err and "restarts in 200 ms" in err
        # Still serving the control socket, and the listener stays open (no refusal).
        host, port = up.hostport()
        import socket
        s = socket.create_connection((host, port), timeout=5)
        s.close()
        # Fix the config, then `harv restart` tries again.
        site(d)
        os.rename(os.path.join(d, "site"), os.path.join(d, "missing"))
        r = up.ctl("restart", "http")
        assert r.returncode == 0, r.stderr
        up.wait_running("http")
        assert http_get(host, port, "/")[0] == 200
    finally:
        up.stop()


def test_restart_command_and_logs():
    d = workdir()
    site(d)
    up = Up(d, config("  access_log: stdout\n"))
    try:
        host, port = up.hostport()
        pid = up.task("http")["pid"]
        load = Load(host, port, threads=2)
        time.sleep(0.3)
        r = up.ctl("restart", "http")
        assert r.returncode == 0 and "restarting http" in r.stdout
        up.wait_running("http", not_pid=pid)
        time.sleep(0.3)
        load.stop()
        assert load.refused == 0 and load.reset == 0 and load.other == 0, load.errors
        logs = up.logs("http")
        assert '"GET / HTTP/1.1" 200' in logs  # the access log, captured per task
        up.wait_log("[http] ", stream="out")
        assert up.ctl("restart", "nope").returncode == 1
        assert "no such task" in up.ctl("logs", "nope").stderr
    finally:
        up.stop()


def test_stop_drains_in_flight_requests():
    d = workdir()
    site(d)
    up = Up(d, config())
    try:
        host, port = up.hostport()
        result = {}

        def slow():
            result["r"] = http_get(host, port, "/_test/sleep?ms=1500")

        th = threading.Thread(target=slow)
        th.start()
        time.sleep(0.4)  # the request is in the handler now
        t0 = time.time()
        up.proc.send_signal(signal.SIGTERM)
        # Draining: new connections are refused, the one in flight finishes.
        import socket
        refused = False
        while not refused and time.time() - t0 < 1.0 and th.is_alive():
            try:
                socket.create_connection((host, port), timeout=2).close()
                time.sleep(0.02)
            except ConnectionRefusedError:
                refused = True
        assert refused, "still accepting while draining"
        th.join(10)
        assert result["r"] == (200, b"slept\n")
        assert up.proc.wait(10) == 0
        assert time.time() - t0 < 5
        up.finish()
        assert not os.path.exists(os.path.join(d, "state", "run", "harv.sock"))
        err = "".join(up.err)
        assert "task http (pid" in err and "stopped: exited with status 0" in err
    finally:
        up.kill()


def test_harv_stop_waits_until_gone():
    d = workdir()
    site(d)
    up = Up(d, config())
    try:
        r = up.ctl("stop")
        assert r.returncode == 0 and "stopped" in r.stdout, r.stderr
        assert up.proc.poll() == 0
        up.finish()
    finally:
        up.kill()


def test_sigint_stops_and_second_instance_is_refused():
    d = workdir()
    site(d)
    up = Up(d, config())
    try:
        r = harv("up", "-c", up.cfg, timeout=20)
        assert r.returncode == 1
        assert "another `harv up` is running with state_dir" in r.stderr
    finally:
        up.stop(signal.SIGINT)


def test_task_output_to_rotated_files():
    d = workdir()
    site(d)
    up = Up(d, config("  access_log: stdout\n").replace(
        "state_dir: state\n", "state_dir: state\nlog: {destination: files, max_size: 4k, keep: 2}\n"))
    try:
        host, port = up.hostport()
        for _ in range(120):  # ~100 bytes of access log each: several rotations
            assert http_get(host, port)[0] == 200
        logs = os.path.join(d, "state", "logs")
        deadline = time.time() + 5
        while not os.path.exists(os.path.join(logs, "http.log.2")) and time.time() < deadline:
            time.sleep(0.05)
        names = sorted(os.listdir(logs))
        assert names == ["http.log", "http.log.1", "http.log.2"], names
        for n in names:
            assert os.path.getsize(os.path.join(logs, n)) <= 4096 + 1200
        with open(os.path.join(logs, "http.log.1")) as f:
            assert f.readline().startswith('[http] 127.0.0.1 - - [')
        assert not any(l.startswith("[http]") for l in up.out)  # not on stdout
        assert '"GET / HTTP/1.1" 200' in up.logs("http")  # harv logs still has them
    finally:
        up.stop()


def test_kill9_under_wrk_load_two_threads():
    import re
    import shutil
    import subprocess
    if not shutil.which("wrk"):
        import pytest
        pytest.skip("needs wrk")
    d = workdir()
    site(d)
    up = Up(d, config("  threads: 2\n"))
    try:
        host, port = up.hostport()
        wrk = subprocess.Popen(["wrk", "-t2", "-c16", "-d4s", "http://%s:%d/" % (host, port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1)
        for _ in range(2):
            t = up.task("http")
            os.kill(t["pid"], signal.SIGKILL)
            up.wait_running("http", not_pid=t["pid"])
            time.sleep(0.8)
        out = wrk.communicate(timeout=30)[0]
        print(out)
        m = re.search(r"(\d+) requests in", out)
        assert m and int(m.group(1)) > 1000, out
        errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                         out)
        assert not errs or errs.group(1) == "0", out  # never refused
        assert "Non-2xx" not in out, out
        assert up.task("http")["restarts"] == 2
    finally:
        up.stop()


def test_second_signal_kills_at_once():
    d = workdir()
    site(d)
    up = Up(d, config().replace("drain_timeout: 5s", "drain_timeout: 20s"))
    try:
        host, port = up.hostport()
        def cut():  # the request in flight is cut by the second signal: expected
            try:
                http_get(host, port, "/_test/sleep?ms=8000")
            except OSError:
                pass

        th = threading.Thread(target=cut)
        th.daemon = True
        th.start()
        time.sleep(0.4)
        t0 = time.time()
        up.proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
        up.proc.send_signal(signal.SIGINT)  # impatient operator: Ctrl-C twice
        assert up.proc.wait(10) == 0
        assert time.time() - t0 < 5
        up.finish()
        assert "SIGINT again: killing every task now" in "".join(up.err)
    finally:
        up.kill()


def test_drain_closes_idle_keepalive_connections_at_once():
    import socket
    d = workdir()
    site(d)
    up = Up(d, config().replace("timeout_keepalive: 1s", "timeout_keepalive: 60s")
            .replace("drain_timeout: 5s", "drain_timeout: 20s"))
    try:
        host, port = up.hostport()
        s = socket.create_connection((host, port), timeout=10)
        s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        data = b""
        while b"hello\n" not in data:
            data += s.recv(4096)
        assert b"200 OK" in data
        time.sleep(0.3)  # idle keep-alive now
        t0 = time.time()
        r = up.ctl("stop")
        took = time.time() - t0
        assert r.returncode == 0, r.stderr
        assert took < 5, took  # not the 20 s drain deadline, not the 60 s keep-alive
        assert s.recv(4096) == b""  # closed cleanly by the server
        s.close()
        up.finish()
    finally:
        up.kill()

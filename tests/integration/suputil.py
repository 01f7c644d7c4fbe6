"""Helpers for the supervisor's integration tests: write a config, run `harv up` on it, talk to
its control socket through the real CLI, load it with a Python HTTP client that counts
connection-refused errors, and check afterwards that no process is left behind."""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest

HARV = os.environ.get("HARV_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "harv")
SRC = os.environ.get("HARV_SRC") or os.path.join(os.path.dirname(__file__), "..", "..")


WORKDIRS = []  # made by this test process: no process may mention them after the test


def workdir():
    """A world-traversable temporary directory (tasks may run as nobody)."""
    d = tempfile.mkdtemp(prefix="harv-sup-")
    os.chmod(d, 0o755)
    WORKDIRS.append(d)
    return d


@pytest.fixture(autouse=True)
def no_stray_processes():
    """After every test (import it into the test module): no process that mentions one of
    the test's work directories is left; any that is gets killed and fails the test."""
    first = len(WORKDIRS)
    yield
    dirs = WORKDIRS[first:]
    deadline = time.time() + 5
    while True:
        left = [p for d in dirs for p in processes_mentioning(d + "/")]
        if not left or time.time() > deadline:
            break
        time.sleep(0.05)
    for p in left:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    assert not left, "processes left behind: %r" % left


def harv(*args, timeout=60):
    return subprocess.run([HARV, *args], capture_output=True, text=True, timeout=timeout)


def processes_mentioning(text):
    """PIDs whose command line contains text (for stray-process checks)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmd and int(pid) != os.getpid():
            found.append(int(pid))
    return found


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


class Up:
    """A running `harv up -c DIR/harv.yaml`."""

    def __init__(self, d, config, wait=("http",), extra_env=None, popen_kw=None, argv=None):
        self.dir = d
        self.cfg = os.path.join(d, "harv.yaml")
        self.state = os.path.join(d, "state")  # every test config says state_dir: state
        with open(self.cfg, "w") as f:
            f.write(config)
        env = dict(os.environ)
        env.update(extra_env or {})
        self.out, self.err = [], []
        self.proc = subprocess.Popen(argv or [HARV, "up", "-c", self.cfg],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=env, **(popen_kw or {}))
        self._readers = [threading.Thread(target=self._pump, args=(self.proc.stdout, self.out)),
                         threading.Thread(target=self._pump, args=(self.proc.stderr, self.err))]
        for t in self._readers:
            t.daemon = True
            t.start()
        self.seen_pids = set()
        try:
            deadline = time.time() + 15
            while not any(l.startswith("harv up: control") for l in self.out):
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("harv up did not start: %s" % "".join(self.err))
                time.sleep(0.02)
            for name in wait:
                self.wait_running(name)
        except BaseException:
            self.kill()  # never leave a supervisor behind when the test cannot use it
            raise

    @staticmethod
    def _pump(stream, sink):
        for line in stream:
            sink.append(line)

    def write_config(self, text):
        tmp = self.cfg + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, self.cfg)

    def status(self):
        r = harv("status", "--json", "-c", self.cfg, "--state", self.state)
        assert r.returncode == 0, r.stderr
        st = json.loads(r.stdout)
        for t in st["tasks"]:
            if t["pid"]:
                self.seen_pids.add(t["pid"])
            self.seen_pids.update(t["old_pids"])
        return st

    def task(self, name):
        for t in self.status()["tasks"]:
            if t["name"] == name:
                return t
        raise KeyError(name)

    def address(self, name="web"):
        for l in self.status()["listeners"]:
            if l["name"] == name:
                return l["address"]
        raise KeyError(name)

    def hostport(self, name="web"):
        a = self.address(name)
        host, _, port = a.rpartition(":")
        return host.strip("[]"), int(port)

    def wait_running(self, name, not_pid=None, timeout=15, state="running"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.task(name)
            if t["state"] == state and t["pid"] != not_pid:
                return t
            time.sleep(0.02)
        raise AssertionError("task %s not %s: %r\n%s" % (name, state, self.task(name),
                                                          "".join(self.err[-30:])))

    def fds(self):
        """The supervisor's open fds (for leak checks)."""
        return sorted(os.listdir("/proc/%d/fd" % self.proc.pid), key=int)

    def wait_fds(self, count, timeout=5):
        deadline = time.time() + timeout
        while len(self.fds()) != count and time.time() < deadline:
            time.sleep(0.05)
        return len(self.fds())

    def wait_log(self, text, stream="err", timeout=10):
        """Waits until harv's stderr (or stdout) has shown text; returns all of it. The reader
        threads may lag behind what status already reports."""
        sink = self.err if stream == "err" else self.out
        deadline = time.time() + timeout
        while True:
            joined = "".join(sink)
            if text in joined:
                return joined
            if time.time() > deadline:
                raise AssertionError("%r not in harv's %s:\n%s" % (text, stream, joined[-3000:]))
            time.sleep(0.02)

    def ctl(self, *args):
        return harv(*args, "-c", self.cfg)

    def logs(self, name):
        r = self.ctl("logs", name)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def stop(self, signum=signal.SIGTERM, timeout=30):
        """Stops harv up with a signal; asserts exit 0 and that no process is left. Kills
        whatever is left if anything goes wrong on the way."""
        try:
            self.status()  # the task pids, for the stray check
        except Exception:  # noqa: BLE001 (the check below still runs on what we saw)
            pass
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("harv up did not stop:\n" + "".join(self.err[-40:]))
        try:
            self.finish()
        except BaseException:
            self.kill()
            raise
        assert rc == 0, "harv up exited %s:\n%s" % (rc, "".join(self.err[-40:]))
        return rc

    def finish(self):
        for t in self._readers:
            t.join(5)
        self.check_no_strays()

    def check_no_strays(self):
        deadline = time.time() + 5
        while time.time() < deadline:
            alive = [p for p in self.seen_pids if pid_alive(p)]
            strays = processes_mentioning(self.cfg)
            if not alive and not strays:
                return
            time.sleep(0.05)
        raise AssertionError("processes left behind: tasks %r, others %r" % (alive, strays))

    def kill(self):
        """SIGKILL harv up and every task it started (the tasks also die with it through
        PR_SET_PDEATHSIG); used on failure paths."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for p in set(processes_mentioning(self.cfg)) | {p for p in self.seen_pids
                                                        if pid_alive(p)}:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass


def http_get(host, port, path="/", timeout=10):
    """One request on a fresh connection: (status, body)."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((host, port))
        s.sendall(("GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" % path).encode())
        buf = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    finally:
        s.close()
    head, _, body = buf.partition(b"\r\n\r\n")
    if not head:
        raise ConnectionResetError("empty response")
    return int(head.split(b" ")[1]), body


class Load:
    """Threads requesting path in a loop on fresh connections, counting outcomes."""

    def __init__(self, host, port, path="/", threads=4):
        self.host, self.port, self.path = host, port, path
        self.ok = self.refused = self.reset = self.other = 0
        self.errors = []
        self.lock = threading.Lock()
        self.running = True
        self.threads = [threading.Thread(target=self._run) for _ in range(threads)]
        for t in self.threads:
            t.daemon = True
            t.start()

    def _run(self):
        while self.running:
            try:
                st, _ = http_get(self.host, self.port, self.path)
                kind = "ok" if st == 200 else "other"
                err = None if st == 200 else "status %d" % st
            except ConnectionRefusedError as e:
                kind, err = "refused", repr(e)
            except (ConnectionResetError, BrokenPipeError) as e:
                kind, err = "reset", repr(e)  # in flight on a killed task
            except Exception as e:  # noqa: BLE001 (timeouts and the like)
                kind, err = "other", repr(e)
            with self.lock:
                setattr(self, kind, getattr(self, kind) + 1)
                if err and len(self.errors) < 20:
                    self.errors.append(err)

    def stop(self):
        self.running = False
        for t in self.threads:
            t.join(15)
        return self

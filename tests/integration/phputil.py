"""Helpers for the PHP integration tests: a PHP site written into a temp dir, `harv php-serve`
(HarvTTP + the PHP pool as its child) on an ephemeral port, and clean-up checks — the server
and every pool process gone, no alert lines."""
import os
import re
import signal
import subprocess
import time

from harvutil import HARV, SANITIZED, Harv  # noqa: F401 (SANITIZED re-exported)





def landlock_abi():
    """The kernel's Landlock ABI version (0 = none); --isolate with ports needs 4."""
    import ctypes
    import platform
    if platform.machine() not in ("x86_64", "aarch64"):
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    r = libc.syscall(ctypes.c_long(444), None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(r), 0)


LANDLOCK = landlock_abi()


def _netns_ok():
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True,
                              timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


NETNS = _netns_ok()  # --isolate without ports enters a private network namespace


def children(pid):
    """Direct children of pid (from /proc)."""
    out = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().decode(errors="replace").split("\0")
    except OSError:
        return []


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


class PhpHarv(Harv):
    """A running `harv php-serve ROOT` on 127.0.0.1:0; extra args are passed on."""

    def __init__(self, root, *args, workers=2):
        cmd = [HARV, "php-serve", str(root), "--listen", "127.0.0.1:0", "--workers",
               str(workers), *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"on http://([^/]+):(\d+)/", line)
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("harv php-serve did not start: %r %s" % (line,
                                                                         self.proc.stderr.read()))
        self.host, self.port, self.unix = m.group(1), int(m.group(2)), None
        kids = children(self.proc.pid)
        self.pool = [p for p in kids if cmdline(p)[1:2] == ["php"]]  # [] with --fastcgi
        self.others = [p for p in kids if p not in self.pool]  # harv sql with --state
        # the line HarvSQL's addresses come on, with --state
        self.sql = self.proc.stdout.readline().strip() if self.others else None

    def workers(self, want=None, timeout=10):
        """The pool's worker pids; with want, waits (bounded) until that many are up."""
        deadline = time.time() + timeout
        while True:
            w = [p for p in children(self.pool[0]) if alive(p)]
            if want is None or len(w) == want or time.time() > deadline:
                return w
            time.sleep(0.05)

    def stop(self):
        procs = self.pool + self.others + (children(self.pool[0]) if self.pool else [])
        err = super().stop()
        deadline = time.time() + 10
        while any(alive(p) for p in procs) and time.time() < deadline:
            time.sleep(0.05)
        left = [p for p in procs if alive(p)]
        for p in left:
            os.kill(p, signal.SIGKILL)
        assert not left, "pool processes left behind: %s" % left
        return err


def site(root, files):
    """Writes {relative path: text} under root."""
    for rel, text in files.items():
        p = os.path.join(str(root), rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)


def response(c, head=False):
    """Reads one response from harvutil.Conn c, chunked or Content-Length framed:
    (status, headers, body)."""
    st, hd, _ = c.response(head_only=True)
    if head or st in (204, 304) or st < 200:
        return st, hd, b""
    if hd.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            while b"\r\n" not in c.buf:
                d = c.s.recv(65536)
                assert d, "EOF inside a chunked body"
                c.buf += d
            line, _, c.buf = c.buf.partition(b"\r\n")
            n = int(line, 16)
            while len(c.buf) < n + 2:
                d = c.s.recv(65536)
                assert d, "EOF inside a chunk"
                c.buf += d
            if n == 0:
                c.buf = c.buf[2:]
                return st, hd, body
            body += c.buf[:n]
            c.buf = c.buf[n + 2:]
    n = int(hd.get("content-length", 0))
    while len(c.buf) < n:
        d = c.s.recv(65536)
        assert d, "short body"
        c.buf += d
    body, c.buf = c.buf[:n], c.buf[n:]
    return st, hd, body

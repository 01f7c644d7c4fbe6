"""Helpers for integration tests: start the real build/harv, talk raw HTTP, and check after
each test that the server exits cleanly, leaks no fds and logged no alert lines."""
import os
import re
import select
import signal
import socket
import subprocess
import time

HARV = os.environ.get("HARV_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "harv")
def _sanitized():
    """An ASan/UBSan build of harv (statically or dynamically linked runtime)."""
    try:
        with open(HARV, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


# Such a build runs PHP without php.ini and shared extensions (no mysqli), and its shadow
# memory cannot live under RLIMIT_AS: tests that need those adapt or skip.
SANITIZED = _sanitized()

SRC = os.environ.get("HARV_SRC") or os.path.join(os.path.dirname(__file__), "..", "..")


class Harv:
    """A running `harv serve` on an ephemeral loopback port."""

    def __init__(self, root, *args, listen="127.0.0.1:0"):
        cmd = [HARV, "serve", str(root), "--listen", listen, *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"on http://([^/]+):(\d+)/", line) or re.search(r"on (unix:\S+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("harv did not start: %r %s" % (line, self.proc.stderr.read()))
        if m.group(0).startswith("on unix"):
            self.host, self.port = None, None
            self.unix = m.group(1)[5:]
        else:
            self.host, self.port = m.group(1).strip("[]"), int(m.group(2))
            self.unix = None

    @property
    def url(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "http://%s:%d" % (host, self.port)

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def connect(self, timeout=5):
        if self.unix:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.connect(self.unix)
            return s
        fam = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect((self.host, self.port))
        return s

    def stop(self):
        """SIGTERM; returns stderr. Fails on a non-zero exit or an alert line."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("harv did not stop on SIGTERM")
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        assert self.proc.returncode == 0, "harv exited %s: %s" % (self.proc.returncode, err)
        assert " alert " not in err, err
        return err


class Conn:
    """A raw keep-alive connection that keeps bytes between responses."""

    def __init__(self, harv, timeout=5):
        self.s = harv.connect(timeout)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def response(self, head_only=False):
        while b"\r\n\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("closed; have %r" % self.buf[:200])
            self.buf += chunk
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for l in lines[1:]:
            k, _, v = l.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = 0 if head_only or status in (100, 204, 304) else int(headers.get("content-length", 0))
        body = bytearray(rest)  # appends in place: large bodies stay linear
        while len(body) < n:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise EOFError("short body: %d of %d" % (len(body), n))
            body += chunk
        self.buf = bytes(body[n:])
        return status, headers, bytes(body[:n])

    def at_eof(self, timeout=3):
        """True if the peer closed (EOF) within timeout with no more bytes."""
        if self.buf:
            return False
        self.s.settimeout(timeout)
        try:
            return self.s.recv(1) == b""
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def close(self):
        self.s.close()


def get(path, host="t"):
    return ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, host)).encode()


def curl(*args):
    """Runs curl without any proxy; returns CompletedProcess (text)."""
    env = dict(os.environ)
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        env.pop(k, None)
    return subprocess.run(["curl", "-sS", "--noproxy", "*", *args], capture_output=True,
                          text=True, env=env, timeout=60)

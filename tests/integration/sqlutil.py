"""Helpers for the HarvSQL integration tests: start the real `harv sql` (and, for the
comparison suite, a private MariaDB), a small raw MySQL-protocol client for malformed and
corner-case input, and clean-up checks (process gone, no alert lines, no leaked fds)."""
import hashlib
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

HARV = os.environ.get("HARV_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "harv")
SHARED = os.environ.get("HARV_SHARED") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared")
PY = "/usr/bin/python3"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class HarvSQL:
    """A running `harv sql` on an ephemeral loopback port and a unix socket in a temp dir."""

    def __init__(self, *args, users=(("root", "pw"),), databases=("test",), tcp=True,
                 state=None, keep_state=False):
        self.dir = tempfile.mkdtemp(prefix="hsql-")
        self.state = state or os.path.join(self.dir, "state")
        self.socket = os.path.join(self.dir, "sql.sock")
        self.keep_state = keep_state
        cmd = [HARV, "sql", "--socket", self.socket, "--state", self.state]
        if tcp:
            cmd += ["--listen", "127.0.0.1:0"]
        for u, p in users:
            cmd += ["--user", "%s:%s" % (u, p)]
        for d in databases:
            cmd += ["--database", d]
        cmd += list(args)
        self.errpath = os.path.join(self.dir, "stderr.log")
        self.errf = open(self.errpath, "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.errf, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"ready tcp=(\S+) socket=(\S+)", line)
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("harv sql did not start: %r %s" % (line, self.stderr()))
        self.host, self.port = "127.0.0.1", None
        if m.group(1) != "none":
            self.port = int(m.group(1).rsplit(":", 1)[1])
        self.user, self.password = (users[0] if users else ("root", ""))

    @property
    def pid(self):
        return self.proc.pid

    def stderr(self):
        if not self.errf.closed:
            self.errf.flush()
        with open(self.errpath) as f:
            return f.read()

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def sockets(self):
        """Open sockets of the server (listeners + sessions); the engine's files excluded."""
        n = 0
        d = "/proc/%d/fd" % self.proc.pid
        for fd in os.listdir(d):
            try:
                if os.readlink(os.path.join(d, fd)).startswith("socket:"):
                    n += 1
            except OSError:
                pass
        return n

    def wait_sockets(self, n, timeout=10):
        deadline = time.time() + timeout
        while self.sockets() > n and time.time() < deadline:
            time.sleep(0.05)
        return self.sockets()

    def cpu_ticks(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return int(parts[11]) + int(parts[12])

    def pymysql(self, db="test", unix=False, **kw):
        import pymysql
        args = dict(user=self.user, password=self.password, database=db, autocommit=True)
        args.update(kw)
        if unix:
            return pymysql.connect(unix_socket=self.socket, **args)
        return pymysql.connect(host=self.host, port=self.port, **args)

    def mariadb_cli(self, sql, db="test", unix=False, user=None, password=None, check=True,
                    extra=()):
        cmd = ["mariadb", "--batch", "--skip-ssl", "-u", user or self.user]
        pw = self.password if password is None else password
        if pw:
            cmd.append("-p" + pw)
        if unix:
            cmd += ["--socket", self.socket]
        else:
            cmd += ["-h", self.host, "-P", str(self.port), "--protocol=tcp"]
        if db:
            cmd += ["-D", db]
        cmd += list(extra)
        cmd += ["-e", sql]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise AssertionError("mariadb failed (%d): %s" % (r.returncode, r.stderr))
        return r

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc.stdout.close()
        self.errf.close()

    def stop(self, check=True):
        """SIGTERM; returns stderr. Fails on a non-zero exit or an alert line."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("harv sql did not stop on SIGTERM")
        err = self.stderr()
        if not self.proc.stdout.closed:
            self.proc.stdout.close()
        if not self.errf.closed:
            self.errf.close()
        if not self.keep_state:
            shutil.rmtree(self.dir, ignore_errors=True)
        if check:
            assert self.proc.returncode == 0, "harv sql exited %s: %s" % (
                self.proc.returncode, err)
            assert not re.search(r"\] alert ", err), err
        return err


# ---- raw protocol client ---------------------------------------------------------------

CLIENT_LONG_PASSWORD = 1
CLIENT_FOUND_ROWS = 2
CLIENT_CONNECT_WITH_DB = 8
CLIENT_PROTOCOL_41 = 1 << 9
CLIENT_TRANSACTIONS = 1 << 13
CLIENT_SECURE_CONNECTION = 1 << 15
CLIENT_MULTI_STATEMENTS = 1 << 16
CLIENT_MULTI_RESULTS = 1 << 17
CLIENT_PS_MULTI_RESULTS = 1 << 18
CLIENT_PLUGIN_AUTH = 1 << 19
CLIENT_PLUGIN_AUTH_LENENC = 1 << 21
CLIENT_SESSION_TRACK = 1 << 23
CLIENT_DEPRECATE_EOF = 1 << 24
BASE_CAPS = (CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS |
             CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH)


def native_scramble(nonce, password):
    if not password:
        return b""
    s1 = hashlib.sha1(password.encode()).digest()
    s2 = hashlib.sha1(s1).digest()
    s3 = hashlib.sha1(nonce + s2).digest()
    return bytes(a ^ b for a, b in zip(s1, s3))


def sha2_scramble(nonce, password):
    if not password:
        return b""
    p1 = hashlib.sha256(password.encode()).digest()
    p2 = hashlib.sha256(p1).digest()
    p3 = hashlib.sha256(p2 + nonce).digest()
    return bytes(a ^ b for a, b in zip(p1, p3))


def lenenc(n):
    if n < 251:
        return bytes([n])
    if n < 1 << 16:
        return b"\xfc" + struct.pack("<H", n)
    if n < 1 << 24:
        return b"\xfd" + struct.pack("<I", n)[:3]
    return b"\xfe" + struct.pack("<Q", n)


def read_lenenc(b, i):
    c = b[i]
    if c < 251:
        return c, i + 1
    if c == 0xfb:
        return None, i + 1
    if c == 0xfc:
        return struct.unpack_from("<H", b, i + 1)[0], i + 3
    if c == 0xfd:
        return struct.unpack("<I", b[i + 1:i + 4] + b"\0")[0], i + 4
    return struct.unpack_from("<Q", b, i + 1)[0], i + 9


class RawClient:
    """Speaks the MySQL protocol byte by byte; packets as bytes, no interpretation unless
    asked. Used for malformed input and exact checks of what the server sends."""

    def __init__(self, srv, unix=False, timeout=10):
        if unix:
            self.s = socket.socket(socket.AF_UNIX)
            self.s.settimeout(timeout)
            self.s.connect(srv.socket)
        else:
            self.s = socket.create_connection((srv.host, srv.port), timeout=timeout)
        self.buf = b""
        self.seq = 0
        self.caps = 0

    def close(self):
        self.s.close()

    def _fill(self, n):
        while len(self.buf) < n:
            d = self.s.recv(1 << 20)
            if not d:
                raise EOFError("server closed the connection")
            self.buf += d

    def read_frame(self):
        self._fill(4)
        n = struct.unpack("<I", self.buf[:3] + b"\0")[0]
        self.seq = (self.buf[3] + 1) & 0xff
        self._fill(4 + n)
        p, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
        return p, n

    def read_packet(self):
        """One logical packet (16 MiB frames joined)."""
        out = b""
        while True:
            p, n = self.read_frame()
            out += p
            if n < 0xffffff:
                return out

    def send_raw(self, data):
        self.s.sendall(data)

    def send_packet(self, payload, seq=None):
        seq = self.seq if seq is None else seq
        out = b""
        while True:
            chunk, payload = payload[:0xffffff], payload[0xffffff:]
            out += struct.pack("<I", len(chunk))[:3] + bytes([seq & 0xff]) + chunk
            seq += 1
            if len(chunk) < 0xffffff:
                break
        self.seq = seq & 0xff
        self.s.sendall(out)

    def command(self, payload):
        self.seq = 0
        self.send_packet(payload)

    def greeting(self):
        g = self.read_packet()
        assert g[0] == 10, g
        end = g.index(b"\0", 1)
        self.version = g[1:end].decode()
        i = end + 1
        self.conn_id = struct.unpack_from("<I", g, i)[0]
        i += 4
        part1 = g[i:i + 8]
        i += 9
        caps_lo = struct.unpack_from("<H", g, i)[0]
        i += 2
        self.charset = g[i]
        i += 1
        self.status = struct.unpack_from("<H", g, i)[0]
        i += 2
        caps_hi = struct.unpack_from("<H", g, i)[0]
        i += 2
        self.server_caps = caps_lo | caps_hi << 16
        alen = g[i]
        i += 11
        part2 = g[i:i + max(13, alen - 8) - 1]
        i += max(13, alen - 8)
        self.plugin = g[i:g.index(b"\0", i)].decode()
        self.nonce = part1 + part2
        return g

    def handshake(self, user, password, db=None, caps=BASE_CAPS, plugin="mysql_native_password",
                  auth=None):
        self.greeting()
        if db:
            caps |= CLIENT_CONNECT_WITH_DB
        self.caps = caps
        if auth is None:
            auth = (sha2_scramble if plugin == "caching_sha2_password" else native_scramble)(
                self.nonce, password)
        p = struct.pack("<IIB", caps, 1 << 24, 45) + b"\0" * 23 + user.encode() + b"\0"
        if caps & CLIENT_PLUGIN_AUTH_LENENC:
            p += lenenc(len(auth)) + auth
        else:
            p += bytes([len(auth)]) + auth
        if db:
            p += db.encode() + b"\0"
        if caps & CLIENT_PLUGIN_AUTH:
            p += plugin.encode() + b"\0"
        self.send_packet(p, seq=1)
        r = self.read_packet()
        if r[0] == 0xfe and len(r) > 1:  # AuthSwitchRequest
            end = r.index(b"\0", 1)
            self.switched_to = r[1:end].decode()
            nonce = r[end + 1:end + 21]
            self.send_packet(native_scramble(nonce, password))
            r = self.read_packet()
        if r[:2] == b"\x01\x03":  # caching_sha2 fast auth success
            self.fast_auth = True
            r = self.read_packet()
        return r

    def query(self, sql):
        """COM_QUERY; returns ('ok', affected, insert_id, status, info) or ('err', code,
        state, msg) or ('rows', names, rows, status)."""
        self.command(b"\x03" + (sql.encode() if isinstance(sql, str) else sql))
        return self.read_result()

    def read_result(self, binary_types=None):
        p = self.read_packet()
        return self.parse_first(p, binary_types)

    def parse_first(self, p, binary_types=None):
        if p[0] == 0x00:
            return parse_ok(p)
        if p[0] == 0xff:
            return parse_err(p)
        ncols, _ = read_lenenc(p, 0)
        cols = [parse_coldef(self.read_packet()) for _ in range(ncols)]
        if not self.caps & CLIENT_DEPRECATE_EOF:
            e = self.read_packet()
            assert e[0] == 0xfe and len(e) < 9, e
        rows = []
        while True:
            r = self.read_packet()
            if r[0] == 0xfe and len(r) < 0xffffff and (len(r) < 9 or self.caps & CLIENT_DEPRECATE_EOF):
                status = struct.unpack_from("<H", r, 3)[0] if len(r) == 5 else parse_ok(r)[3]
                return ("rows", [c["name"] for c in cols], rows, status, cols)
            if r[0] == 0xff:
                return parse_err(r)
            if binary_types is not None:
                rows.append(r)
                continue
            i, row = 0, []
            while i < len(r):
                n, i = read_lenenc(r, i)
                if n is None:
                    row.append(None)
                else:
                    row.append(r[i:i + n].decode("utf-8", "replace"))
                    i += n
            rows.append(row)


def parse_ok(p):
    i = 1
    aff, i = read_lenenc(p, i)
    iid, i = read_lenenc(p, i)
    status, warn = struct.unpack_from("<HH", p, i)
    i += 4
    info = ""
    if i < len(p):
        n, i = read_lenenc(p, i)
        info = p[i:i + n].decode()
    return ("ok", aff, iid, status, info, warn)


def parse_err(p):
    code = struct.unpack_from("<H", p, 1)[0]
    state = p[4:9].decode() if p[3:4] == b"#" else ""
    msg = p[9:].decode("utf-8", "replace") if state else p[3:].decode("utf-8", "replace")
    return ("err", code, state, msg)


def parse_coldef(p):
    i = 0
    out = []
    for _ in range(6):
        n, i = read_lenenc(p, i)
        out.append(p[i:i + n].decode())
        i += n
    assert p[i] == 0x0c, p
    charset, length, typ, flags, dec = struct.unpack_from("<HIBHB", p, i + 1)
    return dict(catalog=out[0], db=out[1], table=out[2], org_table=out[3], name=out[4],
                org_name=out[5], charset=charset, length=length, type=typ, flags=flags,
                decimals=dec)


# ---- MariaDB (the reference server for the comparison suite and the benchmark) --------

class MariaDB:
    """A private mariadbd: its own datadir, socket and ephemeral port; killed on stop()."""

    def __init__(self, password="pw"):
        self.dir = tempfile.mkdtemp(prefix="mdb-")
        self.datadir = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "mdb.sock")
        self.port = free_port()
        self.password = password
        self.user = "root"
        self.host = "127.0.0.1"
        r = subprocess.run(["mariadb-install-db", "--no-defaults", "--datadir=" + self.datadir,
                            "--user=root", "--auth-root-authentication-method=normal",
                            "--skip-test-db"], capture_output=True, text=True, timeout=180)
        if r.returncode != 0:
            raise RuntimeError("mariadb-install-db failed: " + r.stderr[-2000:])
        init = os.path.join(self.dir, "init.sql")
        with open(init, "w") as f:
            f.write("ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';\n" % password)
            f.write("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '%s';\n" % password)
            f.write("ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '%s';\n" % password)
            f.write("GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;\n")
            f.write("CREATE DATABASE IF NOT EXISTS test;\n")
        self.log = open(os.path.join(self.dir, "mariadb.log"), "w")
        self.proc = subprocess.Popen(
            ["mariadbd", "--no-defaults", "--datadir=" + self.datadir, "--user=root",
             "--socket=" + self.socket, "--port=%d" % self.port, "--bind-address=127.0.0.1",
             "--pid-file=" + os.path.join(self.dir, "mdb.pid"), "--init-file=" + init,
             "--skip-log-bin", "--innodb-buffer-pool-size=64M", "--max-connections=200",
             "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
             "--log-error=" + os.path.join(self.dir, "error.log")],
            stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("mariadbd exited: " + self.error_log())
            try:
                import pymysql
                pymysql.connect(host="127.0.0.1", port=self.port, user="root",
                                password=password).close()
                return
            except Exception:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("mariadbd did not start: " + self.error_log())

    @property
    def pid(self):
        return self.proc.pid

    def cpu_ticks(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return int(parts[11]) + int(parts[12])

    def error_log(self):
        try:
            with open(os.path.join(self.dir, "error.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def pymysql(self, db="test", **kw):
        import pymysql
        args = dict(host="127.0.0.1", port=self.port, user="root", password=self.password,
                    database=db, autocommit=True)
        args.update(kw)
        return pymysql.connect(**args)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

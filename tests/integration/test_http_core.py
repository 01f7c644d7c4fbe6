"""HarvTTP core behaviour against the real binary: keep-alive, the request cap, bodies
(Content-Length past the initial buffer, chunked), pipelining, every limit status, timeouts
as eviction, thread-pool mode with shedding, many idle connections, and max_conn."""
import os
import socket
import threading
import time

import pytest

from harvutil import Conn, Harv, curl, get


@pytest.fixture
def site(tmp_path):
    (tmp_path / "index.html").write_text("<h1>home</h1>\n")
    (tmp_path / "hello.txt").write_text("hello world\n")
    for i in range(16):
        (tmp_path / ("f%d.txt" % i)).write_text("file %d\n" % i)
    (tmp_path / "large.bin").write_bytes(os.urandom(300000))  # past the small-file cache
    return tmp_path


@pytest.fixture
def harv(site):
    h = Harv(site, "--test-handlers", "--timeout-request", "1000", "--timeout-body", "1000",
             "--timeout-keepalive", "3000", "--max-body", "256k", "--request-count", "50")
    fds0 = h.fds()
    yield h
    # no connection or file left open once clients are gone
    deadline = time.time() + 5
    while h.fds() > fds0 and time.time() < deadline:
        time.sleep(0.05)
    assert h.fds() <= fds0, "leaked fds: %d > %d" % (h.fds(), fds0)
    h.stop()


def test_keepalive_reuses_one_connection(harv):
    c = Conn(harv)
    for i in range(40):
        c.send(get("/hello.txt"))
        st, hd, body = c.response()
        assert st == 200 and body == b"hello world\n"
        assert "connection" not in hd  # 1.1 default: keep-alive, no header needed
    assert not c.at_eof(0.2)
    c.close()


def test_request_cap_closes_with_header_then_eof(harv):
    c = Conn(harv)
    for i in range(50):
        c.send(get("/hello.txt"))
        st, hd, _ = c.response()
        assert st == 200
        if i < 49:
            assert hd.get("connection") != "close"
    assert hd.get("connection") == "close"
    assert c.at_eof()


def test_connection_close_and_http10(harv):
    c = Conn(harv)
    c.send(b"GET /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    st, hd, _ = c.response()
    assert st == 200 and hd["connection"] == "close" and c.at_eof()
    c = Conn(harv)
    c.send(b"GET /hello.txt HTTP/1.0\r\n\r\n")
    st, hd, _ = c.response()
    assert st == 200 and c.at_eof()
    c = Conn(harv)
    c.send(b"GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    st, hd, _ = c.response()
    assert hd["connection"] == "keep-alive"
    c.send(b"GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    assert c.response()[0] == 200
    c.close()


def test_post_echo_small_large_chunked(harv):
    r = curl("-d", "a=1&b=2", harv.url + "/_test/echo")
    assert r.stdout == "a=1&b=2"
    # a body far past the initial 4 KiB buffer
    big = os.urandom(200 * 1024)
    c = Conn(harv)
    c.send(b"POST /_test/echo HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % len(big))
    for i in range(0, len(big), 7000):
        c.send(big[i:i + 7000])
    st, hd, body = c.response()
    assert st == 200 and body == big
    # chunked, with an extension and a trailer, then a pipelined GET on the same connection
    c.send(b"POST /_test/echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: y\r\n\r\n" + get("/hello.txt"))
    st, hd, body = c.response()
    assert st == 200 and body == b"hello world"
    assert c.response()[2] == b"hello world\n"
    # curl's own chunked upload
    r = curl("-H", "Transfer-Encoding: chunked", "--data-binary", "x" * 10000,
             harv.url + "/_test/echo")
    assert r.stdout == "x" * 10000
    c.close()


def test_404_and_405(harv):
    r = curl("-o", "/dev/null", "-w", "%{http_code}", harv.url + "/nope.txt")
    assert r.stdout == "404"
    r = curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", harv.url + "/hello.txt")
    assert r.stdout == "405"


def test_pipelined_16_in_one_write(harv):
    c = Conn(harv)
    c.send(b"".join(get("/f%d.txt" % i) for i in range(16)))
    for i in range(16):
        st, hd, body = c.response()
        assert st == 200 and body == b"file %d\n" % i
    c.close()


def test_pipelined_responses_leave_in_one_write(harv, tmp_path):
    """16 pipelined requests: the server answers them with ONE write(2) (strace on the server),
    and a keep-alive request costs read + write (+ epoll_wait, shared by a batch)."""
    import subprocess
    out = tmp_path / "strace.txt"
    st = subprocess.Popen(["strace", "-f", "-qq", "-e",
                           "trace=read,write,writev,sendto,sendfile",
                           "-s", "20", "-o", str(out), "-p", str(harv.proc.pid)],
                          stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)  # attached
        c = Conn(harv)
        c.send(b"".join(get("/f%d.txt" % i) for i in range(16)))
        for i in range(16):
            assert c.response()[2] == b"file %d\n" % i
        c.send(get("/hello.txt"))
        assert c.response()[0] == 200
        c.send(get("/large.bin"))
        st_, _, body = c.response()
        assert st_ == 200 and len(body) == 300000
        time.sleep(0.3)
        c.close()
    finally:
        st.terminate()
        st.wait(10)
    lines = out.read_text().splitlines()
    calls = [l for l in lines if "HTTP/1.1 200" in l]
    assert len(calls) == 3, calls  # the batch of 16, the single request, the large file's head
    assert all(l.split()[1].startswith(("write(", "sendto(")) for l in calls), calls
    sizes = [int(l.rsplit("=", 1)[1]) for l in calls[:2]]
    assert sizes[0] > 15 * sizes[1], sizes  # the whole batch in the first write
    # a file body: its head waits for the body (MSG_MORE) to leave in one segment with it
    assert "MSG_MORE" in calls[2] and "MSG_MORE" not in calls[0] + calls[1], calls
    after = lines[lines.index(calls[2]) + 1:]
    assert after and after[0].split()[1].startswith("sendfile("), after[:2]


def test_head_deadline_evicts_slow_client_not_healthy_one(harv):
    slow = Conn(harv)
    slow.send(b"GET /hello.txt HTTP/1.1\r\nHost: a\r\n")
    t0 = time.time()
    healthy = Conn(harv)
    served = 0
    # trickle header bytes: they must not extend the absolute 1 s deadline
    while time.time() - t0 < 0.8:
        try:
            slow.send(b"X")
        except OSError:
            break
        healthy.send(get("/hello.txt"))
        assert healthy.response()[0] == 200
        served += 1
        time.sleep(0.1)
    st, hd, _ = slow.response()
    elapsed = time.time() - t0
    assert st == 408 and hd["connection"] == "close"
    assert 0.9 <= elapsed < 2.5, elapsed
    assert slow.at_eof()
    assert served >= 5
    healthy.send(get("/hello.txt"))
    assert healthy.response()[0] == 200


def test_body_idle_timeout(harv):
    c = Conn(harv)
    c.send(b"POST /_test/echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
    t0 = time.time()
    st, hd, _ = c.response()
    assert st == 408 and time.time() - t0 < 2.5
    assert c.at_eof()


def test_keepalive_idle_closes(harv):
    c = Conn(harv)
    c.send(get("/hello.txt"))
    assert c.response()[0] == 200
    t0 = time.time()
    assert c.at_eof(6)
    assert 2.5 < time.time() - t0 < 5.5


def status_of(harv, raw, read_close=True):
    c = Conn(harv)
    c.send(raw)
    st, hd, body = c.response()
    eof = c.at_eof() if read_close else None
    c.close()
    return st, hd, eof


@pytest.mark.parametrize("raw,status", [
    (b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: a\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(120)) +
     b"\r\n", 431),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414),
    (b"POST /_test/echo HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999\r\n\r\n", 413),
    (b"POST /_test/echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"100000\r\n", 413),
    (b"GET / HTTP/1.1\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
     400),
    (b"GET / HTTP/1.1\nHost: a\n\n", 400),
    (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
    (b"POST /_test/echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    (b"BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 501),
    (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
    (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
    (b"GET / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n", 417),
])
def test_limit_and_framing_statuses_then_close(harv, raw, status):
    st, hd, eof = status_of(harv, raw)
    assert st == status
    assert hd["connection"] == "close" and eof


def test_broken_request_rest_is_not_a_new_request(harv):
    # the bytes after the framing error look like a request: they must never be answered
    c = Conn(harv)
    c.send(b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n" + get("/hello.txt"))
    st, hd, _ = c.response()
    assert st == 400 and c.at_eof()


def test_expect_100_continue(harv):
    c = Conn(harv)
    c.send(b"POST /_test/echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
           b"Expect: 100-continue\r\n\r\n")
    st, _, _ = c.response()
    assert st == 100
    c.send(b"hello")
    st, _, body = c.response()
    assert st == 200 and body == b"hello"
    # 413 up front when the declared body is too large: the body is never requested
    c = Conn(harv)
    c.send(b"POST /_test/echo HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n"
           b"Expect: 100-continue\r\n\r\n")
    assert c.response()[0] == 413


def test_many_idle_connections_while_serving(harv):
    idle = []
    try:
        for i in range(2000):
            s = harv.connect()
            idle.append(s)
            if i % 500 == 0:
                s.sendall(get("/hello.txt"))  # some have a request in flight too
        c = Conn(harv)
        t0 = time.time()
        for _ in range(20):
            c.send(get("/hello.txt"))
            assert c.response()[0] == 200
        assert time.time() - t0 < 2
        c.close()
    finally:
        for s in idle:
            s.close()


def test_http_server_rejects_bad_cli_options(site):
    import subprocess
    from harvutil import HARV
    r = subprocess.run([HARV, "serve", str(site), "--listen", "nonsense:99999"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "not a listen address" in r.stderr
    r = subprocess.run([HARV, "serve", "--max-body", "lots"], capture_output=True, text=True)
    assert r.returncode == 2 and "--max-body" in r.stderr
    r = subprocess.run([HARV, "serve", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--timeout-request" in r.stdout
    r = subprocess.run([HARV, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "serve" in r.stdout


def test_thread_pool_mode_and_503_shedding(site):
    h = Harv(site, "--test-handlers", "--pool-threads", "2", "--pool-backlog", "2")
    try:
        # normal traffic works through the pool, pipelined too
        c = Conn(h)
        c.send(b"".join(get("/f%d.txt" % i) for i in range(16)))
        for i in range(16):
            assert c.response()[2] == b"file %d\n" % i
        c.close()
        # 2 running + 2 queued; the rest are shed with 503 + Retry-After
        results = []
        lock = threading.Lock()

        def one():
            cc = Conn(h)
            cc.send(get("/_test/sleep?ms=600"))
            st, hd, _ = cc.response()
            with lock:
                results.append((st, hd.get("retry-after")))
            cc.close()
        ts = [threading.Thread(target=one) for _ in range(10)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        ok = [r for r in results if r[0] == 200]
        shed = [r for r in results if r[0] == 503]
        assert len(ok) >= 4 and len(shed) >= 1 and len(ok) + len(shed) == 10, results
        assert all(r[1] == "1" for r in shed)
        # a client that goes away while its request runs: the completion is dropped
        cc = Conn(h)
        cc.send(get("/_test/sleep?ms=300"))
        cc.close()
        time.sleep(0.5)
        c = Conn(h)
        c.send(get("/hello.txt"))
        assert c.response()[0] == 200
        c.close()
    finally:
        h.stop()


def test_max_conn_pauses_accept_never_drops(site):
    h = Harv(site, "--max-conn", "10")
    try:
        held = [Conn(h) for _ in range(10)]
        for c in held:
            c.send(get("/hello.txt"))
            assert c.response()[0] == 200
        extra = Conn(h)  # connects (kernel backlog) but is not served yet
        extra.send(get("/hello.txt"))
        extra.s.settimeout(0.5)
        with pytest.raises(socket.timeout):
            extra.s.recv(1)
        held[0].close()
        extra.s.settimeout(5)
        assert extra.response()[0] == 200
        for c in held[1:] + [extra]:
            c.close()
    finally:
        h.stop()


def test_ipv6_and_unix_listeners(site, tmp_path):
    h = Harv(site, listen="[::1]:0")
    try:
        c = Conn(h)
        c.send(get("/hello.txt"))
        assert c.response()[2] == b"hello world\n"
        c.close()
    finally:
        h.stop()
    path = str(tmp_path / "h.sock")
    h = Harv(site, listen="unix:" + path)
    try:
        r = curl("--unix-socket", path, "http://x/hello.txt")
        assert r.stdout == "hello world\n"
    finally:
        h.stop()


def test_access_log_combined_format(site, tmp_path):
    log = tmp_path / "access.log"
    h = Harv(site, "--access-log", str(log))
    curl("-A", "tester/1.0", "-e", "http://ref/", h.url + "/hello.txt")
    curl(h.url + "/missing")
    h.stop()
    lines = log.read_text().splitlines()
    assert len(lines) == 2
    assert '"GET /hello.txt HTTP/1.1" 200 12 "http://ref/" "tester/1.0"' in lines[0]
    assert lines[0].startswith("127.0.0.1 - - [")
    assert '" 404 ' in lines[1]


def test_body_min_rate_evicts_slow_uploader(site):
    # bytes keep arriving (the idle timer never fires) but far below 1024 B/s
    h = Harv(site, "--test-handlers", "--timeout-body", "1000", "--body-min-rate", "1024")
    try:
        c = Conn(h)
        c.send(b"POST /_test/echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n")
        t0 = time.time()
        status = None
        while time.time() - t0 < 6:
            try:
                c.send(b"x" * 20)
            except OSError:
                break
            c.s.settimeout(0.2)
            try:
                data = c.s.recv(4096)
            except socket.timeout:
                continue
            c.buf += data
            if b"\r\n\r\n" in c.buf:
                status = c.response()[0]
                break
        if status is None:  # our send failed: the server answered and closed meanwhile
            c.s.settimeout(2)
            status = c.response()[0]
        assert status == 408
        assert 0.9 <= time.time() - t0 < 4  # the loop clock is cached per tick
        c.close()
    finally:
        h.stop()


def test_send_timeout_evicts_slow_reader(site, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"z" * (48 << 20))  # more than the socket buffers on both sides hold
    h = Harv(tmp_path, "--timeout-send", "1000")
    try:
        s = h.connect()
        s.sendall(get("/big.bin"))
        time.sleep(2.5)  # read nothing: the server's writes stall, then it gives up
        s.settimeout(5)
        got = 0
        try:
            while True:
                d = s.recv(1 << 20)
                if not d:
                    break
                got += len(d)
        except ConnectionResetError:
            pass
        assert got < (48 << 20)  # cut off: the connection was closed, not completed
        s.close()
        c = Conn(h)  # and the server still serves
        c.send(get("/big.bin"))
        assert len(c.response()[2]) == 48 << 20
        c.close()
    finally:
        h.stop()


def test_several_event_loop_threads(site):
    h = Harv(site, "--threads", "2", "--test-handlers")
    try:
        conns = [Conn(h) for _ in range(20)]
        for rnd in range(5):
            for c in conns:
                c.send(get("/hello.txt") + b"POST /_test/echo HTTP/1.1\r\nHost: a\r\n"
                       b"Content-Length: 3\r\n\r\nabc")
            for c in conns:
                assert c.response()[2] == b"hello world\n"
                assert c.response()[2] == b"abc"
        tids = os.listdir("/proc/%d/task" % h.proc.pid)
        assert len(tids) >= 2  # the second loop runs in its own thread
        for c in conns:
            c.close()
    finally:
        h.stop()


def test_sigterm_drains_in_flight_then_refuses(site):
    import signal
    h = Harv(site, "--test-handlers", "--drain-timeout", "5000")
    idle = Conn(h)
    idle.send(get("/hello.txt"))
    assert idle.response()[0] == 200
    busy = Conn(h)
    busy.send(get("/_test/stream?n=6&ms=100"))  # 0.6 s of streamed body
    st, hd, _ = busy.response(head_only=True)
    assert st == 200
    t0 = time.time()
    h.proc.send_signal(signal.SIGTERM)
    assert idle.at_eof(2) and time.time() - t0 < 1  # idle keep-alive: closed at once
    time.sleep(0.1)
    with pytest.raises(ConnectionRefusedError):  # no new connections during the drain
        socket.create_connection((h.host, h.port), timeout=1)
    # the in-flight response completes in full
    data, busy.buf = busy.buf, b""
    busy.s.settimeout(5)
    while not data.endswith(b"0\r\n\r\n"):
        d = busy.s.recv(65536)
        assert d, "stream cut: %r" % data
        data += d
    assert data.count(b"chunk ") == 6
    assert busy.at_eof(2)
    h.proc.wait(5)
    assert 0.4 < time.time() - t0 < 3
    h.stop()

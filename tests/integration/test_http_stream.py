"""Streamed (asynchronous) responses: a handler hands its response to a producer on the loop
(as FastCGI and actor routes do). Chunked framing for HTTP/1.1, close-delimited for 1.0,
pipelined requests behind a stream, HEAD, a client vanishing mid-stream, and pool mode."""
import socket
import time

from harvutil import Conn, Harv, curl, get


def read_chunked(c):
    """Reads a chunked body from Conn c after its head; returns (body, chunk count)."""
    body, chunks = b"", 0
    while True:
        while b"\r\n" not in c.buf:
            c.buf += c.s.recv(65536)
        line, _, c.buf = c.buf.partition(b"\r\n")
        n = int(line, 16)
        while len(c.buf) < n + 2:
            c.buf += c.s.recv(65536)
        if n == 0:
            assert c.buf[:2] == b"\r\n"
            c.buf = c.buf[2:]
            return body, chunks
        body += c.buf[:n]
        assert c.buf[n:n + 2] == b"\r\n"
        c.buf = c.buf[n + 2:]
        chunks += 1


def test_stream_chunked_then_pipelined(tmp_path):
    (tmp_path / "a.txt").write_text("after\n")
    h = Harv(tmp_path, "--test-handlers")
    try:
        c = Conn(h)
        t0 = time.time()
        c.send(get("/_test/stream?n=5&ms=40") + get("/a.txt"))
        st, hd, _ = c.response(head_only=True)
        assert st == 200 and hd["transfer-encoding"] == "chunked"
        body, chunks = read_chunked(c)
        assert body == b"".join(b"chunk %d\n" % i for i in range(5)) and chunks == 5
        assert time.time() - t0 >= 0.18  # the chunks really were produced over time
        st, _, body = c.response()
        assert st == 200 and body == b"after\n"  # keep-alive and pipelining resume
        # HEAD: a head, no body, and the connection stays usable
        c.send(b"HEAD /_test/stream?n=2&ms=5 HTTP/1.1\r\nHost: a\r\n\r\n" + get("/a.txt"))
        st, hd, _ = c.response(head_only=True)
        assert st == 200
        assert c.response()[2] == b"after\n"
        c.close()
        # HTTP/1.0: no chunking; the close delimits the body
        c = Conn(h)
        c.send(b"GET /_test/stream?n=3&ms=5 HTTP/1.0\r\n\r\n")
        st, hd, _ = c.response(head_only=True)
        assert "transfer-encoding" not in hd and hd["connection"] == "close"
        data = c.buf
        while True:
            d = c.s.recv(65536)
            if not d:
                break
            data += d
        assert data == b"chunk 0\nchunk 1\nchunk 2\n"
        c.close()
        # curl agrees
        assert curl(h.url + "/_test/stream?n=4&ms=1").stdout == "".join(
            "chunk %d\n" % i for i in range(4))
    finally:
        h.stop()


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])


def test_request_arriving_during_a_stream_waits(tmp_path):
    """Reading stays armed when a stream starts and is turned off only when input arrives
    (no epoll_ctl per streamed answer): a request sent while a stream runs, and a half-close,
    wait for its end without the level-triggered readiness spinning the loop."""
    (tmp_path / "a.txt").write_text("after\n")
    h = Harv(tmp_path, "--test-handlers")
    try:
        c = Conn(h)
        c.send(get("/_test/stream?n=10&ms=50"))
        st, hd, _ = c.response(head_only=True)
        assert st == 200 and hd["transfer-encoding"] == "chunked"
        t0 = cpu_ticks(h.proc.pid)
        c.send(get("/a.txt"))  # arrives mid-stream
        body, chunks = read_chunked(c)
        assert chunks == 10
        assert cpu_ticks(h.proc.pid) - t0 <= 10  # 0.5 s of stream: no busy loop
        st, _, body = c.response()
        assert st == 200 and body == b"after\n"
        # the same with a half-closed client: the stream ends, then the connection closes
        c.send(get("/_test/stream?n=4&ms=50"))
        c.response(head_only=True)
        t0 = cpu_ticks(h.proc.pid)
        c.s.shutdown(socket.SHUT_WR)
        body, chunks = read_chunked(c)
        assert chunks == 4
        assert cpu_ticks(h.proc.pid) - t0 <= 10
        assert c.at_eof()
        c.close()
    finally:
        h.stop()


def test_client_vanishes_mid_stream(tmp_path):
    (tmp_path / "a.txt").write_text("ok\n")
    h = Harv(tmp_path, "--test-handlers")
    try:
        for _ in range(5):
            c = Conn(h)
            c.send(get("/_test/stream?n=50&ms=10"))
            c.response(head_only=True)
            c.close()  # the producer gets on_close; the server must stay healthy
        time.sleep(0.7)
        c = Conn(h)
        c.send(get("/a.txt"))
        assert c.response()[2] == b"ok\n"
        c.close()
    finally:
        h.stop()


def test_pool_mode_has_no_streams(tmp_path):
    h = Harv(tmp_path, "--test-handlers", "--pool-threads", "2")
    try:
        assert curl("-o", "/dev/null", "-w", "%{http_code}",
                    h.url + "/_test/stream?n=2&ms=1").stdout == "501"
    finally:
        h.stop()


def test_stream_with_length_keeps_connection_alive(tmp_path):
    """A stream with a Content-Length whose last byte leaves before http_stream_end: the
    connection must resume reading (regression: it used to hang the next request)."""
    (tmp_path / "a.txt").write_text("next\n")
    h = Harv(tmp_path, "--test-handlers", "--timeout-keepalive", "1500")
    try:
        c = Conn(h)
        for _ in range(3):
            c.send(get("/_test/stream?n=3&ms=10&len=1"))
            st, hd, body = c.response()
            assert st == 200 and hd["content-length"] == "24" and "transfer-encoding" not in hd
            assert body == b"chunk 0\nchunk 1\nchunk 2\n"
            c.send(get("/a.txt"))
            assert c.response()[2] == b"next\n"
        # the keep-alive deadline applies after a stream, too
        t0 = time.time()
        c.send(get("/_test/stream?n=1&ms=1&len=1"))
        c.response()
        assert c.at_eof(5) and time.time() - t0 < 4
    finally:
        h.stop()


# ---- streamed request bodies (cfg.body_stream: /_test/body reads its body as a stream) -------

def fnv(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return b"len=%d fnv=%016x\n" % (len(data), h)


def post(path, body, extra=b""):
    return (b"POST %s HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n%s\r\n"
            % (path.encode(), len(body), extra)) + body


def chunked(body, sizes):
    out, i, k = b"", 0, 0
    while i < len(body):
        n = sizes[k % len(sizes)]
        out += b"%x;ext=1\r\n" % len(body[i:i + n]) + body[i:i + n] + b"\r\n"
        i += n
        k += 1
    return out + b"0\r\nX-Trailer: t\r\n\r\n"


def test_streamed_body_beyond_the_buffer_cap(tmp_path):
    """A body 12x the read buffer cap is read through a 64 KiB window: never 413, never held
    whole; the answer proves every byte arrived in order. Back-pressure (the reader pauses after
    every piece) and keep-alive after the body both hold."""
    import os
    body = os.urandom(3 << 20)
    h = Harv(tmp_path, "--test-handlers", "--read-buf-cap", "256k", "--max-body", "8m")
    try:
        c = Conn(h, timeout=30)
        c.send(post("/_test/body", body))
        st, hd, got = c.response()
        assert st == 200 and hd["x-body"] == "streamed" and got == fnv(body)
        c.send(post("/_test/body?pause=1", body[:400000]) + get("/_test/body"))
        st, _, got = c.response()
        assert st == 200 and got == fnv(body[:400000])
        st, hd, got = c.response()  # the pipelined GET has no body: an ordinary request
        assert st == 200 and hd["x-body"] == "buffered" and got == fnv(b"")
        # a route that reads its body whole cannot take more than the buffer cap
        c = Conn(h)
        c.send(post("/_test/echo", b"")[:-4] + b"\r\n")
        c.close()
        c = Conn(h)
        c.send(b"POST /_test/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 300000\r\n\r\n")
        assert c.response()[0] == 413
    finally:
        h.stop()


def test_streamed_chunked_body_split_everywhere(tmp_path):
    """Chunked framing with extensions and trailers, delivered in odd-sized writes, decoded
    while streaming; the next pipelined request on the connection is answered after it."""
    import os
    body = os.urandom(200000)
    wire = (b"POST /_test/body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunked(body, [1, 7, 4096, 65537, 3]) + get("/_test/body"))
    h = Harv(tmp_path, "--test-handlers")
    try:
        c = Conn(h, timeout=20)
        for i in range(0, len(wire), 9973):
            c.send(wire[i:i + 9973])
            time.sleep(0.001)
        st, hd, got = c.response()
        assert st == 200 and hd["x-body"] == "streamed" and got == fnv(body)
        st, _, got = c.response()
        assert st == 200 and got == fnv(b"")
    finally:
        h.stop()


def test_streamed_body_expect_continue(tmp_path):
    """Expect: 100-continue: the interim answer comes when the reader starts, before any body
    byte is sent."""
    h = Harv(tmp_path, "--test-handlers")
    try:
        c = Conn(h)
        c.send(b"POST /_test/body HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
               b"Expect: 100-continue\r\n\r\n")
        st, _, _ = c.response()
        assert st == 100
        c.send(b"hello")
        st, _, got = c.response()
        assert st == 200 and got == fnv(b"hello")
    finally:
        h.stop()


def test_streamed_body_errors(tmp_path):
    """Limits and framing still hold for streamed bodies: Content-Length over max_body is 413
    before any byte is read, a chunked body that grows past it is 413, broken framing 400, an
    idle body 408, a client that vanishes mid-body costs nothing; the server keeps serving."""
    import os
    h = Harv(tmp_path, "--test-handlers", "--max-body", "100k", "--timeout-body", "400")
    try:
        c = Conn(h)
        c.send(b"POST /_test/body HTTP/1.1\r\nHost: t\r\nContent-Length: 200000\r\n\r\n")
        assert c.response()[0] == 413
        c.close()
        c = Conn(h)
        c.send(b"POST /_test/body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
               + chunked(os.urandom(150000), [30000])[:-5])
        assert c.response()[0] == 413
        c.close()
        c = Conn(h)
        c.send(b"POST /_test/body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhelloXX\r\n")
        assert c.response()[0] == 400
        c.close()
        c = Conn(h)
        c.send(post("/_test/body", b"x" * 1000)[:-500])
        t0 = time.time()
        assert c.response()[0] == 408
        assert 0.3 < time.time() - t0 < 3
        assert c.at_eof()
        c = Conn(h)
        c.send(post("/_test/body", b"y" * 50000)[:-20000])
        c.close()
        c = Conn(h)
        c.send(post("/_test/body", b"ok"))
        st, _, got = c.response()
        assert st == 200 and got == fnv(b"ok")
    finally:
        h.stop()

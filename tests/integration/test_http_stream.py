"""Streamed (asynchronous) responses: a handler hands its response to a producer on the loop
(as FastCGI and actor routes do). Chunked framing for HTTP/1.1, close-delimited for 1.0,
pipelined requests behind a stream, HEAD, a client vanishing mid-stream, and pool mode."""
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

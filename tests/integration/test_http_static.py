"""Static files through HarvTTP: index files, MIME allowlist, dotfiles, .php never served,
conditionals (304), ranges (206/416), precompressed siblings, directory redirects, HEAD,
sendfile for large files, and traversal attempts of every kind."""
import gzip
import os

import pytest

from harvutil import Conn, Harv, curl


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text("<h1>home</h1>\n")
    (root / "style.css").write_text("body { color: red }\n" * 50)
    with gzip.open(root / "style.css.gz", "wb") as f:
        f.write((root / "style.css").read_bytes())
    (root / "data.bin").write_bytes(bytes(range(256)) * 4)
    (root / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    (root / "app.php").write_text("<?php echo 'secret'; ?>")
    (root / "noext").write_text("x")
    (root / "weird.xyz").write_text("x")
    (root / ".env").write_text("PASSWORD=1")
    (root / ".git").mkdir()
    (root / ".git" / "config.txt").write_text("x")
    (root / "docs").mkdir()
    (root / "docs" / "index.html").write_text("docs index\n")
    (root / "empty").mkdir()
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_text("top secret\n")
    os.symlink(outside / "secret.txt", root / "escape.txt")
    os.symlink(outside, root / "escdir")
    os.symlink("index.html", root / "inside.html")  # relative: absolute links are refused
    return root


@pytest.fixture(scope="module")
def harv(site):
    h = Harv(site, "--no-php")  # the static handler's own refusal of .php is under test
    yield h
    h.stop()


def code(harv, path, *args):
    r = curl("-o", "/dev/null", "-w", "%{http_code}", "--path-as-is", *args, harv.url + path)
    return r.stdout


def test_index_and_types(harv):
    r = curl("-i", harv.url + "/")
    assert "200 OK" in r.stdout and "<h1>home</h1>" in r.stdout
    assert "Content-Type: text/html; charset=utf-8" in r.stdout
    assert curl(harv.url + "/docs/").stdout == "docs index\n"
    r = curl("-I", harv.url + "/data.bin")
    assert "application/octet-stream" in r.stdout and "Content-Length: 1024" in r.stdout


def test_directory_without_slash_redirects(harv):
    r = curl("-i", harv.url + "/docs?x=1")
    assert r.stdout.startswith("HTTP/1.1 301")
    assert "Location: /docs/?x=1" in r.stdout
    assert code(harv, "/empty/") == "404"  # no index, no listing


def test_allowlist_dotfiles_and_php(harv):
    assert code(harv, "/app.php") == "403"
    assert "secret" not in curl(harv.url + "/app.php").stdout
    assert code(harv, "/noext") == "403"
    assert code(harv, "/weird.xyz") == "403"
    assert code(harv, "/.env") == "404"
    assert code(harv, "/.git/config.txt") == "404"
    assert code(harv, "/%2eenv") == "404"


def test_traversal_attempts(harv):
    for path in ["/../../../../etc/passwd", "/docs/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                 "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/docs/%2e%2e/%2e%2e/etc/passwd",
                 "/..%2fetc/passwd", "/index.html%00.txt", "/%00", "/%zz", "/%2",
                 "/escape.txt", "/escdir/secret.txt", "//etc/passwd", "/./index.html",
                 "/docs/./index.html", "/.%2e/etc/passwd"]:
        r = curl("-w", "\n%{http_code}", "--path-as-is", harv.url + path)
        body, _, status = r.stdout.rpartition("\n")
        assert status in ("400", "403", "404"), (path, status)
        assert "root:" not in body and "top secret" not in body, path
    # a symlink that stays inside the root is fine
    assert curl(harv.url + "/inside.html").stdout == "<h1>home</h1>\n"
    # absolute-form with traversal
    c = Conn(harv)
    c.send(b"GET http://x/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n")
    st, _, body = c.response()
    assert st == 400 and b"root:" not in body
    c.close()


def test_conditional_requests(harv):
    r = curl("-I", harv.url + "/data.bin")
    # text mode: curl's CRLFs arrive as "\n"
    hd = dict(l.split(": ", 1) for l in r.stdout.split("\n\n")[0].splitlines()[1:])
    etag, lm = hd["ETag"], hd["Last-Modified"]
    assert code(harv, "/data.bin", "-H", "If-None-Match: " + etag) == "304"
    assert code(harv, "/data.bin", "-H", 'If-None-Match: "nope", ' + etag) == "304"
    assert code(harv, "/data.bin", "-H", "If-None-Match: *") == "304"
    assert code(harv, "/data.bin", "-H", 'If-None-Match: "other"') == "200"
    assert code(harv, "/data.bin", "-H", "If-Modified-Since: " + lm) == "304"
    assert code(harv, "/data.bin", "-H", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT") == "200"
    # If-None-Match wins over If-Modified-Since
    assert code(harv, "/data.bin", "-H", 'If-None-Match: "x"', "-H", "If-Modified-Since: " + lm) == "200"


def test_ranges(harv, site):
    data = (site / "data.bin").read_bytes()
    r = curl("-i", "-r", "10-19", harv.url + "/data.bin")
    assert "206 Partial Content" in r.stdout and "Content-Range: bytes 10-19/1024" in r.stdout
    raw = Conn(harv)
    raw.send(b"GET /data.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=-5\r\n\r\n")
    st, hd, body = raw.response()
    assert st == 206 and body == data[-5:]
    raw.send(b"GET /data.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=1000-\r\n\r\n")
    st, hd, body = raw.response()
    assert st == 206 and body == data[1000:] and hd["content-range"] == "bytes 1000-1023/1024"
    raw.send(b"GET /data.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=5000-6000\r\n\r\n")
    st, hd, body = raw.response()
    assert st == 416 and hd["content-range"] == "bytes */1024"
    raw.close()
    # several ranges: the whole file (allowed by RFC 9110)
    assert code(harv, "/data.bin", "-r", "0-1,5-6") == "200"
    # large file range goes through sendfile
    big = (site / "big.bin").read_bytes()
    raw = Conn(harv)
    raw.send(b"GET /big.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=1000000-2000000\r\n\r\n")
    st, hd, body = raw.response()
    assert st == 206 and body == big[1000000:2000001]
    raw.close()


def test_large_file_sendfile_and_head(harv, site):
    big = (site / "big.bin").read_bytes()
    c = Conn(harv)
    c.send(b"GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\nHEAD /big.bin HTTP/1.1\r\nHost: a\r\n\r\n"
           b"GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n")
    st, hd, body = c.response()
    assert st == 200 and body == big
    st, hd, body = c.response(head_only=True)
    assert st == 200 and int(hd["content-length"]) == len(big)
    st, hd, body = c.response()  # HEAD sent no body: the next response follows at once
    assert body == b"<h1>home</h1>\n"
    c.close()


def test_precompressed_sibling(harv, site):
    r = curl("-i", "-H", "Accept-Encoding: gzip", "-o", "/dev/null", "-D", "-",
             harv.url + "/style.css")
    assert "Content-Encoding: gzip" in r.stdout and "Vary: Accept-Encoding" in r.stdout
    r = curl("--compressed", harv.url + "/style.css")
    assert r.stdout == (site / "style.css").read_text()
    r = curl("-i", harv.url + "/style.css")
    assert "Content-Encoding" not in r.stdout
    r = curl("-i", "-H", "Accept-Encoding: gzip;q=0", harv.url + "/style.css")
    assert "Content-Encoding" not in r.stdout


def test_file_changes_are_seen(harv, site):
    import time
    p = site / "changing.txt"
    p.write_text("one\n")
    assert curl(harv.url + "/changing.txt").stdout == "one\n"
    p.write_text("two, longer\n")
    time.sleep(1.2)  # the open-file cache re-validates after 1 s
    assert curl(harv.url + "/changing.txt").stdout == "two, longer\n"
    p.unlink()
    time.sleep(1.2)
    assert code(harv, "/changing.txt") == "404"

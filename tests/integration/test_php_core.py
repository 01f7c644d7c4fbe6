"""PHP through HarvTTP and the PHP pool (`harv php-serve`): GET, POST (urlencoded and
multipart), cookies, headers, status codes, redirects, uploads, large bodies both ways,
streamed output, fatal errors, exit(), the memory limit, the wall-clock deadline (504, the
worker killed and replaced), a worker killed mid-request, recycling, the bounded queue (503),
fastcgi_finish_request(), routing (PATH_INFO, front controller, directory index, .php never
served as source) and OPcache."""
# ctest: labels=integration;php timeout=300
import hashlib
import http.client
import json
import os
import signal
import threading
import time

import pytest

from harvutil import Conn, get
from phputil import LANDLOCK, NETNS, SANITIZED, PhpHarv, alive, children, response, site

SCRIPTS = {
    "hello.php": "<?php echo 'Hello from ', php_sapi_name(), \"\\n\";",
    "info.php": """<?php
header('Content-Type: application/json');
echo json_encode(['server' => $_SERVER, 'get' => $_GET, 'post' => $_POST,
    'cookie' => $_COOKIE, 'input' => file_get_contents('php://input'),
    'files' => $_FILES, 'opcache' => function_exists('opcache_get_status')
        ? (opcache_get_status(false)['opcache_enabled'] ?? false) : 'absent',
    'memory_limit' => ini_get('memory_limit')]);
""",
    "headers.php": """<?php
$code = (int)($_GET['code'] ?? 200);
http_response_code($code);
header('X-One: 1');
header('X-Multi: a');
header('X-Multi: b', false);
setcookie('c1', 'v1');
setcookie('c2', 'v2', ['path' => '/x', 'httponly' => true]);
echo "code $code";
""",
    "redirect.php": "<?php header('Location: /hello.php'); echo 'moved';",
    "upload.php": """<?php
header('Content-Type: application/json');
$out = ['post' => $_POST, 'files' => []];
foreach ($_FILES as $k => $f) {
    $out['files'][$k] = ['name' => $f['name'], 'size' => $f['size'], 'error' => $f['error'],
        'md5' => $f['error'] === 0 ? md5_file($f['tmp_name']) : null,
        'uploaded' => is_uploaded_file($f['tmp_name'])];
}
echo json_encode($out);
""",
    "body.php": """<?php
$b = file_get_contents('php://input');
echo strlen($b), ' ', md5($b);
""",
    "big.php": """<?php
$n = (int)$_GET['n'];
echo str_repeat('0123456789abcdef', intdiv($n, 16));
""",
    "stream.php": """<?php
while (ob_get_level()) ob_end_flush();
for ($i = 0; $i < 4; $i++) { echo "part $i\\n"; flush(); usleep(150000); }
""",
    "progress.php": """<?php
while (ob_get_level()) ob_end_flush();
echo "started\\n"; flush();
$b = file_get_contents('php://input');
echo strlen($b), ' ', md5($b);
""",
    "fatal.php": "<?php echo 'before'; undefined_function_xyz();",
    "exit.php": """<?php
register_shutdown_function(function () { echo ' shutdown'; });
http_response_code(418); echo 'bye'; exit(3); echo 'never';""",
    "mem.php": "<?php ini_set('memory_limit', '16M'); $s = str_repeat('x', 64 << 20); echo strlen($s);",
    "sleep.php": "<?php $s = (float)($_GET['s'] ?? 1); usleep((int)($s * 1e6)); echo 'slept';",
    "pid.php": "<?php echo getmypid();",
    "finish.php": """<?php
echo 'answered'; fastcgi_finish_request();
sleep(5); file_put_contents(sys_get_temp_dir() . '/finish-' . $_GET['t'], 'ran');
""",
    "index.php": """<?php
header('Content-Type: application/json');
echo json_encode(['front' => true, 'uri' => $_SERVER['REQUEST_URI'],
    'script' => $_SERVER['SCRIPT_NAME'], 'path_info' => $_SERVER['PATH_INFO'] ?? null,
    'self' => $_SERVER['PHP_SELF']]);
""",
    "sub/index.php": "<?php echo 'sub index';",
    "inc.php": "<?php $included = true;",
    "env.php": """<?php
echo json_encode(['method' => getenv('REQUEST_METHOD'), 'foo' => getenv('HTTP_X_FOO'),
    'path' => getenv('PATH') !== false, 'none' => getenv('NO_SUCH_VAR'),
    'local' => getenv('REQUEST_METHOD', true)]);
""",
    "basedir.php": """<?php
include __DIR__ . '/inc.php';
header('Content-Type: application/json');
$r = ['cache' => realpath_cache_size(), 'basedir' => ini_get('open_basedir'),
    'etc' => @file_get_contents('/etc/hostname') !== false,
    'symlink' => function_exists('symlink'), 'link' => function_exists('link'),
    'widen' => ini_set('open_basedir', '/')];
$r['narrow'] = ini_set('open_basedir', __DIR__ . '/sub') !== false;
$r['after'] = ini_get('open_basedir');
$r['own'] = @file_get_contents(__DIR__ . '/static.txt') !== false;
echo json_encode($r);
""",
    "static.txt": "plain file\n",
    "plain/index.html": "<p>html index</p>\n",
}


@pytest.fixture(scope="module")
def php(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    site(root, SCRIPTS)
    h = PhpHarv(root, "--timeout", "1500", "--ini", "upload_max_filesize=4M",
                "--ini", "post_max_size=16M", "--max-body", "16m")
    h.root = root
    yield h
    h.stop()


def request(h, method, path, body=None, headers=None, timeout=15):
    c = http.client.HTTPConnection(h.host, h.port, timeout=timeout)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r, data


def test_get_and_server_vars(php):
    st, r, body = request(php, "GET", "/hello.php")
    assert st == 200 and body == b"Hello from fpm-fcgi\n"
    assert r.getheader("Content-Length") == str(len(body))  # a whole answer: not chunked
    st, r, body = request(php, "GET", "/info.php/extra/path?a=1&b[]=2&b[]=3",
                          headers={"X-Custom-Header": "yes", "User-Agent": "t/1"})
    d = json.loads(body)
    s = d["server"]
    assert d["get"] == {"a": "1", "b": ["2", "3"]}
    assert s["REQUEST_METHOD"] == "GET" and s["QUERY_STRING"] == "a=1&b[]=2&b[]=3"
    assert s["REQUEST_URI"] == "/info.php/extra/path?a=1&b[]=2&b[]=3"
    assert s["SCRIPT_NAME"] == "/info.php" and s["PATH_INFO"] == "/extra/path"
    assert s["PHP_SELF"] == "/info.php/extra/path"
    assert s["SCRIPT_FILENAME"].endswith("/info.php")
    assert os.path.isabs(s["DOCUMENT_ROOT"]) and s["SCRIPT_FILENAME"].startswith(s["DOCUMENT_ROOT"])
    assert s["HTTP_X_CUSTOM_HEADER"] == "yes" and s["HTTP_USER_AGENT"] == "t/1"
    assert s["SERVER_PROTOCOL"] == "HTTP/1.1" and "nginx" in s["SERVER_SOFTWARE"]
    assert s["REMOTE_ADDR"] == "127.0.0.1" and int(s["REMOTE_PORT"]) > 0
    assert s["SERVER_NAME"] == "127.0.0.1" and s["SERVER_PORT"] == str(php.port)
    assert s["GATEWAY_INTERFACE"] == "CGI/1.1"
    assert abs(s["REQUEST_TIME"] - time.time()) < 30
    assert d["opcache"] is True or SANITIZED  # the SAPI name lets OPcache on


def test_post_urlencoded_and_cookies(php):
    st, r, body = request(php, "POST", "/info.php", body="x=1&y[k]=2&z=%C3%A9",
                          headers={"Content-Type": "application/x-www-form-urlencoded",
                                   "Cookie": "sess=abc; other=d%20e"})
    d = json.loads(body)
    assert d["post"] == {"x": "1", "y": {"k": "2"}, "z": "é"}
    assert d["cookie"] == {"sess": "abc", "other": "d e"}
    assert d["input"] == "x=1&y[k]=2&z=%C3%A9"
    assert d["server"]["CONTENT_LENGTH"] == "19"
    # PUT: the body only through php://input
    st, r, body = request(php, "PUT", "/info.php", body="raw data",
                          headers={"Content-Type": "text/plain"})
    d = json.loads(body)
    assert d["post"] == [] and d["input"] == "raw data"


def test_headers_status_cookies(php):
    st, r, body = request(php, "GET", "/headers.php?code=201")
    assert st == 201 and body == b"code 201"
    assert r.getheader("X-One") == "1"
    assert r.msg.get_all("X-Multi") == ["a", "b"]
    cookies = r.msg.get_all("Set-Cookie")
    assert len(cookies) == 2 and cookies[0] == "c1=v1"
    assert cookies[1].startswith("c2=v2") and "path=/x" in cookies[1] and "HttpOnly" in cookies[1]
    for code in (404, 500, 503):
        assert request(php, "GET", "/headers.php?code=%d" % code)[0] == code
    st, r, body = request(php, "GET", "/headers.php?code=204")
    assert st == 204 and body == b""


def test_redirect(php):
    st, r, body = request(php, "GET", "/redirect.php")
    assert st == 302 and r.getheader("Location") == "/hello.php"


def test_multipart_upload(php):
    data = os.urandom(300000)
    boundary = "----harvtestboundary"
    parts = (
        "--%s\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue1\r\n" % boundary
    ).encode() + (
        "--%s\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n" % boundary).encode() + data + (
        "\r\n--%s--\r\n" % boundary).encode()
    st, r, body = request(php, "POST", "/upload.php", body=parts,
                          headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
    assert st == 200, body
    d = json.loads(body)
    assert d["post"] == {"field": "value1"}
    f = d["files"]["f"]
    assert f["name"] == "a.bin" and f["size"] == len(data) and f["error"] == 0
    assert f["md5"] == hashlib.md5(data).hexdigest() and f["uploaded"] is True


def test_upload_limit(php):
    # upload_max_filesize=4M: a 5 MB file is refused by PHP (error 1), the request still runs
    data = b"z" * (5 << 20)
    boundary = "b0undary"
    parts = ("--%s\r\nContent-Disposition: form-data; name=\"f\"; filename=\"big\"\r\n\r\n"
             % boundary).encode() + data + ("\r\n--%s--\r\n" % boundary).encode()
    st, r, body = request(php, "POST", "/upload.php", body=parts,
                          headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
    assert st == 200
    assert json.loads(body)["files"]["f"]["error"] == 1  # UPLOAD_ERR_INI_SIZE


def test_large_bodies(php):
    data = os.urandom(6 << 20)
    st, r, body = request(php, "POST", "/body.php", body=data,
                          headers={"Content-Type": "application/octet-stream"})
    assert st == 200 and body == ("%d %s" % (len(data), hashlib.md5(data).hexdigest())).encode()
    n = 5 << 20
    st, r, body = request(php, "GET", "/big.php?n=%d" % n)
    assert st == 200 and len(body) == n and body[:16] == b"0123456789abcdef"
    # beyond --max-body: HarvTTP answers 413 before PHP is involved
    c = Conn(php)
    c.send(b"POST /body.php HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % (17 << 20))
    assert response(c)[0] == 413
    c.close()


def test_streamed_request_body(php):
    """A large body streams to PHP as it arrives: the script answers before the client has sent
    the rest of its body, then reads all of it from php://input. (PUT: for a POST, PHP itself
    reads the whole body before the script starts.)"""
    data = os.urandom(1 << 20)
    c = Conn(php, timeout=15)
    c.send(b"PUT /progress.php HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\n"
           b"Content-Length: %d\r\n\r\n" % len(data) + data[:200000])
    while b"started\n" not in c.buf:
        chunk = c.s.recv(65536)
        assert chunk, c.buf
        c.buf += chunk
    assert c.buf.startswith(b"HTTP/1.1 200")
    c.send(data[200000:])
    want = b"%d %s" % (len(data), hashlib.md5(data).hexdigest().encode())
    while want not in c.buf:
        chunk = c.s.recv(65536)
        assert chunk, c.buf[-200:]
        c.buf += chunk
    c.close()


def test_streamed_upload_memory(tmp_path):
    """A 64 MB upload goes through HarvTTP's 64 KiB window, not a body-sized buffer: the HTTP
    process's peak memory stays far below the body, and PHP gets the file whole ($_FILES)."""
    site(tmp_path, SCRIPTS)
    h = PhpHarv(tmp_path, "--max-body", "100m", "--ini", "upload_max_filesize=100M",
                "--ini", "post_max_size=100M", "--ini", "memory_limit=64M")
    try:
        data = os.urandom(64 << 20)
        boundary = "b0undary"
        parts = ("--%s\r\nContent-Disposition: form-data; name=\"f\"; filename=\"big\"\r\n\r\n"
                 % boundary).encode() + data + ("\r\n--%s--\r\n" % boundary).encode()
        st, r, body = request(h, "POST", "/upload.php", body=parts, timeout=60,
                              headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
        assert st == 200, body
        f = json.loads(body)["files"]["f"]
        assert f["error"] == 0 and f["size"] == len(data)
        assert f["md5"] == hashlib.md5(data).hexdigest()
        with open("/proc/%d/status" % h.proc.pid) as st:
            hwm = [l for l in st if l.startswith("VmHWM:")][0]
        assert int(hwm.split()[1]) < 32 * 1024, hwm  # kB: under half the body
    finally:
        h.stop()


def test_streamed_output(php):
    c = Conn(php, timeout=10)
    t0 = time.time()
    c.send(get("/stream.php"))
    st, hd, _ = c.response(head_only=True)
    assert st == 200 and hd.get("transfer-encoding") == "chunked"
    first = None
    data = c.buf
    while b"0\r\n\r\n" not in data:
        d = c.s.recv(65536)
        assert d
        if first is None and b"part 0" in data + d:
            first = time.time() - t0
        data += d
    total = time.time() - t0
    assert b"part 0" in data and b"part 3" in data
    assert total >= 0.45 and (first is None or first < total - 0.3)  # sent as produced
    c.close()


def test_fatal_error_then_usable(php):
    st, r, body = request(php, "GET", "/fatal.php")
    assert st == 500
    for _ in range(3):
        assert request(php, "GET", "/hello.php")[0] == 200


def test_exit(php):
    st, r, body = request(php, "GET", "/exit.php")
    assert st == 418 and body == b"bye shutdown"
    assert request(php, "GET", "/hello.php")[2] == b"Hello from fpm-fcgi\n"


def test_memory_limit(php):
    st, r, body = request(php, "GET", "/mem.php")
    assert st == 500
    st, r, body = request(php, "GET", "/info.php")
    assert st == 200 and json.loads(body)["memory_limit"] != "16M"  # reset per request


def test_wall_clock_deadline(php):
    before = set(php.workers(2))
    t0 = time.time()
    st, r, body = request(php, "GET", "/sleep.php?s=10")
    took = time.time() - t0
    assert st == 504 and took < 6, took
    # the pool killed the stuck worker and forked a fresh one
    deadline = time.time() + 10
    while time.time() < deadline:
        now = set(php.workers())
        if len(now) == 2 and now != before:
            break
        time.sleep(0.05)
    assert len(now) == 2 and now != before
    for _ in range(4):
        assert request(php, "GET", "/hello.php")[0] == 200


def test_worker_killed_mid_request(php):
    result = {}

    def slow():
        result["r"] = request(php, "GET", "/sleep.php?s=1.2")[0]

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.3)
    for pid in php.workers():
        os.kill(pid, signal.SIGKILL)
    t.join(15)
    assert result["r"] == 502
    php.workers(2)
    for _ in range(4):
        assert request(php, "GET", "/hello.php")[0] == 200


def test_finish_request(php, tmp_path):
    tag = str(os.getpid()) + str(time.time())
    t0 = time.time()
    st, r, body = request(php, "GET", "/finish.php?t=" + tag)
    assert st == 200 and body == b"answered" and time.time() - t0 < 1.4  # not the 5 s


def test_routing(php):
    # PATH_INFO after a script
    d = json.loads(request(php, "GET", "/index.php/foo/bar?q=1")[2])
    assert d["script"] == "/index.php" and d["path_info"] == "/foo/bar"
    # the front controller takes paths that do not exist (pretty permalinks)
    d = json.loads(request(php, "GET", "/2026/11/hello-world/?x=1")[2])
    assert d["front"] and d["uri"] == "/2026/11/hello-world/?x=1" and d["script"] == "/index.php"
    d = json.loads(request(php, "GET", "/missing.php")[2])
    assert d["front"] and d["script"] == "/index.php"
    # a directory's index.php; a static directory index; a static file
    assert request(php, "GET", "/sub/")[2] == b"sub index"
    assert request(php, "GET", "/")[2].startswith(b'{"front":true')
    assert request(php, "GET", "/plain/")[2] == b"<p>html index</p>\n"
    st, r, body = request(php, "GET", "/static.txt")
    assert st == 200 and body == b"plain file\n"
    # .php sources are never sent: they run, or the request is refused
    assert b"<?php" not in request(php, "GET", "/hello.php")[2]
    assert b"<?php" not in request(php, "GET", "/sub/index.php")[2]
    # dot segments and dotfiles never reach PHP
    assert request(php, "GET", "/.hidden.php")[0] in (400, 404)
    # HEAD: the head only
    c = Conn(php)
    c.send(b"HEAD /hello.php HTTP/1.1\r\nHost: t\r\n\r\n" + get("/hello.php"))
    st, hd, _ = response(c, head=True)
    assert st == 200 and hd.get("content-length", "0") in ("0", "20")
    assert response(c)[2] == b"Hello from fpm-fcgi\n"
    # HEAD of a streamed answer, then a request after it on the same connection
    c.send(b"HEAD /stream.php HTTP/1.1\r\nHost: t\r\n\r\n")
    st, hd, _ = response(c, head=True)
    assert st == 200
    c.send(get("/hello.php"))
    assert response(c)[2] == b"Hello from fpm-fcgi\n"
    c.close()


def test_open_basedir_with_realpath_cache(php):
    """open_basedir confines every request to the root and the temp dir, while PHP's realpath
    cache stays on (set at startup, PHP would switch the cache off for the process). A script
    may narrow it for itself, never widen it, and the next request gets the pool's value back;
    symlink() and link() are gone (the cache's symlink-swap weakness)."""
    root = os.path.realpath(str(php.root))
    for _ in range(2):
        st, _, body = request(php, "GET", "/basedir.php")
        assert st == 200, body
        r = json.loads(body)
        assert r["basedir"].split(":")[0] == root
        assert r["cache"] > 0
        assert r["etc"] is False
        assert r["symlink"] is False and r["link"] is False
        assert r["widen"] is False
        assert r["narrow"] is True and r["after"] == root + "/sub"
        assert r["own"] is False  # narrowed to sub/: the root's files are out of reach now


def test_getenv_sees_the_request(php):
    """getenv() answers the request's params first, as under php-fpm, then the environment."""
    st, _, body = request(php, "GET", "/env.php", headers={"X-Foo": "bar"})
    assert st == 200
    assert json.loads(body) == {"method": "GET", "foo": "bar", "path": True, "none": False,
                                "local": False}


def test_keepalive_many(php):
    c = Conn(php)
    for i in range(50):
        c.send(get("/hello.php?i=%d" % i))
        st, hd, body = response(c)
        assert st == 200 and body == b"Hello from fpm-fcgi\n"
    c.close()


def test_concurrent(php):
    errors = []

    def worker():
        try:
            for _ in range(15):
                st, r, body = request(php, "GET", "/sleep.php?s=0.01")
                if st != 200 or body != b"slept":
                    errors.append((st, body))
        except Exception as e:  # noqa
            errors.append(e)

    ts = [threading.Thread(target=worker) for _ in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert not errors, errors[:3]


def test_recycle_and_queue_limit(tmp_path):
    site(tmp_path, SCRIPTS)
    h = PhpHarv(tmp_path, "--max-requests", "3", "--queue", "0", workers=1)
    try:
        pids = [request(h, "GET", "/pid.php")[2] for _ in range(7)]
        assert len(set(pids)) >= 3  # a fresh worker after every 3 requests
        # one worker, no queue: a second request while it is busy gets 503
        res = {}
        t = threading.Thread(target=lambda: res.setdefault("a", request(h, "GET",
                                                                          "/sleep.php?s=1")[0]))
        t.start()
        time.sleep(0.3)
        assert request(h, "GET", "/hello.php")[0] == 503
        t.join(10)
        assert res["a"] == 200
        assert request(h, "GET", "/hello.php")[0] == 200
    finally:
        h.stop()


@pytest.mark.skipif(LANDLOCK < 1 or not NETNS, reason="no Landlock or no network namespaces")
def test_isolation(tmp_path):
    """--isolate: no network for the workers, no writes outside the temp dir and --writable
    directories; open_basedir keeps reads inside the root and the temp dir."""
    root = tmp_path / "app"
    site(root, {
        "w.php": """<?php
$r = [];
$r['root'] = @file_put_contents(__DIR__ . '/evil.php', 'x') !== false;
$r['uploads'] = @file_put_contents(__DIR__ . '/uploads/ok.txt', 'ok') !== false;
$r['tmp'] = @file_put_contents(sys_get_temp_dir() . '/t.txt', 't') !== false;
$s = @stream_socket_client('tcp://127.0.0.1:' . (int)$_GET['port'], $en, $es, 2);
$r['net'] = $s !== false;
$r['etc'] = @file_get_contents('/etc/hostname') !== false;
$r['disabled'] = function_exists('exec');
echo json_encode($r);
""",
        "uploads/.keep": "",
    })
    h = PhpHarv(root, "--isolate", "--writable", "uploads", "--ini", "disable_functions=exec")
    try:
        st, r, body = request(h, "GET", "/w.php?port=%d" % h.port)
        assert st == 200, body
        assert json.loads(body) == {"root": False, "uploads": True, "tmp": True, "net": False,
                                    "etc": False, "disabled": False}
        assert not os.path.exists(root / "evil.php")
        assert (root / "uploads" / "ok.txt").read_text() == "ok"
    finally:
        h.stop()


@pytest.mark.skipif(LANDLOCK < 4, reason="Landlock TCP rules need ABI 4")
def test_isolation_allowed_port(tmp_path):
    """--isolate --allow-connect PORT: TCP to PORT only (HarvSQL's, for a wp-config.php that
    names 127.0.0.1:PORT), enforced by Landlock instead of a private network namespace."""
    import socket as so
    ok, other = so.socket(), so.socket()
    for s in (ok, other):
        s.bind(("127.0.0.1", 0))
        s.listen(4)
    try:
        root = tmp_path / "app"
        site(root, {"c.php": """<?php
$r = [];
foreach (['ok', 'other'] as $k) {
    $s = @stream_socket_client('tcp://127.0.0.1:' . (int)$_GET[$k], $en, $es, 2);
    $r[$k] = $s !== false;
}
echo json_encode($r);
"""})
        h = PhpHarv(root, "--isolate", "--allow-connect", str(ok.getsockname()[1]))
        try:
            st, r, body = request(h, "GET", "/c.php?ok=%d&other=%d" % (ok.getsockname()[1],
                                                                      other.getsockname()[1]))
            assert st == 200 and json.loads(body) == {"ok": True, "other": False}, body
        finally:
            h.stop()
    finally:
        ok.close()
        other.close()


def test_several_event_loops(tmp_path):
    """--threads 2: each HarvTTP loop has its own FastCGI connections (workers shared out)."""
    site(tmp_path, SCRIPTS)
    h = PhpHarv(tmp_path, "--threads", "2", workers=2)
    try:
        errors = []

        def worker():
            try:
                for i in range(20):
                    st, r, body = request(h, "GET", "/sleep.php?s=0.005")
                    if st != 200 or body != b"slept":
                        errors.append((st, body))
            except Exception as e:  # noqa
                errors.append(e)

        ts = [threading.Thread(target=worker) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        assert not errors, errors[:3]
    finally:
        h.stop()


def test_working_directory_is_the_scripts(tmp_path):
    """Each script starts in its own directory (relative includes), also on a worker whose
    previous script moved elsewhere with chdir() (the worker chdirs only when needed)."""
    site(tmp_path, {
        "cwd.php": "<?php echo getcwd();",
        "sub/cwd.php": "<?php echo getcwd(), '|'; include './part.inc';",
        "sub/part.inc": "part",
        "sub/move.php": "<?php chdir('..'); echo getcwd();",
        "sub/late.php": "<?php register_shutdown_function(function () {"
                        " file_put_contents('late.txt', getcwd()); }); chdir('..');",
    })
    root = os.path.realpath(str(tmp_path))
    h = PhpHarv(tmp_path, workers=1)
    try:
        sub = (root + "/sub|part").encode()
        for path, want in [("/sub/cwd.php", sub), ("/sub/cwd.php", sub),
                           ("/sub/move.php", root.encode()), ("/sub/cwd.php", sub),
                           ("/cwd.php", root.encode()), ("/sub/cwd.php", sub),
                           ("/sub/move.php", root.encode()), ("/cwd.php", root.encode())]:
            st, _, body = request(h, "GET", path)
            assert (st, body) == (200, want), path
        # shutdown functions run in the script's directory, as PHP's own chdir handling has it
        assert request(h, "GET", "/sub/late.php")[0] == 200
        assert (tmp_path / "sub" / "late.txt").read_text() == root + "/sub"
    finally:
        h.stop()


def test_memory_cap_recycles(tmp_path):
    """--memory-cap: a worker whose private memory passes the cap after a request is replaced
    (a cap below any PHP process's footprint: a fresh worker for every request)."""
    site(tmp_path, SCRIPTS)
    h = PhpHarv(tmp_path, "--memory-cap", "64k", workers=1)
    try:
        pids = [request(h, "GET", "/pid.php")[2] for _ in range(4)]
        assert len(set(pids)) == 4, pids
    finally:
        h.stop()


def test_pool_restarted_when_it_dies(tmp_path):
    """The pool child of php-serve is SIGKILLed (its workers die with it): within about a
    second a request notices and a new pool takes over on the same socket."""
    site(tmp_path, SCRIPTS)
    h = PhpHarv(tmp_path, workers=1)
    try:
        assert request(h, "GET", "/hello.php")[0] == 200
        old = h.pool[0]
        workers = h.workers()
        os.kill(old, signal.SIGKILL)
        deadline = time.time() + 10
        while time.time() < deadline and any(alive(p) for p in workers):
            time.sleep(0.05)
        new, ok = [], False
        deadline = time.time() + 15
        while time.time() < deadline and not (ok and new):
            ok = request(h, "GET", "/hello.php")[0] == 200
            new = [p for p in children(h.proc.pid) if p != old and alive(p)]
            time.sleep(0.1)
        assert ok and new
        h.pool = new[:1]
        assert request(h, "GET", "/hello.php")[2] == b"Hello from fpm-fcgi\n"
    finally:
        h.stop()

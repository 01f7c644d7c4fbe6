"""The FastCGI client against an external php-fpm (`harv php-serve --fastcgi ADDR`): the same
routing and client talk to Debian's php-fpm8.2 over a unix socket and over TCP."""
# ctest: labels=integration;php timeout=120
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from phputil import PhpHarv, site

FPM = shutil.which("php-fpm8.2") or "/usr/sbin/php-fpm8.2"

pytestmark = pytest.mark.skipif(not os.path.exists(FPM), reason="php8.2-fpm not installed")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Fpm:
    def __init__(self, tmp, listen):
        conf = os.path.join(str(tmp), "fpm.conf")
        with open(conf, "w") as f:
            f.write("[global]\nerror_log = %s/fpm.log\ndaemonize = no\npid = %s/fpm.pid\n"
                    "[www]\nlisten = %s\nlisten.mode = 0666\npm = static\n"
                    "pm.max_children = 2\nclear_env = no\n" % (tmp, tmp, listen))
        self.proc = subprocess.Popen([FPM, "-F", "-R", "-n", "-y", conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if listen.startswith("/"):
                    s = socket.socket(socket.AF_UNIX)
                    s.connect(listen)
                else:
                    host, port = listen.rsplit(":", 1)
                    s = socket.create_connection((host, int(port)))
                s.close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("php-fpm did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()


def get(h, path, body=None):
    c = http.client.HTTPConnection(h.host, h.port, timeout=15)
    c.request("POST" if body else "GET", path, body=body,
              headers={"Content-Type": "application/x-www-form-urlencoded"} if body else {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r, data


@pytest.mark.parametrize("kind", ["unix", "tcp"])
def test_external_fpm(tmp_path, kind):
    root = tmp_path / "site"
    site(root, {
        "hello.php": "<?php echo 'fpm says ', php_sapi_name();",
        "index.php": "<?php echo json_encode(['uri' => $_SERVER['REQUEST_URI'], "
                     "'pi' => $_SERVER['PATH_INFO'] ?? '', 'post' => $_POST]);",
        "cookie.php": "<?php setcookie('a', '1'); setcookie('b', '2'); http_response_code(201);",
        "body.php": "<?php $b = file_get_contents('php://input'); echo strlen($b), ' ', md5($b);",
    })
    listen = str(tmp_path / "fpm.sock") if kind == "unix" else "127.0.0.1:%d" % free_port()
    fpm = Fpm(tmp_path, listen)
    try:
        addr = "unix:" + listen if kind == "unix" else listen
        h = PhpHarv(root, "--fastcgi", addr, workers=2)
        try:
            st, r, body = get(h, "/hello.php")
            assert st == 200 and body == b"fpm says fpm-fcgi"
            st, r, body = get(h, "/index.php/a/b", body="x=1&y=2")
            d = json.loads(body)
            assert d == {"uri": "/index.php/a/b", "pi": "/a/b", "post": {"x": "1", "y": "2"}}
            st, r, body = get(h, "/pretty/link")
            assert json.loads(body)["uri"] == "/pretty/link"
            st, r, body = get(h, "/cookie.php")
            assert st == 201 and r.msg.get_all("Set-Cookie") == ["a=1", "b=2"]
            for _ in range(20):  # persistent connections to php-fpm
                assert get(h, "/hello.php")[0] == 200
            # a body over 64 KiB is streamed to php-fpm as STDIN records as it arrives
            import hashlib
            import os
            data = os.urandom(3 << 20)
            c = http.client.HTTPConnection(h.host, h.port, timeout=30)
            c.request("POST", "/body.php", body=data,
                      headers={"Content-Type": "application/octet-stream"})
            r = c.getresponse()
            st, body = r.status, r.read()
            c.close()
            assert st == 200 and body == b"%d %s" % (len(data), hashlib.md5(data).hexdigest().encode()), body[:300]
            assert get(h, "/hello.php")[0] == 200
        finally:
            h.stop()
    finally:
        fpm.stop()

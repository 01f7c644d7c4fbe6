"""The PHP pool (`harv php`) behind another FastCGI client: nginx, with and without
fastcgi_keep_conn. Checks that Harv's responder speaks the protocol as php-fpm does (params,
padding, STDIN streams, END_REQUEST, persistent connections)."""
# ctest: labels=integration;php timeout=120
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from harvutil import HARV
from phputil import children, alive, site

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx not installed")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_for(pred, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("keep", [True, False])
def test_pool_behind_nginx(tmp_path, keep):
    root = tmp_path / "www"
    site(root, {
        "hello.php": "<?php echo 'hello ', php_sapi_name();",
        "post.php": "<?php $b = file_get_contents('php://input'); "
                    "echo json_encode(['post' => $_POST, 'len' => strlen($b), 'md5' => md5($b), "
                    "'uri' => $_SERVER['REQUEST_URI'], 'cookie' => $_COOKIE]);",
        "status.php": "<?php http_response_code(404); setcookie('x', '1'); setcookie('y', '2'); "
                      "echo 'nope';",
    })
    sock = str(tmp_path / "php.sock")
    pool = subprocess.Popen([HARV, "php", "--socket", sock, "--root", str(root), "--workers",
                             "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    nginx = None
    try:
        assert wait_for(lambda: os.path.exists(sock)), "the pool did not create its socket"
        port = free_port()
        d = tmp_path / "nginx"
        (d / "tmp").mkdir(parents=True)
        upstream = ("upstream php { server unix:%s; keepalive 2; }" % sock) if keep else ""
        passto = ("fastcgi_keep_conn on; fastcgi_pass php;" if keep
                  else "fastcgi_pass unix:%s;" % sock)
        (d / "nginx.conf").write_text("""
user root root; daemon off; worker_processes 1; pid %(d)s/nginx.pid; error_log %(d)s/error.log warn;
events { worker_connections 64; }
http {
    access_log off; client_body_temp_path %(d)s/tmp; fastcgi_temp_path %(d)s/tmp;
    client_max_body_size 16m;
    %(upstream)s
    server {
        listen 127.0.0.1:%(port)d; root %(root)s;
        location ~ \\.php$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            %(passto)s
        }
    }
}
""" % {"d": d, "upstream": upstream, "passto": passto, "port": port, "root": root})
        nginx = subprocess.Popen([NGINX, "-p", str(d) + "/", "-c", str(d / "nginx.conf"),
                                  "-e", str(d / "error.log")], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)

        def up():
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return True
            except OSError:
                return False
        assert wait_for(up)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        for _ in range(10):
            c.request("GET", "/hello.php")
            r = c.getresponse()
            assert r.status == 200 and r.read() == b"hello fpm-fcgi"
        data = os.urandom(3 << 20)
        c.request("POST", "/post.php?a=1", body=data,
                  headers={"Content-Type": "application/octet-stream", "Cookie": "k=v"})
        r = c.getresponse()
        d2 = json.loads(r.read())
        assert d2["len"] == len(data) and d2["md5"] == hashlib.md5(data).hexdigest()
        assert d2["uri"] == "/post.php?a=1" and d2["cookie"] == {"k": "v"}
        c.request("POST", "/post.php", body="x=1&y=2",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert json.loads(c.getresponse().read())["post"] == {"x": "1", "y": "2"}
        c.request("GET", "/status.php")
        r = c.getresponse()
        assert r.status == 404 and r.read() == b"nope"
        assert r.msg.get_all("Set-Cookie") == ["x=1", "y=2"]
        c.close()
    finally:
        if nginx:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()
        workers = children(pool.pid)
        pool.send_signal(signal.SIGTERM)
        try:
            pool.wait(10)
        except subprocess.TimeoutExpired:
            pool.kill()
            pool.wait()
        err = pool.stderr.read()
        pool.stderr.close()
        assert pool.returncode == 0, err
        assert " alert " not in err, err
        assert wait_for(lambda: not any(alive(p) for p in workers))
        assert not os.path.exists(sock)

"""`php.fastcgi` under `harv up`: no php task runs, the http task routes PHP to an external
php-fpm — over a unix socket, and over TCP (its sandbox then allows socket(AF_INET) and
Landlock exactly that port)."""
# ctest: labels=integration;php timeout=120
import os

import pytest

from suputil import Up, http_get, workdir, no_stray_processes  # noqa: F401 (autouse)
from test_php_fpm import FPM, Fpm, free_port

pytestmark = pytest.mark.skipif(not os.path.exists(FPM), reason="php8.2-fpm not installed")


@pytest.mark.parametrize("kind", ["unix", "tcp"])
def test_http_task_routes_php_to_an_external_fpm(kind):
    d = workdir()
    site = os.path.join(d, "site")
    os.makedirs(site)
    with open(os.path.join(site, "index.php"), "w") as f:
        f.write("<?php echo 'fpm says ', PHP_SAPI, \"\\n\";\n")
    with open(os.path.join(site, "a.txt"), "w") as f:
        f.write("static\n")
    listen = os.path.join(d, "fpm.sock") if kind == "unix" else "127.0.0.1:%d" % free_port()
    fpm = Fpm(d, listen)
    try:
        addr = "unix:" + listen if kind == "unix" else listen
        up = Up(d, "state_dir: state\nlisteners: {web: 127.0.0.1:0}\n"
                   "http: {listen: [web], root: site}\nphp: {fastcgi: '%s'}\n" % addr,
                wait=("http",))
        try:
            host, port = up.hostport()
            st, body = http_get(host, port, "/index.php")
            assert (st, body) == (200, b"fpm says fpm-fcgi\n"), (st, body)
            st, body = http_get(host, port, "/a.txt")
            assert (st, body) == (200, b"static\n")
            names = [t["name"] for t in up.status()["tasks"] if t["state"] != "stopped"]
            assert names == ["http"], names
            assert "seccomp(" in up.task("http")["sandbox"]
        except BaseException:
            up.kill()
            raise
        up.stop()
    finally:
        fpm.stop()

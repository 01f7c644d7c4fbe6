"""WordPress (Debian's wordpress package) on Harv alone, one command: `harv php-serve DIR --state
S --sql-listen 127.0.0.1:PORT --db-user wp:PW --db wordpress` runs HarvTTP, the PHP pool and
HarvSQL (the `harv serve` of a PHP site). Each step is checked: the
installer, logging in, publishing a post (REST API with the editor's nonce), commenting, and
seeing both as a visitor — on a pretty permalink (front controller) and by ?p=ID. The PHP
workers run isolated (Landlock: TCP to HarvSQL's port only, writes to wp-content/uploads only)."""
# ctest: labels=integration;wordpress timeout=300
import http.cookiejar
import json
import os
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request

import pytest

from phputil import LANDLOCK, SANITIZED, PhpHarv

WP = "/usr/share/wordpress"

pytestmark = [
    pytest.mark.skipif(not os.path.isfile(WP + "/wp-settings.php"),
                       reason="Debian's wordpress package is not installed"),
    pytest.mark.skipif(SANITIZED, reason="a sanitizer build of harv runs PHP without mysqli"),
]

WP_CONFIG = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wp');
define('DB_PASSWORD', 'wp-secret');
define('DB_HOST', '%(host)s');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('AUTH_KEY', 'harv-test-1'); define('SECURE_AUTH_KEY', 'harv-test-2');
define('LOGGED_IN_KEY', 'harv-test-3'); define('NONCE_KEY', 'harv-test-4');
define('AUTH_SALT', 'harv-test-5'); define('SECURE_AUTH_SALT', 'harv-test-6');
define('LOGGED_IN_SALT', 'harv-test-7'); define('NONCE_SALT', 'harv-test-8');
$table_prefix = 'wp_';
define('WP_DEBUG', false);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('DISABLE_WP_CRON', true);
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
"""


class Browser:
    """Cookies, redirects followed, no proxy."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.op = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                              urllib.request.HTTPCookieProcessor(self.jar))

    def go(self, path, data=None, headers=None, timeout=120):
        if isinstance(data, dict):
            data = urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            r = self.op.open(req, timeout=timeout)
            return r.status, r.geturl(), r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.geturl(), e.read().decode("utf-8", "replace")


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wp")
    root = tmp / "site"
    shutil.copytree(WP, root, symlinks=False,
                    ignore=shutil.ignore_patterns("languages", "wp-config.php"))
    addr = "127.0.0.1:%d" % free_port()
    (root / "wp-config.php").write_text(WP_CONFIG % {"host": addr})
    (root / "wp-content" / "uploads").mkdir()
    # isolated workers (Landlock ABI >= 4): TCP to HarvSQL's port only, writes to
    # wp-content/uploads only
    iso = ["--isolate", "--writable", "wp-content/uploads"] if LANDLOCK >= 4 else []
    h = PhpHarv(root, "--timeout", "120000", "--state", str(tmp / "state"), "--sql-listen",
                addr, "--db-user", "wp:wp-secret", "--db", "wordpress", *iso, workers=2)
    try:
        assert h.sql and "tcp=" + addr in h.sql, h.sql
        assert os.path.exists(tmp / "state" / "sql") and os.path.exists(
            tmp / "state" / "run" / "php.sock")
        yield h, Browser(h.url)
    finally:
        h.stop()


def test_wordpress_install_login_post_comment(wordpress):
    h, b = wordpress
    # 1. a fresh site sends the visitor to the installer
    st, url, html = b.go("/")
    assert st == 200 and url.endswith("/wp-admin/install.php"), (st, url)
    assert "Welcome" in html and "install.php?step=2" in html
    # 2. install
    st, url, html = b.go("/wp-admin/install.php?step=2", {
        "weblog_title": "Harv Test Blog", "user_name": "admin",
        "admin_password": "harv-Pass-123!", "admin_password2": "harv-Pass-123!",
        "pw_weak": "1", "admin_email": "admin@example.org", "blog_public": "0",
        "Submit": "Install WordPress", "language": ""})
    assert st == 200 and "Success!" in html, html[-2000:]
    # 3. log in (the login form wants its test cookie first)
    st, url, html = b.go("/wp-login.php")
    assert st == 200 and 'name="log"' in html
    st, url, html = b.go("/wp-login.php", {
        "log": "admin", "pwd": "harv-Pass-123!", "wp-submit": "Log In",
        "redirect_to": h.url + "/wp-admin/", "testcookie": "1"})
    assert st == 200 and "/wp-admin/" in url and "Dashboard" in html, (st, url, html[:500])
    assert any(c.name.startswith("wordpress_logged_in_") for c in b.jar)
    # Settings > Permalinks once: pretty permalinks, rules flushed (as a new site's owner does)
    st, url, html = b.go("/wp-admin/options-permalink.php")
    assert st == 200
    nonce = re.search(r'name="_wpnonce" value="([0-9a-f]+)"', html).group(1)
    st, url, html = b.go("/wp-admin/options-permalink.php", {
        "_wpnonce": nonce, "_wp_http_referer": "/wp-admin/options-permalink.php",
        "selection": "/%year%/%monthnum%/%day%/%postname%/",
        "permalink_structure": "/%year%/%monthnum%/%day%/%postname%/",
        "category_base": "", "tag_base": "", "submit": "Save Changes"})
    assert st == 200 and "Permalink structure updated" in html, html[:1000]
    # 4. publish a post through the REST API, as the block editor does
    st, url, html = b.go("/wp-admin/post-new.php")
    assert st == 200
    m = re.search(r'wpApiSettings = (\{.*?\});', html) or re.search(
        r'"nonce":"([0-9a-f]+)"', html)
    rest_nonce = (json.loads(m.group(1))["nonce"] if m.group(1).startswith("{")
                  else m.group(1))
    st, url, body = b.go("/?rest_route=/wp/v2/posts", json.dumps({
        "title": "Hello from Harv", "content": "<p>Served by HarvTTP, PHP pool and HarvSQL.</p>",
        "status": "publish"}).encode(), {"Content-Type": "application/json",
                                         "X-WP-Nonce": rest_nonce})
    assert st == 201, body[:1000]
    post = json.loads(body)
    pid, link = post["id"], post["link"]
    assert "/hello-from-harv/" in link
    # 5. comment on it (logged in: approved at once)
    st, url, html = b.go("/wp-comments-post.php", {
        "comment": "A comment through FastCGI.", "comment_post_ID": str(pid),
        "comment_parent": "0", "submit": "Post Comment"})
    assert st == 200, html[:500]
    # 6. a visitor sees both: front page, the pretty permalink, and ?p=ID
    v = Browser(h.url)
    st, url, html = v.go("/")
    assert st == 200 and "Hello from Harv" in html and "Harv Test Blog" in html
    path = urllib.parse.urlparse(link).path
    st, url, html = v.go(path)
    assert st == 200 and "Served by HarvTTP, PHP pool and HarvSQL." in html
    assert "A comment through FastCGI." in html
    st, url, html = v.go("/?p=%d" % pid)
    assert st == 200 and "Hello from Harv" in html
    # a page that does not exist: WordPress's own 404 through the front controller
    st, url, html = v.go("/no/such/page/")
    assert st == 404 and "Harv Test Blog" in html
    # static assets are files; PHP sources never are
    st, url, css = v.go("/wp-includes/css/dashicons.min.css")
    assert st == 200 and "dashicons" in css
    st, url, src = v.go("/wp-config.php")
    assert "wp-secret" not in src

"""WordPress for integration tests: Debian's wordpress package copied with its own
wp-config.php, a cookie-keeping browser, and the walkthrough every WordPress test checks step
by step — install, log in, publish a post (REST API with the editor's nonce), comment, and
see both as a visitor. Used with HarvTTP + PHP pool + HarvSQL, under `harv up`, and with
`php -S` in front of HarvSQL alone."""
import http.cookiejar
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request

WP = "/usr/share/wordpress"

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
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p



def walkthrough(base, pretty=True, origin="Served by HarvTTP, PHP pool and HarvSQL."):
    """Runs the steps against a fresh WordPress at base; asserts each one. pretty: set
    pretty permalinks (needs a front controller) and check them."""
    b = Browser(base)
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
        "redirect_to": base + "/wp-admin/", "testcookie": "1"})
    assert st == 200 and "/wp-admin/" in url and "Dashboard" in html, (st, url, html[:500])
    assert any(c.name.startswith("wordpress_logged_in_") for c in b.jar)
    # Settings > Permalinks once: pretty permalinks, rules flushed (as a new site's owner does)
    if pretty:
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
        "title": "Hello from Harv", "content": "<p>" + origin + "</p>",
        "status": "publish"}).encode(), {"Content-Type": "application/json",
                                         "X-WP-Nonce": rest_nonce})
    assert st == 201, body[:1000]
    post = json.loads(body)
    pid, link = post["id"], post["link"]
    assert ("/hello-from-harv/" in link) if pretty else ("p=%d" % pid in link), link
    # 5. comment on it (logged in: approved at once)
    st, url, html = b.go("/wp-comments-post.php", {
        "comment": "A comment through FastCGI.", "comment_post_ID": str(pid),
        "comment_parent": "0", "submit": "Post Comment"})
    assert st == 200, html[:500]
    # 6. a visitor sees both: front page, the pretty permalink, and ?p=ID
    v = Browser(base)
    st, url, html = v.go("/")
    assert st == 200 and "Hello from Harv" in html and "Harv Test Blog" in html
    u = urllib.parse.urlparse(link)
    st, url, html = v.go(u.path + ("?" + u.query if u.query else ""))
    assert st == 200 and origin in html
    assert "A comment through FastCGI." in html
    st, url, html = v.go("/?p=%d" % pid)
    assert st == 200 and "Hello from Harv" in html
    # a page that does not exist: WordPress's own 404 through the front controller
    if pretty:
        st, url, html = v.go("/no/such/page/")
        assert st == 404 and "Harv Test Blog" in html
    # static assets are files; PHP sources never are
    st, url, css = v.go("/wp-includes/css/dashicons.min.css")
    assert st == 200 and "dashicons" in css
    st, url, src = v.go("/wp-config.php")
    assert "wp-secret" not in src
    return pid

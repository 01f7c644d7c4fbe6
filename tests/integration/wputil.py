"""WordPress for integration tests: Debian's wordpress package copied with its own
wp-config.php, a cookie-keeping browser, and the walkthrough every WordPress test checks step
by step — install, log in, publish a post (REST API with the editor's nonce), comment, and
see both as a visitor. Used with HarvTTP + PHP pool + HarvSQL, under `harv up`, and with
`php -S` in front of HarvSQL alone."""
import html.parser
import http.cookiejar
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request

WP = "/usr/share/wordpress"
AMP = r"&(?:amp;|#038;)?"  # "&" in WordPress's links, as written, &amp; or &#038;
# a 1x1 PNG for the media library
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

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

    def go(self, path, data=None, headers=None, timeout=120, raw=False):
        if isinstance(data, dict):
            data = urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            r = self.op.open(req, timeout=timeout)
            body = r.read()
            return r.status, r.geturl(), body if raw else body.decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            body = e.read()
            return e.code, e.geturl(), body if raw else body.decode("utf-8", "replace")


class FormFields(html.parser.HTMLParser):
    """The fields a browser would submit from the form whose action ends with `action`:
    inputs (checked boxes only), selected options, textareas."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = (a.get("action") or "").endswith(self.action)
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") in ("submit", "button"):
                return
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select:
            if "selected" in a or self.select not in self.fields:
                self.fields[self.select] = a.get("value") or ""
        elif tag == "textarea":
            self.textarea = a.get("name")
            self.fields[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


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
    u = urllib.parse.urlparse(link)
    post_path = u.path + ("?" + u.query if u.query else "")
    # 5b. the media library: an image uploaded as the editor does is stored and served back
    st, url, body = b.go("/?rest_route=/wp/v2/media", PNG, {
        "Content-Type": "image/png", "Content-Disposition": 'attachment; filename="dot.png"',
        "X-WP-Nonce": rest_nonce})
    assert st == 201, body[:1000]
    media = urllib.parse.urlparse(json.loads(body)["source_url"]).path
    assert "/wp-content/uploads/" in media
    st, url, img = Browser(base).go(media, raw=True)
    assert st == 200 and img == PNG
    # 5c. a visitor's first comment is held for moderation; the admin approves it
    v = Browser(base)
    st, url, html = v.go("/wp-comments-post.php", {
        "comment": "A visitor was here.", "author": "Visitor", "email": "visitor@example.org",
        "url": "", "comment_post_ID": str(pid), "comment_parent": "0", "submit": "Post Comment"})
    assert st == 200, html[:500]
    held = re.search(r"unapproved=(\d+)", url)
    assert held, url
    cid = int(held.group(1))
    assert "A visitor was here." not in Browser(base).go(post_path)[2]
    st, url, html = b.go("/wp-admin/edit-comments.php?comment_status=moderated")
    m = re.search(r"comment\.php\?c=%d%saction=approvecomment%s_wpnonce=([0-9a-f]+)"
                  % (cid, AMP, AMP), html)
    assert m, html[:2000]
    st, url, html = b.go("/wp-admin/comment.php?c=%d&action=approvecomment&_wpnonce=%s"
                         % (cid, m.group(1)))
    assert st == 200
    assert "A visitor was here." in Browser(base).go(post_path)[2]
    # 5. the admin comments too (approved at once; after the visitor's: WordPress refuses
    # a second comment from one IP within 15 s, unless it comes from a moderator)
    st, url, html = b.go("/wp-comments-post.php", {
        "comment": "A comment through FastCGI.", "comment_post_ID": str(pid),
        "comment_parent": "0", "submit": "Post Comment"})
    assert st == 200, html[:500]
    # 5d. a plugin: activate Akismet, then deactivate it
    for verb in ("activate", "deactivate"):
        st, url, html = b.go("/wp-admin/plugins.php")
        m = re.search(r"plugins\.php\?action=%s%splugin=akismet%%2Fakismet\.php[^\"']*?"
                      r"_wpnonce=([0-9a-f]+)" % (verb, AMP), html)
        assert m, (verb, html[:2000])
        st, url, html = b.go("/wp-admin/plugins.php?action=%s&plugin=akismet%%2Fakismet.php"
                             "&_wpnonce=%s" % (verb, m.group(1)))
        assert st == 200
        st, url, html = b.go("/wp-admin/plugins.php")
        row = re.search(r'<tr class="(\w+)[^"]*"[^>]*data-plugin="akismet/akismet.php"', html)
        assert row and row.group(1) == ("active" if verb == "activate" else "inactive"), verb
    # 5e. General settings: the form as a browser submits it, with a new tagline
    st, url, html = b.go("/wp-admin/options-general.php")
    f = FormFields("options.php")
    f.feed(html)
    assert f.fields.get("option_page") == "general" and f.fields.get("blogname"), f.fields
    f.fields["blogdescription"] = "Tagline saved through Harv"
    st, url, html = b.go("/wp-admin/options.php", f.fields)
    assert st == 200 and "settings-updated=true" in url, url
    assert "Tagline saved through Harv" in Browser(base).go("/")[2]
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
    # search and the category archive
    st, url, html = v.go("/?s=Harv")
    assert st == 200 and "Hello from Harv" in html
    st, url, html = v.go("/?cat=1")
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
    # 7. log out: the admin is closed again
    st, url, html = b.go("/wp-admin/")
    m = re.search(r"wp-login\.php\?action=logout%s_wpnonce=([0-9a-f]+)" % AMP, html)
    assert m, html[:1000]
    st, url, html = b.go("/wp-login.php?action=logout&_wpnonce=" + m.group(1))
    assert st == 200 and "loggedout=true" in url, url
    st, url, html = b.go("/wp-admin/")
    assert "wp-login.php" in url, url
    return pid

"""WordPress (Debian's wordpress package) under `harv up`: http + php + sql from one config,
every task sandboxed (the php task: seccomp with W^X, Landlock with wp-content/uploads the only
writable directory of the site, a private network namespace). wp-config.php says
DB_HOST 'localhost': mysqli takes HarvSQL's unix socket, the default the php task sets.
Checked: the installer, logging in, pretty permalinks, publishing a post through the REST API
(as the block editor does), uploading an image to the media library, a comment, and a visitor
seeing the post at its pretty permalink (front controller) and by ?p=ID."""
# ctest: labels=integration;wordpress timeout=300
import json
import os
import re
import shutil
import subprocess
import urllib.parse

import pytest

from harvutil import SANITIZED

from suputil import HARV, Up, workdir, no_stray_processes  # noqa: F401 (autouse)
from wputil import WP, WP_CONFIG, Browser

pytestmark = [
    pytest.mark.skipif(SANITIZED, reason="a sanitizer build of harv runs PHP without mysqli"),
    pytest.mark.skipif(not os.path.isfile(WP + "/wp-settings.php"),
                       reason="Debian's wordpress package is not installed"),
    pytest.mark.skipif(subprocess.run([HARV, "php", "--help"], capture_output=True).returncode,
                       reason="PHP is not built in"),
    pytest.mark.skipif(subprocess.run([HARV, "sql", "--help"], capture_output=True).returncode,
                       reason="HarvSQL is not built in"),
]

CONFIG = """state_dir: state
listeners: {web: 127.0.0.1:0}
http: {listen: [web], root: site, max_body: 8m}
sql: {socket: sql/mysql.sock, databases: [wordpress]}
php:
  workers: 2
  timeout: 120s
  writable: [wp-content/uploads]
  ini: {upload_max_filesize: 4M, post_max_size: 8M}
"""

# A 1x1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def tree(root):
    """Every file and directory beneath root but wp-content/uploads, with size and mtime."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        if dirpath == os.path.join(root, "wp-content"):
            dirs[:] = [x for x in dirs if x != "uploads"]
        for name in files + dirs:
            st = os.lstat(os.path.join(dirpath, name))
            out[os.path.join(dirpath, name)] = (st.st_size, st.st_mtime_ns)
    return out


def test_wordpress_under_harv_up():
    d = workdir()
    root = os.path.join(d, "site")
    shutil.copytree(WP, root, symlinks=False,
                    ignore=shutil.ignore_patterns("languages", "wp-config.php"))
    with open(os.path.join(root, "wp-config.php"), "w") as f:
        f.write(WP_CONFIG % {"host": "localhost"})
    os.makedirs(os.path.join(root, "wp-content", "uploads"))
    before = tree(root)
    up = Up(d, CONFIG, wait=("sql", "php", "http"))
    try:
        host, port = up.hostport()
        base = "http://%s:%d" % (host, port)
        b = Browser(base)
        st, url, html = b.go("/")
        assert st == 200 and url.endswith("/wp-admin/install.php"), (st, url)
        st, url, html = b.go("/wp-admin/install.php?step=2", {
            "weblog_title": "Harv Up Blog", "user_name": "admin",
            "admin_password": "harv-Pass-123!", "admin_password2": "harv-Pass-123!",
            "pw_weak": "1", "admin_email": "admin@example.org", "blog_public": "0",
            "Submit": "Install WordPress", "language": ""})
        assert st == 200 and "Success!" in html, html[-2000:]
        st, url, html = b.go("/wp-login.php")
        st, url, html = b.go("/wp-login.php", {
            "log": "admin", "pwd": "harv-Pass-123!", "wp-submit": "Log In",
            "redirect_to": base + "/wp-admin/", "testcookie": "1"})
        assert st == 200 and "/wp-admin/" in url and "Dashboard" in html, (st, url)
        st, url, html = b.go("/wp-admin/options-permalink.php")
        nonce = re.search(r'name="_wpnonce" value="([0-9a-f]+)"', html).group(1)
        st, url, html = b.go("/wp-admin/options-permalink.php", {
            "_wpnonce": nonce, "_wp_http_referer": "/wp-admin/options-permalink.php",
            "selection": "/%year%/%monthnum%/%day%/%postname%/",
            "permalink_structure": "/%year%/%monthnum%/%day%/%postname%/",
            "category_base": "", "tag_base": "", "submit": "Save Changes"})
        assert st == 200 and "Permalink structure updated" in html
        st, url, html = b.go("/wp-admin/post-new.php")
        m = re.search(r'wpApiSettings = (\{.*?\});', html) or re.search(
            r'"nonce":"([0-9a-f]+)"', html)
        rest_nonce = (json.loads(m.group(1))["nonce"] if m.group(1).startswith("{")
                      else m.group(1))
        # the media library writes beneath wp-content/uploads: the one writable directory
        st, url, body = b.go("/?rest_route=/wp/v2/media", PNG, {
            "Content-Type": "image/png", "Content-Disposition": 'attachment; filename="dot.png"',
            "X-WP-Nonce": rest_nonce})
        assert st == 201, body[:1000]
        media = json.loads(body)["source_url"]
        assert "/wp-content/uploads/" in media
        st, url, body = b.go("/?rest_route=/wp/v2/posts", json.dumps({
            "title": "Hello from harv up",
            "content": "<p>HarvTTP, the php task and HarvSQL, supervised.</p>",
            "status": "publish"}).encode(), {"Content-Type": "application/json",
                                             "X-WP-Nonce": rest_nonce})
        assert st == 201, body[:1000]
        post = json.loads(body)
        st, url, html = b.go("/wp-comments-post.php", {
            "comment": "Sandboxed and well.", "comment_post_ID": str(post["id"]),
            "comment_parent": "0", "submit": "Post Comment"})
        assert st == 200, html[:500]
        v = Browser(base)
        path = urllib.parse.urlparse(post["link"]).path
        st, url, html = v.go(path)
        assert st == 200 and "HarvTTP, the php task and HarvSQL" in html
        assert "Sandboxed and well." in html
        st, url, html = v.go("/?p=%d" % post["id"])
        assert st == 200 and "Hello from harv up" in html
        st, url, png = v.go(urllib.parse.urlparse(media).path)
        assert st == 200
        # nothing was written outside wp-content/uploads (the permalink change would
        # rewrite .htaccess if it could)
        assert tree(root) == before
        assert "seccomp(" in up.task("php")["sandbox"]
    except BaseException:
        up.kill()
        raise
    up.stop()

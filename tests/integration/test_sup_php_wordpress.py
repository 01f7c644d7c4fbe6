"""WordPress (Debian's wordpress package) under `harv up`: http + php + sql from one config,
every task sandboxed (the php task: seccomp with W^X, Landlock with wp-content/uploads the only
writable directory of the site, a private network namespace). wp-config.php says
DB_HOST 'localhost': mysqli takes HarvSQL's unix socket, the default the php task sets.
Checked: the installer, logging in, pretty permalinks, publishing a post through the REST API
(as the block editor does), uploading an image to the media library, a comment, and a visitor
seeing the post at its pretty permalink (front controller) and by ?p=ID."""
# ctest: labels=integration;wordpress timeout=300
import os
import shutil
import subprocess

import pytest

from harvutil import SANITIZED

from suputil import HARV, Up, workdir, no_stray_processes  # noqa: F401 (autouse)
from wputil import WP, WP_CONFIG, walkthrough

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
        # every step of the shared walkthrough, media upload included
        walkthrough("http://%s:%d" % (host, port), pretty=True,
                    origin="HarvTTP, the php task and HarvSQL, supervised.")
        # nothing was written outside wp-content/uploads (the permalink change would
        # rewrite .htaccess if it could)
        assert tree(root) == before
        assert "seccomp(" in up.task("php")["sandbox"]
    except BaseException:
        up.kill()
        raise
    up.stop()

"""WordPress (Debian's wordpress package) on Harv alone, one command: `harv php-serve DIR --state
S --sql-listen 127.0.0.1:PORT --db-user wp:PW --db wordpress` runs HarvTTP, the PHP pool and
HarvSQL (the `harv serve` of a PHP site). Each step is checked: the
installer, logging in, publishing a post (REST API with the editor's nonce), commenting, and
seeing both as a visitor — on a pretty permalink (front controller) and by ?p=ID. The PHP
workers run isolated (Landlock: TCP to HarvSQL's port only, writes to wp-content/uploads only)."""
# ctest: labels=integration;wordpress timeout=300
import os
import shutil

import pytest

from phputil import LANDLOCK, SANITIZED, PhpHarv
from wputil import WP, WP_CONFIG, Browser, free_port, walkthrough  # noqa: F401 (re-exported)

pytestmark = [
    pytest.mark.skipif(not os.path.isfile(WP + "/wp-settings.php"),
                       reason="Debian's wordpress package is not installed"),
    pytest.mark.skipif(SANITIZED, reason="a sanitizer build of harv runs PHP without mysqli"),
]


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
    walkthrough(h.url, pretty=True)

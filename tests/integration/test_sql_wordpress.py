"""WordPress on HarvSQL with PHP's own web server: Debian's wordpress package, its own
wp-config.php, served by `php -S` (php8.2-cli) and pointed at `harv sql` — the SQL server is
the only Harv part here. Install, log in, publish, comment, see them: each step checked."""
# ctest: labels=integration;wordpress timeout=300
import os
import shutil
import subprocess
import time
import urllib.request

import pytest

from sqlutil import HarvSQL
from wputil import WP, WP_CONFIG, free_port, walkthrough

pytestmark = pytest.mark.skipif(not os.path.isfile(WP + "/wp-settings.php"),
                                reason="Debian's wordpress package is not installed")


def test_wordpress_on_harvsql_with_php_builtin_server(tmp_path):
    sql = HarvSQL(users=(("wp", "wp-secret"),), databases=("wordpress",))
    root = tmp_path / "site"
    shutil.copytree(WP, root, symlinks=False,
                    ignore=shutil.ignore_patterns("languages", "wp-config.php"))
    (root / "wp-config.php").write_text(WP_CONFIG % {"host": "127.0.0.1:%d" % sql.port})
    (root / "wp-content" / "uploads").mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    php = subprocess.Popen(["php", "-S", "127.0.0.1:%d" % port, "-t", str(root)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        base = "http://127.0.0.1:%d" % port
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for _ in range(100):  # php -S is up when it answers
            try:
                opener.open(base + "/wp-includes/css/dashicons.min.css", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        pid = walkthrough(base, pretty=False, origin="Stored by HarvSQL, run by php -S.")
        assert pid > 0
    finally:
        php.terminate()
        php.wait(10)
        sql.stop()

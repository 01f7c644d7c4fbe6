"""`harv serve DIR` on a PHP site: the pool starts by itself when DIR holds PHP, static files
and the front controller work, and --state runs HarvSQL beside it (a mysqli script)."""
import socket

from harvutil import SANITIZED, Conn, Harv, curl, get


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_serve_runs_php_and_harvsql(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.php").write_text(
        "<?php header('X-Front: yes'); echo 'front ', $_SERVER['REQUEST_URI'], \"\\n\";")
    (site / "style.css").write_text("b{}")
    (site / "db.php").write_text("""<?php
$db = new mysqli('127.0.0.1', 'app', 'secret', 'appdb', (int)$_GET['port']);
$db->query('CREATE TABLE IF NOT EXISTS t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20))');
$db->query("INSERT INTO t (v) VALUES ('hello')");
$id = $db->insert_id;
$r = $db->query("SELECT v FROM t WHERE id = $id")->fetch_row();
echo $r[0], ' ', $id > 0 ? 'ok' : 'bad', "\\n";
""")
    port = free_port()
    h = Harv(site, "--state", str(tmp_path / "state"), "--sql-listen", "127.0.0.1:%d" % port,
             "--db-user", "app:secret", "--db", "appdb", "--php-workers", "2")
    try:
        r = curl("-i", h.url + "/")
        assert "X-Front: yes" in r.stdout and "front /" in r.stdout
        assert curl(h.url + "/style.css").stdout == "b{}"
        # a pretty permalink goes to the front controller
        assert curl(h.url + "/2026/11/a-post/").stdout == "front /2026/11/a-post/\n"
        # the source is never served
        assert "<?php" not in curl(h.url + "/index.php").stdout
        for _ in range(2 if not SANITIZED else 0):  # a sanitizer build's PHP has no mysqli
            assert curl(h.url + "/db.php?port=%d" % port).stdout == "hello ok\n"
        c = Conn(h)  # keep-alive across PHP responses
        for _ in range(5):
            c.send(get("/"))
            assert c.response()[0] == 200
        c.close()
    finally:
        h.stop()


def test_no_php_serves_statically_and_never_the_source(tmp_path):
    (tmp_path / "app.php").write_text("<?php echo 'ran'; ?>")
    h = Harv(tmp_path, "--no-php")
    try:
        r = curl("-w", "\n%{http_code}", h.url + "/app.php")
        assert r.stdout.endswith("\n403") and "<?php" not in r.stdout and "ran" not in r.stdout
    finally:
        h.stop()
    h = Harv(tmp_path)  # without --no-php the script runs
    try:
        assert curl(h.url + "/app.php").stdout == "ran"
    finally:
        h.stop()


def test_serve_static_site_starts_no_php(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    h = Harv(tmp_path)
    try:
        assert curl(h.url + "/a.txt").stdout == "x"
        assert "harv php" not in open("/proc/%d/cmdline" % h.proc.pid).read()
    finally:
        err = h.stop()
    assert "PHP" not in err

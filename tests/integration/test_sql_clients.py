"""HarvSQL with real clients: the mariadb CLI (TCP and unix socket), PyMySQL, PHP mysqli and
PDO_mysql (server-side prepares), MySQL 8-style caching_sha2_password and the auth-switch path,
1045 wording, the no-user (socket only) mode and `harv sql --help`."""
import json
import os
import subprocess
import tempfile

import pytest

from sqlutil import HARV, HarvSQL, RawClient, BASE_CAPS, CLIENT_PLUGIN_AUTH_LENENC


@pytest.fixture(scope="module")
def srv():
    s = HarvSQL()
    yield s
    s.stop()


def test_help_documents_options():
    r = subprocess.run([HARV, "sql", "--help"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0
    for opt in ("--listen", "--socket", "--state", "--user", "--database", "--max-connections",
                "--max-packet", "--max-prepared", "--workers", "--inline-us", "--synchronous"):
        assert opt in r.stdout, opt


def test_bad_options_are_explained():
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([HARV, "sql", "--state", d, "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=10)
        assert r.returncode != 0 and "--user" in r.stderr
        r = subprocess.run([HARV, "sql", "--state", d, "--socket", d + "/s", "--user", "nocolon"],
                           capture_output=True, text=True, timeout=10)
        assert r.returncode != 0 and "NAME:PASSWORD" in r.stderr
        r = subprocess.run([HARV, "sql", "--bogus"], capture_output=True, text=True, timeout=10)
        assert r.returncode == 2 and "unknown option" in r.stderr


def test_no_user_means_unix_socket_only():
    s = HarvSQL(users=(), tcp=False)
    try:
        assert s.port is None
        r = s.mariadb_cli("SELECT 1+1 AS two", unix=True, user="anyone", password="")
        assert r.stdout.split() == ["two", "2"]
    finally:
        s.stop()


def test_mariadb_cli_tcp_and_socket(srv):
    srv.mariadb_cli("DROP TABLE IF EXISTS cli_t; CREATE TABLE cli_t (id INT NOT NULL "
                    "AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL);"
                    "INSERT INTO cli_t (name) VALUES ('ann'), ('bob');")
    r = srv.mariadb_cli("SELECT id, name FROM cli_t ORDER BY id")
    assert r.stdout.splitlines() == ["id\tname", "1\tann", "2\tbob"]
    r = srv.mariadb_cli("SELECT COUNT(*) FROM cli_t", unix=True)
    assert r.stdout.splitlines() == ["COUNT(*)", "2"]
    r = srv.mariadb_cli("SELECT * FROM no_such_table", check=False)
    assert r.returncode != 0 and "1146" in r.stderr
    r = srv.mariadb_cli("SELECT 1", db="no_such_db", check=False)
    assert r.returncode != 0 and "ERROR 1049" in r.stderr


def test_access_denied_wording(srv):
    r = srv.mariadb_cli("SELECT 1", password="wrong", check=False)
    assert "ERROR 1045 (28000): Access denied for user 'root'@'127.0.0.1' (using password: YES)" \
        in r.stderr
    r = srv.mariadb_cli("SELECT 1", user="nobody", password="", check=False)
    assert "Access denied for user 'nobody'@'127.0.0.1' (using password: NO)" in r.stderr
    r = srv.mariadb_cli("SELECT 1", password="wrong", unix=True, check=False)
    assert "Access denied for user 'root'@'localhost' (using password: YES)" in r.stderr


def test_pymysql(srv):
    c = srv.pymysql()
    assert not c.get_server_info().startswith("5.5.5-")
    assert "HarvSQL" in c.get_server_info()
    cur = c.cursor()
    cur.execute("DROP TABLE IF EXISTS py_t")
    cur.execute("CREATE TABLE py_t (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                "v VARCHAR(100) NOT NULL DEFAULT '')")
    cur.execute("INSERT INTO py_t (v) VALUES (%s), (%s)", ("O'Brien", "żółw 🐢"))
    assert cur.rowcount == 2
    assert c.insert_id() == 1
    cur.execute("SELECT id, v FROM py_t ORDER BY id")
    assert cur.fetchall() == ((1, "O'Brien"), (2, "żółw 🐢"))
    assert [d[0] for d in cur.description] == ["id", "v"]
    cur.execute("UPDATE py_t SET v = v WHERE id = 1")
    assert cur.rowcount == 0  # changed rows, not matched
    c.ping()
    c.select_db("test")
    c.close()
    c = srv.pymysql(unix=True)
    cur = c.cursor()
    cur.execute("SELECT COUNT(*) FROM py_t")
    assert cur.fetchone() == (2,)
    c.close()


PHP_SCRIPT = r"""<?php
mysqli_report(MYSQLI_REPORT_OFF);
$out = [];
$m = new mysqli('127.0.0.1', 'root', 'pw', '', (int)$argv[1]);
if ($m->connect_errno) { echo json_encode(['connect' => $m->connect_error]); exit(1); }
$m->set_charset('utf8mb4');
$m->select_db('test');
$out['server_info'] = $m->server_info;
$m->query('DROP TABLE IF EXISTS php_t');
$m->query("CREATE TABLE php_t (id INT NOT NULL AUTO_INCREMENT, n INT NOT NULL DEFAULT 0, s VARCHAR(50) NOT NULL DEFAULT '', d DOUBLE, b LONGBLOB, PRIMARY KEY (id))");
$st = $m->prepare('INSERT INTO php_t (n, s, d) VALUES (?, ?, ?)');
$n = 0; $s = ''; $d = 0.0;
$st->bind_param('isd', $n, $s, $d);
foreach ([[1, 'one', 1.5], [2, 'two', -2.25], [3, "th'ree", 0]] as $r) {
  [$n, $s, $d] = $r; $st->execute(); $out['ids'][] = $st->insert_id;
}
$st->close();
$st = $m->prepare('SELECT id, n, s, d FROM php_t WHERE n >= ? ORDER BY id');
$min = 2; $st->bind_param('i', $min); $st->execute();
$res = $st->get_result();
while ($row = $res->fetch_row()) $out['rows'][] = $row;
$st->close();
// long data
$st = $m->prepare('UPDATE php_t SET b = ? WHERE id = ?');
$null = NULL; $id = 1;
$st->bind_param('bi', $null, $id);
$st->send_long_data(0, str_repeat('ab', 50000));
$st->send_long_data(0, 'END');
$st->execute();
$out['long_affected'] = $st->affected_rows;
$st->close();
$r = $m->query('SELECT LENGTH(b) FROM php_t WHERE id = 1');
$out['blob_len'] = $r->fetch_row()[0];
$r = $m->query('SELECT * FROM no_such_table');
$out['err'] = [$m->errno, $m->sqlstate];
$m->query('UPDATE php_t SET s = s');
$out['changed'] = $m->affected_rows;
$out['change_user'] = $m->change_user('root', 'pw', 'test');
$r = $m->query('SELECT COUNT(*) AS c FROM php_t');
$out['after_change_user'] = $r->fetch_assoc()['c'];
$m->close();

$p = new PDO('mysql:host=127.0.0.1;port=' . $argv[1] . ';dbname=test;charset=utf8mb4', 'root', 'pw',
             [PDO::ATTR_EMULATE_PREPARES => false, PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$q = $p->prepare('SELECT s, n FROM php_t WHERE id = ?');
$q->execute([2]);
$out['pdo'] = $q->fetchAll(PDO::FETCH_NUM);
$q = $p->prepare('SELECT ? AS a, ? AS b');
$q->execute(['x', null]);
$out['pdo_params'] = $q->fetch(PDO::FETCH_ASSOC);
$m = new mysqli('127.0.0.1', 'root', 'pw', 'test', (int)$argv[1]);
$mq = [];
if ($m->multi_query('SELECT 1 AS a; SELECT 2 AS b')) {
  do { if ($r = $m->store_result()) { $mq[] = $r->fetch_row()[0]; $r->free(); } }
  while ($m->more_results() && $m->next_result());
}
$out['multi_query'] = $mq;
$out['single_after_multi'] = $m->query('SELECT 1; SELECT 2') === false ? $m->errno : 'accepted';
$m->close();
try { $p->query('SELEC oops'); } catch (PDOException $e) { $out['pdo_err'] = $e->errorInfo[1]; }
echo json_encode($out);
"""


def test_php_mysqli_and_pdo(srv, tmp_path):
    script = tmp_path / "t.php"
    script.write_text(PHP_SCRIPT)
    r = subprocess.run(["php", str(script), str(srv.port)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout)
    assert out["server_info"].startswith("8.0.")
    assert out["ids"] == [1, 2, 3]
    assert out["rows"] == [[2, 2, "two", -2.25], [3, 3, "th'ree", 0.0]]
    assert out["long_affected"] == 1
    assert int(out["blob_len"]) == 100003
    assert out["err"] == [1146, "42S02"]
    assert out["changed"] == 0
    assert out["change_user"] is True
    assert int(out["after_change_user"]) == 3
    assert out["pdo"] == [["two", 2]]
    assert out["pdo_params"] == {"a": "x", "b": None}
    assert out["pdo_err"] == 1064
    assert out["multi_query"] == ["1", "2"]  # COM_SET_OPTION on, two results, option off
    assert out["single_after_multi"] == 1064


def test_caching_sha2_fast_path(srv):
    c = RawClient(srv)
    r = c.handshake("root", "pw", plugin="caching_sha2_password",
                    caps=BASE_CAPS | CLIENT_PLUGIN_AUTH_LENENC)
    assert r[0] == 0x00 and getattr(c, "fast_auth", False)
    assert c.query("SELECT 1")[0] == "rows"
    c.close()
    c = RawClient(srv)
    r = c.handshake("root", "nope", plugin="caching_sha2_password")
    assert r[0] == 0xff and b"Access denied for user 'root'@'127.0.0.1'" in r
    c.close()


def test_auth_switch_for_other_plugins(srv):
    c = RawClient(srv)
    r = c.handshake("root", "pw", plugin="sha256_password", auth=b"\x01")
    assert getattr(c, "switched_to", None) == "mysql_native_password"
    assert r[0] == 0x00
    c.close()


def test_inherited_listening_sockets(tmp_path):
    """--listen-fd / --socket-fd: HarvSQL serves sockets someone else bound (a supervisor or
    systemd), and leaves the unix socket's path to its owner."""
    import socket
    import pymysql
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(16)
    port = tcp.getsockname()[1]
    path = str(tmp_path / "sql.sock")
    uni = socket.socket(socket.AF_UNIX)
    uni.bind(path)
    uni.listen(16)
    p = subprocess.Popen([HARV, "sql", "--state", str(tmp_path / "st"), "--user", "u:pw",
                          "--database", "d", "--listen-fd", str(tcp.fileno()),
                          "--socket-fd", str(uni.fileno())],
                         pass_fds=(tcp.fileno(), uni.fileno()), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        assert "ready tcp=fd%d:%d" % (tcp.fileno(), port) in line, line + p.stderr.read()
        for kw in ({"host": "127.0.0.1", "port": port}, {"unix_socket": path}):
            c = pymysql.connect(user="u", password="pw", database="d", **kw)
            with c.cursor() as cur:
                cur.execute("SELECT 1 + 1")
                assert cur.fetchone() == (2,)
            c.close()
    finally:
        p.terminate()
        assert p.wait(10) == 0
    assert os.path.exists(path)  # the owner's path survives HarvSQL's exit
    # still listening in this process: a restarted server could take over with no refusal
    c = socket.create_connection(("127.0.0.1", port), timeout=2)
    c.close()
    r = subprocess.run([HARV, "sql", "--state", str(tmp_path / "st"), "--listen-fd", "1"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "not an inherited listening socket" in r.stderr
    tcp.close()
    uni.close()

"""sysbench 1.0.20 against HarvSQL, short: prepare, oltp_point_select and oltp_read_only with
prepared statements (BEGIN/COMMIT prepared too) and with --db-ps-mode=disable, cleanup.
Any sysbench error fails the test."""
import re
import subprocess

import pytest

from sqlutil import HarvSQL


@pytest.fixture(scope="module")
def srv():
    s = HarvSQL(databases=("sbtest",))
    yield s
    s.stop()


def sysbench(srv, test, cmd, *extra, time_s=2):
    args = ["sysbench", test, "--db-driver=mysql", "--mysql-host=127.0.0.1",
            "--mysql-port=%d" % srv.port, "--mysql-user=root", "--mysql-password=pw",
            "--mysql-db=sbtest", "--tables=1", "--table-size=1000", "--threads=2",
            "--time=%d" % time_s, "--db-ps-mode=auto", *extra, cmd]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "FATAL" not in r.stdout + r.stderr, r.stdout[-3000:]
    return r.stdout


def queries(out):
    m = re.search(r"queries:\s+(\d+)", out)
    assert m, out
    assert re.search(r"ignored errors:\s+0 ", out), out
    return int(m.group(1))


def test_sysbench(srv):
    sysbench(srv, "oltp_point_select", "prepare")
    c = srv.pymysql(db="sbtest")
    cur = c.cursor()
    cur.execute("SELECT COUNT(*), MIN(id), MAX(id) FROM sbtest1")
    assert cur.fetchone() == (1000, 1, 1000)
    c.close()
    assert queries(sysbench(srv, "oltp_point_select", "run")) > 100
    assert queries(sysbench(srv, "oltp_point_select", "run", "--db-ps-mode=disable")) > 100
    assert queries(sysbench(srv, "oltp_read_only", "run")) > 100
    assert queries(sysbench(srv, "oltp_read_only", "run", "--db-ps-mode=disable")) > 100
    sysbench(srv, "oltp_point_select", "cleanup")

"""kill -9 HarvSQL in the middle of a write load: every commit the server acknowledged is
still there after a restart on the same state directory, no transaction is half applied,
SQLite's PRAGMA integrity_check passes on every database file, and the restarted server
serves reads and writes."""
import glob
import os
import shutil
import sqlite3
import tempfile
import threading
import time

import pymysql

from sqlutil import HarvSQL


def writer(srv, tid, acked, stop):
    try:
        c = srv.pymysql()
        cur = c.cursor()
        n = 0
        while not stop.is_set():
            n += 1
            base = tid * 1000000 + n * 10
            if n % 3 == 0:
                cur.execute("BEGIN")
                cur.execute("INSERT INTO dur (id, v) VALUES (%s, 'txn-a')", (base,))
                cur.execute("INSERT INTO dur (id, v) VALUES (%s, 'txn-b')", (base + 1,))
                cur.execute("COMMIT")
                acked.extend([base, base + 1])
            else:
                cur.execute("INSERT INTO dur (id, v) VALUES (%s, 'single')", (base,))
                acked.append(base)
    except (pymysql.err.OperationalError, pymysql.err.InterfaceError, ConnectionError, OSError):
        pass  # the server was killed under us


def test_kill9_during_writes_keeps_acknowledged_commits():
    state = tempfile.mkdtemp(prefix="hsql-dur-")
    try:
        srv = HarvSQL(state=state, keep_state=True)
        c = srv.pymysql()
        c.cursor().execute("CREATE TABLE dur (id BIGINT NOT NULL PRIMARY KEY, "
                           "v VARCHAR(20) NOT NULL)")
        c.close()
        stop = threading.Event()
        acked = []
        threads = [threading.Thread(target=writer, args=(srv, t, acked, stop))
                   for t in range(1, 5)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        srv.kill9()
        stop.set()
        for t in threads:
            t.join(30)
        assert len(acked) > 20, "too few writes to mean anything: %d" % len(acked)
        srv.stop(check=False)

        srv2 = HarvSQL(state=state, keep_state=True)
        c = srv2.pymysql()
        cur = c.cursor()
        cur.execute("SELECT id, v FROM dur")
        rows = dict(cur.fetchall())
        missing = [i for i in acked if i not in rows]
        assert not missing, "acknowledged commits lost: %r" % missing[:20]
        for i, v in rows.items():
            if v == "txn-a":
                assert rows.get(i + 1) == "txn-b", "half-applied transaction at %d" % i
            if v == "txn-b":
                assert rows.get(i - 1) == "txn-a", "half-applied transaction at %d" % (i - 1)
        cur.execute("INSERT INTO dur (id, v) VALUES (1, 'after')")
        cur.execute("SELECT v FROM dur WHERE id = 1")
        assert cur.fetchone() == ("after",)
        c.close()
        srv2.stop()

        dbs = glob.glob(os.path.join(state, "**", "*.db"), recursive=True)
        assert dbs, "no SQLite files under %s" % state
        for path in dbs:
            con = sqlite3.connect(path)
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", path
            con.close()
    finally:
        shutil.rmtree(state, ignore_errors=True)

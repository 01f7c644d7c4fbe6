"""HarvSQL as a supervised task: reachable over TCP and its unix socket under the sandbox,
restarted after kill -9 with committed data intact, stopped after http (reverse order)."""
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from suputil import Up, http_get, workdir, no_stray_processes  # noqa: F401 (autouse)

from suputil import HARV


def _has_sql():
    r = subprocess.run([HARV, "sql", "--help"], capture_output=True, text=True)
    return r.returncode == 0


pytestmark = [pytest.mark.skipif(not shutil.which("mariadb"), reason="needs the mariadb client"),
              pytest.mark.skipif(not _has_sql(), reason="HarvSQL is not built in")]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def sql(args, query, timeout=20):
    deadline = time.time() + timeout
    while True:
        r = subprocess.run(["mariadb", "--skip-ssl", "-uapp", "-ppw", "-N", "-B", *args, "app",
                            "-e", query], capture_output=True, text=True, timeout=30)
        if r.returncode == 0 or time.time() > deadline:
            return r
        time.sleep(0.1)


def test_sql_task_serves_restarts_and_keeps_data():
    d = workdir()
    os.makedirs(os.path.join(d, "site"))
    with open(os.path.join(d, "site", "index.html"), "w") as f:
        f.write("ok\n")
    port = free_port()
    # As root, run the tasks as nobody: the state dirs must be handed over to that user.
    user = "user: nobody\n" if os.geteuid() == 0 else ""
    up = Up(d, "state_dir: state\n" + user + "listeners: {web: 127.0.0.1:0}\n"
               "http: {listen: [web], root: site}\n"
               "sql:\n  listen: 127.0.0.1:%d\n  socket: sql/mysql.sock\n"
               "  users: [{name: app, password: pw}]\n  databases: [app]\n"
               "  limits: {memory: 256m}\n" % port, wait=("sql", "http"))
    try:
        tcp = ["-h127.0.0.1", "-P%d" % port]
        sock = ["-S", os.path.join(d, "state", "sql", "mysql.sock")]
        r = sql(tcp, "CREATE TABLE t (x INT); INSERT INTO t VALUES (7); SELECT x FROM t")
        assert r.returncode == 0 and r.stdout.strip() == "7", r.stderr
        assert sql(sock, "SELECT COUNT(*) FROM t").stdout.strip() == "1"
        t = up.task("sql")
        assert "seccomp" in t["sandbox"] and "landlock" in t["sandbox"]
        if user:
            assert "user=nobody" in t["sandbox"]
            assert os.stat(os.path.join(d, "state", "sql", "app.db")).st_uid == 65534
        assert os.path.exists(os.path.join(d, "state", "sql", "app.db"))
        os.kill(t["pid"], signal.SIGKILL)
        t2 = up.wait_running("sql", not_pid=t["pid"])
        assert t2["restarts"] == 1
        r = sql(tcp, "SELECT x FROM t")
        assert r.returncode == 0 and r.stdout.strip() == "7", r.stderr
        host, hport = up.hostport()
        assert http_get(host, hport)[1] == b"ok\n"
        up.stop()
        err = "".join(up.err)
        # Reverse dependency order: http stops before sql.
        assert err.index("task http (pid") < err.rindex("task sql (pid")
    finally:
        up.kill()


def test_sql_restart_refuses_no_connection():
    """The supervisor holds HarvSQL's sockets: while the sql task is killed and restarted,
    clients connecting over TCP and the unix socket queue instead of being refused."""
    d = workdir()
    port = free_port()
    up = Up(d, "state_dir: state\nsql:\n  listen: 127.0.0.1:%d\n  socket: sql/mysql.sock\n"
               "  users: [{name: app, password: pw}]\n  databases: [app]\n" % port,
            wait=("sql",))
    try:
        sock_path = os.path.join(d, "state", "sql", "mysql.sock")
        assert any(l["name"] == "sql.tcp" for l in up.status()["listeners"])
        results = {"ok": 0, "refused": 0, "cut": 0}
        stop = [False]

        def churn():
            while not stop[0]:
                for fam, addr in ((socket.AF_INET, ("127.0.0.1", port)),
                                  (socket.AF_UNIX, sock_path)):
                    s = socket.socket(fam, socket.SOCK_STREAM)
                    s.settimeout(10)
                    try:
                        s.connect(addr)
                        greeting = s.recv(4)  # the handshake arrives, from either generation
                        # EOF: the killed task had accepted it (the kernel closes what a
                        # SIGKILLed process held); the connect itself was not refused
                        results["ok" if greeting else "cut"] += 1
                    except (ConnectionRefusedError, FileNotFoundError):
                        results["refused"] += 1
                    except OSError:
                        results["cut"] += 1  # a reset by the killed task mid-handshake
                    finally:
                        s.close()

        import threading
        th = threading.Thread(target=churn)
        th.start()
        time.sleep(0.3)
        for _ in range(3):
            t = up.task("sql")
            os.kill(t["pid"], signal.SIGKILL)
            up.wait_running("sql", not_pid=t["pid"], timeout=30)
            time.sleep(0.3)
        stop[0] = True
        th.join(30)
        print("sql restarts under connection churn: %r" % results)
        assert results["refused"] == 0, results
        assert results["ok"] > 20, results
        assert results["cut"] <= 3, results  # one connection in flight per kill, at most
        assert sql(["-h127.0.0.1", "-P%d" % port], "SELECT 1").stdout.strip() == "1"
        up.stop()
    finally:
        up.kill()

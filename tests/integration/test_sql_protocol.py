"""HarvSQL protocol details over raw sockets: malformed and oversized packets get clear errors
and the server keeps serving, clients vanishing mid-query, max connections, DEPRECATE_EOF
both ways, multi-statements, 16 MiB packets split and joined, the utility commands
(PING, STATISTICS, FIELD_LIST, INIT_DB, SET_OPTION, RESET_CONNECTION, CHANGE_USER) and the
binary protocol (PREPARE/EXECUTE/SEND_LONG_DATA/RESET/CLOSE) byte by byte; no fd leaks."""
import socket
import struct
import time

import pytest

from sqlutil import (HarvSQL, RawClient, BASE_CAPS, CLIENT_DEPRECATE_EOF,
                     CLIENT_MULTI_STATEMENTS, CLIENT_SESSION_TRACK, native_scramble,
                     parse_coldef, parse_err, parse_ok, read_lenenc)


@pytest.fixture(scope="module")
def srv():
    s = HarvSQL("--max-packet", "40m", "--max-connections", "20", "--connect-timeout", "2")
    s.base_sockets = s.sockets()
    yield s
    assert s.wait_sockets(s.base_sockets) == s.base_sockets, "leaked sessions"
    s.stop()


def login(srv, caps=BASE_CAPS, db="test"):
    c = RawClient(srv)
    r = c.handshake("root", "pw", db=db, caps=caps)
    assert r[0] == 0, r
    return c


def alive(srv):
    c = login(srv)
    r = c.query("SELECT 7")
    c.close()
    return r[0] == "rows" and r[2] == [["7"]]


def test_greeting(srv):
    c = RawClient(srv)
    c.greeting()
    assert c.version.startswith("8.0.") and "HarvSQL" in c.version
    assert not c.version.startswith("5.5.5-")
    assert c.plugin == "mysql_native_password"
    assert len(c.nonce) == 20 and 0 not in c.nonce
    assert c.server_caps & 1  # CLIENT_LONG_PASSWORD: libmariadb skips MariaDB extensions
    c.close()


def test_bad_handshake_then_still_serving(srv):
    # An HTTP request reads as a 2 MiB packet header: the connect timeout (2 s) ends it.
    for junk in (b"\x01\x00\x00\x01\x00", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                 struct.pack("<I", 40)[:3] + b"\x01" + b"\x00" * 40):
        c = RawClient(srv)
        c.greeting()
        c.send_raw(junk)
        try:
            p = c.read_packet()
            assert p[0] == 0xff
            code = parse_err(p)[1]
            assert code in (1043, 1153, 1156), p
        except EOFError:
            pass
        c.close()
    assert alive(srv)


def test_unknown_and_empty_commands(srv):
    c = login(srv)
    c.command(b"\x63junk")
    e = parse_err(c.read_packet())
    assert e[1] == 1047 and e[3] == "Unknown command"
    c.command(b"")
    assert parse_err(c.read_packet())[1] == 1835
    c.command(b"\x0e")  # PING still works on the same connection
    assert c.read_packet()[0] == 0
    c.close()


def test_oversized_packet_is_refused(srv):
    c = login(srv)
    c.send_raw(b"\xff\xff\xff\x00\x03" + b"x" * 1000)  # announces 16 MiB frames...
    c.send_raw(b"\xff\xff\xff\x01")                      # ...and another: over 40m? not yet
    c.close()
    c = login(srv)
    # 3 full frames = 48 MiB > 40m: refused as soon as the third header arrives
    c.send_raw(b"\xff\xff\xff\x00" + b"\x03" + b"a" * (0xffffff - 1))
    c.send_raw(b"\xff\xff\xff\x01" + b"a" * 0xffffff)
    c.send_raw(b"\xff\xff\xff\x02")
    e = parse_err(c.read_packet())
    assert e[1] == 1153 and "max_allowed_packet" in e[3]
    with pytest.raises((EOFError, ConnectionResetError)):
        c.read_packet()
    c.close()
    assert alive(srv)


def test_large_packets_split_and_joined(srv):
    big = "b" * (17 * 1024 * 1024)
    c = login(srv)
    r = c.query("SELECT LENGTH('%s') AS n" % big)
    assert r[0] == "rows" and r[2] == [[str(len(big))]], r[:2]
    r = c.query("SELECT '%s' AS v" % big)
    assert r[0] == "rows" and len(r[2][0][0]) == len(big)
    c.close()


def test_client_vanishes_mid_query(srv):
    for _ in range(3):
        c = login(srv)
        c.command(b"\x03WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
                  b"WHERE i < 3000000) SELECT i FROM r")
        time.sleep(0.05)
        c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()  # RST
    assert alive(srv)
    assert srv.wait_sockets(srv.base_sockets, 20) == srv.base_sockets


def test_max_connections(srv):
    srv.wait_sockets(srv.base_sockets)
    conns = [login(srv) for _ in range(20)]
    c = RawClient(srv)
    p = c.read_packet()
    assert p[0] == 0xff and parse_err(p)[1] == 1040
    c.close()
    for x in conns:
        x.close()
    time.sleep(0.2)
    assert alive(srv)


@pytest.mark.parametrize("deprecate_eof", [False, True])
def test_result_set_terminators(srv, deprecate_eof):
    caps = BASE_CAPS | (CLIENT_DEPRECATE_EOF if deprecate_eof else 0)
    c = login(srv, caps=caps)
    c.command(b"\x03SELECT 1 AS a, NULL AS b")
    ncols, _ = read_lenenc(c.read_packet(), 0)
    assert ncols == 2
    cols = [parse_coldef(c.read_packet()) for _ in range(2)]
    assert [x["name"] for x in cols] == ["a", "b"]
    nxt = c.read_packet()
    if not deprecate_eof:
        assert nxt[0] == 0xfe and len(nxt) == 5
        nxt = c.read_packet()
    assert nxt == b"\x011\xfb"
    end = c.read_packet()
    assert end[0] == 0xfe
    assert (len(end) == 5) == (not deprecate_eof)
    c.close()


def test_multi_statements(srv):
    c = login(srv, caps=BASE_CAPS | CLIENT_MULTI_STATEMENTS)
    r1 = c.query("SELECT 1; SELECT 2")
    assert r1[0] == "rows" and r1[3] & 0x0008  # MORE_RESULTS
    r2 = c.read_result()
    assert r2[0] == "rows" and r2[2] == [["2"]] and not r2[3] & 0x0008
    c.close()
    c = login(srv)  # without the capability the server refuses the second statement
    r = c.query("SELECT 1; SELECT 2")
    assert r[0] == "err" and r[1] == 1064 and "near 'SELECT 2' at line 1" in r[3], r
    assert c.query("SELECT ';' AS x; -- trailing comment")[2] == [[";"]]
    c.command(b"\x1b\x00\x00")  # COM_SET_OPTION: multi-statements on
    assert c.read_packet()[0] == 0xfe
    r1 = c.query("SELECT 1; SELECT 2")
    assert r1[0] == "rows" and r1[3] & 0x0008
    assert c.read_result()[2] == [["2"]]
    c.command(b"\x1b\x01\x00")  # and off again
    assert c.read_packet()[0] == 0xfe
    assert c.query("SELECT 1; SELECT 2")[0] == "err"
    c.close()


def test_session_track_ok_has_info_field(srv):
    c = login(srv, caps=BASE_CAPS | CLIENT_SESSION_TRACK)
    c.command(b"\x0e")
    p = c.read_packet()
    assert p[0] == 0 and p[-1] == 0  # empty length-encoded info present
    c.close()


def test_utility_commands(srv):
    c = login(srv)
    c.query("DROP TABLE IF EXISTS fl_t")
    assert c.query("CREATE TABLE fl_t (id INT PRIMARY KEY, s VARCHAR(10))")[0] == "ok"
    c.command(b"\x09")  # STATISTICS: plain text
    assert b"Uptime" in c.read_packet()
    c.command(b"\x04fl_t\x00")  # FIELD_LIST: definitions then EOF
    names = []
    while True:
        p = c.read_packet()
        if p[0] == 0xfe and len(p) < 9:
            break
        assert p[0] != 0xff, parse_err(p)
        names.append(parse_coldef(p)["name"])
    assert names == ["id", "s"]
    c.command(b"\x02no_such_db")
    assert parse_err(c.read_packet())[1] == 1049
    c.command(b"\x02test")
    assert c.read_packet()[0] == 0
    c.command(b"\x1b\x00\x00")  # SET_OPTION multi-statements on: EOF
    assert c.read_packet()[0] == 0xfe
    c.command(b"\x1f")  # RESET_CONNECTION
    assert c.read_packet()[0] == 0
    # CHANGE_USER with the original scramble
    auth = native_scramble(c.nonce, "pw")
    c.command(b"\x11root\x00" + bytes([len(auth)]) + auth + b"test\x00" + struct.pack("<H", 45) +
              b"mysql_native_password\x00")
    assert c.read_packet()[0] == 0
    assert c.query("SELECT 5")[2] == [["5"]]
    c.command(b"\x01")  # QUIT: the server closes
    with pytest.raises((EOFError, ConnectionResetError)):
        c.read_packet()
    c.close()


def prepare(c, sql):
    c.command(b"\x16" + sql.encode())
    p = c.read_packet()
    if p[0] == 0xff:
        return parse_err(p)
    stmt_id, ncols, nparams = struct.unpack_from("<IHH", p, 1)
    for _ in range(nparams):
        c.read_packet()
    if nparams:
        assert c.read_packet()[0] == 0xfe
    for _ in range(ncols):
        c.read_packet()
    if ncols:
        assert c.read_packet()[0] == 0xfe
    return stmt_id, ncols, nparams


def execute(c, stmt_id, params=b"", types=b"", nparams=0, nulls=None):
    pkt = b"\x17" + struct.pack("<IBI", stmt_id, 0, 1)
    if nparams:
        pkt += (nulls or bytes((nparams + 7) // 8)) + (b"\x01" + types if types else b"\x00")
        pkt += params
    c.command(pkt)
    p = c.read_packet()
    if p[0] in (0, 0xff):
        return parse_ok(p) if p[0] == 0 else parse_err(p)
    ncols, _ = read_lenenc(p, 0)
    cols = [parse_coldef(c.read_packet()) for _ in range(ncols)]
    assert c.read_packet()[0] == 0xfe
    rows = []
    while True:
        r = c.read_packet()
        if r[0] == 0xfe and len(r) < 9:
            return ("rows", cols, rows)
        assert r[0] == 0x00, r
        rows.append(r)


def test_binary_protocol(srv):
    c = login(srv)
    c.query("DROP TABLE IF EXISTS ps_t")
    assert c.query("CREATE TABLE ps_t (id BIGINT NOT NULL PRIMARY KEY, s TEXT)")[0] == "ok"
    st, ncols, nparams = prepare(c, "INSERT INTO ps_t (id, s) VALUES (?, ?)")
    assert (ncols, nparams) == (0, 2)
    ok = execute(c, st, struct.pack("<q", 1) + b"\x05hello", bytes([8, 0, 253, 0]), 2)
    assert ok[0] == "ok" and ok[1] == 1
    # long data for param 1, then an execute that omits its value
    c.command(b"\x18" + struct.pack("<IH", st, 1) + b"long-")
    c.command(b"\x18" + struct.pack("<IH", st, 1) + b"data")
    ok = execute(c, st, struct.pack("<q", 2), bytes([8, 0, 252, 0]), 2)
    assert ok[0] == "ok", ok
    # types are remembered when the client does not resend them
    ok = execute(c, st, struct.pack("<q", 3), b"", 2, nulls=b"\x02")
    assert ok[0] == "ok", ok
    sel, ncols, nparams = prepare(c, "SELECT id, s FROM ps_t WHERE id >= ? ORDER BY id")
    assert nparams == 1
    res = execute(c, sel, struct.pack("<q", 1), bytes([8, 0]), 1)
    assert res[0] == "rows" and len(res[2]) == 3
    row1 = res[2][0]
    assert row1[1] == 0 and struct.unpack_from("<q", row1, 2)[0] == 1
    assert row1[10:] == b"\x05hello"
    assert res[2][1][10:] == b"\x09long-data"
    assert res[2][2][1] & 0x08  # NULL bitmap: column 1 of row 3 (offset 2)
    # RESET, CLOSE, then the id is unknown
    c.command(b"\x1a" + struct.pack("<I", sel))
    assert c.read_packet()[0] == 0
    c.command(b"\x19" + struct.pack("<I", sel))  # no response
    e = execute(c, sel, struct.pack("<q", 1), bytes([8, 0]), 1)
    assert e[0] == "err" and e[1] == 1243
    # a truncated execute is refused, the connection stays usable
    c.command(b"\x17" + struct.pack("<IBI", st, 0, 1) + b"\x00\x01\x08")
    assert parse_err(c.read_packet())[1] == 1210
    assert c.query("SELECT COUNT(*) FROM ps_t")[2] == [["3"]]
    c.close()


def test_slow_query_does_not_stall_others(srv):
    slow = login(srv)
    fast = login(srv)
    for _ in range(6):  # teach the server this shape is fast (it may then run inline)
        assert fast.query("SELECT 1")[0] == "rows"
    slow.command(b"\x03WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
                 b"WHERE i < 4000000) SELECT SUM(i) FROM r")
    time.sleep(0.1)
    worst = 0.0
    t_end = time.time() + 0.5
    while time.time() < t_end:
        t0 = time.time()
        assert fast.query("SELECT 1")[2] == [["1"]]
        worst = max(worst, time.time() - t0)
    r = slow.read_result()
    assert r[0] == "rows" and r[2] == [[str(4000000 * 4000001 // 2)]]
    assert worst < 0.75, "a fast query waited %.3f s behind a slow one" % worst
    slow.close()
    fast.close()


def test_random_malformed_commands(srv):
    """Seeded mutations of valid command packets, each sent after a login: the server answers
    or closes, never crashes, and keeps serving."""
    import random
    rnd = random.Random(20261121)
    seeds = [b"\x03SELECT 1", b"\x16SELECT ?", b"\x17\x01\x00\x00\x00\x00\x01\x00\x00\x00\x00\x01\x08\x00" + b"\x00" * 8,
             b"\x18\x01\x00\x00\x00\x00\x00abc", b"\x19\x01\x00\x00\x00", b"\x1a\x01\x00\x00\x00",
             b"\x11root\x00\x14" + b"a" * 20 + b"test\x00\x2d\x00mysql_native_password\x00",
             b"\x04t\x00", b"\x02test", b"\x1b\x00\x00", b"\x1f", b"\x0e", b"\x09"]
    c = None
    for i in range(300):
        if c is None:
            c = login(srv)
            c.command(b"\x16SELECT ?")
            try:
                while True:
                    p = c.read_packet()
                    if p[0] == 0xfe and len(p) < 9:
                        break
                    if p[0] == 0xff:
                        break
            except EOFError:
                pass
        pkt = bytearray(rnd.choice(seeds))
        for _ in range(rnd.randint(1, 4)):
            op = rnd.randint(0, 2)
            pos = rnd.randrange(len(pkt))
            if op == 0:
                pkt[pos] = rnd.randrange(256)
            elif op == 1:
                del pkt[pos:pos + rnd.randint(1, 4)]
                if not pkt:
                    pkt = bytearray(b"\x0e")
            else:
                pkt[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 8)))
        try:
            c.s.settimeout(0.1)
            c.command(bytes(pkt))
            c.read_packet()
            while c.buf:
                c.read_packet()
        except (socket.timeout, EOFError, ConnectionResetError, BrokenPipeError, OSError):
            c.close()
            c = None
    if c:
        c.close()
    assert alive(srv)


def test_sigterm_with_a_client_not_reading():
    """A worker streaming a big result to a client that does not read must not hold up a
    shutdown: SIGTERM ends the server promptly and cleanly."""
    s = HarvSQL()
    c = login(s)
    c.command(b"\x03WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
              b"WHERE i < 3000000) SELECT i, 'padding padding padding padding' FROM r")
    time.sleep(0.5)  # the socket buffers fill; the worker waits for POLLOUT
    t0 = time.time()
    s.stop()
    assert time.time() - t0 < 5
    c.close()


def test_lock_waiters_do_not_starve_the_lock_holder():
    """More writers waiting for the write lock than there are workers: the session holding
    the lock still gets a worker for its COMMIT (waits come back HSQL_AGAIN and are retried
    from the loop instead of sleeping in workers), then every waiter succeeds."""
    s = HarvSQL("--workers", "2", "--busy-timeout", "8000")
    try:
        a = login(s)
        assert a.query("CREATE TABLE lw (id INT PRIMARY KEY, who VARCHAR(10))")[0] == "ok"
        assert a.query("BEGIN")[0] == "ok"
        assert a.query("INSERT INTO lw VALUES (1, 'a')")[0] == "ok"
        waiters = [login(s) for _ in range(4)]
        for i, w in enumerate(waiters):
            w.command(("\x03INSERT INTO lw VALUES (%d, 'w')" % (10 + i)).encode())
        time.sleep(0.3)
        t0 = time.time()
        r = a.query("COMMIT")
        assert r[0] == "ok", r
        assert time.time() - t0 < 2.0, "COMMIT waited %.1f s for a worker" % (time.time() - t0)
        for w in waiters:
            r = w.read_result()
            assert r[0] == "ok", r
            w.close()
        assert a.query("SELECT COUNT(*) FROM lw")[2] == [["5"]]
        a.close()
    finally:
        s.stop()


@pytest.mark.parametrize("loops", ["1", "3"])
def test_loop_counts(loops):
    """One loop (everything on one thread) and an odd number of loops both serve several
    sessions, prepared statements and a slow query beside fast ones."""
    s = HarvSQL("--loops", loops)
    try:
        conns = [login(s) for _ in range(4)]
        for i, c in enumerate(conns):
            for _ in range(6):
                assert c.query("SELECT %d" % i)[2] == [[str(i)]]
        slow = conns[0]
        slow.command(b"\x03WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
                     b"WHERE i < 1000000) SELECT COUNT(*) FROM r")
        for c in conns[1:]:
            assert c.query("SELECT 1")[0] == "rows"
        assert slow.read_result()[2] == [["1000000"]]
        for c in conns:
            c.close()
    finally:
        s.stop()


def test_timeouts_close_sessions():
    """--connect-timeout closes a client that never answers the greeting, --wait-timeout an
    idle session (also one stuck in the middle of a packet)."""
    s = HarvSQL("--wait-timeout", "1", "--connect-timeout", "1")
    try:
        base = s.sockets()
        silent = RawClient(s)
        silent.greeting()
        idle = login(s)
        partial = login(s)
        partial.send_raw(b"\x10\x00\x00\x00\x03SEL")
        t0 = time.time()
        for c in (silent, idle, partial):
            with pytest.raises((EOFError, ConnectionResetError)):
                c.read_packet()
            c.close()
        assert time.time() - t0 < 4
        assert s.wait_sockets(base) == base
    finally:
        s.stop()

/* test_session_pool.c — sessions that come and go as PHP's do (one per page) on the engine's
 * pool of SQLite connections: nothing of one session reaches the next (variables, sql_mode,
 * FOUND_ROWS, warnings, TEMPORARY tables, open transactions), DDL of other sessions and DROP
 * DATABASE are seen by a session that adopts a parked connection, hsql_session_try_free()
 * frees only what needs no I/O, the exact-text memo (texts seen before skip the lexer) gives
 * the answers a fresh lexing gives, and threads connecting and leaving at once get right
 * answers. */
#include <pthread.h>

#include "sqltest.h"

static hsql_session_t *sess(hsql_engine_t *eng, const char *db)
{
    hsql_session_info_t info = {"wp", "127.0.0.1", false, false};
    hsql_error_t err;
    hsql_session_t *s = hsql_session_new(eng, &info, NULL, &err);
    assert_non_null(s);
    if (db)
        assert_int_equal(hsql_session_use(s, db, &err), 0);
    return s;
}

/* What wpdb sends on every connection before its queries. */
static void wp_setup(hsql_session_t *s, rs_t *r)
{
    QOK(s, r, "SET NAMES utf8mb4");
    QOK(s, r, "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_520_ci'");
    QOK(s, r, "SELECT @@SESSION.sql_mode");
    QOK(s, r, "SET SESSION sql_mode='ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION'");
}

static void test_try_free(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE t (id int primary key, v varchar(10))");
    QOK(e->s, r, "INSERT INTO t VALUES (1, 'a')");

    /* clean, after reads (an open read snapshot) and writes: freed at once */
    hsql_session_t *a = sess(e->eng, "d");
    wp_setup(a, r);
    assert_string_equal(Q1(a, "SELECT v FROM t WHERE id = 1"), "a");
    assert_true(hsql_session_try_free(a));
    a = sess(e->eng, "d");
    QOK(a, r, "UPDATE t SET v = 'b' WHERE id = 1");
    assert_true(hsql_session_try_free(a));
    assert_true(hsql_session_try_free(sess(e->eng, NULL)));

    /* an open transaction: not freed; the real free rolls it back */
    a = sess(e->eng, "d");
    QOK(a, r, "BEGIN");
    QOK(a, r, "INSERT INTO t VALUES (2, 'x')");
    assert_false(hsql_session_try_free(a));
    assert_true(hsql_session_status(a) & HSQL_STATUS_IN_TRANS);
    assert_string_equal(Q1(a, "SELECT COUNT(*) FROM t"), "2"); /* still usable */
    hsql_session_free(a);
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM t"), "1");

    /* autocommit=0 with a write pending: the same */
    a = sess(e->eng, "d");
    QOK(a, r, "SET autocommit = 0");
    QOK(a, r, "INSERT INTO t VALUES (3, 'y')");
    assert_false(hsql_session_try_free(a));
    hsql_session_free(a);
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM t"), "1");

    /* a TEMPORARY table: not freed; the real free drops it */
    a = sess(e->eng, "d");
    QOK(a, r, "CREATE TEMPORARY TABLE tmp (x int)");
    assert_false(hsql_session_try_free(a));
    hsql_session_free(a);
    a = sess(e->eng, "d");
    QERR(a, r, "SELECT * FROM tmp", 1146);
    assert_true(hsql_session_try_free(a));

    /* another database used in the session (attached): not freed */
    hsql_error_t err;
    assert_int_equal(hsql_engine_create_db(e->eng, "other", &err), 0);
    a = sess(e->eng, "other");
    QOK(a, r, "CREATE TABLE o (k int)");
    assert_true(hsql_session_try_free(a));
    a = sess(e->eng, "d");
    QOK(a, r, "SELECT COUNT(*) FROM other.o");
    assert_false(hsql_session_try_free(a));
    hsql_session_free(a);
    assert_true(hsql_session_try_free(NULL));
    env_free(e);
}

/* Session state never survives into the next session on the same pooled connection. */
static void test_no_state_leak(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE t (id int primary key, v varchar(10))");
    QOK(e->s, r, "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    for (int round = 0; round < 2; round++) {
        hsql_session_t *a = sess(e->eng, "d");
        wp_setup(a, r);
        QOK(a, r, "SET @v = 42");
        QOK(a, r, "SET SESSION sql_mode = 'ANSI_QUOTES'");
        QOK(a, r, "SET autocommit = 0");
        QOK(a, r, "SELECT SQL_CALC_FOUND_ROWS id FROM t LIMIT 1");
        assert_string_equal(Q1(a, "SELECT FOUND_ROWS()"), "3");
        QOK(a, r, "SELECT 1/0");
        QOK(a, r, "CREATE TEMPORARY TABLE tmp (x int)");
        QOK(a, r, "INSERT INTO t VALUES (4, 'uncommitted')");
        QOK(a, r, "SELECT LAST_INSERT_ID()");
        if (round == 1)
            assert_false(hsql_session_try_free(a)); /* a transaction and a temporary table */
        hsql_session_free(a);

        hsql_session_t *b = sess(e->eng, "d");
        assert_string_not_equal(Q1(b, "SELECT FOUND_ROWS()"), "3");
        QOK(b, r, "SHOW WARNINGS");
        assert_int_equal(r->nrows, 0);
        assert_string_equal(Q1(b, "SELECT @v"), "NULL");
        assert_string_equal(Q1(b, "SELECT @@autocommit"), "1");
        assert_string_not_equal(Q1(b, "SELECT @@SESSION.sql_mode"), "ANSI_QUOTES");
        QERR(b, r, "SELECT * FROM tmp", 1146);
        assert_string_equal(Q1(b, "SELECT COUNT(*) FROM t"), "3");
        assert_string_equal(Q1(b, "SELECT LAST_INSERT_ID()"), "0");
        assert_false(hsql_session_status(b) & HSQL_STATUS_IN_TRANS);
        assert_true(hsql_session_try_free(b));
    }
    env_free(e);
}

/* Column definitions of a cached statement follow each session's SET NAMES. */
static void test_charset_per_session(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE t (id int primary key, v varchar(10), n int)");
    QOK(e->s, r, "INSERT INTO t VALUES (1, 'a', 2)");
    const char *sel = "SELECT v, n, CONCAT(v, 'x') AS c FROM t WHERE id = 1";
    hsql_session_t *a = sess(e->eng, "d");
    QOK(a, r, "SET NAMES latin1");
    QOK(a, r, sel); /* the expression's charset is the connection's (a table column has its own) */
    assert_int_equal(r->cols[2].charset, 8);
    assert_int_equal(r->cols[1].charset, 63);
    QOK(a, r, "SET NAMES utf8mb4");
    QOK(a, r, sel);
    assert_int_equal(r->cols[2].charset, 255);
    QOK(a, r, "SET NAMES latin1");
    QOK(a, r, sel);
    assert_int_equal(r->cols[2].charset, 8);
    assert_true(hsql_session_try_free(a));
    hsql_session_t *b = sess(e->eng, "d"); /* adopts a's connection and its cache */
    QOK(b, r, sel);
    assert_int_equal(r->cols[2].charset, 255);
    assert_int_equal(r->cols[1].charset, 63);
    assert_true(hsql_session_try_free(b));
    /* any result column: none of the schema is latin1, so 8 can only come from a */
    const char *sqls[] = {
        "SELECT v FROM t", "SELECT UPPER(v) FROM t", "SELECT q.v FROM (SELECT v FROM t) q",
        "SELECT 'lit'", "SELECT v FROM t UNION SELECT 'x'", "SELECT @@SESSION.sql_mode",
        "SELECT CAST(n AS CHAR) FROM t", "SELECT GROUP_CONCAT(v) FROM t", "SELECT DATABASE()",
        "SELECT IFNULL(v, 'z') FROM t", "SELECT COALESCE(NULL, v) FROM t", "SHOW TABLES",
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'd'",
    };
    for (size_t i = 0; i < sizeof sqls / sizeof *sqls; i++) {
        a = sess(e->eng, "d");
        QOK(a, r, "SET NAMES latin1");
        QOK(a, r, sqls[i]);
        QOK(a, r, sqls[i]);
        assert_true(hsql_session_try_free(a));
        b = sess(e->eng, "d");
        QOK(b, r, sqls[i]);
        for (unsigned c = 0; c < r->ncols; c++)
            if (r->cols[c].charset == 8)
                fail_msg("%s: column %u kept the previous session's charset", sqls[i], c);
        assert_true(hsql_session_try_free(b));
    }
    env_free(e);
}

/* A parked connection keeps its statement cache; other sessions' DDL must still be seen. */
static void test_ddl_while_parked(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    hsql_error_t err;
    QOK(e->s, r, "CREATE TABLE t (id int primary key, v varchar(10))");
    QOK(e->s, r, "INSERT INTO t VALUES (1, 'a')");
    const char *sel = "SELECT * FROM t WHERE id = 1";

    hsql_session_t *a = sess(e->eng, "d");
    QOK(a, r, sel);
    assert_int_equal(r->ncols, 2);
    assert_true(hsql_session_try_free(a));
    /* ALTER by another session while the connection (and its cached SELECT) is parked */
    QOK(e->s, r, "ALTER TABLE t ADD COLUMN w int NOT NULL DEFAULT 7");
    a = sess(e->eng, "d");
    QOK(a, r, sel);
    assert_int_equal(r->ncols, 3);
    assert_string_equal(r->colnames[2], "w");
    assert_string_equal(V(r, 0, 2), "7");
    assert_true(hsql_session_try_free(a));

    /* the same text again in a session that stays, around another session's ALTER */
    hsql_session_t *k = sess(e->eng, "d");
    QOK(k, r, sel);
    assert_int_equal(r->ncols, 3);
    QOK(e->s, r, "ALTER TABLE t ADD COLUMN u varchar(3) NOT NULL DEFAULT 'u'");
    QOK(k, r, sel);
    assert_int_equal(r->ncols, 4);
    assert_string_equal(V(r, 0, 3), "u");
    QOK(e->s, r, "ALTER TABLE t DROP COLUMN u");
    QOK(k, r, sel);
    assert_int_equal(r->ncols, 3);
    assert_true(hsql_session_try_free(k));

    /* DROP + CREATE with other columns */
    QOK(e->s, r, "DROP TABLE t");
    a = sess(e->eng, "d");
    QERR(a, r, sel, 1146);
    assert_true(hsql_session_try_free(a));
    QOK(e->s, r, "CREATE TABLE t (id int primary key, z varchar(5))");
    QOK(e->s, r, "INSERT INTO t VALUES (1, 'zz')");
    a = sess(e->eng, "d");
    QOK(a, r, sel);
    assert_int_equal(r->ncols, 2);
    assert_string_equal(r->colnames[1], "z");
    assert_string_equal(V(r, 0, 1), "zz");
    assert_true(hsql_session_try_free(a));

    /* DROP DATABASE while a connection to it is parked, then a new database of that name */
    hsql_session_t *b = sess(e->eng, NULL);
    QOK(b, r, "CREATE DATABASE w");
    QOK(b, r, "USE w");
    QOK(b, r, "CREATE TABLE t (id int primary key, old int)");
    QOK(b, r, "INSERT INTO t VALUES (1, 1)");
    assert_true(hsql_session_try_free(b));
    a = sess(e->eng, "w");
    QOK(a, r, sel);
    assert_true(hsql_session_try_free(a));
    QOK(e->s, r, "DROP DATABASE w");
    assert_false(hsql_engine_db_exists(e->eng, "w"));
    b = sess(e->eng, NULL);
    assert_int_not_equal(hsql_session_use(b, "w", &err), 0);
    assert_int_equal(err.code, 1049);
    QOK(b, r, "CREATE DATABASE w");
    QOK(b, r, "USE w");
    QOK(b, r, "CREATE TABLE t (id int primary key, fresh varchar(3))");
    QOK(b, r, "INSERT INTO t VALUES (1, 'new')");
    assert_true(hsql_session_try_free(b));
    a = sess(e->eng, "w");
    QOK(a, r, sel);
    assert_int_equal(r->ncols, 2);
    assert_string_equal(r->colnames[1], "fresh");
    assert_string_equal(V(r, 0, 1), "new");
    assert_true(hsql_session_try_free(a));
    env_free(e);
}

/* The same texts again and again, across sessions on one pooled connection. */
static void test_memo(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    hsql_error_t err;
    assert_int_equal(hsql_engine_create_db(e->eng, "d2", &err), 0);
    QOK(e->s, r, "CREATE TABLE t (id int primary key auto_increment, v varchar(3))");
    QOK(e->s, r, "INSERT INTO t (v) VALUES ('a'), ('b'), ('c')");
    for (int round = 0; round < 3; round++) {
        hsql_session_t *a = sess(e->eng, "d");
        /* literals differ: texts differ */
        assert_string_equal(Q1(a, "SELECT v FROM t WHERE id = 1"), "a");
        assert_string_equal(Q1(a, "SELECT v FROM t WHERE id = 2"), "b");
        assert_string_equal(Q1(a, "SELECT v FROM t WHERE id = 1"), "a");
        assert_string_equal(Q1(a, "SELECT v FROM t WHERE v = 'c'"), "c");
        assert_string_equal(Q1(a, "SELECT v FROM t WHERE v = 'it''s'"), "<none>");
        assert_string_equal(Q1(a, "SELECT 'x\\'y', 2"), "x'y");
        /* the same text under another sql_mode: strict or not decides */
        const char *ins = "INSERT INTO t (id, v) VALUES (100, 'toolong')";
        if (round == 1) {
            QOK(a, r, "SET SESSION sql_mode = ''");
            QOK(a, r, ins);
            assert_int_equal(r->ok.warnings, 1);
            assert_string_equal(Q1(a, "SELECT v FROM t WHERE id = 100"), "too");
            QOK(a, r, "DELETE FROM t WHERE id = 100");
        } else {
            QERR(a, r, ins, 1406);
        }
        /* a trailing ';', several statements, errors: answered alike every time */
        QOK(a, r, "DESCRIBE t;");
        assert_int_equal(r->nrows, 2);
        QERR(a, r, "SELECT nope FROM t", 1054);
        QERR(a, r, "SELECT * FROM missing", 1146);
        QERR(a, r, "SELEC 1", 1064);
        QERR(a, r, "SELECT 'unterminated", 1064);
        /* leading whitespace (WordPress's heredoc SQL): as if sent without it */
        QOK(a, r, "\n\t\t\tSELECT v\n\t\t\tFROM t\n\t\t\tWHERE id = 2\n\t\t");
        assert_int_equal(r->nrows, 1);
        assert_string_equal(V(r, 0, 0), "b");
        assert_string_equal(r->colnames[0], "v");
        QOK(a, r, "  \n SELECT COUNT( 1 ), 'it''s' AS q FROM t WHERE v IN ('a', 'c')  ");
        assert_string_equal(r->colnames[0], "COUNT( 1 )");
        assert_string_equal(V(r, 0, 0), "2");
        assert_string_equal(V(r, 0, 1), "it's");
        hsql_error_t e1 = QERR(a, r, "\n\n  SELECT * FROM t WHERE\n  ORDER BY id", 1064);
        hsql_error_t e2 = QERR(a, r, "SELECT * FROM t WHERE\n  ORDER BY id", 1064);
        assert_string_equal(e1.msg, e2.msg);
        e1 = QERR(a, r, "\n   SELECT nope FROM t", 1054);
        e2 = QERR(a, r, "SELECT nope FROM t", 1054);
        assert_string_equal(e1.msg, e2.msg);
        if (round == 0) {
            QOK(a, r, "\n  CREATE TABLE ws (id int PRIMARY KEY, n varchar(5) DEFAULT 'x')\n");
            QOK(a, r, "\n  INSERT INTO ws (id) VALUES (1)\n");
        }
        assert_string_equal(Q1(a, "\n  SELECT n FROM ws WHERE id = 1"), "x");
        QOK(a, r, "SHOW CREATE TABLE ws");
        assert_non_null(strstr(V(r, 0, 1), "CREATE TABLE `ws`"));
        /* USE inside a remembered text parks the connection, memo and all */
        QOK(a, r, "USE d2");
        QERR(a, r, "SELECT v FROM t WHERE id = 1", 1146);
        QOK(a, r, "USE d");
        assert_string_equal(Q1(a, "SELECT v FROM t WHERE id = 1"), "a");
        assert_string_equal(Q1(a, "SELECT COUNT(*) FROM t"), "3");
        assert_true(hsql_session_try_free(a));
    }
    /* more distinct texts than the memo keeps: it starts again, answers stay right */
    hsql_session_t *a = sess(e->eng, "d");
    for (int i = 0; i < 1200; i++) {
        char sql[100], want[32];
        snprintf(sql, sizeof sql, "SELECT %d + id FROM t WHERE id = %d", i, 1 + i % 3);
        snprintf(want, sizeof want, "%d", i + 1 + i % 3);
        assert_string_equal(Q1(a, sql), want);
    }
    /* long texts: more bytes than the memo keeps (it starts again), still right */
    char *lng = malloc(9000);
    for (int i = 0; i < 300; i++) {
        int k = snprintf(lng, 9000, "SELECT %d, COUNT(*) FROM t WHERE v = '", i);
        memset(lng + k, 'a' + i % 26, 8000);
        snprintf(lng + k + 8000, 9000 - (size_t)k - 8000, "' OR id = %d", 1 + i % 3);
        QOK(a, r, lng);
        char want[16];
        snprintf(want, sizeof want, "%d", i);
        assert_string_equal(V(r, 0, 0), want);
        assert_string_equal(V(r, 0, 1), "1");
    }
    free(lng);
    /* a statement with more literals than the cache takes (a dump's INSERT), twice */
    size_t cap = 64 * 1024, n = 0;
    char *big = malloc(cap);
    n += (size_t)snprintf(big + n, cap - n, "INSERT INTO t (v) VALUES ('x')");
    for (int i = 0; i < 2100; i++)
        n += (size_t)snprintf(big + n, cap - n, ",('y')");
    QOK(a, r, big);
    assert_int_equal(r->ok.affected_rows, 2101);
    QOK(a, r, big);
    assert_int_equal(r->ok.affected_rows, 2101);
    free(big);
    assert_string_equal(Q1(a, "SELECT COUNT(*) FROM t"), "4205");
    assert_true(hsql_session_try_free(a));
    env_free(e);
}

typedef struct {
    hsql_engine_t *eng;
    int who, ok;
} worker_t;

/* Connect, set up as wpdb does, read, write, leave — 100 times. (Q1's buffer is static: the
 * threads read their values themselves.) */
static void *worker_run(void *arg)
{
    worker_t *w = arg;
    rs_t *r = calloc(1, sizeof *r);
    for (int i = 0; i < 100; i++) {
        hsql_session_t *s = sess(w->eng, "d");
        wp_setup(s, r);
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT v FROM t WHERE id = %d", w->who);
        char want[32];
        snprintf(want, sizeof want, "%d", i);
        QOK(s, r, sql);
        if (r->nrows == 1 && strcmp(V(r, 0, 0), want) == 0)
            w->ok++;
        snprintf(sql, sizeof sql, "UPDATE t SET v = v + 1 WHERE id = %d", w->who);
        hsql_error_t err;
        int rc;
        do {
            rs_clear(r);
            hsql_sink_t k = rs_sink(r);
            memset(&err, 0, sizeof err);
            rc = hsql_session_query(s, sql, strlen(sql), &k, &err);
        } while (rc != 0 && (err.code == 1205 || err.code == 1213));
        if (rc != 0)
            print_error("worker %d: %s\n", w->who, err.msg);
        rs_clear(r);
        if (i % 10 == 9) {
            QOK(s, r, "CREATE TEMPORARY TABLE tmp (x int)"); /* the slow way out, now and then */
            hsql_session_free(s);
        } else if (!hsql_session_try_free(s)) {
            hsql_session_free(s);
        }
    }
    free(r);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE t (id int primary key, v int)");
    QOK(e->s, r, "INSERT INTO t VALUES (0, 0), (1, 0), (2, 0), (3, 0)");
    enum { NW = 4 };
    pthread_t th[NW];
    worker_t w[NW];
    for (int i = 0; i < NW; i++) {
        w[i] = (worker_t){e->eng, i, 0};
        pthread_create(&th[i], NULL, worker_run, &w[i]);
    }
    for (int i = 0; i < NW; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].ok, 100);
    }
    assert_string_equal(Q1(e->s, "SELECT SUM(v) FROM t"), "400");
    env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_try_free),
        cmocka_unit_test(test_no_state_leak),
        cmocka_unit_test(test_charset_per_session),
        cmocka_unit_test(test_ddl_while_parked),
        cmocka_unit_test(test_memo),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

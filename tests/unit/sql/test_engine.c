/* test_engine.c — SQL-side engine tests: DDL, DML with MySQL's OK semantics, result metadata,
 * prepared statements, catalog statements, variables, transactions and MySQL errors, all
 * through hsql_session_query on a temporary state directory. */
#include "sqltest.h"

#include <pthread.h>
#include <time.h>

static void test_basic_dml(void **state)
{
    (void)state;
    env_t *e = env_new("t1");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE sbtest1(id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL,"
                 " c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id))"
                 " /*! ENGINE = innodb */");
    assert_true(r->is_ok);
    QOK(e->s, r, "INSERT INTO sbtest1(k, c, pad) VALUES (1,'a','x'),(2,'b','y'),(3,'c','z')");
    assert_int_equal(r->ok.affected_rows, 3);
    assert_int_equal(r->ok.insert_id, 1);
    assert_string_equal(r->info, "Records: 3  Duplicates: 0  Warnings: 0");
    QOK(e->s, r, "CREATE INDEX k_1 ON sbtest1(k)");
    QOK(e->s, r, "SELECT c FROM sbtest1 WHERE id=1");
    assert_string_equal(V(r, 0, 0), "a");
    /* another shape, the same translation: shares the prepared statement */
    QOK(e->s, r, "SELECT   c\n FROM sbtest1 WHERE  id = 3 -- other spacing");
    assert_string_equal(V(r, 0, 0), "c");
    QOK(e->s, r, "SELECT c FROM sbtest1 WHERE id=2");
    assert_int_equal(r->nrows, 1);
    assert_string_equal(V(r, 0, 0), "b");
    assert_string_equal(r->cols[0].name, "c");
    assert_int_equal(r->cols[0].type, HSQL_TYPE_STRING);
    assert_int_equal(r->cols[0].length, 480);
    QOK(e->s, r, "SELECT id, k FROM sbtest1 WHERE id BETWEEN 1 AND 3 ORDER BY id DESC");
    assert_int_equal(r->nrows, 3);
    assert_int_equal(r->cols[0].type, HSQL_TYPE_LONG);
    assert_true(r->cols[0].flags & HSQL_FLAG_PRI_KEY);
    assert_true(r->cols[0].flags & HSQL_FLAG_AUTO_INCREMENT);
    assert_int_equal(r->kind[0][0], HSQL_VAL_INT);
    assert_string_equal(V(r, 0, 0), "3");
    QOK(e->s, r, "SELECT SUM(k), COUNT( 1 ), COUNT(*) AS n FROM sbtest1");
    assert_string_equal(V(r, 0, 0), "6");
    assert_string_equal(r->cols[0].name, "SUM(k)");
    assert_string_equal(r->cols[1].name, "COUNT( 1 )");
    assert_string_equal(r->cols[2].name, "n");
    assert_int_equal(r->cols[1].type, HSQL_TYPE_LONGLONG);
    QOK(e->s, r, "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 1 AND 3 ORDER BY c");
    assert_int_equal(r->nrows, 3);
    /* UPDATE: affected = changed rows */
    QOK(e->s, r, "UPDATE sbtest1 SET k = 1 WHERE id = 1");
    assert_int_equal(r->ok.affected_rows, 0);
    assert_string_equal(r->info, "Rows matched: 1  Changed: 0  Warnings: 0");
    QOK(e->s, r, "UPDATE sbtest1 SET k = k + 10 WHERE id <= 2");
    assert_int_equal(r->ok.affected_rows, 2);
    QOK(e->s, r, "DELETE FROM sbtest1 WHERE id = 3");
    assert_int_equal(r->ok.affected_rows, 1);
    QOK(e->s, r, "SELECT COUNT(*) FROM sbtest1");
    assert_string_equal(V(r, 0, 0), "2");
    /* a bulk INSERT (more parameters than the cache keeps) runs once, uncached */
    {
        size_t cap = 64 * 1024, n = 0;
        char *big = malloc(cap);
        n += (size_t)snprintf(big + n, cap - n, "INSERT INTO sbtest1 (k, c, pad) VALUES ");
        for (int i = 0; i < 800; i++)
            n += (size_t)snprintf(big + n, cap - n, "%s(%d, 'c%d', 'p')", i ? "," : "", i, i);
        QOK(e->s, r, big);
        assert_int_equal(r->ok.affected_rows, 800);
        QOK(e->s, r, big);
        assert_int_equal(r->ok.affected_rows, 800);
        free(big);
    }
    QOK(e->s, r, "DROP TABLE IF EXISTS sbtest1");
    QERR(e->s, r, "SELECT * FROM sbtest1", 1146);
    env_free(e);
}

static void test_errors(void **state)
{
    (void)state;
    env_t *e = env_new(NULL);
    rs_t *r = &e->r;
    hsql_error_t er = QERR(e->s, r, "SELECT * FROM t", 1046);
    assert_string_equal(er.sqlstate, "3D000");
    er = QERR(e->s, r, "USE nope", 1049);
    assert_string_equal(er.msg, "Unknown database 'nope'");
    QOK(e->s, r, "CREATE DATABASE wp");
    QERR(e->s, r, "CREATE DATABASE wp", 1007);
    QOK(e->s, r, "CREATE DATABASE IF NOT EXISTS wp");
    QOK(e->s, r, "USE wp");
    er = QERR(e->s, r, "SELECT * FROM wp_posts", 1146);
    assert_string_equal(er.msg, "Table 'wp.wp_posts' doesn't exist");
    assert_string_equal(er.sqlstate, "42S02");
    er = QERR(e->s, r, "SELEC 1", 1064);
    assert_string_equal(er.sqlstate, "42000");
    assert_non_null(strstr(er.msg, "near 'SELEC 1' at line 1"));
    QOK(e->s, r, "CREATE TABLE t (id int primary key auto_increment, name varchar(20) unique)");
    er = QERR(e->s, r, "SELECT nope FROM t", 1054);
    assert_string_equal(er.msg, "Unknown column 'nope' in 'field list'");
    QOK(e->s, r, "INSERT INTO t (name) VALUES ('a')");
    er = QERR(e->s, r, "INSERT INTO t (name) VALUES ('A')", 1062);
    assert_string_equal(er.sqlstate, "23000");
    assert_non_null(strstr(er.msg, "for key 't.name'"));
    QERR(e->s, r, "CREATE TABLE t (a int)", 1050);
    QERR(e->s, r, "SELECT @@nonexistent_var", 1193);
    QERR(e->s, r, "SELECT 'unterminated", 1064);
    /* DDL runs on the session's own database: a table of another one is refused, never
     * created, changed or dropped in the current one instead */
    QOK(e->s, r, "CREATE DATABASE other");
    QOK(e->s, r, "CREATE TABLE wp.q (id int)");
    const char *ddl[] = {"CREATE TABLE other.t (id int)", "DROP TABLE other.t",
                         "ALTER TABLE other.t ADD x int", "TRUNCATE other.t",
                         "RENAME TABLE t TO other.t2", "CREATE INDEX i ON other.t (id)",
                         "CREATE TABLE other.c AS SELECT 1"};
    for (size_t i = 0; i < sizeof ddl / sizeof *ddl; i++) {
        er = QERR(e->s, r, ddl[i], 1235);
        assert_non_null(strstr(er.msg, "another database (other."));
    }
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM t"), "1"); /* t is still here, whole */
    QOK(e->s, r, "DROP TABLE wp.q");
    env_free(e);
}

static void test_odku_ignore_replace(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE o (id bigint(20) unsigned NOT NULL auto_increment, name varchar(191) NOT NULL"
                 " default '', val longtext NOT NULL, PRIMARY KEY (id), UNIQUE KEY name (name))");
    const char *odku = "INSERT INTO `o` (`name`, `val`) VALUES ('%s', '%s') ON DUPLICATE KEY UPDATE "
                       "`name` = VALUES (`name`), `val` = VALUES (`val`)";
    char sql[512];
    snprintf(sql, sizeof sql, odku, "a", "1");
    QOK(e->s, r, sql);
    assert_int_equal(r->ok.affected_rows, 1);
    assert_int_equal(r->ok.insert_id, 1);
    snprintf(sql, sizeof sql, odku, "a", "2");
    QOK(e->s, r, sql);
    assert_int_equal(r->ok.affected_rows, 2);
    assert_int_equal(r->ok.insert_id, 1); /* the updated row's id */
    snprintf(sql, sizeof sql, odku, "A", "2"); /* same key under _ci, same values */
    QOK(e->s, r, sql);
    assert_int_equal(r->ok.affected_rows, 2); /* name changes case: the row changes */
    snprintf(sql, sizeof sql, odku, "A", "2");
    QOK(e->s, r, sql);
    assert_int_equal(r->ok.affected_rows, 0);
    assert_string_equal(Q1(e->s, "SELECT val FROM o WHERE name = 'a'"), "2");
    QOK(e->s, r, "INSERT IGNORE INTO o (name, val) VALUES ('a', 'x') /* LOCK */");
    assert_int_equal(r->ok.affected_rows, 0);
    assert_int_equal(r->ok.insert_id, 0);
    QOK(e->s, r, "INSERT IGNORE INTO o (name, val) VALUES ('b', 'x')");
    assert_int_equal(r->ok.affected_rows, 1);
    QOK(e->s, r, "REPLACE INTO o (name, val) VALUES ('b', 'y')");
    assert_int_equal(r->ok.affected_rows, 2);
    QOK(e->s, r, "REPLACE INTO o (name, val) VALUES ('c', 'y')");
    assert_int_equal(r->ok.affected_rows, 1);
    hsql_error_t er = QERR(e->s, r, "INSERT INTO o (name, val) VALUES ('C', 'z')", 1062);
    assert_string_equal(er.msg, "Duplicate entry 'C' for key 'o.name'");
    assert_string_equal(Q1(e->s, "SELECT val FROM o WHERE name = 'B'"), "y");
    /* ids are not reused after a delete; AUTO_INCREMENT=n sets the next one */
    QOK(e->s, r, "INSERT INTO o (name, val) VALUES ('d', '1')");
    uint64_t id = r->ok.insert_id;
    QOK(e->s, r, "DELETE FROM o WHERE name = 'd'");
    QOK(e->s, r, "INSERT INTO o (name, val) VALUES ('d', '1')");
    assert_int_equal(r->ok.insert_id, id + 1);
    QOK(e->s, r, "BEGIN");
    QOK(e->s, r, "INSERT INTO o (name, val) VALUES ('rb', '1')");
    uint64_t rid = r->ok.insert_id;
    QOK(e->s, r, "ROLLBACK");
    QOK(e->s, r, "INSERT INTO o (name, val) VALUES ('rb', '1')");
    assert_int_equal(r->ok.insert_id, rid + 1); /* not reused after ROLLBACK either */
    QOK(e->s, r, "ALTER TABLE o AUTO_INCREMENT = 100");
    QOK(e->s, r, "INSERT INTO o (name, val) VALUES ('e', '1')");
    assert_int_equal(r->ok.insert_id, 100);
    QOK(e->s, r, "SHOW CREATE TABLE o");
    assert_non_null(strstr(V(r, 0, 1), "AUTO_INCREMENT=101"));
    QOK(e->s, r, "SELECT LAST_INSERT_ID()");
    assert_string_equal(V(r, 0, 0), r->v[0][0]);
    /* a failed multi-row insert spends an id per row, also on a table that never had a row */
    QOK(e->s, r, "CREATE TABLE f (id int NOT NULL auto_increment, k varchar(5) NOT NULL, PRIMARY KEY (id),"
                 " UNIQUE KEY k (k))");
    er = QERR(e->s, r, "INSERT INTO f (k) VALUES ('a'), ('A')", 1062);
    assert_string_equal(er.msg, "Duplicate entry 'A' for key 'f.k'"); /* the row that failed */
    QOK(e->s, r, "INSERT INTO f (k) VALUES ('b')");
    assert_int_equal(r->ok.insert_id, 3);
    er = QERR(e->s, r, "INSERT INTO f (k) VALUES ('c'), ('d'), ('B'), ('e')", 1062);
    assert_string_equal(er.msg, "Duplicate entry 'B' for key 'f.k'"); /* one in the table */
    env_free(e);
}

static void test_found_rows_limit(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE p (ID bigint unsigned NOT NULL auto_increment PRIMARY KEY, t varchar(20))");
    QOK(e->s, r, "INSERT INTO p (t) VALUES ('a'),('b'),('c'),('d'),('e')");
    QOK(e->s, r, "SELECT SQL_CALC_FOUND_ROWS p.ID FROM p WHERE 1=1 ORDER BY p.ID DESC LIMIT 1, 2");
    assert_int_equal(r->nrows, 2);
    assert_string_equal(V(r, 0, 0), "4");
    QOK(e->s, r, "SELECT FOUND_ROWS()");
    assert_string_equal(r->cols[0].name, "FOUND_ROWS()");
    assert_string_equal(V(r, 0, 0), "5");
    QOK(e->s, r, "SELECT ID FROM p LIMIT 2");
    assert_string_equal(Q1(e->s, "SELECT FOUND_ROWS()"), "2");
    QOK(e->s, r, "SELECT ID FROM p LIMIT 3 OFFSET 1");
    assert_string_equal(V(r, 0, 0), "2");
    env_free(e);
}

static void test_variables(void **state)
{
    (void)state;
    env_t *e = env_new(NULL);
    rs_t *r = &e->r;
    QOK(e->s, r, "SET NAMES utf8mb4");
    QOK(e->s, r, "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_520_ci'");
    QOK(e->s, r, "SELECT @@SESSION.sql_mode");
    assert_string_equal(r->cols[0].name, "@@SESSION.sql_mode");
    assert_non_null(strstr(V(r, 0, 0), "STRICT_TRANS_TABLES"));
    QOK(e->s, r, "SET SESSION sql_mode='ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION'");
    assert_string_equal(Q1(e->s, "SELECT @@sql_mode"),
                        "ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION");
    assert_string_equal(Q1(e->s, "SELECT @@collation_connection"), "utf8mb4_unicode_520_ci");
    assert_string_equal(Q1(e->s, "SELECT @@autocommit"), "1");
    assert_string_equal(Q1(e->s, "SELECT VERSION()"), "8.0.35-HarvSQL");
    assert_string_equal(Q1(e->s, "SELECT DATABASE()"), "NULL");
    QOK(e->s, r, "SET @x = 5, @y := 'abc'");
    assert_string_equal(Q1(e->s, "SELECT @x + 1"), "6");
    QOK(e->s, r, "SHOW VARIABLES LIKE 'max_allowed%'");
    assert_int_equal(r->nrows, 1);
    assert_string_equal(V(r, 0, 0), "max_allowed_packet");
    QOK(e->s, r, "SHOW VARIABLES WHERE Variable_name = 'language' OR Variable_name = 'net_write_timeout' OR Variable_name IN ('WAIT_TIMEOUT')");
    assert_int_equal(r->nrows, 2);
    assert_string_equal(r->cols[0].name, "Variable_name");
    assert_string_equal(V(r, 0, 0), "net_write_timeout");
    assert_string_equal(V(r, 1, 1), "28800");
    QOK(e->s, r, "SET autocommit=0");
    assert_false(hsql_session_status(e->s) & HSQL_STATUS_AUTOCOMMIT);
    QOK(e->s, r, "SET autocommit=1");
    /* the session time zone moves NOW() and the Unix-time conversions; SYSTEM is the server's */
    QOK(e->s, r, "SET time_zone = '+2:00'");
    assert_string_equal(Q1(e->s, "SELECT @@time_zone"), "+02:00");
    assert_string_equal(Q1(e->s, "SELECT FROM_UNIXTIME(0)"), "1970-01-01 02:00:00");
    assert_string_equal(Q1(e->s, "SELECT UNIX_TIMESTAMP('1970-01-01 03:00:00')"), "3600");
    assert_string_equal(Q1(e->s, "SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW()) "
                                 "BETWEEN 119 AND 121"), "1");
    QERR(e->s, r, "SET time_zone = '+14:30'", 1298);
    QERR(e->s, r, "SET time_zone = 'Europe/Paris'", 1298);
    assert_string_equal(Q1(e->s, "SELECT @@time_zone"), "+02:00");
    QOK(e->s, r, "SET time_zone = 'SYSTEM'");
    QOK(e->s, r, "SHOW DATABASES");
    assert_string_equal(r->cols[0].name, "Database");
    QOK(e->s, r, "CREATE DATABASE other");
    QOK(e->s, r, "CREATE DATABASE cur");
    QOK(e->s, r, "USE other");
    QOK(e->s, r, "CREATE TABLE ot (a int)");
    QOK(e->s, r, "USE cur");
    QOK(e->s, r, "SHOW TABLES FROM other");
    assert_int_equal(r->nrows, 1);
    assert_string_equal(r->cols[0].name, "Tables_in_other");
    QOK(e->s, r, "SHOW COLLATION LIKE 'utf8mb4_unicode%'");
    assert_int_equal(r->nrows, 2);
    QOK(e->s, r, "SHOW CHARACTER SET");
    QOK(e->s, r, "SHOW ENGINES");
    QOK(e->s, r, "SHOW PROCESSLIST");
    QOK(e->s, r, "SHOW STATUS LIKE 'Uptime'");
    QOK(e->s, r, "SHOW WARNINGS");
    env_free(e);
}

static void test_transactions(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE t (id int primary key, v int)");
    QOK(e->s, r, "BEGIN");
    assert_true(r->ok.status & HSQL_STATUS_IN_TRANS);
    QOK(e->s, r, "INSERT INTO t VALUES (1, 1)");
    QOK(e->s, r, "SAVEPOINT a");
    QOK(e->s, r, "INSERT INTO t VALUES (2, 2)");
    QOK(e->s, r, "ROLLBACK TO SAVEPOINT a");
    QOK(e->s, r, "COMMIT");
    assert_false(r->ok.status & HSQL_STATUS_IN_TRANS);
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM t"), "1");
    QOK(e->s, r, "START TRANSACTION");
    QOK(e->s, r, "DELETE FROM t");
    QOK(e->s, r, "ROLLBACK");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM t"), "1");
    QOK(e->s, r, "SET autocommit = 0");
    QOK(e->s, r, "INSERT INTO t VALUES (3, 3)");
    assert_true(r->ok.status & HSQL_STATUS_IN_TRANS);
    QOK(e->s, r, "ROLLBACK");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM t"), "1");
    QOK(e->s, r, "SET autocommit = 1");
    QOK(e->s, r, "LOCK TABLES t WRITE");
    QOK(e->s, r, "UNLOCK TABLES");
    env_free(e);
}

static void test_prepared(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE sbtest1(id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL,"
                 " c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id))");
    QOK(e->s, r, "INSERT INTO sbtest1(k, c, pad) VALUES (10,'aa','x'),(20,'bb','y')");
    hsql_stmt_t *st;
    unsigned np, nc;
    const hsql_col_t *cols;
    hsql_error_t err;
    const char *q = "SELECT c FROM sbtest1 WHERE id=?";
    assert_int_equal(hsql_stmt_prepare(e->s, q, strlen(q), &st, &np, &cols, &nc, &err), 0);
    assert_int_equal(np, 1);
    assert_int_equal(nc, 1);
    assert_string_equal(cols[0].name, "c");
    hsql_param_t p = {HSQL_VAL_INT, HSQL_TYPE_LONG, 2, 2, 0, NULL, 0};
    hsql_sink_t k = rs_sink(r);
    for (int i = 0; i < 3; i++) {
        rs_clear(r);
        assert_int_equal(hsql_stmt_execute(st, &p, 1, &k, &err), 0);
        assert_int_equal(r->nrows, 1);
        assert_string_equal(V(r, 0, 0), "bb");
    }
    hsql_stmt_close(st);
    q = "BEGIN";
    assert_int_equal(hsql_stmt_prepare(e->s, q, strlen(q), &st, &np, &cols, &nc, &err), 0);
    rs_clear(r);
    assert_int_equal(hsql_stmt_execute(st, NULL, 0, &k, &err), 0);
    assert_true(r->is_ok);
    hsql_stmt_close(st);
    q = "INSERT INTO sbtest1 (k, c, pad) VALUES (?, ?, 'lit')";
    assert_int_equal(hsql_stmt_prepare(e->s, q, strlen(q), &st, &np, &cols, &nc, &err), 0);
    assert_int_equal(np, 2);
    hsql_param_t ps[2] = {{HSQL_VAL_INT, HSQL_TYPE_LONG, 5, 5, 0, NULL, 0},
                          {HSQL_VAL_TEXT, HSQL_TYPE_VAR_STRING, 0, 0, 0, "hello", 5}};
    rs_clear(r);
    assert_int_equal(hsql_stmt_execute(st, ps, 2, &k, &err), 0);
    assert_int_equal(r->ok.insert_id, 3);
    hsql_stmt_close(st);
    /* a text column against a numeric parameter compares numerically, as MySQL */
    q = "SELECT COUNT(*) FROM sbtest1 WHERE c < ?";
    assert_int_equal(hsql_stmt_prepare(e->s, q, strlen(q), &st, &np, &cols, &nc, &err), 0);
    hsql_param_t p9 = {HSQL_VAL_INT, HSQL_TYPE_LONG, 9, 9, 0, NULL, 0};
    rs_clear(r);
    assert_int_equal(hsql_stmt_execute(st, &p9, 1, &k, &err), 0);
    assert_string_equal(V(r, 0, 0), "3"); /* 'aa', 'bb', 'hello' are 0 as numbers */
    hsql_param_t pz = {HSQL_VAL_TEXT, HSQL_TYPE_VAR_STRING, 0, 0, 0, "b", 1};
    rs_clear(r);
    assert_int_equal(hsql_stmt_execute(st, &pz, 1, &k, &err), 0);
    assert_string_equal(V(r, 0, 0), "1"); /* text against text: 'aa' */
    hsql_stmt_close(st);
    QOK(e->s, r, "COMMIT");
    assert_string_equal(Q1(e->s, "SELECT pad FROM sbtest1 WHERE c = 'hello'"), "lit");
    env_free(e);
}

static void test_alter_show(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE t (id bigint(20) unsigned NOT NULL auto_increment, a varchar(10) NOT NULL default '',"
                 " PRIMARY KEY (id)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci");
    QOK(e->s, r, "INSERT INTO t (a) VALUES ('x'),('y')");
    QOK(e->s, r, "ALTER TABLE t ADD COLUMN b int(11) NOT NULL default 7 AFTER id, ADD INDEX a_idx (a(5))");
    QOK(e->s, r, "DESCRIBE t;");
    assert_int_equal(r->nrows, 3);
    assert_string_equal(V(r, 1, 0), "b");
    assert_string_equal(V(r, 1, 1), "int(11)");
    assert_string_equal(V(r, 1, 4), "7");
    assert_string_equal(V(r, 2, 3), "MUL");
    assert_string_equal(Q1(e->s, "SELECT b FROM t WHERE id = 2"), "7");
    QOK(e->s, r, "ALTER TABLE t CHANGE COLUMN a a2 varchar(40) NOT NULL default 'q'");
    QOK(e->s, r, "ALTER TABLE t MODIFY b bigint(20) NOT NULL default 0");
    QOK(e->s, r, "ALTER TABLE t DROP INDEX a_idx");
    QOK(e->s, r, "ALTER TABLE t DROP COLUMN b");
    QOK(e->s, r, "SHOW INDEX FROM t");
    assert_int_equal(r->nrows, 1);
    assert_string_equal(V(r, 0, 2), "PRIMARY");
    QOK(e->s, r, "SHOW CREATE TABLE t");
    assert_non_null(strstr(V(r, 0, 1), "`a2` varchar(40) NOT NULL DEFAULT 'q'"));
    QOK(e->s, r, "CREATE TABLE copy AS SELECT id, a2, id * 2 AS dbl FROM t WHERE id > 1");
    assert_int_equal(r->ok.affected_rows, 1);
    QOK(e->s, r, "DESCRIBE copy");
    assert_int_equal(r->nrows, 3);
    assert_string_equal(V(r, 0, 1), "bigint(20) unsigned");
    assert_string_equal(V(r, 0, 5), ""); /* AUTO_INCREMENT is not copied */
    assert_string_equal(V(r, 1, 1), "varchar(40)");
    assert_string_equal(V(r, 2, 1), "bigint");
    assert_string_equal(Q1(e->s, "SELECT dbl FROM copy"), "4");
    QOK(e->s, r, "CREATE TABLE copy2 (extra int NOT NULL DEFAULT 3) SELECT a2 FROM t");
    QOK(e->s, r, "SELECT extra, a2 FROM copy2 ORDER BY a2");
    assert_int_equal(r->nrows, 2);
    assert_string_equal(V(r, 0, 0), "3");
    QOK(e->s, r, "CREATE TEMPORARY TABLE tcopy SELECT * FROM t");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM tcopy"), "2");
    QOK(e->s, r, "DROP TABLE copy, copy2");
    /* both renames carry the secondary indexes over: a UNIQUE key still holds afterwards */
    QOK(e->s, r, "CREATE TABLE ru (id int primary key, u varchar(10), KEY k (id, u), UNIQUE KEY uq (u))");
    QOK(e->s, r, "INSERT INTO ru VALUES (1, 'a')");
    QOK(e->s, r, "ALTER TABLE ru RENAME TO ru2");
    QERR(e->s, r, "INSERT INTO ru2 VALUES (2, 'A')", 1062);
    QOK(e->s, r, "RENAME TABLE ru2 TO ru3");
    QERR(e->s, r, "INSERT INTO ru3 VALUES (3, 'a ')", 1062);
    QERR(e->s, r, "SELECT * FROM ru2", 1146);
    QOK(e->s, r, "SHOW INDEX FROM ru3");
    assert_int_equal(r->nrows, 4); /* PRIMARY, k (2 columns), uq */
    QOK(e->s, r, "DROP TABLE ru3");
    QOK(e->s, r, "RENAME TABLE t TO t2");
    assert_string_equal(Q1(e->s, "SELECT a2 FROM t2 WHERE id = 1"), "x");
    QOK(e->s, r, "TRUNCATE TABLE t2");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM t2"), "0");
    QOK(e->s, r, "SHOW TABLE STATUS");
    assert_int_equal(r->nrows, 1);
    QOK(e->s, r, "SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'd'");
    assert_int_equal(r->nrows, 1);
    assert_string_equal(V(r, 0, 0), "t2");
    QOK(e->s, r, "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_NAME = 't2' ORDER BY ORDINAL_POSITION");
    assert_int_equal(r->nrows, 2);
    QOK(e->s, r, "SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_NAME = 't2'");
    QOK(e->s, r, "CREATE DATABASE d2");
    QOK(e->s, r, "USE d2");
    QOK(e->s, r, "CREATE TABLE x2 (a int, b varchar(3))");
    QOK(e->s, r, "USE d");
    QOK(e->s, r, "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES ORDER BY TABLE_SCHEMA, TABLE_NAME");
    assert_int_equal(r->nrows, 2);
    assert_string_equal(V(r, 1, 0), "d2");
    assert_string_equal(V(r, 1, 1), "x2");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'd2'"), "2");
    /* another database by name */
    QOK(e->s, r, "USE d2");
    QOK(e->s, r, "INSERT INTO x2 VALUES (1, 'abc'), (2, 'def')");
    QOK(e->s, r, "USE d");
    QOK(e->s, r, "SELECT b FROM d2.x2 WHERE b = 'ABC'");
    assert_int_equal(r->nrows, 1);
    assert_int_equal(r->cols[0].type, HSQL_TYPE_VAR_STRING);
    assert_int_equal(r->cols[0].length, 12);
    QOK(e->s, r, "SELECT t.id, x.a FROM t2 AS t JOIN `d2`.`x2` AS x ON x.a = t.id ORDER BY t.id");
    QERR(e->s, r, "SELECT * FROM nodb.x", 1146); /* MySQL names the table */
    QOK(e->s, r, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA");
    assert_true(r->nrows >= 2);
    env_free(e);
}

static void test_multi_statement(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE t (a int); INSERT INTO t VALUES (1),(2); SELECT COUNT(*) FROM t;");
    assert_int_equal(r->nresults, 3);
    assert_string_equal(V(r, 0, 0), "2");
    env_free(e);
}

static void test_two_sessions(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    hsql_session_info_t info = {"u2", "localhost", false, false};
    hsql_error_t err;
    hsql_session_t *s2 = hsql_session_new(e->eng, &info, "d", &err);
    assert_non_null(s2);
    QOK(e->s, r, "CREATE TABLE t (id int primary key, v varchar(10))");
    QOK(e->s, r, "INSERT INTO t VALUES (1, 'a')");
    assert_string_equal(Q1(s2, "SELECT COUNT(*) FROM t"), "1"); /* s2 now holds a snapshot */
    QOK(e->s, r, "INSERT INTO t VALUES (2, 'b')");
    assert_string_equal(Q1(s2, "SELECT COUNT(*) FROM t"), "2"); /* and sees the new row */
    assert_false(hsql_session_status(s2) & HSQL_STATUS_IN_TRANS);
    /* a transaction of s2 does not see e->s's later commits (REPEATABLE READ) */
    QOK(s2, r, "BEGIN");
    assert_string_equal(Q1(s2, "SELECT COUNT(*) FROM t"), "2");
    QOK(e->s, r, "INSERT INTO t VALUES (3, 'c')");
    assert_string_equal(Q1(s2, "SELECT COUNT(*) FROM t"), "2");
    QOK(s2, r, "COMMIT");
    assert_string_equal(Q1(s2, "SELECT COUNT(*) FROM t"), "3");
    /* a writer that waits for another's transaction gets 1205 after the busy timeout */
    QOK(s2, r, "BEGIN");
    QOK(s2, r, "UPDATE t SET v = 'x' WHERE id = 1");
    hsql_error_t er = QERR(e->s, r, "UPDATE t SET v = 'y' WHERE id = 2", 1205);
    assert_string_equal(er.sqlstate, "HY000");
    QOK(s2, r, "ROLLBACK");
    QOK(e->s, r, "UPDATE t SET v = 'y' WHERE id = 2");
    assert_int_equal(r->ok.affected_rows, 1);
    hsql_session_free(s2);
    env_free(e);
}

static void test_sql_mode(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE t (id int primary key auto_increment, s varchar(5) NOT NULL, n tinyint NOT NULL,"
                 " d datetime NOT NULL default '0000-00-00 00:00:00', u int unsigned NOT NULL default 0,"
                 " x text NOT NULL)");
    /* strict (MySQL 8's default sql_mode) */
    hsql_error_t er = QERR(e->s, r, "INSERT INTO t (s, n, x) VALUES ('abcdefg', 1, '')", 1406);
    assert_string_equal(er.msg, "Data too long for column 's' at row 1");
    assert_string_equal(er.sqlstate, "22001");
    er = QERR(e->s, r, "INSERT INTO t (s, n, x) VALUES ('a', 300, '')", 1264);
    assert_string_equal(er.msg, "Out of range value for column 'n' at row 1");
    er = QERR(e->s, r, "INSERT INTO t (s, n, x) VALUES ('a', 'abc', '')", 1366);
    QERR(e->s, r, "INSERT INTO t (s, n, x) VALUES ('a', '7abc', '')", 1265); /* a number, then more */
    er = QERR(e->s, r, "INSERT INTO t (s, n) VALUES ('a', 1)", 1364);
    assert_string_equal(er.msg, "Field 'x' doesn't have a default value");
    QERR(e->s, r, "INSERT INTO t (s, n, x, d) VALUES ('a', 1, '', '2024-13-01')", 1292);
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM t"), "0");
    /* non-strict: converted with warnings */
    QOK(e->s, r, "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
    QOK(e->s, r, "INSERT INTO t (s, n, x) VALUES ('abcdefg', 300, ''), ('b', 'abc', '')");
    assert_int_equal(r->ok.affected_rows, 2);
    assert_int_equal(r->ok.warnings, 3);
    assert_string_equal(r->info, "Records: 2  Duplicates: 0  Warnings: 3");
    QOK(e->s, r, "SHOW WARNINGS");
    assert_int_equal(r->nrows, 3);
    assert_string_equal(V(r, 0, 0), "Warning");
    assert_string_equal(V(r, 0, 1), "1265");
    assert_string_equal(V(r, 0, 2), "Data truncated for column 's' at row 1");
    assert_string_equal(V(r, 1, 1), "1264");
    assert_string_equal(V(r, 2, 1), "1366");
    QOK(e->s, r, "SELECT s, n, d FROM t ORDER BY id");
    assert_string_equal(V(r, 0, 0), "abcde");
    assert_string_equal(V(r, 0, 1), "127");
    assert_string_equal(V(r, 1, 1), "0");
    assert_string_equal(V(r, 0, 2), "0000-00-00 00:00:00");
    QOK(e->s, r, "INSERT INTO t (s, n) VALUES ('c', 2)");
    assert_int_equal(r->ok.warnings, 1);
    assert_string_equal(Q1(e->s, "SELECT x FROM t WHERE s = 'c'"), "");
    QOK(e->s, r, "UPDATE t SET u = -5, d = '2024-1-2' WHERE s = 'c'");
    assert_int_equal(r->ok.warnings, 1);
    QOK(e->s, r, "SELECT u, d FROM t WHERE s = 'c'");
    assert_string_equal(V(r, 0, 0), "0");
    assert_string_equal(V(r, 0, 1), "2024-01-02 00:00:00");
    QOK(e->s, r, "INSERT INTO t VALUES (DEFAULT, 'z', 1, DEFAULT, 0, 'x')");
    assert_int_equal(r->ok.insert_id, 4);
    env_free(e);
}

static void test_multi_update(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE a (id int primary key, v int, name varchar(10))");
    QOK(e->s, r, "CREATE TABLE b (id int primary key, a_id int, w int)");
    QOK(e->s, r, "INSERT INTO a VALUES (1, 10, 'x'), (2, 20, 'y'), (3, 30, 'z')");
    QOK(e->s, r, "INSERT INTO b VALUES (1, 1, 100), (2, 2, 200), (3, 2, 300)");
    QOK(e->s, r, "UPDATE a INNER JOIN b ON b.a_id = a.id SET a.v = b.w, b.w = b.w + 1 WHERE a.id <= 2");
    assert_string_equal(Q1(e->s, "SELECT v FROM a WHERE id = 1"), "100");
    assert_string_equal(Q1(e->s, "SELECT w FROM b WHERE id = 1"), "101");
    assert_string_equal(Q1(e->s, "SELECT SUM(w) FROM b"), "603");
    QOK(e->s, r, "UPDATE a, b SET a.name = 'q' WHERE a.id = b.a_id AND b.w > 250");
    assert_int_equal(r->ok.affected_rows, 1);
    assert_string_equal(Q1(e->s, "SELECT name FROM a WHERE id = 2"), "q");
    QOK(e->s, r, "DELETE FROM a, b USING a INNER JOIN b ON b.a_id = a.id WHERE a.id = 1");
    assert_int_equal(r->ok.affected_rows, 2);
    QOK(e->s, r, "DELETE b FROM b WHERE w > 1000");
    assert_int_equal(r->ok.affected_rows, 0);
    /* a target that is not a table of the statement: 1109, in both forms */
    hsql_error_t er = QERR(e->s, r, "DELETE a, z FROM a, b WHERE a.id = b.a_id", 1109);
    assert_string_equal(er.msg, "Unknown table 'z' in MULTI DELETE");
    QERR(e->s, r, "DELETE FROM z USING a, b WHERE a.id = b.a_id", 1109);
    /* CREATE TABLE of a name in use: 1050, or a Note with IF NOT EXISTS (temporary too) */
    QERR(e->s, r, "CREATE TABLE a (x int)", 1050);
    QOK(e->s, r, "CREATE TABLE IF NOT EXISTS a (x int)");
    QOK(e->s, r, "CREATE TEMPORARY TABLE tt (x int)");
    QERR(e->s, r, "CREATE TEMPORARY TABLE tt (y int)", 1050);
    QOK(e->s, r, "CREATE TEMPORARY TABLE IF NOT EXISTS tt (y int)");
    QOK(e->s, r, "SHOW WARNINGS");
    assert_int_equal(r->nrows, 1);
    assert_string_equal(V(r, 0, 1), "1050");
    QOK(e->s, r, "DROP TEMPORARY TABLE tt");
    QOK(e->s, r, "DELETE FROM a WHERE id > 0 ORDER BY id DESC LIMIT 1");
    assert_int_equal(r->ok.affected_rows, 1);
    assert_string_equal(Q1(e->s, "SELECT MAX(id) FROM a"), "2");
    QOK(e->s, r, "UPDATE a SET v = v + 1 ORDER BY id LIMIT 1");
    assert_int_equal(r->ok.affected_rows, 1);
    env_free(e);
}

static void test_functions(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "SELECT CONCAT('a', 1, 'b'), CONCAT_WS('-', 'a', NULL, 'c'), SUBSTRING('héllo', 2, 3),"
                 " CHAR_LENGTH('héllo'), LENGTH('héllo'), LEFT('abc', 2), RIGHT('abc', 2), TRIM('  x  '),"
                 " LOWER('AbC'), UPPER('abc'), REPLACE('aXbX', 'X', 'y'), FIELD('b', 'a', 'b'), IF(1 > 2, 'y', 'n'),"
                 " IFNULL(NULL, 3), NULLIF(1, 1), COALESCE(NULL, NULL, 5), MD5('a'), SHA1('a')");
    const char *want[] = {"a1b", "a-c", "éll", "5", "6", "ab", "bc", "x", "abc", "ABC", "ayby", "2", "n",
                          "3", "NULL", "5", "0cc175b9c0f1b6a831c399e269772661",
                          "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"};
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_string_equal(V(r, 0, i), want[i]);
    assert_string_equal(r->cols[0].name, "CONCAT('a', 1, 'b')");
    QOK(e->s, r, "SELECT DATE_ADD('2024-01-31', INTERVAL 1 MONTH), DATE_SUB('2024-03-01 10:00:00', INTERVAL 1 DAY),"
                 " YEAR('2024-02-29'), MONTH('2024-02-29'), DAYOFMONTH('2024-02-29'), HOUR('2024-02-29 13:14:15'),"
                 " MINUTE('2024-02-29 13:14:15'), WEEK('2024-02-29'), DATE_FORMAT('2024-02-09 13:04:05', '%Y/%m/%d %H:%i:%s %W %M %D'),"
                 " UNIX_TIMESTAMP('1970-01-02 00:00:00') > 0, FROM_UNIXTIME(0) IS NOT NULL, CAST('12abc' AS SIGNED),"
                 " CAST(5 AS CHAR), CONVERT('x' USING utf8mb4), 'abc' LIKE 'A%', 'a_c' LIKE 'a\\_c', 'abc' LIKE 'a\\_c',"
                 " 'abc' REGEXP '^a.c$', GROUP_CONCAT('z')");
    const char *want2[] = {"2024-02-29", "2024-02-29 10:00:00", "2024", "2", "29", "13", "14", "8",
                           "2024/02/09 13:04:05 Friday February 9th", "1", "1", "12", "5", "x", "1", "1",
                           "0", "1", "z"};
    for (unsigned i = 0; i < sizeof want2 / sizeof want2[0]; i++)
        assert_string_equal(V(r, 0, i), want2[i]);
    QOK(e->s, r, "SELECT NOW(), CURDATE(), CURTIME(), UTC_TIMESTAMP(), RAND() < 1, CURRENT_TIMESTAMP");
    assert_int_equal(strlen(V(r, 0, 0)), 19);
    assert_int_equal(strlen(V(r, 0, 1)), 10);
    assert_string_equal(r->cols[5].name, "CURRENT_TIMESTAMP");
    QOK(e->s, r, "CREATE TABLE g (k int, v varchar(10))");
    QOK(e->s, r, "INSERT INTO g VALUES (1, 'a'), (1, 'b'), (2, 'c')");
    QOK(e->s, r, "SELECT k, GROUP_CONCAT(v ORDER BY v SEPARATOR ';') AS vs FROM g GROUP BY k ORDER BY k");
    assert_string_equal(V(r, 0, 1), "a;b");
    QOK(e->s, r, "SELECT GROUP_CONCAT(DISTINCT v ORDER BY k DESC, v DESC) FROM g");
    assert_string_equal(V(r, 0, 0), "c,b,a"); /* ORDER BY inside: SQLite 3.40 has none */
    assert_string_equal(Q1(e->s, "SELECT 1 + '2'"), "3");
    /* column types MySQL reports for expressions */
    QOK(e->s, r, "SELECT 1.50, 10/4, NULL, -7, 3000000000, COUNT(*), YEAR('2024-01-01'), 1 = 1, MAX(k) FROM g");
    assert_string_equal(V(r, 0, 0), "1.50");
    assert_int_equal(r->cols[0].type, HSQL_TYPE_NEWDECIMAL);
    assert_int_equal(r->cols[0].decimals, 2);
    assert_string_equal(V(r, 0, 1), "2.5000");
    assert_int_equal(r->cols[2].type, HSQL_TYPE_NULL);
    assert_int_equal(r->cols[3].type, HSQL_TYPE_LONG);
    assert_int_equal(r->cols[4].type, HSQL_TYPE_LONGLONG);
    assert_int_equal(r->cols[5].type, HSQL_TYPE_LONGLONG);
    assert_int_equal(r->cols[6].type, HSQL_TYPE_LONG);
    assert_int_equal(r->cols[7].type, HSQL_TYPE_LONG);
    assert_int_equal(r->cols[8].type, HSQL_TYPE_LONG); /* MAX of an int column: its type */
    assert_string_equal(V(r, 0, 8), "2");
    QOK(e->s, r, "SELECT CASE WHEN k = 1 THEN 'one' ELSE 'other' END, IF(k = 1, 'y', 'n') FROM g ORDER BY k LIMIT 1");
    assert_string_equal(V(r, 0, 0), "one");
    assert_string_equal(V(r, 0, 1), "y");
    assert_string_equal(Q1(e->s, "SELECT '2024-01-31 10:00:00' + INTERVAL 2 HOUR"), "2024-01-31 12:00:00");
    assert_string_equal(Q1(e->s, "SELECT NOW() - INTERVAL 1 DAY < NOW()"), "1");
    assert_string_equal(Q1(e->s, "SELECT DATE('2024-03-01') - INTERVAL (1 + 1) MONTH"), "2024-01-01");
    assert_string_equal(Q1(e->s, "SELECT 10 DIV 3"), "3");
    assert_string_equal(Q1(e->s, "SELECT 'abc' = 'ABC '"), "1");
    assert_string_equal(Q1(e->s, "SELECT 'é' = 'e'"), "1");
    assert_string_equal(Q1(e->s, "SELECT CAST(3.7 AS SIGNED)"), "4");
    assert_string_equal(Q1(e->s, "SELECT CAST('42abc' AS SIGNED)"), "42");
    assert_string_equal(Q1(e->s, "SELECT 1 FROM g WHERE 10 / 4 = 2.5 LIMIT 1"), "1");
    /* CAST AS DECIMAL rounds to its scale (none: whole numbers); AS DATE/DATETIME are typed */
    QOK(e->s, r, "SELECT CAST('1.4' AS DECIMAL), CAST('3.14159' AS DECIMAL(10,3)), CAST(2 AS DECIMAL(6,2)),"
                 " CAST('2024-03-01 10:11:12' AS DATE), CONVERT('2.25', DECIMAL(4,1))");
    assert_string_equal(V(r, 0, 0), "1");
    assert_string_equal(V(r, 0, 1), "3.142");
    assert_string_equal(V(r, 0, 2), "2.00");
    assert_string_equal(V(r, 0, 3), "2024-03-01");
    assert_int_equal(r->cols[1].type, HSQL_TYPE_NEWDECIMAL);
    assert_int_equal(r->cols[3].type, HSQL_TYPE_DATE);
    assert_int_equal(r->cols[4].type, HSQL_TYPE_NEWDECIMAL);
    assert_string_equal(Q1(e->s, "SELECT CAST('1.4' AS DECIMAL) > 1"), "0");
    /* DECIMAL rounding is decimal (1.005 is not 1.00499...), and DECIMAL(m,d) holds m digits */
    assert_string_equal(Q1(e->s, "SELECT ROUND(1.005, 2)"), "1.01");
    assert_string_equal(Q1(e->s, "SELECT ROUND(-2.5)"), "-3");
    assert_string_equal(Q1(e->s, "SELECT ROUND(0.0049, 2)"), "0.00");
    assert_string_equal(Q1(e->s, "SELECT CAST('123456.789' AS DECIMAL(5,2))"), "999.99");
    QOK(e->s, r, "CREATE TABLE dz (e decimal(5,2) NOT NULL default 0)");
    QERR(e->s, r, "INSERT INTO dz VALUES (1234.5)", 1264);
    QOK(e->s, r, "INSERT INTO dz VALUES (1.005)");
    assert_string_equal(Q1(e->s, "SELECT e FROM dz"), "1.01");
    QOK(e->s, r, "SELECT DATE('2024-03-01 10:11:12'), TIME('2024-03-01 10:11:12')");
    assert_int_equal(r->cols[0].type, HSQL_TYPE_DATE);
    assert_int_equal(r->cols[1].type, HSQL_TYPE_TIME);
    assert_string_equal(V(r, 0, 1), "10:11:12");
    /* LOWER/UPPER map more than ASCII (utf8mb4_unicode_520_ci's tables) */
    assert_string_equal(Q1(e->s, "SELECT LOWER('ÀÉ ΑΒΓ АБВ ẞ')"), "àé αβγ абв ß");
    assert_string_equal(Q1(e->s, "SELECT UCASE('àé ɐ ÿ ß')"), "ÀÉ Ɐ Ÿ ß");
    assert_string_equal(Q1(e->s, "SELECT SUBSTRING_INDEX('www.mysql.com', '.', 2)"), "www.mysql");
    assert_string_equal(Q1(e->s, "SELECT SUBSTRING_INDEX('www.mysql.com', '.', -2)"), "mysql.com");
    assert_string_equal(Q1(e->s, "SELECT SUBSTRING_INDEX('aaa', 'aa', -1)"), "a");
    /* a string compared with a number (literal or numeric column) compares as numbers */
    assert_string_equal(Q1(e->s, "SELECT 'abc' = 0"), "1");
    assert_string_equal(Q1(e->s, "SELECT '1e3' = 1000"), "1");
    assert_string_equal(Q1(e->s, "SELECT 10 > ' 9'"), "1");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM g WHERE k = '2abc'"), "1");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM g WHERE g.k IN ('1', '2x')"), "3");
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM g WHERE v = '0'"), "0"); /* text column: text */
    QOK(e->s, r, "SELECT '1' + 1, '10' / '4'");
    assert_int_equal(r->cols[0].type, HSQL_TYPE_DOUBLE);
    assert_string_equal(V(r, 0, 0), "2");
    assert_string_equal(V(r, 0, 1), "2.5");
    /* a BINARY operand on either side makes = and REGEXP case-sensitive */
    assert_string_equal(Q1(e->s, "SELECT 'abc' = BINARY 'ABC'"), "0");
    assert_string_equal(Q1(e->s, "SELECT BINARY 'abc' = 'ABC'"), "0");
    assert_string_equal(Q1(e->s, "SELECT 'abc' REGEXP BINARY '^A'"), "0");
    assert_string_equal(Q1(e->s, "SELECT CAST('abc' AS BINARY) REGEXP '^A'"), "0");
    assert_string_equal(Q1(e->s, "SELECT 'ABC' REGEXP BINARY '^A'"), "1");
    assert_string_equal(Q1(e->s, "SELECT 'abc' REGEXP '^A'"), "1");
    assert_string_equal(Q1(e->s, "SELECT 'abc' REGEXP '(?-i)^A'"), "0");
    /* a day past the end of its month is an invalid date (NULL); zero parts are allowed */
    assert_string_equal(Q1(e->s, "SELECT DAYOFMONTH('2024-02-30')"), "NULL");
    assert_string_equal(Q1(e->s, "SELECT MONTH('2023-02-29 10:00:00')"), "NULL");
    assert_string_equal(Q1(e->s, "SELECT DATE_ADD('2024-04-31', INTERVAL 1 DAY)"), "NULL");
    assert_string_equal(Q1(e->s, "SELECT DAYOFMONTH('2024-02-29')"), "29");
    assert_string_equal(Q1(e->s, "SELECT MONTH('2024-00-10')"), "0");
    assert_string_equal(Q1(e->s, "SELECT DAYOFMONTH('0000-00-00 00:00:00')"), "0");
    /* '\0' (mysqli_real_escape_string's escape of a NUL byte) in the select list and WHERE */
    QOK(e->s, r, "SELECT 'a\\0b', LENGTH('a\\0b'), CHAR_LENGTH('a\\0b'), HEX('a\\0b')");
    assert_memory_equal(r->v[0][0], "a\0b", 4); /* a, NUL, b and the terminator */
    assert_string_equal(V(r, 0, 1), "3");
    assert_string_equal(V(r, 0, 2), "3");
    assert_string_equal(V(r, 0, 3), "610062");
    QOK(e->s, r, "INSERT INTO g VALUES (3, 'x\\0y')");
    assert_string_equal(Q1(e->s, "SELECT k FROM g WHERE v = 'x\\0y'"), "3");
    env_free(e);
}

/* Several threads, one session each: autocommit writers, readers holding reused snapshots and
 * explicit transactions (which may be deadlock victims and retry) stay consistent. */
typedef struct worker {
    hsql_engine_t *eng;
    int id, ok, retries;
} worker_t;

static void *worker_run(void *arg)
{
    worker_t *w = arg;
    hsql_session_info_t info = {"w", "localhost", false, false};
    hsql_error_t err;
    hsql_session_t *s = hsql_session_new(w->eng, &info, "d", &err);
    if (!s)
        return NULL;
    rs_t *r = calloc(1, sizeof *r);
    hsql_sink_t k = rs_sink(r);
    char q[256];
    for (int i = 0; i < 60; i++) {
        int rc;
        if (i % 3 == 0) {
            snprintf(q, sizeof q, "INSERT INTO c (who, n) VALUES (%d, %d)", w->id, i);
            rc = hsql_session_query(s, q, strlen(q), &k, &err);
        } else if (i % 3 == 1) {
            snprintf(q, sizeof q, "SELECT COUNT(*), SUM(n) FROM c WHERE who = %d", w->id);
            rc = hsql_session_query(s, q, strlen(q), &k, &err);
        } else {
            /* read then write in one transaction; 1213 means: roll back and retry */
            for (;;) {
                rc = hsql_session_query(s, "BEGIN", 5, &k, &err);
                snprintf(q, sizeof q, "SELECT MAX(n) FROM c WHERE who = %d", w->id);
                if (rc == 0)
                    rc = hsql_session_query(s, q, strlen(q), &k, &err);
                snprintf(q, sizeof q, "UPDATE t SET v = v + 1 WHERE id = 1");
                if (rc == 0)
                    rc = hsql_session_query(s, q, strlen(q), &k, &err);
                if (rc == 0)
                    rc = hsql_session_query(s, "COMMIT", 6, &k, &err);
                if (rc != 0 && (err.code == 1213 || err.code == 1205)) {
                    hsql_session_query(s, "ROLLBACK", 8, &k, &err);
                    w->retries++;
                    continue;
                }
                break;
            }
        }
        if (rc == 0)
            w->ok++;
    }
    rs_clear(r);
    free(r);
    hsql_session_free(s);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    env_t *e = env_new("d");
    rs_t *r = &e->r;
    QOK(e->s, r, "CREATE TABLE c (id int primary key auto_increment, who int, n int)");
    QOK(e->s, r, "CREATE TABLE t (id int primary key, v int)");
    QOK(e->s, r, "INSERT INTO t VALUES (1, 0)");
    enum { NW = 4 };
    pthread_t th[NW];
    worker_t w[NW];
    for (int i = 0; i < NW; i++) {
        w[i] = (worker_t){e->eng, i, 0, 0};
        pthread_create(&th[i], NULL, worker_run, &w[i]);
    }
    for (int i = 0; i < NW; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].ok, 60);
    }
    assert_string_equal(Q1(e->s, "SELECT COUNT(*) FROM c"), "80");
    assert_string_equal(Q1(e->s, "SELECT v FROM t WHERE id = 1"), "80");
    env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_dml),       cmocka_unit_test(test_errors),
        cmocka_unit_test(test_odku_ignore_replace), cmocka_unit_test(test_found_rows_limit),
        cmocka_unit_test(test_variables),       cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_prepared),        cmocka_unit_test(test_alter_show),
        cmocka_unit_test(test_multi_statement), cmocka_unit_test(test_two_sessions),
        cmocka_unit_test(test_sql_mode),        cmocka_unit_test(test_multi_update),
        cmocka_unit_test(test_functions),      cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/sql/server_class.c: statement classes (what may run inline, what dirties
 * a transaction) and statement shapes (literals do not matter, structure does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

static int cls(const char *s) { return hsql_stmt_class(s, strlen(s)); }
static uint64_t shape(const char *s) { return hsql_shape_hash(s, strlen(s)); }

static void classes(void **state)
{
    assert_int_equal(cls("SELECT c FROM sbtest1 WHERE id=5"), HSQL_CLS_READ);
    assert_int_equal(cls("  \n\tselect 1 ;  "), HSQL_CLS_READ);
    assert_int_equal(cls("(SELECT 1) UNION (SELECT 2)"), HSQL_CLS_READ);
    assert_int_equal(cls("/* hint */ SELECT 1"), HSQL_CLS_READ);
    assert_int_equal(cls("SHOW FULL COLUMNS FROM `wp_options`"), HSQL_CLS_READ);
    assert_int_equal(cls("DESCRIBE wp_users;"), HSQL_CLS_READ);
    assert_int_equal(cls("desc wp_users"), HSQL_CLS_READ);
    assert_int_equal(cls("BEGIN"), HSQL_CLS_BEGIN);
    assert_int_equal(cls("START TRANSACTION"), HSQL_CLS_BEGIN);
    assert_int_equal(cls("COMMIT"), HSQL_CLS_END);
    assert_int_equal(cls("rollback"), HSQL_CLS_END);
    assert_int_equal(cls("SET NAMES utf8mb4"), HSQL_CLS_END);
    /* writes, and everything that is not clearly a read */
    assert_int_equal(cls("INSERT INTO t VALUES (1)"), HSQL_CLS_WRITE);
    assert_int_equal(cls("UPDATE t SET a=1"), HSQL_CLS_WRITE);
    assert_int_equal(cls("SELECT 1; DELETE FROM t"), HSQL_CLS_WRITE);
    assert_int_equal(cls("/*!40101 SET NAMES utf8 */"), HSQL_CLS_WRITE);
    assert_int_equal(cls("/* unterminated"), HSQL_CLS_WRITE);
    assert_int_equal(cls("SELECTED"), HSQL_CLS_WRITE);
    assert_int_equal(cls("SET_x"), HSQL_CLS_WRITE);
    assert_int_equal(cls("WITH r AS (SELECT 1) DELETE FROM t"), HSQL_CLS_WRITE);
    assert_int_equal(cls(""), HSQL_CLS_WRITE);
    assert_int_equal(cls("SELECT"), HSQL_CLS_READ);
}

static void shapes(void **state)
{
    assert_true(shape("SELECT c FROM sbtest1 WHERE id=5") ==
                shape("select c from sbtest1 where id=123456"));
    assert_true(shape("SELECT * FROM t WHERE a = 'x' AND b = 1.5") ==
                shape("SELECT * FROM t WHERE a = 'O\\'Brien' AND b = 42"));
    assert_true(shape("SELECT \"dq\"") == shape("SELECT \"other\""));
    assert_true(shape("SELECT a FROM t") != shape("SELECT b FROM t"));
    assert_true(shape("SELECT * FROM t WHERE id IN (1,2)") !=
                shape("SELECT * FROM t WHERE id IN (1,2,3)"));
    /* unterminated literals and trailing backslashes stay inside the text */
    const char *odd[] = {"SELECT '", "SELECT 'abc\\", "SELECT \"\\", "9", "'"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        size_t n = strlen(odd[i]);
        char *b = malloc(n);
        memcpy(b, odd[i], n);
        (void)hsql_shape_hash(b, n);
        (void)hsql_stmt_class(b, n);
        free(b);
    }
}

static void second_statements(void **state)
{
    struct {
        const char *sql;
        long at; /* -1: none */
    } cases[] = {
        {"SELECT 1", -1},
        {"SELECT 1;", -1},
        {"SELECT 1 ;  \n ; ", -1},
        {"SELECT 1; -- trailing comment", -1},
        {"SELECT 1; # note", -1},
        {"SELECT 1; /* c */", -1},
        {"SELECT 'a;b'", -1},
        {"SELECT 'it\\'s; fine'", -1},
        {"SELECT \"x;y\"", -1},
        {"SELECT `a;b` FROM t", -1},
        {"SELECT 'a''b;c'", -1},
        {"SELECT 1 -- ; DROP\n", -1},
        {"SELECT /* ; */ 1", -1},
        {"SELECT 1; SELECT 2", 10},
        {"SELECT 1;SELECT 2", 9},
        {"SELECT 1; 'x'", 10},
        {"SELECT 1; /* c */ DROP TABLE t", 18},
        {"SELECT 1;\n-- c\nDELETE FROM t", 15},
        {"SELECT 'unterminated; x", -1},
        {"SELECT 1 --", -1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t n = strlen(cases[k].sql), at = 0;
        char *b = malloc(n ? n : 1); /* exact size: ASan catches reads past the end */
        memcpy(b, cases[k].sql, n);
        bool second = hsql_second_stmt(b, n, &at);
        if (cases[k].at < 0) {
            if (second)
                fail_msg("case %zu (%s): unexpected second statement at %zu", k, cases[k].sql, at);
        } else {
            if (!second || (long)at != cases[k].at)
                fail_msg("case %zu (%s): want %ld, got %d/%zu", k, cases[k].sql, cases[k].at,
                         second, at);
        }
        free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(classes), cmocka_unit_test(shapes),
                                       cmocka_unit_test(second_statements)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_lexer.c — the MySQL dialect lexer: token kinds, string escapes, comments (incl. version
 * comments), placeholders and variables, whitespace and the trailing ';', and every input split
 * at every byte boundary (the lexer must never read past the end). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sql_lexer.h"

static hsql_toks_t T;

static int lex(const char *s)
{
    hsql_lex_err_t e;
    if (hsql_lex(s, strlen(s), &T, &e) < 0)
        return -1;
    return (int)T.n - 1;
}

static void test_kinds(void **state)
{
    (void)state;
    const char *s = "  SELECT `a``b`, 'x\\'y', \"dq\", 12, 1.5, .5e3, 0x41, X'42', b'101', ?, @u, "
                    "@@SESSION.sql_mode, a<=>b, c!=d, e||f ; ";
    assert_int_equal(lex(s), 37);
    assert_int_equal(T.v[0].type, HSQL_TK_WORD);
    assert_true(hsql_tok_is(s, &T.v[0], "SELECT"));
    assert_int_equal(T.v[1].type, HSQL_TK_QIDENT);
    char buf[64];
    hsql_ident_decode(s, &T.v[1], buf);
    assert_string_equal(buf, "a`b");
    assert_int_equal(T.v[3].type, HSQL_TK_STR);
    size_t n = hsql_str_decode(s, &T.v[3], buf);
    buf[n] = 0;
    assert_string_equal(buf, "x'y");
    assert_int_equal(T.v[5].type, HSQL_TK_STR);
    assert_true(T.v[5].flags & HSQL_TKF_DQUOTE);
    assert_int_equal(T.v[7].type, HSQL_TK_INT);
    assert_int_equal(T.v[9].type, HSQL_TK_DEC);
    assert_int_equal(T.v[11].type, HSQL_TK_DEC);
    assert_int_equal(T.v[13].type, HSQL_TK_HEX);
    assert_int_equal(T.v[15].type, HSQL_TK_HEX);
    assert_int_equal(T.v[17].type, HSQL_TK_BITS);
    assert_int_equal(T.v[19].type, HSQL_TK_PARAM);
    assert_int_equal(T.v[21].type, HSQL_TK_UVAR);
    assert_int_equal(T.v[23].type, HSQL_TK_SYSVAR);
    assert_int_equal(T.v[23].len, strlen("@@SESSION.sql_mode"));
    assert_true(hsql_tok_op(s, &T.v[26], "<=>"));
    assert_true(hsql_tok_op(s, &T.v[30], "!="));
    assert_true(hsql_tok_op(s, &T.v[34], "||"));
    assert_int_equal(T.v[37].type, HSQL_TK_EOF);
    assert_int_equal(T.v[36].type, HSQL_TK_SEMI);
}

static void test_escapes(void **state)
{
    (void)state;
    const char *s = "'\\0\\n\\r\\t\\Z\\\\\\\"\\%\\_\\q''x'";
    assert_int_equal(lex(s), 1);
    char buf[64];
    size_t n = hsql_str_decode(s, &T.v[0], buf);
    const char want[] = "\0\n\r\t\032\\\"\\%\\_q'x";
    assert_int_equal(n, sizeof want - 1);
    assert_memory_equal(buf, want, n);
}

static void test_comments(void **state)
{
    (void)state;
    assert_int_equal(lex("SELECT /* c */ 1 # rest\n + -- x\n 2"), 4);
    assert_int_equal(lex("SELECT 1--2"), 5); /* `--` without a space is minus minus */
    const char *s = "CREATE TABLE t (a int) /*!40101 ENGINE=InnoDB */ /*! DEFAULT CHARSET=utf8 */";
    int n = lex(s);
    assert_int_equal(n, 14);
    assert_true(hsql_tok_is(s, &T.v[7], "ENGINE"));
    assert_true(hsql_tok_is(s, &T.v[10], "DEFAULT"));
    assert_int_equal(lex("SELECT 1 /* unterminated"), -1);
    assert_int_equal(lex("SELECT 'unterminated"), -1);
    assert_int_equal(lex("SELECT `x"), -1);
    assert_int_equal(lex(""), 0);
    assert_int_equal(lex("   \n\t "), 0);
}

static void test_every_split(void **state)
{
    (void)state;
    /* lexing every prefix must neither crash nor read beyond it */
    const char *s = "SELECT `a`, 'b\\'c', /*!50000 x */ 0x1F, @@global.x, ? # c\n-- d\n;";
    size_t n = strlen(s);
    for (size_t k = 0; k <= n; k++) {
        char *buf = malloc(k ? k : 1);
        memcpy(buf, s, k);
        hsql_lex_err_t e;
        int rc = hsql_lex(buf, k, &T, &e);
        if (rc == 0)
            for (size_t i = 0; i < T.n; i++)
                assert_true(T.v[i].off + T.v[i].len <= k);
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_every_split),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    hsql_toks_free(&T);
    return r;
}

/* test_translate.c — MySQL→SQLite translation of DML, checked on the SQLite text produced:
 * literals become ?N parameters (not in the select list, not ORDER BY positions), LIMIT a,b,
 * SQL_CALC_FOUND_ROWS, backticks, operators, functions, INSERT IGNORE / ODKU, text columns
 * compared with numbers, expression column names kept as written. */
#include "sqltest.h"

#include "sql_int.h"

static env_t *g_env;

static int setup(void **state)
{
    (void)state;
    g_env = env_new("d");
    QOK(g_env->s, &g_env->r,
        "CREATE TABLE wp_options (option_id bigint(20) unsigned NOT NULL auto_increment,"
        " option_name varchar(191) NOT NULL default '', option_value longtext NOT NULL,"
        " autoload varchar(20) NOT NULL default 'yes', PRIMARY KEY (option_id),"
        " UNIQUE KEY option_name (option_name))");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    env_free(g_env);
    return 0;
}

/* Translates sql; returns the SQLite text (static buffer) and the parameter count. */
static const char *xl(const char *sql, int *nparams)
{
    static char out[4096];
    hsql_toks_t tk = {0};
    hsql_lex_err_t le;
    assert_int_equal(hsql_lex(sql, strlen(sql), &tk, &le), 0);
    int n = (int)tk.n - 1;
    while (n > 0 && tk.v[n - 1].type == HSQL_TK_SEMI)
        n--;
    uint8_t fl[512];
    int ord[512];
    int np = hsql_mark_params(sql, tk.v, 0, n, fl, ord);
    hsql_error_t err;
    hsql_xl_t *x = hsql_translate(g_env->s, sql, tk.v, 0, n, fl, ord, &err);
    if (!x)
        print_error("translate failed: %s: %s\n", sql, err.msg);
    assert_non_null(x);
    snprintf(out, sizeof out, "%s", x->sql);
    if (nparams)
        *nparams = np;
    hsql_xl_free(x);
    hsql_toks_free(&tk);
    return out;
}

#define HAS(sql, frag)                                                                            \
    do {                                                                                          \
        const char *o_ = (sql);                                                                   \
        if (!strstr(o_, (frag))) {                                                                \
            print_error("missing [%s] in [%s]\n", (frag), o_);                                    \
            fail();                                                                               \
        }                                                                                         \
    } while (0)

static void test_params(void **state)
{
    (void)state;
    int np;
    const char *o = xl("SELECT option_value FROM wp_options WHERE option_name = 'siteurl' LIMIT 1", &np);
    assert_int_equal(np, 2);
    HAS(o, "option_name = ?1");
    HAS(o, "LIMIT ?2");
    o = xl("SELECT COUNT( 1 ), 'lit' AS x FROM wp_options ORDER BY 1 DESC LIMIT 5, 10", &np);
    assert_int_equal(np, 2);
    HAS(o, "AS \"COUNT( 1 )\"");
    HAS(o, "ORDER BY 1 DESC");
    HAS(o, "LIMIT ?2 OFFSET ?1");
    o = xl("SELECT c FROM sbtest1 WHERE id=?", &np);
    assert_int_equal(np, 1);
    HAS(o, "id = ?1");
}

static void test_rewrites(void **state)
{
    (void)state;
    const char *o = xl("SELECT `option_value` FROM `wp_options` WHERE a = 1 || b <=> 2 && !c", NULL);
    HAS(o, "\"option_value\"");
    HAS(o, "OR");
    HAS(o, " IS ");
    HAS(o, "AND");
    o = xl("SELECT SQL_CALC_FOUND_ROWS option_id FROM wp_options LIMIT 0, 10", NULL);
    assert_null(strstr(o, "LIMIT"));
    assert_null(strstr(o, "SQL_CALC"));
    o = xl("SELECT ID FROM wp_posts WHERE post_status = 'draft' AND DATE_SUB(NOW(), INTERVAL 7 DAY) > post_date", NULL);
    HAS(o, "hsql_date_sub( hsql_now(), ?2, 'DAY')");
    o = xl("SELECT option_id FROM wp_options WHERE option_value < 1795238784", NULL);
    HAS(o, "( option_value+0) < ?1");
    o = xl("SELECT option_id FROM wp_options WHERE option_id < 5", NULL);
    assert_null(strstr(o, "+0"));
    o = xl("INSERT IGNORE INTO wp_options (option_name, option_value) VALUES ('a', 'b')", NULL);
    HAS(o, "INSERT OR IGNORE INTO \"wp_options\"");
    o = xl("INSERT INTO `wp_options` (`option_name`, `option_value`) VALUES ('a', 'b') ON DUPLICATE KEY "
           "UPDATE `option_value` = VALUES(`option_value`)", NULL);
    HAS(o, "ON CONFLICT (\"option_id\") DO UPDATE SET");
    HAS(o, "ON CONFLICT (\"option_name\") DO UPDATE SET");
    HAS(o, "excluded.\"option_value\"");
    o = xl("SELECT CAST(option_value AS BINARY), CAST(option_id AS UNSIGNED), IF(1, 2, 3), "
           "GROUP_CONCAT(option_name SEPARATOR ';') FROM wp_options FOR UPDATE", NULL);
    HAS(o, "COLLATE BINARY");
    HAS(o, "hsql_cast_int(");
    HAS(o, "iif(");
    HAS(o, "group_concat( option_name, ';')");
    assert_null(strstr(o, "FOR UPDATE"));
    o = xl("DELETE a, b FROM wp_options a, wp_options b WHERE a.option_name = b.option_name", NULL);
    HAS(o, "SELECT \"a\".rowid, \"b\".rowid FROM");
    o = xl("SELECT * FROM d.wp_options USE INDEX (option_name) WHERE option_name LIKE 'a\\\\_%'", NULL);
    HAS(o, "FROM wp_options WHERE");
    assert_null(strstr(o, "INDEX"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_rewrites),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

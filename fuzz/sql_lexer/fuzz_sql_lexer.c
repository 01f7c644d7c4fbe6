/* fuzz_sql_lexer.c — libFuzzer target for the SQL side of HarvSQL: every input is lexed, split
 * into statements; DML is marked for parameters, translated against a small catalog and
 * prepared by SQLite (not stepped: no side effects); CREATE TABLE is parsed, rendered as
 * SHOW CREATE TABLE, re-parsed and turned into SQLite DDL. Invariants are checked with abort().
 * The engine lives in a temporary state directory made once per process. */
#include "sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static hsql_engine_t *g_eng;
static hsql_session_t *g_s;
static char g_dir[64];

static int nop_cols(void *c, const hsql_col_t *cols, unsigned n) { return 0; }
static int nop_row(void *c, const hsql_value_t *v, unsigned n) { return 0; }
static int nop_eof(void *c, uint16_t st, uint16_t w) { return 0; }
static int nop_ok(void *c, const hsql_ok_t *ok) { return 0; }

static void cleanup(void)
{
    hsql_session_free(g_s);
    hsql_engine_free(g_eng);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) {
        /* best effort */
    }
}

static void setup(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/hsql-fuzz-XXXXXX");
    if (!mkdtemp(g_dir))
        abort();
    hsql_engine_cfg_t cfg = {g_dir, 1, 100, NULL};
    hsql_error_t err;
    g_eng = hsql_engine_new(&cfg, &err);
    if (!g_eng || hsql_engine_create_db(g_eng, "f", &err) < 0)
        abort();
    hsql_session_info_t info = {"fuzz", "localhost", false, true};
    g_s = hsql_session_new(g_eng, &info, "f", &err);
    if (!g_s)
        abort();
    const char *ddl = "CREATE TABLE wp_options (option_id bigint(20) unsigned NOT NULL auto_increment,"
                      " option_name varchar(191) NOT NULL default '', option_value longtext NOT NULL,"
                      " autoload varchar(20) NOT NULL default 'yes', PRIMARY KEY (option_id),"
                      " UNIQUE KEY option_name (option_name), KEY autoload (autoload));"
                      "CREATE TABLE t (id int primary key, d datetime, n decimal(10,2), s char(3))";
    hsql_sink_t k = {NULL, nop_cols, nop_row, nop_eof, nop_ok};
    if (hsql_session_query(g_s, ddl, strlen(ddl), &k, &err) < 0)
        abort();
    atexit(cleanup);
}

static void check_toks(const char *src, size_t len, const hsql_toks_t *tk)
{
    if (tk->n == 0 || tk->v[tk->n - 1].type != HSQL_TK_EOF)
        abort();
    uint32_t prev = 0;
    for (size_t i = 0; i + 1 < tk->n; i++) {
        const hsql_tok_t *t = &tk->v[i];
        if ((size_t)t->off + t->len > len || t->len == 0 || t->off < prev)
            abort();
        prev = t->off;
        if (t->type == HSQL_TK_STR) {
            char *buf = malloc(t->len + 1);
            size_t n = hsql_str_decode(src, t, buf);
            if (n > t->len)
                abort();
            free(buf);
        }
    }
}

static void one_create(const char *src, const hsql_tok_t *t, int b, int e)
{
    hsql_error_t err;
    hsql_table_t *tb = hsql_ddl_parse_create(src, t, b, e, NULL, NULL, &err);
    if (!tb)
        return;
    base_buf_t r;
    base_buf_init(&r);
    hsql_table_render(tb, &r, false, 0);
    base_buf_append(&r, "", 1);
    hsql_toks_t t2 = {0};
    hsql_lex_err_t le;
    if (hsql_lex(r.data, r.len - 1, &t2, &le) < 0)
        abort(); /* our own rendering must lex */
    hsql_table_t *tb2 = hsql_ddl_parse_create(r.data, t2.v, 0, (int)t2.n - 1, NULL, NULL, &err);
    if (!tb2 || tb2->ncols != tb->ncols || tb2->nidx != tb->nidx)
        abort(); /* ... and parse back to the same shape */
    base_buf_t d;
    base_buf_init(&d);
    hsql_table_sqlite_ddl(tb, tb->name, &d);
    base_buf_fini(&d);
    hsql_table_free(tb2);
    hsql_toks_free(&t2);
    base_buf_fini(&r);
    hsql_table_free(tb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    if (!g_eng)
        setup();
    /* exactly sized, not NUL-terminated: like a packet, so reads past the text are caught */
    char *src = malloc(size ? size : 1);
    memcpy(src, data, size);
    hsql_toks_t tk = {0};
    hsql_lex_err_t le;
    if (hsql_lex(src, size, &tk, &le) == 0) {
        check_toks(src, size, &tk);
        int n = (int)tk.n - 1, b = 0;
        uint8_t *fl = malloc((size_t)n + 1);
        int *ord = malloc(sizeof(int) * ((size_t)n + 1));
        for (int i = 0; i <= n; i++) {
            if (i < n && tk.v[i].type != HSQL_TK_SEMI)
                continue;
            if (i > b) {
                if (hsql_is_dml(src, tk.v, b, i)) {
                    hsql_mark_params(src, tk.v, b, i, fl, ord);
                    hsql_error_t err;
                    hsql_xl_t *xl = hsql_translate(g_s, src, tk.v, b, i, fl, ord, &err);
                    if (xl) {
                        sqlite3_stmt *st = NULL;
                        if (!xl->infoschema)
                            sqlite3_prepare_v2(g_s->conn, xl->sql, -1, &st, NULL);
                        sqlite3_finalize(st);
                        hsql_xl_free(xl);
                    } else if (err.code == 0) {
                        abort(); /* a failure always says why */
                    }
                } else if (hsql_tok_is(src, &tk.v[b], "CREATE")) {
                    one_create(src, tk.v, b, i);
                }
            }
            b = i + 1;
        }
        free(fl);
        free(ord);
    }
    hsql_toks_free(&tk);
    free(src);
    return 0;
}

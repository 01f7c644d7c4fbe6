/* sqltest.h — helpers for the SQL-side engine tests: a sink that records what a query
 * produced (columns, rows as text, OK fields), a temporary state directory, and one-line
 * query helpers that fail the test with the MySQL error text. Header-only (static). */
#ifndef HSQL_SQLTEST_H
#define HSQL_SQLTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hsql_engine.h"

#define RS_MAXCOL 32
#define RS_MAXROW 512

typedef struct rs {
    unsigned ncols;
    hsql_col_t cols[RS_MAXCOL];
    char colnames[RS_MAXCOL][256];
    char *v[RS_MAXROW][RS_MAXCOL]; /* NULL = SQL NULL */
    int kind[RS_MAXROW][RS_MAXCOL];
    unsigned nrows;
    bool is_ok, got_eof;
    hsql_ok_t ok;
    char info[256];
    int nresults;
} rs_t;

static inline void rs_clear(rs_t *r)
{
    for (unsigned i = 0; i < r->nrows && i < RS_MAXROW; i++)
        for (unsigned c = 0; c < r->ncols && c < RS_MAXCOL; c++)
            free(r->v[i][c]);
    memset(r, 0, sizeof *r);
}

static inline int rs_on_columns(void *ctx, const hsql_col_t *cols, unsigned n)
{
    rs_t *r = ctx;
    for (unsigned i = 0; i < r->nrows && i < RS_MAXROW; i++)
        for (unsigned c = 0; c < r->ncols && c < RS_MAXCOL; c++)
            free(r->v[i][c]);
    r->nrows = 0;
    r->ncols = n < RS_MAXCOL ? n : RS_MAXCOL;
    for (unsigned i = 0; i < r->ncols; i++) {
        r->cols[i] = cols[i];
        snprintf(r->colnames[i], sizeof r->colnames[i], "%s", cols[i].name);
        r->cols[i].name = r->colnames[i];
        r->cols[i].db = r->cols[i].table = r->cols[i].org_table = r->cols[i].org_name = "";
    }
    r->is_ok = false;
    r->got_eof = false;
    r->nresults++;
    return 0;
}

static inline int rs_on_row(void *ctx, const hsql_value_t *vals, unsigned n)
{
    rs_t *r = ctx;
    if (r->nrows >= RS_MAXROW)
        return 0;
    for (unsigned c = 0; c < n && c < RS_MAXCOL; c++) {
        r->kind[r->nrows][c] = vals[c].kind;
        if (vals[c].kind == HSQL_VAL_NULL) {
            r->v[r->nrows][c] = NULL;
        } else {
            char *s = malloc(vals[c].len + 1);
            memcpy(s, vals[c].s, vals[c].len);
            s[vals[c].len] = 0;
            r->v[r->nrows][c] = s;
        }
    }
    r->nrows++;
    return 0;
}

static inline int rs_on_eof(void *ctx, uint16_t status, uint16_t warnings)
{
    rs_t *r = ctx;
    r->got_eof = true;
    r->ok.status = status;
    r->ok.warnings = warnings;
    return 0;
}

static inline int rs_on_ok(void *ctx, const hsql_ok_t *ok)
{
    rs_t *r = ctx;
    for (unsigned i = 0; i < r->nrows && i < RS_MAXROW; i++)
        for (unsigned c = 0; c < r->ncols && c < RS_MAXCOL; c++)
            free(r->v[i][c]);
    r->nrows = 0;
    r->ncols = 0;
    r->is_ok = true;
    r->ok = *ok;
    snprintf(r->info, sizeof r->info, "%s", ok->info ? ok->info : "");
    r->ok.info = r->info;
    r->nresults++;
    return 0;
}

static inline hsql_sink_t rs_sink(rs_t *r)
{
    hsql_sink_t s = {r, rs_on_columns, rs_on_row, rs_on_eof, rs_on_ok};
    return s;
}

/* Runs sql; on error fails the test (printing the MySQL error). */
static inline void qok_at(hsql_session_t *s, rs_t *r, const char *sql, const char *file, int line)
{
    rs_clear(r);
    hsql_sink_t k = rs_sink(r);
    hsql_error_t e;
    memset(&e, 0, sizeof e);
    if (hsql_session_query(s, sql, strlen(sql), &k, &e) != 0) {
        print_error("%s:%d: query failed: %s\n  %u (%s) %s\n", file, line, sql, e.code, e.sqlstate,
                    e.msg);
        _fail(file, line);
    }
}
#define QOK(s, r, sql) qok_at((s), (r), (sql), __FILE__, __LINE__)

/* Runs sql expecting MySQL error `code`; returns the error. */
static inline hsql_error_t qerr_at(hsql_session_t *s, rs_t *r, const char *sql, uint16_t code,
                            const char *file, int line)
{
    rs_clear(r);
    hsql_sink_t k = rs_sink(r);
    hsql_error_t e;
    memset(&e, 0, sizeof e);
    int rc = hsql_session_query(s, sql, strlen(sql), &k, &e);
    if (rc == 0 || e.code != code) {
        print_error("%s:%d: expected error %u for: %s\n  got rc %d: %u (%s) %s\n", file, line, code,
                    sql, rc, e.code, e.sqlstate, e.msg);
        _fail(file, line);
    }
    return e;
}
#define QERR(s, r, sql, code) qerr_at((s), (r), (sql), (code), __FILE__, __LINE__)

/* Value of row/col as text ("NULL" for NULL). */
static inline const char *V(rs_t *r, unsigned row, unsigned col)
{
    if (row >= r->nrows || col >= r->ncols)
        return "<none>";
    return r->v[row][col] ? r->v[row][col] : "NULL";
}

/* Runs sql and returns the single value of the first row (static buffer). */
static inline const char *q1_at(hsql_session_t *s, const char *sql, const char *file, int line)
{
    static rs_t r;
    static char buf[4096];
    qok_at(s, &r, sql, file, line);
    snprintf(buf, sizeof buf, "%s", V(&r, 0, 0));
    rs_clear(&r);
    return buf;
}
#define Q1(s, sql) q1_at((s), (sql), __FILE__, __LINE__)

static inline char *mk_state_dir(void)
{
    char tmpl[] = "/tmp/hsql-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static inline void rm_state_dir(char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        /* best effort */
    }
    free(dir);
}

typedef struct env {
    char *dir;
    hsql_engine_t *eng;
    hsql_session_t *s;
    rs_t r;
} env_t;

static inline env_t *env_new(const char *db)
{
    env_t *e = calloc(1, sizeof *e);
    e->dir = mk_state_dir();
    hsql_engine_cfg_t cfg = {e->dir, 1, 2000, "8.0.35-HarvSQL"};
    hsql_error_t err;
    e->eng = hsql_engine_new(&cfg, &err);
    assert_non_null(e->eng);
    if (db)
        assert_int_equal(hsql_engine_create_db(e->eng, db, &err), 0);
    hsql_session_info_t info = {"root", "127.0.0.1:5000", false, true};
    e->s = hsql_session_new(e->eng, &info, db, &err);
    if (!e->s)
        print_error("session: %s\n", err.msg);
    assert_non_null(e->s);
    return e;
}

static inline void env_free(env_t *e)
{
    rs_clear(&e->r);
    hsql_session_free(e->s);
    hsql_engine_free(e->eng);
    rm_state_dir(e->dir);
    free(e);
}

#endif

/* fake_engine.c — a test-only stand-in for the SQL side behind hsql_engine.h: SQL goes to
 * SQLite unchanged (no MySQL translation). It lets the protocol side be exercised end to end
 * (hsql_fake_server) independently of the real engine. Never linked into build/harv. */
#include "hsql_engine.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hsql_engine {
    char dir[1024];
    unsigned next_id;
};
struct hsql_session {
    hsql_engine_t *eng;
    sqlite3 *db;
    uint32_t id;
    char dbname[128];
};
struct hsql_stmt {
    hsql_session_t *s;
    sqlite3_stmt *st;
    hsql_col_t *cols;
    unsigned ncols;
};

static void fail(hsql_error_t *e, uint16_t code, const char *state, const char *msg)
{
    e->code = code;
    snprintf(e->sqlstate, sizeof e->sqlstate, "%s", state);
    snprintf(e->msg, sizeof e->msg, "%s", msg);
}

hsql_engine_t *hsql_engine_new(const hsql_engine_cfg_t *cfg, hsql_error_t *err)
{
    hsql_engine_t *e = calloc(1, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "%s", cfg->state_dir);
    return e;
}
void hsql_engine_free(hsql_engine_t *eng) { free(eng); }
int hsql_engine_create_db(hsql_engine_t *eng, const char *name, hsql_error_t *err) { return 0; }
bool hsql_engine_db_exists(hsql_engine_t *eng, const char *name) { return true; }
void hsql_engine_statistics(hsql_engine_t *eng, char *buf, size_t len)
{
    snprintf(buf, len, "Uptime: 1  Threads: 1  Questions: 0");
}

static int open_db(hsql_session_t *s, const char *db, hsql_error_t *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.db", s->eng->dir, db);
    sqlite3 *h;
    if (sqlite3_open(path, &h) != SQLITE_OK) {
        fail(err, 1049, "42000", "Unknown database");
        sqlite3_close(h);
        return -1;
    }
    sqlite3_exec(h, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    sqlite3_busy_timeout(h, 5000);
    if (s->db)
        sqlite3_close(s->db);
    s->db = h;
    snprintf(s->dbname, sizeof s->dbname, "%s", db);
    return 0;
}

hsql_session_t *hsql_session_new(hsql_engine_t *eng, const hsql_session_info_t *info,
                                 const char *db, hsql_error_t *err)
{
    hsql_session_t *s = calloc(1, sizeof *s);
    s->eng = eng;
    s->id = __atomic_add_fetch(&eng->next_id, 1, __ATOMIC_RELAXED);
    if (open_db(s, db ? db : "default", err) != 0) {
        free(s);
        return NULL;
    }
    return s;
}
void hsql_session_free(hsql_session_t *s)
{
    sqlite3_close(s->db);
    free(s);
}
bool hsql_session_try_free(hsql_session_t *s)
{
    (void)s;
    return false; /* the protocol tests keep closing through a worker */
}

int hsql_session_use(hsql_session_t *s, const char *db, hsql_error_t *err)
{
    return open_db(s, db, err);
}
void hsql_session_reset(hsql_session_t *s) { sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); }
uint16_t hsql_session_status(hsql_session_t *s)
{
    return sqlite3_get_autocommit(s->db) ? HSQL_STATUS_AUTOCOMMIT : HSQL_STATUS_IN_TRANS;
}
uint32_t hsql_session_id(hsql_session_t *s) { return s->id; }
void hsql_session_set_nonblocking(hsql_session_t *s, bool on) { (void)s, (void)on; }

static void describe(sqlite3_stmt *st, hsql_col_t *cols, unsigned n, const char *db)
{
    for (unsigned i = 0; i < n; i++) {
        const char *dt = sqlite3_column_decltype(st, (int)i);
        bool isint = dt && strstr(dt, "INT");
        cols[i] = (hsql_col_t){.db = db, .table = "", .org_table = "",
                               .name = sqlite3_column_name(st, (int)i), .org_name = "",
                               .charset = isint ? 63 : 255, .length = isint ? 20 : 1024,
                               .type = isint ? HSQL_TYPE_LONGLONG : HSQL_TYPE_VAR_STRING};
        if (!cols[i].name)
            cols[i].name = "";
    }
}

static int run(hsql_session_t *s, sqlite3_stmt *st, const hsql_sink_t *sink, hsql_error_t *err,
               uint16_t more)
{
    unsigned n = (unsigned)sqlite3_column_count(st);
    if (n == 0) {
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            fail(err, 1064, "42000", sqlite3_errmsg(s->db));
            return -1;
        }
        hsql_ok_t ok = {.affected_rows = (uint64_t)sqlite3_changes(s->db),
                        .insert_id = (uint64_t)sqlite3_last_insert_rowid(s->db),
                        .status = (uint16_t)(hsql_session_status(s) | more), .info = ""};
        return sink->on_ok(sink->ctx, &ok) ? (fail(err, 2013, "HY000", "gone"), -1) : 0;
    }
    hsql_col_t cols[64];
    hsql_value_t vals[64];
    if (n > 64)
        n = 64;
    describe(st, cols, n, s->dbname);
    if (sink->on_columns(sink->ctx, cols, n))
        return fail(err, 2013, "HY000", "gone"), -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (unsigned i = 0; i < n; i++) {
            int t = sqlite3_column_type(st, (int)i);
            vals[i] = (hsql_value_t){.kind = t == SQLITE_NULL ? HSQL_VAL_NULL
                                     : t == SQLITE_INTEGER ? HSQL_VAL_INT
                                     : t == SQLITE_FLOAT ? HSQL_VAL_DOUBLE : HSQL_VAL_TEXT};
            vals[i].i = sqlite3_column_int64(st, (int)i);
            vals[i].d = sqlite3_column_double(st, (int)i);
            vals[i].s = (const char *)sqlite3_column_text(st, (int)i);
            vals[i].len = (size_t)sqlite3_column_bytes(st, (int)i);
        }
        if (sink->on_row(sink->ctx, vals, n))
            return fail(err, 2013, "HY000", "gone"), -1;
    }
    if (rc != SQLITE_DONE) {
        fail(err, 1064, "42000", sqlite3_errmsg(s->db));
        return -1;
    }
    if (sink->on_eof(sink->ctx, (uint16_t)(hsql_session_status(s) | more), 0))
        return fail(err, 2013, "HY000", "gone"), -1;
    return 0;
}

int hsql_session_query(hsql_session_t *s, const char *sql, size_t len, const hsql_sink_t *sink,
                       hsql_error_t *err)
{
    const char *p = sql, *end = sql + len;
    while (p < end) {
        sqlite3_stmt *st = NULL;
        const char *tail;
        if (sqlite3_prepare_v2(s->db, p, (int)(end - p), &st, &tail) != SQLITE_OK) {
            fail(err, 1064, "42000", sqlite3_errmsg(s->db));
            return -1;
        }
        if (!st)
            break;
        const char *q = tail;
        while (q < end && (*q == ' ' || *q == '\n' || *q == ';'))
            q++;
        int rc = run(s, st, sink, err, q < end ? HSQL_STATUS_MORE_RESULTS : 0);
        sqlite3_finalize(st);
        if (rc)
            return rc;
        p = tail;
    }
    return 0;
}

int hsql_session_field_list(hsql_session_t *s, const char *table, const char *wild,
                            const hsql_sink_t *sink, hsql_error_t *err)
{
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" LIMIT 0", table);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail(err, 1146, "42S02", "Table doesn't exist");
        return -1;
    }
    hsql_col_t cols[64];
    unsigned n = (unsigned)sqlite3_column_count(st);
    describe(st, cols, n > 64 ? 64 : n, s->dbname);
    int rc = sink->on_columns(sink->ctx, cols, n > 64 ? 64 : n) ||
             sink->on_eof(sink->ctx, HSQL_STATUS_AUTOCOMMIT, 0);
    sqlite3_finalize(st);
    return rc ? -1 : 0;
}

int hsql_stmt_prepare(hsql_session_t *s, const char *sql, size_t len, hsql_stmt_t **out,
                      unsigned *nparams, const hsql_col_t **cols, unsigned *ncols,
                      hsql_error_t *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, (int)len, &st, NULL) != SQLITE_OK || !st) {
        fail(err, 1064, "42000", sqlite3_errmsg(s->db));
        return -1;
    }
    hsql_stmt_t *h = calloc(1, sizeof *h);
    h->s = s;
    h->st = st;
    h->ncols = (unsigned)sqlite3_column_count(st);
    h->cols = calloc(h->ncols + 1, sizeof *h->cols);
    describe(st, h->cols, h->ncols, s->dbname);
    *out = h;
    *nparams = (unsigned)sqlite3_bind_parameter_count(st);
    *cols = h->cols;
    *ncols = h->ncols;
    return 0;
}

int hsql_stmt_execute(hsql_stmt_t *h, const hsql_param_t *params, unsigned nparams,
                      const hsql_sink_t *sink, hsql_error_t *err)
{
    sqlite3_reset(h->st);
    for (unsigned i = 0; i < nparams; i++) {
        const hsql_param_t *p = &params[i];
        int k = (int)i + 1;
        if (p->kind == HSQL_VAL_NULL)
            sqlite3_bind_null(h->st, k);
        else if (p->kind == HSQL_VAL_INT || p->kind == HSQL_VAL_UINT)
            sqlite3_bind_int64(h->st, k, p->i);
        else if (p->kind == HSQL_VAL_DOUBLE)
            sqlite3_bind_double(h->st, k, p->d);
        else
            sqlite3_bind_text(h->st, k, p->s, (int)p->len, SQLITE_TRANSIENT);
    }
    int rc = run(h->s, h->st, sink, err, 0);
    sqlite3_reset(h->st);
    return rc;
}

void hsql_stmt_close(hsql_stmt_t *h)
{
    sqlite3_finalize(h->st);
    free(h->cols);
    free(h);
}

/* engine.c — the HarvSQL engine: databases (one SQLite file each), the shared catalog,
 * sessions (one SQLite connection each), the query loop, the translation + statement cache,
 * result streaming with MySQL column definitions, OK semantics and prepared statements.
 * SQL side of HarvSQL; the protocol side calls the functions of hsql_engine.h defined here.
 *
 * Result streaming, the statement cache, DML execution and prepared statements are in
 * engine_exec.c.
 *
 * Hot path of a query (COM_QUERY or COM_STMT_EXECUTE):
 *
 *   text ──hsql_lex──> tokens ──hsql_mark_params──> shape key (literals → markers)
 *        ──cache lookup──> hit: cached translation + prepared sqlite3_stmt
 *                          miss: hsql_translate → sqlite3_prepare_v3 → insert
 *        ──bind literals──> sqlite3_step ... ──convert──> sink (on_columns/on_row/on_eof|on_ok)
 *
 * Session state machine (per hsql_session_t):
 *
 *   NO_DB ──hsql_session_use / USE──> DB(conn on <db>.db) ──USE other──> DB(other)
 *     │                                  │   BEGIN / autocommit=0 + statement
 *     │                                  v
 *     │                               IN_TRANS ──COMMIT/ROLLBACK/DDL(implicit commit)──> DB
 *     └──hsql_session_free (rolls back)──> gone
 *
 * Connections (open_conn / close_conn): a session holds one SQLite connection at a time. When it
 * leaves a database (USE, free) the connection, cleaned (rolled back, TEMPORARY tables dropped),
 * is parked in the engine's pool with its statement cache; the next session on that database
 * adopts it. Autocommit SELECTs keep a read snapshot open between statements (rtxn) until any
 * session writes (commit_gen); writers end idle sessions' stale snapshots (hsql_after_write). */
/* Debian's libsqlite3 is built with the pre-update hook (used to count REPLACE deletes). */
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "sql_int.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

/* ---- errors ------------------------------------------------------------------------------ */
int hsql_err(hsql_error_t *err, uint16_t code, const char *state, const char *fmt, ...)
{
    if (!err)
        return -1;
    err->code = code;
    snprintf(err->sqlstate, sizeof err->sqlstate, "%s", state);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int hsql_err_syntax(hsql_error_t *err, const char *src, size_t len, size_t off)
{
    int line = 1;
    for (size_t k = 0; k < off && k < len; k++)
        if (src[k] == '\n')
            line++;
    size_t n = off < len ? len - off : 0;
    if (n > 80)
        n = 80;
    return hsql_err(err, 1064, "42000",
                    "You have an error in your SQL syntax; check the manual that corresponds to "
                    "your MySQL server version for the right syntax to use near '%.*s' at line %d",
                    (int)n, src + (off < len ? off : len), line);
}

void hsql_warn_add(hsql_session_t *s, const char *level, uint16_t code, const char *fmt, ...)
{
    s->nwarn_total++;
    if (s->nwarn >= HSQL_MAX_WARN)
        return;
    hsql_warn_t *w = &s->warn[s->nwarn++];
    w->code = code;
    snprintf(w->level, sizeof w->level, "%s", level);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->msg, sizeof w->msg, fmt, ap);
    va_end(ap);
}

static const hsql_index_t *find_index_by_cols(const hsql_table_t *tb, const char *cols)
{
    /* cols: "t.a, t.b" from SQLite's message */
    if (!tb)
        return NULL;
    for (int i = 0; i < tb->nidx; i++) {
        const hsql_index_t *ix = &tb->idx[i];
        if (ix->kind != HSQL_IDX_UNIQUE && ix->kind != HSQL_IDX_PRIMARY)
            continue;
        const char *p = cols;
        bool ok = true;
        for (int c = 0; c < ix->ncols && ok; c++) {
            const char *dot = strchr(p, '.');
            if (!dot) {
                ok = false;
                break;
            }
            p = dot + 1;
            size_t n = strcspn(p, ",");
            if (strlen(ix->cols[c]) != n || strncasecmp(p, ix->cols[c], n) != 0)
                ok = false;
            p += n;
            while (*p == ',' || *p == ' ')
                p++;
        }
        if (ok && !*p)
            return ix;
    }
    return NULL;
}

/* The bound value of column ci in VALUES row r (0-based) of a failed INSERT, or NULL. */
static const hsql_bval_t *insert_val(hsql_session_t *s, const hsql_xl_t *xl, int ci, int r)
{
    if (!xl || ci < 0 || ci >= 64 || !xl->colparam[ci] ||
        (xl->lim_off > 1 && xl->colparam_stride <= 0)) /* rows whose values cannot be told */
        return NULL;
    int p = xl->colparam[ci] + r * (r > 0 ? xl->colparam_stride : 0);
    return p > 0 && p <= s->cur_nbv && s->cur_bv ? &s->cur_bv[p - 1] : NULL;
}

static bool bval_eq(const hsql_bval_t *a, const hsql_bval_t *b, bool text)
{
    if (!a || !b || a->kind == HSQL_VAL_NULL || b->kind == HSQL_VAL_NULL)
        return false;
    if (a->kind == HSQL_VAL_TEXT && b->kind == HSQL_VAL_TEXT)
        return text ? hsql_ci_compare(a->s, (int)a->len, b->s, (int)b->len) == 0
                    : a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
    if ((a->kind == HSQL_VAL_INT || a->kind == HSQL_VAL_UINT) &&
        (b->kind == HSQL_VAL_INT || b->kind == HSQL_VAL_UINT))
        return a->i == b->i;
    return false;
}

/* Which VALUES row of a failed multi-row INSERT hit the duplicate key ix: the first whose key
 * is in the table already (the failed statement left it unchanged) or in an earlier row. */
static int dup_row(hsql_session_t *s, const hsql_xl_t *xl, const hsql_table_t *tb,
                   const hsql_index_t *ix)
{
    int nrows = (int)xl->lim_off, ci[16];
    if (nrows < 2 || xl->colparam_stride <= 0 || ix->ncols > 16)
        return 0;
    base_buf_t q;
    base_buf_init(&q);
    base_buf_appendf(&q, "SELECT 1 FROM \"%s\" WHERE ", tb->name);
    for (int c = 0; c < ix->ncols; c++) {
        ci[c] = hsql_col_find(tb, ix->cols[c]);
        base_buf_appendf(&q, "%s\"%s\" = ?%d", c ? " AND " : "", ix->cols[c], c + 1);
    }
    base_buf_appendf(&q, " LIMIT 1");
    base_buf_append(&q, "", 1);
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(s->conn, q.data, -1, &st, NULL) != SQLITE_OK)
        goto done;
    for (int r = 0; r < nrows && !found; r++) {
        bool same = false;
        for (int e = 0; e < r && !same; e++) {
            same = true;
            for (int c = 0; c < ix->ncols && same; c++)
                same = bval_eq(insert_val(s, xl, ci[c], r), insert_val(s, xl, ci[c], e),
                               ci[c] >= 0 && tb->cols[ci[c]].cls == HSQL_CLS_TEXT);
        }
        if (same) {
            found = r;
            break;
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        bool all = true;
        for (int c = 0; c < ix->ncols; c++) {
            const hsql_bval_t *v = insert_val(s, xl, ci[c], r);
            if (!v)
                all = false;
            else if (v->kind == HSQL_VAL_TEXT)
                sqlite3_bind_text(st, c + 1, v->s ? v->s : "", (int)v->len, SQLITE_STATIC);
            else if (v->kind == HSQL_VAL_INT || v->kind == HSQL_VAL_UINT)
                sqlite3_bind_int64(st, c + 1, v->i);
            else
                all = false;
        }
        if (all && sqlite3_step(st) == SQLITE_ROW)
            found = r;
    }
done:
    sqlite3_finalize(st);
    base_buf_fini(&q);
    return found;
}

int hsql_err_sqlite(hsql_session_t *s, int rc, hsql_error_t *err, const hsql_xl_t *xl)
{
    const char *msg = s->conn ? sqlite3_errmsg(s->conn) : "out of memory";
    int ext = s->conn ? sqlite3_extended_errcode(s->conn) : rc;
    const char *db = s->dbname ? s->dbname : "";
    if ((rc & 0xff) == SQLITE_BUSY && s->would_block) {
        s->would_block = false;
        hsql_err(err, 1205, "HY000", "Lock wait timeout exceeded; try restarting transaction");
        return HSQL_AGAIN;
    }
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        if (ext == SQLITE_BUSY_SNAPSHOT || ext == SQLITE_LOCKED_SHAREDCACHE ||
            ((rc & 0xff) == SQLITE_BUSY && hsql_user_txn(s) && !s->busy_timed_out)) {
            /* as InnoDB: the victim's transaction is rolled back; its next one queues */
            if (hsql_user_txn(s)) {
                hsql_rollback(s);
                s->txn_wrote = true;
                hsql_txn_ended(s);
            }
            s->prefer_immediate = true;
            return hsql_err(err, 1213, "40001",
                            "Deadlock found when trying to get lock; try restarting transaction");
        }
        return hsql_err(err, 1205, "HY000", "Lock wait timeout exceeded; try restarting transaction");
    }
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
        const char *cols = strstr(msg, "failed: ");
        const hsql_table_t *tb = xl ? xl->target : NULL;
        const hsql_index_t *ix = cols ? find_index_by_cols(tb, cols + 8) : NULL;
        char val[200] = "";
        size_t vl = 0;
        int row = ix && tb && xl && xl->kind == HSQL_XK_INSERT ? dup_row(s, xl, tb, ix) : 0;
        for (int c = 0; ix && tb && c < ix->ncols; c++) {
            const hsql_bval_t *v = insert_val(s, xl, hsql_col_find(tb, ix->cols[c]), row);
            char one[80] = "";
            if (v && v->kind == HSQL_VAL_TEXT)
                snprintf(one, sizeof one, "%.*s", (int)(v->len < 64 ? v->len : 64), v->s);
            else if (v && (v->kind == HSQL_VAL_INT || v->kind == HSQL_VAL_UINT))
                snprintf(one, sizeof one, "%lld", (long long)v->i);
            else if (v && v->kind == HSQL_VAL_DOUBLE)
                snprintf(one, sizeof one, "%g", v->d);
            vl += (size_t)snprintf(val + vl, sizeof val - vl, "%s%s", c ? "-" : "", one);
            if (vl >= sizeof val)
                break;
        }
        return hsql_err(err, 1062, "23000", "Duplicate entry '%s' for key '%s.%s'", val,
                        tb ? tb->name : "", ix ? ix->name : "PRIMARY");
    }
    if (ext == SQLITE_CONSTRAINT_NOTNULL) {
        const char *c = strstr(msg, "failed: ");
        const char *dot = c ? strchr(c, '.') : NULL;
        return hsql_err(err, 1048, "23000", "Column '%s' cannot be null", dot ? dot + 1 : "?");
    }
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return hsql_err(err, 1452, "23000", "Cannot add or update a child row: %s", msg);
    if (strncmp(msg, "no such table: ", 15) == 0) {
        const char *t = msg + 15;
        if (strncmp(t, "main.", 5) == 0)
            t += 5;
        if (strchr(t, '.'))
            return hsql_err(err, 1146, "42S02", "Table '%s' doesn't exist", t);
        return hsql_err(err, 1146, "42S02", "Table '%s.%s' doesn't exist", db, t);
    }
    if (strncmp(msg, "no such column: ", 16) == 0)
        return hsql_err(err, 1054, "42S22", "Unknown column '%s' in 'field list'", msg + 16);
    if (strncmp(msg, "ambiguous column name: ", 23) == 0)
        return hsql_err(err, 1052, "23000", "Column '%s' in field list is ambiguous", msg + 23);
    if (strncmp(msg, "no such function: ", 18) == 0)
        return hsql_err(err, 1305, "42000", "FUNCTION %s.%s does not exist", db[0] ? db : "mysql",
                        msg + 18);
    if (strstr(msg, "wrong number of arguments to function "))
        return hsql_err(err, 1582, "42000", "Incorrect parameter count in the call to native function '%s'",
                        msg + strlen("wrong number of arguments to function "));
    if (strstr(msg, "misuse of aggregate"))
        return hsql_err(err, 1111, "HY000", "Invalid use of group function");
    if (strstr(msg, "sub-select returns") || strstr(msg, "row value misused"))
        return hsql_err(err, 1241, "21000", "Operand should contain 1 column(s)");
    if (strstr(msg, "syntax error") || strstr(msg, "incomplete input") ||
        strstr(msg, "unrecognized token")) {
        char *cur = base_xmalloc(s->cur_len + 1);
        if (s->cur_info)
            memcpy(cur, s->cur_info, s->cur_len);
        cur[s->cur_info ? s->cur_len : 0] = 0;
        const char *near = strstr(msg, "near \"");
        size_t off = strlen(cur);
        if (near) {
            char tok[64];
            size_t n = strcspn(near + 6, "\"");
            if (n >= sizeof tok)
                n = sizeof tok - 1;
            memcpy(tok, near + 6, n);
            tok[n] = 0;
            const char *f = n ? strstr(cur, tok) : NULL;
            if (f)
                off = (size_t)(f - cur);
        }
        int r = hsql_err_syntax(err, cur, strlen(cur), off);
        free(cur);
        return r;
    }
    if ((rc & 0xff) == SQLITE_FULL)
        return hsql_err(err, 1114, "HY000", "The table is full");
    if ((rc & 0xff) == SQLITE_READONLY)
        return hsql_err(err, 1036, "HY000", "Table is read only");
    if (strstr(msg, "already exists"))
        return hsql_err(err, 1050, "42S01", "%s", msg);
    if (strncmp(msg, "hsql:", 5) == 0) {
        /* errors raised by our SQL functions: "hsql:CODE:STATE:text" */
        unsigned code = (unsigned)strtoul(msg + 5, NULL, 10);
        const char *p = strchr(msg + 5, ':');
        if (p && strlen(p) > 7)
            return hsql_err(err, (uint16_t)code, "", "%s", p + 7), snprintf(err->sqlstate, 6, "%.5s", p + 1), -1;
    }
    return hsql_err(err, 1105, "HY000", "Unknown error: %s", msg);
}

/* ---- engine ------------------------------------------------------------------------------ */
static int mkdirs(const char *path)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0750) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(tmp, 0750) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

hsql_engine_t *hsql_engine_new(const hsql_engine_cfg_t *cfg, hsql_error_t *err)
{
    if (!cfg || !cfg->state_dir) {
        hsql_err(err, 1105, "HY000", "no state directory");
        return NULL;
    }
    if (mkdirs(cfg->state_dir) < 0) {
        hsql_err(err, 1105, "HY000", "cannot create %s: %s", cfg->state_dir, strerror(errno));
        return NULL;
    }
    hsql_engine_t *e = base_xcalloc(1, sizeof *e);
    e->dir = base_xstrdup(cfg->state_dir);
    e->version = base_xstrdup(cfg->version ? cfg->version : "8.0.35-HarvSQL");
    e->synchronous = cfg->synchronous ? cfg->synchronous : 2;
    e->busy_ms = cfg->busy_timeout_ms > 0 ? cfg->busy_timeout_ms : 50000;
    pthread_mutex_init(&e->mu, NULL);
    e->next_id = 1;
    e->start_ms = base_now_ms();
    return e;
}

void hsql_engine_free(hsql_engine_t *eng)
{
    if (!eng)
        return;
    hsql_pool_drop(eng, NULL);
    hsql_db_t *d = eng->dbs;
    while (d) {
        hsql_db_t *n = d->next;
        for (int i = 0; i < d->ntabs; i++)
            hsql_table_free(d->tabs[i]);
        free(d->tabs);
        free(d->name);
        free(d);
        d = n;
    }
    for (int i = 0; i < eng->nretired; i++)
        hsql_table_free(eng->retired[i]);
    free(eng->retired);
    for (int i = 0; i < eng->noldarrays; i++)
        free(eng->oldarrays[i]);
    free(eng->oldarrays);
    hsql_vars_free(&eng->globals);
    pthread_mutex_destroy(&eng->mu);
    free(eng->dir);
    free(eng->version);
    free(eng);
}

static bool valid_db_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (name[i] == '/' || name[i] == '\\' || (unsigned char)name[i] < 32)
            return false;
    if (strcasecmp(name, "information_schema") == 0)
        return false;
    return true;
}

static void db_path(hsql_engine_t *eng, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s.db", eng->dir, name);
}

bool hsql_engine_db_exists(hsql_engine_t *eng, const char *name)
{
    if (!name || !valid_db_name(name))
        return false;
    char p[1100];
    db_path(eng, name, p, sizeof p);
    struct stat st;
    return stat(p, &st) == 0;
}

int hsql_engine_create_db(hsql_engine_t *eng, const char *name, hsql_error_t *err)
{
    if (!valid_db_name(name))
        return hsql_err(err, 1102, "42000", "Incorrect database name '%s'", name);
    char p[1100];
    db_path(eng, name, p, sizeof p);
    struct stat st;
    if (stat(p, &st) == 0)
        return 0;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(p, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db,
                          "PRAGMA journal_mode=WAL;"
                          "CREATE TABLE IF NOT EXISTS hsql_catalog(name TEXT PRIMARY KEY COLLATE NOCASE,"
                          " def TEXT NOT NULL, created INTEGER)",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        hsql_err(err, 1006, "HY000", "Can't create database '%s' (%s)", name,
                 db ? sqlite3_errmsg(db) : "open failed");
        sqlite3_close(db);
        unlink(p);
        return -1;
    }
    sqlite3_close(db);
    return 0;
}

void hsql_engine_statistics(hsql_engine_t *eng, char *buf, size_t len)
{
    uint64_t up = (base_now_ms() - eng->start_ms) / 1000;
    uint64_t q = __atomic_load_n(&eng->questions, __ATOMIC_RELAXED);
    snprintf(buf, len,
             "Uptime: %llu  Threads: %d  Questions: %llu  Slow queries: 0  Opens: 0  "
             "Flush tables: 1  Open tables: 0  Queries per second avg: %.3f",
             (unsigned long long)up, eng->nsessions, (unsigned long long)q,
             up ? (double)q / (double)up : (double)q);
}

hsql_db_t *hsql_db_get(hsql_engine_t *eng, const char *name)
{
    pthread_mutex_lock(&eng->mu);
    hsql_db_t *d;
    for (d = eng->dbs; d; d = d->next)
        if (strcmp(d->name, name) == 0)
            break;
    if (!d) {
        d = base_xcalloc(1, sizeof *d);
        d->name = base_xstrdup(name);
        d->gen = 1;
        d->next = eng->dbs;
        eng->dbs = d;
    }
    pthread_mutex_unlock(&eng->mu);
    return d;
}

hsql_table_t *hsql_table_get(hsql_db_t *db, const char *name)
{
    /* callers hold no lock; the array is only replaced under the engine mutex and old
     * definitions are retired, not freed */
    if (!db)
        return NULL;
    hsql_table_t **tabs = __atomic_load_n(&db->tabs, __ATOMIC_ACQUIRE);
    int n = __atomic_load_n(&db->ntabs, __ATOMIC_ACQUIRE);
    for (int i = 0; i < n; i++)
        if (strcasecmp(tabs[i]->name, name) == 0)
            return tabs[i];
    return NULL;
}

hsql_table_t *hsql_table_find(hsql_session_t *s, const char *name)
{
    for (int i = 0; i < s->ntemps; i++)
        if (strcasecmp(s->temps[i]->name, name) == 0)
            return s->temps[i];
    return hsql_table_get(s->db, name);
}

int hsql_attach(hsql_session_t *s, const char *db, hsql_error_t *err)
{
    for (int i = 0; i < s->nattached; i++)
        if (!strcmp(s->attached[i], db))
            return 0;
    if (!hsql_engine_db_exists(s->eng, db))
        return hsql_err(err, 1049, "42000", "Unknown database '%s'", db);
    if (s->nattached >= (int)BASE_ARRAY_LEN(s->attached))
        return hsql_err(err, 1105, "HY000", "too many databases in use by one session");
    hsql_rtxn_end(s);
    if (hsql_user_txn(s))
        return hsql_err(err, 1105, "HY000",
                        "HarvSQL: database '%s' must be used once outside a transaction first", db);
    char path[1100];
    db_path(s->eng, db, path, sizeof path);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->conn, "ATTACH DATABASE ?1 AS ?2", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, db, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return hsql_err_sqlite(s, rc, err, NULL);
    s->attached[s->nattached++] = base_xstrdup(db);
    return 0;
}

void hsql_temps_free(hsql_session_t *s)
{
    for (int i = 0; i < s->ntemps; i++)
        hsql_table_free(s->temps[i]);
    free(s->temps);
    s->temps = NULL;
    s->ntemps = 0;
}

static void retire(hsql_engine_t *eng, hsql_table_t *tb)
{
    if (eng->nretired == eng->capretired) {
        eng->capretired = eng->capretired ? eng->capretired * 2 : 16;
        eng->retired = base_xrealloc(eng->retired, sizeof(void *) * (size_t)eng->capretired);
    }
    eng->retired[eng->nretired++] = tb;
}

/* The tabs array is copied on every change so that readers never see it mid-update; old arrays
 * are leaked into the retired list's lifetime (kept small: DDL is rare). */
static void tabs_replace(hsql_engine_t *eng, hsql_db_t *db, hsql_table_t **nt, int n)
{
    hsql_table_t **old = db->tabs;
    if (old) {
        /* readers may still walk the old array: freed with the engine */
        eng->oldarrays = base_xrealloc(eng->oldarrays, sizeof(void *) * (size_t)(eng->noldarrays + 1));
        eng->oldarrays[eng->noldarrays++] = old;
    }
    __atomic_store_n(&db->ntabs, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&db->tabs, nt, __ATOMIC_RELEASE);
    __atomic_store_n(&db->ntabs, n, __ATOMIC_RELEASE);
    db->cap = n;
    __atomic_add_fetch(&db->gen, 1, __ATOMIC_ACQ_REL);
}

void hsql_catalog_put(hsql_engine_t *eng, hsql_db_t *db, hsql_table_t *tb)
{
    pthread_mutex_lock(&eng->mu);
    int n = db->ntabs;
    hsql_table_t **nt = base_xmalloc(sizeof(void *) * (size_t)(n + 1));
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (strcasecmp(db->tabs[i]->name, tb->name) == 0)
            retire(eng, db->tabs[i]);
        else
            nt[k++] = db->tabs[i];
    }
    nt[k++] = tb;
    tabs_replace(eng, db, nt, k);
    pthread_mutex_unlock(&eng->mu);
}

void hsql_catalog_del(hsql_engine_t *eng, hsql_db_t *db, const char *name)
{
    pthread_mutex_lock(&eng->mu);
    int n = db->ntabs;
    hsql_table_t **nt = base_xmalloc(sizeof(void *) * (size_t)(n + 1));
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (strcasecmp(db->tabs[i]->name, name) == 0)
            retire(eng, db->tabs[i]);
        else
            nt[k++] = db->tabs[i];
    }
    tabs_replace(eng, db, nt, k);
    pthread_mutex_unlock(&eng->mu);
}

static int db_load_conn(hsql_engine_t *eng, sqlite3 *conn, hsql_db_t *db, hsql_error_t *err)
{
    if (__atomic_load_n(&db->loaded, __ATOMIC_ACQUIRE))
        return 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(conn, "SELECT name, def, created FROM hsql_catalog", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        /* a database file without our catalog table: create it */
        sqlite3_exec(conn,
                     "CREATE TABLE IF NOT EXISTS hsql_catalog(name TEXT PRIMARY KEY COLLATE NOCASE,"
                     " def TEXT NOT NULL, created INTEGER)",
                     NULL, NULL, NULL);
        rc = sqlite3_prepare_v2(conn, "SELECT name, def, created FROM hsql_catalog", -1, &st, NULL);
        if (rc != SQLITE_OK)
            return hsql_err(err, 1105, "HY000", "Unknown error: %s", sqlite3_errmsg(conn));
    }
    hsql_table_t **nt = NULL;
    int n = 0;
    hsql_toks_t toks = {0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *def = (const char *)sqlite3_column_text(st, 1);
        if (!def)
            continue;
        hsql_lex_err_t le;
        if (hsql_lex(def, strlen(def), &toks, &le) < 0)
            continue;
        hsql_error_t e2;
        hsql_table_t *tb = hsql_ddl_parse_create(def, toks.v, 0, (int)toks.n - 1, NULL, NULL, &e2);
        if (!tb) {
            BASE_LOG(BASE_LOG_WARN, "sql", "catalog entry of %s unreadable: %s",
                     sqlite3_column_text(st, 0), e2.msg);
            continue;
        }
        tb->create_time = (uint64_t)sqlite3_column_int64(st, 2);
        nt = base_xrealloc(nt, sizeof(void *) * (size_t)(n + 1));
        nt[n++] = tb;
    }
    hsql_toks_free(&toks);
    sqlite3_finalize(st);
    pthread_mutex_lock(&eng->mu);
    if (!db->loaded) {
        tabs_replace(eng, db, nt, n);
        __atomic_store_n(&db->loaded, true, __ATOMIC_RELEASE);
        nt = NULL;
    }
    pthread_mutex_unlock(&eng->mu);
    if (nt) {
        for (int i = 0; i < n; i++)
            hsql_table_free(nt[i]);
        free(nt);
    }
    return 0;
}

int hsql_db_load(hsql_session_t *s, hsql_db_t *db, hsql_error_t *err)
{
    return db_load_conn(s->eng, s->conn, db, err);
}

int hsql_db_load_other(hsql_engine_t *eng, hsql_db_t *db, hsql_error_t *err)
{
    if (__atomic_load_n(&db->loaded, __ATOMIC_ACQUIRE))
        return 0;
    char path[1100];
    db_path(eng, db->name, path, sizeof path);
    sqlite3 *c = NULL;
    if (sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        sqlite3_close(c);
        return hsql_err(err, 1049, "42000", "Unknown database '%s'", db->name);
    }
    sqlite3_busy_timeout(c, eng->busy_ms);
    int r = db_load_conn(eng, c, db, err);
    sqlite3_close(c);
    return r;
}

int hsql_exec_simple(hsql_session_t *s, const char *sql, hsql_error_t *err)
{
    int rc = sqlite3_exec(s->conn, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return hsql_err_sqlite(s, rc, err, NULL);
    return 0;
}

/* ---- read snapshots ------------------------------------------------------------------------ */
bool hsql_user_txn(hsql_session_t *s)
{
    return s->conn && !s->rtxn && !sqlite3_get_autocommit(s->conn);
}

void hsql_rtxn_end(hsql_session_t *s)
{
    if (!s->rtxn)
        return;
    __atomic_store_n(&s->rtxn, false, __ATOMIC_RELAXED); /* read by other sessions' writers */
    if (s->st_commit) {
        sqlite3_step(s->st_commit);
        sqlite3_reset(s->st_commit);
    }
    if (!sqlite3_get_autocommit(s->conn))
        sqlite3_exec(s->conn, "COMMIT", NULL, NULL, NULL);
}

int hsql_txn_begin(hsql_session_t *s, bool read_only, hsql_error_t *err)
{
    hsql_rtxn_end(s);
    s->txn_wrote = false;
    /* Deferred, as InnoDB: a transaction that reads and later writes after another committed
     * gets 1213 and is rolled back (the client retries). BEGIN IMMEDIATE would queue instead,
     * but then it holds the write lock across client round trips, and a writer waiting in the
     * busy handler occupies a worker thread the lock holder may need. */
    (void)read_only;
    return hsql_exec_simple(s, "BEGIN", err);
}

void hsql_txn_ended(hsql_session_t *s)
{
    s->prefer_immediate = s->txn_wrote;
    s->txn_wrote = false;
}

/* Before an autocommit SELECT: reuse the open snapshot when nothing was written since. */
void hsql_rtxn_for_read(hsql_session_t *s)
{
    if (!s->autocommit || !s->dbname || hsql_user_txn(s))
        return;
    uint64_t g = __atomic_load_n(&s->eng->commit_gen, __ATOMIC_ACQUIRE);
    if (s->rtxn && s->rtxn_gen == g)
        return;
    hsql_rtxn_end(s);
    if (!s->st_begin) {
        sqlite3_prepare_v3(s->conn, "BEGIN", -1, SQLITE_PREPARE_PERSISTENT, &s->st_begin, NULL);
        sqlite3_prepare_v3(s->conn, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &s->st_commit, NULL);
    }
    if (!s->st_begin || !s->st_commit)
        return;
    if (sqlite3_step(s->st_begin) == SQLITE_DONE) {
        __atomic_store_n(&s->rtxn_gen, g, __ATOMIC_RELAXED);
        __atomic_store_n(&s->rtxn, true, __ATOMIC_RELAXED);
    }
    sqlite3_reset(s->st_begin);
}

void hsql_rollback(hsql_session_t *s)
{
    if (!s->conn || sqlite3_get_autocommit(s->conn))
        return;
    sqlite3_exec(s->conn, "ROLLBACK", NULL, NULL, NULL);
    __atomic_add_fetch(&s->eng->rollbacks, 1, __ATOMIC_ACQ_REL);
}

void hsql_after_write(hsql_session_t *s)
{
    hsql_engine_t *eng = s->eng;
    uint64_t g = __atomic_add_fetch(&eng->commit_gen, 1, __ATOMIC_ACQ_REL);
    pthread_mutex_lock(&eng->mu);
    for (hsql_session_t *x = eng->sessions; x; x = x->next) {
        /* a racy first look; decided again under the session's mutex */
        if (x == s || !__atomic_load_n(&x->rtxn, __ATOMIC_RELAXED) ||
            __atomic_load_n(&x->rtxn_gen, __ATOMIC_RELAXED) == g)
            continue;
        if (pthread_mutex_trylock(&x->mu) == 0) {
            if (x->rtxn && x->rtxn_gen != g)
                hsql_rtxn_end(x);
            pthread_mutex_unlock(&x->mu);
        }
    }
    pthread_mutex_unlock(&eng->mu);
}

/* ---- sessions ---------------------------------------------------------------------------- */
/* Busy handler: writers queue for the write lock with short sleeps (SQLite's own handler
 * sleeps up to 100 ms at a time) until the engine's busy timeout. */
static int busy_wait(void *arg, int count)
{
    hsql_session_t *s = arg;
    uint64_t now = base_now_ms();
    if (s->nonblocking && s->can_again) {
        /* do not sleep in the caller's thread: report HSQL_AGAIN, keep the deadline */
        if (!s->again_pending) {
            s->again_pending = true;
            s->again_since = now;
        }
        if (now - s->again_since < (uint64_t)s->eng->busy_ms)
            s->would_block = true;
        else
            s->busy_timed_out = true;
        return 0;
    }
    if (count == 0) {
        s->busy_since = now;
        s->busy_timed_out = false;
    }
    uint64_t limit = s->busy_short && s->eng->busy_ms > HSQL_BUSY_SHORT_MS ? HSQL_BUSY_SHORT_MS
                                                                            : (uint64_t)s->eng->busy_ms;
    if (now - s->busy_since >= limit) {
        s->busy_timed_out = true;
        return 0;
    }
    unsigned us = count < 6 ? 50u << count : 2000u;
    usleep(us);
    return 1;
}

/* Idle SQLite connections are kept by database with their statement caches: a client that
 * connects per request (PHP) gets a warm connection instead of opening, registering functions
 * and preparing every statement again. A connection is pooled only clean: no transaction, no
 * TEMPORARY tables, no attached databases; the session functions find their session through
 * the connection's holder (fh). */
typedef struct hsql_pconn {
    char *dbname; /* NULL: the ":memory:" connection of sessions without a database */
    sqlite3 *conn;
    hsql_fholder_t *fh;
    hsql_centry_t *cache[HSQL_CACHE_BUCKETS];
    int ncache;
    hsql_pstmt_t *pstmts[HSQL_CACHE_BUCKETS];
    hsql_memo_t *memo[HSQL_MEMO_BUCKETS];
    int nmemo;
    size_t memo_bytes;
    sqlite3_stmt *st_begin, *st_commit;
    struct hsql_pconn *next;
} hsql_pconn_t;

#define HSQL_POOL_MAX 64

static bool same_db(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Really closes the connection the session holds (statements, caches, holder). */
static void conn_destroy(hsql_session_t *s)
{
    hsql_cache_clear(s);
    hsql_memo_clear(s);
    sqlite3_finalize(s->st_begin);
    sqlite3_finalize(s->st_commit);
    s->st_begin = s->st_commit = NULL;
    if (s->conn)
        sqlite3_close_v2(s->conn);
    s->conn = NULL;
    free(s->fh);
    s->fh = NULL;
}

void hsql_pool_drop(hsql_engine_t *eng, const char *name)
{
    pthread_mutex_lock(&eng->mu);
    hsql_pconn_t *take = NULL;
    for (hsql_pconn_t **pp = &eng->pool; *pp;) {
        hsql_pconn_t *p = *pp;
        if (!name || same_db(p->dbname, name)) {
            *pp = p->next;
            p->next = take;
            take = p;
            eng->npool--;
        } else {
            pp = &p->next;
        }
    }
    pthread_mutex_unlock(&eng->mu);
    while (take) {
        hsql_pconn_t *n = take->next;
        hsql_session_t *tmp = base_xcalloc(1, sizeof *tmp);
        tmp->eng = eng;
        tmp->conn = take->conn;
        tmp->fh = take->fh;
        memcpy(tmp->cache, take->cache, sizeof tmp->cache);
        memcpy(tmp->pstmts, take->pstmts, sizeof tmp->pstmts);
        memcpy(tmp->memo, take->memo, sizeof tmp->memo);
        tmp->nmemo = take->nmemo;
        tmp->memo_bytes = take->memo_bytes;
        tmp->ncache = take->ncache;
        tmp->st_begin = take->st_begin;
        tmp->st_commit = take->st_commit;
        if (tmp->fh)
            tmp->fh->s = tmp;
        conn_destroy(tmp);
        free(tmp);
        free(take->dbname);
        free(take);
        take = n;
    }
}

static int open_conn(hsql_session_t *s, const char *dbname, hsql_error_t *err)
{
    hsql_engine_t *eng = s->eng;
    pthread_mutex_lock(&eng->mu);
    hsql_pconn_t *p = NULL;
    for (hsql_pconn_t **pp = &eng->pool; *pp; pp = &(*pp)->next)
        if (same_db((*pp)->dbname, dbname)) {
            p = *pp;
            *pp = p->next;
            eng->npool--;
            break;
        }
    pthread_mutex_unlock(&eng->mu);
    if (p) {
        s->conn = p->conn;
        s->fh = p->fh;
        s->fh->s = s;
        memcpy(s->cache, p->cache, sizeof s->cache);
        memcpy(s->pstmts, p->pstmts, sizeof s->pstmts);
        memcpy(s->memo, p->memo, sizeof s->memo);
        s->nmemo = p->nmemo;
        s->memo_bytes = p->memo_bytes;
        s->ncache = p->ncache;
        s->st_begin = p->st_begin;
        s->st_commit = p->st_commit;
        sqlite3_busy_handler(s->conn, busy_wait, s);
        free(p->dbname);
        free(p);
        return 0;
    }
    char path[1100];
    sqlite3 *db = NULL;
    if (dbname)
        db_path(eng, dbname, path, sizeof path);
    else
        snprintf(path, sizeof path, ":memory:");
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        hsql_err(err, 1049, "42000", "Unknown database '%s'", dbname ? dbname : "");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_handler(db, busy_wait, s);
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "%sPRAGMA synchronous=%d;PRAGMA foreign_keys=OFF;PRAGMA temp_store=MEMORY;"
             "PRAGMA cache_size=-16384",
             dbname ? "PRAGMA journal_mode=WAL;" : "", eng->synchronous);
    sqlite3_exec(db, pragmas, NULL, NULL, NULL);
    s->fh = base_xcalloc(1, sizeof *s->fh);
    s->fh->s = s;
    hsql_func_register(s->fh, db);
    s->conn = db;
    return 0;
}

/* Leaves the session without a SQLite connection: cleaned and parked in the pool, or closed.
 * light: only if that needs no I/O (no transaction to roll back, no TEMPORARY table to drop,
 * no attached database, room in the pool, so no SQLite connection is really closed, which may
 * checkpoint the WAL); otherwise returns -1 with the session as it was (its read snapshot
 * ended at most). */
static int close_conn_ex(hsql_session_t *s, bool light)
{
    if (!s->conn) {
        hsql_temps_free(s);
        return 0;
    }
    if (light && (s->ntemps || s->nattached || hsql_user_txn(s)))
        return -1;
    hsql_rtxn_end(s);
    hsql_rollback(s);
    for (int i = 0; i < s->ntemps; i++) {
        char sql[300];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.\"%s\"", s->temps[i]->name);
        sqlite3_exec(s->conn, sql, NULL, NULL, NULL);
    }
    hsql_temps_free(s);
    bool poolable = s->nattached == 0 && sqlite3_get_autocommit(s->conn);
    for (int i = 0; i < s->nattached; i++)
        free(s->attached[i]);
    s->nattached = 0;
    hsql_engine_t *eng = s->eng;
    if (poolable) {
        hsql_pconn_t *p = base_xmalloc(sizeof *p); /* every field is set below */
        p->next = NULL;
        p->dbname = s->dbname ? base_xstrdup(s->dbname) : NULL;
        p->conn = s->conn;
        p->fh = s->fh;
        p->fh->s = NULL;
        memcpy(p->cache, s->cache, sizeof p->cache);
        memcpy(p->pstmts, s->pstmts, sizeof p->pstmts);
        memcpy(p->memo, s->memo, sizeof p->memo);
        p->nmemo = s->nmemo;
        p->memo_bytes = s->memo_bytes;
        p->ncache = s->ncache;
        p->st_begin = s->st_begin;
        p->st_commit = s->st_commit;
        sqlite3_busy_handler(s->conn, NULL, NULL);
        pthread_mutex_lock(&eng->mu);
        bool room = eng->npool < HSQL_POOL_MAX;
        if (room) {
            p->next = eng->pool;
            eng->pool = p;
            eng->npool++;
        }
        pthread_mutex_unlock(&eng->mu);
        if (room) {
            s->conn = NULL;
            s->fh = NULL;
            memset(s->cache, 0, sizeof s->cache);
            memset(s->pstmts, 0, sizeof s->pstmts);
            memset(s->memo, 0, sizeof s->memo);
            s->nmemo = 0;
            s->memo_bytes = 0;
            s->ncache = 0;
            s->st_begin = s->st_commit = NULL;
            return 0;
        }
        p->fh->s = s;
        sqlite3_busy_handler(s->conn, busy_wait, s);
        free(p->dbname);
        free(p);
    }
    if (light)
        return -1;
    conn_destroy(s);
    return 0;
}

static void close_conn(hsql_session_t *s) { (void)close_conn_ex(s, false); }



int hsql_session_switch_db(hsql_session_t *s, const char *db, hsql_error_t *err)
{
    if (db && strcasecmp(db, "information_schema") == 0)
        db = NULL;
    if (db && !hsql_engine_db_exists(s->eng, db))
        return hsql_err(err, 1049, "42000", "Unknown database '%s'", db);
    if (db && s->dbname && strcmp(db, s->dbname) == 0)
        return 0;
    close_conn(s);
    pthread_mutex_lock(&s->eng->mu); /* SHOW PROCESSLIST reads other sessions' dbname */
    free(s->dbname);
    s->dbname = NULL;
    pthread_mutex_unlock(&s->eng->mu);
    s->db = NULL;
    if (open_conn(s, db, err) < 0) {
        open_conn(s, NULL, NULL);
        return -1;
    }
    if (db) {
        char *dn = base_xstrdup(db);
        pthread_mutex_lock(&s->eng->mu);
        s->dbname = dn;
        pthread_mutex_unlock(&s->eng->mu);
        s->db = hsql_db_get(s->eng, db);
        if (hsql_db_load(s, s->db, err) < 0)
            return -1;
    }
    return 0;
}

hsql_session_t *hsql_session_new(hsql_engine_t *eng, const hsql_session_info_t *info,
                                 const char *db, hsql_error_t *err)
{
    hsql_session_t *s = base_xmalloc(sizeof *s);
    memset(s, 0, offsetof(hsql_session_t, warn)); /* warn[] and vtmp[] need no zeroes */
    s->eng = eng;
    if (info) {
        snprintf(s->user, sizeof s->user, "%s", info->user ? info->user : "");
        snprintf(s->host, sizeof s->host, "%s", info->host ? info->host : "");
        s->client_found_rows = info->found_rows;
        s->multi = info->multi_statements;
    }
    s->autocommit = true;
    s->coll_id = 255;
    pthread_mutex_init(&s->mu, NULL);
    base_buf_init(&s->kbuf);
    base_buf_init(&s->sbuf);
    base_buf_init(&s->vbuf);
    base_arena_init(&s->qarena, 4096);
    s->start_ms = base_now_ms();
    hsql_vars_init(s);
    pthread_mutex_lock(&eng->mu);
    s->id = eng->next_id++;
    s->next = eng->sessions;
    if (eng->sessions)
        eng->sessions->prev = s;
    eng->sessions = s;
    eng->nsessions++;
    pthread_mutex_unlock(&eng->mu);
    if (db && *db) {
        if (hsql_session_switch_db(s, db, err) < 0) {
            hsql_session_free(s);
            return NULL;
        }
    } else if (open_conn(s, NULL, err) < 0) {
        hsql_session_free(s);
        return NULL;
    }
    return s;
}

/* Unlinks and frees a session whose connection is already gone (close_conn done). Called with
 * s->mu held; releases it. */
static void session_release(hsql_session_t *s)
{
    hsql_engine_t *eng = s->eng;
    pthread_mutex_lock(&eng->mu);
    if (s->prev)
        s->prev->next = s->next;
    else if (eng->sessions == s)
        eng->sessions = s->next;
    if (s->next)
        s->next->prev = s->prev;
    eng->nsessions--;
    pthread_mutex_unlock(&eng->mu);
    hsql_toks_free(&s->toks);
    base_buf_fini(&s->kbuf);
    base_buf_fini(&s->sbuf);
    base_buf_fini(&s->vbuf);
    base_arena_fini(&s->qarena);
    free(s->bv);
    free(s->pflags);
    free(s->pord);
    hsql_vars_free(&s->vars);
    free(s->dbname);
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void hsql_session_free(hsql_session_t *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    close_conn(s);
    session_release(s);
}

bool hsql_session_try_free(hsql_session_t *s)
{
    if (!s)
        return true;
    pthread_mutex_lock(&s->mu);
    if (close_conn_ex(s, true) < 0) {
        pthread_mutex_unlock(&s->mu);
        return false;
    }
    session_release(s);
    return true;
}

int hsql_session_use(hsql_session_t *s, const char *db, hsql_error_t *err)
{
    pthread_mutex_lock(&s->mu);
    int r = hsql_session_switch_db(s, db, err);
    pthread_mutex_unlock(&s->mu);
    return r;
}

void hsql_session_reset(hsql_session_t *s)
{
    pthread_mutex_lock(&s->mu);
    hsql_rtxn_end(s);
    for (int i = 0; s->conn && i < s->ntemps; i++) {
        char sql[300];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.\"%s\"", s->temps[i]->name);
        sqlite3_exec(s->conn, sql, NULL, NULL, NULL);
    }
    hsql_temps_free(s);
    hsql_cache_clear(s);
    hsql_rollback(s);
    hsql_vars_free(&s->vars);
    hsql_vars_init(s);
    s->autocommit = true;
    s->nwarn = s->nwarn_total = 0;
    s->last_insert_id = 0;
    s->found_rows = 0;
    s->row_count = 0;
    pthread_mutex_unlock(&s->mu);
}

uint16_t hsql_status(hsql_session_t *s)
{
    uint16_t st = 0;
    if (s->autocommit)
        st |= HSQL_STATUS_AUTOCOMMIT;
    if (hsql_user_txn(s))
        st |= HSQL_STATUS_IN_TRANS;
    return st;
}

uint16_t hsql_session_status(hsql_session_t *s) { return hsql_status(s); }

void hsql_session_set_nonblocking(hsql_session_t *s, bool on)
{
    pthread_mutex_lock(&s->mu);
    s->nonblocking = on;
    pthread_mutex_unlock(&s->mu);
}
uint32_t hsql_session_id(hsql_session_t *s) { return s->id; }

int hsql_txn_implicit_commit(hsql_session_t *s, hsql_error_t *err)
{
    hsql_rtxn_end(s);
    if (s->conn && !sqlite3_get_autocommit(s->conn))
        hsql_txn_ended(s);
    if (s->conn && !sqlite3_get_autocommit(s->conn))
        return hsql_exec_simple(s, "COMMIT", err);
    return 0;
}

/* ---- the query loop ---------------------------------------------------------------------- */
static int run_stmt(hsql_session_t *s, const char *src, size_t srclen, const hsql_tok_t *t, int b,
                    int e, const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    (void)srclen;
    bool show_warn = hsql_tok_is(src, &t[b], "SHOW") &&
                     (hsql_tok_is(src, &t[b + 1], "WARNINGS") || hsql_tok_is(src, &t[b + 1], "ERRORS") ||
                      (hsql_tok_is(src, &t[b + 1], "COUNT")));
    bool sel_warn = false;
    if (hsql_tok_is(src, &t[b], "SELECT") && t[b + 1].type == HSQL_TK_SYSVAR) {
        const char *p = src + t[b + 1].off;
        sel_warn = t[b + 1].len >= 15 && (strncasecmp(p + t[b + 1].len - 13, "warning_count", 13) == 0 ||
                                          strncasecmp(p + t[b + 1].len - 11, "error_count", 11) == 0);
    }
    if (!show_warn && !sel_warn) {
        s->nwarn = 0;
        s->nwarn_total = 0;
    }
    if (hsql_is_dml(src, t, b, e)) {
        if (!s->autocommit)
            hsql_rtxn_end(s);
        if (!s->autocommit && s->conn && sqlite3_get_autocommit(s->conn))
            if (hsql_txn_begin(s, false, err) < 0)
                return -1;
        return hsql_run_dml(s, src, t, b, e, sink, more, err);
    }
    /* SHOW, SET, DESCRIBE and USE neither write nor need a fresh snapshot ended */
    bool ro = hsql_tok_is(src, &t[b], "SHOW") || hsql_tok_is(src, &t[b], "SET") ||
              hsql_tok_is(src, &t[b], "DESCRIBE") || hsql_tok_is(src, &t[b], "DESC") ||
              hsql_tok_is(src, &t[b], "USE");
    /* the end of a transaction that only read changes nothing others could see */
    bool txn = hsql_tok_is(src, &t[b], "BEGIN") || hsql_tok_is(src, &t[b], "START") ||
               hsql_tok_is(src, &t[b], "COMMIT") || hsql_tok_is(src, &t[b], "ROLLBACK");
    bool wrote = s->txn_wrote;
    if (!ro)
        hsql_rtxn_end(s);
    s->can_again = false; /* DDL and session statements wait in place */
    int r = hsql_admin_exec(s, src, t, b, e, sink, more, err);
    if (r > 0)
        r = hsql_ddl_exec(s, src, t, b, e, sink, more, err);
    if (!ro && (!txn || wrote))
        hsql_after_write(s);
    return r;
}

int hsql_session_query(hsql_session_t *s, const char *sql, size_t len, const hsql_sink_t *sink,
                       hsql_error_t *err)
{
    pthread_mutex_lock(&s->mu);
    int r = hsql_session_query_nolock(s, sql, len, sink, err);
    pthread_mutex_unlock(&s->mu);
    return r;
}

int hsql_session_query_nolock(hsql_session_t *s, const char *sql, size_t len,
                              const hsql_sink_t *sink, hsql_error_t *err)
{
    s->can_again = s->nonblocking;
    s->would_block = false;
    __atomic_add_fetch(&s->eng->questions, 1, __ATOMIC_RELAXED);
    hsql_lex_err_t le;
    bool known = hsql_memo_get(s, sql, len);
    if (!known && hsql_lex(sql, len, &s->toks, &le) < 0)
        return hsql_err_syntax(err, sql, len, le.off);
    const hsql_tok_t *t = s->toks.v;
    int n = (int)s->toks.n - 1; /* without EOF */
    /* statements: [b,e) split at ';' */
    int starts[64], ends[64], ns = 0;
    int b = 0;
    for (int i = 0; i <= n; i++) {
        if (i == n || t[i].type == HSQL_TK_SEMI) {
            if (i > b) {
                if (ns == 64)
                    return hsql_err(err, 1064, "42000", "too many statements in one query");
                starts[ns] = b;
                ends[ns] = i;
                ns++;
            }
            b = i + 1;
        }
    }
    if (ns == 0)
        return hsql_err(err, 1065, "42000", "Query was empty");
    if (ns > 1 && !s->multi) {
        s->key_ready = false;
        return hsql_err_syntax(err, sql, len, t[starts[1]].off);
    }
    if (!known && ns == 1 && starts[0] == 0 && ends[0] == n)
        hsql_memo_put(s, sql, len, hsql_is_dml(sql, t, 0, n));
    for (int k = 0; k < ns; k++) {
        uint16_t more = k + 1 < ns ? HSQL_STATUS_MORE_RESULTS : 0;
        /* the text of this statement, for error messages */
        size_t so = t[starts[k]].off, eo = t[ends[k] - 1].off + t[ends[k] - 1].len;
        int r;
        size_t ws = 0;
        while (ws < so && (sql[ws] == ' ' || sql[ws] == '\t' || sql[ws] == '\n' || sql[ws] == '\r' ||
                           sql[ws] == '\f' || sql[ws] == '\v'))
            ws++;
        if (ns == 1 && ws == so) {
            /* Only whitespace before it (WordPress's heredoc SQL starts with "\n\t\t\t"): the
             * text as if sent without it — what re-lexing a copy would give, without the copy
             * and the second lexing (the lexer starts and skips whitespace the same anywhere). */
            if (so) {
                for (int i = 0; i <= n; i++)
                    s->toks.v[i].off -= (uint32_t)so;
                if (s->key_ready)
                    s->key_src = sql + so;
            }
            s->cur_info = sql + so;
            s->cur_len = eo - so;
            r = run_stmt(s, sql + so, len - so, t, starts[k], ends[k], sink, more, err);
        } else {
            /* re-lex the statement alone so token offsets match its own copy */
            base_arena_reset(&s->qarena);
            char *cur = base_arena_strndup(&s->qarena, sql + so, eo - so);
            s->cur_info = cur;
            s->cur_len = eo - so;
            hsql_toks_t sub = {0};
            hsql_lex(cur, eo - so, &sub, &le);
            r = run_stmt(s, cur, eo - so, sub.v, 0, (int)sub.n - 1, sink, more, err);
            hsql_toks_free(&sub);
        }
        s->cur_info = NULL;
        s->key_ready = false;
        if (r == HSQL_AGAIN && k == 0)
            return HSQL_AGAIN;
        s->again_pending = false;
        if (r < 0)
            return -1;
        s->can_again = false; /* results were sent: later statements wait in place */
    }
    return 0;
}


/* engine_exec.c — executing translated statements (SQL side of HarvSQL): MySQL column
 * definitions for SQLite results, value conversion to MySQL's text/binary forms, result sets
 * built in C (SHOW ...), the per-session cache from a statement's shape (its text with literals
 * as markers) to translation + prepared sqlite3_stmt, DML execution with MySQL's OK semantics
 * (changed rows, first insert id, ODKU 1/2/0, REPLACE, multi-table DELETE/UPDATE), and the
 * prepared-statement API. Session and engine lifecycle and the query loop are in engine.c. */
/* Debian's libsqlite3 is built with the pre-update hook (used to count REPLACE deletes). */
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "sql_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- result sets ------------------------------------------------------------------------- */
enum { CONV_TEXT, CONV_INT, CONV_UINT, CONV_DOUBLE, CONV_DECIMAL, CONV_BLOB };

typedef struct rmeta {
    hsql_col_t *cols;
    uint8_t *conv;
    unsigned n;
    bool fixed;
    uint16_t coll; /* the session's collation it was built for (text columns report it) */
    base_arena_t mem;
} rmeta_t;

static const char *amem(base_arena_t *a, const char *s)
{
    return s ? base_arena_strndup(a, s, strlen(s)) : "";
}

static void col_from_def(hsql_session_t *s, hsql_col_t *c, uint8_t *conv, const hsql_column_t *d)
{
    c->type = d->mtype;
    c->length = d->length;
    c->decimals = d->decimals;
    uint16_t f = 0;
    if (d->notnull)
        f |= HSQL_FLAG_NOT_NULL;
    if (d->is_unsigned)
        f |= HSQL_FLAG_UNSIGNED;
    if (d->autoinc)
        f |= HSQL_FLAG_AUTO_INCREMENT;
    if (d->zerofill)
        f |= HSQL_FLAG_ZEROFILL;
    switch (d->cls) {
    case HSQL_CLS_INT:
    case HSQL_CLS_YEAR:
    case HSQL_CLS_BIT:
        *conv = d->is_unsigned ? CONV_UINT : CONV_INT;
        c->charset = 63;
        f |= HSQL_FLAG_NUM | HSQL_FLAG_BINARY;
        break;
    case HSQL_CLS_REAL:
        *conv = CONV_DOUBLE;
        c->charset = 63;
        f |= HSQL_FLAG_NUM | HSQL_FLAG_BINARY;
        break;
    case HSQL_CLS_DECIMAL:
        *conv = CONV_DECIMAL;
        c->charset = 63;
        f |= HSQL_FLAG_NUM | HSQL_FLAG_BINARY;
        break;
    case HSQL_CLS_BLOB:
        *conv = CONV_BLOB;
        c->charset = 63;
        f |= HSQL_FLAG_BINARY;
        if (d->mtype == HSQL_TYPE_BLOB || d->mtype == HSQL_TYPE_TINY_BLOB ||
            d->mtype == HSQL_TYPE_MEDIUM_BLOB || d->mtype == HSQL_TYPE_LONG_BLOB)
            f |= HSQL_FLAG_BLOB;
        break;
    case HSQL_CLS_DATE:
    case HSQL_CLS_DATETIME:
    case HSQL_CLS_TIME:
        *conv = CONV_TEXT;
        c->charset = 63;
        f |= HSQL_FLAG_BINARY;
        if (d->mtype == HSQL_TYPE_TIMESTAMP)
            f |= HSQL_FLAG_TIMESTAMP;
        break;
    default: {
        *conv = CONV_TEXT;
        uint16_t id = d->collation ? hsql_collation_id(d->collation) : 0;
        c->charset = id ? id : s->coll_id;
        if (d->mtype == HSQL_TYPE_BLOB)
            f |= HSQL_FLAG_BLOB;
        if (d->cls == HSQL_CLS_ENUM)
            f |= HSQL_FLAG_ENUM;
        break;
    }
    }
    if (!d->deflt && !d->def_null && d->notnull && !d->autoinc)
        f |= HSQL_FLAG_NO_DEFAULT_VALUE;
    c->flags = f;
}

static void key_flags(const hsql_table_t *tb, const char *col, uint16_t *flags)
{
    for (int i = 0; i < tb->nidx; i++) {
        const hsql_index_t *ix = &tb->idx[i];
        for (int k = 0; k < ix->ncols; k++) {
            if (strcasecmp(ix->cols[k], col) != 0)
                continue;
            if (ix->kind == HSQL_IDX_PRIMARY)
                *flags |= HSQL_FLAG_PRI_KEY;
            else if (ix->kind == HSQL_IDX_UNIQUE && ix->ncols == 1)
                *flags |= HSQL_FLAG_UNIQUE_KEY;
            else if (k == 0)
                *flags |= HSQL_FLAG_MULTIPLE_KEY;
        }
    }
}

static void rmeta_free(rmeta_t *m)
{
    free(m->cols);
    free(m->conv);
    base_arena_fini(&m->mem);
    memset(m, 0, sizeof *m);
}

/* Column definitions of the current result of st; have_row tells whether a row is loaded
 * (expression types are then taken from its values). */
static void rmeta_build(hsql_session_t *s, sqlite3_stmt *st, rmeta_t *m, bool have_row,
                        const hsql_xl_t *xl)
{
    unsigned n = (unsigned)sqlite3_column_count(st);
    /* kept while fixed, and for the same SET NAMES: the cache outlives sessions (pool) */
    if (m->cols && m->n == n && m->fixed && m->coll == s->coll_id)
        return;
    if (!m->cols || m->n != n) {
        free(m->cols);
        free(m->conv);
        m->cols = base_xcalloc(n ? n : 1, sizeof(hsql_col_t));
        m->conv = base_xcalloc(n ? n : 1, 1);
    }
    if (m->mem.chunk_size)
        base_arena_reset(&m->mem);
    else
        base_arena_init(&m->mem, 1024);
    m->n = n;
    m->fixed = true;
    m->coll = s->coll_id;
    const char *dbn = s->dbname ? s->dbname : "";
    for (unsigned i = 0; i < n; i++) {
        hsql_col_t *c = &m->cols[i];
        const char *name = sqlite3_column_name(st, (int)i);
        const char *tname = sqlite3_column_table_name(st, (int)i);
        const char *oname = sqlite3_column_origin_name(st, (int)i);
        const char *sdb = sqlite3_column_database_name(st, (int)i);
        c->name = amem(&m->mem, name);
        c->db = c->table = c->org_table = c->org_name = "";
        c->decimals = 0;
        c->flags = 0;
        const hsql_column_t *d = NULL;
        const hsql_table_t *tb = NULL;
        if (tname && oname && s->db && sdb && (!strcmp(sdb, "main") || !strcmp(sdb, "temp"))) {
            tb = !strcmp(sdb, "temp") ? hsql_table_find(s, tname) : hsql_table_get(s->db, tname);
            if (tb && !strcmp(sdb, "temp") && !tb->temp)
                tb = NULL;
        } else if (tname && oname && sdb) {
            /* an attached database: its own catalog */
            for (int a = 0; a < s->nattached; a++)
                if (!strcmp(s->attached[a], sdb))
                    tb = hsql_table_get(hsql_db_get(s->eng, sdb), tname);
        }
        if (tb) {
            int k = hsql_col_find(tb, oname);
            if (k >= 0)
                d = &tb->cols[k];
        }
        if (d) {
            col_from_def(s, c, &m->conv[i], d);
            key_flags(tb, d->name, &c->flags);
            c->db = amem(&m->mem, strcmp(sdb, "main") && strcmp(sdb, "temp") ? sdb : dbn);
            c->table = c->org_table = amem(&m->mem, tb->name);
            c->org_name = amem(&m->mem, d->name);
            continue;
        }
        if (tname) {
            c->table = c->org_table = amem(&m->mem, tname);
            c->org_name = amem(&m->mem, oname ? oname : name);
            c->db = sdb && strcmp(sdb, "temp") == 0 ? "information_schema" : amem(&m->mem, dbn);
        }
        const hsql_hint_t *h = xl && i < (unsigned)xl->nhints ? &xl->hints[i] : NULL;
        if (h && h->col) {
            col_from_def(s, c, &m->conv[i], h->col);
            c->flags &= (uint16_t)~(HSQL_FLAG_NO_DEFAULT_VALUE | HSQL_FLAG_AUTO_INCREMENT);
            continue;
        }
        if (h && h->type) {
            c->type = h->type;
            c->length = h->length;
            c->decimals = h->decimals;
            c->charset = 63;
            c->flags = HSQL_FLAG_BINARY | (h->type == HSQL_TYPE_NULL ? 0 : HSQL_FLAG_NUM) |
                       (h->is_unsigned ? HSQL_FLAG_UNSIGNED : 0);
            switch (h->type) {
            case HSQL_TYPE_NEWDECIMAL: m->conv[i] = CONV_DECIMAL; break;
            case HSQL_TYPE_DOUBLE: m->conv[i] = CONV_DOUBLE; break;
            case HSQL_TYPE_DATE:
            case HSQL_TYPE_DATETIME:
            case HSQL_TYPE_TIME:
                m->conv[i] = CONV_TEXT; /* MySQL's text form, binary charset, no NUM flag */
                c->flags = HSQL_FLAG_BINARY;
                break;
            case HSQL_TYPE_BLOB: /* a TEXT result: blob type, text charset */
                m->conv[i] = CONV_TEXT;
                c->flags = HSQL_FLAG_BLOB;
                c->charset = s->coll_id;
                break;
            case HSQL_TYPE_STRING:
            case HSQL_TYPE_NULL:
                m->conv[i] = CONV_TEXT;
                c->flags = 0;
                c->charset = h->type == HSQL_TYPE_NULL ? 63 : s->coll_id;
                break;
            default: m->conv[i] = h->is_unsigned ? CONV_UINT : CONV_INT; break;
            }
            continue;
        }
        const char *decl = sqlite3_column_decltype(st, (int)i);
        int vt = have_row ? sqlite3_column_type(st, (int)i) : SQLITE_NULL;
        if (decl && (strcasecmp(decl, "INTEGER") == 0 || strcasecmp(decl, "BIGINT") == 0))
            vt = SQLITE_INTEGER;
        else if (decl && strcasecmp(decl, "REAL") == 0)
            vt = SQLITE_FLOAT;
        else if (decl)
            vt = SQLITE_TEXT;
        else
            m->fixed = false;
        switch (vt) {
        case SQLITE_INTEGER:
            c->type = HSQL_TYPE_LONGLONG;
            c->length = 21;
            c->charset = 63;
            c->flags = HSQL_FLAG_NUM | HSQL_FLAG_BINARY;
            m->conv[i] = CONV_INT;
            break;
        case SQLITE_FLOAT:
            c->type = HSQL_TYPE_DOUBLE;
            c->length = 23;
            c->decimals = 31;
            c->charset = 63;
            c->flags = HSQL_FLAG_NUM | HSQL_FLAG_BINARY;
            m->conv[i] = CONV_DOUBLE;
            break;
        case SQLITE_BLOB:
            c->type = HSQL_TYPE_BLOB;
            c->length = 65535;
            c->charset = 63;
            c->flags = HSQL_FLAG_BLOB | HSQL_FLAG_BINARY;
            m->conv[i] = CONV_BLOB;
            break;
        default:
            c->type = HSQL_TYPE_VAR_STRING;
            c->length = 1024;
            c->charset = s->coll_id;
            m->conv[i] = CONV_TEXT;
            if (decl && strstr(decl, "LONGTEXT")) {
                c->type = HSQL_TYPE_BLOB;
                c->length = 4294967295u;
                c->flags = HSQL_FLAG_BLOB;
            }
            break;
        }
    }
}

static int send_cols(const hsql_sink_t *sink, rmeta_t *m)
{
    if (sink && sink->on_columns)
        return sink->on_columns(sink->ctx, m->cols, m->n);
    return 0;
}

/* Formats a double as MySQL prints it: the shortest text that reads back the same. */
static int fmt_double(char *b, size_t len, double d)
{
    if (d == 0)
        return snprintf(b, len, "0");
    int n = snprintf(b, len, "%.15g", d);
    if (strtod(b, NULL) != d)
        n = snprintf(b, len, "%.17g", d);
    return n;
}

static int fmt_i64(char *b, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    int o = 0;
    if (v < 0)
        b[o++] = '-';
    while (n)
        b[o++] = tmp[--n];
    b[o] = 0;
    return o;
}

static int send_row(hsql_session_t *s, sqlite3_stmt *st, rmeta_t *m, const hsql_sink_t *sink)
{
    unsigned n = m->n;
    hsql_value_t vals[n ? n : 1];
    size_t need = (size_t)n * 40;
    if (s->vbuf.cap < need)
        base_buf_reserve(&s->vbuf, need, SIZE_MAX);
    char *nb = s->vbuf.data;
    for (unsigned i = 0; i < n; i++) {
        hsql_value_t *v = &vals[i];
        char *b = nb + i * 40;
        int t = sqlite3_column_type(st, (int)i);
        if (t == SQLITE_NULL) {
            v->kind = HSQL_VAL_NULL;
            v->s = NULL;
            v->len = 0;
            continue;
        }
        switch (m->conv[i]) {
        case CONV_INT:
        case CONV_UINT: {
            int64_t x;
            if (t == SQLITE_INTEGER)
                x = sqlite3_column_int64(st, (int)i);
            else if (t == SQLITE_FLOAT)
                {
                double dd = sqlite3_column_double(st, (int)i);
                x = (int64_t)(dd < 0 ? dd - 0.5 : dd + 0.5);
            }
            else {
                const char *tx = (const char *)sqlite3_column_text(st, (int)i);
                if (t == SQLITE_TEXT && m->cols[i].type == HSQL_TYPE_LONGLONG && tx &&
                    (tx[0] < '0' || tx[0] > '9') && tx[0] != '-') {
                    /* an expression that became text: send it as text */
                    v->kind = HSQL_VAL_TEXT;
                    v->s = tx;
                    v->len = (size_t)sqlite3_column_bytes(st, (int)i);
                    continue;
                }
                x = tx ? strtoll(tx, NULL, 10) : 0;
            }
            v->i = x;
            v->u = (uint64_t)x;
            v->kind = m->conv[i] == CONV_UINT ? HSQL_VAL_UINT : HSQL_VAL_INT;
            if (m->conv[i] == CONV_UINT) {
                int k = snprintf(b, 40, "%llu", (unsigned long long)(uint64_t)x);
                v->len = (size_t)k;
            } else {
                v->len = (size_t)fmt_i64(b, x);
            }
            v->s = b;
            break;
        }
        case CONV_DOUBLE: {
            double d = sqlite3_column_double(st, (int)i);
            v->kind = HSQL_VAL_DOUBLE;
            v->d = d;
            v->i = (int64_t)d;
            v->u = (uint64_t)v->i;
            v->len = (size_t)fmt_double(b, 40, d);
            v->s = b;
            break;
        }
        case CONV_DECIMAL: {
            double d = sqlite3_column_double(st, (int)i);
            v->kind = HSQL_VAL_TEXT;
            v->d = d;
            int k = snprintf(b, 40, "%.*f", m->cols[i].decimals, d);
            v->len = k < 40 ? (size_t)k : 39;
            v->s = b;
            break;
        }
        case CONV_BLOB:
            v->kind = HSQL_VAL_TEXT;
            v->s = (const char *)sqlite3_column_blob(st, (int)i);
            v->len = (size_t)sqlite3_column_bytes(st, (int)i);
            if (!v->s)
                v->s = "";
            break;
        default:
            v->kind = HSQL_VAL_TEXT;
            v->s = (const char *)sqlite3_column_text(st, (int)i);
            v->len = (size_t)sqlite3_column_bytes(st, (int)i);
            if (!v->s)
                v->s = "";
            if (t == SQLITE_INTEGER) {
                v->i = sqlite3_column_int64(st, (int)i);
                v->u = (uint64_t)v->i;
            }
            break;
        }
    }
    if (sink && sink->on_row)
        return sink->on_row(sink->ctx, vals, n);
    return 0;
}

int hsql_send_ok(hsql_session_t *s, const hsql_sink_t *sink, uint64_t affected, uint64_t id,
                 uint16_t more, const char *info, hsql_error_t *err)
{
    hsql_ok_t ok = {affected, id, (uint16_t)(hsql_status(s) | more),
                    (uint16_t)(s->nwarn_total > 65535 ? 65535 : s->nwarn_total), info ? info : ""};
    if (sink && sink->on_ok && sink->on_ok(sink->ctx, &ok))
        return hsql_err(err, 2013, "HY000", "Lost connection to MySQL server during query");
    return 0;
}

static int sink_abort(hsql_error_t *err)
{
    return hsql_err(err, 2013, "HY000", "Lost connection to MySQL server during query");
}

/* Streams the rows of a bound statement. calc: SQL_CALC_FOUND_ROWS with limits applied here. */
static int stream_select(hsql_session_t *s, sqlite3_stmt *st, rmeta_t *m, const hsql_sink_t *sink,
                         uint16_t more, bool calc, int64_t off, int64_t cnt, const hsql_xl_t *xl,
                         hsql_error_t *err)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        hsql_err_sqlite(s, rc, err, xl);
        sqlite3_reset(st);
        return -1;
    }
    rmeta_build(s, st, m, rc == SQLITE_ROW, xl);
    if (send_cols(sink, m)) {
        sqlite3_reset(st);
        return sink_abort(err);
    }
    int64_t total = 0, sent = 0;
    while (rc == SQLITE_ROW) {
        bool emit_it = !calc || (total >= off && (cnt < 0 || sent < cnt));
        total++;
        if (emit_it) {
            sent++;
            if (send_row(s, st, m, sink)) {
                sqlite3_reset(st);
                return sink_abort(err);
            }
        }
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE) {
        hsql_err_sqlite(s, rc, err, xl);
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_reset(st);
    s->found_rows = calc ? total : sent;
    s->row_count = -1;
    if (sink && sink->on_eof &&
        sink->on_eof(sink->ctx, (uint16_t)(hsql_status(s) | more),
                     (uint16_t)(s->nwarn_total > 65535 ? 65535 : s->nwarn_total)))
        return sink_abort(err);
    return 0;
}

int hsql_run_sql_result(hsql_session_t *s, const char *sql, const hsql_sink_t *sink, uint16_t more,
                        hsql_error_t *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->conn, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return hsql_err_sqlite(s, rc, err, NULL);
    rmeta_t m = {0};
    int r = stream_select(s, st, &m, sink, more, false, 0, -1, NULL, err);
    sqlite3_finalize(st);
    rmeta_free(&m);
    return r;
}

/* ---- C-built result sets ----------------------------------------------------------------- */
void hsql_rs_init(hsql_rs_t *rs, hsql_session_t *s, const hsql_sink_t *sink, uint16_t more)
{
    memset(rs, 0, sizeof *rs);
    rs->s = s;
    rs->sink = sink;
    rs->more = more;
}

void hsql_rs_col(hsql_rs_t *rs, const char *name, uint8_t type, uint32_t length)
{
    if (rs->ncols >= BASE_ARRAY_LEN(rs->cols))
        return;
    hsql_col_t *c = &rs->cols[rs->ncols++];
    memset(c, 0, sizeof *c);
    c->db = c->table = c->org_table = c->org_name = "";
    c->name = name;
    c->type = type;
    c->length = length;
    bool num = type == HSQL_TYPE_LONGLONG || type == HSQL_TYPE_LONG || type == HSQL_TYPE_TINY;
    c->charset = num ? 63 : rs->s->coll_id;
    if (num)
        c->flags = HSQL_FLAG_NUM | HSQL_FLAG_BINARY;
}

static void rs_send_cols(hsql_rs_t *rs)
{
    if (rs->sent_cols || rs->failed)
        return;
    rs->sent_cols = true;
    if (rs->sink && rs->sink->on_columns && rs->sink->on_columns(rs->sink->ctx, rs->cols, rs->ncols))
        rs->failed = 1;
}

void hsql_rs_row(hsql_rs_t *rs, const char *const *vals)
{
    rs_send_cols(rs);
    if (rs->failed)
        return;
    hsql_value_t v[32];
    for (unsigned i = 0; i < rs->ncols; i++) {
        memset(&v[i], 0, sizeof v[i]);
        if (!vals[i]) {
            v[i].kind = HSQL_VAL_NULL;
            continue;
        }
        v[i].s = vals[i];
        v[i].len = strlen(vals[i]);
        uint8_t t = rs->cols[i].type;
        if (t == HSQL_TYPE_LONGLONG || t == HSQL_TYPE_LONG || t == HSQL_TYPE_TINY) {
            v[i].kind = HSQL_VAL_INT;
            v[i].i = strtoll(vals[i], NULL, 10);
            v[i].u = (uint64_t)v[i].i;
        } else {
            v[i].kind = HSQL_VAL_TEXT;
        }
    }
    if (rs->sink && rs->sink->on_row && rs->sink->on_row(rs->sink->ctx, v, rs->ncols))
        rs->failed = 1;
}

int hsql_rs_end(hsql_rs_t *rs, hsql_error_t *err)
{
    rs_send_cols(rs);
    if (!rs->failed && rs->sink && rs->sink->on_eof &&
        rs->sink->on_eof(rs->sink->ctx, (uint16_t)(hsql_status(rs->s) | rs->more),
                         (uint16_t)rs->s->nwarn_total))
        rs->failed = 1;
    if (rs->failed)
        return sink_abort(err);
    return 0;
}

/* ---- statement cache and DML execution --------------------------------------------------- */
static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void ensure_pf(hsql_session_t *s, size_t n)
{
    if (s->cappf >= n)
        return;
    s->cappf = n + 64;
    s->pflags = base_xrealloc(s->pflags, s->cappf);
    s->pord = base_xrealloc(s->pord, s->cappf * sizeof(int));
}

static void ensure_bv(hsql_session_t *s, size_t n)
{
    if (s->capbv >= n)
        return;
    s->capbv = n + 16;
    s->bv = base_xrealloc(s->bv, s->capbv * sizeof(hsql_bval_t));
}

/* The value of a literal token. Strings with escapes are decoded into s->sbuf, which the
 * caller reserved large enough beforehand (so pointers stay valid). */
static void tok_value(hsql_session_t *s, const char *src, const hsql_tok_t *t, hsql_bval_t *v)
{
    switch (t->type) {
    case HSQL_TK_STR:
        v->kind = HSQL_VAL_TEXT;
        if (!(t->flags & HSQL_TKF_ESC)) {
            v->s = src + t->off + 1;
            v->len = t->len - 2;
        } else {
            char *o = s->sbuf.data + s->sbuf.len;
            v->len = hsql_str_decode(src, t, o);
            v->s = o;
            s->sbuf.len += v->len;
        }
        return;
    case HSQL_TK_INT: {
        /* the text is the client's packet: not NUL-terminated, parse exactly the token */
        bool ov;
        int64_t x = hsql_tok_i64(src, t, &ov);
        if (ov) {
            v->kind = HSQL_VAL_DOUBLE;
            v->d = hsql_tok_double(src, t);
        } else {
            v->kind = HSQL_VAL_INT;
            v->i = x;
        }
        return;
    }
    case HSQL_TK_DEC:
        v->kind = HSQL_VAL_DOUBLE;
        v->d = hsql_tok_double(src, t);
        return;
    case HSQL_TK_HEX: {
        const char *p = src + t->off;
        size_t n = t->len;
        if (p[0] == '0') {
            p += 2;
            n -= 2;
        } else {
            p += 2;
            n -= 3;
        }
        char *o = s->sbuf.data + s->sbuf.len;
        size_t k = 0, j = 0;
        if (n % 2) {
            o[k++] = (char)(p[0] <= '9' ? p[0] - '0' : (p[0] | 32) - 'a' + 10);
            j = 1;
        }
        for (; j + 1 < n + 1 && j < n; j += 2) {
            int hi = p[j] <= '9' ? p[j] - '0' : (p[j] | 32) - 'a' + 10;
            int lo = p[j + 1] <= '9' ? p[j + 1] - '0' : (p[j + 1] | 32) - 'a' + 10;
            o[k++] = (char)(hi * 16 + lo);
        }
        v->kind = HSQL_VAL_TEXT;
        v->s = o;
        v->len = k;
        s->sbuf.len += k;
        return;
    }
    default: v->kind = HSQL_VAL_NULL; return;
    }
}

static int bind_all(sqlite3_stmt *st, const hsql_bval_t *bv, int n)
{
    int np = sqlite3_bind_parameter_count(st);
    for (int i = 0; i < n && i < np; i++) {
        const hsql_bval_t *v = &bv[i];
        int rc;
        switch (v->kind) {
        case HSQL_VAL_INT: rc = sqlite3_bind_int64(st, i + 1, v->i); break;
        case HSQL_VAL_UINT:
            rc = v->i >= 0 ? sqlite3_bind_int64(st, i + 1, v->i)
                           : sqlite3_bind_double(st, i + 1, (double)(uint64_t)v->i);
            break;
        case HSQL_VAL_DOUBLE: rc = sqlite3_bind_double(st, i + 1, v->d); break;
        case HSQL_VAL_TEXT:
            rc = sqlite3_bind_text(st, i + 1, v->s ? v->s : "", (int)v->len, SQLITE_STATIC);
            break;
        case HSQL_BV_BLOB: rc = sqlite3_bind_blob(st, i + 1, v->s, (int)v->len, SQLITE_STATIC); break;
        default: rc = sqlite3_bind_null(st, i + 1); break;
        }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

static int64_t bv_int(const hsql_bval_t *bv, int n, int p, int64_t dflt)
{
    if (p <= 0 || p > n)
        return dflt;
    const hsql_bval_t *v = &bv[p - 1];
    if (v->kind == HSQL_VAL_INT || v->kind == HSQL_VAL_UINT)
        return v->i;
    if (v->kind == HSQL_VAL_DOUBLE)
        return (int64_t)v->d;
    if (v->kind == HSQL_VAL_TEXT) {
        char b[32];
        size_t k = v->len < 31 ? v->len : 31;
        memcpy(b, v->s, k);
        b[k] = 0;
        return strtoll(b, NULL, 10);
    }
    return dflt;
}

static int run_multi(hsql_session_t *s, const hsql_xl_t *xl, sqlite3_stmt *st, const hsql_sink_t *sink,
                     uint16_t more, hsql_error_t *err)
{
    int nt = xl->nsub, roww = 0;
    for (int k = 0; k < nt; k++)
        roww += 1 + xl->sub_nvals[k];
    /* collect all rows first (the SELECT must finish before its tables change) */
    typedef struct cell {
        int t;
        int64_t i;
        double d;
        char *s;
        int n;
    } cell_t;
    cell_t *rows = NULL;
    size_t nrows = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (nrows == cap) {
            cap = cap ? cap * 2 : 16;
            rows = base_xrealloc(rows, cap * (size_t)roww * sizeof(cell_t));
        }
        cell_t *r = rows + nrows * (size_t)roww;
        for (int c = 0; c < roww; c++) {
            r[c].t = sqlite3_column_type(st, c);
            r[c].i = sqlite3_column_int64(st, c);
            r[c].d = sqlite3_column_double(st, c);
            r[c].s = NULL;
            r[c].n = 0;
            if (r[c].t == SQLITE_TEXT || r[c].t == SQLITE_BLOB) {
                r[c].n = sqlite3_column_bytes(st, c);
                r[c].s = base_xmalloc((size_t)r[c].n + 1);
                memcpy(r[c].s, sqlite3_column_blob(st, c), (size_t)r[c].n);
            }
        }
        nrows++;
    }
    sqlite3_reset(st);
    int ret = 0;
    uint64_t changed = 0, matched = 0;
    if (rc != SQLITE_DONE) {
        ret = hsql_err_sqlite(s, rc, err, xl);
        goto out;
    }
    if (sqlite3_exec(s->conn, "SAVEPOINT hsql_multi", NULL, NULL, NULL) != SQLITE_OK) {
        ret = hsql_err_sqlite(s, SQLITE_ERROR, err, xl);
        goto out;
    }
    int col = 0;
    for (int k = 0; k < nt && ret == 0; k++) {
        sqlite3_stmt *ds = NULL;
        rc = sqlite3_prepare_v2(s->conn, xl->sub[k], -1, &ds, NULL);
        if (rc != SQLITE_OK) {
            ret = hsql_err_sqlite(s, rc, err, xl);
            break;
        }
        int nv = xl->sub_nvals[k];
        for (size_t r = 0; r < nrows; r++) {
            cell_t *row = rows + r * (size_t)roww + col;
            if (row[0].t == SQLITE_NULL)
                continue;
            for (int v = 0; v < nv; v++) {
                cell_t *c = &row[1 + v];
                if (c->t == SQLITE_INTEGER)
                    sqlite3_bind_int64(ds, v + 1, c->i);
                else if (c->t == SQLITE_FLOAT)
                    sqlite3_bind_double(ds, v + 1, c->d);
                else if (c->t == SQLITE_TEXT)
                    sqlite3_bind_text(ds, v + 1, c->s, c->n, SQLITE_STATIC);
                else if (c->t == SQLITE_BLOB)
                    sqlite3_bind_blob(ds, v + 1, c->s, c->n, SQLITE_STATIC);
                else
                    sqlite3_bind_null(ds, v + 1);
            }
            sqlite3_bind_int64(ds, nv ? nv + 1 : 1, row[0].i);
            rc = sqlite3_step(ds);
            sqlite3_reset(ds);
            if (rc != SQLITE_DONE) {
                ret = hsql_err_sqlite(s, rc, err, xl);
                break;
            }
            matched++;
            changed += (uint64_t)sqlite3_changes(s->conn);
        }
        sqlite3_finalize(ds);
        col += 1 + nv;
    }
    if (ret == 0) {
        sqlite3_exec(s->conn, "RELEASE hsql_multi", NULL, NULL, NULL);
    } else {
        sqlite3_exec(s->conn, "ROLLBACK TO hsql_multi; RELEASE hsql_multi", NULL, NULL, NULL);
    }
out:
    for (size_t r = 0; r < nrows * (size_t)roww; r++)
        free(rows[r].s);
    free(rows);
    if (ret)
        return ret;
    s->row_count = (int64_t)changed;
    if (xl->kind == HSQL_XK_MULTI_UPDATE) {
        char info[128];
        snprintf(info, sizeof info, "Rows matched: %llu  Changed: %llu  Warnings: %d",
                 (unsigned long long)matched, (unsigned long long)changed, s->nwarn_total);
        return hsql_send_ok(s, sink, s->client_found_rows ? matched : changed, 0, more, info, err);
    }
    return hsql_send_ok(s, sink, changed, 0, more, "", err);
}

/* REPLACE: MySQL counts the rows it deleted to make room as affected too. */
static void count_deletes(void *arg, sqlite3 *db, int op, const char *zdb, const char *ztab,
                          sqlite3_int64 k1, sqlite3_int64 k2)
{
    (void)db;
    (void)zdb;
    (void)ztab;
    (void)k1;
    (void)k2;
    if (op == SQLITE_DELETE)
        ((hsql_session_t *)arg)->cnt_del++;
}

/* InnoDB spends an AUTO_INCREMENT id on every row it tried to insert, also when a duplicate
 * key failed the statement (SQLite rolls its counter back with the statement). A table that
 * never had a row has no sqlite_sequence entry yet: it gets one first. */
static void spend_ids(hsql_session_t *s, const hsql_xl_t *xl, uint64_t n)
{
    if (!xl->has_insert_id || xl->ai_given || !n)
        return;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->conn, "INSERT INTO sqlite_sequence(name, seq) SELECT ?1, 0 WHERE NOT "
                           "EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)", -1, &q,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, xl->target->name, -1, SQLITE_STATIC);
        sqlite3_step(q);
    }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(s->conn, "UPDATE sqlite_sequence SET seq = seq + ?1 WHERE name = ?2", -1, &q,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, (sqlite3_int64)n);
        sqlite3_bind_text(q, 2, xl->target->name, -1, SQLITE_STATIC);
        sqlite3_step(q);
    }
    sqlite3_finalize(q);
}

/* InnoDB never hands out an id again, also not one of a rolled-back insert; SQLite's counter
 * rolls back with the transaction. After any ROLLBACK the next insert raises the counter to
 * the largest id handed out before. */
static void keep_ids_after_rollback(hsql_session_t *s, hsql_table_t *tb)
{
    uint64_t rb = __atomic_load_n(&s->eng->rollbacks, __ATOMIC_ACQUIRE);
    if (rb == __atomic_load_n(&tb->ai_checked, __ATOMIC_ACQUIRE))
        return;
    int64_t hw = __atomic_load_n(&tb->ai_hw, __ATOMIC_RELAXED);
    if (hw > 0) {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(s->conn, "UPDATE sqlite_sequence SET seq = ?1 WHERE name = ?2 AND seq < ?1",
                               -1, &q, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, hw);
            sqlite3_bind_text(q, 2, tb->name, -1, SQLITE_STATIC);
            sqlite3_step(q);
        }
        sqlite3_finalize(q);
    }
    __atomic_store_n(&tb->ai_checked, rb, __ATOMIC_RELEASE);
}

/* Runs a translated statement with bound values. */
static int exec_xl(hsql_session_t *s, const hsql_xl_t *xl, sqlite3_stmt *st, rmeta_t *m,
                   const hsql_bval_t *bv, int nbv, const hsql_sink_t *sink, uint16_t more,
                   hsql_error_t *err)
{
    s->busy_timed_out = false;
    s->cur_bv = bv;
    s->cur_nbv = nbv;
    int rc = bind_all(st, bv, nbv);
    if (rc != SQLITE_OK)
        return hsql_err_sqlite(s, rc, err, xl);
    if (xl->infoschema && hsql_infoschema_prepare(s, err) < 0)
        return -1;
    if (xl->kind == HSQL_XK_SELECT) {
        int64_t off = xl->lim_off, cnt = xl->lim_cnt;
        if (xl->calc_found) {
            off = bv_int(bv, nbv, xl->lim_off_p, off);
            cnt = bv_int(bv, nbv, xl->lim_cnt_p, cnt);
        }
        return stream_select(s, st, m, sink, more, xl->calc_found, off, cnt, xl, err);
    }
    if (xl->kind == HSQL_XK_MULTI_DELETE || xl->kind == HSQL_XK_MULTI_UPDATE)
        return run_multi(s, xl, st, sink, more, err);
    s->cnt_chg = s->cnt_upd = s->cnt_del = 0;
    if (xl->kind == HSQL_XK_INSERT && xl->has_insert_id && !xl->ai_given)
        keep_ids_after_rollback(s, xl->target);
    if (xl->is_replace)
        sqlite3_preupdate_hook(s->conn, count_deletes, s);
    rc = sqlite3_step(st);
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    if ((rc & 0xff) == SQLITE_BUSY && s->txn_first_write && hsql_user_txn(s) && !s->busy_timed_out) {
        /* The transaction's first write, and its read snapshot is older than another's commit.
         * InnoDB writes the latest rows in that case instead of failing: start the transaction
         * again at this statement (it has written nothing) and queue for the write lock, for a
         * bounded time so a waiting worker thread cannot starve the lock holder for long. */
        sqlite3_reset(st);
        sqlite3_exec(s->conn, "ROLLBACK", NULL, NULL, NULL);
        if (sqlite3_exec(s->conn, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
            s->busy_short = true;
            rc = sqlite3_step(st);
            while (rc == SQLITE_ROW)
                rc = sqlite3_step(st);
            s->busy_short = false;
        }
    }
    if (xl->is_replace)
        sqlite3_preupdate_hook(s->conn, NULL, NULL);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        int r = hsql_err_sqlite(s, rc, err, xl);
        if (xl->kind == HSQL_XK_INSERT && err && err->code == 1062 && !hsql_user_txn(s))
            spend_ids(s, xl, xl->lim_off > 0 ? (uint64_t)xl->lim_off : 1);
        return r;
    }
    uint64_t changes = (uint64_t)sqlite3_changes64(s->conn);
    char info[128] = "";
    uint64_t affected = changes + s->cnt_del, id = 0;
    if (xl->kind == HSQL_XK_INSERT) {
        if (xl->missing_col)
            hsql_warn_add(s, "Warning", 1364, "Field '%s' doesn't have a default value", xl->missing_col);
        uint64_t upd = xl->odku ? s->cnt_upd : 0;
        uint64_t inserted = changes >= upd ? changes - upd : 0;
        if (xl->odku)
            affected = inserted + 2 * s->cnt_chg;
        if (xl->has_insert_id && inserted > 0) {
            int64_t last = sqlite3_last_insert_rowid(s->conn);
            id = (uint64_t)(last - (int64_t)(inserted - 1));
            s->last_insert_id = (int64_t)id;
            int64_t hw = __atomic_load_n(&xl->target->ai_hw, __ATOMIC_RELAXED);
            while (last > hw && !__atomic_compare_exchange_n(&xl->target->ai_hw, &hw, last, false,
                                                             __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                ;
        } else if (xl->has_insert_id && xl->odku && upd > 0 && s->cnt_chg > 0) {
            id = (uint64_t)s->odku_id;
        }
        /* (SQLite's AUTOINCREMENT already spends an id on rows an ODKU updates or IGNORE
         * skips, as InnoDB does) */
        if (xl->lim_off > 1) { /* lim_off carries the number of VALUES rows for INSERT */
            snprintf(info, sizeof info, "Records: %lld  Duplicates: %llu  Warnings: %d",
                     (long long)xl->lim_off,
                     (unsigned long long)((uint64_t)xl->lim_off > inserted ? (uint64_t)xl->lim_off - inserted : 0),
                     s->nwarn_total);
        }
    } else if (xl->kind == HSQL_XK_UPDATE) {
        uint64_t changed = s->cnt_chg;
        snprintf(info, sizeof info, "Rows matched: %llu  Changed: %llu  Warnings: %d",
                 (unsigned long long)changes, (unsigned long long)changed, s->nwarn_total);
        affected = s->client_found_rows ? changes : changed;
    }
    s->row_count = (int64_t)affected;
    return hsql_send_ok(s, sink, affected, id, more, info, err);
}

/* The prepared statement for translated text sql: shared when another shape has it. */
static hsql_pstmt_t *pstmt_get(hsql_session_t *s, const char *sql, int *rc)
{
    uint64_t h = fnv(sql, strlen(sql));
    unsigned b = (unsigned)(h % HSQL_CACHE_BUCKETS);
    for (hsql_pstmt_t *p = s->pstmts[b]; p; p = p->next)
        if (p->hash == h && strcmp(p->sql, sql) == 0) {
            p->refs++;
            *rc = SQLITE_OK;
            return p;
        }
    sqlite3_stmt *st = NULL;
    *rc = sqlite3_prepare_v3(s->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (*rc != SQLITE_OK)
        return NULL;
    hsql_pstmt_t *p = base_xcalloc(1, sizeof *p);
    p->sql = base_xstrdup(sql);
    p->hash = h;
    p->st = st;
    p->refs = 1;
    p->next = s->pstmts[b];
    s->pstmts[b] = p;
    return p;
}

static void pstmt_unref(hsql_session_t *s, hsql_pstmt_t *p)
{
    if (--p->refs > 0)
        return;
    unsigned b = (unsigned)(p->hash % HSQL_CACHE_BUCKETS);
    for (hsql_pstmt_t **pp = &s->pstmts[b]; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    sqlite3_finalize(p->st);
    free(p->sql);
    free(p);
}

static void centry_free(hsql_session_t *s, hsql_centry_t *c)
{
    if (c->ps)
        pstmt_unref(s, c->ps);
    else
        sqlite3_finalize(c->st);
    hsql_xl_free(c->xl);
    free(c->key);
    free(c->cols);
    base_arena_fini(&c->colmem);
    free(c);
}

/* Per-entry result metadata lives in a side table keyed by the entry pointer: kept simple by
 * storing an rmeta_t in the entry's memory (see struct below). */
typedef struct centry_ex {
    hsql_centry_t c;
    rmeta_t m;
} centry_ex_t;

static void cache_evict_all(hsql_session_t *s)
{
    for (int b = 0; b < HSQL_CACHE_BUCKETS; b++) {
        hsql_centry_t *c = s->cache[b];
        while (c) {
            hsql_centry_t *n = c->next;
            rmeta_free(&((centry_ex_t *)c)->m);
            centry_free(s, c);
            c = n;
        }
        s->cache[b] = NULL;
    }
    s->ncache = 0;
}

void hsql_cache_clear(hsql_session_t *s) { cache_evict_all(s); }

/* Marks the parameters of DML statement [b,e) (s->pflags, s->pord) and builds its cache key:
 * the text with parameter literals replaced by markers, in s->kbuf (key_np, key_hash,
 * key_esc). */
static void dml_key(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e)
{
    ensure_pf(s, (size_t)e + 1);
    s->key_np = hsql_mark_params(src, t, b, e, s->pflags, s->pord);
    base_buf_reset(&s->kbuf);
    size_t end = t[e - 1].off + t[e - 1].len, pos = t[b].off, esc_total = 0;
    for (int i = b; i < e; i++) {
        if (!s->pflags[i])
            continue;
        base_buf_append(&s->kbuf, src + pos, t[i].off - pos);
        char mk[2] = {'\001', (char)('a' + t[i].type)};
        base_buf_append(&s->kbuf, mk, 2);
        pos = t[i].off + t[i].len;
        esc_total += t[i].len;
    }
    base_buf_append(&s->kbuf, src + pos, end - pos);
    s->key_hash = fnv(s->kbuf.data, s->kbuf.len);
    s->key_esc = esc_total;
}

/* ---- exact-text memo ------------------------------------------------------------------------ */
/* A word-at-a-time hash of the whole text (the memo's key): cheaper than the byte-wise FNV. */
static uint64_t text_hash(const char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

static void memo_free(hsql_memo_t *m)
{
    free(m->text);
    free(m->toks);
    free(m->pflags);
    free(m->pord);
    free(m->key);
    free(m);
}

void hsql_memo_clear(hsql_session_t *s)
{
    for (int b = 0; b < HSQL_MEMO_BUCKETS; b++) {
        for (hsql_memo_t *m = s->memo[b], *n; m; m = n) {
            n = m->next;
            memo_free(m);
        }
        s->memo[b] = NULL;
    }
    s->nmemo = 0;
    s->memo_bytes = 0;
}

static void toks_set(hsql_toks_t *tk, const hsql_tok_t *v, size_t n)
{
    if (tk->cap < n) {
        tk->cap = n + 16;
        tk->v = base_xrealloc(tk->v, tk->cap * sizeof *tk->v);
    }
    memcpy(tk->v, v, n * sizeof *v);
    tk->n = n;
}

bool hsql_memo_get(hsql_session_t *s, const char *sql, size_t len)
{
    s->key_ready = false;
    if (len > HSQL_MEMO_MAX_TEXT || !s->nmemo)
        return false;
    uint64_t h = text_hash(sql, len);
    hsql_memo_t *m = s->memo[h % HSQL_MEMO_BUCKETS];
    while (m && !(m->hash == h && m->len == len && memcmp(m->text, sql, len) == 0))
        m = m->next;
    if (!m)
        return false;
    /* copied out: nothing refers to the memo while the statement runs (a USE inside it parks
     * the connection, memo and all, for another session to adopt) */
    toks_set(&s->toks, m->toks, (size_t)m->ntoks);
    if (m->dml) {
        size_t e = (size_t)m->ntoks - 1;
        ensure_pf(s, e + 1);
        memcpy(s->pflags, m->pflags, e);
        memcpy(s->pord, m->pord, e * sizeof(int));
        base_buf_reset(&s->kbuf);
        base_buf_append(&s->kbuf, m->key, m->klen);
        s->key_np = m->np;
        s->key_hash = m->khash;
        s->key_esc = m->esc;
        s->key_src = sql;
        s->key_e = (int)e;
        s->key_ready = true;
    }
    return true;
}

void hsql_memo_put(hsql_session_t *s, const char *sql, size_t len, bool dml)
{
    s->key_ready = false;
    int ntoks = (int)s->toks.n, e = ntoks - 1;
    if (len > HSQL_MEMO_MAX_TEXT || e <= 0)
        return;
    if (dml) {
        dml_key(s, sql, s->toks.v, 0, e);
        s->key_src = sql;
        s->key_e = e;
        s->key_ready = true;
    }
    if (dml && (s->key_np > HSQL_CACHE_MAX_PARAMS || s->kbuf.len > HSQL_CACHE_MAX_KEY))
        return; /* bulk statements are not cached either; the marks stay ready for this run */
    size_t bytes = sizeof(hsql_memo_t) + len + 1 + (size_t)ntoks * sizeof(hsql_tok_t) +
                   (dml ? (size_t)e * (1 + sizeof(int)) + s->kbuf.len + 1 : 0);
    if (s->nmemo >= HSQL_MEMO_MAX || s->memo_bytes + bytes > HSQL_MEMO_MAX_BYTES)
        hsql_memo_clear(s);
    s->memo_bytes += bytes;
    hsql_memo_t *m = base_xcalloc(1, sizeof *m);
    m->hash = text_hash(sql, len);
    m->text = base_xmalloc(len + 1);
    memcpy(m->text, sql, len);
    m->text[len] = 0;
    m->len = len;
    m->toks = base_xmalloc((size_t)ntoks * sizeof *m->toks);
    memcpy(m->toks, s->toks.v, (size_t)ntoks * sizeof *m->toks);
    m->ntoks = ntoks;
    if (dml) {
        m->dml = true;
        m->pflags = base_xmalloc((size_t)e);
        memcpy(m->pflags, s->pflags, (size_t)e);
        m->pord = base_xmalloc((size_t)e * sizeof(int));
        memcpy(m->pord, s->pord, (size_t)e * sizeof(int));
        m->np = s->key_np;
        m->esc = s->key_esc;
        m->khash = s->key_hash;
        m->klen = s->kbuf.len;
        m->key = base_xmalloc(m->klen + 1);
        memcpy(m->key, s->kbuf.data, m->klen);
    }
    unsigned b = (unsigned)(m->hash % HSQL_MEMO_BUCKETS);
    m->next = s->memo[b];
    s->memo[b] = m;
    s->nmemo++;
}

/* Counts the VALUES tuples of an INSERT (for the info text). */
static int64_t count_tuples(const char *src, const hsql_tok_t *t, int b, int e)
{
    int d = 0;
    int64_t n = 0;
    bool in_values = false;
    for (int i = b; i < e; i++) {
        if (d == 0 && (hsql_tok_is(src, &t[i], "VALUES") || hsql_tok_is(src, &t[i], "VALUE")))
            in_values = true;
        else if (d == 0 && hsql_tok_is(src, &t[i], "ON"))
            break; /* ON DUPLICATE KEY UPDATE ... VALUES(col) are not rows */
        if (hsql_tok_op(src, &t[i], "(")) {
            if (d == 0 && in_values)
                n++;
            d++;
        } else if (hsql_tok_op(src, &t[i], ")"))
            d--;
    }
    return n;
}

int hsql_run_dml(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                 const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    /* a stale snapshot must not be used to prepare (it may predate new tables) */
    if (s->rtxn && s->rtxn_gen != __atomic_load_n(&s->eng->commit_gen, __ATOMIC_ACQUIRE))
        hsql_rtxn_end(s);
    if (!(s->key_ready && s->key_src == src && b == 0 && e == s->key_e && t == s->toks.v))
        dml_key(s, src, t, b, e);
    s->key_ready = false;
    int np = s->key_np;
    size_t start = t[b].off, end = t[e - 1].off + t[e - 1].len, esc_total = s->key_esc;
    uint64_t h = s->key_hash;
    unsigned bucket = (unsigned)(h % HSQL_CACHE_BUCKETS);
    hsql_centry_t *c = s->cache[bucket], *prev = NULL;
    centry_ex_t *one_off = NULL;
    uint64_t gen = s->db ? __atomic_load_n(&s->db->gen, __ATOMIC_ACQUIRE) : 0;
    for (; c; prev = c, c = c->next)
        if (c->hash == h && c->klen == s->kbuf.len && memcmp(c->key, s->kbuf.data, c->klen) == 0)
            break;
    if (c && (c->xl->db != s->db || c->xl->gen != gen || c->xl->strict != s->strict)) {
        /* stale: schema or mode changed */
        if (prev)
            prev->next = c->next;
        else
            s->cache[bucket] = c->next;
        rmeta_free(&((centry_ex_t *)c)->m);
        centry_free(s, c);
        s->ncache--;
        c = NULL;
    }
    if (!c) {
        hsql_xl_t *xl = hsql_translate(s, src, t, b, e, s->pflags, s->pord, err);
        if (!xl)
            return -1;
        if (xl->kind == HSQL_XK_INSERT)
            xl->lim_off = count_tuples(src, t, b, e);
        if (getenv("HSQL_TRACE"))
            fprintf(stderr, "hsql: %.*s\n   => %s\n", (int)(end - start), src + start, xl->sql);
        if (xl->infoschema && hsql_infoschema_prepare(s, err) < 0) {
            hsql_xl_free(xl);
            return -1;
        }
        bool bulk = np > HSQL_CACHE_MAX_PARAMS || s->kbuf.len > HSQL_CACHE_MAX_KEY;
        sqlite3_stmt *st = NULL;
        hsql_pstmt_t *ps = NULL;
        int rc;
        if (!bulk && s->ncache >= HSQL_CACHE_MAX)
            cache_evict_all(s);
        if (bulk) {
            rc = sqlite3_prepare_v3(s->conn, xl->sql, -1, 0, &st, NULL);
        } else {
            ps = pstmt_get(s, xl->sql, &rc);
            st = ps ? ps->st : NULL;
        }
        if (rc != SQLITE_OK) {
            hsql_err_sqlite(s, rc, err, xl);
            hsql_xl_free(xl);
            return -1;
        }
        centry_ex_t *ce = base_xcalloc(1, sizeof *ce);
        c = &ce->c;
        c->xl = xl;
        c->st = st;
        c->ps = ps;
        c->hash = h;
        if (bulk) {
            /* a bulk statement (a dump's extended INSERT): run once, not cached */
            one_off = ce;
        } else {
            c->key = base_xmalloc(s->kbuf.len + 1);
            memcpy(c->key, s->kbuf.data, s->kbuf.len);
            c->klen = s->kbuf.len;
            c->next = s->cache[bucket];
            s->cache[bucket] = c;
            s->ncache++;
        }
    }
    /* bind values */
    ensure_bv(s, (size_t)np + 1);
    base_buf_reset(&s->sbuf);
    if (esc_total)
        base_buf_reserve(&s->sbuf, esc_total + 16, SIZE_MAX);
    for (int i = b; i < e; i++) {
        if (!s->pflags[i])
            continue;
        hsql_bval_t *v = &s->bv[s->pord[i] - 1];
        if (t[i].type == HSQL_TK_PARAM)
            v->kind = HSQL_VAL_NULL;
        else
            tok_value(s, src, &t[i], v);
    }
    int r;
    if (c->xl->kind == HSQL_XK_SELECT) {
        hsql_rtxn_for_read(s);
        r = exec_xl(s, c->xl, c->st, &((centry_ex_t *)c)->m, s->bv, np, sink, more, err);
    } else {
        hsql_rtxn_end(s);
        s->txn_first_write = hsql_user_txn(s) && !s->txn_wrote;
        if (hsql_user_txn(s))
            s->txn_wrote = true;
        r = exec_xl(s, c->xl, c->st, &((centry_ex_t *)c)->m, s->bv, np, sink, more, err);
        s->txn_first_write = false;
        hsql_after_write(s);
    }
    if (one_off) {
        rmeta_free(&one_off->m);
        centry_free(s, &one_off->c);
    }
    return r;
}

/* Runs one MySQL SELECT given as text (used by SHOW ... WHERE); own token array. */
int hsql_run_mysql(hsql_session_t *s, const char *sql, size_t len, const hsql_sink_t *sink,
                   uint16_t more, hsql_error_t *err)
{
    hsql_toks_t toks = {0};
    hsql_lex_err_t le;
    int r;
    if (hsql_lex(sql, len, &toks, &le) < 0)
        r = hsql_err_syntax(err, sql, len, le.off);
    else
        r = hsql_run_dml(s, sql, toks.v, 0, (int)toks.n - 1, sink, more, err);
    hsql_toks_free(&toks);
    return r;
}

static int field_list(hsql_session_t *s, const char *table, const char *wild,
                      const hsql_sink_t *sink, hsql_error_t *err);

int hsql_session_field_list(hsql_session_t *s, const char *table, const char *wild,
                            const hsql_sink_t *sink, hsql_error_t *err)
{
    pthread_mutex_lock(&s->mu);
    int r = field_list(s, table, wild, sink, err);
    pthread_mutex_unlock(&s->mu);
    return r;
}

static int field_list(hsql_session_t *s, const char *table, const char *wild,
                      const hsql_sink_t *sink, hsql_error_t *err)
{
    hsql_table_t *tb = s->db ? hsql_table_find(s, table) : NULL;
    if (!s->db)
        return hsql_err(err, 1046, "3D000", "No database selected");
    if (!tb)
        return hsql_err(err, 1146, "42S02", "Table '%s.%s' doesn't exist", s->dbname, table);
    hsql_col_t *cols = base_xcalloc((size_t)tb->ncols + 1, sizeof *cols);
    unsigned n = 0;
    for (int i = 0; i < tb->ncols; i++) {
        const hsql_column_t *d = &tb->cols[i];
        if (wild && *wild && !hsql_like_match(wild, strlen(wild), d->name, strlen(d->name), '\\'))
            continue;
        hsql_col_t *c = &cols[n++];
        uint8_t conv;
        col_from_def(s, c, &conv, d);
        key_flags(tb, d->name, &c->flags);
        c->db = s->dbname;
        c->table = c->org_table = tb->name;
        c->name = c->org_name = d->name;
    }
    int r = 0;
    if (sink && sink->on_columns && sink->on_columns(sink->ctx, cols, n))
        r = sink_abort(err);
    free(cols);
    if (r == 0 && sink && sink->on_eof && sink->on_eof(sink->ctx, hsql_status(s), 0))
        r = sink_abort(err);
    return r;
}

/* ---- prepared statements ----------------------------------------------------------------- */
static void stmt_free(hsql_stmt_t *p);

struct hsql_stmt {
    hsql_session_t *s;
    char *text;
    size_t len;
    hsql_toks_t toks;
    unsigned nparams;
    bool dml;
    hsql_xl_t *xl;
    sqlite3_stmt *st;
    rmeta_t m;
    int nord;          /* number of ?N values */
    int *ph_ord;       /* placeholder k → ?N */
    hsql_bval_t *lits; /* literal values by N-1 (placeholders unset) */
    char *litmem;
    uint64_t gen;
    bool strict;
};

static int stmt_translate(hsql_stmt_t *p, hsql_error_t *err)
{
    hsql_session_t *s = p->s;
    const hsql_tok_t *t = p->toks.v;
    int e = (int)p->toks.n - 1;
    while (e > 0 && t[e - 1].type == HSQL_TK_SEMI)
        e--;
    ensure_pf(s, (size_t)e + 1);
    int np = hsql_mark_params(p->text, t, 0, e, s->pflags, s->pord);
    hsql_xl_t *xl = hsql_translate(s, p->text, t, 0, e, s->pflags, s->pord, err);
    if (!xl)
        return -1;
    if (xl->kind == HSQL_XK_INSERT)
        xl->lim_off = count_tuples(p->text, t, 0, e);
    if (xl->infoschema && hsql_infoschema_prepare(s, err) < 0) {
        hsql_xl_free(xl);
        return -1;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(s->conn, xl->sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        hsql_err_sqlite(s, rc, err, xl);
        hsql_xl_free(xl);
        return -1;
    }
    hsql_xl_free(p->xl);
    sqlite3_finalize(p->st);
    p->xl = xl;
    p->st = st;
    p->nord = np;
    free(p->ph_ord);
    free(p->lits);
    free(p->litmem);
    p->ph_ord = base_xcalloc(p->nparams + 1, sizeof(int));
    p->lits = base_xcalloc((size_t)np + 1, sizeof(hsql_bval_t));
    p->litmem = base_xmalloc(p->len + 1);
    size_t lm = 0;
    unsigned k = 0;
    for (int i = 0; i < e; i++) {
        if (!s->pflags[i])
            continue;
        if (t[i].type == HSQL_TK_PARAM) {
            if (k < p->nparams)
                p->ph_ord[k++] = s->pord[i];
            continue;
        }
        hsql_bval_t *v = &p->lits[s->pord[i] - 1];
        if (t[i].type == HSQL_TK_STR) {
            v->kind = HSQL_VAL_TEXT;
            v->len = hsql_str_decode(p->text, &t[i], p->litmem + lm);
            v->s = p->litmem + lm;
            lm += v->len;
        } else {
            base_buf_reset(&s->sbuf);
            base_buf_reserve(&s->sbuf, t[i].len + 16, SIZE_MAX);
            tok_value(s, p->text, &t[i], v);
            if (v->kind == HSQL_VAL_TEXT) {
                memcpy(p->litmem + lm, v->s, v->len);
                v->s = p->litmem + lm;
                lm += v->len;
            }
        }
    }
    p->gen = s->db ? __atomic_load_n(&s->db->gen, __ATOMIC_ACQUIRE) : 0;
    p->strict = s->strict;
    rmeta_free(&p->m);
    if (sqlite3_column_count(st) > 0)
        rmeta_build(s, st, &p->m, false, xl);
    return 0;
}

static int stmt_prepare(hsql_session_t *s, const char *sql, size_t len, hsql_stmt_t **out,
                        unsigned *nparams, const hsql_col_t **cols, unsigned *ncols,
                        hsql_error_t *err);

int hsql_stmt_prepare(hsql_session_t *s, const char *sql, size_t len, hsql_stmt_t **out,
                      unsigned *nparams, const hsql_col_t **cols, unsigned *ncols,
                      hsql_error_t *err)
{
    pthread_mutex_lock(&s->mu);
    int r = stmt_prepare(s, sql, len, out, nparams, cols, ncols, err);
    pthread_mutex_unlock(&s->mu);
    return r;
}

static int stmt_prepare(hsql_session_t *s, const char *sql, size_t len, hsql_stmt_t **out,
                        unsigned *nparams, const hsql_col_t **cols, unsigned *ncols,
                        hsql_error_t *err)
{
    hsql_stmt_t *p = base_xcalloc(1, sizeof *p);
    p->s = s;
    p->text = base_xmalloc(len + 1);
    memcpy(p->text, sql, len);
    p->text[len] = 0;
    p->len = len;
    hsql_lex_err_t le;
    if (hsql_lex(p->text, len, &p->toks, &le) < 0) {
        hsql_err_syntax(err, p->text, len, le.off);
        stmt_free(p);
        return -1;
    }
    const hsql_tok_t *t = p->toks.v;
    int e = (int)p->toks.n - 1;
    while (e > 0 && t[e - 1].type == HSQL_TK_SEMI)
        e--;
    if (e == 0) {
        hsql_err(err, 1065, "42000", "Query was empty");
        stmt_free(p);
        return -1;
    }
    for (int i = 0; i < e; i++) {
        if (t[i].type == HSQL_TK_PARAM)
            p->nparams++;
        if (t[i].type == HSQL_TK_SEMI) {
            hsql_err_syntax(err, p->text, len, t[i].off);
            stmt_free(p);
            return -1;
        }
    }
    p->dml = hsql_is_dml(p->text, t, 0, e);
    if (p->dml) {
        s->cur_info = p->text;
        s->cur_len = p->len;
        int r = stmt_translate(p, err);
        s->cur_info = NULL;
        if (r < 0) {
            stmt_free(p);
            return -1;
        }
    }
    *out = p;
    if (nparams)
        *nparams = p->nparams;
    if (cols)
        *cols = p->m.cols;
    if (ncols)
        *ncols = p->m.n;
    return 0;
}

static void param_to_bval(const hsql_param_t *pp, hsql_bval_t *v)
{
    v->kind = pp->kind;
    v->i = pp->kind == HSQL_VAL_UINT ? (int64_t)pp->u : pp->i;
    v->d = pp->d;
    v->s = pp->s;
    v->len = pp->len;
    if (pp->kind == HSQL_VAL_UINT && pp->u <= (uint64_t)INT64_MAX)
        v->kind = HSQL_VAL_INT;
    if (pp->kind == HSQL_VAL_TEXT && (pp->type == HSQL_TYPE_BLOB || pp->type == HSQL_TYPE_LONG_BLOB ||
                                      pp->type == HSQL_TYPE_MEDIUM_BLOB || pp->type == HSQL_TYPE_TINY_BLOB))
        v->kind = HSQL_VAL_TEXT; /* blobs compare as text against text columns */
}

/* Text of a parameter as a MySQL literal, for statements run through the text path. */
static void param_literal(base_buf_t *b, const hsql_param_t *pp)
{
    switch (pp->kind) {
    case HSQL_VAL_INT: base_buf_appendf(b, "%lld", (long long)pp->i); break;
    case HSQL_VAL_UINT: base_buf_appendf(b, "%llu", (unsigned long long)pp->u); break;
    case HSQL_VAL_DOUBLE: base_buf_appendf(b, "%.17g", pp->d); break;
    case HSQL_VAL_TEXT:
        base_buf_append(b, "'", 1);
        for (size_t i = 0; i < pp->len; i++) {
            char c = pp->s[i];
            if (c == '\'' || c == '\\')
                base_buf_append(b, "\\", 1);
            if (c == 0) {
                base_buf_append(b, "\\0", 2);
                continue;
            }
            base_buf_append(b, &c, 1);
        }
        base_buf_append(b, "'", 1);
        break;
    default: base_buf_append(b, "NULL", 4); break;
    }
}

static int stmt_execute(hsql_stmt_t *p, const hsql_param_t *params, unsigned nparams,
                        const hsql_sink_t *sink, hsql_error_t *err);

int hsql_stmt_execute(hsql_stmt_t *p, const hsql_param_t *params, unsigned nparams,
                      const hsql_sink_t *sink, hsql_error_t *err)
{
    pthread_mutex_lock(&p->s->mu);
    p->s->can_again = p->s->nonblocking;
    p->s->would_block = false;
    int r = stmt_execute(p, params, nparams, sink, err);
    if (r != HSQL_AGAIN)
        p->s->again_pending = false;
    p->s->can_again = false;
    pthread_mutex_unlock(&p->s->mu);
    return r;
}

static int stmt_execute(hsql_stmt_t *p, const hsql_param_t *params, unsigned nparams,
                        const hsql_sink_t *sink, hsql_error_t *err)
{
    hsql_session_t *s = p->s;
    __atomic_add_fetch(&s->eng->questions, 1, __ATOMIC_RELAXED);
    if (nparams < p->nparams)
        return hsql_err(err, 1210, "HY000", "Incorrect arguments to mysqld_stmt_execute");
    if (!p->dml) {
        /* not a translated statement: substitute the parameters and run it as text */
        base_buf_t b;
        base_buf_init(&b);
        const hsql_tok_t *t = p->toks.v;
        size_t pos = 0;
        unsigned k = 0;
        for (size_t i = 0; i + 1 < p->toks.n; i++) {
            if (t[i].type != HSQL_TK_PARAM)
                continue;
            base_buf_append(&b, p->text + pos, t[i].off - pos);
            param_literal(&b, &params[k++]);
            pos = t[i].off + 1;
        }
        base_buf_append(&b, p->text + pos, p->len - pos);
        bool multi = s->multi;
        s->multi = false;
        int r = hsql_session_query_nolock(s, b.data, b.len, sink, err);
        s->multi = multi;
        base_buf_fini(&b);
        return r;
    }
    if (s->rtxn && s->rtxn_gen != __atomic_load_n(&s->eng->commit_gen, __ATOMIC_ACQUIRE))
        hsql_rtxn_end(s);
    uint64_t gen = s->db ? __atomic_load_n(&s->db->gen, __ATOMIC_ACQUIRE) : 0;
    if (gen != p->gen || s->strict != p->strict) {
        if (stmt_translate(p, err) < 0)
            return -1;
    }
    s->nwarn = s->nwarn_total = 0;
    if (!s->autocommit)
        hsql_rtxn_end(s);
    if (!s->autocommit && sqlite3_get_autocommit(s->conn))
        if (hsql_txn_begin(s, false, err) < 0)
            return -1;
    ensure_bv(s, (size_t)p->nord + 1);
    memcpy(s->bv, p->lits, sizeof(hsql_bval_t) * (size_t)p->nord);
    for (unsigned k = 0; k < p->nparams; k++)
        param_to_bval(&params[k], &s->bv[p->ph_ord[k] - 1]);
    s->cur_info = p->text;
    s->cur_len = p->len;
    int r;
    if (p->xl->kind == HSQL_XK_SELECT) {
        hsql_rtxn_for_read(s);
        r = exec_xl(s, p->xl, p->st, &p->m, s->bv, p->nord, sink, 0, err);
    } else {
        hsql_rtxn_end(s);
        s->txn_first_write = hsql_user_txn(s) && !s->txn_wrote;
        if (hsql_user_txn(s))
            s->txn_wrote = true;
        r = exec_xl(s, p->xl, p->st, &p->m, s->bv, p->nord, sink, 0, err);
        s->txn_first_write = false;
        hsql_after_write(s);
    }
    s->cur_info = NULL;
    return r;
}

static void stmt_free(hsql_stmt_t *p)
{
    if (!p)
        return;
    sqlite3_finalize(p->st);
    hsql_xl_free(p->xl);
    rmeta_free(&p->m);
    hsql_toks_free(&p->toks);
    free(p->ph_ord);
    free(p->lits);
    free(p->litmem);
    free(p->text);
    free(p);
}

void hsql_stmt_close(hsql_stmt_t *p)
{
    if (!p)
        return;
    hsql_session_t *s = p->s;
    pthread_mutex_lock(&s->mu);
    stmt_free(p);
    pthread_mutex_unlock(&s->mu);
}

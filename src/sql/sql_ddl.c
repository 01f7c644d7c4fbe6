/* sql_ddl.c — MySQL DDL statements on SQLite (SQL side of HarvSQL): CREATE TABLE (also LIKE,
 * ... SELECT and TEMPORARY), ALTER TABLE (rebuilds the table: create new, copy, drop, rename, in
 * one transaction), DROP/TRUNCATE/RENAME TABLE, CREATE/DROP INDEX and DATABASE. Definitions come
 * from the parser of sql_ddl_parse.c; the catalog is stored per database in the table
 * hsql_catalog as SHOW CREATE TABLE text. */
#include "sql_ddl_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- executing DDL ----------------------------------------------------------------------- */
static int store_def(hsql_session_t *s, const hsql_table_t *tb, hsql_error_t *err)
{
    base_buf_t b;
    base_buf_init(&b);
    hsql_render_catalog(tb, &b);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->conn,
                                "INSERT OR REPLACE INTO hsql_catalog(name, def, created) VALUES(?1, ?2, ?3)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, tb->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, b.data, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)tb->create_time);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    base_buf_fini(&b);
    if (rc != SQLITE_OK)
        return hsql_err_sqlite(s, rc, err, NULL);
    return 0;
}

static int del_def(hsql_session_t *s, const char *name, hsql_error_t *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->conn, "DELETE FROM hsql_catalog WHERE name = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return hsql_err_sqlite(s, rc, err, NULL);
    return 0;
}

static int begin_ddl(hsql_session_t *s, hsql_error_t *err)
{
    if (hsql_txn_implicit_commit(s, err) < 0)
        return -1;
    return hsql_exec_simple(s, "BEGIN IMMEDIATE", err);
}

static int end_ddl(hsql_session_t *s, int ok, hsql_error_t *err)
{
    if (ok == 0)
        return hsql_exec_simple(s, "COMMIT", err);
    sqlite3_exec(s->conn, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static int need_db(hsql_session_t *s, hsql_error_t *err)
{
    if (!s->db)
        return hsql_err(err, 1046, "3D000", "No database selected");
    return 0;
}

/* Runs SQLite DDL and maps a UNIQUE failure while building an index to 1062. */
static int run_ddl_sql(hsql_session_t *s, const char *sql, const hsql_table_t *tb, hsql_error_t *err)
{
    char *emsg = NULL;
    int rc = sqlite3_exec(s->conn, sql, NULL, NULL, &emsg);
    sqlite3_free(emsg);
    if (rc != SQLITE_OK) {
        hsql_xl_t fake = {0};
        fake.target = (hsql_table_t *)tb;
        return hsql_err_sqlite(s, rc, err, &fake);
    }
    return 0;
}

/* AUTO_INCREMENT=n of CREATE/ALTER TABLE: the next id SQLite hands out. */
/* Renames table `from` to nt->name in SQLite (ALTER TABLE ... RENAME and RENAME TABLE). Its
 * indexes are named after the table: they are dropped and made again under the new name. The
 * old definition row goes too; the caller stores the new one. */
static int rename_in_sqlite(hsql_session_t *s, hsql_table_t *nt, const char *from,
                            hsql_error_t *err)
{
    base_buf_t bb;
    base_buf_init(&bb);
    for (int k = 0; k < nt->nidx; k++) {
        if (nt->idx[k].kind == HSQL_IDX_PRIMARY)
            continue;
        char iname[400];
        snprintf(iname, sizeof iname, "%s__%s", from, nt->idx[k].name);
        base_buf_appendf(&bb, "DROP INDEX IF EXISTS ");
        hsql_s_ident(&bb, iname);
        base_buf_appendf(&bb, ";");
    }
    base_buf_appendf(&bb, "ALTER TABLE ");
    hsql_s_ident(&bb, from);
    base_buf_appendf(&bb, " RENAME TO ");
    hsql_s_ident(&bb, nt->name);
    base_buf_appendf(&bb, ";");
    for (int k = 0; k < nt->nidx; k++)
        if (nt->idx[k].kind != HSQL_IDX_PRIMARY)
            hsql_index_ddl(nt, nt->name, &nt->idx[k], &bb);
    base_buf_append(&bb, "", 1);
    int r = run_ddl_sql(s, bb.data, nt, err);
    base_buf_fini(&bb);
    return r == 0 ? del_def(s, from, err) : r;
}

static int set_autoinc(hsql_session_t *s, hsql_table_t *tb, hsql_error_t *err)
{
    if (!tb->ai_start || tb->autoinc_col < 0)
        return 0;
    base_buf_t q;
    base_buf_init(&q);
    base_buf_appendf(&q, "DELETE FROM sqlite_sequence WHERE name = ");
    hsql_s_str(&q, tb->name);
    base_buf_appendf(&q, "; INSERT INTO sqlite_sequence(name, seq) SELECT ");
    hsql_s_str(&q, tb->name);
    base_buf_appendf(&q, ", max(%llu, coalesce(max(rowid), 0)) FROM ", (unsigned long long)tb->ai_start - 1);
    hsql_s_ident(&q, tb->name);
    base_buf_append(&q, "", 1);
    int r = run_ddl_sql(s, q.data, tb, err);
    base_buf_fini(&q);
    tb->ai_start = 0;
    return r;
}

/* CREATE TABLE t [(defs)] [options] [IGNORE|REPLACE] [AS] SELECT ...: the columns of the
 * SELECT (their definitions when they come from a table column, else by value type) after the
 * given ones, no keys copied, AUTO_INCREMENT dropped (as MySQL), then the rows. */
static int create_select(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                         int sel, const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    /* the statement before the SELECT, as a CREATE TABLE of its own */
    int cut = sel;
    while (cut > b && (hsql_tok_is(src, &t[cut - 1], "AS") || hsql_tok_is(src, &t[cut - 1], "IGNORE") ||
                       hsql_tok_is(src, &t[cut - 1], "REPLACE")))
        cut--;
    bool ine = false;
    hsql_table_t *tb = NULL;
    int k = b + 2;
    if (hsql_tok_is(src, &t[b + 1], "TEMPORARY"))
        k++;
    if (hsql_tok_is(src, &t[k], "IF"))
        k += 3;
    int name_end = k + 1;
    if (hsql_tok_op(src, &t[name_end], "."))
        name_end += 2;
    if (cut > name_end && hsql_tok_op(src, &t[name_end], "(")) {
        /* parse "CREATE ... name (defs) options" as written */
        hsql_toks_t sub = {0};
        base_buf_t q;
        base_buf_init(&q);
        size_t so = t[b].off, eo = t[cut - 1].off + t[cut - 1].len;
        base_buf_append(&q, src + so, eo - so);
        hsql_lex_err_t le;
        if (hsql_lex(q.data, q.len, &sub, &le) == 0)
            tb = hsql_ddl_parse_create(q.data, sub.v, 0, (int)sub.n - 1, s->dbname, &ine, err);
        else
            hsql_err_syntax(err, q.data, q.len, le.off);
        hsql_toks_free(&sub);
        base_buf_fini(&q);
        if (!tb)
            return -1;
    } else {
        pctx_t P = {src, t, k, e, err, 0, s->dbname};
        tb = base_xcalloc(1, sizeof *tb);
        tb->autoinc_col = -1;
        tb->temp = hsql_tok_is(src, &t[b + 1], "TEMPORARY");
        ine = hsql_tok_is(src, &t[b + 2 + (tb->temp ? 1 : 0)], "IF");
        tb->name = hsql_p_take_table_name(&P);
        P.i = name_end;
        P.e = cut;
        if (!tb->name || hsql_p_parse_table_options(&P, tb) < 0) {
            hsql_table_free(tb);
            return -1;
        }
    }
    if (hsql_table_find(s, tb->name) && (!tb->temp || hsql_table_find(s, tb->name)->temp)) {
        if (ine) {
            hsql_warn_add(s, "Note", 1050, "Table '%s' already exists", tb->name);
            hsql_table_free(tb);
            return hsql_send_ok(s, sink, 0, 0, more, "", err);
        }
        hsql_err(err, 1050, "42S01", "Table '%s' already exists", tb->name);
        hsql_table_free(tb);
        return -1;
    }
    /* the SELECT, literals inline */
    uint8_t *fl = base_xcalloc((size_t)(e + 1), 1);
    int *ord = base_xcalloc((size_t)(e + 1), sizeof(int));
    hsql_xl_t *xl = hsql_translate(s, src, t, sel, e, fl, ord, err);
    free(fl);
    free(ord);
    if (!xl) {
        hsql_table_free(tb);
        return -1;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->conn, xl->sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        hsql_err_sqlite(s, rc, err, NULL);
        hsql_xl_free(xl);
        hsql_table_free(tb);
        return -1;
    }
    bool row = sqlite3_step(st) == SQLITE_ROW;
    int n = sqlite3_column_count(st);
    base_buf_t cols;
    base_buf_init(&cols);
    for (int i = 0; i < n; i++) {
        const char *cn = sqlite3_column_name(st, i);
        if (i)
            base_buf_append(&cols, ",", 1);
        hsql_s_ident(&cols, cn);
        if (hsql_col_find(tb, cn) >= 0)
            continue;
        hsql_column_t c = {0};
        const char *tn = sqlite3_column_table_name(st, i), *on = sqlite3_column_origin_name(st, i);
        const hsql_table_t *from = tn ? hsql_table_find(s, tn) : NULL;
        int fc = from && on ? hsql_col_find(from, on) : -1;
        if (fc >= 0) {
            hsql_col_copy(&c, &from->cols[fc]);
            c.autoinc = false;
            free(c.name);
        } else {
            int vt = row ? sqlite3_column_type(st, i) : SQLITE_TEXT;
            const char *ty = vt == SQLITE_INTEGER ? "bigint" : vt == SQLITE_FLOAT ? "double" : "longtext";
            c.type = base_xstrdup(ty);
            c.cls = vt == SQLITE_INTEGER ? HSQL_CLS_INT : vt == SQLITE_FLOAT ? HSQL_CLS_REAL : HSQL_CLS_TEXT;
            c.mtype = vt == SQLITE_INTEGER ? HSQL_TYPE_LONGLONG : vt == SQLITE_FLOAT ? HSQL_TYPE_DOUBLE
                                                                                  : HSQL_TYPE_BLOB;
            c.length = vt == SQLITE_INTEGER ? 20 : vt == SQLITE_FLOAT ? 22 : 4294967295u;
            c.decimals = vt == SQLITE_FLOAT ? 31 : 0;
            c.maxlen = vt == SQLITE_TEXT ? 4294967295u : 0;
        }
        c.name = base_xstrdup(cn);
        tb->cols = base_xrealloc(tb->cols, sizeof(hsql_column_t) * (size_t)(tb->ncols + 1));
        tb->cols[tb->ncols++] = c;
    }
    sqlite3_finalize(st);
    hsql_p_finish_table(tb);
    tb->create_time = (uint64_t)time(NULL);
    base_buf_t ddl;
    base_buf_init(&ddl);
    hsql_table_sqlite_ddl(tb, tb->name, &ddl);
    base_buf_appendf(&ddl, "INSERT INTO %s", tb->temp ? "temp." : "");
    hsql_s_ident(&ddl, tb->name);
    base_buf_appendf(&ddl, " (%.*s) %s;", (int)cols.len, cols.data ? cols.data : "", xl->sql);
    base_buf_append(&ddl, "", 1);
    base_buf_fini(&cols);
    hsql_xl_free(xl);
    int r;
    if (tb->temp) {
        r = run_ddl_sql(s, ddl.data, tb, err);
    } else {
        r = begin_ddl(s, err);
        if (r == 0) {
            r = run_ddl_sql(s, ddl.data, tb, err);
            if (r == 0)
                r = store_def(s, tb, err);
            r = end_ddl(s, r, err);
        }
    }
    base_buf_fini(&ddl);
    if (r < 0) {
        hsql_table_free(tb);
        return -1;
    }
    uint64_t rows = (uint64_t)sqlite3_changes64(s->conn);
    if (tb->temp) {
        s->temps = base_xrealloc(s->temps, sizeof(void *) * (size_t)(s->ntemps + 1));
        s->temps[s->ntemps++] = tb;
    } else {
        hsql_catalog_put(s->eng, s->db, tb);
    }
    hsql_cache_clear(s);
    char info[96];
    snprintf(info, sizeof info, "Records: %llu  Duplicates: 0  Warnings: 0", (unsigned long long)rows);
    return hsql_send_ok(s, sink, rows, 0, more, info, err);
}

/* CREATE TABLE of a name in use: a Note with IF NOT EXISTS, else 1050. Frees tb. */
static int create_exists(hsql_session_t *s, hsql_table_t *tb, bool ine, const hsql_sink_t *sink,
                         uint16_t more, hsql_error_t *err)
{
    if (ine)
        hsql_warn_add(s, "Note", 1050, "Table '%s' already exists", tb->name);
    else
        hsql_err(err, 1050, "42S01", "Table '%s' already exists", tb->name);
    hsql_table_free(tb);
    return ine ? hsql_send_ok(s, sink, 0, 0, more, "", err) : -1;
}

/* Creates tb's SQLite table (and its indexes and triggers), stamped with its creation time. */
static int run_create_sql(hsql_session_t *s, hsql_table_t *tb, hsql_error_t *err)
{
    tb->create_time = (uint64_t)time(NULL);
    base_buf_t ddl;
    base_buf_init(&ddl);
    hsql_table_sqlite_ddl(tb, tb->name, &ddl);
    base_buf_append(&ddl, "", 1);
    int r = run_ddl_sql(s, ddl.data, tb, err);
    base_buf_fini(&ddl);
    return r;
}

static int create_table(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                        const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    if (need_db(s, err) < 0)
        return -1;
    /* CREATE TABLE ... [AS] SELECT */
    for (int i = b + 2, d = 0; i < e; i++) {
        if (hsql_tok_op(src, &t[i], "("))
            d++;
        else if (hsql_tok_op(src, &t[i], ")"))
            d--;
        if (hsql_tok_is(src, &t[i], "SELECT") && (d == 0 || (d == 1 && hsql_tok_op(src, &t[i - 1], "(") &&
                                                             i - 1 > b + 2 && !hsql_tok_op(src, &t[i - 2], "("))))
            return create_select(s, src, t, b, e, d == 0 ? i : i - 1, sink, more, err);
    }
    /* CREATE TABLE x LIKE y */
    int like = -1;
    for (int i = b; i < e && i < b + 8; i++)
        if (hsql_tok_is(src, &t[i], "LIKE"))
            like = i;
    bool ine = false;
    hsql_table_t *tb = NULL;
    if (like >= 0) {
        pctx_t P = {src, t, b + 2, e, err, 0, s->dbname};
        if (accept(&P, "IF")) {
            accept(&P, "NOT");
            accept(&P, "EXISTS");
            ine = true;
        }
        char *name = hsql_p_take_table_name(&P);
        P.i = like + 1;
        char *from = hsql_p_take_table_name(&P);
        hsql_table_t *src_tb = from ? hsql_table_get(s->db, from) : NULL;
        if (!name || !from) {
            free(name);
            free(from);
            return -1;
        }
        if (!src_tb) {
            hsql_err(err, 1146, "42S02", "Table '%s.%s' doesn't exist", s->dbname, from);
            free(name);
            free(from);
            return -1;
        }
        tb = hsql_table_clone(src_tb);
        free(tb->name);
        tb->name = name;
        free(from);
    } else {
        tb = hsql_ddl_parse_create(src, t, b, e, s->dbname, &ine, err);
        if (!tb)
            return -1;
    }
    if (tb->temp) {
        /* the session's own: SQLite's temp schema, no catalog, no implicit commit */
        for (int i = 0; i < s->ntemps; i++)
            if (!strcasecmp(s->temps[i]->name, tb->name))
                return create_exists(s, tb, ine, sink, more, err);
        if (run_create_sql(s, tb, err) < 0) {
            hsql_table_free(tb);
            return -1;
        }
        s->temps = base_xrealloc(s->temps, sizeof(void *) * (size_t)(s->ntemps + 1));
        s->temps[s->ntemps++] = tb;
        hsql_cache_clear(s);
        return hsql_send_ok(s, sink, 0, 0, more, "", err);
    }
    if (hsql_table_get(s->db, tb->name))
        return create_exists(s, tb, ine, sink, more, err);
    int r = begin_ddl(s, err);
    if (r == 0) {
        r = run_create_sql(s, tb, err);
        if (r == 0)
            r = set_autoinc(s, tb, err);
        if (r == 0)
            r = store_def(s, tb, err);
        r = end_ddl(s, r, err);
    }
    if (r < 0) {
        hsql_table_free(tb);
        return -1;
    }
    hsql_catalog_put(s->eng, s->db, tb);
    return hsql_send_ok(s, sink, 0, 0, more, "", err);
}

/* Rebuilds table old as nt (origin[i] = old column name feeding new column i, or NULL). */
static int rebuild(hsql_session_t *s, const hsql_table_t *old, hsql_table_t *nt, char **origin,
                   hsql_error_t *err)
{
    base_buf_t b;
    base_buf_init(&b);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "hsql_tmp_%s", nt->name);
    /* drop the old table's triggers and indexes first: their names are reused */
    base_buf_appendf(&b, "DROP TABLE IF EXISTS ");
    hsql_s_ident(&b, tmp);
    base_buf_appendf(&b, ";");
    hsql_table_t tmpt = *nt;
    tmpt.nidx = 0;
    for (int i = 0; i < nt->nidx; i++)
        if (nt->idx[i].kind == HSQL_IDX_PRIMARY) {
            tmpt.idx = &nt->idx[i];
            tmpt.nidx = 1;
        }
    hsql_column_t *cols = base_xcalloc((size_t)nt->ncols + 1, sizeof *cols);
    memcpy(cols, nt->cols, sizeof *cols * (size_t)nt->ncols);
    for (int i = 0; i < nt->ncols; i++)
        cols[i].on_update_now = false;
    tmpt.cols = cols;
    hsql_table_sqlite_ddl(&tmpt, tmp, &b);
    free(cols);
    base_buf_appendf(&b, "INSERT INTO ");
    hsql_s_ident(&b, tmp);
    base_buf_appendf(&b, " (");
    bool first = true;
    for (int i = 0; i < nt->ncols; i++) {
        if (!origin[i])
            continue;
        if (!first)
            base_buf_appendf(&b, ",");
        first = false;
        hsql_s_ident(&b, nt->cols[i].name);
    }
    base_buf_appendf(&b, ") SELECT ");
    first = true;
    for (int i = 0; i < nt->ncols; i++) {
        if (!origin[i])
            continue;
        if (!first)
            base_buf_appendf(&b, ",");
        first = false;
        if (nt->cols[i].notnull && !nt->cols[i].autoinc) {
            base_buf_appendf(&b, "coalesce(");
            hsql_s_ident(&b, origin[i]);
            base_buf_appendf(&b, ",%s)", hsql_implicit_default(&nt->cols[i]));
        } else {
            hsql_s_ident(&b, origin[i]);
        }
    }
    if (first) {
        /* no column survives: copy nothing */
        b.len = 0;
        base_buf_appendf(&b, "DROP TABLE IF EXISTS ");
        hsql_s_ident(&b, tmp);
        base_buf_appendf(&b, ";");
        hsql_table_sqlite_ddl(&tmpt, tmp, &b);
    } else {
        base_buf_appendf(&b, " FROM ");
        hsql_s_ident(&b, old->name);
        base_buf_appendf(&b, ";");
    }
    base_buf_appendf(&b, "DROP TABLE ");
    hsql_s_ident(&b, old->name);
    base_buf_appendf(&b, ";ALTER TABLE ");
    hsql_s_ident(&b, tmp);
    base_buf_appendf(&b, " RENAME TO ");
    hsql_s_ident(&b, nt->name);
    base_buf_appendf(&b, ";");
    for (int k = 0; k < nt->nidx; k++)
        if (nt->idx[k].kind != HSQL_IDX_PRIMARY)
            hsql_index_ddl(nt, nt->name, &nt->idx[k], &b);
    /* triggers */
    for (int i = 0; i < nt->ncols; i++)
        if (nt->cols[i].on_update_now) {
            hsql_table_t one = *nt;
            one.nidx = 0;
            hsql_column_t *c1 = base_xcalloc((size_t)nt->ncols + 1, sizeof *c1);
            memcpy(c1, nt->cols, sizeof *c1 * (size_t)nt->ncols);
            one.cols = c1;
            base_buf_t tb2;
            base_buf_init(&tb2);
            hsql_table_sqlite_ddl(&one, nt->name, &tb2);
            base_buf_append(&tb2, "", 1);
            char *trg = strstr(tb2.data, "CREATE TRIGGER");
            if (trg)
                base_buf_append(&b, trg, strlen(trg));
            base_buf_fini(&tb2);
            free(c1);
            break;
        }
    base_buf_append(&b, "", 1);
    int r = run_ddl_sql(s, b.data, nt, err);
    base_buf_fini(&b);
    return r;
}

static int col_pos_after(pctx_t *p, hsql_table_t *nt, int cur, int *dest)
{
    *dest = -1;
    if (accept(p, "FIRST")) {
        *dest = 0;
    } else if (accept(p, "AFTER")) {
        char *a = hsql_p_take_ident(p);
        if (!a)
            return -1;
        int k = hsql_col_find(nt, a);
        free(a);
        if (k < 0)
            return perr(p);
        *dest = k + 1;
        if (cur >= 0 && cur < k + 1)
            (*dest)--;
    }
    return 0;
}

/* moves column at from to position to (after removal), keeping origins aligned */
static void move_col(hsql_table_t *nt, char **origin, int from, int to)
{
    if (to < 0 || to == from)
        return;
    hsql_column_t c = nt->cols[from];
    char *o = origin[from];
    memmove(&nt->cols[from], &nt->cols[from + 1], sizeof c * (size_t)(nt->ncols - from - 1));
    memmove(&origin[from], &origin[from + 1], sizeof o * (size_t)(nt->ncols - from - 1));
    if (to > nt->ncols - 1)
        to = nt->ncols - 1;
    memmove(&nt->cols[to + 1], &nt->cols[to], sizeof c * (size_t)(nt->ncols - 1 - to));
    memmove(&origin[to + 1], &origin[to], sizeof o * (size_t)(nt->ncols - 1 - to));
    nt->cols[to] = c;
    origin[to] = o;
}

static void rename_in_indexes(hsql_table_t *nt, const char *from, const char *to)
{
    for (int k = 0; k < nt->nidx; k++)
        for (int j = 0; j < nt->idx[k].ncols; j++)
            if (!strcasecmp(nt->idx[k].cols[j], from)) {
                free(nt->idx[k].cols[j]);
                nt->idx[k].cols[j] = base_xstrdup(to);
            }
}

static void drop_col_from_indexes(hsql_table_t *nt, const char *name)
{
    for (int k = 0; k < nt->nidx; k++) {
        hsql_index_t *ix = &nt->idx[k];
        for (int j = 0; j < ix->ncols; j++)
            if (!strcasecmp(ix->cols[j], name)) {
                free(ix->cols[j]);
                memmove(&ix->cols[j], &ix->cols[j + 1], sizeof(char *) * (size_t)(ix->ncols - j - 1));
                memmove(&ix->sub[j], &ix->sub[j + 1], sizeof(int) * (size_t)(ix->ncols - j - 1));
                ix->ncols--;
                j--;
            }
        if (ix->ncols == 0) {
            hsql_idx_fini(ix);
            memmove(ix, ix + 1, sizeof *ix * (size_t)(nt->nidx - k - 1));
            nt->nidx--;
            k--;
        }
    }
}

static int alter_table(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                       const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    if (need_db(s, err) < 0)
        return -1;
    pctx_t P = {src, t, b + 1, e, err, 0, s->dbname}, *p = &P;
    accept(p, "IGNORE");
    accept(p, "ONLINE");
    if (!accept(p, "TABLE"))
        return perr(p);
    char *name = hsql_p_take_table_name(p);
    if (!name)
        return -1;
    hsql_table_t *old = hsql_table_get(s->db, name);
    if (!old) {
        hsql_err(err, 1146, "42S02", "Table '%s.%s' doesn't exist", s->dbname, name);
        free(name);
        return -1;
    }
    free(name);
    hsql_table_t *nt = hsql_table_clone(old);
    char **origin = base_xcalloc((size_t)nt->ncols + 256, sizeof(char *));
    for (int i = 0; i < nt->ncols; i++)
        origin[i] = nt->cols[i].name; /* points into nt; names may change, keep old copies */
    char **oldnames = base_xcalloc((size_t)nt->ncols + 1, sizeof(char *));
    for (int i = 0; i < nt->ncols; i++) {
        oldnames[i] = base_xstrdup(old->cols[i].name);
        origin[i] = oldnames[i];
    }
    int nold = nt->ncols;
    bool need_rebuild = false, idx_changed = false;
    char *newname = NULL;
    hsql_index_t *added = NULL;
    int nadded = 0;
    char **dropped = NULL;
    int ndropped = 0;
    while (p->i < p->e && !p->failed) {
        if (accept(p, "ADD")) {
            if (hsql_p_is_key_start(p)) {
                if (pk(p, "FOREIGN") || pk(p, "CHECK") ||
                    (pk(p, "CONSTRAINT") && (pk2(p, 1, "FOREIGN") || pk2(p, 2, "FOREIGN") ||
                                             pk2(p, 1, "CHECK") || pk2(p, 2, "CHECK")))) {
                    int d = 0;
                    while (p->i < p->e && !(pop(p, ",") && d == 0)) {
                        if (pop(p, "("))
                            d++;
                        else if (pop(p, ")"))
                            d--;
                        p->i++;
                    }
                } else {
                    hsql_index_t ix;
                    if (hsql_p_parse_key(p, nt, &ix) < 0)
                        break;
                    if (hsql_p_idx_name_used(nt, ix.name)) {
                        hsql_err(err, ix.kind == HSQL_IDX_PRIMARY ? 1068 : 1061, "42000",
                                 ix.kind == HSQL_IDX_PRIMARY ? "Multiple primary key defined"
                                                             : "Duplicate key name '%s'",
                                 ix.name);
                        hsql_idx_fini(&ix);
                        p->failed = 1;
                        break;
                    }
                    for (int j = 0; j < ix.ncols; j++)
                        if (hsql_col_find(nt, ix.cols[j]) < 0) {
                            hsql_err(err, 1072, "42000", "Key column '%s' doesn't exist in table",
                                     ix.cols[j]);
                            p->failed = 1;
                        }
                    if (p->failed) {
                        hsql_idx_fini(&ix);
                        break;
                    }
                    if (ix.kind == HSQL_IDX_PRIMARY)
                        need_rebuild = true;
                    hsql_index_t cp;
                    hsql_idx_copy(&cp, &ix);
                    added = base_xrealloc(added, sizeof(hsql_index_t) * (size_t)(nadded + 1));
                    added[nadded++] = cp;
                    hsql_p_add_index(nt, &ix);
                    idx_changed = true;
                }
            } else {
                accept(p, "COLUMN");
                bool paren = accept_op(p, "(");
                do {
                    hsql_column_t c = {0};
                    c.name = hsql_p_take_ident(p);
                    if (!c.name)
                        break;
                    if (hsql_col_find(nt, c.name) >= 0) {
                        hsql_err(err, 1060, "42S21", "Duplicate column name '%s'", c.name);
                        hsql_col_fini(&c);
                        p->failed = 1;
                        break;
                    }
                    nt->cols = base_xrealloc(nt->cols, sizeof(hsql_column_t) * (size_t)(nt->ncols + 1));
                    nt->cols[nt->ncols] = c;
                    origin[nt->ncols] = NULL;
                    nt->ncols++;
                    if (hsql_p_parse_coldef(p, nt, &nt->cols[nt->ncols - 1]) < 0)
                        break;
                    int dest;
                    if (col_pos_after(p, nt, nt->ncols - 1, &dest) < 0)
                        break;
                    move_col(nt, origin, nt->ncols - 1, dest);
                    need_rebuild = true;
                } while (paren && accept_op(p, ","));
                if (paren && !accept_op(p, ")"))
                    perr(p);
            }
        } else if (accept(p, "DROP")) {
            if (accept(p, "PRIMARY")) {
                accept(p, "KEY");
                bool f = false;
                for (int k = 0; k < nt->nidx; k++)
                    if (nt->idx[k].kind == HSQL_IDX_PRIMARY) {
                        hsql_idx_fini(&nt->idx[k]);
                        memmove(&nt->idx[k], &nt->idx[k + 1], sizeof(hsql_index_t) * (size_t)(nt->nidx - k - 1));
                        nt->nidx--;
                        f = true;
                        break;
                    }
                if (!f) {
                    hsql_err(err, 1091, "42000", "Can't DROP 'PRIMARY'; check that column/key exists");
                    p->failed = 1;
                }
                need_rebuild = true;
            } else if (accept(p, "INDEX") || accept(p, "KEY")) {
                char *n = hsql_p_take_ident(p);
                if (!n)
                    break;
                bool f = false;
                for (int k = 0; k < nt->nidx; k++)
                    if (!strcasecmp(nt->idx[k].name, n)) {
                        hsql_idx_fini(&nt->idx[k]);
                        memmove(&nt->idx[k], &nt->idx[k + 1], sizeof(hsql_index_t) * (size_t)(nt->nidx - k - 1));
                        nt->nidx--;
                        f = true;
                        break;
                    }
                if (!f) {
                    hsql_err(err, 1091, "42000", "Can't DROP '%s'; check that column/key exists", n);
                    p->failed = 1;
                    free(n);
                    break;
                }
                dropped = base_xrealloc(dropped, sizeof(char *) * (size_t)(ndropped + 1));
                dropped[ndropped++] = n;
                idx_changed = true;
            } else if (accept(p, "FOREIGN") || accept(p, "CHECK") || accept(p, "CONSTRAINT")) {
                accept(p, "KEY");
                p->i++;
            } else {
                accept(p, "COLUMN");
                char *n = hsql_p_take_ident(p);
                if (!n)
                    break;
                int k = hsql_col_find(nt, n);
                if (k < 0) {
                    hsql_err(err, 1091, "42000", "Can't DROP '%s'; check that column/key exists", n);
                    free(n);
                    p->failed = 1;
                    break;
                }
                drop_col_from_indexes(nt, nt->cols[k].name);
                hsql_col_fini(&nt->cols[k]);
                memmove(&nt->cols[k], &nt->cols[k + 1], sizeof(hsql_column_t) * (size_t)(nt->ncols - k - 1));
                memmove(&origin[k], &origin[k + 1], sizeof(char *) * (size_t)(nt->ncols - k - 1));
                nt->ncols--;
                free(n);
                need_rebuild = true;
            }
        } else if (accept(p, "CHANGE") || (pk(p, "MODIFY") && (p->i++, true))) {
            bool change = hsql_tok_is(src, &t[p->i - 1], "CHANGE");
            accept(p, "COLUMN");
            char *oldn = hsql_p_take_ident(p);
            if (!oldn)
                break;
            int k = hsql_col_find(nt, oldn);
            if (k < 0) {
                hsql_err(err, 1054, "42S22", "Unknown column '%s' in '%s'", oldn, nt->name);
                free(oldn);
                p->failed = 1;
                break;
            }
            hsql_column_t c = {0};
            c.name = change ? hsql_p_take_ident(p) : base_xstrdup(nt->cols[k].name);
            if (!c.name) {
                free(oldn);
                break;
            }
            if (change && strcasecmp(c.name, oldn) && hsql_col_find(nt, c.name) >= 0) {
                hsql_err(err, 1060, "42S21", "Duplicate column name '%s'", c.name);
                hsql_col_fini(&c);
                free(oldn);
                p->failed = 1;
                break;
            }
            if (hsql_p_parse_coldef(p, nt, &c) < 0) {
                hsql_col_fini(&c);
                free(oldn);
                break;
            }
            rename_in_indexes(nt, oldn, c.name);
            hsql_col_fini(&nt->cols[k]);
            nt->cols[k] = c;
            int dest;
            if (col_pos_after(p, nt, k, &dest) == 0)
                move_col(nt, origin, k, dest);
            free(oldn);
            need_rebuild = true;
        } else if (accept(p, "ALTER")) {
            accept(p, "COLUMN");
            char *n = hsql_p_take_ident(p);
            int k = n ? hsql_col_find(nt, n) : -1;
            free(n);
            if (k < 0) {
                perr(p);
                break;
            }
            if (accept(p, "SET")) {
                if (!accept(p, "DEFAULT") || hsql_p_parse_default(p, &nt->cols[k]) < 0)
                    break;
            } else if (accept(p, "DROP")) {
                accept(p, "DEFAULT");
                free(nt->cols[k].deflt);
                nt->cols[k].deflt = NULL;
                nt->cols[k].def_expr = false;
            } else {
                perr(p);
                break;
            }
            need_rebuild = true;
        } else if (accept(p, "RENAME")) {
            if (accept(p, "COLUMN")) {
                char *a = hsql_p_take_ident(p);
                if (!accept(p, "TO")) {
                    free(a);
                    perr(p);
                    break;
                }
                char *bn = hsql_p_take_ident(p);
                int k = a ? hsql_col_find(nt, a) : -1;
                if (k < 0 || !bn) {
                    hsql_err(err, 1054, "42S22", "Unknown column '%s' in '%s'", a ? a : "", nt->name);
                    p->failed = 1;
                    free(a);
                    free(bn);
                    break;
                }
                rename_in_indexes(nt, a, bn);
                free(nt->cols[k].name);
                nt->cols[k].name = bn;
                free(a);
                need_rebuild = true;
            } else if (accept(p, "INDEX") || accept(p, "KEY")) {
                char *a = hsql_p_take_ident(p);
                accept(p, "TO");
                char *bn = hsql_p_take_ident(p);
                for (int k = 0; a && bn && k < nt->nidx; k++)
                    if (!strcasecmp(nt->idx[k].name, a)) {
                        free(nt->idx[k].name);
                        nt->idx[k].name = base_xstrdup(bn);
                    }
                free(a);
                free(bn);
                need_rebuild = true;
            } else {
                (void)(accept(p, "TO") || accept(p, "AS"));
                free(newname);
                newname = hsql_p_take_table_name(p);
            }
        } else if (accept(p, "CONVERT")) {
            accept(p, "TO");
            (void)(accept(p, "CHARACTER") && accept(p, "SET"));
            accept(p, "CHARSET");
            char *cs = hsql_p_take_word_lower(p);
            char *coll = NULL;
            if (accept(p, "COLLATE"))
                coll = hsql_p_take_word_lower(p);
            if (!cs) {
                free(coll);
                break;
            }
            if (!coll)
                coll = base_xstrdup(hsql_charset_default_coll(cs));
            free(nt->charset);
            nt->charset = cs;
            free(nt->collation);
            nt->collation = coll;
            for (int k = 0; k < nt->ncols; k++)
                if (nt->cols[k].collation) {
                    free(nt->cols[k].collation);
                    nt->cols[k].collation = base_xstrdup(coll);
                }
            need_rebuild = true;
        } else if (accept(p, "ORDER")) {
            accept(p, "BY");
            while (p->i < p->e && !pop(p, ","))
                p->i++;
        } else if (accept(p, "FORCE") || accept(p, "ENABLE") || accept(p, "DISABLE")) {
            accept(p, "KEYS");
        } else if (accept(p, "LOCK") || accept(p, "ALGORITHM")) {
            accept_op(p, "=");
            p->i++;
        } else {
            /* table options */
            int st = p->i;
            hsql_table_t opt = {0};
            opt.charset = nt->charset ? base_xstrdup(nt->charset) : NULL;
            opt.collation = nt->collation ? base_xstrdup(nt->collation) : NULL;
            opt.engine = nt->engine ? base_xstrdup(nt->engine) : NULL;
            opt.comment = nt->comment ? base_xstrdup(nt->comment) : NULL;
            int stop = p->e;
            for (int k = p->i; k < p->e; k++)
                if (hsql_tok_op(src, &t[k], ",")) {
                    stop = k;
                    break;
                }
            int saved_e = p->e;
            p->e = stop;
            hsql_p_parse_table_options(p, &opt);
            p->e = saved_e;
            free(nt->charset);
            free(nt->collation);
            free(nt->engine);
            free(nt->comment);
            nt->charset = opt.charset;
            nt->collation = opt.collation;
            nt->engine = opt.engine;
            nt->comment = opt.comment;
            if (opt.ai_start)
                nt->ai_start = opt.ai_start;
            if (p->i == st) {
                perr(p);
                break;
            }
        }
        if (p->failed)
            break;
        if (!accept_op(p, ",") && p->i < p->e) {
            perr(p);
            break;
        }
    }
    int r = p->failed ? -1 : 0;
    if (r == 0) {
        hsql_p_finish_table(nt);
        if (nt->autoinc_col >= 0 && origin[nt->autoinc_col] == NULL)
            need_rebuild = true;
        r = begin_ddl(s, err);
        if (r == 0) {
            if (need_rebuild) {
                r = rebuild(s, old, nt, origin, err);
            } else if (idx_changed) {
                base_buf_t bb;
                base_buf_init(&bb);
                for (int k = 0; k < ndropped; k++) {
                    char iname[400];
                    snprintf(iname, sizeof iname, "%s__%s", old->name, dropped[k]);
                    base_buf_appendf(&bb, "DROP INDEX IF EXISTS ");
                    hsql_s_ident(&bb, iname);
                    base_buf_appendf(&bb, ";");
                }
                for (int k = 0; k < nadded; k++)
                    hsql_index_ddl(nt, nt->name, &added[k], &bb);
                base_buf_append(&bb, "", 1);
                r = run_ddl_sql(s, bb.data, nt, err);
                base_buf_fini(&bb);
            }
            if (r == 0 && newname) {
                if (hsql_table_get(s->db, newname) && strcasecmp(newname, nt->name)) {
                    r = hsql_err(err, 1050, "42S01", "Table '%s' already exists", newname);
                } else {
                    char *oldn = nt->name;
                    nt->name = newname;
                    newname = NULL;
                    r = rename_in_sqlite(s, nt, oldn, err);
                    free(oldn);
                }
            }
            if (r == 0)
                r = set_autoinc(s, nt, err);
            if (r == 0)
                r = store_def(s, nt, err);
            r = end_ddl(s, r, err);
        }
    }
    for (int i = 0; i < nold; i++)
        free(oldnames[i]);
    free(oldnames);
    free(origin);
    free(newname);
    for (int k = 0; k < nadded; k++)
        hsql_idx_fini(&added[k]);
    free(added);
    for (int k = 0; k < ndropped; k++)
        free(dropped[k]);
    free(dropped);
    if (r < 0) {
        hsql_table_free(nt);
        return -1;
    }
    if (strcasecmp(nt->name, old->name))
        hsql_catalog_del(s->eng, s->db, old->name);
    hsql_catalog_put(s->eng, s->db, nt);
    hsql_cache_clear(s);
    return hsql_send_ok(s, sink, 0, 0, more, "Records: 0  Duplicates: 0  Warnings: 0", err);
}

static int drop_tables(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                       const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    pctx_t P = {src, t, b + 1, e, err, 0, s->dbname}, *p = &P;
    bool temporary = accept(p, "TEMPORARY");
    accept(p, "TABLE");
    bool ie = false;
    if (accept(p, "IF")) {
        if (!accept(p, "EXISTS"))
            return perr(p);
        ie = true;
    }
    if (need_db(s, err) < 0)
        return -1;
    char *names[64];
    int n = 0;
    base_buf_t missing;
    base_buf_init(&missing);
    while (p->i < p->e && n < 64) {
        char *nm = hsql_p_take_table_name(p);
        if (!nm)
            break;
        int ti = -1;
        for (int k = 0; k < s->ntemps; k++)
            if (!strcasecmp(s->temps[k]->name, nm))
                ti = k;
        if (ti >= 0) {
            /* a TEMPORARY table hides the permanent one of the same name */
            base_buf_t bb;
            base_buf_init(&bb);
            base_buf_appendf(&bb, "DROP TABLE temp.");
            hsql_s_ident(&bb, nm);
            base_buf_append(&bb, "", 1);
            int tr = run_ddl_sql(s, bb.data, NULL, err);
            base_buf_fini(&bb);
            free(nm);
            if (tr < 0) {
                base_buf_fini(&missing);
                for (int k = 0; k < n; k++)
                    free(names[k]);
                return -1;
            }
            hsql_table_free(s->temps[ti]);
            s->temps[ti] = s->temps[--s->ntemps];
            hsql_cache_clear(s);
        } else if (temporary || !hsql_table_get(s->db, nm)) {
            if (ie)
                hsql_warn_add(s, "Note", 1051, "Unknown table '%s.%s'", s->dbname, nm);
            else
                base_buf_appendf(&missing, "%s%s.%s", missing.len ? "," : "", s->dbname, nm);
            free(nm);
        } else {
            names[n++] = nm;
        }
        if (!accept_op(p, ","))
            break;
    }
    (void)(accept(p, "RESTRICT") || accept(p, "CASCADE"));
    int r = p->failed ? -1 : 0;
    if (r == 0 && missing.len) {
        base_buf_append(&missing, "", 1);
        r = hsql_err(err, 1051, "42S02", "Unknown table '%s'", missing.data);
    }
    base_buf_fini(&missing);
    if (r == 0 && n) {
        r = begin_ddl(s, err);
        for (int k = 0; k < n && r == 0; k++) {
            base_buf_t bb;
            base_buf_init(&bb);
            base_buf_appendf(&bb, "DROP TABLE ");
            hsql_s_ident(&bb, names[k]);
            base_buf_append(&bb, "", 1);
            r = run_ddl_sql(s, bb.data, NULL, err);
            base_buf_fini(&bb);
            if (r == 0)
                r = del_def(s, names[k], err);
        }
        if (r == 0 || n)
            r = end_ddl(s, r, err);
        if (r == 0)
            for (int k = 0; k < n; k++)
                hsql_catalog_del(s->eng, s->db, names[k]);
    }
    for (int k = 0; k < n; k++)
        free(names[k]);
    if (r < 0)
        return -1;
    hsql_cache_clear(s);
    return hsql_send_ok(s, sink, 0, 0, more, "", err);
}

static int truncate_table(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                          const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    pctx_t P = {src, t, b + 1, e, err, 0, s->dbname}, *p = &P;
    accept(p, "TABLE");
    if (need_db(s, err) < 0)
        return -1;
    char *nm = hsql_p_take_table_name(p);
    if (!nm)
        return -1;
    hsql_table_t *tb = hsql_table_get(s->db, nm);
    if (!tb) {
        hsql_err(err, 1146, "42S02", "Table '%s.%s' doesn't exist", s->dbname, nm);
        free(nm);
        return -1;
    }
    base_buf_t bb;
    base_buf_init(&bb);
    base_buf_appendf(&bb, "DELETE FROM ");
    hsql_s_ident(&bb, tb->name);
    if (tb->autoinc_col >= 0) {
        base_buf_appendf(&bb, ";DELETE FROM sqlite_sequence WHERE name = ");
        hsql_s_str(&bb, tb->name);
    }
    base_buf_append(&bb, "", 1);
    int r = begin_ddl(s, err);
    if (r == 0)
        r = end_ddl(s, run_ddl_sql(s, bb.data, tb, err), err);
    base_buf_fini(&bb);
    free(nm);
    if (r < 0)
        return -1;
    return hsql_send_ok(s, sink, 0, 0, more, "", err);
}

static int rename_tables(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                         const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    pctx_t P = {src, t, b + 1, e, err, 0, s->dbname}, *p = &P;
    if (!accept(p, "TABLE") && !accept(p, "TABLES"))
        return perr(p);
    if (need_db(s, err) < 0)
        return -1;
    int r = begin_ddl(s, err);
    while (r == 0 && p->i < p->e) {
        char *a = hsql_p_take_table_name(p);
        if (!a || !accept(p, "TO")) {
            free(a);
            r = perr(p);
            break;
        }
        char *bn = hsql_p_take_table_name(p);
        if (!bn) {
            free(a);
            r = -1;
            break;
        }
        hsql_table_t *old = hsql_table_get(s->db, a);
        if (!old) {
            r = hsql_err(err, 1146, "42S02", "Table '%s.%s' doesn't exist", s->dbname, a);
        } else if (hsql_table_get(s->db, bn)) {
            r = hsql_err(err, 1050, "42S01", "Table '%s' already exists", bn);
        } else {
            hsql_table_t *nt = hsql_table_clone(old);
            free(nt->name);
            nt->name = base_xstrdup(bn);
            r = rename_in_sqlite(s, nt, old->name, err);
            if (r == 0)
                r = store_def(s, nt, err);
            if (r == 0) {
                hsql_catalog_del(s->eng, s->db, old->name);
                hsql_catalog_put(s->eng, s->db, nt);
            } else {
                hsql_table_free(nt);
            }
        }
        free(a);
        free(bn);
        if (!accept_op(p, ","))
            break;
    }
    if (r == 0)
        r = end_ddl(s, 0, err);
    else
        end_ddl(s, -1, err);
    if (r < 0)
        return -1;
    hsql_cache_clear(s);
    return hsql_send_ok(s, sink, 0, 0, more, "", err);
}

/* CREATE [UNIQUE|FULLTEXT] INDEX name ON t (cols) / DROP INDEX name ON t: as ALTER TABLE. */
static int index_stmt(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                      bool create, const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    pctx_t P = {src, t, b + 1, e, err, 0, s->dbname}, *p = &P;
    const char *kind = "INDEX";
    if (create) {
        if (accept(p, "UNIQUE"))
            kind = "UNIQUE INDEX";
        else if (accept(p, "FULLTEXT") || accept(p, "SPATIAL"))
            kind = "FULLTEXT INDEX";
    }
    if (!accept(p, "INDEX"))
        return perr(p);
    char *iname = hsql_p_take_ident(p);
    if (!iname)
        return -1;
    if (accept(p, "USING"))
        p->i++;
    if (!accept(p, "ON")) {
        free(iname);
        return perr(p);
    }
    char *tname = hsql_p_take_table_name(p);
    if (!tname) {
        free(iname);
        return -1;
    }
    base_buf_t q;
    base_buf_init(&q);
    base_buf_appendf(&q, "ALTER TABLE ");
    hsql_q_ident(&q, tname);
    if (create) {
        base_buf_appendf(&q, " ADD %s ", kind);
        hsql_q_ident(&q, iname);
        size_t st = t[p->i].off, en = t[e - 1].off + t[e - 1].len;
        base_buf_appendf(&q, " %.*s", (int)(en - st), src + st);
    } else {
        base_buf_appendf(&q, " DROP INDEX ");
        hsql_q_ident(&q, iname);
    }
    free(iname);
    free(tname);
    hsql_toks_t toks = {0};
    hsql_lex_err_t le;
    int r;
    if (hsql_lex(q.data, q.len, &toks, &le) < 0)
        r = hsql_err_syntax(err, q.data, q.len, le.off);
    else
        r = alter_table(s, q.data, toks.v, 0, (int)toks.n - 1, sink, more, err);
    hsql_toks_free(&toks);
    base_buf_fini(&q);
    return r;
}

static int database_stmt(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                         bool create, const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    pctx_t P = {src, t, b + 2, e, err, 0, s->dbname}, *p = &P;
    bool cond = false;
    if (accept(p, "IF")) {
        if (create && !accept(p, "NOT"))
            return perr(p);
        if (!accept(p, "EXISTS"))
            return perr(p);
        cond = true;
    }
    char *name = hsql_p_take_ident(p);
    if (!name)
        return -1;
    bool exists = hsql_engine_db_exists(s->eng, name);
    int r = 0;
    uint64_t affected = 0;
    if (create) {
        if (exists) {
            if (cond)
                hsql_warn_add(s, "Note", 1007, "Can't create database '%s'; database exists", name);
            else
                r = hsql_err(err, 1007, "HY000", "Can't create database '%s'; database exists", name);
        } else {
            r = hsql_engine_create_db(s->eng, name, err);
            affected = 1;
        }
    } else {
        if (!exists) {
            if (cond)
                hsql_warn_add(s, "Note", 1008, "Can't drop database '%s'; database doesn't exist", name);
            else
                r = hsql_err(err, 1008, "HY000", "Can't drop database '%s'; database doesn't exist", name);
        } else {
            hsql_db_t *db = hsql_db_get(s->eng, name);
            affected = (uint64_t)db->ntabs;
            if (s->dbname && !strcmp(s->dbname, name))
                hsql_session_switch_db(s, NULL, NULL);
            hsql_pool_drop(s->eng, name);
            char path[1200];
            snprintf(path, sizeof path, "%s/%s.db", s->eng->dir, name);
            unlink(path);
            snprintf(path, sizeof path, "%s/%s.db-wal", s->eng->dir, name);
            unlink(path);
            snprintf(path, sizeof path, "%s/%s.db-shm", s->eng->dir, name);
            unlink(path);
            pthread_mutex_lock(&s->eng->mu);
            db->loaded = false;
            pthread_mutex_unlock(&s->eng->mu);
            while (db->ntabs > 0)
                hsql_catalog_del(s->eng, db, db->tabs[0]->name);
        }
    }
    free(name);
    if (r < 0)
        return -1;
    return hsql_send_ok(s, sink, affected, 0, more, "", err);
}

int hsql_ddl_exec(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                  const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    const hsql_tok_t *k = &t[b];
    if (hsql_tok_is(src, k, "CREATE")) {
        int i = b + 1;
        if (hsql_tok_is(src, &t[i], "OR") && hsql_tok_is(src, &t[i + 1], "REPLACE"))
            i += 2;
        if (hsql_tok_is(src, &t[i], "TEMPORARY"))
            i++;
        if (hsql_tok_is(src, &t[i], "TABLE"))
            return create_table(s, src, t, b, e, sink, more, err);
        if (hsql_tok_is(src, &t[i], "DATABASE") || hsql_tok_is(src, &t[i], "SCHEMA"))
            return database_stmt(s, src, t, b, e, true, sink, more, err);
        if (hsql_tok_is(src, &t[i], "INDEX") || hsql_tok_is(src, &t[i], "UNIQUE") ||
            hsql_tok_is(src, &t[i], "FULLTEXT") || hsql_tok_is(src, &t[i], "SPATIAL"))
            return index_stmt(s, src, t, b, e, true, sink, more, err);
    } else if (hsql_tok_is(src, k, "DROP")) {
        int i = b + 1;
        if (hsql_tok_is(src, &t[i], "TEMPORARY"))
            i++;
        if (hsql_tok_is(src, &t[i], "TABLE") || hsql_tok_is(src, &t[i], "TABLES"))
            return drop_tables(s, src, t, b, e, sink, more, err);
        if (hsql_tok_is(src, &t[i], "DATABASE") || hsql_tok_is(src, &t[i], "SCHEMA"))
            return database_stmt(s, src, t, b, e, false, sink, more, err);
        if (hsql_tok_is(src, &t[i], "INDEX"))
            return index_stmt(s, src, t, b, e, false, sink, more, err);
    } else if (hsql_tok_is(src, k, "ALTER")) {
        return alter_table(s, src, t, b, e, sink, more, err);
    } else if (hsql_tok_is(src, k, "TRUNCATE")) {
        return truncate_table(s, src, t, b, e, sink, more, err);
    } else if (hsql_tok_is(src, k, "RENAME")) {
        return rename_tables(s, src, t, b, e, sink, more, err);
    }
    return hsql_err_syntax(err, src, t[e].off, k->off);
}


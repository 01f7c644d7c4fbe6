/* sql_translate_dml.c — the statements of the MySQL->SQLite translator (SQL side of HarvSQL):
 * INSERT/REPLACE (IGNORE, SET form, VALUES with MySQL's value conversion, ON DUPLICATE KEY
 * UPDATE as ON CONFLICT clauses per unique key), UPDATE (changed-row counting, multi-table form
 * as a SELECT of rowids and new values), DELETE (multi-table forms), and hsql_translate(). The
 * expression emitter they use is in sql_translate.c. */
#include "sql_translate_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- statements -------------------------------------------------------------------------- */
static void emit_cv_open(xctx_t *x);
static void emit_cv_close(xctx_t *x, const hsql_column_t *c, int row);

static hsql_table_t *target_table(xctx_t *x, int i, int *next)
{
    char db[128] = "", name[128];
    if (!hsql_x_is_ident(T(x, i))) {
        hsql_x_fail_syntax(x, i);
        return NULL;
    }
    hsql_x_tok_name(x, i, name, sizeof name);
    int j = i + 1;
    if (OP(x, j, ".") && hsql_x_is_ident(T(x, j + 1))) {
        snprintf(db, sizeof db, "%s", name);
        hsql_x_tok_name(x, j + 1, name, sizeof name);
        j += 2;
    }
    *next = j;
    if (!x->s->db) {
        hsql_err(x->err, 1046, "3D000", "No database selected");
        x->failed = 1;
        return NULL;
    }
    if (db[0] && !(x->s->dbname && hsql_name_eq(db, x->s->dbname))) {
        hsql_err(x->err, 1146, "42S02", "Table '%s.%s' doesn't exist", db, name);
        x->failed = 1;
        return NULL;
    }
    hsql_table_t *tb = hsql_table_find(x->s, name);
    if (!tb) {
        hsql_err(x->err, 1146, "42S02", "Table '%s.%s' doesn't exist", x->s->dbname, name);
        x->failed = 1;
        return NULL;
    }
    return tb;
}

/* Emits assignments [i,end) of "col = expr, ..." (qualifiers dropped). When wrap is set the
 * first assignment is wrapped in fn(expr, <any column changes>) so that the engine can count
 * changed rows. */
static void emit_assignments(xctx_t *x, int i, int end, const char *wrapfn)
{
    int st[256], en[256], n = 0, d = 0, a = i;
    for (int k = i; k <= end; k++) {
        if (k < end && OP(x, k, "("))
            d++;
        else if (k < end && OP(x, k, ")"))
            d--;
        if (k == end || (d == 0 && OP(x, k, ","))) {
            if (n < 256) {
                st[n] = a;
                en[n] = k;
                n++;
            }
            a = k + 1;
        }
    }
    int lhs_end[256];
    hsql_table_t *tb = x->xl->target;
    for (int q = 0; q < n; q++) {
        int k = st[q];
        int j = hsql_x_chain_end(x, k);
        if (!hsql_x_is_ident(T(x, k)) || !(OP(x, j, "=") || OP(x, j, ":="))) {
            hsql_x_fail_syntax(x, k);
            return;
        }
        lhs_end[q] = j;
    }
    for (int q = 0; q < n; q++) {
        if (q)
            out_s(x, ",");
        int colt = lhs_end[q] - 1;
        out_s(x, " ");
        hsql_x_out_ident_tok(x, colt);
        out_s(x, " =");
        char cn[128];
        hsql_x_tok_name(x, colt, cn, sizeof cn);
        int ci = tb ? hsql_col_find(tb, cn) : -1;
        if (tb && ci < 0) {
            hsql_err(x->err, 1054, "42S22", "Unknown column '%s' in 'field list'", cn);
            x->failed = 1;
            return;
        }
        bool cv = ci >= 0 && !x->odku;
        if (q == 0 && wrapfn) {
            out_s(x, " ");
            out_s(x, wrapfn);
            out_s(x, "((");
            if (cv)
                emit_cv_open(x);
            hsql_x_emit(x, lhs_end[q] + 1, en[q]);
            if (cv)
                emit_cv_close(x, &tb->cols[ci], 1);
            out_s(x, "),");
            if (x->odku) {
                /* the id of the row an ODKU updates is the OK packet's insert id */
                if (tb && tb->autoinc_col >= 0)
                    hsql_x_out_qident(x, tb->cols[tb->autoinc_col].name);
                else
                    out_s(x, "NULL");
                out_s(x, ",");
            }
            for (int r = 0; r < n; r++) {
                if (r)
                    out_s(x, " OR");
                out_s(x, " (");
                hsql_x_out_ident_tok(x, lhs_end[r] - 1);
                out_s(x, " IS NOT (");
                hsql_x_emit(x, lhs_end[r] + 1, en[r]);
                out_s(x, ") COLLATE BINARY)");
            }
            out_s(x, ")");
        } else {
            if (cv)
                emit_cv_open(x);
            hsql_x_emit(x, lhs_end[q] + 1, en[q]);
            if (cv)
                emit_cv_close(x, &tb->cols[ci], 1);
        }
    }
}

/* MySQL checks and converts each inserted value for its column (non-strict: truncates with a
 * warning; strict: error): hsql_cv(value, class, wire type, max length, unsigned, decimals,
 * 'column', row). */
static void emit_cv_open(xctx_t *x)
{
    out_s(x, " hsql_cv(");
}

static void emit_cv_close(xctx_t *x, const hsql_column_t *c, int row)
{
    char b[400];
    snprintf(b, sizeof b, ", %d, %d, %u, %d, %d, ", c->cls, c->mtype, c->maxlen, c->is_unsigned ? 1 : 0,
             c->decimals);
    out_s(x, b);
    hsql_x_out_strlit(x, c->name, strlen(c->name));
    snprintf(b, sizeof b, ", %d)", row);
    out_s(x, b);
}

static void emit_default_of(xctx_t *x, const hsql_column_t *c)
{
    if (c->autoinc) {
        out_s(x, " NULL");
    } else if (c->deflt && c->def_expr) {
        out_s(x, !strcmp(c->deflt, "CURRENT_TIMESTAMP") ? " hsql_now()" : " NULL");
    } else if (c->deflt) {
        out_s(x, " ");
        hsql_x_out_strlit(x, c->deflt, strlen(c->deflt));
    } else if (!c->notnull) {
        out_s(x, " NULL");
    } else {
        switch (c->cls) {
        case HSQL_CLS_DATE: out_s(x, " '0000-00-00'"); break;
        case HSQL_CLS_DATETIME: out_s(x, " '0000-00-00 00:00:00'"); break;
        case HSQL_CLS_TIME: out_s(x, " '00:00:00'"); break;
        case HSQL_CLS_TEXT:
        case HSQL_CLS_BLOB:
        case HSQL_CLS_ENUM: out_s(x, " ''"); break;
        default: out_s(x, " 0"); break;
        }
    }
}

static void emit_values(xctx_t *x, hsql_table_t *tb, const int *icol, int nicol, int i, int end)
{
    int row = 0;
    while (i < end && !x->failed) {
        if (OP(x, i, ",")) {
            out_s(x, ",");
            i++;
            continue;
        }
        if (!OP(x, i, "(")) {
            hsql_x_fail_syntax(x, i);
            return;
        }
        int close = hsql_x_match_paren(x, i);
        int st[512], en[512];
        int n = hsql_x_split_args(x, i, close, st, en, 512);
        if (n != nicol) {
            hsql_err(x->err, 1136, "21S01", "Column count doesn't match value count at row %d", row + 1);
            x->failed = 1;
            return;
        }
        row++;
        out_s(x, " (");
        for (int k = 0; k < n; k++) {
            const hsql_column_t *c = &tb->cols[icol[k]];
            if (k)
                out_s(x, ",");
            if (en[k] == st[k] + 1 && KW(x, st[k], "DEFAULT")) {
                emit_default_of(x, c);
                continue;
            }
            emit_cv_open(x);
            hsql_x_emit(x, st[k], en[k]);
            emit_cv_close(x, c, row);
            /* remember which parameter holds a single-literal value (for 1062 messages):
             * row 1's, and the stride of the parameters of the rows after it */
            bool lit = en[k] == st[k] + 1 && x->flags[st[k]] && icol[k] < 64;
            if (row == 1 && lit) {
                x->xl->colparam[icol[k]] = (int16_t)x->ord[st[k]];
            } else if (row > 1 && icol[k] < 64 && x->xl->colparam[icol[k]]) {
                int d = lit ? x->ord[st[k]] - x->xl->colparam[icol[k]] : -1;
                if (row == 2 && k == 0)
                    x->xl->colparam_stride = (int16_t)d;
                if (d <= 0 || d != x->xl->colparam_stride * (row - 1))
                    x->xl->colparam_stride = -1;
            }
        }
        out_s(x, ")");
        i = close + 1;
    }
}

/* NOT NULL columns without a default that the INSERT leaves out: 1364 (strict) or a warning. */
static void missing_defaults(xctx_t *x, hsql_table_t *tb, const int *icol, int nicol)
{
    for (int c = 0; c < tb->ncols; c++) {
        const hsql_column_t *col = &tb->cols[c];
        if (!col->notnull || col->deflt || col->autoinc)
            continue;
        bool given = false;
        for (int k = 0; k < nicol; k++)
            if (icol[k] == c)
                given = true;
        if (given)
            continue;
        if (x->s->strict) {
            if (!x->failed)
                hsql_err(x->err, 1364, "HY000", "Field '%s' doesn't have a default value", col->name);
            x->failed = 1;
            return;
        }
        if (!x->xl->missing_col)
            x->xl->missing_col = base_xstrdup(col->name);
    }
}

static void xl_insert(xctx_t *x)
{
    hsql_xl_t *xl = x->xl;
    int i = x->b;
    bool replace = KW(x, i, "REPLACE"), ignore = false;
    xl->kind = HSQL_XK_INSERT;
    xl->is_replace = replace;
    i++;
    while (KW(x, i, "LOW_PRIORITY") || KW(x, i, "DELAYED") || KW(x, i, "HIGH_PRIORITY") ||
           KW(x, i, "IGNORE")) {
        if (KW(x, i, "IGNORE"))
            ignore = true;
        i++;
    }
    if (KW(x, i, "INTO"))
        i++;
    int nx;
    hsql_table_t *tb = target_table(x, i, &nx);
    if (!tb)
        return;
    xl->target = tb;
    xl->has_insert_id = tb->autoinc_col >= 0;
    i = nx;
    for (int k = 0; k < 1 && x->nscope < 16; k++) {
        xscope_t *sc = &x->scope[x->nscope++];
        snprintf(sc->name, sizeof sc->name, "%s", tb->name);
        snprintf(sc->alias, sizeof sc->alias, "%s", tb->name);
        sc->tb = tb;
    }
    xl->ignore = ignore;
    out_s(x, replace ? "REPLACE INTO " : ignore ? "INSERT OR IGNORE INTO " : "INSERT INTO ");
    hsql_x_out_qident(x, tb->name);
    /* find ON DUPLICATE KEY UPDATE at depth 0 */
    int odku = -1, d = 0;
    for (int k = i; k < x->e; k++) {
        if (OP(x, k, "("))
            d++;
        else if (OP(x, k, ")"))
            d--;
        else if (d == 0 && KW(x, k, "ON") && KW(x, k + 1, "DUPLICATE") && KW(x, k + 2, "KEY") &&
                 KW(x, k + 3, "UPDATE")) {
            odku = k;
            break;
        }
    }
    int body_end = odku >= 0 ? odku : x->e;
    if (KW(x, i, "SET")) {
        /* INSERT ... SET a=1, b=2 → (a,b) VALUES (1,2) */
        int st[256], en[256], n = 0;
        d = 0;
        int a = i + 1;
        for (int k = i + 1; k <= body_end; k++) {
            if (k < body_end && OP(x, k, "("))
                d++;
            else if (k < body_end && OP(x, k, ")"))
                d--;
            if (k == body_end || (d == 0 && OP(x, k, ","))) {
                if (n < 256) {
                    st[n] = a;
                    en[n] = k;
                    n++;
                }
                a = k + 1;
            }
        }
        out_s(x, " (");
        for (int q = 0; q < n; q++) {
            int j = hsql_x_chain_end(x, st[q]);
            if (!OP(x, j, "=")) {
                hsql_x_fail_syntax(x, j);
                return;
            }
            if (q)
                out_s(x, ",");
            hsql_x_out_ident_tok(x, j - 1);
        }
        out_s(x, ") VALUES (");
        for (int q = 0; q < n; q++) {
            int j = hsql_x_chain_end(x, st[q]);
            if (q)
                out_s(x, ",");
            hsql_x_emit(x, j + 1, en[q]);
        }
        out_s(x, ")");
    } else {
        int icol[512], nicol = 0;
        bool listed = false;
        if (OP(x, i, "(") && !KW(x, i + 1, "SELECT")) {
            int c = hsql_x_match_paren(x, i);
            out_s(x, " (");
            bool first = true;
            listed = true;
            for (int k = i + 1; k < c; k++) {
                if (OP(x, k, ","))
                    continue;
                if (!hsql_x_is_ident(T(x, k))) {
                    hsql_x_fail_syntax(x, k);
                    return;
                }
                int j = hsql_x_chain_end(x, k);
                if (!first)
                    out_s(x, ",");
                first = false;
                hsql_x_out_ident_tok(x, j - 1);
                char cn[128];
                hsql_x_tok_name(x, j - 1, cn, sizeof cn);
                int ci = hsql_col_find(tb, cn);
                if (ci < 0) {
                    hsql_err(x->err, 1054, "42S22", "Unknown column '%s' in 'field list'", cn);
                    x->failed = 1;
                    return;
                }
                if (nicol < 512)
                    icol[nicol++] = ci;
                k = j - 1;
            }
            out_s(x, ")");
            i = c + 1;
        }
        if (!listed)
            for (int ci = 0; ci < tb->ncols && ci < 512; ci++)
                icol[nicol++] = ci;
        for (int k = 0; k < nicol; k++)
            if (icol[k] == tb->autoinc_col)
                xl->ai_given = true;
        missing_defaults(x, tb, icol, nicol);
        if (KW(x, i, "VALUES") || KW(x, i, "VALUE")) {
            out_s(x, " VALUES");
            emit_values(x, tb, icol, nicol, i + 1, body_end);
        } else if (KW(x, i, "SELECT") || OP(x, i, "(")) {
            hsql_x_emit(x, i, body_end);
            if (odku >= 0) {
                /* SQLite's parser needs a WHERE before ON CONFLICT after a SELECT */
                bool has_where = false;
                d = 0;
                for (int k = i; k < body_end; k++) {
                    if (OP(x, k, "("))
                        d++;
                    else if (OP(x, k, ")"))
                        d--;
                    else if (d == 0 && KW(x, k, "WHERE"))
                        has_where = true;
                }
                if (!has_where)
                    out_s(x, " WHERE true");
            }
        } else {
            hsql_x_fail_syntax(x, i);
            return;
        }
    }
    if (odku >= 0 && !x->failed) {
        xl->odku = true;
        x->odku = true;
        bool any = false;
        for (int q = 0; q < tb->nidx; q++) {
            hsql_index_t *ix = &tb->idx[q];
            if (ix->kind != HSQL_IDX_PRIMARY && ix->kind != HSQL_IDX_UNIQUE)
                continue;
            any = true;
            out_s(x, " ON CONFLICT (");
            for (int c = 0; c < ix->ncols; c++) {
                if (c)
                    out_s(x, ",");
                hsql_x_out_qident(x, ix->cols[c]);
            }
            out_s(x, ") DO UPDATE SET");
            emit_assignments(x, odku + 4, x->e, "hsql_odku");
        }
        if (!any)
            xl->odku = false;
        x->odku = false;
    }
}

static bool is_multi_table(xctx_t *x, int i, int stop_kw_end)
{
    int d = 0;
    for (int k = i; k < stop_kw_end; k++) {
        if (OP(x, k, "("))
            d++;
        else if (OP(x, k, ")"))
            d--;
        else if (d == 0 && (OP(x, k, ",") || KW(x, k, "JOIN") || KW(x, k, "STRAIGHT_JOIN")))
            return true;
    }
    return false;
}

static int find_kw0(xctx_t *x, int i, const char *kw)
{
    int d = 0;
    for (int k = i; k < x->e; k++) {
        if (OP(x, k, "("))
            d++;
        else if (OP(x, k, ")"))
            d--;
        else if (d == 0 && KW(x, k, kw))
            return k;
    }
    return -1;
}

static hsql_table_t *scope_table(xctx_t *x, const char *alias_or_name, char *real)
{
    for (int k = 0; k < x->nscope; k++)
        if (hsql_name_eq(x->scope[k].alias, alias_or_name)) {
            snprintf(real, 128, "%s", x->scope[k].name);
            return x->scope[k].tb;
        }
    for (int k = 0; k < x->nscope; k++)
        if (hsql_name_eq(x->scope[k].name, alias_or_name)) {
            snprintf(real, 128, "%s", x->scope[k].name);
            return x->scope[k].tb;
        }
    return NULL;
}

static void add_sub(hsql_xl_t *xl, const char *sql, int nvals)
{
    xl->sub = base_xrealloc(xl->sub, sizeof(char *) * (size_t)(xl->nsub + 1));
    xl->sub_nvals = base_xrealloc(xl->sub_nvals, sizeof(int) * (size_t)(xl->nsub + 1));
    xl->sub[xl->nsub] = base_xstrdup(sql);
    xl->sub_nvals[xl->nsub] = nvals;
    xl->nsub++;
}

static void xl_update(xctx_t *x)
{
    hsql_xl_t *xl = x->xl;
    int i = x->b + 1;
    bool ignore = false;
    while (KW(x, i, "LOW_PRIORITY") || KW(x, i, "IGNORE")) {
        if (KW(x, i, "IGNORE"))
            ignore = true;
        i++;
    }
    int set = find_kw0(x, i, "SET");
    if (set < 0) {
        hsql_x_fail_syntax(x, x->e);
        return;
    }
    int where = find_kw0(x, set, "WHERE");
    int order = find_kw0(x, set, "ORDER");
    int limit = find_kw0(x, set, "LIMIT");
    int asg_end = where >= 0 ? where : order >= 0 ? order : limit >= 0 ? limit : x->e;
    if (!x->s->db) {
        hsql_err(x->err, 1046, "3D000", "No database selected");
        x->failed = 1;
        return;
    }
    if (!is_multi_table(x, i, set)) {
        int nx;
        hsql_table_t *tb = target_table(x, i, &nx);
        if (!tb)
            return;
        xl->kind = HSQL_XK_UPDATE;
        xl->target = tb;
        xl->count_chg = true;
        out_s(x, ignore ? "UPDATE OR IGNORE " : "UPDATE ");
        hsql_x_out_qident(x, tb->name);
        if (nx < set) {
            out_s(x, " AS");
            hsql_x_emit_tok(x, KW(x, nx, "AS") ? nx + 1 : nx);
        }
        out_s(x, " SET");
        emit_assignments(x, set + 1, asg_end, "hsql_chg");
        hsql_x_emit(x, asg_end, x->e);
        return;
    }
    /* multi-table: SELECT t1.rowid, <values for t1>, t2.rowid, <values for t2> FROM ... */
    xl->kind = HSQL_XK_MULTI_UPDATE;
    int st[128], en[128], n = 0, d = 0, a = set + 1;
    for (int k = set + 1; k <= asg_end; k++) {
        if (k < asg_end && OP(x, k, "("))
            d++;
        else if (k < asg_end && OP(x, k, ")"))
            d--;
        if (k == asg_end || (d == 0 && OP(x, k, ","))) {
            if (n < 128) {
                st[n] = a;
                en[n] = k;
                n++;
            }
            a = k + 1;
        }
    }
    char tabs[8][128];
    int ntab = 0, tab_of[128];
    for (int q = 0; q < n; q++) {
        int j = hsql_x_chain_end(x, st[q]);
        if (!OP(x, j, "=")) {
            hsql_x_fail_syntax(x, j);
            return;
        }
        char qual[128] = "";
        if (j - st[q] == 3)
            hsql_x_tok_name(x, st[q], qual, sizeof qual);
        else if (x->nscope > 0)
            snprintf(qual, sizeof qual, "%s", x->scope[0].alias);
        int f = -1;
        for (int r = 0; r < ntab; r++)
            if (hsql_name_eq(tabs[r], qual))
                f = r;
        if (f < 0 && ntab < 8) {
            snprintf(tabs[ntab], 128, "%s", qual);
            f = ntab++;
        }
        tab_of[q] = f;
    }
    out_s(x, "SELECT");
    bool first = true;
    base_buf_t sub;
    base_buf_init(&sub);
    for (int r = 0; r < ntab; r++) {
        if (!first)
            out_s(x, ",");
        first = false;
        out_s(x, " ");
        hsql_x_out_qident(x, tabs[r]);
        out_s(x, ".rowid");
        char real[128];
        hsql_table_t *tb = scope_table(x, tabs[r], real);
        if (!tb) {
            hsql_err(x->err, 1146, "42S02", "Table '%s.%s' doesn't exist",
                     x->s->dbname ? x->s->dbname : "", tabs[r]);
            x->failed = 1;
            base_buf_fini(&sub);
            return;
        }
        base_buf_reset(&sub);
        base_buf_appendf(&sub, "UPDATE \"%s\" SET", real);
        int nv = 0;
        for (int q = 0; q < n; q++) {
            if (tab_of[q] != r)
                continue;
            int j = hsql_x_chain_end(x, st[q]);
            out_s(x, ", (");
            hsql_x_emit(x, j + 1, en[q]);
            out_s(x, ")");
            nv++;
            char cname[128];
            hsql_x_tok_name(x, j - 1, cname, sizeof cname);
            base_buf_appendf(&sub, "%s \"%s\" = ?%d", nv > 1 ? "," : "", cname, nv);
        }
        base_buf_appendf(&sub, " WHERE rowid = ?%d AND (", nv + 1);
        int cnt = 0;
        for (int q = 0; q < n; q++) {
            if (tab_of[q] != r)
                continue;
            int j = hsql_x_chain_end(x, st[q]);
            char cname[128];
            hsql_x_tok_name(x, j - 1, cname, sizeof cname);
            cnt++;
            base_buf_appendf(&sub, "%s\"%s\" IS NOT ?%d COLLATE BINARY", cnt > 1 ? " OR " : "",
                             cname, cnt);
        }
        base_buf_append(&sub, ")", 2);
        add_sub(xl, sub.data, nv);
    }
    base_buf_fini(&sub);
    out_s(x, " FROM");
    x->tblctx = true;
    x->from_depth = 0;
    hsql_x_emit(x, i, set);
    x->from_depth = -1;
    if (where >= 0)
        hsql_x_emit(x, where, x->e);
}

/* The target list of a multi-table DELETE (tokens b..e: "a, b.*, ..."): a SELECT of each
 * target's rowid, and one "DELETE ... WHERE rowid = ?1" per target, run for every row
 * found. False (x->failed) for a name that is not a table of the statement: 1109. */
static bool multi_delete_targets(xctx_t *x, hsql_xl_t *xl, int b, int e)
{
    xl->kind = HSQL_XK_MULTI_DELETE;
    out_s(x, "SELECT");
    bool first = true;
    for (int k = b; k < e; k++) {
        if (OP(x, k, ",") || OP(x, k, ".") || OP(x, k, "*"))
            continue;
        char nm[128], real[128];
        hsql_x_tok_name(x, k, nm, sizeof nm);
        if (OP(x, k + 1, ".") && OP(x, k + 2, "*"))
            k += 2;
        if (!scope_table(x, nm, real)) {
            hsql_err(x->err, 1109, "42S02", "Unknown table '%s' in MULTI DELETE", nm);
            x->failed = 1;
            return false;
        }
        out_s(x, first ? " " : ", ");
        first = false;
        hsql_x_out_qident(x, nm);
        out_s(x, ".rowid");
        char sql[300];
        snprintf(sql, sizeof sql, "DELETE FROM \"%s\" WHERE rowid = ?1", real);
        add_sub(xl, sql, 0);
    }
    return true;
}

static void xl_delete(xctx_t *x)
{
    hsql_xl_t *xl = x->xl;
    int i = x->b + 1;
    while (KW(x, i, "LOW_PRIORITY") || KW(x, i, "QUICK") || KW(x, i, "IGNORE"))
        i++;
    if (!x->s->db) {
        hsql_err(x->err, 1046, "3D000", "No database selected");
        x->failed = 1;
        return;
    }
    if (KW(x, i, "FROM")) {
        int using = find_kw0(x, i, "USING");
        int where = find_kw0(x, i, "WHERE");
        int stop = using >= 0 ? using : where >= 0 ? where : x->e;
        if (using < 0 && !is_multi_table(x, i + 1, stop)) {
            int nx;
            hsql_table_t *tb = target_table(x, i + 1, &nx);
            if (!tb)
                return;
            xl->kind = HSQL_XK_DELETE;
            xl->target = tb;
            out_s(x, "DELETE FROM ");
            hsql_x_out_qident(x, tb->name);
            if (nx < x->e && !hsql_x_is_clause_word(x, nx) && hsql_x_is_ident(T(x, nx))) {
                out_s(x, " AS");
                hsql_x_emit_tok(x, nx);
                nx++;
            } else if (KW(x, nx, "AS")) {
                out_s(x, " AS");
                hsql_x_emit_tok(x, nx + 1);
                nx += 2;
            }
            hsql_x_emit(x, nx, x->e);
            return;
        }
        if (using < 0) {
            hsql_x_fail_syntax(x, i);
            return;
        }
        /* DELETE FROM a, b USING refs WHERE ... */
        if (!multi_delete_targets(x, xl, i + 1, using))
            return;
        out_s(x, " FROM");
        x->tblctx = true;
        x->from_depth = 0;
        hsql_x_emit(x, using + 1, x->e);
        return;
    }
    /* DELETE a, b FROM refs WHERE ... */
    int from = find_kw0(x, i, "FROM");
    if (from < 0) {
        hsql_x_fail_syntax(x, i);
        return;
    }
    if (multi_delete_targets(x, xl, i, from))
        hsql_x_emit(x, from, x->e);
}

void hsql_xl_free(hsql_xl_t *xl)
{
    if (!xl)
        return;
    free(xl->missing_col);
    free(xl->sql);
    for (int k = 0; k < xl->nsub; k++)
        free(xl->sub[k]);
    free(xl->sub);
    free(xl->sub_nvals);
    free(xl);
}

hsql_xl_t *hsql_translate(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                          const uint8_t *flags, const int *ord, hsql_error_t *err)
{
    base_buf_t o;
    base_buf_init(&o);
    hsql_xl_t *xl = base_xcalloc(1, sizeof *xl);
    xl->lim_cnt = -1;
    xl->db = s->db;
    xl->gen = s->db ? __atomic_load_n(&s->db->gen, __ATOMIC_ACQUIRE) : 0;
    xl->strict = s->strict;
    xctx_t x = {.s = s, .src = src, .t = t, .b = b, .e = e, .flags = flags, .ord = ord, .o = &o,
                .err = err, .xl = xl, .from_depth = -1};
    hsql_x_build_scope(&x);
    if (hsql_tok_is(src, &t[b], "INSERT") || hsql_tok_is(src, &t[b], "REPLACE")) {
        xl_insert(&x);
    } else if (hsql_tok_is(src, &t[b], "UPDATE")) {
        xl_update(&x);
    } else if (hsql_tok_is(src, &t[b], "DELETE")) {
        xl_delete(&x);
    } else {
        xl->kind = HSQL_XK_SELECT;
        x.top_select = true;
        hsql_x_emit(&x, b, e);
    }
    if (x.failed) {
        base_buf_fini(&o);
        hsql_xl_free(xl);
        return NULL;
    }
    base_buf_append(&o, "", 1);
    xl->sql = o.data;
    return xl;
}

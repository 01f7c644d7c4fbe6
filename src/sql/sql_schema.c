/* sql_schema.c — the catalog model of the SQL side of HarvSQL: MySQL collations and their ids,
 * table definitions (columns with their MySQL types, keys with prefix lengths, options),
 * SHOW CREATE TABLE rendering (also the form the catalog is stored in) and the SQLite DDL a
 * MySQL table becomes: INTEGER PRIMARY KEY AUTOINCREMENT for AUTO_INCREMENT keys, TEXT COLLATE
 * HCI for _ci columns, MySQL's implicit defaults for NOT NULL columns, one index per KEY.
 * Parsing and running DDL statements is in sql_ddl.c. */
#include "sql_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- collations -------------------------------------------------------------------------- */
static const struct {
    const char *name;
    uint16_t id;
} k_colls[] = {
    {"utf8mb4_general_ci", 45}, {"utf8mb4_bin", 46}, {"utf8mb4_unicode_ci", 224},
    {"utf8mb4_unicode_520_ci", 246}, {"utf8mb4_0900_ai_ci", 255}, {"utf8mb4_0900_as_cs", 278},
    {"utf8mb4_0900_bin", 309}, {"utf8_general_ci", 33}, {"utf8mb3_general_ci", 33},
    {"utf8_bin", 83}, {"utf8mb3_bin", 83}, {"utf8_unicode_ci", 192}, {"utf8mb3_unicode_ci", 192},
    {"latin1_swedish_ci", 8}, {"latin1_bin", 47}, {"latin1_general_ci", 48},
    {"ascii_general_ci", 11}, {"ascii_bin", 65}, {"binary", 63}, {"utf8mb4_unicode_520_bin", 46},
};

uint16_t hsql_collation_id(const char *name)
{
    for (size_t i = 0; i < BASE_ARRAY_LEN(k_colls); i++)
        if (strcasecmp(k_colls[i].name, name) == 0)
            return k_colls[i].id;
    return 0;
}

const char *hsql_collation_name(uint16_t id)
{
    for (size_t i = 0; i < BASE_ARRAY_LEN(k_colls); i++)
        if (k_colls[i].id == id)
            return k_colls[i].name;
    return "utf8mb4_0900_ai_ci";
}

const char *hsql_charset_default_coll(const char *cs)
{
    if (!strcasecmp(cs, "utf8mb4"))
        return "utf8mb4_0900_ai_ci";
    if (!strcasecmp(cs, "utf8") || !strcasecmp(cs, "utf8mb3"))
        return "utf8mb3_general_ci";
    if (!strcasecmp(cs, "latin1"))
        return "latin1_swedish_ci";
    if (!strcasecmp(cs, "ascii"))
        return "ascii_general_ci";
    if (!strcasecmp(cs, "binary"))
        return "binary";
    return "utf8mb4_0900_ai_ci";
}

void hsql_coll_charset(const char *coll, char *cs, size_t n)
{
    size_t k = strcspn(coll, "_");
    if (k >= n)
        k = n - 1;
    memcpy(cs, coll, k);
    cs[k] = 0;
}

bool hsql_col_is_text(const hsql_column_t *c) { return c->cls == HSQL_CLS_TEXT || c->cls == HSQL_CLS_ENUM; }

int hsql_col_find(const hsql_table_t *tb, const char *name)
{
    for (int i = 0; i < tb->ncols; i++)
        if (strcasecmp(tb->cols[i].name, name) == 0)
            return i;
    return -1;
}

/* ---- table model ------------------------------------------------------------------------- */
void hsql_col_fini(hsql_column_t *c)
{
    free(c->name);
    free(c->type);
    free(c->deflt);
    free(c->collation);
    free(c->comment);
    free(c->enumvals);
}

void hsql_idx_fini(hsql_index_t *ix)
{
    free(ix->name);
    for (int k = 0; k < ix->ncols; k++)
        free(ix->cols[k]);
    free(ix->cols);
    free(ix->sub);
}

void hsql_table_free(hsql_table_t *tb)
{
    if (!tb)
        return;
    for (int i = 0; i < tb->ncols; i++)
        hsql_col_fini(&tb->cols[i]);
    for (int i = 0; i < tb->nidx; i++)
        hsql_idx_fini(&tb->idx[i]);
    free(tb->cols);
    free(tb->idx);
    free(tb->name);
    free(tb->engine);
    free(tb->charset);
    free(tb->collation);
    free(tb->comment);
    free(tb);
}

static char *dupn(const char *s) { return s ? base_xstrdup(s) : NULL; }

void hsql_col_copy(hsql_column_t *d, const hsql_column_t *s)
{
    *d = *s;
    d->name = dupn(s->name);
    d->type = dupn(s->type);
    d->deflt = dupn(s->deflt);
    d->collation = dupn(s->collation);
    d->comment = dupn(s->comment);
    d->enumvals = dupn(s->enumvals);
}

void hsql_idx_copy(hsql_index_t *d, const hsql_index_t *s)
{
    d->name = dupn(s->name);
    d->kind = s->kind;
    d->ncols = s->ncols;
    d->cols = base_xcalloc((size_t)s->ncols + 1, sizeof(char *));
    d->sub = base_xcalloc((size_t)s->ncols + 1, sizeof(int));
    for (int k = 0; k < s->ncols; k++) {
        d->cols[k] = dupn(s->cols[k]);
        d->sub[k] = s->sub[k];
    }
}

hsql_table_t *hsql_table_clone(const hsql_table_t *tb)
{
    hsql_table_t *n = base_xcalloc(1, sizeof *n);
    n->name = dupn(tb->name);
    n->ncols = tb->ncols;
    n->cols = base_xcalloc((size_t)tb->ncols + 1, sizeof(hsql_column_t));
    for (int i = 0; i < tb->ncols; i++)
        hsql_col_copy(&n->cols[i], &tb->cols[i]);
    n->nidx = tb->nidx;
    n->idx = base_xcalloc((size_t)tb->nidx + 1, sizeof(hsql_index_t));
    for (int i = 0; i < tb->nidx; i++)
        hsql_idx_copy(&n->idx[i], &tb->idx[i]);
    n->engine = dupn(tb->engine);
    n->charset = dupn(tb->charset);
    n->collation = dupn(tb->collation);
    n->comment = dupn(tb->comment);
    n->autoinc_col = tb->autoinc_col;
    n->create_time = tb->create_time;
    return n;
}

/* ---- rendering --------------------------------------------------------------------------- */
void hsql_q_ident(base_buf_t *b, const char *n)
{
    base_buf_append(b, "`", 1);
    for (const char *p = n; *p; p++) {
        if (*p == '`')
            base_buf_append(b, "`", 1);
        base_buf_append(b, p, 1);
    }
    base_buf_append(b, "`", 1);
}

static void q_str(base_buf_t *b, const char *s)
{
    base_buf_append(b, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '\'' || *p == '\\')
            base_buf_append(b, "\\", 1);
        base_buf_append(b, p, 1);
    }
    base_buf_append(b, "'", 1);
}

static void render_table(const hsql_table_t *tb, base_buf_t *b, bool full, bool with_ai, uint64_t ai)
{
    base_buf_appendf(b, "CREATE TABLE ");
    hsql_q_ident(b, tb->name);
    base_buf_appendf(b, " (\n");
    for (int i = 0; i < tb->ncols; i++) {
        const hsql_column_t *c = &tb->cols[i];
        base_buf_appendf(b, "  ");
        hsql_q_ident(b, c->name);
        base_buf_appendf(b, " %s", c->type);
        if (c->collation && (full || strcasecmp(c->collation, tb->collation))) {
            char cs[64], tcs[64];
            hsql_coll_charset(c->collation, cs, sizeof cs);
            hsql_coll_charset(tb->collation, tcs, sizeof tcs);
            if (strcasecmp(cs, tcs) && !full)
                base_buf_appendf(b, " CHARACTER SET %s", cs);
            base_buf_appendf(b, " COLLATE %s", c->collation);
        }
        if (c->notnull)
            base_buf_appendf(b, " NOT NULL");
        if (c->deflt && c->def_expr)
            base_buf_appendf(b, " DEFAULT %s", c->deflt);
        else if (c->deflt) {
            base_buf_appendf(b, " DEFAULT ");
            q_str(b, c->deflt);
        } else if (!c->notnull && c->cls != HSQL_CLS_TEXT && c->cls != HSQL_CLS_BLOB)
            base_buf_appendf(b, " DEFAULT NULL");
        else if (!c->notnull && c->mtype != HSQL_TYPE_BLOB && c->mtype != HSQL_TYPE_JSON)
            base_buf_appendf(b, " DEFAULT NULL");
        else if (full && c->def_null)
            base_buf_appendf(b, " DEFAULT NULL");
        if (c->on_update_now)
            base_buf_appendf(b, " ON UPDATE CURRENT_TIMESTAMP");
        if (c->autoinc)
            base_buf_appendf(b, " AUTO_INCREMENT");
        if (c->comment) {
            base_buf_appendf(b, " COMMENT ");
            q_str(b, c->comment);
        }
        base_buf_appendf(b, "%s\n", i + 1 < tb->ncols || tb->nidx ? "," : "");
    }
    for (int k = 0; k < tb->nidx; k++) {
        const hsql_index_t *ix = &tb->idx[k];
        if (ix->kind == HSQL_IDX_PRIMARY)
            base_buf_appendf(b, "  PRIMARY KEY (");
        else {
            base_buf_appendf(b, "  %s", ix->kind == HSQL_IDX_UNIQUE     ? "UNIQUE KEY "
                                        : ix->kind == HSQL_IDX_FULLTEXT ? "FULLTEXT KEY "
                                                                        : "KEY ");
            hsql_q_ident(b, ix->name);
            base_buf_appendf(b, " (");
        }
        for (int j = 0; j < ix->ncols; j++) {
            if (j)
                base_buf_appendf(b, ",");
            hsql_q_ident(b, ix->cols[j]);
            if (ix->sub[j])
                base_buf_appendf(b, "(%d)", ix->sub[j]);
        }
        base_buf_appendf(b, ")%s\n", k + 1 < tb->nidx ? "," : "");
    }
    base_buf_appendf(b, ") ENGINE=%s", tb->engine);
    if (with_ai && ai > 1)
        base_buf_appendf(b, " AUTO_INCREMENT=%llu", (unsigned long long)ai);
    base_buf_appendf(b, " DEFAULT CHARSET=%s COLLATE=%s", tb->charset, tb->collation);
    if (tb->comment) {
        base_buf_appendf(b, " COMMENT=");
        q_str(b, tb->comment);
    }
}

void hsql_table_render(const hsql_table_t *tb, base_buf_t *b, bool with_autoinc, uint64_t ainc)
{
    render_table(tb, b, false, with_autoinc, ainc);
}

void hsql_render_catalog(const hsql_table_t *tb, base_buf_t *b)
{
    render_table(tb, b, true, false, 0);
    base_buf_append(b, "", 1);
}

static bool coll_is_ci(const char *coll)
{
    size_t n = strlen(coll);
    if (!strcasecmp(coll, "binary"))
        return false;
    if (n > 4 && !strcasecmp(coll + n - 4, "_bin"))
        return false;
    if (n > 3 && !strcasecmp(coll + n - 3, "_cs"))
        return false;
    return true;
}

void hsql_s_ident(base_buf_t *b, const char *n)
{
    base_buf_append(b, "\"", 1);
    for (const char *p = n; *p; p++) {
        if (*p == '"')
            base_buf_append(b, "\"", 1);
        base_buf_append(b, p, 1);
    }
    base_buf_append(b, "\"", 1);
}

void hsql_s_str(base_buf_t *b, const char *s)
{
    base_buf_append(b, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            base_buf_append(b, "'", 1);
        base_buf_append(b, p, 1);
    }
    base_buf_append(b, "'", 1);
}

const char *hsql_implicit_default(const hsql_column_t *c)
{
    switch (c->cls) {
    case HSQL_CLS_INT:
    case HSQL_CLS_REAL:
    case HSQL_CLS_DECIMAL:
    case HSQL_CLS_BIT:
    case HSQL_CLS_YEAR: return "0";
    case HSQL_CLS_DATE: return "'0000-00-00'";
    case HSQL_CLS_DATETIME: return "'0000-00-00 00:00:00'";
    case HSQL_CLS_TIME: return "'00:00:00'";
    default: return "''";
    }
}

void hsql_index_ddl(const hsql_table_t *tb, const char *sqlname, const hsql_index_t *ix, base_buf_t *b)
{
    char iname[400];
    snprintf(iname, sizeof iname, "%s__%s", tb->name, ix->name);
    base_buf_appendf(b, "CREATE %sINDEX %s", ix->kind == HSQL_IDX_UNIQUE ? "UNIQUE " : "",
                     tb->temp ? "temp." : "");
    hsql_s_ident(b, iname);
    base_buf_appendf(b, " ON ");
    hsql_s_ident(b, sqlname);
    base_buf_appendf(b, " (");
    for (int j = 0; j < ix->ncols; j++) {
        if (j)
            base_buf_appendf(b, ",");
        hsql_s_ident(b, ix->cols[j]);
    }
    base_buf_appendf(b, ");");
}

static bool c_is_autoinc(const hsql_table_t *tb, int i) { return tb->cols[i].autoinc; }

void hsql_table_sqlite_ddl(const hsql_table_t *tb, const char *sqlname, base_buf_t *b)
{
    const hsql_index_t *pkx = NULL;
    for (int k = 0; k < tb->nidx; k++)
        if (tb->idx[k].kind == HSQL_IDX_PRIMARY)
            pkx = &tb->idx[k];
    int rowid_col = -1;
    if (pkx && pkx->ncols == 1) {
        int c = hsql_col_find(tb, pkx->cols[0]);
        if (c >= 0 && tb->cols[c].cls == HSQL_CLS_INT)
            rowid_col = c;
    }
    base_buf_appendf(b, tb->temp ? "CREATE TEMP TABLE " : "CREATE TABLE ");
    hsql_s_ident(b, sqlname);
    base_buf_appendf(b, " (");
    for (int i = 0; i < tb->ncols; i++) {
        const hsql_column_t *c = &tb->cols[i];
        if (i)
            base_buf_appendf(b, ", ");
        hsql_s_ident(b, c->name);
        const char *ty = "TEXT";
        switch (c->cls) {
        case HSQL_CLS_INT:
        case HSQL_CLS_BIT:
        case HSQL_CLS_YEAR: ty = "INTEGER"; break;
        case HSQL_CLS_REAL:
        case HSQL_CLS_DECIMAL: ty = "REAL"; break;
        case HSQL_CLS_BLOB: ty = "BLOB"; break;
        default: ty = c->mtype == HSQL_TYPE_BLOB && c->maxlen > 16777215u ? "LONGTEXT" : "TEXT"; break;
        }
        base_buf_appendf(b, " %s", ty);
        if (i == rowid_col) {
            /* AUTOINCREMENT: ids of deleted rows are not reused, as InnoDB */
            base_buf_appendf(b, c_is_autoinc(tb, i) ? " PRIMARY KEY AUTOINCREMENT" : " PRIMARY KEY");
        }
        if (c->notnull && i != rowid_col)
            base_buf_appendf(b, " NOT NULL");
        if (c->deflt && c->def_expr) {
            if (!strcmp(c->deflt, "CURRENT_TIMESTAMP"))
                base_buf_appendf(b, " DEFAULT (datetime('now','localtime'))");
        } else if (c->deflt) {
            base_buf_appendf(b, " DEFAULT ");
            hsql_s_str(b, c->deflt);
        } else if (c->notnull && !c->autoinc) {
            base_buf_appendf(b, " DEFAULT %s", hsql_implicit_default(c));
        }
        if ((c->cls == HSQL_CLS_TEXT || c->cls == HSQL_CLS_ENUM) && c->collation &&
            coll_is_ci(c->collation))
            base_buf_appendf(b, " COLLATE HCI");
    }
    if (pkx && rowid_col < 0) {
        base_buf_appendf(b, ", PRIMARY KEY (");
        for (int j = 0; j < pkx->ncols; j++) {
            if (j)
                base_buf_appendf(b, ",");
            hsql_s_ident(b, pkx->cols[j]);
        }
        base_buf_appendf(b, ")");
    }
    base_buf_appendf(b, ");");
    for (int k = 0; k < tb->nidx; k++) {
        const hsql_index_t *ix = &tb->idx[k];
        if (ix->kind == HSQL_IDX_PRIMARY)
            continue;
        hsql_index_ddl(tb, sqlname, ix, b);
    }
    for (int i = 0; i < tb->ncols; i++) {
        const hsql_column_t *c = &tb->cols[i];
        if (!c->on_update_now)
            continue;
        base_buf_appendf(b, "CREATE TRIGGER ");
        char trg[400];
        snprintf(trg, sizeof trg, "%s__onupd_%s", tb->name, c->name);
        hsql_s_ident(b, trg);
        base_buf_appendf(b, " AFTER UPDATE ON ");
        hsql_s_ident(b, sqlname);
        base_buf_appendf(b, " FOR EACH ROW WHEN NEW.");
        hsql_s_ident(b, c->name);
        base_buf_appendf(b, " IS OLD.");
        hsql_s_ident(b, c->name);
        base_buf_appendf(b, " BEGIN UPDATE ");
        hsql_s_ident(b, sqlname);
        base_buf_appendf(b, " SET ");
        hsql_s_ident(b, c->name);
        base_buf_appendf(b, " = datetime('now','localtime') WHERE rowid = NEW.rowid; END;");
    }
}


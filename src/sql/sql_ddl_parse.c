/* sql_ddl_parse.c — the MySQL DDL parser (SQL side of HarvSQL): CREATE TABLE with MySQL's types
 * (normalised as MySQL shows them), column attributes (NOT NULL, DEFAULT incl. zero dates and
 * CURRENT_TIMESTAMP, AUTO_INCREMENT, ON UPDATE, COLLATE, COMMENT, inline keys), keys with prefix
 * lengths, foreign keys and checks (accepted, not enforced) and table options, into the catalog
 * model of sql_schema.c. ALTER TABLE (sql_ddl.c) reuses the column and key parsers. */
#include "sql_ddl_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- parser ------------------------------------------------------------------------------ */
static bool is_identt(const hsql_tok_t *t)
{
    return t->type == HSQL_TK_WORD || t->type == HSQL_TK_QIDENT;
}

char *hsql_p_take_ident(pctx_t *p)
{
    if (p->i >= p->e || (!is_identt(&p->t[p->i]) && p->t[p->i].type != HSQL_TK_STR)) {
        perr(p);
        return NULL;
    }
    char *b = base_xmalloc(p->t[p->i].len + 1);
    hsql_ident_decode(p->src, &p->t[p->i], b);
    p->i++;
    return b;
}

/* A table name with an optional database qualifier: dropped when it names the session's own
 * database (p->db). DDL runs on the session's SQLite connection only, so a table of another
 * database is refused (1235) instead of being created, altered or dropped in the wrong one. */
char *hsql_p_take_table_name(pctx_t *p)
{
    char *n = hsql_p_take_ident(p);
    if (n && pop(p, ".")) {
        p->i++;
        char *tn = hsql_p_take_ident(p);
        if (tn && p->db && strcmp(n, p->db) != 0 && !p->failed) {
            hsql_err(p->err, 1235, "42000",
                     "This version of HarvSQL doesn't yet support 'DDL on a table of another "
                     "database (%s.%s); USE %s first'", n, tn, n);
            p->failed = 1;
            free(tn);
            tn = NULL;
        }
        free(n);
        n = tn;
    }
    return n;
}

static char *take_str(pctx_t *p)
{
    if (p->i >= p->e || p->t[p->i].type != HSQL_TK_STR) {
        perr(p);
        return NULL;
    }
    char *b = base_xmalloc(p->t[p->i].len + 1);
    size_t n = hsql_str_decode(p->src, &p->t[p->i], b);
    b[n] = 0;
    p->i++;
    return b;
}

char *hsql_p_take_word_lower(pctx_t *p)
{
    char *s = hsql_p_take_ident(p);
    if (s)
        for (char *q = s; *q; q++)
            *q = (char)tolower((unsigned char)*q);
    return s;
}

/* skips a balanced group starting at "(" */
/* Skips a balanced group starting at "("; a group left open is a syntax error. */
static void skip_group(pctx_t *p)
{
    int d = 0;
    while (p->i < p->e) {
        if (pop(p, "("))
            d++;
        else if (pop(p, ")")) {
            if (--d <= 0) {
                p->i++;
                return;
            }
        }
        p->i++;
    }
    perr(p);
}

static long take_int(pctx_t *p)
{
    if (p->i >= p->e || p->t[p->i].type != HSQL_TK_INT) {
        perr(p);
        return 0;
    }
    int64_t v64 = hsql_tok_i64(p->src, &p->t[p->i], NULL);
    long v = v64 > 1000000000 ? 1000000000 : (long)v64;
    p->i++;
    return v;
}

/* Parses a data type into c. */
static int parse_type(pctx_t *p, hsql_column_t *c)
{
    char *w = hsql_p_take_word_lower(p);
    if (!w)
        return -1;
    long len = -1, dec = -1;
    char args[512] = "";
    if (!strcmp(w, "enum") || !strcmp(w, "set")) {
        if (!accept_op(p, "("))
            return free(w), perr(p);
        /* the values, re-quoted in one canonical form */
        base_buf_t ev;
        base_buf_init(&ev);
        base_buf_append(&ev, "(", 1);
        for (bool first = true;; first = false) {
            if (p->i >= p->e || p->t[p->i].type != HSQL_TK_STR) {
                base_buf_fini(&ev);
                free(w);
                return perr(p);
            }
            char *v = take_str(p);
            size_t vn = p->t[p->i - 1].len;
            (void)vn;
            if (!first)
                base_buf_append(&ev, ",", 1);
            base_buf_append(&ev, "'", 1);
            for (const char *q = v; *q; q++) {
                if (*q == '\'' || *q == '\\')
                    base_buf_append(&ev, "\\", 1);
                base_buf_append(&ev, q, 1);
            }
            base_buf_append(&ev, "'", 1);
            free(v);
            if (accept_op(p, ","))
                continue;
            if (accept_op(p, ")"))
                break;
            base_buf_fini(&ev);
            free(w);
            return perr(p);
        }
        base_buf_append(&ev, ")", 2);
        c->enumvals = ev.data;
    } else if (pop(p, "(")) {
        p->i++;
        len = take_int(p);
        if (accept_op(p, ","))
            dec = take_int(p);
        if (!accept_op(p, ")"))
            return free(w), perr(p);
    }
    if (p->failed)
        return free(w), -1;
    if (len >= 0 && dec >= 0)
        snprintf(args, sizeof args, "(%ld,%ld)", len, dec);
    else if (len >= 0)
        snprintf(args, sizeof args, "(%ld)", len);
    /* normalise names as MySQL does */
    const char *name = w;
    if (!strcmp(w, "integer"))
        name = "int";
    else if (!strcmp(w, "bool") || !strcmp(w, "boolean")) {
        name = "tinyint";
        snprintf(args, sizeof args, "(1)");
        len = 1;
    } else if (!strcmp(w, "numeric") || !strcmp(w, "dec") || !strcmp(w, "fixed"))
        name = "decimal";
    else if (!strcmp(w, "real"))
        name = "double";
    else if (!strcmp(w, "character"))
        name = "char";
    else if (!strcmp(w, "long") && pk(p, "VARCHAR")) {
        p->i++;
        name = "mediumtext";
    }
    bool is_unsigned = false, zerofill = false;
    for (;;) {
        if (accept(p, "UNSIGNED"))
            is_unsigned = true;
        else if (accept(p, "SIGNED"))
            ;
        else if (accept(p, "ZEROFILL")) {
            zerofill = true;
            is_unsigned = true;
        } else if (pk(p, "PRECISION") && !strcmp(name, "double"))
            p->i++;
        else
            break;
    }
    c->is_unsigned = is_unsigned;
    c->zerofill = zerofill;
    c->decimals = 0;
    uint32_t mb = 4;
    static const struct {
        const char *n;
        int cls;
        uint8_t mt;
        uint32_t slen, ulen;
    } k_types[] = {
        {"tinyint", HSQL_CLS_INT, HSQL_TYPE_TINY, 4, 3},
        {"smallint", HSQL_CLS_INT, HSQL_TYPE_SHORT, 6, 5},
        {"mediumint", HSQL_CLS_INT, HSQL_TYPE_INT24, 9, 8},
        {"int", HSQL_CLS_INT, HSQL_TYPE_LONG, 11, 10},
        {"bigint", HSQL_CLS_INT, HSQL_TYPE_LONGLONG, 20, 20},
        {"float", HSQL_CLS_REAL, HSQL_TYPE_FLOAT, 12, 12},
        {"double", HSQL_CLS_REAL, HSQL_TYPE_DOUBLE, 22, 22},
        {"decimal", HSQL_CLS_DECIMAL, HSQL_TYPE_NEWDECIMAL, 11, 10},
        {"bit", HSQL_CLS_BIT, HSQL_TYPE_BIT, 1, 1},
        {"char", HSQL_CLS_TEXT, HSQL_TYPE_STRING, 1, 1},
        {"varchar", HSQL_CLS_TEXT, HSQL_TYPE_VAR_STRING, 0, 0},
        {"binary", HSQL_CLS_BLOB, HSQL_TYPE_STRING, 1, 1},
        {"varbinary", HSQL_CLS_BLOB, HSQL_TYPE_VAR_STRING, 0, 0},
        {"tinytext", HSQL_CLS_TEXT, HSQL_TYPE_BLOB, 255, 255},
        {"text", HSQL_CLS_TEXT, HSQL_TYPE_BLOB, 65535, 65535},
        {"mediumtext", HSQL_CLS_TEXT, HSQL_TYPE_BLOB, 16777215, 16777215},
        {"longtext", HSQL_CLS_TEXT, HSQL_TYPE_BLOB, 4294967295u, 4294967295u},
        {"tinyblob", HSQL_CLS_BLOB, HSQL_TYPE_BLOB, 255, 255},
        {"blob", HSQL_CLS_BLOB, HSQL_TYPE_BLOB, 65535, 65535},
        {"mediumblob", HSQL_CLS_BLOB, HSQL_TYPE_BLOB, 16777215, 16777215},
        {"longblob", HSQL_CLS_BLOB, HSQL_TYPE_BLOB, 4294967295u, 4294967295u},
        {"date", HSQL_CLS_DATE, HSQL_TYPE_DATE, 10, 10},
        {"datetime", HSQL_CLS_DATETIME, HSQL_TYPE_DATETIME, 19, 19},
        {"timestamp", HSQL_CLS_DATETIME, HSQL_TYPE_TIMESTAMP, 19, 19},
        {"time", HSQL_CLS_TIME, HSQL_TYPE_TIME, 10, 10},
        {"year", HSQL_CLS_YEAR, HSQL_TYPE_YEAR, 4, 4},
        {"enum", HSQL_CLS_ENUM, HSQL_TYPE_STRING, 0, 0},
        {"set", HSQL_CLS_ENUM, HSQL_TYPE_STRING, 0, 0},
        {"json", HSQL_CLS_TEXT, HSQL_TYPE_JSON, 4294967295u, 4294967295u},
    };
    int found = -1;
    for (size_t k = 0; k < BASE_ARRAY_LEN(k_types); k++)
        if (!strcmp(k_types[k].n, name))
            found = (int)k;
    if (found < 0) {
        hsql_err(p->err, 1064, "42000",
                 "You have an error in your SQL syntax; check the manual that corresponds to your "
                 "MySQL server version for the right syntax to use near '%s' at line 1", w);
        p->failed = 1;
        free(w);
        return -1;
    }
    c->cls = k_types[found].cls;
    c->mtype = k_types[found].mt;
    uint32_t dl = is_unsigned ? k_types[found].ulen : k_types[found].slen;
    if (!strcmp(name, "decimal")) {
        long m = len >= 0 ? len : 10, d = dec >= 0 ? dec : 0;
        if (len < 0)
            snprintf(args, sizeof args, "(10,0)");
        else if (dec < 0)
            snprintf(args, sizeof args, "(%ld,0)", len);
        dl = (uint32_t)(m + (d > 0 ? 1 : 0) + (is_unsigned ? 0 : 1));
        c->decimals = (uint8_t)d;
        c->maxlen = (uint32_t)m; /* digits: hsql_cv clamps to them */
    } else if (c->cls == HSQL_CLS_REAL) {
        c->decimals = dec >= 0 ? (uint8_t)dec : 31;
        if (len >= 0)
            dl = (uint32_t)len;
    } else if (c->cls == HSQL_CLS_INT || c->cls == HSQL_CLS_BIT || c->cls == HSQL_CLS_YEAR) {
        if (len >= 0)
            dl = (uint32_t)len;
    } else if (!strcmp(name, "char") || !strcmp(name, "varchar") || !strcmp(name, "binary") ||
               !strcmp(name, "varbinary")) {
        if (len < 0) {
            if (!strcmp(name, "varchar") || !strcmp(name, "varbinary")) {
                free(w);
                return perr(p);
            }
            len = 1;
            snprintf(args, sizeof args, "(1)");
        }
        c->maxlen = (uint32_t)len;
        dl = (uint32_t)len * (c->cls == HSQL_CLS_TEXT ? mb : 1);
    } else if (c->cls == HSQL_CLS_TEXT || c->cls == HSQL_CLS_BLOB) {
        c->maxlen = k_types[found].slen;
        if (c->cls == HSQL_CLS_TEXT && c->mtype != HSQL_TYPE_JSON) {
            uint64_t x = (uint64_t)dl * mb;
            dl = x > 4294967295u ? 4294967295u : (uint32_t)x;
        }
        if (c->mtype == HSQL_TYPE_JSON)
            c->maxlen = 0;
        if (len >= 0)
            args[0] = 0; /* text(N): MySQL picks the type; keep it simple */
    } else if (c->cls == HSQL_CLS_DATETIME || c->cls == HSQL_CLS_TIME) {
        if (len > 0)
            dl += (uint32_t)len + 1;
    } else if (c->cls == HSQL_CLS_ENUM) {
        /* longest value */
        uint32_t mx = 1, cur = 0;
        bool inq = false;
        for (const char *q = c->enumvals; q && *q; q++) {
            if (*q == '\'') {
                if (inq && q[1] == '\'') {
                    cur++;
                    q++;
                    continue;
                }
                inq = !inq;
                if (!inq) {
                    if (cur > mx)
                        mx = cur;
                    cur = 0;
                }
            } else if (inq)
                cur++;
        }
        dl = mx * mb;
        c->maxlen = 0;
    }
    c->length = dl;
    char type[700];
    snprintf(type, sizeof type, "%s%s%s%s%s", name, c->enumvals ? c->enumvals : args,
             is_unsigned ? " unsigned" : "", zerofill ? " zerofill" : "", "");
    free(c->type);
    c->type = base_xstrdup(type);
    free(w);
    return 0;
}

int hsql_p_parse_default(pctx_t *p, hsql_column_t *c)
{
    free(c->deflt);
    c->deflt = NULL;
    c->def_null = c->def_expr = false;
    bool neg = false;
    if (accept_op(p, "-"))
        neg = true;
    else
        accept_op(p, "+");
    if (p->i >= p->e)
        return perr(p);
    const hsql_tok_t *t = &p->t[p->i];
    if (t->type == HSQL_TK_STR) {
        c->deflt = take_str(p);
        return 0;
    }
    if (t->type == HSQL_TK_INT || t->type == HSQL_TK_DEC) {
        char b[80];
        snprintf(b, sizeof b, "%s%.*s", neg ? "-" : "", (int)t->len, p->src + t->off);
        c->deflt = base_xstrdup(b);
        p->i++;
        return 0;
    }
    if (t->type == HSQL_TK_BITS || t->type == HSQL_TK_HEX) {
        c->deflt = base_xmalloc(t->len + 1);
        memcpy(c->deflt, p->src + t->off, t->len);
        c->deflt[t->len] = 0;
        c->def_expr = true;
        p->i++;
        return 0;
    }
    if (accept(p, "NULL")) {
        c->def_null = true;
        return 0;
    }
    if (accept(p, "TRUE")) {
        c->deflt = base_xstrdup("1");
        return 0;
    }
    if (accept(p, "FALSE")) {
        c->deflt = base_xstrdup("0");
        return 0;
    }
    if (pk(p, "CURRENT_TIMESTAMP") || pk(p, "NOW") || pk(p, "LOCALTIMESTAMP") ||
        pk(p, "LOCALTIME")) {
        p->i++;
        if (pop(p, "("))
            skip_group(p);
        c->deflt = base_xstrdup("CURRENT_TIMESTAMP");
        c->def_expr = true;
        return 0;
    }
    if (pop(p, "(")) {
        size_t st = p->t[p->i].off;
        skip_group(p);
        if (p->failed)
            return -1;
        size_t en = p->t[p->i - 1].off + 1;
        if (memchr(p->src + st, 0, en - st))
            return perr(p); /* kept as text: no NUL inside */
        c->deflt = base_xmalloc(en - st + 1);
        memcpy(c->deflt, p->src + st, en - st);
        c->deflt[en - st] = 0;
        c->def_expr = true;
        return 0;
    }
    return perr(p);
}

void hsql_p_add_index(hsql_table_t *tb, hsql_index_t *ix)
{
    tb->idx = base_xrealloc(tb->idx, sizeof(hsql_index_t) * (size_t)(tb->nidx + 1));
    if (ix->kind == HSQL_IDX_PRIMARY) {
        /* primary key first, as MySQL lists it */
        memmove(tb->idx + 1, tb->idx, sizeof(hsql_index_t) * (size_t)tb->nidx);
        tb->idx[0] = *ix;
    } else {
        tb->idx[tb->nidx] = *ix;
    }
    tb->nidx++;
}

bool hsql_p_idx_name_used(const hsql_table_t *tb, const char *n)
{
    for (int i = 0; i < tb->nidx; i++)
        if (!strcasecmp(tb->idx[i].name, n))
            return true;
    return false;
}

/* (col[(len)] [ASC|DESC], ...) */
static int parse_key_cols(pctx_t *p, hsql_index_t *ix)
{
    if (!accept_op(p, "("))
        return perr(p);
    for (;;) {
        char *c = hsql_p_take_ident(p);
        if (!c)
            return -1;
        int sub = 0;
        if (accept_op(p, "(")) {
            sub = (int)take_int(p);
            if (!accept_op(p, ")"))
                return free(c), perr(p);
        }
        (void)(accept(p, "ASC") || accept(p, "DESC"));
        ix->cols = base_xrealloc(ix->cols, sizeof(char *) * (size_t)(ix->ncols + 1));
        ix->sub = base_xrealloc(ix->sub, sizeof(int) * (size_t)(ix->ncols + 1));
        ix->cols[ix->ncols] = c;
        ix->sub[ix->ncols] = sub;
        ix->ncols++;
        if (accept_op(p, ","))
            continue;
        if (accept_op(p, ")"))
            break;
        return perr(p);
    }
    /* index options */
    for (;;) {
        if (accept(p, "USING")) {
            p->i++;
        } else if (accept(p, "COMMENT")) {
            p->i++;
        } else if (accept(p, "KEY_BLOCK_SIZE")) {
            accept_op(p, "=");
            p->i++;
        } else if (accept(p, "VISIBLE") || accept(p, "INVISIBLE")) {
        } else if (accept(p, "WITH") && accept(p, "PARSER")) {
            p->i++;
        } else
            break;
    }
    return p->failed ? -1 : 0;
}

static int parse_key_inner(pctx_t *p, hsql_table_t *tb, hsql_index_t *out);

/* Parses a key definition at p (after ADD, or in the CREATE list). kind set from keywords.
 * On failure out holds nothing to free. */
int hsql_p_parse_key(pctx_t *p, hsql_table_t *tb, hsql_index_t *out)
{
    int r = parse_key_inner(p, tb, out);
    if (r < 0) {
        hsql_idx_fini(out);
        memset(out, 0, sizeof *out);
    }
    return r;
}

static int parse_key_inner(pctx_t *p, hsql_table_t *tb, hsql_index_t *out)
{
    memset(out, 0, sizeof *out);
    char *cname = NULL;
    if (accept(p, "CONSTRAINT")) {
        if (!pk(p, "PRIMARY") && !pk(p, "UNIQUE") && !pk(p, "FOREIGN") && !pk(p, "CHECK"))
            cname = hsql_p_take_ident(p);
    }
    if (accept(p, "PRIMARY")) {
        if (!accept(p, "KEY"))
            return free(cname), perr(p);
        out->kind = HSQL_IDX_PRIMARY;
        out->name = base_xstrdup("PRIMARY");
        if (!pop(p, "(") && p->i < p->e && is_identt(&p->t[p->i]) && !pk(p, "USING"))
            p->i++;
        if (accept(p, "USING"))
            p->i++;
        free(cname);
        return parse_key_cols(p, out);
    }
    if (accept(p, "UNIQUE"))
        out->kind = HSQL_IDX_UNIQUE;
    else if (accept(p, "FULLTEXT") || accept(p, "SPATIAL"))
        out->kind = HSQL_IDX_FULLTEXT;
    else
        out->kind = HSQL_IDX_KEY;
    if (!accept(p, "KEY"))
        accept(p, "INDEX");
    char *name = NULL;
    if (!pop(p, "(") && !pk(p, "USING"))
        name = hsql_p_take_ident(p);
    if (accept(p, "USING"))
        p->i++;
    if (!name)
        name = cname;
    else
        free(cname);
    if (parse_key_cols(p, out) < 0) {
        free(name);
        out->name = NULL;
        return -1;
    }
    if (!name) {
        /* MySQL names an unnamed key after its first column (_2, _3 on clashes) */
        char b[200];
        snprintf(b, sizeof b, "%s", out->cols[0]);
        for (int k = 2; tb && hsql_p_idx_name_used(tb, b); k++)
            snprintf(b, sizeof b, "%s_%d", out->cols[0], k);
        name = base_xstrdup(b);
    }
    out->name = name;
    return 0;
}

/* Column definition (name already consumed into c->name). Inline keys are added to tb. */
int hsql_p_parse_coldef(pctx_t *p, hsql_table_t *tb, hsql_column_t *c)
{
    if (parse_type(p, c) < 0)
        return -1;
    bool inline_pk = false, inline_uk = false;
    while (p->i < p->e && !pop(p, ",") && !pop(p, ")") && !pk(p, "FIRST") && !pk(p, "AFTER") &&
           !p->failed) {
        if (accept(p, "NOT")) {
            if (!accept(p, "NULL"))
                return perr(p);
            c->notnull = true;
        } else if (accept(p, "NULL")) {
            c->notnull = false;
        } else if (accept(p, "DEFAULT")) {
            if (hsql_p_parse_default(p, c) < 0)
                return -1;
        } else if (accept(p, "AUTO_INCREMENT")) {
            c->autoinc = true;
        } else if (accept(p, "ON")) {
            if (!accept(p, "UPDATE"))
                return perr(p);
            p->i++;
            if (pop(p, "("))
                skip_group(p);
            c->on_update_now = true;
        } else if (accept(p, "PRIMARY")) {
            accept(p, "KEY");
            inline_pk = true;
        } else if (accept(p, "KEY")) {
            inline_pk = true;
        } else if (accept(p, "UNIQUE")) {
            accept(p, "KEY");
            inline_uk = true;
        } else if (accept(p, "COMMENT")) {
            free(c->comment);
            c->comment = take_str(p);
        } else if (accept(p, "COLLATE")) {
            accept_op(p, "=");
            free(c->collation);
            c->collation = hsql_p_take_word_lower(p);
        } else if (accept(p, "CHARACTER") || accept(p, "CHARSET")) {
            accept(p, "SET");
            accept_op(p, "=");
            char *cs = hsql_p_take_word_lower(p);
            if (cs && !c->collation)
                c->collation = base_xstrdup(hsql_charset_default_coll(cs));
            free(cs);
        } else if (accept(p, "BINARY")) {
            if (c->cls == HSQL_CLS_TEXT) {
                free(c->collation);
                c->collation = base_xstrdup("utf8mb4_bin");
            }
        } else if (accept(p, "COLUMN_FORMAT") || accept(p, "STORAGE")) {
            p->i++;
        } else if (accept(p, "VISIBLE") || accept(p, "INVISIBLE")) {
        } else if (accept(p, "CHECK")) {
            if (pop(p, "("))
                skip_group(p);
        } else if (accept(p, "REFERENCES")) {
            hsql_p_take_table_name(p);
            if (pop(p, "("))
                skip_group(p);
            while (accept(p, "ON") || accept(p, "MATCH")) {
                p->i++;
                if (pk(p, "NULL") || pk(p, "ACTION") || pk(p, "DEFAULT"))
                    p->i++;
            }
        } else if (accept(p, "GENERATED") || accept(p, "AS")) {
            accept(p, "ALWAYS");
            accept(p, "AS");
            if (pop(p, "("))
                skip_group(p);
            (void)(accept(p, "VIRTUAL") || accept(p, "STORED"));
        } else if (accept(p, "SRID")) {
            p->i++;
        } else {
            return perr(p);
        }
    }
    if (p->failed)
        return -1;
    if (inline_pk) {
        hsql_index_t ix = {0};
        ix.kind = HSQL_IDX_PRIMARY;
        ix.name = base_xstrdup("PRIMARY");
        ix.ncols = 1;
        ix.cols = base_xcalloc(2, sizeof(char *));
        ix.sub = base_xcalloc(2, sizeof(int));
        ix.cols[0] = base_xstrdup(c->name);
        hsql_p_add_index(tb, &ix);
        c->notnull = true;
    }
    if (inline_uk) {
        hsql_index_t ix = {0};
        ix.kind = HSQL_IDX_UNIQUE;
        char b[200];
        snprintf(b, sizeof b, "%s", c->name);
        for (int k = 2; hsql_p_idx_name_used(tb, b); k++)
            snprintf(b, sizeof b, "%s_%d", c->name, k);
        ix.name = base_xstrdup(b);
        ix.ncols = 1;
        ix.cols = base_xcalloc(2, sizeof(char *));
        ix.sub = base_xcalloc(2, sizeof(int));
        ix.cols[0] = base_xstrdup(c->name);
        hsql_p_add_index(tb, &ix);
    }
    if (c->cls == HSQL_CLS_DATETIME && c->mtype == HSQL_TYPE_TIMESTAMP && !c->notnull) {
        /* nothing: explicit_defaults_for_timestamp=ON, as MySQL 8 */
    }
    return 0;
}

bool hsql_p_is_key_start(pctx_t *p)
{
    return pk(p, "PRIMARY") || pk(p, "UNIQUE") || pk(p, "KEY") || pk(p, "INDEX") ||
           pk(p, "FULLTEXT") || pk(p, "SPATIAL") || pk(p, "CONSTRAINT") || pk(p, "FOREIGN") ||
           pk(p, "CHECK");
}

void hsql_p_finish_table(hsql_table_t *tb)
{
    if (!tb->collation)
        tb->collation = base_xstrdup(tb->charset ? hsql_charset_default_coll(tb->charset)
                                                  : "utf8mb4_0900_ai_ci");
    if (!tb->charset) {
        char cs[64];
        hsql_coll_charset(tb->collation, cs, sizeof cs);
        tb->charset = base_xstrdup(cs);
    }
    if (!tb->engine)
        tb->engine = base_xstrdup("InnoDB");
    static const char *const engines[] = {"InnoDB", "MyISAM", "MEMORY", "CSV", "ARCHIVE", "Aria"};
    for (size_t i = 0; i < BASE_ARRAY_LEN(engines); i++)
        if (!strcasecmp(tb->engine, engines[i])) {
            free(tb->engine);
            tb->engine = base_xstrdup(engines[i]);
        }
    tb->autoinc_col = -1;
    for (int i = 0; i < tb->ncols; i++) {
        hsql_column_t *c = &tb->cols[i];
        if (c->cls == HSQL_CLS_TEXT || c->cls == HSQL_CLS_ENUM) {
            if (!c->collation)
                c->collation = base_xstrdup(tb->collation);
        } else {
            free(c->collation);
            c->collation = NULL;
        }
        if (c->autoinc) {
            tb->autoinc_col = i;
            c->notnull = true;
        }
    }
    for (int k = 0; k < tb->nidx; k++)
        if (tb->idx[k].kind == HSQL_IDX_PRIMARY)
            for (int j = 0; j < tb->idx[k].ncols; j++) {
                int c = hsql_col_find(tb, tb->idx[k].cols[j]);
                if (c >= 0)
                    tb->cols[c].notnull = true;
            }
}

int hsql_p_parse_table_options(pctx_t *p, hsql_table_t *tb)
{
    while (p->i < p->e && !p->failed) {
        if (accept_op(p, ","))
            continue;
        accept(p, "DEFAULT");
        if (accept(p, "ENGINE") || accept(p, "TYPE")) {
            accept_op(p, "=");
            free(tb->engine);
            tb->engine = hsql_p_take_ident(p);
        } else if (accept(p, "CHARSET") || accept(p, "CHARACTER")) {
            accept(p, "SET");
            accept_op(p, "=");
            char *cs = hsql_p_take_word_lower(p);
            if (!cs)
                return -1;
            free(tb->charset);
            tb->charset = cs;
            if (!tb->collation)
                tb->collation = base_xstrdup(hsql_charset_default_coll(cs));
            else {
                char cur[64];
                hsql_coll_charset(tb->collation, cur, sizeof cur);
                if (strcasecmp(cur, cs)) {
                    free(tb->collation);
                    tb->collation = base_xstrdup(hsql_charset_default_coll(cs));
                }
            }
        } else if (accept(p, "COLLATE")) {
            accept_op(p, "=");
            free(tb->collation);
            tb->collation = hsql_p_take_word_lower(p);
        } else if (accept(p, "COMMENT")) {
            accept_op(p, "=");
            free(tb->comment);
            tb->comment = take_str(p);
        } else if (accept(p, "AUTO_INCREMENT")) {
            accept_op(p, "=");
            if (p->i < p->e && p->t[p->i].type == HSQL_TK_INT)
                tb->ai_start = (uint64_t)hsql_tok_i64(p->src, &p->t[p->i], NULL);
            p->i++;
        } else if (p->i < p->e && (is_identt(&p->t[p->i]))) {
            /* ROW_FORMAT=x, KEY_BLOCK_SIZE=n, PACK_KEYS, ... : accepted and ignored */
            p->i++;
            if (accept_op(p, "="))
                p->i++;
            else if (p->i < p->e && !is_identt(&p->t[p->i]) && !pop(p, ","))
                p->i++;
        } else {
            return perr(p);
        }
    }
    return p->failed ? -1 : 0;
}

/* CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (defs) options */
hsql_table_t *hsql_ddl_parse_create(const char *src, const hsql_tok_t *t, int b, int e,
                                    const char *db, bool *if_not_exists, hsql_error_t *err)
{
    pctx_t P = {src, t, b, e, err, 0, db}, *p = &P;
    if (!accept(p, "CREATE")) {
        perr(p);
        return NULL;
    }
    bool temporary = accept(p, "TEMPORARY");
    if (!accept(p, "TABLE")) {
        perr(p);
        return NULL;
    }
    if (accept(p, "IF")) {
        if (!accept(p, "NOT") || !accept(p, "EXISTS")) {
            perr(p);
            return NULL;
        }
        if (if_not_exists)
            *if_not_exists = true;
    }
    hsql_table_t *tb = base_xcalloc(1, sizeof *tb);
    tb->autoinc_col = -1;
    tb->temp = temporary;
    tb->name = hsql_p_take_table_name(p);
    if (!tb->name)
        goto fail;
    if (!accept_op(p, "(")) {
        perr(p);
        goto fail;
    }
    for (;;) {
        if (hsql_p_is_key_start(p)) {
            if (pk(p, "FOREIGN") || pk(p, "CHECK") ||
                (pk(p, "CONSTRAINT") && (pk2(p, 1, "FOREIGN") || pk2(p, 1, "CHECK") ||
                                         pk2(p, 2, "FOREIGN") || pk2(p, 2, "CHECK")))) {
                /* foreign keys and checks: accepted, not enforced */
                int d = 0;
                while (p->i < p->e) {
                    if (pop(p, "("))
                        d++;
                    else if (pop(p, ")")) {
                        if (d == 0)
                            break;
                        d--;
                    } else if (pop(p, ",") && d == 0)
                        break;
                    p->i++;
                }
            } else {
                hsql_index_t ix;
                if (hsql_p_parse_key(p, tb, &ix) < 0)
                    goto fail;
                if (ix.kind == HSQL_IDX_PRIMARY && hsql_p_idx_name_used(tb, "PRIMARY")) {
                    hsql_idx_fini(&ix);
                    hsql_err(err, 1068, "42000", "Multiple primary key defined");
                    goto fail;
                }
                hsql_p_add_index(tb, &ix);
            }
        } else {
            hsql_column_t c = {0};
            c.name = hsql_p_take_ident(p);
            if (!c.name)
                goto fail;
            if (hsql_col_find(tb, c.name) >= 0) {
                hsql_err(err, 1060, "42S21", "Duplicate column name '%s'", c.name);
                hsql_col_fini(&c);
                goto fail;
            }
            tb->cols = base_xrealloc(tb->cols, sizeof(hsql_column_t) * (size_t)(tb->ncols + 1));
            tb->cols[tb->ncols] = c;
            tb->ncols++;
            if (hsql_p_parse_coldef(p, tb, &tb->cols[tb->ncols - 1]) < 0)
                goto fail;
        }
        if (accept_op(p, ","))
            continue;
        if (accept_op(p, ")"))
            break;
        perr(p);
        goto fail;
    }
    if (hsql_p_parse_table_options(p, tb) < 0)
        goto fail;
    hsql_p_finish_table(tb);
    for (int k = 0; k < tb->nidx; k++)
        for (int j = 0; j < tb->idx[k].ncols; j++)
            if (hsql_col_find(tb, tb->idx[k].cols[j]) < 0) {
                hsql_err(err, 1072, "42000", "Key column '%s' doesn't exist in table",
                         tb->idx[k].cols[j]);
                goto fail;
            }
    if (tb->autoinc_col >= 0) {
        bool keyed = false;
        for (int k = 0; k < tb->nidx; k++)
            if (tb->idx[k].ncols && !strcasecmp(tb->idx[k].cols[0], tb->cols[tb->autoinc_col].name))
                keyed = true;
        if (!keyed) {
            hsql_err(err, 1075, "42000",
                     "Incorrect table definition; there can be only one auto column and it must "
                     "be defined as a key");
            goto fail;
        }
    }
    return tb;
fail:
    hsql_table_free(tb);
    return NULL;
}


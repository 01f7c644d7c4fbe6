/* sql_translate.c — MySQL→SQLite translation of DML (SELECT, INSERT, REPLACE, UPDATE,
 * DELETE), SQL side of HarvSQL. Works on the token stream of sql_lexer.c, one statement at a
 * time, and rewrites what SQLite spells differently: backticks, backslash-escaped strings,
 * LIMIT a,b, SQL_CALC_FOUND_ROWS, ON DUPLICATE KEY UPDATE → ON CONFLICT, VALUES(col),
 * INSERT IGNORE, functions (NOW, DATE_ADD ... INTERVAL, CONCAT, IF, CAST ...), operators
 * (||, &&, <=>), text-vs-number comparisons, multi-table DELETE/UPDATE (into a SELECT of
 * rowids plus per-table statements) and expression column names (kept as MySQL names them:
 * the original text). Literals outside the select list become ?N parameters so that one
 * translation and one prepared sqlite3_stmt serve every query of the same shape.
 * This file: parameter marking, table scope and the expression emitter; the statements
 * (INSERT, UPDATE, DELETE) and hsql_translate() are in sql_translate_dml.c. */
#include "sql_translate_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int hsql_x_fail_syntax(xctx_t *x, int i)
{
    if (!x->failed) {
        size_t off = i < x->e ? T(x, i)->off : T(x, x->e)->off;
        hsql_err_syntax(x->err, x->src, T(x, x->e)->off, off);
    }
    x->failed = 1;
    return -1;
}

bool hsql_name_eq(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

/* Matching close paren for the "(" at i, or e if unbalanced. */
int hsql_x_match_paren(xctx_t *x, int i)
{
    int d = 0;
    for (int k = i; k < x->e; k++) {
        if (OP(x, k, "("))
            d++;
        else if (OP(x, k, ")")) {
            if (--d == 0)
                return k;
        }
    }
    return x->e;
}

bool hsql_x_is_ident(const hsql_tok_t *t) { return t->type == HSQL_TK_WORD || t->type == HSQL_TK_QIDENT; }

/* Copies the identifier name of token i into buf. */
void hsql_x_tok_name(xctx_t *x, int i, char *buf, size_t cap)
{
    const hsql_tok_t *t = T(x, i);
    if (t->len + 1 > cap) {
        buf[0] = 0;
        return;
    }
    hsql_ident_decode(x->src, t, buf);
}

void hsql_x_out_qident(xctx_t *x, const char *name)
{
    out_s(x, "\"");
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            out_s(x, "\"");
        out_n(x, p, 1);
    }
    out_s(x, "\"");
}

void hsql_x_out_ident_tok(xctx_t *x, int i)
{
    char buf[512];
    if (T(x, i)->type == HSQL_TK_WORD && T(x, i)->len < 64) {
        out_raw(x, i);
        return;
    }
    hsql_x_tok_name(x, i, buf, sizeof buf);
    hsql_x_out_qident(x, buf);
}

void hsql_x_out_strlit(xctx_t *x, const char *p, size_t n)
{
    if (memchr(p, 0, n)) {
        /* '\0' in a MySQL string: SQLite's parser stops at a NUL byte, a blob literal does not */
        static const char hex[] = "0123456789ABCDEF";
        out_s(x, "CAST(X'");
        for (size_t k = 0; k < n; k++) {
            char h[2] = {hex[(unsigned char)p[k] >> 4], hex[p[k] & 15]};
            out_n(x, h, 2);
        }
        out_s(x, "' AS TEXT)");
        return;
    }
    out_s(x, "'");
    for (size_t k = 0; k < n; k++) {
        if (p[k] == '\'')
            out_s(x, "'");
        out_n(x, p + k, 1);
    }
    out_s(x, "'");
}

/* ---- parameter marking ------------------------------------------------------------------- */
static const char *const k_type_words[] = {"DECIMAL", "CHAR", "VARCHAR", "BINARY", "NUMERIC",
                                           "DOUBLE", "FLOAT", "NCHAR", "DATETIME", "TIME", "DEC",
                                           "VARBINARY", "SIGNED", "UNSIGNED", "INT", "INTEGER"};

int hsql_mark_params(const char *src, const hsql_tok_t *t, int b, int e, uint8_t *flags, int *ord)
{
    int depth = 0, n = 0;
    uint8_t sel[MAXD] = {0}, by[MAXD] = {0}, nop[MAXD] = {0};
    bool pending_nop = false;
    for (int i = b; i < e; i++) {
        const hsql_tok_t *k = &t[i];
        int d = depth < MAXD ? depth : MAXD - 1;
        flags[i] = 0;
        ord[i] = 0;
        switch (k->type) {
        case HSQL_TK_WORD:
            if (hsql_tok_is(src, k, "SELECT")) {
                sel[d] = 1;
                by[d] = 0;
            } else if (hsql_tok_is(src, k, "FROM") || hsql_tok_is(src, k, "WHERE") ||
                       hsql_tok_is(src, k, "INTO") || hsql_tok_is(src, k, "UNION")) {
                sel[d] = 0;
                by[d] = 0;
            } else if (hsql_tok_is(src, k, "BY")) {
                by[d] = 1;
            } else if (hsql_tok_is(src, k, "LIMIT") || hsql_tok_is(src, k, "HAVING")) {
                by[d] = 0;
                sel[d] = 0;
            } else if (i + 1 < e && hsql_tok_op(src, &t[i + 1], "(")) {
                for (size_t w = 0; w < BASE_ARRAY_LEN(k_type_words); w++)
                    if (hsql_tok_is(src, k, k_type_words[w]) && i > b &&
                        !hsql_tok_op(src, &t[i - 1], ",") && !hsql_tok_op(src, &t[i - 1], "("))
                        pending_nop = true;
            }
            break;
        case HSQL_TK_OP:
            if (k->len == 1 && src[k->off] == '(') {
                depth++;
                d = depth < MAXD ? depth : MAXD - 1;
                sel[d] = by[d] = 0;
                nop[d] = pending_nop;
                pending_nop = false;
            } else if (k->len == 1 && src[k->off] == ')') {
                if (depth > 0)
                    depth--;
            }
            break;
        case HSQL_TK_STR:
        case HSQL_TK_INT:
        case HSQL_TK_DEC:
        case HSQL_TK_HEX: {
            bool no = false;
            for (int q = 0; q <= d; q++)
                if (sel[q] || nop[q])
                    no = true;
            if (k->type == HSQL_TK_INT && by[d])
                no = true;
            /* an alias given as a string: AS 'name' */
            if (i > b && hsql_tok_is(src, &t[i - 1], "AS"))
                no = true;
            if (!no) {
                flags[i] = 1;
                ord[i] = ++n;
            }
            break;
        }
        case HSQL_TK_PARAM:
            flags[i] = 1;
            ord[i] = ++n;
            break;
        default: break;
        }
    }
    return n;
}

bool hsql_is_dml(const char *src, const hsql_tok_t *t, int b, int e)
{
    if (b >= e)
        return false;
    const hsql_tok_t *k = &t[b];
    if (k->type == HSQL_TK_OP && hsql_tok_op(src, k, "("))
        return true;
    return hsql_tok_is(src, k, "SELECT") || hsql_tok_is(src, k, "INSERT") ||
           hsql_tok_is(src, k, "REPLACE") || hsql_tok_is(src, k, "UPDATE") ||
           hsql_tok_is(src, k, "DELETE") || hsql_tok_is(src, k, "WITH");
}

/* ---- scope: tables named in the statement ------------------------------------------------ */
bool hsql_x_is_clause_word(xctx_t *x, int i)
{
    static const char *const w[] = {"WHERE", "ON", "USING", "JOIN", "INNER", "LEFT", "RIGHT",
                                    "CROSS", "NATURAL", "STRAIGHT_JOIN", "SET", "GROUP", "ORDER",
                                    "LIMIT", "HAVING", "UNION", "FOR", "LOCK", "VALUES", "VALUE",
                                    "SELECT", "USE", "FORCE", "IGNORE", "OUTER", "WINDOW",
                                    "PARTITION", "INTO", "FROM", "AS", "DUPLICATE", "ON"};
    if (T(x, i)->type != HSQL_TK_WORD)
        return false;
    for (size_t k = 0; k < BASE_ARRAY_LEN(w); k++)
        if (KW(x, i, w[k]))
            return true;
    return false;
}

/* Reads a table reference at i: [db.]name [[AS] alias]. Returns the index after it. */
static int scope_ref(xctx_t *x, int i)
{
    if (!hsql_x_is_ident(T(x, i)))
        return i;
    char db[128] = "", name[128];
    hsql_x_tok_name(x, i, name, sizeof name);
    int j = i + 1;
    if (OP(x, j, ".") && hsql_x_is_ident(T(x, j + 1))) {
        snprintf(db, sizeof db, "%s", name);
        hsql_x_tok_name(x, j + 1, name, sizeof name);
        j += 2;
    }
    char alias[128];
    snprintf(alias, sizeof alias, "%s", name);
    if (KW(x, j, "AS") && hsql_x_is_ident(T(x, j + 1))) {
        hsql_x_tok_name(x, j + 1, alias, sizeof alias);
        j += 2;
    } else if (hsql_x_is_ident(T(x, j)) && !hsql_x_is_clause_word(x, j)) {
        hsql_x_tok_name(x, j, alias, sizeof alias);
        j++;
    }
    if (x->nscope < 16) {
        xscope_t *sc = &x->scope[x->nscope++];
        snprintf(sc->name, sizeof sc->name, "%s", name);
        snprintf(sc->alias, sizeof sc->alias, "%s", alias);
        sc->tb = NULL;
        if (x->s->db && (!db[0] || (x->s->dbname && hsql_name_eq(db, x->s->dbname)))) {
            sc->tb = hsql_table_find(x->s, name);
        } else if (db[0] && !hsql_name_eq(db, "information_schema") &&
                   hsql_engine_db_exists(x->s->eng, db)) {
            hsql_db_t *d = hsql_db_get(x->s->eng, db);
            if (hsql_db_load_other(x->s->eng, d, NULL) == 0)
                sc->tb = hsql_table_get(d, name);
        }
    }
    return j;
}

void hsql_x_build_scope(xctx_t *x)
{
    int depth = 0, from_depth = -1;
    for (int i = x->b; i < x->e; i++) {
        if (OP(x, i, "(")) {
            depth++;
            continue;
        }
        if (OP(x, i, ")")) {
            if (depth == from_depth)
                from_depth = -1;
            depth--;
            continue;
        }
        if (KW(x, i, "FROM") || KW(x, i, "JOIN") || KW(x, i, "INTO") || KW(x, i, "STRAIGHT_JOIN") ||
            (KW(x, i, "UPDATE") && (i == x->b || KW(x, i - 1, "LOW_PRIORITY") || KW(x, i - 1, "IGNORE")) ) ||
            (i == x->b + 1 && KW(x, x->b, "UPDATE")) ) {
            if (KW(x, i, "FROM"))
                from_depth = depth;
            int j = KW(x, i, "UPDATE") ? i + 1 : i + 1;
            if (i == x->b + 1 && KW(x, x->b, "UPDATE"))
                j = i;
            while (KW(x, j, "LOW_PRIORITY") || KW(x, j, "IGNORE"))
                j++;
            int k = scope_ref(x, j);
            if (k > j)
                i = k - 1;
            continue;
        }
        if (OP(x, i, ",") && depth == from_depth) {
            int k = scope_ref(x, i + 1);
            if (k > i + 1)
                i = k - 1;
            continue;
        }
        if (depth == from_depth && (KW(x, i, "WHERE") || KW(x, i, "GROUP") || KW(x, i, "ORDER") ||
                                    KW(x, i, "LIMIT") || KW(x, i, "HAVING") || KW(x, i, "ON") ||
                                    KW(x, i, "USING")))
            from_depth = -1;
    }
}

static hsql_column_t *resolve_col(xctx_t *x, const char *qual, const char *name)
{
    for (int k = 0; k < x->nscope; k++) {
        xscope_t *sc = &x->scope[k];
        if (!sc->tb)
            continue;
        if (qual && !hsql_name_eq(qual, sc->alias) && !hsql_name_eq(qual, sc->name))
            continue;
        int c = hsql_col_find(sc->tb, name);
        if (c >= 0)
            return &sc->tb->cols[c];
    }
    return NULL;
}

/* ---- expression emitter ------------------------------------------------------------------ */
int hsql_x_emit(xctx_t *x, int i, int end);

typedef struct fmap {
    const char *my, *lite;
} fmap_t;

static const fmap_t k_funcs[] = {
    {"NOW", "hsql_now"}, {"SYSDATE", "hsql_now"}, {"LOCALTIME", "hsql_now"},
    {"LOCALTIMESTAMP", "hsql_now"}, {"CURRENT_TIMESTAMP", "hsql_now"},
    {"CURDATE", "hsql_curdate"}, {"CURRENT_DATE", "hsql_curdate"}, {"CURTIME", "hsql_curtime"},
    {"CURRENT_TIME", "hsql_curtime"}, {"UTC_TIMESTAMP", "hsql_utc_timestamp"},
    {"UTC_DATE", "hsql_utc_date"}, {"UTC_TIME", "hsql_utc_time"},
    {"YEAR", "hsql_year"}, {"MONTH", "hsql_month"}, {"DAYOFMONTH", "hsql_dayofmonth"},
    {"DAY", "hsql_dayofmonth"}, {"HOUR", "hsql_hour"}, {"MINUTE", "hsql_minute"},
    {"SECOND", "hsql_second"}, {"WEEK", "hsql_week"}, {"DAYOFWEEK", "hsql_dayofweek"},
    {"WEEKDAY", "hsql_weekday"}, {"DAYOFYEAR", "hsql_dayofyear"}, {"QUARTER", "hsql_quarter"},
    {"DATE", "hsql_date"}, {"TIME", "hsql_time"}, {"TO_DAYS", "hsql_to_days"},
    {"DATEDIFF", "hsql_datediff"}, {"LAST_DAY", "hsql_last_day"}, {"DAYNAME", "hsql_dayname"},
    {"MONTHNAME", "hsql_monthname"},
    {"DATE_FORMAT", "hsql_date_format"}, {"UNIX_TIMESTAMP", "hsql_unix_timestamp"},
    {"FROM_UNIXTIME", "hsql_from_unixtime"}, {"CONCAT", "hsql_concat"},
    {"CONCAT_WS", "hsql_concat_ws"}, {"LEFT", "hsql_left"}, {"RIGHT", "hsql_right"},
    {"SUBSTRING", "hsql_substring"}, {"SUBSTR", "hsql_substring"}, {"MID", "hsql_substring"},
    {"SUBSTRING_INDEX", "hsql_substring_index"},
    {"CHAR_LENGTH", "hsql_char_length"}, {"CHARACTER_LENGTH", "hsql_char_length"},
    {"LENGTH", "hsql_octet_length"}, {"OCTET_LENGTH", "hsql_octet_length"},
    {"LOCATE", "hsql_locate"}, {"LCASE", "hsql_lower"}, {"LOWER", "hsql_lower"},
    {"UCASE", "hsql_upper"}, {"UPPER", "hsql_upper"}, {"REPEAT", "hsql_repeat"},
    {"REVERSE", "hsql_reverse"},
    {"LPAD", "hsql_lpad"}, {"RPAD", "hsql_rpad"}, {"SPACE", "hsql_space"},
    {"FIELD", "hsql_field"}, {"FIND_IN_SET", "hsql_find_in_set"}, {"IF", "iif"},
    {"GREATEST", "max"}, {"LEAST", "min"}, {"RAND", "hsql_rand"}, {"MD5", "hsql_md5"},
    {"SHA1", "hsql_sha1"}, {"SHA", "hsql_sha1"}, {"FOUND_ROWS", "hsql_found_rows"},
    {"LAST_INSERT_ID", "hsql_last_insert_id"}, {"ROW_COUNT", "hsql_row_count"},
    {"DATABASE", "hsql_database"}, {"SCHEMA", "hsql_database"}, {"VERSION", "hsql_version"},
    {"USER", "hsql_user"}, {"CURRENT_USER", "hsql_user"}, {"SESSION_USER", "hsql_user"},
    {"SYSTEM_USER", "hsql_user"}, {"CONNECTION_ID", "hsql_connection_id"},
    {"ISNULL", "hsql_isnull"}, {"STRCMP", "hsql_strcmp"}, {"TRUNCATE", "hsql_truncate"},
    {"REGEXP_LIKE", "hsql_regexp_like"}, {"UUID", "hsql_uuid"}, {"FORMAT", "hsql_format"},
    {"POW", "pow"}, {"POWER", "pow"}, {"CEILING", "ceil"}, {"MOD", "mod"},
    {"ROUND", "hsql_round"}, {"FLOOR", "hsql_floor"}, {"CEIL", "hsql_ceil"},
    {"UNHEX", "hsql_unhex"}, {"HEX", "hsql_hex"}, {"ASCII", "hsql_ascii"}, {"ORD", "hsql_ascii"},
    {"SLEEP", "hsql_sleep"}, {"GET_LOCK", "hsql_get_lock"}, {"RELEASE_LOCK", "hsql_release_lock"},
    {"IS_FREE_LOCK", "hsql_get_lock"}, {"INET_ATON", "hsql_inet_aton"},
    {"TIMESTAMP", "hsql_datetime"}, {"STR_TO_DATE", "hsql_str_to_date"},
    {"CHAR", "hsql_char"}, {"BIT_LENGTH", "hsql_bit_length"}, {"BENCHMARK", "hsql_benchmark"},
};

static const char *func_map(xctx_t *x, int i)
{
    const hsql_tok_t *t = T(x, i);
    if (t->type != HSQL_TK_WORD || t->len > 24)
        return NULL;
    for (size_t k = 0; k < BASE_ARRAY_LEN(k_funcs); k++)
        if (KW(x, i, k_funcs[k].my))
            return k_funcs[k].lite;
    return NULL;
}

static bool is_cmp_op(xctx_t *x, int i)
{
    const hsql_tok_t *t = T(x, i);
    if (t->type != HSQL_TK_OP)
        return false;
    return OP(x, i, "=") || OP(x, i, "<") || OP(x, i, ">") || OP(x, i, "<=") || OP(x, i, ">=") ||
           OP(x, i, "<>") || OP(x, i, "!=");
}

/* The operand left of the REGEXP at i is binary: CAST(... AS BINARY) or BINARY a[.b]. */
static bool re_left_binary(xctx_t *x, int i)
{
    int k = i - 1;
    if (k <= x->b)
        return false;
    if (OP(x, k, ")")) {
        int d = 0, a = k;
        for (; a > x->b; a--) {
            if (OP(x, a, ")"))
                d++;
            else if (OP(x, a, "(") && --d == 0)
                break;
        }
        return a > x->b && k - 2 >= x->b && KW(x, a - 1, "CAST") && KW(x, k - 1, "BINARY") &&
               KW(x, k - 2, "AS");
    }
    while (k - 2 > x->b && OP(x, k - 1, "."))
        k -= 2;
    return k > x->b && KW(x, k - 1, "BINARY");
}

static bool is_num_tok(xctx_t *x, int i)
{
    return T(x, i)->type == HSQL_TK_INT || T(x, i)->type == HSQL_TK_DEC;
}

static bool starts_predicate(xctx_t *x, int i);
int hsql_x_chain_end(xctx_t *x, int i);

/* A comparison operand that starts at k: in a predicate, or an item of the select list (not
 * the col = value of SET or ON DUPLICATE KEY UPDATE). */
static bool cmp_operand_at(xctx_t *x, int k)
{
    return starts_predicate(x, k) ||
           (x->top_select && k > x->b && (KW(x, k - 1, "SELECT") || OP(x, k - 1, ",")));
}

static bool numeric_col(xctx_t *x, int a, int z)
{
    char q[128] = "", name[128];
    if (z - a == 1) {
        hsql_x_tok_name(x, a, name, sizeof name);
    } else if (z - a == 3 && OP(x, a + 1, ".")) {
        hsql_x_tok_name(x, a, q, sizeof q);
        hsql_x_tok_name(x, a + 2, name, sizeof name);
    } else {
        return false;
    }
    hsql_column_t *c = resolve_col(x, q[0] ? q : NULL, name);
    return c && (c->cls == HSQL_CLS_INT || c->cls == HSQL_CLS_REAL || c->cls == HSQL_CLS_DECIMAL);
}

/* The string literal at i is compared with a number literal or a numeric column. (A text
 * column compared with a number is needs_numwrap's case.) */
static bool str_vs_number(xctx_t *x, int i)
{
    int op = i - 1;
    /* an element of a literal list: x [NOT] IN ('1', '2x') compares x with each */
    while (op - 1 >= x->b && OP(x, op, ",") &&
           (T(x, op - 1)->type == HSQL_TK_STR || is_num_tok(x, op - 1)))
        op -= 2;
    bool in_list = op - 1 >= x->b && OP(x, op, "(") && KW(x, op - 1, "IN");
    if (in_list)
        op -= op - 2 >= x->b && KW(x, op - 2, "NOT") ? 2 : 1;
    else
        op = i - 1;
    if (op - 1 >= x->b && (in_list || is_cmp_op(x, op))) {
        int k = op - 1, a = k;
        if (hsql_x_is_ident(T(x, k)))
            while (a - 2 >= x->b && OP(x, a - 1, ".") && hsql_x_is_ident(T(x, a - 2)))
                a -= 2;
        if (a - 1 >= x->b && (OP(x, a - 1, "-") || OP(x, a - 1, "+")))
            a--;
        if (cmp_operand_at(x, a) &&
            (is_num_tok(x, k) || (hsql_x_is_ident(T(x, k)) && numeric_col(x, a, k + 1))))
            return true;
    }
    if (is_cmp_op(x, i + 1) && cmp_operand_at(x, i)) {
        int k = i + 2;
        if (OP(x, k, "-") || OP(x, k, "+"))
            k++;
        if (is_num_tok(x, k))
            return true;
        if (hsql_x_is_ident(T(x, k)) && !OP(x, k + 1, "("))
            return numeric_col(x, k, hsql_x_chain_end(x, k));
    }
    return false;
}

static void emit_param(xctx_t *x, int i)
{
    char b[16];
    int n = x->ord[i];
    snprintf(b, sizeof b, "?%d", n);
    out_s(x, b);
    if (n > x->xl->nparams)
        x->xl->nparams = n;
}

/* One literal/operator/identifier token without context. */
void hsql_x_emit_tok(xctx_t *x, int i)
{
    const hsql_tok_t *t = T(x, i);
    out_s(x, " ");
    switch (t->type) {
    case HSQL_TK_WORD:
        if (KW(x, i, "TRUE"))
            out_s(x, "1");
        else if (KW(x, i, "FALSE"))
            out_s(x, "0");
        else
            out_raw(x, i);
        return;
    case HSQL_TK_QIDENT: hsql_x_out_ident_tok(x, i); return;
    case HSQL_TK_STR:
        if (str_vs_number(x, i)) {
            /* MySQL compares a string with a number as numbers: '3abc' = 3, 'abc' = 0 */
            out_s(x, "(");
            if (x->flags[i]) {
                emit_param(x, i);
            } else {
                char *tmp = base_xmalloc(t->len + 1);
                hsql_x_out_strlit(x, tmp, hsql_str_decode(x->src, t, tmp));
                free(tmp);
            }
            out_s(x, "+0)");
        } else if (x->flags[i]) {
            emit_param(x, i);
        } else {
            char *tmp = base_xmalloc(t->len + 1);
            size_t n = hsql_str_decode(x->src, t, tmp);
            hsql_x_out_strlit(x, tmp, n);
            free(tmp);
            /* a literal compared with something compares under the connection's _ci
             * collation, as MySQL does for two literals; not when the other side is BINARY
             * (SQLite takes the left operand's explicit collation, MySQL the binary one) */
            if ((is_cmp_op(x, i + 1) && !(KW(x, i + 2, "BINARY") && !OP(x, i + 3, "("))) ||
                (i > x->b && is_cmp_op(x, i - 1)))
                out_s(x, " COLLATE HCI");
        }
        return;
    case HSQL_TK_INT:
    case HSQL_TK_DEC:
        if (x->flags[i])
            emit_param(x, i);
        else
            out_raw(x, i);
        return;
    case HSQL_TK_HEX:
        if (x->flags[i]) {
            emit_param(x, i);
        } else {
            const char *p = x->src + t->off;
            size_t n = t->len;
            if (p[0] == '0') {
                p += 2;
                n -= 2;
            } else {
                p += 2;
                n -= 3;
            }
            out_s(x, "CAST(X'");
            if (n % 2)
                out_s(x, "0");
            out_n(x, p, n);
            out_s(x, "' AS TEXT)");
        }
        return;
    case HSQL_TK_BITS: {
        const char *p = x->src + t->off;
        size_t n = t->len, st = 2;
        if (p[0] != '0') {
            st = 2;
            n--;
        }
        uint64_t v = 0;
        for (size_t k = st; k < n; k++)
            v = v * 2 + (uint64_t)(p[k] - '0');
        char b[32];
        snprintf(b, sizeof b, "%llu", (unsigned long long)v);
        out_s(x, b);
        return;
    }
    case HSQL_TK_PARAM: emit_param(x, i); return;
    case HSQL_TK_UVAR: {
        char name[256];
        const char *p = x->src + t->off + 1;
        size_t n = t->len - 1;
        if (n >= sizeof name)
            n = sizeof name - 1;
        size_t o = 0;
        for (size_t k = 0; k < n; k++)
            if (p[k] != '`' && p[k] != '\'' && p[k] != '"')
                name[o++] = (char)tolower((unsigned char)p[k]);
        name[o] = 0;
        out_s(x, "hsql_uvar(");
        hsql_x_out_strlit(x, name, o);
        out_s(x, ")");
        return;
    }
    case HSQL_TK_SYSVAR: {
        const char *p = x->src + t->off + 2;
        size_t n = t->len - 2;
        bool global = false;
        if (n > 7 && strncasecmp(p, "global.", 7) == 0) {
            p += 7;
            n -= 7;
            global = true;
        } else if (n > 8 && strncasecmp(p, "session.", 8) == 0) {
            p += 8;
            n -= 8;
        } else if (n > 6 && strncasecmp(p, "local.", 6) == 0) {
            p += 6;
            n -= 6;
        }
        char name[128];
        if (n >= sizeof name)
            n = sizeof name - 1;
        for (size_t k = 0; k < n; k++)
            name[k] = (char)tolower((unsigned char)p[k]);
        name[n] = 0;
        if (!hsql_var_get(x->s, name, global)) {
            if (!x->failed)
                hsql_err(x->err, 1193, "HY000", "Unknown system variable '%s'", name);
            x->failed = 1;
            return;
        }
        out_s(x, global ? "hsql_gvar(" : "hsql_sysvar(");
        hsql_x_out_strlit(x, name, n);
        out_s(x, ")");
        return;
    }
    case HSQL_TK_OP:
        if (OP(x, i, "||"))
            out_s(x, "OR");
        else if (OP(x, i, "&&"))
            out_s(x, "AND");
        else if (OP(x, i, "<=>"))
            out_s(x, "IS");
        else if (OP(x, i, "!"))
            out_s(x, "NOT");
        else if (OP(x, i, ":="))
            out_s(x, "=");
        else if (OP(x, i, "/"))
            out_s(x, "* 1.0 /"); /* MySQL's / never divides integers */
        else {
            if (OP(x, i, "("))
                x->depth++;
            else if (OP(x, i, ")"))
                x->depth--;
            out_raw(x, i);
        }
        return;
    default: out_raw(x, i); return;
    }
}

/* Splits the arguments of the call whose "(" is at i: fills starts/ends; returns count. */
int hsql_x_split_args(xctx_t *x, int open, int close, int *st, int *en, int max)
{
    int n = 0, d = 0, a = open + 1;
    if (a == close)
        return 0;
    for (int k = open + 1; k <= close; k++) {
        if (OP(x, k, "(")) {
            d++;
            continue;
        }
        if (OP(x, k, ")") && k != close) {
            d--;
            continue;
        }
        if ((OP(x, k, ",") && d == 0) || k == close) {
            if (n < max) {
                st[n] = a;
                en[n] = k;
                n++;
            }
            a = k + 1;
        }
    }
    return n;
}

static void emit_unit(xctx_t *x, int i)
{
    char u[64];
    hsql_x_tok_name(x, i, u, sizeof u);
    for (char *p = u; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    out_s(x, ", '");
    out_s(x, u);
    out_s(x, "'");
}

/* The precision m of DECIMAL(m[,d]) in the type tokens [ty,tz): 10 when not given. */
static int cast_precision(xctx_t *x, int ty, int tz)
{
    if (ty + 3 < tz && OP(x, ty + 1, "(") && T(x, ty + 2)->type == HSQL_TK_INT) {
        int64_t m = hsql_tok_i64(x->src, T(x, ty + 2), NULL);
        return m < 1 ? 1 : m > 65 ? 65 : (int)m;
    }
    return 10;
}

/* The scale d of DECIMAL(m,d) in the type tokens [ty,tz): 0 when not given. */
static int cast_decimals(xctx_t *x, int ty, int tz)
{
    if (ty + 5 < tz && OP(x, ty + 1, "(") && OP(x, ty + 3, ",") &&
        T(x, ty + 4)->type == HSQL_TK_INT) {
        int64_t d = hsql_tok_i64(x->src, T(x, ty + 4), NULL);
        return d < 0 ? 0 : d > 30 ? 30 : (int)d;
    }
    return 0;
}

/* CAST(expr AS type) / CONVERT(expr, type): emits the SQLite form of casting [a,z) to the
 * type tokens [ty,tz). */
static void emit_cast(xctx_t *x, int a, int z, int ty, int tz)
{
    if (ty >= tz) {
        hsql_x_emit(x, a, z);
        return;
    }
    if (KW(x, ty, "SIGNED") || KW(x, ty, "UNSIGNED") || KW(x, ty, "INT") || KW(x, ty, "INTEGER") ||
        KW(x, ty, "BIGINT")) {
        out_s(x, " hsql_cast_int((");
        hsql_x_emit(x, a, z);
        out_s(x, "))");
    } else if (KW(x, ty, "BINARY") || KW(x, ty, "VARBINARY")) {
        out_s(x, " (CAST((");
        hsql_x_emit(x, a, z);
        out_s(x, ") AS TEXT) COLLATE BINARY)");
    } else if (KW(x, ty, "CHAR") || KW(x, ty, "NCHAR") || KW(x, ty, "VARCHAR") ||
               KW(x, ty, "TEXT")) {
        out_s(x, " CAST((");
        hsql_x_emit(x, a, z);
        out_s(x, ") AS TEXT)");
    } else if (KW(x, ty, "DECIMAL") || KW(x, ty, "DEC") || KW(x, ty, "NUMERIC")) {
        /* DECIMAL(m,d) rounds to d places and clamps to m digits, DECIMAL alone is
         * DECIMAL(10,0): CAST('1.4' AS DECIMAL) > 1 is false in MySQL (WordPress's meta query
         * type DECIMAL) */
        out_s(x, " hsql_decimal((");
        hsql_x_emit(x, a, z);
        char dd[32];
        snprintf(dd, sizeof dd, "), %d, %d)", cast_precision(x, ty, tz), cast_decimals(x, ty, tz));
        out_s(x, dd);
    } else if (KW(x, ty, "DOUBLE") || KW(x, ty, "FLOAT") || KW(x, ty, "REAL")) {
        out_s(x, " CAST((");
        hsql_x_emit(x, a, z);
        out_s(x, ") AS REAL)");
    } else if (KW(x, ty, "DATE")) {
        out_s(x, " hsql_date(");
        hsql_x_emit(x, a, z);
        out_s(x, ")");
    } else if (KW(x, ty, "DATETIME")) {
        out_s(x, " hsql_datetime(");
        hsql_x_emit(x, a, z);
        out_s(x, ")");
    } else if (KW(x, ty, "TIME")) {
        out_s(x, " hsql_time(");
        hsql_x_emit(x, a, z);
        out_s(x, ")");
    } else {
        out_s(x, " (");
        hsql_x_emit(x, a, z);
        out_s(x, ")");
    }
}

/* Function call at i (name) with "(" at i+1. Returns the index after ")". */
static int emit_call(xctx_t *x, int i)
{
    int open = i + 1, close = hsql_x_match_paren(x, open);
    if (close >= x->e)
        return hsql_x_fail_syntax(x, open), x->e;
    int st[128], en[128];
    if (KW(x, i, "CAST")) {
        int as = -1, d = 0;
        for (int k = open + 1; k < close; k++) {
            if (OP(x, k, "("))
                d++;
            else if (OP(x, k, ")"))
                d--;
            else if (d == 0 && KW(x, k, "AS")) {
                as = k;
                break;
            }
        }
        if (as < 0)
            return hsql_x_fail_syntax(x, close), x->e;
        emit_cast(x, open + 1, as, as + 1, close);
        return close + 1;
    }
    if (KW(x, i, "CONVERT")) {
        int n = hsql_x_split_args(x, open, close, st, en, 2);
        if (n == 2) {
            emit_cast(x, st[0], en[0], st[1], en[1]);
            return close + 1;
        }
        int d = 0;
        for (int k = open + 1; k < close; k++) {
            if (OP(x, k, "("))
                d++;
            else if (OP(x, k, ")"))
                d--;
            else if (d == 0 && KW(x, k, "USING")) {
                out_s(x, " (");
                hsql_x_emit(x, open + 1, k);
                out_s(x, ")");
                return close + 1;
            }
        }
        return hsql_x_fail_syntax(x, close), x->e;
    }
    if (KW(x, i, "DATE_ADD") || KW(x, i, "DATE_SUB") || KW(x, i, "ADDDATE") ||
        KW(x, i, "SUBDATE")) {
        bool sub = KW(x, i, "DATE_SUB") || KW(x, i, "SUBDATE");
        int n = hsql_x_split_args(x, open, close, st, en, 2);
        if (n != 2)
            return hsql_x_fail_syntax(x, close), x->e;
        out_s(x, sub ? " hsql_date_sub(" : " hsql_date_add(");
        hsql_x_emit(x, st[0], en[0]);
        out_s(x, ",");
        if (KW(x, st[1], "INTERVAL") && en[1] - st[1] >= 3) {
            hsql_x_emit(x, st[1] + 1, en[1] - 1);
            emit_unit(x, en[1] - 1);
        } else {
            hsql_x_emit(x, st[1], en[1]);
            out_s(x, ", 'DAY'");
        }
        out_s(x, ")");
        return close + 1;
    }
    if (KW(x, i, "TIMESTAMPDIFF") || KW(x, i, "TIMESTAMPADD")) {
        int n = hsql_x_split_args(x, open, close, st, en, 3);
        if (n != 3)
            return hsql_x_fail_syntax(x, close), x->e;
        out_s(x, KW(x, i, "TIMESTAMPDIFF") ? " hsql_timestampdiff(" : " hsql_timestampadd(");
        char u[64];
        hsql_x_tok_name(x, st[0], u, sizeof u);
        hsql_x_out_strlit(x, u, strlen(u));
        out_s(x, ",");
        hsql_x_emit(x, st[1], en[1]);
        out_s(x, ",");
        hsql_x_emit(x, st[2], en[2]);
        out_s(x, ")");
        return close + 1;
    }
    if (KW(x, i, "EXTRACT")) {
        if (close - open < 4 || !KW(x, open + 2, "FROM"))
            return hsql_x_fail_syntax(x, open), x->e;
        out_s(x, " hsql_extract(");
        char u[64];
        hsql_x_tok_name(x, open + 1, u, sizeof u);
        hsql_x_out_strlit(x, u, strlen(u));
        out_s(x, ",");
        hsql_x_emit(x, open + 3, close);
        out_s(x, ")");
        return close + 1;
    }
    if (KW(x, i, "POSITION")) {
        int d = 0;
        for (int k = open + 1; k < close; k++) {
            if (OP(x, k, "("))
                d++;
            else if (OP(x, k, ")"))
                d--;
            else if (d == 0 && KW(x, k, "IN")) {
                out_s(x, " instr(");
                hsql_x_emit(x, k + 1, close);
                out_s(x, ",");
                hsql_x_emit(x, open + 1, k);
                out_s(x, ")");
                return close + 1;
            }
        }
    }
    if (KW(x, i, "TRIM")) {
        int a = open + 1;
        const char *fn = "trim";
        if (KW(x, a, "BOTH"))
            a++;
        else if (KW(x, a, "LEADING")) {
            fn = "ltrim";
            a++;
        } else if (KW(x, a, "TRAILING")) {
            fn = "rtrim";
            a++;
        }
        int from = -1, d = 0;
        for (int k = a; k < close; k++) {
            if (OP(x, k, "("))
                d++;
            else if (OP(x, k, ")"))
                d--;
            else if (d == 0 && KW(x, k, "FROM")) {
                from = k;
                break;
            }
        }
        out_s(x, " ");
        out_s(x, fn);
        out_s(x, "(");
        if (from >= 0) {
            hsql_x_emit(x, from + 1, close);
            if (from > a) {
                out_s(x, ",");
                hsql_x_emit(x, a, from);
            }
        } else {
            hsql_x_emit(x, a, close);
        }
        out_s(x, ")");
        return close + 1;
    }
    if (KW(x, i, "SUBSTRING") || KW(x, i, "SUBSTR") || KW(x, i, "MID")) {
        out_s(x, " hsql_substring(");
        int d = 0;
        for (int k = open + 1; k < close;) {
            if (d == 0 && (KW(x, k, "FROM") || KW(x, k, "FOR"))) {
                out_s(x, ",");
                k++;
                continue;
            }
            if (OP(x, k, "("))
                d++;
            else if (OP(x, k, ")"))
                d--;
            int nk = hsql_x_emit(x, k, k + 1);
            k = nk > k ? nk : k + 1;
        }
        out_s(x, ")");
        return close + 1;
    }
    if (KW(x, i, "GROUP_CONCAT")) {
        int a = open + 1, sep = -1, ob = -1, d = 0;
        bool distinct = false;
        if (KW(x, a, "DISTINCT")) {
            distinct = true;
            a++;
        }
        for (int k = a; k < close; k++) {
            if (OP(x, k, "("))
                d++;
            else if (OP(x, k, ")"))
                d--;
            else if (d == 0 && KW(x, k, "SEPARATOR"))
                sep = k;
            else if (d == 0 && KW(x, k, "ORDER") && ob < 0)
                ob = k;
        }
        int z = ob >= 0 ? ob : (sep >= 0 ? sep : close);
        int na = hsql_x_split_args(x, a - 1, z, st, en, 2);
        bool multi = na > 1;
        if (ob >= 0 && KW(x, ob + 1, "BY")) {
            /* ORDER BY inside: hsql_group_concat_ord(distinct, sep, value, key, desc, ...) */
            out_s(x, distinct ? " hsql_group_concat_ord(1," : " hsql_group_concat_ord(0,");
            if (sep >= 0)
                hsql_x_emit(x, sep + 1, close);
            else
                out_s(x, " ','");
            out_s(x, multi ? ", hsql_concat(" : ",");
            hsql_x_emit(x, a, z);
            if (multi)
                out_s(x, ")");
            int kst[8], ken[8];
            int nk = hsql_x_split_args(x, ob + 1, sep >= 0 ? sep : close, kst, ken, 8);
            for (int k = 0; k < nk; k++) {
                int e = ken[k];
                bool desc = KW(x, e - 1, "DESC");
                if (desc || KW(x, e - 1, "ASC"))
                    e--;
                out_s(x, ",");
                hsql_x_emit(x, kst[k], e);
                out_s(x, desc ? ", 1" : ", 0");
            }
            out_s(x, ")");
            return close + 1;
        }
        if (distinct && sep >= 0)
            out_s(x, " replace(group_concat(DISTINCT ");
        else
            out_s(x, distinct ? " group_concat(DISTINCT " : " group_concat(");
        if (multi) {
            out_s(x, "hsql_concat(");
            hsql_x_emit(x, a, z);
            out_s(x, ")");
        } else {
            hsql_x_emit(x, a, z);
        }
        if (sep >= 0 && !distinct) {
            out_s(x, ",");
            hsql_x_emit(x, sep + 1, close);
        }
        out_s(x, ")");
        if (distinct && sep >= 0) {
            out_s(x, ", ',', ");
            hsql_x_emit(x, sep + 1, close);
            out_s(x, ")");
        }
        return close + 1;
    }
    if (KW(x, i, "VALUES") && x->odku && close == open + 2 && hsql_x_is_ident(T(x, open + 1))) {
        out_s(x, " excluded.");
        hsql_x_out_ident_tok(x, open + 1);
        return close + 1;
    }
    if (KW(x, i, "COUNT") && KW(x, open + 1, "DISTINCT")) {
        int n = hsql_x_split_args(x, open + 1, close, st, en, 8);
        (void)n;
        int d = 0, commas = 0;
        for (int k = open + 2; k < close; k++) {
            if (OP(x, k, "("))
                d++;
            else if (OP(x, k, ")"))
                d--;
            else if (d == 0 && OP(x, k, ","))
                commas++;
        }
        if (commas) {
            out_s(x, " count(DISTINCT hsql_concat_ws(char(1),");
            hsql_x_emit(x, open + 2, close);
            out_s(x, "))");
            return close + 1;
        }
    }
    const char *m = func_map(x, i);
    out_s(x, " ");
    if (m)
        out_s(x, m);
    else
        out_raw(x, i);
    out_s(x, "(");
    hsql_x_emit(x, open + 1, close);
    out_s(x, ")");
    return close + 1;
}

/* Identifier chain at i (a, a.b, a.b.c, a.*). Returns the index after it. */
int hsql_x_chain_end(xctx_t *x, int i)
{
    int j = i + 1;
    while (OP(x, j, ".") && (hsql_x_is_ident(T(x, j + 1)) || OP(x, j + 1, "*")))
        j += 2;
    return j;
}

static int emit_chain(xctx_t *x, int i)
{
    int j = hsql_x_chain_end(x, i);
    int n = (j - i + 1) / 2; /* parts */
    char p0[128];
    hsql_x_tok_name(x, i, p0, sizeof p0);
    if (x->tblctx) {
        x->tblctx = false;
        if (n == 1 && !x->s->db && !hsql_name_eq(p0, "DUAL")) {
            if (!x->failed)
                hsql_err(x->err, 1046, "3D000", "No database selected");
            x->failed = 1;
            return j;
        }
        if (n == 2) {
            char p1[128];
            hsql_x_tok_name(x, i + 2, p1, sizeof p1);
            if (hsql_name_eq(p0, "information_schema")) {
                for (char *p = p1; *p; p++)
                    *p = (char)tolower((unsigned char)*p);
                x->xl->infoschema = true; /* the engine refreshes the temp tables per run */
                out_s(x, " temp.\"is_");
                out_s(x, p1);
                out_s(x, "\"");
                return j;
            }
            if (x->s->dbname && hsql_name_eq(p0, x->s->dbname)) {
                out_s(x, " ");
                hsql_x_out_ident_tok(x, i + 2);
                return j;
            }
            /* another database: attached to the session's connection under its name */
            if (!hsql_name_eq(p0, "temp") && hsql_attach(x->s, p0, x->err) < 0) {
                /* MySQL names the table, not the database, when the database is unknown */
                if (x->err && x->err->code == 1049)
                    hsql_err(x->err, 1146, "42S02", "Table '%s.%s' doesn't exist", p0, p1);
                x->failed = 1;
                return j;
            }
            out_s(x, " ");
            hsql_x_out_qident(x, p0);
            out_s(x, ".");
            hsql_x_out_ident_tok(x, i + 2);
            return j;
        }
    }
    int k = i;
    if (n == 3 && x->s->dbname && hsql_name_eq(p0, x->s->dbname))
        k = i + 2; /* db.table.column: drop the current db */
    out_s(x, " ");
    for (; k < j; k++) {
        if (OP(x, k, "."))
            out_s(x, ".");
        else if (OP(x, k, "*"))
            out_s(x, "*");
        else
            hsql_x_out_ident_tok(x, k);
    }
    return j;
}

static bool starts_predicate(xctx_t *x, int i)
{
    if (i <= x->b)
        return false;
    return KW(x, i - 1, "WHERE") || KW(x, i - 1, "AND") || KW(x, i - 1, "OR") ||
           KW(x, i - 1, "ON") || KW(x, i - 1, "HAVING") || OP(x, i - 1, "(") ||
           KW(x, i - 1, "NOT") || KW(x, i - 1, "WHEN") || OP(x, i - 1, "&&") ||
           OP(x, i - 1, "||");
}

/* A column compared with a number: MySQL compares text columns numerically then. */
/* 0: no; 1: a number literal (wrap as col+0); 2: a ? placeholder in a range comparison (wrap
 * when the bound value is a number, decided at run time). */
static int needs_numwrap(xctx_t *x, int i, int j)
{
    if (!starts_predicate(x, i) || !is_cmp_op(x, j))
        return 0;
    int v = j + 1;
    if (OP(x, v, "-") || OP(x, v, "+"))
        v++;
    int kind = 1;
    if (T(x, v)->type == HSQL_TK_PARAM && !OP(x, j, "=") && !OP(x, j, "<>") && !OP(x, j, "!="))
        kind = 2;
    else if (!is_num_tok(x, v))
        return 0;
    char q[128] = "", name[128];
    int n = (j - i + 1) / 2;
    if (n == 1) {
        hsql_x_tok_name(x, i, name, sizeof name);
    } else {
        hsql_x_tok_name(x, j - 3, q, sizeof q);
        hsql_x_tok_name(x, j - 1, name, sizeof name);
    }
    hsql_column_t *c = resolve_col(x, q[0] ? q : NULL, name);
    return c && (c->cls == HSQL_CLS_TEXT || c->cls == HSQL_CLS_ENUM) ? kind : 0;
}

static int emit_limit(xctx_t *x, int i, int end)
{
    int a = i + 1;
    int off = -1, cnt = -1, nxt;
    if (a < end && OP(x, a + 1, ",")) {
        off = a;
        cnt = a + 2;
        nxt = a + 3;
    } else if (a < end && KW(x, a + 1, "OFFSET")) {
        cnt = a;
        off = a + 2;
        nxt = a + 3;
    } else {
        cnt = a;
        nxt = a + 1;
    }
    if (cnt >= end || (T(x, cnt)->type != HSQL_TK_INT && T(x, cnt)->type != HSQL_TK_PARAM) ||
        (off >= 0 && (off >= end || (T(x, off)->type != HSQL_TK_INT &&
                                     T(x, off)->type != HSQL_TK_PARAM))))
        return hsql_x_fail_syntax(x, a), end;
    if (x->top_select && x->depth == 0 && x->xl->calc_found) {
        hsql_xl_t *xl = x->xl;
        if (x->flags[cnt])
            xl->lim_cnt_p = x->ord[cnt];
        else
            xl->lim_cnt = hsql_tok_i64(x->src, T(x, cnt), NULL);
        if (off >= 0) {
            if (x->flags[off])
                xl->lim_off_p = x->ord[off];
            else
                xl->lim_off = hsql_tok_i64(x->src, T(x, off), NULL);
        }
        if (x->flags[cnt] && x->ord[cnt] > xl->nparams)
            xl->nparams = x->ord[cnt];
        if (off >= 0 && x->flags[off] && x->ord[off] > xl->nparams)
            xl->nparams = x->ord[off];
        return nxt;
    }
    out_s(x, " LIMIT");
    hsql_x_emit_tok(x, cnt);
    if (off >= 0) {
        out_s(x, " OFFSET");
        hsql_x_emit_tok(x, off);
    }
    return nxt;
}

static bool is_item_end(xctx_t *x, int k)
{
    static const char *const w[] = {"FROM", "INTO", "WHERE", "GROUP", "HAVING", "ORDER",
                                    "LIMIT", "UNION", "FOR", "LOCK", "WINDOW"};
    if (T(x, k)->type != HSQL_TK_WORD)
        return false;
    for (size_t q = 0; q < BASE_ARRAY_LEN(w); q++)
        if (KW(x, k, w[q]))
            return true;
    return false;
}

static bool is_noalias_word(xctx_t *x, int k)
{
    static const char *const w[] = {"NULL", "TRUE", "FALSE", "UNKNOWN", "DESC", "ASC", "IS",
                                    "NOT", "AND", "OR", "LIKE", "IN", "BETWEEN", "THEN", "ELSE",
                                    "WHEN", "DISTINCT", "BINARY", "INTERVAL", "XOR", "DIV", "MOD",
                                    "REGEXP", "RLIKE", "CASE", "ESCAPE", "COLLATE"};
    for (size_t q = 0; q < BASE_ARRAY_LEN(w); q++)
        if (KW(x, k, w[q]))
            return true;
    return false;
}

static bool is_special_word(xctx_t *x, int k)
{
    static const char *const w[] = {"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME",
                                    "LOCALTIME", "LOCALTIMESTAMP", "UTC_TIMESTAMP", "UTC_DATE",
                                    "UTC_TIME", "CURRENT_USER", "TRUE", "FALSE", "NULL"};
    for (size_t q = 0; q < BASE_ARRAY_LEN(w); q++)
        if (KW(x, k, w[q]))
            return true;
    return false;
}

/* The MySQL type of a select-list expression [a,z), when it can be told from its form: what
 * MySQL reports for COUNT/SUM/AVG/MIN/MAX, integer functions, comparisons, literals,
 * divisions. Other expressions are typed from their first value at run time. */
static void add_hint(xctx_t *x, int a, int z, bool colref)
{
    hsql_xl_t *xl = x->xl;
    if (xl->nhints >= (int)BASE_ARRAY_LEN(xl->hints)) {
        x->hints_done = true;
        return;
    }
    hsql_hint_t *h = &xl->hints[xl->nhints++];
    memset(h, 0, sizeof *h);
    if (colref || z <= a)
        return;
    static const char *const int_fns[] = {
        "YEAR", "MONTH", "DAYOFMONTH", "DAY", "HOUR", "MINUTE", "SECOND", "WEEK", "DAYOFWEEK",
        "WEEKDAY", "DAYOFYEAR", "QUARTER", "FIELD", "LENGTH", "CHAR_LENGTH", "CHARACTER_LENGTH",
        "OCTET_LENGTH", "LOCATE", "INSTR", "FIND_IN_SET", "ASCII", "ORD", "STRCMP", "ISNULL"};
    bool neg = OP(x, a, "-") && z - a == 2;
    int v = neg ? a + 1 : a;
    if (z - v == 1 && KW(x, v, "NULL")) {
        h->type = HSQL_TYPE_NULL;
        return;
    }
    if (z - v == 1 && T(x, v)->type == HSQL_TK_INT) {
        bool ov;
        int64_t n = hsql_tok_i64(x->src, T(x, v), &ov);
        h->type = !ov && n <= 2147483647 ? HSQL_TYPE_LONG : HSQL_TYPE_LONGLONG;
        h->length = T(x, v)->len + (neg ? 1 : 0);
        return;
    }
    if (z - v == 1 && T(x, v)->type == HSQL_TK_DEC) {
        const char *p = x->src + T(x, v)->off;
        size_t n = T(x, v)->len, dot = n;
        for (size_t k = 0; k < n; k++)
            if (p[k] == '.')
                dot = k;
            else if (p[k] == 'e' || p[k] == 'E')
                return; /* 1e3 is a double */
        h->type = HSQL_TYPE_NEWDECIMAL;
        h->decimals = (uint8_t)(dot < n ? n - dot - 1 : 0);
        h->length = (uint32_t)n + (neg ? 1 : 0);
        return;
    }
    if (T(x, a)->type == HSQL_TK_WORD && OP(x, a + 1, "(") && hsql_x_match_paren(x, a + 1) == z - 1) {
        int arg = a + 2;
        bool argcol = hsql_x_is_ident(T(x, arg)) && hsql_x_chain_end(x, arg) == z - 1 && !OP(x, arg + 1, "(");
        hsql_column_t *col = NULL;
        if (argcol) {
            char q[128] = "", name[128];
            int ce = hsql_x_chain_end(x, arg);
            if (ce - arg == 1)
                hsql_x_tok_name(x, arg, name, sizeof name);
            else {
                hsql_x_tok_name(x, ce - 3, q, sizeof q);
                hsql_x_tok_name(x, ce - 1, name, sizeof name);
            }
            col = resolve_col(x, q[0] ? q : NULL, name);
        }
        if (KW(x, a, "ROUND") || KW(x, a, "TRUNCATE")) {
            /* of a DECIMAL (a literal with a point, or a DECIMAL column): DECIMAL with the
             * scale asked for (a literal), as MySQL types it */
            int r0 = OP(x, a + 2, "-") ? a + 3 : a + 2, c = r0 + 1;
            bool dec = T(x, r0)->type == HSQL_TK_DEC;
            if (!dec && hsql_x_is_ident(T(x, r0))) {
                c = hsql_x_chain_end(x, r0);
                char q[128] = "", name[128];
                if (c - r0 == 1) {
                    hsql_x_tok_name(x, r0, name, sizeof name);
                } else {
                    hsql_x_tok_name(x, c - 3, q, sizeof q);
                    hsql_x_tok_name(x, c - 1, name, sizeof name);
                }
                hsql_column_t *dc = OP(x, c, "(") ? NULL : resolve_col(x, q[0] ? q : NULL, name);
                dec = dc && dc->cls == HSQL_CLS_DECIMAL;
            }
            int64_t dd = -1;
            if (c == z - 1)
                dd = 0;
            else if (OP(x, c, ",") && T(x, c + 1)->type == HSQL_TK_INT && c + 2 == z - 1)
                dd = hsql_tok_i64(x->src, T(x, c + 1), NULL);
            else if (OP(x, c, ",") && OP(x, c + 1, "-") && T(x, c + 2)->type == HSQL_TK_INT &&
                     c + 3 == z - 1)
                dd = 0; /* ROUND(x, -2): hundreds, no decimals */
            if (dec && dd >= 0) {
                h->type = HSQL_TYPE_NEWDECIMAL;
                h->decimals = (uint8_t)(dd > 30 ? 30 : dd);
                h->length = 16;
            }
            return;
        }
        if (KW(x, a, "GROUP_CONCAT")) {
            /* group_concat_max_len (1024 in MySQL 8) is over 512: a TEXT result */
            h->type = HSQL_TYPE_BLOB;
            h->length = 4096;
            return;
        }
        if (KW(x, a, "COUNT")) {
            h->type = HSQL_TYPE_LONGLONG;
            h->length = 21;
            return;
        }
        if ((KW(x, a, "MIN") || KW(x, a, "MAX")) && col) {
            h->col = col;
            return;
        }
        if (KW(x, a, "SUM") || KW(x, a, "AVG")) {
            if (col && (col->cls == HSQL_CLS_REAL)) {
                h->type = HSQL_TYPE_DOUBLE;
                h->decimals = 31;
                h->length = 23;
                return;
            }
            h->type = HSQL_TYPE_NEWDECIMAL;
            h->decimals = (uint8_t)((col ? col->decimals : 0) + (KW(x, a, "AVG") ? 4 : 0));
            h->length = 33;
            return;
        }
        for (size_t k = 0; k < BASE_ARRAY_LEN(int_fns); k++)
            if (KW(x, a, int_fns[k])) {
                h->type = HSQL_TYPE_LONG;
                h->length = 11;
                return;
            }
        if (KW(x, a, "DATE_ADD") || KW(x, a, "DATE_SUB") || KW(x, a, "ADDDATE") ||
            KW(x, a, "SUBDATE")) {
            /* of a DATETIME column: DATETIME; of a DATE column: DATE for whole days, months,
             * years; of anything else (a string): a string */
            h->type = HSQL_TYPE_STRING;
            h->length = 80;
            if (hsql_x_is_ident(T(x, a + 2)) && !OP(x, a + 3, "(")) {
                int ce = hsql_x_chain_end(x, a + 2);
                char q[128] = "", name[128];
                if (ce - (a + 2) == 1) {
                    hsql_x_tok_name(x, a + 2, name, sizeof name);
                } else {
                    hsql_x_tok_name(x, ce - 3, q, sizeof q);
                    hsql_x_tok_name(x, ce - 1, name, sizeof name);
                }
                hsql_column_t *dc = resolve_col(x, q[0] ? q : NULL, name);
                bool days = false;
                for (int k = ce; k < z - 1; k++)
                    if (KW(x, k, "DAY") || KW(x, k, "WEEK") || KW(x, k, "MONTH") ||
                        KW(x, k, "QUARTER") || KW(x, k, "YEAR"))
                        days = true;
                if (dc && (dc->cls == HSQL_CLS_DATETIME || (dc->cls == HSQL_CLS_DATE && !days))) {
                    h->type = HSQL_TYPE_DATETIME;
                    h->length = 19;
                } else if (dc && dc->cls == HSQL_CLS_DATE) {
                    h->type = HSQL_TYPE_DATE;
                    h->length = 10;
                }
            }
            return;
        }
        if (KW(x, a, "DATE") || KW(x, a, "TIME") || KW(x, a, "FROM_UNIXTIME")) {
            int dd = 0, commas = 0;
            for (int k = a + 2; k < z - 1; k++) {
                if (OP(x, k, "("))
                    dd++;
                else if (OP(x, k, ")"))
                    dd--;
                else if (dd == 0 && OP(x, k, ","))
                    commas++;
            }
            if (!commas && KW(x, a, "FROM_UNIXTIME")) { /* with a format: a string */
                h->type = HSQL_TYPE_DATETIME;
                h->length = 19;
            } else if (!commas) {
                h->type = KW(x, a, "DATE") ? HSQL_TYPE_DATE : HSQL_TYPE_TIME;
                h->length = 10;
            }
            return;
        }
        if (KW(x, a, "COALESCE") || KW(x, a, "IFNULL")) {
            /* of small integer literals (and NULLs): INT */
            bool small = true;
            for (int k = a + 2; k < z - 1 && small; k++)
                if (!(OP(x, k, ",") || KW(x, k, "NULL") ||
                      (T(x, k)->type == HSQL_TK_INT && T(x, k)->len <= 9)))
                    small = false;
            if (small) {
                h->type = HSQL_TYPE_LONG;
                h->length = 11;
            }
            return;
        }
        if (KW(x, a, "CAST") || KW(x, a, "CONVERT")) {
            /* CAST(x AS UNSIGNED): BIGINT UNSIGNED; AS SIGNED of a literal: INT */
            int as = -1, dd = 0;
            for (int k = a + 2; k < z - 1; k++) {
                if (OP(x, k, "("))
                    dd++;
                else if (OP(x, k, ")"))
                    dd--;
                else if (dd == 0 && (KW(x, k, "AS") || (KW(x, a, "CONVERT") && OP(x, k, ","))))
                    as = k;
            }
            if (as > 0 && (KW(x, as + 1, "DECIMAL") || KW(x, as + 1, "DEC") ||
                           KW(x, as + 1, "NUMERIC"))) {
                h->type = HSQL_TYPE_NEWDECIMAL;
                h->decimals = (uint8_t)cast_decimals(x, as + 1, z - 1);
                h->length = 12;
            } else if (as > 0 && KW(x, as + 1, "DATE")) {
                h->type = HSQL_TYPE_DATE;
                h->length = 10;
            } else if (as > 0 && KW(x, as + 1, "DATETIME")) {
                h->type = HSQL_TYPE_DATETIME;
                h->length = 19;
            } else if (as > 0 && KW(x, as + 1, "UNSIGNED")) {
                h->type = HSQL_TYPE_LONGLONG;
                h->length = 20;
                h->is_unsigned = true;
            } else if (as > 0 && KW(x, as + 1, "SIGNED") && as - (a + 2) == 1 &&
                       T(x, a + 2)->type != HSQL_TK_WORD && T(x, a + 2)->type != HSQL_TK_QIDENT) {
                h->type = HSQL_TYPE_LONG;
                h->length = 11;
            }
            return;
        }
        return;
    }
    /* operators at the top level of the expression */
    int d = 0;
    bool div = false, cmp = false, arith = false, str = false, divint = false;
    for (int k = a; k < z; k++) {
        if (OP(x, k, "(") || KW(x, k, "CASE"))
            d++;
        else if (OP(x, k, ")") || KW(x, k, "END"))
            d--;
        else if (d == 0) {
            if (T(x, k)->type == HSQL_TK_STR)
                str = true;
            if (OP(x, k, "+") || OP(x, k, "-") || OP(x, k, "*") || OP(x, k, "/") || OP(x, k, "%") ||
                KW(x, k, "MOD"))
                arith = true;
            if (KW(x, k, "DIV") || KW(x, k, "INTERVAL"))
                divint = true; /* integer division, also of strings; date arithmetic */
            if (OP(x, k, "/"))
                div = true;
            else if (is_cmp_op(x, k) || OP(x, k, "<=>") || KW(x, k, "LIKE") || KW(x, k, "IN") ||
                     KW(x, k, "IS") || KW(x, k, "BETWEEN") || KW(x, k, "AND") || KW(x, k, "OR") ||
                     KW(x, k, "NOT") || KW(x, k, "REGEXP") || KW(x, k, "RLIKE") ||
                     KW(x, k, "XOR") || OP(x, k, "&&") || OP(x, k, "||") || OP(x, k, "!"))
                cmp = true;
        }
    }
    bool intlit = true;
    int digits = 0;
    for (int k = a; k < z && intlit; k++) {
        if (T(x, k)->type == HSQL_TK_INT)
            digits += (int)T(x, k)->len;
        else if (!(OP(x, k, "+") || OP(x, k, "-") || OP(x, k, "*") || OP(x, k, "(") || OP(x, k, ")")))
            intlit = false;
    }
    if (cmp) {
        h->type = HSQL_TYPE_LONG;
        h->length = 1;
    } else if (arith && str && !divint) {
        h->type = HSQL_TYPE_DOUBLE; /* a string in arithmetic is read as a double: '1' + 1 */
        h->decimals = 31;
        h->length = 23;
    } else if (intlit && !div && digits <= 9) {
        h->type = HSQL_TYPE_LONG; /* arithmetic on small integer literals */
        h->length = (uint32_t)digits + 2;
    } else if (div) {
        h->type = HSQL_TYPE_NEWDECIMAL;
        h->decimals = 4;
        h->length = 16;
    }
}

/* The select list starting at i (after SELECT and its modifiers) up to end. */
static int emit_select_list(xctx_t *x, int i, int end)
{
    int d = 0, a = i;
    bool first = true;
    for (int k = i; k <= end; k++) {
        bool stop = k == end;
        if (!stop) {
            if (OP(x, k, "("))
                d++;
            else if (OP(x, k, ")")) {
                if (d == 0)
                    stop = true;
                else
                    d--;
            } else if (d == 0 && (is_item_end(x, k) || T(x, k)->type == HSQL_TK_SEMI))
                stop = true;
        }
        if (!(stop || (d == 0 && OP(x, k, ","))))
            continue;
        int z = k;
        if (z > a) {
            if (!first)
                out_s(x, ",");
            first = false;
            /* does the item need an alias (an expression, named by its text)? */
            bool has_alias = false, colref = false;
            const hsql_tok_t *lt = T(x, z - 1);
            if (z - a >= 2 && (hsql_x_is_ident(lt) || lt->type == HSQL_TK_STR) &&
                !(lt->type == HSQL_TK_WORD && is_noalias_word(x, z - 1))) {
                if (KW(x, z - 2, "AS"))
                    has_alias = true;
                else if (!OP(x, z - 2, ".") &&
                         (OP(x, z - 2, ")") || hsql_x_is_ident(T(x, z - 2)) ||
                          T(x, z - 2)->type == HSQL_TK_STR || is_num_tok(x, z - 2) ||
                          OP(x, z - 2, "*")) &&
                         !(T(x, z - 2)->type == HSQL_TK_WORD && is_noalias_word(x, z - 2) &&
                           !KW(x, z - 2, "END")))
                    has_alias = true;
            }
            if (!has_alias && hsql_x_is_ident(T(x, a)) &&
                !(T(x, a)->type == HSQL_TK_WORD && is_special_word(x, a)) &&
                !OP(x, a + 1, "(") && hsql_x_chain_end(x, a) == z)
                colref = true;
            if (!has_alias && z == a + 1 && OP(x, a, "*"))
                colref = true;
            /* column type hints for expressions of the statement's own select list */
            if (x->top_select && x->depth == 0 && !x->hints_done) {
                bool star = (z == a + 1 && OP(x, a, "*")) || (z - a >= 3 && OP(x, z - 1, "*"));
                if (star) {
                    x->hints_done = true;
                } else {
                    int ez = z;
                    if (has_alias)
                        ez = KW(x, z - 2, "AS") ? z - 2 : z - 1;
                    add_hint(x, a, ez, colref);
                }
            }
            hsql_x_emit(x, a, z);
            if (!has_alias && !colref) {
                out_s(x, " AS ");
                if (z == a + 1 && T(x, a)->type == HSQL_TK_STR) {
                    char *tmp = base_xmalloc(T(x, a)->len + 1);
                    size_t n = hsql_str_decode(x->src, T(x, a), tmp);
                    tmp[n] = 0;
                    hsql_x_out_qident(x, tmp);
                    free(tmp);
                } else {
                    size_t o = T(x, a)->off, n = T(x, z - 1)->off + T(x, z - 1)->len - o;
                    char *tmp = base_xmalloc(n + 1);
                    memcpy(tmp, x->src + o, n);
                    tmp[n] = 0;
                    hsql_x_out_qident(x, tmp);
                    free(tmp);
                }
            }
        }
        a = k + 1;
        if (stop)
            return k;
    }
    return end;
}

static int emit_select(xctx_t *x, int i, int end)
{
    out_s(x, " SELECT");
    int k = i + 1;
    for (;;) {
        if (KW(x, k, "DISTINCT") || KW(x, k, "DISTINCTROW")) {
            out_s(x, " DISTINCT");
            k++;
        } else if (KW(x, k, "ALL")) {
            k++;
        } else if (KW(x, k, "SQL_CALC_FOUND_ROWS")) {
            if (x->top_select && x->depth == 0)
                x->xl->calc_found = true;
            k++;
        } else if (KW(x, k, "SQL_NO_CACHE") || KW(x, k, "SQL_CACHE") ||
                   KW(x, k, "HIGH_PRIORITY") || KW(x, k, "STRAIGHT_JOIN") ||
                   KW(x, k, "SQL_SMALL_RESULT") || KW(x, k, "SQL_BIG_RESULT") ||
                   KW(x, k, "SQL_BUFFER_RESULT")) {
            k++;
        } else {
            break;
        }
    }
    return emit_select_list(x, k, end);
}

/* Generic emitter for tokens [i, end). Returns end (or x->e on failure). */
/* Emits what starts at token i (one token or one construct); returns the next index, or -1
 * at the end of the statement. */
static int emit_one(xctx_t *x, int i, int end)
{
    const hsql_tok_t *t = T(x, i);
    if (t->type == HSQL_TK_SEMI || t->type == HSQL_TK_EOF)
        return end;
    if (t->type == HSQL_TK_WORD) {
        if (KW(x, i, "SELECT")) {
            i = emit_select(x, i, end);
            return i;
        }
        if (KW(x, i, "FROM") || KW(x, i, "JOIN") || KW(x, i, "STRAIGHT_JOIN")) {
            if (KW(x, i, "FROM"))
                x->from_depth = x->depth;
            out_s(x, KW(x, i, "FROM") ? " FROM" : " JOIN");
            x->tblctx = true;
            i++;
            return i;
        }
        if (x->from_depth == x->depth &&
            (KW(x, i, "WHERE") || KW(x, i, "GROUP") || KW(x, i, "ORDER") ||
             KW(x, i, "LIMIT") || KW(x, i, "HAVING") || KW(x, i, "UNION")))
            x->from_depth = -1;
        if (KW(x, i, "LIMIT")) {
            i = emit_limit(x, i, end);
            return i;
        }
        if ((KW(x, i, "USE") || KW(x, i, "FORCE") || KW(x, i, "IGNORE")) &&
            (KW(x, i + 1, "INDEX") || KW(x, i + 1, "KEY"))) {
            int k = i + 2;
            if (KW(x, k, "FOR")) {
                k++;
                if (KW(x, k, "JOIN"))
                    k++;
                else if (KW(x, k, "ORDER") || KW(x, k, "GROUP"))
                    k += 2;
            }
            if (OP(x, k, "("))
                k = hsql_x_match_paren(x, k) + 1;
            i = k;
            return i;
        }
        if (KW(x, i, "FOR") && KW(x, i + 1, "UPDATE")) {
            i += 2;
            if (KW(x, i, "NOWAIT"))
                i++;
            else if (KW(x, i, "SKIP") && KW(x, i + 1, "LOCKED"))
                i += 2;
            return i;
        }
        if (KW(x, i, "FOR") && KW(x, i + 1, "SHARE")) {
            i += 2;
            return i;
        }
        if (KW(x, i, "LOCK") && KW(x, i + 1, "IN") && KW(x, i + 2, "SHARE") &&
            KW(x, i + 3, "MODE")) {
            i += 4;
            return i;
        }
        if (KW(x, i, "REGEXP") || KW(x, i, "RLIKE")) {
            /* a binary operand makes the match case-sensitive (WordPress's meta query:
             * CAST(meta_key AS BINARY) REGEXP BINARY 'p'): ICU's (?-i) flag on the pattern */
            int j = i + 1;
            bool cs = re_left_binary(x, i);
            if (KW(x, j, "BINARY") && !OP(x, j + 1, "(")) {
                cs = true;
                j++;
            }
            if (!cs) {
                out_s(x, " REGEXP");
                return i + 1;
            }
            int z = j + 1;
            if (OP(x, j, "("))
                z = hsql_x_match_paren(x, j) + 1;
            else
                while (OP(x, z, ".") && z + 1 < x->e)
                    z += 2;
            out_s(x, " REGEXP ('(?-i)' ||");
            hsql_x_emit(x, j, z);
            out_s(x, ")");
            return z;
        }
        if (KW(x, i, "DIV")) {
            out_s(x, " /");
            i++;
            return i;
        }
        if (KW(x, i, "MOD") && !OP(x, i + 1, "(")) {
            out_s(x, " %");
            i++;
            return i;
        }
        if (KW(x, i, "XOR")) {
            out_s(x, " <>");
            i++;
            return i;
        }
        if (KW(x, i, "COLLATE") && i + 1 < end) {
            char c[96];
            hsql_x_tok_name(x, i + 1, c, sizeof c);
            size_t n = strlen(c);
            bool bin = strcasecmp(c, "binary") == 0 || (n > 4 && strcasecmp(c + n - 4, "_bin") == 0) ||
                       (n > 3 && strcasecmp(c + n - 3, "_cs") == 0);
            out_s(x, bin ? " COLLATE BINARY" : " COLLATE HCI");
            i += 2;
            return i;
        }
        if (KW(x, i, "BINARY") && !OP(x, i + 1, "(") && i + 1 < end) {
            int j = i + 1;
            if (hsql_x_is_ident(T(x, j))) {
                j = emit_chain(x, j);
            } else {
                hsql_x_emit_tok(x, j);
                j++;
            }
            out_s(x, " COLLATE BINARY");
            i = j;
            return i;
        }
        if (is_special_word(x, i) && !KW(x, i, "TRUE") && !KW(x, i, "FALSE") &&
            !KW(x, i, "NULL")) {
            const char *m = func_map(x, i);
            out_s(x, " ");
            out_s(x, m ? m : "hsql_user");
            out_s(x, "()");
            i++;
            if (OP(x, i, "(") && OP(x, i + 1, ")"))
                i += 2;
            return i;
        }
        if (OP(x, i + 1, "(") && !x->tblctx) {
            /* a function call, or a keyword followed by a parenthesis */
            if (KW(x, i, "IN") || KW(x, i, "AND") || KW(x, i, "OR") || KW(x, i, "NOT") ||
                KW(x, i, "EXISTS") || KW(x, i, "ON") || KW(x, i, "USING") ||
                KW(x, i, "WHERE") || KW(x, i, "AS") || (KW(x, i, "VALUES") && !x->odku) ||
                KW(x, i, "SET") || KW(x, i, "WHEN") || KW(x, i, "THEN") ||
                KW(x, i, "ELSE") || KW(x, i, "BY") || KW(x, i, "HAVING") ||
                KW(x, i, "ANY") || KW(x, i, "ALL") || KW(x, i, "SOME") ||
                KW(x, i, "IS") || KW(x, i, "LIKE") || KW(x, i, "BETWEEN") ||
                KW(x, i, "UNION") || KW(x, i, "JOIN") || KW(x, i, "DISTINCT") ||
                KW(x, i, "CASE") || KW(x, i, "REGEXP") || KW(x, i, "INTO") ||
                KW(x, i, "FROM") || KW(x, i, "SELECT") || KW(x, i, "LIMIT") ||
                KW(x, i, "OFFSET") || KW(x, i, "OVER") || KW(x, i, "ESCAPE") ||
                KW(x, i, "WITH") || KW(x, i, "RECURSIVE")) {
                hsql_x_emit_tok(x, i);
                i++;
                return i;
            }
            i = emit_call(x, i);
            return i;
        }
    }
    if (hsql_x_is_ident(t)) {
        int j = hsql_x_chain_end(x, i);
        int nw = x->tblctx ? 0 : needs_numwrap(x, i, j);
        if (nw == 1) {
            out_s(x, " (");
            emit_chain(x, i);
            out_s(x, "+0)");
            i = j;
            return i;
        }
        if (nw == 2) {
            int v = OP(x, j + 1, "-") || OP(x, j + 1, "+") ? j + 2 : j + 1;
            char pn[16];
            snprintf(pn, sizeof pn, "?%d", x->ord[v]);
            out_s(x, " (CASE WHEN typeof(");
            out_s(x, pn);
            out_s(x, ") IN ('integer','real') THEN");
            emit_chain(x, i);
            out_s(x, "+0 ELSE");
            emit_chain(x, i);
            out_s(x, " END)");
            i = j;
            return i;
        }
        bool was_tbl = x->tblctx;
        i = emit_chain(x, i);
        if (was_tbl) {
            /* optional alias after a table name */
            if (KW(x, i, "AS") && hsql_x_is_ident(T(x, i + 1))) {
                out_s(x, " AS");
                hsql_x_emit_tok(x, i + 1);
                i += 2;
            } else if (hsql_x_is_ident(T(x, i)) && !hsql_x_is_clause_word(x, i) && i < end) {
                out_s(x, " AS");
                hsql_x_emit_tok(x, i);
                i++;
            }
        }
        return i;
    }
    if (OP(x, i, ",") && x->from_depth == x->depth && x->from_depth >= 0)
        x->tblctx = true;
    else if (OP(x, i, "(") && x->tblctx)
        x->tblctx = false;
    if (is_num_tok(x, i) && i + 1 < end && is_cmp_op(x, i + 1) && starts_predicate(x, i) &&
        hsql_x_is_ident(T(x, i + 2))) {
        /* number op column: wrap the column when it is text */
        int j = hsql_x_chain_end(x, i + 2);
        char q[128] = "", name[128];
        if (j - (i + 2) == 1)
            hsql_x_tok_name(x, i + 2, name, sizeof name);
        else {
            hsql_x_tok_name(x, j - 3, q, sizeof q);
            hsql_x_tok_name(x, j - 1, name, sizeof name);
        }
        hsql_column_t *c = resolve_col(x, q[0] ? q : NULL, name);
        if (c && c->cls == HSQL_CLS_TEXT && !OP(x, j, "(") && !OP(x, j, ".")) {
            hsql_x_emit_tok(x, i);
            hsql_x_emit_tok(x, i + 1);
            out_s(x, " (");
            emit_chain(x, i + 2);
            out_s(x, "+0)");
            i = j;
            return i;
        }
    }
    hsql_x_emit_tok(x, i);
    i++;
    return i;
}

static bool is_primary_start(xctx_t *x, int i)
{
    const hsql_tok_t *t = T(x, i);
    switch (t->type) {
    case HSQL_TK_QIDENT:
    case HSQL_TK_STR:
    case HSQL_TK_INT:
    case HSQL_TK_DEC:
    case HSQL_TK_HEX:
    case HSQL_TK_PARAM:
    case HSQL_TK_UVAR:
    case HSQL_TK_SYSVAR: return true;
    case HSQL_TK_WORD: return !hsql_x_is_clause_word(x, i) && !is_noalias_word(x, i) && !KW(x, i, "INTERVAL");
    default: return false;
    }
}

/* Generic emitter for tokens [i, end). Returns the index after the last token emitted.
 * `expr + INTERVAL n unit` is rewritten around the primary emitted just before it. */
int hsql_x_emit(xctx_t *x, int i, int end)
{
    size_t prim_start = 0, prim_end = (size_t)-1;
    while (i < end && !x->failed) {
        if ((OP(x, i, "+") || OP(x, i, "-")) && KW(x, i + 1, "INTERVAL") && prim_end == x->o->len) {
            bool sub = OP(x, i, "-");
            size_t n = x->o->len - prim_start;
            char *left = base_xmalloc(n + 1);
            memcpy(left, x->o->data + prim_start, n);
            x->o->len = prim_start;
            int v = i + 2, u;
            if (OP(x, v, "("))
                u = hsql_x_match_paren(x, v) + 1;
            else
                u = (OP(x, v, "-") || OP(x, v, "+")) ? v + 2 : v + 1;
            if (u >= end || T(x, u)->type != HSQL_TK_WORD) {
                free(left);
                hsql_x_fail_syntax(x, i);
                return x->e;
            }
            out_s(x, sub ? " hsql_date_sub(" : " hsql_date_add(");
            out_n(x, left, n);
            free(left);
            out_s(x, ",");
            hsql_x_emit(x, v, u);
            emit_unit(x, u);
            out_s(x, ")");
            prim_end = x->o->len;
            i = u + 1;
            continue;
        }
        if (KW(x, i, "INTERVAL") && !OP(x, i + 1, "(")) {
            hsql_x_fail_syntax(x, i);
            return x->e;
        }
        bool prim = is_primary_start(x, i);
        size_t st = x->o->len;
        int ni = emit_one(x, i, end);
        if (ni < 0)
            return end;
        if (prim) {
            prim_start = st;
            prim_end = x->o->len;
        }
        i = ni;
    }
    return i > end ? i : end;
}


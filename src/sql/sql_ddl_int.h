/* sql_ddl_int.h — shared by the MySQL DDL parser (sql_ddl_parse.c) and the DDL statements
 * that use it (sql_ddl.c), SQL side of HarvSQL: the token cursor and the parsing pieces ALTER
 * TABLE reuses. */
#ifndef HSQL_SQL_DDL_INT_H
#define HSQL_SQL_DDL_INT_H

#include "sql_int.h"

typedef struct pctx {
    const char *src;
    const hsql_tok_t *t;
    int i, e;
    hsql_error_t *err;
    int failed;
    const char *db; /* the session's database: a table named in another one is refused */
} pctx_t;

static inline bool pk(pctx_t *p, const char *kw) { return p->i < p->e && hsql_tok_is(p->src, &p->t[p->i], kw); }
static inline bool pk2(pctx_t *p, int off, const char *kw)
{
    return p->i + off < p->e && hsql_tok_is(p->src, &p->t[p->i + off], kw);
}
static inline bool pop(pctx_t *p, const char *op) { return p->i < p->e && hsql_tok_op(p->src, &p->t[p->i], op); }
static inline bool accept(pctx_t *p, const char *kw)
{
    if (pk(p, kw)) {
        p->i++;
        return true;
    }
    return false;
}
static inline bool accept_op(pctx_t *p, const char *op)
{
    if (pop(p, op)) {
        p->i++;
        return true;
    }
    return false;
}
static inline int perr(pctx_t *p)
{
    if (!p->failed) {
        size_t end = p->t[p->e].off;
        size_t off = p->i < p->e ? p->t[p->i].off : end;
        hsql_err_syntax(p->err, p->src, end, off);
    }
    p->failed = 1;
    return -1;
}


char *hsql_p_take_ident(pctx_t *p);
char *hsql_p_take_table_name(pctx_t *p);
char *hsql_p_take_word_lower(pctx_t *p);
int hsql_p_parse_default(pctx_t *p, hsql_column_t *c);
void hsql_p_add_index(hsql_table_t *tb, hsql_index_t *ix);
bool hsql_p_idx_name_used(const hsql_table_t *tb, const char *n);
int hsql_p_parse_key(pctx_t *p, hsql_table_t *tb, hsql_index_t *out);
int hsql_p_parse_coldef(pctx_t *p, hsql_table_t *tb, hsql_column_t *c);
bool hsql_p_is_key_start(pctx_t *p);
void hsql_p_finish_table(hsql_table_t *tb);
int hsql_p_parse_table_options(pctx_t *p, hsql_table_t *tb);

#endif

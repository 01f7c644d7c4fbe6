/* sql_translate_int.h — shared by the two halves of the MySQL->SQLite translator (SQL side of
 * HarvSQL): sql_translate.c (parameter marking, table scope, the expression emitter) and
 * sql_translate_dml.c (INSERT/REPLACE, UPDATE, DELETE, the translation entry point). */
#ifndef HSQL_SQL_TRANSLATE_INT_H
#define HSQL_SQL_TRANSLATE_INT_H

#include "sql_int.h"

#include <string.h>

#define MAXD 64

typedef struct xscope {
    char name[128];  /* table name */
    char alias[128]; /* alias or the name */
    hsql_table_t *tb;
} xscope_t;

typedef struct xctx {
    hsql_session_t *s;
    const char *src;
    const hsql_tok_t *t;
    int b, e;
    const uint8_t *flags;
    const int *ord;
    base_buf_t *o;
    hsql_error_t *err;
    int failed;
    hsql_xl_t *xl;
    xscope_t scope[16];
    int nscope;
    int depth;
    bool odku;       /* inside ON DUPLICATE KEY UPDATE: VALUES(c) -> excluded.c */
    bool tblctx;     /* next identifier chain names a table */
    int from_depth;  /* depth of the FROM list being emitted, -1 if none */
    bool top_select; /* the statement is a SELECT (LIMIT handling at depth 0) */
    bool hints_done; /* the select list's type hints are complete (or stopped at a star) */
    bool is_select;
} xctx_t;

/* Token i; anything at or past the statement's end reads as its terminator (';' or EOF), so
 * look-ahead never leaves the token array. */
static inline const hsql_tok_t *T(xctx_t *x, int i) { return &x->t[i < x->e ? i : x->e]; }
static inline bool KW(xctx_t *x, int i, const char *kw) { return hsql_tok_is(x->src, T(x, i), kw); }
static inline bool OP(xctx_t *x, int i, const char *op) { return hsql_tok_op(x->src, T(x, i), op); }
static inline void out_s(xctx_t *x, const char *s) { base_buf_append(x->o, s, strlen(s)); }
static inline void out_n(xctx_t *x, const char *s, size_t n) { base_buf_append(x->o, s, n); }
static inline void out_raw(xctx_t *x, int i) { out_n(x, x->src + T(x, i)->off, T(x, i)->len); }


/* Shared emitter pieces (sql_translate.c). */
int hsql_x_fail_syntax(xctx_t *x, int i);
int hsql_x_match_paren(xctx_t *x, int i);
bool hsql_x_is_ident(const hsql_tok_t *t);
void hsql_x_tok_name(xctx_t *x, int i, char *buf, size_t cap);
void hsql_x_out_qident(xctx_t *x, const char *name);
void hsql_x_out_ident_tok(xctx_t *x, int i);
void hsql_x_out_strlit(xctx_t *x, const char *p, size_t n);
bool hsql_x_is_clause_word(xctx_t *x, int i);
void hsql_x_build_scope(xctx_t *x);
int hsql_x_emit(xctx_t *x, int i, int end);
void hsql_x_emit_tok(xctx_t *x, int i);
int hsql_x_split_args(xctx_t *x, int open, int close, int *st, int *en, int max);
int hsql_x_chain_end(xctx_t *x, int i);

#endif

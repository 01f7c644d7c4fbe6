/* sql_lexer.h — the lexer for MySQL's SQL dialect (SQL side of HarvSQL).
 * Splits statement text into tokens that point back into the caller's buffer: identifiers
 * (bare and `backticked`), string literals with MySQL's backslash escapes, numbers, `?`
 * placeholders, @user and @@system variables, operators. Comments (slash-star, #, -- ) are
 * skipped; the body of a version comment (slash-star-bang NNNNN ...) is lexed as ordinary text.
 * The lexer allocates nothing but the token array the caller hands it (which it may grow). */
#ifndef HSQL_SQL_LEXER_H
#define HSQL_SQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    HSQL_TK_EOF = 0,
    HSQL_TK_WORD,   /* bare identifier or keyword */
    HSQL_TK_QIDENT, /* `quoted identifier` (span includes the backticks) */
    HSQL_TK_STR,    /* 'string' or "string" (span includes the quotes) */
    HSQL_TK_INT,    /* 123 */
    HSQL_TK_DEC,    /* 1.5, 1e3, .5 */
    HSQL_TK_HEX,    /* 0x41 or X'41' */
    HSQL_TK_BITS,   /* 0b101 or b'101' */
    HSQL_TK_PARAM,  /* ? */
    HSQL_TK_UVAR,   /* @name, @`name`, @'name' */
    HSQL_TK_SYSVAR, /* @@name, @@session.name, @@global.name */
    HSQL_TK_OP,     /* operator or punctuation, 1-3 characters */
    HSQL_TK_SEMI,   /* ; */
};

/* Token flags. */
enum {
    HSQL_TKF_ESC = 1,     /* STR/QIDENT: contains escapes or doubled quotes (needs decoding) */
    HSQL_TKF_DQUOTE = 2,  /* STR: was "double quoted" */
    HSQL_TKF_NATIONAL = 4 /* STR: N'...' or _charset'...' introducer (span starts at quote) */
};

typedef struct hsql_tok {
    uint8_t type;
    uint8_t flags;
    uint32_t off; /* byte offset of the token in the text */
    uint32_t len; /* byte length of the raw token */
} hsql_tok_t;

/* Caller-owned growable token array. */
typedef struct hsql_toks {
    hsql_tok_t *v;
    size_t n, cap;
} hsql_toks_t;

typedef struct hsql_lex_err {
    uint32_t off;     /* where the bad input starts */
    const char *what; /* constant string */
} hsql_lex_err_t;

/* Lexes src[0..len) into toks (reset first, grown with realloc; abort on OOM through the base
 * hook). A HSQL_TK_EOF token always ends the array. Returns 0, or -1 with err filled for an
 * unterminated string, identifier or comment. Thread-safe; no global state. */
int hsql_lex(const char *src, size_t len, hsql_toks_t *toks, hsql_lex_err_t *err);
void hsql_toks_free(hsql_toks_t *toks);

/* True if token t is a bare word equal (ASCII case-insensitive) to kw (upper case). */
bool hsql_tok_is(const char *src, const hsql_tok_t *t, const char *kw);
/* True if t is an operator token equal to op. */
bool hsql_tok_op(const char *src, const hsql_tok_t *t, const char *op);

/* Decodes a STR token's value (quotes removed, escapes applied) into out (at least t->len
 * bytes). Returns the decoded length. */
size_t hsql_str_decode(const char *src, const hsql_tok_t *t, char *out);
/* Decodes a QIDENT/WORD token's name into out (at least t->len + 1 bytes), NUL-terminated. */
size_t hsql_ident_decode(const char *src, const hsql_tok_t *t, char *out);

/* The value of an INT token (exactly its bytes: the text need not be NUL-terminated);
 * *overflow set past INT64_MAX. */
int64_t hsql_tok_i64(const char *src, const hsql_tok_t *t, bool *overflow);
/* The value of an INT/DEC token as a double (exactly its bytes). */
double hsql_tok_double(const char *src, const hsql_tok_t *t);

#endif

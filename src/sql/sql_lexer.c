/* sql_lexer.c — MySQL dialect lexer (SQL side of HarvSQL). See sql_lexer.h.
 * MySQL's rules followed here: backslash escapes in strings (\0 \' \" \b \n \r \t \Z \\, and
 * \x for any other x is x, except \% and \_ which keep the backslash for LIKE), doubled quotes
 * inside strings and identifiers, `--` starts a comment only when followed by whitespace or
 * the end, `#` comments, slash-star-bang version comments whose body is SQL. */
#include "sql_lexer.h"

#include <harv/base.h>

#include <stdlib.h>
#include <string.h>

static void push(hsql_toks_t *t, uint8_t type, uint8_t flags, size_t off, size_t len)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = base_xrealloc(t->v, t->cap * sizeof(*t->v));
    }
    t->v[t->n++] = (hsql_tok_t){type, flags, (uint32_t)off, (uint32_t)len};
}

void hsql_toks_free(hsql_toks_t *toks)
{
    free(toks->v);
    toks->v = NULL;
    toks->n = toks->cap = 0;
}

static inline bool is_ident_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c >= 0x80;
}
static inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline bool is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static inline bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Scans a quoted run starting at src[i] == q. Returns the index after the closing quote, or 0
 * when unterminated. Sets *esc when escapes or doubled quotes occur. */
static size_t scan_quoted(const char *src, size_t len, size_t i, char q, bool backslash, bool *esc)
{
    i++;
    while (i < len) {
        char c = src[i];
        if (c == '\\' && backslash) {
            *esc = true;
            i += 2;
            continue;
        }
        if (c == q) {
            if (i + 1 < len && src[i + 1] == q) {
                *esc = true;
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
    return 0;
}

int hsql_lex(const char *src, size_t len, hsql_toks_t *toks, hsql_lex_err_t *err)
{
    size_t i = 0;
    int in_vcomment = 0;
    toks->n = 0;
    while (i < len) {
        unsigned char c = (unsigned char)src[i];
        if (is_space(c)) {
            i++;
            continue;
        }
        size_t st = i;
        /* comments */
        if (c == '#' || (c == '-' && i + 1 < len && src[i + 1] == '-' &&
                         (i + 2 == len || is_space((unsigned char)src[i + 2])))) {
            while (i < len && src[i] != '\n')
                i++;
            continue;
        }
        if (c == '/' && i + 1 < len && src[i + 1] == '*') {
            if (i + 2 < len && src[i + 2] == '!') {
                /* version comment: skip the opener and the version number, lex the body */
                i += 3;
                size_t d = 0;
                while (i < len && is_digit((unsigned char)src[i]) && d < 6) {
                    i++;
                    d++;
                }
                in_vcomment++;
                continue;
            }
            const char *e = NULL;
            for (size_t k = i + 2; k + 1 < len; k++)
                if (src[k] == '*' && src[k + 1] == '/') {
                    e = src + k;
                    break;
                }
            if (!e) {
                err->off = (uint32_t)st;
                err->what = "unterminated comment";
                return -1;
            }
            i = (size_t)(e - src) + 2;
            continue;
        }
        if (c == '*' && in_vcomment && i + 1 < len && src[i + 1] == '/') {
            in_vcomment--;
            i += 2;
            continue;
        }
        /* strings */
        if (c == '\'' || c == '"') {
            bool esc = false;
            size_t e = scan_quoted(src, len, i, (char)c, true, &esc);
            if (!e) {
                err->off = (uint32_t)st;
                err->what = "unterminated string";
                return -1;
            }
            push(toks, HSQL_TK_STR, (esc ? HSQL_TKF_ESC : 0) | (c == '"' ? HSQL_TKF_DQUOTE : 0), st,
                 e - st);
            i = e;
            continue;
        }
        if (c == '`') {
            bool esc = false;
            size_t e = scan_quoted(src, len, i, '`', false, &esc);
            if (!e) {
                err->off = (uint32_t)st;
                err->what = "unterminated identifier";
                return -1;
            }
            push(toks, HSQL_TK_QIDENT, esc ? HSQL_TKF_ESC : 0, st, e - st);
            i = e;
            continue;
        }
        /* hex / bit literals X'..' B'..' and N'..' */
        if ((c == 'x' || c == 'X' || c == 'b' || c == 'B') && i + 1 < len && src[i + 1] == '\'') {
            size_t k = i + 2;
            while (k < len && src[k] != '\'')
                k++;
            if (k >= len) {
                err->off = (uint32_t)st;
                err->what = "unterminated string";
                return -1;
            }
            push(toks, (c == 'x' || c == 'X') ? HSQL_TK_HEX : HSQL_TK_BITS, 0, st, k + 1 - st);
            i = k + 1;
            continue;
        }
        if ((c == 'n' || c == 'N') && i + 1 < len && src[i + 1] == '\'') {
            bool esc = false;
            size_t e = scan_quoted(src, len, i + 1, '\'', true, &esc);
            if (!e) {
                err->off = (uint32_t)st;
                err->what = "unterminated string";
                return -1;
            }
            push(toks, HSQL_TK_STR, (esc ? HSQL_TKF_ESC : 0) | HSQL_TKF_NATIONAL, st + 1, e - st - 1);
            i = e;
            continue;
        }
        /* numbers */
        if (is_digit(c) || (c == '.' && i + 1 < len && is_digit((unsigned char)src[i + 1]))) {
            if (c == '0' && i + 1 < len && (src[i + 1] == 'x' || src[i + 1] == 'X') && i + 2 < len &&
                is_hex((unsigned char)src[i + 2])) {
                size_t k = i + 2;
                while (k < len && is_hex((unsigned char)src[k]))
                    k++;
                if (!(k < len && is_ident_char((unsigned char)src[k]))) {
                    push(toks, HSQL_TK_HEX, 0, st, k - st);
                    i = k;
                    continue;
                }
            }
            if (c == '0' && i + 1 < len && (src[i + 1] == 'b' || src[i + 1] == 'B') && i + 2 < len &&
                (src[i + 2] == '0' || src[i + 2] == '1')) {
                size_t k = i + 2;
                while (k < len && (src[k] == '0' || src[k] == '1'))
                    k++;
                if (!(k < len && is_ident_char((unsigned char)src[k]))) {
                    push(toks, HSQL_TK_BITS, 0, st, k - st);
                    i = k;
                    continue;
                }
            }
            size_t k = i;
            bool dec = false;
            while (k < len && is_digit((unsigned char)src[k]))
                k++;
            if (k < len && src[k] == '.') {
                dec = true;
                k++;
                while (k < len && is_digit((unsigned char)src[k]))
                    k++;
            }
            if (k < len && (src[k] == 'e' || src[k] == 'E')) {
                size_t m = k + 1;
                if (m < len && (src[m] == '+' || src[m] == '-'))
                    m++;
                if (m < len && is_digit((unsigned char)src[m])) {
                    dec = true;
                    k = m;
                    while (k < len && is_digit((unsigned char)src[k]))
                        k++;
                }
            }
            if (k < len && is_ident_char((unsigned char)src[k]) && !dec) {
                /* an identifier that starts with digits, e.g. 1abc */
                while (k < len && is_ident_char((unsigned char)src[k]))
                    k++;
                push(toks, HSQL_TK_WORD, 0, st, k - st);
                i = k;
                continue;
            }
            push(toks, dec ? HSQL_TK_DEC : HSQL_TK_INT, 0, st, k - st);
            i = k;
            continue;
        }
        if (is_ident_char(c)) {
            size_t k = i;
            while (k < len && is_ident_char((unsigned char)src[k]))
                k++;
            /* _charset'string' introducer */
            if (c == '_' && k < len && src[k] == '\'') {
                bool esc = false;
                size_t e = scan_quoted(src, len, k, '\'', true, &esc);
                if (!e) {
                    err->off = (uint32_t)st;
                    err->what = "unterminated string";
                    return -1;
                }
                push(toks, HSQL_TK_STR, (esc ? HSQL_TKF_ESC : 0) | HSQL_TKF_NATIONAL, k, e - k);
                i = e;
                continue;
            }
            push(toks, HSQL_TK_WORD, 0, st, k - st);
            i = k;
            continue;
        }
        if (c == '?') {
            push(toks, HSQL_TK_PARAM, 0, st, 1);
            i++;
            continue;
        }
        if (c == '@') {
            size_t k = i + 1;
            uint8_t type = HSQL_TK_UVAR;
            if (k < len && src[k] == '@') {
                type = HSQL_TK_SYSVAR;
                k++;
            }
            if (k < len && (src[k] == '`' || src[k] == '\'' || src[k] == '"')) {
                bool esc = false;
                size_t e = scan_quoted(src, len, k, src[k], src[k] != '`', &esc);
                if (!e) {
                    err->off = (uint32_t)st;
                    err->what = "unterminated identifier";
                    return -1;
                }
                k = e;
            } else {
                while (k < len && (is_ident_char((unsigned char)src[k]) || src[k] == '.'))
                    k++;
            }
            push(toks, type, 0, st, k - st);
            i = k;
            continue;
        }
        if (c == ';') {
            push(toks, HSQL_TK_SEMI, 0, st, 1);
            i++;
            continue;
        }
        /* operators */
        static const char *const ops3[] = {"<=>", "->>"};
        static const char *const ops2[] = {"<=", ">=", "<>", "!=", "<<", ">>", "&&", "||", ":=", "->"};
        size_t oplen = 1;
        for (size_t k = 0; k < BASE_ARRAY_LEN(ops3); k++)
            if (i + 3 <= len && memcmp(src + i, ops3[k], 3) == 0)
                oplen = 3;
        if (oplen == 1)
            for (size_t k = 0; k < BASE_ARRAY_LEN(ops2); k++)
                if (i + 2 <= len && memcmp(src + i, ops2[k], 2) == 0)
                    oplen = 2;
        push(toks, HSQL_TK_OP, 0, st, oplen);
        i += oplen;
    }
    push(toks, HSQL_TK_EOF, 0, len, 0);
    return 0;
}

bool hsql_tok_is(const char *src, const hsql_tok_t *t, const char *kw)
{
    if (t->type != HSQL_TK_WORD || ((unsigned char)src[t->off] & 0xDF) != (unsigned char)kw[0])
        return false;
    size_t n = strlen(kw);
    if (n != t->len)
        return false;
    const char *p = src + t->off;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (c != kw[i])
            return false;
    }
    return true;
}

bool hsql_tok_op(const char *src, const hsql_tok_t *t, const char *op)
{
    if (t->type != HSQL_TK_OP && t->type != HSQL_TK_SEMI)
        return false;
    size_t n = strlen(op);
    return n == t->len && memcmp(src + t->off, op, n) == 0;
}

size_t hsql_str_decode(const char *src, const hsql_tok_t *t, char *out)
{
    const char *p = src + t->off;
    char q = p[0];
    size_t n = t->len - 2, o = 0;
    p++;
    if (!(t->flags & HSQL_TKF_ESC)) {
        memcpy(out, p, n);
        return n;
    }
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < n) {
            char d = p[++i];
            switch (d) {
            case '0': out[o++] = '\0'; break;
            case 'b': out[o++] = '\b'; break;
            case 'n': out[o++] = '\n'; break;
            case 'r': out[o++] = '\r'; break;
            case 't': out[o++] = '\t'; break;
            case 'Z': out[o++] = '\032'; break;
            case '%':
            case '_':
                out[o++] = '\\';
                out[o++] = d;
                break;
            default: out[o++] = d; break;
            }
            continue;
        }
        if (c == q && i + 1 < n && p[i + 1] == q)
            i++;
        out[o++] = c;
    }
    return o;
}

size_t hsql_ident_decode(const char *src, const hsql_tok_t *t, char *out)
{
    const char *p = src + t->off;
    size_t o = 0;
    if (t->type == HSQL_TK_QIDENT) {
        for (size_t i = 1; i + 1 < t->len; i++) {
            out[o++] = p[i];
            if (p[i] == '`' && i + 2 < t->len && p[i + 1] == '`')
                i++;
        }
    } else if (t->type == HSQL_TK_STR) {
        o = hsql_str_decode(src, t, out);
    } else {
        memcpy(out, p, t->len);
        o = t->len;
    }
    out[o] = 0;
    return o;
}

int64_t hsql_tok_i64(const char *src, const hsql_tok_t *t, bool *overflow)
{
    const char *p = src + t->off;
    uint64_t v = 0;
    bool ov = false;
    for (uint32_t i = 0; i < t->len; i++) {
        if (p[i] < '0' || p[i] > '9')
            break;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            ov = true;
        v = v * 10 + d;
    }
    if (v > (uint64_t)INT64_MAX)
        ov = true;
    if (overflow)
        *overflow = ov;
    return ov ? INT64_MAX : (int64_t)v;
}

double hsql_tok_double(const char *src, const hsql_tok_t *t)
{
    char b[128];
    size_t n = t->len < sizeof b - 1 ? t->len : sizeof b - 1;
    memcpy(b, src + t->off, n);
    b[n] = 0;
    return strtod(b, NULL);
}

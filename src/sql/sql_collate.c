/* sql_collate.c — MySQL's _ci comparison semantics on SQLite (SQL side of HarvSQL): the HCI
 * collation (utf8mb4_unicode_520_ci at the primary level: case-, accent- and
 * trailing-space-insensitive, expansions such as 'ß' = "ss", MySQL's order of punctuation,
 * digits and letters; used by text columns, their UNIQUE keys, ORDER BY and GROUP BY), MySQL
 * LIKE with `\` as the default escape and _ci matching (replaces SQLite's like()), and REGEXP
 * on POSIX extended regexes with the ICU escapes \d \w \s that MySQL 8 patterns use. */
#include "sql_int.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

/* ---- code points and weights -------------------------------------------------------------- */
static uint32_t utf8_next(const unsigned char **pp, const unsigned char *end)
{
    const unsigned char *p = *pp;
    uint32_t c = *p++;
    if (c >= 0x80) {
        int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        c &= n == 3 ? 0x07 : n == 2 ? 0x0F : 0x1F;
        while (n-- > 0 && p < end && (*p & 0xC0) == 0x80)
            c = (c << 6) | (*p++ & 0x3F);
    }
    *pp = p;
    return c;
}

/* utf8mb4_unicode_520_ci at level 1: every code point has 0..UCA_EXP_MAX primary weights (0
 * for ignorables such as combining accents and most controls, several for expansions: 'ß' is
 * "ss", 'Æ' is "AE"); strings compare as their weight sequences, the shorter one padded with
 * the weight of a space (PAD SPACE: trailing spaces do not count). The table is generated from
 * MariaDB's WEIGHT_STRING (scripts/gen_uca520.py) for U+0000..U+2FFFF and U+E0000..U+E0FFF,
 * past which all weights are implicit; there are no contractions in this collation, so
 * weights are per code point. */
#include "sql_collate_uca.inc"

#define UCA_SPACE 0x020A

static int uca_implicit(uint32_t c, uint16_t *w)
{
    uint32_t base = 0xFBC0;
    if (c >= 0x3400 && c <= 0x4DB5)
        base = 0xFB80;
    else if ((c >= 0x4E00 && c <= 0x9FA5) || c == 0xFA0E || c == 0xFA0F || c == 0xFA11 ||
             c == 0xFA13 || c == 0xFA14 || c == 0xFA1F || c == 0xFA21 || c == 0xFA23 ||
             c == 0xFA24 || c == 0xFA27 || c == 0xFA28 || c == 0xFA29)
        base = 0xFB40;
    w[0] = (uint16_t)(base + (c >> 15));
    w[1] = (uint16_t)((c & 0x7FFF) | 0x8000);
    return 2;
}

/* The primary weights of code point c into w[UCA_EXP_MAX]; returns how many. */
static int uca_weights(uint32_t c, uint16_t *w)
{
    unsigned pg = c < 0x30000                   ? uca_page_of[c >> 8]
                  : c >= 0xE0000 && c < 0xE1000 ? uca_page_of[0x300 + ((c - 0xE0000) >> 8)]
                                                : 0;
    uint16_t v = pg ? uca_pages[pg - 1][c & 0xFF] : UCA_IMPLICIT;
    if (v == 0)
        return 0;
    if (v == UCA_IMPLICIT)
        return uca_implicit(c, w);
    if (v >= UCA_EXP) {
        const uint16_t *e = uca_exp[v - UCA_EXP];
        memcpy(w, e + 1, e[0] * sizeof *w);
        return e[0];
    }
    w[0] = v;
    return 1;
}

typedef struct uca_it {
    const unsigned char *p, *pe;
    uint16_t w[UCA_EXP_MAX];
    int n, i;
} uca_it_t;

/* The next weight of the string, or -1 at its end. */
static int uca_next(uca_it_t *it)
{
    while (it->i == it->n) {
        if (it->p >= it->pe)
            return -1;
        it->n = uca_weights(utf8_next(&it->p, it->pe), it->w);
        it->i = 0;
    }
    return it->w[it->i++];
}

static bool uca_char_eq(uint32_t c, uint32_t d)
{
    if (c == d)
        return true;
    uint16_t x[UCA_EXP_MAX], y[UCA_EXP_MAX];
    int n = uca_weights(c, x);
    return n == uca_weights(d, y) && memcmp(x, y, (size_t)n * sizeof *x) == 0;
}

int hsql_ci_compare(const char *a, int na, const char *b, int nb)
{
    /* equal leading bytes have equal weights: skip them, back to a code point boundary */
    int k = 0, n = na < nb ? na : nb;
    while (k < n && a[k] == b[k])
        k++;
    if (k == na && k == nb)
        return 0;
    const char *c = k < na ? a : b; /* one that has a byte at k */
    while (k > 0 && ((unsigned char)c[k] & 0xC0) == 0x80)
        k--;
    /* ASCII has one weight per character (none for most controls): compare it directly */
    const uint16_t *ascii = uca_pages[uca_page_of[0] - 1];
    for (; k < n; k++) {
        unsigned char ca = (unsigned char)a[k], cb = (unsigned char)b[k];
        if ((ca | cb) >= 0x80 || !ascii[ca] || !ascii[cb])
            break;
        if (ascii[ca] != ascii[cb])
            return ascii[ca] < ascii[cb] ? -1 : 1;
    }
    uca_it_t x = {(const unsigned char *)a + k, (const unsigned char *)a + na, {0}, 0, 0};
    uca_it_t y = {(const unsigned char *)b + k, (const unsigned char *)b + nb, {0}, 0, 0};
    for (;;) {
        int u = uca_next(&x), v = uca_next(&y);
        if (u < 0 && v < 0)
            return 0;
        if (u < 0)
            u = UCA_SPACE;
        if (v < 0)
            v = UCA_SPACE;
        if (u != v)
            return u < v ? -1 : 1;
    }
}

static int coll_hci(void *arg, int na, const void *a, int nb, const void *b)
{
    (void)arg;
    return hsql_ci_compare(a, na, b, nb);
}

/* ---- LIKE and REGEXP --------------------------------------------------------------------- */
bool hsql_like_match(const char *pat, size_t np, const char *str, size_t ns, int esc)
{
    const unsigned char *p = (const unsigned char *)pat, *pe = p + np;
    const unsigned char *s = (const unsigned char *)str, *se = s + ns;
    const unsigned char *bp = NULL, *bs = NULL; /* backtrack point after the last % */
    while (s < se || p < pe) {
        if (p < pe) {
            const unsigned char *p0 = p;
            uint32_t c = utf8_next(&p, pe);
            if (c == '%') {
                while (p < pe && *p == '%')
                    p++;
                if (p == pe)
                    return true;
                bp = p;
                bs = s;
                continue;
            }
            if (s < se) {
                const unsigned char *s0 = s;
                uint32_t d = utf8_next(&s, se);
                if (c == '_') {
                    continue;
                }
                if ((int)c == esc && p < pe)
                    c = utf8_next(&p, pe);
                if (uca_char_eq(c, d))
                    continue;
                s = s0;
            }
            p = p0;
        }
        if (bp && bs < se) {
            utf8_next(&bs, se);
            s = bs;
            p = bp;
            continue;
        }
        return false;
    }
    return true;
}

static void fn_like(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    const char *pat = (const char *)sqlite3_value_text(argv[0]);
    int np = sqlite3_value_bytes(argv[0]);
    const char *str = (const char *)sqlite3_value_text(argv[1]);
    int ns = sqlite3_value_bytes(argv[1]);
    int esc = '\\';
    if (argc == 3) {
        const char *e = (const char *)sqlite3_value_text(argv[2]);
        if (e && *e) {
            const unsigned char *q = (const unsigned char *)e;
            esc = (int)utf8_next(&q, q + strlen(e));
        }
    }
    sqlite3_result_int(ctx, hsql_like_match(pat, (size_t)np, str, (size_t)ns, esc));
}

static void regex_free(void *p)
{
    regfree(p);
    free(p);
}

/* MySQL (ICU) escapes POSIX ERE lacks: \d \w \s and their negations. */
static char *regex_posix(const char *pat)
{
    size_t n = strlen(pat);
    char *o = base_xmalloc(n * 12 + 1), *w = o;
    for (size_t i = 0; i < n; i++) {
        if (pat[i] == '\\' && i + 1 < n) {
            const char *r = NULL;
            switch (pat[i + 1]) {
            case 'd': r = "[0-9]"; break;
            case 'D': r = "[^0-9]"; break;
            case 'w': r = "[[:alnum:]_]"; break;
            case 'W': r = "[^[:alnum:]_]"; break;
            case 's': r = "[[:space:]]"; break;
            case 'S': r = "[^[:space:]]"; break;
            default: break;
            }
            if (r) {
                size_t k = strlen(r);
                memcpy(w, r, k);
                w += k;
                i++;
                continue;
            }
        }
        *w++ = pat[i];
    }
    *w = 0;
    return o;
}

static void fn_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    regex_t *re = sqlite3_get_auxdata(ctx, 0);
    if (!re) {
        const char *pat = (const char *)sqlite3_value_text(argv[0]);
        int fl = REG_EXTENDED | REG_ICASE | REG_NOSUB;
        if (strncmp(pat, "(?-i)", 5) == 0) { /* ICU's leading flags; the translator marks a */
            pat += 5;                          /* BINARY operand with (?-i) */
            fl &= ~REG_ICASE;
        } else if (strncmp(pat, "(?i)", 4) == 0) {
            pat += 4;
        }
        char *pp = regex_posix(pat);
        re = base_xmalloc(sizeof *re);
        int rc = regcomp(re, pp, fl);
        free(pp);
        if (rc) {
            free(re);
            sqlite3_result_error(ctx, "hsql:3692:HY000:Illegal argument to a regular expression.", -1);
            return;
        }
        sqlite3_set_auxdata(ctx, 0, re, regex_free);
        re = sqlite3_get_auxdata(ctx, 0);
        if (!re) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
    }
    const char *s = (const char *)sqlite3_value_text(argv[1]);
    sqlite3_result_int(ctx, regexec(re, s ? s : "", 0, NULL, 0) == 0);
}

static void fn_regexp_like(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    sqlite3_value *sw[2] = {argv[1], argv[0]};
    (void)argc;
    fn_regexp(ctx, 2, sw);
}


/* ---- registration ------------------------------------------------------------------------ */
/* ---- LOWER and UPPER ---------------------------------------------------------------------- */
static uint32_t case_map(const uint32_t (*m)[2], size_t n, uint32_t c)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m[mid][0] == c)
            return m[mid][1];
        if (m[mid][0] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return c;
}

static size_t utf8_put(uint32_t c, unsigned char *o)
{
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | c >> 6);
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | c >> 12);
        o[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | c >> 18);
    o[1] = (unsigned char)(0x80 | (c >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/* LOWER/UPPER (and LCASE/UCASE) with utf8mb4_unicode_520_ci's mappings: SQLite's lower() and
 * upper() change ASCII only. A binary string is returned unchanged, as in MySQL. */
static void fn_case(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int t = sqlite3_value_type(argv[0]);
    if (t == SQLITE_NULL)
        return;
    if (t == SQLITE_BLOB) {
        sqlite3_result_value(ctx, argv[0]);
        return;
    }
    const unsigned char *p = sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    bool up = sqlite3_user_data(ctx) != NULL;
    /* a mapped character grows by one byte at most (2 to 3: ɐ to Ɐ): twice the size is enough */
    unsigned char *o = sqlite3_malloc64((sqlite3_uint64)n * 2 + 4);
    if (!o) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    size_t k = 0;
    for (const unsigned char *q = p, *e = p + n; q < e;) {
        if (*q < 0x80) {
            unsigned char c = *q++;
            o[k++] = up ? (c >= 'a' && c <= 'z' ? c - 32 : c) : (c >= 'A' && c <= 'Z' ? c + 32 : c);
            continue;
        }
        uint32_t c = utf8_next(&q, e);
        c = up ? case_map(uca_upper, BASE_ARRAY_LEN(uca_upper), c)
               : case_map(uca_lower, BASE_ARRAY_LEN(uca_lower), c);
        k += utf8_put(c, o + k);
    }
    sqlite3_result_text64(ctx, (const char *)o, k, sqlite3_free, SQLITE_UTF8);
}

static const hsql_fdef_t k_collate_fns[] = {
    {"hsql_lower", 1, fn_case, 0, true},
    {"hsql_upper", 1, fn_case, 1, true},
    {"like", 2, fn_like, 0, true},
    {"like", 3, fn_like, 0, true},
    {"regexp", 2, fn_regexp, 0, true},
    {"hsql_regexp_like", 2, fn_regexp_like, 0, true},
};

int hsql_collate_register(hsql_fholder_t *fh, sqlite3 *db)
{
    if (sqlite3_create_collation_v2(db, "HCI", SQLITE_UTF8, NULL, coll_hci, NULL) != SQLITE_OK)
        return -1;
    return hsql_fdefs_register(fh, db, k_collate_fns, BASE_ARRAY_LEN(k_collate_fns));
}

/* sql_collate.c — MySQL's _ci comparison semantics on SQLite (SQL side of HarvSQL): the HCI
 * collation (case-, accent- and trailing-space-insensitive, as utf8mb4_*_ci; used by text
 * columns, their UNIQUE keys, ORDER BY and GROUP BY), MySQL LIKE with `\` as the default escape
 * and _ci matching (replaces SQLite's like()), and REGEXP on POSIX extended regexes with the
 * ICU escapes \d \w \s that MySQL 8 patterns use. */
#include "sql_int.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

/* ---- code points and folding ------------------------------------------------------------- */
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

static uint32_t fold(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if (c >= 0xC0 && c <= 0xFF) {
        static const char m[] = "aaaaaaaceeeeiiiidnooooo*ouuuuyts"
                                "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
        char r = m[c - 0xC0];
        return (r == '*' || r == '/') ? c : (uint32_t)r;
    }
    if (c >= 0x100 && c <= 0x17F) {
        static const struct {
            uint16_t lo, hi;
            char b;
        } r[] = {{0x100, 0x105, 'a'}, {0x106, 0x10D, 'c'}, {0x10E, 0x111, 'd'}, {0x112, 0x11B, 'e'},
                 {0x11C, 0x123, 'g'}, {0x124, 0x127, 'h'}, {0x128, 0x133, 'i'}, {0x134, 0x135, 'j'},
                 {0x136, 0x138, 'k'}, {0x139, 0x142, 'l'}, {0x143, 0x14B, 'n'}, {0x14C, 0x153, 'o'},
                 {0x154, 0x159, 'r'}, {0x15A, 0x161, 's'}, {0x162, 0x167, 't'}, {0x168, 0x173, 'u'},
                 {0x174, 0x175, 'w'}, {0x176, 0x178, 'y'}, {0x179, 0x17E, 'z'}, {0x17F, 0x17F, 's'}};
        for (size_t i = 0; i < BASE_ARRAY_LEN(r); i++)
            if (c >= r[i].lo && c <= r[i].hi)
                return (uint32_t)r[i].b;
    }
    if (c >= 0x391 && c <= 0x3A9)
        return c + 32;
    if (c >= 0x410 && c <= 0x42F)
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    return c;
}

int hsql_ci_compare(const char *a, int na, const char *b, int nb)
{
    const unsigned char *p = (const unsigned char *)a, *pe = p + na;
    const unsigned char *q = (const unsigned char *)b, *qe = q + nb;
    while (p < pe && q < qe) {
        uint32_t x, y;
        if (*p < 0x80 && *q < 0x80) {
            x = *p++;
            y = *q++;
            if (x == y)
                continue;
            if (x >= 'A' && x <= 'Z')
                x += 32;
            if (y >= 'A' && y <= 'Z')
                y += 32;
        } else {
            x = fold(utf8_next(&p, pe));
            y = fold(utf8_next(&q, qe));
        }
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    while (p < pe && *p == ' ')
        p++;
    while (q < qe && *q == ' ')
        q++;
    if (p < pe)
        return 1;
    if (q < qe)
        return -1;
    return 0;
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
                if (fold(c) == fold(d))
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
        char *pp = regex_posix(pat);
        re = base_xmalloc(sizeof *re);
        int rc = regcomp(re, pp, REG_EXTENDED | REG_ICASE | REG_NOSUB);
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
static const hsql_fdef_t k_collate_fns[] = {
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

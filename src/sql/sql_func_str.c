/* sql_func_str.c — MySQL string, numeric and miscellaneous functions registered on each
 * session's SQLite connection (SQL side of HarvSQL): CONCAT, CONCAT_WS, LEFT/RIGHT, SUBSTRING,
 * LENGTH (bytes) vs CHAR_LENGTH, LOCATE, LPAD/RPAD, FIELD, FIND_IN_SET, MD5/SHA1, RAND, ROUND
 * and friends with MySQL's integer results, FORMAT, HEX/UNHEX, CHAR, SLEEP, GET_LOCK ... */
#include "sql_int.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libm-free rounding helpers (the library links without -lm) */
static double m_trunc(double x)
{
    if (x > 9.2e18 || x < -9.2e18 || x != x)
        return x;
    return (double)(int64_t)x;
}
static double m_floor(double x)
{
    double t = m_trunc(x);
    return (t > x) ? t - 1 : t;
}
static double m_ceil(double x)
{
    double t = m_trunc(x);
    return (t < x) ? t + 1 : t;
}
static double m_fabs(double x) { return x < 0 ? -x : x; }
static double m_pow(double b, int e)
{
    double r = 1;
    bool neg = e < 0;
    if (neg)
        e = -e;
    while (e--)
        r *= b;
    return neg ? 1 / r : r;
}


double hsql_floor(double x) { return m_floor(x); }
double hsql_pow10(int e) { return m_pow(10.0, e); }

double hsql_round_dec(double x, int d)
{
    char b[48];
    snprintf(b, sizeof b, "%.14e", x); /* [-]D.DDDDDDDDDDDDDDe[+-]XX: 15 significant digits */
    const char *p = b + (b[0] == '-');
    char dig[16];
    int nd = 0;
    for (; *p && *p != 'e' && nd < 15; p++)
        if (*p >= '0' && *p <= '9')
            dig[nd++] = *p;
    if (*p != 'e' || d > 30 || d < -30)
        return x; /* inf, nan */
    int keep = atoi(p + 1) + 1 + d; /* significant digits left of the cut */
    if (keep >= nd)
        return x;
    if (keep < 0)
        return 0.0;
    long long v = 0;
    for (int i = 0; i < keep; i++)
        v = v * 10 + (dig[i] - '0');
    if (dig[keep] >= '5')
        v++;
    char o[48];
    snprintf(o, sizeof o, "%s%lldE%d", b[0] == '-' ? "-" : "", v, -d);
    return strtod(o, NULL);
}

double hsql_decimal_clamp(double x, int m, int d, bool *over)
{
    double mx = m_pow(10.0, m - d) - m_pow(10.0, -d);
    *over = m > 0 && m >= d && (x > mx || x < -mx);
    return !*over ? x : x > 0 ? mx : -mx;
}

/* ---- strings ----------------------------------------------------------------------------- */
static void fn_concat(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    base_buf_t b;
    base_buf_init(&b);
    for (int i = 0; i < argc; i++) {
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
            base_buf_fini(&b);
            return;
        }
        const char *s = (const char *)sqlite3_value_text(argv[i]);
        base_buf_append(&b, s ? s : "", (size_t)sqlite3_value_bytes(argv[i]));
    }
    sqlite3_result_text(ctx, b.data ? b.data : "", (int)b.len, SQLITE_TRANSIENT);
    base_buf_fini(&b);
}

static void fn_concat_ws(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (argc < 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    const char *sep = (const char *)sqlite3_value_text(argv[0]);
    size_t ns = (size_t)sqlite3_value_bytes(argv[0]);
    base_buf_t b;
    base_buf_init(&b);
    bool first = true;
    for (int i = 1; i < argc; i++) {
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            continue;
        if (!first)
            base_buf_append(&b, sep, ns);
        first = false;
        const char *s = (const char *)sqlite3_value_text(argv[i]);
        base_buf_append(&b, s ? s : "", (size_t)sqlite3_value_bytes(argv[i]));
    }
    sqlite3_result_text(ctx, b.data ? b.data : "", (int)b.len, SQLITE_TRANSIENT);
    base_buf_fini(&b);
}

/* byte offset of character index k (0-based) in s, clamped to n */
size_t hsql_char_off(const char *s, size_t n, int64_t k)
{
    size_t i = 0;
    while (i < n && k > 0) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        k--;
    }
    return i;
}

int64_t hsql_char_count(const char *s, size_t n)
{
    int64_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static void fn_left_right(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    int64_t k = sqlite3_value_int64(argv[1]);
    if (k < 0)
        k = 0;
    if ((intptr_t)sqlite3_user_data(ctx) == 0) {
        sqlite3_result_text(ctx, s, (int)hsql_char_off(s, n, k), SQLITE_TRANSIENT);
    } else {
        int64_t tot = hsql_char_count(s, n);
        size_t off = hsql_char_off(s, n, tot > k ? tot - k : 0);
        sqlite3_result_text(ctx, s + off, (int)(n - off), SQLITE_TRANSIENT);
    }
}

static void fn_substring(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (argc < 2 || sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    int64_t pos = sqlite3_value_int64(argv[1]);
    int64_t len = argc > 2 ? sqlite3_value_int64(argv[2]) : INT64_MAX;
    if (argc > 2 && sqlite3_value_type(argv[2]) == SQLITE_NULL)
        return;
    int64_t tot = hsql_char_count(s, n);
    if (pos == 0 || len <= 0) {
        sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
        return;
    }
    int64_t start = pos > 0 ? pos - 1 : tot + pos;
    if (start < 0 || start >= tot) {
        sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
        return;
    }
    size_t a = hsql_char_off(s, n, start);
    size_t b = len == INT64_MAX ? n : a + hsql_char_off(s + a, n - a, len);
    sqlite3_result_text(ctx, s + a, (int)(b - a), SQLITE_TRANSIENT);
}

/* SUBSTRING_INDEX(s, delim, n): s up to the n-th delim from the left (n > 0) or after the
 * -n-th from the right (n < 0); delim matches byte for byte, as in MySQL. */
static void fn_substring_index(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    for (int k = 0; k < 3; k++)
        if (sqlite3_value_type(argv[k]) == SQLITE_NULL)
            return;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    const char *d = (const char *)sqlite3_value_text(argv[1]);
    size_t nd = (size_t)sqlite3_value_bytes(argv[1]);
    int64_t cnt = sqlite3_value_int64(argv[2]);
    if (!s || !d || nd == 0 || cnt == 0) {
        sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
        return;
    }
    if (cnt > 0) {
        for (size_t i = 0; i + nd <= n; i++)
            if (memcmp(s + i, d, nd) == 0) {
                if (--cnt == 0) {
                    sqlite3_result_text(ctx, s, (int)i, SQLITE_TRANSIENT);
                    return;
                }
                i += nd - 1;
            }
    } else {
        /* the occurrences as a left-to-right scan finds them (not overlapping), from the end */
        int64_t total = 0;
        for (size_t i = 0; i + nd <= n; i++)
            if (memcmp(s + i, d, nd) == 0) {
                total++;
                i += nd - 1;
            }
        int64_t want = total + cnt; /* 0-based index of the occurrence to cut after */
        for (size_t i = 0; want >= 0 && i + nd <= n; i++)
            if (memcmp(s + i, d, nd) == 0) {
                if (want-- == 0) {
                    sqlite3_result_text(ctx, s + i + nd, (int)(n - i - nd), SQLITE_TRANSIENT);
                    return;
                }
                i += nd - 1;
            }
    }
    sqlite3_result_text(ctx, s, (int)n, SQLITE_TRANSIENT);
}

static void fn_octet_length(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB)
        sqlite3_value_text(argv[0]);
    sqlite3_result_int(ctx, sqlite3_value_bytes(argv[0]) * ((intptr_t)sqlite3_user_data(ctx) ? 8 : 1));
}

/* CHAR_LENGTH: code points of the whole value (SQLite's length() stops at a NUL byte, which a
 * MySQL string may hold: '\0'); bytes of a binary string. */
static void fn_char_length(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int t = sqlite3_value_type(argv[0]);
    if (t == SQLITE_NULL)
        return;
    if (t == SQLITE_BLOB) {
        sqlite3_result_int(ctx, sqlite3_value_bytes(argv[0]));
        return;
    }
    const unsigned char *p = sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]), k = 0;
    for (int i = 0; i < n; i++)
        k += (p[i] & 0xC0) != 0x80;
    sqlite3_result_int(ctx, k);
}

static void fn_locate(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    const char *sub = (const char *)sqlite3_value_text(argv[0]);
    size_t nsub = (size_t)sqlite3_value_bytes(argv[0]);
    const char *s = (const char *)sqlite3_value_text(argv[1]);
    size_t n = (size_t)sqlite3_value_bytes(argv[1]);
    int64_t from = argc > 2 ? sqlite3_value_int64(argv[2]) : 1;
    if (from < 1) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    size_t a = hsql_char_off(s, n, from - 1);
    for (size_t i = a; i + nsub <= n; i++) {
        if (hsql_ci_compare(s + i, (int)nsub, sub, (int)nsub) == 0 && strncasecmp(s + i, sub, nsub) == 0) {
            sqlite3_result_int64(ctx, hsql_char_count(s, i) + 1);
            return;
        }
        if (nsub && strncasecmp(s + i, sub, nsub) == 0) {
            sqlite3_result_int64(ctx, hsql_char_count(s, i) + 1);
            return;
        }
    }
    sqlite3_result_int(ctx, nsub == 0 ? (int)from : 0);
}

static void fn_repeat(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    int64_t k = sqlite3_value_int64(argv[1]);
    if (k <= 0 || n == 0) {
        sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
        return;
    }
    if ((uint64_t)k * n > 16u << 20) {
        sqlite3_result_null(ctx);
        return;
    }
    base_buf_t b;
    base_buf_init(&b);
    for (int64_t i = 0; i < k; i++)
        base_buf_append(&b, s, n);
    sqlite3_result_text(ctx, b.data, (int)b.len, SQLITE_TRANSIENT);
    base_buf_fini(&b);
}

static void fn_space(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int64_t k = sqlite3_value_int64(argv[0]);
    if (k < 0)
        k = 0;
    if (k > 1 << 20)
        k = 1 << 20;
    char *b = base_xmalloc((size_t)k + 1);
    memset(b, ' ', (size_t)k);
    sqlite3_result_text(ctx, b, (int)k, free);
}

static void fn_reverse(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    char *o = base_xmalloc(n + 1);
    size_t w = n;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && ((unsigned char)s[j] & 0xC0) == 0x80)
            j++;
        w -= j - i;
        memcpy(o + w, s + i, j - i);
        i = j;
    }
    sqlite3_result_text(ctx, o, (int)n, free);
}

static void fn_pad(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    for (int i = 0; i < 3; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            return;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    int64_t len = sqlite3_value_int64(argv[1]);
    const char *pad = (const char *)sqlite3_value_text(argv[2]);
    size_t np = (size_t)sqlite3_value_bytes(argv[2]);
    if (len < 0 || len > 1 << 20)
        return;
    int64_t cur = hsql_char_count(s, n);
    if (cur >= len) {
        sqlite3_result_text(ctx, s, (int)hsql_char_off(s, n, len), SQLITE_TRANSIENT);
        return;
    }
    if (np == 0)
        return;
    base_buf_t b;
    base_buf_init(&b);
    bool left = (intptr_t)sqlite3_user_data(ctx) == 0;
    if (!left)
        base_buf_append(&b, s, n);
    int64_t need = len - cur, pc = hsql_char_count(pad, np);
    while (need > 0) {
        int64_t take = need < pc ? need : pc;
        base_buf_append(&b, pad, hsql_char_off(pad, np, take));
        need -= take;
    }
    if (left)
        base_buf_append(&b, s, n);
    sqlite3_result_text(ctx, b.data, (int)b.len, SQLITE_TRANSIENT);
    base_buf_fini(&b);
}

static bool val_is_num(sqlite3_value *v)
{
    int t = sqlite3_value_type(v);
    return t == SQLITE_INTEGER || t == SQLITE_FLOAT;
}

static void fn_field(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    bool num = val_is_num(argv[0]);
    for (int i = 1; i < argc; i++) {
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            continue;
        bool eq;
        if (num && val_is_num(argv[i]))
            eq = sqlite3_value_double(argv[0]) == sqlite3_value_double(argv[i]);
        else if (num || val_is_num(argv[i]))
            eq = sqlite3_value_double(argv[0]) == sqlite3_value_double(argv[i]);
        else
            eq = hsql_ci_compare((const char *)sqlite3_value_text(argv[0]), sqlite3_value_bytes(argv[0]),
                                 (const char *)sqlite3_value_text(argv[i]), sqlite3_value_bytes(argv[i])) == 0;
        if (eq) {
            sqlite3_result_int(ctx, i);
            return;
        }
    }
    sqlite3_result_int(ctx, 0);
}

static void fn_find_in_set(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    const char *x = (const char *)sqlite3_value_text(argv[0]);
    int nx = sqlite3_value_bytes(argv[0]);
    const char *l = (const char *)sqlite3_value_text(argv[1]);
    int idx = 1;
    const char *p = l;
    for (;;) {
        const char *c = strchr(p, ',');
        int n = c ? (int)(c - p) : (int)strlen(p);
        if (hsql_ci_compare(p, n, x, nx) == 0 && !strchr(x, ',')) {
            sqlite3_result_int(ctx, idx);
            return;
        }
        if (!c)
            break;
        p = c + 1;
        idx++;
    }
    sqlite3_result_int(ctx, 0);
}

static void hexstr(const unsigned char *d, size_t n, char *o)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        o[2 * i] = h[d[i] >> 4];
        o[2 * i + 1] = h[d[i] & 15];
    }
    o[2 * n] = 0;
}

static void fn_digest(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    const void *d = sqlite3_value_type(argv[0]) == SQLITE_BLOB ? sqlite3_value_blob(argv[0])
                                                                : (const void *)sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    const EVP_MD *alg = (intptr_t)sqlite3_user_data(ctx) ? EVP_sha1() : EVP_md5();
    if (!EVP_Digest(d ? d : "", n, md, &mdlen, alg, NULL))
        return;
    char o[2 * EVP_MAX_MD_SIZE + 1];
    hexstr(md, mdlen, o);
    sqlite3_result_text(ctx, o, -1, SQLITE_TRANSIENT);
}

static void fn_rand(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    uint64_t x;
    if (argc > 0) {
        /* seeded: deterministic per seed */
        x = (uint64_t)sqlite3_value_int64(argv[0]) * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9ull;
        x ^= x >> 27;
    } else {
        sqlite3_randomness(sizeof x, &x);
    }
    sqlite3_result_double(ctx, (double)(x >> 11) / 9007199254740992.0);
}

static void fn_uuid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    unsigned char r[16];
    sqlite3_randomness(16, r);
    r[6] = (unsigned char)((r[6] & 0x0F) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3F) | 0x80);
    char o[40];
    snprintf(o, sizeof o, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0],
             r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14],
             r[15]);
    sqlite3_result_text(ctx, o, -1, SQLITE_TRANSIENT);
}

static void fn_isnull(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int(ctx, sqlite3_value_type(argv[0]) == SQLITE_NULL);
}

static void fn_strcmp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    int c = hsql_ci_compare((const char *)sqlite3_value_text(argv[0]), sqlite3_value_bytes(argv[0]),
                            (const char *)sqlite3_value_text(argv[1]), sqlite3_value_bytes(argv[1]));
    sqlite3_result_int(ctx, c < 0 ? -1 : c > 0);
}

static void fn_round(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    int d = argc > 1 ? sqlite3_value_int(argv[1]) : 0;
    int mode = (int)(intptr_t)sqlite3_user_data(ctx); /* 0 round, 1 floor, 2 ceil, 3 truncate */
    if (sqlite3_value_type(argv[0]) == SQLITE_INTEGER && d >= 0) {
        sqlite3_result_int64(ctx, sqlite3_value_int64(argv[0]));
        return;
    }
    double x = sqlite3_value_double(argv[0]);
    double m = m_pow(10.0, d);
    double r;
    switch (mode) {
    case 1: r = m_floor(x); break;
    case 2: r = m_ceil(x); break;
    case 3: r = m_trunc(x * m) / m; break;
    default: r = hsql_round_dec(x, d); break;
    }
    if ((mode == 1 || mode == 2 || (mode == 0 && d <= 0) || (mode == 3 && d <= 0)) &&
        m_fabs(r) < 9e18 && sqlite3_value_type(argv[0]) != SQLITE_FLOAT)
        sqlite3_result_int64(ctx, (sqlite3_int64)r);
    else if (mode == 1 || mode == 2)
        sqlite3_result_int64(ctx, (sqlite3_int64)r);
    else
        sqlite3_result_double(ctx, r);
}

static void fn_format(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    int d = argc > 1 ? sqlite3_value_int(argv[1]) : 0;
    if (d < 0)
        d = 0;
    if (d > 30)
        d = 30;
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%.*f", d, sqlite3_value_double(argv[0]));
    char o[200];
    const char *p = tmp;
    size_t w = 0;
    if (*p == '-')
        o[w++] = *p++;
    size_t intlen = strcspn(p, ".");
    for (size_t i = 0; i < intlen; i++) {
        o[w++] = p[i];
        if ((intlen - i - 1) % 3 == 0 && i + 1 < intlen)
            o[w++] = ',';
    }
    strcpy(o + w, p + intlen);
    sqlite3_result_text(ctx, o, -1, SQLITE_TRANSIENT);
}

static void fn_hex(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int t = sqlite3_value_type(argv[0]);
    if (t == SQLITE_NULL)
        return;
    if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
        char b[32];
        snprintf(b, sizeof b, "%llX", (unsigned long long)sqlite3_value_int64(argv[0]));
        sqlite3_result_text(ctx, b, -1, SQLITE_TRANSIENT);
        return;
    }
    const unsigned char *d = sqlite3_value_blob(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    char *o = base_xmalloc(2 * n + 1);
    hexstr(d ? d : (const unsigned char *)"", n, o);
    for (char *q = o; *q; q++)
        *q = (char)toupper((unsigned char)*q);
    sqlite3_result_text(ctx, o, (int)(2 * n), free);
}

static void fn_unhex(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    if (!s)
        return;
    size_t n = strlen(s);
    char *o = base_xmalloc(n / 2 + 2);
    size_t w = 0;
    for (size_t i = 0; i + 1 < n + 1 && i < n; i += 2) {
        if (!isxdigit((unsigned char)s[i]) || (i + 1 < n && !isxdigit((unsigned char)s[i + 1]))) {
            free(o);
            return;
        }
        char b[3] = {s[i], i + 1 < n ? s[i + 1] : '0', 0};
        o[w++] = (char)strtol(b, NULL, 16);
    }
    sqlite3_result_text(ctx, o, (int)w, free);
}

static void fn_ascii(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *s = sqlite3_value_text(argv[0]);
    if (!s)
        return;
    sqlite3_result_int(ctx, s[0]);
}

static void fn_char(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char *o = base_xmalloc((size_t)argc * 4 + 1);
    size_t w = 0;
    for (int i = 0; i < argc; i++) {
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            continue;
        uint32_t v = (uint32_t)sqlite3_value_int64(argv[i]);
        unsigned char b[4];
        int k = 0;
        do {
            b[k++] = (unsigned char)(v & 0xFF);
            v >>= 8;
        } while (v && k < 4);
        while (k)
            o[w++] = (char)b[--k];
    }
    sqlite3_result_text(ctx, o, (int)w, free);
}

static void fn_sleep(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    double d = sqlite3_value_double(argv[0]);
    if (d > 0 && d < 3600)
        usleep((useconds_t)(d * 1e6));
    sqlite3_result_int(ctx, 0);
}

static void fn_one(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_int(ctx, (int)(intptr_t)sqlite3_user_data(ctx));
}

static void fn_inet_aton(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    unsigned a, b, c, d;
    if (!s || sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4 || a > 255 || b > 255 || c > 255 || d > 255)
        return;
    sqlite3_result_int64(ctx, ((sqlite3_int64)a << 24) | (b << 16) | (c << 8) | d);
}


/* CAST(x AS SIGNED): numbers round half away from zero, text takes its integer prefix. */
static void fn_cast_int(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    switch (sqlite3_value_type(argv[0])) {
    case SQLITE_NULL: return;
    case SQLITE_INTEGER: sqlite3_result_int64(ctx, sqlite3_value_int64(argv[0])); return;
    case SQLITE_FLOAT: {
        double d = sqlite3_value_double(argv[0]);
        if (d >= 9.2e18 || d <= -9.2e18) {
            sqlite3_result_int64(ctx, d > 0 ? INT64_MAX : INT64_MIN);
            return;
        }
        sqlite3_result_int64(ctx, (sqlite3_int64)(d < 0 ? d - 0.5 : d + 0.5));
        return;
    }
    default: {
        const char *p = (const char *)sqlite3_value_text(argv[0]);
        sqlite3_result_int64(ctx, p ? strtoll(p, NULL, 10) : 0);
        return;
    }
    }
}

/* ---- GROUP_CONCAT(... ORDER BY ...) --------------------------------------------------------- */
/* SQLite 3.40's group_concat() takes no ORDER BY; this aggregate keeps the group's values with
 * their sort keys and orders them at the end: hsql_group_concat_ord(distinct, separator, value,
 * key1, desc1, key2, desc2, ...). NULL values are skipped; NULL keys sort first; text keys
 * compare under HCI; ties keep the order the rows came in. */
#define GC_MAXKEYS 8

typedef struct gc_item {
    char *val;
    size_t len;
    size_t seq;
    sqlite3_value *key[GC_MAXKEYS];
} gc_item_t;

typedef struct gc_state {
    gc_item_t *v;
    size_t n, cap;
    int nkeys;
    bool desc[GC_MAXKEYS], distinct;
    char *sep;
    size_t nsep;
} gc_state_t;

static int gc_key_cmp(sqlite3_value *a, sqlite3_value *b)
{
    int ta = sqlite3_value_type(a), tb = sqlite3_value_type(b);
    if (ta == SQLITE_NULL || tb == SQLITE_NULL)
        return (ta != SQLITE_NULL) - (tb != SQLITE_NULL);
    bool na = ta == SQLITE_INTEGER || ta == SQLITE_FLOAT, nb = tb == SQLITE_INTEGER || tb == SQLITE_FLOAT;
    if (na && nb) {
        if (ta == SQLITE_INTEGER && tb == SQLITE_INTEGER) {
            sqlite3_int64 x = sqlite3_value_int64(a), y = sqlite3_value_int64(b);
            return (x > y) - (x < y);
        }
        double x = sqlite3_value_double(a), y = sqlite3_value_double(b);
        return (x > y) - (x < y);
    }
    const char *x = (const char *)sqlite3_value_text(a), *y = (const char *)sqlite3_value_text(b);
    return hsql_ci_compare(x ? x : "", sqlite3_value_bytes(a), y ? y : "", sqlite3_value_bytes(b));
}

static int gc_item_cmp(const void *pa, const void *pb, void *arg)
{
    const gc_item_t *a = pa, *b = pb;
    const gc_state_t *g = arg;
    for (int k = 0; k < g->nkeys; k++) {
        int c = gc_key_cmp(a->key[k], b->key[k]);
        if (c)
            return g->desc[k] ? -c : c;
    }
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static void gc_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    gc_state_t *g = sqlite3_aggregate_context(ctx, sizeof *g);
    if (!g)
        return;
    if (argc < 3 || sqlite3_value_type(argv[2]) == SQLITE_NULL)
        return;
    if (!g->sep) {
        g->distinct = sqlite3_value_int(argv[0]) != 0;
        const char *sp = (const char *)sqlite3_value_text(argv[1]);
        g->nsep = sp ? (size_t)sqlite3_value_bytes(argv[1]) : 0;
        g->sep = base_xmalloc(g->nsep + 1);
        memcpy(g->sep, sp ? sp : "", g->nsep);
        g->nkeys = (argc - 3) / 2 < GC_MAXKEYS ? (argc - 3) / 2 : GC_MAXKEYS;
        for (int k = 0; k < g->nkeys; k++)
            g->desc[k] = sqlite3_value_int(argv[4 + 2 * k]) != 0;
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 16;
        g->v = base_xrealloc(g->v, g->cap * sizeof *g->v);
    }
    gc_item_t *it = &g->v[g->n];
    memset(it, 0, sizeof *it);
    const char *val = (const char *)sqlite3_value_text(argv[2]);
    it->len = (size_t)sqlite3_value_bytes(argv[2]);
    it->val = base_xmalloc(it->len + 1);
    memcpy(it->val, val ? val : "", it->len);
    it->seq = g->n;
    for (int k = 0; k < g->nkeys; k++)
        it->key[k] = sqlite3_value_dup(argv[3 + 2 * k]);
    g->n++;
}

static void gc_final(sqlite3_context *ctx)
{
    gc_state_t *g = sqlite3_aggregate_context(ctx, 0);
    if (!g || !g->n) {
        if (g)
            free(g->sep);
        sqlite3_result_null(ctx);
        return;
    }
    qsort_r(g->v, g->n, sizeof *g->v, gc_item_cmp, g);
    base_buf_t b;
    base_buf_init(&b);
    size_t kept = 0;
    for (size_t i = 0; i < g->n; i++) {
        bool dup = false;
        for (size_t j = 0; g->distinct && j < i && !dup; j++)
            dup = !hsql_ci_compare(g->v[i].val, (int)g->v[i].len, g->v[j].val, (int)g->v[j].len);
        if (!dup) {
            if (kept++)
                base_buf_append(&b, g->sep, g->nsep);
            base_buf_append(&b, g->v[i].val, g->v[i].len);
        }
    }
    sqlite3_result_text64(ctx, b.data ? (const char *)b.data : "", b.len, SQLITE_TRANSIENT,
                          SQLITE_UTF8);
    base_buf_fini(&b);
    for (size_t i = 0; i < g->n; i++) {
        free(g->v[i].val);
        for (int k = 0; k < g->nkeys; k++)
            sqlite3_value_free(g->v[i].key[k]);
    }
    free(g->v);
    free(g->sep);
}

/* hsql_decimal(x, m, d): CAST(x AS DECIMAL(m,d)): rounded to d places, clamped to m digits */
static void fn_decimal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    int m = sqlite3_value_int(argv[1]), d = sqlite3_value_int(argv[2]);
    bool over;
    double x = hsql_round_dec(sqlite3_value_double(argv[0]), d);
    sqlite3_result_double(ctx, hsql_decimal_clamp(x, m, d, &over));
}

/* ---- registration ------------------------------------------------------------------------ */
static const hsql_fdef_t k_str_fns[] = {
    {"hsql_cast_int", 1, fn_cast_int, 0, true},
    {"hsql_concat", -1, fn_concat, 0, true},
    {"hsql_concat_ws", -1, fn_concat_ws, 0, true},
    {"hsql_left", 2, fn_left_right, 0, true},
    {"hsql_right", 2, fn_left_right, 1, true},
    {"hsql_substring", 2, fn_substring, 0, true},
    {"hsql_substring", 3, fn_substring, 0, true},
    {"hsql_substring_index", 3, fn_substring_index, 0, true},
    {"hsql_octet_length", 1, fn_octet_length, 0, true},
    {"hsql_char_length", 1, fn_char_length, 0, true},
    {"hsql_bit_length", 1, fn_octet_length, 1, true},
    {"hsql_locate", 2, fn_locate, 0, true},
    {"hsql_locate", 3, fn_locate, 0, true},
    {"hsql_repeat", 2, fn_repeat, 0, true},
    {"hsql_space", 1, fn_space, 0, true},
    {"hsql_reverse", 1, fn_reverse, 0, true},
    {"hsql_lpad", 3, fn_pad, 0, true},
    {"hsql_rpad", 3, fn_pad, 1, true},
    {"hsql_field", -1, fn_field, 0, true},
    {"hsql_find_in_set", 2, fn_find_in_set, 0, true},
    {"hsql_md5", 1, fn_digest, 0, true},
    {"hsql_sha1", 1, fn_digest, 1, true},
    {"hsql_rand", 0, fn_rand, 0, false},
    {"hsql_rand", 1, fn_rand, 0, true},
    {"hsql_uuid", 0, fn_uuid, 0, false},
    {"hsql_isnull", 1, fn_isnull, 0, true},
    {"hsql_strcmp", 2, fn_strcmp, 0, true},
    {"hsql_decimal", 3, fn_decimal, 0, true},
    {"hsql_round", 1, fn_round, 0, true},
    {"hsql_round", 2, fn_round, 0, true},
    {"hsql_floor", 1, fn_round, 1, true},
    {"hsql_ceil", 1, fn_round, 2, true},
    {"hsql_truncate", 2, fn_round, 3, true},
    {"hsql_format", 2, fn_format, 0, true},
    {"hsql_format", 3, fn_format, 0, true},
    {"hsql_hex", 1, fn_hex, 0, true},
    {"hsql_unhex", 1, fn_unhex, 0, true},
    {"hsql_ascii", 1, fn_ascii, 0, true},
    {"hsql_char", -1, fn_char, 0, true},
    {"hsql_sleep", 1, fn_sleep, 0, false},
    {"hsql_get_lock", 1, fn_one, 1, false},
    {"hsql_get_lock", 2, fn_one, 1, false},
    {"hsql_release_lock", 1, fn_one, 1, false},
    {"hsql_benchmark", 2, fn_one, 0, false},
    {"hsql_inet_aton", 1, fn_inet_aton, 0, true},
};

int hsql_func_str_register(hsql_fholder_t *fh, sqlite3 *db)
{
    if (sqlite3_create_function_v2(db, "hsql_group_concat_ord", -1, SQLITE_UTF8, NULL, NULL,
                                   gc_step, gc_final, NULL) != SQLITE_OK)
        return -1;
    return hsql_fdefs_register(fh, db, k_str_fns, BASE_ARRAY_LEN(k_str_fns));
}

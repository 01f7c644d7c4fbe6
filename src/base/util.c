/* base/util.c — spans, number parsing and monotonic time. Layer: base. */
#include <harv/base.h>

#include <string.h>
#include <strings.h>
#include <time.h>

bool base_span_eq_ci(base_span_t s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && strncasecmp(s.p, lit, n) == 0;
}

bool base_span_eq(base_span_t s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.p, lit, n) == 0;
}

int base_parse_u64(base_span_t s, uint64_t max, uint64_t *out)
{
    if (s.len == 0)
        return BASE_ERROR;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned d = (unsigned char)s.p[i] - '0';
        if (d > 9)
            return BASE_ERROR;
        if (v > (max - d) / 10)
            return BASE_ERROR;
        v = v * 10 + d;
    }
    *out = v;
    return BASE_OK;
}

int base_parse_size(const char *s, uint64_t *out)
{
    size_t n = strlen(s), digits = 0;
    while (digits < n && s[digits] >= '0' && s[digits] <= '9')
        digits++;
    uint64_t mul = 1;
    const char *unit = s + digits;
    if (!strcasecmp(unit, "") || !strcasecmp(unit, "b"))
        mul = 1;
    else if (!strcasecmp(unit, "k") || !strcasecmp(unit, "kb") || !strcasecmp(unit, "kib"))
        mul = 1024;
    else if (!strcasecmp(unit, "m") || !strcasecmp(unit, "mb") || !strcasecmp(unit, "mib"))
        mul = 1024 * 1024;
    else if (!strcasecmp(unit, "g") || !strcasecmp(unit, "gb") || !strcasecmp(unit, "gib"))
        mul = 1024ull * 1024 * 1024;
    else
        return BASE_ERROR;
    uint64_t v;
    if (base_parse_u64((base_span_t){s, digits}, UINT64_MAX / mul, &v) != BASE_OK)
        return BASE_ERROR;
    *out = v * mul;
    return BASE_OK;
}

uint64_t base_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t base_now_ms(void) { return base_now_ns() / 1000000u; }

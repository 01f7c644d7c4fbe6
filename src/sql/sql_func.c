/* sql_func.c — MySQL functions registered on each session's SQLite connection (SQL side of
 * HarvSQL): date and time functions on MySQL's text forms (zero dates pass through), the
 * session functions (FOUND_ROWS, LAST_INSERT_ID, @@variables, the changed-row counters) and
 * hsql_cv(), MySQL's strict/non-strict conversion of inserted values. Collations, LIKE and
 * REGEXP are in sql_collate.c, string and numeric functions in sql_func_str.c. */
#include "sql_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>


/* ---- dates ------------------------------------------------------------------------------- */
typedef struct dt {
    int y, m, d, H, M, S;
    long us;
    bool has_time, has_date;
} dt_t;

static int days_in_month(int y, int m)
{
    static const int k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return m >= 1 && m <= 12 ? k[m - 1] : 31;
}

/* MySQL's date check outside strict mode: zero months and days are allowed (and zero dates),
 * a day past the end of its month is not ('2024-02-30' reads as NULL, as in MySQL). */
static bool dt_valid(const dt_t *o)
{
    return o->m >= 0 && o->m <= 12 && o->d >= 0 && o->d <= 31 &&
           (o->m == 0 || o->d <= days_in_month(o->y, o->m));
}

static bool parse_dt(sqlite3_value *v, dt_t *o)
{
    memset(o, 0, sizeof *o);
    int t = sqlite3_value_type(v);
    if (t == SQLITE_NULL)
        return false;
    if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
        /* 20240131 or 20240131123000 */
        long long n = sqlite3_value_int64(v);
        if (n > 10000000000LL) {
            o->S = (int)(n % 100);
            o->M = (int)(n / 100 % 100);
            o->H = (int)(n / 10000 % 100);
            n /= 1000000;
            o->has_time = true;
        }
        o->d = (int)(n % 100);
        o->m = (int)(n / 100 % 100);
        o->y = (int)(n / 10000);
        o->has_date = true;
        return dt_valid(o);
    }
    const char *s = (const char *)sqlite3_value_text(v);
    if (!s)
        return false;
    while (*s == ' ')
        s++;
    int n = 0;
    if (sscanf(s, "%d-%d-%d%n", &o->y, &o->m, &o->d, &n) == 3) {
        o->has_date = true;
        s += n;
        if (*s == ' ' || *s == 'T') {
            int k = 0;
            if (sscanf(s + 1, "%d:%d:%d%n", &o->H, &o->M, &o->S, &k) >= 2) {
                o->has_time = true;
                s += 1 + k;
                if (*s == '.') {
                    char frac[7] = "000000";
                    for (int i = 0; i < 6 && isdigit((unsigned char)s[1 + i]); i++)
                        frac[i] = s[1 + i];
                    o->us = atol(frac);
                }
            }
        }
        return dt_valid(o);
    }
    if (sscanf(s, "%d:%d:%d", &o->H, &o->M, &o->S) == 3) {
        o->has_time = true;
        return true;
    }
    return false;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

int hsql_tz_parse(const char *v, bool *system, int *offset)
{
    if (!strcasecmp(v, "SYSTEM")) {
        *system = true;
        *offset = 0;
        return 0;
    }
    *system = false;
    if (!strcasecmp(v, "UTC") || !strcasecmp(v, "GMT")) {
        *offset = 0;
        return 0;
    }
    int h, m, n = 0;
    if ((v[0] != '+' && v[0] != '-') || sscanf(v + 1, "%2d:%2d%n", &h, &m, &n) != 2 ||
        v[1 + n] || n < 4 || m > 59)
        return -1;
    int off = h * 3600 + m * 60;
    if (v[0] == '-')
        off = -off;
    if (off > 14 * 3600 || off < -(13 * 3600 + 59 * 60))
        return -1;
    *offset = off;
    return 0;
}

void hsql_session_tm(const hsql_session_t *s, time_t t, struct tm *tm)
{
    if (!s || s->tz_system) {
        localtime_r(&t, tm);
        return;
    }
    t += s->tz_offset;
    gmtime_r(&t, tm);
}

/* The session of a function registered with the connection's holder (data -1). */
static const hsql_session_t *fn_session(sqlite3_context *ctx)
{
    const hsql_fholder_t *fh = sqlite3_user_data(ctx);
    return fh ? fh->s : NULL;
}

static void fmt_now(const hsql_session_t *s, char *buf, size_t len, bool utc, int what)
{
    time_t now = time(NULL);
    struct tm tm;
    if (utc)
        gmtime_r(&now, &tm);
    else
        hsql_session_tm(s, now, &tm);
    if (what == 1)
        strftime(buf, len, "%Y-%m-%d", &tm);
    else if (what == 2)
        strftime(buf, len, "%H:%M:%S", &tm);
    else
        strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

/* UTC_TIMESTAMP/UTC_DATE/UTC_TIME (data 10, 11, 12) */
static void fn_now(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    char b[32];
    intptr_t w = (intptr_t)sqlite3_user_data(ctx);
    fmt_now(NULL, b, sizeof b, w >= 10, (int)(w % 10));
    sqlite3_result_text(ctx, b, -1, SQLITE_TRANSIENT);
}

/* NOW/CURDATE/CURTIME in the session's time zone */
static void local_now(sqlite3_context *ctx, int what)
{
    char b[32];
    fmt_now(fn_session(ctx), b, sizeof b, false, what);
    sqlite3_result_text(ctx, b, -1, SQLITE_TRANSIENT);
}

static void fn_local_now(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    local_now(ctx, 0);
}

static void fn_local_date(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    local_now(ctx, 1);
}

static void fn_local_time(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    local_now(ctx, 2);
}

static void result_dt(sqlite3_context *ctx, const dt_t *t, bool with_time)
{
    char b[64];
    if (with_time)
        snprintf(b, sizeof b, "%04d-%02d-%02d %02d:%02d:%02d", t->y, t->m, t->d, t->H, t->M, t->S);
    else
        snprintf(b, sizeof b, "%04d-%02d-%02d", t->y, t->m, t->d);
    sqlite3_result_text(ctx, b, -1, SQLITE_TRANSIENT);
}

enum { F_YEAR, F_MONTH, F_DAY, F_HOUR, F_MINUTE, F_SECOND, F_DOW, F_WEEKDAY, F_DOY, F_QUARTER,
       F_TO_DAYS, F_DATE, F_TIME, F_DATETIME, F_LAST_DAY, F_DAYNAME, F_MONTHNAME };

static void fn_part(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    dt_t t;
    if (!parse_dt(argv[0], &t))
        return;
    int w = (int)(intptr_t)sqlite3_user_data(ctx);
    static const char *const dn[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
                                     "Friday", "Saturday"};
    static const char *const mn[] = {"January", "February", "March", "April", "May", "June",
                                     "July", "August", "September", "October", "November",
                                     "December"};
    int64_t days = days_from_civil(t.y, t.m ? t.m : 1, t.d ? t.d : 1);
    int dow = (int)(((days % 7) + 11) % 7); /* 0 = Sunday; 1970-01-01 was Thursday */
    switch (w) {
    case F_YEAR: sqlite3_result_int(ctx, t.y); return;
    case F_MONTH: sqlite3_result_int(ctx, t.m); return;
    case F_DAY: sqlite3_result_int(ctx, t.d); return;
    case F_HOUR: sqlite3_result_int(ctx, t.H); return;
    case F_MINUTE: sqlite3_result_int(ctx, t.M); return;
    case F_SECOND: sqlite3_result_int(ctx, t.S); return;
    case F_DOW:
        if (!t.m)
            return;
        sqlite3_result_int(ctx, dow + 1);
        return;
    case F_WEEKDAY:
        if (!t.m)
            return;
        sqlite3_result_int(ctx, (dow + 6) % 7);
        return;
    case F_DOY:
        if (!t.m)
            return;
        sqlite3_result_int64(ctx, days - days_from_civil(t.y, 1, 1) + 1);
        return;
    case F_QUARTER: sqlite3_result_int(ctx, (t.m + 2) / 3); return;
    case F_TO_DAYS:
        if (!t.m)
            return;
        sqlite3_result_int64(ctx, days + 719528);
        return;
    case F_DATE:
        if (!t.has_date)
            return;
        result_dt(ctx, &t, false);
        return;
    case F_TIME: {
        char b[32];
        snprintf(b, sizeof b, "%02d:%02d:%02d", t.H, t.M, t.S);
        sqlite3_result_text(ctx, b, -1, SQLITE_TRANSIENT);
        return;
    }
    case F_DATETIME:
        if (!t.has_date)
            return;
        result_dt(ctx, &t, true);
        return;
    case F_LAST_DAY:
        if (!t.m)
            return;
        t.d = days_in_month(t.y, t.m);
        result_dt(ctx, &t, false);
        return;
    case F_DAYNAME:
        if (!t.m)
            return;
        sqlite3_result_text(ctx, dn[dow], -1, SQLITE_STATIC);
        return;
    case F_MONTHNAME:
        if (t.m < 1 || t.m > 12)
            return;
        sqlite3_result_text(ctx, mn[t.m - 1], -1, SQLITE_STATIC);
        return;
    }
}

/* MySQL WEEK(date, mode) for the common modes 0 (default), 1, 2, 3. */
static int week_of(const dt_t *t, int mode, int *year_out)
{
    bool monday = mode & 1;
    int64_t days = days_from_civil(t->y, t->m, t->d);
    int64_t jan1 = days_from_civil(t->y, 1, 1);
    int jan1_dow = (int)(((jan1 % 7) + 11) % 7); /* 0 Sunday */
    if (monday)
        jan1_dow = (jan1_dow + 6) % 7; /* 0 Monday */
    int yday = (int)(days - jan1);
    *year_out = t->y;
    if (mode == 3 || mode == 1) {
        /* ISO-like: week 1 has 4+ days in the year */
        int first = jan1_dow <= 3 ? -jan1_dow : 7 - jan1_dow;
        int w = (yday - first) / 7 + 1;
        if (yday < first) {
            if (mode == 1)
                return 0;
            dt_t prev = {t->y - 1, 12, 31, 0, 0, 0, 0, true, true};
            return week_of(&prev, mode, year_out);
        }
        return w;
    }
    int first = (7 - jan1_dow) % 7; /* first Sunday (or Monday) */
    if (yday < first) {
        if (mode == 0)
            return 0;
        dt_t prev = {t->y - 1, 12, 31, 0, 0, 0, 0, true, true};
        return week_of(&prev, mode, year_out);
    }
    return (yday - first) / 7 + 1;
}

static void fn_week(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    dt_t t;
    if (!parse_dt(argv[0], &t) || !t.m)
        return;
    int mode = argc > 1 ? sqlite3_value_int(argv[1]) : 0;
    int y;
    sqlite3_result_int(ctx, week_of(&t, mode & 3, &y));
}

static void fmt_date(base_buf_t *b, const dt_t *t, const char *f)
{
    static const char *const dn[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
                                     "Friday", "Saturday"};
    static const char *const mn[] = {"January", "February", "March", "April", "May", "June",
                                     "July", "August", "September", "October", "November",
                                     "December"};
    int64_t days = days_from_civil(t->y, t->m ? t->m : 1, t->d ? t->d : 1);
    int dow = (int)(((days % 7) + 11) % 7);
    int h12 = t->H % 12 == 0 ? 12 : t->H % 12;
    for (; *f; f++) {
        if (*f != '%' || !f[1]) {
            base_buf_append(b, f, 1);
            continue;
        }
        f++;
        int y;
        switch (*f) {
        case 'Y': base_buf_appendf(b, "%04d", t->y); break;
        case 'y': base_buf_appendf(b, "%02d", t->y % 100); break;
        case 'm': base_buf_appendf(b, "%02d", t->m); break;
        case 'c': base_buf_appendf(b, "%d", t->m); break;
        case 'd': base_buf_appendf(b, "%02d", t->d); break;
        case 'e': base_buf_appendf(b, "%d", t->d); break;
        case 'D': {
            const char *suf = (t->d % 10 == 1 && t->d != 11)   ? "st"
                              : (t->d % 10 == 2 && t->d != 12) ? "nd"
                              : (t->d % 10 == 3 && t->d != 13) ? "rd"
                                                               : "th";
            base_buf_appendf(b, "%d%s", t->d, suf);
            break;
        }
        case 'H': base_buf_appendf(b, "%02d", t->H); break;
        case 'k': base_buf_appendf(b, "%d", t->H); break;
        case 'h':
        case 'I': base_buf_appendf(b, "%02d", h12); break;
        case 'l': base_buf_appendf(b, "%d", h12); break;
        case 'i': base_buf_appendf(b, "%02d", t->M); break;
        case 's':
        case 'S': base_buf_appendf(b, "%02d", t->S); break;
        case 'f': base_buf_appendf(b, "%06ld", t->us); break;
        case 'p': base_buf_appendf(b, "%s", t->H < 12 ? "AM" : "PM"); break;
        case 'T': base_buf_appendf(b, "%02d:%02d:%02d", t->H, t->M, t->S); break;
        case 'r': base_buf_appendf(b, "%02d:%02d:%02d %s", h12, t->M, t->S, t->H < 12 ? "AM" : "PM"); break;
        case 'M': base_buf_appendf(b, "%s", t->m >= 1 && t->m <= 12 ? mn[t->m - 1] : ""); break;
        case 'b': base_buf_appendf(b, "%.3s", t->m >= 1 && t->m <= 12 ? mn[t->m - 1] : ""); break;
        case 'W': base_buf_appendf(b, "%s", dn[dow]); break;
        case 'a': base_buf_appendf(b, "%.3s", dn[dow]); break;
        case 'w': base_buf_appendf(b, "%d", dow); break;
        case 'j': base_buf_appendf(b, "%03d", (int)(days - days_from_civil(t->y, 1, 1) + 1)); break;
        case 'U': base_buf_appendf(b, "%02d", week_of(t, 0, &y)); break;
        case 'u': base_buf_appendf(b, "%02d", week_of(t, 1, &y)); break;
        case 'V': base_buf_appendf(b, "%02d", week_of(t, 2, &y)); break;
        case 'v': base_buf_appendf(b, "%02d", week_of(t, 3, &y)); break;
        case 'X': week_of(t, 2, &y); base_buf_appendf(b, "%04d", y); break;
        case 'x': week_of(t, 3, &y); base_buf_appendf(b, "%04d", y); break;
        default: base_buf_append(b, f, 1); break;
        }
    }
}

static void fn_date_format(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    dt_t t;
    const char *f = (const char *)sqlite3_value_text(argv[1]);
    if (!f || !parse_dt(argv[0], &t))
        return;
    base_buf_t b;
    base_buf_init(&b);
    fmt_date(&b, &t, f);
    sqlite3_result_text(ctx, b.data ? b.data : "", (int)b.len, SQLITE_TRANSIENT);
    base_buf_fini(&b);
}

static int64_t dt_to_unix_local(const hsql_session_t *s, const dt_t *t)
{
    if (s && !s->tz_system)
        return (days_from_civil(t->y, t->m, t->d) * 86400 + t->H * 3600 + t->M * 60 + t->S) -
               s->tz_offset;
    struct tm tm = {0};
    tm.tm_year = t->y - 1900;
    tm.tm_mon = t->m - 1;
    tm.tm_mday = t->d;
    tm.tm_hour = t->H;
    tm.tm_min = t->M;
    tm.tm_sec = t->S;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static void fn_unix_timestamp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (argc == 0) {
        sqlite3_result_int64(ctx, (sqlite3_int64)time(NULL));
        return;
    }
    dt_t t;
    if (!parse_dt(argv[0], &t))
        return;
    if (!t.m) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    sqlite3_result_int64(ctx, dt_to_unix_local(fn_session(ctx), &t));
}

static void fn_from_unixtime(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    time_t ts = (time_t)sqlite3_value_int64(argv[0]);
    struct tm tm;
    hsql_session_tm(fn_session(ctx), ts, &tm);
    dt_t t = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, 0,
              true, true};
    if (argc > 1) {
        const char *f = (const char *)sqlite3_value_text(argv[1]);
        base_buf_t b;
        base_buf_init(&b);
        fmt_date(&b, &t, f ? f : "");
        sqlite3_result_text(ctx, b.data ? b.data : "", (int)b.len, SQLITE_TRANSIENT);
        base_buf_fini(&b);
        return;
    }
    result_dt(ctx, &t, true);
}

static int unit_code(const char *u)
{
    static const char *const k[] = {"MICROSECOND", "SECOND", "MINUTE", "HOUR", "DAY",
                                    "WEEK", "MONTH", "QUARTER", "YEAR"};
    for (int i = 0; i < 9; i++)
        if (!strcasecmp(u, k[i]))
            return i;
    return -1;
}

static bool dt_add(dt_t *t, double n, int unit)
{
    if (!t->m && t->has_date)
        return false;
    int64_t days = t->has_date ? days_from_civil(t->y, t->m, t->d) : 0;
    int64_t secs = (int64_t)t->H * 3600 + t->M * 60 + t->S;
    long long v = (long long)(n < 0 ? -hsql_floor(-n + 0.5) : hsql_floor(n + 0.5));
    switch (unit) {
    case 0: secs += v / 1000000; break;
    case 1: secs += v; break;
    case 2: secs += v * 60; break;
    case 3: secs += v * 3600; break;
    case 4: days += v; break;
    case 5: days += v * 7; break;
    case 6:
    case 7:
    case 8: {
        long long months = unit == 6 ? v : unit == 7 ? v * 3 : v * 12;
        long long tot = (long long)t->y * 12 + (t->m - 1) + months;
        t->y = (int)(tot / 12);
        t->m = (int)(tot % 12) + 1;
        int dim = days_in_month(t->y, t->m);
        if (t->d > dim)
            t->d = dim;
        return true;
    }
    default: return false;
    }
    int64_t carry = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    secs -= carry * 86400;
    days += carry;
    civil_from_days(days, &t->y, &t->m, &t->d);
    t->H = (int)(secs / 3600);
    t->M = (int)(secs / 60 % 60);
    t->S = (int)(secs % 60);
    return true;
}

static void fn_date_add(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    dt_t t;
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL || !parse_dt(argv[0], &t))
        return;
    const char *u = (const char *)sqlite3_value_text(argv[2]);
    int unit = u ? unit_code(u) : -1;
    double n = sqlite3_value_double(argv[1]);
    if ((intptr_t)sqlite3_user_data(ctx))
        n = -n;
    if (!dt_add(&t, n, unit))
        return;
    result_dt(ctx, &t, t.has_time || unit <= 3);
}

static void fn_datediff(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    dt_t a, b;
    if (!parse_dt(argv[0], &a) || !parse_dt(argv[1], &b) || !a.m || !b.m)
        return;
    sqlite3_result_int64(ctx, days_from_civil(a.y, a.m, a.d) - days_from_civil(b.y, b.m, b.d));
}

static void fn_timestampdiff(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    dt_t a, b;
    const char *u = (const char *)sqlite3_value_text(argv[0]);
    if (!u || !parse_dt(argv[1], &a) || !parse_dt(argv[2], &b))
        return;
    int unit = unit_code(u);
    int64_t sa = days_from_civil(a.y, a.m ? a.m : 1, a.d ? a.d : 1) * 86400 + a.H * 3600 + a.M * 60 + a.S;
    int64_t sb = days_from_civil(b.y, b.m ? b.m : 1, b.d ? b.d : 1) * 86400 + b.H * 3600 + b.M * 60 + b.S;
    int64_t d = sb - sa;
    switch (unit) {
    case 0: sqlite3_result_int64(ctx, d * 1000000); return;
    case 1: sqlite3_result_int64(ctx, d); return;
    case 2: sqlite3_result_int64(ctx, d / 60); return;
    case 3: sqlite3_result_int64(ctx, d / 3600); return;
    case 4: sqlite3_result_int64(ctx, d / 86400); return;
    case 5: sqlite3_result_int64(ctx, d / 604800); return;
    case 6:
    case 7:
    case 8: {
        int64_t months = (int64_t)(b.y - a.y) * 12 + (b.m - a.m);
        int64_t ra = (int64_t)a.d * 86400 + a.H * 3600 + a.M * 60 + a.S;
        int64_t rb = (int64_t)b.d * 86400 + b.H * 3600 + b.M * 60 + b.S;
        if (months > 0 && rb < ra)
            months--;
        else if (months < 0 && rb > ra)
            months++;
        sqlite3_result_int64(ctx, unit == 6 ? months : unit == 7 ? months / 3 : months / 12);
        return;
    }
    }
}

static void fn_timestampadd(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    dt_t t;
    const char *u = (const char *)sqlite3_value_text(argv[0]);
    if (!u || !parse_dt(argv[2], &t))
        return;
    int unit = unit_code(u);
    if (!dt_add(&t, sqlite3_value_double(argv[1]), unit))
        return;
    result_dt(ctx, &t, t.has_time || unit <= 3);
}

static void fn_extract(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    dt_t t;
    const char *u = (const char *)sqlite3_value_text(argv[0]);
    if (!u || !parse_dt(argv[1], &t))
        return;
    int y;
    switch (unit_code(u)) {
    case 0: sqlite3_result_int64(ctx, t.us); return;
    case 1: sqlite3_result_int(ctx, t.S); return;
    case 2: sqlite3_result_int(ctx, t.M); return;
    case 3: sqlite3_result_int(ctx, t.H); return;
    case 4: sqlite3_result_int(ctx, t.d); return;
    case 5: sqlite3_result_int(ctx, week_of(&t, 0, &y)); return;
    case 6: sqlite3_result_int(ctx, t.m); return;
    case 7: sqlite3_result_int(ctx, (t.m + 2) / 3); return;
    case 8: sqlite3_result_int(ctx, t.y); return;
    }
    if (!strcasecmp(u, "YEAR_MONTH"))
        sqlite3_result_int(ctx, t.y * 100 + t.m);
}

static void fn_str_to_date(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    const char *f = (const char *)sqlite3_value_text(argv[1]);
    if (!s || !f)
        return;
    dt_t t = {0};
    bool tm = false;
    while (*f && *s) {
        if (*f == '%' && f[1]) {
            f++;
            char *end;
            long v = strtol(s, &end, 10);
            if (end == s)
                return;
            switch (*f) {
            case 'Y': t.y = (int)v; break;
            case 'y': t.y = (int)(v < 70 ? 2000 + v : 1900 + v); break;
            case 'm':
            case 'c': t.m = (int)v; break;
            case 'd':
            case 'e': t.d = (int)v; break;
            case 'H':
            case 'k': t.H = (int)v; tm = true; break;
            case 'i': t.M = (int)v; tm = true; break;
            case 's':
            case 'S': t.S = (int)v; tm = true; break;
            default: return;
            }
            s = end;
            f++;
        } else {
            if (*f != *s)
                return;
            f++;
            s++;
        }
    }
    result_dt(ctx, &t, tm);
}

/* ---- session functions ------------------------------------------------------------------- */
static void fn_found_rows(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    sqlite3_result_int64(ctx, s->found_rows);
}

static void fn_last_insert_id(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    if (argc > 0) {
        if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
            return;
        s->last_insert_id = sqlite3_value_int64(argv[0]);
    }
    sqlite3_result_int64(ctx, s->last_insert_id);
}

static void fn_row_count(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    sqlite3_result_int64(ctx, s->row_count);
}

static void fn_database(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    if (s->dbname)
        sqlite3_result_text(ctx, s->dbname, -1, SQLITE_TRANSIENT);
}

static void fn_version(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    sqlite3_result_text(ctx, s->eng->version, -1, SQLITE_TRANSIENT);
}

static void fn_user(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    char b[200];
    char host[80];
    snprintf(host, sizeof host, "%s", s->host);
    char *colon = strrchr(host, ':');
    if (colon && strchr(host, '.'))
        *colon = 0;
    snprintf(b, sizeof b, "%s@%s", s->user, host[0] ? host : "localhost");
    sqlite3_result_text(ctx, b, -1, SQLITE_TRANSIENT);
}

static void fn_connection_id(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    sqlite3_result_int64(ctx, s->id);
}

static void result_var(sqlite3_context *ctx, const char *v)
{
    if (!v)
        return;
    if (!strcmp(v, "ON") || !strcmp(v, "OFF")) {
        sqlite3_result_int(ctx, v[1] == 'N');
        return;
    }
    const char *p = v;
    if (*p == '-')
        p++;
    bool num = *p != 0 && strlen(p) < 19;
    for (const char *q = p; *q && num; q++)
        if (!isdigit((unsigned char)*q))
            num = false;
    if (num)
        sqlite3_result_int64(ctx, strtoll(v, NULL, 10));
    else
        sqlite3_result_text(ctx, v, -1, SQLITE_TRANSIENT);
}

static void fn_sysvar(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    const char *n = (const char *)sqlite3_value_text(argv[0]);
    result_var(ctx, n ? hsql_var_get(s, n, false) : NULL);
}

static void fn_gvar(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    const char *n = (const char *)sqlite3_value_text(argv[0]);
    result_var(ctx, n ? hsql_var_get(s, n, true) : NULL);
}

static void fn_uvar(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    const char *n = (const char *)sqlite3_value_text(argv[0]);
    if (!n)
        return;
    char key[200];
    snprintf(key, sizeof key, "@%s", n);
    for (hsql_var_t *v = s->vars; v; v = v->next)
        if (!strcmp(v->name, key)) {
            if (v->val)
                result_var(ctx, v->val);
            return;
        }
}

static void fn_chg(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    if (sqlite3_value_int(argv[1]))
        s->cnt_chg++;
    sqlite3_result_value(ctx, argv[0]);
}

/* hsql_odku(new value, changed?, id of the existing row, ...) */
static void fn_odku(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    s->cnt_upd++;
    if (argc > 2 && sqlite3_value_type(argv[1]) == SQLITE_INTEGER)
        s->odku_id = sqlite3_value_int64(argv[1]);
    if (sqlite3_value_int(argv[argc > 2 ? 2 : 1]))
        s->cnt_chg++;
    sqlite3_result_value(ctx, argv[0]);
}


/* ---- value conversion for INSERT/UPDATE (MySQL's strict and non-strict modes) ------------- */
static void cv_error(sqlite3_context *ctx, unsigned code, const char *state, const char *msg)
{
    char b[400];
    snprintf(b, sizeof b, "hsql:%u:%s:%s", code, state, msg);
    sqlite3_result_error(ctx, b, -1);
}

static bool parse_int_text(const char *s, int64_t *out, bool *partial)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    *partial = false;
    if (end == s) {
        *out = 0;
        *partial = true;
        return false;
    }
    while (*end == ' ')
        end++;
    if (*end)
        *partial = true;
    if (d > 9.2e18)
        d = 9.2e18;
    if (d < -9.2e18)
        d = -9.2e18;
    *out = (int64_t)(d < 0 ? d - 0.5 : d + 0.5);
    if (!strchr(s, '.') && !strchr(s, 'e') && !strchr(s, 'E')) {
        long long v = strtoll(s, NULL, 10);
        if (errno != ERANGE)
            *out = v;
    }
    return true;
}

static bool valid_dt_text(const char *s, int cls, char *norm, size_t cap)
{
    int y, m, d, H = 0, M = 0, S = 0, n = 0;
    if (cls == HSQL_CLS_TIME) {
        if (sscanf(s, "%d:%d:%d%n", &H, &M, &S, &n) >= 2) {
            snprintf(norm, cap, "%02d:%02d:%02d", H, M, S);
            return true;
        }
        return false;
    }
    if (sscanf(s, "%d-%d-%d%n", &y, &m, &d, &n) != 3)
        return false;
    const char *r = s + n;
    if (*r == ' ' || *r == 'T') {
        int k = 0;
        if (sscanf(r + 1, "%d:%d:%d%n", &H, &M, &S, &k) < 2)
            return false;
        r += 1 + k;
        if (*r == '.')
            for (r++; isdigit((unsigned char)*r); r++)
                ;
    }
    while (*r == ' ')
        r++;
    if (*r)
        return false;
    bool zero = y == 0 && m == 0 && d == 0;
    if (!zero && (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) || H > 23 || M > 59 || S > 59))
        return false;
    if (cls == HSQL_CLS_DATE)
        snprintf(norm, cap, "%04d-%02d-%02d", y, m, d);
    else
        snprintf(norm, cap, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, H, M, S);
    return true;
}

static void fn_cv(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    hsql_session_t *s = HSQL_FN_SESSION(ctx);
    sqlite3_value *v = argv[0];
    int t = sqlite3_value_type(v);
    if (t == SQLITE_NULL)
        return;
    int cls = sqlite3_value_int(argv[1]);
    int mtype = sqlite3_value_int(argv[2]);
    int64_t maxlen = sqlite3_value_int64(argv[3]);
    bool uns = sqlite3_value_int(argv[4]);
    const char *col = (const char *)sqlite3_value_text(argv[6]);
    int row = sqlite3_value_int(argv[7]);
    char msg[300];
    switch (cls) {
    case HSQL_CLS_TEXT:
    case HSQL_CLS_ENUM:
    case HSQL_CLS_BLOB: {
        if (t != SQLITE_TEXT && t != SQLITE_BLOB) {
            sqlite3_result_value(ctx, v);
            if (cls == HSQL_CLS_BLOB || maxlen == 0)
                return;
            sqlite3_value_text(v);
        }
        const char *p = cls == HSQL_CLS_BLOB ? (const char *)sqlite3_value_blob(v)
                                             : (const char *)sqlite3_value_text(v);
        int64_t nb = sqlite3_value_bytes(v);
        bool bytes = cls == HSQL_CLS_BLOB || mtype == HSQL_TYPE_BLOB || mtype == HSQL_TYPE_JSON;
        int64_t len = bytes ? nb : hsql_char_count(p ? p : "", (size_t)nb);
        if (maxlen > 0 && len > maxlen) {
            if (s->strict) {
                snprintf(msg, sizeof msg, "Data too long for column '%s' at row %d", col, row);
                cv_error(ctx, 1406, "22001", msg);
                return;
            }
            hsql_warn_add(s, "Warning", 1265, "Data truncated for column '%s' at row %d", col, row);
            size_t cut = bytes ? (size_t)maxlen : hsql_char_off(p, (size_t)nb, maxlen);
            if (cls == HSQL_CLS_BLOB)
                sqlite3_result_blob(ctx, p, (int)cut, SQLITE_TRANSIENT);
            else
                sqlite3_result_text(ctx, p, (int)cut, SQLITE_TRANSIENT);
            return;
        }
        sqlite3_result_value(ctx, v);
        return;
    }
    case HSQL_CLS_INT:
    case HSQL_CLS_YEAR:
    case HSQL_CLS_BIT: {
        int64_t x;
        bool bad = false, partial = false;
        if (t == SQLITE_INTEGER)
            x = sqlite3_value_int64(v);
        else if (t == SQLITE_FLOAT) {
            double d = sqlite3_value_double(v);
            x = (int64_t)(d < 0 ? d - 0.5 : d + 0.5);
        } else {
            const char *p = (const char *)sqlite3_value_text(v);
            bad = !parse_int_text(p ? p : "", &x, &partial);
            if (bad || partial) {
                if (s->strict && !bad) { /* '7abc': a number, then more */
                    snprintf(msg, sizeof msg, "Data truncated for column '%s' at row %d", col, row);
                    cv_error(ctx, 1265, "01000", msg);
                    return;
                }
                if (s->strict) {
                    snprintf(msg, sizeof msg, "Incorrect integer value: '%.64s' for column '%s' at row %d",
                             p ? p : "", col, row);
                    cv_error(ctx, 1366, "HY000", msg);
                    return;
                }
                hsql_warn_add(s, "Warning", bad ? 1366 : 1265,
                              bad ? "Incorrect integer value: '%.64s' for column '%s' at row %d"
                                  : "Data truncated for column '%.64s%s' at row %d",
                              bad ? (p ? p : "") : "", col, row);
            }
        }
        int64_t lo, hi;
        switch (mtype) {
        case HSQL_TYPE_TINY: lo = uns ? 0 : -128; hi = uns ? 255 : 127; break;
        case HSQL_TYPE_SHORT: lo = uns ? 0 : -32768; hi = uns ? 65535 : 32767; break;
        case HSQL_TYPE_INT24: lo = uns ? 0 : -8388608; hi = uns ? 16777215 : 8388607; break;
        case HSQL_TYPE_LONG: lo = uns ? 0 : -2147483648LL; hi = uns ? 4294967295LL : 2147483647LL; break;
        default: lo = uns ? 0 : INT64_MIN; hi = INT64_MAX; break;
        }
        if (x < lo || x > hi) {
            if (s->strict) {
                snprintf(msg, sizeof msg, "Out of range value for column '%s' at row %d", col, row);
                cv_error(ctx, 1264, "22003", msg);
                return;
            }
            hsql_warn_add(s, "Warning", 1264, "Out of range value for column '%s' at row %d", col, row);
            x = x < lo ? lo : hi;
        }
        sqlite3_result_int64(ctx, x);
        return;
    }
    case HSQL_CLS_REAL:
    case HSQL_CLS_DECIMAL: {
        double d;
        if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
            d = sqlite3_value_double(v);
        } else {
            const char *p = (const char *)sqlite3_value_text(v);
            char *end;
            d = strtod(p ? p : "", &end);
            while (end && *end == ' ')
                end++;
            if (!p || end == p || (end && *end)) {
                bool bad = !p || end == p; /* no number at all, else '7abc': a number, then more */
                const char *what = cls == HSQL_CLS_DECIMAL ? "decimal" : "double";
                if (s->strict && !bad) {
                    snprintf(msg, sizeof msg, "Data truncated for column '%s' at row %d", col, row);
                    cv_error(ctx, 1265, "01000", msg);
                    return;
                }
                if (s->strict) {
                    snprintf(msg, sizeof msg, "Incorrect %s value: '%.64s' for column '%s' at row %d",
                             what, p ? p : "", col, row);
                    cv_error(ctx, 1366, "HY000", msg);
                    return;
                }
                if (bad)
                    hsql_warn_add(s, "Warning", 1366,
                                  "Incorrect %s value: '%.64s' for column '%s' at row %d", what,
                                  p ? p : "", col, row);
                else
                    hsql_warn_add(s, "Warning", 1265, "Data truncated for column '%s' at row %d",
                                  col, row);
            }
        }
        if (uns && d < 0) {
            if (s->strict) {
                snprintf(msg, sizeof msg, "Out of range value for column '%s' at row %d", col, row);
                cv_error(ctx, 1264, "22003", msg);
                return;
            }
            hsql_warn_add(s, "Warning", 1264, "Out of range value for column '%s' at row %d", col, row);
            d = 0;
        }
        if (cls == HSQL_CLS_DECIMAL) {
            int dec = sqlite3_value_int(argv[5]);
            bool over;
            d = hsql_decimal_clamp(hsql_round_dec(d, dec), sqlite3_value_int(argv[3]), dec, &over);
            if (over) { /* past DECIMAL(m,d)'s digits: its largest value, as MySQL */
                if (s->strict) {
                    snprintf(msg, sizeof msg, "Out of range value for column '%s' at row %d", col,
                             row);
                    cv_error(ctx, 1264, "22003", msg);
                    return;
                }
                hsql_warn_add(s, "Warning", 1264, "Out of range value for column '%s' at row %d",
                              col, row);
            }
        }
        sqlite3_result_double(ctx, d);
        return;
    }
    case HSQL_CLS_DATE:
    case HSQL_CLS_DATETIME:
    case HSQL_CLS_TIME: {
        const char *p = (const char *)sqlite3_value_text(v);
        char norm[64];
        if (t == SQLITE_TEXT && valid_dt_text(p ? p : "", cls, norm, sizeof norm)) {
            if (s->strict && !strncmp(norm, "0000-00-00", 10) && cls != HSQL_CLS_TIME) {
                const char *m = hsql_var_get(s, "sql_mode", false);
                if (m && strstr(m, "NO_ZERO_DATE")) {
                    snprintf(msg, sizeof msg, "Incorrect %s value: '%.64s' for column '%s' at row %d",
                             cls == HSQL_CLS_DATE ? "date" : "datetime", p, col, row);
                    cv_error(ctx, 1292, "22007", msg);
                    return;
                }
            }
            sqlite3_result_text(ctx, norm, -1, SQLITE_TRANSIENT);
            return;
        }
        if (t == SQLITE_INTEGER) {
            dt_t d;
            if (parse_dt(v, &d)) {
                snprintf(norm, sizeof norm, "%04d-%02d-%02d %02d:%02d:%02d", d.y, d.m, d.d, d.H, d.M, d.S);
                if (valid_dt_text(norm, cls, norm, sizeof norm)) {
                    sqlite3_result_text(ctx, norm, -1, SQLITE_TRANSIENT);
                    return;
                }
            }
        }
        if (s->strict) {
            snprintf(msg, sizeof msg, "Incorrect %s value: '%.64s' for column '%s' at row %d",
                     cls == HSQL_CLS_DATE ? "date" : cls == HSQL_CLS_TIME ? "time" : "datetime",
                     p ? p : "", col, row);
            cv_error(ctx, 1292, "22007", msg);
            return;
        }
        hsql_warn_add(s, "Warning", 1265, "Data truncated for column '%s' at row %d", col, row);
        sqlite3_result_text(ctx, cls == HSQL_CLS_DATE ? "0000-00-00" : cls == HSQL_CLS_TIME ? "00:00:00"
                                                                                          : "0000-00-00 00:00:00",
                            -1, SQLITE_STATIC);
        return;
    }
    default: sqlite3_result_value(ctx, v); return;
    }
}

/* ---- registration ------------------------------------------------------------------------ */
static const hsql_fdef_t k_fns[] = {
    {"hsql_now", 0, fn_local_now, -1, false},
    {"hsql_curdate", 0, fn_local_date, -1, false},
    {"hsql_curtime", 0, fn_local_time, -1, false},
    {"hsql_utc_timestamp", 0, fn_now, 10, false},
    {"hsql_utc_date", 0, fn_now, 11, false},
    {"hsql_utc_time", 0, fn_now, 12, false},
    {"hsql_now", 1, fn_local_now, -1, false},
    {"hsql_year", 1, fn_part, F_YEAR, true},
    {"hsql_month", 1, fn_part, F_MONTH, true},
    {"hsql_dayofmonth", 1, fn_part, F_DAY, true},
    {"hsql_hour", 1, fn_part, F_HOUR, true},
    {"hsql_minute", 1, fn_part, F_MINUTE, true},
    {"hsql_second", 1, fn_part, F_SECOND, true},
    {"hsql_dayofweek", 1, fn_part, F_DOW, true},
    {"hsql_weekday", 1, fn_part, F_WEEKDAY, true},
    {"hsql_dayofyear", 1, fn_part, F_DOY, true},
    {"hsql_quarter", 1, fn_part, F_QUARTER, true},
    {"hsql_to_days", 1, fn_part, F_TO_DAYS, true},
    {"hsql_date", 1, fn_part, F_DATE, true},
    {"hsql_time", 1, fn_part, F_TIME, true},
    {"hsql_datetime", 1, fn_part, F_DATETIME, true},
    {"hsql_last_day", 1, fn_part, F_LAST_DAY, true},
    {"hsql_dayname", 1, fn_part, F_DAYNAME, true},
    {"hsql_monthname", 1, fn_part, F_MONTHNAME, true},
    {"hsql_week", 1, fn_week, 0, true},
    {"hsql_week", 2, fn_week, 0, true},
    {"hsql_date_format", 2, fn_date_format, 0, true},
    {"hsql_unix_timestamp", 0, fn_unix_timestamp, -1, false},
    {"hsql_unix_timestamp", 1, fn_unix_timestamp, -1, false},
    {"hsql_from_unixtime", 1, fn_from_unixtime, -1, false},
    {"hsql_from_unixtime", 2, fn_from_unixtime, -1, false},
    {"hsql_date_add", 3, fn_date_add, 0, true},
    {"hsql_date_sub", 3, fn_date_add, 1, true},
    {"hsql_datediff", 2, fn_datediff, 0, true},
    {"hsql_timestampdiff", 3, fn_timestampdiff, 0, true},
    {"hsql_timestampadd", 3, fn_timestampadd, 0, true},
    {"hsql_extract", 2, fn_extract, 0, true},
    {"hsql_str_to_date", 2, fn_str_to_date, 0, true},
    {"hsql_found_rows", 0, fn_found_rows, -1, false},
    {"hsql_last_insert_id", 0, fn_last_insert_id, -1, false},
    {"hsql_last_insert_id", 1, fn_last_insert_id, -1, false},
    {"hsql_row_count", 0, fn_row_count, -1, false},
    {"hsql_database", 0, fn_database, -1, false},
    {"hsql_version", 0, fn_version, -1, false},
    {"hsql_user", 0, fn_user, -1, false},
    {"hsql_connection_id", 0, fn_connection_id, -1, false},
    {"hsql_sysvar", 1, fn_sysvar, -1, false},
    {"hsql_gvar", 1, fn_gvar, -1, false},
    {"hsql_uvar", 1, fn_uvar, -1, false},
    {"hsql_chg", 2, fn_chg, -1, false},
    {"hsql_odku", 2, fn_odku, -1, false}, {"hsql_odku", 3, fn_odku, -1, false},
    {"hsql_cv", 8, fn_cv, -1, false},
};

int hsql_fdefs_register(hsql_fholder_t *fh, sqlite3 *db, const hsql_fdef_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        void *ud = f[i].data == -1 ? (void *)fh : (void *)f[i].data;
        int flags = SQLITE_UTF8 | (f[i].det ? SQLITE_DETERMINISTIC : 0);
        if (sqlite3_create_function_v2(db, f[i].name, f[i].nargs, flags, ud, f[i].fn, NULL, NULL,
                                       NULL) != SQLITE_OK)
            return -1;
    }
    return 0;
}

int hsql_func_register(hsql_fholder_t *fh, sqlite3 *db)
{
    if (hsql_collate_register(fh, db) < 0 || hsql_func_str_register(fh, db) < 0)
        return -1;
    return hsql_fdefs_register(fh, db, k_fns, BASE_ARRAY_LEN(k_fns));
}

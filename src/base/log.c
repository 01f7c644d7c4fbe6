/* base/log.c — leveled log lines, one write(2) each so concurrent threads and processes
 * sharing a descriptor never interleave inside a line. Layer: base. */
#include <harv/base.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static base_log_level_t log_level = BASE_LOG_INFO;
static int log_fd = 2;
static char log_prefix[32] = "harv";

static const char *const level_names[] = {"debug", "info", "warn", "error", "alert", "off"};

void base_log_set_level(base_log_level_t level) { log_level = level; }
base_log_level_t base_log_get_level(void) { return log_level; }
void base_log_set_fd(int fd) { log_fd = fd; }

void base_log_set_prefix(const char *prefix)
{
    snprintf(log_prefix, sizeof log_prefix, "%s", prefix);
}

int base_log_parse_level(const char *name, base_log_level_t *out)
{
    for (size_t i = 0; i < BASE_ARRAY_LEN(level_names); i++) {
        if (!strcasecmp(name, level_names[i])) {
            *out = (base_log_level_t)i;
            return BASE_OK;
        }
    }
    return BASE_ERROR;
}

void base_vlog(base_log_level_t level, const char *comp, const char *fmt, va_list ap)
{
    if (level < log_level || level >= BASE_LOG_OFF)
        return;
    char line[2048];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%d] %s %s: ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, log_prefix, (int)getpid(),
                     level_names[level], comp ? comp : "-");
    if (n < 0)
        return;
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : BASE_MIN((size_t)m, sizeof line - (size_t)n - 2));
    line[len++] = '\n';
    ssize_t w = write(log_fd, line, len);
    (void)w;
}

void base_log(base_log_level_t level, const char *comp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    base_vlog(level, comp, fmt, ap);
    va_end(ap);
}

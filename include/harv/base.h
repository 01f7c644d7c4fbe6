/* base: the shared vocabulary of every Harv component — error codes, byte spans, the
 * out-of-memory hook, arenas, growable buffers with caps, monotonic time and logging.
 * Layer: the bottom; depends only on libc. */
#ifndef HARV_BASE_H
#define HARV_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- error codes: int returns, 0 OK, negative failure ---------------------------------- */
enum {
    BASE_OK = 0,
    BASE_ERROR = -1,    /* failed; details in an out-param or the log */
    BASE_AGAIN = -2,    /* incomplete input / would block: call again with more */
    BASE_DECLINED = -3, /* not mine: let the next handler try */
    BASE_LIMIT = -4,    /* a named limit sized by untrusted input was hit */
    BASE_NOMEM = -5,    /* allocation sized by untrusted input failed */
};

#define BASE_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BASE_MIN(a, b) ((a) < (b) ? (a) : (b))
#define BASE_MAX(a, b) ((a) > (b) ? (a) : (b))
#define BASE_LIKELY(x) __builtin_expect(!!(x), 1)
#define BASE_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* A view of bytes owned by someone else (the caller's buffer). Never NUL-terminated. */
typedef struct base_span {
    const char *p;
    size_t len;
} base_span_t;

#define BASE_SPAN_LIT(s) ((base_span_t){(s), sizeof(s) - 1})
/* Case-insensitive (ASCII) comparison of a span with a NUL-terminated literal. */
bool base_span_eq_ci(base_span_t s, const char *lit);
bool base_span_eq(base_span_t s, const char *lit);

/* ---- memory: small internal allocations abort through one hook ------------------------- */
/* Allocators for sizes Harv controls. On failure they call the OOM hook, which by default
 * logs and aborts. Sizes chosen by untrusted input must use plain malloc + a named cap. */
void *base_xmalloc(size_t n);
void *base_xcalloc(size_t n, size_t size);
void *base_xrealloc(void *p, size_t n);
char *base_xstrdup(const char *s);
void base_set_oom_hook(void (*hook)(size_t n));

/* Arena: bump allocation in chunks, freed whole. One per lifetime (request, job, query).
 * Not thread-safe; an arena belongs to one thread at a time. */
typedef struct base_arena_chunk base_arena_chunk_t;
typedef struct base_arena {
    base_arena_chunk_t *head; /* current chunk; older chunks follow */
    size_t chunk_size;        /* default size of a new chunk */
} base_arena_t;

void base_arena_init(base_arena_t *a, size_t chunk_size);
void *base_arena_alloc(base_arena_t *a, size_t n); /* 16-byte aligned; aborts on OOM */
char *base_arena_strndup(base_arena_t *a, const char *s, size_t n);
char *base_arena_printf(base_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees all chunks but the first, which is kept for reuse. */
void base_arena_reset(base_arena_t *a);
void base_arena_fini(base_arena_t *a);

/* Growable byte buffer. `cap` grows on demand; callers pass their own limit. */
typedef struct base_buf {
    char *data;
    size_t len;
    size_t cap;
} base_buf_t;

void base_buf_init(base_buf_t *b);
void base_buf_fini(base_buf_t *b);
/* Ensures room for `extra` more bytes without exceeding `limit` total capacity.
 * Returns BASE_OK, BASE_LIMIT (len + extra > limit) or BASE_NOMEM. Grows geometrically. */
int base_buf_reserve(base_buf_t *b, size_t extra, size_t limit);
/* Appends; aborts on OOM (for Harv-sized data only). Inline fast path when it fits. */
void base_buf_append_slow(base_buf_t *b, const void *p, size_t n);
static inline void base_buf_append(base_buf_t *b, const void *p, size_t n)
{
    if (BASE_LIKELY(b->cap - b->len >= n && n)) {
        __builtin_memcpy(b->data + b->len, p, n);
        b->len += n;
        return;
    }
    base_buf_append_slow(b, p, n);
}
void base_buf_appendf(base_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void base_buf_reset(base_buf_t *b) { b->len = 0; }

/* ---- time ------------------------------------------------------------------------------ */
uint64_t base_now_ms(void); /* CLOCK_MONOTONIC, milliseconds */
uint64_t base_now_ns(void); /* CLOCK_MONOTONIC, nanoseconds */

/* ---- parsing helpers --------------------------------------------------------------------- */
/* Parses a decimal unsigned integer of the whole span; rejects signs, spaces, empty input and
 * overflow past `max`. Returns BASE_OK or BASE_ERROR. */
int base_parse_u64(base_span_t s, uint64_t max, uint64_t *out);
/* Parses a size with an optional unit (k, m, g; KiB multiples): "64k", "1m", "4096". */
int base_parse_size(const char *s, uint64_t *out);

/* ---- logging ------------------------------------------------------------------------- */
typedef enum base_log_level {
    BASE_LOG_DEBUG,
    BASE_LOG_INFO,
    BASE_LOG_WARN,
    BASE_LOG_ERROR,
    BASE_LOG_ALERT, /* an invariant broke or a task died: tests fail on these lines */
    BASE_LOG_OFF,
} base_log_level_t;

/* Log lines go to fd 2 by default: "2026-11-21T10:00:00Z harv[pid] LEVEL component: message".
 * Thread-safe (one write(2) per line). */
void base_log_set_level(base_log_level_t level);
base_log_level_t base_log_get_level(void);
int base_log_parse_level(const char *name, base_log_level_t *out);
void base_log_set_fd(int fd);
void base_log_set_prefix(const char *prefix); /* e.g. "http"; the process name by default */
void base_log(base_log_level_t level, const char *comp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void base_vlog(base_log_level_t level, const char *comp, const char *fmt, va_list ap);

#define BASE_LOG(lvl, comp, ...)                                                                \
    do {                                                                                       \
        if ((lvl) >= base_log_get_level())                                                     \
            base_log((lvl), (comp), __VA_ARGS__);                                              \
    } while (0)

#endif

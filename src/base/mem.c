/* base/mem.c — the out-of-memory hook, arenas and growable buffers. Layer: base. */
#include <harv/base.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void default_oom(size_t n)
{
    base_log(BASE_LOG_ALERT, "base", "out of memory allocating %zu bytes", n);
    abort();
}

static void (*oom_hook)(size_t) = default_oom;

void base_set_oom_hook(void (*hook)(size_t n)) { oom_hook = hook ? hook : default_oom; }

void *base_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (BASE_UNLIKELY(!p))
        oom_hook(n);
    return p;
}

void *base_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (BASE_UNLIKELY(!p))
        oom_hook(n * size);
    return p;
}

void *base_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (BASE_UNLIKELY(!q))
        oom_hook(n);
    return q;
}

char *base_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(base_xmalloc(n), s, n);
}

/* ---- arena ------------------------------------------------------------------------------ */

struct base_arena_chunk {
    base_arena_chunk_t *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

void base_arena_init(base_arena_t *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 4096;
}

void *base_arena_alloc(base_arena_t *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    base_arena_chunk_t *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > a->chunk_size ? n : a->chunk_size;
        c = base_xmalloc(sizeof *c + size);
        c->used = 0;
        c->size = size;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

char *base_arena_strndup(base_arena_t *a, const char *s, size_t n)
{
    char *p = base_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *base_arena_printf(base_arena_t *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = base_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void base_arena_reset(base_arena_t *a)
{
    base_arena_chunk_t *c = a->head;
    if (!c)
        return;
    /* Keep the oldest chunk (the last in the list): it is usually the default size. */
    while (c->next) {
        base_arena_chunk_t *next = c->next;
        free(c);
        c = next;
    }
    c->used = 0;
    a->head = c;
}

void base_arena_fini(base_arena_t *a)
{
    for (base_arena_chunk_t *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
}

/* ---- buffers -------------------------------------------------------------------------- */

void base_buf_init(base_buf_t *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void base_buf_fini(base_buf_t *b)
{
    free(b->data);
    base_buf_init(b);
}

int base_buf_reserve(base_buf_t *b, size_t extra, size_t limit)
{
    if (extra > limit || b->len > limit - extra)
        return BASE_LIMIT;
    size_t need = b->len + extra;
    if (need <= b->cap)
        return BASE_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > limit)
        cap = limit;
    char *p = realloc(b->data, cap);
    if (!p)
        return BASE_NOMEM;
    b->data = p;
    b->cap = cap;
    return BASE_OK;
}

void base_buf_append_slow(base_buf_t *b, const void *p, size_t n)
{
    if (!n)
        return;
    if (base_buf_reserve(b, n, SIZE_MAX) != BASE_OK)
        oom_hook(b->len + n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void base_buf_appendf(base_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof tmp) {
        base_buf_append(b, tmp, (size_t)n);
    } else {
        if (base_buf_reserve(b, (size_t)n + 1, SIZE_MAX) != BASE_OK)
            oom_hook((size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

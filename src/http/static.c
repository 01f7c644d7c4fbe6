/* http/static.c — the static-file handler: GET/HEAD of files strictly beneath the root
 * (openat2 RESOLVE_BENEATH: no "..", no symlink escape, no encoded or NUL traversal), index
 * files, the MIME allowlist, dotfiles hidden, ETag/Last-Modified conditionals (304), single
 * byte ranges (206/416), precompressed .br/.gz siblings, and directory redirects (301).
 * Files under small_file bytes are served from a per-thread open-file cache (content in
 * memory, re-validated with a stat after cache_valid_ms), so a hot small file costs no
 * syscalls; larger files go out with sendfile. Layer: http. */
#include "http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define STATIC_CACHE_SLOTS 1024  /* per thread, direct-mapped */
#define STATIC_PATH_MAX 4096

struct http_static {
    int rootfd;
    char *root;
    const char **index;
    size_t small_file;
    unsigned cache_valid_ms;
    unsigned id; /* distinguishes instances in the per-thread cache */
};

typedef struct cache_entry {
    unsigned owner;     /* http_static id, 0 = empty */
    char *path;         /* relative path incl. variant suffix (".br"/".gz") */
    uint64_t checked_ms;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    char etag[48];
    char last_modified[32];
    const char *mime;   /* from the allowlist for this path, or NULL (403) */
    char *data;         /* whole content if size < small_file, else NULL */
    /* The response header lines for this file, built once: Content-Type, Last-Modified,
     * ETag, Vary, Content-Encoding, Accept-Ranges. Keyed by the type and coding used. */
    char *hdr;
    size_t hdr_len;
    const char *hdr_type, *hdr_coding;
} cache_entry_t;

/* The cache is per thread (no locks on the hot path); a key destructor frees it when a
 * pool thread exits. */
static _Thread_local cache_entry_t *tl_cache;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static unsigned next_id = 1;

static void entry_clear(cache_entry_t *e);

static void cache_destroy(void *p)
{
    cache_entry_t *cache = p;
    for (size_t i = 0; i < STATIC_CACHE_SLOTS; i++)
        entry_clear(&cache[i]);
    free(cache);
}

static void cache_key_init(void) { pthread_key_create(&cache_key, cache_destroy); }

static cache_entry_t *thread_cache(void)
{
    if (BASE_UNLIKELY(!tl_cache)) {
        pthread_once(&cache_once, cache_key_init);
        tl_cache = base_xcalloc(STATIC_CACHE_SLOTS, sizeof *tl_cache);
        pthread_setspecific(cache_key, tl_cache);
    }
    return tl_cache;
}

static const char *const default_index[] = {"index.html", "index.htm", NULL};

http_static_t *http_static_new(const http_static_config_t *cfg, char *err, size_t errlen)
{
    int fd = open(cfg->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot serve '%s': %s", cfg->root, strerror(errno));
        return NULL;
    }
    http_static_t *st = base_xcalloc(1, sizeof *st);
    st->rootfd = fd;
    st->root = base_xstrdup(cfg->root);
    st->index = cfg->index ? cfg->index : (const char **)default_index;
    st->small_file = cfg->small_file ? cfg->small_file : 16384;
    st->cache_valid_ms = cfg->cache_valid_ms ? cfg->cache_valid_ms : 1000;
    st->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
    return st;
}

void http_static_free(http_static_t *st)
{
    if (!st)
        return;
    close(st->rootfd);
    free(st->root);
    free(st);
    if (tl_cache) { /* the calling thread's cache; pool threads free theirs on exit */
        pthread_setspecific(cache_key, NULL);
        cache_destroy(tl_cache);
        tl_cache = NULL;
    }
}

/* Opens rel beneath the root; never follows a path out of it. */
static int open_beneath(http_static_t *st, const char *rel)
{
    static int have_openat2 = 1;
    if (have_openat2) {
        struct open_how how = {
            .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        int fd = (int)syscall(SYS_openat2, st->rootfd, rel, &how, sizeof how);
        if (fd >= 0 || errno != ENOSYS)
            return fd;
        have_openat2 = 0;
    }
    /* Fallback for kernels before 5.6: walk component by component, refusing every
     * symlink (stricter than RESOLVE_BENEATH, never looser). decode_path() has already
     * removed empty, "." and ".." segments. */
    char buf[STATIC_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", rel);
    int dir = dup(st->rootfd);
    if (dir < 0)
        return -1;
    for (char *seg = buf;;) {
        char *slash = strchr(seg, '/');
        if (slash)
            *slash = 0;
        int flags = O_CLOEXEC | O_NOFOLLOW |
                    (slash ? O_PATH | O_DIRECTORY : O_RDONLY | O_NOCTTY | O_NONBLOCK);
        int fd = openat(dir, seg, flags);
        close(dir);
        if (fd < 0 || !slash)
            return fd;
        dir = fd;
        seg = slash + 1;
    }
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Percent-decodes and normalises the path into out ("a/b/c", no leading slash). Rejects NUL,
 * bad escapes, "." and ".." segments (400) and dot-segments such as ".git" (404). Returns 0,
 * or the status to answer. *trailing says whether the path ended with '/'. */
static int decode_path(base_span_t p, char *out, size_t outlen, bool *trailing)
{
    size_t o = 0;
    size_t seg_start = 0;
    *trailing = p.len > 0 && p.p[p.len - 1] == '/';
    for (size_t i = 0; i <= p.len; i++) {
        int c;
        if (i == p.len) {
            c = '/';
        } else if (p.p[i] == '%') {
            if (i + 2 >= p.len)
                return 400; /* truncated escape */
            int h = hexval((unsigned char)p.p[i + 1]), l = hexval((unsigned char)p.p[i + 2]);
            if (h < 0 || l < 0)
                return 400;
            c = h * 16 + l;
            i += 2;
            if (c == 0)
                return 400;
            if (c == '/') {
                /* An encoded slash is data, not a separator: refuse it rather than guess. */
                return 404;
            }
        } else {
            c = (unsigned char)p.p[i];
        }
        if (c == '/') {
            size_t seg_len = o - seg_start;
            if (seg_len == 0)
                continue; /* "//" or leading "/" */
            if (out[seg_start] == '.') {
                if (seg_len == 1 || (seg_len == 2 && out[seg_start + 1] == '.'))
                    return 400;
                if (!(seg_len == 11 && !memcmp(out + seg_start, ".well-known", 11)))
                    return 404; /* dotfiles and dot-directories are never served */
            }
            if (o + 1 >= outlen)
                return 414;
            out[o++] = '/';
            seg_start = o;
            continue;
        }
        if (o + 1 >= outlen)
            return 414;
        out[o++] = (char)c;
    }
    if (o && out[o - 1] == '/')
        o--;
    out[o] = 0;
    return 0;
}

static uint64_t now_ms(void) { return base_now_ms(); }

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void entry_clear(cache_entry_t *e)
{
    free(e->path);
    free(e->data);
    free(e->hdr);
    memset(e, 0, sizeof *e);
}

static void entry_fill(http_static_t *st, cache_entry_t *e, const char *rel, const struct stat *sb)
{
    entry_clear(e);
    e->owner = st->id;
    e->path = base_xstrdup(rel);
    e->dev = sb->st_dev;
    e->ino = sb->st_ino;
    e->size = sb->st_size;
    e->mtime = sb->st_mtim;
    snprintf(e->etag, sizeof e->etag, "\"%llx-%llx\"", (unsigned long long)sb->st_mtim.tv_sec,
             (unsigned long long)sb->st_size);
    struct tm tm;
    gmtime_r(&sb->st_mtim.tv_sec, &tm);
    strftime(e->last_modified, sizeof e->last_modified, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    e->mime = http_mime_type(rel, strlen(rel));
}

/* Looks rel up: a fresh cache entry, or opens + stats (and caches). On success returns the
 * entry and, for files not held in memory, an open fd in *fd. Returns NULL with errno set
 * (EISDIR for a directory). */
static cache_entry_t *lookup(http_static_t *st, const char *rel, int *fd)
{
    cache_entry_t *e = &thread_cache()[(hash_str(rel) ^ st->id) % STATIC_CACHE_SLOTS];
    uint64_t now = now_ms();
    *fd = -1;
    bool hit = e->owner == st->id && !strcmp(e->path, rel);
    if (hit && e->data && now - e->checked_ms < st->cache_valid_ms)
        return e;
    int f = open_beneath(st, rel);
    if (f < 0)
        return NULL;
    struct stat sb;
    if (fstat(f, &sb) != 0) {
        close(f);
        return NULL;
    }
    if (S_ISDIR(sb.st_mode)) {
        close(f);
        errno = EISDIR;
        return NULL;
    }
    if (!S_ISREG(sb.st_mode)) {
        close(f);
        errno = EACCES; /* fifos, devices, sockets: never */
        return NULL;
    }
    if (!hit || e->ino != sb.st_ino || e->dev != sb.st_dev || e->size != sb.st_size ||
        e->mtime.tv_sec != sb.st_mtim.tv_sec || e->mtime.tv_nsec != sb.st_mtim.tv_nsec)
        entry_fill(st, e, rel, &sb);
    e->checked_ms = now;
    if ((size_t)sb.st_size < st->small_file) {
        if (!e->data) {
            char *data = base_xmalloc((size_t)sb.st_size + 1);
            ssize_t got = 0;
            while (got < sb.st_size) {
                ssize_t n = pread(f, data + got, (size_t)(sb.st_size - got), got);
                if (n <= 0)
                    break;
                got += n;
            }
            if (got != sb.st_size) {
                free(data);
                close(f);
                entry_clear(e);
                errno = EIO;
                return NULL;
            }
            e->data = data;
        }
        close(f);
        return e;
    }
    *fd = f;
    return e;
}

static bool etag_matches(base_span_t list, const char *etag)
{
    size_t n = strlen(etag), i = 0;
    while (i < list.len) {
        while (i < list.len && (list.p[i] == ' ' || list.p[i] == ',' || list.p[i] == '\t'))
            i++;
        size_t s = i;
        while (i < list.len && list.p[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (list.p[e - 1] == ' ' || list.p[e - 1] == '\t'))
            e--;
        if (e - s == 1 && list.p[s] == '*')
            return true;
        if (e - s >= 2 && list.p[s] == 'W' && list.p[s + 1] == '/')
            s += 2; /* weak comparison for If-None-Match */
        if (e - s == n && !memcmp(list.p + s, etag, n))
            return true;
    }
    return false;
}

static bool not_modified_since(base_span_t v, const struct timespec *mtime)
{
    char buf[64];
    if (v.len >= sizeof buf)
        return false;
    memcpy(buf, v.p, v.len);
    buf[v.len] = 0;
    struct tm tm = {0};
    char *end = strptime(buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end)
        return false;
    time_t t = timegm(&tm);
    return mtime->tv_sec <= t;
}

/* Parses a single "bytes=" range against size. Returns 1 for a satisfiable range (filled),
 * 0 to ignore the header (not bytes, several ranges, syntax), -1 for unsatisfiable (416). */
static int parse_range(base_span_t v, uint64_t size, uint64_t *from, uint64_t *len)
{
    if (v.len < 6 || strncasecmp(v.p, "bytes=", 6))
        return 0;
    const char *p = v.p + 6, *end = v.p + v.len;
    if (memchr(p, ',', (size_t)(end - p)))
        return 0; /* multiple ranges: serve the whole representation */
    const char *dash = memchr(p, '-', (size_t)(end - p));
    if (!dash)
        return 0;
    uint64_t a = 0, b = 0;
    bool has_a = dash > p, has_b = dash + 1 < end;
    if (has_a && base_parse_u64((base_span_t){p, (size_t)(dash - p)}, UINT64_MAX, &a))
        return 0;
    if (has_b && base_parse_u64((base_span_t){dash + 1, (size_t)(end - dash - 1)}, UINT64_MAX, &b))
        return 0;
    if (!has_a && !has_b)
        return 0;
    if (!has_a) { /* suffix: the last b bytes */
        if (b == 0 || size == 0)
            return -1;
        *from = b >= size ? 0 : size - b;
        *len = size - *from;
        return 1;
    }
    if (has_b && b < a)
        return 0;
    if (a >= size)
        return -1;
    if (!has_b || b >= size)
        b = size - 1;
    *from = a;
    *len = b - a + 1;
    return 1;
}

/* The request headers the handler looks at, found in one pass. */
typedef struct static_hdrs {
    const http_header_t *accept_encoding, *range, *if_none_match, *if_modified_since, *if_range;
} static_hdrs_t;

static void scan_headers(const http_request_t *req, static_hdrs_t *h)
{
    memset(h, 0, sizeof *h);
    for (unsigned i = 0; i < req->nheaders; i++) {
        const http_header_t *x = &req->headers[i];
        switch (x->name.len) {
        case 5:
            if (base_span_eq_ci(x->name, "range"))
                h->range = x;
            break;
        case 8:
            if (base_span_eq_ci(x->name, "if-range"))
                h->if_range = x;
            break;
        case 13:
            if (base_span_eq_ci(x->name, "if-none-match"))
                h->if_none_match = x;
            break;
        case 15:
            if (base_span_eq_ci(x->name, "accept-encoding"))
                h->accept_encoding = x;
            break;
        case 17:
            if (base_span_eq_ci(x->name, "if-modified-since"))
                h->if_modified_since = x;
            break;
        }
    }
}

static bool accepts(const http_header_t *h, const char *coding)
{
    if (!h)
        return false;
    size_t n = strlen(coding), i = 0;
    base_span_t v = h->value;
    while (i < v.len) {
        while (i < v.len && (v.p[i] == ' ' || v.p[i] == ','))
            i++;
        size_t s = i;
        while (i < v.len && v.p[i] != ',' && v.p[i] != ';')
            i++;
        bool match = i - s == n && !strncasecmp(v.p + s, coding, n);
        size_t q = i;
        while (i < v.len && v.p[i] != ',')
            i++;
        if (match) {
            /* q=0 means "not acceptable" */
            base_span_t params = {v.p + q, i - q};
            for (size_t k = 0; k + 3 <= params.len; k++)
                if (!strncmp(params.p + k, "q=0", 3) &&
                    (k + 3 == params.len || params.p[k + 3] == ' ' ||
                     (params.p[k + 3] == '.' &&
                      strspn(params.p + k + 4, "0") >= params.len - k - 4)))
                    return false;
            return true;
        }
    }
    return false;
}

static bool compressible(const char *type)
{
    return !strncmp(type, "text/", 5) || strstr(type, "javascript") || strstr(type, "json") ||
           strstr(type, "xml") || strstr(type, "svg");
}

void http_static_handle(void *ctx, const http_request_t *req, http_response_t *resp)
{
    http_static_t *st = ctx;
    if (req->method != HTTP_GET && req->method != HTTP_HEAD) {
        http_response_error(resp, 405);
        http_response_header(resp, "Allow", "GET, HEAD");
        return;
    }
    char rel[STATIC_PATH_MAX];
    bool trailing;
    int status = decode_path(req->path, rel, sizeof rel - 32, &trailing);
    if (status) {
        http_response_error(resp, status);
        return;
    }
    const char *open_rel = rel[0] ? rel : ".";
    char idx[STATIC_PATH_MAX + 256];
    int fd = -1;
    cache_entry_t *e = lookup(st, open_rel, &fd);
    const char *name = rel;
    if (!e && errno == EISDIR) {
        if (!trailing && rel[0]) {
            /* A directory without its slash: redirect so relative links resolve. */
            base_arena_t *a = http_response_arena(resp);
            char *loc = base_arena_printf(a, "%.*s/%s%.*s", (int)req->path.len, req->path.p,
                                          req->query.len ? "?" : "", (int)req->query.len,
                                          req->query.p);
            http_response_error(resp, 301);
            http_response_header(resp, "Location", loc);
            return;
        }
        for (const char **ix = st->index; *ix; ix++) {
            if ((size_t)snprintf(idx, sizeof idx, "%s%s%s", rel, rel[0] ? "/" : "", *ix) >=
                sizeof idx)
                continue;
            e = lookup(st, idx, &fd);
            if (e) {
                name = idx;
                break;
            }
        }
        if (!e) {
            http_response_error(resp, 404); /* no index: directory listings are off */
            return;
        }
    }
    if (!e) {
        http_response_error(resp, errno == EACCES || errno == EPERM ? 403 : 404);
        return;
    }
    const char *type = e->mime; /* e is the file itself here, not a compressed sibling */
    if (!type) {
        if (fd >= 0)
            close(fd);
        http_response_error(resp, 403);
        return;
    }

    /* Precompressed siblings: only for whole-file GET/HEAD of compressible types. */
    static_hdrs_t rh;
    scan_headers(req, &rh);
    const http_header_t *range = rh.range;
    const char *encoding = NULL;
    bool vary = compressible(type);
    if (vary && !range) {
        static const char *const codings[][2] = {{"br", ".br"}, {"gzip", ".gz"}};
        for (size_t k = 0; k < 2 && !encoding; k++) {
            if (!accepts(rh.accept_encoding, codings[k][0]))
                continue;
            char alt[STATIC_PATH_MAX + 300];
            snprintf(alt, sizeof alt, "%s%s", name, codings[k][1]);
            int afd = -1;
            /* The sibling must not be newer-than-source stale: plain existence is the
             * contract (as nginx gzip_static), the ETag below is the sibling's own. */
            cache_entry_t *ae = lookup(st, alt, &afd);
            if (ae) {
                if (fd >= 0)
                    close(fd);
                e = ae;
                fd = afd;
                encoding = codings[k][0];
            }
        }
    }

    if (!e->hdr || e->hdr_type != type || e->hdr_coding != encoding) {
        free(e->hdr);
        base_buf_t b;
        base_buf_init(&b);
        base_buf_appendf(&b, "Content-Type: %s\r\nLast-Modified: %s\r\nETag: %s\r\n%s", type,
                         e->last_modified, e->etag, vary ? "Vary: Accept-Encoding\r\n" : "");
        if (encoding)
            base_buf_appendf(&b, "Content-Encoding: %s\r\n", encoding);
        base_buf_appendf(&b, "Accept-Ranges: bytes\r\n");
        e->hdr = b.data;
        e->hdr_len = b.len;
        e->hdr_type = type;
        e->hdr_coding = encoding;
    }
    http_response_header_lines(resp, e->hdr, e->hdr_len);

    const http_header_t *inm = rh.if_none_match, *ims = rh.if_modified_since;
    if ((inm && etag_matches(inm->value, e->etag)) ||
        (!inm && ims && not_modified_since(ims->value, &e->mtime))) {
        if (fd >= 0)
            close(fd);
        http_response_status(resp, 304);
        return;
    }

    uint64_t from = 0, len = (uint64_t)e->size;
    if (range && req->method == HTTP_GET) {
        const http_header_t *ifr = rh.if_range;
        bool use = !ifr || base_span_eq(ifr->value, e->etag) ||
                   base_span_eq(ifr->value, e->last_modified);
        int r = use ? parse_range(range->value, (uint64_t)e->size, &from, &len) : 0;
        if (r < 0) {
            if (fd >= 0)
                close(fd);
            http_response_error(resp, 416);
            http_response_headerf(resp, "Content-Range", "bytes */%lld", (long long)e->size);
            return;
        }
        if (r > 0) {
            http_response_status(resp, 206);
            http_response_headerf(resp, "Content-Range", "bytes %llu-%llu/%lld",
                                  (unsigned long long)from, (unsigned long long)(from + len - 1),
                                  (long long)e->size);
        }
    }
    if (e->data)
        http_response_body(resp, e->data + from, (size_t)len);
    else
        http_response_file(resp, fd, (off_t)from, (size_t)len);
}

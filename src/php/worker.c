/* php/worker.c — one pool worker: a FastCGI responder with blocking I/O that serves one
 * request at a time through the SAPI (sapi.c). It accepts a connection on the shared socket,
 * reads BEGIN_REQUEST and the PARAMS stream, runs the script (the body is read from STDIN
 * records while PHP asks for it), drains what PHP left unread, answers END_REQUEST, and keeps
 * the connection for the next request when the client asked for FCGI_KEEP_CONN. It publishes
 * its state in its shared slot so the master can enforce the wall-clock deadline, and exits to
 * be recycled after max_requests or past the memory cap. Layer: php. */
#include "php_int.h"

#include <harv/fastcgi.h>
#include <harv/http.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PHPW_READ_CHUNK (64u << 10)

/* ---- low-level I/O --------------------------------------------------------------------- */

static bool write_all(phpw_conn_t *c, const struct iovec *iov_in, int n)
{
    struct iovec iov[8];
    memcpy(iov, iov_in, sizeof *iov * (size_t)n);
    struct iovec *v = iov;
    while (n > 0) {
        ssize_t w = writev(c->fd, v, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            c->broken = true;
            return false;
        }
        size_t left = (size_t)w;
        while (n > 0 && left >= v->iov_len) {
            left -= v->iov_len;
            v++;
            n--;
        }
        if (n > 0) {
            v->iov_base = (char *)v->iov_base + left;
            v->iov_len -= left;
        }
    }
    return true;
}

/* Reads more bytes into c->in. Returns false at EOF or on error. */
static bool read_more(phpw_conn_t *c)
{
    if (c->in_off == c->in.len) {
        c->in_off = c->in.len = 0;
    }
    if (base_buf_reserve(&c->in, PHPW_READ_CHUNK, SIZE_MAX) != BASE_OK)
        return false;
    for (;;) {
        /* Wait in poll, not in read: the client's reading of our last answer frees socket
         * memory, and the kernel then wakes every waiter on this socket's queue for write
         * space; a reader blocked in read() is among them and wakes for nothing (a context
         * switch each way per request). poll's waiter only wakes for POLLIN. */
        struct pollfd pf = {.fd = c->fd, .events = POLLIN};
        if (poll(&pf, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        ssize_t n = read(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len);
        if (n > 0) {
            c->in.len += (size_t)n;
            return true;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return false;
    }
}

/* Reads one whole record. Its content stays valid until the next call (it lives in c->in).
 * Returns false at EOF or on a protocol error. */
static bool read_record(phpw_conn_t *c, fcgi_record_t *rec)
{
    for (;;) {
        int n = c->in.data ? fcgi_record_decode((const uint8_t *)c->in.data + c->in_off,
                                                c->in.len - c->in_off, rec)
                           : BASE_AGAIN;
        if (n > 0) {
            c->in_off += (size_t)n;
            return true;
        }
        if (n == BASE_ERROR)
            return false;
        /* compact before growing: the record's bytes move to the front */
        if (c->in_off) {
            memmove(c->in.data, c->in.data + c->in_off, c->in.len - c->in_off);
            c->in.len -= c->in_off;
            c->in_off = 0;
        }
        if (!read_more(c))
            return false;
    }
}

static void send_record(phpw_conn_t *c, uint8_t type, const void *p, uint16_t len)
{
    uint8_t h[FCGI_HEADER_LEN];
    fcgi_header_encode(h, type, c->id, len, 0);
    struct iovec iov[2] = {{h, sizeof h}, {(void *)p, len}};
    write_all(c, iov, len ? 2 : 1);
}

/* ---- what the SAPI calls ----------------------------------------------------------------- */

const char *phpw_conn_param(const phpw_conn_t *c, const char *name, size_t *len)
{
    size_t nl = strlen(name);
    for (unsigned i = 0; i < c->nvars; i++)
        if (c->name_lens[i] == nl && !memcmp(c->names[i], name, nl)) {
            if (len)
                *len = c->value_lens[i];
            return c->values[i];
        }
    return NULL;
}

size_t phpw_conn_stdin_read(phpw_conn_t *c, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n && !c->stdin_done) {
        if (c->stdin_left) {
            size_t k = BASE_MIN(n - got, c->stdin_left);
            memcpy(buf + got, c->in.data + c->stdin_off, k);
            got += k;
            c->stdin_off += k;
            c->stdin_left -= k;
            continue;
        }
        /* no early return with a partial buffer: PHP takes a short read for the end */
        fcgi_record_t rec;
        if (!read_record(c, &rec)) {
            c->stdin_done = true;
            c->broken = true;
            break;
        }
        if (rec.request_id != c->id)
            continue;
        if (rec.type == FCGI_ABORT_REQUEST) {
            c->stdin_done = true;
            c->broken = true;
            break;
        }
        if (rec.type != FCGI_STDIN)
            continue;
        if (!rec.content.len) {
            c->stdin_done = true;
            break;
        }
        c->stdin_off = (size_t)(rec.content.p - c->in.data);
        c->stdin_left = rec.content.len;
    }
    return got;
}

static bool flush_out(phpw_conn_t *c)
{
    const char *p = c->out.data;
    size_t left = c->out.len;
    uint8_t hs[4][FCGI_HEADER_LEN];
    while (left && !c->broken) {
        struct iovec iov[8];
        int n = 0;
        for (int k = 0; k < 4 && left; k++) {
            uint16_t len = (uint16_t)BASE_MIN(left, (size_t)FCGI_MAX_CONTENT & ~(size_t)7);
            fcgi_header_encode(hs[k], FCGI_STDOUT, c->id, len, 0);
            iov[n++] = (struct iovec){hs[k], FCGI_HEADER_LEN};
            iov[n++] = (struct iovec){(void *)p, len};
            p += len;
            left -= len;
        }
        write_all(c, iov, n);
    }
    c->out.len = 0;
    return !c->broken;
}

bool phpw_conn_stdout(phpw_conn_t *c, const char *p, size_t n)
{
    if (c->broken)
        return false;
    base_buf_append(&c->out, p, n);
    if (c->out.len >= PHPW_OUT_FLUSH)
        return flush_out(c);
    return true;
}

bool phpw_conn_flush(phpw_conn_t *c) { return c->broken ? false : flush_out(c); }

bool phpw_conn_finish(phpw_conn_t *c, uint32_t app_status)
{
    if (c->finished)
        return !c->broken;
    c->finished = true;
    if (c->broken)
        return false;
    /* queued STDOUT (last record), the empty STDOUT and END_REQUEST in one writev */
    uint8_t h1[FCGI_HEADER_LEN], h2[FCGI_HEADER_LEN], h3[FCGI_HEADER_LEN], end[8];
    const char *p = c->out.data;
    size_t left = c->out.len;
    while (left > (FCGI_MAX_CONTENT & ~7u)) { /* big tails go out in full records first */
        uint16_t len = (uint16_t)(FCGI_MAX_CONTENT & ~7u);
        fcgi_header_encode(h1, FCGI_STDOUT, c->id, len, 0);
        struct iovec iov[2] = {{h1, sizeof h1}, {(void *)p, len}};
        if (!write_all(c, iov, 2))
            return false;
        p += len;
        left -= len;
    }
    struct iovec iov[5];
    int n = 0;
    if (left) {
        fcgi_header_encode(h1, FCGI_STDOUT, c->id, (uint16_t)left, 0);
        iov[n++] = (struct iovec){h1, sizeof h1};
        iov[n++] = (struct iovec){(void *)p, left};
    }
    fcgi_header_encode(h2, FCGI_STDOUT, c->id, 0, 0);
    iov[n++] = (struct iovec){h2, sizeof h2};
    fcgi_header_encode(h3, FCGI_END_REQUEST, c->id, 8, 0);
    fcgi_end_encode(end, app_status, FCGI_REQUEST_COMPLETE);
    iov[n++] = (struct iovec){h3, sizeof h3};
    iov[n++] = (struct iovec){end, sizeof end};
    c->out.len = 0;
    return write_all(c, iov, n);
}

/* ---- the responder ----------------------------------------------------------------------- */

/* A whole answer without PHP: status and a short plain-text body. */
static void simple_response(phpw_conn_t *c, int status, const char *msg)
{
    char head[256];
    int n = snprintf(head, sizeof head, "Status: %d %s\r\nContent-Type: text/plain\r\n\r\n%s\n",
                     status, http_status_text(status), msg);
    phpw_conn_stdout(c, head, (size_t)n);
}

/* Decodes the PARAMS stream into NUL-terminated names and values. */
static bool decode_params(phpw_conn_t *c)
{
    c->nvars = 0;
    c->vars.len = 0;
    /* the copies must not move while pointers into them are taken: size them first */
    if (base_buf_reserve(&c->vars, c->params.len * 2 + 16, SIZE_MAX) != BASE_OK)
        return false;
    size_t pos = 0;
    base_span_t name, value;
    while (pos < c->params.len) {
        if (fcgi_param_decode((const uint8_t *)c->params.data, c->params.len, &pos, &name,
                              &value) != BASE_OK)
            return false;
        if (c->nvars == PHPW_VARS_MAX || !name.len || memchr(name.p, 0, name.len))
            continue;
        char *nm = c->vars.data + c->vars.len;
        memcpy(nm, name.p, name.len);
        nm[name.len] = 0;
        char *vl = nm + name.len + 1;
        memcpy(vl, value.p, value.len);
        vl[value.len] = 0;
        c->vars.len += name.len + value.len + 2;
        c->names[c->nvars] = nm;
        c->name_lens[c->nvars] = (uint16_t)BASE_MIN(name.len, (size_t)UINT16_MAX);
        c->values[c->nvars] = vl;
        c->value_lens[c->nvars] = value.len;
        c->nvars++;
    }
    return true;
}

/* Scripts resolved lately: SCRIPT_FILENAME -> its real path, trusted for PHPW_RESOLVE_TTL_MS
 * (realpath costs a readlink per path component and a stat, more than PHP's own work on a
 * small script). Only successes are kept, and for less time than OPcache's revalidate_freq
 * (2 s in Debian's php.ini), during which PHP itself runs a cached script without looking at
 * the file. A path that was beneath the root when it was resolved is the only thing ever run. */
#define PHPW_RESOLVE_TTL_MS 1000
#define PHPW_RESOLVE_SLOTS 16
#define PHPW_RESOLVE_KEY 512
typedef struct {
    uint64_t until_ms; /* 0: empty */
    size_t key_len;
    char key[PHPW_RESOLVE_KEY];
    char real[PATH_MAX];
} resolved_t;
static resolved_t *resolved; /* PHPW_RESOLVE_SLOTS, allocated on first use */

static uint32_t path_hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 16777619u;
    return h;
}

/* The script to run: SCRIPT_FILENAME, resolved, beneath the root and a regular file.
 * Returns 0 with real filled, or the HTTP status to answer. */
static int resolve_script(phpw_conn_t *c, const char *root_real, char *real)
{
    size_t sl = 0;
    const char *sf = phpw_conn_param(c, "SCRIPT_FILENAME", &sl);
    if (!sf || !*sf)
        return 404;
    uint64_t now = base_now_ms();
    resolved_t *slot = NULL;
    if (sl < PHPW_RESOLVE_KEY) {
        if (!resolved)
            resolved = base_xcalloc(PHPW_RESOLVE_SLOTS, sizeof *resolved);
        slot = &resolved[path_hash(sf, sl) % PHPW_RESOLVE_SLOTS];
        if (slot->until_ms > now && slot->key_len == sl && !memcmp(slot->key, sf, sl)) {
            memcpy(real, slot->real, strlen(slot->real) + 1);
            return 0;
        }
    }
    if (!realpath(sf, real))
        return errno == EACCES ? 403 : 404;
    size_t rl = strlen(root_real);
    if (strncmp(real, root_real, rl) || (real[rl] != '/' && !(rl == 1 && root_real[0] == '/')))
        return 403;
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISREG(st.st_mode))
        return 404;
    if (slot) {
        memcpy(slot->key, sf, sl);
        slot->key_len = sl;
        memcpy(slot->real, real, strlen(real) + 1);
        slot->until_ms = now + PHPW_RESOLVE_TTL_MS;
    }
    return 0;
}

/* Makes dir the working directory (relative includes resolve from the script's directory).
 * chdir walks the path: it runs only when the directory differs from the last one entered
 * here or a script moved it (PHP's chdir() is watched: sapi.c). */
static void enter_dir(const char *dir)
{
    static char entered[PATH_MAX];
    if (!phpw_sapi_cwd_moved() && entered[0] && !strcmp(entered, dir))
        return;
    if (chdir(dir) != 0) { /* the script's own open then reports the problem */
        entered[0] = 0;
        return;
    }
    snprintf(entered, sizeof entered, "%s", dir);
}

static uint64_t mono_ms(void) { return base_now_ms(); }

/* Private (anonymous) resident memory of this process, from /proc/self/statm. */
static size_t private_rss(int statm_fd)
{
    char buf[128];
    ssize_t n = pread(statm_fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    unsigned long v[3] = {0, 0, 0}; /* size resident shared */
    const char *q = buf;
    for (int k = 0; k < 3; k++) {
        if (*q < '0' || *q > '9')
            return 0;
        while (*q >= '0' && *q <= '9')
            v[k] = v[k] * 10 + (unsigned long)(*q++ - '0');
        if (*q == ' ')
            q++;
    }
    return (size_t)(v[1] > v[2] ? v[1] - v[2] : 0) * (size_t)sysconf(_SC_PAGESIZE);
}

/* Past --memory-cap? Reading statm costs about a microsecond, a few percent of a small
 * request: it is read after a worker's first request, after any request whose PHP heap
 * reached a new high (PHP's memory comes in 2 MiB chunks that stay mapped between requests),
 * and every PHPW_RSS_EVERY requests otherwise (what libraries allocate outside PHP's heap). */
#define PHPW_RSS_EVERY 16
static bool over_memory_cap(const phpw_config_t *cfg, const phpw_conn_t *c, int statm_fd)
{
    static size_t peak_seen;
    static unsigned since;
    if (!cfg->memory_cap)
        return false;
    if (peak_seen && c->heap_peak <= peak_seen && ++since < PHPW_RSS_EVERY)
        return false;
    if (c->heap_peak > peak_seen)
        peak_seen = c->heap_peak;
    since = 0;
    return private_rss(statm_fd) > cfg->memory_cap;
}

/* Serves requests on one connection until it closes (or the worker must be recycled).
 * Returns true if the worker may take another connection. */
static bool serve_conn(phpw_conn_t *c, phpw_slot_t *slot, const phpw_config_t *cfg,
                       const char *root_real, int statm_fd)
{
    for (;;) {
        fcgi_record_t rec;
        if (!read_record(c, &rec))
            return true;
        if (rec.type == FCGI_GET_VALUES) {
            uint8_t out[128];
            size_t n = 0;
            n += fcgi_param_encode(out + n, sizeof out - n, "FCGI_MAX_CONNS", 14, "1", 1);
            n += fcgi_param_encode(out + n, sizeof out - n, "FCGI_MAX_REQS", 13, "1", 1);
            n += fcgi_param_encode(out + n, sizeof out - n, "FCGI_MPXS_CONNS", 15, "0", 1);
            c->id = 0;
            send_record(c, FCGI_GET_VALUES_RESULT, out, (uint16_t)n);
            continue;
        }
        if (rec.type != FCGI_BEGIN_REQUEST) {
            if (rec.type > FCGI_UNKNOWN_TYPE) {
                uint8_t body[8] = {rec.type};
                c->id = 0;
                send_record(c, FCGI_UNKNOWN_TYPE, body, 8);
            }
            continue; /* stray records of an old request */
        }
        uint16_t role;
        uint8_t flags;
        if (fcgi_begin_decode(rec.content, &role, &flags) != BASE_OK)
            return true;
        c->id = rec.request_id;
        c->keep = flags & FCGI_KEEP_CONN;
        c->stdin_done = c->broken = c->finished = false;
        c->stdin_left = 0;
        c->params.len = 0;
        c->out.len = 0;
        if (role != FCGI_RESPONDER) {
            uint8_t h[FCGI_HEADER_LEN], end[8];
            fcgi_header_encode(h, FCGI_END_REQUEST, c->id, 8, 0);
            fcgi_end_encode(end, 0, FCGI_UNKNOWN_ROLE);
            struct iovec iov[2] = {{h, 8}, {end, 8}};
            write_all(c, iov, 2);
            if (!c->keep)
                return true;
            continue;
        }
        /* PARAMS until the empty record */
        bool ok = true;
        for (;;) {
            if (!read_record(c, &rec))
                return true;
            if (rec.request_id != c->id)
                continue;
            if (rec.type == FCGI_ABORT_REQUEST) {
                ok = false;
                break;
            }
            if (rec.type != FCGI_PARAMS)
                continue;
            if (!rec.content.len)
                break;
            if (c->params.len + rec.content.len > PHPW_PARAMS_MAX) {
                ok = false;
                break;
            }
            base_buf_append(&c->params, rec.content.p, rec.content.len);
        }
        if (!ok || !decode_params(c))
            return true; /* drop the connection: the client sees it closed */

        slot->start_ms = mono_ms();
        slot->busy = 1;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        c->request_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
        char real[PATH_MAX];
        int st = resolve_script(c, root_real, real);
        uint32_t app_status = 0;
        if (st) {
            simple_response(c, st, st == 404 ? "File not found." : "Access denied.");
        } else {
            char dir[PATH_MAX];
            snprintf(dir, sizeof dir, "%s", real);
            char *slash = strrchr(dir, '/');
            if (slash && slash != dir) {
                *slash = 0;
                enter_dir(dir);
            }
            app_status = (uint32_t)phpw_sapi_run(c, real);
        }
        /* drain the body PHP did not read, so the next record is the next request's */
        char sink[4096];
        while (!c->stdin_done)
            phpw_conn_stdin_read(c, sink, sizeof sink);
        phpw_conn_finish(c, app_status);
        slot->busy = 0;
        slot->requests++;
        if (c->broken || !c->keep)
            return true;
        if ((cfg->max_requests && slot->requests >= cfg->max_requests) ||
            over_memory_cap(cfg, c, statm_fd))
            return false;
    }
}

void phpw_worker_main(int listen_fd, phpw_slot_t *slot, const phpw_config_t *cfg,
                      const char *root_real)
{
    int statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (cfg->on_worker && cfg->on_worker(cfg->hook_ctx) != 0)
        _exit(1);
    phpw_conn_t *c = base_xcalloc(1, sizeof *c);
    base_buf_init(&c->in);
    base_buf_init(&c->params);
    base_buf_init(&c->vars);
    base_buf_init(&c->out);
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN)
                continue;
            base_log(BASE_LOG_ERROR, "php", "accept: %s", strerror(errno));
            _exit(1);
        }
        c->fd = fd;
        c->in.len = c->in_off = 0;
        bool more = serve_conn(c, slot, cfg, root_real, statm_fd);
        close(fd);
        if (!more ||
            (cfg->max_requests && slot->requests >= cfg->max_requests) ||
            over_memory_cap(cfg, c, statm_fd))
            break;
    }
    /* recycled: the master forks a fresh worker. No PHP shutdown: the engine belongs to the
     * master (OPcache's shared memory must outlive us). */
    _exit(0);
}

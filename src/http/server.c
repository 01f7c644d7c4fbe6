/* http/server.c — HarvTTP's server: listeners, per-thread event loops, and the connection
 * state machine. Layer: http, on net's loop.
 *
 * Connection states (each arrow names the function that takes it):
 *
 *            accept (on_accept)
 *                 │
 *                 ▼          bytes, head incomplete
 *   ┌──────► C_HEAD ─────────────────────────────┐ (deadline: timeout_request_ms from the
 *   │          │ head parsed (conn_process)      │  first byte — absolute, drips don't extend)
 *   │          ▼                                 │
 *   │        C_BODY  ◄── body bytes (conn_read) ─┘ (deadline: body idle + min rate)
 *   │          │ body complete (conn_dispatch)
 *   │          ├──────────────► C_FROZEN  (thread-pool mode: no reads while a worker borrows
 *   │          │                   │       the buffer; job_done resumes)
 *   │          ├──────────────► C_STREAM  (the handler took a stream: no reads, turned off
 *   │          │                   │       when input arrives; the producer writes head/body
 *   │          │                   │       later; http_stream_end resumes)
 *   │          ▼                   ▼
 *   │       response appended to c->out; more pipelined requests parsed first
 *   │          │ conn_flush: ONE write/writev for the batch, then sendfile for a file body
 *   │          ▼
 *   │       output pending? ── yes ──► wait for EPOLLOUT (deadline: timeout_send_ms)
 *   │          │ drained
 *   └── keep-alive (C_HEAD, idle: buffers back to the pool, deadline timeout_keepalive_ms)
 *              │ close after response (Connection: close, request cap, error)
 *              ▼
 *          nothing unread: close at once; else C_LINGER: shutdown(SHUT_WR), discard input
 *          until EOF or 2 s (conn_linger), close
 *
 * Framing errors answer 400 (or the precise 4xx/5xx) with Connection: close and never read
 * the rest of the broken request as a new one. Timeouts evict: 408 where a response is still
 * possible, else a plain close. A timer per connection is lazy: moving a deadline later only
 * stores it; the timer re-arms itself when it fires early. */
#include "http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define HTTP_MAX_LISTENERS 16
#define HTTP_ACCEPT_BATCH 64
#define HTTP_LINGER_MS 2000
#define HTTP_SENDFILE_CHUNK (1u << 20)  /* bytes per sendfile call */
#define HTTP_BUF_POOL_MAX 512           /* pooled buffers per loop */
#define HTTP_BUF_POOL_CAP (64u << 10)   /* larger buffers are freed, not pooled */
#define HTTP_MAX_AUX 4096               /* chunk extensions + trailers, bytes */

enum { C_HEAD, C_BODY, C_FROZEN, C_STREAM, C_LINGER };

#define HTTP_STREAM_HIGH_WATER (64u << 10) /* queued stream bytes before BASE_AGAIN */
#define HTTP_BODY_WINDOW (64u << 10)       /* streamed body bytes buffered per read */

typedef struct http_loop http_loop_t;
typedef struct http_conn http_conn_t;

struct http_conn {
    net_io_t io;
    net_timer_t timer;
    http_loop_t *lp;
    http_conn_t *next_free;
    http_conn_t *prev, *next; /* the loop's open connections */
    uint32_t gen;
    int state;
    uint64_t deadline; /* the real deadline; the timer may be armed earlier */
    base_buf_t in;     /* unparsed input is in[in_off .. len) */
    size_t in_off;
    base_buf_t out; /* output not yet written is out[out_off .. len) */
    size_t out_off;
    int file_fd; /* a file body to sendfile once out is drained */
    off_t file_off;
    size_t file_left;
    unsigned requests;
    bool close_after;    /* close once output is drained */
    bool continue_sent;  /* "100 Continue" sent for the current request */
    bool want_continue;  /* the current request has Expect: 100-continue */
    bool must_linger;    /* closing after an error: the peer may still be sending */
    bool head_timed;     /* the current request's head deadline is running */
    bool stream_rd_off;  /* C_STREAM: input arrived, reading is off until the stream ends */
    size_t head_len;     /* C_BODY: the parsed head's length */
    uint64_t body_need;  /* C_BODY with Content-Length: head_len + CL */
    http_chunked_t chunk;
    size_t chunk_in, chunk_out; /* decoder positions, relative to in_off */
    uint64_t body_start_ms, body_bytes; /* the min-rate rule; idleness is the deadline */
    char peer[48];
    int peer_port;
    http_stream_t *stream; /* C_STREAM */
    /* C_STREAM with a streamed request body (http_stream_body): the head stays at in_off, the
     * unread body follows it at head_len */
    bool body_streaming; /* body bytes still to come */
    bool body_paused;    /* no consumer yet, or it asked for a pause */
    bool body_chunked;
    bool body_expect;    /* the client waits for "100 Continue" */
    uint64_t body_left;  /* Content-Length bytes not yet delivered */
};

struct http_stream {
    http_conn_t *conn;
    int status;
    base_buf_t hdrs;
    bool head_sent, chunked, has_length, head_only, keepalive, until_close;
    int minor;
    uint64_t length;
    size_t consumed; /* the request's bytes in the input buffer */
    void (*on_drain)(void *arg);
    void (*on_close)(void *arg);
    void *arg;
    bool want_drain;
    bool in_handler; /* created inside the handler: buffer, do not flush yet */
    http_body_fn on_body;
    void *body_arg;
    net_timer_t feed_timer; /* delivers body bytes from the loop, never from the API call */
};

struct http_loop {
    http_server_t *srv;
    net_loop_t *loop;
    pthread_t thread;
    net_io_t lio[HTTP_MAX_LISTENERS];
    bool paused;
    net_timer_t resume_timer;
    net_timer_t log_timer;
    http_conn_t *free_conns;
    http_conn_t *conns; /* open connections, for shutdown */
    char *bufs[HTTP_BUF_POOL_MAX];
    size_t nbufs;
    http_header_t *headers; /* inline parsing scratch, max_headers */
    base_buf_t hdr_scratch;
    base_arena_t arena;
    base_buf_t log;
    time_t date_sec;
    char date[32];
    unsigned nconns;
    bool drain_started;     /* http_server_drain() seen by this loop */
    net_timer_t drain_timer; /* wakes the loop at the drain deadline */
};

struct http_server {
    http_config_t cfg;
    http_handler_fn handler;
    void *ctx;
    int lfds[HTTP_MAX_LISTENERS];
    bool lowned[HTTP_MAX_LISTENERS];
    unsigned nlisten;
    http_loop_t *loops;
    unsigned nloops;
    net_pool_t *pool;
    unsigned nconns; /* all loops; __atomic builtins only */
    int stopping;    /* no more keep-alive (stop or drain) */
    int draining;    /* http_server_drain(): loops wind down */
    unsigned loops_drained; /* loops that stopped watching the listeners */
    uint64_t drain_deadline_ms;
};

/* A request handed to the thread pool. Owns the input buffer while the worker runs. */
typedef struct http_job {
    net_job_t job;
    http_server_t *srv;
    http_conn_t *conn;
    uint32_t gen;
    base_buf_t in; /* moved from the connection: the request's spans point into it */
    size_t consumed;
    bool keepalive, head;
    int minor;
    int status;      /* for the access log */
    uint64_t bytes;
    base_buf_t out; /* the serialized response */
    base_buf_t hdrs;
    base_arena_t arena;
    char date[32];
    http_request_t req;
    http_header_t headers[];
} http_job_t;

static void conn_process(http_conn_t *c);
static void conn_flush(http_conn_t *c);
static void stream_free(http_conn_t *c);
static void body_feed(http_conn_t *c);
static void conn_close(http_conn_t *c);
static void on_conn_io(net_loop_t *loop, net_io_t *io, uint32_t ev);

/* ---- configuration -------------------------------------------------------------------- */

void http_config_defaults(http_config_t *cfg)
{
    *cfg = (http_config_t){
        .backlog = 1024,
        .max_conn = 10000,
        .threads = 1,
        .read_buf_init = 4096,
        .read_buf_cap = (1u << 20) + (64u << 10),
        .limits = {.max_head = 16384, .max_target = 8000, .max_line = 8192, .max_headers = 100},
        .max_body = 1u << 20,
        .timeout_request_ms = 10000,
        .timeout_body_ms = 10000,
        .body_min_rate = 1024,
        .timeout_keepalive_ms = 15000,
        .timeout_send_ms = 10000,
        .request_count = 1000,
        .thread_pool_count = 0,
        .thread_pool_backlog = 256,
        .access_log_fd = -1,
        .server_name = "Harv",
    };
}

/* ---- per-loop helpers: date, buffers, deadlines ------------------------------------------ */

static const char *loop_date(http_loop_t *lp)
{
    time_t now = time(NULL);
    if (now != lp->date_sec) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(lp->date, sizeof lp->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        lp->date_sec = now;
    }
    return lp->date;
}

/* Buffers start at read_buf_init, grow on demand, keep their capacity, and go back to the
 * loop's pool when the connection is idle (unless they grew past HTTP_BUF_POOL_CAP). */
static void buf_take(http_loop_t *lp, base_buf_t *b)
{
    if (b->data)
        return;
    size_t want = lp->srv->cfg.read_buf_init;
    if (lp->nbufs) {
        b->data = lp->bufs[--lp->nbufs];
        b->cap = want;
    } else {
        b->data = base_xmalloc(want);
        b->cap = want;
    }
    b->len = 0;
}

static void buf_give(http_loop_t *lp, base_buf_t *b)
{
    if (!b->data)
        return;
    if (b->cap == lp->srv->cfg.read_buf_init && lp->nbufs < HTTP_BUF_POOL_MAX)
        lp->bufs[lp->nbufs++] = b->data;
    else
        free(b->data);
    base_buf_init(b);
}

static void on_conn_timer(net_loop_t *loop, net_timer_t *t);

static void set_deadline(http_conn_t *c, uint64_t ms)
{
    net_loop_t *loop = c->lp->loop;
    c->deadline = net_loop_now(loop) + ms;
    if (!net_timer_active(&c->timer) || c->timer.deadline_ms > c->deadline)
        net_timer_start(loop, &c->timer, ms, on_conn_timer, c);
}

/* ---- access log ------------------------------------------------------------------------ */

static void log_flush(http_loop_t *lp)
{
    if (!lp->log.len)
        return;
    ssize_t w = write(lp->srv->cfg.access_log_fd, lp->log.data, lp->log.len);
    (void)w;
    lp->log.len = 0;
}

static void on_log_timer(net_loop_t *loop, net_timer_t *t)
{
    http_loop_t *lp = t->data;
    log_flush(lp);
    net_timer_start(loop, t, 200, on_log_timer, lp);
}

static void log_span(base_buf_t *b, base_span_t s)
{
    /* Escape what would break the line format: quotes, backslashes, controls. */
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.p[i];
        if (ch == '"' || ch == '\\' || ch < 0x20 || ch >= 0x7f)
            base_buf_appendf(b, "\\x%02x", ch);
        else
            base_buf_append(b, &s.p[i], 1);
    }
}

static void access_log(http_loop_t *lp, const http_request_t *req, int status, uint64_t bytes)
{
    if (lp->srv->cfg.access_log_fd < 0)
        return;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char ts[40];
    strftime(ts, sizeof ts, "%d/%b/%Y:%H:%M:%S +0000", &tm);
    base_buf_t *b = &lp->log;
    base_buf_appendf(b, "%s - - [%s] \"", req->peer ? req->peer : "-", ts);
    log_span(b, req->method_name);
    base_buf_append(b, " ", 1);
    log_span(b, req->target);
    base_buf_appendf(b, " HTTP/1.%d\" %d %llu \"", req->minor, status, (unsigned long long)bytes);
    const http_header_t *ref = http_request_header(req, "Referer");
    const http_header_t *ua = http_request_header(req, "User-Agent");
    log_span(b, ref ? ref->value : BASE_SPAN_LIT("-"));
    base_buf_append(b, "\" \"", 3);
    log_span(b, ua ? ua->value : BASE_SPAN_LIT("-"));
    base_buf_append(b, "\"\n", 2);
    if (b->len > 8192)
        log_flush(lp);
}

/* ---- connections ------------------------------------------------------------------------- */

static http_conn_t *conn_new(http_loop_t *lp)
{
    http_conn_t *c = lp->free_conns;
    if (c) {
        lp->free_conns = c->next_free;
        uint32_t gen = c->gen;
        memset(c, 0, sizeof *c);
        c->gen = gen + 1;
    } else {
        c = base_xcalloc(1, sizeof *c);
        c->gen = 1;
    }
    c->lp = lp;
    c->file_fd = -1;
    c->io.fd = -1;
    c->next = lp->conns;
    if (lp->conns)
        lp->conns->prev = c;
    lp->conns = c;
    return c;
}

static void resume_accept(http_loop_t *lp);

static void conn_close(http_conn_t *c)
{
    http_loop_t *lp = c->lp;
    if (c->stream) {
        http_stream_t *s = c->stream;
        c->stream = NULL; /* on_close may still use s (its loop), never the connection */
        if (s->on_close)
            s->on_close(s->arg);
        c->stream = s;
        stream_free(c);
    }
    net_timer_stop(lp->loop, &c->timer);
    if (c->io.fd >= 0) {
        net_io_stop(lp->loop, &c->io);
        close(c->io.fd);
        c->io.fd = -1;
    }
    if (c->file_fd >= 0)
        close(c->file_fd);
    c->file_fd = -1;
    buf_give(lp, &c->in);
    buf_give(lp, &c->out);
    c->gen++; /* a pool completion for this connection is now stale */
    if (c->prev)
        c->prev->next = c->next;
    else
        lp->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->next_free = lp->free_conns;
    lp->free_conns = c;
    lp->nconns--;
    __atomic_fetch_sub(&lp->srv->nconns, 1, __ATOMIC_RELAXED);
    if (lp->paused)
        resume_accept(lp);
}

/* Sets the epoll interest from the state: no reads while frozen or while output is pending
 * (a slow reader cannot make us buffer unbounded responses); writes while output is pending. */
static void conn_update_events(http_conn_t *c)
{
    bool pending = c->out.len > c->out_off || c->file_left;
    uint32_t ev = 0;
    if (c->state == C_STREAM) {
        if (c->body_streaming) {
            if (!c->body_paused)
                ev |= NET_IN | EPOLLRDHUP; /* the consumer paces a streamed body, not our output */
        } else if (!c->stream_rd_off) {
            /* No reads during a stream otherwise, but lazily: the interest stays as it was
             * until input actually arrives (on_conn_io then turns it off). A request answered
             * by a stream would otherwise cost two epoll_ctl calls: off when it starts, on
             * when it ends. */
            ev |= c->io.events & (NET_IN | EPOLLRDHUP);
        }
    } else {
        c->stream_rd_off = false;
        if (c->state != C_FROZEN && (!pending || c->state == C_LINGER))
            ev |= NET_IN | EPOLLRDHUP; /* RDHUP only with IN: level-triggered, it would spin */
    }
    if (pending)
        ev |= NET_OUT;
    net_io_modify(c->lp->loop, &c->io, ev);
}

/* Starts the graceful close: no more responses; the peer gets EOF after the output. */
static void conn_linger(http_conn_t *c)
{
    c->state = C_LINGER;
    shutdown(c->io.fd, SHUT_WR);
    c->in_off = 0;
    c->in.len = 0;
    c->deadline = 0;
    net_timer_start(c->lp->loop, &c->timer, HTTP_LINGER_MS, on_conn_timer, c);
    conn_update_events(c);
}

/* Answers an error status, then closes: used for framing errors, limits and timeouts. */
static void conn_fail(http_conn_t *c, int status)
{
    http_loop_t *lp = c->lp;
    if (c->state == C_LINGER)
        return;
    buf_take(lp, &c->out);
    if (status)
        http_error_serialize(&c->out, status, loop_date(lp), lp->srv->cfg.server_name);
    c->close_after = true;
    c->must_linger = true;
    c->in_off = c->in.len = 0;
    c->state = C_HEAD;
    conn_flush(c);
}

/* A request body failed (framing, limit, timeout): conn_fail, and for a streamed body the
 * producer hears of it through on_close first; a response already under way is cut. */
static void body_fail(http_conn_t *c, int status)
{
    if (c->state != C_STREAM) {
        conn_fail(c, status);
        return;
    }
    http_stream_t *s = c->stream;
    bool sent = s->head_sent;
    c->body_streaming = false;
    c->stream = NULL; /* as in conn_close: the producer forgets the stream first */
    if (s->on_close)
        s->on_close(s->arg);
    c->stream = s;
    stream_free(c);
    c->state = C_HEAD;
    if (sent)
        conn_close(c);
    else
        conn_fail(c, status);
}

static void on_conn_timer(net_loop_t *loop, net_timer_t *t)
{
    http_conn_t *c = t->data;
    uint64_t now = net_loop_now(loop);
    if (c->state == C_LINGER) {
        conn_close(c);
        return;
    }
    if (c->state == C_FROZEN)
        return; /* a worker owns the request; its completion rearms */
    bool body_reading = c->state == C_BODY || (c->body_streaming && !c->body_paused);
    if (c->state == C_STREAM && !(c->out.len > c->out_off || c->file_left) && !body_reading)
        return; /* the producer owns the pace; only a stalled send or body times out */
    if (now < c->deadline) {
        /* The deadline moved later meanwhile (lazy timer), or a body rate check is due. */
        uint64_t next = c->deadline - now;
        if (body_reading && c->lp->srv->cfg.body_min_rate) {
            http_config_t *cfg = &c->lp->srv->cfg;
            uint64_t elapsed = now - c->body_start_ms;
            if (elapsed >= cfg->timeout_body_ms &&
                c->body_bytes * 1000 < (uint64_t)cfg->body_min_rate * elapsed) {
                body_fail(c, 408); /* slow upload: under the minimum rate */
                return;
            }
            next = BASE_MIN(next, 1000);
        }
        net_timer_start(loop, t, next, on_conn_timer, c);
        return;
    }
    bool pending = c->out.len > c->out_off || c->file_left;
    if (pending) {
        conn_close(c); /* send timeout: the client stopped reading */
    } else if (body_reading || c->in.len > c->in_off) {
        body_fail(c, 408); /* request head deadline or body idle */
    } else {
        conn_close(c); /* keep-alive idle */
    }
}

/* Writes pending output: one write for the bytes, then sendfile for a file body. */
static void conn_flush(http_conn_t *c)
{
    http_loop_t *lp = c->lp;
    while (c->out.len > c->out_off) {
        /* Before a file body, MSG_MORE lets the head leave in the body's first segment: sent
         * alone (TCP_NODELAY) it cost a loopback client twice the CPU per 1 MiB response. */
        ssize_t n = send(c->io.fd, c->out.data + c->out_off, c->out.len - c->out_off,
                         c->file_left ? MSG_MORE : 0);
        if (n > 0) {
            c->out_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            goto blocked;
        conn_close(c);
        return;
    }
    while (c->file_left) {
        off_t off = c->file_off;
        ssize_t n = sendfile(c->io.fd, c->file_fd, &off,
                             BASE_MIN(c->file_left, (size_t)HTTP_SENDFILE_CHUNK));
        if (n > 0) {
            c->file_off = off;
            c->file_left -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            goto blocked;
        conn_close(c); /* file shrank (n == 0) or the peer is gone */
        return;
    }
    if (c->file_fd >= 0) {
        close(c->file_fd);
        c->file_fd = -1;
    }
    c->out.len = c->out_off = 0;
    if (c->state == C_STREAM) {
        http_stream_t *s = c->stream;
        conn_update_events(c);
        if (s->want_drain && s->on_drain) {
            s->want_drain = false;
            s->on_drain(s->arg);
        }
        return;
    }
    if (c->close_after) {
        /* A clean end (Connection: close, request cap) with nothing unread: close at once —
         * the FIN follows the response and no reset can overtake it. Otherwise (an error,
         * or bytes still coming) linger so the client reads the response before a reset. */
        int unread = 0;
        if (!c->must_linger && c->in.len == c->in_off &&
            ioctl(c->io.fd, FIONREAD, &unread) == 0 && unread == 0) {
            conn_close(c);
            return;
        }
        conn_linger(c);
        return;
    }
    if (c->state == C_LINGER)
        return;
    if (c->in.len == c->in_off) {
        if (lp->drain_started && c->state == C_HEAD) {
            conn_close(c); /* draining: an idle connection is done */
            return;
        }
        /* Idle keep-alive connection: its buffers go back to the pool. */
        buf_give(lp, &c->in);
        buf_give(lp, &c->out);
        c->in_off = 0;
        if (c->state == C_HEAD)
            set_deadline(c, lp->srv->cfg.timeout_keepalive_ms);
    }
    conn_update_events(c);
    /* Requests that arrived pipelined behind a file response are served now. */
    if (c->state == C_HEAD && c->in.len > c->in_off)
        conn_process(c);
    return;
blocked:
    set_deadline(c, lp->srv->cfg.timeout_send_ms);
    conn_update_events(c);
}

/* ---- running handlers ------------------------------------------------------------------- */

static void run_inline(http_conn_t *c, http_request_t *req, size_t consumed, bool keepalive)
{
    http_loop_t *lp = c->lp;
    http_server_t *srv = lp->srv;
    http_response_t resp;
    http_response_init(&resp, &lp->hdr_scratch, &lp->arena);
    resp.conn = c;
    resp.consumed = consumed;
    resp.keepalive = keepalive;
    resp.head = req->method == HTTP_HEAD;
    resp.minor = req->minor;
    srv->handler(srv->ctx, req, &resp);
    if (resp.stream) {
        /* The producer completes the response later (C_STREAM was entered already), unless
         * it ended or aborted it inside the handler: then c->stream no longer points to it. */
        if (c->stream == resp.stream) {
            resp.stream->in_handler = false;
            if (resp.close)
                resp.stream->keepalive = false;
        }
        access_log(lp, req, 200, 0);
        http_response_fini(&resp);
        base_arena_reset(&lp->arena);
        return;
    }
    if (resp.close)
        keepalive = false;
    if (req->flags & HTTP_REQ_BODY_STREAMED) { /* its body was never read */
        keepalive = false;
        c->must_linger = true;
        c->body_streaming = false;
    }
    buf_take(lp, &c->out);
    bool head = req->method == HTTP_HEAD;
    http_response_serialize(&resp, &c->out, req->minor, head, keepalive, loop_date(lp),
                            srv->cfg.server_name);
    access_log(lp, req, resp.status, resp.file_fd >= 0 ? resp.file_len : resp.body_len);
    if (resp.file_fd >= 0 && !head && resp.status != 304 && resp.file_len) {
        c->file_fd = resp.file_fd;
        c->file_off = resp.file_off;
        c->file_left = resp.file_len;
        resp.file_fd = -1;
    }
    http_response_fini(&resp);
    base_arena_reset(&lp->arena);
    c->in_off += consumed;
    if (!keepalive)
        c->close_after = true;
}

static void job_work(net_job_t *j)
{
    http_job_t *job = (http_job_t *)j;
    http_server_t *srv = job->srv;
    http_response_t resp;
    http_response_init(&resp, &job->hdrs, &job->arena);
    srv->handler(srv->ctx, &job->req, &resp);
    if (resp.file_fd >= 0) {
        /* Pool mode serializes into job-owned bytes: read the file body in. */
        char *data = malloc(resp.file_len ? resp.file_len : 1);
        size_t got = 0;
        while (data && got < resp.file_len) {
            ssize_t n = pread(resp.file_fd, data + got, resp.file_len - got,
                              resp.file_off + (off_t)got);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        close(resp.file_fd);
        resp.file_fd = -1;
        if (!data || got != resp.file_len) {
            free(data);
            http_response_error(&resp, 500);
        } else {
            free(resp.body_owned);
            resp.body_owned = data;
            resp.body = data;
            resp.body_len = got;
        }
    }
    if (resp.close)
        job->keepalive = false;
    http_response_serialize(&resp, &job->out, job->minor, job->head, job->keepalive, job->date,
                            srv->cfg.server_name);
    job->status = resp.status;
    job->bytes = resp.body_len;
    http_response_fini(&resp);
    base_arena_fini(&job->arena);
    base_buf_fini(&job->hdrs);
}

static void job_free(http_job_t *job)
{
    base_buf_fini(&job->out);
    base_buf_fini(&job->in);
    free(job);
}

static void job_done(net_loop_t *loop, net_job_t *j)
{
    http_job_t *job = (http_job_t *)j;
    http_conn_t *c = job->conn;
    if (c->gen != job->gen || c->state != C_FROZEN) {
        job_free(job); /* the connection closed meanwhile */
        return;
    }
    http_loop_t *lp = c->lp;
    access_log(lp, &job->req, job->status, job->bytes);
    c->in = job->in; /* the buffer comes back; compact past this request */
    base_buf_init(&job->in);
    c->in_off += job->consumed;
    buf_take(lp, &c->out);
    base_buf_append(&c->out, job->out.data, job->out.len);
    if (!job->keepalive)
        c->close_after = true;
    job_free(job);
    c->state = C_HEAD;
    if (!c->close_after)
        conn_process(c);
    else
        conn_flush(c);
}

/* Hands a complete request to the pool: freezes the connection, moves the buffer to the job.
 * A full backlog sheds with 503 + Retry-After. */
static void run_pooled(http_conn_t *c, http_request_t *req, size_t consumed, bool keepalive)
{
    http_loop_t *lp = c->lp;
    http_server_t *srv = lp->srv;
    http_job_t *job = base_xcalloc(1, sizeof *job + srv->cfg.limits.max_headers *
                                                         sizeof(http_header_t));
    job->job.work = job_work;
    job->job.done = job_done;
    job->job.loop = lp->loop;
    job->srv = srv;
    job->conn = c;
    job->gen = c->gen;
    job->consumed = consumed;
    job->keepalive = keepalive;
    job->head = req->method == HTTP_HEAD;
    job->minor = req->minor;
    memcpy(job->date, loop_date(lp), sizeof job->date);
    job->req = *req;
    job->req.headers = job->headers;
    memcpy(job->headers, req->headers, req->nheaders * sizeof(http_header_t));
    base_arena_init(&job->arena, 4096);
    job->in = c->in;
    if (net_pool_submit(srv->pool, &job->job) != BASE_OK) {
        free(job);
        buf_take(lp, &c->out);
        base_buf_appendf(&c->out,
                         "HTTP/1.1 503 Service Unavailable\r\nServer: %s\r\nDate: %.29s\r\n"
                         "Retry-After: 1\r\nContent-Length: 0\r\n%s\r\n",
                         srv->cfg.server_name, loop_date(lp),
                         keepalive ? "" : "Connection: close\r\n");
        c->in_off += consumed;
        if (!keepalive)
            c->close_after = true;
        return;
    }
    base_buf_init(&c->in);
    c->state = C_FROZEN;
    conn_update_events(c);
}

/* A complete request (head + body) sits at in[in_off..in_off+consumed): run it. */
static void conn_dispatch(http_conn_t *c, http_request_t *req, size_t consumed)
{
    http_server_t *srv = c->lp->srv;
    c->requests++;
    bool keepalive = (req->flags & HTTP_REQ_KEEPALIVE) && c->requests < srv->cfg.request_count &&
                     !__atomic_load_n(&srv->stopping, __ATOMIC_RELAXED);
    req->peer = c->peer;
    req->peer_port = c->peer_port;
    c->continue_sent = false;
    c->want_continue = false;
    c->head_timed = false;
    c->state = C_HEAD;
    if (srv->pool)
        run_pooled(c, req, consumed, keepalive);
    else
        run_inline(c, req, consumed, keepalive);
}

/* Queues "100 Continue": the client waits for it before sending its body (RFC 9110 §10.1.1). */
static void conn_continue(http_conn_t *c)
{
    buf_take(c->lp, &c->out);
    base_buf_append(&c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    c->continue_sent = true;
}

/* Parses and runs every complete request in the buffer (pipelining), then flushes once. */
static void conn_process(http_conn_t *c)
{
    http_loop_t *lp = c->lp;
    http_server_t *srv = lp->srv;
    http_config_t *cfg = &srv->cfg;
    http_request_t req;
    req.headers = lp->headers;
    while (c->state == C_HEAD || c->state == C_BODY) {
        if (c->close_after || c->file_left)
            break; /* no more requests after a close; files go out before the next one */
        char *base = c->in.data + c->in_off;
        size_t avail = c->in.len - c->in_off;
        int status = 0;
        if (c->state == C_HEAD) {
            if (!avail)
                break;
            int rc = http_parse_request(base, avail, &cfg->limits, &req, &status);
            if (rc == BASE_AGAIN)
                break;
            if (rc == BASE_ERROR) {
                conn_fail(c, status);
                return;
            }
            size_t head = (size_t)rc;
            c->want_continue = (req.flags & HTTP_REQ_CONTINUE) != 0;
            if ((req.flags & HTTP_REQ_CHUNKED || req.content_length) && cfg->body_stream &&
                !srv->pool && cfg->body_stream(srv->ctx, &req)) {
                if (!(req.flags & HTTP_REQ_CHUNKED) && req.content_length > cfg->max_body) {
                    conn_fail(c, 413);
                    return;
                }
                c->body_streaming = c->body_paused = true; /* until http_stream_body() */
                c->body_chunked = (req.flags & HTTP_REQ_CHUNKED) != 0;
                c->body_expect = c->want_continue;
                c->body_left = req.content_length;
                c->head_len = head;
                if (c->body_chunked)
                    http_chunked_init(&c->chunk, cfg->max_body, HTTP_MAX_AUX);
                c->chunk_in = c->chunk_out = head;
                req.flags |= HTTP_REQ_BODY_STREAMED;
                req.body = NULL;
                req.body_len = 0;
                conn_dispatch(c, &req, head);
                continue;
            }
            if (req.flags & HTTP_REQ_CHUNKED) {
                c->state = C_BODY;
                c->head_len = head;
                c->body_need = 0;
                http_chunked_init(&c->chunk, cfg->max_body, HTTP_MAX_AUX);
                c->chunk_in = c->chunk_out = head;
            } else if (req.content_length) {
                if (req.content_length > cfg->max_body ||
                    req.content_length > cfg->read_buf_cap - head) {
                    conn_fail(c, 413);
                    return;
                }
                c->state = C_BODY;
                c->head_len = head;
                c->body_need = head + req.content_length;
                if (avail < c->body_need) {
                    /* Size the buffer in one step for the declared body. */
                    if (c->in_off) {
                        memmove(c->in.data, base, avail);
                        c->in.len = avail;
                        c->in_off = 0;
                    }
                    if (base_buf_reserve(&c->in, c->body_need - avail, cfg->read_buf_cap)) {
                        conn_fail(c, 413);
                        return;
                    }
                }
            } else {
                conn_dispatch(c, &req, head);
                continue;
            }
            c->body_start_ms = net_loop_now(lp->loop);
            c->body_bytes = 0;
            set_deadline(c, cfg->timeout_body_ms);
            base = c->in.data + c->in_off;
        }
        /* C_BODY */
        if (c->body_need) {
            if (avail < c->body_need)
                goto need_body;
            http_parse_request(base, c->head_len, &cfg->limits, &req, &status);
            req.body = base + c->head_len;
            req.body_len = c->body_need - c->head_len;
            conn_dispatch(c, &req, c->body_need);
            continue;
        }
        int rc = http_chunked_decode(&c->chunk, base, avail, &c->chunk_in, &c->chunk_out, &status);
        if (rc == BASE_ERROR) {
            conn_fail(c, status);
            return;
        }
        if (rc == BASE_AGAIN)
            goto need_body;
        http_parse_request(base, c->head_len, &cfg->limits, &req, &status);
        req.body = base + c->head_len;
        req.body_len = c->chunk_out - c->head_len;
        conn_dispatch(c, &req, c->chunk_in);
        continue;
    need_body:
        if (c->want_continue && !c->continue_sent && c->out.len == c->out_off)
            conn_continue(c); /* only the head has arrived: invite the body */
        break;
    }
    if (c->state == C_FROZEN)
        return;
    if (c->state == C_STREAM) {
        if (c->body_streaming && !c->body_paused) {
            uint32_t gen = c->gen;
            body_feed(c);
            if (c->gen != gen || c->state != C_STREAM)
                return; /* closed, or ended: http_stream_end ran conn_process itself */
        }
        conn_update_events(c);
        /* the handler may already have written: a stream buffers until here */
        if (c->out.len > c->out_off)
            conn_flush(c);
        return;
    }
    if (c->in_off == c->in.len)
        c->in_off = c->in.len = 0;
    if (c->out.len > c->out_off || c->file_left || c->close_after) {
        conn_flush(c);
        return;
    }
    if (c->state == C_HEAD && c->in.len > c->in_off && !c->head_timed) {
        /* A partial request left behind pipelined ones: its head clock starts now. */
        c->head_timed = true;
        set_deadline(c, cfg->timeout_request_ms);
    }
    if (c->in.len == 0) {
        if (lp->drain_started && c->state == C_HEAD) {
            conn_close(c);
            return;
        }
        buf_give(lp, &c->in);
        buf_give(lp, &c->out);
        /* Idle after a stream that ended with nothing left to write: keep-alive clock. */
        if (c->state == C_HEAD && !c->head_timed)
            set_deadline(c, cfg->timeout_keepalive_ms);
    }
    /* Reading resumes here when a stream ended with its output already written (no flush
     * ran to re-arm it). No syscall when the interest is unchanged. */
    conn_update_events(c);
}

static void conn_read(http_conn_t *c)
{
    http_loop_t *lp = c->lp;
    http_config_t *cfg = &lp->srv->cfg;
    buf_take(lp, &c->in);
    bool got = false;
    for (;;) {
        if (c->in.len == c->in.cap) {
            if (c->body_streaming && c->in.len - c->in_off - c->head_len >= HTTP_BODY_WINDOW)
                break; /* a streamed body: hand this window over before reading more */
            if (c->state == C_HEAD && got)
                break; /* parse what came first: its body may be streamed, not buffered */
            if (c->in_off) { /* compact before growing */
                memmove(c->in.data, c->in.data + c->in_off, c->in.len - c->in_off);
                c->in.len -= c->in_off;
                c->in_off = 0; /* chunk decoder positions are relative to in_off */
            } else {
                int rc = base_buf_reserve(&c->in, c->in.cap, cfg->read_buf_cap);
                if (rc == BASE_LIMIT && c->in.cap < cfg->read_buf_cap)
                    rc = base_buf_reserve(&c->in, cfg->read_buf_cap - c->in.cap,
                                          cfg->read_buf_cap);
                if (rc != BASE_OK) {
                    conn_fail(c, c->state == C_BODY ? 413 : 431);
                    return;
                }
            }
        }
        size_t room = c->in.cap - c->in.len;
        ssize_t n = read(c->io.fd, c->in.data + c->in.len, room);
        if (n > 0) {
            got = true;
            bool was_idle = c->in.len == c->in_off && c->state == C_HEAD;
            c->in.len += (size_t)n;
            if (was_idle && !c->head_timed) {
                /* First byte of a request: its absolute head deadline starts. */
                c->head_timed = true;
                set_deadline(c, cfg->timeout_request_ms);
            }
            if (c->state == C_BODY || c->body_streaming) {
                c->body_bytes += (uint64_t)n;
                set_deadline(c, cfg->timeout_body_ms);
            }
            if ((size_t)n < room)
                break; /* drained for now: no extra read(2) just to see EAGAIN */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        /* EOF or error: a half-sent request cannot be answered usefully. */
        conn_close(c);
        return;
    }
    conn_process(c);
}

static void on_conn_io(net_loop_t *loop, net_io_t *io, uint32_t ev)
{
    http_conn_t *c = io->data;
    if (c->state == C_LINGER) {
        char sink[4096];
        ssize_t n;
        if (c->out.len > c->out_off || c->file_left) {
            conn_flush(c);
            if (c->io.fd < 0 || c->state != C_LINGER)
                return;
        }
        while ((n = read(io->fd, sink, sizeof sink)) > 0)
            ;
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || (ev & (EPOLLHUP | EPOLLERR)))
            conn_close(c);
        return;
    }
    if (ev & (EPOLLERR | EPOLLHUP)) {
        conn_close(c);
        return;
    }
    if (ev & EPOLLOUT) {
        uint32_t gen = c->gen;
        conn_flush(c);
        if (c->gen != gen || !(ev & EPOLLIN))
            return;
    }
    if (!(ev & (EPOLLIN | EPOLLRDHUP)) || c->state == C_FROZEN)
        return;
    if (c->state == C_STREAM) {
        if (c->body_streaming && !c->body_paused) {
            conn_read(c);
            return;
        }
        c->stream_rd_off = true; /* read when the stream has ended */
        conn_update_events(c);
        return;
    }
    if (c->out.len > c->out_off || c->file_left)
        return; /* read again once the output drained */
    conn_read(c);
}

/* ---- streamed responses -------------------------------------------------------------------- */

http_stream_t *http_response_stream(http_response_t *resp)
{
    http_conn_t *c = resp->conn;
    if (!c || resp->stream)
        return resp->stream; /* pool mode: NULL */
    http_stream_t *s = base_xcalloc(1, sizeof *s);
    s->conn = c;
    s->status = 200;
    s->minor = resp->minor;
    s->head_only = resp->head;
    s->keepalive = resp->keepalive;
    s->consumed = resp->consumed;
    s->in_handler = true;
    base_buf_init(&s->hdrs);
    /* headers the handler set before taking the stream carry over */
    base_buf_append(&s->hdrs, resp->hdrs->data ? resp->hdrs->data : "", resp->hdrs->len);
    c->stream = s;
    c->state = C_STREAM;
    resp->stream = s;
    return s;
}

net_loop_t *http_stream_loop(http_stream_t *s) { return s->conn->lp->loop; }
void http_stream_status(http_stream_t *s, int status) { s->status = status; }

void http_stream_header(http_stream_t *s, const char *name, const char *value)
{
    size_t nl = strcspn(name, "\r\n"), vl = strcspn(value, "\r\n");
    if (name[nl] || value[vl])
        return;
    base_buf_append(&s->hdrs, name, nl);
    base_buf_append(&s->hdrs, ": ", 2);
    base_buf_append(&s->hdrs, value, vl);
    base_buf_append(&s->hdrs, "\r\n", 2);
}

/* Appends the decimal digits of v (no printf on the per-request path). */
static void append_u64(base_buf_t *b, uint64_t v)
{
    char d[20];
    size_t n = 0;
    do
        d[sizeof d - ++n] = (char)('0' + v % 10);
    while ((v /= 10));
    base_buf_append(b, d + sizeof d - n, n);
}

static void append_str(base_buf_t *b, const char *str) { base_buf_append(b, str, strlen(str)); }

void http_stream_set_length(http_stream_t *s, uint64_t len)
{
    s->has_length = true;
    s->length = len;
}

void http_stream_callbacks(http_stream_t *s, void (*on_drain)(void *arg),
                           void (*on_close)(void *arg), void *arg)
{
    s->on_drain = on_drain;
    s->on_close = on_close;
    s->arg = arg;
}

static void stream_send_head(http_stream_t *s)
{
    http_conn_t *c = s->conn;
    http_loop_t *lp = c->lp;
    bool no_body = s->status == 204 || s->status == 304 || s->status < 200;
    buf_take(lp, &c->out);
    base_buf_t *o = &c->out;
    append_str(o, "HTTP/1.1 ");
    append_u64(o, (uint64_t)(s->status > 0 ? s->status : 0));
    base_buf_append(o, " ", 1);
    append_str(o, http_status_text(s->status));
    append_str(o, "\r\nServer: ");
    append_str(o, lp->srv->cfg.server_name);
    append_str(o, "\r\nDate: ");
    const char *date = loop_date(lp);
    base_buf_append(o, date, strnlen(date, 29));
    append_str(o, "\r\n");
    if (!no_body) {
        if (s->has_length) {
            append_str(o, "Content-Length: ");
            append_u64(o, s->length);
            append_str(o, "\r\n");
        } else if (s->minor >= 1) {
            s->chunked = !s->head_only;
            append_str(o, "Transfer-Encoding: chunked\r\n");
        } else {
            s->until_close = true; /* HTTP/1.0 without a length: the close delimits */
        }
    }
    if (s->until_close)
        s->keepalive = false;
    if (!s->keepalive)
        append_str(o, "Connection: close\r\n");
    else if (s->minor == 0)
        append_str(o, "Connection: keep-alive\r\n");
    base_buf_append(&c->out, s->hdrs.data ? s->hdrs.data : "", s->hdrs.len);
    base_buf_append(&c->out, "\r\n", 2);
    s->head_sent = true;
    if (no_body)
        s->head_only = true;
}

int http_stream_write(http_stream_t *s, const void *data, size_t len)
{
    http_conn_t *c = s->conn;
    if (!s->head_sent)
        stream_send_head(s);
    if (len && !s->head_only) {
        buf_take(c->lp, &c->out);
        if (s->chunked)
            base_buf_appendf(&c->out, "%zx\r\n", len);
        base_buf_append(&c->out, data, len);
        if (s->chunked)
            base_buf_append(&c->out, "\r\n", 2);
    }
    if (s->in_handler)
        return BASE_OK; /* flushed when the handler returns */
    uint32_t gen = c->gen;
    conn_flush(c);
    if (c->gen != gen)
        return BASE_ERROR; /* closed: on_close has run and s is gone */
    if (c->out.len - c->out_off > HTTP_STREAM_HIGH_WATER) {
        s->want_drain = true;
        return BASE_AGAIN;
    }
    return BASE_OK;
}

static void stream_free(http_conn_t *c)
{
    http_stream_t *s = c->stream;
    c->stream = NULL;
    net_timer_stop(c->lp->loop, &s->feed_timer);
    base_buf_fini(&s->hdrs);
    free(s);
}

/* A response that ends before its streamed body was read whole: nothing after it on this
 * connection can be parsed, so it closes once the response is out. */
static void stream_body_unfinished(http_conn_t *c, http_stream_t *s)
{
    if (!c->body_streaming)
        return;
    c->body_streaming = false;
    s->keepalive = false;
    c->close_after = true;
    c->must_linger = true;
}

/* Hands buffered body bytes to the consumer until it pauses, the buffer is empty or the body
 * is complete. The head stays at in_off; delivered bytes and chunk framing are dropped behind
 * it, except after the last ones: the stream's consumed count then skips the whole body. */
static void body_feed(http_conn_t *c)
{
    http_stream_t *s = c->stream;
    if (c->body_expect && !c->continue_sent && !s->head_sent)
        conn_continue(c);
    uint32_t gen = c->gen;
    unsigned reqno = c->requests;
    while (c->body_streaming && !c->body_paused && s->on_body) {
        char *base = c->in.data + c->in_off;
        size_t avail = c->in.len - c->in_off;
        size_t n, next;
        bool done;
        if (!c->body_chunked) {
            n = (size_t)BASE_MIN((uint64_t)(avail - c->head_len), c->body_left);
            c->body_left -= n;
            done = c->body_left == 0;
            next = c->head_len + n;
        } else {
            int status = 400;
            int rc = http_chunked_decode(&c->chunk, base, avail, &c->chunk_in, &c->chunk_out,
                                         &status);
            if (rc == BASE_ERROR) {
                body_fail(c, status);
                return;
            }
            n = c->chunk_out - c->head_len;
            done = rc == BASE_OK;
            next = c->chunk_in;
        }
        if (!n && !done)
            break;
        c->body_streaming = !done;
        if (done)
            s->consumed = next; /* the next request starts past the body */
        bool more = s->on_body(s->body_arg, base + c->head_len, n, done);
        if (c->gen != gen || c->requests != reqno || c->stream != s || done)
            return; /* closed or ended inside, or nothing left to read */
        memmove(base + c->head_len, base + next, avail - next);
        c->in.len -= next - c->head_len;
        c->chunk_in = c->chunk_out = c->head_len;
        if (!more)
            c->body_paused = true;
    }
}

static void on_feed_timer(net_loop_t *loop, net_timer_t *t)
{
    http_stream_t *s = t->data;
    http_conn_t *c = s->conn;
    uint32_t gen = c->gen;
    if (c->body_streaming && !c->body_paused) {
        c->body_start_ms = net_loop_now(loop); /* the min-rate window starts when we read */
        c->body_bytes = 0;
        set_deadline(c, c->lp->srv->cfg.timeout_body_ms);
    }
    body_feed(c);
    if (c->gen != gen || c->state != C_STREAM)
        return;
    conn_update_events(c);
    if (c->out.len > c->out_off)
        conn_flush(c); /* "100 Continue" */
}

void http_stream_body(http_stream_t *s, http_body_fn on_body, void *arg)
{
    s->on_body = on_body;
    s->body_arg = arg;
    http_stream_body_resume(s);
}

void http_stream_body_resume(http_stream_t *s)
{
    http_conn_t *c = s->conn;
    if (!c->body_streaming || !s->on_body)
        return;
    c->body_paused = false;
    net_timer_start(c->lp->loop, &s->feed_timer, 0, on_feed_timer, s);
}

void http_stream_end(http_stream_t *s)
{
    http_conn_t *c = s->conn;
    stream_body_unfinished(c, s);
    if (!s->head_sent) {
        if (!s->has_length)
            http_stream_set_length(s, 0);
        stream_send_head(s);
    }
    if (s->chunked)
        base_buf_append(&c->out, "0\r\n\r\n", 5);
    bool in_handler = s->in_handler;
    c->in_off += s->consumed;
    if (!s->keepalive)
        c->close_after = true;
    stream_free(c);
    c->state = C_HEAD;
    if (!in_handler)
        conn_process(c); /* else run_inline's caller continues the pipeline */
}

void http_stream_abort(http_stream_t *s, int status)
{
    http_conn_t *c = s->conn;
    bool sent = s->head_sent;
    stream_body_unfinished(c, s);
    if (s->in_handler) { /* nothing went out yet: answer the status like a handler would */
        c->in_off += s->consumed;
        stream_free(c);
        c->state = C_HEAD;
        buf_take(c->lp, &c->out);
        http_error_serialize(&c->out, status ? status : 502, loop_date(c->lp),
                             c->lp->srv->cfg.server_name);
        c->close_after = true;
        return;
    }
    stream_free(c);
    c->state = C_HEAD;
    if (sent) {
        conn_close(c); /* mid-body: only a close tells the client the body is incomplete */
        return;
    }
    conn_fail(c, status ? status : 502);
}

/* ---- accepting ----------------------------------------------------------------------------- */

static void on_resume_timer(net_loop_t *loop, net_timer_t *t) { resume_accept(t->data); }

static void pause_accept(http_loop_t *lp)
{
    if (lp->paused)
        return;
    for (unsigned i = 0; i < lp->srv->nlisten; i++)
        net_io_stop(lp->loop, &lp->lio[i]);
    lp->paused = true;
    /* Another loop's closes also free capacity: check periodically too. */
    net_timer_start(lp->loop, &lp->resume_timer, 100, on_resume_timer, lp);
}

static void on_accept(net_loop_t *loop, net_io_t *io, uint32_t ev);

static void resume_accept(http_loop_t *lp)
{
    http_server_t *srv = lp->srv;
    if (!lp->paused || lp->drain_started)
        return;
    if (__atomic_load_n(&srv->nconns, __ATOMIC_RELAXED) >= srv->cfg.max_conn) {
        if (!net_timer_active(&lp->resume_timer))
            net_timer_start(lp->loop, &lp->resume_timer, 100, on_resume_timer, lp);
        return;
    }
    lp->paused = false;
    net_timer_stop(lp->loop, &lp->resume_timer);
    for (unsigned i = 0; i < srv->nlisten; i++)
        net_io_start(lp->loop, &lp->lio[i], srv->lfds[i],
                     NET_IN | (srv->nloops > 1 ? NET_EXCLUSIVE : 0), on_accept, lp);
}

static void on_accept(net_loop_t *loop, net_io_t *io, uint32_t ev)
{
    http_loop_t *lp = io->data;
    http_server_t *srv = lp->srv;
    for (int k = 0; k < HTTP_ACCEPT_BATCH; k++) {
        if (__atomic_load_n(&srv->nconns, __ATOMIC_RELAXED) >= srv->cfg.max_conn) {
            pause_accept(lp); /* never drop: the kernel backlog holds them meanwhile */
            return;
        }
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(io->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                BASE_LOG(BASE_LOG_WARN, "http", "accept: %s; pausing accept", strerror(errno));
                pause_accept(lp);
            }
            return; /* EAGAIN, or a connection reset before accept */
        }
        http_conn_t *c = conn_new(lp);
        net_addr_peer(&ss, c->peer, sizeof c->peer, &c->peer_port);
        lp->nconns++;
        __atomic_fetch_add(&srv->nconns, 1, __ATOMIC_RELAXED);
        if (net_io_start(loop, &c->io, fd, NET_IN | EPOLLRDHUP, on_conn_io, c) != BASE_OK) {
            close(fd);
            c->io.fd = -1;
            conn_close(c);
            continue;
        }
        c->state = C_HEAD;
        set_deadline(c, srv->cfg.timeout_request_ms);
        /* TCP_DEFER_ACCEPT: the request is usually here already. */
        conn_read(c);
    }
}

/* ---- the server ------------------------------------------------------------------------- */

static int loop_init(http_server_t *srv, http_loop_t *lp)
{
    lp->srv = srv;
    lp->loop = net_loop_new();
    if (!lp->loop)
        return BASE_ERROR;
    net_loop_set_data(lp->loop, lp);
    lp->headers = base_xcalloc(srv->cfg.limits.max_headers, sizeof(http_header_t));
    base_buf_init(&lp->hdr_scratch);
    base_arena_init(&lp->arena, 4096);
    base_buf_init(&lp->log);
    lp->paused = true;
    resume_accept(lp);
    if (srv->cfg.access_log_fd >= 0)
        net_timer_start(lp->loop, &lp->log_timer, 200, on_log_timer, lp);
    return BASE_OK;
}

http_server_t *http_server_new(const http_config_t *cfg, http_handler_fn handler, void *ctx,
                               char *err, size_t errlen)
{
    http_server_t *srv = base_xcalloc(1, sizeof *srv);
    srv->cfg = *cfg;
    srv->handler = handler;
    srv->ctx = ctx;
    if (!srv->cfg.threads)
        srv->cfg.threads = 1;
    if (srv->cfg.read_buf_init < 256)
        srv->cfg.read_buf_init = 256;
    if (srv->cfg.read_buf_cap < srv->cfg.limits.max_head + 1)
        srv->cfg.read_buf_cap = srv->cfg.limits.max_head + 1;
    if (srv->cfg.read_buf_init > srv->cfg.read_buf_cap)
        srv->cfg.read_buf_init = srv->cfg.read_buf_cap;
    if (!srv->cfg.max_conn)
        srv->cfg.max_conn = 1;
    if (!srv->cfg.limits.max_headers)
        srv->cfg.limits.max_headers = 1;
    unsigned flags = NET_LISTEN_DEFER_ACCEPT;
    for (const char **a = cfg->listen; a && *a; a++) {
        if (srv->nlisten == HTTP_MAX_LISTENERS) {
            snprintf(err, errlen, "at most %d listen addresses", HTTP_MAX_LISTENERS);
            goto fail;
        }
        net_addr_t addr;
        if (net_addr_parse(*a, &addr, err, errlen) != BASE_OK)
            goto fail;
        int fd = net_listen(&addr, cfg->backlog, flags, err, errlen);
        if (fd < 0)
            goto fail;
        srv->lowned[srv->nlisten] = true;
        srv->lfds[srv->nlisten++] = fd;
    }
    for (const int *f = cfg->listen_fds; f && *f >= 0; f++) {
        if (srv->nlisten == HTTP_MAX_LISTENERS) {
            snprintf(err, errlen, "at most %d listeners", HTTP_MAX_LISTENERS);
            goto fail;
        }
        fcntl(*f, F_SETFL, fcntl(*f, F_GETFL) | O_NONBLOCK);
        srv->lfds[srv->nlisten++] = *f;
    }
    if (!srv->nlisten) {
        snprintf(err, errlen, "no listen address configured");
        goto fail;
    }
    /* TCP_NODELAY on the listeners: accepted sockets inherit it, one setsockopt less per
     * connection (fails harmlessly on a unix socket) */
    for (unsigned i = 0; i < srv->nlisten; i++) {
        int one = 1;
        setsockopt(srv->lfds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (cfg->thread_pool_count) {
        srv->pool = net_pool_new(cfg->thread_pool_count, cfg->thread_pool_backlog);
        if (!srv->pool) {
            snprintf(err, errlen, "cannot start %u handler threads", cfg->thread_pool_count);
            goto fail;
        }
    }
    srv->nloops = srv->cfg.threads;
    srv->loops = base_xcalloc(srv->nloops, sizeof *srv->loops);
    for (unsigned i = 0; i < srv->nloops; i++) {
        if (loop_init(srv, &srv->loops[i]) != BASE_OK) {
            snprintf(err, errlen, "cannot create event loop: %s", strerror(errno));
            goto fail;
        }
    }
    return srv;
fail:
    http_server_free(srv);
    return NULL;
}

int http_server_init(http_server_t **out, const http_config_t *cfg, http_handler_fn handler,
                     void *ctx, char *err, size_t errlen)
{
    *out = http_server_new(cfg, handler, ctx, err, errlen);
    return *out ? BASE_OK : BASE_ERROR;
}

static void drain_start(http_loop_t *lp);

int http_server_tick(http_server_t *srv, int max_wait_ms)
{
    int n = net_loop_tick(srv->loops[0].loop, max_wait_ms);
    if (__atomic_load_n(&srv->draining, __ATOMIC_ACQUIRE) && !srv->loops[0].drain_started)
        drain_start(&srv->loops[0]);
    if (srv->cfg.access_log_fd >= 0)
        log_flush(&srv->loops[0]);
    return n;
}

static void on_drain_timer(net_loop_t *loop, net_timer_t *t) { /* the wake-up is the point */ }

/* This loop's part of http_server_drain(): accept no more, close idle connections now; the
 * others close after their current response (stopping turns keep-alive off). */
static void drain_start(http_loop_t *lp)
{
    http_server_t *srv = lp->srv;
    lp->drain_started = true;
    if (!lp->paused)
        for (unsigned i = 0; i < srv->nlisten; i++)
            net_io_stop(lp->loop, &lp->lio[i]);
    lp->paused = true;
    net_timer_stop(lp->loop, &lp->resume_timer);
    /* The last loop to let go closes this process's descriptors of the listeners, so new
     * clients are refused at once — unless another process (a supervisor) holds the socket
     * for the next generation: then they wait in its backlog. */
    if (__atomic_add_fetch(&srv->loops_drained, 1, __ATOMIC_ACQ_REL) == srv->nloops)
        for (unsigned i = 0; i < srv->nlisten; i++)
            if (srv->lfds[i] >= 0) {
                close(srv->lfds[i]);
                srv->lfds[i] = -1;
            }
    uint64_t now = net_loop_update_time(lp->loop);
    uint64_t deadline = __atomic_load_n(&srv->drain_deadline_ms, __ATOMIC_ACQUIRE);
    net_timer_start(lp->loop, &lp->drain_timer, deadline > now ? deadline - now : 0,
                    on_drain_timer, lp);
    for (http_conn_t *c = lp->conns, *next; c; c = next) {
        next = c->next;
        bool pending = c->out.len > c->out_off || c->file_left;
        if (c->state == C_HEAD && c->in.len == c->in_off && !pending)
            conn_close(c);
    }
}

/* Runs one loop until stopped, or drained (no connections left, or the deadline). */
static int loop_run(http_loop_t *lp)
{
    http_server_t *srv = lp->srv;
    while (!net_loop_stopped(lp->loop)) {
        if (net_loop_tick(lp->loop, -1) == BASE_ERROR)
            return BASE_ERROR;
        if (!__atomic_load_n(&srv->draining, __ATOMIC_ACQUIRE))
            continue;
        if (!lp->drain_started)
            drain_start(lp);
        if (!lp->nconns ||
            net_loop_now(lp->loop) >= __atomic_load_n(&srv->drain_deadline_ms, __ATOMIC_ACQUIRE))
            break;
    }
    log_flush(lp);
    return BASE_OK;
}

static void *loop_thread(void *arg)
{
    http_loop_t *lp = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals go to the main thread */
    loop_run(lp);
    return NULL;
}

int http_server_run(http_server_t *srv)
{
    for (unsigned i = 1; i < srv->nloops; i++)
        pthread_create(&srv->loops[i].thread, NULL, loop_thread, &srv->loops[i]);
    int rc = loop_run(&srv->loops[0]);
    for (unsigned i = 1; i < srv->nloops; i++)
        pthread_join(srv->loops[i].thread, NULL);
    return rc;
}

void http_server_stop(http_server_t *srv)
{
    __atomic_store_n(&srv->stopping, 1, __ATOMIC_RELAXED);
    for (unsigned i = 0; i < srv->nloops; i++)
        if (srv->loops[i].loop)
            net_loop_stop(srv->loops[i].loop);
}

void http_server_drain(http_server_t *srv, unsigned deadline_ms)
{
    /* Async-signal-safe: atomic stores, clock_gettime and eventfd writes only. */
    __atomic_store_n(&srv->drain_deadline_ms, base_now_ms() + deadline_ms, __ATOMIC_RELEASE);
    __atomic_store_n(&srv->stopping, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&srv->draining, 1, __ATOMIC_RELEASE);
    for (unsigned i = 0; i < srv->nloops; i++)
        if (srv->loops[i].loop)
            net_loop_wake(srv->loops[i].loop);
}

int http_server_port(const http_server_t *srv, unsigned i)
{
    return i < srv->nlisten && srv->lfds[i] >= 0 ? net_socket_port(srv->lfds[i]) : 0;
}

unsigned http_server_conn_count(const http_server_t *srv)
{
    return __atomic_load_n(&srv->nconns, __ATOMIC_RELAXED);
}

static void loop_fini(http_loop_t *lp)
{
    if (!lp->loop)
        return;
    while (lp->conns)
        conn_close(lp->conns);
    log_flush(lp);
    net_loop_free(lp->loop);
    while (lp->free_conns) {
        http_conn_t *c = lp->free_conns;
        lp->free_conns = c->next_free;
        free(c);
    }
    while (lp->nbufs)
        free(lp->bufs[--lp->nbufs]);
    free(lp->headers);
    base_buf_fini(&lp->hdr_scratch);
    base_buf_fini(&lp->log);
    base_arena_fini(&lp->arena);
}

void http_server_free(http_server_t *srv)
{
    if (!srv)
        return;
    /* Worker threads finish first: their completions would reference the loops. */
    net_pool_free(srv->pool);
    srv->pool = NULL;
    for (unsigned i = 0; i < srv->nloops; i++)
        loop_fini(&srv->loops[i]);
    for (unsigned i = 0; i < srv->nlisten; i++)
        if (srv->lowned[i] && srv->lfds[i] >= 0)
            close(srv->lfds[i]); /* inherited ones are the caller's, unless drained */
    free(srv->loops);
    free(srv);
}

/* http/fastcgi.c — HarvTTP's FastCGI client: an inline handler hands a request to an upstream
 * (the PHP pool, or any php-fpm) and relays the answer as a streamed response.
 * Layer: http, on net's loop; the codec is fastcgi_codec.c.
 *
 * Per upstream and per event loop there is one fc_loop: its connections (persistent when
 * FCGI_KEEP_CONN is asked, at most cfg.max_conns) and a FIFO of jobs waiting for one (at most
 * cfg.queue_max: beyond it 503). A job is one HTTP request:
 *
 *   http_fcgi_handle ──► J_QUEUED ──(conn free: pump)──► J_SENT ──(STDOUT head parsed)──► J_HEAD
 *        │ full: 503          │ deadline: 504                │ EOF: 502 (retried once on a
 *        │                    │ client gone: dropped         │  fresh connection when the
 *        ▼                    ▼                              │  reused one died unused)
 *                                                            ▼
 *   J_HEAD: body bytes buffered until the read batch ends or END_REQUEST arrives (then the
 *   response gets a Content-Length); afterwards streamed (chunked). END_REQUEST: the
 *   connection goes back to the idle list first, then http_stream_end (which may re-enter
 *   http_fcgi_handle for a pipelined request). Back-pressure: BASE_AGAIN from the stream stops
 *   reading the upstream until on_drain.
 *
 * Request bodies: a body HarvTTP streams (HTTP_REQ_BODY_STREAMED) goes out as STDIN records as
 * it arrives, once the job has a connection (job_body): the deadline restarts with every piece,
 * and more than FC_STDIN_HIGH unsent bytes pause the client until the upstream has read them.
 * Such a request is never retried, and its connection is reused only if STDIN went out whole.
 *
 * Reentrancy: http_stream_write() may call on_close (client gone) and http_stream_end() may
 * run the next handler, both from inside a connection's callback. conn->in_cb and job->busy
 * defer frees to the end of that callback. */
#include <harv/fastcgi.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define FC_READ_CHUNK (64u << 10)
#define FC_READ_MAX (1u << 20)      /* buffered upstream bytes before records are handled */
#define FC_HEAD_MAX (64u << 10)     /* CGI response head bytes: 502 beyond */
#define FC_BODY_BUFFER (64u << 10)  /* body held back to send with a Content-Length */
#define FC_MAX_HEADERS 128
#define FC_REQUEST_ID 1
/* Whole answers (END_REQUEST in the same read batch as the head) carry a Content-Length and
 * go out in one write; 0 sends them chunked (server.c before 724ff6a needed that). */
#ifndef FC_LENGTH_BODIES
#define FC_LENGTH_BODIES 1
#endif
#define FC_RETRY_WINDOW_MS 100      /* EOF this soon on a reused connection: never read */
#define FC_STDIN_HIGH (256u << 10)  /* unsent streamed body bytes before the client pauses */

typedef struct fc_loop fc_loop_t;
typedef struct fc_conn fc_conn_t;
typedef struct fc_job fc_job_t;

struct http_fcgi_upstream {
    net_addr_t addr;
    http_fcgi_config_t cfg;
    char software[128];
    pthread_mutex_t mu;
    fc_loop_t *loops;
};

struct fc_loop {
    fc_loop_t *next;
    http_fcgi_upstream_t *up;
    net_loop_t *loop;
    fc_conn_t *idle;  /* idle connections, LIFO (the warmest first) */
    fc_conn_t *conns; /* every open connection */
    unsigned nconns;
    fc_job_t *qhead, *qtail;
    unsigned qlen;
    http_fcgi_stats_t stats;
};

struct fc_conn {
    net_io_t io;
    fc_loop_t *fl;
    fc_conn_t *next_idle;
    fc_conn_t *prev, *next; /* fl->conns */
    fc_job_t *job;
    base_buf_t in;
    size_t in_off;
    unsigned uses;
    bool connecting, is_idle, in_cb, dead;
};

enum { J_QUEUED, J_SENT, J_HEAD };

struct fc_job {
    fc_loop_t *fl;
    http_stream_t *s;
    fc_conn_t *conn;
    fc_job_t *qnext, *qprev;
    int state;
    net_timer_t timer;
    base_buf_t out; /* the encoded request */
    size_t out_off;
    base_buf_t head; /* STDOUT bytes before the head is complete */
    base_buf_t body; /* body bytes held before the head is sent */
    bool head_sent, paused, busy, gone, got_bytes, retried;
    bool idempotent;   /* GET, HEAD, OPTIONS: may be sent again */
    bool body_streamed; /* STDIN follows as the client sends it (job_body) */
    bool body_reading;  /* job_body registered with the stream */
    bool body_paused;   /* job_body asked the client to wait */
    bool stdin_done;    /* the empty STDIN record is queued */
    bool head_req;     /* HEAD: the response has no body */
    uint64_t head_body; /* HEAD: body bytes the upstream sent (and we dropped) */
    uint64_t sent_ms;  /* when it was handed to its connection */
};

static void conn_on_io(net_loop_t *loop, net_io_t *io, uint32_t events);
static void pump(fc_loop_t *fl);

/* ---- configuration and upstream ---------------------------------------------------------- */

void http_fcgi_config_defaults(http_fcgi_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->max_conns = 8;
    cfg->queue_max = 256;
    cfg->timeout_ms = 30000;
    cfg->keep_conn = true;
}

http_fcgi_upstream_t *http_fcgi_upstream_new(const char *addr, const http_fcgi_config_t *cfg,
                                             char *err, size_t errlen)
{
    http_fcgi_upstream_t *up = base_xcalloc(1, sizeof *up);
    if (net_addr_parse(addr, &up->addr, err, errlen) != BASE_OK) {
        free(up);
        return NULL;
    }
    if (cfg)
        up->cfg = *cfg;
    else
        http_fcgi_config_defaults(&up->cfg);
    if (!up->cfg.max_conns)
        up->cfg.max_conns = 8;
    if (!up->cfg.timeout_ms)
        up->cfg.timeout_ms = 30000;
    if (!up->cfg.idle_ms)
        up->cfg.idle_ms = up->cfg.timeout_ms;
    snprintf(up->software, sizeof up->software, "%s",
             up->cfg.server_software ? up->cfg.server_software
                                     : "Harv/" HARV_VERSION " (nginx-compatible)");
    up->cfg.server_software = up->software;
    pthread_mutex_init(&up->mu, NULL);
    return up;
}

static fc_loop_t *loop_of(http_fcgi_upstream_t *up, net_loop_t *loop)
{
    pthread_mutex_lock(&up->mu);
    fc_loop_t *fl = up->loops;
    while (fl && fl->loop != loop)
        fl = fl->next;
    if (!fl) {
        fl = base_xcalloc(1, sizeof *fl);
        fl->up = up;
        fl->loop = loop;
        fl->next = up->loops;
        up->loops = fl;
    }
    pthread_mutex_unlock(&up->mu);
    return fl;
}

void http_fcgi_stats(http_fcgi_upstream_t *up, http_fcgi_stats_t *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&up->mu);
    for (fc_loop_t *fl = up->loops; fl; fl = fl->next) {
        out->requests += fl->stats.requests;
        out->rejected_503 += fl->stats.rejected_503;
        out->timeouts_504 += fl->stats.timeouts_504;
        out->failed_502 += fl->stats.failed_502;
        out->connects += fl->stats.connects;
        out->reused += fl->stats.reused;
    }
    pthread_mutex_unlock(&up->mu);
}

/* ---- jobs --------------------------------------------------------------------------------- */

static void job_free(fc_job_t *j)
{
    if (net_timer_active(&j->timer))
        net_timer_stop(j->fl->loop, &j->timer);
    base_buf_fini(&j->out);
    base_buf_fini(&j->head);
    base_buf_fini(&j->body);
    free(j);
}

static void queue_remove(fc_loop_t *fl, fc_job_t *j)
{
    if (j->qprev)
        j->qprev->qnext = j->qnext;
    else
        fl->qhead = j->qnext;
    if (j->qnext)
        j->qnext->qprev = j->qprev;
    else
        fl->qtail = j->qprev;
    j->qnext = j->qprev = NULL;
    fl->qlen--;
}

/* ---- connections ------------------------------------------------------------------------- */

static void idle_remove(fc_conn_t *c)
{
    fc_conn_t **pp = &c->fl->idle;
    while (*pp && *pp != c)
        pp = &(*pp)->next_idle;
    if (*pp)
        *pp = c->next_idle;
    c->next_idle = NULL;
    c->is_idle = false;
}

static void conn_free(fc_conn_t *c)
{
    base_buf_fini(&c->in);
    free(c);
}

/* Closes the upstream connection (the job, if any, must have been detached). Deferred to the
 * end of the callback when called from inside it. */
static void conn_close(fc_conn_t *c)
{
    fc_loop_t *fl = c->fl;
    if (c->dead)
        return;
    c->dead = true;
    if (c->is_idle)
        idle_remove(c);
    if (c->job) {
        c->job->conn = NULL;
        c->job = NULL;
    }
    net_io_stop(fl->loop, &c->io);
    close(c->io.fd);
    if (c->prev)
        c->prev->next = c->next;
    else
        fl->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    fl->nconns--;
    if (!c->in_cb)
        conn_free(c);
}

static void conn_update(fc_conn_t *c)
{
    if (c->dead)
        return;
    uint32_t ev = 0;
    fc_job_t *j = c->job;
    if (!j || !j->paused)
        ev |= NET_IN;
    if (c->connecting || (j && j->out_off < j->out.len))
        ev |= NET_OUT;
    if (ev != c->io.events)
        net_io_modify(c->fl->loop, &c->io, ev);
}

static fc_conn_t *conn_open(fc_loop_t *fl)
{
    const net_addr_t *a = &fl->up->addr;
    int fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    bool connecting = false;
    if (connect(fd, (const struct sockaddr *)&a->ss, a->len) != 0) {
        if (errno != EINPROGRESS) {
            BASE_LOG(BASE_LOG_WARN, "fastcgi", "connect %s: %s", a->text, strerror(errno));
            close(fd);
            return NULL;
        }
        connecting = true;
    }
    fc_conn_t *c = base_xcalloc(1, sizeof *c);
    c->fl = fl;
    c->connecting = connecting;
    base_buf_init(&c->in);
    if (net_io_start(fl->loop, &c->io, fd, NET_IN | (connecting ? NET_OUT : 0), conn_on_io, c) !=
        BASE_OK) {
        close(fd);
        conn_free(c);
        return NULL;
    }
    c->next = fl->conns;
    if (fl->conns)
        fl->conns->prev = c;
    fl->conns = c;
    fl->nconns++;
    fl->stats.connects++;
    return c;
}

/* Writes what the job still has to send. Returns BASE_OK or BASE_ERROR (connection broken). */
static int conn_send(fc_conn_t *c)
{
    fc_job_t *j = c->job;
    while (j && j->out_off < j->out.len) {
        ssize_t n = send(c->io.fd, j->out.data + j->out_off, j->out.len - j->out_off,
                         MSG_NOSIGNAL);
        if (n > 0) {
            j->out_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        return BASE_ERROR;
    }
    if (j && j->out_off == j->out.len && j->body_paused && j->s) {
        j->body_paused = false;
        http_stream_body_resume(j->s); /* calls job_body later, from the client's loop */
    }
    conn_update(c);
    return BASE_OK;
}

/* ---- completing a job -------------------------------------------------------------------- */

/* Detaches j from its connection and frees it; the connection goes idle (keep) or closes. */
static void job_release_conn(fc_job_t *j, bool keep)
{
    fc_conn_t *c = j->conn;
    if (!c)
        return;
    c->job = NULL;
    j->conn = NULL;
    if (!keep || !j->fl->up->cfg.keep_conn || c->dead) {
        conn_close(c);
        return;
    }
    c->uses++;
    c->is_idle = true;
    c->next_idle = c->fl->idle;
    c->fl->idle = c;
    conn_update(c);
}

/* Fails the job: status if the head was not sent, else the client connection is cut. */
static void job_fail(fc_job_t *j, int status)
{
    fc_loop_t *fl = j->fl;
    if (j->state == J_QUEUED)
        queue_remove(fl, j);
    job_release_conn(j, false);
    http_stream_t *s = j->s;
    j->s = NULL;
    job_free(j);
    if (s)
        http_stream_abort(s, status);
    pump(fl);
}

static void job_done(fc_job_t *j)
{
    fc_loop_t *fl = j->fl;
    /* an answer before the whole body went out: the connection is mid-request */
    job_release_conn(j, !j->body_streamed || (j->stdin_done && j->out_off == j->out.len));
    if (j->s && !j->head_sent) {
        /* The whole answer is here: the head and body in one write with a Content-Length
         * (FC_LENGTH_BODIES), then the end. An empty body or a HEAD goes out with the head
         * inside http_stream_end. */
        j->busy = true; /* on_close (client gone) leaves j to us */
        if (j->head_req) {
            /* PHP sends no body for HEAD: leave the length unknown then (the head says what a
             * GET would get: chunked), else tell the length the upstream produced */
            if (j->head_body + j->body.len)
                http_stream_set_length(j->s, j->head_body + j->body.len);
        } else if (!j->body.len) {
            http_stream_set_length(j->s, 0);
        } else {
            if (FC_LENGTH_BODIES)
                http_stream_set_length(j->s, j->body.len);
            if (http_stream_write(j->s, j->body.data, j->body.len) == BASE_ERROR)
                j->s = NULL;
        }
    }
    http_stream_t *s = j->s;
    j->s = NULL;
    job_free(j);
    pump(fl);
    if (s)
        http_stream_end(s);
}

static void on_timer(net_loop_t *loop, net_timer_t *t)
{
    fc_job_t *j = t->data;
    j->fl->stats.timeouts_504++;
    BASE_LOG(BASE_LOG_WARN, "fastcgi", "%s: no answer in time: 504", j->fl->up->addr.text);
    job_fail(j, 504);
}

static void on_client_close(void *arg)
{
    fc_job_t *j = arg;
    j->s = NULL;
    j->gone = true;
    if (j->busy)
        return; /* the connection callback that caused it cleans up */
    fc_loop_t *fl = j->fl;
    if (j->state == J_QUEUED)
        queue_remove(fl, j);
    job_release_conn(j, false); /* the worker learns by a failed write and stops */
    job_free(j);
    pump(fl);
}

static void on_client_drain(void *arg)
{
    fc_job_t *j = arg;
    j->paused = false;
    fc_conn_t *c = j->conn;
    if (c && !c->dead) {
        conn_update(c);
        /* records already buffered are handled on the next readiness or right now */
        conn_on_io(c->fl->loop, &c->io, NET_IN);
    }
}

/* ---- handing jobs to connections --------------------------------------------------------- */

static bool job_body(void *arg, const char *data, size_t len, bool done);

static void queue_push_back(fc_loop_t *fl, fc_job_t *j)
{
    j->state = J_QUEUED;
    j->qnext = NULL;
    j->qprev = fl->qtail;
    if (fl->qtail)
        fl->qtail->qnext = j;
    else
        fl->qhead = j;
    fl->qtail = j;
    fl->qlen++;
}

static void queue_push_front(fc_loop_t *fl, fc_job_t *j)
{
    j->state = J_QUEUED;
    j->qprev = NULL;
    j->qnext = fl->qhead;
    if (fl->qhead)
        fl->qhead->qprev = j;
    else
        fl->qtail = j;
    fl->qhead = j;
    fl->qlen++;
}

/* Hands j to c and sends. Returns false if j went back to the head of the queue (a reused
 * connection that the responder had closed: not one byte of j was taken). */
static bool assign(fc_conn_t *c, fc_job_t *j)
{
    c->job = j;
    j->conn = c;
    j->state = J_SENT;
    j->out_off = 0;
    j->got_bytes = false;
    j->sent_ms = net_loop_now(j->fl->loop);
    if (j->body_streamed && !j->body_reading) {
        j->body_reading = true;
        http_stream_body(j->s, job_body, j);
    }
    if (!c->connecting && conn_send(c) != BASE_OK) {
        bool unsent = j->out_off == 0 && c->uses > 0 && !j->retried && !j->body_streamed;
        conn_close(c);
        if (unsent) {
            j->retried = true;
            queue_push_front(j->fl, j);
            return false;
        }
        j->fl->stats.failed_502++;
        job_fail(j, 502);
    }
    return true;
}

/* Starts queued jobs while connections are free or may be opened. */
static void pump(fc_loop_t *fl)
{
    while (fl->qhead) {
        fc_conn_t *c = fl->idle;
        if (c) {
            idle_remove(c);
            /* A responder that closed an idle connection (a recycled worker) is usually seen
             * by the loop first (EOF on the idle connection). If that EOF is still unread, an
             * idempotent request is sent again on a fresh connection (a failed send, or EOF
             * with no byte back); any other request looks first, with a peek. */
            if (!fl->qhead->idempotent) {
                char b;
                ssize_t pk = recv(c->io.fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
                if (pk == 0 || (pk < 0 && errno != EAGAIN && errno != EINTR)) {
                    conn_close(c); /* the responder closed it (recycled): not reusable */
                    continue;
                }
            }
            fl->stats.reused++;
        } else if (fl->nconns < fl->up->cfg.max_conns) {
            c = conn_open(fl);
            if (!c) {
                fc_job_t *j = fl->qhead;
                fl->stats.failed_502++;
                job_fail(j, 502); /* pumps again */
                return;
            }
        } else {
            return;
        }
        fc_job_t *j = fl->qhead;
        queue_remove(fl, j);
        assign(c, j);
    }
}

/* ---- reading the upstream ---------------------------------------------------------------- */

static bool hop_by_hop(base_span_t name)
{
    return base_span_eq_ci(name, "Connection") || base_span_eq_ci(name, "Keep-Alive") ||
           base_span_eq_ci(name, "Transfer-Encoding") || base_span_eq_ci(name, "Content-Length") ||
           base_span_eq_ci(name, "Date") || base_span_eq_ci(name, "Server");
}

/* STDOUT bytes of the job. Returns BASE_OK; JOB_FAILED when the job failed and was freed;
 * JOB_GONE when the client went away meanwhile (j->gone: the caller drops j). */
enum { JOB_FAILED = -1, JOB_GONE = -2 };

static int job_stdout(fc_job_t *j, const char *p, size_t n)
{
    if (j->state != J_HEAD) {
        if (j->head.len + n > FC_HEAD_MAX) {
            BASE_LOG(BASE_LOG_WARN, "fastcgi", "%s: response head over %u bytes: 502",
                     j->fl->up->addr.text, FC_HEAD_MAX);
            j->fl->stats.failed_502++;
            job_fail(j, 502);
            return JOB_FAILED;
        }
        /* Usually the whole head is in the first record: parse it where it is. */
        const char *hp = p;
        size_t hn = n;
        if (j->head.len) {
            base_buf_append(&j->head, p, n);
            hp = j->head.data;
            hn = j->head.len;
        }
        http_header_t hdrs[FC_MAX_HEADERS];
        fcgi_cgi_head_t h = {.headers = hdrs, .max_headers = FC_MAX_HEADERS};
        int rc = fcgi_cgi_head_parse(hp, hn, &h);
        if (rc == BASE_AGAIN) {
            if (!j->head.len)
                base_buf_append(&j->head, p, n);
            return BASE_OK;
        }
        if (rc < 0) {
            BASE_LOG(BASE_LOG_WARN, "fastcgi", "%s: malformed response head: 502",
                     j->fl->up->addr.text);
            j->fl->stats.failed_502++;
            job_fail(j, 502);
            return JOB_FAILED;
        }
        http_stream_status(j->s, h.status);
        char name[256], value[8192];
        for (unsigned i = 0; i < h.nheaders; i++) {
            if (hop_by_hop(hdrs[i].name) || hdrs[i].name.len >= sizeof name ||
                hdrs[i].value.len >= sizeof value)
                continue;
            memcpy(name, hdrs[i].name.p, hdrs[i].name.len);
            name[hdrs[i].name.len] = 0;
            memcpy(value, hdrs[i].value.p, hdrs[i].value.len);
            value[hdrs[i].value.len] = 0;
            http_stream_header(j->s, name, value);
        }
        j->state = J_HEAD;
        size_t rest = hn - (size_t)rc;
        if (rest)
            base_buf_append(&j->body, hp + rc, rest);
        base_buf_fini(&j->head);
        base_buf_init(&j->head);
        /* from now on the deadline is an idle timeout */
        net_timer_start(j->fl->loop, &j->timer, j->fl->up->cfg.idle_ms, on_timer, j);
        return BASE_OK;
    }
    if (j->head_req) { /* HEAD: the body is counted for Content-Length, never sent */
        j->head_body += n;
        return BASE_OK;
    }
    if (!j->head_sent) {
        base_buf_append(&j->body, p, n);
        return BASE_OK;
    }
    int rc = http_stream_write(j->s, p, n);
    if (rc == BASE_ERROR)
        return JOB_GONE; /* on_close ran (busy): the caller drops the job */
    if (rc == BASE_AGAIN)
        j->paused = true;
    return BASE_OK;
}

/* Sends the held-back head and body: the response streams from now on. */
static int job_start_stream(fc_job_t *j)
{
    j->head_sent = true;
    int rc = http_stream_write(j->s, j->body.data, j->body.len);
    base_buf_fini(&j->body);
    base_buf_init(&j->body);
    if (rc == BASE_ERROR)
        return JOB_GONE;
    if (rc == BASE_AGAIN)
        j->paused = true;
    return BASE_OK;
}

/* The client went away while we were inside a stream call for j: drop j and its connection. */
static void job_drop_gone(fc_job_t *j)
{
    fc_loop_t *fl = j->fl;
    job_release_conn(j, false);
    job_free(j);
    pump(fl);
}

/* Handles the complete records buffered on c. */
static void conn_records(fc_conn_t *c)
{
    while (!c->dead && c->in_off < c->in.len) {
        fc_job_t *j = c->job;
        if (j && j->paused)
            return;
        fcgi_record_t rec;
        int n = fcgi_record_decode((const uint8_t *)c->in.data + c->in_off,
                                   c->in.len - c->in_off, &rec);
        if (n == BASE_AGAIN)
            break;
        if (n < 0 || !j) {
            /* garbage, or output with no request outstanding */
            if (j) {
                c->fl->stats.failed_502++;
                job_fail(j, 502);
            }
            conn_close(c);
            return;
        }
        c->in_off += (size_t)n;
        if (rec.request_id != FC_REQUEST_ID)
            continue;
        j->got_bytes = true;
        switch (rec.type) {
        case FCGI_STDOUT:
            if (!rec.content.len)
                break;
            j->busy = true;
            int rc = job_stdout(j, rec.content.p, rec.content.len);
            if (rc != BASE_OK) {
                if (rc == JOB_GONE)
                    job_drop_gone(j);
                return; /* j is freed */
            }
            j->busy = false;
            if (j->head_sent)
                net_timer_start(c->fl->loop, &j->timer, c->fl->up->cfg.idle_ms, on_timer, j);
            break;
        case FCGI_STDERR:
            if (rec.content.len)
                BASE_LOG(BASE_LOG_WARN, "fastcgi", "%s: %.*s", c->fl->up->addr.text,
                         (int)BASE_MIN(rec.content.len, 1000), rec.content.p);
            break;
        case FCGI_END_REQUEST: {
            uint32_t app;
            uint8_t proto;
            if (fcgi_end_decode(rec.content, &app, &proto) != BASE_OK || j->state != J_HEAD) {
                if (fcgi_end_decode(rec.content, &app, &proto) == BASE_OK &&
                    proto == FCGI_OVERLOADED) {
                    job_fail(j, 503);
                    return;
                }
                BASE_LOG(BASE_LOG_WARN, "fastcgi", "%s: request ended without a response head",
                         c->fl->up->addr.text);
                c->fl->stats.failed_502++;
                job_fail(j, 502);
                return;
            }
            c->in_off = c->in.len = 0; /* nothing may follow an END_REQUEST */
            j->busy = true;
            bool gone = j->gone;
            if (gone) {
                job_drop_gone(j);
                return;
            }
            j->busy = false;
            job_done(j);
            return;
        }
        default:
            break; /* unknown record types from a responder are ignored */
        }
    }
    if (c->in_off == c->in.len) {
        c->in_off = c->in.len = 0;
    } else if (c->in_off) { /* a cut record: move it to the front so the buffer stays small */
        memmove(c->in.data, c->in.data + c->in_off, c->in.len - c->in_off);
        c->in.len -= c->in_off;
        c->in_off = 0;
    }
}

static void conn_on_io(net_loop_t *loop, net_io_t *io, uint32_t events)
{
    fc_conn_t *c = io->data;
    fc_job_t *j;
    if (c->dead || c->in_cb)
        return;
    c->in_cb = true;
    if (c->connecting && (events & (NET_OUT | NET_HUP))) {
        int e = 0;
        socklen_t el = sizeof e;
        getsockopt(c->io.fd, SOL_SOCKET, SO_ERROR, &e, &el);
        if (e) {
            BASE_LOG(BASE_LOG_WARN, "fastcgi", "connect %s: %s", c->fl->up->addr.text,
                     strerror(e));
            j = c->job;
            conn_close(c);
            if (j) {
                c->fl->stats.failed_502++;
                job_fail(j, 502);
            }
            goto out;
        }
        c->connecting = false;
    }
    if (c->job && !c->connecting && c->job->out_off < c->job->out.len) {
        if (conn_send(c) != BASE_OK)
            goto broken;
    }
    bool eof = false;
    if (!c->connecting && (events & (NET_IN | NET_HUP)) && !(c->job && c->job->paused)) {
        for (;;) {
            if (base_buf_reserve(&c->in, FC_READ_CHUNK, SIZE_MAX) != BASE_OK)
                goto broken;
            size_t room = c->in.cap - c->in.len;
            ssize_t n = recv(c->io.fd, c->in.data + c->in.len, room, 0);
            if (n > 0) {
                c->in.len += (size_t)n;
                if ((size_t)n < room || c->in.len - c->in_off >= FC_READ_MAX)
                    break; /* drained for now, or enough to work on */
                continue;
            }
            if (n == 0) {
                eof = true;
                break;
            }
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            eof = true;
            break;
        }
    }
    conn_records(c);
    if (c->dead)
        goto out;
    j = c->job;
    /* The read batch ended with the head parsed but END_REQUEST not here: stream. */
    if (j && j->state == J_HEAD && !j->head_sent && !eof && !j->paused && !j->head_req) {
        j->busy = true;
        if (job_start_stream(j) != BASE_OK) {
            job_drop_gone(j);
            goto out;
        }
        j->busy = false;
        if (j->paused)
            conn_update(c);
    }
    if (eof)
        goto broken;
    conn_update(c);
    goto out;
broken:
    j = c->job;
    if (j) {
        if (!j->got_bytes && c->uses > 0 && !j->retried && j->state == J_SENT &&
            j->idempotent && net_loop_now(c->fl->loop) - j->sent_ms < FC_RETRY_WINDOW_MS) {
            /* a reused connection the responder closed as we sent (a recycled worker): the
             * request was almost surely never read; an idempotent one is sent once more on a
             * fresh connection */
            j->retried = true;
            conn_close(c);
            queue_push_front(j->fl, j);
            pump(j->fl);
            goto out;
        }
        conn_close(c);
        BASE_LOG(BASE_LOG_WARN, "fastcgi", "%s: connection closed before the response ended",
                 c->fl->up->addr.text);
        c->fl->stats.failed_502++;
        job_fail(j, 502);
    } else {
        conn_close(c);
    }
    {
        fc_loop_t *fl = c->fl;
        pump(fl);
    }
out:
    c->in_cb = false;
    if (c->dead)
        conn_free(c);
}

/* ---- building the request ---------------------------------------------------------------- */

static void param(base_buf_t *b, const char *name, size_t nl, const char *value, size_t vl)
{
    size_t need = fcgi_param_size(nl, vl);
    if (!need)
        return;
    base_buf_reserve(b, need, SIZE_MAX);
    if (b->cap - b->len < need)
        return;
    b->len += fcgi_param_encode((uint8_t *)b->data + b->len, need, name, nl, value, vl);
}

static void params(base_buf_t *b, const char *name, const char *value)
{
    param(b, name, strlen(name), value, strlen(value));
}

/* Appends stream bytes (PARAMS, STDIN) as records of at most FCGI_MAX_CONTENT bytes, and with
 * end the empty record that ends the stream. */
static void frame_stream(base_buf_t *out, uint8_t type, const char *data, size_t len, bool end)
{
    uint8_t h[FCGI_HEADER_LEN];
    while (len) {
        uint16_t n = (uint16_t)BASE_MIN(len, (size_t)FCGI_MAX_CONTENT & ~(size_t)7);
        fcgi_header_encode(h, type, FC_REQUEST_ID, n, 0);
        base_buf_append(out, h, sizeof h);
        base_buf_append(out, data, n);
        data += n;
        len -= n;
    }
    if (end) {
        fcgi_header_encode(h, type, FC_REQUEST_ID, 0, 0);
        base_buf_append(out, h, sizeof h);
    }
}

static void build_request(fc_job_t *j, const http_fcgi_config_t *cfg, const http_request_t *req,
                          const http_fcgi_script_t *sc)
{
    base_buf_t p;
    base_buf_init(&p);
    /* one allocation for the params: the fixed ones, the paths, every header */
    size_t est = 768 + 2 * strlen(sc->script_filename) + req->target.len;
    for (unsigned i = 0; i < req->nheaders; i++)
        est += req->headers[i].name.len + req->headers[i].value.len + 16;
    base_buf_reserve(&p, est, SIZE_MAX);
    char num[32];
    params(&p, "GATEWAY_INTERFACE", "CGI/1.1");
    params(&p, "SERVER_SOFTWARE", cfg->server_software);
    params(&p, "SERVER_PROTOCOL", req->minor ? "HTTP/1.1" : "HTTP/1.0");
    param(&p, "REQUEST_METHOD", 14, req->method_name.p, req->method_name.len);
    if (sc->request_uri)
        params(&p, "REQUEST_URI", sc->request_uri);
    else
        param(&p, "REQUEST_URI", 11, req->target.p, req->target.len);
    param(&p, "QUERY_STRING", 12, req->query.p ? req->query.p : "", req->query.len);
    params(&p, "SCRIPT_FILENAME", sc->script_filename);
    params(&p, "SCRIPT_NAME", sc->script_name);
    params(&p, "DOCUMENT_ROOT", sc->document_root ? sc->document_root : "");
    params(&p, "DOCUMENT_URI", sc->script_name);
    if (sc->path_info && *sc->path_info) {
        params(&p, "PATH_INFO", sc->path_info);
        char *pt = NULL;
        if (asprintf(&pt, "%s%s", sc->document_root ? sc->document_root : "", sc->path_info) > 0) {
            params(&p, "PATH_TRANSLATED", pt);
            free(pt);
        }
    }
    if (req->peer)
        params(&p, "REMOTE_ADDR", req->peer);
    snprintf(num, sizeof num, "%d", req->peer_port);
    params(&p, "REMOTE_PORT", num);
    /* SERVER_NAME / SERVER_PORT from the Host header */
    base_span_t host = req->host;
    const char *port = cfg->https ? "443" : "80";
    size_t port_len = strlen(port);
    if (host.len) {
        const char *end = host.p + host.len, *colon = NULL;
        for (const char *q = end; q > host.p; q--)
            if (q[-1] == ':') {
                colon = q - 1;
                break;
            } else if (q[-1] == ']') {
                break;
            }
        if (colon) {
            port = colon + 1;
            port_len = (size_t)(end - port);
            host.len = (size_t)(colon - host.p);
        }
        param(&p, "SERVER_NAME", 11, host.p, host.len);
    } else {
        params(&p, "SERVER_NAME", "localhost");
    }
    param(&p, "SERVER_PORT", 11, port, port_len);
    if (cfg->https)
        params(&p, "HTTPS", "on");
    bool streamed = (req->flags & HTTP_REQ_BODY_STREAMED) != 0;
    uint64_t clen = streamed ? req->content_length : req->body_len;
    if (clen || req->method == HTTP_POST || req->method == HTTP_PUT ||
        req->method == HTTP_PATCH) {
        snprintf(num, sizeof num, "%llu", (unsigned long long)clen);
        params(&p, "CONTENT_LENGTH", num);
    }
    const http_header_t *ct = http_request_header(req, "Content-Type");
    if (ct)
        param(&p, "CONTENT_TYPE", 12, ct->value.p, ct->value.len);
    /* HTTP_* for every header, repeated names joined (", "; "; " for Cookie) */
    base_buf_t v;
    base_buf_init(&v);
    char name[300];
    for (unsigned i = 0; i < req->nheaders; i++) {
        base_span_t hn = req->headers[i].name;
        if (hn.len + 5 >= sizeof name || base_span_eq_ci(hn, "Content-Type") ||
            base_span_eq_ci(hn, "Content-Length") || base_span_eq_ci(hn, "Proxy"))
            continue; /* Proxy: httpoxy */
        bool seen = false;
        for (unsigned k = 0; k < i && !seen; k++)
            seen = req->headers[k].name.len == hn.len &&
                   !strncasecmp(req->headers[k].name.p, hn.p, hn.len);
        if (seen)
            continue;
        bool cookie = base_span_eq_ci(hn, "Cookie");
        v.len = 0;
        for (unsigned k = i; k < req->nheaders; k++) {
            if (req->headers[k].name.len != hn.len || strncasecmp(req->headers[k].name.p, hn.p, hn.len))
                continue;
            if (v.len)
                base_buf_append(&v, cookie ? "; " : ", ", 2);
            base_buf_append(&v, req->headers[k].value.p, req->headers[k].value.len);
        }
        memcpy(name, "HTTP_", 5);
        for (size_t k = 0; k < hn.len; k++) {
            char ch = hn.p[k];
            name[5 + k] = ch == '-' ? '_' : (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
        }
        param(&p, name, 5 + hn.len, v.data ? v.data : "", v.len);
    }
    base_buf_fini(&v);

    uint8_t h[FCGI_HEADER_LEN], begin[8];
    fcgi_header_encode(h, FCGI_BEGIN_REQUEST, FC_REQUEST_ID, 8, 0);
    fcgi_begin_encode(begin, FCGI_RESPONDER, cfg->keep_conn ? FCGI_KEEP_CONN : 0);
    base_buf_reserve(&j->out, 16 + p.len + p.len / 8192 * 8 + 16 + req->body_len +
                                  req->body_len / 8192 * 8 + 16, SIZE_MAX);
    base_buf_append(&j->out, h, sizeof h);
    base_buf_append(&j->out, begin, sizeof begin);
    frame_stream(&j->out, FCGI_PARAMS, p.data, p.len, true);
    if (!streamed)
        frame_stream(&j->out, FCGI_STDIN, req->body, req->body_len, true);
    base_buf_fini(&p);
}

/* The client's streamed body (http_stream_body): STDIN records behind what is still unsent. */
static bool job_body(void *arg, const char *data, size_t len, bool done)
{
    fc_job_t *j = arg;
    if (j->out_off == j->out.len)
        j->out.len = j->out_off = 0;
    frame_stream(&j->out, FCGI_STDIN, data, len, done);
    j->stdin_done = done;
    net_timer_start(j->fl->loop, &j->timer, j->fl->up->cfg.timeout_ms, on_timer, j);
    fc_conn_t *c = j->conn;
    if (c && !c->connecting && !c->dead && conn_send(c) != BASE_OK) {
        conn_close(c);
        j->fl->stats.failed_502++;
        job_fail(j, 502); /* aborts the stream: the client hears no more of this body */
        return false;
    }
    if (j->out.len - j->out_off > FC_STDIN_HIGH) {
        j->body_paused = true;
        return false;
    }
    return true;
}

/* ---- the handler side -------------------------------------------------------------------- */

void http_fcgi_handle(http_fcgi_upstream_t *up, const http_request_t *req,
                      http_response_t *resp, const http_fcgi_script_t *script)
{
    http_stream_t *s = http_response_stream(resp);
    if (!s) {
        http_response_error(resp, 501);
        return;
    }
    fc_loop_t *fl = loop_of(up, http_stream_loop(s));
    fl->stats.requests++;
    if (!fl->idle && fl->nconns >= up->cfg.max_conns && fl->qlen >= up->cfg.queue_max) {
        fl->stats.rejected_503++;
        http_stream_abort(s, 503);
        return;
    }
    fc_job_t *j = base_xcalloc(1, sizeof *j);
    j->fl = fl;
    j->s = s;
    j->state = J_QUEUED;
    j->head_req = req->method == HTTP_HEAD;
    j->body_streamed = (req->flags & HTTP_REQ_BODY_STREAMED) != 0;
    j->idempotent = !j->body_streamed && (req->method == HTTP_GET ||
                                          req->method == HTTP_HEAD ||
                                          req->method == HTTP_OPTIONS);
    base_buf_init(&j->out);
    base_buf_init(&j->head);
    base_buf_init(&j->body);
    build_request(j, &up->cfg, req, script);
    http_stream_callbacks(s, on_client_drain, on_client_close, j);
    net_timer_start(fl->loop, &j->timer, up->cfg.timeout_ms, on_timer, j);
    queue_push_back(fl, j);
    pump(fl);
}

void http_fcgi_upstream_free(http_fcgi_upstream_t *up)
{
    if (!up)
        return;
    fc_loop_t *fl = up->loops;
    while (fl) {
        fc_loop_t *next = fl->next;
        while (fl->qhead) {
            fc_job_t *j = fl->qhead;
            queue_remove(fl, j);
            j->timer.heap_idx = 0; /* the loop is gone: nothing to unarm */
            base_buf_fini(&j->out);
            base_buf_fini(&j->head);
            base_buf_fini(&j->body);
            free(j);
        }
        fc_conn_t *c = fl->conns;
        while (c) {
            fc_conn_t *cn = c->next;
            close(c->io.fd);
            if (c->job) {
                base_buf_fini(&c->job->out);
                base_buf_fini(&c->job->head);
                base_buf_fini(&c->job->body);
                free(c->job);
            }
            conn_free(c);
            c = cn;
        }
        free(fl);
        fl = next;
    }
    pthread_mutex_destroy(&up->mu);
    free(up);
}

/* server.c — the HarvSQL server on net event loops: listeners, accepting, per-connection
 * reading and writing (edge-triggered, registered once), and the session state machine that
 * hands each command either to a net_pool worker or, for statements measured fast, runs it
 * inline on the loop. Commands themselves are in server_cmd.c. Layer: sql/protocol.
 *
 * Loops: cfg.loops event loops, each a thread with its own connections, shape statistics and
 * sweep timer (hsql_loopctx_t). Loop 0 runs in hsql_server_run()'s caller, owns the listeners
 * and hands each accepted socket to the loops in turn (net_loop_post → conn_start()). A
 * connection lives on its loop for good; its pool jobs report back there.
 *
 * Session state machine (one per connection; transitions name their function):
 *
 *   accept_one() ──> GREETED ──hsql_conn_on_packet(HandshakeResponse41)──────────┐
 *                      │   │                                                     │
 *                      │   └─(other plugin) send_auth_switch() ──> AUTH_SWITCH   │
 *                      │                                              │ (answer) │
 *     bad password (deny) / on_handshake_timeout()                    v          v
 *                      v                                       auth_succeeded(): start_job(CONNECT)
 *                   CLOSING <──────────── 1049, 1045 ───────────────────────┤
 *                      ^                                                     │ OK packet
 *                      │ COM_QUIT, EOF, I/O error, 1153/1156                 v
 *                      └─────────── conn_free() ─────────────────────── IDLE <─────────┐
 *                                                                         │            │
 *                  hsql_conn_on_packet(QUERY, STMT_EXECUTE, INIT_DB...)   │            │
 *                  hsql_conn_start_job()                                  │            │
 *                        ┌──── inline (measured fast) ───────────────────┤            │
 *                        │                                                v            │
 *                        │                    submit_job() ──────────> RUNNING         │
 *                        │                         ^         (worker: hsql_conn_job_run)│
 *                        │                         │                      │            │
 *                        │   on_again_timer() (1 ms)  <── HSQL_AGAIN ─────┤            │
 *                        │   (wait_again(): stays RUNNING)                │            │
 *                        v                                                v            │
 *              hsql_conn_job_run ──────────────────────── on_job_done() / job_finish ──┘
 *
 * Closing: conn_free() closes the socket at once; a session still open goes to a worker
 * (on_close_work) while the connection stays RUNNING, and on_close_done() releases it.
 *
 * Invariants:
 *  1. While RUNNING the loop touches neither c->in nor c->out nor c->sess: the worker owns
 *     them (it may even write c->out to the socket itself when it grows past a threshold).
 *  2. A connection is freed only on the loop and never while RUNNING; a HUP while RUNNING
 *     sets peer_gone so the sink stops the query, and the free happens in on_job_done().
 *     Closing hands the session to a worker (conn_free → on_close_work, which may
 *     checkpoint SQLite's WAL) and releases the memory in on_close_done().
 *  3. At most one command is in flight per connection; pipelined packets wait in c->in.
 *  4. The fd is registered once (IN|OUT|RDHUP, edge-triggered); `readable` remembers that
 *     no EAGAIN was seen since the last edge. */
#include "server_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HSQL_READ_CHUNK (16 * 1024)
#define HSQL_OUT_HIGH (256 * 1024) /* a worker flushes itself past this */
#define HSQL_KEEP_BUF (1024 * 1024) /* larger idle buffers are freed */
#define HSQL_READ_TIMEOUT_MS 30000  /* a packet started must be complete within (net_read_timeout) */

static void conn_free(hsql_conn_t *c);

/* ---- output -------------------------------------------------------------------------------- */

int hsql_conn_flush(hsql_conn_t *c)
{
    while (c->out_off < c->out.len) {
        ssize_t w = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            c->out_off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return BASE_AGAIN;
        return BASE_ERROR;
    }
    c->out.len = c->out_off = 0;
    /* After a big result, give the memory back instead of keeping it per session. */
    if (c->out.cap > HSQL_KEEP_BUF)
        base_buf_fini(&c->out);
    return BASE_OK;
}

/* ---- the connection's driver (loop thread) ---------------------------------------------- */

static void conn_close_now(hsql_conn_t *c)
{
    conn_free(c);
}

/* Reads what the socket has, up to a chunk beyond what the current packet needs. Returns
 * BASE_OK (maybe read something), BASE_AGAIN (nothing now), BASE_ERROR (EOF or error). */
static int conn_read(hsql_conn_t *c)
{
    hsql_server_t *srv = c->srv;
    if (c->in_off == c->in.len) {
        c->in.len = c->in_off = 0;
        if (c->in.cap > HSQL_KEEP_BUF)
            base_buf_fini(&c->in);
    } else if (c->in_off > 0 && c->in_off >= c->in.cap / 2) {
        memmove(c->in.data, c->in.data + c->in_off, c->in.len - c->in_off);
        c->in.len -= c->in_off;
        c->in_off = 0;
    }
    size_t want = HSQL_READ_CHUNK;
    /* Large packets announce their frames' sizes: make room for the incomplete one at once. */
    size_t have = c->in.len - c->in_off, off = 0;
    const uint8_t *h = c->in.data ? (const uint8_t *)c->in.data + c->in_off : NULL; /* freed */
    while (have - off >= 4) {
        size_t flen = (size_t)h[off] | (size_t)h[off + 1] << 8 | (size_t)h[off + 2] << 16;
        if (off + 4 + flen > have) {
            want = BASE_MAX(want, off + 4 + flen - have);
            break;
        }
        if (flen < HSQL_FRAME_MAX)
            break;
        off += 4 + flen;
    }
    size_t limit = srv->cfg.max_packet + (srv->cfg.max_packet / HSQL_FRAME_MAX + 2) * 4 +
                   HSQL_READ_CHUNK * 2;
    if (c->in.cap - c->in.len < want) {
        int rc = base_buf_reserve(&c->in, want, limit + c->in_off);
        if (rc != BASE_OK) {
            if (c->in.cap > c->in.len)
                want = c->in.cap - c->in.len;
            else
                return BASE_ERROR;
        }
    }
    size_t room = c->in.cap - c->in.len;
    ssize_t r = recv(c->fd, c->in.data + c->in.len, room, 0);
    if (r > 0) {
        c->in.len += (size_t)r;
        c->last_read_ms = net_loop_now(c->lc->loop);
        /* A short read drained the socket: wait for the next edge — unless the peer's FIN
         * already came with the last edge, then read on to see the EOF. */
        if ((size_t)r < room && !c->rdhup)
            c->readable = false;
        return BASE_OK;
    }
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        c->readable = false;
        return BASE_AGAIN;
    }
    if (r < 0 && errno == EINTR)
        return BASE_OK;
    return BASE_ERROR;
}

void hsql_conn_drive(hsql_conn_t *c)
{
    hsql_server_t *srv = c->srv;
    for (;;) {
        if (c->state == HSQL_CONN_RUNNING)
            return;
        if (c->out_off < c->out.len) {
            int rc = hsql_conn_flush(c);
            if (rc == BASE_ERROR) {
                conn_close_now(c);
                return;
            }
            /* Back-pressure: no new command while much output waits for the client. */
            if (rc == BASE_AGAIN && (c->want_close || c->out.len - c->out_off > HSQL_OUT_HIGH))
                return;
        }
        if (c->want_close || c->state == HSQL_CONN_CLOSING) {
            if (c->out_off < c->out.len)
                return;
            conn_close_now(c);
            return;
        }
        /* A complete packet already buffered? */
        size_t have = c->in.len - c->in_off;
        if (have >= 4) {
            hsql_packet_info_t pi;
            uint8_t *base = (uint8_t *)c->in.data + c->in_off;
            long n = hsql_packet_scan(base, have, srv->cfg.max_packet, &pi);
            if (n == BASE_LIMIT) {
                c->seq = (uint8_t)(base[3] + 1);
                hsql_out_err(c, 1153, "08S01",
                             "Got a packet bigger than 'max_allowed_packet' bytes");
                c->want_close = true;
                continue;
            }
            if (n == BASE_ERROR) {
                c->seq = (uint8_t)(base[3] + 1);
                hsql_out_err(c, 1156, "08S01", "Got packets out of order");
                c->want_close = true;
                continue;
            }
            if (n > 0) {
                base_span_t pl = hsql_packet_join(base, &pi);
                c->in_off += (size_t)n;
                c->seq = (uint8_t)(pi.last_seq + 1);
                c->last_active_ms = net_loop_now(c->lc->loop);
                hsql_conn_on_packet(c, (const uint8_t *)pl.p, pl.len);
                continue;
            }
        }
        if (!c->readable)
            return;
        int rc = conn_read(c);
        if (rc == BASE_ERROR) {
            /* EOF or reset: a client that vanished. Nothing to answer. */
            conn_close_now(c);
            return;
        }
        if (rc == BASE_AGAIN)
            return;
    }
}

static void on_conn_io(net_loop_t *loop, net_io_t *io, uint32_t events)
{
    hsql_conn_t *c = io->data;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))
        c->readable = true;
    if (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP))
        c->rdhup = true;
    if (c->state == HSQL_CONN_RUNNING) {
        /* MySQL clients never half-close: RDHUP means the client is gone (2013). */
        if (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP))
            atomic_store(&c->peer_gone, true);
        return;
    }
    hsql_conn_drive(c);
}

/* ---- jobs ---------------------------------------------------------------------------- */

static void on_job_work(net_job_t *job)
{
    hsql_conn_t *c = (hsql_conn_t *)((char *)job - offsetof(hsql_conn_t, job));
    hsql_conn_job_run(c);
}

#define HSQL_AGAIN_RETRY_MS 1

static bool submit_job(hsql_conn_t *c);

/* A statement that would wait for another session's write lock came back HSQL_AGAIN: the
 * connection stays RUNNING (its packet and output untouched) and the job runs again soon. */
static void on_again_timer(net_loop_t *loop, net_timer_t *t)
{
    hsql_conn_t *c = t->data;
    c->waiting_again = false;
    if (atomic_load(&c->peer_gone)) {
        c->job_again = false;
        c->state = HSQL_CONN_IDLE;
        conn_close_now(c);
        return;
    }
    if (!submit_job(c))
        hsql_conn_drive(c);
}

static void wait_again(hsql_conn_t *c)
{
    c->waiting_again = true;
    c->state = HSQL_CONN_RUNNING;
    c->job_inline = false;
    net_timer_start(c->lc->loop, &c->timer, HSQL_AGAIN_RETRY_MS, on_again_timer, c);
}

static void on_job_done(net_loop_t *loop, net_job_t *job)
{
    hsql_conn_t *c = (hsql_conn_t *)((char *)job - offsetof(hsql_conn_t, job));
    if (c->job_again) {
        wait_again(c);
        return;
    }
    c->state = HSQL_CONN_IDLE;
    hsql_conn_job_finish(c);
    if (atomic_load(&c->peer_gone)) {
        conn_close_now(c);
        return;
    }
    hsql_conn_drive(c);
}

void hsql_conn_start_job(hsql_conn_t *c, bool may_inline)
{
    c->job_rc = 0;
    c->job_ns = 0;
    if (may_inline) {
        c->job_inline = true;
        hsql_conn_job_run(c);
        if (c->job_again) {
            wait_again(c);
            return;
        }
        hsql_conn_job_finish(c);
        return;
    }
    (void)submit_job(c);
}

/* Hands the job to the pool; false (with ERR 1053 queued) when the server is stopping. */
static bool submit_job(hsql_conn_t *c)
{
    hsql_server_t *srv = c->srv;
    c->job_inline = false;
    c->state = HSQL_CONN_RUNNING;
    c->job.work = on_job_work;
    c->job.done = on_job_done;
    c->job.loop = c->lc->loop;
    if (!srv->pool || net_pool_submit(srv->pool, &c->job) != BASE_OK) {
        /* The backlog is sized to max_connections, so this means shutdown (the pool is
         * already gone while hsql_server_free() drains completions). */
        c->state = HSQL_CONN_IDLE;
        c->job_again = false;
        hsql_out_err(c, 1053, "08S01", "Server shutdown in progress");
        c->want_close = true;
        return false;
    }
    return true;
}

/* ---- connections ------------------------------------------------------------------------ */

static void on_handshake_timeout(net_loop_t *loop, net_timer_t *t)
{
    hsql_conn_t *c = t->data;
    if (c->state == HSQL_CONN_GREETED || c->state == HSQL_CONN_AUTH_SWITCH) {
        BASE_LOG(BASE_LOG_INFO, "sql", "conn %u (%s): handshake timeout", c->conn_id, c->peer);
        conn_close_now(c);
    }
}

/* Last step of closing: the session is gone; free the memory and forget the connection. */
static void conn_release(hsql_conn_t *c)
{
    hsql_server_t *srv = c->srv;
    base_buf_fini(&c->in);
    base_buf_fini(&c->out);
    base_buf_fini(&c->coltypes);
    base_buf_fini(&c->params);
    base_buf_fini(&c->scratch);
    if (c->prev)
        c->prev->next = c->next;
    else
        c->lc->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    atomic_fetch_sub(&srv->nconns, 1);
    free(c);
}

static void on_close_work(net_job_t *job)
{
    hsql_conn_t *c = (hsql_conn_t *)((char *)job - offsetof(hsql_conn_t, job));
    hsql_conn_free_stmts(c);
    hsql_session_free(c->sess);
    c->sess = NULL;
}

static void on_close_done(net_loop_t *loop, net_job_t *job)
{
    conn_release((hsql_conn_t *)((char *)job - offsetof(hsql_conn_t, job)));
}

static void conn_free(hsql_conn_t *c)
{
    hsql_server_t *srv = c->srv;
    if (c->state == HSQL_CONN_RUNNING) {
        /* Invariant 2: the worker still owns it; on_job_done() finishes the job. */
        atomic_store(&c->peer_gone, true);
        c->want_close = true;
        return;
    }
    net_timer_stop(c->lc->loop, &c->timer);
    net_io_stop(c->lc->loop, &c->io);
    close(c->fd);
    c->fd = -1;
    /* Freeing a session rolls back and may close the database's last SQLite connection,
     * which checkpoints the WAL (writes, fsync): that is work for a worker, not the loop.
     * The connection stays RUNNING (and listed) until the worker is done. The usual session
     * (no transaction, no temporary table) only parks its connection in the engine's pool:
     * that is done here, without the two thread switches of a worker round. */
    if (c->sess && srv->pool) {
        hsql_conn_free_stmts(c);
        if (hsql_session_try_free(c->sess)) {
            c->sess = NULL;
            conn_release(c);
            return;
        }
        c->state = HSQL_CONN_RUNNING;
        c->job.work = on_close_work;
        c->job.done = on_close_done;
        c->job.loop = c->lc->loop;
        if (net_pool_submit(srv->pool, &c->job) == BASE_OK)
            return;
    }
    hsql_conn_free_stmts(c);
    if (c->sess)
        hsql_session_free(c->sess);
    c->sess = NULL;
    conn_release(c);
}

/* On the connection's own loop: register it and greet the client. */
static void conn_start(hsql_conn_t *c)
{
    hsql_server_t *srv = c->srv;
    hsql_loopctx_t *lc = c->lc;
    c->next = lc->conns;
    if (lc->conns)
        lc->conns->prev = c;
    lc->conns = c;
    c->last_active_ms = c->last_read_ms = net_loop_now(lc->loop);
    if (net_io_start(lc->loop, &c->io, c->fd, NET_IN | NET_OUT | EPOLLRDHUP | NET_EDGE,
                     on_conn_io, c) != BASE_OK) {
        BASE_LOG(BASE_LOG_WARN, "sql", "epoll: %s", strerror(errno));
        c->io.fd = -1;
        conn_free(c);
        return;
    }
    net_timer_start(lc->loop, &c->timer, (uint64_t)srv->cfg.connect_timeout_s * 1000,
                    on_handshake_timeout, c);
    hsql_conn_send_greeting(c);
    hsql_conn_drive(c);
}

static void on_handoff(net_loop_t *loop, net_task_t *task)
{
    conn_start((hsql_conn_t *)((char *)task - offsetof(hsql_conn_t, handoff)));
}

/* Loop 0: accepts one connection and gives it to the next loop in turn. Returns false when
 * there was nothing to accept. */
static bool accept_one(hsql_server_t *srv, int lfd, bool is_unix)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            BASE_LOG(BASE_LOG_WARN, "sql", "accept: %s", strerror(errno));
        return false;
    }
    if (atomic_load(&srv->nconns) >= srv->cfg.max_connections) {
        uint8_t pkt[4 + HSQL_ERR_MAX];
        size_t n = hsql_encode_err(pkt + 4, 1040, "08004", "Too many connections");
        hsql_frame_header(pkt, n, 0);
        ssize_t w = send(fd, pkt, n + 4, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
        close(fd);
        BASE_LOG(BASE_LOG_WARN, "sql", "refused a connection: max_connections (%u) reached",
                 srv->cfg.max_connections);
        return true;
    }
    if (!is_unix) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    hsql_conn_t *c = base_xcalloc(1, sizeof *c);
    c->srv = srv;
    c->lc = &srv->lcs[srv->next_lc++ % srv->nloops];
    c->fd = fd;
    c->is_unix = is_unix;
    c->conn_id = ++srv->next_conn_id;
    c->state = HSQL_CONN_GREETED;
    c->next_stmt_id = 1;
    c->last_status = HSQL_STATUS_AUTOCOMMIT;
    atomic_init(&c->peer_gone, false);
    base_buf_init(&c->in);
    base_buf_init(&c->out);
    base_buf_init(&c->coltypes);
    base_buf_init(&c->params);
    base_buf_init(&c->scratch);
    if (is_unix) {
        strcpy(c->host, "localhost");
        strcpy(c->peer, "localhost");
    } else {
        int port = 0;
        net_addr_peer(&ss, c->host, sizeof c->host, &port);
        snprintf(c->peer, sizeof c->peer, "%s:%d", c->host, port);
    }
    atomic_fetch_add(&srv->nconns, 1);
    if (c->lc->idx == 0) {
        conn_start(c);
    } else {
        c->handoff.run = on_handoff;
        net_loop_post(c->lc->loop, &c->handoff);
    }
    return true;
}

static void on_listen_io(net_loop_t *loop, net_io_t *io, uint32_t events)
{
    hsql_server_t *srv = io->data;
    bool is_unix = io == &srv->unix_io;
    /* Level-triggered: a few per wakeup keeps accepting fair with serving. */
    for (int i = 0; i < 16; i++)
        if (!accept_one(srv, io->fd, is_unix))
            break;
}

/* How often idle sessions are looked at: often enough for a short wait_timeout. */
static uint64_t sweep_ms(const hsql_server_t *srv)
{
    uint64_t half = (uint64_t)srv->cfg.wait_timeout_s * 500;
    return BASE_MAX(100u, BASE_MIN(half, (uint64_t)5000));
}

static void on_sweep(net_loop_t *loop, net_timer_t *t)
{
    hsql_loopctx_t *lc = t->data;
    hsql_server_t *srv = lc->srv;
    uint64_t now = net_loop_now(loop), idle = (uint64_t)srv->cfg.wait_timeout_s * 1000;
    for (hsql_conn_t *c = lc->conns, *next; c; c = next) {
        next = c->next;
        if (c->state != HSQL_CONN_IDLE)
            continue;
        if (now - c->last_active_ms > idle) {
            BASE_LOG(BASE_LOG_INFO, "sql", "conn %u (%s): idle past wait_timeout, closed",
                     c->conn_id, c->peer);
            conn_close_now(c);
        } else if (c->in.len > c->in_off && now - c->last_read_ms > HSQL_READ_TIMEOUT_MS) {
            BASE_LOG(BASE_LOG_INFO, "sql", "conn %u (%s): packet incomplete for %d s, closed",
                     c->conn_id, c->peer, HSQL_READ_TIMEOUT_MS / 1000);
            conn_close_now(c);
        }
    }
    net_timer_start(loop, t, sweep_ms(srv), on_sweep, lc);
}

/* ---- server ------------------------------------------------------------------------------ */

static void cfg_defaults(hsql_server_cfg_t *cfg)
{
    if (!cfg->version)
        cfg->version = "8.0.35-HarvSQL";
    if (!cfg->max_connections)
        cfg->max_connections = 151;
    if (!cfg->max_packet)
        cfg->max_packet = 64u << 20;
    if (!cfg->max_result_buffer)
        cfg->max_result_buffer = 64u << 20;
    if (!cfg->max_prepared)
        cfg->max_prepared = 16382;
    if (!cfg->workers)
        cfg->workers = 4;
    if (!cfg->loops) {
        /* One loop per CPU we may run on, and at least two: a statement that was fast until
         * now and turns slow inline then stalls only the sessions of its own loop. */
        cpu_set_t set;
        unsigned n = sched_getaffinity(0, sizeof set, &set) == 0 ? (unsigned)CPU_COUNT(&set) : 2;
        cfg->loops = BASE_MAX(2u, BASE_MIN(n, 16u));
    }
    if (!cfg->connect_timeout_s)
        cfg->connect_timeout_s = 10;
    if (!cfg->wait_timeout_s)
        cfg->wait_timeout_s = 28800;
    if (!cfg->inline_us)
        cfg->inline_us = 200;
    if (!cfg->synchronous)
        cfg->synchronous = 2;
    if (!cfg->busy_timeout_ms)
        cfg->busy_timeout_ms = 10000;
}

hsql_server_t *hsql_server_new(const hsql_server_cfg_t *cfg_in, char *err, size_t errlen)
{
    hsql_server_t *srv = base_xcalloc(1, sizeof *srv);
    srv->cfg = *cfg_in;
    cfg_defaults(&srv->cfg);
    srv->tcp_fd = srv->unix_fd = -1;
    srv->trust = srv->cfg.nusers == 0;
    snprintf(srv->version, sizeof srv->version, "%s", srv->cfg.version);
    if (!srv->cfg.state_dir) {
        snprintf(err, errlen, "no state directory given (--state DIR)");
        goto fail;
    }
    if (srv->trust && (srv->cfg.listen || srv->cfg.inherit_tcp_fd > 0)) {
        snprintf(err, errlen, "--listen %s needs at least one --user NAME:PASSWORD: without "
                              "users HarvSQL accepts only the unix socket",
                 srv->cfg.listen ? srv->cfg.listen : "(inherited)");
        goto fail;
    }
    if (!srv->cfg.listen && !srv->cfg.socket && srv->cfg.inherit_tcp_fd <= 0 &&
        srv->cfg.inherit_unix_fd <= 0) {
        snprintf(err, errlen, "nothing to listen on: give --socket PATH and/or --listen ADDR:PORT");
        goto fail;
    }
    if (mkdir(srv->cfg.state_dir, 0750) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create the state directory %s: %s", srv->cfg.state_dir,
                 strerror(errno));
        goto fail;
    }
    hsql_engine_cfg_t ecfg = {
        .state_dir = srv->cfg.state_dir,
        .synchronous = srv->cfg.synchronous,
        .busy_timeout_ms = srv->cfg.busy_timeout_ms,
        .version = srv->version,
    };
    hsql_error_t e = {0};
    srv->eng = hsql_engine_new(&ecfg, &e);
    if (!srv->eng) {
        snprintf(err, errlen, "cannot open the SQL engine in %s: %s", srv->cfg.state_dir, e.msg);
        goto fail;
    }
    for (unsigned i = 0; i < srv->cfg.ndatabases; i++) {
        if (hsql_engine_create_db(srv->eng, srv->cfg.databases[i], &e) != 0) {
            snprintf(err, errlen, "cannot create database '%s': %s", srv->cfg.databases[i],
                     e.msg);
            goto fail;
        }
    }
    srv->nloops = BASE_MIN(srv->cfg.loops, 64u);
    srv->lcs = base_xcalloc(srv->nloops, sizeof *srv->lcs);
    for (unsigned i = 0; i < srv->nloops; i++) {
        hsql_loopctx_t *lc = &srv->lcs[i];
        lc->srv = srv;
        lc->idx = i;
        lc->loop = net_loop_new();
        if (!lc->loop) {
            snprintf(err, errlen, "cannot create an event loop: %s", strerror(errno));
            goto fail;
        }
        /* Before the loop's thread exists, so this thread may touch its timers. */
        net_timer_start(lc->loop, &lc->sweep, sweep_ms(srv), on_sweep, lc);
    }
    srv->loop = srv->lcs[0].loop;
    srv->pool = net_pool_new(srv->cfg.workers, srv->cfg.max_connections + 16);
    if (!srv->pool) {
        snprintf(err, errlen, "cannot start %u worker threads", srv->cfg.workers);
        goto fail;
    }
    net_addr_t addr;
    if (srv->cfg.inherit_tcp_fd > 0) {
        srv->tcp_fd = srv->cfg.inherit_tcp_fd;
        fcntl(srv->tcp_fd, F_SETFL, fcntl(srv->tcp_fd, F_GETFL) | O_NONBLOCK);
        srv->port = net_socket_port(srv->tcp_fd);
        net_io_start(srv->loop, &srv->tcp_io, srv->tcp_fd, NET_IN, on_listen_io, srv);
    } else if (srv->cfg.listen) {
        if (net_addr_parse(srv->cfg.listen, &addr, err, errlen) != BASE_OK)
            goto fail;
        if (addr.family == AF_UNIX) {
            snprintf(err, errlen, "--listen takes HOST:PORT; use --socket for a unix socket");
            goto fail;
        }
        srv->tcp_fd = net_listen(&addr, 1024, 0, err, errlen);
        if (srv->tcp_fd < 0)
            goto fail;
        srv->port = net_socket_port(srv->tcp_fd);
        net_io_start(srv->loop, &srv->tcp_io, srv->tcp_fd, NET_IN, on_listen_io, srv);
    }
    if (srv->cfg.inherit_unix_fd > 0) {
        srv->unix_fd = srv->cfg.inherit_unix_fd;
        fcntl(srv->unix_fd, F_SETFL, fcntl(srv->unix_fd, F_GETFL) | O_NONBLOCK);
        net_io_start(srv->loop, &srv->unix_io, srv->unix_fd, NET_IN, on_listen_io, srv);
    } else if (srv->cfg.socket) {
        char spec[4200];
        snprintf(spec, sizeof spec, "unix:%s", srv->cfg.socket);
        if (net_addr_parse(spec, &addr, err, errlen) != BASE_OK)
            goto fail;
        srv->unix_fd = net_listen(&addr, 1024, 0, err, errlen);
        if (srv->unix_fd < 0)
            goto fail;
        chmod(srv->cfg.socket, srv->trust ? 0700 : 0777);
        net_io_start(srv->loop, &srv->unix_io, srv->unix_fd, NET_IN, on_listen_io, srv);
    }
    return srv;
fail:
    hsql_server_free(srv);
    return NULL;
}

int hsql_server_port(const hsql_server_t *srv) { return srv->port; }

static void *loop_main(void *arg)
{
    hsql_loopctx_t *lc = arg;
    net_loop_run(lc->loop);
    return NULL;
}

int hsql_server_run(hsql_server_t *srv)
{
    for (unsigned i = 1; i < srv->nloops; i++) {
        hsql_loopctx_t *lc = &srv->lcs[i];
        if (pthread_create(&lc->thread, NULL, loop_main, lc) != 0) {
            BASE_LOG(BASE_LOG_ERROR, "sql", "cannot start event loop thread %u", i);
            hsql_server_stop(srv);
            break;
        }
        lc->thread_started = true;
    }
    int rc = net_loop_run(srv->loop) == BASE_OK ? 0 : -1;
    hsql_server_stop(srv);
    for (unsigned i = 1; i < srv->nloops; i++) {
        if (srv->lcs[i].thread_started)
            pthread_join(srv->lcs[i].thread, NULL);
        srv->lcs[i].thread_started = false;
    }
    return rc;
}

void hsql_server_stop(hsql_server_t *srv)
{
    if (!srv || !srv->lcs)
        return;
    for (unsigned i = 0; i < srv->nloops; i++)
        if (srv->lcs[i].loop)
            net_loop_stop(srv->lcs[i].loop);
}

void hsql_server_free(hsql_server_t *srv)
{
    if (!srv)
        return;
    /* hsql_server_run() has joined the loop threads: this thread drives every loop now. */
    if (srv->loop) {
        if (srv->tcp_fd >= 0)
            net_io_stop(srv->loop, &srv->tcp_io);
        if (srv->unix_fd >= 0)
            net_io_stop(srv->loop, &srv->unix_io);
    }
    if (srv->tcp_fd >= 0)
        close(srv->tcp_fd);
    if (srv->unix_fd >= 0) {
        close(srv->unix_fd);
        if (srv->cfg.inherit_unix_fd <= 0 && srv->cfg.socket)
            unlink(srv->cfg.socket); /* ours: we bound it */
    }
    /* Running queries stop at their next row (peer_gone), then their completions are
     * collected before the sessions are freed. */
    for (unsigned i = 0; i < srv->nloops; i++) {
        hsql_loopctx_t *lc = &srv->lcs[i];
        for (hsql_conn_t *c = lc->conns; c; c = c->next) {
            if (c->state == HSQL_CONN_RUNNING)
                atomic_store(&c->peer_gone, true);
            if (c->waiting_again) { /* on its retry timer, not on a worker */
                net_timer_stop(lc->loop, &c->timer);
                c->waiting_again = false;
                c->job_again = false;
                c->state = HSQL_CONN_IDLE;
            }
        }
    }
    if (srv->pool)
        net_pool_free(srv->pool);
    srv->pool = NULL;
    for (unsigned i = 0; srv->lcs && i < srv->nloops; i++) {
        hsql_loopctx_t *lc = &srv->lcs[i];
        if (!lc->loop)
            continue;
        while (net_loop_tick(lc->loop, 0) > 0) {
        }
        while (lc->conns) {
            hsql_conn_t *c = lc->conns;
            net_timer_stop(lc->loop, &c->timer); /* a retry after HSQL_AGAIN, if any */
            c->waiting_again = false;
            c->job_again = false;
            c->state = HSQL_CONN_CLOSING;
            conn_free(c);
        }
        net_timer_stop(lc->loop, &lc->sweep);
    }
    for (unsigned i = 0; srv->lcs && i < srv->nloops; i++)
        if (srv->lcs[i].loop)
            net_loop_free(srv->lcs[i].loop);
    free(srv->lcs);
    if (srv->eng)
        hsql_engine_free(srv->eng);
    free(srv);
}

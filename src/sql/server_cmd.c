/* server_cmd.c — what a HarvSQL session does with each packet: the greeting, authentication
 * (mysql_native_password; caching_sha2_password checked directly, or switched to native),
 * the commands (QUERY, STMT_*, INIT_DB, PING, FIELD_LIST, CHANGE_USER, RESET_CONNECTION,
 * SET_OPTION, STATISTICS, QUIT), the result sink that turns engine callbacks into packets, and
 * the choice of running a statement inline on the loop or on a worker.
 * Layer: sql/protocol; calls only hsql_engine.h. Loop thread, except hsql_conn_job_run() and
 * the sink, which run on whichever thread owns the connection (invariant 1 of server.c). */
#include "server_int.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#define PLUGIN_NATIVE "mysql_native_password"
#define PLUGIN_SHA2 "caching_sha2_password"
#define HSQL_OUT_HIGH (256 * 1024)
#define HSQL_WRITE_TIMEOUT_MS 60000
#define FAST_STREAK_MIN 4

/* ---- output packets --------------------------------------------------------------------- */

static size_t out_limit(const hsql_conn_t *c)
{
    return c->srv->cfg.max_result_buffer + 2 * c->srv->cfg.max_packet + 64;
}

/* Reserves a packet of up to max payload bytes; returns the payload pointer or NULL (cap). */
static uint8_t *out_begin(hsql_conn_t *c, size_t max)
{
    if (base_buf_reserve(&c->out, 4 + max, out_limit(c)) != BASE_OK) {
        c->sink_failed = true;
        return NULL;
    }
    return (uint8_t *)c->out.data + c->out.len + 4;
}

/* Commits a packet of n payload bytes written at out_begin()'s pointer, splitting it into
 * 16 MiB frames when needed. */
static void out_end(hsql_conn_t *c, size_t n)
{
    size_t start = c->out.len;
    if (BASE_LIKELY(n < HSQL_FRAME_MAX)) {
        hsql_frame_header((uint8_t *)c->out.data + start, n, c->seq++);
        c->out.len += 4 + n;
        return;
    }
    size_t frames = n / HSQL_FRAME_MAX + 1, extra = 4 * (frames - 1);
    if (base_buf_reserve(&c->out, 4 + n + extra, out_limit(c) + extra) != BASE_OK) {
        c->sink_failed = true;
        return;
    }
    uint8_t *b = (uint8_t *)c->out.data + start;
    for (size_t k = frames; k-- > 0;) {
        size_t len = k == frames - 1 ? n - k * HSQL_FRAME_MAX : HSQL_FRAME_MAX;
        memmove(b + k * (HSQL_FRAME_MAX + 4) + 4, b + 4 + k * HSQL_FRAME_MAX, len);
    }
    for (size_t k = 0; k < frames; k++) {
        size_t len = k == frames - 1 ? n - k * HSQL_FRAME_MAX : HSQL_FRAME_MAX;
        hsql_frame_header(b + k * (HSQL_FRAME_MAX + 4), len, c->seq++);
    }
    c->out.len += 4 + n + extra;
}

void hsql_out_err(hsql_conn_t *c, uint16_t code, const char *sqlstate, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    uint8_t *p = out_begin(c, HSQL_ERR_MAX);
    if (p)
        out_end(c, hsql_encode_err(p, code, sqlstate, msg));
}

static void out_engine_err(hsql_conn_t *c, const hsql_error_t *e)
{
    if (e->code == 0)
        hsql_out_err(c, 1105, "HY000", "Unknown error");
    else
        hsql_out_err(c, e->code, e->sqlstate[0] ? e->sqlstate : "HY000", "%s", e->msg);
}

static void out_ok_header(hsql_conn_t *c, uint8_t header, const hsql_ok_t *ok)
{
    uint8_t *p = out_begin(c, hsql_ok_size(ok));
    if (p)
        out_end(c, hsql_encode_ok(p, header, ok, c->caps));
}

void hsql_out_ok(hsql_conn_t *c, const hsql_ok_t *ok) { out_ok_header(c, 0x00, ok); }

static uint16_t sess_status(hsql_conn_t *c)
{
    return c->sess ? hsql_session_status(c->sess) : HSQL_STATUS_AUTOCOMMIT;
}

static void out_simple_ok(hsql_conn_t *c)
{
    hsql_ok_t ok = {.status = sess_status(c), .info = ""};
    hsql_out_ok(c, &ok);
}

/* EOF, or under DEPRECATE_EOF an OK packet with the 0xFE header. */
static void out_eof(hsql_conn_t *c, uint16_t warnings, uint16_t status)
{
    if (c->caps & HSQL_CLIENT_DEPRECATE_EOF) {
        hsql_ok_t ok = {.status = status, .warnings = warnings, .info = ""};
        out_ok_header(c, 0xfe, &ok);
        return;
    }
    uint8_t *p = out_begin(c, 5);
    if (p)
        out_end(c, hsql_encode_eof(p, warnings, status));
}

/* The intermediate EOF after column definitions is never replaced by an OK. */
static void out_coldefs_eof(hsql_conn_t *c, uint16_t status)
{
    if (c->caps & HSQL_CLIENT_DEPRECATE_EOF)
        return;
    uint8_t *p = out_begin(c, 5);
    if (p)
        out_end(c, hsql_encode_eof(p, 0, status));
}

/* ---- the result sink (runs where the job runs) ------------------------------------------ */

/* Keeps the buffer bounded: a worker writes to the socket itself (blocking with a timeout);
 * inline on the loop we only try, and the buffer cap stops runaway results. */
static int sink_maybe_flush(hsql_conn_t *c)
{
    if (c->sink_failed || atomic_load(&c->peer_gone))
        return -1;
    if (c->out.len - c->out_off < HSQL_OUT_HIGH)
        return 0;
    if (c->job_inline) {
        if (hsql_conn_flush(c) == BASE_ERROR) {
            c->sink_failed = true;
            return -1;
        }
        return 0;
    }
    unsigned waited = 0;
    while (c->out_off < c->out.len) {
        int rc = hsql_conn_flush(c);
        if (rc == BASE_OK)
            break;
        if (rc == BASE_ERROR || atomic_load(&c->peer_gone)) {
            c->sink_failed = true;
            return -1;
        }
        /* Short slices so a shutdown or a HUP seen by the loop (peer_gone) ends the wait. */
        struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};
        int pr = poll(&pfd, 1, 100);
        if (pr == 0 && (waited += 100) < HSQL_WRITE_TIMEOUT_MS)
            continue;
        if (pr == 0 || (pr < 0 && errno != EINTR) || (pfd.revents & (POLLERR | POLLHUP))) {
            c->sink_failed = true;
            return -1;
        }
    }
    return 0;
}

static int sink_columns(void *ctx, const hsql_col_t *cols, unsigned n)
{
    hsql_conn_t *c = ctx;
    c->ncols = n;
    if (c->binary_rows) {
        if (base_buf_reserve(&c->coltypes, (size_t)n * sizeof(hsql_col_t), SIZE_MAX) != BASE_OK)
            return -1;
        memcpy(c->coltypes.data, cols, (size_t)n * sizeof(hsql_col_t));
    }
    uint8_t *p = out_begin(c, 9);
    if (!p)
        return -1;
    out_end(c, (size_t)(hsql_put_lenenc(p, n) - p));
    for (unsigned i = 0; i < n; i++) {
        p = out_begin(c, hsql_coldef_size(&cols[i]));
        if (!p)
            return -1;
        out_end(c, hsql_encode_coldef(p, &cols[i], false));
    }
    out_coldefs_eof(c, c->last_status);
    return sink_maybe_flush(c);
}

/* COM_FIELD_LIST: column definitions with a default value, no count packet, no EOF between. */
static int sink_fl_columns(void *ctx, const hsql_col_t *cols, unsigned n)
{
    hsql_conn_t *c = ctx;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = out_begin(c, hsql_coldef_size(&cols[i]));
        if (!p)
            return -1;
        out_end(c, hsql_encode_coldef(p, &cols[i], true));
    }
    return sink_maybe_flush(c);
}

/* The classic EOF ends a field list even under DEPRECATE_EOF (as MySQL does). */
static int sink_fl_eof(void *ctx, uint16_t status, uint16_t warnings)
{
    hsql_conn_t *c = ctx;
    uint8_t *p = out_begin(c, 5);
    if (!p)
        return -1;
    out_end(c, hsql_encode_eof(p, warnings, status));
    return 0;
}

static int sink_row(void *ctx, const hsql_value_t *vals, unsigned n)
{
    hsql_conn_t *c = ctx;
    uint8_t *p;
    if (c->binary_rows) {
        const hsql_col_t *cols = (const hsql_col_t *)c->coltypes.data;
        if (n > c->ncols)
            n = c->ncols;
        p = out_begin(c, hsql_binary_row_size(cols, vals, n));
        if (!p)
            return -1;
        out_end(c, hsql_encode_binary_row(p, cols, vals, n));
    } else {
        p = out_begin(c, hsql_text_row_size(vals, n));
        if (!p)
            return -1;
        out_end(c, hsql_encode_text_row(p, vals, n));
    }
    return sink_maybe_flush(c);
}

static int sink_eof(void *ctx, uint16_t status, uint16_t warnings)
{
    hsql_conn_t *c = ctx;
    c->last_status = status & (uint16_t)~HSQL_STATUS_MORE_RESULTS;
    out_eof(c, warnings, status);
    return sink_maybe_flush(c);
}

static int sink_ok(void *ctx, const hsql_ok_t *ok)
{
    hsql_conn_t *c = ctx;
    c->last_status = ok->status & (uint16_t)~HSQL_STATUS_MORE_RESULTS;
    hsql_out_ok(c, ok);
    return sink_maybe_flush(c);
}

/* ---- prepared statements table -------------------------------------------------------- */

static hsql_pstmt_t *stmt_find(hsql_conn_t *c, uint32_t id)
{
    if (!c->stmt_nbuckets)
        return NULL;
    for (hsql_pstmt_t *s = c->stmt_buckets[id & (c->stmt_nbuckets - 1)]; s; s = s->next)
        if (s->id == id)
            return s;
    return NULL;
}

static void stmt_insert(hsql_conn_t *c, hsql_pstmt_t *s)
{
    if (c->nstmts + 1 > c->stmt_nbuckets * 2) {
        unsigned nb = c->stmt_nbuckets ? c->stmt_nbuckets * 2 : 16;
        hsql_pstmt_t **b = base_xcalloc(nb, sizeof *b);
        for (unsigned i = 0; i < c->stmt_nbuckets; i++) {
            for (hsql_pstmt_t *t = c->stmt_buckets[i], *next; t; t = next) {
                next = t->next;
                t->next = b[t->id & (nb - 1)];
                b[t->id & (nb - 1)] = t;
            }
        }
        free(c->stmt_buckets);
        c->stmt_buckets = b;
        c->stmt_nbuckets = nb;
    }
    hsql_pstmt_t **head = &c->stmt_buckets[s->id & (c->stmt_nbuckets - 1)];
    s->next = *head;
    *head = s;
    c->nstmts++;
}

static void stmt_clear_long(hsql_pstmt_t *s)
{
    if (!s->long_data)
        return;
    for (unsigned i = 0; i < s->nparams; i++)
        base_buf_fini(&s->long_data[i]);
    free(s->long_data);
    s->long_data = NULL;
    s->long_used = false;
}

static void stmt_destroy(hsql_pstmt_t *s)
{
    hsql_stmt_close(s->st);
    stmt_clear_long(s);
    free(s->types);
    free(s);
}

static void stmt_remove(hsql_conn_t *c, uint32_t id)
{
    if (!c->stmt_nbuckets)
        return;
    for (hsql_pstmt_t **pp = &c->stmt_buckets[id & (c->stmt_nbuckets - 1)]; *pp;
         pp = &(*pp)->next) {
        if ((*pp)->id == id) {
            hsql_pstmt_t *s = *pp;
            *pp = s->next;
            stmt_destroy(s);
            c->nstmts--;
            return;
        }
    }
}

void hsql_conn_free_stmts(hsql_conn_t *c)
{
    for (unsigned i = 0; i < c->stmt_nbuckets; i++) {
        for (hsql_pstmt_t *s = c->stmt_buckets[i], *next; s; s = next) {
            next = s->next;
            stmt_destroy(s);
        }
    }
    free(c->stmt_buckets);
    c->stmt_buckets = NULL;
    c->stmt_nbuckets = c->nstmts = 0;
}

/* ---- statement classes and shapes: may it run inline? ---------------------------------- */

static bool class_may_inline(const hsql_conn_t *c, int cls)
{
    if (c->srv->cfg.inline_us == UINT32_MAX)
        return false;
    if (c->out.len - c->out_off > HSQL_OUT_HIGH)
        return false;
    return cls == HSQL_CLS_READ || cls == HSQL_CLS_BEGIN || (cls == HSQL_CLS_END && !c->txn_dirty);
}

/* Session opening and INIT_DB are timed per server, like statement shapes. */
static bool kind_may_inline(const hsql_conn_t *c, hsql_job_kind_t kind)
{
    return c->srv->cfg.inline_us != UINT32_MAX && c->lc->kind_streak[kind] >= FAST_STREAK_MIN &&
           c->out.len - c->out_off <= HSQL_OUT_HIGH;
}

/* ---- jobs: run (worker or inline) and finish (loop) ------------------------------------- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void run_prepare(hsql_conn_t *c)
{
    hsql_stmt_t *st = NULL;
    unsigned np = 0, nc = 0;
    const hsql_col_t *cols = NULL;
    const char *sql = (const char *)c->job_payload + 1;
    size_t len = c->job_len - 1;
    c->job_rc = hsql_stmt_prepare(c->sess, sql, len, &st, &np, &cols, &nc, &c->err);
    if (c->job_rc != 0)
        return;
    if (np > 65535 || nc > 65535) {
        hsql_stmt_close(st);
        c->job_rc = -1;
        c->err = (hsql_error_t){.code = 1390, .sqlstate = "HY000"};
        snprintf(c->err.msg, sizeof c->err.msg, "Prepared statement contains too many placeholders");
        return;
    }
    hsql_pstmt_t *s = base_xcalloc(1, sizeof *s);
    s->id = c->next_stmt_id++;
    s->st = st;
    s->nparams = np;
    s->ncols = nc;
    s->types = base_xcalloc(np ? np * 2 : 1, 1);
    s->cls = hsql_stmt_class(sql, len);
    s->write_class = s->cls == HSQL_CLS_WRITE;
    c->job_stmt = s;
    uint8_t *p = out_begin(c, 12);
    if (!p)
        return;
    out_end(c, hsql_encode_prepare_ok(p, s->id, (uint16_t)nc, (uint16_t)np, 0));
    hsql_col_t pdef = {.db = "", .table = "", .org_table = "", .name = "?", .org_name = "",
                       .charset = 63, .type = HSQL_TYPE_VAR_STRING, .flags = HSQL_FLAG_BINARY};
    for (unsigned i = 0; i < np; i++) {
        p = out_begin(c, hsql_coldef_size(&pdef));
        if (!p)
            return;
        out_end(c, hsql_encode_coldef(p, &pdef, false));
    }
    if (np)
        out_coldefs_eof(c, c->last_status);
    for (unsigned i = 0; i < nc; i++) {
        p = out_begin(c, hsql_coldef_size(&cols[i]));
        if (!p)
            return;
        out_end(c, hsql_encode_coldef(p, &cols[i], false));
    }
    if (nc)
        out_coldefs_eof(c, c->last_status);
}

void hsql_conn_job_run(hsql_conn_t *c)
{
    hsql_server_t *srv = c->srv;
    memset(&c->err, 0, sizeof c->err);
    c->sink = (hsql_sink_t){c, sink_columns, sink_row, sink_eof, sink_ok};
    c->binary_rows = false;
    uint64_t t0 = now_ns();
    switch (c->job_kind) {
    case HSQL_JOB_CONNECT:
        if (c->sess) {
            hsql_session_free(c->sess);
            c->sess = NULL;
        }
        c->sess = hsql_session_new(srv->eng, &c->info, c->has_db ? c->db : NULL, &c->err);
        c->job_rc = c->sess ? 0 : -1;
        if (c->sess) {
            /* Lock waits come back as HSQL_AGAIN instead of sleeping in a worker: a worker
             * is then always free for the COMMIT of the session holding the lock. */
            hsql_session_set_nonblocking(c->sess, true);
            hsql_ok_t ok = {.status = hsql_session_status(c->sess), .info = ""};
            hsql_out_ok(c, &ok);
        }
        break;
    case HSQL_JOB_QUERY:
        c->job_rc = hsql_session_query(c->sess, (const char *)c->job_payload + 1,
                                       c->job_len - 1, &c->sink, &c->err);
        break;
    case HSQL_JOB_EXECUTE: {
        c->binary_rows = true;
        hsql_pstmt_t *s = c->job_stmt;
        c->job_rc = hsql_stmt_execute(s->st, (const hsql_param_t *)c->params.data, s->nparams,
                                      &c->sink, &c->err);
        break;
    }
    case HSQL_JOB_PREPARE:
        run_prepare(c);
        break;
    case HSQL_JOB_INIT_DB:
        c->job_rc = hsql_session_use(c->sess, c->db, &c->err);
        if (c->job_rc == 0)
            out_simple_ok(c);
        break;
    case HSQL_JOB_FIELD_LIST: {
        hsql_rd_t r = hsql_rd_make(c->job_payload + 1, c->job_len - 1);
        base_span_t table = hsql_rd_nulstr(&r), wild = hsql_rd_rest(&r);
        char tbuf[256], wbuf[256];
        snprintf(tbuf, sizeof tbuf, "%.*s", (int)table.len, table.p);
        snprintf(wbuf, sizeof wbuf, "%.*s", (int)wild.len, wild.p);
        c->sink.on_columns = sink_fl_columns;
        c->sink.on_eof = sink_fl_eof;
        c->job_rc = hsql_session_field_list(c->sess, tbuf, wild.len ? wbuf : NULL, &c->sink,
                                            &c->err);
        break;
    }
    case HSQL_JOB_RESET:
        hsql_session_reset(c->sess);
        c->job_rc = 0;
        out_simple_ok(c);
        break;
    }
    c->job_ns = now_ns() - t0;
    /* Another session holds the write lock: nothing was sent, retry later (server.c). */
    c->job_again = c->job_rc == HSQL_AGAIN;
    if (c->job_again)
        return;
    if (c->job_rc != 0 && !c->sink_failed && !atomic_load(&c->peer_gone))
        out_engine_err(c, &c->err);
}

void hsql_conn_job_finish(hsql_conn_t *c)
{
    hsql_server_t *srv = c->srv;
    bool fast = c->job_ns < (uint64_t)srv->cfg.inline_us * 1000;
    BASE_LOG(BASE_LOG_DEBUG, "sql", "conn %u: job %d %s %.1f us rc %d", c->conn_id,
             (int)c->job_kind, c->job_inline ? "inline" : "pool", (double)c->job_ns / 1000.0,
             c->job_rc);
    if (c->job_kind == HSQL_JOB_CONNECT || c->job_kind == HSQL_JOB_INIT_DB) {
        uint16_t *k = &c->lc->kind_streak[c->job_kind];
        *k = fast ? (uint16_t)BASE_MIN(*k + 1, 1000) : 0;
    }
    switch (c->job_kind) {
    case HSQL_JOB_CONNECT:
        if (c->job_rc != 0) {
            c->want_close = true;
            return;
        }
        net_timer_stop(c->lc->loop, &c->timer);
        c->state = HSQL_CONN_IDLE;
        return;
    case HSQL_JOB_PREPARE:
        if (c->job_rc == 0 && c->job_stmt) {
            stmt_insert(c, c->job_stmt);
            c->job_stmt = NULL;
        }
        return;
    case HSQL_JOB_EXECUTE:
        if (c->job_stmt) {
            hsql_pstmt_t *s = c->job_stmt;
            s->fast_streak = fast ? (uint16_t)BASE_MIN(s->fast_streak + 1, 1000) : 0;
            stmt_clear_long(s);
        }
        break;
    case HSQL_JOB_QUERY:
        if (c->job_shape)
            c->job_shape->fast_streak =
                fast ? (uint16_t)BASE_MIN(c->job_shape->fast_streak + 1, 1000) : 0;
        break;
    default:
        break;
    }
    if (c->job_write_class)
        c->txn_dirty = true;
    if (c->txn_dirty && c->sess && !(hsql_session_status(c->sess) & HSQL_STATUS_IN_TRANS))
        c->txn_dirty = false;
    if (c->sink_failed)
        c->want_close = true;
}

/* ---- greeting and authentication -------------------------------------------------------- */

void hsql_conn_send_greeting(hsql_conn_t *c)
{
    /* 20 random bytes in 1..127, never NUL (clients read part 2 up to a NUL). */
    if (getrandom(c->scramble, sizeof c->scramble, 0) != (ssize_t)sizeof c->scramble) {
        for (size_t i = 0; i < sizeof c->scramble; i++)
            c->scramble[i] = (uint8_t)rand();
    }
    for (size_t i = 0; i < sizeof c->scramble; i++) {
        c->scramble[i] &= 0x7f;
        if (c->scramble[i] == 0 || c->scramble[i] == '$')
            c->scramble[i] = (uint8_t)('A' + i);
    }
    hsql_greeting_t g = {
        .version = c->srv->version,
        .conn_id = c->conn_id,
        .scramble = c->scramble,
        .caps = HSQL_SERVER_CAPS,
        .charset = 255,
        .status = HSQL_STATUS_AUTOCOMMIT,
        .plugin = PLUGIN_NATIVE,
    };
    c->seq = 0;
    uint8_t *p = out_begin(c, hsql_greeting_size(&g));
    if (p)
        out_end(c, hsql_encode_greeting(p, &g));
}

static const hsql_user_cfg_t *find_user(hsql_server_t *srv, const char *name)
{
    for (unsigned i = 0; i < srv->cfg.nusers; i++)
        if (!strcmp(srv->cfg.users[i].name, name))
            return &srv->cfg.users[i];
    return NULL;
}

static void deny(hsql_conn_t *c, bool used_password)
{
    BASE_LOG(BASE_LOG_INFO, "sql", "conn %u: access denied for '%s'@'%s'", c->conn_id, c->user,
             c->host);
    hsql_out_err(c, 1045, "28000", "Access denied for user '%s'@'%s' (using password: %s)",
                 c->user, c->host, used_password ? "YES" : "NO");
    c->state = HSQL_CONN_CLOSING;
}

static void auth_succeeded(hsql_conn_t *c)
{
    c->info.user = c->user;
    c->info.host = c->peer;
    c->info.found_rows = c->caps & HSQL_CLIENT_FOUND_ROWS;
    /* Always on in the engine: COM_SET_OPTION may switch it later and the engine takes the
     * flag only at session creation, so cmd_query() enforces the client's setting. */
    c->info.multi_statements = true;
    c->state = HSQL_CONN_IDLE;
    c->job_kind = HSQL_JOB_CONNECT;
    c->job_write_class = false;
    c->txn_dirty = false;
    /* A fresh session may open inline once opening sessions has been measured fast; after
     * CHANGE_USER the old session's rollback goes to the pool. */
    hsql_conn_start_job(c, !c->sess && kind_may_inline(c, HSQL_JOB_CONNECT));
}

/* Checks resp for the named plugin. 1 accepted, 0 denied, -1 unknown plugin (switch). */
static int check_auth(hsql_conn_t *c, base_span_t plugin, base_span_t resp)
{
    hsql_server_t *srv = c->srv;
    bool native = plugin.len == 0 || base_span_eq(plugin, PLUGIN_NATIVE);
    bool sha2 = base_span_eq(plugin, PLUGIN_SHA2);
    if (!native && !sha2)
        return -1;
    if (srv->trust)
        return 1;
    const hsql_user_cfg_t *u = find_user(srv, c->user);
    if (!u)
        return 0;
    if (native)
        return hsql_auth_native_ok(c->scramble, u->password, resp) ? 1 : 0;
    return hsql_auth_sha2_ok(c->scramble, u->password, resp) ? 1 : 0;
}

static void send_auth_switch(hsql_conn_t *c)
{
    uint8_t *p = out_begin(c, 64 + HSQL_SCRAMBLE_LEN);
    if (p)
        out_end(c, hsql_encode_auth_switch(p, PLUGIN_NATIVE, c->scramble, HSQL_SCRAMBLE_LEN));
    c->state = HSQL_CONN_AUTH_SWITCH;
}

static void after_check(hsql_conn_t *c, int verdict, base_span_t plugin, base_span_t resp)
{
    if (verdict < 0) {
        send_auth_switch(c);
        return;
    }
    if (verdict == 0) {
        deny(c, resp.len > 0);
        return;
    }
    if (base_span_eq(plugin, PLUGIN_SHA2)) {
        /* caching_sha2_password "fast auth success": AuthMoreData 0x03, then OK. */
        uint8_t *p = out_begin(c, 2);
        if (p) {
            p[0] = 0x01;
            p[1] = 0x03;
            out_end(c, 2);
        }
    }
    auth_succeeded(c);
}

static bool copy_name(char *dst, size_t cap, base_span_t s)
{
    if (s.len >= cap || memchr(s.p, 0, s.len))
        return false;
    memcpy(dst, s.p, s.len);
    dst[s.len] = 0;
    return true;
}

static void on_handshake_response(hsql_conn_t *c, const uint8_t *payload, size_t len)
{
    hsql_handshake_resp_t hr;
    const char *why = NULL;
    if (hsql_decode_handshake_resp(payload, len, &hr, &why) != BASE_OK) {
        hsql_out_err(c, 1043, "08S01", "Bad handshake: %s", why);
        c->state = HSQL_CONN_CLOSING;
        return;
    }
    if (hr.ssl_request) {
        hsql_out_err(c, 1043, "08S01", "Bad handshake: this server does not offer SSL");
        c->state = HSQL_CONN_CLOSING;
        return;
    }
    c->caps = hr.caps & HSQL_SERVER_CAPS;
    if (!copy_name(c->user, sizeof c->user, hr.user)) {
        hsql_out_err(c, 1043, "08S01", "Bad handshake: user name too long");
        c->state = HSQL_CONN_CLOSING;
        return;
    }
    c->has_db = false;
    if (hr.db.len) {
        if (!copy_name(c->db, sizeof c->db, hr.db)) {
            hsql_out_err(c, 1102, "42000", "Incorrect database name '%.*s'",
                         (int)BASE_MIN(hr.db.len, 64), hr.db.p);
            c->state = HSQL_CONN_CLOSING;
            return;
        }
        c->has_db = true;
    }
    base_span_t plugin = (c->caps & HSQL_CLIENT_PLUGIN_AUTH) ? hr.plugin : (base_span_t){"", 0};
    after_check(c, check_auth(c, plugin, hr.auth), plugin, hr.auth);
}

static void on_auth_switch_response(hsql_conn_t *c, const uint8_t *payload, size_t len)
{
    base_span_t resp = {(const char *)payload, len};
    base_span_t plugin = BASE_SPAN_LIT(PLUGIN_NATIVE);
    int v = check_auth(c, plugin, resp);
    after_check(c, v < 0 ? 0 : v, plugin, resp);
}

/* ---- commands ------------------------------------------------------------------------- */

static void cmd_change_user(hsql_conn_t *c, const uint8_t *payload, size_t len)
{
    hsql_change_user_t cu;
    const char *why = NULL;
    if (hsql_decode_change_user(payload, len, c->caps, &cu, &why) != BASE_OK ||
        !copy_name(c->user, sizeof c->user, cu.user)) {
        hsql_out_err(c, 1835, "08S01", "Malformed communication packet: %s",
                     why ? why : "user name too long");
        c->state = HSQL_CONN_CLOSING;
        return;
    }
    c->has_db = false;
    if (cu.db.len) {
        if (!copy_name(c->db, sizeof c->db, cu.db)) {
            hsql_out_err(c, 1102, "42000", "Incorrect database name");
            c->state = HSQL_CONN_CLOSING;
            return;
        }
        c->has_db = true;
    }
    /* CHANGE_USER starts afresh: statements go, the old session is freed by the job. */
    hsql_conn_free_stmts(c);
    base_span_t plugin = (c->caps & HSQL_CLIENT_PLUGIN_AUTH) ? cu.plugin : (base_span_t){"", 0};
    after_check(c, check_auth(c, plugin, cu.auth), plugin, cu.auth);
}

static void cmd_execute(hsql_conn_t *c, const uint8_t *payload, size_t len)
{
    hsql_exec_head_t eh;
    if (hsql_decode_exec_head(payload, len, &eh) != BASE_OK) {
        hsql_out_err(c, 1835, "08S01", "Malformed communication packet: COM_STMT_EXECUTE too short");
        return;
    }
    hsql_pstmt_t *s = stmt_find(c, eh.stmt_id);
    if (!s) {
        hsql_out_err(c, 1243, "HY000",
                     "Unknown prepared statement handler (%u) given to mysqld_stmt_execute",
                     eh.stmt_id);
        return;
    }
    size_t np = s->nparams;
    size_t need = np * (sizeof(hsql_param_t) + sizeof(base_span_t));
    if (base_buf_reserve(&c->params, need ? need : 1, SIZE_MAX) != BASE_OK ||
        base_buf_reserve(&c->scratch, np * HSQL_PARAM_SCRATCH + 1, SIZE_MAX) != BASE_OK) {
        hsql_out_err(c, 1041, "HY000", "Out of memory");
        return;
    }
    hsql_param_t *params = (hsql_param_t *)c->params.data;
    base_span_t *longs = NULL;
    if (s->long_used) {
        longs = (base_span_t *)(c->params.data + np * sizeof(hsql_param_t));
        for (size_t i = 0; i < np; i++)
            longs[i] = s->long_data[i].data ? (base_span_t){s->long_data[i].data,
                                                            s->long_data[i].len}
                                            : (base_span_t){NULL, 0};
    }
    const char *why = NULL;
    if (hsql_decode_exec_params(&eh.params, (unsigned)np, s->types, &s->types_bound, longs,
                                c->scratch.data, params, &why) != BASE_OK) {
        hsql_out_err(c, 1210, "HY000", "Incorrect arguments to mysqld_stmt_execute: %s", why);
        stmt_clear_long(s);
        return;
    }
    c->job_kind = HSQL_JOB_EXECUTE;
    c->job_stmt = s;
    c->job_shape = NULL;
    c->job_write_class = s->write_class;
    bool may = s->fast_streak >= FAST_STREAK_MIN && class_may_inline(c, s->cls);
    hsql_conn_start_job(c, may);
}

static void cmd_query(hsql_conn_t *c, const uint8_t *payload, size_t len)
{
    const char *sql = (const char *)payload + 1;
    size_t n = len - 1;
    size_t at;
    if (!(c->caps & HSQL_CLIENT_MULTI_STATEMENTS) && hsql_second_stmt(sql, n, &at)) {
        unsigned line = 1;
        for (size_t i = 0; i < at; i++)
            line += sql[i] == '\n';
        hsql_out_err(c, 1064, "42000",
                     "You have an error in your SQL syntax; check the manual that corresponds to "
                     "your MySQL server version for the right syntax to use near '%.*s' at line %u",
                     (int)BASE_MIN(n - at, (size_t)80), sql + at, line);
        return;
    }
    int cls = hsql_stmt_class(sql, n);
    c->job_kind = HSQL_JOB_QUERY;
    c->job_stmt = NULL;
    c->job_write_class = cls == HSQL_CLS_WRITE;
    c->job_shape = NULL;
    bool may = false;
    if (cls != HSQL_CLS_WRITE) {
        uint64_t h = hsql_shape_hash(sql, n);
        hsql_shape_t *sh = &c->lc->shapes[h & (HSQL_SHAPES - 1)];
        if (sh->hash != h) {
            sh->hash = h;
            sh->fast_streak = 0;
        }
        c->job_shape = sh;
        may = sh->fast_streak >= FAST_STREAK_MIN && class_may_inline(c, cls);
    }
    hsql_conn_start_job(c, may);
}

static void cmd_long_data(hsql_conn_t *c, const uint8_t *payload, size_t len)
{
    hsql_rd_t r = hsql_rd_make(payload + 1, len - 1);
    uint32_t id = (uint32_t)hsql_rd_int(&r, 4);
    unsigned pi = (unsigned)hsql_rd_int(&r, 2);
    base_span_t data = hsql_rd_rest(&r);
    hsql_pstmt_t *s = stmt_find(c, id);
    /* No response, ever: errors would desynchronise the client. Bad ids are ignored. */
    if (r.bad || !s || pi >= s->nparams)
        return;
    if (!s->long_data)
        s->long_data = base_xcalloc(s->nparams, sizeof *s->long_data);
    base_buf_t *b = &s->long_data[pi];
    if (base_buf_reserve(b, data.len + 1, c->srv->cfg.max_packet) != BASE_OK)
        return;
    memcpy(b->data + b->len, data.p, data.len);
    b->len += data.len;
    s->long_used = true;
}

static void cmd_statistics(hsql_conn_t *c)
{
    char buf[512];
    hsql_engine_statistics(c->srv->eng, buf, sizeof buf);
    size_t n = strnlen(buf, sizeof buf);
    uint8_t *p = out_begin(c, n);
    if (p) {
        memcpy(p, buf, n);
        out_end(c, n);
    }
}

static void on_command(hsql_conn_t *c, const uint8_t *payload, size_t len)
{
    if (len == 0) {
        hsql_out_err(c, 1835, "08S01", "Malformed communication packet: empty command");
        return;
    }
    uint8_t cmd = payload[0];
    switch (cmd) {
    case HSQL_COM_QUIT:
        c->state = HSQL_CONN_CLOSING;
        return;
    case HSQL_COM_PING:
        out_simple_ok(c);
        return;
    case HSQL_COM_QUERY:
        cmd_query(c, payload, len);
        return;
    case HSQL_COM_STMT_EXECUTE:
        cmd_execute(c, payload, len);
        return;
    case HSQL_COM_STMT_PREPARE:
        if (c->nstmts >= c->srv->cfg.max_prepared) {
            hsql_out_err(c, 1461, "42000",
                         "Can't create more than max_prepared_stmt_count statements "
                         "(current value: %u)",
                         c->srv->cfg.max_prepared);
            return;
        }
        c->job_kind = HSQL_JOB_PREPARE;
        c->job_stmt = NULL;
        c->job_shape = NULL;
        c->job_write_class = false;
        hsql_conn_start_job(c, false);
        return;
    case HSQL_COM_STMT_CLOSE: {
        hsql_rd_t r = hsql_rd_make(payload + 1, len - 1);
        uint32_t id = (uint32_t)hsql_rd_int(&r, 4);
        if (!r.bad)
            stmt_remove(c, id);
        return; /* no response */
    }
    case HSQL_COM_STMT_RESET: {
        hsql_rd_t r = hsql_rd_make(payload + 1, len - 1);
        uint32_t id = (uint32_t)hsql_rd_int(&r, 4);
        hsql_pstmt_t *s = r.bad ? NULL : stmt_find(c, id);
        if (!s) {
            hsql_out_err(c, 1243, "HY000",
                         "Unknown prepared statement handler (%u) given to mysqld_stmt_reset", id);
            return;
        }
        stmt_clear_long(s);
        out_simple_ok(c);
        return;
    }
    case HSQL_COM_STMT_SEND_LONG_DATA:
        cmd_long_data(c, payload, len);
        return;
    case HSQL_COM_STMT_FETCH: {
        hsql_rd_t r = hsql_rd_make(payload + 1, len - 1);
        uint32_t id = (uint32_t)hsql_rd_int(&r, 4);
        hsql_out_err(c, 1421, "HY000", "The statement (%u) has no open cursor.", id);
        return;
    }
    case HSQL_COM_INIT_DB: {
        base_span_t name = {(const char *)payload + 1, len - 1};
        if (name.len == 0) {
            hsql_out_err(c, 1046, "3D000", "No database selected");
            return;
        }
        if (!copy_name(c->db, sizeof c->db, name)) {
            hsql_out_err(c, 1102, "42000", "Incorrect database name '%.*s'",
                         (int)BASE_MIN(name.len, 64), name.p);
            return;
        }
        c->has_db = true;
        c->job_kind = HSQL_JOB_INIT_DB;
        c->job_stmt = NULL;
        c->job_shape = NULL;
        c->job_write_class = false;
        hsql_conn_start_job(c, !c->txn_dirty && kind_may_inline(c, HSQL_JOB_INIT_DB));
        return;
    }
    case HSQL_COM_FIELD_LIST:
        c->job_kind = HSQL_JOB_FIELD_LIST;
        c->job_stmt = NULL;
        c->job_shape = NULL;
        c->job_write_class = false;
        hsql_conn_start_job(c, false);
        return;
    case HSQL_COM_STATISTICS:
        cmd_statistics(c);
        return;
    case HSQL_COM_SET_OPTION: {
        hsql_rd_t r = hsql_rd_make(payload + 1, len - 1);
        unsigned opt = (unsigned)hsql_rd_int(&r, 2);
        if (r.bad || opt > 1) {
            hsql_out_err(c, 1047, "08S01", "Unknown command");
            return;
        }
        if (opt == 0)
            c->caps |= HSQL_CLIENT_MULTI_STATEMENTS;
        else
            c->caps &= ~(uint32_t)HSQL_CLIENT_MULTI_STATEMENTS;
        out_eof(c, 0, sess_status(c));
        return;
    }
    case HSQL_COM_RESET_CONNECTION:
        hsql_conn_free_stmts(c);
        c->txn_dirty = false;
        c->job_kind = HSQL_JOB_RESET;
        c->job_stmt = NULL;
        c->job_shape = NULL;
        c->job_write_class = false;
        hsql_conn_start_job(c, false);
        return;
    case HSQL_COM_CHANGE_USER:
        cmd_change_user(c, payload, len);
        return;
    default:
        hsql_out_err(c, 1047, "08S01", "Unknown command");
        return;
    }
}

void hsql_conn_on_packet(hsql_conn_t *c, const uint8_t *payload, size_t len)
{
    c->job_payload = payload;
    c->job_len = len;
    switch (c->state) {
    case HSQL_CONN_GREETED:
        on_handshake_response(c, payload, len);
        return;
    case HSQL_CONN_AUTH_SWITCH:
        on_auth_switch_response(c, payload, len);
        return;
    case HSQL_CONN_IDLE:
        on_command(c, payload, len);
        return;
    default:
        return;
    }
}

/* server_int.h — shared inside the HarvSQL server (server.c: listeners, connection I/O and the
 * session state machine; server_cmd.c: handshake, authentication, commands and the result
 * sink). Nothing here is used outside src/sql. Layer: sql/protocol. */
#ifndef HSQL_SERVER_INT_H
#define HSQL_SERVER_INT_H

#include <harv/base.h>
#include <harv/net.h>

#include "hsql_engine.h"
#include "proto_codec.h"
#include "server.h"

#include <pthread.h>
#include <stdatomic.h>

/* Session states; the diagram and transitions are in server.c. */
typedef enum hsql_conn_state {
    HSQL_CONN_GREETED,     /* greeting sent, waiting for HandshakeResponse41 */
    HSQL_CONN_AUTH_SWITCH, /* AuthSwitchRequest sent, waiting for the client's answer */
    HSQL_CONN_IDLE,        /* authenticated, waiting for a command */
    HSQL_CONN_RUNNING,     /* a command runs on a worker; the loop leaves the conn alone */
    HSQL_CONN_CLOSING,     /* flush what is queued, then close */
} hsql_conn_state_t;

/* What a job does when it runs (inline or on a worker). */
typedef enum hsql_job_kind {
    HSQL_JOB_CONNECT,       /* hsql_session_new after authentication (or CHANGE_USER) */
    HSQL_JOB_QUERY,         /* COM_QUERY */
    HSQL_JOB_EXECUTE,       /* COM_STMT_EXECUTE */
    HSQL_JOB_PREPARE,       /* COM_STMT_PREPARE */
    HSQL_JOB_INIT_DB,       /* COM_INIT_DB */
    HSQL_JOB_FIELD_LIST,    /* COM_FIELD_LIST */
    HSQL_JOB_RESET,         /* COM_RESET_CONNECTION */
} hsql_job_kind_t;

/* A prepared statement of one session. */
typedef struct hsql_pstmt {
    struct hsql_pstmt *next; /* hash chain */
    uint32_t id;
    hsql_stmt_t *st;
    unsigned nparams, ncols;
    uint8_t *types;          /* nparams * 2: the bound (type, flags) */
    bool types_bound;
    int cls;                 /* statement class (server_cmd.c): may it run inline? */
    bool write_class;        /* dirties the transaction */
    uint16_t fast_streak;    /* consecutive runs under inline_us */
    base_buf_t *long_data;   /* nparams buffers, allocated on first SEND_LONG_DATA */
    bool long_used;
} hsql_pstmt_t;

/* Per-server statistics of COM_QUERY statement shapes (literals removed), for the choice
 * between inline and pool. Loop thread only. */
#define HSQL_SHAPES 4096
typedef struct hsql_shape {
    uint64_t hash;
    uint16_t fast_streak;
} hsql_shape_t;

typedef struct hsql_conn hsql_conn_t;

/* One event loop of the server and what belongs to it alone (loop thread only). Loop 0 also
 * owns the listeners and hands new connections to the loops in turn. */
typedef struct hsql_loopctx {
    hsql_server_t *srv;
    net_loop_t *loop;
    unsigned idx;
    pthread_t thread;         /* loops 1..n-1; loop 0 runs in hsql_server_run()'s caller */
    bool thread_started;
    hsql_conn_t *conns;       /* this loop's connections */
    net_timer_t sweep;        /* idle and read timeouts */
    hsql_shape_t shapes[HSQL_SHAPES];
    uint16_t kind_streak[8];  /* fast runs in a row per hsql_job_kind_t (CONNECT, INIT_DB) */
} hsql_loopctx_t;

struct hsql_conn {
    hsql_server_t *srv;
    hsql_loopctx_t *lc;        /* the loop that owns this connection */
    net_task_t handoff;        /* loop 0 → lc: start serving this accepted socket */
    hsql_conn_t *prev, *next;  /* lc's list */
    net_io_t io;
    net_timer_t timer;         /* handshake deadline */
    int fd;
    hsql_conn_state_t state;
    bool is_unix;
    bool readable;             /* no EAGAIN seen since the last EPOLLIN edge */
    bool rdhup;                /* the peer's FIN (or an error) was reported */
    bool want_close;           /* close once the output is flushed */
    bool txn_dirty;            /* a write ran in the open transaction */
    _Atomic bool peer_gone;    /* HUP seen: a running query may stop early */
    uint64_t last_active_ms;   /* last complete packet */
    uint64_t last_read_ms;     /* last bytes received */
    char host[64];             /* "127.0.0.1" or "localhost": for 1045 messages */
    char peer[96];             /* "127.0.0.1:51234" or "localhost" */
    uint32_t conn_id;
    uint8_t scramble[HSQL_SCRAMBLE_LEN];
    uint32_t caps;             /* negotiated: client's & ours */
    char user[128];
    char db[200];
    bool has_db;
    hsql_session_t *sess;
    hsql_session_info_t info;

    base_buf_t in;             /* bytes read; [in_off, in.len) not yet consumed */
    size_t in_off;
    base_buf_t out;            /* bytes to send; [out_off, out.len) not yet written */
    size_t out_off;
    uint8_t seq;               /* sequence id of the next packet sent */

    /* the job: one command at a time */
    net_job_t job;
    hsql_job_kind_t job_kind;
    bool job_inline;
    const uint8_t *job_payload; /* into `in` (not moved while RUNNING) */
    size_t job_len;
    hsql_pstmt_t *job_stmt;
    hsql_shape_t *job_shape;
    bool job_write_class;
    uint64_t job_ns;            /* engine time of the job */
    int job_rc;
    bool job_again;             /* HSQL_AGAIN: the same job must run again (job thread) */
    bool waiting_again;         /* ...and its retry timer is armed (loop thread only) */
    hsql_error_t err;

    /* the result sink */
    hsql_sink_t sink;
    bool binary_rows;
    unsigned ncols;
    base_buf_t coltypes;        /* hsql_col_t copies (type only used) for binary rows */
    base_buf_t params;          /* hsql_param_t array of the current execute */
    base_buf_t scratch;         /* date/time texts of the current execute */
    bool sink_failed;           /* write error or buffer cap: the conn is broken */
    uint16_t last_status;       /* of the last OK/EOF: for the EOF after column definitions */

    /* prepared statements */
    hsql_pstmt_t **stmt_buckets;
    unsigned stmt_nbuckets, nstmts;
    uint32_t next_stmt_id;
};

struct hsql_server {
    hsql_server_cfg_t cfg;
    hsql_engine_t *eng;
    net_loop_t *loop;
    net_pool_t *pool;
    int tcp_fd, unix_fd;
    net_io_t tcp_io, unix_io;
    int port;
    hsql_loopctx_t *lcs;        /* cfg.loops event loops; lcs[0].loop is `loop` */
    unsigned nloops, next_lc;
    _Atomic unsigned nconns;    /* all loops */
    uint32_t next_conn_id;      /* loop 0 */
    bool trust;                 /* no users configured */
    char version[64];
};

/* server_class.c — pure */
enum { HSQL_CLS_READ, HSQL_CLS_BEGIN, HSQL_CLS_END, HSQL_CLS_WRITE };
/* The class of a statement from its first keyword (after blanks, '(' and plain comments):
 * READ (SELECT, SHOW, DESCRIBE, DESC, EXPLAIN), BEGIN (BEGIN, START), END (COMMIT, ROLLBACK,
 * SET), else WRITE — also for several statements, a version comment, or anything unusual. */
int hsql_stmt_class(const char *sql, size_t len);
/* FNV-1a of the text, case-folded, with numbers and string literal contents replaced. */
uint64_t hsql_shape_hash(const char *sql, size_t len);
/* Whether the text holds a second statement after a ';' (quotes, backticks and comments
 * understood as MySQL lexes them); *at = its offset. Engine sessions always allow several
 * statements so that COM_SET_OPTION can switch; the protocol enforces the client's choice. */
bool hsql_second_stmt(const char *sql, size_t len, size_t *at);

/* server.c */
void hsql_conn_drive(hsql_conn_t *c);
/* Starts the job set up in c (job_kind, job_payload...): inline when allowed, else on the
 * pool. Returns after an inline job has finished, or with c->state == HSQL_CONN_RUNNING. */
void hsql_conn_start_job(hsql_conn_t *c, bool may_inline);
/* Tries to write the queued output without blocking. Returns BASE_OK when all is written,
 * BASE_AGAIN when the socket is full, BASE_ERROR when the peer is gone. */
int hsql_conn_flush(hsql_conn_t *c);

/* server_cmd.c — loop thread unless said otherwise */
void hsql_conn_send_greeting(hsql_conn_t *c);
/* Handles one complete packet (payload, joined) in the current state. */
void hsql_conn_on_packet(hsql_conn_t *c, const uint8_t *payload, size_t len);
/* Runs the job's engine work; on a worker or inline. Writes the response into c->out. */
void hsql_conn_job_run(hsql_conn_t *c);
/* After the job, on the loop: bookkeeping (statement timings, session state). */
void hsql_conn_job_finish(hsql_conn_t *c);
/* Queues packets in c->out (any thread that owns c at the moment). */
void hsql_out_err(hsql_conn_t *c, uint16_t code, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void hsql_out_ok(hsql_conn_t *c, const hsql_ok_t *ok);
void hsql_conn_free_stmts(hsql_conn_t *c);

#endif

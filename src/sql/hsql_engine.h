/* hsql_engine.h — the boundary inside HarvSQL between the MySQL protocol side (packet codec,
 * handshake, sessions on the event loop: proto_*.c, server.c) and the SQL side (lexer,
 * MySQL→SQLite translator, catalog emulation, functions, SQLite glue: sql_*.c, engine.c).
 * The protocol side calls only what is declared here.
 *
 * Threading: an engine is shared by all sessions and is thread-safe. A session (and its
 * statements) is used by one thread at a time, but not always the same thread: the protocol
 * side runs queries on a worker pool. Sink callbacks run on the calling thread, synchronously.
 * Strings in hsql_col_t / hsql_value_t are valid only during the callback that receives them.
 *
 * Errors: every failing call fills hsql_error_t with MySQL's code, SQLSTATE and message text
 * (e.g. 1146 "42S02" "Table 'wp.wp_posts' doesn't exist"), ready for an ERR packet.
 *
 * Changes by the SQL side (existing declarations unchanged):
 *  - hsql_session_set_nonblocking() and HSQL_AGAIN: lock waits without sleeping in the
 *    caller's thread (see below). Default off: calls block as before.
 *  - Locking: each session has a mutex taken by every call on it, so it is safe (not only
 *    correct) to call from any thread; another session's writer may briefly take it to end
 *    the session's idle read snapshot. */
#ifndef HSQL_ENGINE_H
#define HSQL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hsql_engine hsql_engine_t;
typedef struct hsql_session hsql_session_t;
typedef struct hsql_stmt hsql_stmt_t;

typedef struct hsql_error {
    uint16_t code;     /* MySQL error number, e.g. 1064 */
    char sqlstate[6];  /* five characters + NUL, e.g. "42000" */
    char msg[512];
} hsql_error_t;

/* MySQL column types, as on the wire (enum_field_types). */
enum {
    HSQL_TYPE_DECIMAL = 0, HSQL_TYPE_TINY = 1, HSQL_TYPE_SHORT = 2, HSQL_TYPE_LONG = 3,
    HSQL_TYPE_FLOAT = 4, HSQL_TYPE_DOUBLE = 5, HSQL_TYPE_NULL = 6, HSQL_TYPE_TIMESTAMP = 7,
    HSQL_TYPE_LONGLONG = 8, HSQL_TYPE_INT24 = 9, HSQL_TYPE_DATE = 10, HSQL_TYPE_TIME = 11,
    HSQL_TYPE_DATETIME = 12, HSQL_TYPE_YEAR = 13, HSQL_TYPE_VARCHAR = 15, HSQL_TYPE_BIT = 16,
    HSQL_TYPE_JSON = 245, HSQL_TYPE_NEWDECIMAL = 246, HSQL_TYPE_ENUM = 247, HSQL_TYPE_SET = 248,
    HSQL_TYPE_TINY_BLOB = 249, HSQL_TYPE_MEDIUM_BLOB = 250, HSQL_TYPE_LONG_BLOB = 251,
    HSQL_TYPE_BLOB = 252, HSQL_TYPE_VAR_STRING = 253, HSQL_TYPE_STRING = 254,
};

/* Column flags, as on the wire. */
enum {
    HSQL_FLAG_NOT_NULL = 1, HSQL_FLAG_PRI_KEY = 2, HSQL_FLAG_UNIQUE_KEY = 4,
    HSQL_FLAG_MULTIPLE_KEY = 8, HSQL_FLAG_BLOB = 16, HSQL_FLAG_UNSIGNED = 32,
    HSQL_FLAG_ZEROFILL = 64, HSQL_FLAG_BINARY = 128, HSQL_FLAG_ENUM = 256,
    HSQL_FLAG_AUTO_INCREMENT = 512, HSQL_FLAG_TIMESTAMP = 1024, HSQL_FLAG_SET = 2048,
    HSQL_FLAG_NO_DEFAULT_VALUE = 4096, HSQL_FLAG_ON_UPDATE_NOW = 8192, HSQL_FLAG_NUM = 32768,
};

/* Server status flags for OK/EOF packets. */
enum {
    HSQL_STATUS_IN_TRANS = 0x0001, HSQL_STATUS_AUTOCOMMIT = 0x0002,
    HSQL_STATUS_MORE_RESULTS = 0x0008, HSQL_STATUS_NO_INDEX_USED = 0x0020,
};

typedef struct hsql_col {
    const char *db, *table, *org_table, *name, *org_name; /* never NULL ("" if none) */
    uint16_t charset;  /* collation id: 255 utf8mb4_0900_ai_ci, 45 utf8mb4_general_ci, 63 binary */
    uint32_t length;   /* display length in bytes, as MySQL reports it */
    uint8_t type;      /* HSQL_TYPE_* */
    uint16_t flags;    /* HSQL_FLAG_* */
    uint8_t decimals;
} hsql_col_t;

enum { HSQL_VAL_NULL, HSQL_VAL_INT, HSQL_VAL_UINT, HSQL_VAL_DOUBLE, HSQL_VAL_TEXT };

/* One value of a row. For every non-NULL kind, (s, len) holds the text form exactly as MySQL's
 * text protocol sends it for this column's type ("1.50", "0000-00-00 00:00:00"). For INT/UINT
 * and DOUBLE, i/u/d also hold the number, for the binary protocol. */
typedef struct hsql_value {
    int kind;
    int64_t i;
    uint64_t u;
    double d;
    const char *s;
    size_t len;
} hsql_value_t;

typedef struct hsql_ok {
    uint64_t affected_rows; /* CHANGED rows unless the session asked for FOUND_ROWS semantics */
    uint64_t insert_id;     /* first id of a multi-row insert; 0 without AUTO_INCREMENT */
    uint16_t status;        /* HSQL_STATUS_* (MORE_RESULTS set when another result follows) */
    uint16_t warnings;
    const char *info;       /* "Records: 3  Duplicates: 0  Warnings: 0", or "" */
} hsql_ok_t;

/* What a query produces, delivered in order. A statement yields either an OK
 * (on_ok) or a result set (on_columns, on_row × N, on_eof). Multi-statement text yields one
 * per statement, MORE_RESULTS set on all but the last; an error stops the sequence (the
 * query call then returns -1 with the error filled). A callback returning non-zero aborts
 * the query (client gone, output over a limit); the call then returns -1 with code 2013. */
typedef struct hsql_sink {
    void *ctx;
    int (*on_columns)(void *ctx, const hsql_col_t *cols, unsigned ncols);
    int (*on_row)(void *ctx, const hsql_value_t *vals, unsigned ncols);
    int (*on_eof)(void *ctx, uint16_t status, uint16_t warnings);
    int (*on_ok)(void *ctx, const hsql_ok_t *ok);
} hsql_sink_t;

/* ---- engine ---------------------------------------------------------------------------- */
typedef struct hsql_engine_cfg {
    const char *state_dir; /* one <database>.db SQLite file per MySQL database here */
    int synchronous;       /* SQLite synchronous: 2 FULL (default, durable), 1 NORMAL */
    int busy_timeout_ms;   /* how long a writer queues behind another before 1205 */
    const char *version;   /* e.g. "8.0.35-HarvSQL" */
} hsql_engine_cfg_t;

hsql_engine_t *hsql_engine_new(const hsql_engine_cfg_t *cfg, hsql_error_t *err);
void hsql_engine_free(hsql_engine_t *eng);
/* CREATE DATABASE IF NOT EXISTS name. */
int hsql_engine_create_db(hsql_engine_t *eng, const char *name, hsql_error_t *err);
bool hsql_engine_db_exists(hsql_engine_t *eng, const char *name);
/* The text of COM_STATISTICS ("Uptime: 5  Threads: 1  Questions: 9 ..."), into buf. */
void hsql_engine_statistics(hsql_engine_t *eng, char *buf, size_t len);

/* ---- sessions ------------------------------------------------------------------------- */
typedef struct hsql_session_info {
    const char *user;     /* authenticated user name */
    const char *host;     /* "127.0.0.1:51234" or "localhost" */
    bool found_rows;      /* CLIENT_FOUND_ROWS: affected rows = matched rows */
    bool multi_statements;/* CLIENT_MULTI_STATEMENTS: `;`-separated text is allowed */
} hsql_session_info_t;

/* db may be NULL (no default database) — else error 1049 if it does not exist. */
hsql_session_t *hsql_session_new(hsql_engine_t *eng, const hsql_session_info_t *info,
                                 const char *db, hsql_error_t *err);
void hsql_session_free(hsql_session_t *s); /* rolls back an open transaction */
/* Frees the session only if that needs no I/O (no open transaction, no TEMPORARY table, its
 * SQLite connection parked for reuse, none closed): true when freed; false leaves it for
 * hsql_session_free on a thread that may block. */
bool hsql_session_try_free(hsql_session_t *s);
/* COM_INIT_DB. */
int hsql_session_use(hsql_session_t *s, const char *db, hsql_error_t *err);
/* COM_RESET_CONNECTION: roll back, drop temporary state, reset variables, keep db and user. */
void hsql_session_reset(hsql_session_t *s);
/* HSQL_STATUS_IN_TRANS / AUTOCOMMIT as they are now. */
uint16_t hsql_session_status(hsql_session_t *s);
/* The process-list id of the session (thread id in the handshake). */
uint32_t hsql_session_id(hsql_session_t *s);
/* Non-blocking lock waits. With on, a write that would wait for another session's write lock
 * returns HSQL_AGAIN instead of sleeping in the calling thread: nothing was sent to the sink and
 * nothing changed; call again with the same arguments later (e.g. after 1 ms, or when another
 * statement of any session finished). The engine keeps the wait's deadline across the retries
 * and answers 1205 once busy_timeout_ms passed. Only the first statement of a multi-statement
 * text can answer HSQL_AGAIN; DDL and session statements still wait in place. Worker pools
 * should use it: a session that holds the write lock between statements needs a worker to
 * COMMIT, and waiters that sleep in every worker would keep it from getting one. */
enum { HSQL_AGAIN = -2 };
void hsql_session_set_nonblocking(hsql_session_t *s, bool on);
/* COM_QUERY: runs the text (several statements if multi_statements). 0, or -1 + err
 * (or HSQL_AGAIN in non-blocking mode, see above). */
int hsql_session_query(hsql_session_t *s, const char *sql, size_t len, const hsql_sink_t *sink,
                       hsql_error_t *err);
/* COM_FIELD_LIST: column definitions of table (LIKE wildcard may be NULL) via on_columns,
 * then on_eof. */
int hsql_session_field_list(hsql_session_t *s, const char *table, const char *wild,
                            const hsql_sink_t *sink, hsql_error_t *err);

/* ---- prepared statements (binary protocol) -------------------------------------------- */
typedef struct hsql_param {
    int kind;        /* HSQL_VAL_* after decoding the binary parameter */
    uint8_t type;    /* HSQL_TYPE_* the client sent */
    int64_t i;
    uint64_t u;
    double d;
    const char *s;   /* TEXT: strings, blobs, decimals; dates/times formatted as MySQL text */
    size_t len;
} hsql_param_t;

/* COM_STMT_PREPARE: nparams `?` placeholders; the result columns if known (may be 0 for
 * statements without a result set). Column array valid until the statement is closed. */
int hsql_stmt_prepare(hsql_session_t *s, const char *sql, size_t len, hsql_stmt_t **out,
                      unsigned *nparams, const hsql_col_t **cols, unsigned *ncols,
                      hsql_error_t *err);
/* COM_STMT_EXECUTE with nparams values. Result as in hsql_session_query (one statement),
 * including HSQL_AGAIN in non-blocking mode. */
int hsql_stmt_execute(hsql_stmt_t *st, const hsql_param_t *params, unsigned nparams,
                      const hsql_sink_t *sink, hsql_error_t *err);
void hsql_stmt_close(hsql_stmt_t *st);

#endif

/* server.h — the HarvSQL server: listeners (TCP and a unix socket), MySQL sessions on the net
 * event loop, queries on a net_pool of workers (or inline on the loop for statements measured
 * fast), all on top of the engine boundary hsql_engine.h.
 * Layer: sql/protocol. Used by `harv sql` (src/cli/cmd_sql.c) and, later, the sql task. */
#ifndef HSQL_SERVER_H
#define HSQL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hsql_server hsql_server_t;

typedef struct hsql_user_cfg {
    const char *name;
    const char *password; /* cleartext ("" allowed): both scrambles are checked against it */
} hsql_user_cfg_t;

/* Named limits; zero means the default shown. */
typedef struct hsql_server_cfg {
    const char *listen;          /* "127.0.0.1:3306"; NULL: no TCP (forced when no users) */
    const char *socket;          /* unix socket path; NULL: none */
    const char *state_dir;       /* SQLite files live here (the engine's state_dir) */
    const hsql_user_cfg_t *users;/* NULL/0: trust mode, unix socket only, any user */
    unsigned nusers;
    const char *const *databases;/* created at start if missing */
    unsigned ndatabases;
    const char *version;         /* "8.0.35-HarvSQL" */
    unsigned max_connections;    /* 151 */
    size_t max_packet;           /* 64 MiB: largest client packet (max_allowed_packet) */
    size_t max_result_buffer;    /* 64 MiB: output a session may queue unflushed */
    unsigned max_prepared;       /* 16382 prepared statements per session */
    unsigned workers;            /* 4 query threads */
    unsigned loops;              /* event loops (protocol I/O and inline statements):
                                    CPUs available, at least 2, at most 16; connections
                                    are spread over them in turn */
    unsigned connect_timeout_s;  /* 10: handshake must finish within */
    unsigned wait_timeout_s;     /* 28800: idle sessions are closed after */
    unsigned inline_us;          /* 200: statements measured below this run on the loop;
                                    UINT32_MAX disables inline execution */
    int synchronous;             /* 2 FULL (durable), 1 NORMAL */
    int busy_timeout_ms;         /* 10000 */
    /* Inherited listening sockets (a supervisor binds them and keeps them open across
     * restarts): > 0 means use this fd instead of binding `listen` / `socket` (fd 0 is never
     * one). An inherited unix socket's path is the owner's: it is not unlinked at free. */
    int inherit_tcp_fd;
    int inherit_unix_fd;
} hsql_server_cfg_t;

/* Opens the engine, creates the databases, binds the listeners. On failure returns NULL with
 * err filled by a sentence ("bind 127.0.0.1:3306: Address already in use"). The cfg strings
 * must outlive the server. */
hsql_server_t *hsql_server_new(const hsql_server_cfg_t *cfg, char *err, size_t errlen);
/* The bound TCP port (useful after listening on port 0), or 0. */
int hsql_server_port(const hsql_server_t *srv);
/* Runs the event loop until hsql_server_stop(). Returns 0, or -1 on a loop failure. */
int hsql_server_run(hsql_server_t *srv);
/* Asks a running server to stop; async-signal-safe and thread-safe. */
void hsql_server_stop(hsql_server_t *srv);
/* Closes sessions (rolling back open transactions), listeners and the engine. */
void hsql_server_free(hsql_server_t *srv);

#endif

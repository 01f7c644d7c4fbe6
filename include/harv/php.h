/* php: the PHP pool and its place in HarvTTP.
 *   - phpw_pool_*  the php task: PHP (libphp8.2, embedded through Harv's own SAPI) is started
 *                  once, then K worker processes are forked; each serves one FastCGI request at
 *                  a time on a shared unix socket. The master enforces a wall-clock deadline
 *                  (kill + replace), recycles workers after N requests or past a memory cap,
 *                  and replaces workers that die.
 *   - phpw_serve_* HarvTTP's routing for PHP sites: *.php, PATH_INFO, the front-controller
 *                  fallback (file -> directory index -> /index.php); everything else goes to
 *                  the static handler. It starts the pool as a child process (or points at an
 *                  external php-fpm) and talks to it with the FastCGI client (harv/fastcgi.h).
 * Layer: php, above http, net and base. */
#ifndef HARV_PHP_H
#define HARV_PHP_H

#include <harv/base.h>
#include <harv/http.h>

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- the pool (the php task) ------------------------------------------------------------- */

typedef struct phpw_config {
    const char *socket;      /* unix socket path the workers accept on (created) */
    unsigned socket_mode;    /* its permissions (0 = as the umask leaves them; 0660 lets a
                                web server of the same group connect) */
    int listen_fd;           /* or an inherited listening socket (-1: use socket) */
    const char *root;        /* application root: scripts must lie beneath it */
    unsigned workers;        /* worker processes (default: 2 per core, at least 2) */
    unsigned max_requests;   /* recycle a worker after this many requests (default 500) */
    size_t memory_cap;       /* recycle a worker whose private memory passes this (256 MiB) */
    unsigned timeout_ms;     /* wall-clock limit per request: the worker is killed and
                                replaced (default 30000) */
    const char **ini;        /* "key=value" php.ini overrides, NULL-terminated (may be NULL) */
    const char *tmp_dir;     /* uploads and sys_temp_dir; NULL: a fresh directory in /tmp,
                                removed at exit */
    bool open_basedir;       /* confine scripts to root + tmp_dir (default true via
                                phpw_config_defaults) */
    bool isolate;            /* a private network namespace for the workers (unix sockets by
                                path still work: use HarvSQL's) and Landlock: no writes but
                                tmp_dir and `writable` */
    const char **writable;   /* directories workers may write (absolute, or relative to root),
                                NULL-terminated; only with isolate */
    int connect_ports[8];    /* with isolate: TCP ports workers may connect to (0-terminated;
                                HarvSQL's), enforced by Landlock instead of a private netns */
    /* Hooks for a supervisor that sandboxes the pool (the php task of `harv up`); NULL = none.
     * on_started runs in the master once PHP is started (php.ini read, extensions loaded,
     * OPcache's shared memory mapped) and before any worker is forked: it may apply a sandbox
     * that forbids new executable mappings. Non-zero: the pool stops, err says why.
     * on_worker runs in each worker after fork, once /proc/self/statm is open and before the
     * first accept(): a further sandbox layer. Non-zero: the worker exits. */
    unsigned stop_grace_ms;  /* on SIGTERM, busy workers may finish their request for this
                                long (0 = 3000); idle ones are stopped at once */
    int (*on_started)(void *ctx, char *err, size_t errlen);
    int (*on_worker)(void *ctx);
    void *hook_ctx;
} phpw_config_t;

/* Fills cfg with the defaults above (socket and root stay NULL). */
void phpw_config_defaults(phpw_config_t *cfg);

/* Starts PHP, forks the workers and supervises them in the foreground until SIGTERM/SIGINT,
 * then stops the workers (SIGTERM, SIGKILL after 3 s), shuts PHP down and removes the socket.
 * Returns 0, or -1 with err filled when PHP or the socket could not be set up. Call once per
 * process, from the main thread, before any other thread exists. */
int phpw_pool_run(const phpw_config_t *cfg, char *err, size_t errlen);

/* ---- PHP sites in HarvTTP --------------------------------------------------------------- */

typedef struct phpw_serve_opts {
    const char *fastcgi;     /* an external upstream instead of Harv's pool: "unix:PATH" or
                                "HOST:PORT" (php-fpm); NULL = start the pool */
    unsigned workers;        /* pool workers (0 = default) */
    unsigned max_requests;   /* pool recycling (0 = default) */
    const char *memory_cap;  /* pool recycling past this private memory ("256m"; NULL =
                                default) */
    unsigned timeout_ms;     /* wall-clock deadline per request: the pool kills the worker, the
                                client answers 504 (0 = 30000) */
    unsigned queue_max;      /* requests waiting for a worker per event loop before 503 (0 =
                                the default, 256) */
    bool no_queue;           /* no waiting at all: 503 as soon as every worker is busy */
    unsigned loops;          /* HarvTTP event-loop threads (the workers are shared out) */
    const char **ini;        /* php.ini overrides "key=value", NULL-terminated */
    const char *run_dir;     /* where the pool's socket goes (NULL: a fresh dir in /tmp) */
    const char *harv_exe;    /* the harv binary to run `harv php` with (NULL: /proc/self/exe) */
    bool no_front_controller;/* do not send unknown paths to /index.php */
    bool https;              /* tell scripts HTTPS=on */
    bool isolate;            /* the pool's isolation (see phpw_config_t.isolate) */
    const char **writable;   /* directories the workers may write, NULL-terminated */
    int connect_ports[8];    /* TCP ports isolated workers may connect to (0-terminated) */
    /* HarvSQL beside the pool (`harv serve DIR --state ...`): with sql_state set, a child
     * `harv sql --state STATE/sql --socket STATE/run/sql.sock` is started (and waited for),
     * the pool's socket goes to STATE/run/php.sock, and isolated workers may connect to
     * sql_listen's port. */
    const char *sql_state;   /* the state directory (created); NULL = no HarvSQL */
    const char *sql_listen;  /* "127.0.0.1:3306" (needs sql_user); NULL = unix socket only */
    const char *sql_user;    /* "NAME:PASSWORD" */
    const char *sql_db;      /* database created if missing */
} phpw_serve_opts_t;

typedef struct phpw_serve phpw_serve_t;

/* True if root (or a directory one level below) holds a *.php file. */
bool phpw_dir_has_php(const char *root);

/* Prepares PHP serving of root: opens the static handler for the rest, starts the pool (a
 * child `harv php` process, waited for until its socket answers, at most 20 s) unless
 * opts->fastcgi names an external one. Returns 0 with *out set, or -1 with err filled.
 * Call before the HTTP server starts its threads. */
int phpw_serve_setup(phpw_serve_t **out, const char *root, const phpw_serve_opts_t *opts,
                     char *err, size_t errlen);

/* The HTTP handler (ctx = the phpw_serve_t). Inline mode only for PHP (streams); in thread-pool
 * mode PHP requests answer 501. */
void phpw_serve_handle(void *ctx, const http_request_t *req, http_response_t *resp);
/* For http_config_t.body_stream (ctx = the phpw_serve_t): bodies with a Content-Length over
 * 64 KiB are streamed to PHP as they arrive instead of being buffered whole; smaller ones and
 * chunked ones (PHP wants a CONTENT_LENGTH) are read first. */
bool phpw_serve_body_stream(void *ctx, const http_request_t *req);

/* The pool's pid (0 when external), for tests and logs. */
pid_t phpw_serve_pool_pid(const phpw_serve_t *ps);
/* HarvSQL's addresses when phpw_serve_setup started it: "tcp=127.0.0.1:3306 socket=PATH"
 * (as `harv sql` reported them), else NULL. */
const char *phpw_serve_sql_info(const phpw_serve_t *ps);

/* Stops the pool child (SIGTERM, then SIGKILL after 5 s) and frees everything. Call after
 * http_server_free(). NULL is fine. */
void phpw_serve_free(phpw_serve_t *ps);

#endif

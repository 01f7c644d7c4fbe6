/* php_int.h — shared only inside src/php: one FastCGI connection of a worker (the responder's
 * I/O, worker.c) and the SAPI that runs a request over it (sapi.c, the only file that includes
 * PHP's headers). */
#ifndef PHP_INT_H
#define PHP_INT_H

#include <harv/base.h>
#include <harv/php.h>

#include <stdbool.h>
#include <stdint.h>

#define PHPW_PARAMS_MAX (1u << 20) /* PARAMS stream bytes per request */
#define PHPW_VARS_MAX 1024         /* name-value pairs per request */
#define PHPW_OUT_FLUSH (16u << 10) /* STDOUT bytes buffered before they are sent */

/* One accepted connection from a FastCGI client (blocking I/O, one request at a time). */
typedef struct phpw_conn {
    int fd;
    base_buf_t in; /* received bytes; records are decoded from in[in_off..] */
    size_t in_off;
    uint16_t id;   /* the current request */
    bool keep;     /* FCGI_KEEP_CONN */
    bool stdin_done;
    size_t stdin_off, stdin_left; /* unread content of the current STDIN record (in `in`) */
    base_buf_t params;            /* the raw PARAMS stream */
    base_buf_t vars;              /* "name\0value\0" copies, NUL-terminated for PHP */
    const char *names[PHPW_VARS_MAX], *values[PHPW_VARS_MAX];
    size_t value_lens[PHPW_VARS_MAX];
    uint16_t name_lens[PHPW_VARS_MAX]; /* names longer than 65535 bytes are never looked up */
    unsigned nvars;
    base_buf_t out;   /* STDOUT bytes not yet framed and sent */
    bool broken;      /* a write failed: the client is gone */
    bool finished;    /* END_REQUEST sent (fastcgi_finish_request) */
    double request_time;
    size_t heap_peak; /* PHP's heap (real, chunks mapped) at its highest in the last request */
} phpw_conn_t;

/* worker.c ---------------------------------------------------------------------------------- */
/* The value of a request variable (NUL-terminated, owned by c), or NULL. */
const char *phpw_conn_param(const phpw_conn_t *c, const char *name, size_t *len);
/* Reads up to n body bytes (STDIN records). Returns the count, 0 at the end of the body or on
 * error. */
size_t phpw_conn_stdin_read(phpw_conn_t *c, char *buf, size_t n);
/* Queues STDOUT bytes; sends when PHPW_OUT_FLUSH bytes wait. Returns false when the client is
 * gone (c->broken). */
bool phpw_conn_stdout(phpw_conn_t *c, const char *p, size_t n);
/* Sends what is queued. Returns false when the client is gone. */
bool phpw_conn_flush(phpw_conn_t *c);
/* Sends queued STDOUT, the empty STDOUT record and END_REQUEST (once). */
bool phpw_conn_finish(phpw_conn_t *c, uint32_t app_status);

/* The worker's main loop: accepts on listen_fd and serves until recycled. Never returns. */
typedef struct phpw_slot phpw_slot_t;
void phpw_worker_main(int listen_fd, phpw_slot_t *slot, const phpw_config_t *cfg,
                      const char *root_real);

/* sapi.c ------------------------------------------------------------------------------------ */
/* zend_signal_startup, sapi_startup and module startup (php.ini + ini_entries, OPcache's
 * shared memory). Returns 0 or -1 with err filled. Once per process. */
int phpw_sapi_startup(const char *ini_entries, const char *open_basedir, char *err,
                      size_t errlen);
void phpw_sapi_shutdown(void);
/* True in an ASan build (PHP then runs without php.ini and shared extensions). */
bool phpw_sanitized(void);
/* Runs the script for the request on c (params decoded). Returns EG(exit_status). */
int phpw_sapi_run(phpw_conn_t *c, const char *script);
/* True if a script may have changed the working directory since the last call (PHP's
 * chdir() ran, or it could not be watched); clears it. */
bool phpw_sapi_cwd_moved(void);

/* isolate.c --------------------------------------------------------------------------------- */
/* Enters a private network namespace (the master, before forking). 0 or -1 with err. */
int phpw_isolate_network(char *err, size_t errlen);
/* Landlock: no writes anywhere but the given directories (NULL-terminated); with ports
 * (0-terminated, may be NULL) also no TCP but connecting to those. 0 or -1. */
int phpw_isolate_files(const char *const *writable, const int *connect_ports, char *err,
                       size_t errlen);

/* pool.c ------------------------------------------------------------------------------------ */
/* One worker's state, in memory shared between the master and the workers. */
struct phpw_slot {
    volatile pid_t pid;
    volatile uint32_t busy;          /* a request is running */
    volatile uint64_t start_ms;      /* when it began (CLOCK_MONOTONIC) */
    volatile uint64_t requests;      /* served by this worker */
    volatile uint32_t killed;        /* the master killed it for the deadline */
};

#endif

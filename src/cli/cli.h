/* cli.h — the subcommands of the harv binary. Each lives in its own src/cli/cmd_*.c, owned
 * by its component; main.c only dispatches. Each returns the process exit status. */
#ifndef HARV_CLI_H
#define HARV_CLI_H

#include <stdint.h>

#include <stdbool.h>
#include <stddef.h>

/* Weak: a build without a component (-DHARV_WITHOUT) leaves its command NULL. */
#define CLI_CMD __attribute__((weak))
CLI_CMD int cli_serve_main(int argc, char **argv); /* cmd_serve.c: harv serve [DIR] */
CLI_CMD int cli_sql_main(int argc, char **argv);   /* cmd_sql.c:   harv sql ... */
CLI_CMD int cli_wasm_main(int argc, char **argv);  /* cmd_wasm.c:  harv wasm run|validate */
CLI_CMD int cli_php_main(int argc, char **argv);   /* cmd_php.c:   harv php (the PHP pool) */
CLI_CMD int cli_phpserve_main(int argc, char **argv); /* cmd_php.c:   harv php-serve DIR */
CLI_CMD int cli_up_main(int argc, char **argv);     /* cmd_up.c:    harv up [-c FILE] */
CLI_CMD int cli_check_main(int argc, char **argv);  /* cmd_check.c: harv check [-c FILE] */
CLI_CMD int cli_task_main(int argc, char **argv);   /* cmd_task.c:  harv task KIND (internal) */
CLI_CMD int cli_status_main(int argc, char **argv); /* cmd_ctl.c:   harv status [--json] */
CLI_CMD int cli_stop_main(int argc, char **argv);   /* cmd_ctl.c:   harv stop */
CLI_CMD int cli_reload_main(int argc, char **argv); /* cmd_ctl.c:   harv reload */
CLI_CMD int cli_restart_main(int argc, char **argv); /* cmd_ctl.c:  harv restart TASK */
CLI_CMD int cli_logs_main(int argc, char **argv);   /* cmd_ctl.c:   harv logs TASK */

/* PHP for `harv serve` (defined in cmd_php.c; NULL when PHP is not built in, so cmd_serve.c
 * needs no PHP header). cli_php_site_open: if site->fastcgi or site->state is set, or root
 * holds *.php, starts PHP for root (the pool child, HarvSQL beside it with state) and returns 1
 * with *handler and *ctx to give http_server_new (PHP routing + static files; inline mode
 * only); returns 0 for a static site (nothing started), -1 with err filled. Call before
 * http_server_new; cli_php_site_close(ctx) after http_server_free. */
typedef struct cli_php_site {
    unsigned threads;     /* HarvTTP event-loop threads (the PHP workers are shared out) */
    unsigned workers;     /* PHP worker processes (0 = 2 per core) */
    unsigned timeout_ms;  /* wall-clock limit per PHP request (0 = 30000): 504 */
    const char *fastcgi;  /* an external FastCGI server (php-fpm) instead of the pool */
    const char *state;    /* --state DIR: HarvSQL beside the pool (NULL = none) */
    const char *sql_listen; /* --sql-listen ADDR:PORT */
    const char *db_user;  /* --db-user NAME:PASSWORD */
    const char *db;       /* --db NAME (created if missing) */
    bool isolate;         /* confine the workers (netns or Landlock; see harv php --help) */
    const char **writable;/* directories isolated workers may write, NULL-terminated */
    const char **ini;     /* php.ini overrides "KEY=VALUE", NULL-terminated */
} cli_php_site_t;
struct http_request;
struct http_response;
CLI_CMD int cli_php_site_open(const char *root, const cli_php_site_t *site,
                              void (**handler)(void *, const struct http_request *,
                                               struct http_response *),
                              void **ctx, char *err, size_t errlen);
/* http_config_t.body_stream for the site (ctx from cli_php_site_open). */
CLI_CMD bool cli_php_site_body_stream(void *ctx, const struct http_request *req);
/* HarvSQL's addresses ("tcp=HOST:PORT socket=PATH") when the site started it, else NULL. */
CLI_CMD const char *cli_php_site_sql(void *ctx);
CLI_CMD void cli_php_site_close(void *ctx);

/* Option values, checked strictly (digits only; sizes take k/m/g). On a bad value they print
 * "harv CMD: --NAME: 'V' is not ..." to stderr and return -1; else 0. */
int cli_opt_uint(const char *cmd, const char *name, const char *v, unsigned long max,
                 unsigned *out);
int cli_opt_size(const char *cmd, const char *name, const char *v, uint64_t *out);

/* Prints "harv: serving ROOT on http://HOST:PORT/" (or unix:PATH) for each listen address,
 * with the real port when port 0 was asked for. Tests read this line. */
struct http_server;
void cli_print_listening(const struct http_server *srv, const char *const *listen, int n,
                         const char *root);

/* The directory holding the bundled share/harv data (demo site) next to the binary, or the
 * installed prefix. Returns a static string. */
const char *cli_share_dir(void);

#endif

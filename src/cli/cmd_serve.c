/* cmd_serve.c — `harv serve [DIR]`: HarvTTP serving a directory with sane defaults.
 * argv → http_config_t → http_server_run. Prints the URL(s) it listens on (the real port
 * when given port 0), stops cleanly on SIGINT/SIGTERM. */
#include "cli.h"

#include <harv/http.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SERVE_MAX_LISTEN 16
#define SERVE_MAX_LIST 32 /* --php-ini, --writable */

static http_server_t *running;
static unsigned drain_ms = 5000;
static volatile sig_atomic_t signals_seen;

/* The first SIGINT/SIGTERM drains (requests in flight finish, up to --drain-timeout); a
 * second one stops at once. */
static void on_signal(int sig)
{
    if (!running)
        return;
    if (signals_seen++ == 0)
        http_server_drain(running, drain_ms);
    else
        http_server_stop(running);
}

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: harv serve [DIR] [OPTIONS]\n"
        "Serve DIR (default: the bundled demo site) over HTTP/1.1. When DIR holds PHP, a pool\n"
        "of embedded-PHP workers runs its scripts (front controller: file, directory index,\n"
        "then /index.php), and --state starts HarvSQL beside it: WordPress in one command.\n\n"
        "  -l, --listen ADDR         listen address, repeatable (default 127.0.0.1:8080):\n"
        "                            HOST:PORT, [V6]:PORT, :PORT (all interfaces), PORT,\n"
        "                            unix:PATH; port 0 picks a free port (printed)\n"
        "  -t, --threads N           event-loop threads (default 1)\n"
        "      --pool-threads N      handler thread pool size; 0 = handlers run inline on\n"
        "                            the event loop (default 0, the fast path)\n"
        "      --pool-backlog N      requests queued for the pool before 503 (default 256)\n"
        "      --max-conn N          connections held at once; accept pauses beyond\n"
        "                            (default 10000)\n"
        "      --backlog N           listen(2) backlog (default 1024)\n"
        "      --max-body SIZE       request body limit, 413 beyond (default 1m)\n"
        "      --read-buf-cap SIZE   per-request buffered bytes limit, head + body\n"
        "                            (default 1m + 64k); buffers start at 4k and grow\n"
        "      --max-head SIZE       request line + headers limit, 431 beyond (default 16k)\n"
        "      --max-target N        request-target limit in bytes, 414 beyond (default 8000)\n"
        "      --max-header-line SIZE  one header line limit, 431 beyond (default 8k)\n"
        "      --max-headers N       header count limit, 431 beyond (default 100)\n"
        "      --timeout-request MS  absolute deadline for a request head, 408 (default 10000)\n"
        "      --timeout-body MS     longest gap between body reads, 408 (default 10000)\n"
        "      --body-min-rate B     bytes/s an upload must sustain after --timeout-body\n"
        "                            (default 1024; 0 = off)\n"
        "      --timeout-keepalive MS  idle keep-alive connection lifetime (default 15000)\n"
        "      --timeout-send MS     close when a client reads nothing for this long\n"
        "                            (default 10000)\n"
        "      --request-count N     requests per connection, then Connection: close\n"
        "                            (default 1000)\n"
        "      --drain-timeout MS    on SIGTERM/SIGINT, how long requests in flight may take to\n"
        "                            finish (default 5000); a second signal stops at once\n"
        "      --access-log DEST     off (default), stdout, or a file path (combined format)\n"
        "      --log-level LEVEL     debug, info (default), warn, error\n"
        "PHP and HarvSQL (see docs/php.md):\n"
        "      --no-php              never run PHP: a purely static site (.php stays 403)\n"
        "      --php-workers N       PHP worker processes (default 2 per core)\n"
        "      --php-timeout MS      wall-clock limit per PHP request, 504 (default 30000)\n"
        "      --php-ini KEY=VALUE   php.ini override, repeatable (memory_limit=256M, ...)\n"
        "      --fastcgi ADDR        send PHP to an external FastCGI server (php-fpm):\n"
        "                            unix:PATH or HOST:PORT, instead of the built-in pool\n"
        "      --isolate             confine PHP workers: no network but HarvSQL, writes only\n"
        "                            to their temp dir and --writable directories\n"
        "      --writable DIR        a directory under DIR the workers may write, repeatable\n"
        "                            (wp-content/uploads)\n"
        "      --state DIR           run HarvSQL beside the pool with its data in DIR\n"
        "      --sql-listen ADDR     HarvSQL's TCP address too (besides its unix socket)\n"
        "      --db-user NAME:PASS   a HarvSQL account\n"
        "      --db NAME             a database created if missing\n"
        "      --test-handlers       also answer /_test/echo (echoes the body),\n"
        "                            /_test/sleep?ms=N and /_test/stream?n=N&ms=M[&len=1] (a\n"
        "                            streamed response, chunked or with a length)\n"
        "                            For Harv's own tests only.\n"
        "  -h, --help                this help\n"
        "SIZE takes a k, m or g suffix (KiB multiples).\n");
}

typedef struct serve_ctx {
    http_static_t *st;
    bool test_handlers;
} serve_ctx_t;

/* Test-only routes (--test-handlers) come from the library: http_test_route(). */
static void serve_handle(void *ctxp, const http_request_t *req, http_response_t *resp)
{
    serve_ctx_t *ctx = ctxp;
    if (ctx->test_handlers && http_test_route(req, resp))
        return;
    http_static_handle(ctx->st, req, resp);
}

static bool serve_body_stream(void *ctxp, const http_request_t *req)
{
    serve_ctx_t *ctx = ctxp;
    return ctx->test_handlers && http_test_body_stream(req);
}

int cli_serve_main(int argc, char **argv)
{
    enum {
        O_POOL = 256, O_POOL_BACKLOG, O_MAX_CONN, O_BACKLOG, O_MAX_BODY, O_READ_CAP, O_MAX_HEAD,
        O_MAX_TARGET, O_MAX_LINE, O_MAX_HEADERS, O_T_REQ, O_T_BODY, O_MIN_RATE, O_T_KA,
        O_T_SEND, O_REQ_COUNT, O_ACCESS_LOG, O_LOG_LEVEL, O_TEST, O_DRAIN, O_PHP_WORKERS,
        O_PHP_TIMEOUT, O_PHP_INI, O_FASTCGI, O_ISOLATE, O_WRITABLE, O_STATE, O_SQL_LISTEN,
        O_DB_USER, O_DB, O_NO_PHP,
    };
    static const struct option opts[] = {
        {"listen", required_argument, 0, 'l'},
        {"threads", required_argument, 0, 't'},
        {"pool-threads", required_argument, 0, O_POOL},
        {"pool-backlog", required_argument, 0, O_POOL_BACKLOG},
        {"max-conn", required_argument, 0, O_MAX_CONN},
        {"backlog", required_argument, 0, O_BACKLOG},
        {"max-body", required_argument, 0, O_MAX_BODY},
        {"read-buf-cap", required_argument, 0, O_READ_CAP},
        {"max-head", required_argument, 0, O_MAX_HEAD},
        {"max-target", required_argument, 0, O_MAX_TARGET},
        {"max-header-line", required_argument, 0, O_MAX_LINE},
        {"max-headers", required_argument, 0, O_MAX_HEADERS},
        {"timeout-request", required_argument, 0, O_T_REQ},
        {"timeout-body", required_argument, 0, O_T_BODY},
        {"body-min-rate", required_argument, 0, O_MIN_RATE},
        {"timeout-keepalive", required_argument, 0, O_T_KA},
        {"timeout-send", required_argument, 0, O_T_SEND},
        {"request-count", required_argument, 0, O_REQ_COUNT},
        {"access-log", required_argument, 0, O_ACCESS_LOG},
        {"drain-timeout", required_argument, 0, O_DRAIN},
        {"log-level", required_argument, 0, O_LOG_LEVEL},
        {"test-handlers", no_argument, 0, O_TEST},
        {"php-workers", required_argument, 0, O_PHP_WORKERS},
        {"php-timeout", required_argument, 0, O_PHP_TIMEOUT},
        {"php-ini", required_argument, 0, O_PHP_INI},
        {"fastcgi", required_argument, 0, O_FASTCGI},
        {"isolate", no_argument, 0, O_ISOLATE},
        {"writable", required_argument, 0, O_WRITABLE},
        {"state", required_argument, 0, O_STATE},
        {"sql-listen", required_argument, 0, O_SQL_LISTEN},
        {"db-user", required_argument, 0, O_DB_USER},
        {"db", required_argument, 0, O_DB},
        {"no-php", no_argument, 0, O_NO_PHP},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    http_config_t cfg;
    http_config_defaults(&cfg);
    const char *listen[SERVE_MAX_LISTEN + 1] = {0};
    int nlisten = 0;
    const char *access_log = "off";
    serve_ctx_t ctx = {0};
    cli_php_site_t php = {0};
    const char *php_ini[SERVE_MAX_LIST + 1] = {0}, *php_writable[SERVE_MAX_LIST + 1] = {0};
    int nini = 0, nwritable = 0;
    bool max_body_set = false, no_php = false;
    uint64_t sz;
    unsigned u;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "l:t:h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'l':
            if (nlisten == SERVE_MAX_LISTEN) {
                fprintf(stderr, "harv serve: at most %d --listen addresses\n", SERVE_MAX_LISTEN);
                return 2;
            }
            listen[nlisten++] = optarg;
            break;
        case 't': bad = cli_opt_uint("serve", "threads", optarg, 64, &cfg.threads); break;
        case O_POOL: bad = cli_opt_uint("serve", "pool-threads", optarg, 1024, &cfg.thread_pool_count); break;
        case O_POOL_BACKLOG:
            bad = cli_opt_uint("serve", "pool-backlog", optarg, 1000000, &cfg.thread_pool_backlog);
            break;
        case O_MAX_CONN: bad = cli_opt_uint("serve", "max-conn", optarg, 10000000, &cfg.max_conn); break;
        case O_BACKLOG:
            bad = cli_opt_uint("serve", "backlog", optarg, 65535, &u);
            cfg.backlog = (int)u;
            break;
        case O_MAX_BODY:
            bad = cli_opt_size("serve", "max-body", optarg, &sz);
            cfg.max_body = sz;
            max_body_set = true;
            break;
        case O_READ_CAP:
            bad = cli_opt_size("serve", "read-buf-cap", optarg, &sz);
            cfg.read_buf_cap = (size_t)sz;
            break;
        case O_MAX_HEAD:
            bad = cli_opt_size("serve", "max-head", optarg, &sz);
            cfg.limits.max_head = (size_t)sz;
            break;
        case O_MAX_TARGET:
            bad = cli_opt_uint("serve", "max-target", optarg, 1 << 20, &u);
            cfg.limits.max_target = u;
            break;
        case O_MAX_LINE:
            bad = cli_opt_size("serve", "max-header-line", optarg, &sz);
            cfg.limits.max_line = (size_t)sz;
            break;
        case O_MAX_HEADERS: bad = cli_opt_uint("serve", "max-headers", optarg, 10000, &cfg.limits.max_headers); break;
        case O_T_REQ: bad = cli_opt_uint("serve", "timeout-request", optarg, 86400000, &cfg.timeout_request_ms); break;
        case O_T_BODY: bad = cli_opt_uint("serve", "timeout-body", optarg, 86400000, &cfg.timeout_body_ms); break;
        case O_MIN_RATE: bad = cli_opt_uint("serve", "body-min-rate", optarg, 1u << 30, &cfg.body_min_rate); break;
        case O_T_KA: bad = cli_opt_uint("serve", "timeout-keepalive", optarg, 86400000, &cfg.timeout_keepalive_ms); break;
        case O_T_SEND: bad = cli_opt_uint("serve", "timeout-send", optarg, 86400000, &cfg.timeout_send_ms); break;
        case O_REQ_COUNT: bad = cli_opt_uint("serve", "request-count", optarg, 1u << 30, &cfg.request_count); break;
        case O_ACCESS_LOG: access_log = optarg; break;
        case O_DRAIN: bad = cli_opt_uint("serve", "drain-timeout", optarg, 3600000, &drain_ms); break;
        case O_LOG_LEVEL: {
            base_log_level_t lvl;
            if (base_log_parse_level(optarg, &lvl) != BASE_OK) {
                fprintf(stderr, "harv serve: --log-level: '%s' is not one of debug, info, warn, "
                                "error\n", optarg);
                return 2;
            }
            base_log_set_level(lvl);
            break;
        }
        case O_TEST: ctx.test_handlers = true; break;
        case O_PHP_WORKERS: bad = cli_opt_uint("serve", "php-workers", optarg, 1024, &php.workers); break;
        case O_PHP_TIMEOUT: bad = cli_opt_uint("serve", "php-timeout", optarg, 3600000, &php.timeout_ms); break;
        case O_PHP_INI:
        case O_WRITABLE:
            if ((c == O_PHP_INI ? nini : nwritable) == SERVE_MAX_LIST) {
                fprintf(stderr, "harv serve: at most %d --%s\n", SERVE_MAX_LIST,
                        c == O_PHP_INI ? "php-ini" : "writable");
                return 2;
            }
            if (c == O_PHP_INI && !strchr(optarg, '=')) {
                fprintf(stderr, "harv serve: --php-ini: '%s' is not KEY=VALUE\n", optarg);
                return 2;
            }
            if (c == O_PHP_INI)
                php_ini[nini++] = optarg;
            else
                php_writable[nwritable++] = optarg;
            break;
        case O_FASTCGI: php.fastcgi = optarg; break;
        case O_ISOLATE: php.isolate = true; break;
        case O_STATE: php.state = optarg; break;
        case O_SQL_LISTEN: php.sql_listen = optarg; break;
        case O_DB_USER: php.db_user = optarg; break;
        case O_DB: php.db = optarg; break;
        case O_NO_PHP: no_php = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (bad)
            return 2;
    }
    if (argc - optind > 1) {
        fprintf(stderr, "harv serve: one directory at most ('%s' is extra)\n", argv[optind + 1]);
        return 2;
    }
    char demo[4096];
    const char *root = optind < argc ? argv[optind] : NULL;
    if (!root) {
        snprintf(demo, sizeof demo, "%s/demo", cli_share_dir());
        root = demo;
    }
    if (!nlisten)
        listen[nlisten++] = "127.0.0.1:8080";
    cfg.listen = listen;
    cfg.threads = cfg.threads ? cfg.threads : 1;

    if (!strcmp(access_log, "stdout")) {
        cfg.access_log_fd = 1;
    } else if (strcmp(access_log, "off")) {
        cfg.access_log_fd = open(access_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (cfg.access_log_fd < 0) {
            fprintf(stderr, "harv serve: --access-log %s: %s\n", access_log, strerror(errno));
            return 1;
        }
    }

    char err[512];
    http_static_config_t scfg = {.root = root};
    ctx.st = http_static_new(&scfg, err, sizeof err);
    if (!ctx.st) {
        fprintf(stderr, "harv serve: %s\n", err);
        return 1;
    }
    /* PHP (and HarvSQL beside it) when the site needs it; a static site starts nothing. */
    http_handler_fn handler = serve_handle;
    void *hctx = &ctx, *php_ctx = NULL;
    if ((php.sql_listen || php.db_user || php.db) && !php.state) {
        fprintf(stderr, "harv serve: --sql-listen, --db-user and --db need --state DIR\n");
        http_static_free(ctx.st);
        return 2;
    }
    if (no_php && (php.state || php.fastcgi)) {
        fprintf(stderr, "harv serve: --no-php contradicts --state and --fastcgi\n");
        http_static_free(ctx.st);
        return 2;
    }
    if (cli_php_site_open && !no_php) {
        php.threads = cfg.threads;
        php.ini = php_ini;
        php.writable = php_writable;
        int r = cli_php_site_open(root, &php, &handler, &php_ctx, err, sizeof err);
        if (r < 0) {
            fprintf(stderr, "harv serve: %s\n", err);
            http_static_free(ctx.st);
            return 1;
        }
        if (r == 1) {
            hctx = php_ctx;
            if (!max_body_set)
                cfg.max_body = 8u << 20; /* uploads: PHP's own post_max_size applies too */
            if (cfg.read_buf_cap < cfg.max_body + (64u << 10)) /* chunked: read whole */
                cfg.read_buf_cap = (size_t)cfg.max_body + (64u << 10);
            cfg.body_stream = cli_php_site_body_stream; /* large bodies stream to PHP */
            if (cfg.thread_pool_count)
                fprintf(stderr, "harv serve: warning: PHP needs inline handlers; with "
                                "--pool-threads, PHP requests answer 501\n");
        }
    } else if (php.state || php.fastcgi) {
        fprintf(stderr, "harv serve: PHP is not built into this binary\n");
        http_static_free(ctx.st);
        return 2;
    }
    if (hctx == &ctx && ctx.test_handlers)
        cfg.body_stream = serve_body_stream;
    http_server_t *srv = http_server_new(&cfg, handler, hctx, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "harv serve: %s\n", err);
        if (php_ctx)
            cli_php_site_close(php_ctx);
        http_static_free(ctx.st);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    running = srv;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    cli_print_listening(srv, listen, nlisten, root);
    if (php_ctx)
        printf("harv: PHP for %s%s%s\n", root, cli_php_site_sql(php_ctx) ? "; HarvSQL " : "",
               cli_php_site_sql(php_ctx) ? cli_php_site_sql(php_ctx) : "");
    fflush(stdout);
    int rc = http_server_run(srv);
    running = NULL;
    http_server_free(srv);
    if (php_ctx)
        cli_php_site_close(php_ctx);
    http_static_free(ctx.st);
    if (cfg.access_log_fd > 1)
        close(cfg.access_log_fd);
    return rc == BASE_OK ? 0 : 1;
}

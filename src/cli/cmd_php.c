/* cmd_php.c — the PHP commands (one file, so -DHARV_WITHOUT=php drops both):
 *   `harv php`       the php task in the foreground: PHP started once, K workers forked,
 *                    FastCGI on a unix socket. argv → phpw_config_t → phpw_pool_run.
 *   `harv php-serve` HarvTTP serving a PHP application: the pool as a child process (or an
 *                    external php-fpm with --fastcgi) behind the FastCGI client, the router of
 *                    src/php/serve.c, static files for the rest. The PHP part of `harv serve`,
 *                    runnable on its own. argv → http_config_t + phpw_serve_opts_t → run.
 * Layer: cli (thin). */
#include "cli.h"

#include <harv/http.h>
#include <harv/php.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PHP_MAX_INI 64

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: harv php --socket PATH --root DIR [OPTIONS]\n"
        "Runs the PHP pool: PHP (libphp8.2, OPcache shared) started once, then K worker\n"
        "processes answering FastCGI on the unix socket PATH, one request at a time each.\n\n"
        "  --socket PATH          unix socket to create (required)\n"
        "  --socket-mode OCTAL    its permissions, e.g. 0660 for a web server in the group\n"
        "  --root DIR             application root; scripts outside it are refused (required)\n"
        "  --workers K            worker processes (default: 2 per core, at least 2)\n"
        "  --max-requests N       recycle a worker after N requests (default 500; 0 = never)\n"
        "  --memory-cap SIZE      recycle a worker whose private memory passes SIZE after a\n"
        "                         request (default 256m; 0 = off)\n"
        "  --timeout MS           wall-clock limit per request: the worker is killed and\n"
        "                         replaced (default 30000)\n"
        "  --ini KEY=VALUE        php.ini override, repeatable (memory_limit=64M,\n"
        "                         upload_max_filesize=8M, post_max_size=8M,\n"
        "                         disable_functions=exec,system, ...)\n"
        "  --tmp DIR              uploads and temporary files (default: a fresh dir in /tmp)\n"
        "  --no-open-basedir      do not confine scripts to the root + the temp dir\n"
        "  --isolate              workers get a private network namespace (no TCP/UDP; unix\n"
        "                         sockets by path still work: reach HarvSQL by its socket)\n"
        "                         and Landlock: no writes but the temp dir and --writable\n"
        "  --writable DIR         a directory workers may write with --isolate (absolute or\n"
        "                         relative to the root), repeatable: wp-content/uploads\n"
        "  --allow-connect PORT   with --isolate: workers may connect over TCP to PORT only\n"
        "                         (HarvSQL's; Landlock, instead of the private netns),\n"
        "                         repeatable (8)\n"
        "  --log-level LEVEL      debug, info (default), warn, error\n"
        "  -h, --help             this help\n"
        "SIGTERM/SIGINT stop the workers and remove the socket.\n");
}


int cli_php_main(int argc, char **argv)
{
    enum { O_SOCKET = 256, O_ROOT, O_WORKERS, O_MAXREQ, O_MEMCAP, O_TIMEOUT, O_INI, O_TMP,
           O_NOBASEDIR, O_LOG, O_ISOLATE, O_WRITABLE, O_CONNECT, O_SOCKMODE };
    static const struct option opts[] = {
        {"socket-mode", required_argument, 0, O_SOCKMODE},
        {"allow-connect", required_argument, 0, O_CONNECT},
        {"isolate", no_argument, 0, O_ISOLATE},
        {"writable", required_argument, 0, O_WRITABLE},
        {"socket", required_argument, 0, O_SOCKET},
        {"root", required_argument, 0, O_ROOT},
        {"workers", required_argument, 0, O_WORKERS},
        {"max-requests", required_argument, 0, O_MAXREQ},
        {"memory-cap", required_argument, 0, O_MEMCAP},
        {"timeout", required_argument, 0, O_TIMEOUT},
        {"ini", required_argument, 0, O_INI},
        {"tmp", required_argument, 0, O_TMP},
        {"no-open-basedir", no_argument, 0, O_NOBASEDIR},
        {"log-level", required_argument, 0, O_LOG},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    phpw_config_t cfg;
    phpw_config_defaults(&cfg);
    const char *ini[PHP_MAX_INI + 1] = {0};
    const char *writable[PHP_MAX_INI + 1] = {0};
    int nini = 0, nwritable = 0;
    uint64_t sz;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_SOCKET: cfg.socket = optarg; break;
        case O_SOCKMODE: {
            char *end;
            unsigned long m = strtoul(optarg, &end, 8);
            if (!*optarg || *end || m > 0777) {
                fprintf(stderr, "harv php: --socket-mode: '%s' is not an octal mode\n", optarg);
                return 2;
            }
            cfg.socket_mode = (unsigned)m;
            break;
        }
        case O_ROOT: cfg.root = optarg; break;
        case O_WORKERS: bad = cli_opt_uint("php", "workers", optarg, 1024, &cfg.workers); break;
        case O_MAXREQ: bad = cli_opt_uint("php", "max-requests", optarg, 1u << 30, &cfg.max_requests); break;
        case O_TIMEOUT: bad = cli_opt_uint("php", "timeout", optarg, 86400000, &cfg.timeout_ms); break;
        case O_MEMCAP:
            if (cli_opt_size("php", "memory-cap", optarg, &sz))
                return 2;
            cfg.memory_cap = (size_t)sz;
            break;
        case O_INI:
            if (nini == PHP_MAX_INI || !strchr(optarg, '=')) {
                fprintf(stderr, "harv php: --ini '%s': KEY=VALUE expected (at most %d)\n",
                        optarg, PHP_MAX_INI);
                return 2;
            }
            ini[nini++] = optarg;
            break;
        case O_TMP: cfg.tmp_dir = optarg; break;
        case O_ISOLATE: cfg.isolate = true; break;
        case O_CONNECT: {
            unsigned port, k = 0;
            if (cli_opt_uint("php", "allow-connect", optarg, 65535, &port))
                return 2;
            while (k < 7 && cfg.connect_ports[k])
                k++;
            if (k == 7 || !port) {
                fprintf(stderr, "harv php: --allow-connect: 1 to 7 ports from 1 to 65535\n");
                return 2;
            }
            cfg.connect_ports[k] = (int)port;
            break;
        }
        case O_WRITABLE:
            if (nwritable == PHP_MAX_INI) {
                fprintf(stderr, "harv php: too many --writable\n");
                return 2;
            }
            writable[nwritable++] = optarg;
            break;
        case O_NOBASEDIR: cfg.open_basedir = false; break;
        case O_LOG: {
            base_log_level_t lvl;
            if (base_log_parse_level(optarg, &lvl) != BASE_OK) {
                fprintf(stderr, "harv php: --log-level: '%s' is not one of debug, info, warn, "
                                "error\n", optarg);
                return 2;
            }
            base_log_set_level(lvl);
            break;
        }
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (bad)
            return 2;
    }
    if (!cfg.socket || !cfg.root) {
        fprintf(stderr, "harv php: --socket and --root are required\n");
        usage(stderr);
        return 2;
    }
    cfg.ini = ini;
    cfg.writable = writable;
    base_log_set_prefix("php");
    char err[512];
    if (phpw_pool_run(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "harv php: %s\n", err);
        return 1;
    }
    return 0;
}

/* ---- harv php-serve ----------------------------------------------------------------------- */

#define PS_MAX_LISTEN 16
#define PS_MAX_INI 64

static http_server_t *running;

static void on_signal(int sig)
{
    if (running)
        http_server_stop(running);
}

static void ps_usage(FILE *f)
{
    fprintf(f,
        "Usage: harv php-serve DIR [OPTIONS]\n"
        "Serve the PHP application in DIR over HTTP/1.1: *.php and PATH_INFO through the PHP\n"
        "pool (FastCGI), a front controller (/index.php) for paths that do not exist, static\n"
        "files for the rest; .php sources are never sent.\n\n"
        "  -l, --listen ADDR       listen address, repeatable (default 127.0.0.1:8080)\n"
        "  -t, --threads N         event-loop threads (default 1)\n"
        "      --workers K         PHP worker processes (default: 2 per core)\n"
        "      --max-requests N    recycle a worker after N requests (default 500)\n"
        "      --memory-cap SIZE   recycle a worker past this private memory (default 256m)\n"
        "      --timeout MS        wall-clock limit per PHP request: 504, the worker is\n"
        "                          killed and replaced (default 30000)\n"
        "      --queue N           requests waiting for a worker per thread before 503\n"
        "                          (default 256)\n"
        "      --ini KEY=VALUE     php.ini override, repeatable\n"
        "      --fastcgi ADDR      use an external FastCGI server instead of the pool:\n"
        "                          unix:/run/php/php8.2-fpm.sock or 127.0.0.1:9000\n"
        "      --run-dir DIR       where the pool's socket goes (default: a fresh /tmp dir)\n"
        "      --isolate           isolate the PHP workers (see harv php --help)\n"
        "      --writable DIR      a directory the isolated workers may write, repeatable\n"
        "      --allow-connect PORT  isolated workers may connect to this TCP port\n"
        "HarvSQL beside it (what `harv serve` does for a PHP site):\n"
        "      --state DIR         data directory: starts `harv sql` (STATE/sql, socket\n"
        "                          STATE/run/sql.sock); the pool's socket is STATE/run/php.sock\n"
        "      --sql-listen ADDR:PORT  HarvSQL's TCP address too (needs --db-user)\n"
        "      --db-user NAME:PASSWORD an account\n"
        "      --db NAME           a database, created if missing\n"
        "      --no-front-controller  unknown paths are 404, not /index.php\n"
        "      --max-body SIZE     request body limit, 413 beyond (default 8m)\n"
        "      --access-log DEST   off (default), stdout, or a file path\n"
        "      --log-level LEVEL   debug, info (default), warn, error\n"
        "  -h, --help              this help\n");
}


int cli_phpserve_main(int argc, char **argv)
{
    enum { O_WORKERS = 256, O_MAXREQ, O_TIMEOUT, O_QUEUE, O_INI, O_FASTCGI, O_RUNDIR, O_NOFC,
           O_MAXBODY, O_ACCESS, O_LOG, O_ISOLATE, O_WRITABLE, O_CONNECT, O_STATE, O_SQLLISTEN,
           O_DBUSER, O_DB, O_MEMCAP };
    static const struct option opts[] = {
        {"listen", required_argument, 0, 'l'},
        {"threads", required_argument, 0, 't'},
        {"workers", required_argument, 0, O_WORKERS},
        {"max-requests", required_argument, 0, O_MAXREQ},
        {"timeout", required_argument, 0, O_TIMEOUT},
        {"queue", required_argument, 0, O_QUEUE},
        {"ini", required_argument, 0, O_INI},
        {"fastcgi", required_argument, 0, O_FASTCGI},
        {"run-dir", required_argument, 0, O_RUNDIR},
        {"no-front-controller", no_argument, 0, O_NOFC},
        {"isolate", no_argument, 0, O_ISOLATE},
        {"writable", required_argument, 0, O_WRITABLE},
        {"allow-connect", required_argument, 0, O_CONNECT},
        {"state", required_argument, 0, O_STATE},
        {"memory-cap", required_argument, 0, O_MEMCAP},
        {"sql-listen", required_argument, 0, O_SQLLISTEN},
        {"db-user", required_argument, 0, O_DBUSER},
        {"db", required_argument, 0, O_DB},
        {"max-body", required_argument, 0, O_MAXBODY},
        {"access-log", required_argument, 0, O_ACCESS},
        {"log-level", required_argument, 0, O_LOG},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    http_config_t cfg;
    http_config_defaults(&cfg);
    cfg.max_body = 8u << 20;
    const char *listen[PS_MAX_LISTEN + 1] = {0};
    const char *ini[PS_MAX_INI + 1] = {0};
    const char *writable[PS_MAX_INI + 1] = {0};
    int nlisten = 0, nini = 0, nwritable = 0;
    const char *access_log = "off";
    phpw_serve_opts_t po = {0};
    uint64_t sz;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "l:t:h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'l':
            if (nlisten == PS_MAX_LISTEN) {
                fprintf(stderr, "harv php-serve: at most %d --listen addresses\n", PS_MAX_LISTEN);
                return 2;
            }
            listen[nlisten++] = optarg;
            break;
        case 't': bad = cli_opt_uint("php-serve", "threads", optarg, 64, &cfg.threads); break;
        case O_WORKERS: bad = cli_opt_uint("php-serve", "workers", optarg, 1024, &po.workers); break;
        case O_MAXREQ: bad = cli_opt_uint("php-serve", "max-requests", optarg, 1u << 30, &po.max_requests); break;
        case O_TIMEOUT: bad = cli_opt_uint("php-serve", "timeout", optarg, 86400000, &po.timeout_ms); break;
        case O_QUEUE:
            bad = cli_opt_uint("php-serve", "queue", optarg, 1000000, &po.queue_max);
            po.no_queue = po.queue_max == 0;
            break;
        case O_INI:
            if (nini == PS_MAX_INI || !strchr(optarg, '=')) {
                fprintf(stderr, "harv php-serve: --ini '%s': KEY=VALUE expected\n", optarg);
                return 2;
            }
            ini[nini++] = optarg;
            break;
        case O_FASTCGI: po.fastcgi = optarg; break;
        case O_RUNDIR: po.run_dir = optarg; break;
        case O_NOFC: po.no_front_controller = true; break;
        case O_ISOLATE: po.isolate = true; break;
        case O_STATE: po.sql_state = optarg; break;
        case O_MEMCAP:
            if (cli_opt_size("php-serve", "memory-cap", optarg, &sz))
                return 2;
            po.memory_cap = optarg;
            break;
        case O_SQLLISTEN: po.sql_listen = optarg; break;
        case O_DBUSER: po.sql_user = optarg; break;
        case O_DB: po.sql_db = optarg; break;
        case O_CONNECT: {
            unsigned port, k = 0;
            if (cli_opt_uint("php-serve", "allow-connect", optarg, 65535, &port))
                return 2;
            while (k < 7 && po.connect_ports[k])
                k++;
            if (k == 7 || !port) {
                fprintf(stderr, "harv php-serve: --allow-connect: 1 to 7 ports\n");
                return 2;
            }
            po.connect_ports[k] = (int)port;
            break;
        }
        case O_WRITABLE:
            if (nwritable == PS_MAX_INI) {
                fprintf(stderr, "harv php-serve: too many --writable\n");
                return 2;
            }
            writable[nwritable++] = optarg;
            break;
        case O_MAXBODY:
            if (cli_opt_size("php-serve", "max-body", optarg, &sz))
                return 2;
            cfg.max_body = sz;
            break;
        case O_ACCESS: access_log = optarg; break;
        case O_LOG: {
            base_log_level_t lvl;
            if (base_log_parse_level(optarg, &lvl) != BASE_OK) {
                fprintf(stderr, "harv php-serve: --log-level: '%s' is not a level\n", optarg);
                return 2;
            }
            base_log_set_level(lvl);
            break;
        }
        case 'h': ps_usage(stdout); return 0;
        default: ps_usage(stderr); return 2;
        }
        if (bad)
            return 2;
    }
    if (argc - optind != 1) {
        fprintf(stderr, "harv php-serve: one directory expected\n");
        ps_usage(stderr);
        return 2;
    }
    if (cfg.read_buf_cap < cfg.max_body + (64u << 10)) /* chunked bodies are read whole */
        cfg.read_buf_cap = (size_t)cfg.max_body + (64u << 10);
    const char *root = argv[optind];
    if (!nlisten)
        listen[nlisten++] = "127.0.0.1:8080";
    cfg.listen = listen;
    cfg.threads = cfg.threads ? cfg.threads : 1;
    po.loops = cfg.threads;
    po.ini = ini;
    po.writable = writable;
    /* the pool's binary: a sanitizer build of the HTTP side runs a plain pool (ASan cannot
     * load PHP's extensions, which are dlopen'ed with RTLD_DEEPBIND) */
    po.harv_exe = getenv("HARV_PHP_POOL_EXE");
    if (!strcmp(access_log, "stdout")) {
        cfg.access_log_fd = 1;
    } else if (strcmp(access_log, "off")) {
        cfg.access_log_fd = open(access_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (cfg.access_log_fd < 0) {
            fprintf(stderr, "harv php-serve: --access-log %s: %s\n", access_log, strerror(errno));
            return 1;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    char err[512];
    phpw_serve_t *ps;
    if (phpw_serve_setup(&ps, root, &po, err, sizeof err) != 0) {
        fprintf(stderr, "harv php-serve: %s\n", err);
        return 1;
    }
    cfg.body_stream = phpw_serve_body_stream; /* large bodies reach PHP as they arrive */
    http_server_t *srv = http_server_new(&cfg, phpw_serve_handle, ps, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "harv php-serve: %s\n", err);
        phpw_serve_free(ps);
        return 1;
    }
    running = srv;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    cli_print_listening(srv, listen, nlisten, root);
    if (phpw_serve_sql_info(ps))
        printf("harv: HarvSQL %s\n", phpw_serve_sql_info(ps));
    fflush(stdout);
    int rc = http_server_run(srv);
    running = NULL;
    http_server_free(srv);
    phpw_serve_free(ps);
    if (cfg.access_log_fd > 1)
        close(cfg.access_log_fd);
    return rc == BASE_OK ? 0 : 1;
}

/* ---- PHP for `harv serve` (see cli.h) ------------------------------------------------------ */

int cli_php_site_open(const char *root, const cli_php_site_t *site,
                      void (**handler)(void *, const struct http_request *,
                                       struct http_response *),
                      void **ctx, char *err, size_t errlen)
{
    *ctx = NULL;
    if (!site->fastcgi && !site->state && !phpw_dir_has_php(root))
        return 0;
    phpw_serve_opts_t po = {
        .fastcgi = site->fastcgi,
        .workers = site->workers,
        .timeout_ms = site->timeout_ms,
        .loops = site->threads ? site->threads : 1,
        .ini = site->ini,
        .isolate = site->isolate,
        .writable = site->writable,
        .sql_state = site->state,
        .sql_listen = site->sql_listen,
        .sql_user = site->db_user,
        .sql_db = site->db,
        .harv_exe = getenv("HARV_PHP_POOL_EXE"),
    };
    phpw_serve_t *ps;
    if (phpw_serve_setup(&ps, root, &po, err, errlen) != 0)
        return -1;
    *handler = phpw_serve_handle;
    *ctx = ps;
    return 1;
}

const char *cli_php_site_sql(void *ctx) { return phpw_serve_sql_info(ctx); }

bool cli_php_site_body_stream(void *ctx, const http_request_t *req)
{
    return phpw_serve_body_stream(ctx, req);
}

void cli_php_site_close(void *ctx) { phpw_serve_free(ctx); }

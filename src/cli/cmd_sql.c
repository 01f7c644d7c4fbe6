/* cmd_sql.c — `harv sql`: runs HarvSQL, the MySQL-wire server on SQLite, in the foreground.
 * argv → hsql_server_cfg_t → hsql_server_new/run. Layer: cli (thin). */
#include "cli.h"

#include <harv/base.h>

#include <sys/socket.h>

#include "server.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQL_MAX_USERS 64
#define SQL_MAX_DBS 64

static hsql_server_t *running;

static void on_signal(int sig)
{
    (void)sig;
    hsql_server_stop(running);
}

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: harv sql [OPTIONS]\n"
        "Runs HarvSQL, a MySQL-protocol server whose engine is SQLite, in the foreground.\n"
        "One SQLite file per database in the state directory (STATE/<db>.db).\n\n"
        "  --listen ADDR:PORT      TCP address (127.0.0.1:3306; port 0 picks a free one).\n"
        "                          Needs at least one --user.\n"
        "  --socket PATH           unix socket (MySQL clients: --socket=PATH).\n"
        "  --listen-fd N, --socket-fd N  use an inherited listening TCP / unix socket instead\n"
        "                          of binding one (a supervisor or systemd holds it).\n"
        "  --state DIR             data directory (created if missing). Required.\n"
        "  --user NAME:PASSWORD    an account (repeatable). Without any user HarvSQL listens\n"
        "                          on the unix socket only and accepts every user name.\n"
        "                          Both mysql_native_password and caching_sha2_password work.\n"
        "  --database NAME         create this database at start if missing (repeatable).\n"
        "Limits (a client over a limit gets a MySQL error, the server keeps serving):\n"
        "  --max-connections N     sessions at once (151); more get ERR 1040.\n"
        "  --max-packet SIZE       largest client packet, k/m/g units (64m); ERR 1153.\n"
        "  --max-result-buffer SIZE  output a session may queue unsent (64m).\n"
        "  --max-prepared N        prepared statements per session (16382); ERR 1461.\n"
        "  --connect-timeout SEC   handshake deadline (10).\n"
        "  --wait-timeout SEC      idle sessions are closed after (28800).\n"
        "Engine and threads:\n"
        "  --workers N             query threads (4).\n"
        "  --loops N               event-loop threads for protocol I/O and inline statements\n"
        "                          (one per CPU available, at least 2); connections are\n"
        "                          spread over them in turn.\n"
        "  --inline-us N|off       statements measured faster than N µs run on the event\n"
        "                          loop instead of a worker (200); 'off' disables.\n"
        "  --synchronous full|normal  SQLite durability (full: every commit is on disk).\n"
        "  --busy-timeout MS       how long a writer waits for another (10000); ERR 1205.\n"
        "  --server-version TEXT   the version in the greeting (8.0.35-HarvSQL).\n"
        "  --log-level LEVEL       debug, info, warn (default), error.\n"
        "  -h, --help              this help.\n\n"
        "On start it prints one line: 'harv sql: ready tcp=HOST:PORT socket=PATH'.\n"
        "SIGINT/SIGTERM stop it; open transactions roll back, committed data stays.\n");
}


int cli_sql_main(int argc, char **argv)
{
    hsql_server_cfg_t cfg = {0};
    static hsql_user_cfg_t users[SQL_MAX_USERS];
    static const char *dbs[SQL_MAX_DBS];
    base_log_set_level(BASE_LOG_WARN);
    base_log_set_prefix("sql");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        const char *v = NULL;
        char *eq = strchr(a, '=');
        static char optbuf[64];
        if (!strncmp(a, "--", 2) && eq && (size_t)(eq - a) < sizeof optbuf) {
            memcpy(optbuf, a, (size_t)(eq - a));
            optbuf[eq - a] = 0;
            v = eq + 1;
            a = optbuf;
        } else if (i + 1 < argc) {
            v = argv[i + 1];
        }
        bool inline_val = eq != NULL;
#define TAKE()                                                                                \
    do {                                                                                      \
        if (!v) {                                                                             \
            fprintf(stderr, "harv sql: %s needs a value (see harv sql --help)\n", a);         \
            return 2;                                                                         \
        }                                                                                     \
        if (!inline_val)                                                                      \
            i++;                                                                              \
    } while (0)
        if (!strcmp(a, "--listen")) {
            TAKE();
            cfg.listen = v;
        } else if (!strcmp(a, "--socket")) {
            TAKE();
            cfg.socket = v;
        } else if (!strcmp(a, "--listen-fd") || !strcmp(a, "--socket-fd")) {
            TAKE();
            unsigned fd;
            if (cli_opt_uint("sql", a + 2, v, 1u << 20, &fd) != 0)
                return 2;
            int type = 0;
            socklen_t tl = sizeof type;
            if (fd == 0 || getsockopt((int)fd, SOL_SOCKET, SO_ACCEPTCONN, &type, &tl) != 0 || !type) {
                fprintf(stderr, "harv sql: %s %u: not an inherited listening socket\n", a, fd);
                return 2;
            }
            if (a[2] == 'l')
                cfg.inherit_tcp_fd = (int)fd;
            else
                cfg.inherit_unix_fd = (int)fd;
        } else if (!strcmp(a, "--state")) {
            TAKE();
            cfg.state_dir = v;
        } else if (!strcmp(a, "--user")) {
            TAKE();
            const char *colon = strchr(v, ':');
            if (!colon || colon == v) {
                fprintf(stderr, "harv sql: --user '%s': expected NAME:PASSWORD\n", v);
                return 2;
            }
            if (cfg.nusers >= SQL_MAX_USERS) {
                fprintf(stderr, "harv sql: at most %d --user options\n", SQL_MAX_USERS);
                return 2;
            }
            char *name = base_xstrdup(v);
            name[colon - v] = 0;
            users[cfg.nusers].name = name;
            users[cfg.nusers].password = name + (colon - v) + 1;
            cfg.nusers++;
        } else if (!strcmp(a, "--database")) {
            TAKE();
            if (cfg.ndatabases >= SQL_MAX_DBS) {
                fprintf(stderr, "harv sql: at most %d --database options\n", SQL_MAX_DBS);
                return 2;
            }
            dbs[cfg.ndatabases++] = v;
        } else if (!strcmp(a, "--max-connections")) {
            TAKE();
            if (cli_opt_uint("sql", a + 2, v, 100000, &cfg.max_connections))
                return 2;
        } else if (!strcmp(a, "--max-packet") || !strcmp(a, "--max-result-buffer")) {
            TAKE();
            uint64_t n;
            if (base_parse_size(v, &n) != BASE_OK || n < 1024 || n > (1ull << 30)) {
                fprintf(stderr, "harv sql: %s '%s': expected a size from 1k to 1g\n", a, v);
                return 2;
            }
            if (!strcmp(a, "--max-packet"))
                cfg.max_packet = (size_t)n;
            else
                cfg.max_result_buffer = (size_t)n;
        } else if (!strcmp(a, "--max-prepared")) {
            TAKE();
            if (cli_opt_uint("sql", a + 2, v, 1000000, &cfg.max_prepared))
                return 2;
        } else if (!strcmp(a, "--connect-timeout")) {
            TAKE();
            if (cli_opt_uint("sql", a + 2, v, 3600, &cfg.connect_timeout_s))
                return 2;
        } else if (!strcmp(a, "--wait-timeout")) {
            TAKE();
            if (cli_opt_uint("sql", a + 2, v, 31536000, &cfg.wait_timeout_s))
                return 2;
        } else if (!strcmp(a, "--workers")) {
            TAKE();
            if (cli_opt_uint("sql", a + 2, v, 256, &cfg.workers))
                return 2;
        } else if (!strcmp(a, "--loops")) {
            TAKE();
            if (cli_opt_uint("sql", a + 2, v, 64, &cfg.loops))
                return 2;
        } else if (!strcmp(a, "--inline-us")) {
            TAKE();
            if (!strcmp(v, "off"))
                cfg.inline_us = UINT32_MAX;
            else if (cli_opt_uint("sql", a + 2, v, 1000000, &cfg.inline_us))
                return 2;
            else if (cfg.inline_us == 0)
                cfg.inline_us = UINT32_MAX;
        } else if (!strcmp(a, "--synchronous")) {
            TAKE();
            if (!strcmp(v, "full"))
                cfg.synchronous = 2;
            else if (!strcmp(v, "normal"))
                cfg.synchronous = 1;
            else {
                fprintf(stderr, "harv sql: --synchronous '%s': expected full or normal\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--busy-timeout")) {
            TAKE();
            unsigned ms;
            if (cli_opt_uint("sql", a + 2, v, 3600000, &ms))
                return 2;
            cfg.busy_timeout_ms = (int)ms;
        } else if (!strcmp(a, "--server-version")) {
            TAKE();
            if (strlen(v) > 60 || !strncmp(v, "5.5.5-", 6)) {
                fprintf(stderr, "harv sql: --server-version '%s': at most 60 bytes, and no "
                                "'5.5.5-' prefix (clients would take it for MariaDB)\n", v);
                return 2;
            }
            cfg.version = v;
        } else if (!strcmp(a, "--log-level")) {
            TAKE();
            base_log_level_t lvl;
            if (base_log_parse_level(v, &lvl) != BASE_OK) {
                fprintf(stderr, "harv sql: --log-level '%s': expected debug, info, warn or error\n", v);
                return 2;
            }
            base_log_set_level(lvl);
        } else {
            fprintf(stderr, "harv sql: unknown option '%s' (see harv sql --help)\n", argv[i]);
            return 2;
        }
#undef TAKE
    }
    if (!cfg.state_dir) {
        fprintf(stderr, "harv sql: --state DIR is required (see harv sql --help)\n");
        return 2;
    }
    cfg.users = users;
    cfg.databases = dbs;
    char err[512];
    hsql_server_t *srv = hsql_server_new(&cfg, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "harv sql: %s\n", err);
        return 1;
    }
    running = srv;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    char tcp[160] = "none";
    if (cfg.listen) {
        const char *colon = strrchr(cfg.listen, ':');
        int hl = colon ? (int)(colon - cfg.listen) : 0;
        snprintf(tcp, sizeof tcp, "%.*s:%d", hl, cfg.listen, hsql_server_port(srv));
    } else if (cfg.inherit_tcp_fd > 0) {
        snprintf(tcp, sizeof tcp, "fd%d:%d", cfg.inherit_tcp_fd, hsql_server_port(srv));
    }
    printf("harv sql: ready tcp=%s socket=%s\n", tcp, cfg.socket ? cfg.socket : "none");
    fflush(stdout);
    int rc = hsql_server_run(srv);
    running = NULL;
    hsql_server_free(srv);
    return rc == 0 ? 0 : 1;
}

/* harv — one binary for the whole platform. main() dispatches argv[1] to a subcommand. */
#include "cli.h"

#include <harv/base.h>
#include <harv/http.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"serve", cli_serve_main, "serve a directory over HTTP (static files)"},
    {"sql", cli_sql_main, "run HarvSQL, the MySQL-compatible server on SQLite"},
    {"wasm", cli_wasm_main, "run or validate a WebAssembly module"},
    {"php", cli_php_main, "run the PHP pool (FastCGI workers embedding PHP)"},
    {"php-serve", cli_phpserve_main, "serve a PHP application (pool + HTTP)"},
    {"up", cli_up_main, "run the tasks of harv.yaml under the supervisor"},
    {"check", cli_check_main, "validate a config file (harv check -c harv.yaml)"},
    {"status", cli_status_main, "show the tasks and listeners of a running harv up"},
    {"stop", cli_stop_main, "drain and stop a running harv up"},
    {"reload", cli_reload_main, "re-read the config of a running harv up"},
    {"restart", cli_restart_main, "restart one task of a running harv up"},
    {"logs", cli_logs_main, "show the last output lines of a task"},
    {"task", cli_task_main, "(internal) one supervised task, run by harv up"},
};

static void usage(FILE *f)
{
    fprintf(f, "Harv %s — a secure, single-binary web application platform.\n\n"
               "Usage: harv COMMAND [OPTIONS]\n\nCommands:\n",
            HARV_VERSION);
    for (size_t i = 0; i < BASE_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'harv COMMAND --help' for the options of a command.\n"
               "  -h, --help     this help\n  -V, --version  print the version\n");
}

void cli_print_listening(const struct http_server *srv, const char *const *listen, int n,
                         const char *root)
{
    for (int i = 0; i < n; i++) {
        net_addr_t a;
        char err[256];
        if (net_addr_parse(listen[i], &a, err, sizeof err) != BASE_OK)
            continue;
        if (a.family == AF_UNIX) {
            printf("harv: serving %s on %s\n", root, a.text);
            continue;
        }
        char host[sizeof a.text];
        snprintf(host, sizeof host, "%s", a.text);
        char *colon = strrchr(host, ':');
        if (colon)
            *colon = 0;
        if (!strcmp(host, "0.0.0.0"))
            strcpy(host, "127.0.0.1");
        printf("harv: serving %s on http://%s:%d/\n", root, host,
               http_server_port(srv, (unsigned)i));
    }
}

const char *cli_share_dir(void)
{
    static char dir[PATH_MAX + 32];
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(dir, sizeof dir, "%s/share/harv", exe);
            if (access(dir, R_OK) == 0)
                return dir;
            snprintf(dir, sizeof dir, "%s/../share/harv", exe);
            if (access(dir, R_OK) == 0)
                return dir;
        }
    }
    return "/usr/share/harv";
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("harv %s\n", HARV_VERSION);
        return 0;
    }
    for (size_t i = 0; i < BASE_ARRAY_LEN(commands); i++) {
        if (strcmp(argv[1], commands[i].name))
            continue;
        if (!commands[i].main) {
            fprintf(stderr, "harv: '%s' is not built into this binary\n", argv[1]);
            return 2;
        }
        return commands[i].main(argc - 1, argv + 1);
    }
    fprintf(stderr, "harv: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}

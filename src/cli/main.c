/* harv — one binary for the whole platform. main() dispatches argv[1] to a subcommand. */
#include "cli.h"

#include <harv/base.h>

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
};

static void usage(FILE *f)
{
    fprintf(f, "Harv %s — a secure, single-binary web application platform.\n\n"
               "Usage: harv COMMAND [OPTIONS]\n\nCommands:\n",
            HARV_VERSION);
    for (size_t i = 0; i < BASE_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'harv COMMAND --help' for the options of a command.\n"
               "  -h, --help     this help\n  -V, --version  print the version\n");
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

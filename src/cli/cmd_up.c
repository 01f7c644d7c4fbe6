/* cmd_up.c — `harv up [-c harv.yaml]`: the supervisor in the foreground (sup_run).
 * `harv up --serve DIR [--listen ADDR]... [--state DIR]` builds the same config model in
 * memory (no file): HarvTTP on DIR under the supervisor, state in DIR/.harv by default, and
 * the php task when DIR holds *.php.
 * Layer: cli (thin). */
#include "cli.h"

#include <harv/sup.h>

/* Weak: NULL in a binary built without PHP (-DHARV_WITHOUT=php; the indented directive keeps
 * this command in the build). */
#  include <harv/php.h>
#pragma weak phpw_dir_has_php

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UP_MAX_LISTEN 16

/* A YAML double-quoted scalar. */
static void yaml_quoted(base_buf_t *b, const char *s)
{
    base_buf_append(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            base_buf_append(b, "\\", 1);
        base_buf_append(b, s, 1);
    }
    base_buf_append(b, "\"", 1);
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: harv up [-c FILE]\n"
               "       harv up --serve DIR [--listen ADDR]... [--state DIR]\n"
               "Runs the tasks of FILE (default ./harv.yaml) under the supervisor: binds\n"
               "every listener, sandboxes and restarts the tasks, answers the control\n"
               "socket STATE/run/harv.sock (harv status|stop|reload|restart|logs).\n"
               "SIGTERM/SIGINT drain and stop; SIGHUP reloads FILE. See docs/config.md.\n"
               "--serve DIR builds the config in memory: HarvTTP serving DIR on ADDR\n"
               "(default 127.0.0.1:8080), state in DIR/.harv unless --state is given\n"
               "(harv status --state STATE talks to it), and the php task when DIR holds\n"
               "*.php files.\n");
}

int cli_up_main(int argc, char **argv)
{
    sup_options_t opt = {.config_path = "harv.yaml"};
    const char *serve = NULL, *state = NULL, *listen[UP_MAX_LISTEN];
    int nlisten = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if ((!strcmp(a, "-c") || !strcmp(a, "--config")) && has) {
            opt.config_path = argv[++i];
        } else if (!strcmp(a, "--serve") && has) {
            serve = argv[++i];
        } else if ((!strcmp(a, "--listen") || !strcmp(a, "-l")) && has) {
            if (nlisten == UP_MAX_LISTEN) {
                fprintf(stderr, "harv up: at most %d --listen addresses\n", UP_MAX_LISTEN);
                return 2;
            }
            listen[nlisten++] = argv[++i];
        } else if (!strcmp(a, "--state") && has) {
            state = argv[++i];
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "harv up: unknown argument '%s' (see harv up --help)\n", a);
            return 2;
        }
    }
    if (!serve && (nlisten || state)) {
        fprintf(stderr, "harv up: --listen and --state go with --serve DIR\n");
        return 2;
    }
    if (!serve)
        return sup_run(&opt);
    char root[PATH_MAX];
    if (!realpath(serve, root)) {
        fprintf(stderr, "harv up: --serve %s: no such directory\n", serve);
        return 2;
    }
    base_buf_t y;
    base_buf_init(&y);
    base_buf_appendf(&y, "# built by harv up --serve\nstate_dir: ");
    if (state) {
        yaml_quoted(&y, state);
    } else {
        char st[PATH_MAX + 8];
        snprintf(st, sizeof st, "%s/.harv", root);
        yaml_quoted(&y, st);
    }
    base_buf_appendf(&y, "\nlisteners:\n");
    if (!nlisten)
        listen[nlisten++] = "127.0.0.1:8080";
    for (int i = 0; i < nlisten; i++) {
        base_buf_appendf(&y, "  l%d: ", i);
        yaml_quoted(&y, listen[i]);
        base_buf_append(&y, "\n", 1);
    }
    base_buf_appendf(&y, "http:\n  listen: [");
    for (int i = 0; i < nlisten; i++)
        base_buf_appendf(&y, "%sl%d", i ? ", " : "", i);
    base_buf_appendf(&y, "]\n  root: ");
    yaml_quoted(&y, root);
    base_buf_append(&y, "\n", 1);
    /* A PHP site gets the php task (the pool), as harv serve starts one. */
    if (phpw_dir_has_php && phpw_dir_has_php(root))
        base_buf_appendf(&y, "php: {}\n");
    base_buf_append(&y, "", 1);
    opt.config_text = y.data;
    opt.config_path = "harv-serve.yaml";
    int rc = sup_run(&opt);
    base_buf_fini(&y);
    return rc;
}

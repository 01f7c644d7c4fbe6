/* cmd_ctl.c — the control clients of a running `harv up`: harv status [--json], harv stop,
 * harv reload, harv restart TASK, harv logs TASK. Each finds the control socket from the
 * config (-c FILE, default ./harv.yaml), --state DIR or --socket PATH, sends one JSON request
 * and prints the answer. Layer: cli (thin; the protocol is in src/sup/control.c). */
#include "cli.h"

#include <harv/sup.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct ctl_args {
    const char *config, *state, *socket, *task;
    bool json;
} ctl_args_t;

static int ctl_parse(const char *cmd, int argc, char **argv, ctl_args_t *a, bool want_task)
{
    memset(a, 0, sizeof *a);
    a->config = "harv.yaml";
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if ((!strcmp(o, "-c") || !strcmp(o, "--config")) && i + 1 < argc) {
            a->config = argv[++i];
        } else if (!strcmp(o, "--state") && i + 1 < argc) {
            a->state = argv[++i];
        } else if (!strcmp(o, "--socket") && i + 1 < argc) {
            a->socket = argv[++i];
        } else if (!strcmp(o, "--json")) {
            a->json = true;
        } else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            printf("Usage: harv %s%s [-c FILE | --state DIR | --socket PATH]%s\n"
                   "Talks to the `harv up` whose config is FILE (default ./harv.yaml) through "
                   "its control socket STATE/run/harv.sock.\n",
                   cmd, want_task ? " TASK" : "", !strcmp(cmd, "status") ? " [--json]" : "");
            return 1;
        } else if (want_task && !a->task && o[0] != '-') {
            a->task = o;
        } else {
            fprintf(stderr, "harv %s: unknown argument '%s' (see harv %s --help)\n", cmd, o,
                    cmd);
            return 2;
        }
    }
    if (want_task && !a->task) {
        fprintf(stderr, "harv %s: which task? (e.g. harv %s http)\n", cmd, cmd);
        return 2;
    }
    return 0;
}

static const char *ctl_socket(const char *cmd, const ctl_args_t *a)
{
    static char path[4200];
    if (a->socket)
        return a->socket;
    if (a->state) {
        snprintf(path, sizeof path, "%s/run/harv.sock", a->state);
        return path;
    }
    sup_config_t cfg;
    char err[1024];
    if (sup_config_load(&cfg, a->config, err, sizeof err) != BASE_OK) {
        /* A running harv keeps its last good config: still find its socket, through the
         * state_dir read before the error (or the default). */
        fprintf(stderr, "harv %s: warning: %s\n", cmd, err);
    }
    snprintf(path, sizeof path, "%s", sup_control_path(&cfg));
    sup_config_fini(&cfg);
    return path;
}

/* Decodes the JSON string starting at p (just past the opening quote) into out. Returns a
 * pointer past the closing quote. */
static const char *json_unescape(const char *p, base_buf_t *out)
{
    while (*p && *p != '"') {
        if (*p == '\\' && p[1]) {
            p++;
            char c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
            if (*p == 'u' && p[1] && p[2] && p[3] && p[4]) {
                c = (char)strtol((char[]){p[1], p[2], p[3], p[4], 0}, NULL, 16);
                p += 4;
            }
            base_buf_append(out, &c, 1);
            p++;
            continue;
        }
        base_buf_append(out, p++, 1);
    }
    return *p ? p + 1 : p;
}

static int ctl_call(const char *cmd, const ctl_args_t *a, const char *req, base_buf_t *reply)
{
    const char *path = ctl_socket(cmd, a);
    if (!path)
        return 1;
    char err[1024];
    if (sup_control_call(path, req, reply, err, sizeof err) != BASE_OK) {
        fprintf(stderr, "harv %s: %s\n", cmd, err);
        return 1;
    }
    if (!strstr(reply->data, "\"ok\":true")) {
        const char *e = strstr(reply->data, "\"error\":\"");
        base_buf_t msg;
        base_buf_init(&msg);
        if (e)
            json_unescape(e + 9, &msg);
        base_buf_append(&msg, "", 1);
        fprintf(stderr, "harv %s: %s\n", cmd, e ? msg.data : reply->data);
        base_buf_fini(&msg);
        return 1;
    }
    return 0;
}

int cli_status_main(int argc, char **argv)
{
    ctl_args_t a;
    int rc = ctl_parse("status", argc, argv, &a, false);
    if (rc)
        return rc == 1 ? 0 : rc;
    base_buf_t r;
    base_buf_init(&r);
    rc = ctl_call("status", &a, a.json ? "{\"cmd\":\"status\"}"
                                       : "{\"cmd\":\"status\",\"format\":\"text\"}", &r);
    if (!rc) {
        if (a.json) {
            fputs(r.data, stdout);
        } else {
            const char *t = strstr(r.data, "\"text\":\"");
            base_buf_t txt;
            base_buf_init(&txt);
            if (t)
                json_unescape(t + 8, &txt);
            fwrite(txt.data ? txt.data : "", 1, txt.len, stdout);
            base_buf_fini(&txt);
        }
    }
    base_buf_fini(&r);
    return rc;
}

/* Whether pid is gone (or a zombie its parent has not reaped yet). */
static bool pid_gone(int pid)
{
    char p[64], buf[512];
    snprintf(p, sizeof p, "/proc/%d/stat", pid);
    FILE *f = fopen(p, "re");
    if (!f)
        return true;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *rp = strrchr(buf, ')');
    return rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X');
}

int cli_stop_main(int argc, char **argv)
{
    ctl_args_t a;
    int rc = ctl_parse("stop", argc, argv, &a, false);
    if (rc)
        return rc == 1 ? 0 : rc;
    const char *path = ctl_socket("stop", &a);
    if (!path)
        return 1;
    char sock[4200];
    snprintf(sock, sizeof sock, "%s", path);
    base_buf_t r;
    base_buf_init(&r);
    int pid = 0;
    rc = ctl_call("stop", &a, "{\"cmd\":\"status\"}", &r);
    if (!rc) {
        const char *p = strstr(r.data, "\"pid\":");
        pid = p ? atoi(p + 6) : 0;
        r.len = 0;
        rc = ctl_call("stop", &a, "{\"cmd\":\"stop\"}", &r);
    }
    base_buf_fini(&r);
    if (rc)
        return rc;
    /* Wait until the supervisor is gone: its socket removed and its process ended. */
    for (int i = 0; i < 1200; i++) {
        if (access(sock, F_OK) != 0 && (pid <= 0 || pid_gone(pid))) {
            printf("harv: stopped\n");
            return 0;
        }
        usleep(50000);
    }
    fprintf(stderr, "harv stop: the supervisor is still running after 60 s\n");
    return 1;
}

int cli_reload_main(int argc, char **argv)
{
    ctl_args_t a;
    int rc = ctl_parse("reload", argc, argv, &a, false);
    if (rc)
        return rc == 1 ? 0 : rc;
    base_buf_t r;
    base_buf_init(&r);
    rc = ctl_call("reload", &a, "{\"cmd\":\"reload\"}", &r);
    if (!rc) {
        const char *g = strstr(r.data, "\"generation\":");
        printf("harv: reloaded (generation %d)\n", g ? atoi(g + 13) : 0);
    }
    base_buf_fini(&r);
    return rc;
}

int cli_restart_main(int argc, char **argv)
{
    ctl_args_t a;
    int rc = ctl_parse("restart", argc, argv, &a, true);
    if (rc)
        return rc == 1 ? 0 : rc;
    char req[128];
    snprintf(req, sizeof req, "{\"cmd\":\"restart\",\"task\":\"%.40s\"}", a.task);
    base_buf_t r;
    base_buf_init(&r);
    rc = ctl_call("restart", &a, req, &r);
    if (!rc)
        printf("harv: restarting %s\n", a.task);
    base_buf_fini(&r);
    return rc;
}

int cli_logs_main(int argc, char **argv)
{
    ctl_args_t a;
    int rc = ctl_parse("logs", argc, argv, &a, true);
    if (rc)
        return rc == 1 ? 0 : rc;
    char req[128];
    snprintf(req, sizeof req, "{\"cmd\":\"logs\",\"task\":\"%.40s\"}", a.task);
    base_buf_t r;
    base_buf_init(&r);
    rc = ctl_call("logs", &a, req, &r);
    if (!rc) {
        const char *p = strstr(r.data, "\"lines\":[");
        p = p ? p + 9 : "";
        while (*p == '"') {
            base_buf_t line;
            base_buf_init(&line);
            p = json_unescape(p + 1, &line);
            printf("%.*s\n", (int)line.len, line.data ? line.data : "");
            base_buf_fini(&line);
            if (*p == ',')
                p++;
        }
    }
    base_buf_fini(&r);
    return rc;
}

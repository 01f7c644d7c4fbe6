/* sup/ctl_server.c — the supervisor's side of the control socket STATE/run/harv.sock: one
 * JSON request per connection (status, stop, reload, restart TASK, logs TASK), one JSON
 * answer, close. The protocol is documented in docs/supervisor.md; the client side is in
 * control.c. Layer: sup (supervisor), on its loop. */
#include "sup_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

/* The string value of "key" in a flat JSON object (no escapes in values), or false. */
static bool json_get(const char *req, const char *key, char *out, size_t len)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(req, pat);
    if (!p)
        return false;
    p += strlen(pat);
    while (*p == ' ' || *p == ':')
        p++;
    if (*p != '"')
        return false;
    p++;
    size_t n = strcspn(p, "\"");
    if (n >= len || p[n] != '"')
        return false;
    memcpy(out, p, n);
    out[n] = 0;
    return true;
}

uint64_t sup_inst_memory(const sup_inst_t *in)
{
    uint64_t m = in->has_cg ? sup_cgroup_memory(&in->cg) : 0;
    if (m)
        return m;
    char p[64], buf[128];
    snprintf(p, sizeof p, "/proc/%d/statm", (int)in->pid);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0)
        return 0;
    buf[r] = 0;
    unsigned long long size, rss;
    if (sscanf(buf, "%llu %llu", &size, &rss) != 2)
        return 0;
    return rss * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void status_json(sup_t *s, base_buf_t *b)
{
    uint64_t now = net_loop_update_time(s->loop);
    base_buf_appendf(b, "{\"ok\":true,\"pid\":%d,\"generation\":%u,\"uptime_ms\":%llu,"
                        "\"stopping\":%s,\"config\":", (int)getpid(), s->gen->id,
                     (unsigned long long)(now - s->started_ms), s->stopping ? "true" : "false");
    sup_json_str(b, s->gen->real);
    base_buf_append(b, ",\"state_dir\":", 13);
    sup_json_str(b, s->gen->cfg.state_dir);
    base_buf_append(b, ",\"listeners\":[", 14);
    for (unsigned i = 0; i < s->nlst; i++) {
        char text[320];
        sup_lst_text(&s->lst[i], text, sizeof text);
        base_buf_appendf(b, "%s{\"name\":", i ? "," : "");
        sup_json_str(b, s->lst[i].name);
        base_buf_append(b, ",\"address\":", 11);
        sup_json_str(b, text);
        base_buf_append(b, "}", 1);
    }
    base_buf_append(b, "],\"tasks\":[", 11);
    bool first = true;
    for (unsigned i = 0; i < sup_nkinds; i++) {
        sup_task_t *t = &s->tasks[i];
        if (!t->enabled && !t->cur && !t->old && !t->spawns)
            continue;
        sup_inst_t *in = t->cur;
        unsigned draining = 0;
        for (sup_inst_t *o = t->old; o; o = o->next)
            draining++;
        base_buf_appendf(b, "%s{\"name\":\"%s\",\"state\":\"%s\",\"pid\":%d,\"generation\":%u,"
                            "\"uptime_ms\":%llu,\"restarts\":%u,\"last_restart_ms\":%ld,"
                            "\"memory\":%llu,\"draining\":%u,\"last_exit\":",
                         first ? "" : ",", t->kind->name, sup_state_names[t->state],
                         in ? (int)in->pid : 0, in ? in->gen->id : 0,
                         (unsigned long long)(in && in->ready ? now - in->ready_ms : 0),
                         t->restarts, t->last_restart_ms,
                         (unsigned long long)(in ? sup_inst_memory(in) : 0), draining);
        first = false;
        sup_json_str(b, t->last_exit);
        base_buf_append(b, ",\"sandbox\":", 11);
        sup_json_str(b, in ? in->sandbox : "");
        base_buf_append(b, ",\"old_pids\":[", 13);
        for (sup_inst_t *o = t->old; o; o = o->next)
            base_buf_appendf(b, "%d%s", (int)o->pid, o->next ? "," : "");
        base_buf_append(b, "]}", 2);
    }
    base_buf_append(b, "]}", 2);
}

/* The human form of status, for `harv status`. */
static void status_text(sup_t *s, base_buf_t *b)
{
    uint64_t now = net_loop_update_time(s->loop);
    base_buf_t t;
    base_buf_init(&t);
    base_buf_appendf(&t, "harv up (pid %d), config %s, generation %u, up %llu s%s\n",
                     (int)getpid(), s->gen->real, s->gen->id,
                     (unsigned long long)((now - s->started_ms) / 1000),
                     s->stopping ? ", STOPPING" : "");
    for (unsigned i = 0; i < s->nlst; i++) {
        char text[320];
        sup_lst_text(&s->lst[i], text, sizeof text);
        base_buf_appendf(&t, "listener %-8s %s\n", s->lst[i].name, text);
    }
    base_buf_appendf(&t, "%-6s %-9s %-8s %-9s %-8s %-9s %s\n", "TASK", "STATE", "PID",
                     "UPTIME(s)", "RESTARTS", "MEM(KiB)", "LAST EXIT");
    for (unsigned i = 0; i < sup_nkinds; i++) {
        sup_task_t *tk = &s->tasks[i];
        if (!tk->enabled && !tk->cur && !tk->spawns)
            continue;
        sup_inst_t *in = tk->cur;
        base_buf_appendf(&t, "%-6s %-9s %-8d %-9llu %-8u %-9llu %s\n", tk->kind->name,
                         sup_state_names[tk->state], in ? (int)in->pid : 0,
                         (unsigned long long)(in && in->ready ? (now - in->ready_ms) / 1000 : 0),
                         tk->restarts,
                         (unsigned long long)(in ? sup_inst_memory(in) >> 10 : 0),
                         tk->last_exit[0] ? tk->last_exit : "-");
        if (in && in->sandbox[0])
            base_buf_appendf(&t, "       sandbox: %s\n", in->sandbox);
    }
    base_buf_append(&t, "", 1);
    base_buf_append(b, "{\"ok\":true,\"text\":", 18);
    sup_json_str(b, t.data);
    base_buf_append(b, "}", 1);
    base_buf_fini(&t);
}

static void ctl_handle(sup_t *s, const char *req, base_buf_t *b)
{
    char cmd[32], task[32], err[1024];
    if (!json_get(req, "cmd", cmd, sizeof cmd)) {
        base_buf_appendf(b, "{\"ok\":false,\"error\":\"expected {\\\"cmd\\\":\\\"status|stop|"
                            "reload|restart|logs\\\"}\"}");
        return;
    }
    if (!strcmp(cmd, "status")) {
        char fmt[16];
        if (json_get(req, "format", fmt, sizeof fmt) && !strcmp(fmt, "text"))
            status_text(s, b);
        else
            status_json(s, b);
    } else if (!strcmp(cmd, "stop")) {
        base_buf_appendf(b, "{\"ok\":true,\"stopping\":true}");
        sup_stop_begin(s, "harv stop");
    } else if (!strcmp(cmd, "reload")) {
        if (s->stopping) {
            base_buf_appendf(b, "{\"ok\":false,\"error\":\"stopping\"}");
        } else if (sup_reload(s, err, sizeof err) == BASE_OK) {
            base_buf_appendf(b, "{\"ok\":true,\"generation\":%u}", s->gen->id);
        } else {
            base_buf_appendf(b, "{\"ok\":false,\"error\":");
            sup_json_str(b, err);
            base_buf_append(b, "}", 1);
        }
    } else if (!strcmp(cmd, "restart") || !strcmp(cmd, "logs")) {
        const sup_kind_t *k = json_get(req, "task", task, sizeof task) ? sup_kind_find(task)
                                                                      : NULL;
        sup_task_t *t = k ? &s->tasks[k - sup_kinds] : NULL;
        if (!t || (!t->enabled && !t->spawns)) {
            base_buf_appendf(b, "{\"ok\":false,\"error\":");
            char e[256] = "no such task; valid:";
            for (unsigned i = 0; i < sup_nkinds; i++)
                if (s->tasks[i].enabled)
                    snprintf(e + strlen(e), sizeof e - strlen(e), " %s", sup_kinds[i].name);
            sup_json_str(b, e);
            base_buf_append(b, "}", 1);
            return;
        }
        if (!strcmp(cmd, "logs")) {
            base_buf_appendf(b, "{\"ok\":true,\"task\":\"%s\",\"lines\":[", t->kind->name);
            for (unsigned i = t->nlines; i-- > 0;) {
                sup_json_str(b, sup_task_recent(t, i));
                if (i)
                    base_buf_append(b, ",", 1);
            }
            base_buf_append(b, "]}", 2);
        } else if (s->stopping || !t->enabled) {
            base_buf_appendf(b, "{\"ok\":false,\"error\":\"%s\"}",
                             s->stopping ? "stopping" : "the task is not in the config");
        } else {
            BASE_LOG(BASE_LOG_INFO, "sup", "restart of task %s requested", t->kind->name);
            sup_task_replace(t);
            base_buf_appendf(b, "{\"ok\":true}");
        }
    } else {
        base_buf_appendf(b, "{\"ok\":false,\"error\":\"unknown cmd; valid: status, stop, "
                            "reload, restart, logs\"}");
    }
}

static void client_close(sup_client_t *c)
{
    net_io_stop(c->sup->loop, &c->io);
    close(c->io.fd);
    c->used = false;
}

static void on_client(net_loop_t *loop, net_io_t *io, uint32_t ev)
{
    sup_client_t *c = io->data;
    ssize_t r = read(io->fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
    if (r <= 0) {
        if (r < 0 && errno == EAGAIN)
            return;
        client_close(c);
        return;
    }
    c->len += (size_t)r;
    c->buf[c->len] = 0;
    if (!strchr(c->buf, '\n') && c->len < sizeof c->buf - 1)
        return;
    base_buf_t b;
    base_buf_init(&b);
    ctl_handle(c->sup, c->buf, &b);
    base_buf_append(&b, "\n", 1);
    int fd = io->fd;
    fcntl(fd, F_SETFL, 0);
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    for (size_t off = 0; off < b.len;) {
        ssize_t w = write(fd, b.data + off, b.len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    base_buf_fini(&b);
    client_close(c);
}

static void on_control(net_loop_t *loop, net_io_t *io, uint32_t ev)
{
    sup_t *s = io->data;
    for (;;) {
        int fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        sup_client_t *c = NULL;
        for (unsigned i = 0; i < SUP_MAX_CLIENTS && !c; i++)
            if (!s->clients[i].used)
                c = &s->clients[i];
        if (!c) {
            close(fd);
            continue;
        }
        memset(c, 0, sizeof *c);
        c->used = true;
        c->sup = s;
        net_io_start(loop, &c->io, fd, NET_IN, on_client, c);
    }
}

int sup_ctl_open(sup_t *s, char *err, size_t errlen)
{
    snprintf(s->ctlpath, sizeof s->ctlpath, "%s", sup_control_path(&s->gen->cfg));
    base_buf_t b;
    base_buf_init(&b);
    char e[256];
    if (sup_control_call(s->ctlpath, "{\"cmd\":\"status\"}", &b, e, sizeof e) == BASE_OK) {
        base_buf_fini(&b);
        snprintf(err, errlen, "another `harv up` is running with state_dir %s (control socket "
                 "%s answers)", s->gen->cfg.state_dir, s->ctlpath);
        return BASE_ERROR;
    }
    base_buf_fini(&b);
    char spec[PATH_MAX + 8];
    snprintf(spec, sizeof spec, "unix:%s", s->ctlpath);
    net_addr_t a;
    if (net_addr_parse(spec, &a, err, errlen) != BASE_OK)
        return BASE_ERROR;
    mode_t old = umask(0077);
    s->ctlfd = net_listen(&a, 64, 0, err, errlen);
    umask(old);
    if (s->ctlfd < 0)
        return BASE_ERROR;
    net_io_start(s->loop, &s->ctl_io, s->ctlfd, NET_IN, on_control, s);
    return BASE_OK;
}


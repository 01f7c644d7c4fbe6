/* sup/supervisor.c — `harv up`: binds every listener, spawns each task as `harv task KIND`
 * with an fd map, captures its output, restarts it when it dies, drains and stops it, reloads
 * the config, and answers the control socket. All on one net loop: a pidfd per child for
 * exits, a signalfd for SIGTERM/SIGINT/SIGHUP, timers for backoff and kill deadlines.
 * Listeners are in listeners.c, the control socket in ctl_server.c (state: sup_run.h).
 * Layer: sup (supervisor side).
 *
 * The supervised task (one per kind in the config; each arrow names its function):
 *
 *                 task_start                        status fd: "ready ..." (on_status)
 *   STOPPED ─────────────────────► STARTING ─────────────────────────────► RUNNING
 *      ▲                             │  │ died before ready                    │
 *      │                             │  └────────────┐                        │ died
 *      │ stop/disabled:              │               ▼                        ▼
 *      │ inst_drain → SIGTERM,       │        task_died: restart policy ◄─────┘
 *      │ kill timer → cgroup kill    │          │ first death, or stable for stable_ms:
 *      └──── (any state) ◄───────────┘          │   respawn at once (task_start)
 *                                               ├─ else BACKOFF: timer 100ms·2^(n-1),
 *                                               │   capped at backoff_max (on_backoff)
 *                                               └─ max_deaths within window: FAILED
 *                                                   (gives up, says so; `harv restart`
 *                                                    or a reload starts it again)
 *
 * Invariants: (1) the supervisor holds every inherited listener for the whole run, so a
 * dying task never causes connection-refused; (2) a task has at most one current instance;
 * old instances (a reload's previous generation, a restarted one) are only ever draining;
 * (3) every instance is killed as a tree (its cgroup, else its process group) when it exits
 * or its drain deadline passes, so nothing outlives `harv up`. */
#include "sup_run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char *const sup_state_names[] = {"stopped", "starting", "running", "backoff", "failed"};

static void task_start(sup_task_t *t);
static void stop_next(sup_t *s);
static int state_prepare(sup_t *s, char *err, size_t errlen);

/* ---- config generations ------------------------------------------------------------ */
/* Frees the generations that are not current and that no instance runs any more. */
static void gen_gc(sup_t *s)
{
    for (sup_gen_t **p = &s->gens; *p;) {
        sup_gen_t *g = *p;
        bool used = g == s->gen;
        for (unsigned i = 0; i < sup_nkinds && !used; i++) {
            const sup_task_t *t = &s->tasks[i];
            used = t->cur && t->cur->gen == g;
            for (const sup_inst_t *o = t->old; o && !used; o = o->next)
                used = o->gen == g;
        }
        if (used) {
            p = &g->next;
            continue;
        }
        *p = g->next;
        sup_config_fini(&g->cfg);
        close(g->memfd);
        free(g);
    }
}

static sup_gen_t *gen_load(sup_t *s, char *err, size_t errlen)
{
    sup_gen_t *g = base_xcalloc(1, sizeof *g);
    g->memfd = -1;
    const char *path = s->opt->config_path;
    base_buf_t text;
    base_buf_init(&text);
    if (s->opt->config_text) {
        /* A config built in memory (harv up --serve): its "file" is a name in the cwd. */
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd))
            snprintf(cwd, sizeof cwd, "/");
        if (snprintf(g->real, sizeof g->real, "%s/%s", strcmp(cwd, "/") ? cwd : "", path) >=
            (int)sizeof g->real) {
            snprintf(err, errlen, "the working directory's path is too long");
            goto fail;
        }
        base_buf_append(&text, s->opt->config_text, strlen(s->opt->config_text));
    } else {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || !realpath(path, g->real)) {
            snprintf(err, errlen, "%s: cannot open: %s, valid: a readable YAML file (harv up "
                     "-c FILE)", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            goto fail;
        }
        char buf[65536];
        ssize_t r;
        while ((r = read(fd, buf, sizeof buf)) > 0 && text.len <= SUP_CONFIG_MAX_BYTES)
            base_buf_append(&text, buf, (size_t)r);
        close(fd);
    }
    /* The tasks parse the very bytes validated here (a memfd), not whatever the file holds
     * later. */
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", g->real);
    *strrchr(dir, '/') = 0;
    if (sup_config_parse(&g->cfg, path, dir[0] ? dir : "/", text.data ? text.data : "",
                         text.len, err, errlen) != BASE_OK)
        goto fail;
    g->memfd = (int)syscall(SYS_memfd_create, "harv.yaml", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    /* Sealed: a compromised task must not rewrite what its successor reads (its sandbox). */
    if (g->memfd < 0 || write(g->memfd, text.data, text.len) != (ssize_t)text.len ||
        fcntl(g->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
                                         F_SEAL_SEAL) != 0) {
        snprintf(err, errlen, "memfd: %s", strerror(errno));
        goto fail;
    }
    base_buf_fini(&text);
    g->id = ++s->ngen;
    return g;
fail:
    base_buf_fini(&text);
    sup_config_fini(&g->cfg);
    if (g->memfd >= 0)
        close(g->memfd);
    free(g);
    return NULL;
}

/* ---- task output --------------------------------------------------------------------- */
static void task_logfile_open(sup_task_t *t)
{
    const sup_config_t *cfg = &t->sup->gen->cfg;
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/logs/%s.log", cfg->state_dir, t->kind->name);
    t->logfile = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    struct stat st;
    t->logsize = t->logfile >= 0 && fstat(t->logfile, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static void task_logfile_rotate(sup_task_t *t)
{
    const sup_config_t *cfg = &t->sup->gen->cfg;
    char a[PATH_MAX + 64], b[PATH_MAX + 64];
    close(t->logfile);
    for (unsigned k = cfg->log_keep; k >= 1; k--) {
        if (k == 1)
            snprintf(a, sizeof a, "%s/logs/%s.log", cfg->state_dir, t->kind->name);
        else
            snprintf(a, sizeof a, "%s/logs/%s.log.%u", cfg->state_dir, t->kind->name, k - 1);
        snprintf(b, sizeof b, "%s/logs/%s.log.%u", cfg->state_dir, t->kind->name, k);
        rename(a, b);
    }
    task_logfile_open(t);
}

static void task_line(sup_task_t *t, const char *line, size_t len)
{
    if (len >= SUP_LINE_MAX)
        len = SUP_LINE_MAX - 1;
    char *slot = t->lines[t->head];
    memcpy(slot, line, len);
    slot[len] = 0;
    t->head = (t->head + 1) % SUP_LOG_LINES;
    if (t->nlines < SUP_LOG_LINES)
        t->nlines++;
    char out[SUP_LINE_MAX + 80];
    int n = snprintf(out, sizeof out, "[%s] %.*s\n", t->kind->name, (int)len, line);
    if (n <= 0)
        return;
    if (n > (int)sizeof out - 1)
        n = (int)sizeof out - 1;
    if (t->sup->gen->cfg.log_dest == SUP_LOG_FILES) {
        if (t->logfile < 0)
            task_logfile_open(t);
        if (t->logfile >= 0) {
            if (write(t->logfile, out, (size_t)n) > 0)
                t->logsize += (uint64_t)n;
            if (t->logsize > t->sup->gen->cfg.log_max_size)
                task_logfile_rotate(t);
        }
    } else {
        /* Never block the supervisor on a reader that stopped reading: drop and count. */
        struct pollfd p = {.fd = 1, .events = POLLOUT};
        if (poll(&p, 1, 0) == 1 && (p.revents & POLLOUT)) {
            if (t->sup->dropped) {
                char note[96];
                int m = snprintf(note, sizeof note, "[harv] %llu output lines dropped (stdout "
                                 "was full)\n", (unsigned long long)t->sup->dropped);
                (void)!write(1, note, (size_t)m);
                t->sup->dropped = 0;
            }
            (void)!write(1, out, (size_t)n);
        } else {
            t->sup->dropped++;
        }
    }
}

/* The i-th most recent line (0 = newest), or NULL. */
const char *sup_task_recent(const sup_task_t *t, unsigned i)
{
    if (i >= t->nlines)
        return NULL;
    return t->lines[(t->head + SUP_LOG_LINES - 1 - i) % SUP_LOG_LINES];
}

static void inst_read_log(sup_inst_t *in)
{
    /* Bounded per wake-up: a chatty task must not starve the loop (level-triggered: the
     * rest is read on the next tick). */
    for (int rounds = 0; rounds < 64; rounds++) {
        char buf[8192];
        ssize_t r = read(in->log_fd, buf, sizeof buf);
        if (r <= 0) {
            if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                net_io_stop(in->task->sup->loop, &in->log_io);
                close(in->log_fd);
                in->log_fd = -1;
                if (in->partlen)
                    task_line(in->task, in->part, in->partlen);
                in->partlen = 0;
            }
            return;
        }
        for (ssize_t i = 0; i < r; i++) {
            if (buf[i] == '\n' || in->partlen == sizeof in->part) {
                task_line(in->task, in->part, in->partlen);
                in->partlen = 0;
                if (buf[i] == '\n')
                    continue;
            }
            in->part[in->partlen++] = buf[i];
        }
    }
}

static void on_log(net_loop_t *loop, net_io_t *io, uint32_t ev) { inst_read_log(io->data); }

/* ---- instances ----------------------------------------------------------------------- */
static void inst_free(sup_inst_t *in)
{
    net_loop_t *loop = in->task->sup->loop;
    net_timer_stop(loop, &in->kill_timer);
    if (in->pidfd >= 0) {
        net_io_stop(loop, &in->pid_io);
        close(in->pidfd);
    }
    if (in->log_fd >= 0) {
        net_io_stop(loop, &in->log_io);
        close(in->log_fd);
    }
    if (in->st_fd >= 0) {
        net_io_stop(loop, &in->st_io);
        close(in->st_fd);
    }
    free(in);
}

static void inst_kill_now(sup_inst_t *in);

static void on_kill_timer(net_loop_t *loop, net_timer_t *tm)
{
    sup_inst_t *in = tm->data;
    BASE_LOG(BASE_LOG_WARN, "sup", "task %s (pid %d) did not stop within its drain deadline: "
             "killing it", in->task->kind->name, (int)in->pid);
    inst_kill_now(in);
}

/* Asks an instance to finish its in-flight work and exit; kills it after the deadline. */
static void inst_drain(sup_inst_t *in)
{
    if (in->draining)
        return;
    in->draining = true;
    unsigned ms = sup_config_task(&in->gen->cfg, in->task->kind)->drain_ms;
    kill(in->pid, SIGTERM);
    net_timer_start(in->task->sup->loop, &in->kill_timer, (uint64_t)ms + SUP_KILL_GRACE_MS,
                    on_kill_timer, in);
}

static void on_status(net_loop_t *loop, net_io_t *io, uint32_t ev)
{
    sup_inst_t *in = io->data;
    sup_task_t *t = in->task;
    ssize_t r = read(in->st_fd, in->st + in->stlen, sizeof in->st - 1 - in->stlen);
    if (r <= 0) {
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        net_io_stop(loop, &in->st_io);
        close(in->st_fd);
        in->st_fd = -1;
        return;
    }
    in->stlen += (size_t)r;
    in->st[in->stlen] = 0;
    char *nl;
    while ((nl = strchr(in->st, '\n'))) {
        *nl = 0;
        if (!strncmp(in->st, "ready", 5)) {
            in->ready = true;
            in->ready_ms = net_loop_now(loop);
            const char *rep = in->st[5] == ' ' ? in->st + 6 : "";
            snprintf(in->sandbox, sizeof in->sandbox, "%s%s%s", rep,
                     in->has_cg && in->cg.what[0] ? " cgroup:" : "",
                     in->has_cg ? in->cg.what : "");
            if (t->cur == in) {
                t->state = ST_RUNNING;
                if (t->died_ms) {
                    t->last_restart_ms = (long)(in->ready_ms - t->died_ms);
                    t->died_ms = 0;
                }
                BASE_LOG(BASE_LOG_INFO, "sup", "task %s ready (pid %d, generation %u) in "
                         "%llu ms; sandbox: %s", t->kind->name, (int)in->pid, in->gen->id,
                         (unsigned long long)(in->ready_ms - in->spawned_ms), in->sandbox);
                /* A new generation serves: the old ones drain now. */
                for (sup_inst_t *o = t->old; o; o = o->next)
                    inst_drain(o);
            }
        } else if (!strncmp(in->st, "fail ", 5)) {
            snprintf(t->last_exit, sizeof t->last_exit, "failed to start: %s", in->st + 5);
            BASE_LOG(BASE_LOG_ERROR, "sup", "task %s (pid %d) failed to start: %s",
                     t->kind->name, (int)in->pid, in->st + 5);
        }
        size_t rest = in->stlen - (size_t)(nl + 1 - in->st);
        memmove(in->st, nl + 1, rest + 1);
        in->stlen = rest;
    }
    if (in->stlen == sizeof in->st - 1)
        in->stlen = 0;
}

static void task_died(sup_task_t *t, sup_inst_t *in, const char *reason);
static void on_pidfd(net_loop_t *loop, net_io_t *io, uint32_t ev);

static void describe_exit(int status, const sup_inst_t *in, char *out, size_t len)
{
    if (WIFEXITED(status))
        snprintf(out, len, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, len, "killed by signal %d (%s)", WTERMSIG(status),
                 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
    else
        snprintf(out, len, "ended (status 0x%x)", status);
    if (in->has_cg && sup_cgroup_oom_kills(&in->cg))
        snprintf(out + strlen(out), len - strlen(out), " by the memory cap (%llu bytes)",
                 (unsigned long long)sup_config_task(&in->gen->cfg, in->task->kind)
                     ->limits.memory);
}

/* Builds the argv/env and forks the task. In the child only async-signal-safe calls. */
static sup_inst_t *inst_spawn(sup_task_t *t, sup_gen_t *g)
{
    sup_t *s = t->sup;
    const sup_config_t *cfg = &g->cfg;
    const sup_task_cfg_t *tc = sup_config_task(&g->cfg, t->kind);
    sup_inst_t *in = base_xcalloc(1, sizeof *in);
    in->task = t;
    in->gen = g;
    in->pidfd = in->log_fd = in->st_fd = -1;
    int logp[2] = {-1, -1}, stp[2] = {-1, -1};
    if (pipe2(logp, O_CLOEXEC) || pipe2(stp, O_CLOEXEC)) {
        snprintf(t->last_exit, sizeof t->last_exit, "pipe: %s", strerror(errno));
        goto fail;
    }
    char cgname[96];
    snprintf(cgname, sizeof cgname, "%s-%u", t->kind->name, ++t->spawns);
    if (tc->sandbox.cgroup) {
        sup_cgroup_create(&in->cg, cgname, &tc->limits);
        in->has_cg = true;
    }
    bool netns = tc->sandbox.netns && !(t->kind->flags & SUP_KIND_NET);
    bool cg_mem = in->has_cg && strstr(in->cg.what, "memory");

    /* The fd map: status=3 config=4 listen=5.. */
    int src[3 + SUP_MAX_LISTENERS];
    unsigned nsrc = 0;
    char fds[256];
    src[nsrc++] = stp[1];
    src[nsrc++] = g->memfd;
    int n = snprintf(fds, sizeof fds, "status=3,config=4");
    if (!strcmp(t->kind->name, "http")) {
        for (unsigned i = 0; i < cfg->http.listen.n; i++) {
            int fd = sup_lst_fd(s, cfg->http.listen.v[i]);
            if (fd < 0)
                continue;
            n += snprintf(fds + n, sizeof fds - (size_t)n, ",listen=%u", 3 + nsrc);
            src[nsrc++] = fd;
        }
    }
    if (!strcmp(t->kind->name, "sql")) {
        const char *names[2] = {SUP_SQL_TCP_LISTENER, SUP_SQL_SOCK_LISTENER};
        const char *tokens[2] = {"sqltcp", "sqlsock"};
        for (int k = 0; k < 2; k++) {
            int fd = sup_lst_fd(s, names[k]);
            if (fd < 0)
                continue;
            n += snprintf(fds + n, sizeof fds - (size_t)n, ",%s=%u", tokens[k], 3 + nsrc);
            src[nsrc++] = fd;
        }
    }
    if (!strcmp(t->kind->name, "php")) {
        int fd = sup_lst_fd(s, SUP_PHP_LISTENER);
        if (fd >= 0) {
            n += snprintf(fds + n, sizeof fds - (size_t)n, ",listen=%u", 3 + nsrc);
            src[nsrc++] = fd;
        }
    }
    char *argv[] = {"harv", "task", (char *)t->kind->name, "--config-name", g->real, "--fds",
                    fds, NULL};
    char pre[256];
    snprintf(pre, sizeof pre, "HARV_SANDBOX_PRE=%s%s", netns ? "netns " : "",
             cg_mem ? "cgroup-memory" : "");
    size_t nenv = 0;
    while (environ[nenv])
        nenv++;
    char **envp = base_xcalloc(nenv + 3, sizeof *envp);
    size_t k = 0;
    for (size_t i = 0; i < nenv; i++)
        if (strncmp(environ[i], "HARV_SANDBOX_PRE=", 17) &&
            (!SUP_ASAN || strncmp(environ[i], "ASAN_OPTIONS=", 13)))
            envp[k++] = environ[i];
    envp[k++] = pre;
    char asan[512];
    if (SUP_ASAN) {
        /* LeakSanitizer stops the world with ptrace, which the sandbox forbids: leaks are
         * checked in the supervisor and in the unsandboxed tests instead. */
        const char *ao = getenv("ASAN_OPTIONS");
        snprintf(asan, sizeof asan, "ASAN_OPTIONS=%s%sdetect_leaks=0", ao ? ao : "",
                 ao && *ao ? ":" : "");
        envp[k++] = asan;
    }
    uid_t uid = getuid();
    gid_t gid = getgid();
    pid_t parent = getpid();
    in->spawned_ms = net_loop_update_time(s->loop);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(t->last_exit, sizeof t->last_exit, "fork: %s", strerror(errno));
        free(envp);
        goto fail;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        if (in->has_cg)
            sup_cgroup_join(&in->cg);
        if (netns) {
            int flags = CLONE_NEWNET | (uid != 0 ? CLONE_NEWUSER : 0);
            if (unshare(flags) != 0) {
                dprintf(stp[1], "fail private network namespace: %s\n", strerror(errno));
                _exit(1);
            }
            if (uid != 0) {
                char m[64];
                int f = open("/proc/self/setgroups", O_WRONLY);
                if (f >= 0) {
                    (void)!write(f, "deny", 4);
                    close(f);
                }
                f = open("/proc/self/uid_map", O_WRONLY);
                int l = snprintf(m, sizeof m, "%u %u 1", (unsigned)uid, (unsigned)uid);
                if (f >= 0) {
                    (void)!write(f, m, (size_t)l);
                    close(f);
                }
                f = open("/proc/self/gid_map", O_WRONLY);
                l = snprintf(m, sizeof m, "%u %u 1", (unsigned)gid, (unsigned)gid);
                if (f >= 0) {
                    (void)!write(f, m, (size_t)l);
                    close(f);
                }
            }
        }
        int hi[3 + SUP_MAX_LISTENERS];
        for (unsigned i = 0; i < nsrc; i++)
            hi[i] = fcntl(src[i], F_DUPFD, 100 + SUP_MAX_LISTENERS + 3);
        int logw = fcntl(logp[1], F_DUPFD, 100 + SUP_MAX_LISTENERS + 3);
        for (unsigned i = 0; i < nsrc; i++)
            dup2(hi[i], 3 + (int)i);
        int nul = open("/dev/null", O_RDONLY);
        dup2(nul, 0);
        dup2(logw, 1);
        dup2(logw, 2);
        syscall(SYS_close_range, 3 + nsrc, ~0u, 0);
        execve(s->exe, argv, envp);
        dprintf(2, "harv: cannot execute %s: %s\n", s->exe, strerror(errno));
        _exit(127);
    }
    free(envp);
    close(logp[1]);
    close(stp[1]);
    in->pid = pid;
    in->log_fd = logp[0];
    in->st_fd = stp[0];
    fcntl(in->log_fd, F_SETFL, O_NONBLOCK);
    fcntl(in->st_fd, F_SETFL, O_NONBLOCK);
    in->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (in->pidfd < 0) {
        BASE_LOG(BASE_LOG_ALERT, "sup", "pidfd_open(%d): %s", (int)pid, strerror(errno));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(in->log_fd);
        close(in->st_fd);
        in->log_fd = in->st_fd = -1;
        goto fail_cg;
    }
    net_io_start(s->loop, &in->pid_io, in->pidfd, NET_IN, on_pidfd, in);
    net_io_start(s->loop, &in->log_io, in->log_fd, NET_IN, on_log, in);
    net_io_start(s->loop, &in->st_io, in->st_fd, NET_IN, on_status, in);
    BASE_LOG(BASE_LOG_INFO, "sup", "task %s started (pid %d, generation %u)", t->kind->name,
             (int)pid, g->id);
    return in;
fail:
    for (int i = 0; i < 2; i++) {
        if (logp[i] >= 0)
            close(logp[i]);
        if (stp[i] >= 0)
            close(stp[i]);
    }
fail_cg:
    if (in->has_cg)
        sup_cgroup_remove(&in->cg);
    free(in);
    return NULL;
}

static void on_pidfd(net_loop_t *loop, net_io_t *io, uint32_t ev)
{
    sup_inst_t *in = io->data;
    sup_task_t *t = in->task;
    int status = 0;
    pid_t r = waitpid(in->pid, &status, WNOHANG);
    if (r == 0)
        return;
    net_io_stop(loop, &in->pid_io);
    close(in->pidfd);
    in->pidfd = -1;
    /* The tree goes with it; then its last words. */
    if (in->has_cg)
        sup_cgroup_kill(&in->cg);
    kill(-in->pid, SIGKILL);
    if (in->log_fd >= 0)
        inst_read_log(in);
    if (in->st_fd >= 0)
        on_status(loop, &in->st_io, NET_IN);
    char reason[256];
    describe_exit(status, in, reason, sizeof reason);
    if (in->has_cg)
        sup_cgroup_remove(&in->cg);
    /* An old (draining) instance. */
    for (sup_inst_t **p = &t->old; *p; p = &(*p)->next) {
        if (*p != in)
            continue;
        *p = in->next;
        BASE_LOG(BASE_LOG_INFO, "sup", "task %s: previous instance (pid %d, generation %u) "
                 "%s", t->kind->name, (int)in->pid, in->gen->id, reason);
        inst_free(in);
        gen_gc(t->sup);
        if (t->pending_start && !t->old && !t->sup->stopping) {
            t->pending_start = false;
            task_start(t);
        }
        if (t->sup->stopping)
            stop_next(t->sup);
        return;
    }
    t->cur = NULL;
    if (in->draining || t->sup->stopping) {
        BASE_LOG(BASE_LOG_INFO, "sup", "task %s (pid %d) stopped: %s", t->kind->name,
                 (int)in->pid, reason);
        snprintf(t->last_exit, sizeof t->last_exit, "%s", reason);
        t->state = ST_STOPPED;
        inst_free(in);
        gen_gc(t->sup);
        if (t->pending_start && !t->sup->stopping) {
            t->pending_start = false;
            task_start(t);
        }
        if (t->sup->stopping)
            stop_next(t->sup);
        return;
    }
    task_died(t, in, reason);
}

/* ---- the restart policy ------------------------------------------------------------- */
static void on_backoff(net_loop_t *loop, net_timer_t *tm)
{
    sup_task_t *t = tm->data;
    if (t->state == ST_BACKOFF && !t->sup->stopping)
        task_start(t);
}

static void task_died(sup_task_t *t, sup_inst_t *in, const char *reason)
{
    sup_t *s = t->sup;
    const sup_restart_t *rp = &sup_config_task(&s->gen->cfg, t->kind)->restart;
    uint64_t now = net_loop_update_time(s->loop);
    uint64_t up = in->ready ? now - in->ready_ms : 0;
    /* The reason, with the task's last lines. */
    char last[400] = "";
    for (unsigned i = 3; i-- > 0;) {
        const char *l = sup_task_recent(t, i);
        if (l)
            snprintf(last + strlen(last), sizeof last - strlen(last), "%s%s", last[0] ? " | " : "",
                     l);
    }
    snprintf(t->last_exit, sizeof t->last_exit, "%s after %llu ms%s%s", reason,
             (unsigned long long)up, last[0] ? "; last lines: " : "", last);
    BASE_LOG(BASE_LOG_ERROR, "sup", "task %s (pid %d) died: %s", t->kind->name, (int)in->pid,
             t->last_exit);
    inst_free(in);
    if (!t->died_ms)
        t->died_ms = now;
    /* Deaths within the window. */
    unsigned k = 0;
    for (unsigned i = 0; i < t->ndeaths; i++)
        if (now - t->deaths[i] < rp->window_ms)
            t->deaths[k++] = t->deaths[i];
    t->ndeaths = k;
    if (t->ndeaths < SUP_MAX_DEATHS)
        t->deaths[t->ndeaths++] = now;
    if (t->ndeaths >= rp->max_deaths) {
        t->state = ST_FAILED;
        BASE_LOG(BASE_LOG_ALERT, "sup", "giving up on task %s: %u deaths within %u ms (the "
                 "last: %s). `harv restart %s` tries again", t->kind->name, t->ndeaths,
                 rp->window_ms, reason, t->kind->name);
        return;
    }
    if (up >= rp->stable_ms)
        t->consecutive = 0;
    uint64_t delay = 0;
    if (t->consecutive > 0) {
        unsigned sh = t->consecutive - 1 > 20 ? 20 : t->consecutive - 1;
        delay = BASE_MIN((uint64_t)100 << sh, (uint64_t)rp->backoff_max_ms);
    }
    t->consecutive++;
    t->restarts++;
    if (!delay) {
        task_start(t);
        return;
    }
    t->state = ST_BACKOFF;
    BASE_LOG(BASE_LOG_WARN, "sup", "task %s restarts in %llu ms", t->kind->name,
             (unsigned long long)delay);
    net_timer_start(s->loop, &t->backoff, delay, on_backoff, t);
}

static void task_start(sup_task_t *t)
{
    net_timer_stop(t->sup->loop, &t->backoff);
    sup_inst_t *in = inst_spawn(t, t->sup->gen);
    if (!in) {
        BASE_LOG(BASE_LOG_ERROR, "sup", "task %s: cannot start: %s", t->kind->name,
                 t->last_exit);
        t->state = ST_BACKOFF;
        net_timer_start(t->sup->loop, &t->backoff, 1000, on_backoff, t);
        return;
    }
    t->cur = in;
    t->state = ST_STARTING;
}

/* Replaces the running instance with one of the current generation: with overlap the new one
 * starts first and the old drains once the new is ready; else the old drains first. */
void sup_task_replace(sup_task_t *t)
{
    net_timer_stop(t->sup->loop, &t->backoff);
    if (t->state == ST_FAILED || t->state == ST_BACKOFF) {
        t->ndeaths = 0;
        t->consecutive = 0;
    }
    sup_inst_t *old = t->cur;
    if (!old) {
        if (!t->old)
            task_start(t);
        else
            t->pending_start = true;
        return;
    }
    t->cur = NULL;
    old->next = t->old;
    t->old = old;
    if (t->kind->flags & SUP_KIND_OVERLAP) {
        task_start(t);
        if (!old->ready)
            inst_drain(old); /* never became ready: nothing to hand over */
    } else {
        t->pending_start = true;
        inst_drain(old);
    }
}

/* ---- stop ----------------------------------------------------------------------------- */
/* Stops the tasks in reverse start order: the next one only when the previous is gone. */
static void stop_next(sup_t *s)
{
    for (unsigned i = sup_nkinds; i-- > 0;) {
        sup_task_t *t = &s->tasks[i];
        net_timer_stop(s->loop, &t->backoff);
        t->pending_start = false;
        if (!t->cur && !t->old)
            continue;
        if (t->cur)
            inst_drain(t->cur);
        for (sup_inst_t *o = t->old; o; o = o->next)
            inst_drain(o);
        return;
    }
    net_loop_stop(s->loop);
}

static void inst_kill_now(sup_inst_t *in)
{
    if (in->has_cg)
        sup_cgroup_kill(&in->cg);
    kill(-in->pid, SIGKILL);
    kill(in->pid, SIGKILL);
}

void sup_stop_begin(sup_t *s, const char *why)
{
    if (s->stopping) {
        /* A second signal: no more patience. */
        if (strcmp(why, "harv stop")) {
            BASE_LOG(BASE_LOG_WARN, "sup", "%s again: killing every task now", why);
            for (unsigned i = 0; i < sup_nkinds; i++) {
                if (s->tasks[i].cur)
                    inst_kill_now(s->tasks[i].cur);
                for (sup_inst_t *o = s->tasks[i].old; o; o = o->next)
                    inst_kill_now(o);
            }
        }
        return;
    }
    s->stopping = true;
    BASE_LOG(BASE_LOG_INFO, "sup", "stopping (%s): draining tasks in reverse order", why);
    stop_next(s);
    /* Stop accepting: once the draining tasks let go of their copies, the sockets close and
     * new connections are refused instead of queueing for nobody. */
    for (unsigned i = 0; i < s->nlst; i++) {
        close(s->lst[i].fd);
        if (s->lst[i].unix_owned)
            unlink(s->lst[i].address + 5);
    }
    s->nlst = 0;
}

/* ---- reload ---------------------------------------------------------------------------- */
int sup_reload(sup_t *s, char *err, size_t errlen)
{
    sup_gen_t *g = gen_load(s, err, errlen);
    if (!g) {
        BASE_LOG(BASE_LOG_ERROR, "sup", "reload refused, still running generation %u: %s",
                 s->gen->id, err);
        return BASE_ERROR;
    }
    if (strcmp(g->cfg.state_dir, s->gen->cfg.state_dir)) {
        snprintf(err, errlen, "%s: state_dir cannot change on reload (%s → %s), valid: "
                 "restart harv up", g->cfg.file, s->gen->cfg.state_dir, g->cfg.state_dir);
        goto refuse;
    }
    if (sup_lst_bind(s, &g->cfg, err, errlen) != BASE_OK)
        goto refuse;
    g->next = s->gens;
    s->gens = g;
    s->gen = g;
    BASE_LOG(BASE_LOG_INFO, "sup", "reload: generation %u from %s", g->id, g->cfg.file);
    char e2[512];
    if (state_prepare(s, e2, sizeof e2) != BASE_OK) /* a new user owns the state dirs */
        BASE_LOG(BASE_LOG_ERROR, "sup", "reload: %s", e2);
    for (unsigned i = 0; i < sup_nkinds; i++) {
        sup_task_t *t = &s->tasks[i];
        t->enabled = sup_config_task(&g->cfg, t->kind)->enabled;
        if (t->enabled) {
            sup_task_replace(t);
        } else if (t->cur) {
            t->cur->next = t->old;
            t->old = t->cur;
            t->cur = NULL;
            t->state = ST_STOPPED;
            inst_drain(t->old);
        } else {
            net_timer_stop(s->loop, &t->backoff);
            t->state = ST_STOPPED;
        }
    }
    gen_gc(s);
    return BASE_OK;
refuse:
    BASE_LOG(BASE_LOG_ERROR, "sup", "reload refused, still running generation %u: %s",
             s->gen->id, err);
    sup_config_fini(&g->cfg);
    close(g->memfd);
    free(g);
    return BASE_ERROR;
}

static void on_signal(net_loop_t *loop, net_io_t *io, uint32_t ev)
{
    sup_t *s = io->data;
    struct signalfd_siginfo si;
    while (read(io->fd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGHUP) {
            char err[1024];
            if (!s->stopping)
                sup_reload(s, err, sizeof err);
        } else {
            sup_stop_begin(s, si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
        }
    }
}

/* ---- run ------------------------------------------------------------------------------ */
static int mkdir_owned(const char *path, uid_t uid, gid_t gid, bool chown_it)
{
    if (mkdir(path, 0750) != 0 && errno != EEXIST)
        return BASE_ERROR;
    if (chown_it)
        (void)!chown(path, uid, gid);
    return BASE_OK;
}

static int state_prepare(sup_t *s, char *err, size_t errlen)
{
    const sup_config_t *cfg = &s->gen->cfg;
    struct passwd *pw = NULL;
    if (cfg->user && geteuid() == 0) {
        pw = getpwnam(cfg->user);
        if (!pw) {
            snprintf(err, errlen, "%s: user: '%s' does not exist, valid: a user of this system",
                     cfg->file, cfg->user);
            return BASE_ERROR;
        }
    }
    uid_t uid = pw ? pw->pw_uid : 0;
    gid_t gid = pw ? pw->pw_gid : 0;
    const char *subs[] = {"", "/run", "/logs", "/sql", "/probe", "/php", "/php/tmp"};
    for (size_t i = 0; i < BASE_ARRAY_LEN(subs); i++) {
        char p[PATH_MAX + 16];
        snprintf(p, sizeof p, "%s%s", cfg->state_dir, subs[i]);
        if (mkdir_owned(p, uid, gid, pw && i != 1) != BASE_OK) {
            if (snprintf(err, errlen, "%s: state_dir: cannot create %s: %s", cfg->file, p,
                         strerror(errno)) >= (int)errlen && errlen > 4)
                memcpy(err + errlen - 4, "...", 4); /* say it was cut */
            return BASE_ERROR;
        }
    }
    /* The http task (the configured user) connects to the PHP pool's socket in run/, which
     * stays root's: it may pass through it, not list it (the control socket is 0600). */
    if (pw && cfg->php.task.enabled) {
        char p[PATH_MAX + 16];
        snprintf(p, sizeof p, "%s/run", cfg->state_dir);
        chmod(p, 0711);
    }
    return BASE_OK;
}

int sup_run(const sup_options_t *opt)
{
    static sup_t sup;
    sup_t *s = &sup;
    char err[2048];
    s->opt = opt;
    s->sigfd = s->ctlfd = -1;
    s->started_ms = base_now_ms();
    base_log_set_prefix("harv");
    if (opt->exe) {
        snprintf(s->exe, sizeof s->exe, "%s", opt->exe);
    } else {
        ssize_t n = readlink("/proc/self/exe", s->exe, sizeof s->exe - 1);
        if (n <= 0) {
            fprintf(stderr, "harv up: cannot find its own binary: %s\n", strerror(errno));
            return 1;
        }
        s->exe[n] = 0;
    }
    sup_lst_inherit(s);
    s->gen = gen_load(s, err, sizeof err);
    if (!s->gen) {
        fprintf(stderr, "harv up: %s\n", err);
        return 2;
    }
    s->gens = s->gen;
    base_log_set_level(s->gen->cfg.log_level);
    s->loop = net_loop_new();
    if (!s->loop) {
        fprintf(stderr, "harv up: cannot create the event loop: %s\n", strerror(errno));
        return 1;
    }
    for (unsigned i = 0; i < sup_nkinds; i++) {
        s->tasks[i].kind = &sup_kinds[i];
        s->tasks[i].sup = s;
        s->tasks[i].logfile = -1;
        s->tasks[i].last_restart_ms = -1;
    }
    int rc = 1;
    if (state_prepare(s, err, sizeof err) != BASE_OK ||
        sup_ctl_open(s, err, sizeof err) != BASE_OK ||
        sup_lst_bind(s, &s->gen->cfg, err, sizeof err) != BASE_OK) {
        fprintf(stderr, "harv up: %s\n", err);
        goto out;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    net_io_start(s->loop, &s->sig_io, s->sigfd, NET_IN, on_signal, s);
    sup_cgroup_probe();
    for (unsigned i = 0; i < s->ninherited; i++)
        close(s->inherited[i]);
    s->ninherited = 0;
    /* Start in dependency order. */
    for (unsigned i = 0; i < sup_nkinds; i++) {
        sup_task_t *t = &s->tasks[i];
        t->enabled = sup_config_task(&s->gen->cfg, t->kind)->enabled;
        if (t->enabled)
            task_start(t);
    }
    char line[2048];
    int n = snprintf(line, sizeof line, "harv up: control %s", s->ctlpath);
    for (unsigned i = 0; i < s->nlst; i++) {
        char text[320];
        sup_lst_text(&s->lst[i], text, sizeof text);
        n += snprintf(line + n, sizeof line - (size_t)n, " %s=%s", s->lst[i].name, text);
    }
    printf("%s\n", line);
    fflush(stdout);
    net_loop_run(s->loop);
    rc = 0;
    BASE_LOG(BASE_LOG_INFO, "sup", "all tasks stopped");
out:
    for (unsigned i = 0; i < s->nlst; i++) {
        close(s->lst[i].fd);
        if (s->lst[i].unix_owned)
            unlink(s->lst[i].address + 5);
    }
    if (s->ctlfd >= 0) {
        close(s->ctlfd);
        unlink(s->ctlpath);
    }
    for (unsigned i = 0; i < sup_nkinds; i++)
        if (s->tasks[i].logfile >= 0)
            close(s->tasks[i].logfile);
    if (s->sigfd >= 0)
        close(s->sigfd);
    sup_cgroup_cleanup();
    while (s->gens) {
        sup_gen_t *g = s->gens;
        s->gens = g->next;
        sup_config_fini(&g->cfg);
        close(g->memfd);
        free(g);
    }
    net_loop_free(s->loop);
    return rc;
}

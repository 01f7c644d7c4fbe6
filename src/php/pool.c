/* php/pool.c — the php task's master: starts PHP once (php.ini, the overrides, OPcache's
 * shared memory), binds the unix socket, forks K workers that inherit both, and supervises
 * them. Layer: php.
 *
 * A worker slot's life (shared memory; each arrow names who takes it):
 *
 *        spawn() fork
 *   EMPTY ───────────► IDLE ◄──────────────────────┐
 *     ▲                 │ BEGIN_REQUEST + PARAMS    │ END_REQUEST sent
 *     │                 ▼ (serve_conn: busy=1)      │ (serve_conn: busy=0)
 *     │               BUSY ─────────────────────────┘
 *     │                 │ now - start_ms > timeout_ms (supervise: SIGKILL, killed=1)
 *     │                 ▼
 *     ├────────────── DEAD ◄── crash, fatal signal, recycled (max_requests, memory cap: the
 *     │   reap(): waitpid     worker _exits between requests)
 *     └── respawned at once unless stopping
 *
 * The master never runs PHP requests; it sleeps in 50 ms steps, reaping and checking
 * deadlines. A worker killed for its deadline leaves its client connection closed: the
 * FastCGI client of HarvTTP has answered 504 at the same deadline already (its timer starts
 * earlier, when the request arrives). */
#include "php_int.h"

#include <harv/net.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/landlock.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PHPW_MAX_WORKERS 1024
#define PHPW_MAX_WRITABLE 16
#define PHPW_TICK_MS 50
#define PHPW_STOP_GRACE_MS 3000
#define PHPW_RESPAWN_FAST_LIMIT 20 /* deaths within a second before respawning slows down */

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig) { stop_requested = 1; }
static void on_chld(int sig) {}

void phpw_config_defaults(phpw_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen_fd = -1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->workers = (unsigned)(cores > 0 ? 2 * cores : 4);
    if (cfg->workers < 2)
        cfg->workers = 2;
    cfg->max_requests = 500;
    cfg->memory_cap = (size_t)256 << 20;
    cfg->timeout_ms = 30000;
    cfg->open_basedir = true;
}

/* The ini_entries string: Harv's defaults, then the configured overrides (later wins).
 * open_basedir is left out: PHP turns its realpath cache off for good when open_basedir is
 * set at module startup, and every include of an application then resolves its path again
 * (WordPress: +50% CPU per page). *basedir gets it instead, applied after startup as php-fpm
 * applies its pools' php_admin_value (phpw_sapi_startup). */
static char *build_ini(const phpw_config_t *cfg, const char *root_real, const char *tmp,
                       char **basedir)
{
    base_buf_t b;
    base_buf_init(&b);
    base_buf_appendf(&b, "display_errors=0\nlog_errors=1\nexpose_php=0\nhtml_errors=0\n");
    base_buf_appendf(&b, "upload_tmp_dir=\"%s\"\nsys_temp_dir=\"%s\"\n", tmp, tmp);
    if (phpw_sanitized()) /* no php.ini there: Debian's production buffering */
        base_buf_appendf(&b, "output_buffering=4096\n");
    *basedir = NULL;
    if (cfg->open_basedir) {
        size_t n = strlen(root_real) + strlen(tmp) + 2;
        *basedir = base_xmalloc(n);
        snprintf(*basedir, n, "%s:%s", root_real, tmp);
    }
    for (const char **p = cfg->ini; p && *p; p++) {
        const char *eq = strchr(*p, '=');
        if (!eq)
            continue;
        if (eq - *p == 12 && !strncmp(*p, "open_basedir", 12)) {
            free(*basedir);
            *basedir = base_xstrdup(eq + 1);
            continue;
        }
        base_buf_appendf(&b, "%.*s=\"%s\"\n", (int)(eq - *p), *p, eq + 1);
    }
    base_buf_append(&b, "", 1);
    return b.data;
}

typedef struct pool {
    const phpw_config_t *cfg;
    int lfd;
    phpw_slot_t *slots;
    unsigned n;
    const char *root_real;
    const char *writable[PHPW_MAX_WRITABLE + 2]; /* tmp + configured, resolved */
} pool_t;

static void spawn(pool_t *p, unsigned i)
{
    phpw_slot_t *s = &p->slots[i];
    s->busy = 0;
    s->requests = 0;
    s->killed = 0;
    pid_t pid = fork();
    if (pid < 0) {
        base_log(BASE_LOG_ERROR, "php", "fork: %s", strerror(errno));
        s->pid = 0;
        return;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
            _exit(0);
        struct sigaction sa = {.sa_handler = SIG_DFL};
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGCHLD, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        s->pid = getpid();
        if (p->cfg->isolate) {
            char err[256];
            if (phpw_isolate_files(p->writable, p->cfg->connect_ports, err, sizeof err) != 0) {
                base_log(BASE_LOG_ERROR, "php", "worker isolation: %s", err);
                _exit(1);
            }
        }
        phpw_worker_main(p->lfd, s, p->cfg, p->root_real);
        _exit(0);
    }
    s->pid = pid;
}

static unsigned find_slot(pool_t *p, pid_t pid)
{
    for (unsigned i = 0; i < p->n; i++)
        if (p->slots[i].pid == pid)
            return i;
    return p->n;
}

/* Reaps dead workers (their slots become empty); returns how many died. While stopping,
 * deaths are the expected outcome and are not logged. */
static unsigned reap(pool_t *p)
{
    unsigned died = 0;
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        unsigned i = find_slot(p, pid);
        if (i == p->n)
            continue;
        died++;
        phpw_slot_t *s = &p->slots[i];
        if (s->killed || stop_requested)
            ; /* logged when killed; or we are stopping them */
        else if (WIFSIGNALED(status))
            base_log(BASE_LOG_WARN, "php", "worker %d died of signal %d%s", (int)pid,
                     WTERMSIG(status), s->busy ? " during a request" : "");
        else if (WEXITSTATUS(status) != 0)
            base_log(BASE_LOG_WARN, "php", "worker %d exited with %d", (int)pid,
                     WEXITSTATUS(status));
        s->pid = 0;
    }
    return died;
}

static void enforce_deadlines(pool_t *p)
{
    uint64_t now = base_now_ms();
    for (unsigned i = 0; i < p->n; i++) {
        phpw_slot_t *s = &p->slots[i];
        if (!s->pid || !s->busy || s->killed)
            continue;
        uint64_t start = s->start_ms;
        if (now > start && now - start > p->cfg->timeout_ms) {
            base_log(BASE_LOG_WARN, "php", "worker %d ran a request for %llu ms (limit %u): "
                     "killed and replaced", (int)s->pid, (unsigned long long)(now - start),
                     p->cfg->timeout_ms);
            s->killed = 1;
            kill(s->pid, SIGKILL);
        }
    }
}

static bool landlock_missing(void)
{
    return syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) < 1;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL); /* EINTR (SIGCHLD, SIGTERM) ends it early: fine */
}

int phpw_pool_run(const phpw_config_t *cfg_in, char *err, size_t errlen)
{
    phpw_config_t cfg = *cfg_in;
    int rc = -1;
    char root_real[PATH_MAX], tmp[PATH_MAX] = "";
    bool own_tmp = false;
    char *ini = NULL, *basedir = NULL;
    pool_t p = {.cfg = &cfg, .lfd = -1};
    if (!cfg.root || !realpath(cfg.root, root_real)) {
        snprintf(err, errlen, "--root %s: %s", cfg.root ? cfg.root : "(none)",
                 cfg.root ? strerror(errno) : "a directory is required");
        return -1;
    }
    if (!cfg.workers || cfg.workers > PHPW_MAX_WORKERS) {
        snprintf(err, errlen, "--workers must be from 1 to %d", PHPW_MAX_WORKERS);
        return -1;
    }
    if (cfg.tmp_dir) {
        if (!realpath(cfg.tmp_dir, tmp)) {
            snprintf(err, errlen, "--tmp %s: %s", cfg.tmp_dir, strerror(errno));
            return -1;
        }
    } else {
        snprintf(tmp, sizeof tmp, "/tmp/harv-php-tmp.XXXXXX");
        if (!mkdtemp(tmp)) {
            snprintf(err, errlen, "mkdtemp %s: %s", tmp, strerror(errno));
            return -1;
        }
        own_tmp = true;
    }

    /* the socket first: a bad path fails before PHP is started */
    if (cfg.listen_fd >= 0) {
        p.lfd = cfg.listen_fd;
    } else {
        if (!cfg.socket) {
            snprintf(err, errlen, "a --socket path is required");
            goto out;
        }
        char spec[PATH_MAX + 8];
        snprintf(spec, sizeof spec, "unix:%s", cfg.socket);
        net_addr_t addr;
        if (net_addr_parse(spec, &addr, err, errlen) != BASE_OK)
            goto out;
        p.lfd = net_listen(&addr, 1024, 0, err, errlen);
        if (p.lfd < 0)
            goto out;
        if (cfg.socket_mode && chmod(cfg.socket, cfg.socket_mode) != 0) {
            snprintf(err, errlen, "chmod %s: %s", cfg.socket, strerror(errno));
            goto out;
        }
    }
    /* workers block in accept(): the kernel hands each connection to one of them */
    int fl = fcntl(p.lfd, F_GETFL);
    fcntl(p.lfd, F_SETFL, fl & ~O_NONBLOCK);
    /* The master and the workers it forks are SCHED_BATCH: the same share of the CPU, but a
     * worker woken by a request does not preempt the task that woke it. HarvTTP's loop then
     * finishes its batch (more requests handed out, answers written) instead of being switched
     * out in the middle of each send; on a shared core that is one context switch fewer per
     * request or so (about 4 us of the ~40 a hello-world costs on CPU 0). Unprivileged. */
    struct sched_param sp = {0};
    if (sched_setscheduler(0, SCHED_BATCH, &sp) != 0)
        base_log(BASE_LOG_DEBUG, "php", "SCHED_BATCH: %s", strerror(errno));

    p.writable[0] = tmp;
    char wreal[PHPW_MAX_WRITABLE][PATH_MAX];
    unsigned nw = 0;
    for (const char **w = cfg.writable; w && *w; w++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s%s%s", **w == '/' ? "" : root_real, **w == '/' ? "" : "/",
                 *w);
        if (nw == PHPW_MAX_WRITABLE || !realpath(path, wreal[nw])) {
            snprintf(err, errlen, "--writable %s: %s", *w,
                     nw == PHPW_MAX_WRITABLE ? "too many (16 at most)" : strerror(errno));
            goto out;
        }
        p.writable[1 + nw] = wreal[nw];
        nw++;
    }
    if (cfg.isolate && landlock_missing()) {
        snprintf(err, errlen, "--isolate needs Landlock, which this kernel does not offer");
        goto out;
    }

    ini = build_ini(&cfg, root_real, tmp, &basedir);
    if (phpw_sapi_startup(ini, basedir, err, errlen) != 0)
        goto out;
    if (cfg.isolate && !cfg.connect_ports[0] && phpw_isolate_network(err, errlen) != 0) {
        phpw_sapi_shutdown();
        goto out;
    }

    if (cfg.on_started && cfg.on_started(cfg.hook_ctx, err, errlen) != 0) {
        phpw_sapi_shutdown();
        goto out;
    }

    p.n = cfg.workers;
    p.root_real = root_real;
    p.slots = mmap(NULL, sizeof *p.slots * p.n, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p.slots == MAP_FAILED) {
        snprintf(err, errlen, "mmap: %s", strerror(errno));
        p.slots = NULL;
        phpw_sapi_shutdown();
        goto out;
    }
    memset(p.slots, 0, sizeof *p.slots * p.n);

    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    struct sigaction sc = {.sa_handler = on_chld, .sa_flags = SA_NOCLDSTOP};
    sigaction(SIGCHLD, &sc, NULL);
    signal(SIGPIPE, SIG_IGN);

    for (unsigned i = 0; i < p.n; i++)
        spawn(&p, i);
    base_log(BASE_LOG_INFO, "php", "pool ready: %u workers on %s, root %s%s", p.n,
             cfg.socket ? cfg.socket : "(inherited socket)", root_real,
             cfg.isolate ? ", isolated (netns, Landlock)" : "");

    uint64_t window = base_now_ms();
    unsigned deaths = 0;
    while (!stop_requested) {
        sleep_ms(PHPW_TICK_MS);
        enforce_deadlines(&p);
        uint64_t now = base_now_ms();
        if (now - window > 1000) {
            window = now;
            deaths = 0;
        }
        deaths += reap(&p);
        /* refill empty slots; a crash loop (the limit of deaths within a second) waits for
         * the next second */
        if (deaths < PHPW_RESPAWN_FAST_LIMIT)
            for (unsigned i = 0; i < p.n; i++)
                if (!p.slots[i].pid)
                    spawn(&p, i);
    }

    /* stop: a worker is killed as soon as it holds no request (idle workers at once: they
     * would only finish on the next connection, and PHP's own handlers, installed by a
     * worker's first request, defer SIGTERM); busy ones finish theirs, up to the grace
     * period, then they are killed too. */
    uint64_t grace = cfg.stop_grace_ms ? cfg.stop_grace_ms : PHPW_STOP_GRACE_MS;
    uint64_t t0 = base_now_ms();
    for (;;) {
        reap(&p);
        unsigned alive = 0;
        bool late = base_now_ms() - t0 > grace;
        for (unsigned i = 0; i < p.n; i++) {
            if (!p.slots[i].pid)
                continue;
            alive++;
            if (!p.slots[i].busy || late)
                kill(p.slots[i].pid, SIGKILL);
        }
        if (!alive)
            break;
        sleep_ms(20);
    }
    phpw_sapi_shutdown();
    munmap(p.slots, sizeof *p.slots * p.n);
    rc = 0;
out:
    if (p.lfd >= 0 && cfg.listen_fd < 0) {
        close(p.lfd);
        if (cfg.socket)
            unlink(cfg.socket);
    }
    if (own_tmp) {
        /* uploads are deleted by PHP; anything else a script left is removed here */
        if (rmdir(tmp) != 0 && errno == ENOTEMPTY) {
            pid_t pid = fork();
            if (pid == 0) {
                execl("/bin/rm", "rm", "-rf", "--", tmp, (char *)NULL);
                _exit(127);
            }
            if (pid > 0)
                waitpid(pid, NULL, 0);
        }
    }
    free(ini);
    free(basedir);
    if (rc == 0 && phpw_sanitized())
        _exit(0); /* LeakSanitizer would report libphp's own start-up allocations */
    return rc;
}

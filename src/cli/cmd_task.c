/* cmd_task.c — `harv task KIND --config-name PATH --fds status=3,config=4,listen=5,...`:
 * the process the supervisor re-executes for each task. It parses the config bytes the
 * supervisor validated (fd "config"), applies its sandbox (sup_sandbox_apply) before it reads
 * any input, reports "ready <what took effect>" (or "fail <why>") on fd "status", then runs:
 *   http   HarvTTP on the inherited listeners: static files, and with a php section the PHP
 *          router (phpw_serve_*) whose FastCGI upstream is the php task's socket (connected
 *          by path) or an external php-fpm; SIGTERM drains
 *   sql    HarvSQL (binds its own port for now: its server cannot adopt fds yet)
 *   php    the PHP pool (phpw_pool_run) on the inherited STATE/run/php.sock: PHP starts, then
 *          the sandbox (W^X holds from here), then the workers fork and add their own layer
 *   probe  test-only: tries what the sandbox forbids and prints what happened
 * Layer: cli (links every component; sup knows the kinds only through sup_kinds[]). */
#include "cli.h"

#include <harv/http.h>
#include <harv/sup.h>

/* PHP is optional too: its functions are weak references, NULL when the binary is built
 * without it (-DHARV_WITHOUT=php; the indented directive keeps this command in the build). */
#  include <harv/php.h>
#pragma weak phpw_pool_run
#pragma weak phpw_config_defaults
#pragma weak phpw_serve_setup
#pragma weak phpw_serve_handle
#pragma weak phpw_serve_body_stream
#pragma weak phpw_serve_free

/* HarvSQL is optional here: without it (-DHARV_WITHOUT=sql) the other kinds still run. The
 * indented directive keeps src/cli/CMakeLists.txt from leaving this whole command out. */
#if __has_include("server.h")
#  include "server.h"
#  define TASK_HAVE_SQL 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TASK_MAX_LISTEN 16

typedef struct task_env {
    const char *kind;
    sup_config_t cfg;
    int status_fd;
    int listen[TASK_MAX_LISTEN + 1]; /* -1-terminated */
    unsigned nlisten;
    int sql_tcp_fd, sql_unix_fd;     /* HarvSQL's sockets, bound by the supervisor (0: none) */
    char report[1536];
} task_env_t;

static void task_fail(task_env_t *te, const char *what)
{
    fprintf(stderr, "harv task %s: %s\n", te->kind, what);
    if (te->status_fd >= 0)
        dprintf(te->status_fd, "fail %s\n", what);
}

static void task_ready(task_env_t *te)
{
    dprintf(te->status_fd, "ready %s\n", te->report);
    close(te->status_fd);
    te->status_fd = -1;
}

/* Applies the sandbox; the supervisor's own part (netns, cgroup) comes in the environment. */
static int task_sandbox(task_env_t *te, sup_sandbox_req_t *req)
{
    char rep[1024], err[512];
    const char *pre = getenv("HARV_SANDBOX_PRE");
    req->kind = te->kind;
    req->user = te->cfg.user;
    req->cgroup_memory = pre && strstr(pre, "cgroup-memory");
    if (sup_sandbox_apply(req, rep, sizeof rep, err, sizeof err) != BASE_OK) {
        task_fail(te, err);
        return BASE_ERROR;
    }
    /* The supervisor reports the cgroup itself; the namespace is shown here. */
    bool netns = pre && strstr(pre, "netns");
    snprintf(te->report, sizeof te->report, "%s%s", rep, netns ? " netns" : "");
    size_t l = strlen(te->report);
    while (l && te->report[l - 1] == ' ')
        te->report[--l] = 0;
    return BASE_OK;
}

static const char *errname(int e)
{
    return e ? (strerrorname_np(e) ? strerrorname_np(e) : "E?") : "OK";
}

/* ---- http ---------------------------------------------------------------------------- */
typedef struct http_task {
    task_env_t *te;
    http_static_t *st;
    http_server_t *srv;
    phpw_serve_t *php; /* the PHP router, when the config has php */
} http_task_t;

/* The extension of the last segment of path ("" when none). */
static base_span_t path_ext(base_span_t path)
{
    size_t i = path.len;
    while (i > 0 && path.p[i - 1] != '/' && path.p[i - 1] != '.')
        i--;
    if (i == 0 || path.p[i - 1] != '.')
        return (base_span_t){"", 0};
    return (base_span_t){path.p + i, path.len - i};
}

static bool ext_allowed(const sup_strlist_t *allow, base_span_t path)
{
    if (!allow->n || !path.len || path.p[path.len - 1] == '/')
        return true;
    size_t i = path.len;
    while (i > 0 && path.p[i - 1] != '/' && path.p[i - 1] != '.')
        i--;
    if (i == 0 || path.p[i - 1] != '.')
        return false;
    base_span_t ext = {path.p + i, path.len - i};
    for (unsigned k = 0; k < allow->n; k++)
        if (base_span_eq_ci(ext, allow->v[k]))
            return true;
    return false;
}

/* /_test/sandbox: the http task probes its own sandbox (only once seccomp is in force, so a
 * misconfigured test can never exec or fork a real server). */
static void task_sandbox_probe(http_response_t *resp)
{
    base_arena_t *a = http_response_arena(resp);
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2) {
        http_response_error(resp, 403);
        return;
    }
    char *args[] = {"/bin/true", NULL};
    errno = 0;
    execve("/bin/true", args, NULL);
    int e_exec = errno;
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    int e_fork = p < 0 ? errno : 0;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int e_sock = s < 0 ? errno : 0;
    if (s >= 0)
        close(s);
    int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    int e_read = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    fd = open("/tmp/harv-http-probe", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    int e_write = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    errno = 0;
    int e_unlink = unlink("/tmp/harv-http-probe") == 0 ? 0 : errno;
    void *m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int e_mmap = m == MAP_FAILED ? errno : 0;
    char *body = base_arena_printf(a, "execve=%s\nfork=%s\nsocket=%s\nread_etc=%s\n"
                                      "write_tmp=%s\nunlink=%s\nmmap_exec=%s\n",
                                   errname(e_exec), errname(e_fork), errname(e_sock),
                                   errname(e_read), errname(e_write), errname(e_unlink),
                                   errname(e_mmap));
    http_response_header(resp, "Content-Type", "text/plain");
    http_response_body(resp, body, strlen(body));
}

/* The http task's test-only routes (`test_handlers: true`), as `harv serve --test-handlers`
 * has them: /_test/echo echoes the body, /_test/sleep?ms=N answers after N ms (0..10000, else
 * 100), /_test/pid names the serving process; other /_test/ paths are 404. Returns true when
 * req was such a route (resp is complete). */
/* The task's own probes; the rest of /_test/ is the library's http_test_route(). */
static bool task_test_route(const http_request_t *req, http_response_t *resp)
{
    if (base_span_eq(req->path, "/_test/sandbox")) {
        task_sandbox_probe(resp);
    } else if (base_span_eq(req->path, "/_test/pid")) {
        char *b = base_arena_printf(http_response_arena(resp), "%d\n", (int)getpid());
        http_response_header(resp, "Content-Type", "text/plain");
        http_response_body(resp, b, strlen(b));
    } else {
        return http_test_route(req, resp);
    }
    return true;
}

static void http_task_handle(void *ctxp, const http_request_t *req, http_response_t *resp)
{
    http_task_t *ht = ctxp;
    const sup_http_cfg_t *hc = &ht->te->cfg.http;
    if (hc->test_handlers && task_test_route(req, resp))
        ;
    else if (ht->php) {
        /* PHP sites: scripts and extension-less paths (the front controller) always route;
         * mime_allow still limits the static files. */
        base_span_t ext = path_ext(req->path);
        if (ext.len && !base_span_eq_ci(ext, "php") && !ext_allowed(&hc->mime_allow, req->path))
            http_response_error(resp, 404);
        else
            phpw_serve_handle(ht->php, req, resp);
    } else if (!ext_allowed(&hc->mime_allow, req->path))
        http_response_error(resp, 404);
    else
        http_static_handle(ht->st, req, resp);
}

static bool http_task_body_stream(void *ctxp, const http_request_t *req)
{
    http_task_t *ht = ctxp;
    if (ht->te->cfg.http.test_handlers && http_test_body_stream(req))
        return true;
    return ht->php && phpw_serve_body_stream(ht->php, req);
}

/* SIGTERM: stop accepting, let in-flight requests finish (up to drain_timeout), return.
 * http_server_drain() does it inside the server's loops; the supervisor keeps the listening
 * sockets open, so queued connections go to the next generation. */
static void *http_drainer(void *arg)
{
    http_task_t *ht = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig;
    sigwait(&set, &sig);
    http_server_drain(ht->srv, ht->te->cfg.http.task.drain_ms);
    return NULL;
}

static int task_http(task_env_t *te)
{
    sup_http_cfg_t *hc = &te->cfg.http;
    http_config_t c;
    http_config_defaults(&c);
    c.listen_fds = te->listen;
    if (hc->threads)
        c.threads = hc->threads;
    if (hc->max_conn)
        c.max_conn = hc->max_conn;
    if (hc->request_count)
        c.request_count = hc->request_count;
    if (hc->max_body)
        c.max_body = hc->max_body;
    if (hc->max_head)
        c.limits.max_head = (size_t)hc->max_head;
    if (hc->timeout_request_ms)
        c.timeout_request_ms = hc->timeout_request_ms;
    if (hc->timeout_body_ms)
        c.timeout_body_ms = hc->timeout_body_ms;
    if (hc->timeout_keepalive_ms)
        c.timeout_keepalive_ms = hc->timeout_keepalive_ms;
    if (hc->timeout_send_ms)
        c.timeout_send_ms = hc->timeout_send_ms;
    if (!strcmp(hc->access_log, "stdout")) {
        c.access_log_fd = 1;
    } else if (strcmp(hc->access_log, "off")) {
        c.access_log_fd = open(hc->access_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (c.access_log_fd < 0) {
            char e[PATH_MAX + 64];
            snprintf(e, sizeof e, "access_log %s: %s", hc->access_log, strerror(errno));
            task_fail(te, e);
            return 1;
        }
    }
    if (!te->nlisten) {
        task_fail(te, "no listener was passed");
        return 1;
    }
    static http_task_t ht;
    ht.te = te;
    sup_sandbox_req_t req = {.task = &hc->task, .ro_paths = {hc->root}};
    const sup_php_cfg_t *pc = &te->cfg.php;
    char upstream[PATH_MAX + 8] = "";
    if (pc->present) {
        if (!phpw_serve_setup) {
            task_fail(te, "the config has php, but PHP is not built into this binary");
            return 1;
        }
        /* The pool's socket by path (Landlock does not govern connecting to a named unix
         * socket); an external server on TCP gets exactly its port. */
        snprintf(upstream, sizeof upstream, "%s%s", pc->fastcgi ? "" : "unix:",
                 pc->fastcgi ? pc->fastcgi : pc->socket);
        req.unix_connect = true;
        if (strncmp(upstream, "unix:", 5)) {
            net_addr_t a;
            char e[256];
            if (net_addr_parse(upstream, &a, e, sizeof e) == BASE_OK) {
                req.inet_connect = true;
                req.connect_ports[0] = a.family == AF_INET6
                                           ? ntohs(((struct sockaddr_in6 *)&a.ss)->sin6_port)
                                           : ntohs(((struct sockaddr_in *)&a.ss)->sin_port);
            }
        }
    }
    if (task_sandbox(te, &req) != BASE_OK)
        return 1;
    char err[512];
    if (pc->present) {
        phpw_serve_opts_t po = {.fastcgi = upstream, .workers = pc->workers,
                                .timeout_ms = pc->timeout_ms, .loops = c.threads};
        if (phpw_serve_setup(&ht.php, hc->root, &po, err, sizeof err) != 0) {
            task_fail(te, err);
            return 1;
        }
    }
    const char *index[17] = {0};
    for (unsigned i = 0; i < hc->index.n && i < 16; i++)
        index[i] = hc->index.v[i];
    http_static_config_t sc = {.root = hc->root, .index = index};
    ht.st = http_static_new(&sc, err, sizeof err);
    if (!ht.st) {
        task_fail(te, err);
        return 1;
    }
    c.body_stream = http_task_body_stream;
    ht.srv = http_server_new(&c, http_task_handle, &ht, err, sizeof err);
    if (!ht.srv) {
        task_fail(te, err);
        return 1;
    }
    pthread_t th;
    if (pthread_create(&th, NULL, http_drainer, &ht) != 0) {
        task_fail(te, "cannot start the drain thread");
        return 1;
    }
    task_ready(te);
    int rc = http_server_run(ht.srv);
    pthread_join(th, NULL);
    http_server_free(ht.srv);
    if (ht.php)
        phpw_serve_free(ht.php);
    http_static_free(ht.st);
    return rc == BASE_OK ? 0 : 1;
}

/* ---- php ----------------------------------------------------------------------------- */
/* What PHP reads outside the application root while it serves (strace on WordPress):
 * timezone data (Debian's PHP uses the system's), /etc/localtime, /dev/urandom. */
static const char *const php_ro_system[] = {"/usr/share/zoneinfo", "/etc/localtime",
                                            "/dev/urandom", NULL};

typedef struct php_task {
    task_env_t *te;
    sup_sandbox_req_t master, worker;
} php_task_t;

/* Fills a request: read-only root and system files, read-write temp + writable + /dev/null;
 * the master's also reads /proc (a worker opens its /proc/self/statm before its own layer). */
static void php_sandbox_req(task_env_t *te, sup_sandbox_req_t *req, bool master)
{
    const sup_php_cfg_t *pc = &te->cfg.php;
    unsigned r = 0, w = 0;
    req->task = &pc->task;
    req->ro_paths[r++] = te->cfg.http.root;
    for (unsigned i = 0; php_ro_system[i]; i++)
        if (access(php_ro_system[i], F_OK) == 0)
            req->ro_paths[r++] = php_ro_system[i];
    if (master)
        req->ro_paths[r++] = "/proc";
    req->ro_paths[r] = NULL;
    req->rw_paths[w++] = pc->tmp_dir;
    req->rw_paths[w++] = "/dev/null";
    for (unsigned i = 0; i < pc->writable.n && w + 1 < BASE_ARRAY_LEN(req->rw_paths); i++)
        req->rw_paths[w++] = pc->writable.v[i];
    req->rw_paths[w] = NULL;
}

/* glibc's iconv loads a shared object per charset (gconv modules) on first use: after the
 * sandbox it could neither read it (Landlock) nor map it executable (W^X). The common ones
 * are opened here, before, and never closed: they stay loaded in the master and every worker
 * forked from it, and PHP's iconv() finds them. Returns how many could be opened. */
static iconv_t php_iconv_held[32];

static unsigned php_iconv_preload(void)
{
    static const char *const sets[] = {"ISO-8859-1", "ISO-8859-15", "WINDOWS-1252",
                                       "ISO-8859-2", "WINDOWS-1251", "KOI8-R", "UTF-16",
                                       "UTF-16LE", "UTF-16BE", "UTF-32", "UCS-2", "ASCII",
                                       "SHIFT_JIS", "EUC-JP", "GB2312", "BIG5"};
    iconv_t *held = php_iconv_held;
    unsigned n = 0;
    _Static_assert(BASE_ARRAY_LEN(php_iconv_held) >= 2 * BASE_ARRAY_LEN(sets), "room");
    for (size_t i = 0; i < BASE_ARRAY_LEN(sets); i++) {
        iconv_t a = iconv_open(sets[i], "UTF-8"), b = iconv_open("UTF-8", sets[i]);
        if (a != (iconv_t)-1)
            held[n++] = a;
        if (b != (iconv_t)-1)
            held[n++] = b;
    }
    return n;
}

/* In the master, PHP started: the sandbox, then "ready". */
static int php_on_started(void *ctx, char *err, size_t errlen)
{
    php_task_t *pt = ctx;
    php_iconv_preload();
    if (task_sandbox(pt->te, &pt->master) != BASE_OK) {
        snprintf(err, errlen, "the sandbox could not be applied");
        return -1;
    }
    size_t l = strlen(pt->te->report);
    if (pt->te->cfg.php.task.sandbox.seccomp || pt->te->cfg.php.task.sandbox.landlock)
        snprintf(pt->te->report + l, sizeof pt->te->report - l,
                 " workers(%s%s)", pt->te->cfg.php.task.sandbox.seccomp ? "no-fork,no-kill" : "",
                 pt->te->cfg.php.task.sandbox.landlock ? ",landlock-no-proc" : "");
    task_ready(pt->te);
    return 0;
}

/* In each worker after fork: its own layer. */
static int php_on_worker(void *ctx)
{
    php_task_t *pt = ctx;
    char err[512];
    if (sup_sandbox_worker(&pt->worker, err, sizeof err) != BASE_OK) {
        fprintf(stderr, "harv task php: worker sandbox: %s\n", err);
        return -1;
    }
    return 0;
}

static int task_php(task_env_t *te)
{
    const sup_php_cfg_t *pc = &te->cfg.php;
    if (!phpw_pool_run) {
        task_fail(te, "PHP is not built into this binary");
        return 1;
    }
    if (!te->nlisten) {
        task_fail(te, "no socket was passed");
        return 1;
    }
    static php_task_t pt;
    pt.te = te;
    php_sandbox_req(te, &pt.master, true);
    php_sandbox_req(te, &pt.worker, false);
    /* php.ini: HarvSQL's unix socket as mysqli's and PDO's default (DB_HOST 'localhost'),
     * unless the config sets them; then the configured overrides. */
    static const char *ini[SUP_MAX_LIST + 6];
    static char sock_mysqli[PATH_MAX + 32], sock_pdo[PATH_MAX + 32];
    unsigned n = 0;
    bool has_mysqli = false, has_pdo = false;
    for (unsigned i = 0; i < pc->ini.n; i++) {
        has_mysqli |= !strncmp(pc->ini.v[i], "mysqli.default_socket=", 22);
        has_pdo |= !strncmp(pc->ini.v[i], "pdo_mysql.default_socket=", 25);
    }
    if (te->cfg.sql.task.enabled && te->cfg.sql.socket) {
        if (!has_mysqli) {
            snprintf(sock_mysqli, sizeof sock_mysqli, "mysqli.default_socket=%s",
                     te->cfg.sql.socket);
            ini[n++] = sock_mysqli;
        }
        if (!has_pdo) {
            snprintf(sock_pdo, sizeof sock_pdo, "pdo_mysql.default_socket=%s",
                     te->cfg.sql.socket);
            ini[n++] = sock_pdo;
        }
    }
    for (unsigned i = 0; i < pc->ini.n; i++)
        ini[n++] = pc->ini.v[i];
    if (pc->task.sandbox.seccomp) {
        /* W^X: no JIT may ask for executable memory once the filter is in force (PCRE's
         * would fail with a warning per worker, OPcache's would crash). Last, so they win. */
        ini[n++] = "pcre.jit=0";
        ini[n++] = "opcache.jit=disable";
        ini[n++] = "opcache.jit_buffer_size=0";
    }
    ini[n] = NULL;
    static const char *writable[17];
    for (unsigned i = 0; i < pc->writable.n && i < 16; i++)
        writable[i] = pc->writable.v[i];
    phpw_config_t c;
    phpw_config_defaults(&c);
    c.listen_fd = te->listen[0];
    c.root = te->cfg.http.root;
    if (pc->workers)
        c.workers = pc->workers;
    if (pc->max_requests)
        c.max_requests = pc->max_requests;
    if (pc->memory_cap)
        c.memory_cap = (size_t)pc->memory_cap;
    if (pc->timeout_ms)
        c.timeout_ms = pc->timeout_ms;
    c.ini = ini;
    c.tmp_dir = pc->tmp_dir;
    /* stop, reload, restart: requests in flight finish within drain_timeout (the supervisor
     * kills the tree 2 s after it) */
    c.stop_grace_ms = pc->task.drain_ms ? pc->task.drain_ms : 1;
    c.writable = writable;
    c.on_started = php_on_started;
    c.on_worker = php_on_worker;
    c.hook_ctx = &pt;
    /* The pool takes SIGTERM/SIGINT with its own handler (it stops its workers). */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    char err[1024];
    if (phpw_pool_run(&c, err, sizeof err) != 0) {
        task_fail(te, err);
        return 1;
    }
    return 0;
}

/* ---- sql ----------------------------------------------------------------------------- */
#ifndef TASK_HAVE_SQL
static int task_sql(task_env_t *te)
{
    task_fail(te, "HarvSQL is not built into this binary");
    return 1;
}
#else
static hsql_server_t *sql_running;
static void sql_on_signal(int sig) { hsql_server_stop(sql_running); }

static int task_sql(task_env_t *te)
{
    sup_sql_cfg_t *qc = &te->cfg.sql;
    static hsql_user_cfg_t users[SUP_MAX_LIST];
    char dir[PATH_MAX], sockdir[PATH_MAX] = "";
    snprintf(dir, sizeof dir, "%s/sql", te->cfg.state_dir);
    /* The supervisor binds HarvSQL's sockets and keeps them across restarts; binding them
     * here is only for a supervisor that did not pass them. */
    hsql_server_cfg_t c = {.listen = qc->listen, .socket = qc->socket, .state_dir = dir,
                           .synchronous = qc->durability, .workers = qc->workers,
                           .max_connections = qc->max_connections,
                           .inherit_tcp_fd = te->sql_tcp_fd, .inherit_unix_fd = te->sql_unix_fd};
    for (unsigned i = 0; i < qc->nusers; i++) {
        users[i].name = qc->users[i].name;
        users[i].password = qc->users[i].password;
    }
    c.users = users;
    c.nusers = qc->nusers;
    c.databases = (const char *const *)qc->databases.v;
    c.ndatabases = qc->databases.n;
    setenv("SQLITE_TMPDIR", dir, 1);
    sup_sandbox_req_t req = {.task = &qc->task, .rw_paths = {dir}, .ro_paths = {"/dev/urandom"}};
    if (qc->socket && te->sql_unix_fd <= 0) { /* binds it itself: needs the directory */
        snprintf(sockdir, sizeof sockdir, "%s", qc->socket);
        char *slash = strrchr(sockdir, '/');
        if (slash && slash != sockdir)
            *slash = 0;
        req.rw_paths[1] = sockdir;
    }
    if (qc->listen && te->sql_tcp_fd <= 0) { /* binds it itself: needs the port */
        net_addr_t a;
        char e[256];
        if (net_addr_parse(qc->listen, &a, e, sizeof e) == BASE_OK)
            req.bind_ports[0] = a.family == AF_INET6
                                    ? ntohs(((struct sockaddr_in6 *)&a.ss)->sin6_port)
                                    : ntohs(((struct sockaddr_in *)&a.ss)->sin_port);
    }
    if (task_sandbox(te, &req) != BASE_OK)
        return 1;
    char err[512];
    hsql_server_t *srv = hsql_server_new(&c, err, sizeof err);
    if (!srv) {
        task_fail(te, err);
        return 1;
    }
    sql_running = srv;
    struct sigaction sa = {.sa_handler = sql_on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    task_ready(te);
    int rc = hsql_server_run(srv);
    sql_running = NULL;
    hsql_server_free(srv);
    return rc == 0 ? 0 : 1;
}
#endif

/* ---- probe (Harv's own tests) ---------------------------------------------------------- */

static int probe_connect(const char *addr)
{
    net_addr_t a;
    char e[256];
    if (!addr || net_addr_parse(addr, &a, e, sizeof e) != BASE_OK)
        return -1;
    int fd = socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    int rc = connect(fd, (struct sockaddr *)&a.ss, a.len) == 0 ? 0 : errno;
    close(fd);
    return rc;
}

static void *probe_thread(void *arg) { return arg; }

static int task_probe(task_env_t *te)
{
    sup_probe_cfg_t *pc = &te->cfg.probe;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/probe", te->cfg.state_dir);
    /* The network namespace alone (before Landlock also forbids connecting). */
    int pre_connect = probe_connect(pc->connect);
    sup_sandbox_req_t req = {.task = &pc->task, .rw_paths = {dir}};
    if (task_sandbox(te, &req) != BASE_OK)
        return 1;
    printf("probe: sandbox=%s\n", te->report);
    printf("probe: uid=%d\n", (int)getuid());
    printf("probe: no_new_privs=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    /* execve, ptrace and fork would really happen without the filter: only with it. */
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2) {
        char *args[] = {"/bin/true", NULL};
        errno = 0;
        execve("/bin/true", args, NULL);
        printf("probe: execve=%s\n", errname(errno));
        errno = 0;
        long r = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        printf("probe: ptrace=%s\n", errname(r < 0 ? errno : 0));
        pid_t p = fork();
        if (p == 0)
            _exit(0);
        printf("probe: fork=%s\n", errname(p < 0 ? errno : 0));
        if (p > 0)
            waitpid(p, NULL, 0);
    } else {
        printf("probe: seccomp=off\n");
    }
    pthread_t th;
    int tr = pthread_create(&th, NULL, probe_thread, NULL);
    if (!tr)
        pthread_join(th, NULL);
    printf("probe: thread=%s\n", errname(tr));
    void *m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("probe: mmap_exec=%s\n", errname(m == MAP_FAILED ? errno : 0));
    void *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int mp = w == MAP_FAILED ? EINVAL : (mprotect(w, 4096, PROT_READ | PROT_EXEC) ? errno : 0);
    printf("probe: mprotect_exec=%s\n", errname(mp));
    errno = 0;
    long r = syscall(SYS_syslog, 3, NULL, 0);
    printf("probe: unknown_syscall=%s\n", errname(r < 0 ? errno : 0));
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/inside.txt", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    printf("probe: write_state=%s\n", errname(fd < 0 ? errno : 0));
    if (fd >= 0)
        close(fd);
    if (pc->outside) {
        fd = open(pc->outside, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        printf("probe: write_outside=%s\n", errname(fd < 0 ? errno : 0));
        if (fd >= 0)
            close(fd);
    }
    fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    printf("probe: read_etc=%s\n", errname(fd < 0 ? errno : 0));
    if (fd >= 0)
        close(fd);
    /* Signal the supervisor (its parent): signal 0 checks the permission, sends nothing. */
    pid_t sup_pid = getppid();
    if (sup_pid > 1)
        printf("probe: signal_supervisor=%s\n", errname(kill(sup_pid, 0) < 0 ? errno : 0));
    if (pc->connect) {
        printf("probe: connect_netns=%s\n", errname(pre_connect));
        printf("probe: connect=%s\n", errname(probe_connect(pc->connect)));
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("probe: nofile=%llu\n", (unsigned long long)rl.rlim_cur);
    if (pc->daemon) {
        /* A grandchild in its own session: only a tree kill (cgroup) catches it. */
        pid_t c = fork();
        if (c == 0) {
            setsid();
            if (fork() == 0) {
                printf("probe: daemon=%d\n", (int)getpid());
                fflush(stdout);
                for (;;)
                    pause();
            }
            _exit(0);
        }
        if (c > 0)
            waitpid(c, NULL, 0);
        usleep(100000);
    }
    printf("probe: done\n");
    fflush(stdout);
    task_ready(te);
    if (pc->hog) {
        static char *volatile hog_keep;
        (void)hog_keep;
        uint64_t got = 0;
        while (got < pc->hog) {
            size_t chunk = 8u << 20;
            char *b = malloc(chunk);
            if (!b) {
                printf("probe: hog malloc failed after %llu MiB\n",
                       (unsigned long long)(got >> 20));
                fflush(stdout);
                return 3;
            }
            memset(b, 0x5a, chunk);
            hog_keep = b; /* escapes: clang may not elide the allocation or the touch */
            got += chunk;
        }
        printf("probe: hog holds %llu MiB\n", (unsigned long long)(got >> 20));
        fflush(stdout);
    }
    sigset_t none;
    sigemptyset(&none);
    for (;;)
        sigsuspend(&none);
}

/* ---- main ---------------------------------------------------------------------------- */
static int parse_fds(task_env_t *te, const char *spec, int *config_fd)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return BASE_ERROR;
        *eq = 0;
        int fd = atoi(eq + 1);
        if (fd < 3)
            return BASE_ERROR;
        if (!strcmp(tok, "status"))
            te->status_fd = fd;
        else if (!strcmp(tok, "config"))
            *config_fd = fd;
        else if (!strcmp(tok, "listen") && te->nlisten < TASK_MAX_LISTEN)
            te->listen[te->nlisten++] = fd;
        else if (!strcmp(tok, "sqltcp"))
            te->sql_tcp_fd = fd;
        else if (!strcmp(tok, "sqlsock"))
            te->sql_unix_fd = fd;
        else
            return BASE_ERROR;
    }
    te->listen[te->nlisten] = -1;
    return BASE_OK;
}

int cli_task_main(int argc, char **argv)
{
    static task_env_t te;
    te.status_fd = -1;
    te.kind = argc > 1 ? argv[1] : "";
    const char *name = NULL, *fds = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--config-name"))
            name = argv[i + 1];
        else if (!strcmp(argv[i], "--fds"))
            fds = argv[i + 1];
    }
    int config_fd = -1;
    if (!sup_kind_find(te.kind) || !name || !fds || parse_fds(&te, fds, &config_fd) ||
        config_fd < 0) {
        fprintf(stderr, "Usage: harv task KIND --config-name PATH --fds status=N,config=N,"
                        "listen=N...\n(run by `harv up`, not by hand; kinds: http, sql, "
                        "php, probe)\n");
        return 2;
    }
    base_log_set_prefix(te.kind);
    /* Signals for the drain are taken synchronously (sigwait) by one thread. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    base_buf_t text;
    base_buf_init(&text);
    char buf[65536];
    off_t off = 0;
    ssize_t r;
    while ((r = pread(config_fd, buf, sizeof buf, off)) > 0) {
        base_buf_append(&text, buf, (size_t)r);
        off += r;
    }
    /* The supervisor sealed it: a task cannot change what its successor will read. */
    if (getenv("HARV_TEST_CONFIG_WRITE"))
        printf("config_write=%s\n", pwrite(config_fd, "x", 1, 0) == 1 ? "OK" : errname(errno));
    close(config_fd);
    char dir[PATH_MAX], err[1024];
    snprintf(dir, sizeof dir, "%s", name);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    if (sup_config_parse(&te.cfg, name, dir[0] ? dir : "/", text.data ? text.data : "", text.len,
                         err, sizeof err) != BASE_OK) {
        task_fail(&te, err);
        return 1;
    }
    base_buf_fini(&text);
    base_log_set_level(te.cfg.log_level);
    setvbuf(stdout, NULL, _IOLBF, 0);
    int rc;
    if (!strcmp(te.kind, "http"))
        rc = task_http(&te);
    else if (!strcmp(te.kind, "sql"))
        rc = task_sql(&te);
    else if (!strcmp(te.kind, "php"))
        rc = task_php(&te);
    else
        rc = task_probe(&te);
    sup_config_fini(&te.cfg);
    return rc;
}

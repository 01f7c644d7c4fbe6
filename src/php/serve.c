/* php/serve.c — PHP sites in HarvTTP: the router and the pool child.
 * Routing of a decoded path (first match wins):
 *   1. a segment ending in ".php" that is a regular file: that script, the rest is PATH_INFO
 *      (/index.php/foo/bar -> /index.php + /foo/bar)
 *   2. a directory with a trailing slash holding index.php: that script
 *   3. an existing file or directory: the static handler (which refuses .php sources, 403)
 *   4. nothing there: the front controller /index.php if it exists (WordPress's pretty
 *      permalinks), else the static handler's 404
 * The pool runs as a child `harv php` process (re-executed binary, so PHP's engine never lives
 * in the HTTP process); it dies with us (PR_SET_PDEATHSIG). Layer: php. */
#include "php_int.h"

#include <harv/fastcgi.h>
#include <harv/http.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PHPW_STREAM_BODY_MIN (64u << 10) /* larger request bodies stream to PHP */
#define PHPW_PATH_MAX 4096
#define PHPW_START_WAIT_MS 20000

struct phpw_serve {
    char root[PATH_MAX];
    int root_fd;
    http_static_t *st;
    http_fcgi_upstream_t *up;
    pid_t pool_pid;
    char run_dir[PATH_MAX];
    bool own_run_dir;
    char sock[PATH_MAX];
    bool front_controller;
    bool has_index;
    pid_t sql_pid;
    char sql_info[512];
    phpw_serve_opts_t opts;   /* kept to restart the pool (its strings are the caller's) */
    pthread_mutex_t mu;       /* the pool watchdog, from any loop thread */
    uint64_t next_check_ms;
    uint64_t id;              /* names this site in the per-thread caches */
};

static uint64_t serve_ids;

/* ---- deciding whether a directory is a PHP site ----------------------------------------- */

static bool has_php_ext(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && !strcmp(name + n - 4, ".php");
}

static bool scan_php(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (has_php_ext(e->d_name)) {
            found = true;
            break;
        }
        if (depth > 0 && e->d_type == DT_DIR) {
            char sub[PATH_MAX];
            snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
            found = scan_php(sub, depth - 1);
        }
    }
    closedir(d);
    return found;
}

bool phpw_dir_has_php(const char *root) { return scan_php(root, 1); }

/* ---- the pool child ----------------------------------------------------------------------- */

static int try_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen(path);
    if (n >= sizeof sa.sun_path) {
        close(fd);
        return -1;
    }
    memcpy(sa.sun_path, path, n + 1);
    int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    close(fd);
    return rc;
}

static int start_pool(phpw_serve_t *ps, const phpw_serve_opts_t *o, char *err, size_t errlen)
{
    if (o->run_dir == ps->run_dir) {
        /* a restart: same directory, same socket path */
    } else if (o->run_dir) {
        snprintf(ps->run_dir, sizeof ps->run_dir, "%s", o->run_dir);
        mkdir(ps->run_dir, 0700);
    } else {
        snprintf(ps->run_dir, sizeof ps->run_dir, "/tmp/harv-php.XXXXXX");
        if (!mkdtemp(ps->run_dir)) {
            snprintf(err, errlen, "mkdtemp %s: %s", ps->run_dir, strerror(errno));
            return -1;
        }
        ps->own_run_dir = true;
    }
    if (strlen(ps->run_dir) + 10 >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        snprintf(err, errlen, "socket directory %s is too long for a unix socket", ps->run_dir);
        return -1;
    }
    memcpy(ps->sock, ps->run_dir, strlen(ps->run_dir));
    memcpy(ps->sock + strlen(ps->run_dir), "/php.sock", 10);
    unlink(ps->sock);

    char workers[16], maxreq[16], timeout[16];
    const char *argv[128];
    int n = 0;
    argv[n++] = "harv";
    argv[n++] = "php";
    argv[n++] = "--socket";
    argv[n++] = ps->sock;
    argv[n++] = "--root";
    argv[n++] = ps->root;
    if (o->workers) {
        snprintf(workers, sizeof workers, "%u", o->workers);
        argv[n++] = "--workers";
        argv[n++] = workers;
    }
    if (o->max_requests) {
        snprintf(maxreq, sizeof maxreq, "%u", o->max_requests);
        argv[n++] = "--max-requests";
        argv[n++] = maxreq;
    }
    if (o->memory_cap) {
        argv[n++] = "--memory-cap";
        argv[n++] = o->memory_cap;
    }
    snprintf(timeout, sizeof timeout, "%u", o->timeout_ms ? o->timeout_ms : 30000);
    argv[n++] = "--timeout";
    argv[n++] = timeout;
    char ports[8][16];
    if (o->isolate)
        argv[n++] = "--isolate";
    for (int i = 0; i < 8 && o->connect_ports[i] > 0; i++) {
        snprintf(ports[i], sizeof ports[i], "%d", o->connect_ports[i]);
        argv[n++] = "--allow-connect";
        argv[n++] = ports[i];
    }
    for (const char **p = o->writable; p && *p && n < 100; p++) {
        argv[n++] = "--writable";
        argv[n++] = *p;
    }
    for (const char **p = o->ini; p && *p && n < 120; p++) {
        argv[n++] = "--ini";
        argv[n++] = *p;
    }
    argv[n] = NULL;
    const char *exe = o->harv_exe ? o->harv_exe : "/proc/self/exe";
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        /* stdout belongs to the server (it prints its URL there); the pool logs on stderr */
        dup2(2, 1);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(exe, (char *const *)argv);
        fprintf(stderr, "harv: exec %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    ps->pool_pid = pid;
    uint64_t t0 = base_now_ms();
    for (;;) {
        if (try_connect(ps->sock) == 0)
            return 0;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            ps->pool_pid = 0;
            snprintf(err, errlen, "the PHP pool exited at start-up (status %d): see its log",
                     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
            return -1;
        }
        if (base_now_ms() - t0 > PHPW_START_WAIT_MS) {
            snprintf(err, errlen, "the PHP pool did not open %s within %d s", ps->sock,
                     PHPW_START_WAIT_MS / 1000);
            return -1;
        }
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* ---- HarvSQL beside the pool ---------------------------------------------------------------- */

static int mkdir_p(const char *dir)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* Starts `harv sql` and reads its "harv sql: ready ..." line (at most 20 s). */
static int start_sql(phpw_serve_t *ps, const phpw_serve_opts_t *o, char *err, size_t errlen)
{
    char dir[PATH_MAX], run[PATH_MAX], sock[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/sql", o->sql_state);
    snprintf(run, sizeof run, "%s/run", o->sql_state);
    if (mkdir_p(dir) != 0 || mkdir_p(run) != 0) {
        snprintf(err, errlen, "--state %s: %s", o->sql_state, strerror(errno));
        return -1;
    }
    snprintf(sock, sizeof sock, "%s/sql.sock", run);
    const char *argv[16];
    int n = 0;
    argv[n++] = "harv";
    argv[n++] = "sql";
    argv[n++] = "--state";
    argv[n++] = dir;
    argv[n++] = "--socket";
    argv[n++] = sock;
    if (o->sql_listen) {
        argv[n++] = "--listen";
        argv[n++] = o->sql_listen;
    }
    if (o->sql_user) {
        argv[n++] = "--user";
        argv[n++] = o->sql_user;
    }
    if (o->sql_db) {
        argv[n++] = "--database";
        argv[n++] = o->sql_db;
    }
    argv[n] = NULL;
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    const char *exe = o->harv_exe ? o->harv_exe : "/proc/self/exe";
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        dup2(pfd[1], 1); /* its ready line comes to us; its log stays on stderr */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(exe, (char *const *)argv);
        fprintf(stderr, "harv: exec %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    close(pfd[1]);
    ps->sql_pid = pid;
    char line[512];
    size_t len = 0;
    uint64_t t0 = base_now_ms();
    for (;;) {
        struct pollfd pf = {.fd = pfd[0], .events = POLLIN};
        int rc = poll(&pf, 1, 200);
        if (rc > 0) {
            ssize_t k = read(pfd[0], line + len, sizeof line - 1 - len);
            if (k <= 0)
                break;
            len += (size_t)k;
            line[len] = 0;
            char *nl = strchr(line, '\n');
            if (nl) {
                *nl = 0;
                close(pfd[0]); /* later output of harv sql to stdout gets EPIPE: it has none */
                const char *r = strstr(line, "ready ");
                snprintf(ps->sql_info, sizeof ps->sql_info, "%s", r ? r + 6 : line);
                return 0;
            }
            if (len == sizeof line - 1)
                break;
        }
        if (base_now_ms() - t0 > PHPW_START_WAIT_MS)
            break;
    }
    close(pfd[0]);
    snprintf(err, errlen, "HarvSQL did not start (see its log above)");
    return -1;
}

const char *phpw_serve_sql_info(const phpw_serve_t *ps)
{
    return ps && ps->sql_info[0] ? ps->sql_info : NULL;
}

static void stop_child(pid_t pid)
{
    kill(pid, SIGTERM);
    uint64_t t0 = base_now_ms();
    int status;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (base_now_ms() - t0 > 5000) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* ---- setup -------------------------------------------------------------------------------- */

int phpw_serve_setup(phpw_serve_t **out, const char *root, const phpw_serve_opts_t *opts,
                     char *err, size_t errlen)
{
    phpw_serve_opts_t o = {0};
    if (opts)
        o = *opts;
    phpw_serve_t *ps = base_xcalloc(1, sizeof *ps);
    ps->root_fd = -1;
    ps->front_controller = !o.no_front_controller;
    ps->id = __atomic_add_fetch(&serve_ids, 1, __ATOMIC_RELAXED);
    pthread_mutex_init(&ps->mu, NULL);
    *out = NULL;
    if (!realpath(root, ps->root)) {
        snprintf(err, errlen, "%s: %s", root, strerror(errno));
        goto fail;
    }
    ps->root_fd = open(ps->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (ps->root_fd < 0) {
        snprintf(err, errlen, "%s: %s", ps->root, strerror(errno));
        goto fail;
    }
    http_static_config_t scfg = {.root = ps->root};
    ps->st = http_static_new(&scfg, err, errlen);
    if (!ps->st)
        goto fail;

    char run_dir[PATH_MAX];
    if (o.sql_state) {
        if (start_sql(ps, &o, err, errlen) != 0)
            goto fail;
        if (!o.run_dir) {
            snprintf(run_dir, sizeof run_dir, "%s/run", o.sql_state);
            o.run_dir = run_dir;
        }
        /* isolated workers reach HarvSQL's TCP port (its unix socket always works) */
        const char *colon = o.sql_listen ? strrchr(o.sql_listen, ':') : NULL;
        int port = colon ? atoi(colon + 1) : 0;
        if (port > 0) {
            int k = 0;
            while (k < 7 && o.connect_ports[k])
                k++;
            if (k < 7)
                o.connect_ports[k] = port;
        }
    }
    char addr[PATH_MAX + 8];
    if (o.fastcgi) {
        snprintf(addr, sizeof addr, "%s", o.fastcgi);
    } else {
        if (start_pool(ps, &o, err, errlen) != 0)
            goto fail;
        snprintf(addr, sizeof addr, "unix:%s", ps->sock);
    }
    http_fcgi_config_t fc;
    http_fcgi_config_defaults(&fc);
    unsigned loops = o.loops ? o.loops : 1;
    unsigned workers = o.workers;
    if (!workers) {
        phpw_config_t d;
        phpw_config_defaults(&d);
        workers = d.workers;
    }
    /* a persistent connection holds a worker: never more connections than workers */
    fc.max_conns = BASE_MAX(1u, workers / loops);
    if (o.queue_max)
        fc.queue_max = o.queue_max;
    if (o.no_queue)
        fc.queue_max = 0;
    fc.timeout_ms = o.timeout_ms ? o.timeout_ms : 30000;
    fc.https = o.https;
    ps->up = http_fcgi_upstream_new(addr, &fc, err, errlen);
    if (!ps->up)
        goto fail;
    ps->opts = o;
    ps->opts.run_dir = ps->run_dir; /* a restart reuses the socket path */
    *out = ps;
    return 0;
fail:
    phpw_serve_free(ps);
    return -1;
}

pid_t phpw_serve_pool_pid(const phpw_serve_t *ps) { return ps ? ps->pool_pid : 0; }

void phpw_serve_free(phpw_serve_t *ps)
{
    if (!ps)
        return;
    if (ps->up)
        http_fcgi_upstream_free(ps->up);
    if (ps->pool_pid > 0)
        stop_child(ps->pool_pid);
    if (ps->sql_pid > 0)
        stop_child(ps->sql_pid);
    if (ps->sock[0])
        unlink(ps->sock);
    if (ps->own_run_dir)
        rmdir(ps->run_dir);
    if (ps->st)
        http_static_free(ps->st);
    if (ps->root_fd >= 0)
        close(ps->root_fd);
    pthread_mutex_destroy(&ps->mu);
    free(ps);
}

/* ---- routing ------------------------------------------------------------------------------ */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes the path into out ("/a/b", leading slash kept, "//" collapsed). Refuses
 * NUL, encoded slashes, bad escapes and any segment starting with '.' (returns false: the
 * static handler then gives the precise answer). */
static bool decode(base_span_t p, char *out, size_t outlen)
{
    size_t o = 0;
    if (!p.len || p.p[0] != '/')
        return false;
    for (size_t i = 0; i < p.len; i++) {
        int c = (unsigned char)p.p[i];
        if (c == '%') {
            if (i + 2 >= p.len)
                return false;
            int h = hexval((unsigned char)p.p[i + 1]), l = hexval((unsigned char)p.p[i + 2]);
            if (h < 0 || l < 0)
                return false;
            c = h * 16 + l;
            i += 2;
            if (c == 0 || c == '/')
                return false;
        }
        if (c == '/' && o && out[o - 1] == '/')
            continue;
        if (c == '.' && o && out[o - 1] == '/')
            return false; /* ".", "..", dotfiles */
        if (o + 1 >= outlen)
            return false;
        out[o++] = (char)c;
    }
    out[o] = 0;
    return true;
}

/* stat of root-relative path (leading '/' allowed) without leaving the root. */
static int stat_beneath(phpw_serve_t *ps, const char *path, struct stat *st)
{
    while (*path == '/')
        path++;
    if (!*path)
        return fstat(ps->root_fd, st);
    struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_BENEATH};
    int fd = (int)syscall(SYS_openat2, ps->root_fd, path, &how, sizeof how);
    if (fd < 0)
        return -1;
    int rc = fstat(fd, st);
    close(fd);
    return rc;
}

/* Scripts found lately, per event-loop thread: root-relative path -> "a regular file beneath
 * the root", trusted for PHPW_FOUND_TTL_MS. openat2 + fstat + close cost more than the rest
 * of the routing; only successes are kept, for less time than OPcache's revalidate_freq (PHP
 * itself runs a cached script that long without looking at the file), and the worker checks
 * the script again (realpath beneath the root, regular file) before running it. */
#define PHPW_FOUND_TTL_MS 1000
#define PHPW_FOUND_SLOTS 32
#define PHPW_FOUND_KEY 256
typedef struct {
    uint64_t site; /* phpw_serve_t.id */
    uint64_t until_ms;
    size_t len;
    char path[PHPW_FOUND_KEY];
} found_t;
static _Thread_local found_t found_cache[PHPW_FOUND_SLOTS];

static found_t *found_slot(const char *path, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)path[i]) * 16777619u;
    return &found_cache[h % PHPW_FOUND_SLOTS];
}

/* True if path (root-relative, NUL-terminated) is a regular file beneath the root. */
static bool is_file_beneath(phpw_serve_t *ps, const char *path, uint64_t now)
{
    size_t len = strlen(path);
    found_t *f = len < PHPW_FOUND_KEY ? found_slot(path, len) : NULL;
    if (f && f->site == ps->id && f->until_ms > now && f->len == len && !memcmp(f->path, path, len))
        return true;
    struct stat st;
    if (stat_beneath(ps, path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    if (f) {
        f->site = ps->id;
        f->len = len;
        memcpy(f->path, path, len);
        f->until_ms = now + PHPW_FOUND_TTL_MS;
    }
    return true;
}

static void run_php(phpw_serve_t *ps, const http_request_t *req, http_response_t *resp,
                    const char *script, size_t script_len, const char *path_info)
{
    char name[PHPW_PATH_MAX], file[PATH_MAX + PHPW_PATH_MAX];
    snprintf(name, sizeof name, "%.*s", (int)script_len, script);
    snprintf(file, sizeof file, "%s%s", ps->root, name);
    http_fcgi_script_t sc = {
        .script_filename = file,
        .script_name = name,
        .path_info = path_info,
        .document_root = ps->root,
    };
    http_fcgi_handle(ps->up, req, resp, &sc);
}

/* The pool watchdog: at most once a second, a request looks whether the pool child is still
 * there and starts a new one if not (its workers died with it). */
static void pool_check(phpw_serve_t *ps, uint64_t now)
{
    if (!ps->pool_pid || now < __atomic_load_n(&ps->next_check_ms, __ATOMIC_RELAXED))
        return;
    pthread_mutex_lock(&ps->mu);
    if (now >= ps->next_check_ms) {
        ps->next_check_ms = now + 1000;
        int status;
        if (waitpid(ps->pool_pid, &status, WNOHANG) == ps->pool_pid) {
            base_log(BASE_LOG_WARN, "php", "the PHP pool (pid %d) died (%s %d): restarting it",
                     (int)ps->pool_pid, WIFSIGNALED(status) ? "signal" : "status",
                     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            ps->pool_pid = 0;
            char err[256];
            if (start_pool(ps, &ps->opts, err, sizeof err) != 0)
                base_log(BASE_LOG_ERROR, "php", "restarting the PHP pool: %s", err);
        }
    }
    pthread_mutex_unlock(&ps->mu);
}

bool phpw_serve_body_stream(void *ctx, const http_request_t *req)
{
    return !(req->flags & HTTP_REQ_CHUNKED) && req->content_length > PHPW_STREAM_BODY_MIN;
}

void phpw_serve_handle(void *ctx, const http_request_t *req, http_response_t *resp)
{
    phpw_serve_t *ps = ctx;
    uint64_t now = base_now_ms();
    pool_check(ps, now);
    char path[PHPW_PATH_MAX];
    if (!decode(req->path, path, sizeof path)) {
        http_static_handle(ps->st, req, resp);
        return;
    }
    struct stat st;
    size_t len = strlen(path);
    /* 1. a *.php segment that is a file; the rest is PATH_INFO */
    for (size_t i = 4; i <= len; i++) {
        if ((i == len || path[i] == '/') && !memcmp(path + i - 4, ".php", 4)) {
            char c = path[i];
            path[i] = 0;
            bool file = is_file_beneath(ps, path, now);
            path[i] = c;
            if (file) {
                run_php(ps, req, resp, path, i, path + i);
                return;
            }
        }
    }
    int rc = stat_beneath(ps, path, &st);
    if (rc == 0 && S_ISDIR(st.st_mode)) {
        /* 2. a directory's index.php (the static handler redirects a missing slash) */
        if (path[len - 1] == '/' && len + 9 < sizeof path) {
            memcpy(path + len, "index.php", 10);
            if (is_file_beneath(ps, path, now)) {
                run_php(ps, req, resp, path, len + 9, "");
                return;
            }
            path[len] = 0;
        }
        http_static_handle(ps->st, req, resp);
        return;
    }
    if (rc == 0 || !ps->front_controller) {
        http_static_handle(ps->st, req, resp); /* 3. */
        return;
    }
    /* 4. the front controller */
    if (is_file_beneath(ps, "index.php", now)) {
        run_php(ps, req, resp, "/index.php", 10, "");
        return;
    }
    http_static_handle(ps->st, req, resp);
}

/* sup/sandbox.c — what a task applies to itself before it reads any input: no_new_privs,
 * dropping root to the configured user, rlimits, Landlock (raw syscalls, ABI probed; the
 * constants past Debian 12's ABI-2 header are defined here) and a seccomp allowlist per task
 * kind (libseccomp): unknown syscalls answer ENOSYS, forbidden ones EPERM, no execve, no
 * ptrace, no new processes, no new executable mappings (W^X). Layer: sup (task side).
 * The private network namespace and the cgroup are set up by the supervisor before exec. */
#include <harv/sup.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- the kinds ----------------------------------------------------------------------- */
/* In start order (stop runs in reverse): HarvSQL, then the PHP pool that talks to it, then
 * HarvTTP that talks to both. */
const sup_kind_t sup_kinds[] = {
    {"sql", SUP_KIND_NET, 0},                       /* binds its own port (for now) */
    {"php", SUP_KIND_OVERLAP, 1},                   /* accepts on STATE/run/php.sock (inherited);
                                                       private netns: HarvSQL by unix socket */
    {"http", SUP_KIND_NET | SUP_KIND_OVERLAP, 2},   /* accepts on inherited listeners */
    {"probe", SUP_KIND_OVERLAP, 3},                 /* test-only: needs no network */
};
const unsigned sup_nkinds = BASE_ARRAY_LEN(sup_kinds);

const sup_kind_t *sup_kind_find(const char *name)
{
    for (unsigned i = 0; i < sup_nkinds; i++)
        if (!strcmp(sup_kinds[i].name, name))
            return &sup_kinds[i];
    return NULL;
}

sup_task_cfg_t *sup_config_task(sup_config_t *cfg, const sup_kind_t *k)
{
    if (!strcmp(k->name, "http"))
        return &cfg->http.task;
    if (!strcmp(k->name, "sql"))
        return &cfg->sql.task;
    if (!strcmp(k->name, "php"))
        return &cfg->php.task;
    return &cfg->probe.task;
}

/* ---- Landlock ------------------------------------------------------------------------ */
#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_FS_EXECUTE (1ull << 0)
#define LL_FS_WRITE_FILE (1ull << 1)
#define LL_FS_READ_FILE (1ull << 2)
#define LL_FS_READ_DIR (1ull << 3)
#define LL_FS_ABI1_ALL ((1ull << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER (1ull << 13)          /* ABI 2 */
#define LL_FS_TRUNCATE (1ull << 14)       /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ull << 15)      /* ABI 5 */
#define LL_NET_BIND_TCP (1ull << 0)       /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ull << 1)
#define LL_SCOPE_ABSTRACT_UNIX (1ull << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ull << 1)

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};
struct ll_path_beneath {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));
struct ll_net_port {
    uint64_t allowed_access;
    uint64_t port;
};

int sup_landlock_abi(void)
{
    long v = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return v < 0 ? 0 : (int)v;
}

static int ll_add_path(int rs, const char *path, uint64_t access, char *err, size_t errlen)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "landlock: %s: %s", path, strerror(errno));
        return BASE_ERROR;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        access &= LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE |
                  LL_FS_IOCTL_DEV; /* rights that apply to a file */
    struct ll_path_beneath pb = {.allowed_access = access, .parent_fd = fd};
    long r = syscall(__NR_landlock_add_rule, rs, LL_RULE_PATH_BENEATH, &pb, 0);
    close(fd);
    if (r < 0) {
        snprintf(err, errlen, "landlock: rule for %s: %s", path, strerror(errno));
        return BASE_ERROR;
    }
    return BASE_OK;
}

static int ll_apply(const sup_sandbox_req_t *req, char *rep, size_t replen, char *err,
                    size_t errlen)
{
    int abi = sup_landlock_abi();
    if (abi <= 0) {
        snprintf(rep + strlen(rep), replen - strlen(rep), "landlock=unavailable ");
        return BASE_OK; /* best effort: the kernel has none */
    }
    struct ll_ruleset_attr ra = {.handled_access_fs = LL_FS_ABI1_ALL};
    size_t rasize = sizeof ra.handled_access_fs;
    if (abi >= 2)
        ra.handled_access_fs |= LL_FS_REFER;
    if (abi >= 3)
        ra.handled_access_fs |= LL_FS_TRUNCATE;
    if (abi >= 5)
        ra.handled_access_fs |= LL_FS_IOCTL_DEV;
    if (abi >= 4) {
        ra.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
        rasize = offsetof(struct ll_ruleset_attr, scoped);
    }
    if (abi >= 6) {
        ra.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
        rasize = sizeof ra;
    }
    int rs = (int)syscall(__NR_landlock_create_ruleset, &ra, rasize, 0);
    if (rs < 0) {
        snprintf(err, errlen, "landlock: create ruleset (ABI %d): %s", abi, strerror(errno));
        return BASE_ERROR;
    }
    uint64_t ro = (LL_FS_READ_FILE | LL_FS_READ_DIR) & ra.handled_access_fs;
    uint64_t rw = ra.handled_access_fs & ~LL_FS_EXECUTE;
    for (int i = 0; req->ro_paths[i]; i++)
        if (ll_add_path(rs, req->ro_paths[i], ro, err, errlen))
            goto fail;
    for (int i = 0; req->rw_paths[i]; i++)
        if (ll_add_path(rs, req->rw_paths[i], rw, err, errlen))
            goto fail;
    if (abi >= 4) {
        for (int i = 0; i < 4 && req->bind_ports[i]; i++) {
            struct ll_net_port np = {.allowed_access = LL_NET_BIND_TCP,
                                     .port = (uint64_t)req->bind_ports[i]};
            if (syscall(__NR_landlock_add_rule, rs, LL_RULE_NET_PORT, &np, 0) < 0) {
                snprintf(err, errlen, "landlock: bind port %d: %s", req->bind_ports[i],
                         strerror(errno));
                goto fail;
            }
        }
        for (int i = 0; i < 4 && req->connect_ports[i]; i++) {
            struct ll_net_port np = {.allowed_access = LL_NET_CONNECT_TCP,
                                     .port = (uint64_t)req->connect_ports[i]};
            if (syscall(__NR_landlock_add_rule, rs, LL_RULE_NET_PORT, &np, 0) < 0) {
                snprintf(err, errlen, "landlock: connect port %d: %s", req->connect_ports[i],
                         strerror(errno));
                goto fail;
            }
        }
    }
    if (syscall(__NR_landlock_restrict_self, rs, 0) < 0) {
        snprintf(err, errlen, "landlock: restrict_self: %s", strerror(errno));
        goto fail;
    }
    close(rs);
    snprintf(rep + strlen(rep), replen - strlen(rep), "landlock=abi%d%s%s ", abi,
             abi >= 4 ? "+net" : "", abi >= 6 ? "+scope" : "");
    return BASE_OK;
fail:
    close(rs);
    return BASE_ERROR;
}

/* ---- seccomp ------------------------------------------------------------------------- */
/* Allowed for every kind: memory, files beneath what Landlock permits, events, time,
 * threads, signals to itself, and the socket calls of a server on inherited sockets. */
static const char *const sc_common[] = {
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "close",
    "close_range", "fstat", "newfstatat", "statx", "lstat", "stat", "lseek", "openat",
    "openat2", "open", "getdents64", "readlink", "readlinkat", "access", "faccessat",
    "faccessat2", "fcntl", "dup", "dup2", "dup3", "pipe2", "ioctl", "fadvise64", "fstatfs",
    "statfs", "getcwd", "umask", "sendfile",
    "brk", "munmap", "mremap", "madvise", "mlock", "munlock", "membarrier",
    "futex", "set_robust_list", "get_robust_list", "rseq", "set_tid_address", "sched_yield",
    "sched_getaffinity", "getcpu", "exit", "exit_group", "restart_syscall",
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigtimedwait", "sigaltstack",
    "tgkill", "tkill", "signalfd4", "rt_sigsuspend", "pause", "rt_sigpending", "setitimer",
    "getitimer", "pipe", "getpgrp", "getpgid", "getsid",
    "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
    "timerfd_create", "timerfd_settime", "timerfd_gettime",
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2",
    "eventfd2", "poll", "ppoll", "select", "pselect6",
    "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getgroups",
    "getresuid", "getresgid", "uname", "getrlimit", "prlimit64", "getrusage", "sysinfo",
    "getrandom", "prctl", "sched_getparam", "sched_getscheduler",
    "accept", "accept4", "recvfrom", "recvmsg", "recvmmsg", "sendto", "sendmsg", "sendmmsg",
    "shutdown", "setsockopt", "getsockopt", "getsockname", "getpeername",
    NULL,
};
/* Kinds that change files beneath their state dir (SQLite: journals, locks, fsync). */
static const char *const sc_fs_write[] = {
    "fsync", "fdatasync", "ftruncate", "fallocate", "flock", "unlink", "unlinkat", "rename",
    "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "fchmod", "fchmodat", "chmod",
    "utimensat", "copy_file_range", NULL,
};
/* Kinds that create sockets themselves (sql binds its own port for now; probe connects to
 * prove the network namespace). */
static const char *const sc_sockets[] = {"socket", "bind", "listen", "connect", NULL};
/* PHP (found with strace on WordPress and mysqli requests): chdir to the script's directory,
 * sockets it creates and connects itself (HarvSQL's unix socket; which address families is
 * limited below), and, in the pool master, forking and reaping workers. Workers drop
 * clone/kill/wait4 again (sup_sandbox_worker). */
static const char *const sc_php[] = {
    "chdir", "fchdir", "wait4", "waitid", "kill", "truncate", "msync", "getpriority",
    /* a worker adds its own layer (they only ever restrict further) */
    "seccomp", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
    NULL,
};
/* The allowlist of each kind: sc_common plus these; a kind not listed gets sc_common only.
 * What a kind does not get answers EPERM when it is in sc_fs_write/sc_sockets (a known
 * capability it lacks), ENOSYS otherwise. */
static const struct {
    const char *kind;
    const char *const *extra[2];
} sc_kinds[] = {
    {"http", {NULL, NULL}},               /* serves files read-only on inherited sockets */
    {"sql", {sc_fs_write, sc_sockets}},   /* SQLite files; binds its own port */
    {"probe", {sc_fs_write, sc_sockets}}, /* Harv's tests: writes its state, connects */
    {"php", {sc_fs_write, sc_php}},       /* uploads, sessions, caches beneath its writable
                                             dirs; unix sockets (HarvSQL); forks workers */
};
/* Answered EPERM: the promises of the sandbox. Everything not listed answers ENOSYS. */
static const char *const sc_forbidden[] = {
    "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev", "fork", "vfork",
    "kill", "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "bpf", "perf_event_open",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
    "swapon", "swapoff", "keyctl", "add_key", "request_key", "userfaultfd", "personality",
    "memfd_create", "io_uring_setup", "chown", "fchown", "fchownat", "lchown", "link",
    "linkat", "symlink", "symlinkat", "mknod", "mknodat", "pidfd_open", "pidfd_getfd",
    "process_madvise", "quotactl", "acct", "settimeofday", "clock_settime", "adjtimex",
    NULL,
};

static int sc_add(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned nargs,
                  const struct scmp_arg_cmp *args)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return 0; /* not on this architecture */
    int rc = seccomp_rule_add_array(ctx, action, nr, nargs, args);
    return rc == -EEXIST ? 0 : rc;
}

static int sc_apply(const sup_sandbox_req_t *req, char *rep, size_t replen, char *err,
                    size_t errlen)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
    if (!ctx) {
        snprintf(err, errlen, "seccomp: cannot initialise a filter");
        return BASE_ERROR;
    }
    int rc = 0;
    unsigned n = 0;
    for (int i = 0; sc_common[i] && !rc; i++, n++)
        rc = sc_add(ctx, SCMP_ACT_ALLOW, sc_common[i], 0, NULL);
    bool php = !strcmp(req->kind, "php");
    const char *const *const groups[] = {sc_fs_write, sc_sockets, sc_php};
    for (size_t g = 0; g < BASE_ARRAY_LEN(groups) && !rc; g++) {
        bool allowed = false;
        for (size_t k = 0; k < BASE_ARRAY_LEN(sc_kinds); k++)
            if (!strcmp(sc_kinds[k].kind, req->kind))
                allowed = sc_kinds[k].extra[0] == groups[g] || sc_kinds[k].extra[1] == groups[g];
        if (groups[g] == sc_sockets && (php || req->unix_connect || req->inet_connect))
            continue; /* below: socket() by address family */
        if (groups[g] == sc_php && !allowed)
            continue; /* not a capability of other kinds: ENOSYS like any unknown call */
        for (int i = 0; groups[g][i] && !rc; i++, n += allowed)
            rc = sc_add(ctx, allowed ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EPERM), groups[g][i], 0,
                        NULL);
    }
    if (php || req->unix_connect || req->inet_connect) {
        /* A client of unix sockets (PHP → HarvSQL, HarvTTP → the PHP pool): socket(AF_UNIX)
         * and connect; TCP only for an external FastCGI server (Landlock limits its port). */
        static const int fams[] = {AF_UNIX, AF_INET, AF_INET6};
        for (size_t i = 0; i < BASE_ARRAY_LEN(fams) && !rc; i++) {
            bool ok = fams[i] == AF_UNIX || req->inet_connect;
            struct scmp_arg_cmp fam = {
                .arg = 0, .op = SCMP_CMP_EQ, .datum_a = (scmp_datum_t)fams[i], .datum_b = 0};
            rc = sc_add(ctx, ok ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EPERM), "socket", 1, &fam);
            n += ok;
        }
        if (!rc)
            rc = sc_add(ctx, SCMP_ACT_ALLOW, "connect", 0, NULL);
        n++;
        static const char *const no[] = {"bind", "listen", NULL};
        for (int i = 0; no[i] && !rc; i++)
            rc = sc_add(ctx, SCMP_ACT_ERRNO(EPERM), no[i], 0, NULL);
    }
    for (int i = 0; sc_forbidden[i] && !rc; i++) {
        if (php && !strcmp(sc_forbidden[i], "kill"))
            continue; /* the pool master stops its workers */
        rc = sc_add(ctx, SCMP_ACT_ERRNO(EPERM), sc_forbidden[i], 0, NULL);
    }
    /* W^X: mappings and protection changes without PROT_EXEC only. */
    struct scmp_arg_cmp noexec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
    struct scmp_arg_cmp exec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC);
    static const char *const mm[] = {"mmap", "mprotect", "pkey_mprotect", NULL};
    for (int i = 0; mm[i] && !rc; i++) {
        rc = sc_add(ctx, SCMP_ACT_ALLOW, mm[i], 1, &noexec);
        if (!rc)
            rc = sc_add(ctx, SCMP_ACT_ERRNO(EPERM), mm[i], 1, &exec);
    }
    /* Threads yes, new processes no. clone3 is not listed: ENOSYS makes glibc use clone. */
    struct scmp_arg_cmp thread = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
    struct scmp_arg_cmp nothread = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0);
    if (!rc)
        rc = sc_add(ctx, SCMP_ACT_ALLOW, "clone", 1, &thread);
    if (!rc) /* the PHP pool master forks its workers (they drop it: sup_sandbox_worker) */
        rc = sc_add(ctx, php ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EPERM), "clone", 1, &nothread);
    if (!rc)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc) {
        snprintf(err, errlen, "seccomp: %s", strerror(-rc));
        return BASE_ERROR;
    }
    snprintf(rep + strlen(rep), replen - strlen(rep), "seccomp(allow=%u,w^x) ", n + 4);
    return BASE_OK;
}

/* The php workers' own layer: seccomp filters stack and the stricter answer wins, so this
 * one only names what the master keeps and a worker must not have. */
static int sc_worker(char *err, size_t errlen)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        snprintf(err, errlen, "seccomp: cannot initialise a filter");
        return BASE_ERROR;
    }
    struct scmp_arg_cmp nothread = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0);
    int rc = sc_add(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 1, &nothread);
    static const char *const no[] = {"kill", "wait4", "waitid", "clone3", NULL};
    for (int i = 0; no[i] && !rc; i++)
        rc = sc_add(ctx, SCMP_ACT_ERRNO(EPERM), no[i], 0, NULL);
    if (!rc)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc) {
        snprintf(err, errlen, "seccomp (worker): %s", strerror(-rc));
        return BASE_ERROR;
    }
    return BASE_OK;
}

int sup_sandbox_worker(const sup_sandbox_req_t *req, char *err, size_t errlen)
{
    char rep[256] = "";
    if (req->task->sandbox.landlock && ll_apply(req, rep, sizeof rep, err, errlen))
        return BASE_ERROR;
    if (req->task->sandbox.landlock && strstr(rep, "unavailable") && sup_landlock_abi() == 0 &&
        errno == ENOSYS && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2) {
        snprintf(err, errlen, "landlock: its syscalls are filtered out");
        return BASE_ERROR;
    }
    if (req->task->sandbox.seccomp && sc_worker(err, errlen))
        return BASE_ERROR;
    return BASE_OK;
}

/* ---- the whole sequence -------------------------------------------------------------- */
static int drop_user(const char *user, char *rep, size_t replen, char *err, size_t errlen)
{
    if (!user || geteuid() != 0)
        return BASE_OK;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "user '%s' does not exist", user);
        return BASE_ERROR;
    }
    if (setgroups(1, &pw->pw_gid) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
        snprintf(err, errlen, "cannot become user '%s': %s", user, strerror(errno));
        return BASE_ERROR;
    }
    if (setuid(0) == 0) {
        snprintf(err, errlen, "dropped to '%s' but could regain root", user);
        return BASE_ERROR;
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* a credential change cleared it */
    snprintf(rep + strlen(rep), replen - strlen(rep), "user=%s ", user);
    return BASE_OK;
}

int sup_sandbox_apply(const sup_sandbox_req_t *req, char *rep, size_t replen, char *err,
                      size_t errlen)
{
    rep[0] = 0;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
        return BASE_ERROR;
    }
    snprintf(rep, replen, "no_new_privs ");
    if (drop_user(req->user, rep, replen, err, errlen))
        return BASE_ERROR;
    const sup_limits_t *lim = &req->task->limits;
    struct rlimit rl;
    char rls[128] = "";
    if (lim->open_files) {
        rl.rlim_cur = rl.rlim_max = lim->open_files;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
            snprintf(err, errlen, "RLIMIT_NOFILE %u: %s", lim->open_files, strerror(errno));
            return BASE_ERROR;
        }
        snprintf(rls + strlen(rls), sizeof rls - strlen(rls), "nofile=%u,", lim->open_files);
    }
    if (!lim->core_dumps) {
        rl.rlim_cur = rl.rlim_max = 0;
        setrlimit(RLIMIT_CORE, &rl);
        snprintf(rls + strlen(rls), sizeof rls - strlen(rls), "core=0,");
    }
    if (lim->memory && !req->cgroup_memory) {
        /* The fallback cap: address space, with room for thread stacks and mappings. */
        rl.rlim_cur = rl.rlim_max = lim->memory + (64u << 20);
        if (setrlimit(RLIMIT_AS, &rl) == 0)
            snprintf(rls + strlen(rls), sizeof rls - strlen(rls), "as=%llu,",
                     (unsigned long long)rl.rlim_cur);
    }
    if (rls[0]) {
        rls[strlen(rls) - 1] = 0;
        snprintf(rep + strlen(rep), replen - strlen(rep), "rlimits(%s) ", rls);
    }
    if (req->task->sandbox.landlock && ll_apply(req, rep, replen, err, errlen))
        return BASE_ERROR;
    if (req->task->sandbox.seccomp && sc_apply(req, rep, replen, err, errlen))
        return BASE_ERROR;
    size_t l = strlen(rep);
    if (l && rep[l - 1] == ' ')
        rep[l - 1] = 0;
    return BASE_OK;
}

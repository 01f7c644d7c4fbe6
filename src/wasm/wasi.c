/* wasi.c — a WASI preview1 subset for command modules: args, environ, clocks, random,
 * fd_read/fd_write/fd_seek/fd_close and stat calls on stdio and opened files, proc_exit,
 * and path_open/path_filestat_get only beneath explicitly preopened directories
 * (openat2 with RESOLVE_BENEATH, so neither "..", absolute paths nor symlinks escape).
 * Everything else answers ENOSYS. Guest pointers are bounds-checked against memory 0.
 * Layer: wasm; a host module defined with wvm_wasi_define(). */
#include "wasm_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define WASI_MAX_FDS 256
#define WASI_MAX_IOVS 1024
#define WASI_MAX_PATH 4096

/* WASI errno values */
enum {
    W_ESUCCESS = 0,
    W_EACCES = 2,
    W_EBADF = 8,
    W_EEXIST = 20,
    W_EFAULT = 21,
    W_EINVAL = 28,
    W_EIO = 29,
    W_EISDIR = 31,
    W_ELOOP = 32,
    W_ENAMETOOLONG = 37,
    W_ENOENT = 44,
    W_ENOMEM = 48,
    W_ENOSPC = 51,
    W_ENOSYS = 52,
    W_ENOTDIR = 54,
    W_ENOTEMPTY = 55,
    W_EPERM = 63,
    W_ESPIPE = 70,
    W_EXDEV = 75,
    W_ENOTCAPABLE = 76,
};

enum { FD_FREE, FD_STDIO, FD_FILE, FD_DIR };

typedef struct wasi_fd {
    int kind;
    int host;
    char *guest; /* preopen name */
    bool preopen;
} wasi_fd_t;

struct wvm_wasi {
    int argc, envc;
    char **argv, **envp;
    wasi_fd_t fds[WASI_MAX_FDS];
};

static int map_errno(int e)
{
    switch (e) {
    case EACCES: return W_EACCES;
    case EBADF: return W_EBADF;
    case EEXIST: return W_EEXIST;
    case EFAULT: return W_EFAULT;
    case EINVAL: return W_EINVAL;
    case EISDIR: return W_EISDIR;
    case ELOOP: return W_ELOOP;
    case ENAMETOOLONG: return W_ENAMETOOLONG;
    case ENOENT: return W_ENOENT;
    case ENOMEM: return W_ENOMEM;
    case ENOSPC: return W_ENOSPC;
    case ENOTDIR: return W_ENOTDIR;
    case ENOTEMPTY: return W_ENOTEMPTY;
    case EPERM: return W_EPERM;
    case ESPIPE: return W_ESPIPE;
    case EXDEV: return W_ENOTCAPABLE;
    default: return W_EIO;
    }
}

wvm_wasi_t *wvm_wasi_new(int argc, const char *const *argv, int envc, const char *const *envp)
{
    wvm_wasi_t *w = base_xcalloc(1, sizeof *w);
    w->argc = argc;
    w->envc = envc;
    w->argv = base_xcalloc((size_t)argc + 1, sizeof *w->argv);
    w->envp = base_xcalloc((size_t)envc + 1, sizeof *w->envp);
    for (int i = 0; i < argc; i++)
        w->argv[i] = base_xstrdup(argv[i]);
    for (int i = 0; i < envc; i++)
        w->envp[i] = base_xstrdup(envp[i]);
    for (int i = 0; i < 3; i++)
        w->fds[i] = (wasi_fd_t){FD_STDIO, i, NULL, false};
    return w;
}

int wvm_wasi_preopen(wvm_wasi_t *w, const char *guest, const char *host)
{
    int hfd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (hfd < 0)
        return -1;
    for (int i = 3; i < WASI_MAX_FDS; i++)
        if (w->fds[i].kind == FD_FREE) {
            w->fds[i] = (wasi_fd_t){FD_DIR, hfd, base_xstrdup(guest), true};
            return 0;
        }
    close(hfd);
    return -1;
}

void wvm_wasi_free(wvm_wasi_t *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->argc; i++)
        free(w->argv[i]);
    for (int i = 0; i < w->envc; i++)
        free(w->envp[i]);
    for (int i = 3; i < WASI_MAX_FDS; i++)
        if (w->fds[i].kind != FD_FREE) {
            close(w->fds[i].host);
            free(w->fds[i].guest);
        }
    free(w->argv), free(w->envp), free(w);
}

/* ---- guest memory --------------------------------------------------------------------- */
static uint8_t *gptr(wvm_instance_t *inst, uint32_t addr, uint64_t n)
{
    uint64_t size;
    uint8_t *base = wvm_instance_memory(inst, &size);
    if (!base || (uint64_t)addr + n > size)
        return NULL;
    return base + addr;
}

static bool put32(wvm_instance_t *inst, uint32_t addr, uint32_t v)
{
    uint8_t *p = gptr(inst, addr, 4);
    if (p)
        memcpy(p, &v, 4);
    return p != NULL;
}

static bool put64(wvm_instance_t *inst, uint32_t addr, uint64_t v)
{
    uint8_t *p = gptr(inst, addr, 8);
    if (p)
        memcpy(p, &v, 8);
    return p != NULL;
}

static wasi_fd_t *getfd(wvm_wasi_t *w, int32_t fd)
{
    if (fd < 0 || fd >= WASI_MAX_FDS || w->fds[fd].kind == FD_FREE)
        return NULL;
    return &w->fds[fd];
}

#define HOST(name)                                                                             \
    static int name(wvm_instance_t *inst, const wvm_value_t *a, wvm_value_t *r, void *u)
#define RET(v) (r[0].i32 = (v), 0)

/* ---- args / environ ------------------------------------------------------------------- */
static int strings_get(wvm_instance_t *inst, char **list, int n, uint32_t ptrs, uint32_t buf,
                       wvm_value_t *r)
{
    for (int i = 0; i < n; i++) {
        size_t len = strlen(list[i]) + 1;
        uint8_t *p = gptr(inst, buf, len);
        if (!p || !put32(inst, ptrs + 4u * (uint32_t)i, buf))
            return RET(W_EFAULT);
        memcpy(p, list[i], len);
        buf += (uint32_t)len;
    }
    return RET(0);
}

static int sizes_get(wvm_instance_t *inst, char **list, int n, uint32_t pn, uint32_t psize,
                     wvm_value_t *r)
{
    uint32_t total = 0;
    for (int i = 0; i < n; i++)
        total += (uint32_t)strlen(list[i]) + 1;
    if (!put32(inst, pn, (uint32_t)n) || !put32(inst, psize, total))
        return RET(W_EFAULT);
    return RET(0);
}

HOST(args_get)
{
    wvm_wasi_t *w = u;
    return strings_get(inst, w->argv, w->argc, a[0].u32, a[1].u32, r);
}
HOST(args_sizes_get)
{
    wvm_wasi_t *w = u;
    return sizes_get(inst, w->argv, w->argc, a[0].u32, a[1].u32, r);
}
HOST(environ_get)
{
    wvm_wasi_t *w = u;
    return strings_get(inst, w->envp, w->envc, a[0].u32, a[1].u32, r);
}
HOST(environ_sizes_get)
{
    wvm_wasi_t *w = u;
    return sizes_get(inst, w->envp, w->envc, a[0].u32, a[1].u32, r);
}

/* ---- clocks, random, process ---------------------------------------------------------- */
static clockid_t clock_of(uint32_t id, bool *ok)
{
    *ok = true;
    switch (id) {
    case 0: return CLOCK_REALTIME;
    case 1: return CLOCK_MONOTONIC;
    case 2: return CLOCK_PROCESS_CPUTIME_ID;
    case 3: return CLOCK_THREAD_CPUTIME_ID;
    default: *ok = false; return CLOCK_REALTIME;
    }
}

HOST(clock_res_get)
{
    bool ok;
    struct timespec ts;
    clockid_t c = clock_of(a[0].u32, &ok);
    if (!ok)
        return RET(W_EINVAL);
    clock_getres(c, &ts);
    if (!put64(inst, a[1].u32, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec))
        return RET(W_EFAULT);
    return RET(0);
}

HOST(clock_time_get)
{
    bool ok;
    struct timespec ts;
    clockid_t c = clock_of(a[0].u32, &ok);
    if (!ok)
        return RET(W_EINVAL);
    clock_gettime(c, &ts);
    if (!put64(inst, a[2].u32, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec))
        return RET(W_EFAULT);
    return RET(0);
}

HOST(random_get)
{
    uint8_t *p = gptr(inst, a[0].u32, a[1].u32);
    if (!p)
        return RET(W_EFAULT);
    size_t done = 0;
    while (done < a[1].u32) {
        ssize_t n = getrandom(p + done, a[1].u32 - done, 0);
        if (n < 0)
            return RET(W_EIO);
        done += (size_t)n;
    }
    return RET(0);
}

HOST(proc_exit) { return wvm_host_exit(inst, a[0].i32); }
HOST(sched_yield) { return RET(0); }
HOST(nosys) { return RET(W_ENOSYS); }

/* ---- fds ------------------------------------------------------------------------------- */
static int rw(wvm_instance_t *inst, wvm_wasi_t *w, const wvm_value_t *a, wvm_value_t *r,
              bool write, bool positional)
{
    wasi_fd_t *f = getfd(w, a[0].i32);
    uint32_t iovs = a[1].u32, n = a[2].u32;
    uint32_t out = positional ? a[4].u32 : a[3].u32;
    if (!f || f->kind == FD_DIR)
        return RET(W_EBADF);
    if (n > WASI_MAX_IOVS)
        return RET(W_EINVAL);
    struct iovec iov[WASI_MAX_IOVS];
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = gptr(inst, iovs + 8 * i, 8);
        if (!e)
            return RET(W_EFAULT);
        uint32_t p, len;
        memcpy(&p, e, 4);
        memcpy(&len, e + 4, 4);
        uint8_t *buf = gptr(inst, p, len);
        if (!buf)
            return RET(W_EFAULT);
        iov[i] = (struct iovec){buf, len};
    }
    ssize_t got;
    if (positional)
        got = write ? pwritev(f->host, iov, (int)n, a[3].i64)
                    : preadv(f->host, iov, (int)n, a[3].i64);
    else
        got = write ? writev(f->host, iov, (int)n) : readv(f->host, iov, (int)n);
    if (got < 0)
        return RET(map_errno(errno));
    if (!put32(inst, out, (uint32_t)got))
        return RET(W_EFAULT);
    return RET(0);
}

HOST(fd_write) { return rw(inst, u, a, r, true, false); }
HOST(fd_read) { return rw(inst, u, a, r, false, false); }
HOST(fd_pwrite) { return rw(inst, u, a, r, true, true); }
HOST(fd_pread) { return rw(inst, u, a, r, false, true); }

HOST(fd_close)
{
    wvm_wasi_t *w = u;
    wasi_fd_t *f = getfd(w, a[0].i32);
    if (!f)
        return RET(W_EBADF);
    if (f->kind == FD_STDIO || f->preopen)
        return RET(W_ENOTCAPABLE);
    close(f->host);
    free(f->guest);
    *f = (wasi_fd_t){0};
    return RET(0);
}

HOST(fd_seek)
{
    wvm_wasi_t *w = u;
    wasi_fd_t *f = getfd(w, a[0].i32);
    if (!f || f->kind == FD_DIR)
        return RET(W_EBADF);
    uint32_t wh = a[2].u32;
    int whence = wh == 0 ? SEEK_SET : wh == 1 ? SEEK_CUR : wh == 2 ? SEEK_END : -1;
    if (whence < 0)
        return RET(W_EINVAL);
    off_t pos = lseek(f->host, (off_t)a[1].i64, whence);
    if (pos < 0)
        return RET(map_errno(errno));
    if (!put64(inst, a[3].u32, (uint64_t)pos))
        return RET(W_EFAULT);
    return RET(0);
}

HOST(fd_tell)
{
    wvm_wasi_t *w = u;
    wasi_fd_t *f = getfd(w, a[0].i32);
    if (!f || f->kind == FD_DIR)
        return RET(W_EBADF);
    off_t pos = lseek(f->host, 0, SEEK_CUR);
    if (pos < 0)
        return RET(map_errno(errno));
    if (!put64(inst, a[1].u32, (uint64_t)pos))
        return RET(W_EFAULT);
    return RET(0);
}

static uint8_t filetype(mode_t m)
{
    if (S_ISDIR(m))
        return 3;
    if (S_ISREG(m))
        return 4;
    if (S_ISCHR(m))
        return 2;
    if (S_ISBLK(m))
        return 1;
    if (S_ISLNK(m))
        return 7;
    return 0;
}

HOST(fd_fdstat_get)
{
    wvm_wasi_t *w = u;
    wasi_fd_t *f = getfd(w, a[0].i32);
    struct stat st;
    if (!f)
        return RET(W_EBADF);
    if (fstat(f->host, &st) < 0)
        return RET(map_errno(errno));
    uint8_t *p = gptr(inst, a[1].u32, 24);
    if (!p)
        return RET(W_EFAULT);
    memset(p, 0, 24);
    p[0] = filetype(st.st_mode);
    int fl = fcntl(f->host, F_GETFL);
    uint16_t flags = (fl >= 0 && (fl & O_APPEND)) ? 1 : 0;
    memcpy(p + 2, &flags, 2);
    uint64_t rights = ~(uint64_t)0;
    if (S_ISCHR(st.st_mode))
        rights &= ~((1ull << 2) | (1ull << 5)); /* no seek / tell on a terminal */
    memcpy(p + 8, &rights, 8);
    memcpy(p + 16, &rights, 8);
    return RET(0);
}

HOST(fd_fdstat_set_flags) { return RET(0); }

static int put_filestat(wvm_instance_t *inst, uint32_t addr, const struct stat *st)
{
    uint8_t *p = gptr(inst, addr, 64);
    if (!p)
        return W_EFAULT;
    memset(p, 0, 64);
    uint64_t v[8] = {(uint64_t)st->st_dev, (uint64_t)st->st_ino, filetype(st->st_mode),
                     (uint64_t)st->st_nlink, (uint64_t)st->st_size,
                     (uint64_t)st->st_atim.tv_sec * 1000000000u + (uint64_t)st->st_atim.tv_nsec,
                     (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec,
                     (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec};
    memcpy(p, v, 64);
    return 0;
}

HOST(fd_filestat_get)
{
    wvm_wasi_t *w = u;
    wasi_fd_t *f = getfd(w, a[0].i32);
    struct stat st;
    if (!f)
        return RET(W_EBADF);
    if (fstat(f->host, &st) < 0)
        return RET(map_errno(errno));
    return RET(put_filestat(inst, a[1].u32, &st));
}

HOST(fd_prestat_get)
{
    wvm_wasi_t *w = u;
    wasi_fd_t *f = getfd(w, a[0].i32);
    if (!f || !f->preopen)
        return RET(W_EBADF);
    uint8_t *p = gptr(inst, a[1].u32, 8);
    if (!p)
        return RET(W_EFAULT);
    memset(p, 0, 8);
    uint32_t len = (uint32_t)strlen(f->guest);
    memcpy(p + 4, &len, 4);
    return RET(0);
}

HOST(fd_prestat_dir_name)
{
    wvm_wasi_t *w = u;
    wasi_fd_t *f = getfd(w, a[0].i32);
    if (!f || !f->preopen)
        return RET(W_EBADF);
    size_t len = strlen(f->guest);
    if (a[2].u32 < len)
        return RET(W_EINVAL);
    uint8_t *p = gptr(inst, a[1].u32, len);
    if (!p)
        return RET(W_EFAULT);
    memcpy(p, f->guest, len);
    return RET(0);
}

/* ---- paths: only beneath a directory fd -------------------------------------------- */
static int open_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
    struct open_how how = {0};
    how.flags = (uint64_t)flags | O_CLOEXEC;
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

static int guest_path(wvm_instance_t *inst, uint32_t p, uint32_t len, char *out)
{
    if (len >= WASI_MAX_PATH)
        return W_ENAMETOOLONG;
    uint8_t *s = gptr(inst, p, len);
    if (!s)
        return W_EFAULT;
    memcpy(out, s, len);
    out[len] = 0;
    if (strlen(out) != len)
        return W_EINVAL;
    return 0;
}

HOST(path_open)
{
    wvm_wasi_t *w = u;
    wasi_fd_t *d = getfd(w, a[0].i32);
    char path[WASI_MAX_PATH];
    if (!d || d->kind != FD_DIR)
        return RET(W_EBADF);
    int e = guest_path(inst, a[2].u32, a[3].u32, path);
    if (e)
        return RET(e);
    uint32_t oflags = a[4].u32, fdflags = a[7].u32;
    uint64_t rights = a[5].u64;
    bool rd = rights & (1ull << 1), wr = rights & ((1ull << 6) | (1ull << 3) | (1ull << 4));
    int flags = (rd && wr) ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
    if (oflags & 1)
        flags |= O_CREAT;
    if (oflags & 2)
        flags |= O_DIRECTORY;
    if (oflags & 4)
        flags |= O_EXCL;
    if (oflags & 8)
        flags |= O_TRUNC;
    if (fdflags & 1)
        flags |= O_APPEND;
    if (!(a[1].u32 & 1))
        flags |= O_NOFOLLOW;
    int slot = -1;
    for (int i = 3; i < WASI_MAX_FDS; i++)
        if (w->fds[i].kind == FD_FREE) {
            slot = i;
            break;
        }
    if (slot < 0)
        return RET(W_ENOMEM);
    int hfd = open_beneath(d->host, path, flags, 0644);
    if (hfd < 0 && errno == EISDIR && !(flags & (O_WRONLY | O_RDWR)))
        hfd = open_beneath(d->host, path, O_RDONLY | O_DIRECTORY, 0);
    if (hfd < 0 && (flags & (O_WRONLY | O_RDWR)) && errno == EISDIR)
        hfd = open_beneath(d->host, path, O_RDONLY | O_DIRECTORY, 0);
    if (hfd < 0)
        return RET(map_errno(errno));
    struct stat st;
    fstat(hfd, &st);
    w->fds[slot] = (wasi_fd_t){S_ISDIR(st.st_mode) ? FD_DIR : FD_FILE, hfd, NULL, false};
    if (!put32(inst, a[8].u32, (uint32_t)slot)) {
        close(hfd);
        w->fds[slot].kind = FD_FREE;
        return RET(W_EFAULT);
    }
    return RET(0);
}

HOST(path_filestat_get)
{
    wvm_wasi_t *w = u;
    wasi_fd_t *d = getfd(w, a[0].i32);
    char path[WASI_MAX_PATH];
    if (!d || d->kind != FD_DIR)
        return RET(W_EBADF);
    int e = guest_path(inst, a[2].u32, a[3].u32, path);
    if (e)
        return RET(e);
    int fd = open_beneath(d->host, path, O_PATH | ((a[1].u32 & 1) ? 0 : O_NOFOLLOW), 0);
    if (fd < 0)
        return RET(map_errno(errno));
    struct stat st;
    int rc = fstat(fd, &st);
    close(fd);
    if (rc < 0)
        return RET(map_errno(errno));
    return RET(put_filestat(inst, a[4].u32, &st));
}

static const struct {
    const char *name, *sig;
    wvm_host_fn fn;
} wasi_funcs[] = {
    {"args_get", "ii:i", args_get},
    {"args_sizes_get", "ii:i", args_sizes_get},
    {"environ_get", "ii:i", environ_get},
    {"environ_sizes_get", "ii:i", environ_sizes_get},
    {"clock_res_get", "ii:i", clock_res_get},
    {"clock_time_get", "iIi:i", clock_time_get},
    {"random_get", "ii:i", random_get},
    {"proc_exit", "i:", proc_exit},
    {"sched_yield", ":i", sched_yield},
    {"fd_write", "iiii:i", fd_write},
    {"fd_read", "iiii:i", fd_read},
    {"fd_pwrite", "iiiIi:i", fd_pwrite},
    {"fd_pread", "iiiIi:i", fd_pread},
    {"fd_close", "i:i", fd_close},
    {"fd_seek", "iIii:i", fd_seek},
    {"fd_tell", "ii:i", fd_tell},
    {"fd_fdstat_get", "ii:i", fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii:i", fd_fdstat_set_flags},
    {"fd_filestat_get", "ii:i", fd_filestat_get},
    {"fd_prestat_get", "ii:i", fd_prestat_get},
    {"fd_prestat_dir_name", "iii:i", fd_prestat_dir_name},
    {"path_open", "iiiiiIIii:i", path_open},
    {"path_filestat_get", "iiiii:i", path_filestat_get},
    {"fd_advise", "iIIi:i", nosys},
    {"fd_allocate", "iII:i", nosys},
    {"fd_datasync", "i:i", nosys},
    {"fd_sync", "i:i", nosys},
    {"fd_readdir", "iiiIi:i", nosys},
    {"fd_renumber", "ii:i", nosys},
    {"fd_filestat_set_size", "iI:i", nosys},
    {"fd_filestat_set_times", "iIIi:i", nosys},
    {"fd_fdstat_set_rights", "iII:i", nosys},
    {"path_create_directory", "iii:i", nosys},
    {"path_remove_directory", "iii:i", nosys},
    {"path_unlink_file", "iii:i", nosys},
    {"path_rename", "iiiiii:i", nosys},
    {"path_readlink", "iiiiii:i", nosys},
    {"path_symlink", "iiiii:i", nosys},
    {"path_link", "iiiiiii:i", nosys},
    {"path_filestat_set_times", "iiiiIIi:i", nosys},
    {"poll_oneoff", "iiii:i", nosys},
    {"proc_raise", "i:i", nosys},
    {"sock_recv", "iiiiii:i", nosys},
    {"sock_send", "iiiii:i", nosys},
    {"sock_shutdown", "ii:i", nosys},
    {"sock_accept", "iii:i", nosys},
};

void wvm_wasi_define(wvm_engine_t *e, wvm_wasi_t *w)
{
    for (size_t i = 0; i < BASE_ARRAY_LEN(wasi_funcs); i++)
        wvm_engine_define_func(e, "wasi_snapshot_preview1", wasi_funcs[i].name, wasi_funcs[i].sig,
                               wasi_funcs[i].fn, w);
}

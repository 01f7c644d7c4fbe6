/* php/isolate.c — confinement of the PHP pool (the php task's own, for `harv php --isolate`;
 * under `harv up` the supervisor's sandbox does more). Two measures:
 *   - network: without allowed ports, the master enters a private network namespace once PHP
 *     is started and the socket is bound: workers (forked after) reach no TCP/UDP peer at all;
 *     unix sockets by path — the pool's own and HarvSQL's — still work. With allowed ports
 *     (HarvSQL's TCP port, for a wp-config.php that names 127.0.0.1:PORT), Landlock (ABI >= 4)
 *     lets workers connect over TCP to those ports only and bind none;
 *   - each worker restricts itself with Landlock: no write, create, remove or rename anywhere
 *     but the temp dir and the configured writable directories (e.g. wp-content/uploads);
 *     reading stays open (open_basedir confines PHP's reads to the root and the temp dir).
 * Layer: php. */
#include "php_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int phpw_isolate_network(char *err, size_t errlen)
{
    if (unshare(CLONE_NEWNET) != 0) {
        snprintf(err, errlen, "unshare(CLONE_NEWNET): %s (needs root or a user namespace)",
                 strerror(errno));
        return -1;
    }
    return 0;
}

/* The write-like rights of a Landlock ABI. */
static uint64_t write_rights(int abi)
{
    uint64_t r = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
                 LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
#ifdef LANDLOCK_ACCESS_FS_REFER
    if (abi >= 2)
        r |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
    if (abi >= 3)
        r |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
    return r;
}

static int allow_path(int ruleset, const char *path, uint64_t rights)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct landlock_path_beneath_attr pb = {.allowed_access = rights, .parent_fd = fd};
    int rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    close(fd);
    return rc;
}

/* Landlock ABI 4 network rules (newer than the installed kernel headers may know). */
struct phpw_ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
};
struct phpw_ll_net_port_attr {
    uint64_t allowed_access;
    uint64_t port;
};
#define PHPW_LL_RULE_NET_PORT 2
#define PHPW_LL_NET_BIND_TCP (1ULL << 0)
#define PHPW_LL_NET_CONNECT_TCP (1ULL << 1)

int phpw_isolate_files(const char *const *writable, const int *connect_ports, char *err,
                       size_t errlen)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) {
        snprintf(err, errlen, "Landlock is not available in this kernel");
        return -1;
    }
    uint64_t rights = write_rights((int)abi);
    bool net = connect_ports && connect_ports[0];
    if (net && abi < 4) {
        snprintf(err, errlen, "TCP port rules need Landlock ABI 4 (this kernel has %ld)", abi);
        return -1;
    }
    struct phpw_ll_ruleset_attr ra = {
        .handled_access_fs = rights,
        .handled_access_net = net ? PHPW_LL_NET_BIND_TCP | PHPW_LL_NET_CONNECT_TCP : 0,
    };
    int rs = (int)syscall(SYS_landlock_create_ruleset, &ra,
                          net ? sizeof ra : sizeof ra.handled_access_fs, 0);
    if (rs < 0) {
        snprintf(err, errlen, "landlock_create_ruleset: %s", strerror(errno));
        return -1;
    }
    /* /dev/null and friends: PHP and libraries open them for writing */
    allow_path(rs, "/dev/null", LANDLOCK_ACCESS_FS_WRITE_FILE);
    for (const char *const *w = writable; w && *w; w++) {
        if (allow_path(rs, *w, rights) != 0) {
            snprintf(err, errlen, "writable directory %s: %s", *w, strerror(errno));
            close(rs);
            return -1;
        }
    }
    for (const int *p = connect_ports; net && *p; p++) {
        struct phpw_ll_net_port_attr np = {.allowed_access = PHPW_LL_NET_CONNECT_TCP,
                                           .port = (uint64_t)*p};
        if (syscall(SYS_landlock_add_rule, rs, PHPW_LL_RULE_NET_PORT, &np, 0) != 0) {
            snprintf(err, errlen, "landlock port rule %d: %s", *p, strerror(errno));
            close(rs);
            return -1;
        }
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_landlock_restrict_self, rs, 0) != 0) {
        snprintf(err, errlen, "landlock_restrict_self: %s", strerror(errno));
        close(rs);
        return -1;
    }
    close(rs);
    return 0;
}

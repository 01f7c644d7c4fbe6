/* sup/listeners.c — the supervisor's listening sockets: bound once by `harv up` (TCP v4/v6,
 * unix), adopted from systemd socket activation (LISTEN_FDS), kept across reloads when their
 * address is unchanged, and handed to tasks through the fd map. Layer: sup (supervisor). */
#include "sup_run.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

void sup_lst_inherit(sup_t *s)
{
    const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
    if (!pid || !n || atoi(pid) != (int)getpid())
        return;
    int count = atoi(n);
    for (int i = 0; i < count && s->ninherited < BASE_ARRAY_LEN(s->inherited); i++) {
        fcntl(3 + i, F_SETFD, FD_CLOEXEC);
        s->inherited[s->ninherited++] = 3 + i;
    }
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    BASE_LOG(BASE_LOG_INFO, "sup", "socket activation: %d inherited listener(s)", count);
}

/* Whether the socket fd is bound to exactly the address a (a configured port 0 matches
 * whatever port was picked). */
static bool sock_is(int fd, const net_addr_t *a)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 || ss.ss_family != a->family)
        return false;
    if (a->family == AF_UNIX)
        return !strcmp(((struct sockaddr_un *)&ss)->sun_path,
                       ((const struct sockaddr_un *)&a->ss)->sun_path);
    if (sl != a->len)
        return false;
    if (a->family == AF_INET) {
        const struct sockaddr_in *x = (const void *)&ss, *y = (const void *)&a->ss;
        return x->sin_addr.s_addr == y->sin_addr.s_addr &&
               (x->sin_port == y->sin_port || !y->sin_port);
    }
    const struct sockaddr_in6 *x = (const void *)&ss, *y = (const void *)&a->ss;
    return !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) &&
           (x->sin6_port == y->sin6_port || !y->sin6_port);
}

/* An inherited (systemd) socket bound to exactly this address, or -1. */
static int take_inherited(sup_t *s, const net_addr_t *a)
{
    for (unsigned i = 0; i < s->ninherited; i++) {
        if (!sock_is(s->inherited[i], a))
            continue;
        int fd = s->inherited[i];
        s->inherited[i] = s->inherited[--s->ninherited];
        return fd;
    }
    return -1;
}

/* Binds cfg's listeners, keeping the sockets of addresses already bound (a reload never
 * closes a socket still configured). On failure nothing changes. */
int sup_lst_bind(sup_t *s, const sup_config_t *cfg, char *err, size_t errlen)
{
    sup_lst_t next[SUP_MAX_LISTENERS];
    bool kept[SUP_MAX_LISTENERS] = {0};
    unsigned n = 0;
    for (unsigned i = 0; i < cfg->nlisteners; i++, n++) {
        sup_lst_t *l = &next[n];
        memset(l, 0, sizeof *l);
        snprintf(l->name, sizeof l->name, "%s", cfg->listeners[i].name);
        snprintf(l->address, sizeof l->address, "%s", cfg->listeners[i].address);
        l->fd = -1;
        net_addr_t a;
        if (net_addr_parse(l->address, &a, err, errlen) != BASE_OK)
            goto fail;
        /* The same address keeps its socket: by text, or by what the socket is bound to
         * (a reload may spell out the port a ":0" listener got). */
        for (unsigned j = 0; j < s->nlst; j++) {
            if (!kept[j] && s->lst[j].fd >= 0 &&
                (!strcmp(s->lst[j].address, l->address) || sock_is(s->lst[j].fd, &a))) {
                l->fd = s->lst[j].fd;
                l->unix_owned = s->lst[j].unix_owned;
                kept[j] = true;
                break;
            }
        }
        if (l->fd >= 0)
            continue;
        l->fd = take_inherited(s, &a);
        if (l->fd >= 0)
            continue;
        /* TCP_DEFER_ACCEPT only where the client speaks first (HTTP): a MySQL client would
         * wait for a greeting the server never sees it ask for. */
        l->fd = net_listen(&a, (int)cfg->backlog,
                           cfg->listeners[i].server_first ? 0 : NET_LISTEN_DEFER_ACCEPT, err,
                           errlen);
        if (l->fd < 0) {
            char e2[512];
            if (snprintf(e2, sizeof e2, "%s: listener %s: %s", cfg->file, l->name, err) < 0)
                e2[0] = 0;
            snprintf(err, errlen, "%s", e2);
            goto fail;
        }
        l->unix_owned = a.family == AF_UNIX;
        if (a.family == AF_UNIX) {
            const sup_listener_cfg_t *lc = &cfg->listeners[i];
            chmod(a.text + 5, lc->mode ? lc->mode : 0666);
            struct passwd *pw = lc->mode && cfg->user && geteuid() == 0 ? getpwnam(cfg->user)
                                                                         : NULL;
            if (pw) /* a private socket belongs to the user the tasks run as */
                (void)!chown(a.text + 5, pw->pw_uid, pw->pw_gid);
        }
    }
    for (unsigned j = 0; j < s->nlst; j++) {
        if (!kept[j] && s->lst[j].fd >= 0) {
            close(s->lst[j].fd);
            if (s->lst[j].unix_owned)
                unlink(s->lst[j].address + 5);
        }
    }
    memcpy(s->lst, next, sizeof next[0] * n);
    s->nlst = n;
    return BASE_OK;
fail:
    for (unsigned i = 0; i < n; i++) {
        bool was_kept = false;
        for (unsigned j = 0; j < s->nlst; j++)
            was_kept |= kept[j] && s->lst[j].fd == next[i].fd;
        if (!was_kept) {
            close(next[i].fd);
            if (next[i].unix_owned)
                unlink(next[i].address + 5);
        }
    }
    return BASE_ERROR;
}

int sup_lst_fd(sup_t *s, const char *name)
{
    for (unsigned i = 0; i < s->nlst; i++)
        if (!strcmp(s->lst[i].name, name))
            return s->lst[i].fd;
    return -1;
}

/* "127.0.0.1:8080" with the real port of a port-0 listener. */
void sup_lst_text(const sup_lst_t *l, char *out, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(l->fd, (struct sockaddr *)&ss, &sl) != 0 || ss.ss_family == AF_UNIX) {
        snprintf(out, len, "%s", l->address);
        return;
    }
    char host[64];
    int port;
    net_addr_peer(&ss, host, sizeof host, &port);
    snprintf(out, len, ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, port);
}


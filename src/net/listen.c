/* net/listen.c — listen-address parsing and listening sockets (TCP v4/v6, unix).
 * Layer: net. Only the supervisor (or a standalone `harv serve`/`harv sql`) binds. */
#include <harv/net.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int parse_port(const char *s, int *port)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > 65535)
        return BASE_ERROR;
    *port = (int)v;
    return BASE_OK;
}

int net_addr_parse(const char *spec, net_addr_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!strncmp(spec, "unix:", 5)) {
        const char *path = spec + 5;
        struct sockaddr_un *un = (struct sockaddr_un *)&out->ss;
        if (!*path || strlen(path) >= sizeof un->sun_path) {
            snprintf(err, errlen, "'%s': a unix socket path must be 1 to %zu bytes", spec,
                     sizeof un->sun_path - 1);
            return BASE_ERROR;
        }
        un->sun_family = AF_UNIX;
        strcpy(un->sun_path, path);
        out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
        out->family = AF_UNIX;
        snprintf(out->text, sizeof out->text, "unix:%s", path);
        return BASE_OK;
    }
    char host[64]; /* the longest IPv6 literal is 45 bytes; text[] must fit host + ":port" */
    const char *port_s;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof host)
            goto bad;
        memcpy(host, spec + 1, (size_t)(close - spec - 1));
        host[close - spec - 1] = 0;
        port_s = close + 2;
    } else {
        const char *colon = strrchr(spec, ':');
        if (!colon) {
            strcpy(host, "0.0.0.0");
            port_s = spec;
        } else {
            if ((size_t)(colon - spec) >= sizeof host || strchr(spec, ':') != colon)
                goto bad;
            memcpy(host, spec, (size_t)(colon - spec));
            host[colon - spec] = 0;
            if (!host[0])
                strcpy(host, "0.0.0.0");
            port_s = colon + 1;
        }
    }
    int port;
    if (parse_port(port_s, &port) != BASE_OK)
        goto bad;
    if (!strcmp(host, "localhost"))
        strcpy(host, "127.0.0.1");
    struct sockaddr_in *in4 = (struct sockaddr_in *)&out->ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->ss;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        out->len = sizeof *in4;
        out->family = AF_INET;
        snprintf(out->text, sizeof out->text, "%s:%d", host, port);
        return BASE_OK;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        out->len = sizeof *in6;
        out->family = AF_INET6;
        snprintf(out->text, sizeof out->text, "[%s]:%d", host, port);
        return BASE_OK;
    }
bad:
    snprintf(err, errlen,
             "'%s' is not a listen address: use HOST:PORT (127.0.0.1:8080), [V6]:PORT "
             "([::1]:8080), :PORT, PORT, or unix:PATH; ports 0-65535",
             spec);
    return BASE_ERROR;
}

int net_listen(const net_addr_t *addr, int backlog, unsigned flags, char *err, size_t errlen)
{
    int fd = socket(addr->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket for %s: %s", addr->text, strerror(errno));
        return BASE_ERROR;
    }
    int one = 1;
    if (addr->family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)&addr->ss;
        struct stat st;
        /* Replace a stale socket left by a crash, never any other kind of file. */
        if (lstat(un->sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
            unlink(un->sun_path);
    } else {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (flags & NET_LISTEN_REUSEPORT)
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
        if (addr->family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) != 0) {
        snprintf(err, errlen, "bind %s: %s", addr->text, strerror(errno));
        goto fail;
    }
    if (listen(fd, backlog) != 0) {
        snprintf(err, errlen, "listen %s: %s", addr->text, strerror(errno));
        goto fail;
    }
    if (addr->family != AF_UNIX && (flags & NET_LISTEN_DEFER_ACCEPT)) {
        int secs = 10;
        setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof secs);
    }
    return fd;
fail:
    close(fd);
    return BASE_ERROR;
}

int net_socket_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return 0;
}

void net_addr_peer(const struct sockaddr_storage *ss, char *host, size_t hostlen, int *port)
{
    *port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &in4->sin_addr, host, (socklen_t)hostlen);
        *port = ntohs(in4->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, (socklen_t)hostlen);
        *port = ntohs(in6->sin6_port);
    } else {
        snprintf(host, hostlen, "unix");
    }
}

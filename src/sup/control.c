/* sup/control.c — the control protocol's shared pieces: the socket path, JSON string
 * escaping, and the client side (`harv status/stop/reload/restart/logs`).
 * Protocol: the client connects to STATE/run/harv.sock, writes one JSON object on one line
 * ({"cmd":"status"}, {"cmd":"restart","task":"http"}...), the supervisor answers one JSON
 * object and closes. Layer: sup. */
#include <harv/sup.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

const char *sup_control_path(const sup_config_t *cfg)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/run/harv.sock", cfg->state_dir);
    return path;
}

void sup_json_str(base_buf_t *b, const char *s)
{
    base_buf_append(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            base_buf_appendf(b, "\\%c", *p);
        else if (*p == '\n')
            base_buf_append(b, "\\n", 2);
        else if (*p < 0x20 || *p == 0x7f)
            base_buf_appendf(b, "\\u%04x", *p);
        else
            base_buf_append(b, p, 1);
    }
    base_buf_append(b, "\"", 1);
}

int sup_control_call(const char *path, const char *request, base_buf_t *out, char *err,
                     size_t errlen)
{
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof un.sun_path) {
        snprintf(err, errlen, "control socket path %s is too long", path);
        return BASE_ERROR;
    }
    strcpy(un.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&un, sizeof un) != 0) {
        snprintf(err, errlen, "cannot reach the supervisor at %s: %s (is `harv up` running?)",
                 path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return BASE_ERROR;
    }
    size_t len = strlen(request);
    if (write(fd, request, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
        snprintf(err, errlen, "write to %s: %s", path, strerror(errno));
        close(fd);
        return BASE_ERROR;
    }
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 60000) <= 0) {
            snprintf(err, errlen, "no answer from the supervisor at %s within 60 s", path);
            close(fd);
            return BASE_ERROR;
        }
        if (base_buf_reserve(out, 4096, 64u << 20) != BASE_OK) {
            snprintf(err, errlen, "the answer from %s is too large", path);
            close(fd);
            return BASE_ERROR;
        }
        ssize_t r = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        out->len += (size_t)r;
    }
    close(fd);
    out->data[out->len] = 0;
    return BASE_OK;
}

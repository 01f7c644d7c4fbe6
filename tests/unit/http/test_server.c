/* Unit test of the embedding API: http_server_init / http_server_tick drive a live server
 * and its client sockets from one thread (no background threads, no sleeps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <harv/http.h>

static int handled;

static void hello(void *ctx, const http_request_t *req, http_response_t *resp)
{
    handled++;
    http_response_header(resp, "Content-Type", "text/plain");
    if (req->body_len)
        http_response_body(resp, req->body, req->body_len);
    else
        http_response_body(resp, "hi\n", 3);
}

static int client_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    assert_true(rc == 0 || errno == EINPROGRESS);
    return fd;
}

/* Ticks the server until the client has read `want` bytes containing `marker` times n. */
static size_t tick_until(http_server_t *srv, int fd, char *buf, size_t cap, const char *marker,
                         int n)
{
    size_t got = 0;
    for (int i = 0; i < 200; i++) {
        http_server_tick(srv, 10);
        ssize_t r = read(fd, buf + got, cap - got - 1);
        if (r > 0)
            got += (size_t)r;
        buf[got] = 0;
        int count = 0;
        for (char *p = buf; (p = strstr(p, marker)); p++)
            count++;
        if (count >= n)
            return got;
    }
    return got;
}

static void tick_drives_server_and_client(void **state)
{
    http_config_t cfg;
    http_config_defaults(&cfg);
    const char *listen[] = {"127.0.0.1:0", NULL};
    cfg.listen = listen;
    http_server_t *srv;
    char err[256];
    assert_int_equal(http_server_init(&srv, &cfg, hello, NULL, err, sizeof err), BASE_OK);
    int port = http_server_port(srv, 0);
    assert_true(port > 0);

    int fd = client_connect(port);
    http_server_tick(srv, 10);
    const char req[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    handled = 0;
    /* three pipelined requests plus a POST with a body, in one write */
    char batch[512];
    snprintf(batch, sizeof batch, "%s%s%sPOST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody",
             req, req, req);
    assert_int_equal(write(fd, batch, strlen(batch)), (ssize_t)strlen(batch));
    char buf[8192];
    tick_until(srv, fd, buf, sizeof buf, "HTTP/1.1 200 OK", 4);
    assert_int_equal(handled, 4);
    assert_non_null(strstr(buf, "\r\n\r\nbody"));
    assert_int_equal(http_server_conn_count(srv), 1);
    close(fd);
    for (int i = 0; i < 20 && http_server_conn_count(srv); i++)
        http_server_tick(srv, 10);
    assert_int_equal(http_server_conn_count(srv), 0);
    http_server_free(srv);
}

static void bad_config_is_reported(void **state)
{
    http_config_t cfg;
    http_config_defaults(&cfg);
    const char *listen[] = {"999.1.1.1:80", NULL};
    cfg.listen = listen;
    char err[256];
    http_server_t *srv;
    assert_int_equal(http_server_init(&srv, &cfg, hello, NULL, err, sizeof err), BASE_ERROR);
    assert_non_null(strstr(err, "not a listen address"));
    cfg.listen = NULL;
    assert_null(http_server_new(&cfg, hello, NULL, err, sizeof err));
    assert_non_null(strstr(err, "no listen address"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tick_drives_server_and_client),
        cmocka_unit_test(bad_config_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

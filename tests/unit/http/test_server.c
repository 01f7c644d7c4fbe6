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

/* ---- a streamed request body, fed one byte per tick --------------------------------------- */

static char sbody[4096];
static size_t sbody_len;
static int spieces;
static bool sdone, spaused;
static http_stream_t *sstream;

static bool on_piece(void *arg, const char *data, size_t len, bool done)
{
    assert_true(sbody_len + len <= sizeof sbody);
    memcpy(sbody + sbody_len, data, len);
    sbody_len += len;
    spieces++;
    if (done) {
        sdone = true;
        http_stream_set_length(sstream, sbody_len);
        http_stream_write(sstream, sbody, sbody_len);
        http_stream_end(sstream);
        sstream = NULL;
        return false;
    }
    spaused = spieces % 3 == 0; /* back-pressure: the test resumes between ticks */
    return !spaused;
}

static bool want_stream(void *ctx, const http_request_t *req)
{
    return base_span_eq(req->path, "/s");
}

static void streamer(void *ctx, const http_request_t *req, http_response_t *resp)
{
    if (!(req->flags & HTTP_REQ_BODY_STREAMED)) {
        hello(ctx, req, resp); /* counts itself */
        return;
    }
    handled++;
    assert_int_equal(req->body_len, 0);
    sstream = http_response_stream(resp);
    assert_non_null(sstream);
    http_stream_body(sstream, on_piece, NULL);
}

static void streamed_body_byte_by_byte(void **state)
{
    http_config_t cfg;
    http_config_defaults(&cfg);
    const char *listen[] = {"127.0.0.1:0", NULL};
    cfg.listen = listen;
    cfg.body_stream = want_stream;
    http_server_t *srv;
    char err[256];
    assert_int_equal(http_server_init(&srv, &cfg, streamer, NULL, err, sizeof err), BASE_OK);
    int fd = client_connect(http_server_port(srv, 0));
    http_server_tick(srv, 10);
    /* chunked, with an extension and a trailer, then a pipelined GET */
    const char wire[] = "POST /s HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5;x=y\r\nhello\r\n1\r\n \r\nb\r\nstreamed!!!\r\n0\r\nT: v\r\n\r\n"
                        "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    handled = 0;
    sbody_len = 0;
    spieces = 0;
    sdone = spaused = false;
    for (size_t i = 0; i < sizeof wire - 1; i++) {
        assert_int_equal(write(fd, wire + i, 1), 1);
        http_server_tick(srv, 0);
        if (spaused && sstream) {
            spaused = false;
            http_stream_body_resume(sstream);
        }
        http_server_tick(srv, 0);
    }
    char buf[8192];
    size_t got = tick_until(srv, fd, buf, sizeof buf, "HTTP/1.1 200 OK", 2);
    assert_true(sdone);
    assert_int_equal(sbody_len, 17);
    assert_memory_equal(sbody, "hello streamed!!!", 17);
    assert_true(spieces >= 3);
    assert_int_equal(handled, 2);
    assert_non_null(strstr(buf, "\r\n\r\nhello streamed!!!HTTP/1.1 200 OK"));
    assert_non_null(strstr(buf, "\r\n\r\nhi\n"));
    assert_true(got > 0);
    close(fd);
    for (int i = 0; i < 20 && http_server_conn_count(srv); i++)
        http_server_tick(srv, 10);
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
        cmocka_unit_test(streamed_body_byte_by_byte),
        cmocka_unit_test(bad_config_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

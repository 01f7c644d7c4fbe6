/* http/test_routes.c — the /_test/ routes Harv's own integration tests drive through the real
 * binary (`harv serve --test-handlers`, the supervisor's http task with test_handlers). Never
 * on by default. None of them blocks an event loop: slow answers are streams completed by a
 * timer, so a drain or another client on the same loop is never held up by a test request.
 *   /_test/echo                 the request body back, X-Method: the method
 *   /_test/sleep?ms=N           "slept\n" after N ms (a worker sleeps in thread-pool mode)
 *   /_test/stream?n=N&ms=M[&len=1]  N lines "chunk i\n", one every M ms; chunked, or with a
 *                               Content-Length when len=1
 *   /_test/body[?pause=MS]      "len=N fnv=H\n": the body's length and FNV-1a 64 hash, read as
 *                               a streamed body (http_test_body_stream); with pause, the reader
 *                               pauses MS ms after every piece (back-pressure)
 * Layer: http. */
#include <harv/http.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct test_stream {
    http_stream_t *s;
    net_timer_t timer;
    int left, ms, i;
    bool sleep; /* one "slept\n" instead of numbered lines */
} test_stream_t;

static void test_stream_closed(void *arg)
{
    test_stream_t *t = arg;
    net_timer_stop(http_stream_loop(t->s), &t->timer);
    free(t);
}

static void test_stream_tick(net_loop_t *loop, net_timer_t *timer)
{
    test_stream_t *t = timer->data;
    char line[32];
    int n = t->sleep ? snprintf(line, sizeof line, "slept\n")
                     : snprintf(line, sizeof line, "chunk %d\n", t->i++);
    if (http_stream_write(t->s, line, (size_t)n) == BASE_ERROR)
        return; /* closed: test_stream_closed freed t */
    if (--t->left > 0) {
        net_timer_start(loop, &t->timer, (uint64_t)t->ms, test_stream_tick, t);
        return;
    }
    http_stream_end(t->s);
    free(t);
}

/* Starts a timer-driven stream; false in thread-pool mode (no streams there). */
static bool test_stream_start(http_response_t *resp, int n, int ms, bool with_length, bool sleep)
{
    http_stream_t *s = http_response_stream(resp);
    if (!s)
        return false;
    if (with_length) {
        uint64_t total = 0;
        for (int i = 0; i < n; i++)
            total += sleep ? 6 : (uint64_t)snprintf(NULL, 0, "chunk %d\n", i);
        http_stream_set_length(s, total);
    }
    test_stream_t *t = base_xcalloc(1, sizeof *t);
    t->s = s;
    t->left = n;
    t->ms = ms;
    t->sleep = sleep;
    http_stream_callbacks(s, NULL, test_stream_closed, t);
    net_timer_start(http_stream_loop(s), &t->timer, (uint64_t)ms, test_stream_tick, t);
    return true;
}

typedef struct test_body {
    http_stream_t *s;
    net_timer_t timer;
    uint64_t len, hash;
    int pause_ms;
} test_body_t;

static void fnv1a(uint64_t *h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
}

static void test_body_closed(void *arg)
{
    test_body_t *t = arg;
    net_timer_stop(http_stream_loop(t->s), &t->timer);
    free(t);
}

static void test_body_resume(net_loop_t *loop, net_timer_t *timer)
{
    test_body_t *t = timer->data;
    http_stream_body_resume(t->s);
}

static bool test_body_piece(void *arg, const char *data, size_t len, bool done)
{
    test_body_t *t = arg;
    fnv1a(&t->hash, data, len);
    t->len += len;
    if (done) {
        char out[64];
        int n = snprintf(out, sizeof out, "len=%llu fnv=%016llx\n", (unsigned long long)t->len,
                         (unsigned long long)t->hash);
        http_stream_set_length(t->s, (uint64_t)n);
        http_stream_write(t->s, out, (size_t)n);
        http_stream_end(t->s);
        free(t);
        return false;
    }
    if (t->pause_ms) {
        net_timer_start(http_stream_loop(t->s), &t->timer, (uint64_t)t->pause_ms, test_body_resume,
                        t);
        return false;
    }
    return true;
}

bool http_test_body_stream(const http_request_t *req)
{
    return base_span_eq(req->path, "/_test/body");
}

static void test_body(const http_request_t *req, http_response_t *resp, const char *q)
{
    int pause_ms = 0;
    sscanf(q, "pause=%d", &pause_ms);
    http_response_header(resp, "Content-Type", "text/plain");
    if (!(req->flags & HTTP_REQ_BODY_STREAMED)) { /* read whole first (thread-pool mode) */
        uint64_t h = 0xcbf29ce484222325ULL;
        fnv1a(&h, req->body, req->body_len);
        http_response_headerf(resp, "X-Body", "buffered");
        char *out = base_arena_alloc(http_response_arena(resp), 64);
        int n = snprintf(out, 64, "len=%zu fnv=%016llx\n", req->body_len, (unsigned long long)h);
        http_response_body(resp, out, (size_t)n);
        return;
    }
    http_stream_t *s = http_response_stream(resp);
    test_body_t *t = base_xcalloc(1, sizeof *t);
    t->s = s;
    t->hash = 0xcbf29ce484222325ULL;
    t->pause_ms = pause_ms < 0 || pause_ms > 1000 ? 0 : pause_ms;
    http_stream_header(s, "X-Body", "streamed");
    http_stream_callbacks(s, NULL, test_body_closed, t);
    http_stream_body(s, test_body_piece, t);
}

bool http_test_route(const http_request_t *req, http_response_t *resp)
{
    if (req->path.len < 7 || memcmp(req->path.p, "/_test/", 7))
        return false;
    if (base_span_eq(req->path, "/_test/echo")) {
        http_response_header(resp, "Content-Type", "application/octet-stream");
        http_response_headerf(resp, "X-Method", "%.*s", (int)req->method_name.len,
                              req->method_name.p);
        http_response_body(resp, req->body, req->body_len);
        return true;
    }
    char q[64] = "";
    snprintf(q, sizeof q, "%.*s", (int)BASE_MIN(req->query.len, sizeof q - 1), req->query.p);
    if (base_span_eq(req->path, "/_test/body")) {
        test_body(req, resp, q);
        return true;
    }
    if (base_span_eq(req->path, "/_test/sleep")) {
        int ms = 100;
        sscanf(q, "ms=%d", &ms);
        if (ms < 0 || ms > 10000)
            ms = 100;
        http_response_header(resp, "Content-Type", "text/plain");
        if (test_stream_start(resp, 1, ms, true, true))
            return true;
        usleep((useconds_t)ms * 1000); /* thread-pool mode: only this worker waits */
        http_response_body(resp, "slept\n", 6);
        return true;
    }
    if (base_span_eq(req->path, "/_test/stream")) {
        int n = 3, ms = 20, with_length = 0;
        sscanf(q, "n=%d&ms=%d&len=%d", &n, &ms, &with_length);
        if (n < 1 || n > 10000 || ms < 0 || ms > 10000) {
            http_response_error(resp, 400);
            return true;
        }
        http_response_header(resp, "Content-Type", "text/plain");
        if (!test_stream_start(resp, n, ms, with_length != 0, false))
            http_response_error(resp, 501); /* thread-pool mode has no streams */
        return true;
    }
    http_response_error(resp, 404);
    return true;
}

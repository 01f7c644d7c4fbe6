/* Unit tests for http/parser.c: accepted requests, every rejection status of
 * shared/docs/http-strictness.md, each input split at every byte boundary, and parsing
 * against a guard page so a read past the input faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <harv/http.h>

static const http_parse_limits_t lim = {
    .max_head = 4096, .max_target = 256, .max_line = 1024, .max_headers = 16};

static int parse(const char *s, size_t len, http_request_t *req, int *status)
{
    static http_header_t hdrs[16];
    req->headers = hdrs;
    *status = 0;
    return http_parse_request(s, len, &lim, req, status);
}

/* Parses s whole, then every proper prefix: a prefix must answer AGAIN, or (for a request
 * that is rejected) the same error as the whole — never success, never another status. */
static int parse_all_splits(const char *s, http_request_t *req, int *status)
{
    size_t len = strlen(s);
    int rc = parse(s, len, req, status);
    int want_status = *status;
    for (size_t k = 0; k < len; k++) {
        http_request_t r2;
        int st2;
        int rc2 = parse(s, k, &r2, &st2);
        if (rc2 == BASE_AGAIN)
            continue;
        if (rc != BASE_ERROR || rc2 != BASE_ERROR || st2 != want_status) {
            fprintf(stderr, "prefix %zu of %zu: rc %d status %d (whole: rc %d status %d)\n", k,
                    len, rc2, st2, rc, want_status);
            fail();
        }
    }
    /* the whole request again, since the prefix loop reused the static header array */
    return parse(s, len, req, status);
}

static void expect_status(const char *s, int want)
{
    http_request_t req;
    int status;
    int rc = parse_all_splits(s, &req, &status);
    if (rc != BASE_ERROR || status != want) {
        fprintf(stderr, "request %.60s...: rc %d status %d, want %d\n", s, rc, status, want);
        fail();
    }
}

static void simple_get(void **state)
{
    http_request_t req;
    int status;
    const char *s = "GET /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent:  t  \r\n\r\n";
    int rc = parse_all_splits(s, &req, &status);
    assert_int_equal(rc, (int)strlen(s));
    assert_int_equal(req.method, HTTP_GET);
    assert_true(base_span_eq(req.path, "/a/b"));
    assert_true(base_span_eq(req.query, "x=1"));
    assert_true(base_span_eq(req.host, "example.com"));
    assert_int_equal(req.minor, 1);
    assert_true(req.flags & HTTP_REQ_KEEPALIVE);
    assert_int_equal(req.nheaders, 2);
    assert_true(base_span_eq(http_request_header(&req, "user-agent")->value, "t"));
}

static void pipelined_stops_at_head(void **state)
{
    http_request_t req;
    int status;
    const char *s = "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
    int rc = parse(s, strlen(s), &req, &status);
    assert_int_equal(rc, 27);
    rc = parse(s + 27, strlen(s) - 27, &req, &status);
    assert_int_equal(rc, 28);
    assert_true(base_span_eq(req.path, "/2"));
}

static void versions_and_connection(void **state)
{
    http_request_t req;
    int status;
    assert_true(parse_all_splits("GET / HTTP/1.0\r\n\r\n", &req, &status) > 0);
    assert_int_equal(req.minor, 0);
    assert_false(req.flags & HTTP_REQ_KEEPALIVE);
    assert_true(parse_all_splits("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req,
                                 &status) > 0);
    assert_true(req.flags & HTTP_REQ_KEEPALIVE);
    assert_true(parse_all_splits("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n",
                                 &req, &status) > 0);
    assert_false(req.flags & HTTP_REQ_KEEPALIVE);
    /* a higher minor version is processed as 1.1 */
    assert_true(parse_all_splits("GET / HTTP/1.7\r\nHost: a\r\n\r\n", &req, &status) > 0);
    assert_int_equal(req.minor, 1);
    /* leading empty line ignored */
    assert_true(parse_all_splits("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &req, &status) > 0);
}

static void bodies(void **state)
{
    http_request_t req;
    int status;
    assert_true(parse_all_splits("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n", &req,
                                 &status) > 0);
    assert_int_equal(req.content_length, 42);
    assert_true(parse_all_splits("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42, 42\r\n\r\n",
                                 &req, &status) > 0);
    assert_int_equal(req.content_length, 42);
    assert_true(parse_all_splits(
                    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", &req,
                    &status) > 0);
    assert_true(req.flags & HTTP_REQ_CHUNKED);
    assert_true(parse_all_splits("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                                 "Content-Length: 5\r\n\r\n",
                                 &req, &status) > 0);
    assert_true(req.flags & HTTP_REQ_CONTINUE);
}

static void absolute_form(void **state)
{
    http_request_t req;
    int status;
    assert_true(parse_all_splits("GET http://h.example:81/p?q HTTP/1.1\r\nHost: other\r\n\r\n",
                                 &req, &status) > 0);
    assert_true(base_span_eq(req.host, "h.example:81"));
    assert_true(base_span_eq(req.path, "/p"));
    assert_true(base_span_eq(req.query, "q"));
    assert_true(parse_all_splits("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &req, &status) > 0);
    assert_true(parse_all_splits("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", &req, &status) > 0);
    assert_true(parse_all_splits("GET / HTTP/1.1\r\nHost: a.b-c_d:80\r\n\r\n", &req, &status) > 0);
    assert_true(parse_all_splits("GET http://h HTTP/1.1\r\nHost: x\r\n\r\n", &req, &status) > 0);
    assert_true(base_span_eq(req.path, "/"));
}

static void rejections(void **state)
{
    /* 400: framing and grammar */
    expect_status("GET / HTTP/1.1\r\n\r\n", 400);                             /* no Host */
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);       /* two Hosts */
    expect_status("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400);                /* bad Host */
    expect_status("GET / HTTP/1.1\r\nHost: a:xyz\r\n\r\n", 400);              /* bad port */
    expect_status("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400);
    expect_status("GET http://h:DELETE HTTP/1.1\r\nHost: x\r\n\r\n", 400);  /* fuzz find */
    expect_status("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400);                 /* space before : */
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  folded\r\n\r\n", 400); /* obs-fold */
    expect_status("GET / HTTP/1.1\r\n x: 1\r\nHost: a\r\n\r\n", 400);        /* ws line first */
    expect_status("GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n", 400);           /* bare CR */
    expect_status("GET / HTTP/1.1\nHost: a\n\n", 400);                       /* bare LF */
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nX: a\001b\r\n\r\n", 400);   /* CTL in value */
    expect_status("GET /\tx HTTP/1.1\r\nHost: a\r\n\r\n", 400);               /* tab in line */
    expect_status("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400);                 /* double SP */
    expect_status("GET /#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400);             /* fragment */
    expect_status("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400);
    expect_status("GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400);
    expect_status("GET / HTTP/11\r\nHost: a\r\n\r\n", 400);
    expect_status("GET x HTTP/1.1\r\nHost: a\r\n\r\n", 400);                  /* bad target */
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                  400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
                  400); /* overflow */
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n", 400);                  /* CL + TE */
    expect_status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400); /* TE in 1.0 */
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
                  400);
    /* 501: unknown method or coding */
    expect_status("BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 501);
    expect_status("get / HTTP/1.1\r\nHost: a\r\n\r\n", 501);
    expect_status("PROPFINDX / HTTP/1.1\r\nHost: a\r\n\r\n", 501);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501);
    expect_status("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 501);
    /* 505: HTTP/2 and up on the HTTP/1 port */
    expect_status("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
    expect_status("GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505);
    expect_status("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 501);
    /* 417: unknown expectation */
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n", 417);
}

static void limits(void **state)
{
    char buf[8192];
    /* 414: target over max_target (256) */
    memset(buf, 0, sizeof buf);
    strcpy(buf, "GET /");
    memset(buf + 5, 'a', 300);
    strcpy(buf + 305, " HTTP/1.1\r\nHost: a\r\n\r\n");
    expect_status(buf, 414);
    /* 431: one line over max_line (1024) */
    strcpy(buf, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: ");
    size_t n = strlen(buf);
    memset(buf + n, 'b', 1100);
    strcpy(buf + n + 1100, "\r\n\r\n");
    expect_status(buf, 431);
    /* 431: too many headers (16) */
    strcpy(buf, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < 20; i++)
        sprintf(buf + strlen(buf), "X-%d: v\r\n", i);
    strcat(buf, "\r\n");
    expect_status(buf, 431);
    /* 431: the whole section over max_head (4096) */
    strcpy(buf, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < 14; i++) {
        n = strlen(buf);
        int w = sprintf(buf + n, "X-%02d: ", i);
        memset(buf + n + (size_t)w, 'c', 400);
        strcpy(buf + n + (size_t)w + 400, "\r\n");
    }
    strcat(buf, "\r\n");
    expect_status(buf, 431);
}

/* The request ends exactly at a PROT_NONE page: any read past the input faults. */
static void guard_page(void **state)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *mem = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    assert_true(mem != MAP_FAILED);
    assert_int_equal(mprotect(mem + pg, (size_t)pg, PROT_NONE), 0);
    const char *cases[] = {
        "GET /x HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: a\r\nX: y\r\n",
        "GET /x HTTP/1.1\r\nHost: a\r",
        "GET /x HTTP/1.",
        "GET /x",
        "GE",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12",
    };
    for (size_t c = 0; c < BASE_ARRAY_LEN(cases); c++) {
        size_t len = strlen(cases[c]);
        for (size_t k = 0; k <= len; k++) {
            char *p = mem + pg - k;
            memcpy(p, cases[c], k);
            http_request_t req;
            int status;
            parse(p, k, &req, &status);
        }
    }
    /* the chunked decoder likewise */
    const char *body = "5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\n";
    size_t len = strlen(body);
    for (size_t k = 0; k <= len; k++) {
        char *p = mem + pg - k;
        memcpy(p, body, k);
        http_chunked_t ch;
        http_chunked_init(&ch, 1000, 100);
        size_t in = 0, out = 0;
        int status;
        http_chunked_decode(&ch, p, k, &in, &out, &status);
    }
    munmap(mem, (size_t)pg * 2);
}

/* ---- chunked ---------------------------------------------------------------------------- */

/* Decodes s fed in two parts split at k; returns rc and the decoded bytes. */
static int chunked_split(const char *s, size_t k, uint64_t max, char *out, size_t *outlen,
                         int *status, size_t *consumed)
{
    size_t len = strlen(s);
    char buf[512];
    memcpy(buf, s, len);
    http_chunked_t ch;
    http_chunked_init(&ch, max, 64);
    size_t in = 0, o = 0;
    int rc = http_chunked_decode(&ch, buf, k, &in, &o, status);
    if (rc == BASE_AGAIN)
        rc = http_chunked_decode(&ch, buf, len, &in, &o, status);
    memcpy(out, buf, o);
    *outlen = o;
    *consumed = in;
    return rc;
}

static void chunked_ok(void **state)
{
    const char *s = "5\r\nhello\r\n7;ext=1;b\r\n, world\r\n000\r\nTrailer: x\r\n\r\nNEXT";
    size_t body_end = strlen(s) - 4;
    for (size_t k = 0; k <= strlen(s); k++) {
        char out[128];
        size_t n, consumed;
        int status;
        int rc = chunked_split(s, k, 100, out, &n, &status, &consumed);
        assert_int_equal(rc, BASE_OK);
        assert_int_equal(n, 12);
        assert_memory_equal(out, "hello, world", 12);
        assert_int_equal(consumed, body_end); /* stops before the next request */
    }
}

static void chunked_errors(void **state)
{
    static const struct {
        const char *s;
        int status;
    } bad[] = {
        {"x\r\n", 400},                          /* not hex */
        {"\r\n", 400},                           /* empty size */
        {"5\nhello\r\n0\r\n\r\n", 400},          /* bare LF */
        {"5\r\nhelloX\r\n", 400},                /* data longer than declared */
        {"10000000000000000\r\n", 400},          /* 17 hex digits: overflow */
        {"65\r\n", 413},                         /* 101 bytes > max 100 */
        {"40\r\n0123456789012345678901234567890123456789012345678901234567890123\r\n"
         "40\r\n", 413},                         /* total over max */
        {"1;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
         400},                                   /* extension over the cap (64) */
        {"0\r\n folded\r\n\r\n", 400},           /* trailer obs-fold */
        {"0\r\nX: a\001\r\n\r\n", 400},          /* control in trailer */
    };
    for (size_t i = 0; i < BASE_ARRAY_LEN(bad); i++) {
        for (size_t k = 0; k <= strlen(bad[i].s); k++) {
            char out[256];
            size_t n, consumed;
            int status = 0;
            int rc = chunked_split(bad[i].s, k, 100, out, &n, &status, &consumed);
            if (rc != BASE_ERROR || status != bad[i].status) {
                fprintf(stderr, "case %zu split %zu: rc %d status %d\n", i, k, rc, status);
                fail();
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simple_get),     cmocka_unit_test(pipelined_stops_at_head),
        cmocka_unit_test(versions_and_connection), cmocka_unit_test(bodies),
        cmocka_unit_test(absolute_form),  cmocka_unit_test(rejections),
        cmocka_unit_test(limits),         cmocka_unit_test(guard_page),
        cmocka_unit_test(chunked_ok),     cmocka_unit_test(chunked_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

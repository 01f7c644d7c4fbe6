/* test_fcgi_codec.c — the FastCGI codec (src/http/fastcgi_codec.c): records, BEGIN/END bodies,
 * name-value pairs and the CGI response head, each whole, split at every byte and at the edge
 * of an exactly-sized heap buffer. */
#include <harv/fastcgi.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A heap copy of exactly n bytes, so ASan catches a read past the end. */
static uint8_t *exact(const void *p, size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    memcpy(b, p, n);
    return b;
}

static void test_record_roundtrip(void **state)
{
    uint8_t buf[8 + 5 + 3];
    fcgi_header_encode(buf, FCGI_STDOUT, 0x1234, 5, 3);
    memcpy(buf + 8, "hello", 5);
    memset(buf + 13, 0, 3);
    fcgi_record_t rec;
    for (size_t cut = 0; cut < sizeof buf; cut++) {
        uint8_t *b = exact(buf, cut);
        assert_int_equal(fcgi_record_decode(b, cut, &rec), BASE_AGAIN);
        free(b);
    }
    uint8_t *b = exact(buf, sizeof buf);
    assert_int_equal(fcgi_record_decode(b, sizeof buf, &rec), (int)sizeof buf);
    assert_int_equal(rec.type, FCGI_STDOUT);
    assert_int_equal(rec.request_id, 0x1234);
    assert_int_equal(rec.padding, 3);
    assert_int_equal(rec.content.len, 5);
    assert_memory_equal(rec.content.p, "hello", 5);
    free(b);
}

static void test_record_two_in_a_row(void **state)
{
    uint8_t buf[32];
    fcgi_header_encode(buf, FCGI_PARAMS, 1, 0, 0);
    fcgi_header_encode(buf + 8, FCGI_STDIN, 1, 2, 0);
    memcpy(buf + 16, "ab", 2);
    fcgi_record_t rec;
    int n = fcgi_record_decode(buf, 18, &rec);
    assert_int_equal(n, 8);
    assert_int_equal(rec.type, FCGI_PARAMS);
    assert_int_equal(rec.content.len, 0);
    assert_int_equal(fcgi_record_decode(buf + 8, 10, &rec), 10);
    assert_int_equal(rec.type, FCGI_STDIN);
}

static void test_record_errors(void **state)
{
    uint8_t buf[8];
    fcgi_record_t rec;
    fcgi_header_encode(buf, FCGI_STDOUT, 1, 0, 0);
    buf[0] = 2; /* version */
    assert_int_equal(fcgi_record_decode(buf, 8, &rec), BASE_ERROR);
    assert_int_equal(fcgi_record_decode(buf, 1, &rec), BASE_AGAIN);
    fcgi_header_encode(buf, 0, 1, 0, 0); /* type 0 */
    assert_int_equal(fcgi_record_decode(buf, 8, &rec), BASE_ERROR);
    /* unknown types decode: the responder answers UNKNOWN_TYPE */
    fcgi_header_encode(buf, 200, 1, 0, 0);
    assert_int_equal(fcgi_record_decode(buf, 8, &rec), 8);
    assert_int_equal(rec.type, 200);
    /* the largest record */
    size_t big = 8 + 65535 + 255;
    uint8_t *b = calloc(1, big);
    fcgi_header_encode(b, FCGI_STDOUT, 1, 65535, 255);
    assert_int_equal(fcgi_record_decode(b, big - 1, &rec), BASE_AGAIN);
    assert_int_equal(fcgi_record_decode(b, big, &rec), (int)big);
    assert_int_equal(rec.content.len, 65535);
    free(b);
}

static void test_begin_end(void **state)
{
    uint8_t b[8];
    fcgi_begin_encode(b, FCGI_RESPONDER, FCGI_KEEP_CONN);
    uint16_t role;
    uint8_t flags;
    assert_int_equal(fcgi_begin_decode((base_span_t){(char *)b, 8}, &role, &flags), BASE_OK);
    assert_int_equal(role, FCGI_RESPONDER);
    assert_int_equal(flags, FCGI_KEEP_CONN);
    assert_int_equal(fcgi_begin_decode((base_span_t){(char *)b, 7}, &role, &flags), BASE_ERROR);
    fcgi_end_encode(b, 0xdeadbeef, FCGI_OVERLOADED);
    uint32_t app;
    uint8_t proto;
    assert_int_equal(fcgi_end_decode((base_span_t){(char *)b, 8}, &app, &proto), BASE_OK);
    assert_int_equal(app, 0xdeadbeef);
    assert_int_equal(proto, FCGI_OVERLOADED);
    assert_int_equal(fcgi_end_decode((base_span_t){(char *)b, 9}, &app, &proto), BASE_ERROR);
}

static void test_params(void **state)
{
    /* lengths around the 1-byte/4-byte boundary */
    static const size_t lens[] = {0, 1, 127, 128, 300, 70000};
    char *name = malloc(70000), *value = malloc(70000);
    memset(name, 'N', 70000);
    memset(value, 'v', 70000);
    for (size_t a = 0; a < BASE_ARRAY_LEN(lens); a++)
        for (size_t b = 0; b < BASE_ARRAY_LEN(lens); b++) {
            size_t nl = lens[a], vl = lens[b];
            size_t need = fcgi_param_size(nl, vl);
            assert_int_equal(need, (nl < 128 ? 1 : 4) + (vl < 128 ? 1 : 4) + nl + vl);
            uint8_t *out = malloc(need + 1);
            assert_int_equal(fcgi_param_encode(out, need - 1, name, nl, value, vl), 0);
            assert_int_equal(fcgi_param_encode(out, need, name, nl, value, vl), need);
            /* every cut is incomplete, the whole is one pair */
            size_t step = need > 4096 ? 997 : 1;
            for (size_t cut = 0; cut < need; cut += step) {
                uint8_t *e = exact(out, cut);
                size_t pos = 0;
                base_span_t n, v;
                assert_int_equal(fcgi_param_decode(e, cut, &pos, &n, &v), BASE_AGAIN);
                assert_int_equal(pos, 0);
                free(e);
            }
            uint8_t *e = exact(out, need);
            size_t pos = 0;
            base_span_t n, v;
            assert_int_equal(fcgi_param_decode(e, need, &pos, &n, &v), BASE_OK);
            assert_int_equal(pos, need);
            assert_int_equal(n.len, nl);
            assert_int_equal(v.len, vl);
            if (nl)
                assert_memory_equal(n.p, name, nl);
            if (vl)
                assert_memory_equal(v.p, value, vl);
            free(e);
            free(out);
        }
    free(name);
    free(value);
}

static void test_params_stream(void **state)
{
    uint8_t buf[256];
    size_t n = 0;
    n += fcgi_param_encode(buf + n, sizeof buf - n, "SCRIPT_NAME", 11, "/index.php", 10);
    n += fcgi_param_encode(buf + n, sizeof buf - n, "QUERY_STRING", 12, "", 0);
    n += fcgi_param_encode(buf + n, sizeof buf - n, "HTTP_HOST", 9, "example.org", 11);
    size_t pos = 0;
    base_span_t k, v;
    assert_int_equal(fcgi_param_decode(buf, n, &pos, &k, &v), BASE_OK);
    assert_true(base_span_eq(k, "SCRIPT_NAME") && base_span_eq(v, "/index.php"));
    assert_int_equal(fcgi_param_decode(buf, n, &pos, &k, &v), BASE_OK);
    assert_true(base_span_eq(k, "QUERY_STRING") && v.len == 0);
    assert_int_equal(fcgi_param_decode(buf, n, &pos, &k, &v), BASE_OK);
    assert_true(base_span_eq(k, "HTTP_HOST") && base_span_eq(v, "example.org"));
    assert_int_equal(pos, n);
    assert_int_equal(fcgi_param_decode(buf, n, &pos, &k, &v), BASE_AGAIN);
    /* a hostile 4-byte length past the buffer: AGAIN, never a read past the end */
    uint8_t bad[] = {0xff, 0xff, 0xff, 0xff, 1, 'x'};
    pos = 0;
    assert_int_equal(fcgi_param_decode(bad, sizeof bad, &pos, &k, &v), BASE_AGAIN);
    /* lengths past 31 bits cannot be encoded */
    assert_int_equal(fcgi_param_size((size_t)1 << 31, 1), 0);
}

static int head(const char *s, fcgi_cgi_head_t *h, http_header_t *hdrs, unsigned max)
{
    h->headers = hdrs;
    h->max_headers = max;
    size_t n = strlen(s);
    char *b = (char *)exact(s, n);
    int rc = fcgi_cgi_head_parse(b, n, h);
    /* spans must not point into freed memory for the checks: compare before freeing */
    static char keep[4096];
    memcpy(keep, b, n);
    for (unsigned i = 0; rc > 0 && i < h->nheaders; i++) {
        hdrs[i].name.p = keep + (hdrs[i].name.p - b);
        hdrs[i].value.p = keep + (hdrs[i].value.p - b);
    }
    free(b);
    return rc;
}

static void test_cgi_head(void **state)
{
    http_header_t hdrs[8];
    fcgi_cgi_head_t h;
    const char *s = "Status: 404 Not Found\r\nContent-type: text/html\r\nSet-Cookie: a=1\r\n"
                    "Set-Cookie: b=2\r\n\r\nbody";
    int rc = head(s, &h, hdrs, 8);
    assert_int_equal(rc, (int)(strlen(s) - 4));
    assert_int_equal(h.status, 404);
    assert_int_equal(h.nheaders, 3);
    assert_true(base_span_eq(hdrs[0].name, "Content-type"));
    assert_true(base_span_eq(hdrs[0].value, "text/html"));
    assert_true(base_span_eq(hdrs[1].name, "Set-Cookie") && base_span_eq(hdrs[1].value, "a=1"));
    assert_true(base_span_eq(hdrs[2].name, "Set-Cookie") && base_span_eq(hdrs[2].value, "b=2"));
    /* every prefix before the empty line is incomplete */
    size_t end = strlen(s) - 4;
    for (size_t cut = 0; cut < end; cut++) {
        char *b = (char *)exact(s, cut);
        h.headers = hdrs;
        h.max_headers = 8;
        assert_int_equal(fcgi_cgi_head_parse(b, cut, &h), BASE_AGAIN);
        free(b);
    }
}

static void test_cgi_head_forms(void **state)
{
    http_header_t hdrs[2];
    fcgi_cgi_head_t h;
    /* bare LF, Location alone -> 302 */
    assert_int_equal(head("Location: /x\n\n", &h, hdrs, 2), 14);
    assert_int_equal(h.status, 302);
    /* no header at all */
    assert_int_equal(head("\r\nrest", &h, hdrs, 2), 2);
    assert_int_equal(h.status, 200);
    assert_int_equal(h.nheaders, 0);
    /* Status with Location keeps the Status */
    assert_true(head("Status: 301\r\nLocation: /y\r\n\r\n", &h, hdrs, 2) > 0);
    assert_int_equal(h.status, 301);
    /* whitespace around values is trimmed */
    assert_true(head("X-A:   v  \r\n\r\n", &h, hdrs, 2) > 0);
    assert_true(base_span_eq(hdrs[0].value, "v"));
    /* errors */
    assert_int_equal(head("no colon\r\n\r\n", &h, hdrs, 2), BASE_ERROR);
    assert_int_equal(head(": empty name\r\n\r\n", &h, hdrs, 2), BASE_ERROR);
    assert_int_equal(head("Bad Name: x\r\n\r\n", &h, hdrs, 2), BASE_ERROR);
    assert_int_equal(head("Status: abc\r\n\r\n", &h, hdrs, 2), BASE_ERROR);
    assert_int_equal(head("Status: 99\r\n\r\n", &h, hdrs, 2), BASE_ERROR);
    assert_int_equal(head("Status: 2000\r\n\r\n", &h, hdrs, 2), BASE_ERROR);
    assert_int_equal(head("A: 1\r\nB: 2\r\nC: 3\r\n\r\n", &h, hdrs, 2), BASE_ERROR);
    assert_int_equal(head("A: x\ry\r\n\r\n", &h, hdrs, 2), BASE_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_roundtrip),
        cmocka_unit_test(test_record_two_in_a_row),
        cmocka_unit_test(test_record_errors),
        cmocka_unit_test(test_begin_end),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_params_stream),
        cmocka_unit_test(test_cgi_head),
        cmocka_unit_test(test_cgi_head_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

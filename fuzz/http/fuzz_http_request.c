/* libFuzzer target: the HTTP request parser. Besides "no crash, no out-of-bounds read", it
 * checks invariants: every span lies inside the input, a prefix of the input never parses
 * as a different result than the whole (AGAIN or the same error), and parsing is
 * deterministic. */
#include <harv/http.h>

#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

static int in_buf(base_span_t s, const uint8_t *data, size_t size)
{
    return s.len == 0 || ((const uint8_t *)s.p >= data && (const uint8_t *)s.p + s.len <= data + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static http_header_t hdrs[32];
    const http_parse_limits_t lim = {
        .max_head = 2048, .max_target = 512, .max_line = 512, .max_headers = 32};
    http_request_t req = {.headers = hdrs};
    int status = 0;
    int rc = http_parse_request((const char *)data, size, &lim, &req, &status);
    if (rc > 0) {
        CHECK((size_t)rc <= size);
        /* an absolute-form target without a path gets the literal "/" */
        CHECK(in_buf(req.target, data, size) &&
              (in_buf(req.path, data, size) || base_span_eq(req.path, "/")));
        CHECK(in_buf(req.query, data, size) && in_buf(req.method_name, data, size));
        for (unsigned i = 0; i < req.nheaders; i++)
            CHECK(in_buf(req.headers[i].name, data, size) &&
                  in_buf(req.headers[i].value, data, size));
    } else if (rc == BASE_ERROR) {
        CHECK(status >= 400 && status < 600);
    } else {
        CHECK(rc == BASE_AGAIN);
    }
    /* one split point derived from the input: the prefix must agree */
    if (size > 1) {
        size_t k = data[0] % size;
        http_request_t r2 = {.headers = hdrs};
        int st2 = 0;
        int rc2 = http_parse_request((const char *)data, k, &lim, &r2, &st2);
        CHECK(rc2 == BASE_AGAIN || (rc == BASE_ERROR && rc2 == BASE_ERROR && st2 == status) ||
              (rc > 0 && rc2 > 0 && rc2 == rc && (size_t)rc <= k));
    }
    return 0;
}

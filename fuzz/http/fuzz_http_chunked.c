/* libFuzzer target: the in-place chunked decoder. Decoding the input whole and in two parts
 * (split point from the input) must give the same result, the same bytes, and never write
 * past what was consumed. */
#include <harv/http.h>

#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                               \
    do {                                                                                       \
        if (!(x))                                                                              \
            abort();                                                                           \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *a = malloc(size ? size : 1), *b = malloc(size ? size : 1);
    memcpy(a, data, size);
    memcpy(b, data, size);
    http_chunked_t c1, c2;
    http_chunked_init(&c1, 4096, 256);
    http_chunked_init(&c2, 4096, 256);
    size_t in1 = 0, out1 = 0, in2 = 0, out2 = 0;
    int st1 = 0, st2 = 0;
    int rc1 = http_chunked_decode(&c1, a, size, &in1, &out1, &st1);
    CHECK(out1 <= in1 && in1 <= size);
    size_t k = size ? data[size - 1] % (size + 1) : 0;
    int rc2 = http_chunked_decode(&c2, b, k, &in2, &out2, &st2);
    if (rc2 == BASE_AGAIN)
        rc2 = http_chunked_decode(&c2, b, size, &in2, &out2, &st2);
    CHECK(rc1 == rc2 && st1 == st2 && in1 == in2 && out1 == out2);
    CHECK(memcmp(a, b, out1) == 0);
    if (rc1 == BASE_ERROR)
        CHECK(st1 == 400 || st1 == 413);
    free(a);
    free(b);
    return 0;
}

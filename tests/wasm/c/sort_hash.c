/* sort_hash.c — libc-heavy test program: qsort, strtod/printf round trips, FNV and
 * CRC32 hashing, malloc/free churn. Prints the same natively and as wasm32-wasi. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng = 12345;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

int main(int argc, char **argv)
{
    int n = 50000;
    int *v = malloc(n * sizeof *v);
    for (int i = 0; i < n; i++)
        v[i] = (int)(next() % 1000000) - 500000;
    qsort(v, n, sizeof *v, cmp_int);
    long long sum = 0;
    for (int i = 0; i < n; i += 997)
        sum += v[i];
    printf("sorted: min=%d max=%d sample-sum=%lld\n", v[0], v[n - 1], sum);

    char **words = malloc(2000 * sizeof *words);
    for (int i = 0; i < 2000; i++) {
        words[i] = malloc(16);
        snprintf(words[i], 16, "w%08x", next());
    }
    qsort(words, 2000, sizeof *words, cmp_str);
    printf("words: first=%s last=%s\n", words[0], words[1999]);
    for (int i = 0; i < 2000; i++)
        free(words[i]);
    free(words);

    double acc = 0;
    char buf[64];
    for (int i = 0; i < 2000; i++) {
        double x = (double)(int32_t)next() / 1e3 * 1.000001;
        snprintf(buf, sizeof buf, "%.17g", x);
        double y = strtod(buf, NULL);
        if (x != y)
            printf("round trip failed: %s\n", buf);
        acc += y;
    }
    printf("strtod: acc=%.6f %e %g %a\n", acc, acc, acc / 7, 1.0 / 3);

    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < n; i++) {
        h ^= (uint64_t)(uint32_t)v[i];
        h *= 1099511628211ull;
    }
    printf("fnv1a64=%016llx crc32=%08x\n", (unsigned long long)h,
           crc32((const uint8_t *)v, n * sizeof *v));
    printf("args:");
    for (int i = 0; i < argc; i++)
        printf(" [%s]", i == 0 ? "prog" : argv[i]);
    printf("\n");
    free(v);
    return 3;
}

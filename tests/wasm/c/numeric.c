/* numeric.c — compute kernels and floating point: matrix multiply, sieve, mandelbrot,
 * libm calls, integer corner cases, deep recursion. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int depth(int n) { return n == 0 ? 0 : 1 + depth(n - 1); }

static uint64_t fib(int n) { return n < 2 ? (uint64_t)n : fib(n - 1) + fib(n - 2); }

int main(void)
{
    enum { N = 96 };
    static double a[N][N], b[N][N], c[N][N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            a[i][j] = (i * 7 + j) % 13 / 3.0, b[i][j] = (i + j * 5) % 11 / 7.0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
    double tr = 0;
    for (int i = 0; i < N; i++)
        tr += c[i][i];
    printf("matmul trace=%.10f\n", tr);

    int lim = 200000, count = 0;
    char *sieve = calloc(lim, 1);
    for (int i = 2; i < lim; i++)
        if (!sieve[i]) {
            count++;
            for (int j = 2 * i; j < lim; j += i)
                sieve[j] = 1;
        }
    printf("primes below %d: %d\n", lim, count);
    free(sieve);

    int inside = 0;
    for (int y = 0; y < 60; y++)
        for (int x = 0; x < 80; x++) {
            double cr = -2.0 + x * 2.5 / 80, ci = -1.0 + y * 2.0 / 60, zr = 0, zi = 0;
            int it = 0;
            while (it < 200 && zr * zr + zi * zi < 4) {
                double t = zr * zr - zi * zi + cr;
                zi = 2 * zr * zi + ci;
                zr = t;
                it++;
            }
            inside += it == 200;
        }
    printf("mandelbrot inside=%d\n", inside);

    printf("libm: %.15g %.15g %.15g %.15g %.15g\n", sin(1.0), exp(2.5), log(10.0), pow(2.0, 0.5),
           atan2(1.0, 3.0));
    printf("float: %.9g %.9g %d %d\n", sqrtf(2.0f), floorf(-2.5f), (int)lrint(2.5),
           (int)(-7 / 2));
    volatile int64_t big = INT64_MIN;
    volatile uint32_t u = 0xFFFFFFFFu;
    printf("ints: %lld %u %llu %d\n", (long long)(big / 3), u * u, (unsigned long long)u * u,
           (int)(int8_t)300);
    printf("recursion depth=%d fib(27)=%llu\n", depth(20000), (unsigned long long)fib(27));
    return 0;
}

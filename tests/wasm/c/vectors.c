/* vectors.c — portable vector code (GCC/clang vector extensions): natively it becomes SSE,
 * for wasm32 with -msimd128 it becomes v128 instructions. Both builds print the same. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef float f32x4 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int16_t i16x8 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));

#define N 4096

static float xs[N], ys[N];
static uint8_t bytes[N];

int main(void)
{
    for (int i = 0; i < N; i++) {
        xs[i] = (float)((i * 37) % 101) / 7.0f;
        ys[i] = (float)((i * 11) % 53) / 3.0f;
        bytes[i] = (uint8_t)(i * 73 + 5);
    }
    f32x4 acc = {0, 0, 0, 0};
    for (int i = 0; i < N; i += 4) {
        f32x4 a, b;
        memcpy(&a, &xs[i], 16);
        memcpy(&b, &ys[i], 16);
        i32x4 m = a > b;
        f32x4 mx = (f32x4)(((i32x4)a & m) | ((i32x4)b & ~m));
        acc += a * b - mx / 4.0f;
    }
    printf("f32 dot: %.3f %.3f %.3f %.3f\n", acc[0], acc[1], acc[2], acc[3]);

    i32x4 ia = {1, -2, 3, -4}, ib = {7, 7, -7, -7};
    for (int k = 0; k < 1000; k++) {
        ia = (ia * ib + (ia >> 1)) ^ (ib << 3);
        ib = ib + (ia & 0x0F0F0F0F) - (ia < ib);
    }
    printf("i32: %d %d %d %d\n", ia[0], ia[1], ia[2], ia[3]);

    u8x16 h = {0};
    for (int i = 0; i < N; i += 16) {
        u8x16 v;
        memcpy(&v, &bytes[i], 16);
        h = h * 3 + (v ^ (h >> 2));
    }
    unsigned sum = 0;
    for (int i = 0; i < 16; i++)
        sum = sum * 31 + h[i];
    printf("u8 hash: %u\n", sum);

    i16x8 s = {100, -200, 300, -400, 500, -600, 700, -800};
    for (int k = 0; k < 50; k++)
        s = s * 3 / 2 + (i16x8){1, 2, 3, 4, 5, 6, 7, 8};
    printf("i16: %d %d %d %d %d %d %d %d\n", s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);

    f64x2 d = {1.0, -1.0};
    for (int k = 0; k < 100; k++)
        d = d * 1.01 + (f64x2){0.5, -0.25};
    printf("f64: %.9f %.9f\n", d[0], d[1]);
    return 0;
}

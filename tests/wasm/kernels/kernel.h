/* kernel.h — shared by the benchmark kernels: each defines `long long run(void)`, which is
 * exported from the freestanding wasm build and called by native_main.c natively. */
#ifndef KERNEL_H
#define KERNEL_H
#define EXPORT __attribute__((visibility("default"))) __attribute__((used))
typedef unsigned int u32;
typedef unsigned long long u64;
EXPORT long long run(void);
#ifdef __wasm__
/* freestanding: the compiler may emit calls to these */
void *memset(void *d, int c, unsigned long n);
void *memset(void *d, int c, unsigned long n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}
#endif
#endif

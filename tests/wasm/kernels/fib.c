/* fib.c — recursive calls: fib(32). */
#include "kernel.h"
static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
long long run(void)
{
    volatile int n = 32;
    return fib(n);
}

/* qsort.c — recursive quicksort of 1M pseudo-random ints: memory traffic and branches. */
#include "kernel.h"
#define N 1000000
static int v[N];
static void sort(int *a, int lo, int hi)
{
    while (lo < hi) {
        int p = a[(lo + hi) >> 1], i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p)
                i++;
            while (a[j] > p)
                j--;
            if (i <= j) {
                int t = a[i];
                a[i] = a[j], a[j] = t;
                i++, j--;
            }
        }
        if (j - lo < hi - i) {
            sort(a, lo, j);
            lo = i;
        } else {
            sort(a, i, hi);
            hi = j;
        }
    }
}
long long run(void)
{
    u32 x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        v[i] = (int)(x >> 1);
    }
    sort(v, 0, N - 1);
    long long s = 0;
    for (int i = 0; i < N; i += 1000)
        s += v[i] % 1000;
    for (int i = 1; i < N; i++)
        if (v[i - 1] > v[i])
            return -1;
    return s;
}

/* sieve.c — byte array sieve of Eratosthenes, repeated. */
#include "kernel.h"
#define N 4000000
static unsigned char flags[N];
long long run(void)
{
    long long total = 0;
    for (int rep = 0; rep < 5; rep++) {
        int count = 0;
        for (int i = 0; i < N; i++)
            flags[i] = 1;
        for (int i = 2; i < N; i++)
            if (flags[i]) {
                count++;
                for (int j = i + i; j < N; j += i)
                    flags[j] = 0;
            }
        total += count;
    }
    return total;
}

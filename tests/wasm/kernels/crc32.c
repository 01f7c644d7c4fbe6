/* crc32.c — bitwise CRC-32 and FNV-1a over a generated buffer: shifts, xors, multiplies. */
#include "kernel.h"
#define N (1 << 20)
static unsigned char buf[N];
long long run(void)
{
    u32 x = 2463534242u;
    for (int i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        buf[i] = (unsigned char)x;
    }
    u32 crc = 0xFFFFFFFFu;
    for (int i = 0; i < N; i++) {
        crc ^= buf[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    u64 h = 1469598103934665603ull;
    for (int r = 0; r < 4; r++)
        for (int i = 0; i < N; i++)
            h = (h ^ buf[i]) * 1099511628211ull;
    return (long long)(~crc) ^ (long long)(h >> 1);
}

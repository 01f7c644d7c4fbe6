/* matmul.c — dense double matrix multiply, 200x200. */
#include "kernel.h"
#define N 200
static double a[N][N], b[N][N], c[N][N];
long long run(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)((i * 7 + j * 3) % 17) / 9.0;
            b[i][j] = (double)((i * 5 + j * 11) % 13) / 7.0;
        }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
    double tr = 0;
    for (int i = 0; i < N; i++)
        tr += c[i][i] + c[i][N - 1 - i];
    return (long long)(tr * 1000);
}

/* mandel.c — Mandelbrot set escape counts: floating-point inner loop. */
#include "kernel.h"
long long run(void)
{
    long long total = 0;
    for (int y = 0; y < 300; y++)
        for (int x = 0; x < 400; x++) {
            double cr = -2.2 + x * 3.2 / 400, ci = -1.2 + y * 2.4 / 300, zr = 0, zi = 0;
            int it = 0;
            while (it < 256 && zr * zr + zi * zi < 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                it++;
            }
            total += it;
        }
    return total;
}

/* files.c — WASI file access (run only as wasm): writes and reads a file beneath the
 * preopened directory, and checks that paths escaping it are refused. Prints results. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void try_open(const char *path)
{
    FILE *f = fopen(path, "r");
    printf("open %s: %s\n", path, f ? "opened" : "refused");
    if (f)
        fclose(f);
}

int main(void)
{
    FILE *f = fopen("data/out.txt", "w");
    if (!f) {
        printf("cannot create data/out.txt: %s\n", strerror(errno));
        return 1;
    }
    for (int i = 0; i < 5; i++)
        fprintf(f, "line %d\n", i);
    fclose(f);
    f = fopen("data/out.txt", "r");
    char line[64];
    int n = 0;
    while (f && fgets(line, sizeof line, f))
        n++;
    if (f)
        fclose(f);
    printf("read back %d lines\n", n);
    const char *env = getenv("HARV_TEST");
    printf("env HARV_TEST=%s\n", env ? env : "(unset)");
    try_open("data/../../etc/passwd");
    try_open("/etc/passwd");
    try_open("data/escape/passwd");
    return 0;
}

/* native_main.c — runs a benchmark kernel natively and prints its result. */
#include <stdio.h>
long long run(void);
int main(void)
{
    printf("%lld\n", run());
    return 0;
}

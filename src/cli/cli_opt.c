/* cli_opt.c — strict parsing of numeric and size option values, shared by every command
 * (and linked alone into test tools that reuse a command's main). */
#include "cli.h"

#include <harv/base.h>

#include <stdio.h>
#include <string.h>

int cli_opt_uint(const char *cmd, const char *name, const char *v, unsigned long max,
                 unsigned *out)
{
    uint64_t x;
    if (base_parse_u64((base_span_t){v, strlen(v)}, max, &x) != BASE_OK) {
        fprintf(stderr, "harv %s: --%s: '%s' is not a whole number from 0 to %lu\n", cmd, name,
                v, max);
        return -1;
    }
    *out = (unsigned)x;
    return 0;
}

int cli_opt_size(const char *cmd, const char *name, const char *v, uint64_t *out)
{
    if (base_parse_size(v, out) != BASE_OK) {
        fprintf(stderr, "harv %s: --%s: '%s' is not a size (e.g. 4096, 64k, 1m)\n", cmd, name, v);
        return -1;
    }
    return 0;
}

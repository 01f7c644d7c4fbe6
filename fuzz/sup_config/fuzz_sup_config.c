/* fuzz_sup_config.c — libFuzzer target for the supervisor's YAML config loader
 * (sup_config_parse): any bytes must give either a config or a FILE:LINE:COL message, never a
 * crash, a leak or a read past the input. Corpus: fuzz/sup_config/corpus/sup_config/. */
#include <harv/sup.h>

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sup_config_t cfg;
    char err[1024];
    err[0] = 0;
    int rc = sup_config_parse(&cfg, "fuzz.yaml", "/base", (const char *)data, size, err,
                              sizeof err);
    if (rc != BASE_OK && strncmp(err, "fuzz.yaml:", 10) != 0)
        __builtin_trap(); /* every error names the file */
    sup_config_fini(&cfg);
    return 0;
}

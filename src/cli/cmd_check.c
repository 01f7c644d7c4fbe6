/* cmd_check.c — `harv check [-c FILE]`: validates a config without starting anything.
 * Prints "FILE: ok" and what it would run, or the first error as FILE:LINE:COL: key: ...
 * Layer: cli (thin). */
#include "cli.h"

#include <harv/sup.h>

#include <stdio.h>
#include <string.h>

int cli_check_main(int argc, char **argv)
{
    const char *path = "harv.yaml";
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
            path = argv[++i];
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("Usage: harv check [-c FILE]\nValidates FILE (default ./harv.yaml) "
                   "against the schema of docs/config.md.\n");
            return 0;
        } else if (argv[i][0] != '-' && i == argc - 1) {
            path = argv[i];
        } else {
            fprintf(stderr, "harv check: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    sup_config_t cfg;
    char err[1024];
    if (sup_config_load(&cfg, path, err, sizeof err) != BASE_OK) {
        fprintf(stderr, "%s\n", err);
        sup_config_fini(&cfg);
        return 1;
    }
    printf("%s: ok; state_dir %s; tasks:", path, cfg.state_dir);
    for (unsigned i = 0; i < sup_nkinds; i++)
        if (sup_config_task(&cfg, &sup_kinds[i])->enabled)
            printf(" %s", sup_kinds[i].name);
    if (cfg.php.present && cfg.php.fastcgi)
        printf("; php via fastcgi %s", cfg.php.fastcgi);
    printf("; listeners:");
    for (unsigned i = 0; i < cfg.nlisteners; i++)
        printf(" %s=%s", cfg.listeners[i].name, cfg.listeners[i].address);
    printf("\n");
    sup_config_fini(&cfg);
    return 0;
}

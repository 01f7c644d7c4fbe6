/* cmd_up.c — `harv up [-c harv.yaml]`: the supervisor in the foreground (sup_run).
 * Layer: cli (thin). */
#include "cli.h"

#include <harv/sup.h>

#include <stdio.h>
#include <string.h>

int cli_up_main(int argc, char **argv)
{
    sup_options_t opt = {.config_path = "harv.yaml"};
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
            opt.config_path = argv[++i];
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("Usage: harv up [-c FILE]\n"
                   "Runs the tasks of FILE (default ./harv.yaml) under the supervisor: binds\n"
                   "every listener, sandboxes and restarts the tasks, answers the control\n"
                   "socket STATE/run/harv.sock (harv status|stop|reload|restart|logs).\n"
                   "SIGTERM/SIGINT drain and stop; SIGHUP reloads FILE. See docs/config.md.\n");
            return 0;
        } else {
            fprintf(stderr, "harv up: unknown argument '%s' (see harv up --help)\n", argv[i]);
            return 2;
        }
    }
    return sup_run(&opt);
}

/* fake_main.c — `hsql_fake_server [sql] OPTIONS`: the real `harv sql` command and protocol
 * side linked with the test-only fake engine (fake_engine.c), for protocol work independent
 * of the SQL side. Accepts the same argv as build/harv so the integration tests can run it. */
#include "cli.h"

#include <string.h>

const char *cli_share_dir(void) { return "."; }

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "sql"))
        return cli_sql_main(argc - 1, argv + 1);
    return cli_sql_main(argc, argv);
}

/* fake_main.c — `hsql_fake_server`: the real `harv sql` command and protocol side linked with
 * the test-only fake engine (fake_engine.c), for protocol work independent of the SQL side. */
#include "cli.h"

const char *cli_share_dir(void) { return "."; }

int main(int argc, char **argv) { return cli_sql_main(argc, argv); }

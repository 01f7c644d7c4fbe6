/* cmd_sql.c — placeholder until the sql component lands its command. */
#include "cli.h"

#include <stdio.h>

int cli_sql_main(int argc, char **argv)
{
    fprintf(stderr, "harv sql: not built into this version yet\n");
    return 2;
}

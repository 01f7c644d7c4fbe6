/* cmd_wasm.c — placeholder until the wasm component lands its command. */
#include "cli.h"

#include <stdio.h>

int cli_wasm_main(int argc, char **argv)
{
    fprintf(stderr, "harv wasm: not built into this version yet\n");
    return 2;
}

#include "cli.h"
#include <stdio.h>
int cli_serve_main(int argc, char **argv) { fprintf(stderr, "harv serve: soon\n"); return 2; }

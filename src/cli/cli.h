/* cli.h — the subcommands of the harv binary. Each lives in its own src/cli/cmd_*.c, owned
 * by its component; main.c only dispatches. Each returns the process exit status. */
#ifndef HARV_CLI_H
#define HARV_CLI_H

/* Weak: a build without a component (-DHARV_WITHOUT) leaves its command NULL. */
#define CLI_CMD __attribute__((weak))
CLI_CMD int cli_serve_main(int argc, char **argv); /* cmd_serve.c: harv serve [DIR] */
CLI_CMD int cli_sql_main(int argc, char **argv);   /* cmd_sql.c:   harv sql ... */
CLI_CMD int cli_wasm_main(int argc, char **argv);  /* cmd_wasm.c:  harv wasm run|validate */

/* The directory holding the bundled share/harv data (demo site) next to the binary, or the
 * installed prefix. Returns a static string. */
const char *cli_share_dir(void);

#endif

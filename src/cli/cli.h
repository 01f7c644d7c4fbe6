/* cli.h — the subcommands of the harv binary. Each lives in its own src/cli/cmd_*.c, owned
 * by its component; main.c only dispatches. Each returns the process exit status. */
#ifndef HARV_CLI_H
#define HARV_CLI_H

/* Weak: a build without a component (-DHARV_WITHOUT) leaves its command NULL. */
#define CLI_CMD __attribute__((weak))
CLI_CMD int cli_serve_main(int argc, char **argv); /* cmd_serve.c: harv serve [DIR] */
CLI_CMD int cli_sql_main(int argc, char **argv);   /* cmd_sql.c:   harv sql ... */
CLI_CMD int cli_wasm_main(int argc, char **argv);  /* cmd_wasm.c:  harv wasm run|validate */
CLI_CMD int cli_php_main(int argc, char **argv);   /* cmd_php.c:   harv php (the PHP pool) */
CLI_CMD int cli_phpserve_main(int argc, char **argv); /* cmd_php.c:   harv php-serve DIR */
CLI_CMD int cli_up_main(int argc, char **argv);     /* cmd_up.c:    harv up [-c FILE] */
CLI_CMD int cli_check_main(int argc, char **argv);  /* cmd_check.c: harv check [-c FILE] */
CLI_CMD int cli_task_main(int argc, char **argv);   /* cmd_task.c:  harv task KIND (internal) */
CLI_CMD int cli_status_main(int argc, char **argv); /* cmd_ctl.c:   harv status [--json] */
CLI_CMD int cli_stop_main(int argc, char **argv);   /* cmd_ctl.c:   harv stop */
CLI_CMD int cli_reload_main(int argc, char **argv); /* cmd_ctl.c:   harv reload */
CLI_CMD int cli_restart_main(int argc, char **argv); /* cmd_ctl.c:  harv restart TASK */
CLI_CMD int cli_logs_main(int argc, char **argv);   /* cmd_ctl.c:   harv logs TASK */

/* The directory holding the bundled share/harv data (demo site) next to the binary, or the
 * installed prefix. Returns a static string. */
const char *cli_share_dir(void);

#endif

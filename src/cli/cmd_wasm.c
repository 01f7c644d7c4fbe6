/* cmd_wasm.c — `harv wasm run|validate`: runs a WASI command module (exit status = the
 * module's) or validates a module. Thin: argv -> options -> the wasm component's API. */
#include "cli.h"

#include <harv/wasm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_WASM_MAX_FILE (256u << 20) /* refuse module files above 256 MiB */
#define CLI_WASM_MAX_OPTS 64
#define CLI_WASM_TRAP_STATUS 134 /* exit status after a trap (as wasmtime) */

extern char **environ;

static void usage(FILE *f)
{
    fprintf(f, "Usage: harv wasm run [OPTIONS] FILE.wasm [ARGS...]\n"
               "       harv wasm validate FILE.wasm\n\n"
               "Options of run:\n"
               "  --dir GUEST[:HOST]   preopen host directory HOST (default GUEST) as GUEST\n"
               "  --env NAME=VALUE     set an environment variable for the module\n"
               "  --inherit-env        pass Harv's whole environment\n"
               "  --fuel N             stop after about N instructions\n"
               "  --max-pages N        memory cap in 64 KiB pages (default %u)\n"
               "  --invoke NAME        call export NAME (no arguments) instead of _start and\n"
               "                       print its results\n",
            WVM_DEFAULT_MAX_MEMORY_PAGES);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "harv wasm: cannot open %s\n", path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap >= CLI_WASM_MAX_FILE) {
                fprintf(stderr, "harv wasm: %s is larger than %u bytes\n", path,
                        CLI_WASM_MAX_FILE);
                free(buf);
                fclose(f);
                return NULL;
            }
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

static wvm_module_t *load(wvm_engine_t *e, const char *path)
{
    size_t len;
    char err[256];
    uint8_t *bytes = read_file(path, &len);
    if (!bytes)
        return NULL;
    wvm_module_t *m = wvm_module_load(e, bytes, len, err, sizeof err);
    free(bytes);
    if (!m)
        fprintf(stderr, "harv wasm: %s: %s\n", path, err);
    return m;
}

static int cmd_validate(int argc, char **argv)
{
    if (argc != 1) {
        usage(stderr);
        return 2;
    }
    wvm_engine_t *e = wvm_engine_new();
    wvm_module_t *m = load(e, argv[0]);
    int rc = m ? 0 : 1;
    if (m)
        printf("%s: valid\n", argv[0]);
    wvm_module_free(m);
    wvm_engine_free(e);
    return rc;
}

/* Prints the results of an --invoke call as wasm-interp does: "f() => i32:1, f64:0.5". */
static void print_results(const char *name, const char *sig, const wvm_value_t *res)
{
    const char *r = sig ? strchr(sig, ':') + 1 : "";
    printf("%s() =>", name);
    for (int k = 0; r[k] && k < 16; k++) {
        printf(k ? ", " : " ");
        switch (r[k]) {
        case 'i': printf("i32:%u", res[k].u32); break;
        case 'I': printf("i64:%llu", (unsigned long long)res[k].u64); break;
        case 'f': printf("f32:%f", (double)res[k].f32); break;
        case 'F': printf("f64:%f", res[k].f64); break;
        default: printf("%c:%p", r[k], res[k].ref); break;
        }
    }
    printf("\n");
}

static int cmd_run(int argc, char **argv)
{
    const char *dirs[CLI_WASM_MAX_OPTS], *envs[CLI_WASM_MAX_OPTS], *invoke = "_start";
    int ndirs = 0, nenvs = 0, i = 0;
    bool inherit = false;
    int64_t fuel = WVM_FUEL_UNLIMITED;
    wvm_limits_t lim = {0};
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *o = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(o, "--dir") && more && ndirs < CLI_WASM_MAX_OPTS)
            dirs[ndirs++] = argv[++i];
        else if (!strcmp(o, "--env") && more && nenvs < CLI_WASM_MAX_OPTS)
            envs[nenvs++] = argv[++i];
        else if (!strcmp(o, "--inherit-env"))
            inherit = true;
        else if (!strcmp(o, "--fuel") && more)
            fuel = strtoll(argv[++i], NULL, 10);
        else if (!strcmp(o, "--max-pages") && more)
            lim.max_memory_pages = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(o, "--invoke") && more)
            invoke = argv[++i];
        else if (!strcmp(o, "--")) {
            i++;
            break;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    int envc = 0;
    const char **envp;
    if (inherit) {
        while (environ[envc])
            envc++;
        envp = calloc((size_t)envc + (size_t)nenvs + 1, sizeof *envp);
        memcpy(envp, environ, (size_t)envc * sizeof *envp);
    } else {
        envp = calloc((size_t)nenvs + 1, sizeof *envp);
    }
    for (int k = 0; k < nenvs; k++)
        envp[envc++] = envs[k];

    int rc = 1;
    wvm_engine_t *e = wvm_engine_new();
    wvm_wasi_t *w = wvm_wasi_new(argc - i, (const char *const *)argv + i, envc, envp);
    wvm_module_t *m = NULL;
    wvm_instance_t *inst = NULL;
    for (int k = 0; k < ndirs; k++) {
        char guest[4096];
        const char *colon = strchr(dirs[k], ':');
        snprintf(guest, sizeof guest, "%.*s", colon ? (int)(colon - dirs[k]) : (int)strlen(dirs[k]),
                 dirs[k]);
        const char *host = colon ? colon + 1 : dirs[k];
        if (wvm_wasi_preopen(w, guest, host) < 0) {
            fprintf(stderr, "harv wasm: cannot preopen directory %s\n", host);
            goto out;
        }
    }
    wvm_wasi_define(e, w);
    m = load(e, argv[i]);
    if (!m)
        goto out;
    char err[256];
    inst = wvm_instance_new(m, &lim, err, sizeof err);
    if (!inst) {
        fprintf(stderr, "harv wasm: %s: %s\n", argv[i], err);
        goto out;
    }
    wvm_instance_set_fuel(inst, fuel);
    wvm_value_t res[16];
    int r = wvm_instance_call(inst, invoke, NULL, 0, res, 16);
    switch (r) {
    case WVM_OK:
        rc = 0;
        if (strcmp(invoke, "_start"))
            print_results(invoke, wvm_instance_export_sig(inst, invoke), res);
        break;
    case WVM_EXIT:
        rc = wvm_instance_exit_code(inst) & 0xFF;
        break;
    case WVM_TRAP:
        fprintf(stderr, "harv wasm: trap: %s\n", wvm_instance_trap(inst));
        rc = CLI_WASM_TRAP_STATUS;
        break;
    case WVM_PAUSED:
        fprintf(stderr, "harv wasm: out of fuel\n");
        rc = CLI_WASM_TRAP_STATUS;
        break;
    default:
        fprintf(stderr, "harv wasm: %s has no export %s taking no arguments\n", argv[i], invoke);
        rc = 2;
    }
out:
    fflush(stdout);
    wvm_instance_free(inst);
    wvm_module_free(m);
    wvm_engine_free(e);
    wvm_wasi_free(w);
    free(envp);
    return rc;
}

int cli_wasm_main(int argc, char **argv)
{
    /* argv[0] is "wasm" */
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "run"))
        return cmd_run(argc - 2, argv + 2);
    if (!strcmp(argv[1], "validate"))
        return cmd_validate(argc - 2, argv + 2);
    usage(stderr);
    return 2;
}

/* diff_runner.c — runs every parameterless export of a module in order, printing results
 * in the format of wabt's `wasm-interp --dummy-import-func --run-all-exports`, so the two
 * interpreters can be compared on generated modules (see diff_interp.sh). Imports from
 * "fuzzing-support" (binaryen's -ttf logging functions) print their arguments. */
#include <harv/wasm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_value(char t, const wvm_value_t *vp)
{
    wvm_value_t v = vp[0];
    switch (t) {
    case 'v': {
        uint32_t l[4];
        memcpy(l, vp, 16);
        printf("v128 i32x4:0x%08x 0x%08x 0x%08x 0x%08x", l[0], l[1], l[2], l[3]);
        break;
    }
    case 'i': printf("i32:%u", v.u32); break;
    case 'I': printf("i64:%llu", (unsigned long long)v.u64); break;
    case 'f': printf("f32:%f", (double)v.f32); break;
    case 'F': printf("f64:%f", v.f64); break;
    default: printf("%c:?", t); break;
    }
}

static int host_log(wvm_instance_t *inst, const wvm_value_t *a, wvm_value_t *r, void *user)
{
    const char *name = user;
    printf("called host fuzzing-support.%s(", name);
    print_value(!strcmp(name, "log-i32") ? 'i' : !strcmp(name, "log-i64") ? 'I'
                : !strcmp(name, "log-f32") ? 'f' : !strcmp(name, "log-f64") ? 'F' : 'v', a);
    printf(") =>\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: wasm_diff_runner FILE.wasm\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 2;
    static uint8_t buf[16 << 20];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    char err[256];
    wvm_engine_t *e = wvm_engine_new();
    wvm_engine_define_func(e, "fuzzing-support", "log-i32", "i:", host_log, "log-i32");
    wvm_engine_define_func(e, "fuzzing-support", "log-i64", "I:", host_log, "log-i64");
    wvm_engine_define_func(e, "fuzzing-support", "log-f32", "f:", host_log, "log-f32");
    wvm_engine_define_func(e, "fuzzing-support", "log-f64", "F:", host_log, "log-f64");
    wvm_engine_define_func(e, "fuzzing-support", "log-v128", "v:", host_log, "log-v128");
    wvm_module_t *m = wvm_module_load(e, buf, len, err, sizeof err);
    if (!m) {
        printf("load error: %s\n", err);
        return 1;
    }
    wvm_limits_t lim = {.max_memory_pages = 65536};
    wvm_instance_t *inst = wvm_instance_new(m, &lim, err, sizeof err);
    if (!inst) {
        printf("instantiate error: %s\n", err);
        return 1;
    }
    size_t n = wvm_module_export_count(m);
    for (size_t i = 0; i < n; i++) {
        int kind;
        const char *name = wvm_module_export_name(m, i, &kind);
        if (kind != WVM_EXTERN_FUNC)
            continue;
        const char *sig = wvm_instance_export_sig(inst, name);
        if (!sig || sig[0] != ':')
            continue;
        wvm_value_t res[64];
        int rc = wvm_instance_call(inst, name, NULL, 0, res, 64);
        printf("%s() =>", name);
        if (rc == WVM_TRAP) {
            printf(" error: %s\n", wvm_instance_trap(inst));
            continue;
        }
        const char *r = sig + 1;
        for (int k = 0, slot = 0; r[k]; slot += r[k] == 'v' ? 2 : 1, k++) {
            printf(k ? ", " : " ");
            print_value(r[k], &res[slot]);
        }
        printf("\n");
    }
    wvm_instance_free(inst);
    wvm_module_free(m);
    wvm_engine_free(e);
    return 0;
}

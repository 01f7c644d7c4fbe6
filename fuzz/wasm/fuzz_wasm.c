/* fuzz_wasm.c — libFuzzer target for the wasm component: decode + validate + compile,
 * then instantiate under small limits and call every export with zero arguments and a
 * fuel budget. Nothing may crash, leak, or run unbounded. */
#include <harv/wasm.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_FUEL 20000
#define FUZZ_MAX_ARGS 16

static int host_nop(wvm_instance_t *inst, const wvm_value_t *a, wvm_value_t *r, void *user)
{
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a fresh engine per input: a host table shared across inputs would keep pointers to
     * the functions of freed instances */
    wvm_engine_t *e = wvm_engine_new();
    {
        wvm_engine_define_func(e, "fuzzing-support", "log-i32", "i:", host_nop, NULL);
        wvm_engine_define_func(e, "fuzzing-support", "log-i64", "I:", host_nop, NULL);
        wvm_engine_define_func(e, "fuzzing-support", "log-f32", "f:", host_nop, NULL);
        wvm_engine_define_func(e, "fuzzing-support", "log-f64", "F:", host_nop, NULL);
        wvm_engine_define_func(e, "spectest", "print_i32", "i:", host_nop, NULL);
        wvm_engine_define_memory(e, "spectest", "memory", 1, 2);
        wvm_engine_define_table(e, "spectest", "table", 10, 20);
    }
    char err[256];
    wvm_module_t *m = wvm_module_load(e, data, size, err, sizeof err);
    if (!m) {
        wvm_engine_free(e);
        return 0;
    }
    wvm_limits_t lim = {.max_memory_pages = 32,
                        .max_table_elems = 1000,
                        .max_call_depth = 200,
                        .max_stack_slots = 1 << 16,
                        .start_fuel = FUZZ_FUEL};
    wvm_instance_t *inst = wvm_instance_new(m, &lim, err, sizeof err);
    if (inst) {
        size_t n = wvm_module_export_count(m);
        for (size_t i = 0; i < n; i++) {
            int kind;
            const char *name = wvm_module_export_name(m, i, &kind);
            const char *sig = kind == WVM_EXTERN_FUNC ? wvm_instance_export_sig(inst, name) : NULL;
            if (!sig)
                continue;
            size_t nargs = (size_t)(strchr(sig, ':') - sig);
            if (nargs > FUZZ_MAX_ARGS || strchr(sig, 'v'))
                continue;
            wvm_value_t args[FUZZ_MAX_ARGS] = {0}, res[FUZZ_MAX_ARGS];
            wvm_instance_set_fuel(inst, FUZZ_FUEL);
            int rc = wvm_instance_call(inst, name, args, nargs, res, FUZZ_MAX_ARGS);
            if (rc == WVM_PAUSED) {
                /* resume once, then abandon the paused call by finishing it with an interrupt */
                wvm_instance_set_fuel(inst, FUZZ_FUEL);
                rc = wvm_instance_resume(inst, res, FUZZ_MAX_ARGS);
                if (rc == WVM_PAUSED) {
                    wvm_instance_interrupt(inst);
                    wvm_instance_set_fuel(inst, 1);
                    rc = wvm_instance_resume(inst, res, FUZZ_MAX_ARGS);
                }
            }
        }
        wvm_instance_free(inst);
    }
    wvm_module_free(m);
    wvm_engine_free(e);
    return 0;
}

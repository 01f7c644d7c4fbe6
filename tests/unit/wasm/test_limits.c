/* Unit tests for the wasm runtime's limits: fuel with pause/resume, the interrupt flag,
 * call depth and value stack caps, memory and table caps, traps by name, host functions
 * with arguments in natural order, and hostile binaries (truncations, absurd sizes). The
 * host must stay healthy after each: the same instance keeps answering calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <harv/wasm.h>

#include "modules.h"

typedef struct fixture {
    wvm_engine_t *e;
    wvm_module_t *m;
    wvm_instance_t *inst;
} fixture_t;

static fixture_t load(const unsigned char *bytes, size_t len, const wvm_limits_t *lim)
{
    fixture_t f;
    char err[256];
    f.e = wvm_engine_new();
    f.m = wvm_module_load(f.e, bytes, len, err, sizeof err);
    if (!f.m)
        fail_msg("load: %s", err);
    f.inst = wvm_instance_new(f.m, lim, err, sizeof err);
    if (!f.inst)
        fail_msg("instantiate: %s", err);
    return f;
}

static void unload(fixture_t *f)
{
    wvm_instance_free(f->inst);
    wvm_module_free(f->m);
    wvm_engine_free(f->e);
}

static int32_t count(wvm_instance_t *inst, int32_t n)
{
    wvm_value_t a = {.i32 = n}, r = {0};
    assert_int_equal(wvm_instance_call(inst, "count", &a, 1, &r, 1), WVM_OK);
    return r.i32;
}

static void fuel_pauses_and_resumes(void **state)
{
    fixture_t f = load(loop_wasm, loop_wasm_len, NULL);
    int32_t expect = count(f.inst, 100000);
    wvm_instance_set_fuel(f.inst, 1000);
    wvm_value_t a = {.i32 = 100000}, r = {0};
    int rc = wvm_instance_call(f.inst, "count", &a, 1, &r, 1);
    int pauses = 0;
    while (rc == WVM_PAUSED) {
        pauses++;
        assert_true(wvm_instance_fuel(f.inst) <= 0);
        wvm_instance_set_fuel(f.inst, 1000);
        rc = wvm_instance_resume(f.inst, &r, 1);
    }
    assert_int_equal(rc, WVM_OK);
    assert_int_equal(r.i32, expect);
    assert_true(pauses > 100);
    /* a second call while paused is refused; resume of a finished call too */
    assert_int_equal(wvm_instance_resume(f.inst, &r, 1), WVM_ERROR);
    unload(&f);
}

static void fuel_stops_infinite_loop(void **state)
{
    fixture_t f = load(loop_wasm, loop_wasm_len, NULL);
    wvm_instance_set_fuel(f.inst, 1000000);
    assert_int_equal(wvm_instance_call(f.inst, "spin", NULL, 0, NULL, 0), WVM_PAUSED);
    for (int i = 0; i < 3; i++) {
        wvm_instance_set_fuel(f.inst, 1000000);
        assert_int_equal(wvm_instance_resume(f.inst, NULL, 0), WVM_PAUSED);
    }
    /* the interrupt flag ends a paused run at its next check */
    wvm_instance_interrupt(f.inst);
    wvm_instance_set_fuel(f.inst, 1000000);
    assert_int_equal(wvm_instance_resume(f.inst, NULL, 0), WVM_TRAP);
    assert_string_equal(wvm_instance_trap(f.inst), WVM_TRAP_INTERRUPTED);
    wvm_instance_set_fuel(f.inst, WVM_FUEL_UNLIMITED);
    assert_int_equal(count(f.inst, 10), 45);
    unload(&f);
}

static void *interrupter(void *arg)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    wvm_instance_interrupt(arg);
    return NULL;
}

static void interrupt_from_another_thread(void **state)
{
    fixture_t f = load(loop_wasm, loop_wasm_len, NULL);
    pthread_t t;
    pthread_create(&t, NULL, interrupter, f.inst);
    assert_int_equal(wvm_instance_call(f.inst, "spin", NULL, 0, NULL, 0), WVM_TRAP);
    pthread_join(t, NULL);
    assert_string_equal(wvm_instance_trap(f.inst), "interrupted");
    assert_int_equal(count(f.inst, 4), 6);
    unload(&f);
}

static void *count_in_thread(void *arg)
{
    fixture_t f = load(loop_wasm, loop_wasm_len, NULL);
    int32_t *out = arg;
    *out = count(f.inst, 200000);
    unload(&f);
    return NULL;
}

/* Engines and instances on different threads run independently. */
static void parallel_engines(void **state)
{
    pthread_t t[4];
    int32_t res[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, count_in_thread, &res[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal((uint32_t)res[i], (uint32_t)(200000ull * 199999ull / 2u));
    }
}

static void recursion_exhausts_call_stack(void **state)
{
    wvm_limits_t lim = {.max_call_depth = 500};
    fixture_t f = load(loop_wasm, loop_wasm_len, &lim);
    wvm_value_t a = {.i32 = 1}, r;
    assert_int_equal(wvm_instance_call(f.inst, "rec", &a, 1, &r, 1), WVM_TRAP);
    assert_string_equal(wvm_instance_trap(f.inst), WVM_TRAP_STACK);
    /* big frames hit the value stack cap first */
    wvm_limits_t lim2 = {.max_call_depth = 100000, .max_stack_slots = 4096};
    fixture_t g = load(loop_wasm, loop_wasm_len, &lim2);
    assert_int_equal(wvm_instance_call(g.inst, "fat", &a, 1, &r, 1), WVM_TRAP);
    assert_string_equal(wvm_instance_trap(g.inst), "call stack exhausted");
    assert_int_equal(count(f.inst, 5), 10);
    assert_int_equal(count(g.inst, 5), 10);
    unload(&f);
    unload(&g);
}

static void traps_by_name(void **state)
{
    fixture_t f = load(loop_wasm, loop_wasm_len, NULL);
    wvm_value_t a[2] = {{.i32 = 7}, {.i32 = 0}}, r;
    assert_int_equal(wvm_instance_call(f.inst, "div", a, 2, &r, 1), WVM_TRAP);
    assert_string_equal(wvm_instance_trap(f.inst), "integer divide by zero");
    a[0].i32 = INT32_MIN, a[1].i32 = -1;
    assert_int_equal(wvm_instance_call(f.inst, "div", a, 2, &r, 1), WVM_TRAP);
    assert_string_equal(wvm_instance_trap(f.inst), "integer overflow");
    a[0].i32 = 7, a[1].i32 = 2;
    assert_int_equal(wvm_instance_call(f.inst, "div", a, 2, &r, 1), WVM_OK);
    assert_int_equal(r.i32, 3);
    /* API misuse is not a trap */
    assert_int_equal(wvm_instance_call(f.inst, "div", a, 1, &r, 1), WVM_ERROR);
    assert_int_equal(wvm_instance_call(f.inst, "nope", a, 2, &r, 1), WVM_ERROR);
    unload(&f);
}

static void memory_grow_bomb_stops_at_cap(void **state)
{
    wvm_limits_t lim = {.max_memory_pages = 16, .max_table_elems = 100};
    fixture_t f = load(grow_wasm, grow_wasm_len, &lim);
    wvm_value_t r, a[2];
    assert_int_equal(wvm_instance_call(f.inst, "bomb", NULL, 0, &r, 1), WVM_OK);
    assert_int_equal(r.i32, 15);
    assert_int_equal(wvm_instance_call(f.inst, "big", NULL, 0, &r, 1), WVM_OK);
    assert_int_equal(r.i32, -1);
    uint64_t size;
    uint8_t *base = wvm_instance_memory(f.inst, &size);
    assert_non_null(base);
    assert_int_equal(size, 16 * 65536);
    /* the last byte is usable, one past traps */
    a[0].i32 = 16 * 65536 - 4, a[1].i32 = 0x1234;
    assert_int_equal(wvm_instance_call(f.inst, "store", a, 2, NULL, 0), WVM_OK);
    uint32_t v = 0;
    assert_int_equal(wvm_memory_read(f.inst, 16 * 65536 - 4, &v, 4), 0);
    assert_int_equal(v, 0x1234);
    assert_int_equal(wvm_memory_read(f.inst, 16 * 65536 - 3, &v, 4), -1);
    assert_int_equal(wvm_memory_write(f.inst, UINT64_MAX - 1, &v, 4), -1);
    a[0].i32 = 16 * 65536 - 3;
    assert_int_equal(wvm_instance_call(f.inst, "load", a, 1, &r, 1), WVM_TRAP);
    assert_string_equal(wvm_instance_trap(f.inst), WVM_TRAP_MEMORY_OOB);
    a[0].i32 = -1;
    assert_int_equal(wvm_instance_call(f.inst, "load", a, 1, &r, 1), WVM_TRAP);
    /* table growth stops at the table cap */
    a[0].i32 = 99;
    assert_int_equal(wvm_instance_call(f.inst, "tgrow", a, 1, &r, 1), WVM_OK);
    assert_int_equal(r.i32, 1);
    a[0].i32 = 1;
    assert_int_equal(wvm_instance_call(f.inst, "tgrow", a, 1, &r, 1), WVM_OK);
    assert_int_equal(r.i32, -1);
    a[0].i32 = -1;
    assert_int_equal(wvm_instance_call(f.inst, "tgrow", a, 1, &r, 1), WVM_OK);
    assert_int_equal(r.i32, -1);
    unload(&f);
}

static void caps_enforced_at_instantiation(void **state)
{
    char err[256];
    wvm_engine_t *e = wvm_engine_new();
    wvm_limits_t lim = {.max_memory_pages = 10, .max_table_elems = 1000};
    wvm_module_t *m = wvm_module_load(e, bigmem_wasm, bigmem_wasm_len, err, sizeof err);
    assert_non_null(m);
    assert_null(wvm_instance_new(m, &lim, err, sizeof err));
    assert_non_null(strstr(err, "limit"));
    wvm_module_free(m);
    m = wvm_module_load(e, bigtable_wasm, bigtable_wasm_len, err, sizeof err);
    assert_non_null(m);
    assert_null(wvm_instance_new(m, &lim, err, sizeof err));
    assert_non_null(strstr(err, "limit"));
    wvm_module_free(m);
    wvm_engine_free(e);
}

static void start_function_fuel(void **state)
{
    char err[256];
    wvm_engine_t *e = wvm_engine_new();
    wvm_module_t *m = wvm_module_load(e, startloop_wasm, startloop_wasm_len, err, sizeof err);
    assert_non_null(m);
    wvm_limits_t lim = {.start_fuel = 100000};
    assert_null(wvm_instance_new(m, &lim, err, sizeof err));
    assert_non_null(strstr(err, "ran out of fuel"));
    wvm_module_free(m);
    wvm_engine_free(e);
}

static int check(wvm_instance_t *inst, const wvm_value_t *a, wvm_value_t *r, void *user)
{
    int *calls = user;
    (*calls)++;
    if (a[0].i32 != 1 || a[1].i64 != 2 || a[2].f64 != 3.5 || a[3].i32 != 4)
        return wvm_host_trap(inst, "arguments out of order");
    r[0].i64 = 42;
    return 0;
}

static void host_args_natural_order(void **state)
{
    char err[256];
    int calls = 0;
    wvm_engine_t *e = wvm_engine_new();
    assert_int_equal(wvm_engine_define_func(e, "env", "check", "iIFi:I", check, &calls), 0);
    assert_int_equal(wvm_engine_define_func(e, "env", "bad", "x:", check, &calls), -1);
    wvm_module_t *m = wvm_module_load(e, host_wasm, host_wasm_len, err, sizeof err);
    assert_non_null(m);
    wvm_instance_t *inst = wvm_instance_new(m, NULL, err, sizeof err);
    assert_non_null(inst);
    wvm_value_t r;
    assert_int_equal(wvm_instance_call(inst, "go", NULL, 0, &r, 1), WVM_OK);
    assert_int_equal(r.i64, 42);
    assert_int_equal(calls, 1);
    wvm_instance_free(inst);
    wvm_module_free(m);
    /* wrong host type: link error */
    wvm_engine_t *e2 = wvm_engine_new();
    wvm_engine_define_func(e2, "env", "check", "iIF:I", check, &calls);
    m = wvm_module_load(e2, host_wasm, host_wasm_len, err, sizeof err);
    assert_null(wvm_instance_new(m, NULL, err, sizeof err));
    assert_non_null(strstr(err, "incompatible import"));
    wvm_module_free(m);
    wvm_engine_free(e2);
    wvm_engine_free(e);
}

/* Every truncation and every single-byte corruption of a valid module is either rejected
 * or loads; it never crashes. Absurd sizes are refused without allocating them. */
static void hostile_binaries(void **state)
{
    char err[256];
    wvm_engine_t *e = wvm_engine_new();
    for (size_t n = 0; n < loop_wasm_len; n++) {
        /* a cut at a section boundary can still be a valid module */
        wvm_module_t *m = wvm_module_load(e, loop_wasm, n, err, sizeof err);
        if (n < 8)
            assert_null(m);
        if (!m)
            assert_true(!strncmp(err, "malformed", 9) || !strncmp(err, "invalid", 7));
        wvm_module_free(m);
    }
    unsigned char buf[sizeof grow_wasm];
    for (size_t i = 8; i < grow_wasm_len; i++)
        for (int v = 0; v < 256; v += 17) {
            memcpy(buf, grow_wasm, grow_wasm_len);
            buf[i] = (unsigned char)v;
            wvm_module_t *m = wvm_module_load(e, buf, grow_wasm_len, err, sizeof err);
            if (m) {
                wvm_limits_t lim = {.max_memory_pages = 4, .max_table_elems = 16};
                wvm_instance_t *inst = wvm_instance_new(m, &lim, err, sizeof err);
                if (inst) {
                    wvm_instance_set_fuel(inst, 10000);
                    wvm_value_t r[2];
                    wvm_instance_call(inst, "bomb", NULL, 0, r, 2);
                    wvm_instance_free(inst);
                }
                wvm_module_free(m);
            }
        }
    static const unsigned char absurd[][20] = {
        /* type section claiming 4 GiB */
        {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0},
        /* type vector of 2^32-1 entries in a 6-byte section */
        {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F},
        /* memory of 2^32-1 pages */
        {0, 'a', 's', 'm', 1, 0, 0, 0, 5, 6, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F},
        /* data segment of 4 GiB in a small section */
        {0, 'a', 's', 'm', 1, 0, 0, 0, 11, 9, 1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0},
        /* LEB128 longer than 5 bytes */
        {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
        /* unknown section id */
        {0, 'a', 's', 'm', 1, 0, 0, 0, 42, 0},
        /* wrong version */
        {0, 'a', 's', 'm', 2, 0, 0, 0},
    };
    static const size_t absurd_len[] = {15, 15, 17, 19, 15, 10, 8};
    for (size_t i = 0; i < sizeof absurd_len / sizeof absurd_len[0]; i++) {
        wvm_module_t *m = wvm_module_load(e, absurd[i], absurd_len[i], err, sizeof err);
        if (m)
            fail_msg("absurd module %zu accepted", i);
    }
    wvm_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fuel_pauses_and_resumes),
        cmocka_unit_test(fuel_stops_infinite_loop),
        cmocka_unit_test(interrupt_from_another_thread),
        cmocka_unit_test(parallel_engines),
        cmocka_unit_test(recursion_exhausts_call_stack),
        cmocka_unit_test(traps_by_name),
        cmocka_unit_test(memory_grow_bomb_stops_at_cap),
        cmocka_unit_test(caps_enforced_at_instantiation),
        cmocka_unit_test(start_function_fuel),
        cmocka_unit_test(host_args_natural_order),
        cmocka_unit_test(hostile_binaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

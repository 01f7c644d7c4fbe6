/* interp.c — the interpreter loop: direct-threaded dispatch over the internal code
 * (computed goto; each opcode cell holds its handler's offset from a base label).
 *
 * Registers: ip (next cell), fp (frame base: slot 0 is the first parameter), cur (the
 * instance whose code runs), mb/ms (its memory base and size, reloaded after calls and
 * memory.grow). Calls push a wvm_frame_t on the instance's frame stack instead of
 * recursing in C, so a run can be paused (fuel) and resumed, and depth is a plain counter.
 * Every memory access is checked against ms in 64-bit arithmetic; traps unwind by
 * returning. Layer: wasm, used by runtime.c. */
#include "wasm_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

const char WVM_TRAP_UNREACHABLE[] = "unreachable";
const char WVM_TRAP_MEMORY_OOB[] = "out of bounds memory access";
const char WVM_TRAP_TABLE_OOB[] = "out of bounds table access";
const char WVM_TRAP_UNDEF_ELEM[] = "undefined element";
const char WVM_TRAP_UNINIT_ELEM[] = "uninitialized element";
const char WVM_TRAP_INDIRECT_TYPE[] = "indirect call type mismatch";
const char WVM_TRAP_DIV_ZERO[] = "integer divide by zero";
const char WVM_TRAP_INT_OVERFLOW[] = "integer overflow";
const char WVM_TRAP_INVALID_CONV[] = "invalid conversion to integer";
const char WVM_TRAP_STACK[] = "call stack exhausted";
const char WVM_TRAP_INTERRUPTED[] = "interrupted";
const char WVM_TRAP_HOST[] = "host function failed";

int32_t wvm_op_off[WOP_COUNT];

/* The code a top-level call returns into. */
static uint32_t exit_cells[1];

/* Saturating truncations. */
static inline int32_t sat_i32(double x)
{
    if (x != x)
        return 0;
    if (x <= -2147483648.0)
        return INT32_MIN;
    if (x >= 2147483647.0)
        return INT32_MAX;
    return (int32_t)x;
}
static inline uint32_t sat_u32(double x)
{
    if (x != x || x <= 0)
        return 0;
    if (x >= 4294967295.0)
        return UINT32_MAX;
    return (uint32_t)x;
}
static inline int64_t sat_i64(double x)
{
    if (x != x)
        return 0;
    if (x < -9223372036854775808.0)
        return INT64_MIN;
    if (x >= 9223372036854775808.0)
        return INT64_MAX;
    return (int64_t)x;
}
static inline uint64_t sat_u64(double x)
{
    if (x != x || x <= 0)
        return 0;
    if (x >= 18446744073709551616.0)
        return UINT64_MAX;
    return (uint64_t)x;
}

static inline uint32_t rotl32(uint32_t a, uint32_t b)
{
    b &= 31;
    return (a << b) | (a >> ((32 - b) & 31));
}
static inline uint32_t rotr32(uint32_t a, uint32_t b)
{
    b &= 31;
    return (a >> b) | (a << ((32 - b) & 31));
}
static inline uint64_t rotl64(uint64_t a, uint64_t b)
{
    b &= 63;
    return (a << b) | (a >> ((64 - b) & 63));
}
static inline uint64_t rotr64(uint64_t a, uint64_t b)
{
    b &= 63;
    return (a >> b) | (a << ((64 - b) & 63));
}

static int run(wvm_instance_t *inst, bool init_only);

static void init_once(void)
{
    run(NULL, true);
    wvm_compile_init();
    wvm_simd_init();
}

void wvm_interp_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_once);
}

int wvm_interp_call(wvm_instance_t *inst, wvm_func_t *f)
{
    inst->trap = NULL;
    inst->paused = false;
    if (f->host) {
        wvm_value_t args[WVM_MAX_PARAMS], res[WVM_MAX_PARAMS];
        memcpy(args, inst->stack, f->type->param_slots * sizeof *args);
        inst->trap = NULL;
        inst->exit_code = -1;
        int rc = f->host(inst, args, res, f->user);
        if (rc < 0)
            return inst->trap ? WVM_TRAP : WVM_EXIT;
        memcpy(inst->stack, res, f->type->result_slots * sizeof *res);
        return WVM_OK;
    }
    const wvm_code_t *code = f->code;
    if (code->frame_slots > inst->lim.max_stack_slots) {
        inst->trap = WVM_TRAP_STACK;
        return WVM_TRAP;
    }
    inst->frames[0] = (wvm_frame_t){exit_cells, inst->stack, inst};
    inst->depth = 1;
    memset(inst->stack + code->param_slots, 0, code->local_slots * sizeof(wvm_slot_t));
    inst->saved_ip = code->cells;
    inst->saved_fp = inst->stack;
    inst->saved_inst = f->inst;
    return wvm_interp_run(inst);
}

int wvm_interp_run(wvm_instance_t *inst)
{
    inst->running = true;
    int rc = run(inst, false);
    inst->running = false;
    return rc;
}

#define NEXT() goto *(void *)((char *)&&L_BASE + (int32_t)*ip)
#define D (fp[ip[1]])
#define A (fp[ip[2]])
#define B (fp[ip[3]])
#define TRAP(name)                                                                             \
    do {                                                                                       \
        trap = (name);                                                                         \
        goto trapped;                                                                          \
    } while (0)
#define RELOAD()                                                                               \
    do {                                                                                       \
        mb = cur->mem ? cur->mem->base : NULL;                                                 \
        ms = cur->mem ? cur->mem->size : 0;                                                    \
    } while (0)
/* Takes the branch whose offset is in cell k. A backward branch always targets a loop
 * header: it charges the loop's fuel itself and skips the header's dispatch. */
#define JUMP(k)                                                                                \
    do {                                                                                       \
        int32_t rel_ = (int32_t)ip[k];                                                         \
        ip += (k) + rel_;                                                                      \
        if (rel_ < 0) {                                                                        \
            if (BASE_UNLIKELY(fuel <= 0))                                                      \
                goto L_LOOP;                                                                   \
            fuel -= ip[1];                                                                     \
            ip += 2;                                                                           \
        }                                                                                      \
        NEXT();                                                                                \
    } while (0)
#define BIN(name, F, RF, expr)                                                                 \
    L_##name : {                                                                               \
        __typeof__(A.F) a = A.F, b = B.F;                                                      \
        D.RF = (expr);                                                                         \
        ip += 4;                                                                               \
        NEXT();                                                                                \
    }
#define UN(name, F, RF, expr)                                                                  \
    L_##name : {                                                                               \
        __typeof__(A.F) a = A.F;                                                               \
        D.RF = (expr);                                                                         \
        ip += 3;                                                                               \
        NEXT();                                                                                \
    }
/* Checked trapping truncation: lo < x < hi (exclusive bounds given as doubles). */
#define TRUNC(name, F, RF, T, lo, hi)                                                          \
    L_##name : {                                                                               \
        double x = (double)A.F;                                                                \
        if (x != x)                                                                            \
            TRAP(WVM_TRAP_INVALID_CONV);                                                       \
        if (!(x > (lo) && x < (hi)))                                                           \
            TRAP(WVM_TRAP_INT_OVERFLOW);                                                       \
        D.RF = (T)x;                                                                           \
        ip += 3;                                                                               \
        NEXT();                                                                                \
    }
/* Effective addresses: base slot + immediate pre-offset (wrapping at 32 bits, as the
 * folded i32.add did) + offset; or, for the _RR forms, base slot + second slot. */
#define EA_IMM(base) ((uint64_t)(uint32_t)(fp[base].u32 + ip[4]) + ip[3])
#define EA_RR(base) ((uint64_t)(uint32_t)(fp[base].u32 + fp[ip[4]].u32) + ip[3])
#define LOAD1(label, EA, T, RF, CAST)                                                          \
    label : {                                                                                  \
        uint64_t ea = EA(ip[2]);                                                               \
        if (BASE_UNLIKELY(ea + sizeof(T) > ms))                                                \
            TRAP(WVM_TRAP_MEMORY_OOB);                                                         \
        T v;                                                                                   \
        memcpy(&v, mb + ea, sizeof(T));                                                        \
        D.RF = (CAST)v;                                                                        \
        ip += 5;                                                                               \
        NEXT();                                                                                \
    }
#define LOAD(name, T, RF, CAST)                                                                \
    LOAD1(L_##name, EA_IMM, T, RF, CAST) LOAD1(L_##name##_RR, EA_RR, T, RF, CAST)
#define STORE1(label, EA, T, VAL)                                                              \
    label : {                                                                                  \
        uint64_t ea = EA(ip[1]);                                                               \
        if (BASE_UNLIKELY(ea + sizeof(T) > ms))                                                \
            TRAP(WVM_TRAP_MEMORY_OOB);                                                         \
        T v = (T)(VAL);                                                                        \
        memcpy(mb + ea, &v, sizeof(T));                                                        \
        ip += 5;                                                                               \
        NEXT();                                                                                \
    }
#define STORE(name, T, F)                                                                      \
    STORE1(L_##name, EA_IMM, T, fp[ip[2]].F) STORE1(L_##name##_RR, EA_RR, T, fp[ip[2]].F)
/* constant value in cell 2 (sign-extended from 32 bits) */
#define STOREK(name, T)                                                                        \
    STORE1(L_##name, EA_IMM, T, (int64_t)(int32_t)ip[2])                                       \
    STORE1(L_##name##_RR, EA_RR, T, (int64_t)(int32_t)ip[2])

static int run(wvm_instance_t *inst, bool init_only)
{
    if (init_only) {
#define SET_OFF_OTHER(name)                                                                    \
    wvm_op_off[WOP_##name] = (int32_t)((char *)&&L_##name - (char *)&&L_BASE);
#define SET_OFF_NUM(code, name, ar, t, r) SET_OFF_OTHER(name)
#define SET_OFF_IMM(name) SET_OFF_OTHER(name##_IMM)
#define SET_OFF_CMP(name) SET_OFF_OTHER(BR_##name) SET_OFF_OTHER(BR_##name##_IMM)
#define SET_OFF_RR(name) SET_OFF_OTHER(name##_RR)
        WVM_OTHER_OPS(SET_OFF_OTHER)
        WVM_NUMERIC_OPS(SET_OFF_NUM)
        WVM_IMM_OPS(SET_OFF_IMM)
        WVM_CMP_OPS(SET_OFF_CMP)
        WVM_RR_OPS(SET_OFF_RR)
        exit_cells[0] = (uint32_t)wvm_op_off[WOP_EXIT];
        return 0;
    }
    const uint32_t *ip = inst->saved_ip;
    wvm_slot_t *fp = inst->saved_fp;
    wvm_instance_t *cur = inst->saved_inst;
    wvm_frame_t *frames = inst->frames;
    uint32_t depth = inst->depth;
    const uint32_t max_depth = inst->lim.max_call_depth;
    wvm_slot_t *const stack_end = inst->stack + inst->lim.max_stack_slots;
    /* fuel: `fuel` is the current slice, `reserve` the rest; the interrupt flag is read
     * when a slice runs out, so loop headers and entries cost one decrement and test */
    int64_t fuel = BASE_MIN(inst->fuel, (int64_t)WVM_FUEL_SLICE);
    int64_t reserve = inst->fuel - fuel;
    atomic_int *intr = &inst->interrupt;
    uint8_t *mb;
    uint64_t ms;
    const char *trap = NULL;
    wvm_func_t *f;
    wvm_slot_t *nfp;
    RELOAD();
    NEXT();

L_BASE:
L_UNREACHABLE:
    TRAP(WVM_TRAP_UNREACHABLE);
L_EXIT:
    inst->fuel = fuel + reserve;
    inst->depth = 0;
    return WVM_OK;
L_ENTRY:
L_LOOP:
    if (BASE_UNLIKELY(fuel <= 0)) {
        if (atomic_load_explicit(intr, memory_order_relaxed)) {
            atomic_store(intr, 0);
            TRAP(WVM_TRAP_INTERRUPTED);
        }
        if (reserve > 0) {
            int64_t take = BASE_MIN(reserve, (int64_t)WVM_FUEL_SLICE);
            reserve -= take;
            fuel += take;
        }
        if (fuel <= 0) {
            inst->saved_ip = ip;
            inst->saved_fp = fp;
            inst->saved_inst = cur;
            inst->depth = depth;
            inst->fuel = fuel + reserve;
            inst->paused = true;
            return WVM_PAUSED;
        }
    }
    fuel -= ip[1];
    ip += 2;
    NEXT();
L_BR:
    JUMP(1);
L_BR_COPY: {
    uint32_t n = ip[1];
    wvm_slot_t *s = fp + ip[2], *d = fp + ip[3];
    for (uint32_t i = 0; i < n; i++)
        d[i] = s[i];
    ip += 4 + (int32_t)ip[4];
    NEXT();
}
L_BR_IF:
    if (fp[ip[1]].u32)
        JUMP(2);
    ip += 3;
    NEXT();
L_BR_IF_COPY:
    if (fp[ip[1]].u32) {
        uint32_t n = ip[2];
        wvm_slot_t *s = fp + ip[3], *d = fp + ip[4];
        for (uint32_t i = 0; i < n; i++)
            d[i] = s[i];
        ip += 5 + (int32_t)ip[5];
    } else {
        ip += 6;
    }
    NEXT();
L_BR_UNLESS:
    if (!fp[ip[1]].u32)
        JUMP(2);
    ip += 3;
    NEXT();
L_BR_TABLE: {
    uint32_t i = fp[ip[1]].u32, count = ip[2], n = ip[3];
    if (i > count)
        i = count;
    const uint32_t *e = ip + 5 + 2 * i;
    wvm_slot_t *s = fp + ip[4], *d = fp + e[0];
    if (s != d)
        for (uint32_t k = 0; k < n; k++)
            d[k] = s[k];
    ip = e + 1 + (int32_t)e[1];
    NEXT();
}
L_RETURN: {
    uint32_t n = ip[1];
    wvm_slot_t *s = fp + ip[2];
    for (uint32_t i = 0; i < n; i++)
        fp[i] = s[i];
    wvm_frame_t *fr = &frames[--depth];
    ip = fr->ip;
    fp = fr->fp;
    cur = fr->inst;
    RELOAD();
    NEXT();
}
L_CALL:
    f = cur->funcs[ip[1]];
    nfp = fp + ip[2];
    ip += 3;
    goto do_call;
L_CALL_INDIRECT: {
    wvm_table_t *tab = cur->tables[ip[1]];
    uint32_t i = fp[ip[3]].u32;
    if (BASE_UNLIKELY(i >= tab->size))
        TRAP(WVM_TRAP_UNDEF_ELEM);
    f = tab->elems[i];
    if (BASE_UNLIKELY(!f))
        TRAP(WVM_TRAP_UNINIT_ELEM);
    if (BASE_UNLIKELY(f->type->id != cur->type_ids[ip[2]]))
        TRAP(WVM_TRAP_INDIRECT_TYPE);
    nfp = fp + ip[4];
    ip += 5;
    goto do_call;
}
do_call:
    if (f->host) {
        wvm_value_t args[WVM_MAX_PARAMS], res[WVM_MAX_PARAMS];
        memcpy(args, nfp, f->type->param_slots * sizeof *args);
        cur->trap = NULL;
        inst->fuel = fuel + reserve;
        int rc = f->host(cur, args, res, f->user);
        if (rc < 0) {
            if (cur->trap)
                TRAP(cur->trap);
            inst->exit_code = cur->exit_code;
            inst->depth = 0;
            inst->fuel = fuel + reserve;
            return WVM_EXIT;
        }
        memcpy(nfp, res, f->type->result_slots * sizeof *res);
        RELOAD();
        NEXT();
    } else {
        const wvm_code_t *code = f->code;
        if (BASE_UNLIKELY(depth >= max_depth || nfp + code->frame_slots > stack_end))
            TRAP(WVM_TRAP_STACK);
        frames[depth++] = (wvm_frame_t){ip, fp, cur};
        fp = nfp;
        /* locals are few: a loop beats a memset call */
        for (uint32_t i = code->param_slots, e = i + code->local_slots; i < e; i++)
            fp[i].u64 = 0;
        if (f->inst != cur) {
            cur = f->inst;
            RELOAD();
        }
        ip = code->cells;
        /* the callee's ENTRY charge, done here to save its dispatch */
        if (BASE_UNLIKELY(fuel <= 0))
            NEXT();
        fuel -= ip[1];
        ip += 2;
        NEXT();
    }
L_MOV:
    D = A;
    ip += 3;
    NEXT();
L_MOV128: {
    wvm_slot_t lo = A, hi = fp[ip[2] + 1];
    D = lo;
    fp[ip[1] + 1] = hi;
    ip += 3;
    NEXT();
}
L_CONST32:
    D.u64 = ip[2];
    ip += 3;
    NEXT();
L_CONST64:
    D.u64 = ip[2] | (uint64_t)ip[3] << 32;
    ip += 4;
    NEXT();
L_SELECT:
    D = fp[ip[4]].u32 ? A : B;
    ip += 5;
    NEXT();
L_SELECT128: {
    uint32_t s = fp[ip[4]].u32 ? ip[2] : ip[3];
    wvm_slot_t lo = fp[s], hi = fp[s + 1];
    D = lo;
    fp[ip[1] + 1] = hi;
    ip += 5;
    NEXT();
}
L_GLOBAL_GET:
    D = cur->globals[ip[2]]->v[0];
    ip += 3;
    NEXT();
L_GLOBAL_SET:
    cur->globals[ip[1]]->v[0] = A;
    ip += 3;
    NEXT();
L_GLOBAL_GET128:
    D = cur->globals[ip[2]]->v[0];
    fp[ip[1] + 1] = cur->globals[ip[2]]->v[1];
    ip += 3;
    NEXT();
L_GLOBAL_SET128:
    cur->globals[ip[1]]->v[0] = A;
    cur->globals[ip[1]]->v[1] = fp[ip[2] + 1];
    ip += 3;
    NEXT();
    LOAD(I32_LOAD, uint32_t, u32, uint32_t)
    LOAD(I64_LOAD, uint64_t, u64, uint64_t)
    LOAD(I32_LOAD8_S, int8_t, i32, int32_t)
    LOAD(I32_LOAD8_U, uint8_t, u32, uint32_t)
    LOAD(I32_LOAD16_S, int16_t, i32, int32_t)
    LOAD(I32_LOAD16_U, uint16_t, u32, uint32_t)
    LOAD(I64_LOAD8_S, int8_t, i64, int64_t)
    LOAD(I64_LOAD8_U, uint8_t, u64, uint64_t)
    LOAD(I64_LOAD16_S, int16_t, i64, int64_t)
    LOAD(I64_LOAD16_U, uint16_t, u64, uint64_t)
    LOAD(I64_LOAD32_S, int32_t, i64, int64_t)
    LOAD(I64_LOAD32_U, uint32_t, u64, uint64_t)
L_V128_LOAD: {
    uint64_t ea = (uint64_t)(uint32_t)(A.u32 + ip[4]) + ip[3];
    if (BASE_UNLIKELY(ea + 16 > ms))
        TRAP(WVM_TRAP_MEMORY_OOB);
    memcpy(&fp[ip[1]], mb + ea, 16);
    ip += 5;
    NEXT();
}
    STORE(I32_STORE, uint32_t, u32)
    STORE(I64_STORE, uint64_t, u64)
    STORE(I32_STORE8, uint8_t, u32)
    STORE(I32_STORE16, uint16_t, u32)
    STOREK(STORE8_K, uint8_t)
    STOREK(STORE16_K, uint16_t)
    STOREK(STORE32_K, uint32_t)
    STOREK(STORE64_K, uint64_t)
L_V128_STORE: {
    uint64_t ea = (uint64_t)(uint32_t)(fp[ip[1]].u32 + ip[4]) + ip[3];
    if (BASE_UNLIKELY(ea + 16 > ms))
        TRAP(WVM_TRAP_MEMORY_OOB);
    memcpy(mb + ea, &fp[ip[2]], 16);
    ip += 5;
    NEXT();
}
L_MEMORY_SIZE:
    D.u64 = cur->mem->pages;
    ip += 2;
    NEXT();
L_MEMORY_GROW: {
    uint32_t delta = A.u32;
    D.u64 = (uint32_t)wvm_memory_grow(cur->mem, delta);
    RELOAD();
    ip += 3;
    NEXT();
}
L_MEMORY_INIT: {
    uint32_t seg = ip[1], d = fp[ip[2]].u32, s = B.u32, n = fp[ip[4]].u32;
    if ((uint64_t)s + n > cur->data_len[seg] || (uint64_t)d + n > ms)
        TRAP(WVM_TRAP_MEMORY_OOB);
    if (n)
        memcpy(mb + d, cur->mod->datas[seg].bytes + s, n);
    ip += 5;
    NEXT();
}
L_DATA_DROP:
    cur->data_len[ip[1]] = 0;
    ip += 2;
    NEXT();
L_MEMORY_COPY: {
    uint32_t d = fp[ip[1]].u32, s = fp[ip[2]].u32, n = fp[ip[3]].u32;
    if ((uint64_t)s + n > ms || (uint64_t)d + n > ms)
        TRAP(WVM_TRAP_MEMORY_OOB);
    if (n)
        memmove(mb + d, mb + s, n);
    ip += 4;
    NEXT();
}
L_MEMORY_FILL: {
    uint32_t d = fp[ip[1]].u32, v = fp[ip[2]].u32, n = fp[ip[3]].u32;
    if ((uint64_t)d + n > ms)
        TRAP(WVM_TRAP_MEMORY_OOB);
    if (n)
        memset(mb + d, (int)(v & 0xFF), n);
    ip += 4;
    NEXT();
}
L_TABLE_GET: {
    wvm_table_t *t = cur->tables[ip[2]];
    uint32_t i = B.u32;
    if (i >= t->size)
        TRAP(WVM_TRAP_TABLE_OOB);
    D.ref = t->elems[i];
    ip += 4;
    NEXT();
}
L_TABLE_SET: {
    wvm_table_t *t = cur->tables[ip[1]];
    uint32_t i = A.u32;
    if (i >= t->size)
        TRAP(WVM_TRAP_TABLE_OOB);
    t->elems[i] = B.ref;
    ip += 4;
    NEXT();
}
L_TABLE_SIZE:
    D.u64 = cur->tables[ip[2]]->size;
    ip += 3;
    NEXT();
L_TABLE_GROW: {
    wvm_table_t *t = cur->tables[ip[2]];
    void *init = B.ref;
    uint32_t n = fp[ip[4]].u32;
    D.u64 = (uint32_t)wvm_table_grow(t, n, init);
    ip += 5;
    NEXT();
}
L_TABLE_FILL: {
    wvm_table_t *t = cur->tables[ip[1]];
    uint32_t i = A.u32, n = fp[ip[4]].u32;
    void *v = B.ref;
    if ((uint64_t)i + n > t->size)
        TRAP(WVM_TRAP_TABLE_OOB);
    for (uint32_t k = 0; k < n; k++)
        t->elems[i + k] = v;
    ip += 5;
    NEXT();
}
L_TABLE_COPY: {
    wvm_table_t *td = cur->tables[ip[1]], *ts = cur->tables[ip[2]];
    uint32_t d = B.u32, s = fp[ip[4]].u32, n = fp[ip[5]].u32;
    if ((uint64_t)s + n > ts->size || (uint64_t)d + n > td->size)
        TRAP(WVM_TRAP_TABLE_OOB);
    if (n)
        memmove(td->elems + d, ts->elems + s, n * sizeof(void *));
    ip += 6;
    NEXT();
}
L_TABLE_INIT: {
    wvm_table_t *t = cur->tables[ip[1]];
    uint32_t seg = ip[2], d = B.u32, s = fp[ip[4]].u32, n = fp[ip[5]].u32;
    if ((uint64_t)s + n > cur->elem_len[seg] || (uint64_t)d + n > t->size)
        TRAP(WVM_TRAP_TABLE_OOB);
    if (n)
        memcpy(t->elems + d, cur->elem_refs[seg] + s, n * sizeof(void *));
    ip += 6;
    NEXT();
}
L_ELEM_DROP:
    cur->elem_len[ip[1]] = 0;
    ip += 2;
    NEXT();
L_REF_FUNC:
    D.ref = cur->funcs[ip[2]];
    ip += 3;
    NEXT();
L_REF_IS_NULL: {
    bool isnull = A.ref == NULL;
    D.u64 = isnull;
    ip += 3;
    NEXT();
}
L_SIMD:
    if (BASE_UNLIKELY(wvm_simd_exec(ip, fp, mb, ms) < 0))
        TRAP(WVM_TRAP_MEMORY_OOB);
    ip += WVM_SIMD_CELLS;
    NEXT();

    /* ---- numeric ---- */
    UN(I32_EQZ, u32, u32, a == 0)
    BIN(I32_EQ, u32, u32, a == b)
    BIN(I32_NE, u32, u32, a != b)
    BIN(I32_LT_S, i32, u32, a < b)
    BIN(I32_LT_U, u32, u32, a < b)
    BIN(I32_GT_S, i32, u32, a > b)
    BIN(I32_GT_U, u32, u32, a > b)
    BIN(I32_LE_S, i32, u32, a <= b)
    BIN(I32_LE_U, u32, u32, a <= b)
    BIN(I32_GE_S, i32, u32, a >= b)
    BIN(I32_GE_U, u32, u32, a >= b)
    UN(I64_EQZ, u64, u32, a == 0)
    BIN(I64_EQ, u64, u32, a == b)
    BIN(I64_NE, u64, u32, a != b)
    BIN(I64_LT_S, i64, u32, a < b)
    BIN(I64_LT_U, u64, u32, a < b)
    BIN(I64_GT_S, i64, u32, a > b)
    BIN(I64_GT_U, u64, u32, a > b)
    BIN(I64_LE_S, i64, u32, a <= b)
    BIN(I64_LE_U, u64, u32, a <= b)
    BIN(I64_GE_S, i64, u32, a >= b)
    BIN(I64_GE_U, u64, u32, a >= b)
    BIN(F32_EQ, f32, u32, a == b)
    BIN(F32_NE, f32, u32, a != b)
    BIN(F32_LT, f32, u32, a < b)
    BIN(F32_GT, f32, u32, a > b)
    BIN(F32_LE, f32, u32, a <= b)
    BIN(F32_GE, f32, u32, a >= b)
    BIN(F64_EQ, f64, u32, a == b)
    BIN(F64_NE, f64, u32, a != b)
    BIN(F64_LT, f64, u32, a < b)
    BIN(F64_GT, f64, u32, a > b)
    BIN(F64_LE, f64, u32, a <= b)
    BIN(F64_GE, f64, u32, a >= b)
    UN(I32_CLZ, u32, u32, a ? (uint32_t)__builtin_clz(a) : 32)
    UN(I32_CTZ, u32, u32, a ? (uint32_t)__builtin_ctz(a) : 32)
    UN(I32_POPCNT, u32, u32, (uint32_t)__builtin_popcount(a))
    BIN(I32_ADD, u32, u32, a + b)
    BIN(I32_SUB, u32, u32, a - b)
    BIN(I32_MUL, u32, u32, a * b)
L_I32_DIV_S: {
    int32_t a = A.i32, b = B.i32;
    if (BASE_UNLIKELY(b == 0))
        TRAP(WVM_TRAP_DIV_ZERO);
    if (BASE_UNLIKELY(a == INT32_MIN && b == -1))
        TRAP(WVM_TRAP_INT_OVERFLOW);
    D.i32 = a / b;
    ip += 4;
    NEXT();
}
L_I32_DIV_U: {
    uint32_t a = A.u32, b = B.u32;
    if (BASE_UNLIKELY(b == 0))
        TRAP(WVM_TRAP_DIV_ZERO);
    D.u32 = a / b;
    ip += 4;
    NEXT();
}
L_I32_REM_S: {
    int32_t a = A.i32, b = B.i32;
    if (BASE_UNLIKELY(b == 0))
        TRAP(WVM_TRAP_DIV_ZERO);
    D.i32 = (b == -1) ? 0 : a % b;
    ip += 4;
    NEXT();
}
L_I32_REM_U: {
    uint32_t a = A.u32, b = B.u32;
    if (BASE_UNLIKELY(b == 0))
        TRAP(WVM_TRAP_DIV_ZERO);
    D.u32 = a % b;
    ip += 4;
    NEXT();
}
    BIN(I32_AND, u32, u32, a & b)
    BIN(I32_OR, u32, u32, a | b)
    BIN(I32_XOR, u32, u32, a ^ b)
    BIN(I32_SHL, u32, u32, a << (b & 31))
    BIN(I32_SHR_S, i32, i32, a >> (b & 31))
    BIN(I32_SHR_U, u32, u32, a >> (b & 31))
    BIN(I32_ROTL, u32, u32, rotl32(a, b))
    BIN(I32_ROTR, u32, u32, rotr32(a, b))
    UN(I64_CLZ, u64, u64, a ? (uint64_t)__builtin_clzll(a) : 64)
    UN(I64_CTZ, u64, u64, a ? (uint64_t)__builtin_ctzll(a) : 64)
    UN(I64_POPCNT, u64, u64, (uint64_t)__builtin_popcountll(a))
    BIN(I64_ADD, u64, u64, a + b)
    BIN(I64_SUB, u64, u64, a - b)
    BIN(I64_MUL, u64, u64, a * b)
L_I64_DIV_S: {
    int64_t a = A.i64, b = B.i64;
    if (BASE_UNLIKELY(b == 0))
        TRAP(WVM_TRAP_DIV_ZERO);
    if (BASE_UNLIKELY(a == INT64_MIN && b == -1))
        TRAP(WVM_TRAP_INT_OVERFLOW);
    D.i64 = a / b;
    ip += 4;
    NEXT();
}
L_I64_DIV_U: {
    uint64_t a = A.u64, b = B.u64;
    if (BASE_UNLIKELY(b == 0))
        TRAP(WVM_TRAP_DIV_ZERO);
    D.u64 = a / b;
    ip += 4;
    NEXT();
}
L_I64_REM_S: {
    int64_t a = A.i64, b = B.i64;
    if (BASE_UNLIKELY(b == 0))
        TRAP(WVM_TRAP_DIV_ZERO);
    D.i64 = (b == -1) ? 0 : a % b;
    ip += 4;
    NEXT();
}
L_I64_REM_U: {
    uint64_t a = A.u64, b = B.u64;
    if (BASE_UNLIKELY(b == 0))
        TRAP(WVM_TRAP_DIV_ZERO);
    D.u64 = a % b;
    ip += 4;
    NEXT();
}
    BIN(I64_AND, u64, u64, a & b)
    BIN(I64_OR, u64, u64, a | b)
    BIN(I64_XOR, u64, u64, a ^ b)
    BIN(I64_SHL, u64, u64, a << (b & 63))
    BIN(I64_SHR_S, i64, i64, a >> (b & 63))
    BIN(I64_SHR_U, u64, u64, a >> (b & 63))
    BIN(I64_ROTL, u64, u64, rotl64(a, b))
    BIN(I64_ROTR, u64, u64, rotr64(a, b))
    UN(F32_ABS, u32, u32, a & 0x7FFFFFFFu)
    UN(F32_NEG, u32, u32, a ^ 0x80000000u)
    UN(F32_CEIL, f32, f32, a != a ? a + a : ceilf(a))
    UN(F32_FLOOR, f32, f32, a != a ? a + a : floorf(a))
    UN(F32_TRUNC, f32, f32, a != a ? a + a : truncf(a))
    UN(F32_NEAREST, f32, f32, a != a ? a + a : nearbyintf(a))
    UN(F32_SQRT, f32, f32, sqrtf(a))
    BIN(F32_ADD, f32, f32, a + b)
    BIN(F32_SUB, f32, f32, a - b)
    BIN(F32_MUL, f32, f32, a * b)
    BIN(F32_DIV, f32, f32, a / b)
    BIN(F32_MIN, f32, f32, wvm_f32_min(a, b))
    BIN(F32_MAX, f32, f32, wvm_f32_max(a, b))
    BIN(F32_COPYSIGN, u32, u32, (a & 0x7FFFFFFFu) | (b & 0x80000000u))
    UN(F64_ABS, u64, u64, a & 0x7FFFFFFFFFFFFFFFull)
    UN(F64_NEG, u64, u64, a ^ 0x8000000000000000ull)
    UN(F64_CEIL, f64, f64, a != a ? a + a : ceil(a))
    UN(F64_FLOOR, f64, f64, a != a ? a + a : floor(a))
    UN(F64_TRUNC, f64, f64, a != a ? a + a : trunc(a))
    UN(F64_NEAREST, f64, f64, a != a ? a + a : nearbyint(a))
    UN(F64_SQRT, f64, f64, sqrt(a))
    BIN(F64_ADD, f64, f64, a + b)
    BIN(F64_SUB, f64, f64, a - b)
    BIN(F64_MUL, f64, f64, a * b)
    BIN(F64_DIV, f64, f64, a / b)
    BIN(F64_MIN, f64, f64, wvm_f64_min(a, b))
    BIN(F64_MAX, f64, f64, wvm_f64_max(a, b))
    BIN(F64_COPYSIGN, u64, u64, (a & 0x7FFFFFFFFFFFFFFFull) | (b & 0x8000000000000000ull))
    TRUNC(I32_TRUNC_F32_S, f32, i32, int32_t, -2147483904.0, 2147483648.0)
    TRUNC(I32_TRUNC_F32_U, f32, u32, uint32_t, -1.0, 4294967296.0)
    TRUNC(I32_TRUNC_F64_S, f64, i32, int32_t, -2147483649.0, 2147483648.0)
    TRUNC(I32_TRUNC_F64_U, f64, u32, uint32_t, -1.0, 4294967296.0)
    UN(I64_EXTEND_I32_S, i32, i64, (int64_t)a)
    UN(I64_EXTEND_I32_U, u32, u64, (uint64_t)a)
    TRUNC(I64_TRUNC_F32_S, f32, i64, int64_t, -9223373136366403584.0, 9223372036854775808.0)
    TRUNC(I64_TRUNC_F32_U, f32, u64, uint64_t, -1.0, 18446744073709551616.0)
    TRUNC(I64_TRUNC_F64_S, f64, i64, int64_t, -9223372036854777856.0, 9223372036854775808.0)
    TRUNC(I64_TRUNC_F64_U, f64, u64, uint64_t, -1.0, 18446744073709551616.0)
    UN(F32_CONVERT_I32_S, i32, f32, (float)a)
    UN(F32_CONVERT_I32_U, u32, f32, (float)a)
    UN(F32_CONVERT_I64_S, i64, f32, (float)a)
    UN(F32_CONVERT_I64_U, u64, f32, (float)a)
    UN(F32_DEMOTE_F64, f64, f32, (float)a)
    UN(F64_CONVERT_I32_S, i32, f64, (double)a)
    UN(F64_CONVERT_I32_U, u32, f64, (double)a)
    UN(F64_CONVERT_I64_S, i64, f64, (double)a)
    UN(F64_CONVERT_I64_U, u64, f64, (double)a)
    UN(F64_PROMOTE_F32, f32, f64, (double)a)
    UN(I32_EXTEND8_S, u32, i32, (int32_t)(int8_t)a)
    UN(I32_EXTEND16_S, u32, i32, (int32_t)(int16_t)a)
    UN(I64_EXTEND8_S, u64, i64, (int64_t)(int8_t)a)
    UN(I64_EXTEND16_S, u64, i64, (int64_t)(int16_t)a)
    UN(I64_EXTEND32_S, u64, i64, (int64_t)(int32_t)a)
    UN(I32_TRUNC_SAT_F32_S, f32, i32, sat_i32(a))
    UN(I32_TRUNC_SAT_F32_U, f32, u32, sat_u32(a))
    UN(I32_TRUNC_SAT_F64_S, f64, i32, sat_i32(a))
    UN(I32_TRUNC_SAT_F64_U, f64, u32, sat_u32(a))
    UN(I64_TRUNC_SAT_F32_S, f32, i64, sat_i64(a))
    UN(I64_TRUNC_SAT_F32_U, f32, u64, sat_u64(a))
    UN(I64_TRUNC_SAT_F64_S, f64, i64, sat_i64(a))
    UN(I64_TRUNC_SAT_F64_U, f64, u64, sat_u64(a))

    /* ---- binary operators with an immediate second operand ---- */
#define BINI(name, F, RF, expr)                                                                \
    L_##name##_IMM : {                                                                         \
        __typeof__(A.F) a = A.F, b = (__typeof__(A.F))(int64_t)(int32_t)ip[3];                 \
        D.RF = (expr);                                                                         \
        ip += 4;                                                                               \
        NEXT();                                                                                \
    }
    BINI(I32_ADD, u32, u32, a + b)
    BINI(I32_SUB, u32, u32, a - b)
    BINI(I32_MUL, u32, u32, a * b)
    BINI(I32_AND, u32, u32, a & b)
    BINI(I32_OR, u32, u32, a | b)
    BINI(I32_XOR, u32, u32, a ^ b)
    BINI(I32_SHL, u32, u32, a << (b & 31))
    BINI(I32_SHR_S, i32, i32, a >> (b & 31))
    BINI(I32_SHR_U, u32, u32, a >> (b & 31))
    BINI(I32_EQ, u32, u32, a == b)
    BINI(I32_NE, u32, u32, a != b)
    BINI(I32_LT_S, i32, u32, a < b)
    BINI(I32_LT_U, u32, u32, a < b)
    BINI(I32_GT_S, i32, u32, a > b)
    BINI(I32_GT_U, u32, u32, a > b)
    BINI(I32_LE_S, i32, u32, a <= b)
    BINI(I32_LE_U, u32, u32, a <= b)
    BINI(I32_GE_S, i32, u32, a >= b)
    BINI(I32_GE_U, u32, u32, a >= b)
    BINI(I64_ADD, u64, u64, a + b)
    BINI(I64_SUB, u64, u64, a - b)
    BINI(I64_MUL, u64, u64, a * b)
    BINI(I64_AND, u64, u64, a & b)
    BINI(I64_OR, u64, u64, a | b)
    BINI(I64_XOR, u64, u64, a ^ b)
    BINI(I64_SHL, u64, u64, a << (b & 63))
    BINI(I64_SHR_S, i64, i64, a >> (b & 63))
    BINI(I64_SHR_U, u64, u64, a >> (b & 63))
    BINI(I64_EQ, u64, u32, a == b)
    BINI(I64_NE, u64, u32, a != b)
    BINI(I64_LT_S, i64, u32, a < b)
    BINI(I64_LT_U, u64, u32, a < b)
    BINI(I64_GT_S, i64, u32, a > b)
    BINI(I64_GT_U, u64, u32, a > b)
    BINI(I64_LE_S, i64, u32, a <= b)
    BINI(I64_LE_U, u64, u32, a <= b)
    BINI(I64_GE_S, i64, u32, a >= b)
    BINI(I64_GE_U, u64, u32, a >= b)

    /* ---- i32 compare-and-branch: a b r / a imm r ---- */
#define BRC(name, F, op)                                                                       \
    L_BR_##name : {                                                                            \
        if (fp[ip[1]].F op fp[ip[2]].F)                                                        \
            JUMP(3);                                                                           \
        ip += 4;                                                                               \
        NEXT();                                                                                \
    }                                                                                          \
    L_BR_##name##_IMM : {                                                                      \
        if (fp[ip[1]].F op(__typeof__(fp->F)) ip[2])                                           \
            JUMP(3);                                                                           \
        ip += 4;                                                                               \
        NEXT();                                                                                \
    }
    BRC(I32_EQ, u32, ==)
    BRC(I32_NE, u32, !=)
    BRC(I32_LT_S, i32, <)
    BRC(I32_LT_U, u32, <)
    BRC(I32_GT_S, i32, >)
    BRC(I32_GT_U, u32, >)
    BRC(I32_LE_S, i32, <=)
    BRC(I32_LE_U, u32, <=)
    BRC(I32_GE_S, i32, >=)
    BRC(I32_GE_U, u32, >=)

trapped:
    inst->trap = trap;
    inst->depth = 0;
    inst->fuel = fuel + reserve;
    inst->paused = false;
    return WVM_TRAP;
}

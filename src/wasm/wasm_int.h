/* wasm_int.h — shared inside src/wasm: module and instance layout, the internal code form
 * and its opcode list.
 *
 * Internal code ("wcode"): a function body compiles to an array of 32-bit cells. A cell
 * holding an opcode stores the distance from the interpreter's base label to the
 * handler (computed-goto, direct threading); the cells that follow are operands:
 * frame slot numbers (every local and every operand-stack position of a function has a
 * fixed slot in the frame, known at compile time), immediates, and branch offsets relative
 * to the offset cell itself. See docs/wasm.md. */
#ifndef HARV_WASM_INT_H
#define HARV_WASM_INT_H

#include <harv/base.h>
#include <harv/wasm.h>

#include <math.h>
#include <stdatomic.h>

/* ---- named limits for untrusted modules -------------------------------------------------- */
#define WVM_MAX_TYPES 100000u
#define WVM_MAX_FUNCS 1000000u
#define WVM_MAX_IMPORTS 100000u
#define WVM_MAX_EXPORTS 100000u
#define WVM_MAX_GLOBALS 100000u
#define WVM_MAX_TABLES 100000u
#define WVM_MAX_SEGMENTS 100000u
#define WVM_MAX_PARAMS 1000u
#define WVM_MAX_LOCALS 50000u
#define WVM_MAX_BLOCK_DEPTH 10000u
#define WVM_MAX_FUNC_SLOTS 200000u /* locals + operand stack of one frame */
#define WVM_MAX_BR_TABLE 1000000u
#define WVM_MAX_PAGES 65536u
#define WVM_FUEL_SLICE 10000 /* fuel units between checks of the interrupt flag */
#define WVM_NO_MAX UINT64_MAX
#define WVM_MAX_CALL_DEPTH 1000000u   /* upper bound for wvm_limits_t.max_call_depth */
#define WVM_MAX_STACK_SLOTS (1u << 27) /* upper bound for max_stack_slots (1 GiB) */

/* ---- opcodes of the internal form ----------------------------------------------------- */
/* Numeric operators: X(wasm opcode, NAME, arity 1|2, operand type, result type).
 * 0xFC-prefixed saturating truncations use 0xFC00 + sub-opcode. */
#define WVM_NUMERIC_OPS(X)                                                                     \
    X(0x45, I32_EQZ, 1, I32, I32) X(0x46, I32_EQ, 2, I32, I32) X(0x47, I32_NE, 2, I32, I32)    \
    X(0x48, I32_LT_S, 2, I32, I32) X(0x49, I32_LT_U, 2, I32, I32)                              \
    X(0x4A, I32_GT_S, 2, I32, I32) X(0x4B, I32_GT_U, 2, I32, I32)                              \
    X(0x4C, I32_LE_S, 2, I32, I32) X(0x4D, I32_LE_U, 2, I32, I32)                              \
    X(0x4E, I32_GE_S, 2, I32, I32) X(0x4F, I32_GE_U, 2, I32, I32)                              \
    X(0x50, I64_EQZ, 1, I64, I32) X(0x51, I64_EQ, 2, I64, I32) X(0x52, I64_NE, 2, I64, I32)    \
    X(0x53, I64_LT_S, 2, I64, I32) X(0x54, I64_LT_U, 2, I64, I32)                              \
    X(0x55, I64_GT_S, 2, I64, I32) X(0x56, I64_GT_U, 2, I64, I32)                              \
    X(0x57, I64_LE_S, 2, I64, I32) X(0x58, I64_LE_U, 2, I64, I32)                              \
    X(0x59, I64_GE_S, 2, I64, I32) X(0x5A, I64_GE_U, 2, I64, I32)                              \
    X(0x5B, F32_EQ, 2, F32, I32) X(0x5C, F32_NE, 2, F32, I32) X(0x5D, F32_LT, 2, F32, I32)     \
    X(0x5E, F32_GT, 2, F32, I32) X(0x5F, F32_LE, 2, F32, I32) X(0x60, F32_GE, 2, F32, I32)     \
    X(0x61, F64_EQ, 2, F64, I32) X(0x62, F64_NE, 2, F64, I32) X(0x63, F64_LT, 2, F64, I32)     \
    X(0x64, F64_GT, 2, F64, I32) X(0x65, F64_LE, 2, F64, I32) X(0x66, F64_GE, 2, F64, I32)     \
    X(0x67, I32_CLZ, 1, I32, I32) X(0x68, I32_CTZ, 1, I32, I32)                                \
    X(0x69, I32_POPCNT, 1, I32, I32) X(0x6A, I32_ADD, 2, I32, I32)                             \
    X(0x6B, I32_SUB, 2, I32, I32) X(0x6C, I32_MUL, 2, I32, I32)                                \
    X(0x6D, I32_DIV_S, 2, I32, I32) X(0x6E, I32_DIV_U, 2, I32, I32)                            \
    X(0x6F, I32_REM_S, 2, I32, I32) X(0x70, I32_REM_U, 2, I32, I32)                            \
    X(0x71, I32_AND, 2, I32, I32) X(0x72, I32_OR, 2, I32, I32) X(0x73, I32_XOR, 2, I32, I32)   \
    X(0x74, I32_SHL, 2, I32, I32) X(0x75, I32_SHR_S, 2, I32, I32)                              \
    X(0x76, I32_SHR_U, 2, I32, I32) X(0x77, I32_ROTL, 2, I32, I32)                             \
    X(0x78, I32_ROTR, 2, I32, I32) X(0x79, I64_CLZ, 1, I64, I64) X(0x7A, I64_CTZ, 1, I64, I64) \
    X(0x7B, I64_POPCNT, 1, I64, I64) X(0x7C, I64_ADD, 2, I64, I64)                             \
    X(0x7D, I64_SUB, 2, I64, I64) X(0x7E, I64_MUL, 2, I64, I64)                                \
    X(0x7F, I64_DIV_S, 2, I64, I64) X(0x80, I64_DIV_U, 2, I64, I64)                            \
    X(0x81, I64_REM_S, 2, I64, I64) X(0x82, I64_REM_U, 2, I64, I64)                            \
    X(0x83, I64_AND, 2, I64, I64) X(0x84, I64_OR, 2, I64, I64) X(0x85, I64_XOR, 2, I64, I64)   \
    X(0x86, I64_SHL, 2, I64, I64) X(0x87, I64_SHR_S, 2, I64, I64)                              \
    X(0x88, I64_SHR_U, 2, I64, I64) X(0x89, I64_ROTL, 2, I64, I64)                             \
    X(0x8A, I64_ROTR, 2, I64, I64) X(0x8B, F32_ABS, 1, F32, F32) X(0x8C, F32_NEG, 1, F32, F32) \
    X(0x8D, F32_CEIL, 1, F32, F32) X(0x8E, F32_FLOOR, 1, F32, F32)                             \
    X(0x8F, F32_TRUNC, 1, F32, F32) X(0x90, F32_NEAREST, 1, F32, F32)                          \
    X(0x91, F32_SQRT, 1, F32, F32) X(0x92, F32_ADD, 2, F32, F32) X(0x93, F32_SUB, 2, F32, F32) \
    X(0x94, F32_MUL, 2, F32, F32) X(0x95, F32_DIV, 2, F32, F32) X(0x96, F32_MIN, 2, F32, F32)  \
    X(0x97, F32_MAX, 2, F32, F32) X(0x98, F32_COPYSIGN, 2, F32, F32)                           \
    X(0x99, F64_ABS, 1, F64, F64) X(0x9A, F64_NEG, 1, F64, F64)                                \
    X(0x9B, F64_CEIL, 1, F64, F64) X(0x9C, F64_FLOOR, 1, F64, F64)                             \
    X(0x9D, F64_TRUNC, 1, F64, F64) X(0x9E, F64_NEAREST, 1, F64, F64)                          \
    X(0x9F, F64_SQRT, 1, F64, F64) X(0xA0, F64_ADD, 2, F64, F64) X(0xA1, F64_SUB, 2, F64, F64) \
    X(0xA2, F64_MUL, 2, F64, F64) X(0xA3, F64_DIV, 2, F64, F64) X(0xA4, F64_MIN, 2, F64, F64)  \
    X(0xA5, F64_MAX, 2, F64, F64) X(0xA6, F64_COPYSIGN, 2, F64, F64)                           \
    X(0xA8, I32_TRUNC_F32_S, 1, F32, I32) X(0xA9, I32_TRUNC_F32_U, 1, F32, I32)                \
    X(0xAA, I32_TRUNC_F64_S, 1, F64, I32) X(0xAB, I32_TRUNC_F64_U, 1, F64, I32)                \
    X(0xAC, I64_EXTEND_I32_S, 1, I32, I64) X(0xAD, I64_EXTEND_I32_U, 1, I32, I64)              \
    X(0xAE, I64_TRUNC_F32_S, 1, F32, I64) X(0xAF, I64_TRUNC_F32_U, 1, F32, I64)                \
    X(0xB0, I64_TRUNC_F64_S, 1, F64, I64) X(0xB1, I64_TRUNC_F64_U, 1, F64, I64)                \
    X(0xB2, F32_CONVERT_I32_S, 1, I32, F32) X(0xB3, F32_CONVERT_I32_U, 1, I32, F32)            \
    X(0xB4, F32_CONVERT_I64_S, 1, I64, F32) X(0xB5, F32_CONVERT_I64_U, 1, I64, F32)            \
    X(0xB6, F32_DEMOTE_F64, 1, F64, F32) X(0xB7, F64_CONVERT_I32_S, 1, I32, F64)               \
    X(0xB8, F64_CONVERT_I32_U, 1, I32, F64) X(0xB9, F64_CONVERT_I64_S, 1, I64, F64)            \
    X(0xBA, F64_CONVERT_I64_U, 1, I64, F64) X(0xBB, F64_PROMOTE_F32, 1, F32, F64)              \
    X(0xC0, I32_EXTEND8_S, 1, I32, I32) X(0xC1, I32_EXTEND16_S, 1, I32, I32)                   \
    X(0xC2, I64_EXTEND8_S, 1, I64, I64) X(0xC3, I64_EXTEND16_S, 1, I64, I64)                   \
    X(0xC4, I64_EXTEND32_S, 1, I64, I64) X(0xFC00, I32_TRUNC_SAT_F32_S, 1, F32, I32)           \
    X(0xFC01, I32_TRUNC_SAT_F32_U, 1, F32, I32) X(0xFC02, I32_TRUNC_SAT_F64_S, 1, F64, I32)    \
    X(0xFC03, I32_TRUNC_SAT_F64_U, 1, F64, I32) X(0xFC04, I64_TRUNC_SAT_F32_S, 1, F32, I64)    \
    X(0xFC05, I64_TRUNC_SAT_F32_U, 1, F32, I64) X(0xFC06, I64_TRUNC_SAT_F64_S, 1, F64, I64)    \
    X(0xFC07, I64_TRUNC_SAT_F64_U, 1, F64, I64)

/* Every other internal opcode; operands in comments use: d=dest slot, a/b/c=source slots,
 * r=relative branch offset (from its own cell), n=slot count. */
#define WVM_OTHER_OPS(X)                                                                       \
    X(UNREACHABLE)    /* */                                                                    \
    X(EXIT)           /* end of a top-level invocation */                                      \
    X(ENTRY)          /* cost: charge fuel, check interrupt at function entry */               \
    X(LOOP)           /* cost: charge fuel, check interrupt at a loop header */                \
    X(BR)             /* r */                                                                  \
    X(BR_COPY)        /* n a d r: copy n slots a.. -> d.., jump */                             \
    X(BR_IF)          /* c r */                                                                \
    X(BR_IF_COPY)     /* c n a d r */                                                          \
    X(BR_UNLESS)      /* c r */                                                                \
    X(BR_TABLE)       /* c count n a (d r)*(count+1) */                                        \
    X(RETURN)         /* n a: copy n slots a.. -> 0.., return */                               \
    X(CALL)           /* funcidx base */                                                       \
    X(CALL_INDIRECT)  /* table typeidx c base */                                               \
    X(MOV)            /* d a */                                                                \
    X(MOV128)         /* d a */                                                                \
    X(CONST32)        /* d imm */                                                              \
    X(CONST64)        /* d lo hi */                                                            \
    X(SELECT)         /* d a b c */                                                            \
    X(SELECT128)      /* d a b c */                                                            \
    X(GLOBAL_GET)     /* d idx */                                                              \
    X(GLOBAL_SET)     /* idx a */                                                              \
    X(GLOBAL_GET128)  /* d idx */                                                              \
    X(GLOBAL_SET128)  /* idx a */                                                              \
    X(I32_LOAD) X(I64_LOAD) X(V128_LOAD) X(I32_LOAD8_S) X(I32_LOAD8_U) X(I32_LOAD16_S)         \
    X(I32_LOAD16_U) X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S) X(I64_LOAD16_U)              \
    X(I64_LOAD32_S) X(I64_LOAD32_U) /* d a offset pre: ea = u32(a + pre) + offset */          \
    X(I32_STORE) X(I64_STORE) X(V128_STORE) X(I32_STORE8) X(I32_STORE16) /* a b off pre */   \
    X(STORE8_K) X(STORE16_K) X(STORE32_K) X(STORE64_K) /* a imm off pre (64: sign-extended) */ \
    X(MEMORY_SIZE)    /* d */                                                                  \
    X(MEMORY_GROW)    /* d a */                                                                \
    X(MEMORY_INIT)    /* seg a b c */                                                          \
    X(DATA_DROP)      /* seg */                                                                \
    X(MEMORY_COPY)    /* a b c */                                                              \
    X(MEMORY_FILL)    /* a b c */                                                              \
    X(TABLE_GET)      /* d table a */                                                          \
    X(TABLE_SET)      /* table a b */                                                          \
    X(TABLE_SIZE)     /* d table */                                                            \
    X(TABLE_GROW)     /* d table a(init) b(n) */                                               \
    X(TABLE_FILL)     /* table a b c */                                                        \
    X(TABLE_COPY)     /* dsttable srctable a b c */                                            \
    X(TABLE_INIT)     /* table seg a b c */                                                    \
    X(ELEM_DROP)      /* seg */                                                                \
    X(REF_FUNC)       /* d funcidx */                                                          \
    X(REF_IS_NULL)    /* d a */                                                                \
    X(SIMD)           /* subop ... : handled by simd.c */

/* Binary operators that also exist with an immediate second operand (NAME_IMM: d a imm;
 * for i64 the immediate is sign-extended from 32 bits). */
#define WVM_IMM_OPS(X)                                                                         \
    X(I32_ADD) X(I32_SUB) X(I32_MUL) X(I32_AND) X(I32_OR) X(I32_XOR) X(I32_SHL) X(I32_SHR_S)   \
    X(I32_SHR_U) X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U)          \
    X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U) X(I64_ADD) X(I64_SUB) X(I64_MUL)          \
    X(I64_AND) X(I64_OR) X(I64_XOR) X(I64_SHL) X(I64_SHR_S) X(I64_SHR_U) X(I64_EQ) X(I64_NE)  \
    X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U) X(I64_LE_S) X(I64_LE_U) X(I64_GE_S)       \
    X(I64_GE_U)

/* i32 comparisons fused with a following br_if / if: BR_NAME a b r and BR_NAME_IMM a imm r
 * branch when the comparison holds. */
#define WVM_CMP_OPS(X)                                                                         \
    X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U) X(I32_LE_S)            \
    X(I32_LE_U) X(I32_GE_S) X(I32_GE_U)

/* Memory accesses whose address is the sum of two slots (an i32.add folded in):
 * NAME_RR has the same cells as NAME with the pre-offset cell holding a second slot. */
#define WVM_RR_OPS(X)                                                                          \
    X(I32_LOAD) X(I64_LOAD) X(I32_LOAD8_S) X(I32_LOAD8_U) X(I32_LOAD16_S) X(I32_LOAD16_U)      \
    X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S) X(I64_LOAD16_U) X(I64_LOAD32_S)             \
    X(I64_LOAD32_U) X(I32_STORE) X(I64_STORE) X(I32_STORE8) X(I32_STORE16) X(STORE8_K)        \
    X(STORE16_K) X(STORE32_K) X(STORE64_K)

#define WVM_OP_ENUM_NUM(code, name, ar, t, r) WOP_##name,
#define WVM_OP_ENUM_IMM(name) WOP_##name##_IMM,
#define WVM_OP_ENUM_RR(name) WOP_##name##_RR,
#define WVM_OP_ENUM_CMP(name) WOP_BR_##name, WOP_BR_##name##_IMM,
#define WVM_OP_ENUM_OTHER(name) WOP_##name,
enum {
    WVM_OTHER_OPS(WVM_OP_ENUM_OTHER) WVM_NUMERIC_OPS(WVM_OP_ENUM_NUM)
        WVM_IMM_OPS(WVM_OP_ENUM_IMM) WVM_CMP_OPS(WVM_OP_ENUM_CMP) WVM_RR_OPS(WVM_OP_ENUM_RR)
            WOP_COUNT
};

/* Handler offsets, filled by wvm_interp_init(), which also builds the compiler's tables
 * (wvm_compile_init, wvm_simd_init); it runs once per process (pthread_once) and is
 * called by wvm_engine_new(). */
extern int32_t wvm_op_off[WOP_COUNT];
void wvm_interp_init(void);
void wvm_compile_init(void);
void wvm_simd_init(void);

typedef wvm_value_t wvm_slot_t;

/* ---- types ---------------------------------------------------------------------------- */
typedef struct wvm_functype {
    uint32_t nparams, nresults;
    uint8_t *types;          /* params then results */
    uint32_t param_slots, result_slots;
    uint32_t id;             /* interned: equal ids <=> equal types (per engine) */
    char *sig;               /* signature string */
} wvm_functype_t;

typedef struct wvm_limits_def {
    uint32_t min;
    uint64_t max; /* WVM_NO_MAX: none */
} wvm_limits_def_t;

typedef struct wvm_tabletype {
    uint8_t elem;
    wvm_limits_def_t lim;
} wvm_tabletype_t;

typedef struct wvm_globaltype {
    uint8_t type;
    bool mut;
} wvm_globaltype_t;

/* A constant expression (2.0: one instruction). */
enum { WVM_CE_CONST, WVM_CE_REF_NULL, WVM_CE_REF_FUNC, WVM_CE_GLOBAL_GET };
typedef struct wvm_constexpr {
    uint8_t kind;
    uint32_t idx;
    wvm_slot_t v[2];
} wvm_constexpr_t;

enum { WVM_EXT_FUNC = 0, WVM_EXT_TABLE = 1, WVM_EXT_MEMORY = 2, WVM_EXT_GLOBAL = 3 };

typedef struct wvm_import {
    char *module, *name;
    uint8_t kind;
    uint32_t idx; /* function: type index; else index in the module's space */
} wvm_import_t;

typedef struct wvm_export {
    char *name;
    uint32_t name_len; /* names may hold NUL bytes */
    uint8_t kind;
    uint32_t idx;
} wvm_export_t;

enum { WVM_SEG_ACTIVE, WVM_SEG_PASSIVE, WVM_SEG_DECLARATIVE };

typedef struct wvm_elemseg {
    uint8_t mode, type;
    uint32_t table;
    wvm_constexpr_t offset;
    uint32_t count;
    wvm_constexpr_t *init;
} wvm_elemseg_t;

typedef struct wvm_dataseg {
    uint8_t mode;
    wvm_constexpr_t offset;
    uint32_t len;
    const uint8_t *bytes; /* into the module's copy of the binary */
} wvm_dataseg_t;

/* Compiled code of one defined function. */
typedef struct wvm_code {
    uint32_t *cells;
    uint32_t ncells;
    uint32_t param_slots, local_slots; /* local_slots: declared locals (zeroed at entry) */
    uint32_t frame_slots;              /* params + locals + max operand stack */
    const uint8_t *body;               /* raw body (for re-validation errors) */
    uint32_t body_len;
} wvm_code_t;

struct wvm_module {
    wvm_engine_t *engine;
    uint8_t *bytes;
    size_t len;
    uint32_t ntypes;
    wvm_functype_t **types; /* interned, engine-owned */
    uint32_t nimports;
    wvm_import_t *imports;
    uint32_t nfuncs, nimported_funcs;
    uint32_t *func_types; /* type index of every function */
    wvm_code_t *codes;    /* defined functions */
    uint32_t ntables, nimported_tables;
    wvm_tabletype_t *tables;
    uint32_t nmems, nimported_mems;
    wvm_limits_def_t mem;
    uint32_t nglobals, nimported_globals;
    wvm_globaltype_t *globals;
    wvm_constexpr_t *global_init;
    uint32_t nexports;
    wvm_export_t *exports;
    int64_t start; /* -1: none */
    uint32_t nelems;
    wvm_elemseg_t *elems;
    uint32_t ndatas;
    wvm_dataseg_t *datas;
    bool has_datacount;
    uint8_t *func_declared; /* ref.func allowed */
    /* instances whose instantiation failed after segments began (see wvm_instance_new) */
    wvm_instance_t **zombies;
    uint32_t nzombies;
};

/* ---- runtime objects ---------------------------------------------------------------------- */
struct wvm_func {
    wvm_functype_t *type;
    wvm_instance_t *inst; /* NULL for host functions */
    const wvm_code_t *code;
    wvm_host_fn host;
    void *user;
};

struct wvm_memory {
    uint8_t *base;
    uint64_t size;     /* bytes */
    uint32_t pages, max_pages; /* max_pages: the enforced cap */
    uint64_t decl_max;         /* declared maximum (WVM_NO_MAX), for import matching */
    uint64_t reserved; /* bytes of address space reserved */
    int refs;
};

struct wvm_table {
    void **elems;
    uint32_t size, max; /* max: the enforced cap */
    uint64_t decl_max;
    uint8_t type;
    int refs;
};

struct wvm_global {
    wvm_slot_t v[2];
    uint8_t type;
    bool mut;
    int refs;
};

typedef struct wvm_frame {
    const uint32_t *ip;
    wvm_slot_t *fp;
    wvm_instance_t *inst;
} wvm_frame_t;

typedef struct wvm_extern {
    uint8_t kind;
    void *obj; /* wvm_func_t / wvm_table_t / wvm_memory_t / wvm_global_t */
} wvm_extern_t;

struct wvm_instance {
    wvm_module_t *mod;
    wvm_engine_t *engine;
    wvm_func_t **funcs;
    wvm_func_t *own_funcs;
    wvm_table_t **tables;
    wvm_memory_t *mem;
    wvm_global_t **globals;
    void ***elem_refs; /* per element segment: evaluated refs */
    uint32_t *elem_len;
    uint32_t *data_len; /* 0 once dropped */
    uint32_t *type_ids;
    wvm_limits_t lim;
    /* execution state (this instance is the "thread" of calls started on it) */
    wvm_slot_t *stack;
    wvm_frame_t *frames;
    uint32_t depth;
    int64_t fuel;
    atomic_int interrupt;
    const char *trap;
    int exit_code;
    bool paused;
    bool running; /* inside wvm_interp_*: re-entry from a host function is refused */
    const uint32_t *saved_ip;
    wvm_slot_t *saved_fp;
    wvm_instance_t *saved_inst;
    uint32_t call_result_slots;
    const char *call_sig;
    void *user;
};

/* decode.c: a byte reader with a sticky error (the first malformed-input message). */
typedef struct wvm_reader {
    const uint8_t *p, *end;
    const char *err;
} wvm_reader_t;

uint8_t wvm_rd_byte(wvm_reader_t *r);
uint32_t wvm_rd_u32(wvm_reader_t *r);
int32_t wvm_rd_s32(wvm_reader_t *r);
int64_t wvm_rd_s33(wvm_reader_t *r);
int64_t wvm_rd_s64(wvm_reader_t *r);
const uint8_t *wvm_rd_bytes(wvm_reader_t *r, size_t n);
bool wvm_is_valtype(uint8_t t);
bool wvm_is_reftype(uint8_t t);

/* engine.c */
wvm_functype_t *wvm_engine_intern(wvm_engine_t *e, const uint8_t *types, uint32_t np, uint32_t nr);
bool wvm_engine_lookup(wvm_engine_t *e, const char *module, const char *name, wvm_extern_t *out);
uint32_t wvm_type_slots(uint8_t t);

/* compile.c: validates and compiles function `fi` (index among defined functions). */
int wvm_compile_func(wvm_module_t *m, uint32_t fi, const uint8_t *p, const uint8_t *end, char *err,
                     size_t errlen);

/* compile.c: the compiler's interface for simd.c (same semantics as its static helpers). */
typedef struct cctx wvm_cctx_t;
wvm_reader_t *wvm_cc_reader(wvm_cctx_t *c);
bool wvm_cc_fail(wvm_cctx_t *c, bool malformed, const char *msg); /* returns false */
bool wvm_cc_pop(wvm_cctx_t *c, uint8_t type, uint32_t *loc);
bool wvm_cc_memarg(wvm_cctx_t *c, uint32_t natural, uint32_t *offset);
/* Emits [SIMD sub d a b c imm0..3] (WVM_SIMD_CELLS cells) and pushes a result of type
 * `out` (0: none). */
void wvm_cc_emit_simd(wvm_cctx_t *c, uint32_t sub, uint32_t a, uint32_t b, uint32_t cc,
                      const uint32_t imm[4], uint8_t out);
#define WVM_SIMD_CELLS 10

/* simd.c */
bool wvm_simd_compile(wvm_cctx_t *c);
/* Runs the SIMD instruction at ip; returns 0, or -1 for an out-of-bounds memory access. */
int wvm_simd_exec(const uint32_t *ip, wvm_slot_t *fp, uint8_t *mb, uint64_t ms);

/* interp.c: runs until return to the EXIT cell, trap, or pause. */
int wvm_interp_run(wvm_instance_t *inst);
/* Sets up a call of f with args already in inst->stack[0..]. */
int wvm_interp_call(wvm_instance_t *inst, wvm_func_t *f);

/* memory helpers (runtime.c) */
int wvm_memory_grow(wvm_memory_t *m, uint32_t delta); /* old pages or -1 */
int32_t wvm_table_grow(wvm_table_t *t, uint32_t delta, void *init);

/* Wasm's fmin/fmax: NaN propagates, -0 < +0 (shared by the scalar and SIMD paths). */
static inline float wvm_f32_min(float a, float b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return signbit(a) ? a : b;
    return a < b ? a : b;
}
static inline float wvm_f32_max(float a, float b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return signbit(a) ? b : a;
    return a > b ? a : b;
}
static inline double wvm_f64_min(double a, double b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return signbit(a) ? a : b;
    return a < b ? a : b;
}
static inline double wvm_f64_max(double a, double b)
{
    if (a != a || b != b)
        return a + b;
    if (a == b)
        return signbit(a) ? b : a;
    return a > b ? a : b;
}

#endif

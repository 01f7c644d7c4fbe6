/* wasm: Harv's WebAssembly 2.0 interpreter — the embedding API.
 *
 * engine  holds interned function types and the import namespace (host modules and
 *         registered instances). One engine per thread of use; not thread-safe.
 * module  a decoded, validated and compiled binary; immutable; shared by instances.
 * instance  a module linked against the engine's namespace with its own memory, tables,
 *         globals, per-instance limits, fuel and interrupt flag. An instance runs on the
 *         calling thread; only wvm_instance_interrupt() may be called from another thread.
 *
 * Values cross the API as wvm_value_t; function types are written as signature strings:
 * "params:results" with one letter per value: i=i32 I=i64 f=f32 F=f64 v=v128 r=funcref
 * e=externref. Example: "iI:f" is (i32, i64) -> f32; ":" is () -> ().
 * Layer: base <- wasm <- actor. */
#ifndef HARV_WASM_H
#define HARV_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wvm_engine wvm_engine_t;
typedef struct wvm_module wvm_module_t;
typedef struct wvm_instance wvm_instance_t;
typedef struct wvm_func wvm_func_t;
typedef struct wvm_memory wvm_memory_t;
typedef struct wvm_table wvm_table_t;
typedef struct wvm_global wvm_global_t;

/* One value slot. References (funcref, externref) are pointers; NULL is ref.null. */
typedef union wvm_value {
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
    float f32;
    double f64;
    void *ref;
} wvm_value_t;

/* Value type codes, as in the binary format. */
enum {
    WVM_I32 = 0x7F,
    WVM_I64 = 0x7E,
    WVM_F32 = 0x7D,
    WVM_F64 = 0x7C,
    WVM_V128 = 0x7B,
    WVM_FUNCREF = 0x70,
    WVM_EXTERNREF = 0x6F,
};

/* Results of running code. */
typedef enum wvm_result {
    WVM_OK = 0,       /* finished; results are available */
    WVM_TRAP = -1,    /* trapped; wvm_instance_trap() names the trap */
    WVM_PAUSED = -2,  /* fuel ran out; top up with wvm_instance_set_fuel, then _resume */
    WVM_EXIT = -3,    /* a host function (WASI proc_exit) ended the run; see _exit_code */
    WVM_ERROR = -4,   /* API misuse: unknown export, wrong argument count, not paused */
} wvm_result_t;

/* Trap names (the spec's texts). Compare by pointer or by string. */
extern const char WVM_TRAP_UNREACHABLE[];   /* "unreachable" */
extern const char WVM_TRAP_MEMORY_OOB[];    /* "out of bounds memory access" */
extern const char WVM_TRAP_TABLE_OOB[];     /* "out of bounds table access" */
extern const char WVM_TRAP_UNDEF_ELEM[];    /* "undefined element" */
extern const char WVM_TRAP_UNINIT_ELEM[];   /* "uninitialized element" */
extern const char WVM_TRAP_INDIRECT_TYPE[]; /* "indirect call type mismatch" */
extern const char WVM_TRAP_DIV_ZERO[];      /* "integer divide by zero" */
extern const char WVM_TRAP_INT_OVERFLOW[];  /* "integer overflow" */
extern const char WVM_TRAP_INVALID_CONV[];  /* "invalid conversion to integer" */
extern const char WVM_TRAP_STACK[];         /* "call stack exhausted" */
extern const char WVM_TRAP_INTERRUPTED[];   /* "interrupted" (wvm_instance_interrupt) */
extern const char WVM_TRAP_HOST[];          /* "host function failed" */

/* Per-instance limits. Zero fields take the defaults (WVM_DEFAULT_*). */
typedef struct wvm_limits {
    uint32_t max_memory_pages; /* memory cap in 64 KiB pages; instantiation fails above it */
    uint32_t max_table_elems;  /* cap on every table's size */
    uint32_t max_call_depth;   /* nested wasm calls; beyond it: "call stack exhausted" */
    uint32_t max_stack_slots;  /* value stack (8-byte slots) for locals and operands */
    int64_t start_fuel;        /* fuel for the start function; 0: unlimited */
} wvm_limits_t;

#define WVM_DEFAULT_MAX_MEMORY_PAGES 16384u /* 1 GiB */
#define WVM_DEFAULT_MAX_TABLE_ELEMS 1000000u
#define WVM_DEFAULT_MAX_CALL_DEPTH 10000u
#define WVM_DEFAULT_MAX_STACK_SLOTS (1u << 20) /* 8 MiB */
#define WVM_FUEL_UNLIMITED INT64_MAX

/* ---- engine ---------------------------------------------------------------------------- */

/* Returns a new engine (aborts on OOM). Free with wvm_engine_free after every module and
 * instance made from it is freed. */
wvm_engine_t *wvm_engine_new(void);
void wvm_engine_free(wvm_engine_t *e);

/* Host function. args holds the parameters in natural order (args[0] is the first);
 * write the results to results[0..]. Return 0 to continue, or a negative value to stop the
 * run: wvm_host_trap()/wvm_host_exit() set what the caller sees. `inst` is the calling
 * instance (for its memory); user is the pointer given at definition. */
typedef int (*wvm_host_fn)(wvm_instance_t *inst, const wvm_value_t *args, wvm_value_t *results,
                           void *user);

/* Binds module.name to a host function of type `sig`. Later definitions of the same
 * module.name replace earlier ones. Returns 0, or -1 if sig is malformed. Strings copied. */
int wvm_engine_define_func(wvm_engine_t *e, const char *module, const char *name, const char *sig,
                           wvm_host_fn fn, void *user);
/* Defines a host global (type letter from the sig alphabet), initial value v. */
int wvm_engine_define_global(wvm_engine_t *e, const char *module, const char *name, char type,
                             bool mutable_, wvm_value_t v);
/* Defines a host memory (pages) and a funcref table (elements); max = UINT32_MAX: none. */
int wvm_engine_define_memory(wvm_engine_t *e, const char *module, const char *name, uint32_t min,
                             uint32_t max);
int wvm_engine_define_table(wvm_engine_t *e, const char *module, const char *name, uint32_t min,
                            uint32_t max);
/* Makes every export of `inst` importable as module `as`. The instance must outlive the
 * engine's use of it (free it after the engine is no longer used to instantiate). */
void wvm_engine_register(wvm_engine_t *e, const char *as, wvm_instance_t *inst);

/* ---- module ---------------------------------------------------------------------------- */

/* Decodes, validates and compiles a binary module. Copies what it needs from bytes.
 * Returns the module, or NULL with a message in err ("malformed: ..." or "invalid: ..."). */
wvm_module_t *wvm_module_load(wvm_engine_t *e, const uint8_t *bytes, size_t len, char *err,
                              size_t errlen);
/* Frees a module. Every instance made from it must be freed first. (An instantiation that
 * failed after writing to shared tables leaves its functions reachable from them; such
 * instances are kept by the module and freed here.) */
void wvm_module_free(wvm_module_t *m);
/* Exports in declaration order: their number, and the name and kind (WVM_EXTERN_*) of the
 * i-th. The name is owned by the module and NUL-terminated (it may also hold NULs). */
enum { WVM_EXTERN_FUNC = 0, WVM_EXTERN_TABLE = 1, WVM_EXTERN_MEMORY = 2, WVM_EXTERN_GLOBAL = 3 };
size_t wvm_module_export_count(const wvm_module_t *m);
const char *wvm_module_export_name(const wvm_module_t *m, size_t i, int *kind);

/* ---- instance -------------------------------------------------------------------------- */

/* Links m's imports against the engine, allocates memory and tables within `limits`
 * (NULL: defaults), initialises globals and segments and runs the start function with
 * limits->start_fuel (unlimited if 0; running out fails with "limit: ..."). Returns the
 * instance, or NULL with err set ("unknown import ...", "incompatible import type ...",
 * "limit: ..." or a trap name, prefixed "trap: "). */
wvm_instance_t *wvm_instance_new(wvm_module_t *m, const wvm_limits_t *limits, char *err,
                                 size_t errlen);
void wvm_instance_free(wvm_instance_t *inst);

/* Calls export `name` with nargs arguments; on WVM_OK writes up to maxres results.
 * Returns a wvm_result_t. On WVM_PAUSED the call is suspended: set fuel and call
 * wvm_instance_resume(inst, results, maxres) to continue it. */
int wvm_instance_call(wvm_instance_t *inst, const char *name, const wvm_value_t *args,
                      size_t nargs, wvm_value_t *results, size_t maxres);
/* The same by function handle: wvm_instance_export_func finds export `name` of `len` bytes
 * (export names may hold NUL bytes); NULL if there is no such function export. The handle
 * lives as long as the instance. */
wvm_func_t *wvm_instance_export_func(wvm_instance_t *inst, const char *name, size_t len);
int wvm_instance_call_func(wvm_instance_t *inst, wvm_func_t *f, const wvm_value_t *args,
                           size_t nargs, wvm_value_t *results, size_t maxres);
/* The signature string of a function (see the top of this file). */
const char *wvm_func_sig(const wvm_func_t *f);
int wvm_instance_resume(wvm_instance_t *inst, wvm_value_t *results, size_t maxres);
/* The signature string of export `name` if it is a function, else NULL. Owned by module. */
const char *wvm_instance_export_sig(wvm_instance_t *inst, const char *name);
/* Reads exported global `name` into *v and its type letter into *type. Returns 0 or -1. */
int wvm_instance_global_get(wvm_instance_t *inst, const char *name, wvm_value_t *v, char *type);

/* Fuel: roughly one unit per executed instruction, charged at function entry and at
 * loop headers. Default unlimited. When it runs out the run returns WVM_PAUSED. */
void wvm_instance_set_fuel(wvm_instance_t *inst, int64_t fuel);
int64_t wvm_instance_fuel(const wvm_instance_t *inst);
/* Asks the running code to stop with WVM_TRAP_INTERRUPTED at the next loop back-edge or
 * call. Async-signal- and thread-safe. The flag clears when the trap is delivered. */
void wvm_instance_interrupt(wvm_instance_t *inst);
/* The trap name after WVM_TRAP (a WVM_TRAP_* string), else NULL. */
const char *wvm_instance_trap(const wvm_instance_t *inst);
/* The exit code after WVM_EXIT. */
int wvm_instance_exit_code(const wvm_instance_t *inst);

/* Memory 0 of the instance: base and size in bytes (base NULL if none). The pointer stays
 * valid while the instance lives (memory never moves), the size changes on memory.grow. */
uint8_t *wvm_instance_memory(wvm_instance_t *inst, uint64_t *size);
/* Bounds-checked copies between host buffers and memory 0. Return 0 or -1 (out of bounds). */
int wvm_memory_read(wvm_instance_t *inst, uint64_t addr, void *dst, size_t n);
int wvm_memory_write(wvm_instance_t *inst, uint64_t addr, const void *src, size_t n);

/* For host functions: stop the run with trap `name` (a static string) or exit `code`.
 * Return the result of these from the host function. */
int wvm_host_trap(wvm_instance_t *inst, const char *name);
int wvm_host_exit(wvm_instance_t *inst, int code);
/* User pointer attached to an instance (for host functions). */
void wvm_instance_set_user(wvm_instance_t *inst, void *user);
void *wvm_instance_user(const wvm_instance_t *inst);

/* ---- WASI preview1 subset -------------------------------------------------------------- */

typedef struct wvm_wasi wvm_wasi_t;

/* A WASI context: argv, environ (NAME=value strings, copied), and preopened directories
 * (guest path -> host directory); files are reachable only beneath preopens. stdio maps
 * to the host's fds 0-2. */
wvm_wasi_t *wvm_wasi_new(int argc, const char *const *argv, int envc, const char *const *envp);
/* Preopens host directory `host` as guest path `guest`. Returns 0 or -1 (cannot open). */
int wvm_wasi_preopen(wvm_wasi_t *w, const char *guest, const char *host);
/* Defines the wasi_snapshot_preview1 functions in the engine, bound to w. */
void wvm_wasi_define(wvm_engine_t *e, wvm_wasi_t *w);
void wvm_wasi_free(wvm_wasi_t *w);

#endif

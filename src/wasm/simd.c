/* simd.c — fixed-width SIMD (v128): validation/compilation of the 0xFD opcodes and their
 * execution. Kept apart from the core interpreter: every SIMD instruction compiles to one
 * SIMD cell group [SIMD, subop, d, a, b, c, imm0..imm3] and runs through wvm_simd_exec(),
 * a switch over lanes in plain C (a v128 value occupies two 8-byte frame slots).
 * Layer: wasm, called from compile.c and interp.c. */
#include "wasm_int.h"

#include <math.h>
#include <string.h>

typedef union v128 {
    int8_t i8[16];
    uint8_t u8[16];
    int16_t i16[8];
    uint16_t u16[8];
    int32_t i32[4];
    uint32_t u32[4];
    int64_t i64[2];
    uint64_t u64[2];
    float f32[4];
    double f64[2];
} v128_t;

/* ---- validation / compilation --------------------------------------------------------- */
enum {
    S_NONE,
    S_BIN,      /* v v -> v */
    S_UN,       /* v -> v */
    S_TERN,     /* v v v -> v */
    S_TEST,     /* v -> i32 */
    S_SHIFT,    /* v i32 -> v */
    S_SPLAT,    /* scalar -> v */
    S_EXTRACT,  /* v -> scalar, lane */
    S_REPLACE,  /* v scalar -> v, lane */
    S_LOAD,     /* memarg: i32 -> v */
    S_LOADLANE, /* memarg lane: i32 v -> v */
    S_STORE,    /* memarg: i32 v */
    S_STORELANE,
    S_CONST,
    S_SHUFFLE,
};

typedef struct sdesc {
    uint8_t kind;
    uint8_t scalar; /* splat/extract/replace scalar type */
    uint8_t lanes;  /* extract/replace/lane ops */
    uint8_t natural; /* load/store: bytes accessed */
} sdesc_t;

static sdesc_t sd[256];

static void set(int lo, int hi, uint8_t kind)
{
    for (int i = lo; i <= hi; i++)
        sd[i].kind = kind;
}

static void init_table(void)
{
    static const uint8_t reserved[] = {0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4,
                                       0xbb, 0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4,
                                       0xe2, 0xee};
    set(0x00, 0x0a, S_LOAD);
    sd[0x00].natural = 16;
    for (int i = 0x01; i <= 0x06; i++)
        sd[i].natural = 8;
    sd[0x07].natural = 1, sd[0x08].natural = 2, sd[0x09].natural = 4, sd[0x0a].natural = 8;
    sd[0x0b] = (sdesc_t){S_STORE, 0, 0, 16};
    sd[0x0c].kind = S_CONST;
    sd[0x0d].kind = S_SHUFFLE;
    sd[0x0e].kind = S_BIN;
    static const uint8_t splat_t[6] = {WVM_I32, WVM_I32, WVM_I32, WVM_I64, WVM_F32, WVM_F64};
    for (int i = 0; i < 6; i++)
        sd[0x0f + i] = (sdesc_t){S_SPLAT, splat_t[i], 0, 0};
    sd[0x15] = (sdesc_t){S_EXTRACT, WVM_I32, 16, 0};
    sd[0x16] = (sdesc_t){S_EXTRACT, WVM_I32, 16, 0};
    sd[0x17] = (sdesc_t){S_REPLACE, WVM_I32, 16, 0};
    sd[0x18] = (sdesc_t){S_EXTRACT, WVM_I32, 8, 0};
    sd[0x19] = (sdesc_t){S_EXTRACT, WVM_I32, 8, 0};
    sd[0x1a] = (sdesc_t){S_REPLACE, WVM_I32, 8, 0};
    sd[0x1b] = (sdesc_t){S_EXTRACT, WVM_I32, 4, 0};
    sd[0x1c] = (sdesc_t){S_REPLACE, WVM_I32, 4, 0};
    sd[0x1d] = (sdesc_t){S_EXTRACT, WVM_I64, 2, 0};
    sd[0x1e] = (sdesc_t){S_REPLACE, WVM_I64, 2, 0};
    sd[0x1f] = (sdesc_t){S_EXTRACT, WVM_F32, 4, 0};
    sd[0x20] = (sdesc_t){S_REPLACE, WVM_F32, 4, 0};
    sd[0x21] = (sdesc_t){S_EXTRACT, WVM_F64, 2, 0};
    sd[0x22] = (sdesc_t){S_REPLACE, WVM_F64, 2, 0};
    set(0x23, 0x4c, S_BIN); /* comparisons */
    sd[0x4d].kind = S_UN;
    set(0x4e, 0x51, S_BIN);
    sd[0x52].kind = S_TERN;
    sd[0x53].kind = S_TEST;
    for (int i = 0; i < 4; i++) {
        sd[0x54 + i] = (sdesc_t){S_LOADLANE, 0, (uint8_t)(16 >> i), (uint8_t)(1 << i)};
        sd[0x58 + i] = (sdesc_t){S_STORELANE, 0, (uint8_t)(16 >> i), (uint8_t)(1 << i)};
    }
    sd[0x5c] = (sdesc_t){S_LOAD, 0, 0, 4};
    sd[0x5d] = (sdesc_t){S_LOAD, 0, 0, 8};
    set(0x5e, 0x62, S_UN);
    sd[0x63].kind = S_TEST, sd[0x64].kind = S_TEST;
    sd[0x65].kind = S_BIN, sd[0x66].kind = S_BIN;
    set(0x67, 0x6a, S_UN);
    set(0x6b, 0x6d, S_SHIFT);
    set(0x6e, 0x73, S_BIN);
    sd[0x74].kind = S_UN, sd[0x75].kind = S_UN;
    set(0x76, 0x79, S_BIN);
    sd[0x7a].kind = S_UN;
    sd[0x7b].kind = S_BIN;
    set(0x7c, 0x81, S_UN);
    sd[0x82].kind = S_BIN;
    sd[0x83].kind = S_TEST, sd[0x84].kind = S_TEST;
    sd[0x85].kind = S_BIN, sd[0x86].kind = S_BIN;
    set(0x87, 0x8a, S_UN);
    set(0x8b, 0x8d, S_SHIFT);
    set(0x8e, 0x93, S_BIN);
    sd[0x94].kind = S_UN;
    set(0x95, 0x9f, S_BIN);
    sd[0xa0].kind = S_UN, sd[0xa1].kind = S_UN;
    sd[0xa3].kind = S_TEST, sd[0xa4].kind = S_TEST;
    set(0xa7, 0xaa, S_UN);
    set(0xab, 0xad, S_SHIFT);
    set(0xae, 0xbf, S_BIN);
    sd[0xc0].kind = S_UN, sd[0xc1].kind = S_UN;
    sd[0xc3].kind = S_TEST, sd[0xc4].kind = S_TEST;
    set(0xc7, 0xca, S_UN);
    set(0xcb, 0xcd, S_SHIFT);
    set(0xce, 0xdf, S_BIN);
    sd[0xe0].kind = S_UN, sd[0xe1].kind = S_UN, sd[0xe3].kind = S_UN;
    set(0xe4, 0xeb, S_BIN);
    sd[0xec].kind = S_UN, sd[0xed].kind = S_UN, sd[0xef].kind = S_UN;
    set(0xf0, 0xf7, S_BIN);
    set(0xf8, 0xff, S_UN);
    for (size_t i = 0; i < sizeof reserved; i++)
        sd[reserved[i]].kind = S_NONE;
}

void wvm_simd_init(void) { init_table(); }

bool wvm_simd_compile(wvm_cctx_t *c)
{
    wvm_reader_t *r = wvm_cc_reader(c);
    uint32_t sub = wvm_rd_u32(r);
    if (r->err)
        return wvm_cc_fail(c, true, r->err);
    if (sub > 0xff || sd[sub].kind == S_NONE)
        return wvm_cc_fail(c, true, "illegal opcode");
    const sdesc_t *s = &sd[sub];
    uint32_t a = 0, b = 0, cc = 0, imm[4] = {0, 0, 0, 0};
    uint8_t out = WVM_V128;
    switch (s->kind) {
    case S_BIN:
        if (!wvm_cc_pop(c, WVM_V128, &b) || !wvm_cc_pop(c, WVM_V128, &a))
            return false;
        break;
    case S_UN:
        if (!wvm_cc_pop(c, WVM_V128, &a))
            return false;
        break;
    case S_TERN:
        if (!wvm_cc_pop(c, WVM_V128, &cc) || !wvm_cc_pop(c, WVM_V128, &b) ||
            !wvm_cc_pop(c, WVM_V128, &a))
            return false;
        break;
    case S_TEST:
        if (!wvm_cc_pop(c, WVM_V128, &a))
            return false;
        out = WVM_I32;
        break;
    case S_SHIFT:
        if (!wvm_cc_pop(c, WVM_I32, &b) || !wvm_cc_pop(c, WVM_V128, &a))
            return false;
        break;
    case S_SPLAT:
        if (!wvm_cc_pop(c, s->scalar, &a))
            return false;
        break;
    case S_EXTRACT:
    case S_REPLACE: {
        uint8_t lane = wvm_rd_byte(r);
        if (r->err)
            return wvm_cc_fail(c, true, r->err);
        if (lane >= s->lanes)
            return wvm_cc_fail(c, false, "invalid lane index");
        imm[0] = lane;
        if (s->kind == S_REPLACE) {
            if (!wvm_cc_pop(c, s->scalar, &b) || !wvm_cc_pop(c, WVM_V128, &a))
                return false;
        } else {
            if (!wvm_cc_pop(c, WVM_V128, &a))
                return false;
            out = s->scalar;
        }
        break;
    }
    case S_LOAD:
    case S_STORE:
    case S_LOADLANE:
    case S_STORELANE: {
        if (!wvm_cc_memarg(c, s->natural, &imm[0]))
            return false;
        if (s->kind == S_LOADLANE || s->kind == S_STORELANE) {
            uint8_t lane = wvm_rd_byte(r);
            if (r->err)
                return wvm_cc_fail(c, true, r->err);
            if (lane >= s->lanes)
                return wvm_cc_fail(c, false, "invalid lane index");
            imm[1] = lane;
        }
        if (s->kind != S_LOAD && !wvm_cc_pop(c, WVM_V128, &b))
            return false;
        if (!wvm_cc_pop(c, WVM_I32, &a))
            return false;
        if (s->kind == S_STORE || s->kind == S_STORELANE)
            out = 0;
        break;
    }
    case S_CONST:
    case S_SHUFFLE: {
        const uint8_t *p = wvm_rd_bytes(r, 16);
        if (!p)
            return wvm_cc_fail(c, true, r->err);
        memcpy(imm, p, 16);
        if (s->kind == S_SHUFFLE) {
            for (int i = 0; i < 16; i++)
                if (p[i] >= 32)
                    return wvm_cc_fail(c, false, "invalid lane index");
            if (!wvm_cc_pop(c, WVM_V128, &b) || !wvm_cc_pop(c, WVM_V128, &a))
                return false;
        }
        break;
    }
    }
    wvm_cc_emit_simd(c, sub, a, b, cc, imm, out);
    return true;
}

/* ---- execution -------------------------------------------------------------------------- */
static inline int8_t sat8s(int v) { return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v); }
static inline uint8_t sat8u(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }
static inline int16_t sat16s(int v)
{
    return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
}
static inline uint16_t sat16u(int v) { return (uint16_t)(v < 0 ? 0 : v > 65535 ? 65535 : v); }
static inline int16_t sat16s_32(int32_t v) { return sat16s(v); }
static inline uint16_t sat16u_32(int32_t v) { return sat16u(v); }
static inline int32_t trunc_sat_s32(double x)
{
    if (x != x)
        return 0;
    if (x <= -2147483648.0)
        return INT32_MIN;
    if (x >= 2147483647.0)
        return INT32_MAX;
    return (int32_t)x;
}
static inline uint32_t trunc_sat_u32(double x)
{
    if (x != x || x <= 0)
        return 0;
    if (x >= 4294967295.0)
        return UINT32_MAX;
    return (uint32_t)x;
}
static inline float qnanf(float x, float r) { return x != x ? x + x : r; }
static inline double qnan(double x, double r) { return x != x ? x + x : r; }

#define LANES(n, expr)                                                                         \
    for (int i = 0; i < (n); i++) {                                                            \
        expr;                                                                                  \
    }

int wvm_simd_exec(const uint32_t *ip, wvm_slot_t *fp, uint8_t *mb, uint64_t ms)
{
    uint32_t sub = ip[1];
    v128_t *dp = (v128_t *)&fp[ip[2]];
    v128_t a, b, c, r;
    memcpy(&a, &fp[ip[3]], sizeof a);
    memcpy(&b, &fp[ip[4]], sizeof b);
    memcpy(&c, &fp[ip[5]], sizeof c);
    const uint32_t *imm = ip + 6;
    memset(&r, 0, sizeof r);
    switch (sub) {
    /* ---- memory ---- */
    case 0x00: case 0x01: case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07:
    case 0x08: case 0x09: case 0x0a: case 0x5c: case 0x5d: case 0x0b:
    case 0x54: case 0x55: case 0x56: case 0x57: case 0x58: case 0x59: case 0x5a: case 0x5b: {
        uint64_t ea = (uint64_t)a.u32[0] + imm[0];
        size_t n = sd[sub].natural;
        if (ea + n > ms)
            return -1;
        const uint8_t *p = mb + ea;
        switch (sub) {
        case 0x00: memcpy(&r, p, 16); break;
        case 0x01: LANES(8, r.i16[i] = (int8_t)p[i]); break;
        case 0x02: LANES(8, r.u16[i] = p[i]); break;
        case 0x03: LANES(4, int16_t v; memcpy(&v, p + 2 * i, 2); r.i32[i] = v); break;
        case 0x04: LANES(4, uint16_t v; memcpy(&v, p + 2 * i, 2); r.u32[i] = v); break;
        case 0x05: LANES(2, int32_t v; memcpy(&v, p + 4 * i, 4); r.i64[i] = v); break;
        case 0x06: LANES(2, uint32_t v; memcpy(&v, p + 4 * i, 4); r.u64[i] = v); break;
        case 0x07: LANES(16, r.u8[i] = p[0]); break;
        case 0x08: LANES(8, memcpy(&r.u16[i], p, 2)); break;
        case 0x09: LANES(4, memcpy(&r.u32[i], p, 4)); break;
        case 0x0a: LANES(2, memcpy(&r.u64[i], p, 8)); break;
        case 0x5c: memcpy(&r, p, 4); break;
        case 0x5d: memcpy(&r, p, 8); break;
        case 0x0b: memcpy(mb + ea, &b, 16); return 0;
        case 0x54: case 0x55: case 0x56: case 0x57:
            r = b;
            memcpy(r.u8 + imm[1] * n, p, n);
            break;
        default: /* store lane */
            memcpy(mb + ea, b.u8 + imm[1] * n, n);
            return 0;
        }
        break;
    }
    case 0x0c: memcpy(&r, imm, 16); break;
    case 0x0d: {
        const uint8_t *sel = (const uint8_t *)imm;
        LANES(16, r.u8[i] = sel[i] < 16 ? a.u8[sel[i]] : b.u8[sel[i] - 16]);
        break;
    }
    case 0x0e: LANES(16, r.u8[i] = b.u8[i] < 16 ? a.u8[b.u8[i]] : 0); break;
    case 0x0f: LANES(16, r.u8[i] = (uint8_t)a.u32[0]); break;
    case 0x10: LANES(8, r.u16[i] = (uint16_t)a.u32[0]); break;
    case 0x11: LANES(4, r.u32[i] = a.u32[0]); break;
    case 0x12: LANES(2, r.u64[i] = a.u64[0]); break;
    case 0x13: LANES(4, r.f32[i] = a.f32[0]); break;
    case 0x14: LANES(2, r.f64[i] = a.f64[0]); break;
    /* extract / replace: scalar results go to the slot */
    case 0x15: fp[ip[2]].u64 = (uint32_t)(int32_t)a.i8[imm[0]]; return 0;
    case 0x16: fp[ip[2]].u64 = a.u8[imm[0]]; return 0;
    case 0x18: fp[ip[2]].u64 = (uint32_t)(int32_t)a.i16[imm[0]]; return 0;
    case 0x19: fp[ip[2]].u64 = a.u16[imm[0]]; return 0;
    case 0x1b: fp[ip[2]].u64 = a.u32[imm[0]]; return 0;
    case 0x1d: fp[ip[2]].u64 = a.u64[imm[0]]; return 0;
    case 0x1f: fp[ip[2]].u64 = 0; fp[ip[2]].f32 = a.f32[imm[0]]; return 0;
    case 0x21: fp[ip[2]].f64 = a.f64[imm[0]]; return 0;
    case 0x17: r = a; r.u8[imm[0]] = (uint8_t)b.u32[0]; break;
    case 0x1a: r = a; r.u16[imm[0]] = (uint16_t)b.u32[0]; break;
    case 0x1c: r = a; r.u32[imm[0]] = b.u32[0]; break;
    case 0x1e: r = a; r.u64[imm[0]] = b.u64[0]; break;
    case 0x20: r = a; r.f32[imm[0]] = b.f32[0]; break;
    case 0x22: r = a; r.f64[imm[0]] = b.f64[0]; break;
    /* comparisons */
    case 0x23: LANES(16, r.i8[i] = a.i8[i] == b.i8[i] ? -1 : 0); break;
    case 0x24: LANES(16, r.i8[i] = a.i8[i] != b.i8[i] ? -1 : 0); break;
    case 0x25: LANES(16, r.i8[i] = a.i8[i] < b.i8[i] ? -1 : 0); break;
    case 0x26: LANES(16, r.i8[i] = a.u8[i] < b.u8[i] ? -1 : 0); break;
    case 0x27: LANES(16, r.i8[i] = a.i8[i] > b.i8[i] ? -1 : 0); break;
    case 0x28: LANES(16, r.i8[i] = a.u8[i] > b.u8[i] ? -1 : 0); break;
    case 0x29: LANES(16, r.i8[i] = a.i8[i] <= b.i8[i] ? -1 : 0); break;
    case 0x2a: LANES(16, r.i8[i] = a.u8[i] <= b.u8[i] ? -1 : 0); break;
    case 0x2b: LANES(16, r.i8[i] = a.i8[i] >= b.i8[i] ? -1 : 0); break;
    case 0x2c: LANES(16, r.i8[i] = a.u8[i] >= b.u8[i] ? -1 : 0); break;
    case 0x2d: LANES(8, r.i16[i] = a.i16[i] == b.i16[i] ? -1 : 0); break;
    case 0x2e: LANES(8, r.i16[i] = a.i16[i] != b.i16[i] ? -1 : 0); break;
    case 0x2f: LANES(8, r.i16[i] = a.i16[i] < b.i16[i] ? -1 : 0); break;
    case 0x30: LANES(8, r.i16[i] = a.u16[i] < b.u16[i] ? -1 : 0); break;
    case 0x31: LANES(8, r.i16[i] = a.i16[i] > b.i16[i] ? -1 : 0); break;
    case 0x32: LANES(8, r.i16[i] = a.u16[i] > b.u16[i] ? -1 : 0); break;
    case 0x33: LANES(8, r.i16[i] = a.i16[i] <= b.i16[i] ? -1 : 0); break;
    case 0x34: LANES(8, r.i16[i] = a.u16[i] <= b.u16[i] ? -1 : 0); break;
    case 0x35: LANES(8, r.i16[i] = a.i16[i] >= b.i16[i] ? -1 : 0); break;
    case 0x36: LANES(8, r.i16[i] = a.u16[i] >= b.u16[i] ? -1 : 0); break;
    case 0x37: LANES(4, r.i32[i] = a.i32[i] == b.i32[i] ? -1 : 0); break;
    case 0x38: LANES(4, r.i32[i] = a.i32[i] != b.i32[i] ? -1 : 0); break;
    case 0x39: LANES(4, r.i32[i] = a.i32[i] < b.i32[i] ? -1 : 0); break;
    case 0x3a: LANES(4, r.i32[i] = a.u32[i] < b.u32[i] ? -1 : 0); break;
    case 0x3b: LANES(4, r.i32[i] = a.i32[i] > b.i32[i] ? -1 : 0); break;
    case 0x3c: LANES(4, r.i32[i] = a.u32[i] > b.u32[i] ? -1 : 0); break;
    case 0x3d: LANES(4, r.i32[i] = a.i32[i] <= b.i32[i] ? -1 : 0); break;
    case 0x3e: LANES(4, r.i32[i] = a.u32[i] <= b.u32[i] ? -1 : 0); break;
    case 0x3f: LANES(4, r.i32[i] = a.i32[i] >= b.i32[i] ? -1 : 0); break;
    case 0x40: LANES(4, r.i32[i] = a.u32[i] >= b.u32[i] ? -1 : 0); break;
    case 0x41: LANES(4, r.i32[i] = a.f32[i] == b.f32[i] ? -1 : 0); break;
    case 0x42: LANES(4, r.i32[i] = a.f32[i] != b.f32[i] ? -1 : 0); break;
    case 0x43: LANES(4, r.i32[i] = a.f32[i] < b.f32[i] ? -1 : 0); break;
    case 0x44: LANES(4, r.i32[i] = a.f32[i] > b.f32[i] ? -1 : 0); break;
    case 0x45: LANES(4, r.i32[i] = a.f32[i] <= b.f32[i] ? -1 : 0); break;
    case 0x46: LANES(4, r.i32[i] = a.f32[i] >= b.f32[i] ? -1 : 0); break;
    case 0x47: LANES(2, r.i64[i] = a.f64[i] == b.f64[i] ? -1 : 0); break;
    case 0x48: LANES(2, r.i64[i] = a.f64[i] != b.f64[i] ? -1 : 0); break;
    case 0x49: LANES(2, r.i64[i] = a.f64[i] < b.f64[i] ? -1 : 0); break;
    case 0x4a: LANES(2, r.i64[i] = a.f64[i] > b.f64[i] ? -1 : 0); break;
    case 0x4b: LANES(2, r.i64[i] = a.f64[i] <= b.f64[i] ? -1 : 0); break;
    case 0x4c: LANES(2, r.i64[i] = a.f64[i] >= b.f64[i] ? -1 : 0); break;
    /* bitwise */
    case 0x4d: LANES(2, r.u64[i] = ~a.u64[i]); break;
    case 0x4e: LANES(2, r.u64[i] = a.u64[i] & b.u64[i]); break;
    case 0x4f: LANES(2, r.u64[i] = a.u64[i] & ~b.u64[i]); break;
    case 0x50: LANES(2, r.u64[i] = a.u64[i] | b.u64[i]); break;
    case 0x51: LANES(2, r.u64[i] = a.u64[i] ^ b.u64[i]); break;
    case 0x52: LANES(2, r.u64[i] = (a.u64[i] & c.u64[i]) | (b.u64[i] & ~c.u64[i])); break;
    case 0x53: fp[ip[2]].u64 = (a.u64[0] | a.u64[1]) != 0; return 0;
    /* conversions between shapes */
    case 0x5e: LANES(2, r.f32[i] = (float)a.f64[i]); break;
    case 0x5f: LANES(2, r.f64[i] = (double)a.f32[i]); break;
    /* i8x16 */
    case 0x60: LANES(16, r.u8[i] = (uint8_t)(a.i8[i] < 0 ? -a.u8[i] : a.u8[i])); break;
    case 0x61: LANES(16, r.u8[i] = (uint8_t)-a.u8[i]); break;
    case 0x62: LANES(16, r.u8[i] = (uint8_t)__builtin_popcount(a.u8[i])); break;
    case 0x63: {
        int all = 1;
        LANES(16, all &= a.u8[i] != 0);
        fp[ip[2]].u64 = (uint64_t)all;
        return 0;
    }
    case 0x64: {
        uint32_t m = 0;
        LANES(16, m |= (uint32_t)(a.u8[i] >> 7) << i);
        fp[ip[2]].u64 = m;
        return 0;
    }
    case 0x65: LANES(8, r.i8[i] = sat8s(a.i16[i]); r.i8[i + 8] = sat8s(b.i16[i])); break;
    case 0x66: LANES(8, r.u8[i] = sat8u(a.i16[i]); r.u8[i + 8] = sat8u(b.i16[i])); break;
    case 0x67: LANES(4, r.f32[i] = qnanf(a.f32[i], ceilf(a.f32[i]))); break;
    case 0x68: LANES(4, r.f32[i] = qnanf(a.f32[i], floorf(a.f32[i]))); break;
    case 0x69: LANES(4, r.f32[i] = qnanf(a.f32[i], truncf(a.f32[i]))); break;
    case 0x6a: LANES(4, r.f32[i] = qnanf(a.f32[i], nearbyintf(a.f32[i]))); break;
    case 0x6b: LANES(16, r.u8[i] = (uint8_t)(a.u8[i] << (b.u32[0] & 7))); break;
    case 0x6c: LANES(16, r.i8[i] = (int8_t)(a.i8[i] >> (b.u32[0] & 7))); break;
    case 0x6d: LANES(16, r.u8[i] = (uint8_t)(a.u8[i] >> (b.u32[0] & 7))); break;
    case 0x6e: LANES(16, r.u8[i] = (uint8_t)(a.u8[i] + b.u8[i])); break;
    case 0x6f: LANES(16, r.i8[i] = sat8s(a.i8[i] + b.i8[i])); break;
    case 0x70: LANES(16, r.u8[i] = sat8u(a.u8[i] + b.u8[i])); break;
    case 0x71: LANES(16, r.u8[i] = (uint8_t)(a.u8[i] - b.u8[i])); break;
    case 0x72: LANES(16, r.i8[i] = sat8s(a.i8[i] - b.i8[i])); break;
    case 0x73: LANES(16, r.u8[i] = sat8u(a.u8[i] - b.u8[i])); break;
    case 0x74: LANES(2, r.f64[i] = qnan(a.f64[i], ceil(a.f64[i]))); break;
    case 0x75: LANES(2, r.f64[i] = qnan(a.f64[i], floor(a.f64[i]))); break;
    case 0x76: LANES(16, r.i8[i] = a.i8[i] < b.i8[i] ? a.i8[i] : b.i8[i]); break;
    case 0x77: LANES(16, r.u8[i] = a.u8[i] < b.u8[i] ? a.u8[i] : b.u8[i]); break;
    case 0x78: LANES(16, r.i8[i] = a.i8[i] > b.i8[i] ? a.i8[i] : b.i8[i]); break;
    case 0x79: LANES(16, r.u8[i] = a.u8[i] > b.u8[i] ? a.u8[i] : b.u8[i]); break;
    case 0x7a: LANES(2, r.f64[i] = qnan(a.f64[i], trunc(a.f64[i]))); break;
    case 0x7b: LANES(16, r.u8[i] = (uint8_t)((a.u8[i] + b.u8[i] + 1) >> 1)); break;
    case 0x7c: LANES(8, r.i16[i] = (int16_t)(a.i8[2 * i] + a.i8[2 * i + 1])); break;
    case 0x7d: LANES(8, r.u16[i] = (uint16_t)(a.u8[2 * i] + a.u8[2 * i + 1])); break;
    case 0x7e: LANES(4, r.i32[i] = a.i16[2 * i] + a.i16[2 * i + 1]); break;
    case 0x7f: LANES(4, r.u32[i] = (uint32_t)a.u16[2 * i] + a.u16[2 * i + 1]); break;
    /* i16x8 */
    case 0x80: LANES(8, r.u16[i] = (uint16_t)(a.i16[i] < 0 ? -a.u16[i] : a.u16[i])); break;
    case 0x81: LANES(8, r.u16[i] = (uint16_t)-a.u16[i]); break;
    case 0x82: LANES(8, r.i16[i] = sat16s((a.i16[i] * b.i16[i] + 0x4000) >> 15)); break;
    case 0x83: {
        int all = 1;
        LANES(8, all &= a.u16[i] != 0);
        fp[ip[2]].u64 = (uint64_t)all;
        return 0;
    }
    case 0x84: {
        uint32_t m = 0;
        LANES(8, m |= (uint32_t)(a.u16[i] >> 15) << i);
        fp[ip[2]].u64 = m;
        return 0;
    }
    case 0x85: LANES(4, r.i16[i] = sat16s_32(a.i32[i]); r.i16[i + 4] = sat16s_32(b.i32[i])); break;
    case 0x86: LANES(4, r.u16[i] = sat16u_32(a.i32[i]); r.u16[i + 4] = sat16u_32(b.i32[i])); break;
    case 0x87: LANES(8, r.i16[i] = a.i8[i]); break;
    case 0x88: LANES(8, r.i16[i] = a.i8[i + 8]); break;
    case 0x89: LANES(8, r.u16[i] = a.u8[i]); break;
    case 0x8a: LANES(8, r.u16[i] = a.u8[i + 8]); break;
    case 0x8b: LANES(8, r.u16[i] = (uint16_t)(a.u16[i] << (b.u32[0] & 15))); break;
    case 0x8c: LANES(8, r.i16[i] = (int16_t)(a.i16[i] >> (b.u32[0] & 15))); break;
    case 0x8d: LANES(8, r.u16[i] = (uint16_t)(a.u16[i] >> (b.u32[0] & 15))); break;
    case 0x8e: LANES(8, r.u16[i] = (uint16_t)(a.u16[i] + b.u16[i])); break;
    case 0x8f: LANES(8, r.i16[i] = sat16s(a.i16[i] + b.i16[i])); break;
    case 0x90: LANES(8, r.u16[i] = sat16u(a.u16[i] + b.u16[i])); break;
    case 0x91: LANES(8, r.u16[i] = (uint16_t)(a.u16[i] - b.u16[i])); break;
    case 0x92: LANES(8, r.i16[i] = sat16s(a.i16[i] - b.i16[i])); break;
    case 0x93: LANES(8, r.u16[i] = sat16u(a.u16[i] - b.u16[i])); break;
    case 0x94: LANES(2, r.f64[i] = qnan(a.f64[i], nearbyint(a.f64[i]))); break;
    case 0x95: LANES(8, r.u16[i] = (uint16_t)((uint32_t)a.u16[i] * b.u16[i])); break;
    case 0x96: LANES(8, r.i16[i] = a.i16[i] < b.i16[i] ? a.i16[i] : b.i16[i]); break;
    case 0x97: LANES(8, r.u16[i] = a.u16[i] < b.u16[i] ? a.u16[i] : b.u16[i]); break;
    case 0x98: LANES(8, r.i16[i] = a.i16[i] > b.i16[i] ? a.i16[i] : b.i16[i]); break;
    case 0x99: LANES(8, r.u16[i] = a.u16[i] > b.u16[i] ? a.u16[i] : b.u16[i]); break;
    case 0x9b: LANES(8, r.u16[i] = (uint16_t)((a.u16[i] + b.u16[i] + 1) >> 1)); break;
    case 0x9c: LANES(8, r.i16[i] = (int16_t)(a.i8[i] * b.i8[i])); break;
    case 0x9d: LANES(8, r.i16[i] = (int16_t)(a.i8[i + 8] * b.i8[i + 8])); break;
    case 0x9e: LANES(8, r.u16[i] = (uint16_t)(a.u8[i] * b.u8[i])); break;
    case 0x9f: LANES(8, r.u16[i] = (uint16_t)(a.u8[i + 8] * b.u8[i + 8])); break;
    /* i32x4 */
    case 0xa0: LANES(4, r.u32[i] = a.i32[i] < 0 ? 0u - a.u32[i] : a.u32[i]); break;
    case 0xa1: LANES(4, r.u32[i] = 0u - a.u32[i]); break;
    case 0xa3: {
        int all = 1;
        LANES(4, all &= a.u32[i] != 0);
        fp[ip[2]].u64 = (uint64_t)all;
        return 0;
    }
    case 0xa4: {
        uint32_t m = 0;
        LANES(4, m |= (a.u32[i] >> 31) << i);
        fp[ip[2]].u64 = m;
        return 0;
    }
    case 0xa7: LANES(4, r.i32[i] = a.i16[i]); break;
    case 0xa8: LANES(4, r.i32[i] = a.i16[i + 4]); break;
    case 0xa9: LANES(4, r.u32[i] = a.u16[i]); break;
    case 0xaa: LANES(4, r.u32[i] = a.u16[i + 4]); break;
    case 0xab: LANES(4, r.u32[i] = a.u32[i] << (b.u32[0] & 31)); break;
    case 0xac: LANES(4, r.i32[i] = a.i32[i] >> (b.u32[0] & 31)); break;
    case 0xad: LANES(4, r.u32[i] = a.u32[i] >> (b.u32[0] & 31)); break;
    case 0xae: LANES(4, r.u32[i] = a.u32[i] + b.u32[i]); break;
    case 0xb1: LANES(4, r.u32[i] = a.u32[i] - b.u32[i]); break;
    case 0xb5: LANES(4, r.u32[i] = a.u32[i] * b.u32[i]); break;
    case 0xb6: LANES(4, r.i32[i] = a.i32[i] < b.i32[i] ? a.i32[i] : b.i32[i]); break;
    case 0xb7: LANES(4, r.u32[i] = a.u32[i] < b.u32[i] ? a.u32[i] : b.u32[i]); break;
    case 0xb8: LANES(4, r.i32[i] = a.i32[i] > b.i32[i] ? a.i32[i] : b.i32[i]); break;
    case 0xb9: LANES(4, r.u32[i] = a.u32[i] > b.u32[i] ? a.u32[i] : b.u32[i]); break;
    case 0xba:
        LANES(4, r.u32[i] = (uint32_t)(a.i16[2 * i] * b.i16[2 * i]) +
                            (uint32_t)(a.i16[2 * i + 1] * b.i16[2 * i + 1]));
        break;
    case 0xbc: LANES(4, r.i32[i] = a.i16[i] * b.i16[i]); break;
    case 0xbd: LANES(4, r.i32[i] = a.i16[i + 4] * b.i16[i + 4]); break;
    case 0xbe: LANES(4, r.u32[i] = (uint32_t)a.u16[i] * b.u16[i]); break;
    case 0xbf: LANES(4, r.u32[i] = (uint32_t)a.u16[i + 4] * b.u16[i + 4]); break;
    /* i64x2 */
    case 0xc0: LANES(2, r.u64[i] = a.i64[i] < 0 ? 0u - a.u64[i] : a.u64[i]); break;
    case 0xc1: LANES(2, r.u64[i] = 0u - a.u64[i]); break;
    case 0xc3: fp[ip[2]].u64 = a.u64[0] != 0 && a.u64[1] != 0; return 0;
    case 0xc4: fp[ip[2]].u64 = (a.u64[0] >> 63) | ((a.u64[1] >> 63) << 1); return 0;
    case 0xc7: LANES(2, r.i64[i] = a.i32[i]); break;
    case 0xc8: LANES(2, r.i64[i] = a.i32[i + 2]); break;
    case 0xc9: LANES(2, r.u64[i] = a.u32[i]); break;
    case 0xca: LANES(2, r.u64[i] = a.u32[i + 2]); break;
    case 0xcb: LANES(2, r.u64[i] = a.u64[i] << (b.u32[0] & 63)); break;
    case 0xcc: LANES(2, r.i64[i] = a.i64[i] >> (b.u32[0] & 63)); break;
    case 0xcd: LANES(2, r.u64[i] = a.u64[i] >> (b.u32[0] & 63)); break;
    case 0xce: LANES(2, r.u64[i] = a.u64[i] + b.u64[i]); break;
    case 0xd1: LANES(2, r.u64[i] = a.u64[i] - b.u64[i]); break;
    case 0xd5: LANES(2, r.u64[i] = a.u64[i] * b.u64[i]); break;
    case 0xd6: LANES(2, r.i64[i] = a.i64[i] == b.i64[i] ? -1 : 0); break;
    case 0xd7: LANES(2, r.i64[i] = a.i64[i] != b.i64[i] ? -1 : 0); break;
    case 0xd8: LANES(2, r.i64[i] = a.i64[i] < b.i64[i] ? -1 : 0); break;
    case 0xd9: LANES(2, r.i64[i] = a.i64[i] > b.i64[i] ? -1 : 0); break;
    case 0xda: LANES(2, r.i64[i] = a.i64[i] <= b.i64[i] ? -1 : 0); break;
    case 0xdb: LANES(2, r.i64[i] = a.i64[i] >= b.i64[i] ? -1 : 0); break;
    case 0xdc: LANES(2, r.i64[i] = (int64_t)a.i32[i] * b.i32[i]); break;
    case 0xdd: LANES(2, r.i64[i] = (int64_t)a.i32[i + 2] * b.i32[i + 2]); break;
    case 0xde: LANES(2, r.u64[i] = (uint64_t)a.u32[i] * b.u32[i]); break;
    case 0xdf: LANES(2, r.u64[i] = (uint64_t)a.u32[i + 2] * b.u32[i + 2]); break;
    /* f32x4 */
    case 0xe0: LANES(4, r.u32[i] = a.u32[i] & 0x7FFFFFFFu); break;
    case 0xe1: LANES(4, r.u32[i] = a.u32[i] ^ 0x80000000u); break;
    case 0xe3: LANES(4, r.f32[i] = sqrtf(a.f32[i])); break;
    case 0xe4: LANES(4, r.f32[i] = a.f32[i] + b.f32[i]); break;
    case 0xe5: LANES(4, r.f32[i] = a.f32[i] - b.f32[i]); break;
    case 0xe6: LANES(4, r.f32[i] = a.f32[i] * b.f32[i]); break;
    case 0xe7: LANES(4, r.f32[i] = a.f32[i] / b.f32[i]); break;
    case 0xe8: LANES(4, r.f32[i] = wvm_f32_min(a.f32[i], b.f32[i])); break;
    case 0xe9: LANES(4, r.f32[i] = wvm_f32_max(a.f32[i], b.f32[i])); break;
    case 0xea: LANES(4, r.f32[i] = b.f32[i] < a.f32[i] ? b.f32[i] : a.f32[i]); break;
    case 0xeb: LANES(4, r.f32[i] = a.f32[i] < b.f32[i] ? b.f32[i] : a.f32[i]); break;
    /* f64x2 */
    case 0xec: LANES(2, r.u64[i] = a.u64[i] & 0x7FFFFFFFFFFFFFFFull); break;
    case 0xed: LANES(2, r.u64[i] = a.u64[i] ^ 0x8000000000000000ull); break;
    case 0xef: LANES(2, r.f64[i] = sqrt(a.f64[i])); break;
    case 0xf0: LANES(2, r.f64[i] = a.f64[i] + b.f64[i]); break;
    case 0xf1: LANES(2, r.f64[i] = a.f64[i] - b.f64[i]); break;
    case 0xf2: LANES(2, r.f64[i] = a.f64[i] * b.f64[i]); break;
    case 0xf3: LANES(2, r.f64[i] = a.f64[i] / b.f64[i]); break;
    case 0xf4: LANES(2, r.f64[i] = wvm_f64_min(a.f64[i], b.f64[i])); break;
    case 0xf5: LANES(2, r.f64[i] = wvm_f64_max(a.f64[i], b.f64[i])); break;
    case 0xf6: LANES(2, r.f64[i] = b.f64[i] < a.f64[i] ? b.f64[i] : a.f64[i]); break;
    case 0xf7: LANES(2, r.f64[i] = a.f64[i] < b.f64[i] ? b.f64[i] : a.f64[i]); break;
    /* conversions */
    case 0xf8: LANES(4, r.i32[i] = trunc_sat_s32(a.f32[i])); break;
    case 0xf9: LANES(4, r.u32[i] = trunc_sat_u32(a.f32[i])); break;
    case 0xfa: LANES(4, r.f32[i] = (float)a.i32[i]); break;
    case 0xfb: LANES(4, r.f32[i] = (float)a.u32[i]); break;
    case 0xfc: LANES(2, r.i32[i] = trunc_sat_s32(a.f64[i])); break;
    case 0xfd: LANES(2, r.u32[i] = trunc_sat_u32(a.f64[i])); break;
    case 0xfe: LANES(2, r.f64[i] = (double)a.i32[i]); break;
    case 0xff: LANES(2, r.f64[i] = (double)a.u32[i]); break;
    default: break;
    }
    memcpy(dp, &r, sizeof r);
    return 0;
}

/* decode.c — the binary decoder: reads the sections of a module into wvm_module_t,
 * checks the module-level validation rules (indices, limits, constant expressions,
 * exports, segments) and hands every function body to the compiler (compile.c), which
 * validates and compiles it in one pass. Layer: wasm, below the runtime. */
#include "wasm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char E_EOF[] = "unexpected end";
static const char E_LEB_LONG[] = "integer representation too long";
static const char E_LEB_BIG[] = "integer too large";
static const char E_MAGIC[] = "magic header not detected";
static const char E_VERSION[] = "unknown binary version";
static const char E_SECTION_ID[] = "malformed section id";
static const char E_SECTION_ORDER[] = "unexpected content after last section";
static const char E_SECTION_SIZE[] = "section size mismatch";
static const char E_UTF8[] = "malformed UTF-8 encoding";
static const char E_FUNC_CODE[] = "function and code section have inconsistent lengths";
static const char E_DATA_COUNT[] = "data count and data section have inconsistent lengths";
static const char E_VALTYPE[] = "malformed value type";
static const char E_REFTYPE[] = "malformed reference type";
static const char E_LIMITS[] = "malformed limits flags";
static const char E_MUT[] = "malformed mutability";
static const char E_IMPORT_KIND[] = "malformed import kind";
static const char E_EXPORT_KIND[] = "malformed export kind";
static const char E_FUNCTYPE[] = "malformed function type";
static const char E_ELEM_KIND[] = "malformed elements segment kind";
static const char E_DATA_KIND[] = "malformed data segment kind";
static const char E_TOO_MANY[] = "too many items (named limit)";
static const char E_CONST_END[] = "illegal opcode in constant expression";

static void rd_fail(wvm_reader_t *r, const char *msg)
{
    if (!r->err)
        r->err = msg;
    r->p = r->end;
}

uint8_t wvm_rd_byte(wvm_reader_t *r)
{
    if (r->p >= r->end) {
        rd_fail(r, E_EOF);
        return 0;
    }
    return *r->p++;
}

const uint8_t *wvm_rd_bytes(wvm_reader_t *r, size_t n)
{
    if ((size_t)(r->end - r->p) < n) {
        rd_fail(r, E_EOF);
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    return p;
}

uint32_t wvm_rd_u32(wvm_reader_t *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 5; i++) {
        if (r->p >= r->end) {
            rd_fail(r, E_EOF);
            return 0;
        }
        uint8_t b = *r->p++;
        if (i == 4 && (b & 0xF0)) {
            rd_fail(r, (b & 0x80) ? E_LEB_LONG : E_LEB_BIG);
            return 0;
        }
        v |= (uint32_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80))
            return v;
    }
    return v;
}

/* Signed LEB128 of `bits` bits (32, 33 or 64), with the spec's checks on the last byte. */
static int64_t rd_sleb(wvm_reader_t *r, int bits)
{
    uint64_t v = 0;
    int shift = 0, maxbytes = (bits + 6) / 7;
    for (int i = 0; i < maxbytes; i++) {
        if (r->p >= r->end) {
            rd_fail(r, E_EOF);
            return 0;
        }
        uint8_t b = *r->p++;
        if (i == maxbytes - 1) {
            if (b & 0x80) {
                rd_fail(r, E_LEB_LONG);
                return 0;
            }
            int used = bits - 7 * i;
            uint8_t mask = (uint8_t)(0x7F & ~((1u << (used - 1)) - 1));
            uint8_t hi = b & mask;
            if (hi != 0 && hi != mask) {
                rd_fail(r, E_LEB_BIG);
                return 0;
            }
        }
        v |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) {
            if (shift < 64 && (b & 0x40))
                v |= ~(uint64_t)0 << shift;
            return (int64_t)v;
        }
    }
    return (int64_t)v;
}

int32_t wvm_rd_s32(wvm_reader_t *r) { return (int32_t)rd_sleb(r, 32); }
int64_t wvm_rd_s33(wvm_reader_t *r) { return rd_sleb(r, 33); }
int64_t wvm_rd_s64(wvm_reader_t *r) { return rd_sleb(r, 64); }

bool wvm_is_reftype(uint8_t t) { return t == WVM_FUNCREF || t == WVM_EXTERNREF; }

bool wvm_is_valtype(uint8_t t)
{
    return t == WVM_I32 || t == WVM_I64 || t == WVM_F32 || t == WVM_F64 || t == WVM_V128 ||
           wvm_is_reftype(t);
}

static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* Decoding context: the module being built and the first error. */
typedef struct dctx {
    wvm_module_t *m;
    char *err;
    size_t errlen;
    bool failed;
} dctx_t;

static bool invalid(dctx_t *d, const char *msg)
{
    if (!d->failed)
        snprintf(d->err, d->errlen, "invalid: %s", msg);
    d->failed = true;
    return false;
}

static char *rd_name_len(wvm_reader_t *r, uint32_t *len)
{
    uint32_t n = wvm_rd_u32(r);
    if (len)
        *len = n;
    const uint8_t *p = wvm_rd_bytes(r, n);
    if (!p)
        return NULL;
    if (!utf8_valid(p, n)) {
        rd_fail(r, E_UTF8);
        return NULL;
    }
    char *s = base_xmalloc(n + 1);
    memcpy(s, p, n);
    s[n] = 0;
    return s;
}

static char *rd_name(wvm_reader_t *r) { return rd_name_len(r, NULL); }

/* A vector length, bounded by the bytes left (each item takes at least one byte). */
static uint32_t rd_count(wvm_reader_t *r, uint32_t limit)
{
    uint32_t n = wvm_rd_u32(r);
    if (r->err)
        return 0;
    if (n > (size_t)(r->end - r->p)) {
        rd_fail(r, E_EOF);
        return 0;
    }
    if (n > limit) {
        rd_fail(r, E_TOO_MANY);
        return 0;
    }
    return n;
}

static uint8_t rd_valtype(wvm_reader_t *r)
{
    uint8_t t = wvm_rd_byte(r);
    if (!r->err && !wvm_is_valtype(t))
        rd_fail(r, E_VALTYPE);
    return t;
}

static uint8_t rd_reftype(wvm_reader_t *r)
{
    uint8_t t = wvm_rd_byte(r);
    if (!r->err && !wvm_is_reftype(t))
        rd_fail(r, E_REFTYPE);
    return t;
}

static wvm_limits_def_t rd_limits(wvm_reader_t *r)
{
    wvm_limits_def_t l = {0, WVM_NO_MAX};
    uint8_t flag = wvm_rd_byte(r);
    if (flag > 1) {
        rd_fail(r, E_LIMITS);
        return l;
    }
    l.min = wvm_rd_u32(r);
    if (flag)
        l.max = wvm_rd_u32(r);
    return l;
}

static bool check_mem_limits(dctx_t *d, wvm_limits_def_t l)
{
    if (l.min > WVM_MAX_PAGES || (l.max != WVM_NO_MAX && l.max > WVM_MAX_PAGES))
        return invalid(d, "memory size must be at most 65536 pages (4GiB)");
    if (l.max != WVM_NO_MAX && l.min > l.max)
        return invalid(d, "size minimum must not be greater than maximum");
    return true;
}

static bool check_table_limits(dctx_t *d, wvm_limits_def_t l)
{
    if (l.max != WVM_NO_MAX && l.min > l.max)
        return invalid(d, "size minimum must not be greater than maximum");
    return true;
}

static void declare_func(wvm_module_t *m, uint32_t idx)
{
    if (!m->func_declared)
        m->func_declared = base_xcalloc(m->nfuncs ? m->nfuncs : 1, 1);
    m->func_declared[idx] = 1;
}

static uint8_t global_type(wvm_module_t *m, uint32_t i) { return m->globals[i].type; }

/* Reads a constant expression that must produce one value of type `expect`. */
static bool rd_constexpr(dctx_t *d, wvm_reader_t *r, uint8_t expect, wvm_constexpr_t *ce)
{
    wvm_module_t *m = d->m;
    int depth = 0;
    uint8_t type = 0;
    memset(ce, 0, sizeof *ce);
    for (;;) {
        uint8_t op = wvm_rd_byte(r);
        if (r->err)
            return false;
        if (op == 0x0B)
            break;
        switch (op) {
        case 0x41:
            ce->kind = WVM_CE_CONST, ce->v[0].i64 = 0, ce->v[0].i32 = wvm_rd_s32(r), type = WVM_I32;
            break;
        case 0x42:
            ce->kind = WVM_CE_CONST, ce->v[0].i64 = wvm_rd_s64(r), type = WVM_I64;
            break;
        case 0x43: {
            const uint8_t *p = wvm_rd_bytes(r, 4);
            ce->kind = WVM_CE_CONST, ce->v[0].u64 = 0, type = WVM_F32;
            if (p)
                memcpy(&ce->v[0].f32, p, 4);
            break;
        }
        case 0x44: {
            const uint8_t *p = wvm_rd_bytes(r, 8);
            ce->kind = WVM_CE_CONST, type = WVM_F64;
            if (p)
                memcpy(&ce->v[0].f64, p, 8);
            break;
        }
        case 0xD0:
            type = rd_reftype(r);
            ce->kind = WVM_CE_REF_NULL;
            break;
        case 0xD2: {
            uint32_t idx = wvm_rd_u32(r);
            if (r->err)
                return false;
            if (idx >= m->nfuncs)
                return invalid(d, "unknown function");
            declare_func(m, idx);
            ce->kind = WVM_CE_REF_FUNC, ce->idx = idx, type = WVM_FUNCREF;
            break;
        }
        case 0x23: {
            uint32_t idx = wvm_rd_u32(r);
            if (r->err)
                return false;
            if (idx >= m->nimported_globals)
                return invalid(d, "unknown global");
            if (m->globals[idx].mut)
                return invalid(d, "constant expression required");
            ce->kind = WVM_CE_GLOBAL_GET, ce->idx = idx, type = global_type(m, idx);
            break;
        }
        case 0xFD:
            if (wvm_rd_u32(r) == 12) {
                const uint8_t *p = wvm_rd_bytes(r, 16);
                ce->kind = WVM_CE_CONST, type = WVM_V128;
                if (p)
                    memcpy(ce->v, p, 16);
                break;
            }
            return invalid(d, "constant expression required");
        default:
            if (op == 0x01 || (op >= 0x20 && op <= 0xC4) || op == 0xD1 || op == 0xFC)
                return invalid(d, "constant expression required");
            rd_fail(r, E_CONST_END);
            return false;
        }
        if (r->err)
            return false;
        depth++;
    }
    if (depth != 1 || type != expect)
        return invalid(d, "type mismatch");
    return true;
}

static bool sec_types(dctx_t *d, wvm_reader_t *r)
{
    wvm_module_t *m = d->m;
    uint32_t n = rd_count(r, WVM_MAX_TYPES);
    m->types = base_xcalloc(n ? n : 1, sizeof *m->types);
    uint8_t buf[2 * WVM_MAX_PARAMS];
    for (uint32_t i = 0; i < n && !r->err; i++) {
        if (wvm_rd_byte(r) != 0x60) {
            rd_fail(r, E_FUNCTYPE);
            break;
        }
        uint32_t np = rd_count(r, WVM_MAX_PARAMS);
        for (uint32_t k = 0; k < np; k++)
            buf[k] = rd_valtype(r);
        uint32_t nr = rd_count(r, WVM_MAX_PARAMS);
        for (uint32_t k = 0; k < nr; k++)
            buf[np + k] = rd_valtype(r);
        if (r->err)
            break;
        m->types[i] = wvm_engine_intern(m->engine, buf, np, nr);
        m->ntypes = i + 1;
    }
    return !r->err;
}

static void add_func(wvm_module_t *m, uint32_t typeidx)
{
    m->func_types = base_xrealloc(m->func_types, (m->nfuncs + 1) * sizeof *m->func_types);
    m->func_types[m->nfuncs++] = typeidx;
}

static void add_table(wvm_module_t *m, wvm_tabletype_t t)
{
    m->tables = base_xrealloc(m->tables, (m->ntables + 1) * sizeof *m->tables);
    m->tables[m->ntables++] = t;
}

static void add_global(wvm_module_t *m, wvm_globaltype_t g)
{
    m->globals = base_xrealloc(m->globals, (m->nglobals + 1) * sizeof *m->globals);
    m->global_init = base_xrealloc(m->global_init, (m->nglobals + 1) * sizeof *m->global_init);
    memset(&m->global_init[m->nglobals], 0, sizeof *m->global_init);
    m->globals[m->nglobals++] = g;
}

static wvm_globaltype_t rd_globaltype(wvm_reader_t *r)
{
    wvm_globaltype_t g;
    g.type = rd_valtype(r);
    uint8_t mut = wvm_rd_byte(r);
    if (!r->err && mut > 1)
        rd_fail(r, E_MUT);
    g.mut = mut == 1;
    return g;
}

static bool sec_imports(dctx_t *d, wvm_reader_t *r)
{
    wvm_module_t *m = d->m;
    uint32_t n = rd_count(r, WVM_MAX_IMPORTS);
    m->imports = base_xcalloc(n ? n : 1, sizeof *m->imports);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        wvm_import_t *im = &m->imports[i];
        im->module = rd_name(r);
        im->name = rd_name(r);
        m->nimports = i + 1;
        im->kind = wvm_rd_byte(r);
        if (r->err)
            break;
        switch (im->kind) {
        case WVM_EXT_FUNC:
            im->idx = wvm_rd_u32(r);
            if (r->err)
                break;
            if (im->idx >= m->ntypes)
                return invalid(d, "unknown type");
            add_func(m, im->idx);
            m->nimported_funcs++;
            break;
        case WVM_EXT_TABLE: {
            wvm_tabletype_t t;
            t.elem = rd_reftype(r);
            t.lim = rd_limits(r);
            if (r->err)
                break;
            if (!check_table_limits(d, t.lim))
                return false;
            im->idx = m->ntables;
            add_table(m, t);
            m->nimported_tables++;
            break;
        }
        case WVM_EXT_MEMORY:
            m->mem = rd_limits(r);
            if (r->err)
                break;
            if (!check_mem_limits(d, m->mem))
                return false;
            if (m->nmems++)
                return invalid(d, "multiple memories");
            m->nimported_mems++;
            break;
        case WVM_EXT_GLOBAL: {
            wvm_globaltype_t g = rd_globaltype(r);
            if (r->err)
                break;
            im->idx = m->nglobals;
            add_global(m, g);
            m->nimported_globals++;
            break;
        }
        default:
            rd_fail(r, E_IMPORT_KIND);
        }
    }
    return !r->err;
}

static bool sec_funcs(dctx_t *d, wvm_reader_t *r)
{
    wvm_module_t *m = d->m;
    uint32_t n = rd_count(r, WVM_MAX_FUNCS);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        uint32_t t = wvm_rd_u32(r);
        if (r->err)
            break;
        if (t >= m->ntypes)
            return invalid(d, "unknown type");
        add_func(m, t);
    }
    return !r->err;
}

static bool sec_tables(dctx_t *d, wvm_reader_t *r)
{
    uint32_t n = rd_count(r, WVM_MAX_TABLES);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        wvm_tabletype_t t;
        t.elem = rd_reftype(r);
        t.lim = rd_limits(r);
        if (r->err)
            break;
        if (!check_table_limits(d, t.lim))
            return false;
        add_table(d->m, t);
    }
    return !r->err;
}

static bool sec_mems(dctx_t *d, wvm_reader_t *r)
{
    wvm_module_t *m = d->m;
    uint32_t n = rd_count(r, WVM_MAX_TABLES);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        wvm_limits_def_t l = rd_limits(r);
        if (r->err)
            break;
        if (!check_mem_limits(d, l))
            return false;
        if (m->nmems++)
            return invalid(d, "multiple memories");
        m->mem = l;
    }
    return !r->err;
}

static bool sec_globals(dctx_t *d, wvm_reader_t *r)
{
    wvm_module_t *m = d->m;
    uint32_t n = rd_count(r, WVM_MAX_GLOBALS);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        wvm_globaltype_t g = rd_globaltype(r);
        if (r->err)
            break;
        add_global(m, g);
        if (!rd_constexpr(d, r, g.type, &m->global_init[m->nglobals - 1]))
            return false;
    }
    return !r->err;
}

static bool sec_exports(dctx_t *d, wvm_reader_t *r)
{
    wvm_module_t *m = d->m;
    uint32_t n = rd_count(r, WVM_MAX_EXPORTS);
    m->exports = base_xcalloc(n ? n : 1, sizeof *m->exports);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        wvm_export_t *ex = &m->exports[i];
        ex->name = rd_name_len(r, &ex->name_len);
        m->nexports = i + 1;
        ex->kind = wvm_rd_byte(r);
        ex->idx = wvm_rd_u32(r);
        if (r->err)
            break;
        switch (ex->kind) {
        case WVM_EXT_FUNC:
            if (ex->idx >= m->nfuncs)
                return invalid(d, "unknown function");
            declare_func(m, ex->idx);
            break;
        case WVM_EXT_TABLE:
            if (ex->idx >= m->ntables)
                return invalid(d, "unknown table");
            break;
        case WVM_EXT_MEMORY:
            if (ex->idx >= m->nmems)
                return invalid(d, "unknown memory");
            break;
        case WVM_EXT_GLOBAL:
            if (ex->idx >= m->nglobals)
                return invalid(d, "unknown global");
            break;
        default:
            rd_fail(r, E_EXPORT_KIND);
            return false;
        }
        for (uint32_t k = 0; k < i; k++)
            if (m->exports[k].name_len == ex->name_len &&
                !memcmp(m->exports[k].name, ex->name, ex->name_len))
                return invalid(d, "duplicate export name");
    }
    return !r->err;
}

static bool sec_start(dctx_t *d, wvm_reader_t *r)
{
    wvm_module_t *m = d->m;
    uint32_t idx = wvm_rd_u32(r);
    if (r->err)
        return false;
    if (idx >= m->nfuncs)
        return invalid(d, "unknown function");
    wvm_functype_t *t = m->types[m->func_types[idx]];
    if (t->nparams || t->nresults)
        return invalid(d, "start function");
    m->start = idx;
    return true;
}

static bool sec_elems(dctx_t *d, wvm_reader_t *r)
{
    wvm_module_t *m = d->m;
    uint32_t n = rd_count(r, WVM_MAX_SEGMENTS);
    m->elems = base_xcalloc(n ? n : 1, sizeof *m->elems);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        wvm_elemseg_t *s = &m->elems[i];
        uint32_t flags = wvm_rd_u32(r);
        if (r->err)
            break;
        if (flags > 7) {
            rd_fail(r, E_ELEM_KIND);
            break;
        }
        m->nelems = i + 1;
        s->mode = (flags & 1) ? ((flags & 2) ? WVM_SEG_DECLARATIVE : WVM_SEG_PASSIVE)
                              : WVM_SEG_ACTIVE;
        s->type = WVM_FUNCREF;
        if (s->mode == WVM_SEG_ACTIVE) {
            s->table = (flags & 2) ? wvm_rd_u32(r) : 0;
            if (r->err)
                break;
            if (s->table >= m->ntables)
                return invalid(d, "unknown table");
            if (!rd_constexpr(d, r, WVM_I32, &s->offset))
                return false;
        }
        bool exprs = flags & 4;
        if (flags & 3) {
            if (exprs) {
                s->type = rd_reftype(r);
            } else if (wvm_rd_byte(r) != 0x00) {
                rd_fail(r, E_ELEM_KIND);
                break;
            }
        }
        if (s->mode == WVM_SEG_ACTIVE && m->tables[s->table].elem != s->type)
            return invalid(d, "type mismatch");
        s->count = rd_count(r, UINT32_MAX);
        if (r->err)
            break;
        s->init = base_xcalloc(s->count ? s->count : 1, sizeof *s->init);
        for (uint32_t k = 0; k < s->count && !r->err; k++) {
            if (exprs) {
                if (!rd_constexpr(d, r, s->type, &s->init[k]))
                    return false;
            } else {
                uint32_t f = wvm_rd_u32(r);
                if (r->err)
                    break;
                if (f >= m->nfuncs)
                    return invalid(d, "unknown function");
                declare_func(m, f);
                s->init[k].kind = WVM_CE_REF_FUNC;
                s->init[k].idx = f;
            }
        }
    }
    return !r->err;
}

static bool sec_code(dctx_t *d, wvm_reader_t *r)
{
    wvm_module_t *m = d->m;
    uint32_t n = rd_count(r, WVM_MAX_FUNCS);
    if (r->err)
        return false;
    if (n != m->nfuncs - m->nimported_funcs) {
        rd_fail(r, E_FUNC_CODE);
        return false;
    }
    m->codes = base_xcalloc(n ? n : 1, sizeof *m->codes);
    for (uint32_t i = 0; i < n && !r->err; i++) {
        uint32_t size = wvm_rd_u32(r);
        const uint8_t *body = wvm_rd_bytes(r, size);
        if (!body)
            break;
        if (wvm_compile_func(m, i, body, body + size, d->err, d->errlen) < 0) {
            d->failed = true;
            return false;
        }
    }
    return !r->err;
}

static bool sec_datas(dctx_t *d, wvm_reader_t *r)
{
    wvm_module_t *m = d->m;
    uint32_t n = rd_count(r, WVM_MAX_SEGMENTS);
    if (r->err)
        return false;
    if (m->has_datacount && n != m->ndatas) {
        rd_fail(r, E_DATA_COUNT);
        return false;
    }
    m->datas = base_xcalloc(n ? n : 1, sizeof *m->datas);
    m->ndatas = n;
    for (uint32_t i = 0; i < n && !r->err; i++) {
        wvm_dataseg_t *s = &m->datas[i];
        uint32_t flags = wvm_rd_u32(r);
        if (r->err)
            break;
        if (flags > 2) {
            rd_fail(r, E_DATA_KIND);
            break;
        }
        s->mode = flags == 1 ? WVM_SEG_PASSIVE : WVM_SEG_ACTIVE;
        if (s->mode == WVM_SEG_ACTIVE) {
            uint32_t mem = flags == 2 ? wvm_rd_u32(r) : 0;
            if (r->err)
                break;
            if (mem >= m->nmems)
                return invalid(d, "unknown memory");
            if (!rd_constexpr(d, r, WVM_I32, &s->offset))
                return false;
        }
        s->len = wvm_rd_u32(r);
        s->bytes = wvm_rd_bytes(r, s->len);
    }
    return !r->err;
}

/* Section order: the rank of each known section id (custom sections go anywhere). */
static int section_rank(uint8_t id)
{
    static const int rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
    return id <= 12 ? rank[id] : -1;
}

wvm_module_t *wvm_module_load(wvm_engine_t *e, const uint8_t *bytes, size_t len, char *err,
                              size_t errlen)
{
    char dummy[8];
    if (!err)
        err = dummy, errlen = sizeof dummy;
    err[0] = 0;
    wvm_module_t *m = base_xcalloc(1, sizeof *m);
    m->engine = e;
    m->start = -1;
    m->bytes = base_xmalloc(len ? len : 1);
    memcpy(m->bytes, bytes, len);
    m->len = len;
    dctx_t d = {m, err, errlen, false};
    wvm_reader_t r = {m->bytes, m->bytes + len, NULL};
    const uint8_t *magic = wvm_rd_bytes(&r, 4);
    if (!magic || memcmp(magic, "\0asm", 4)) {
        rd_fail(&r, E_MAGIC);
        goto malformed;
    }
    const uint8_t *ver = wvm_rd_bytes(&r, 4);
    if (!ver || memcmp(ver, "\1\0\0\0", 4)) {
        rd_fail(&r, E_VERSION);
        goto malformed;
    }
    int last = 0;
    bool have_code = false;
    while (r.p < r.end) {
        uint8_t id = wvm_rd_byte(&r);
        uint32_t size = wvm_rd_u32(&r);
        if (r.err)
            goto malformed;
        if (size > (size_t)(r.end - r.p)) {
            rd_fail(&r, E_EOF);
            goto malformed;
        }
        int rank = section_rank(id);
        if (rank < 0) {
            rd_fail(&r, E_SECTION_ID);
            goto malformed;
        }
        if (id != 0) {
            if (rank <= last) {
                rd_fail(&r, E_SECTION_ORDER);
                goto malformed;
            }
            last = rank;
        }
        wvm_reader_t s = {r.p, r.p + size, NULL};
        bool ok = true;
        switch (id) {
        case 0: {
            char *name = rd_name(&s);
            free(name);
            s.p = s.end;
            break;
        }
        case 1: ok = sec_types(&d, &s); break;
        case 2: ok = sec_imports(&d, &s); break;
        case 3: ok = sec_funcs(&d, &s); break;
        case 4: ok = sec_tables(&d, &s); break;
        case 5: ok = sec_mems(&d, &s); break;
        case 6: ok = sec_globals(&d, &s); break;
        case 7: ok = sec_exports(&d, &s); break;
        case 8: ok = sec_start(&d, &s); break;
        case 9: ok = sec_elems(&d, &s); break;
        case 10:
            have_code = true;
            ok = sec_code(&d, &s);
            break;
        case 11:
            if (!m->has_datacount)
                m->ndatas = 0;
            ok = sec_datas(&d, &s);
            break;
        case 12:
            m->ndatas = wvm_rd_u32(&s);
            m->has_datacount = true;
            break;
        }
        if (d.failed)
            goto fail;
        if (s.err || !ok) {
            r.err = s.err;
            goto malformed;
        }
        if (s.p != s.end) {
            rd_fail(&r, E_SECTION_SIZE);
            goto malformed;
        }
        r.p = s.end;
    }
    if (!have_code && m->nfuncs > m->nimported_funcs) {
        rd_fail(&r, E_FUNC_CODE);
        goto malformed;
    }
    if (m->has_datacount && m->ndatas && !m->datas) {
        rd_fail(&r, E_DATA_COUNT);
        goto malformed;
    }
    return m;
malformed:
    snprintf(err, errlen, "malformed: %s", r.err ? r.err : "bad module");
fail:
    wvm_module_free(m);
    return NULL;
}

void wvm_module_free(wvm_module_t *m)
{
    if (!m)
        return;
    for (uint32_t i = 0; i < m->nzombies; i++)
        wvm_instance_free(m->zombies[i]);
    free(m->zombies);
    for (uint32_t i = 0; i < m->nimports; i++)
        free(m->imports[i].module), free(m->imports[i].name);
    for (uint32_t i = 0; i < m->nexports; i++)
        free(m->exports[i].name);
    for (uint32_t i = 0; i < m->nelems; i++)
        free(m->elems[i].init);
    if (m->codes)
        for (uint32_t i = 0; i < m->nfuncs - m->nimported_funcs; i++)
            free(m->codes[i].cells);
    free(m->imports), free(m->exports), free(m->elems), free(m->datas), free(m->codes);
    free(m->types), free(m->func_types), free(m->tables), free(m->globals), free(m->global_init);
    free(m->func_declared), free(m->bytes);
    free(m);
}

/* runtime.c — engines, instances and the embedding API of include/harv/wasm.h: type
 * interning, the import namespace, linking, memory and table objects, instantiation
 * (globals, element and data segments in order, start function) and calls by export name.
 * Layer: wasm; the public face of the component. */
#include "wasm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define WVM_PAGE 65536u

typedef struct wvm_binding {
    char *module, *name;
    wvm_extern_t ext;
    bool owned; /* object allocated by the engine (host definitions) */
} wvm_binding_t;

struct wvm_engine {
    wvm_functype_t **types;
    uint32_t ntypes;
    wvm_binding_t *binds;
    uint32_t nbinds;
};

/* ---- types ---------------------------------------------------------------------------- */
static char type_letter(uint8_t t)
{
    switch (t) {
    case WVM_I32: return 'i';
    case WVM_I64: return 'I';
    case WVM_F32: return 'f';
    case WVM_F64: return 'F';
    case WVM_V128: return 'v';
    case WVM_FUNCREF: return 'r';
    case WVM_EXTERNREF: return 'e';
    default: return '?';
    }
}

static uint8_t letter_type(char c)
{
    switch (c) {
    case 'i': return WVM_I32;
    case 'I': return WVM_I64;
    case 'f': return WVM_F32;
    case 'F': return WVM_F64;
    case 'v': return WVM_V128;
    case 'r': return WVM_FUNCREF;
    case 'e': return WVM_EXTERNREF;
    default: return 0;
    }
}

wvm_functype_t *wvm_engine_intern(wvm_engine_t *e, const uint8_t *types, uint32_t np, uint32_t nr)
{
    for (uint32_t i = 0; i < e->ntypes; i++) {
        wvm_functype_t *t = e->types[i];
        if (t->nparams == np && t->nresults == nr && !memcmp(t->types, types, np + nr))
            return t;
    }
    wvm_functype_t *t = base_xcalloc(1, sizeof *t);
    t->nparams = np;
    t->nresults = nr;
    t->types = base_xmalloc(np + nr + 1);
    memcpy(t->types, types, np + nr);
    t->sig = base_xmalloc(np + nr + 2);
    char *s = t->sig;
    for (uint32_t i = 0; i < np; i++) {
        *s++ = type_letter(types[i]);
        t->param_slots += wvm_type_slots(types[i]);
    }
    *s++ = ':';
    for (uint32_t i = 0; i < nr; i++) {
        *s++ = type_letter(types[np + i]);
        t->result_slots += wvm_type_slots(types[np + i]);
    }
    *s = 0;
    t->id = e->ntypes;
    e->types = base_xrealloc(e->types, (e->ntypes + 1) * sizeof *e->types);
    e->types[e->ntypes++] = t;
    return t;
}

static wvm_functype_t *parse_sig(wvm_engine_t *e, const char *sig)
{
    uint8_t buf[2 * WVM_MAX_PARAMS];
    uint32_t np = 0, nr = 0;
    const char *colon = strchr(sig, ':');
    if (!colon || strlen(sig) > WVM_MAX_PARAMS)
        return NULL;
    for (const char *p = sig; p < colon; p++)
        if (!(buf[np++] = letter_type(*p)))
            return NULL;
    for (const char *p = colon + 1; *p; p++)
        if (!(buf[np + nr++] = letter_type(*p)))
            return NULL;
    return wvm_engine_intern(e, buf, np, nr);
}

/* ---- engine ---------------------------------------------------------------------------- */
wvm_engine_t *wvm_engine_new(void)
{
    wvm_interp_init();
    return base_xcalloc(1, sizeof(wvm_engine_t));
}

static void memory_unref(wvm_memory_t *m);
static void table_unref(wvm_table_t *t);

static void extern_unref(wvm_extern_t *x)
{
    switch (x->kind) {
    case WVM_EXT_FUNC: free(x->obj); break;
    case WVM_EXT_MEMORY: memory_unref(x->obj); break;
    case WVM_EXT_TABLE: table_unref(x->obj); break;
    case WVM_EXT_GLOBAL: {
        wvm_global_t *g = x->obj;
        if (--g->refs == 0)
            free(g);
        break;
    }
    }
}

void wvm_engine_free(wvm_engine_t *e)
{
    if (!e)
        return;

    for (uint32_t i = 0; i < e->nbinds; i++) {
        free(e->binds[i].module), free(e->binds[i].name);
        if (e->binds[i].owned)
            extern_unref(&e->binds[i].ext);
    }
    for (uint32_t i = 0; i < e->ntypes; i++)
        free(e->types[i]->types), free(e->types[i]->sig), free(e->types[i]);
    free(e->types), free(e->binds), free(e);
}

static void bind(wvm_engine_t *e, const char *module, const char *name, wvm_extern_t x, bool owned)
{
    e->binds = base_xrealloc(e->binds, (e->nbinds + 1) * sizeof *e->binds);
    e->binds[e->nbinds++] = (wvm_binding_t){base_xstrdup(module), base_xstrdup(name), x, owned};
}

bool wvm_engine_lookup(wvm_engine_t *e, const char *module, const char *name, wvm_extern_t *out)
{
    for (uint32_t i = e->nbinds; i-- > 0;)
        if (!strcmp(e->binds[i].module, module) && !strcmp(e->binds[i].name, name)) {
            *out = e->binds[i].ext;
            return true;
        }
    return false;
}

int wvm_engine_define_func(wvm_engine_t *e, const char *module, const char *name, const char *sig,
                           wvm_host_fn fn, void *user)
{
    wvm_functype_t *t = parse_sig(e, sig);
    if (!t)
        return -1;
    wvm_func_t *f = base_xcalloc(1, sizeof *f);
    f->type = t;
    f->host = fn;
    f->user = user;
    bind(e, module, name, (wvm_extern_t){WVM_EXT_FUNC, f}, true);
    return 0;
}

int wvm_engine_define_global(wvm_engine_t *e, const char *module, const char *name, char type,
                             bool mutable_, wvm_value_t v)
{
    uint8_t t = letter_type(type);
    if (!t)
        return -1;
    wvm_global_t *g = base_xcalloc(1, sizeof *g);
    g->type = t;
    g->mut = mutable_;
    g->v[0] = v;
    g->refs = 1;
    bind(e, module, name, (wvm_extern_t){WVM_EXT_GLOBAL, g}, true);
    return 0;
}

static wvm_memory_t *memory_new(uint32_t min, uint32_t max)
{
    wvm_memory_t *m = base_xcalloc(1, sizeof *m);
    m->pages = min;
    m->max_pages = max;
    m->size = (uint64_t)min * WVM_PAGE;
    m->reserved = (uint64_t)max * WVM_PAGE;
    m->refs = 1;
    if (m->reserved) {
        void *p = mmap(NULL, m->reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
        if (p == MAP_FAILED)
            goto fail;
        m->base = p;
        if (m->size && mprotect(m->base, m->size, PROT_READ | PROT_WRITE) != 0)
            goto fail;
    }
    return m;
fail:
    if (m->base)
        munmap(m->base, m->reserved);
    free(m);
    return NULL;
}

static void memory_unref(wvm_memory_t *m)
{
    if (m && --m->refs == 0) {
        if (m->base)
            munmap(m->base, m->reserved);
        free(m);
    }
}

int wvm_memory_grow(wvm_memory_t *m, uint32_t delta)
{
    uint32_t old = m->pages;
    if (delta == 0)
        return (int)old;
    if ((uint64_t)old + delta > m->max_pages)
        return -1;
    uint64_t nsize = (uint64_t)(old + delta) * WVM_PAGE;
    if (mprotect(m->base + m->size, nsize - m->size, PROT_READ | PROT_WRITE) != 0)
        return -1;
    m->pages = old + delta;
    m->size = nsize;
    return (int)old;
}

static wvm_table_t *table_new(uint8_t type, uint32_t min, uint32_t max)
{
    wvm_table_t *t = base_xcalloc(1, sizeof *t);
    t->type = type;
    t->size = min;
    t->max = max;
    t->refs = 1;
    t->elems = calloc(min ? min : 1, sizeof(void *));
    if (!t->elems) {
        free(t);
        return NULL;
    }
    return t;
}

static void table_unref(wvm_table_t *t)
{
    if (t && --t->refs == 0) {
        free(t->elems);
        free(t);
    }
}

int32_t wvm_table_grow(wvm_table_t *t, uint32_t delta, void *init)
{
    uint32_t old = t->size;
    if ((uint64_t)old + delta > t->max)
        return -1;
    if (delta == 0)
        return (int32_t)old;
    void **ne = realloc(t->elems, ((size_t)old + delta) * sizeof(void *));
    if (!ne)
        return -1;
    for (uint32_t i = 0; i < delta; i++)
        ne[old + i] = init;
    t->elems = ne;
    t->size = old + delta;
    return (int32_t)old;
}

int wvm_engine_define_memory(wvm_engine_t *e, const char *module, const char *name, uint32_t min,
                             uint32_t max)
{
    wvm_memory_t *m = memory_new(min, max == UINT32_MAX ? WVM_MAX_PAGES : max);
    if (!m)
        return -1;
    m->decl_max = max == UINT32_MAX ? WVM_NO_MAX : max;
    bind(e, module, name, (wvm_extern_t){WVM_EXT_MEMORY, m}, true);
    return 0;
}

int wvm_engine_define_table(wvm_engine_t *e, const char *module, const char *name, uint32_t min,
                            uint32_t max)
{
    wvm_table_t *t = table_new(WVM_FUNCREF, min, max);
    if (!t)
        return -1;
    t->decl_max = max == UINT32_MAX ? WVM_NO_MAX : max;
    bind(e, module, name, (wvm_extern_t){WVM_EXT_TABLE, t}, true);
    return 0;
}

static wvm_extern_t export_extern(wvm_instance_t *inst, const wvm_export_t *ex)
{
    switch (ex->kind) {
    case WVM_EXT_FUNC: return (wvm_extern_t){WVM_EXT_FUNC, inst->funcs[ex->idx]};
    case WVM_EXT_TABLE: return (wvm_extern_t){WVM_EXT_TABLE, inst->tables[ex->idx]};
    case WVM_EXT_MEMORY: return (wvm_extern_t){WVM_EXT_MEMORY, inst->mem};
    default: return (wvm_extern_t){WVM_EXT_GLOBAL, inst->globals[ex->idx]};
    }
}

void wvm_engine_register(wvm_engine_t *e, const char *as, wvm_instance_t *inst)
{
    for (uint32_t i = 0; i < inst->mod->nexports; i++)
        bind(e, as, inst->mod->exports[i].name, export_extern(inst, &inst->mod->exports[i]),
             false);
}

/* ---- instances -------------------------------------------------------------------------- */
static void eval_const(wvm_instance_t *inst, const wvm_constexpr_t *ce, wvm_slot_t *out)
{
    switch (ce->kind) {
    case WVM_CE_CONST: out[0] = ce->v[0], out[1] = ce->v[1]; break;
    case WVM_CE_REF_NULL: out[0].u64 = 0; break;
    case WVM_CE_REF_FUNC: out[0].ref = inst->funcs[ce->idx]; break;
    case WVM_CE_GLOBAL_GET:
        out[0] = inst->globals[ce->idx]->v[0], out[1] = inst->globals[ce->idx]->v[1];
        break;
    }
}

static bool limits_match(uint64_t amin, uint64_t amax, uint64_t bmin, uint64_t bmax)
{
    /* a: the actual object; b: the declared import type */
    if (amin < bmin)
        return false;
    if (bmax != WVM_NO_MAX && (amax == WVM_NO_MAX || amax > bmax))
        return false;
    return true;
}

static int link_imports(wvm_instance_t *inst, char *err, size_t errlen)
{
    wvm_module_t *m = inst->mod;
    uint32_t nf = 0, nt = 0, ng = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        wvm_import_t *im = &m->imports[i];
        wvm_extern_t x;
        if (!wvm_engine_lookup(inst->engine, im->module, im->name, &x)) {
            snprintf(err, errlen, "unknown import %s.%s", im->module, im->name);
            return -1;
        }
        if (x.kind != im->kind)
            goto incompatible;
        switch (im->kind) {
        case WVM_EXT_FUNC: {
            wvm_func_t *f = x.obj;
            if (f->type->id != m->types[im->idx]->id)
                goto incompatible;
            inst->funcs[nf++] = f;
            break;
        }
        case WVM_EXT_TABLE: {
            wvm_table_t *t = x.obj;
            wvm_tabletype_t *tt = &m->tables[nt];
            if (t->type != tt->elem ||
                !limits_match(t->size, t->decl_max, tt->lim.min, tt->lim.max))
                goto incompatible;
            t->refs++;
            inst->tables[nt++] = t;
            break;
        }
        case WVM_EXT_MEMORY: {
            wvm_memory_t *mem = x.obj;
            if (!limits_match(mem->pages, mem->decl_max, m->mem.min, m->mem.max))
                goto incompatible;
            mem->refs++;
            inst->mem = mem;
            break;
        }
        case WVM_EXT_GLOBAL: {
            wvm_global_t *g = x.obj;
            if (g->type != m->globals[ng].type || g->mut != m->globals[ng].mut)
                goto incompatible;
            g->refs++;
            inst->globals[ng++] = g;
            break;
        }
        }
        continue;
    incompatible:
        snprintf(err, errlen, "incompatible import type %s.%s", im->module, im->name);
        return -1;
    }
    return 0;
}

wvm_instance_t *wvm_instance_new(wvm_module_t *m, const wvm_limits_t *limits, char *err,
                                 size_t errlen)
{
    char dummy[8];
    if (!err)
        err = dummy, errlen = sizeof dummy;
    err[0] = 0;
    wvm_instance_t *inst = base_xcalloc(1, sizeof *inst);
    bool shared = false;
    inst->mod = m;
    inst->engine = m->engine;
    if (limits)
        inst->lim = *limits;
    if (!inst->lim.max_memory_pages)
        inst->lim.max_memory_pages = WVM_DEFAULT_MAX_MEMORY_PAGES;
    if (!inst->lim.max_table_elems)
        inst->lim.max_table_elems = WVM_DEFAULT_MAX_TABLE_ELEMS;
    if (!inst->lim.max_call_depth)
        inst->lim.max_call_depth = WVM_DEFAULT_MAX_CALL_DEPTH;
    if (!inst->lim.max_stack_slots)
        inst->lim.max_stack_slots = WVM_DEFAULT_MAX_STACK_SLOTS;
    /* the embedder's values are clamped to what the frame stack and value stack can hold */
    inst->lim.max_call_depth = BASE_MIN(inst->lim.max_call_depth, WVM_MAX_CALL_DEPTH);
    inst->lim.max_stack_slots = BASE_MIN(inst->lim.max_stack_slots, WVM_MAX_STACK_SLOTS);
    inst->fuel = WVM_FUEL_UNLIMITED;
    inst->funcs = base_xcalloc(m->nfuncs + 1, sizeof *inst->funcs);
    inst->tables = base_xcalloc(m->ntables + 1, sizeof *inst->tables);
    inst->globals = base_xcalloc(m->nglobals + 1, sizeof *inst->globals);
    inst->elem_refs = base_xcalloc(m->nelems + 1, sizeof *inst->elem_refs);
    inst->elem_len = base_xcalloc(m->nelems + 1, sizeof *inst->elem_len);
    inst->data_len = base_xcalloc(m->ndatas + 1, sizeof *inst->data_len);
    inst->type_ids = base_xcalloc(m->ntypes + 1, sizeof *inst->type_ids);
    for (uint32_t i = 0; i < m->ntypes; i++)
        inst->type_ids[i] = m->types[i]->id;
    /* the stack is reserved, not committed: pages appear as deep calls touch them */
    /* two spare slots: a v128 read of an i32 operand slot may touch the one after it */
    size_t stack_bytes = ((size_t)inst->lim.max_stack_slots + 2) * sizeof(wvm_slot_t);
    void *st = mmap(NULL, stack_bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (st == MAP_FAILED) {
        snprintf(err, errlen, "limit: cannot reserve the value stack");
        goto fail;
    }
    inst->stack = st;
    inst->frames = base_xmalloc((inst->lim.max_call_depth + 1) * sizeof *inst->frames);

    if (link_imports(inst, err, errlen) < 0)
        goto fail;
    /* own functions */
    uint32_t ndef = m->nfuncs - m->nimported_funcs;
    inst->own_funcs = base_xcalloc(ndef + 1, sizeof *inst->own_funcs);
    for (uint32_t i = 0; i < ndef; i++) {
        wvm_func_t *f = &inst->own_funcs[i];
        f->type = m->types[m->func_types[m->nimported_funcs + i]];
        f->inst = inst;
        f->code = &m->codes[i];
        inst->funcs[m->nimported_funcs + i] = f;
    }
    /* own tables and memory, within the limits */
    for (uint32_t i = m->nimported_tables; i < m->ntables; i++) {
        wvm_tabletype_t *tt = &m->tables[i];
        if (tt->lim.min > inst->lim.max_table_elems) {
            snprintf(err, errlen, "limit: table of %u elements exceeds the cap of %u",
                     tt->lim.min, inst->lim.max_table_elems);
            goto fail;
        }
        uint32_t max = (uint32_t)BASE_MIN(tt->lim.max, (uint64_t)inst->lim.max_table_elems);
        inst->tables[i] = table_new(tt->elem, tt->lim.min, max);
        if (!inst->tables[i]) {
            snprintf(err, errlen, "limit: out of memory for a table");
            goto fail;
        }
        inst->tables[i]->decl_max = tt->lim.max;
    }
    if (m->nmems && !m->nimported_mems) {
        if (m->mem.min > inst->lim.max_memory_pages) {
            snprintf(err, errlen, "limit: memory of %u pages exceeds the cap of %u", m->mem.min,
                     inst->lim.max_memory_pages);
            goto fail;
        }
        uint32_t max = (uint32_t)BASE_MIN(m->mem.max, (uint64_t)inst->lim.max_memory_pages);
        inst->mem = memory_new(m->mem.min, max);
        if (!inst->mem) {
            snprintf(err, errlen, "limit: cannot reserve memory");
            goto fail;
        }
        inst->mem->decl_max = m->mem.max;
    }
    /* globals */
    for (uint32_t i = m->nimported_globals; i < m->nglobals; i++) {
        wvm_global_t *g = base_xcalloc(1, sizeof *g);
        g->type = m->globals[i].type;
        g->mut = m->globals[i].mut;
        g->refs = 1;
        inst->globals[i] = g;
        eval_const(inst, &m->global_init[i], g->v);
    }
    /* element segments: evaluate */
    for (uint32_t i = 0; i < m->nelems; i++) {
        wvm_elemseg_t *s = &m->elems[i];
        inst->elem_refs[i] = base_xcalloc(s->count + 1, sizeof(void *));
        for (uint32_t k = 0; k < s->count; k++) {
            wvm_slot_t v[2];
            eval_const(inst, &s->init[k], v);
            inst->elem_refs[i][k] = v[0].ref;
        }
        inst->elem_len[i] = s->mode == WVM_SEG_PASSIVE ? s->count : 0;
    }
    for (uint32_t i = 0; i < m->ndatas; i++)
        inst->data_len[i] = m->datas[i].mode == WVM_SEG_PASSIVE ? m->datas[i].len : 0;
    /* active segments in order; a failing one traps, earlier writes stay */
    shared = true;
    for (uint32_t i = 0; i < m->nelems; i++) {
        wvm_elemseg_t *s = &m->elems[i];
        if (s->mode != WVM_SEG_ACTIVE)
            continue;
        wvm_slot_t off[2];
        eval_const(inst, &s->offset, off);
        wvm_table_t *t = inst->tables[s->table];
        if ((uint64_t)off[0].u32 + s->count > t->size) {
            snprintf(err, errlen, "trap: %s", WVM_TRAP_TABLE_OOB);
            goto fail;
        }
        memcpy(t->elems + off[0].u32, inst->elem_refs[i], s->count * sizeof(void *));
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        wvm_dataseg_t *s = &m->datas[i];
        if (s->mode != WVM_SEG_ACTIVE)
            continue;
        wvm_slot_t off[2];
        eval_const(inst, &s->offset, off);
        if ((uint64_t)off[0].u32 + s->len > inst->mem->size) {
            snprintf(err, errlen, "trap: %s", WVM_TRAP_MEMORY_OOB);
            goto fail;
        }
        if (s->len)
            memcpy(inst->mem->base + off[0].u32, s->bytes, s->len);
    }
    if (m->start >= 0) {
        inst->fuel = inst->lim.start_fuel > 0 ? inst->lim.start_fuel : WVM_FUEL_UNLIMITED;
        int rc = wvm_interp_call(inst, inst->funcs[m->start]);
        inst->fuel = WVM_FUEL_UNLIMITED;
        if (rc == WVM_PAUSED) {
            inst->paused = false;
            snprintf(err, errlen, "limit: the start function ran out of fuel");
            goto fail;
        }
        if (rc != WVM_OK) {
            snprintf(err, errlen, "trap: %s", inst->trap ? inst->trap : "exit");
            goto fail;
        }
    }
    return inst;
fail:
    if (shared) {
        /* its functions may sit in shared tables: it lives as long as its module's code */
        m->zombies = base_xrealloc(m->zombies, (m->nzombies + 1) * sizeof *m->zombies);
        m->zombies[m->nzombies++] = inst;
        return NULL;
    }
    wvm_instance_free(inst);
    return NULL;
}

void wvm_instance_free(wvm_instance_t *inst)
{
    if (!inst)
        return;
    wvm_module_t *m = inst->mod;
    for (uint32_t i = 0; i < m->ntables; i++)
        table_unref(inst->tables[i]);
    memory_unref(inst->mem);
    for (uint32_t i = 0; i < m->nglobals; i++)
        if (inst->globals[i] && --inst->globals[i]->refs == 0)
            free(inst->globals[i]);
    for (uint32_t i = 0; i < m->nelems; i++)
        free(inst->elem_refs[i]);
    if (inst->stack)
        munmap(inst->stack, ((size_t)inst->lim.max_stack_slots + 2) * sizeof(wvm_slot_t));
    free(inst->funcs), free(inst->own_funcs), free(inst->tables), free(inst->globals);
    free(inst->elem_refs), free(inst->elem_len), free(inst->data_len), free(inst->type_ids);
    free(inst->frames);
    free(inst);
}

static const wvm_export_t *find_export(wvm_instance_t *inst, const char *name, uint8_t kind)
{
    for (uint32_t i = 0; i < inst->mod->nexports; i++)
        if (inst->mod->exports[i].kind == kind && !strcmp(inst->mod->exports[i].name, name) &&
            inst->mod->exports[i].name_len == strlen(name))
            return &inst->mod->exports[i];
    return NULL;
}

static int finish(wvm_instance_t *inst, int rc, wvm_value_t *results, size_t maxres)
{
    if (rc == WVM_OK) {
        size_t n = BASE_MIN(maxres, inst->call_result_slots);
        if (n)
            memcpy(results, inst->stack, n * sizeof *results);
    }
    return rc;
}

wvm_func_t *wvm_instance_export_func(wvm_instance_t *inst, const char *name, size_t len)
{
    for (uint32_t i = 0; i < inst->mod->nexports; i++) {
        const wvm_export_t *ex = &inst->mod->exports[i];
        if (ex->kind == WVM_EXT_FUNC && ex->name_len == len && !memcmp(ex->name, name, len))
            return inst->funcs[ex->idx];
    }
    return NULL;
}

const char *wvm_func_sig(const wvm_func_t *f) { return f->type->sig; }

int wvm_instance_call(wvm_instance_t *inst, const char *name, const wvm_value_t *args,
                      size_t nargs, wvm_value_t *results, size_t maxres)
{
    wvm_func_t *f = wvm_instance_export_func(inst, name, strlen(name));
    if (!f)
        return WVM_ERROR;
    return wvm_instance_call_func(inst, f, args, nargs, results, maxres);
}

int wvm_instance_call_func(wvm_instance_t *inst, wvm_func_t *f, const wvm_value_t *args,
                           size_t nargs, wvm_value_t *results, size_t maxres)
{
    if (inst->paused || inst->running)
        return WVM_ERROR;
    if (nargs != f->type->param_slots)
        return WVM_ERROR;
    if (nargs)
        memcpy(inst->stack, args, nargs * sizeof *args);
    inst->call_result_slots = f->type->result_slots;
    return finish(inst, wvm_interp_call(inst, f), results, maxres);
}

int wvm_instance_resume(wvm_instance_t *inst, wvm_value_t *results, size_t maxres)
{
    if (!inst->paused)
        return WVM_ERROR;
    inst->paused = false;
    return finish(inst, wvm_interp_run(inst), results, maxres);
}

const char *wvm_instance_export_sig(wvm_instance_t *inst, const char *name)
{
    wvm_func_t *f = wvm_instance_export_func(inst, name, strlen(name));
    return f ? f->type->sig : NULL;
}

int wvm_instance_global_get(wvm_instance_t *inst, const char *name, wvm_value_t *v, char *type)
{
    const wvm_export_t *ex = find_export(inst, name, WVM_EXT_GLOBAL);
    if (!ex)
        return -1;
    wvm_global_t *g = inst->globals[ex->idx];
    v[0] = g->v[0];
    if (g->type == WVM_V128)
        v[1] = g->v[1];
    if (type)
        *type = type_letter(g->type);
    return 0;
}

void wvm_instance_set_fuel(wvm_instance_t *inst, int64_t fuel) { inst->fuel = fuel; }
int64_t wvm_instance_fuel(const wvm_instance_t *inst) { return inst->fuel; }
void wvm_instance_interrupt(wvm_instance_t *inst) { atomic_store(&inst->interrupt, 1); }
const char *wvm_instance_trap(const wvm_instance_t *inst) { return inst->trap; }
int wvm_instance_exit_code(const wvm_instance_t *inst) { return inst->exit_code; }
void wvm_instance_set_user(wvm_instance_t *inst, void *user) { inst->user = user; }
void *wvm_instance_user(const wvm_instance_t *inst) { return inst->user; }

uint8_t *wvm_instance_memory(wvm_instance_t *inst, uint64_t *size)
{
    if (size)
        *size = inst->mem ? inst->mem->size : 0;
    return inst->mem ? inst->mem->base : NULL;
}

int wvm_memory_read(wvm_instance_t *inst, uint64_t addr, void *dst, size_t n)
{
    if (!inst->mem || addr > inst->mem->size || n > inst->mem->size - addr)
        return -1;
    if (n)
        memcpy(dst, inst->mem->base + addr, n);
    return 0;
}

int wvm_memory_write(wvm_instance_t *inst, uint64_t addr, const void *src, size_t n)
{
    if (!inst->mem || addr > inst->mem->size || n > inst->mem->size - addr)
        return -1;
    if (n)
        memcpy(inst->mem->base + addr, src, n);
    return 0;
}

int wvm_host_trap(wvm_instance_t *inst, const char *name)
{
    inst->trap = name ? name : WVM_TRAP_HOST;
    return -1;
}

int wvm_host_exit(wvm_instance_t *inst, int code)
{
    inst->trap = NULL;
    inst->exit_code = code;
    return -1;
}

size_t wvm_module_export_count(const wvm_module_t *m) { return m->nexports; }

const char *wvm_module_export_name(const wvm_module_t *m, size_t i, int *kind)
{
    if (i >= m->nexports)
        return NULL;
    if (kind)
        *kind = m->exports[i].kind;
    return m->exports[i].name;
}

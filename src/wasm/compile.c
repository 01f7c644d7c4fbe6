/* compile.c — validates one function body and compiles it, in the same pass, to the
 * internal slot-addressed code (see wasm_int.h and docs/wasm.md).
 *
 * The validator follows the spec appendix algorithm (operand stack of types, control
 * stack, polymorphic stack after unconditional branches). Each operand-stack entry also
 * has a home slot (its fixed frame position) and a location: where its value is now.
 * local.get pushes an entry whose location is the local's slot, so no copy is made; such
 * aliases are copied home ("materialized") before anything writes that local and at every
 * control boundary. A local.set right after an instruction that produced the value
 * rewrites that instruction's destination to the local. Branch offsets to labels not yet
 * bound are chained through the offset cells and patched at `end`.
 * Layer: wasm, used by decode.c. */
#include "wasm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_ANY 0 /* unknown type, from the polymorphic stack */

enum { K_BLOCK, K_LOOP, K_IF, K_ELSE, K_FUNC };

typedef struct ventry {
    uint8_t type;
    bool k;      /* a constant not yet written to its home slot */
    uint32_t home, loc;
    uint64_t kv; /* the constant's bits */
} ventry_t;

typedef struct ctrl {
    uint8_t kind, single;
    const wvm_functype_t *ft; /* block type from the type section, or NULL */
    uint32_t np, nr;
    uint32_t height, slot; /* operand stack height and slot height at entry */
    bool unreachable, dead;
    uint32_t loop_pc, cost_cell, patch, else_cell, instr_start;
} ctrl_t;

typedef struct cctx {
    wvm_module_t *m;
    wvm_reader_t r;
    char *err;
    size_t errlen;
    bool failed;
    uint8_t *ltypes;
    uint32_t *lslot;
    uint32_t nlocals;
    ventry_t *stk;
    uint32_t nstk, capstk;
    ctrl_t *ctl;
    uint32_t nctl, capctl;
    uint32_t sh, max_sh;
    uint32_t *code;
    uint32_t ncode, capcode;
    uint32_t last_dst;
    int last_wop;          /* internal opcode of the last instruction emitted */
    uint32_t last_op_pos;  /* its first cell */
    uint32_t cmp_end;      /* end of the last i32 compare emitted (for branch fusion) */
    uint32_t addimm_end;   /* end of the last i32.add with immediate (folded into loads) */
    uint32_t add_end;      /* end of the last i32.add of two slots (folded into loads) */
    uint32_t ninstr;
} cctx_t;

/* Opcode maps, filled once by init_numtab(): immediate variant, fused compare-branch, and
 * the inverse comparison. */
static int16_t imm_of[WOP_COUNT], brfuse_of[WOP_COUNT], inverse_of[WOP_COUNT], rr_of[WOP_COUNT];

static bool fusable(cctx_t *c, const struct ventry *cond);
static void fuse_branch(cctx_t *c, bool invert);

static bool verr(cctx_t *c, const char *msg)
{
    if (!c->failed)
        snprintf(c->err, c->errlen, "invalid: %s", msg);
    c->failed = true;
    return false;
}

static bool merr(cctx_t *c, const char *msg)
{
    if (!c->failed)
        snprintf(c->err, c->errlen, "malformed: %s", msg);
    c->failed = true;
    return false;
}

uint32_t wvm_type_slots(uint8_t t) { return t == WVM_V128 ? 2 : 1; }

static ctrl_t *top(cctx_t *c) { return &c->ctl[c->nctl - 1]; }
static bool live(cctx_t *c) { return !top(c)->unreachable && !top(c)->dead; }

static uint8_t ctrl_param(const ctrl_t *f, uint32_t i) { return f->ft->types[i]; }
static uint8_t ctrl_result(const ctrl_t *f, uint32_t i)
{
    return f->ft ? f->ft->types[f->ft->nparams + i] : f->single;
}
static uint32_t label_arity(const ctrl_t *f) { return f->kind == K_LOOP ? f->np : f->nr; }
static uint8_t label_type(const ctrl_t *f, uint32_t i)
{
    return f->kind == K_LOOP ? ctrl_param(f, i) : ctrl_result(f, i);
}

/* ---- code emission ---------------------------------------------------------------------- */
static void emit(cctx_t *c, uint32_t v)
{
    if (!live(c))
        return;
    if (c->ncode == c->capcode) {
        c->capcode = c->capcode ? c->capcode * 2 : 256;
        c->code = base_xrealloc(c->code, c->capcode * sizeof *c->code);
    }
    c->code[c->ncode++] = v;
}

static void emit_op(cctx_t *c, int op)
{
    c->last_dst = 0;
    c->last_wop = op;
    c->last_op_pos = c->ncode;
    emit(c, (uint32_t)wvm_op_off[op]);
}

static void emit_const(cctx_t *c, uint8_t type, uint32_t d, uint64_t v)
{
    bool wide = type != WVM_I32 && type != WVM_F32;
    emit_op(c, wide ? WOP_CONST64 : WOP_CONST32);
    emit(c, d);
    emit(c, (uint32_t)v);
    if (wide)
        emit(c, (uint32_t)(v >> 32));
}

/* ---- operand stack ---------------------------------------------------------------------- */
static uint32_t push(cctx_t *c, uint8_t type)
{
    if (c->nstk == c->capstk) {
        c->capstk = c->capstk ? c->capstk * 2 : 64;
        c->stk = base_xrealloc(c->stk, c->capstk * sizeof *c->stk);
    }
    uint32_t home = c->sh;
    c->stk[c->nstk++] = (ventry_t){type, false, home, home, 0};
    c->sh += wvm_type_slots(type);
    if (c->sh > c->max_sh)
        c->max_sh = c->sh;
    return home;
}

/* Pushes a value produced by the instruction just emitted, whose dest cell is `cell`. */
static void push_result(cctx_t *c, uint8_t type, uint32_t cell)
{
    push(c, type);
    if (live(c))
        c->last_dst = cell;
}

/* Pops an operand; a pending constant stays pending (the caller may use it as an
 * immediate, or must call use()). */
static bool pop_k(cctx_t *c, uint8_t expect, ventry_t *out)
{
    ctrl_t *f = top(c);
    if (c->nstk == f->height) {
        if (!f->unreachable)
            return verr(c, "type mismatch");
        *out = (ventry_t){T_ANY, false, c->sh, c->sh, 0};
        return true;
    }
    ventry_t e = c->stk[--c->nstk];
    if (expect != T_ANY && e.type != T_ANY && e.type != expect)
        return verr(c, "type mismatch");
    c->sh = e.home;
    *out = e;
    return true;
}

/* Writes a pending constant to its home slot; returns where the value is. */
static uint32_t use(cctx_t *c, ventry_t *e)
{
    if (e->k) {
        emit_const(c, e->type, e->home, e->kv);
        e->k = false;
        e->loc = e->home;
    }
    return e->loc;
}

static bool pop(cctx_t *c, uint8_t expect, ventry_t *out)
{
    if (!pop_k(c, expect, out))
        return false;
    use(c, out);
    return true;
}

static void emit_mov(cctx_t *c, uint8_t type, uint32_t d, uint32_t a)
{
    emit_op(c, type == WVM_V128 ? WOP_MOV128 : WOP_MOV);
    emit(c, d);
    emit(c, a);
}

static void materialize_all(cctx_t *c)
{
    for (uint32_t i = 0; i < c->nstk; i++) {
        ventry_t *e = &c->stk[i];
        if (e->k) {
            use(c, e);
        } else if (e->loc != e->home) {
            emit_mov(c, e->type, e->home, e->loc);
            e->loc = e->home;
        }
    }
    c->last_dst = 0;
}

static bool aliased(cctx_t *c, uint32_t slot)
{
    for (uint32_t i = 0; i < c->nstk; i++)
        if (!c->stk[i].k && c->stk[i].loc == slot && c->stk[i].home != slot)
            return true;
    return false;
}

static void materialize_slot(cctx_t *c, uint32_t slot)
{
    for (uint32_t i = 0; i < c->nstk; i++) {
        ventry_t *e = &c->stk[i];
        if (!e->k && e->loc == slot && e->home != slot) {
            emit_mov(c, e->type, e->home, e->loc);
            e->loc = e->home;
        }
    }
}

/* ---- control stack ---------------------------------------------------------------------- */
static ctrl_t *push_ctrl(cctx_t *c, uint8_t kind)
{
    if (c->nctl >= WVM_MAX_BLOCK_DEPTH) {
        verr(c, "blocks nested too deeply (named limit)");
        return NULL;
    }
    bool dead = c->nctl ? !live(c) : false;
    if (c->nctl == c->capctl) {
        c->capctl = c->capctl ? c->capctl * 2 : 16;
        c->ctl = base_xrealloc(c->ctl, c->capctl * sizeof *c->ctl);
    }
    ctrl_t *f = &c->ctl[c->nctl++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->dead = dead;
    f->instr_start = c->ninstr;
    return f;
}

static void set_unreachable(cctx_t *c)
{
    ctrl_t *f = top(c);
    c->nstk = f->height;
    c->sh = f->slot;
    f->unreachable = true;
    c->last_dst = 0;
}

static void patch_chain(cctx_t *c, uint32_t head, uint32_t target)
{
    while (head) {
        uint32_t next = c->code[head];
        c->code[head] = target - head;
        head = next;
    }
}

/* Emits the offset cell of a branch to control frame `t`. */
static void emit_target(cctx_t *c, ctrl_t *t)
{
    if (!live(c))
        return;
    if (t->kind == K_LOOP) {
        emit(c, t->loop_pc - c->ncode);
    } else {
        uint32_t cell = c->ncode;
        emit(c, t->patch);
        t->patch = cell;
    }
}

static bool read_blocktype(cctx_t *c, ctrl_t *f)
{
    if (c->r.p >= c->r.end)
        return merr(c, "unexpected end");
    uint8_t b = *c->r.p;
    if (b == 0x40) {
        c->r.p++;
        return true;
    }
    if (wvm_is_valtype(b)) {
        c->r.p++;
        f->single = b;
        f->nr = 1;
        return true;
    }
    int64_t idx = wvm_rd_s33(&c->r);
    if (c->r.err)
        return merr(c, c->r.err);
    if (idx < 0 || idx >= c->m->ntypes)
        return verr(c, "unknown type");
    f->ft = c->m->types[idx];
    f->np = f->ft->nparams;
    f->nr = f->ft->nresults;
    return true;
}

/* Pops the label types of `t` (for a branch), returning the home of the first value. */
static bool pop_label(cctx_t *c, ctrl_t *t, uint32_t *src, uint32_t *nslots)
{
    uint32_t n = label_arity(t), slots = 0;
    ventry_t e;
    for (uint32_t i = n; i-- > 0;) {
        if (!pop(c, label_type(t, i), &e))
            return false;
        slots += wvm_type_slots(label_type(t, i));
    }
    *src = c->sh;
    *nslots = slots;
    return true;
}

static void push_label(cctx_t *c, ctrl_t *t)
{
    for (uint32_t i = 0; i < label_arity(t); i++)
        push(c, label_type(t, i));
}

static bool op_br(cctx_t *c, uint32_t depth, bool cond)
{
    ventry_t ce = {0};
    if (depth >= c->nctl)
        return verr(c, "unknown label");
    if (cond && !pop(c, WVM_I32, &ce))
        return false;
    bool fuse = cond && fusable(c, &ce);
    materialize_all(c);
    ctrl_t *t = &c->ctl[c->nctl - 1 - depth];
    uint32_t src, n;
    if (!pop_label(c, t, &src, &n))
        return false;
    bool copy = n && src != t->slot;
    if (fuse && !copy && c->cmp_end == c->ncode) {
        fuse_branch(c, false);
        emit_target(c, t);
        push_label(c, t);
        return true;
    }
    if (cond) {
        emit_op(c, copy ? WOP_BR_IF_COPY : WOP_BR_IF);
        emit(c, ce.loc);
    } else {
        emit_op(c, copy ? WOP_BR_COPY : WOP_BR);
    }
    if (copy) {
        emit(c, n);
        emit(c, src);
        emit(c, t->slot);
    }
    emit_target(c, t);
    if (cond)
        push_label(c, t);
    else
        set_unreachable(c);
    return true;
}

static bool op_br_table(cctx_t *c)
{
    ventry_t ie;
    uint32_t count = wvm_rd_u32(&c->r);
    if (c->r.err)
        return merr(c, c->r.err);
    if (count > WVM_MAX_BR_TABLE || count > (size_t)(c->r.end - c->r.p))
        return merr(c, "unexpected end");
    uint32_t *labels = base_xmalloc((count + 1) * sizeof *labels);
    bool ok = false;
    for (uint32_t i = 0; i <= count; i++)
        labels[i] = wvm_rd_u32(&c->r);
    if (c->r.err) {
        merr(c, c->r.err);
        goto out;
    }
    if (!pop(c, WVM_I32, &ie))
        goto out;
    materialize_all(c);
    if (labels[count] >= c->nctl) {
        verr(c, "unknown label");
        goto out;
    }
    ctrl_t *dflt = &c->ctl[c->nctl - 1 - labels[count]];
    uint32_t arity = label_arity(dflt), src = 0, n = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (labels[i] >= c->nctl) {
            verr(c, "unknown label");
            goto out;
        }
        ctrl_t *t = &c->ctl[c->nctl - 1 - labels[i]];
        if (label_arity(t) != arity) {
            verr(c, "type mismatch");
            goto out;
        }
        /* pop and re-push with this label's types (checks them against the stack) */
        uint32_t save_n = c->nstk;
        ventry_t saved[16];
        ventry_t *keep = arity <= 16 ? saved : base_xmalloc(arity * sizeof *keep);
        for (uint32_t k = arity; k-- > 0;)
            if (!pop(c, label_type(t, k), &keep[k])) {
                if (keep != saved)
                    free(keep);
                goto out;
            }
        for (uint32_t k = 0; k < arity; k++) {
            push(c, keep[k].type);
            c->stk[c->nstk - 1].loc = keep[k].loc;
        }
        (void)save_n;
        if (keep != saved)
            free(keep);
    }
    if (!pop_label(c, dflt, &src, &n))
        goto out;
    emit_op(c, WOP_BR_TABLE);
    emit(c, ie.loc);
    emit(c, count);
    emit(c, n);
    emit(c, src);
    for (uint32_t i = 0; i <= count; i++) {
        ctrl_t *t = &c->ctl[c->nctl - 1 - labels[i]];
        emit(c, t->slot);
        emit_target(c, t);
    }
    set_unreachable(c);
    ok = true;
out:
    free(labels);
    return ok;
}

static bool op_return(cctx_t *c)
{
    materialize_all(c);
    uint32_t src, n;
    if (!pop_label(c, &c->ctl[0], &src, &n))
        return false;
    emit_op(c, WOP_RETURN);
    emit(c, n);
    emit(c, src);
    set_unreachable(c);
    return true;
}

static bool op_end(cctx_t *c)
{
    ctrl_t *f = top(c);
    ventry_t e;
    materialize_all(c);
    for (uint32_t i = f->nr; i-- > 0;)
        if (!pop(c, ctrl_result(f, i), &e))
            return false;
    if (c->nstk != f->height)
        return verr(c, "type mismatch");
    if (f->kind == K_IF) {
        /* no else: the implicit else passes the params through as results */
        if (f->np != f->nr)
            return verr(c, "type mismatch");
        for (uint32_t i = 0; i < f->np; i++)
            if (ctrl_param(f, i) != ctrl_result(f, i))
                return verr(c, "type mismatch");
    }
    if (f->kind == K_FUNC) {
        uint32_t slots = 0;
        for (uint32_t i = 0; i < f->nr; i++)
            slots += wvm_type_slots(ctrl_result(f, i));
        /* branches to the function's label land on this return */
        if (f->patch)
            f->unreachable = false;
        patch_chain(c, f->patch, c->ncode);
        emit_op(c, WOP_RETURN);
        emit(c, slots);
        emit(c, f->slot);
        if (f->cost_cell)
            c->code[f->cost_cell] = c->ninstr;
        c->nctl--;
        return true;
    }
    if (f->kind == K_LOOP && f->cost_cell)
        c->code[f->cost_cell] = c->ninstr - f->instr_start;
    if (f->else_cell)
        c->code[f->else_cell] = c->ncode - f->else_cell;
    patch_chain(c, f->patch, c->ncode);
    ctrl_t done = *f;
    c->nctl--;
    c->sh = done.slot;
    for (uint32_t i = 0; i < done.nr; i++)
        push(c, ctrl_result(&done, i));
    c->last_dst = 0;
    return true;
}

static bool op_else(cctx_t *c)
{
    ctrl_t *f = top(c);
    ventry_t e;
    if (f->kind != K_IF)
        return merr(c, "else without if");
    materialize_all(c);
    for (uint32_t i = f->nr; i-- > 0;)
        if (!pop(c, ctrl_result(f, i), &e))
            return false;
    if (c->nstk != f->height)
        return verr(c, "type mismatch");
    emit_op(c, WOP_BR);
    emit_target(c, f);
    if (f->else_cell) {
        c->code[f->else_cell] = c->ncode - f->else_cell;
        f->else_cell = 0;
    }
    f->kind = K_ELSE;
    f->unreachable = false;
    c->nstk = f->height;
    c->sh = f->slot;
    for (uint32_t i = 0; i < f->np; i++)
        push(c, ctrl_param(f, i));
    c->last_dst = 0;
    return true;
}

/* ---- instruction groups ----------------------------------------------------------------- */
typedef struct numdesc {
    int16_t op;
    uint8_t arity, in, out;
} numdesc_t;

static numdesc_t numtab[256], sattab[8];

static void init_numtab(void)
{
#define NUM_ENTRY(code, name, ar, t, r)                                                        \
    if ((code) < 0x100)                                                                        \
        numtab[(code)&0xFF] = (numdesc_t){WOP_##name, ar, WVM_##t, WVM_##r};                   \
    else                                                                                       \
        sattab[(code)&0xFF] = (numdesc_t){WOP_##name, ar, WVM_##t, WVM_##r};
    WVM_NUMERIC_OPS(NUM_ENTRY)
#undef NUM_ENTRY
#define IMM_ENTRY(name) imm_of[WOP_##name] = WOP_##name##_IMM;
    WVM_IMM_OPS(IMM_ENTRY)
#undef IMM_ENTRY
#define CMP_ENTRY(name)                                                                        \
    brfuse_of[WOP_##name] = WOP_BR_##name;                                                     \
    brfuse_of[WOP_##name##_IMM] = WOP_BR_##name##_IMM;
    WVM_CMP_OPS(CMP_ENTRY)
#undef CMP_ENTRY
    brfuse_of[WOP_I32_EQZ] = WOP_BR_UNLESS;
#define RR_ENTRY(name) rr_of[WOP_##name] = WOP_##name##_RR;
    WVM_RR_OPS(RR_ENTRY)
#undef RR_ENTRY
    static const int16_t pairs[][2] = {
        {WOP_I32_EQ, WOP_I32_NE},     {WOP_I32_LT_S, WOP_I32_GE_S}, {WOP_I32_LT_U, WOP_I32_GE_U},
        {WOP_I32_GT_S, WOP_I32_LE_S}, {WOP_I32_GT_U, WOP_I32_LE_U},
    };
    for (size_t i = 0; i < BASE_ARRAY_LEN(pairs); i++) {
        int x = pairs[i][0], y = pairs[i][1];
        inverse_of[x] = (int16_t)y;
        inverse_of[y] = (int16_t)x;
        inverse_of[imm_of[x]] = imm_of[y];
        inverse_of[imm_of[y]] = imm_of[x];
    }
}

static bool fits_imm(uint8_t type, uint64_t v)
{
    return type == WVM_I32 || (int64_t)v == (int64_t)(int32_t)v;
}

static bool op_numeric(cctx_t *c, const numdesc_t *d)
{
    ventry_t a, b = {0};
    if (d->arity == 2) {
        if (!pop_k(c, d->in, &b))
            return false;
        if (b.k && imm_of[d->op] && fits_imm(d->in, b.kv)) {
            if (!pop(c, d->in, &a))
                return false;
            int op = imm_of[d->op];
            emit_op(c, op);
            uint32_t cell = c->ncode;
            emit(c, c->sh), emit(c, a.loc), emit(c, (uint32_t)b.kv);
            push_result(c, d->out, cell);
            if (brfuse_of[op])
                c->cmp_end = c->ncode;
            if (op == WOP_I32_ADD_IMM)
                c->addimm_end = c->ncode;
            return true;
        }
        use(c, &b);
    }
    if (!pop(c, d->in, &a))
        return false;
    emit_op(c, d->op);
    uint32_t cell = c->ncode;
    emit(c, c->sh);
    emit(c, a.loc);
    if (d->arity == 2)
        emit(c, b.loc);
    push_result(c, d->out, cell);
    if (brfuse_of[d->op])
        c->cmp_end = c->ncode;
    if (d->op == WOP_I32_ADD)
        c->add_end = c->ncode;
    return true;
}

/* Is the value `cond` the result of the i32 comparison just emitted? Then a branch on it
 * can replace that comparison (see fuse_branch). */
static bool fusable(cctx_t *c, const ventry_t *cond)
{
    return live(c) && c->last_dst && !cond->k && cond->loc == cond->home &&
           c->code[c->last_dst] == cond->home && c->cmp_end == c->ncode &&
           brfuse_of[c->last_wop];
}

/* Rewrites the comparison at last_op_pos into a compare-and-branch (inverted for `if`,
 * which branches when the condition is false). The caller emits the target cell. */
static void fuse_branch(cctx_t *c, bool invert)
{
    int cmp = c->last_wop;
    uint32_t pos = c->last_op_pos, a = c->code[pos + 2];
    uint32_t b = cmp == WOP_I32_EQZ ? 0 : c->code[pos + 3]; /* eqz has no second operand */
    c->ncode = pos;
    if (cmp == WOP_I32_EQZ) {
        emit_op(c, invert ? WOP_BR_IF : WOP_BR_UNLESS);
        emit(c, a);
        return;
    }
    emit_op(c, invert ? brfuse_of[inverse_of[cmp]] : brfuse_of[cmp]);
    emit(c, a);
    emit(c, b);
}

/* Value-preserving conversions: the slot already holds the right bits. */
static bool op_retype(cctx_t *c, uint8_t in, uint8_t out)
{
    ventry_t a;
    if (!pop(c, in, &a))
        return false;
    push(c, out);
    c->stk[c->nstk - 1].loc = a.loc;
    return true;
}

static bool memarg(cctx_t *c, uint32_t natural, uint32_t *offset)
{
    uint32_t align = wvm_rd_u32(&c->r);
    *offset = wvm_rd_u32(&c->r);
    if (c->r.err)
        return merr(c, c->r.err);
    if (!c->m->nmems)
        return verr(c, "unknown memory");
    if (align >= 32 || (1u << align) > natural)
        return verr(c, "alignment must not be larger than natural");
    return true;
}

/* Pops a memory address. If it was computed by the i32.add-immediate just emitted, that
 * instruction is dropped and its operand and immediate become the access's base and
 * pre-offset (the add wraps at 32 bits: ea = u32(base + pre) + offset, exactly as before). */
static bool pop_addr(cctx_t *c, uint32_t *base, uint32_t *pre, bool *rr)
{
    ventry_t a;
    if (!pop_k(c, WVM_I32, &a))
        return false;
    *pre = 0;
    *rr = false;
    if (live(c) && !a.k && a.loc == a.home && c->last_dst && c->code[c->last_dst] == a.home &&
        ((c->last_wop == WOP_I32_ADD_IMM && c->addimm_end == c->ncode) ||
         (c->last_wop == WOP_I32_ADD && c->add_end == c->ncode))) {
        uint32_t pos = c->last_op_pos;
        *rr = c->last_wop == WOP_I32_ADD; /* then `pre` is the second slot */
        *base = c->code[pos + 2];
        *pre = c->code[pos + 3];
        c->ncode = pos;
        c->last_dst = 0;
        return true;
    }
    *base = use(c, &a);
    return true;
}

static bool op_load(cctx_t *c, int op, uint8_t type, uint32_t natural)
{
    uint32_t off, base, pre;
    bool rr;
    if (!memarg(c, natural, &off) || !pop_addr(c, &base, &pre, &rr))
        return false;
    emit_op(c, rr ? rr_of[op] : op);
    uint32_t cell = c->ncode;
    emit(c, c->sh);
    emit(c, base);
    emit(c, off);
    emit(c, pre);
    push_result(c, type, cell);
    return true;
}

static bool op_store(cctx_t *c, int op, uint8_t type, uint32_t natural)
{
    uint32_t off, base, pre;
    bool rr;
    ventry_t v;
    if (!memarg(c, natural, &off) || !pop_k(c, type, &v))
        return false;
    bool kpath = v.k && (op != WOP_I64_STORE || fits_imm(WVM_I64, v.kv));
    /* a constant that needs a slot is written now, before the address is popped: writing
     * it after a folded i32.add would clobber that add's second operand */
    if (v.k && !kpath)
        use(c, &v);
    if (!pop_addr(c, &base, &pre, &rr))
        return false;
    if (kpath) {
        /* constant value: store it from the instruction */
        int kop = op == WOP_I32_STORE8 ? WOP_STORE8_K : op == WOP_I32_STORE16 ? WOP_STORE16_K
                  : op == WOP_I32_STORE ? WOP_STORE32_K : WOP_STORE64_K;
        emit_op(c, rr ? rr_of[kop] : kop);
        emit(c, base);
        emit(c, (uint32_t)v.kv);
        emit(c, off);
        emit(c, pre);
        return true;
    }
    uint32_t vl = use(c, &v);
    emit_op(c, rr ? rr_of[op] : op);
    emit(c, base);
    emit(c, vl);
    emit(c, off);
    emit(c, pre);
    return true;
}

static bool op_call(cctx_t *c, const wvm_functype_t *ft, int op, uint32_t a1, uint32_t a2,
                    bool indirect)
{
    ventry_t e, ie = {0};
    if (indirect && !pop(c, WVM_I32, &ie))
        return false;
    materialize_all(c);
    for (uint32_t i = ft->nparams; i-- > 0;)
        if (!pop(c, ft->types[i], &e))
            return false;
    emit_op(c, op);
    emit(c, a1);
    if (indirect) {
        emit(c, a2);
        emit(c, ie.loc);
    }
    emit(c, c->sh);
    for (uint32_t i = 0; i < ft->nresults; i++)
        push(c, ft->types[ft->nparams + i]);
    return true;
}

static bool zero_byte(cctx_t *c)
{
    uint8_t b = wvm_rd_byte(&c->r);
    if (c->r.err)
        return merr(c, c->r.err);
    if (b != 0)
        return merr(c, "zero byte expected");
    return true;
}

static bool check_table(cctx_t *c, uint32_t t)
{
    if (t >= c->m->ntables)
        return verr(c, "unknown table");
    return true;
}

static bool pop3(cctx_t *c, uint8_t t1, uint8_t t2, uint8_t t3, ventry_t *a, ventry_t *b,
                 ventry_t *d)
{
    return pop(c, t3, d) && pop(c, t2, b) && pop(c, t1, a);
}

static bool op_prefixed(cctx_t *c)
{
    uint32_t sub = wvm_rd_u32(&c->r);
    wvm_module_t *m = c->m;
    ventry_t a, b, d;
    if (c->r.err)
        return merr(c, c->r.err);
    if (sub < 8)
        return op_numeric(c, &sattab[sub]);
    switch (sub) {
    case 8: { /* memory.init */
        uint32_t seg = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (!zero_byte(c))
            return false;
        if (!m->nmems)
            return verr(c, "unknown memory");
        if (!m->has_datacount)
            return verr(c, "data count section required");
        if (seg >= m->ndatas)
            return verr(c, "unknown data segment");
        if (!pop3(c, WVM_I32, WVM_I32, WVM_I32, &a, &b, &d))
            return false;
        emit_op(c, WOP_MEMORY_INIT);
        emit(c, seg), emit(c, a.loc), emit(c, b.loc), emit(c, d.loc);
        return true;
    }
    case 9: {
        uint32_t seg = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (!m->has_datacount)
            return verr(c, "data count section required");
        if (seg >= m->ndatas)
            return verr(c, "unknown data segment");
        emit_op(c, WOP_DATA_DROP);
        emit(c, seg);
        return true;
    }
    case 10:
    case 11:
        if (!zero_byte(c) || (sub == 10 && !zero_byte(c)))
            return false;
        if (!m->nmems)
            return verr(c, "unknown memory");
        if (!pop3(c, WVM_I32, WVM_I32, WVM_I32, &a, &b, &d))
            return false;
        emit_op(c, sub == 10 ? WOP_MEMORY_COPY : WOP_MEMORY_FILL);
        emit(c, a.loc), emit(c, b.loc), emit(c, d.loc);
        return true;
    case 12: { /* table.init elem table */
        uint32_t seg = wvm_rd_u32(&c->r), t = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (!check_table(c, t))
            return false;
        if (seg >= m->nelems)
            return verr(c, "unknown elem segment");
        if (m->elems[seg].type != m->tables[t].elem)
            return verr(c, "type mismatch");
        if (!pop3(c, WVM_I32, WVM_I32, WVM_I32, &a, &b, &d))
            return false;
        emit_op(c, WOP_TABLE_INIT);
        emit(c, t), emit(c, seg), emit(c, a.loc), emit(c, b.loc), emit(c, d.loc);
        return true;
    }
    case 13: {
        uint32_t seg = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (seg >= m->nelems)
            return verr(c, "unknown elem segment");
        emit_op(c, WOP_ELEM_DROP);
        emit(c, seg);
        return true;
    }
    case 14: { /* table.copy dst src */
        uint32_t td = wvm_rd_u32(&c->r), ts = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (!check_table(c, td) || !check_table(c, ts))
            return false;
        if (m->tables[td].elem != m->tables[ts].elem)
            return verr(c, "type mismatch");
        if (!pop3(c, WVM_I32, WVM_I32, WVM_I32, &a, &b, &d))
            return false;
        emit_op(c, WOP_TABLE_COPY);
        emit(c, td), emit(c, ts), emit(c, a.loc), emit(c, b.loc), emit(c, d.loc);
        return true;
    }
    case 15: { /* table.grow: init n -> old */
        uint32_t t = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (!check_table(c, t))
            return false;
        if (!pop(c, WVM_I32, &b) || !pop(c, m->tables[t].elem, &a))
            return false;
        emit_op(c, WOP_TABLE_GROW);
        uint32_t cell = c->ncode;
        emit(c, c->sh), emit(c, t), emit(c, a.loc), emit(c, b.loc);
        push_result(c, WVM_I32, cell);
        return true;
    }
    case 16: {
        uint32_t t = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (!check_table(c, t))
            return false;
        emit_op(c, WOP_TABLE_SIZE);
        uint32_t cell = c->ncode;
        emit(c, c->sh), emit(c, t);
        push_result(c, WVM_I32, cell);
        return true;
    }
    case 17: {
        uint32_t t = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (!check_table(c, t))
            return false;
        if (!pop3(c, WVM_I32, m->tables[t].elem, WVM_I32, &a, &b, &d))
            return false;
        emit_op(c, WOP_TABLE_FILL);
        emit(c, t), emit(c, a.loc), emit(c, b.loc), emit(c, d.loc);
        return true;
    }
    default:
        return merr(c, "illegal opcode");
    }
}

static bool op_local(cctx_t *c, uint8_t op)
{
    uint32_t x = wvm_rd_u32(&c->r);
    ventry_t e;
    if (c->r.err)
        return merr(c, c->r.err);
    if (x >= c->nlocals)
        return verr(c, "unknown local");
    uint8_t t = c->ltypes[x];
    uint32_t slot = c->lslot[x];
    if (op == 0x20) {
        push(c, t);
        c->stk[c->nstk - 1].loc = slot;
        return true;
    }
    if (!pop_k(c, t, &e))
        return false;
    if (e.k) {
        materialize_slot(c, slot);
        emit_const(c, t, slot, e.kv);
    } else if (live(c) && c->last_dst && e.loc == e.home && c->code[c->last_dst] == e.home &&
               !aliased(c, slot)) {
        c->code[c->last_dst] = slot;
    } else {
        materialize_slot(c, slot);
        if (e.loc != slot)
            emit_mov(c, t, slot, e.loc);
    }
    c->last_dst = 0;
    if (op == 0x22) {
        push(c, t);
        c->stk[c->nstk - 1].loc = slot;
    }
    return true;
}

static bool op_global(cctx_t *c, uint8_t op)
{
    uint32_t x = wvm_rd_u32(&c->r);
    ventry_t e;
    if (c->r.err)
        return merr(c, c->r.err);
    if (x >= c->m->nglobals)
        return verr(c, "unknown global");
    uint8_t t = c->m->globals[x].type;
    bool wide = t == WVM_V128;
    if (op == 0x23) {
        emit_op(c, wide ? WOP_GLOBAL_GET128 : WOP_GLOBAL_GET);
        uint32_t cell = c->ncode;
        emit(c, c->sh), emit(c, x);
        push_result(c, t, cell);
        return true;
    }
    if (!c->m->globals[x].mut)
        return verr(c, "global is immutable");
    if (!pop(c, t, &e))
        return false;
    emit_op(c, wide ? WOP_GLOBAL_SET128 : WOP_GLOBAL_SET);
    emit(c, x), emit(c, e.loc);
    return true;
}

static bool op_select(cctx_t *c, bool typed)
{
    ventry_t cnd, a, b;
    uint8_t t = T_ANY;
    if (typed) {
        uint32_t n = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (n != 1)
            return verr(c, "invalid result arity");
        t = wvm_rd_byte(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (!wvm_is_valtype(t))
            return merr(c, "malformed value type");
    }
    if (!pop(c, WVM_I32, &cnd) || !pop(c, t, &b) || !pop(c, t, &a))
        return false;
    if (!typed) {
        if (a.type != T_ANY && b.type != T_ANY && a.type != b.type)
            return verr(c, "type mismatch");
        t = a.type != T_ANY ? a.type : b.type;
        if (wvm_is_reftype(t))
            return verr(c, "type mismatch");
    }
    emit_op(c, t == WVM_V128 ? WOP_SELECT128 : WOP_SELECT);
    uint32_t cell = c->ncode;
    emit(c, c->sh), emit(c, a.loc), emit(c, b.loc), emit(c, cnd.loc);
    push_result(c, t, cell);
    return true;
}

static bool op_const(cctx_t *c, uint8_t type, uint64_t v)
{
    push(c, type);
    c->stk[c->nstk - 1].k = true;
    c->stk[c->nstk - 1].kv = v;
    c->last_dst = 0;
    return true;
}

/* One instruction. Returns false on error; sets *done at the function's final end. */
static bool instr(cctx_t *c, bool *done)
{
    wvm_module_t *m = c->m;
    uint8_t op = wvm_rd_byte(&c->r);
    ventry_t a;
    if (c->r.err)
        return merr(c, c->r.err);
    c->ninstr++;
    if (numtab[op].arity)
        return op_numeric(c, &numtab[op]);
    switch (op) {
    case 0x00:
        emit_op(c, WOP_UNREACHABLE);
        set_unreachable(c);
        return true;
    case 0x01:
        return true;
    case 0x02:
    case 0x03:
    case 0x04: {
        ventry_t cnd = {0};
        uint32_t idx = c->nctl;
        ctrl_t tmp = {0};
        if (!read_blocktype(c, &tmp))
            return false;
        if (op == 0x04 && !pop(c, WVM_I32, &cnd))
            return false;
        bool fuse = op == 0x04 && fusable(c, &cnd);
        materialize_all(c);
        fuse = fuse && c->cmp_end == c->ncode;
        ctrl_t *f = push_ctrl(c, op == 0x02 ? K_BLOCK : op == 0x03 ? K_LOOP : K_IF);
        if (!f)
            return false;
        f->ft = tmp.ft, f->single = tmp.single, f->np = tmp.np, f->nr = tmp.nr;
        /* the params were pushed by the enclosing frame: pop them against it */
        c->nctl--;
        bool dead = f->dead;
        ventry_t e;
        for (uint32_t i = tmp.np; i-- > 0;)
            if (!pop(c, tmp.ft->types[i], &e))
                return false;
        c->nctl++;
        f = &c->ctl[idx];
        f->height = c->nstk;
        f->slot = c->sh;
        for (uint32_t i = 0; i < f->np; i++)
            push(c, ctrl_param(f, i));
        (void)dead;
        if (op == 0x03) {
            f->loop_pc = c->ncode;
            emit_op(c, WOP_LOOP);
            f->cost_cell = live(c) ? c->ncode : 0;
            emit(c, 0);
        } else if (op == 0x04) {
            c->nctl--;
            if (fuse) {
                fuse_branch(c, true);
            } else {
                emit_op(c, WOP_BR_UNLESS);
                emit(c, cnd.loc);
            }
            f->else_cell = live(c) ? c->ncode : 0;
            emit(c, 0);
            c->nctl++;
        }
        c->last_dst = 0;
        return true;
    }
    case 0x05:
        return op_else(c);
    case 0x0B:
        if (c->nctl == 1)
            *done = true;
        return op_end(c);
    case 0x0C:
    case 0x0D: {
        uint32_t depth = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        return op_br(c, depth, op == 0x0D);
    }
    case 0x0E:
        return op_br_table(c);
    case 0x0F:
        return op_return(c);
    case 0x10: {
        uint32_t f = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (f >= m->nfuncs)
            return verr(c, "unknown function");
        return op_call(c, m->types[m->func_types[f]], WOP_CALL, f, 0, false);
    }
    case 0x11: {
        uint32_t t = wvm_rd_u32(&c->r), tab = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (!check_table(c, tab))
            return false;
        if (t >= m->ntypes)
            return verr(c, "unknown type");
        if (m->tables[tab].elem != WVM_FUNCREF)
            return verr(c, "type mismatch");
        return op_call(c, m->types[t], WOP_CALL_INDIRECT, tab, t, true);
    }
    case 0x1A:
        c->last_dst = 0;
        return pop(c, T_ANY, &a);
    case 0x1B:
    case 0x1C:
        return op_select(c, op == 0x1C);
    case 0x20:
    case 0x21:
    case 0x22:
        return op_local(c, op);
    case 0x23:
    case 0x24:
        return op_global(c, op);
    case 0x25:
    case 0x26: {
        uint32_t t = wvm_rd_u32(&c->r);
        ventry_t v;
        if (c->r.err)
            return merr(c, c->r.err);
        if (!check_table(c, t))
            return false;
        uint8_t et = m->tables[t].elem;
        if (op == 0x25) {
            if (!pop(c, WVM_I32, &a))
                return false;
            emit_op(c, WOP_TABLE_GET);
            uint32_t cell = c->ncode;
            emit(c, c->sh), emit(c, t), emit(c, a.loc);
            push_result(c, et, cell);
            return true;
        }
        if (!pop(c, et, &v) || !pop(c, WVM_I32, &a))
            return false;
        emit_op(c, WOP_TABLE_SET);
        emit(c, t), emit(c, a.loc), emit(c, v.loc);
        return true;
    }
    case 0x28: return op_load(c, WOP_I32_LOAD, WVM_I32, 4);
    case 0x29: return op_load(c, WOP_I64_LOAD, WVM_I64, 8);
    case 0x2A: return op_load(c, WOP_I32_LOAD, WVM_F32, 4);
    case 0x2B: return op_load(c, WOP_I64_LOAD, WVM_F64, 8);
    case 0x2C: return op_load(c, WOP_I32_LOAD8_S, WVM_I32, 1);
    case 0x2D: return op_load(c, WOP_I32_LOAD8_U, WVM_I32, 1);
    case 0x2E: return op_load(c, WOP_I32_LOAD16_S, WVM_I32, 2);
    case 0x2F: return op_load(c, WOP_I32_LOAD16_U, WVM_I32, 2);
    case 0x30: return op_load(c, WOP_I64_LOAD8_S, WVM_I64, 1);
    case 0x31: return op_load(c, WOP_I64_LOAD8_U, WVM_I64, 1);
    case 0x32: return op_load(c, WOP_I64_LOAD16_S, WVM_I64, 2);
    case 0x33: return op_load(c, WOP_I64_LOAD16_U, WVM_I64, 2);
    case 0x34: return op_load(c, WOP_I64_LOAD32_S, WVM_I64, 4);
    case 0x35: return op_load(c, WOP_I64_LOAD32_U, WVM_I64, 4);
    case 0x36: return op_store(c, WOP_I32_STORE, WVM_I32, 4);
    case 0x37: return op_store(c, WOP_I64_STORE, WVM_I64, 8);
    case 0x38: return op_store(c, WOP_I32_STORE, WVM_F32, 4);
    case 0x39: return op_store(c, WOP_I64_STORE, WVM_F64, 8);
    case 0x3A: return op_store(c, WOP_I32_STORE8, WVM_I32, 1);
    case 0x3B: return op_store(c, WOP_I32_STORE16, WVM_I32, 2);
    case 0x3C: return op_store(c, WOP_I32_STORE8, WVM_I64, 1);
    case 0x3D: return op_store(c, WOP_I32_STORE16, WVM_I64, 2);
    case 0x3E: return op_store(c, WOP_I32_STORE, WVM_I64, 4);
    case 0x3F: {
        if (!zero_byte(c))
            return false;
        if (!m->nmems)
            return verr(c, "unknown memory");
        emit_op(c, WOP_MEMORY_SIZE);
        uint32_t cell = c->ncode;
        emit(c, c->sh);
        push_result(c, WVM_I32, cell);
        return true;
    }
    case 0x40: {
        if (!zero_byte(c))
            return false;
        if (!m->nmems)
            return verr(c, "unknown memory");
        if (!pop(c, WVM_I32, &a))
            return false;
        emit_op(c, WOP_MEMORY_GROW);
        uint32_t cell = c->ncode;
        emit(c, c->sh), emit(c, a.loc);
        push_result(c, WVM_I32, cell);
        return true;
    }
    case 0x41: {
        int32_t v = wvm_rd_s32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        return op_const(c, WVM_I32, (uint32_t)v);
    }
    case 0x42: {
        int64_t v = wvm_rd_s64(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        return op_const(c, WVM_I64, (uint64_t)v);
    }
    case 0x43:
    case 0x44: {
        const uint8_t *p = wvm_rd_bytes(&c->r, op == 0x43 ? 4 : 8);
        uint64_t v = 0;
        if (!p)
            return merr(c, c->r.err);
        memcpy(&v, p, op == 0x43 ? 4 : 8);
        return op_const(c, op == 0x43 ? WVM_F32 : WVM_F64, v);
    }
    case 0xA7: return op_retype(c, WVM_I64, WVM_I32);
    case 0xBC: return op_retype(c, WVM_F32, WVM_I32);
    case 0xBD: return op_retype(c, WVM_F64, WVM_I64);
    case 0xBE: return op_retype(c, WVM_I32, WVM_F32);
    case 0xBF: return op_retype(c, WVM_I64, WVM_F64);
    case 0xD0: {
        uint8_t t = wvm_rd_byte(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (!wvm_is_reftype(t))
            return merr(c, "malformed reference type");
        return op_const(c, t, 0);
    }
    case 0xD1: {
        if (!pop(c, T_ANY, &a))
            return false;
        if (a.type != T_ANY && !wvm_is_reftype(a.type))
            return verr(c, "type mismatch");
        emit_op(c, WOP_REF_IS_NULL);
        uint32_t cell = c->ncode;
        emit(c, c->sh), emit(c, a.loc);
        push_result(c, WVM_I32, cell);
        return true;
    }
    case 0xD2: {
        uint32_t f = wvm_rd_u32(&c->r);
        if (c->r.err)
            return merr(c, c->r.err);
        if (f >= m->nfuncs)
            return verr(c, "unknown function");
        if (!m->func_declared || !m->func_declared[f])
            return verr(c, "undeclared function reference");
        emit_op(c, WOP_REF_FUNC);
        uint32_t cell = c->ncode;
        emit(c, c->sh), emit(c, f);
        push_result(c, WVM_FUNCREF, cell);
        return true;
    }
    case 0xFC:
        return op_prefixed(c);
    case 0xFD:
        return wvm_simd_compile(c);
    default:
        return merr(c, "illegal opcode");
    }
}

void wvm_compile_init(void) { init_numtab(); }

/* ---- the interface for simd.c ------------------------------------------------------------ */
wvm_reader_t *wvm_cc_reader(wvm_cctx_t *c) { return &c->r; }

bool wvm_cc_fail(wvm_cctx_t *c, bool malformed, const char *msg)
{
    return malformed ? merr(c, msg) : verr(c, msg);
}

bool wvm_cc_pop(wvm_cctx_t *c, uint8_t type, uint32_t *loc)
{
    ventry_t e;
    if (!pop(c, type, &e))
        return false;
    *loc = e.loc;
    return true;
}

bool wvm_cc_memarg(wvm_cctx_t *c, uint32_t natural, uint32_t *offset)
{
    return memarg(c, natural, offset);
}

void wvm_cc_emit_simd(wvm_cctx_t *c, uint32_t sub, uint32_t a, uint32_t b, uint32_t cc,
                      const uint32_t imm[4], uint8_t out)
{
    emit_op(c, WOP_SIMD);
    emit(c, sub);
    emit(c, c->sh);
    emit(c, a), emit(c, b), emit(c, cc);
    for (int i = 0; i < 4; i++)
        emit(c, imm[i]);
    if (out)
        push(c, out);
}

int wvm_compile_func(wvm_module_t *m, uint32_t fi, const uint8_t *p, const uint8_t *end, char *err,
                     size_t errlen)
{
    cctx_t cc = {0}, *c = &cc;
    c->m = m;
    c->r = (wvm_reader_t){p, end, NULL};
    c->err = err;
    c->errlen = errlen;
    const wvm_functype_t *ft = m->types[m->func_types[m->nimported_funcs + fi]];
    wvm_code_t *code = &m->codes[fi];
    int rc = -1;

    /* locals: params first, then declared groups */
    uint32_t ngroups = wvm_rd_u32(&c->r);
    uint64_t total = ft->nparams;
    const uint8_t *save = c->r.p;
    for (uint32_t g = 0; g < ngroups && !c->r.err; g++) {
        total += wvm_rd_u32(&c->r);
        wvm_rd_byte(&c->r);
        if (total > WVM_MAX_LOCALS) {
            merr(c, "too many locals");
            goto out;
        }
    }
    if (c->r.err) {
        merr(c, c->r.err);
        goto out;
    }
    c->nlocals = (uint32_t)total;
    c->ltypes = base_xmalloc(total + 1);
    c->lslot = base_xmalloc((total + 1) * sizeof *c->lslot);
    uint32_t n = 0, slot = 0;
    for (uint32_t i = 0; i < ft->nparams; i++, n++) {
        c->ltypes[n] = ft->types[i];
        c->lslot[n] = slot;
        slot += wvm_type_slots(ft->types[i]);
    }
    code->param_slots = slot;
    c->r.p = save;
    for (uint32_t g = 0; g < ngroups; g++) {
        uint32_t cnt = wvm_rd_u32(&c->r);
        uint8_t t = wvm_rd_byte(&c->r);
        if (!wvm_is_valtype(t)) {
            merr(c, "malformed value type");
            goto out;
        }
        for (uint32_t k = 0; k < cnt; k++, n++) {
            c->ltypes[n] = t;
            c->lslot[n] = slot;
            slot += wvm_type_slots(t);
        }
    }
    code->local_slots = slot - code->param_slots;
    c->sh = c->max_sh = slot;

    ctrl_t *f = push_ctrl(c, K_FUNC);
    f->ft = ft;
    f->np = 0; /* params are locals, not operands */
    f->nr = ft->nresults;
    f->height = 0;
    f->slot = slot;
    /* ctrl_result reads ft->types[nparams + i]: correct for the function type */
    emit_op(c, WOP_ENTRY);
    f->cost_cell = c->ncode;
    emit(c, 0);

    bool done = false;
    while (!done) {
        if (c->r.p >= c->r.end) {
            merr(c, "unexpected end of section or function");
            goto out;
        }
        if (!instr(c, &done))
            goto out;
        if (c->max_sh > WVM_MAX_FUNC_SLOTS) {
            verr(c, "function frame too large (named limit)");
            goto out;
        }
    }
    if (c->r.p != c->r.end) {
        merr(c, "section size mismatch");
        goto out;
    }
    code->cells = c->code;
    code->ncells = c->ncode;
    code->frame_slots = c->max_sh;
    code->body = p;
    code->body_len = (uint32_t)(end - p);
    c->code = NULL;
    rc = 0;
out:
    free(c->code), free(c->stk), free(c->ctl), free(c->ltypes), free(c->lslot);
    return rc;
}

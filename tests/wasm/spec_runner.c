/* spec_runner.c — runs the WebAssembly core spec tests converted by wast2json against
 * Harv's interpreter. Usage: wasm_spec_runner FILE.json...; prints "NAME: N passed, N
 * failed" per file and "total: N passed, N failed"; exit status 1 on any failure.
 * Executes module, register, action, assert_return (nan:canonical / nan:arithmetic),
 * assert_trap, assert_exhaustion, assert_invalid, assert_malformed (binary),
 * assert_unlinkable and assert_uninstantiable against a `spectest` host module. Text
 * modules (assert_malformed module_type "text") are counted as skipped. */
#include <harv/wasm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small JSON reader (wast2json's output is regular) -------------------------------- */
enum { J_NULL, J_STR, J_NUM, J_ARR, J_OBJ, J_BOOL };
typedef struct jnode jnode_t;
struct jnode {
    int type;
    char *str; /* J_STR / J_NUM text */
    size_t len;
    jnode_t **items;
    char **keys; /* J_OBJ */
    int n;
};

static const char *jp;

static void jws(void)
{
    while (*jp == ' ' || *jp == '\n' || *jp == '\r' || *jp == '\t')
        jp++;
}

static size_t jlen;

static char *jstring(void)
{
    jp++; /* opening quote */
    size_t cap = 16, n = 0;
    char *s = malloc(cap);
    while (*jp && *jp != '"') {
        char ch = *jp++;
        if (ch == '\\') {
            ch = *jp++;
            if (ch == 'n')
                ch = '\n';
            else if (ch == 't')
                ch = '\t';
            else if (ch == 'u') {
                unsigned v = 0;
                sscanf(jp, "%4x", &v);
                jp += 4;
                /* encode as UTF-8 (BMP only; enough for names) */
                if (n + 4 >= cap)
                    s = realloc(s, cap *= 2);
                if (v < 0x80) {
                    s[n++] = (char)v;
                } else if (v < 0x800) {
                    s[n++] = (char)(0xC0 | (v >> 6));
                    s[n++] = (char)(0x80 | (v & 0x3F));
                } else {
                    s[n++] = (char)(0xE0 | (v >> 12));
                    s[n++] = (char)(0x80 | ((v >> 6) & 0x3F));
                    s[n++] = (char)(0x80 | (v & 0x3F));
                }
                continue;
            }
        }
        if (n + 2 >= cap)
            s = realloc(s, cap *= 2);
        s[n++] = ch;
    }
    if (*jp)
        jp++;
    s[n] = 0;
    jlen = n;
    return s;
}

static jnode_t *jvalue(void)
{
    jws();
    jnode_t *nd = calloc(1, sizeof *nd);
    if (*jp == '{' || *jp == '[') {
        char close = *jp == '{' ? '}' : ']';
        nd->type = *jp == '{' ? J_OBJ : J_ARR;
        jp++;
        jws();
        while (*jp && *jp != close) {
            char *key = NULL;
            if (nd->type == J_OBJ) {
                key = jstring();
                jws();
                jp++; /* : */
            }
            jnode_t *v = jvalue();
            nd->items = realloc(nd->items, (nd->n + 1) * sizeof *nd->items);
            nd->keys = realloc(nd->keys, (nd->n + 1) * sizeof *nd->keys);
            nd->items[nd->n] = v;
            nd->keys[nd->n++] = key;
            jws();
            if (*jp == ',')
                jp++;
            jws();
        }
        if (*jp)
            jp++;
    } else if (*jp == '"') {
        nd->type = J_STR;
        nd->str = jstring();
        nd->len = jlen;
    } else {
        const char *s = jp;
        while (*jp && !strchr(",]} \n\r\t", *jp))
            jp++;
        nd->type = (*s == 'n') ? J_NULL : (*s == 't' || *s == 'f') ? J_BOOL : J_NUM;
        nd->str = strndup(s, (size_t)(jp - s));
    }
    return nd;
}

static void jfree(jnode_t *nd)
{
    if (!nd)
        return;
    for (int i = 0; i < nd->n; i++) {
        jfree(nd->items[i]);
        free(nd->keys[i]);
    }
    free(nd->items), free(nd->keys), free(nd->str), free(nd);
}

static jnode_t *jget(jnode_t *o, const char *key)
{
    if (!o || o->type != J_OBJ)
        return NULL;
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->keys[i], key))
            return o->items[i];
    return NULL;
}

static const char *jstr(jnode_t *o, const char *key)
{
    jnode_t *v = jget(o, key);
    return v && (v->type == J_STR || v->type == J_NUM) ? v->str : NULL;
}

/* ---- spectest host module --------------------------------------------------------------- */
static int host_print(wvm_instance_t *inst, const wvm_value_t *a, wvm_value_t *r, void *u)
{
    return 0;
}

static void define_spectest(wvm_engine_t *e)
{
    static const struct {
        const char *name, *sig;
    } prints[] = {{"print", ":"},          {"print_i32", "i:"},      {"print_i64", "I:"},
                  {"print_f32", "f:"},     {"print_f64", "F:"},      {"print_i32_f32", "if:"},
                  {"print_f64_f64", "FF:"}};
    for (size_t i = 0; i < sizeof prints / sizeof prints[0]; i++)
        wvm_engine_define_func(e, "spectest", prints[i].name, prints[i].sig, host_print, NULL);
    wvm_value_t v = {0};
    v.i32 = 666;
    wvm_engine_define_global(e, "spectest", "global_i32", 'i', false, v);
    v.i64 = 666;
    wvm_engine_define_global(e, "spectest", "global_i64", 'I', false, v);
    v.u64 = 0;
    v.f32 = 666.6f;
    wvm_engine_define_global(e, "spectest", "global_f32", 'f', false, v);
    v.f64 = 666.6;
    wvm_engine_define_global(e, "spectest", "global_f64", 'F', false, v);
    wvm_engine_define_table(e, "spectest", "table", 10, 20);
    wvm_engine_define_memory(e, "spectest", "memory", 1, 2);
}

/* ---- the runner ------------------------------------------------------------------------- */
typedef struct named {
    char *name;
    wvm_instance_t *inst;
} named_t;

typedef struct runner {
    wvm_engine_t *engine;
    wvm_module_t **mods;
    wvm_instance_t **insts;
    int nmods, ninsts;
    named_t *names;
    int nnames;
    wvm_instance_t *current;
    const char *last_sig; /* signature of the last function invoked */
    const char *dir;
    const char *file;
    int passed, failed, skipped;
    bool verbose;
} runner_t;

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void fail(runner_t *r, jnode_t *cmd, const char *fmt, const char *detail)
{
    r->failed++;
    const char *line = jstr(cmd, "line");
    fprintf(stderr, "  FAIL %s:%s %s: ", r->file, line ? line : "?", jstr(cmd, "type"));
    fprintf(stderr, fmt, detail ? detail : "");
    fputc('\n', stderr);
}

/* Loads a module; returns NULL with err set. */
static wvm_module_t *load(runner_t *r, const char *filename, char *err, size_t errlen)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", r->dir, filename);
    uint8_t *bytes = read_file(path, &len);
    if (!bytes) {
        snprintf(err, errlen, "cannot read %.400s", filename);
        return NULL;
    }
    wvm_module_t *m = wvm_module_load(r->engine, bytes, len, err, errlen);
    free(bytes);
    if (m) {
        r->mods = realloc(r->mods, (r->nmods + 1) * sizeof *r->mods);
        r->mods[r->nmods++] = m;
    }
    return m;
}

static void keep_instance(runner_t *r, wvm_instance_t *inst)
{
    r->insts = realloc(r->insts, (r->ninsts + 1) * sizeof *r->insts);
    r->insts[r->ninsts++] = inst;
}

static wvm_instance_t *find_instance(runner_t *r, const char *name)
{
    if (!name)
        return r->current;
    for (int i = r->nnames; i-- > 0;)
        if (!strcmp(r->names[i].name, name))
            return r->names[i].inst;
    return NULL;
}

/* v128 lanes: lane_type and an array of lane strings, into 16 bytes. */
static int lane_bits(const char *lt)
{
    if (!strcmp(lt, "i8"))
        return 8;
    if (!strcmp(lt, "i16"))
        return 16;
    return (!strcmp(lt, "i32") || !strcmp(lt, "f32")) ? 32 : 64;
}

static bool parse_v128(jnode_t *v, uint8_t out[16])
{
    const char *lt = jstr(v, "lane_type");
    jnode_t *vals = jget(v, "value");
    if (!lt || !vals || vals->type != J_ARR)
        return false;
    int bits = lane_bits(lt), n = 128 / bits;
    if (vals->n != n)
        return false;
    for (int i = 0; i < n; i++) {
        uint64_t x = strtoull(vals->items[i]->str, NULL, 10);
        memcpy(out + i * (bits / 8), &x, (size_t)bits / 8);
    }
    return true;
}

static bool parse_value(jnode_t *v, wvm_value_t *out)
{
    const char *type = jstr(v, "type"), *val = jstr(v, "value");
    out->u64 = 0;
    if (!type)
        return false;
    if (!strcmp(type, "externref") || !strcmp(type, "funcref")) {
        if (!val || !strcmp(val, "null"))
            out->ref = NULL;
        else
            out->u64 = strtoull(val, NULL, 10) + 1;
        return true;
    }
    if (!strcmp(type, "v128"))
        return parse_v128(v, (uint8_t *)out);
    if (!val)
        return false;
    out->u64 = strtoull(val, NULL, 10);
    return true;
}

static bool match_f32(const char *val, uint32_t b)
{
    if (!strcmp(val, "nan:canonical"))
        return (b & 0x7FFFFFFFu) == 0x7FC00000u;
    if (!strcmp(val, "nan:arithmetic"))
        return (b & 0x7FC00000u) == 0x7FC00000u;
    return b == (uint32_t)strtoull(val, NULL, 10);
}

static bool match_f64(const char *val, uint64_t b)
{
    if (!strcmp(val, "nan:canonical"))
        return (b & 0x7FFFFFFFFFFFFFFFull) == 0x7FF8000000000000ull;
    if (!strcmp(val, "nan:arithmetic"))
        return (b & 0x7FF8000000000000ull) == 0x7FF8000000000000ull;
    return b == strtoull(val, NULL, 10);
}

/* Compares a v128 result lane by lane (float lanes may be NaN classes). */
static bool match_v128(jnode_t *exp, const uint8_t got[16])
{
    const char *lt = jstr(exp, "lane_type");
    jnode_t *vals = jget(exp, "value");
    if (!lt || !vals || vals->type != J_ARR)
        return false;
    int bits = lane_bits(lt), n = 128 / bits;
    if (vals->n != n)
        return false;
    for (int i = 0; i < n; i++) {
        const char *ls = vals->items[i]->str;
        uint64_t g = 0;
        memcpy(&g, got + i * (bits / 8), (size_t)bits / 8);
        if (!strcmp(lt, "f32")) {
            if (!match_f32(ls, (uint32_t)g))
                return false;
        } else if (!strcmp(lt, "f64")) {
            if (!match_f64(ls, g))
                return false;
        } else {
            uint64_t mask = bits == 64 ? ~0ull : ((1ull << bits) - 1);
            if ((g & mask) != (strtoull(ls, NULL, 10) & mask))
                return false;
        }
    }
    return true;
}

/* Compares one result; expected may be a NaN class. */
static bool match_value(jnode_t *exp, const wvm_value_t *gotp)
{
    const char *type = jstr(exp, "type"), *val = jstr(exp, "value");
    wvm_value_t got = gotp[0];
    if (!type)
        return false;
    if (!strcmp(type, "v128"))
        return match_v128(exp, (const uint8_t *)gotp);
    if (!strcmp(type, "externref") || !strcmp(type, "funcref")) {
        if (!val)
            return got.ref != NULL;
        if (!strcmp(val, "null"))
            return got.ref == NULL;
        return got.u64 == strtoull(val, NULL, 10) + 1;
    }
    if (!val)
        return false;
    if (!strcmp(type, "f32")) {
        uint32_t b = got.u32;
        if (!strcmp(val, "nan:canonical"))
            return (b & 0x7FFFFFFFu) == 0x7FC00000u;
        if (!strcmp(val, "nan:arithmetic"))
            return (b & 0x7FC00000u) == 0x7FC00000u;
        return b == (uint32_t)strtoull(val, NULL, 10);
    }
    if (!strcmp(type, "f64")) {
        uint64_t b = got.u64;
        if (!strcmp(val, "nan:canonical"))
            return (b & 0x7FFFFFFFFFFFFFFFull) == 0x7FF8000000000000ull;
        if (!strcmp(val, "nan:arithmetic"))
            return (b & 0x7FF8000000000000ull) == 0x7FF8000000000000ull;
        return b == strtoull(val, NULL, 10);
    }
    if (!strcmp(type, "i32"))
        return got.u32 == (uint32_t)strtoull(val, NULL, 10);
    if (!strcmp(type, "i64"))
        return got.u64 == strtoull(val, NULL, 10);
    return false;
}

/* Runs an action; returns a wvm_result_t, results in res[]. */
static int do_action(runner_t *r, jnode_t *act, wvm_value_t *res, size_t *nres, const char **why)
{
    wvm_instance_t *inst = find_instance(r, jstr(act, "module"));
    const char *type = jstr(act, "type"), *field = jstr(act, "field");
    *why = NULL;
    if (!inst || !field) {
        *why = "no such module";
        return WVM_ERROR;
    }
    if (!strcmp(type, "get")) {
        *nres = 1;
        r->last_sig = NULL;
        if (wvm_instance_global_get(inst, field, res, NULL) < 0) {
            *why = "no such global";
            return WVM_ERROR;
        }
        return WVM_OK;
    }
    jnode_t *args = jget(act, "args");
    wvm_value_t av[130];
    int na = 0;
    for (int i = 0; args && i < args->n; i++) {
        if (na > 126) {
            *why = "too many args";
            return WVM_ERROR;
        }
        if (!parse_value(args->items[i], &av[na])) {
            *why = "unsupported argument type";
            return WVM_ERROR;
        }
        const char *t = jstr(args->items[i], "type");
        na += (t && !strcmp(t, "v128")) ? 2 : 1;
    }
    jnode_t *fn = jget(act, "field");
    wvm_func_t *f = wvm_instance_export_func(inst, field, fn->len);
    if (!f) {
        *why = "no such function";
        return WVM_ERROR;
    }
    const char *sig = wvm_func_sig(f);
    *nres = strlen(strchr(sig, ':') + 1);
    r->last_sig = sig;
    int rc = wvm_instance_call_func(inst, f, av, (size_t)na, res, 130);
    if (rc == WVM_ERROR)
        *why = "call failed (API)";
    return rc;
}

static bool trap_matches(const char *got, const char *expected)
{
    if (!got || !expected)
        return false;
    size_t a = strlen(got), b = strlen(expected);
    return !strncmp(got, expected, a < b ? a : b);
}

static void run_command(runner_t *r, jnode_t *cmd)
{
    const char *type = jstr(cmd, "type");
    char err[512] = "";
    if (!type)
        return;
    if (!strcmp(type, "module")) {
        wvm_module_t *m = load(r, jstr(cmd, "filename"), err, sizeof err);
        r->current = NULL;
        if (!m) {
            fail(r, cmd, "load: %s", err);
            return;
        }
        wvm_instance_t *inst = wvm_instance_new(m, NULL, err, sizeof err);
        if (!inst) {
            fail(r, cmd, "instantiate: %s", err);
            return;
        }
        keep_instance(r, inst);
        r->current = inst;
        const char *name = jstr(cmd, "name");
        if (name) {
            r->names = realloc(r->names, (r->nnames + 1) * sizeof *r->names);
            r->names[r->nnames++] = (named_t){strdup(name), inst};
        }
        r->passed++;
    } else if (!strcmp(type, "register")) {
        wvm_instance_t *inst = find_instance(r, jstr(cmd, "name"));
        if (!inst) {
            fail(r, cmd, "no module to register%s", "");
            return;
        }
        wvm_engine_register(r->engine, jstr(cmd, "as"), inst);
        r->passed++;
    } else if (!strcmp(type, "assert_return") || !strcmp(type, "action")) {
        wvm_value_t res[130];
        size_t nres = 0;
        const char *why;
        int rc = do_action(r, jget(cmd, "action"), res, &nres, &why);
        if (rc != WVM_OK) {
            wvm_instance_t *ti = find_instance(r, jstr(jget(cmd, "action"), "module"));
            const char *what = rc == WVM_TRAP ? wvm_instance_trap(ti) : "did not finish";
            fail(r, cmd, "%s", why ? why : what);
            return;
        }
        jnode_t *exp = jget(cmd, "expected");
        if (!strcmp(type, "assert_return")) {
            int ne = exp ? exp->n : 0;
            if ((size_t)ne != nres) {
                fail(r, cmd, "result count differs%s", "");
                return;
            }
            const char *rt = r->last_sig ? strchr(r->last_sig, ':') + 1 : "";
            int slot = 0;
            for (int i = 0; i < ne; slot += (rt[i] == 'v') ? 2 : 1, i++)
                if (!match_value(exp->items[i], &res[slot])) {
                    char buf[64];
                    snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)res[slot].u64);
                    fail(r, cmd, "wrong result %s", buf);
                    return;
                }
        }
        r->passed++;
    } else if (!strcmp(type, "assert_trap") || !strcmp(type, "assert_exhaustion")) {
        wvm_value_t res[130];
        size_t nres = 0;
        const char *why;
        int rc = do_action(r, jget(cmd, "action"), res, &nres, &why);
        wvm_instance_t *inst = find_instance(r, jstr(jget(cmd, "action"), "module"));
        if (rc != WVM_TRAP) {
            fail(r, cmd, "expected trap %s", jstr(cmd, "text"));
            return;
        }
        if (!trap_matches(wvm_instance_trap(inst), jstr(cmd, "text"))) {
            fail(r, cmd, "wrong trap: %s", wvm_instance_trap(inst));
            return;
        }
        r->passed++;
    } else if (!strcmp(type, "assert_invalid") || !strcmp(type, "assert_malformed")) {
        const char *mt = jstr(cmd, "module_type");
        if (mt && strcmp(mt, "binary")) {
            r->skipped++;
            return;
        }
        wvm_module_t *m = load(r, jstr(cmd, "filename"), err, sizeof err);
        if (m) {
            fail(r, cmd, "module accepted, expected: %s", jstr(cmd, "text"));
            return;
        }
        if (r->verbose)
            fprintf(stderr, "  ok %s: %s (expected %s)\n", type, err, jstr(cmd, "text"));
        r->passed++;
    } else if (!strcmp(type, "assert_unlinkable") || !strcmp(type, "assert_uninstantiable")) {
        wvm_module_t *m = load(r, jstr(cmd, "filename"), err, sizeof err);
        if (!m) {
            fail(r, cmd, "load: %s", err);
            return;
        }
        wvm_instance_t *inst = wvm_instance_new(m, NULL, err, sizeof err);
        if (inst) {
            keep_instance(r, inst);
            fail(r, cmd, "instantiated, expected: %s", jstr(cmd, "text"));
            return;
        }
        bool is_trap = !strncmp(err, "trap: ", 6);
        if (is_trap != !strcmp(type, "assert_uninstantiable")) {
            fail(r, cmd, "wrong failure: %s", err);
            return;
        }
        r->passed++;
    } else {
        fail(r, cmd, "unknown command %s", type);
    }
}

static int run_file(const char *path, bool verbose, int *tp, int *tf, int *ts)
{
    size_t len;
    char *text = (char *)read_file(path, &len);
    if (!text) {
        fprintf(stderr, "%s: cannot read\n", path);
        (*tf)++;
        return 1;
    }
    jp = text;
    jnode_t *root = jvalue();
    char *dir = strdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        strcpy(dir, ".");
    runner_t r = {0};
    r.engine = wvm_engine_new();
    r.dir = dir;
    r.file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    r.verbose = verbose;
    define_spectest(r.engine);
    jnode_t *cmds = jget(root, "commands");
    for (int i = 0; cmds && i < cmds->n; i++)
        run_command(&r, cmds->items[i]);
    printf("%s: %d passed, %d failed", r.file, r.passed, r.failed);
    if (r.skipped)
        printf(" (%d text-format assertions skipped)", r.skipped);
    printf("\n");
    fflush(stdout);
    for (int i = r.ninsts; i-- > 0;)
        wvm_instance_free(r.insts[i]);
    for (int i = 0; i < r.nmods; i++)
        wvm_module_free(r.mods[i]);
    wvm_engine_free(r.engine);
    for (int i = 0; i < r.nnames; i++)
        free(r.names[i].name);
    free(r.insts), free(r.mods), free(r.names);
    *tp += r.passed, *tf += r.failed, *ts += r.skipped;
    jfree(root);
    free(text);
    free(dir);
    return r.failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    int tp = 0, tf = 0, ts = 0;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) {
            verbose = true;
            continue;
        }
        run_file(argv[i], verbose, &tp, &tf, &ts);
    }
    printf("total: %d passed, %d failed\n", tp, tf);
    return tf ? 1 : 0;
}

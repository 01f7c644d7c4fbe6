/* sup/config.c — the config model of `harv up` and its YAML loader (libyaml, event API).
 * Layer: sup. The YAML text becomes a small node tree (with line/column of every node), then
 * a table-driven schema walk fills sup_config_t. Everything not in the schema is an error:
 * unknown keys, wrong types, out-of-range numbers, duplicate keys, anchors/aliases, tags and
 * multiple documents. Messages read "FILE:LINE:COL: key.path: what is wrong, valid: what". */
#include <harv/sup.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* ---- the node tree ------------------------------------------------------------------- */
enum { N_SCALAR, N_MAP, N_SEQ };

typedef struct cfg_node cfg_node_t;
struct cfg_node {
    int type;
    unsigned line, col;
    char *str; /* scalar text, NUL-terminated (len excludes it) */
    size_t len;
    bool plain;            /* unquoted scalar */
    cfg_node_t *first, *last, *next; /* children; a map alternates key, value */
    unsigned n;
};

typedef struct cfg_ctx {
    sup_config_t *cfg;
    const char *name;
    const char *base_dir;
    char *err;
    size_t errlen;
    char path[256]; /* the dotted key path of the node being checked */
    unsigned nodes;
    bool listeners_done; /* listeners are read before the rest (http.listen names them) */
} cfg_ctx_t;

static int cfg_fail(cfg_ctx_t *cx, const cfg_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cfg_fail(cfg_ctx_t *cx, const cfg_node_t *at, const char *fmt, ...)
{
    int n = snprintf(cx->err, cx->errlen, "%s:%u:%u: %s%s", cx->name, at ? at->line : 1,
                     at ? at->col : 1, cx->path, cx->path[0] ? ": " : "");
    if (n < 0 || (size_t)n >= cx->errlen)
        return BASE_ERROR;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cx->err + n, cx->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return BASE_ERROR;
}

static const char *node_kind(const cfg_node_t *n)
{
    if (n->type == N_MAP)
        return "a mapping";
    if (n->type == N_SEQ)
        return "a list";
    if (n->plain && (!n->len || !strcmp(n->str, "~") || !strcmp(n->str, "null")))
        return "nothing (null)";
    return "a scalar";
}

/* Builds the node tree from libyaml's events. Returns the root (NULL for an empty file). */
static int cfg_build(cfg_ctx_t *cx, const char *text, size_t len, cfg_node_t **root)
{
    yaml_parser_t p;
    yaml_event_t ev;
    cfg_node_t *stack[SUP_CONFIG_MAX_DEPTH + 1];
    int depth = 0, docs = 0, rc = BASE_ERROR;
    bool done = false;
    *root = NULL;
    if (!yaml_parser_initialize(&p))
        return cfg_fail(cx, NULL, "cannot initialise the YAML parser");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!done) {
        if (!yaml_parser_parse(&p, &ev)) {
            cfg_node_t at = {.line = (unsigned)p.problem_mark.line + 1,
                             .col = (unsigned)p.problem_mark.column + 1};
            cfg_fail(cx, &at, "YAML syntax: %s%s%s, valid: a YAML mapping of keys", 
                     p.problem ? p.problem : "error", p.context ? " " : "",
                     p.context ? p.context : "");
            goto out;
        }
        cfg_node_t at = {.line = (unsigned)ev.start_mark.line + 1,
                         .col = (unsigned)ev.start_mark.column + 1};
        const yaml_char_t *anchor = NULL, *tag = NULL;
        int type = -1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                cfg_fail(cx, &at, "a second YAML document, valid: one document per file");
                goto fail_ev;
            }
            break;
        case YAML_ALIAS_EVENT:
            cfg_fail(cx, &at, "aliases (*%s) are refused, valid: write the value out",
                     (const char *)ev.data.alias.anchor);
            goto fail_ev;
        case YAML_SCALAR_EVENT:
            anchor = ev.data.scalar.anchor;
            tag = ev.data.scalar.tag;
            type = N_SCALAR;
            break;
        case YAML_SEQUENCE_START_EVENT:
            anchor = ev.data.sequence_start.anchor;
            tag = ev.data.sequence_start.tag;
            type = N_SEQ;
            break;
        case YAML_MAPPING_START_EVENT:
            anchor = ev.data.mapping_start.anchor;
            tag = ev.data.mapping_start.tag;
            type = N_MAP;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0)
                depth--;
            break;
        default: break;
        }
        if (type >= 0) {
            if (anchor) {
                cfg_fail(cx, &at, "anchors (&%s) are refused, valid: write the value out",
                         (const char *)anchor);
                goto fail_ev;
            }
            if (tag) {
                cfg_fail(cx, &at, "tags (%s) are refused, valid: plain values",
                         (const char *)tag);
                goto fail_ev;
            }
            if (++cx->nodes > SUP_CONFIG_MAX_NODES) {
                cfg_fail(cx, &at, "more than %d values, valid: a config of sane size",
                         SUP_CONFIG_MAX_NODES);
                goto fail_ev;
            }
            cfg_node_t *nd = base_arena_alloc(&cx->cfg->arena, sizeof *nd);
            memset(nd, 0, sizeof *nd);
            nd->type = type;
            nd->line = at.line;
            nd->col = at.col;
            if (type == N_SCALAR) {
                nd->len = ev.data.scalar.length;
                nd->str = base_arena_strndup(&cx->cfg->arena, (const char *)ev.data.scalar.value,
                                             nd->len);
                nd->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                if (memchr(nd->str, 0, nd->len)) {
                    cfg_fail(cx, &at, "a value contains a NUL byte, valid: text");
                    goto fail_ev;
                }
            }
            if (depth == 0) {
                if (*root) {
                    cfg_fail(cx, &at, "a second top-level value, valid: one mapping");
                    goto fail_ev;
                }
                *root = nd;
            } else {
                cfg_node_t *parent = stack[depth - 1];
                if (parent->last)
                    parent->last->next = nd;
                else
                    parent->first = nd;
                parent->last = nd;
                parent->n++;
            }
            if (type != N_SCALAR) {
                if (depth == SUP_CONFIG_MAX_DEPTH) {
                    cfg_fail(cx, &at, "nested deeper than %d levels, valid: the documented "
                                      "schema", SUP_CONFIG_MAX_DEPTH);
                    goto fail_ev;
                }
                stack[depth++] = nd;
            }
        }
        yaml_event_delete(&ev);
    }
    rc = BASE_OK;
    goto out;
fail_ev:
    yaml_event_delete(&ev);
out:
    yaml_parser_delete(&p);
    return rc;
}

/* ---- the schema ---------------------------------------------------------------------- */
enum {
    F_STR, F_PATH, F_BOOL, F_UINT, F_SIZE, F_MS, F_ENUM, F_STRLIST, F_MAP, F_TASK,
    F_LISTENERS, F_USERS, F_LOGLEVEL, F_ADDR, F_LISTENREF, F_INI, F_UPSTREAM,
};

typedef struct cfg_field {
    const char *key;
    int type;
    size_t off;
    uint64_t min, max;
    const void *aux; /* F_MAP/F_TASK: sub-table; F_ENUM: names; F_PATH: "state" = state-relative */
    const char *valid; /* words for the message */
} cfg_field_t;

static const char *const durability_names[] = {"", "normal", "full", NULL};
static const char *const logdest_names[] = {"stdout", "files", NULL};

#define LIM(f) offsetof(sup_limits_t, f)
static const cfg_field_t limits_fields[] = {
    {"memory", F_SIZE, LIM(memory), 1u << 20, 1ull << 40, NULL, "a size from 1m to 1t"},
    {"open_files", F_UINT, LIM(open_files), 16, 1048576, NULL, "a number from 16 to 1048576"},
    {"cpu", F_UINT, LIM(cpu_percent), 1, 6400, NULL, "a percentage of one core, 1 to 6400"},
    {"pids", F_UINT, LIM(pids), 1, 100000, NULL, "a number from 1 to 100000"},
    {"core_dumps", F_BOOL, LIM(core_dumps), 0, 0, NULL, "true or false"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#define SBX(f) offsetof(sup_sandbox_t, f)
static const cfg_field_t sandbox_fields[] = {
    {"seccomp", F_BOOL, SBX(seccomp), 0, 0, NULL, "true or false"},
    {"landlock", F_BOOL, SBX(landlock), 0, 0, NULL, "true or false"},
    {"private_network", F_BOOL, SBX(netns), 0, 0, NULL, "true or false"},
    {"cgroup", F_BOOL, SBX(cgroup), 0, 0, NULL, "true or false"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#define RST(f) offsetof(sup_restart_t, f)
static const cfg_field_t restart_fields[] = {
    {"max_deaths", F_UINT, RST(max_deaths), 1, 1000, NULL, "a number from 1 to 1000"},
    {"window", F_MS, RST(window_ms), 1000, 86400000, NULL, "a duration from 1s to 24h"},
    {"backoff_max", F_MS, RST(backoff_max_ms), 100, 3600000, NULL,
     "a duration from 100ms to 1h"},
    {"stable", F_MS, RST(stable_ms), 100, 3600000, NULL, "a duration from 100ms to 1h"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

#define TASK_FIELDS(T)                                                                       \
    {"limits", F_MAP, offsetof(T, task.limits), 0, 0, limits_fields, "a mapping"},            \
    {"sandbox", F_MAP, offsetof(T, task.sandbox), 0, 0, sandbox_fields, "a mapping"},         \
    {"restart", F_MAP, offsetof(T, task.restart), 0, 0, restart_fields, "a mapping"},         \
    {"drain_timeout", F_MS, offsetof(T, task.drain_ms), 0, 600000, NULL,                     \
     "a duration from 0 to 10m"}

#define HTTP(f) offsetof(sup_http_cfg_t, f)
static const cfg_field_t http_fields[] = {
    {"listen", F_LISTENREF, HTTP(listen), 1, SUP_MAX_LISTENERS, NULL,
     "a list of listener names"},
    {"root", F_PATH, HTTP(root), 0, 0, NULL, "a directory path"},
    {"index", F_STRLIST, HTTP(index), 1, 16, NULL, "a list of file names"},
    {"mime_allow", F_STRLIST, HTTP(mime_allow), 1, SUP_MAX_LIST, NULL,
     "a list of file extensions"},
    {"access_log", F_STR, HTTP(access_log), 0, 0, NULL, "off, stdout or a file path"},
    {"threads", F_UINT, HTTP(threads), 1, 64, NULL, "a number from 1 to 64"},
    {"max_connections", F_UINT, HTTP(max_conn), 1, 10000000, NULL,
     "a number from 1 to 10000000"},
    {"requests_per_connection", F_UINT, HTTP(request_count), 1, 1u << 30, NULL,
     "a number from 1 to 1073741824"},
    {"max_body", F_SIZE, HTTP(max_body), 0, 1ull << 34, NULL, "a size up to 16g"},
    {"max_head", F_SIZE, HTTP(max_head), 1024, 1u << 20, NULL, "a size from 1k to 1m"},
    {"timeout_request", F_MS, HTTP(timeout_request_ms), 100, 86400000, NULL,
     "a duration from 100ms to 24h"},
    {"timeout_body", F_MS, HTTP(timeout_body_ms), 100, 86400000, NULL,
     "a duration from 100ms to 24h"},
    {"timeout_keepalive", F_MS, HTTP(timeout_keepalive_ms), 100, 86400000, NULL,
     "a duration from 100ms to 24h"},
    {"timeout_send", F_MS, HTTP(timeout_send_ms), 100, 86400000, NULL,
     "a duration from 100ms to 24h"},
    {"test_handlers", F_BOOL, HTTP(test_handlers), 0, 0, NULL, "true or false"},
    TASK_FIELDS(sup_http_cfg_t),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

#define SQL(f) offsetof(sup_sql_cfg_t, f)
static const cfg_field_t sql_fields[] = {
    {"listen", F_ADDR, SQL(listen), 0, 0, NULL, "HOST:PORT"},
    {"socket", F_PATH, SQL(socket), 0, 0, "state", "a unix socket path (relative: state_dir)"},
    {"users", F_USERS, 0, 0, 0, NULL, "a list of {name, password}"},
    {"databases", F_STRLIST, SQL(databases), 0, SUP_MAX_LIST, NULL, "a list of names"},
    {"durability", F_ENUM, SQL(durability), 0, 0, durability_names, "full or normal"},
    {"workers", F_UINT, SQL(workers), 1, 256, NULL, "a number from 1 to 256"},
    {"max_connections", F_UINT, SQL(max_connections), 1, 100000, NULL,
     "a number from 1 to 100000"},
    TASK_FIELDS(sup_sql_cfg_t),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

#define PRB(f) offsetof(sup_probe_cfg_t, f)
static const cfg_field_t probe_fields[] = {
    {"hog", F_SIZE, PRB(hog), 0, 1ull << 40, NULL, "a size"},
    {"outside", F_PATH, PRB(outside), 0, 0, NULL, "a path"},
    {"connect", F_ADDR, PRB(connect), 0, 0, NULL, "HOST:PORT"},
    {"daemon", F_BOOL, PRB(daemon), 0, 0, NULL, "true or false"},
    TASK_FIELDS(sup_probe_cfg_t),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

#define PHP(f) offsetof(sup_php_cfg_t, f)
static const cfg_field_t php_fields[] = {
    {"workers", F_UINT, PHP(workers), 1, 1024, NULL, "a number from 1 to 1024"},
    {"timeout", F_MS, PHP(timeout_ms), 100, 86400000, NULL, "a duration from 100ms to 24h"},
    {"max_requests", F_UINT, PHP(max_requests), 1, 1u << 30, NULL,
     "a number from 1 to 1073741824"},
    {"memory_cap", F_SIZE, PHP(memory_cap), 1u << 20, 1ull << 40, NULL,
     "a size from 1m to 1t"},
    {"ini", F_INI, PHP(ini), 0, SUP_MAX_LIST, NULL,
     "a mapping of php.ini keys to values, or a list of KEY=VALUE"},
    {"writable", F_STRLIST, PHP(writable), 0, 16, NULL,
     "a list of directories (relative: beneath http.root)"},
    {"fastcgi", F_UPSTREAM, PHP(fastcgi), 0, 0, NULL,
     "unix:PATH or HOST:PORT of an external FastCGI server (php-fpm)"},
    TASK_FIELDS(sup_php_cfg_t),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

#define CFG(f) offsetof(sup_config_t, f)
static const cfg_field_t log_fields[] = {
    {"destination", F_ENUM, CFG(log_dest), 0, 0, logdest_names, "stdout or files"},
    {"level", F_LOGLEVEL, CFG(log_level), 0, 0, NULL, "debug, info, warn or error"},
    {"max_size", F_SIZE, CFG(log_max_size), 4096, 1ull << 40, NULL, "a size from 4k to 1t"},
    {"keep", F_UINT, CFG(log_keep), 1, 100, NULL, "a number from 1 to 100"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

static const cfg_field_t top_fields[] = {
    {"version", F_UINT, CFG(version), 1, 1, NULL, "1"},
    {"listeners", F_LISTENERS, 0, 0, 0, NULL, "a mapping of name: address"},
    {"state_dir", F_PATH, CFG(state_dir), 0, 0, NULL, "a directory path"},
    {"user", F_STR, CFG(user), 0, 0, NULL, "a user name"},
    {"log", F_MAP, 0, 0, 0, log_fields, "a mapping"},
    {"backlog", F_UINT, CFG(backlog), 1, 65535, NULL, "a number from 1 to 65535"},
    {"http", F_TASK, CFG(http), 0, 0, http_fields, "a mapping"},
    {"sql", F_TASK, CFG(sql), 0, 0, sql_fields, "a mapping"},
    {"php", F_TASK, CFG(php), 0, 0, php_fields, "a mapping (an empty one: {})"},
    {"probe", F_TASK, CFG(probe), 0, 0, probe_fields, "a mapping (Harv's own tests)"},
    {NULL, 0, 0, 0, 0, NULL, NULL},
};

/* ---- scalar conversions -------------------------------------------------------------- */
static bool scalar_is_null(const cfg_node_t *n)
{
    return n->type == N_SCALAR && n->plain &&
           (!n->len || !strcmp(n->str, "~") || !strcmp(n->str, "null"));
}

static int want_scalar(cfg_ctx_t *cx, const cfg_node_t *v, const cfg_field_t *f)
{
    if (v->type != N_SCALAR || scalar_is_null(v))
        return cfg_fail(cx, v, "expected a value, found %s, valid: %s", node_kind(v), f->valid);
    return BASE_OK;
}

/* Durations: "250" (ms), "250ms", "10s", "2m", "1h". */
static int parse_ms(const char *s, uint64_t *out)
{
    size_t n = strlen(s), d = 0;
    while (d < n && s[d] >= '0' && s[d] <= '9')
        d++;
    if (!d || d > 12)
        return BASE_ERROR;
    uint64_t v;
    if (base_parse_u64((base_span_t){s, d}, UINT64_MAX / 4000000, &v) != BASE_OK)
        return BASE_ERROR;
    const char *u = s + d;
    if (!*u || !strcmp(u, "ms"))
        *out = v;
    else if (!strcmp(u, "s"))
        *out = v * 1000;
    else if (!strcmp(u, "m"))
        *out = v * 60000;
    else if (!strcmp(u, "h"))
        *out = v * 3600000;
    else
        return BASE_ERROR;
    return BASE_OK;
}

static char *cfg_path_join(cfg_ctx_t *cx, const char *base, const char *p)
{
    if (p[0] == '/')
        return base_arena_strndup(&cx->cfg->arena, p, strlen(p));
    return base_arena_printf(&cx->cfg->arena, "%s/%s", base, p);
}

static int walk_map(cfg_ctx_t *cx, const cfg_node_t *map, const cfg_field_t *fields, char *base);

static void path_push(cfg_ctx_t *cx, const char *key, size_t *saved)
{
    *saved = strlen(cx->path);
    snprintf(cx->path + *saved, sizeof cx->path - *saved, "%s%s", *saved ? "." : "", key);
}

static int set_strlist(cfg_ctx_t *cx, const cfg_node_t *v, const cfg_field_t *f,
                       sup_strlist_t *out, bool listener_ref)
{
    if (v->type != N_SEQ)
        return cfg_fail(cx, v, "expected a list, found %s, valid: %s", node_kind(v), f->valid);
    if (v->n < f->min || v->n > f->max)
        return cfg_fail(cx, v, "%u entries, valid: %llu to %llu", v->n,
                        (unsigned long long)f->min, (unsigned long long)f->max);
    out->n = 0;
    for (const cfg_node_t *e = v->first; e; e = e->next) {
        if (e->type != N_SCALAR || scalar_is_null(e) || !e->len)
            return cfg_fail(cx, e, "a list entry is %s, valid: %s", node_kind(e), f->valid);
        if (listener_ref) {
            bool found = false;
            for (unsigned i = 0; i < cx->cfg->nlisteners; i++)
                found |= !strcmp(cx->cfg->listeners[i].name, e->str);
            if (!found) {
                char names[256] = "";
                for (unsigned i = 0; i < cx->cfg->nlisteners; i++)
                    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                             i ? ", " : "", cx->cfg->listeners[i].name);
                return cfg_fail(cx, e, "'%s' is not a listener, valid: one of the names under "
                                       "listeners (%s)", e->str, names[0] ? names : "none");
            }
        }
        for (unsigned i = 0; i < out->n; i++)
            if (!strcmp(out->v[i], e->str))
                return cfg_fail(cx, e, "'%s' is listed twice, valid: each entry once", e->str);
        out->v[out->n++] = e->str;
    }
    return BASE_OK;
}

/* A php.ini key: letters, digits, '_', '.' and '-' (what php.ini names are made of). */
static bool ini_key_ok(const char *k, size_t n)
{
    if (!n || n > 128)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

/* php.ini overrides: a mapping (key: value) or a list of "KEY=VALUE"; stored as "KEY=VALUE".
 * Values may not hold a newline or a double quote (the pool writes them as key="value"). */
static int set_ini(cfg_ctx_t *cx, const cfg_node_t *v, const cfg_field_t *f, sup_strlist_t *out)
{
    if (v->type != N_MAP && v->type != N_SEQ)
        return cfg_fail(cx, v, "expected a mapping or a list, found %s, valid: %s",
                        node_kind(v), f->valid);
    unsigned n = v->type == N_MAP ? v->n / 2 : v->n;
    if (n > f->max)
        return cfg_fail(cx, v, "%u entries, valid: at most %llu", n, (unsigned long long)f->max);
    out->n = 0;
    const cfg_node_t *e = v->first;
    while (e) {
        const char *key, *val;
        size_t klen;
        const cfg_node_t *at = e;
        if (v->type == N_MAP) {
            const cfg_node_t *val_node = e->next;
            if (e->type != N_SCALAR || !ini_key_ok(e->str, e->len))
                return cfg_fail(cx, e, "'%s' is not a php.ini key, valid: letters, digits, "
                                "'_', '.' and '-'", e->type == N_SCALAR ? e->str : "?");
            if (val_node->type != N_SCALAR)
                return cfg_fail(cx, val_node, "ini %s: expected a value, found %s, valid: a "
                                "scalar (quote it: \"\" for empty)", e->str,
                                node_kind(val_node));
            key = e->str;
            klen = e->len;
            val = scalar_is_null(val_node) ? "" : val_node->str;
            at = val_node;
            e = val_node->next;
        } else {
            if (e->type != N_SCALAR || scalar_is_null(e))
                return cfg_fail(cx, e, "a list entry is %s, valid: KEY=VALUE", node_kind(e));
            const char *eq = strchr(e->str, '=');
            if (!eq || !ini_key_ok(e->str, (size_t)(eq - e->str)))
                return cfg_fail(cx, e, "'%s' is not KEY=VALUE, valid: e.g. memory_limit=256M",
                                e->str);
            key = e->str;
            klen = (size_t)(eq - e->str);
            val = eq + 1;
            e = e->next;
        }
        if (strpbrk(val, "\"\n\r"))
            return cfg_fail(cx, at, "ini %.*s: the value holds a quote or a line break, "
                            "valid: a one-line value without '\"'", (int)klen, key);
        for (unsigned i = 0; i < out->n; i++)
            if (!strncmp(out->v[i], key, klen) && out->v[i][klen] == '=')
                return cfg_fail(cx, at, "ini %.*s is set twice, valid: each key once",
                                (int)klen, key);
        out->v[out->n++] = base_arena_printf(&cx->cfg->arena, "%.*s=%s", (int)klen, key, val);
    }
    return BASE_OK;
}

static int set_field(cfg_ctx_t *cx, const cfg_node_t *v, const cfg_field_t *f, char *base)
{
    void *dst = base + f->off;
    uint64_t n;
    switch (f->type) {
    case F_STR:
    case F_PATH:
        if (want_scalar(cx, v, f) || !v->len)
            return cfg_fail(cx, v, "expected a non-empty string, valid: %s", f->valid);
        if (f->type == F_STR || (f->aux && !strcmp(f->aux, "state")))
            *(char **)dst = v->str; /* state-relative paths resolve later */
        else
            *(char **)dst = cfg_path_join(cx, cx->base_dir, v->str);
        return BASE_OK;
    case F_ADDR: {
        if (want_scalar(cx, v, f))
            return BASE_ERROR;
        net_addr_t a;
        char e[200];
        if (net_addr_parse(v->str, &a, e, sizeof e) != BASE_OK || a.family == AF_UNIX)
            return cfg_fail(cx, v, "'%s' is not a TCP address, valid: %s ([V6]:PORT too)",
                            v->str, f->valid);
        *(char **)dst = v->str;
        return BASE_OK;
    }
    case F_UPSTREAM: {
        if (want_scalar(cx, v, f))
            return BASE_ERROR;
        net_addr_t a;
        char e[200];
        if (net_addr_parse(v->str, &a, e, sizeof e) != BASE_OK)
            return cfg_fail(cx, v, "'%s' is not an address, valid: %s", v->str, f->valid);
        *(char **)dst = v->str; /* a relative unix path resolves against state_dir later */
        return BASE_OK;
    }
    case F_INI:
        return set_ini(cx, v, f, dst);
    case F_BOOL:
        if (want_scalar(cx, v, f))
            return BASE_ERROR;
        if (!strcmp(v->str, "true") || !strcmp(v->str, "yes") || !strcmp(v->str, "on"))
            *(bool *)dst = true;
        else if (!strcmp(v->str, "false") || !strcmp(v->str, "no") || !strcmp(v->str, "off"))
            *(bool *)dst = false;
        else
            return cfg_fail(cx, v, "'%s' is not a boolean, valid: true or false", v->str);
        return BASE_OK;
    case F_UINT:
    case F_SIZE:
    case F_MS: {
        if (want_scalar(cx, v, f))
            return BASE_ERROR;
        int rc = f->type == F_UINT ? base_parse_u64((base_span_t){v->str, v->len}, UINT64_MAX, &n)
                 : f->type == F_SIZE ? base_parse_size(v->str, &n)
                                     : parse_ms(v->str, &n);
        if (rc != BASE_OK)
            return cfg_fail(cx, v, "'%s' is not %s, valid: %s", v->str,
                            f->type == F_UINT ? "a whole number"
                            : f->type == F_SIZE ? "a size (e.g. 4096, 64k, 256m, 1g)"
                                                : "a duration (e.g. 500ms, 10s, 2m)",
                            f->valid);
        if (n < f->min || n > f->max)
            return cfg_fail(cx, v, "'%s' is out of range, valid: %s", v->str, f->valid);
        if (f->type == F_SIZE)
            *(uint64_t *)dst = n;
        else
            *(unsigned *)dst = (unsigned)n;
        return BASE_OK;
    }
    case F_ENUM: {
        if (want_scalar(cx, v, f))
            return BASE_ERROR;
        const char *const *names = f->aux;
        for (int i = 0; names[i]; i++) {
            if (names[i][0] && !strcmp(names[i], v->str)) {
                *(int *)dst = i;
                return BASE_OK;
            }
        }
        return cfg_fail(cx, v, "'%s' is not allowed, valid: %s", v->str, f->valid);
    }
    case F_LOGLEVEL: {
        base_log_level_t lvl;
        if (want_scalar(cx, v, f))
            return BASE_ERROR;
        if (base_log_parse_level(v->str, &lvl) != BASE_OK || lvl > BASE_LOG_ERROR)
            return cfg_fail(cx, v, "'%s' is not a log level, valid: %s", v->str, f->valid);
        *(base_log_level_t *)dst = lvl;
        return BASE_OK;
    }
    case F_STRLIST:
    case F_LISTENREF:
        return set_strlist(cx, v, f, dst, f->type == F_LISTENREF);
    case F_TASK:
        ((sup_task_cfg_t *)dst)->enabled = true;
        if (scalar_is_null(v))
            return BASE_OK; /* "php:" alone: the section with its defaults */
        /* fall through */
    case F_MAP:
        return walk_map(cx, v, f->aux, dst);
    case F_LISTENERS: {
        sup_config_t *cfg = cx->cfg;
        if (cx->listeners_done)
            return BASE_OK;
        if (v->type != N_MAP)
            return cfg_fail(cx, v, "expected a mapping, found %s, valid: %s", node_kind(v),
                            f->valid);
        for (const cfg_node_t *k = v->first; k; k = k->next->next) {
            const cfg_node_t *val = k->next;
            if (k->type != N_SCALAR || !k->len)
                return cfg_fail(cx, k, "a listener name must be a string, valid: %s",
                                f->valid);
            size_t saved;
            path_push(cx, k->str, &saved);
            for (unsigned i = 0; i < cfg->nlisteners; i++)
                if (!strcmp(cfg->listeners[i].name, k->str))
                    return cfg_fail(cx, k, "duplicate key, valid: each listener name once");
            if (cfg->nlisteners == SUP_MAX_LISTENERS)
                return cfg_fail(cx, k, "too many listeners, valid: at most %d",
                                SUP_MAX_LISTENERS);
            if (val->type != N_SCALAR || scalar_is_null(val))
                return cfg_fail(cx, val, "expected an address, found %s, valid: HOST:PORT, "
                                         "[V6]:PORT, :PORT or unix:PATH", node_kind(val));
            net_addr_t a;
            char e[200];
            if (net_addr_parse(val->str, &a, e, sizeof e) != BASE_OK)
                return cfg_fail(cx, val, "%s", e); /* net's sentence says what is valid */
            cfg->listeners[cfg->nlisteners].name = k->str;
            cfg->listeners[cfg->nlisteners++].address = val->str;
            cx->path[saved] = 0;
        }
        return BASE_OK;
    }
    case F_USERS: {
        sup_sql_cfg_t *sql = (sup_sql_cfg_t *)base;
        if (v->type != N_SEQ)
            return cfg_fail(cx, v, "expected a list, found %s, valid: %s", node_kind(v),
                            f->valid);
        for (const cfg_node_t *e = v->first; e; e = e->next) {
            static const cfg_field_t user_fields[] = {
                {"name", F_STR, offsetof(sup_sql_user_t, name), 0, 0, NULL, "a user name"},
                {"password", F_STR, offsetof(sup_sql_user_t, password), 0, 0, NULL,
                 "the password"},
                {NULL, 0, 0, 0, 0, NULL, NULL},
            };
            if (sql->nusers == SUP_MAX_LIST)
                return cfg_fail(cx, e, "too many users, valid: at most %d", SUP_MAX_LIST);
            sup_sql_user_t *u = &sql->users[sql->nusers];
            if (walk_map(cx, e, user_fields, (char *)u))
                return BASE_ERROR;
            if (!u->name || !u->password)
                return cfg_fail(cx, e, "a user needs both name and password, valid: "
                                       "{name: app, password: secret}");
            for (unsigned i = 0; i < sql->nusers; i++)
                if (!strcmp(sql->users[i].name, u->name))
                    return cfg_fail(cx, e, "user '%s' is listed twice, valid: each once",
                                    u->name);
            sql->nusers++;
        }
        return BASE_OK;
    }
    }
    return BASE_ERROR;
}

/* Edit distance of two short keys (insert, delete, substitute, swap), capped at 3. */
static unsigned key_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 3;
    unsigned d[41][41];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            unsigned c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            c = BASE_MIN(c, d[i - 1][j] + 1);
            c = BASE_MIN(c, d[i][j - 1] + 1);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                c = BASE_MIN(c, d[i - 2][j - 2] + 1);
            d[i][j] = c;
        }
    }
    return BASE_MIN(d[la][lb], 3u);
}

static int walk_map(cfg_ctx_t *cx, const cfg_node_t *map, const cfg_field_t *fields, char *base)
{
    if (map->type != N_MAP)
        return cfg_fail(cx, map, "expected a mapping, found %s, valid: keys %s...",
                        node_kind(map), fields[0].key);
    for (const cfg_node_t *k = map->first; k; k = k->next->next) {
        const cfg_node_t *v = k->next;
        if (k->type != N_SCALAR)
            return cfg_fail(cx, k, "a key must be a plain string, found %s", node_kind(k));
        for (const cfg_node_t *p = map->first; p != k; p = p->next->next)
            if (p->type == N_SCALAR && !strcmp(p->str, k->str)) {
                size_t saved;
                path_push(cx, k->str, &saved);
                return cfg_fail(cx, k, "duplicate key (first at line %u), valid: each key once",
                                p->line);
            }
        const cfg_field_t *f = fields;
        while (f->key && strcmp(f->key, k->str))
            f++;
        if (!f->key) {
            char valid[512] = "";
            for (const cfg_field_t *g = fields; g->key; g++)
                snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s",
                         g == fields ? "" : ", ", g->key);
            const char *near = NULL;
            unsigned best = 3;
            for (const cfg_field_t *g = fields; g->key; g++) {
                unsigned dist = key_distance(k->str, g->key);
                if (dist < best) {
                    best = dist;
                    near = g->key;
                }
            }
            size_t saved;
            path_push(cx, k->str, &saved);
            if (near)
                return cfg_fail(cx, k, "unknown key (did you mean %s?), valid: %s", near, valid);
            return cfg_fail(cx, k, "unknown key, valid: %s", valid);
        }
        size_t saved;
        path_push(cx, k->str, &saved);
        if (set_field(cx, v, f, base) != BASE_OK)
            return BASE_ERROR;
        cx->path[saved] = 0;
    }
    return BASE_OK;
}

/* ---- defaults, cross checks, entry points ---------------------------------------------- */
static void task_defaults(sup_task_cfg_t *t)
{
    memset(t, 0, sizeof *t);
    t->sandbox = (sup_sandbox_t){.seccomp = true, .landlock = true, .netns = true,
                                 .cgroup = true};
    t->restart = (sup_restart_t){.max_deaths = 5, .window_ms = 60000, .backoff_max_ms = 30000,
                                 .stable_ms = 10000};
    t->drain_ms = 10000;
}

void sup_config_init(sup_config_t *cfg, const char *base_dir)
{
    memset(cfg, 0, sizeof *cfg);
    base_arena_init(&cfg->arena, 8192);
    cfg->state_dir = base_arena_printf(&cfg->arena, "%s/state", base_dir);
    cfg->log_dest = SUP_LOG_STDOUT;
    cfg->log_level = BASE_LOG_INFO;
    cfg->log_max_size = 10u << 20;
    cfg->log_keep = 5;
    cfg->backlog = 1024;
    task_defaults(&cfg->http.task);
    task_defaults(&cfg->sql.task);
    task_defaults(&cfg->php.task);
    task_defaults(&cfg->probe.task);
    cfg->http.index.v[0] = "index.html";
    cfg->http.index.v[1] = "index.htm";
    cfg->http.index.n = 2;
    cfg->http.access_log = "off";
    cfg->sql.durability = 2;
}

void sup_config_fini(sup_config_t *cfg) { base_arena_fini(&cfg->arena); }

static int cfg_check(cfg_ctx_t *cx, const cfg_node_t *root)
{
    sup_config_t *cfg = cx->cfg;
    /* Find a section's node for messages about missing keys. */
    const cfg_node_t *sec_http = root, *sec_sql = root, *sec_php = root;
    for (const cfg_node_t *k = root->first; k; k = k->next->next) {
        if (!strcmp(k->str, "http"))
            sec_http = k;
        if (!strcmp(k->str, "sql"))
            sec_sql = k;
        if (!strcmp(k->str, "php"))
            sec_php = k;
    }
    if (!cfg->http.task.enabled && !cfg->sql.task.enabled && !cfg->probe.task.enabled &&
        !cfg->php.task.enabled)
        return cfg_fail(cx, root, "nothing to run, valid: an http and/or a sql section");
    if (cfg->http.task.enabled) {
        snprintf(cx->path, sizeof cx->path, "http");
        if (!cfg->http.root)
            return cfg_fail(cx, sec_http, "missing key 'root', valid: the directory to serve");
        if (!cfg->http.listen.n)
            return cfg_fail(cx, sec_http, "missing key 'listen', valid: a list of names "
                                          "from listeners");
        const char *al = cfg->http.access_log;
        if (strcmp(al, "off") && strcmp(al, "stdout"))
            cfg->http.access_log = cfg_path_join(cx, cx->base_dir, al);
    }
    for (unsigned i = 0; i < cfg->nlisteners; i++) {
        char *a = cfg->listeners[i].address;
        if (!strncmp(a, "unix:", 5) && a[5] != '/')
            cfg->listeners[i].address = base_arena_printf(&cfg->arena, "unix:%s/%s",
                                                          cfg->state_dir, a + 5);
    }
    if (cfg->sql.task.enabled) {
        snprintf(cx->path, sizeof cx->path, "sql");
        if (!cfg->sql.listen && !cfg->sql.socket)
            return cfg_fail(cx, sec_sql, "nothing to listen on, valid: 'socket: PATH' and/or "
                                         "'listen: HOST:PORT'");
        if (cfg->sql.listen && !cfg->sql.nusers)
            return cfg_fail(cx, sec_sql, "'listen' needs at least one entry in 'users', valid: "
                                         "users: [{name: app, password: secret}]");
        if (cfg->sql.socket)
            cfg->sql.socket = cfg_path_join(cx, cfg->state_dir, cfg->sql.socket);
        /* The supervisor binds HarvSQL's sockets like any listener (kept across restarts and
         * reloads: a restarted sql task never causes a refused connection). Without users
         * HarvSQL trusts whoever connects: its socket is then its owner's alone (0600). */
        const char *names[2] = {SUP_SQL_TCP_LISTENER, SUP_SQL_SOCK_LISTENER};
        const char *addrs[2] = {cfg->sql.listen, cfg->sql.socket};
        for (int k = 0; k < 2; k++) {
            if (!addrs[k])
                continue;
            for (unsigned i = 0; i < cfg->nlisteners; i++)
                if (!strcmp(cfg->listeners[i].name, names[k]))
                    return cfg_fail(cx, sec_sql, "the listener name %s is taken by HarvSQL, "
                                    "valid: another name", names[k]);
            if (cfg->nlisteners == SUP_MAX_LISTENERS)
                return cfg_fail(cx, sec_sql, "no room for HarvSQL's sockets, valid: at most "
                                "%d listeners besides them", SUP_MAX_LISTENERS - 2);
            sup_listener_cfg_t *l = &cfg->listeners[cfg->nlisteners++];
            l->name = (char *)names[k];
            l->address = k ? base_arena_printf(&cfg->arena, "unix:%s", addrs[k])
                           : (char *)addrs[k];
            l->mode = k && !cfg->sql.nusers ? 0600 : 0;
            l->server_first = true; /* the MySQL greeting comes from the server */
        }
    }
    if (cfg->php.task.enabled) {
        sup_php_cfg_t *pc = &cfg->php;
        snprintf(cx->path, sizeof cx->path, "php");
        pc->present = true;
        if (!cfg->http.task.enabled)
            return cfg_fail(cx, sec_php, "PHP needs an http section (its root and listeners), "
                                         "valid: http: {listen: [...], root: DIR} beside php");
        for (unsigned i = 0; i < pc->writable.n; i++)
            pc->writable.v[i] = cfg_path_join(cx, cfg->http.root, pc->writable.v[i]);
        if (pc->fastcgi) {
            /* An external server: no pool task runs. */
            pc->task.enabled = false;
            if (!strncmp(pc->fastcgi, "unix:", 5) && pc->fastcgi[5] != '/')
                pc->fastcgi = base_arena_printf(&cfg->arena, "unix:%s/%s", cfg->state_dir,
                                                pc->fastcgi + 5);
        }
        pc->socket = base_arena_printf(&cfg->arena, "%s/run/php.sock", cfg->state_dir);
        pc->tmp_dir = base_arena_printf(&cfg->arena, "%s/php/tmp", cfg->state_dir);
        if (!pc->fastcgi && strlen(pc->socket) >= 108)
            return cfg_fail(cx, sec_php, "the pool's socket %s is longer than a unix socket "
                                         "path may be, valid: a shorter state_dir", pc->socket);
        if (pc->task.enabled) {
            /* The supervisor binds the pool's socket like any listener (kept across restarts
             * and reloads) and passes it to the php task. */
            for (unsigned i = 0; i < cfg->nlisteners; i++)
                if (!strcmp(cfg->listeners[i].name, SUP_PHP_LISTENER))
                    return cfg_fail(cx, sec_php, "the listener name %s is taken by the PHP "
                                    "pool's socket, valid: another name", SUP_PHP_LISTENER);
            if (cfg->nlisteners == SUP_MAX_LISTENERS)
                return cfg_fail(cx, sec_php, "no room for the PHP pool's socket, valid: at "
                                "most %d listeners besides it", SUP_MAX_LISTENERS - 1);
            cfg->listeners[cfg->nlisteners].name = SUP_PHP_LISTENER;
            cfg->listeners[cfg->nlisteners++].address =
                base_arena_printf(&cfg->arena, "unix:%s", pc->socket);
        }
    }
    cx->path[0] = 0;
    return BASE_OK;
}

int sup_config_parse(sup_config_t *cfg, const char *name, const char *base_dir,
                     const char *text, size_t len, char *err, size_t errlen)
{
    sup_config_init(cfg, base_dir);
    cfg->file = base_arena_strndup(&cfg->arena, name, strlen(name));
    cfg_ctx_t cx = {.cfg = cfg, .name = name, .base_dir = base_dir, .err = err,
                    .errlen = errlen};
    if (len > SUP_CONFIG_MAX_BYTES)
        return cfg_fail(&cx, NULL, "the file is %zu bytes, valid: at most %u", len,
                        SUP_CONFIG_MAX_BYTES);
    cfg_node_t *root;
    if (cfg_build(&cx, text, len, &root) != BASE_OK)
        return BASE_ERROR;
    if (!root || scalar_is_null(root))
        return cfg_fail(&cx, NULL, "the file is empty, valid: a mapping with an http and/or "
                                   "a sql section");
    if (root->type != N_MAP)
        return cfg_fail(&cx, root, "the top level is %s, valid: a mapping of keys",
                        node_kind(root));
    /* listeners first: http.listen refers to their names wherever they appear. */
    for (const cfg_node_t *k = root->first; k; k = k->next->next) {
        if (k->type == N_SCALAR && !strcmp(k->str, "listeners")) {
            for (const cfg_node_t *p = root->first; p != k; p = p->next->next)
                if (p->type == N_SCALAR && !strcmp(p->str, "listeners"))
                    goto walk; /* the duplicate is reported by walk_map */
            snprintf(cx.path, sizeof cx.path, "listeners");
            if (set_field(&cx, k->next, &top_fields[1], (char *)cfg) != BASE_OK)
                return BASE_ERROR;
            cx.path[0] = 0;
            break;
        }
    }
walk:
    cx.listeners_done = true; /* walk_map skips them now */
    if (walk_map(&cx, root, top_fields, (char *)cfg) != BASE_OK)
        return BASE_ERROR;
    return cfg_check(&cx, root);
}

int sup_config_load(sup_config_t *cfg, const char *path, char *err, size_t errlen)
{
    char dir[PATH_MAX], real[PATH_MAX];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: cannot open: %s, valid: a readable YAML file (harv up -c FILE)",
                 path, strerror(errno));
        if (fd >= 0)
            close(fd);
        sup_config_init(cfg, ".");
        return BASE_ERROR;
    }
    if (st.st_size > SUP_CONFIG_MAX_BYTES) {
        snprintf(err, errlen, "%s: %lld bytes, valid: at most %u", path, (long long)st.st_size,
                 SUP_CONFIG_MAX_BYTES);
        close(fd);
        sup_config_init(cfg, ".");
        return BASE_ERROR;
    }
    char *text = base_xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, text + got, (size_t)st.st_size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (!realpath(path, real))
        snprintf(real, sizeof real, "%s", path);
    snprintf(dir, sizeof dir, "%s", real);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, "%s", slash ? "/" : ".");
    int rc = sup_config_parse(cfg, path, dir, text, got, err, errlen);
    free(text);
    return rc;
}

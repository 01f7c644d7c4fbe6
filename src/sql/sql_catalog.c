/* sql_catalog.c — catalog emulation and session statements (SQL side of HarvSQL): SHOW
 * (DATABASES, TABLES, [FULL] COLUMNS, CREATE TABLE, INDEX, VARIABLES, STATUS, WARNINGS,
 * COLLATION, CHARACTER SET, TABLE STATUS, ENGINES, PROCESSLIST, GRANTS), DESCRIBE, the
 * information_schema tables (materialised as temp tables per query), system and user
 * variables with SET (NAMES, CHARACTER SET, sql_mode, autocommit ...), USE, transactions and
 * the statements MySQL clients send that need no work here (LOCK TABLES, FLUSH, ...). */
#include "sql_int.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- variables --------------------------------------------------------------------------- */
static const char *const k_vars[][2] = {
    {"auto_increment_increment", "1"}, {"auto_increment_offset", "1"}, {"autocommit", "ON"},
    {"automatic_sp_privileges", "ON"}, {"back_log", "151"}, {"basedir", "/usr/"},
    {"big_tables", "OFF"}, {"binlog_format", "ROW"}, {"bulk_insert_buffer_size", "8388608"},
    {"character_set_client", "utf8mb4"}, {"character_set_connection", "utf8mb4"},
    {"character_set_database", "utf8mb4"}, {"character_set_filesystem", "binary"},
    {"character_set_results", "utf8mb4"}, {"character_set_server", "utf8mb4"},
    {"character_set_system", "utf8mb3"}, {"collation_connection", "utf8mb4_0900_ai_ci"},
    {"collation_database", "utf8mb4_0900_ai_ci"}, {"collation_server", "utf8mb4_0900_ai_ci"},
    {"completion_type", "NO_CHAIN"}, {"concurrent_insert", "AUTO"}, {"connect_timeout", "10"},
    {"cte_max_recursion_depth", "1000"}, {"default_authentication_plugin", "mysql_native_password"},
    {"default_storage_engine", "InnoDB"}, {"default_tmp_storage_engine", "InnoDB"},
    {"default_week_format", "0"}, {"div_precision_increment", "4"},
    {"explicit_defaults_for_timestamp", "ON"}, {"foreign_key_checks", "ON"},
    {"ft_min_word_len", "4"}, {"group_concat_max_len", "1024"}, {"gtid_mode", "OFF"},
    {"have_openssl", "DISABLED"}, {"have_ssl", "DISABLED"}, {"hostname", "localhost"},
    {"information_schema_stats_expiry", "86400"}, {"init_connect", ""},
    {"innodb_buffer_pool_size", "134217728"}, {"innodb_file_per_table", "ON"},
    {"innodb_ft_min_token_size", "3"}, {"innodb_lock_wait_timeout", "50"},
    {"innodb_strict_mode", "ON"}, {"innodb_version", "8.0.35"}, {"interactive_timeout", "28800"},
    {"join_buffer_size", "262144"}, {"lc_messages", "en_US"}, {"lc_time_names", "en_US"},
    {"license", "GPL"}, {"local_infile", "OFF"}, {"lock_wait_timeout", "31536000"},
    {"log_bin", "OFF"}, {"long_query_time", "10.000000"}, {"lower_case_table_names", "0"},
    {"max_allowed_packet", "67108864"}, {"max_connections", "151"},
    {"max_execution_time", "0"}, {"max_heap_table_size", "16777216"},
    {"max_join_size", "18446744073709551615"}, {"max_sort_length", "1024"},
    {"max_user_connections", "0"}, {"net_buffer_length", "16384"}, {"net_read_timeout", "30"},
    {"net_write_timeout", "60"}, {"old_passwords", "0"}, {"optimizer_switch", "index_merge=on"},
    {"performance_schema", "OFF"}, {"port", "3306"}, {"protocol_version", "10"},
    {"query_cache_size", "0"}, {"query_cache_type", "OFF"}, {"read_buffer_size", "131072"},
    {"read_only", "OFF"}, {"require_secure_transport", "OFF"}, {"server_id", "1"},
    {"session_track_schema", "ON"}, {"session_track_state_change", "OFF"},
    {"session_track_system_variables", "time_zone,autocommit,character_set_client,character_set_results,character_set_connection"},
    {"skip_name_resolve", "ON"}, {"skip_networking", "OFF"}, {"socket", ""},
    {"sort_buffer_size", "262144"}, {"sql_auto_is_null", "OFF"}, {"sql_big_selects", "ON"},
    {"sql_log_bin", "ON"},
    {"sql_mode", "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"},
    {"sql_notes", "ON"}, {"sql_quote_show_create", "ON"}, {"sql_require_primary_key", "OFF"},
    {"sql_safe_updates", "OFF"}, {"sql_select_limit", "18446744073709551615"},
    {"sql_warnings", "OFF"}, {"storage_engine", "InnoDB"}, {"sync_binlog", "1"},
    {"system_time_zone", "UTC"}, {"table_definition_cache", "2000"},
    {"table_open_cache", "4000"}, {"thread_cache_size", "9"}, {"thread_stack", "1048576"},
    {"time_zone", "SYSTEM"}, {"tmp_table_size", "16777216"}, {"tmpdir", "/tmp"},
    {"transaction_isolation", "REPEATABLE-READ"}, {"transaction_read_only", "OFF"},
    {"tx_isolation", "REPEATABLE-READ"}, {"tx_read_only", "OFF"}, {"unique_checks", "ON"},
    {"updatable_views_with_limit", "YES"}, {"version_comment", "HarvSQL (SQLite engine)"},
    {"version_compile_machine", "x86_64"}, {"version_compile_os", "Linux"},
    {"wait_timeout", "28800"}, {"windowing_use_high_precision", "ON"},
};

static const char *var_default(const char *name)
{
    for (size_t i = 0; i < BASE_ARRAY_LEN(k_vars); i++)
        if (!strcmp(k_vars[i][0], name))
            return k_vars[i][1];
    return NULL;
}

static char *vtmp(hsql_session_t *s)
{
    s->vtmp_i = (s->vtmp_i + 1) & 3;
    return s->vtmp[s->vtmp_i];
}

static hsql_var_t *var_find(hsql_var_t *list, const char *name)
{
    for (hsql_var_t *v = list; v; v = v->next)
        if (!strcmp(v->name, name))
            return v;
    return NULL;
}

static void var_put(hsql_var_t **list, const char *name, const char *val)
{
    hsql_var_t *v = var_find(*list, name);
    if (!v) {
        v = base_xcalloc(1, sizeof *v);
        v->name = base_xstrdup(name);
        v->next = *list;
        *list = v;
    }
    free(v->val);
    v->val = val ? base_xstrdup(val) : NULL;
}

void hsql_vars_free(hsql_var_t **list)
{
    hsql_var_t *v = *list;
    while (v) {
        hsql_var_t *n = v->next;
        free(v->name);
        free(v->val);
        free(v);
        v = n;
    }
    *list = NULL;
}

static bool mode_is_strict(const char *m)
{
    return m && (strstr(m, "STRICT_TRANS_TABLES") || strstr(m, "STRICT_ALL_TABLES") ||
                 strstr(m, "TRADITIONAL"));
}

void hsql_vars_init(hsql_session_t *s)
{
    s->vars = NULL;
    hsql_engine_t *e = s->eng;
    pthread_mutex_lock(&e->mu);
    for (hsql_var_t *v = e->globals; v; v = v->next)
        var_put(&s->vars, v->name, v->val);
    pthread_mutex_unlock(&e->mu);
    const char *m = hsql_var_get(s, "sql_mode", false);
    s->strict = mode_is_strict(m);
    const char *c = hsql_var_get(s, "collation_connection", false);
    uint16_t id = c ? hsql_collation_id(c) : 0;
    s->coll_id = id ? id : 255;
    const char *ac = hsql_var_get(s, "autocommit", false);
    s->autocommit = !ac || !strcmp(ac, "ON") || !strcmp(ac, "1");
    const char *tz = hsql_var_get(s, "time_zone", false);
    if (!tz || hsql_tz_parse(tz, &s->tz_system, &s->tz_offset) < 0)
        s->tz_system = true;
}

const char *hsql_var_get(hsql_session_t *s, const char *name, bool global)
{
    char *b;
    if (!strcmp(name, "version"))
        return s->eng->version;
    if (!strcmp(name, "autocommit") && !global)
        return s->autocommit ? "ON" : "OFF";
    if (!strcmp(name, "last_insert_id") || !strcmp(name, "identity")) {
        b = vtmp(s);
        snprintf(b, 256, "%lld", (long long)s->last_insert_id);
        return b;
    }
    if (!strcmp(name, "warning_count") || !strcmp(name, "error_count")) {
        b = vtmp(s);
        snprintf(b, 256, "%d", name[0] == 'w' ? s->nwarn_total : 0);
        return b;
    }
    if (!strcmp(name, "timestamp")) {
        b = vtmp(s);
        snprintf(b, 256, "%lld", (long long)time(NULL));
        return b;
    }
    if (!strcmp(name, "pseudo_thread_id")) {
        b = vtmp(s);
        snprintf(b, 256, "%u", s->id);
        return b;
    }
    if (!strcmp(name, "datadir"))
        return s->eng->dir;
    if (!strcmp(name, "in_transaction"))
        return hsql_user_txn(s) ? "1" : "0";
    if (!global) {
        hsql_var_t *v = var_find(s->vars, name);
        if (v) {
            b = vtmp(s);
            snprintf(b, 256, "%s", v->val ? v->val : "");
            return b;
        }
    } else {
        pthread_mutex_lock(&s->eng->mu);
        hsql_var_t *v = var_find(s->eng->globals, name);
        if (v) {
            b = vtmp(s);
            snprintf(b, 256, "%s", v->val ? v->val : "");
            pthread_mutex_unlock(&s->eng->mu);
            return b;
        }
        pthread_mutex_unlock(&s->eng->mu);
    }
    return var_default(name);
}

static bool is_on(const char *v)
{
    return !strcasecmp(v, "1") || !strcasecmp(v, "ON") || !strcasecmp(v, "TRUE") ||
           !strcasecmp(v, "YES");
}

int hsql_var_set(hsql_session_t *s, const char *name, const char *val, bool global,
                 hsql_error_t *err)
{
    char buf[1024];
    if (!strcmp(name, "sql_mode")) {
        /* normalise: upper case, no spaces */
        size_t w = 0;
        for (const char *p = val; *p && w + 1 < sizeof buf; p++)
            if (*p != ' ')
                buf[w++] = (char)toupper((unsigned char)*p);
        buf[w] = 0;
        val = buf;
    }
    if (!strcmp(name, "autocommit") || !strcmp(name, "foreign_key_checks") ||
        !strcmp(name, "unique_checks") || !strcmp(name, "sql_safe_updates") ||
        !strcmp(name, "sql_auto_is_null") || !strcmp(name, "sql_notes") ||
        !strcmp(name, "sql_warnings") || !strcmp(name, "sql_log_bin") ||
        !strcmp(name, "transaction_read_only") || !strcmp(name, "tx_read_only") ||
        !strcmp(name, "sql_big_selects") || !strcmp(name, "big_tables")) {
        if (!is_on(val) && strcasecmp(val, "0") && strcasecmp(val, "OFF") && strcasecmp(val, "FALSE") &&
            strcasecmp(val, "NO"))
            return hsql_err(err, 1231, "42000", "Variable '%s' can't be set to the value of '%s'",
                            name, val);
        val = is_on(val) ? "ON" : "OFF";
    }
    bool tz_system = true;
    int tz_offset = 0;
    if (!strcmp(name, "time_zone")) {
        if (hsql_tz_parse(val, &tz_system, &tz_offset) < 0)
            return hsql_err(err, 1298, "HY000", "Unknown or incorrect time zone: '%s'", val);
        if (!tz_system && (val[0] == '+' || val[0] == '-')) { /* '-3:00' reads back '-03:00' */
            int a = tz_offset < 0 ? -tz_offset : tz_offset;
            snprintf(buf, sizeof buf, "%c%02d:%02d", val[0], a / 3600, a / 60 % 60);
            val = buf;
        }
    }
    if (global) {
        pthread_mutex_lock(&s->eng->mu);
        var_put(&s->eng->globals, name, val);
        pthread_mutex_unlock(&s->eng->mu);
        return 0;
    }
    if (!strcmp(name, "autocommit")) {
        bool on = !strcmp(val, "ON");
        hsql_rtxn_end(s);
        if (on && !s->autocommit && hsql_txn_implicit_commit(s, err) < 0)
            return -1;
        s->autocommit = on;
        return 0;
    }
    if (!strcmp(name, "collation_connection")) {
        uint16_t id = hsql_collation_id(val);
        if (!id)
            return hsql_err(err, 1273, "HY000", "Unknown collation: '%s'", val);
        s->coll_id = id;
    }
    if (!strcmp(name, "sql_mode"))
        s->strict = mode_is_strict(val);
    if (!strcmp(name, "time_zone")) {
        s->tz_system = tz_system;
        s->tz_offset = tz_offset;
    }
    var_put(&s->vars, name, val);
    return 0;
}

/* ---- small helpers ----------------------------------------------------------------------- */
#define KW(i, kw) hsql_tok_is(src, &t[i], kw)
#define OPT(i, op) hsql_tok_op(src, &t[i], op)

static char *tok_text(const char *src, const hsql_tok_t *t, char *buf, size_t cap)
{
    if (t->len + 1 > cap) {
        buf[0] = 0;
        return buf;
    }
    if (t->type == HSQL_TK_STR) {
        size_t n = hsql_str_decode(src, t, buf);
        buf[n] = 0;
    } else if (t->type == HSQL_TK_QIDENT || t->type == HSQL_TK_WORD) {
        hsql_ident_decode(src, t, buf);
    } else {
        memcpy(buf, src + t->off, t->len);
        buf[t->len] = 0;
    }
    return buf;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static bool like_ci(const char *pat, const char *s)
{
    return !pat || hsql_like_match(pat, strlen(pat), s, strlen(s), '\\');
}

/* Evaluates the MySQL expression [a,z) through the translator; the result is copied into out. */
static int eval_expr(hsql_session_t *s, const char *src, const hsql_tok_t *t, int a, int z,
                     char *out, size_t cap, bool *isnull, hsql_error_t *err)
{
    *isnull = false;
    if (z - a == 1) {
        const hsql_tok_t *k = &t[a];
        if (k->type == HSQL_TK_STR || k->type == HSQL_TK_INT || k->type == HSQL_TK_DEC ||
            k->type == HSQL_TK_WORD || k->type == HSQL_TK_QIDENT) {
            if (k->type == HSQL_TK_WORD && hsql_tok_is(src, k, "NULL")) {
                *isnull = true;
                out[0] = 0;
                return 0;
            }
            if (k->len + 1 > cap)
                return hsql_err(err, 1231, "42000", "value too long");
            tok_text(src, k, out, cap);
            return 0;
        }
    }
    base_buf_t q;
    base_buf_init(&q);
    size_t so = t[a].off, eo = t[z - 1].off + t[z - 1].len;
    base_buf_appendf(&q, "SELECT %.*s", (int)(eo - so), src + so);
    hsql_toks_t toks = {0};
    hsql_lex_err_t le;
    int r = -1;
    if (hsql_lex(q.data, q.len, &toks, &le) < 0) {
        hsql_err_syntax(err, q.data, q.len, le.off);
        goto done;
    }
    int n = (int)toks.n - 1;
    uint8_t *fl = base_xcalloc((size_t)n + 1, 1);
    int *ord = base_xcalloc((size_t)n + 1, sizeof(int));
    hsql_mark_params(q.data, toks.v, 0, n, fl, ord);
    hsql_xl_t *xl = hsql_translate(s, q.data, toks.v, 0, n, fl, ord, err);
    free(fl);
    free(ord);
    if (!xl)
        goto done;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->conn, xl->sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
                *isnull = true;
                out[0] = 0;
            } else {
                snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
            }
            r = 0;
        } else {
            hsql_err_sqlite(s, rc, err, NULL);
        }
    } else {
        hsql_err_sqlite(s, rc, err, NULL);
    }
    sqlite3_finalize(st);
    hsql_xl_free(xl);
done:
    hsql_toks_free(&toks);
    base_buf_fini(&q);
    return r;
}

/* ---- SET ----------------------------------------------------------------------------------- */
static int set_names(hsql_session_t *s, const char *cs, const char *coll, hsql_error_t *err)
{
    char c[128];
    if (!coll) {
        if (!strcasecmp(cs, "utf8mb4"))
            coll = "utf8mb4_0900_ai_ci";
        else if (!strcasecmp(cs, "utf8") || !strcasecmp(cs, "utf8mb3"))
            coll = "utf8mb3_general_ci";
        else if (!strcasecmp(cs, "latin1"))
            coll = "latin1_swedish_ci";
        else if (!strcasecmp(cs, "binary"))
            coll = "binary";
        else if (!strcasecmp(cs, "ascii"))
            coll = "ascii_general_ci";
        else
            return hsql_err(err, 1115, "42000", "Unknown character set: '%s'", cs);
    }
    snprintf(c, sizeof c, "%s", cs);
    lower(c);
    uint16_t id = hsql_collation_id(coll);
    if (!id)
        return hsql_err(err, 1273, "HY000", "Unknown collation: '%s'", coll);
    var_put(&s->vars, "character_set_client", c);
    var_put(&s->vars, "character_set_connection", c);
    var_put(&s->vars, "character_set_results", c);
    char cl[128];
    snprintf(cl, sizeof cl, "%s", coll);
    lower(cl);
    var_put(&s->vars, "collation_connection", cl);
    s->coll_id = id;
    return 0;
}

static int do_set(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                  const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    int i = b + 1;
    char name[256], val[1024], v2[256];
    if (KW(i, "NAMES")) {
        if (KW(i + 1, "DEFAULT"))
            return set_names(s, "utf8mb4", NULL, err) < 0 ? -1 : hsql_send_ok(s, sink, 0, 0, more, "", err);
        tok_text(src, &t[i + 1], val, sizeof val);
        const char *coll = NULL;
        if (i + 3 < e + 1 && KW(i + 2, "COLLATE")) {
            tok_text(src, &t[i + 3], v2, sizeof v2);
            coll = v2;
        }
        if (set_names(s, val, coll, err) < 0)
            return -1;
        return hsql_send_ok(s, sink, 0, 0, more, "", err);
    }
    if ((KW(i, "CHARACTER") && KW(i + 1, "SET")) || KW(i, "CHARSET")) {
        i += KW(i, "CHARSET") ? 1 : 2;
        tok_text(src, &t[i], val, sizeof val);
        if (set_names(s, KW(i, "DEFAULT") ? "utf8mb4" : val, NULL, err) < 0)
            return -1;
        return hsql_send_ok(s, sink, 0, 0, more, "", err);
    }
    if (KW(i, "PASSWORD") || ((KW(i, "GLOBAL") || KW(i, "SESSION")) && KW(i + 1, "TRANSACTION")) ||
        KW(i, "TRANSACTION") || KW(i, "ROLE") || KW(i, "DEFAULT"))
        return hsql_send_ok(s, sink, 0, 0, more, "", err);
    while (i < e) {
        bool global = false;
        if (KW(i, "GLOBAL") || KW(i, "PERSIST") || KW(i, "PERSIST_ONLY")) {
            global = true;
            i++;
        } else if (KW(i, "SESSION") || KW(i, "LOCAL")) {
            i++;
        }
        const hsql_tok_t *k = &t[i];
        bool user = false;
        if (k->type == HSQL_TK_UVAR) {
            user = true;
            const char *p = src + k->off + 1;
            size_t n = k->len - 1, o = 0;
            name[o++] = '@';
            for (size_t q = 0; q < n && o + 1 < sizeof name; q++)
                if (p[q] != '`' && p[q] != '\'' && p[q] != '"')
                    name[o++] = (char)tolower((unsigned char)p[q]);
            name[o] = 0;
        } else if (k->type == HSQL_TK_SYSVAR) {
            const char *p = src + k->off + 2;
            size_t n = k->len - 2;
            if (n > 7 && !strncasecmp(p, "global.", 7)) {
                global = true;
                p += 7;
                n -= 7;
            } else if (n > 8 && !strncasecmp(p, "session.", 8)) {
                p += 8;
                n -= 8;
            } else if (n > 6 && !strncasecmp(p, "local.", 6)) {
                p += 6;
                n -= 6;
            }
            if (n >= sizeof name)
                n = sizeof name - 1;
            memcpy(name, p, n);
            name[n] = 0;
            lower(name);
        } else if (k->type == HSQL_TK_WORD || k->type == HSQL_TK_QIDENT) {
            tok_text(src, k, name, sizeof name);
            lower(name);
        } else {
            return hsql_err_syntax(err, src, t[e].off, k->off);
        }
        i++;
        if (!OPT(i, "=") && !OPT(i, ":="))
            return hsql_err_syntax(err, src, t[e].off, t[i].off);
        i++;
        int a = i, d = 0;
        while (i < e && !(d == 0 && OPT(i, ","))) {
            if (OPT(i, "("))
                d++;
            else if (OPT(i, ")"))
                d--;
            i++;
        }
        if (a == i)
            return hsql_err_syntax(err, src, t[e].off, t[i].off);
        bool isnull = false;
        if (!user && i - a == 1 && KW(a, "DEFAULT")) {
            const char *dv = var_default(name);
            if (!dv)
                dv = "";
            snprintf(val, sizeof val, "%s", dv);
            if (!global) {
                /* back to the global value */
                const char *gv = hsql_var_get(s, name, true);
                snprintf(val, sizeof val, "%s", gv ? gv : dv);
            }
        } else if (eval_expr(s, src, t, a, i, val, sizeof val, &isnull, err) < 0) {
            return -1;
        }
        if (user) {
            var_put(&s->vars, name, isnull ? NULL : val);
        } else {
            if (!var_default(name) && !var_find(s->vars, name) && strcmp(name, "names") &&
                strncmp(name, "session_track", 13) && strcmp(name, "sql_mode"))
                BASE_LOG(BASE_LOG_DEBUG, "sql", "SET of unknown variable %s accepted", name);
            if (!strcmp(name, "character_set_results") && isnull)
                snprintf(val, sizeof val, "%s", "");
            if (hsql_var_set(s, name, val, global, err) < 0)
                return -1;
        }
        if (OPT(i, ","))
            i++;
    }
    return hsql_send_ok(s, sink, 0, 0, more, "", err);
}

/* ---- SHOW helpers ------------------------------------------------------------------------ */
/* Finds LIKE 'pattern' (copied into buf) or WHERE col = 'x' in [i,e). */
static const char *show_like(const char *src, const hsql_tok_t *t, int i, int e, char *buf, size_t cap)
{
    for (int k = i; k < e; k++) {
        if (KW(k, "LIKE") && k + 1 < e && t[k + 1].type == HSQL_TK_STR)
            return tok_text(src, &t[k + 1], buf, cap);
        if (KW(k, "WHERE")) {
            for (int j = k + 1; j + 1 < e; j++)
                if ((OPT(j, "=") || KW(j, "LIKE")) && t[j + 1].type == HSQL_TK_STR)
                    return tok_text(src, &t[j + 1], buf, cap);
        }
    }
    return NULL;
}

static int find_from(const char *src, const hsql_tok_t *t, int i, int e, char *db, size_t cap)
{
    for (int k = i; k < e; k++)
        if ((KW(k, "FROM") || KW(k, "IN")) && k + 1 < e) {
            tok_text(src, &t[k + 1], db, cap);
            return k;
        }
    return -1;
}

static int db_list(hsql_engine_t *eng, char ***out)
{
    DIR *d = opendir(eng->dir);
    int n = 0;
    char **v = NULL;
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            size_t l = strlen(de->d_name);
            if (l > 3 && !strcmp(de->d_name + l - 3, ".db")) {
                v = base_xrealloc(v, sizeof(char *) * (size_t)(n + 1));
                v[n] = base_xstrdup(de->d_name);
                v[n][l - 3] = 0;
                n++;
            }
        }
        closedir(d);
    }
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++)
            if (strcmp(v[a], v[b]) > 0) {
                char *x = v[a];
                v[a] = v[b];
                v[b] = x;
            }
    *out = v;
    return n;
}

static int cmp_tabname(const void *a, const void *b)
{
    return strcmp((*(hsql_table_t *const *)a)->name, (*(hsql_table_t *const *)b)->name);
}

/* Sorted snapshot of the tables of db (caller frees the array). */
static int tables_sorted(hsql_db_t *db, hsql_table_t ***out)
{
    hsql_table_t **tabs = __atomic_load_n(&db->tabs, __ATOMIC_ACQUIRE);
    int n = __atomic_load_n(&db->ntabs, __ATOMIC_ACQUIRE);
    hsql_table_t **v = base_xcalloc((size_t)n + 1, sizeof *v);
    if (n)
        memcpy(v, tabs, sizeof *v * (size_t)n);
    qsort(v, (size_t)n, sizeof *v, cmp_tabname);
    *out = v;
    return n;
}

static const char *col_key(const hsql_table_t *tb, const char *col)
{
    bool pri = false, uni = false, mul = false;
    for (int k = 0; k < tb->nidx; k++) {
        const hsql_index_t *ix = &tb->idx[k];
        for (int j = 0; j < ix->ncols; j++) {
            if (strcasecmp(ix->cols[j], col))
                continue;
            if (ix->kind == HSQL_IDX_PRIMARY)
                pri = true;
            else if (j == 0 && ix->kind == HSQL_IDX_UNIQUE && ix->ncols == 1)
                uni = true;
            else if (j == 0)
                mul = true;
        }
    }
    return pri ? "PRI" : uni ? "UNI" : mul ? "MUL" : "";
}

static const char *col_extra(const hsql_column_t *c, char *buf, size_t cap)
{
    buf[0] = 0;
    if (c->autoinc)
        snprintf(buf, cap, "auto_increment");
    else if (c->def_expr && c->deflt && !strcmp(c->deflt, "CURRENT_TIMESTAMP"))
        snprintf(buf, cap, "DEFAULT_GENERATED%s", c->on_update_now ? " on update CURRENT_TIMESTAMP" : "");
    else if (c->on_update_now)
        snprintf(buf, cap, "on update CURRENT_TIMESTAMP");
    return buf;
}

static hsql_table_t *show_table(hsql_session_t *s, const char *src, const hsql_tok_t *t, int i,
                                hsql_error_t *err)
{
    char name[256], db[256];
    tok_text(src, &t[i], name, sizeof name);
    db[0] = 0;
    if (OPT(i + 1, ".")) {
        snprintf(db, sizeof db, "%s", name);
        tok_text(src, &t[i + 2], name, sizeof name);
    }
    if (db[0] && (!s->dbname || strcmp(db, s->dbname))) {
        hsql_err(err, 1146, "42S02", "Table '%s.%s' doesn't exist", db, name);
        return NULL;
    }
    if (!s->db) {
        hsql_err(err, 1046, "3D000", "No database selected");
        return NULL;
    }
    hsql_table_t *tb = hsql_table_find(s, name);
    if (!tb)
        hsql_err(err, 1146, "42S02", "Table '%s.%s' doesn't exist", s->dbname, name);
    return tb;
}

static int show_columns(hsql_session_t *s, hsql_table_t *tb, bool full, const char *like,
                        const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    hsql_rs_t rs;
    hsql_rs_init(&rs, s, sink, more);
    hsql_rs_col(&rs, "Field", HSQL_TYPE_VAR_STRING, 256);
    hsql_rs_col(&rs, "Type", HSQL_TYPE_BLOB, 262140);
    if (full)
        hsql_rs_col(&rs, "Collation", HSQL_TYPE_VAR_STRING, 256);
    hsql_rs_col(&rs, "Null", HSQL_TYPE_VAR_STRING, 12);
    hsql_rs_col(&rs, "Key", HSQL_TYPE_VAR_STRING, 12);
    hsql_rs_col(&rs, "Default", HSQL_TYPE_BLOB, 262140);
    hsql_rs_col(&rs, "Extra", HSQL_TYPE_VAR_STRING, 1024);
    if (full) {
        hsql_rs_col(&rs, "Privileges", HSQL_TYPE_VAR_STRING, 616);
        hsql_rs_col(&rs, "Comment", HSQL_TYPE_VAR_STRING, 4096);
    }
    for (int k = 0; k < tb->ncols; k++) {
        const hsql_column_t *c = &tb->cols[k];
        if (!like_ci(like, c->name))
            continue;
        char extra[128];
        const char *v[9];
        int n = 0;
        v[n++] = c->name;
        v[n++] = c->type;
        if (full)
            v[n++] = c->collation;
        v[n++] = c->notnull ? "NO" : "YES";
        v[n++] = col_key(tb, c->name);
        v[n++] = c->deflt;
        v[n++] = col_extra(c, extra, sizeof extra);
        if (full) {
            v[n++] = "select,insert,update,references";
            v[n++] = c->comment ? c->comment : "";
        }
        hsql_rs_row(&rs, v);
    }
    return hsql_rs_end(&rs, err);
}

static int64_t table_rows(hsql_session_t *s, const char *name, int64_t *maxid);

static int show_index(hsql_session_t *s, hsql_table_t *tb, const hsql_sink_t *sink, uint16_t more,
                      hsql_error_t *err)
{
    int64_t maxid, rows = table_rows(s, tb->name, &maxid);
    char card[32];
    snprintf(card, sizeof card, "%lld", (long long)rows);
    hsql_rs_t rs;
    hsql_rs_init(&rs, s, sink, more);
    const char *names[] = {"Table", "Non_unique", "Key_name", "Seq_in_index", "Column_name",
                           "Collation", "Cardinality", "Sub_part", "Packed", "Null",
                           "Index_type", "Comment", "Index_comment", "Visible", "Expression"};
    for (size_t k = 0; k < BASE_ARRAY_LEN(names); k++) {
        bool num = k == 1 || k == 3 || k == 6 || k == 7;
        hsql_rs_col(&rs, names[k], k == 3 ? HSQL_TYPE_LONG : num ? HSQL_TYPE_LONGLONG : HSQL_TYPE_VAR_STRING,
                    num ? 21 : 256);
    }
    for (int k = 0; k < tb->nidx; k++) {
        const hsql_index_t *ix = &tb->idx[k];
        for (int j = 0; j < ix->ncols; j++) {
            char seq[16], sub[16];
            snprintf(seq, sizeof seq, "%d", j + 1);
            snprintf(sub, sizeof sub, "%d", ix->sub[j]);
            int c = hsql_col_find(tb, ix->cols[j]);
            const char *v[15] = {tb->name, ix->kind == HSQL_IDX_PRIMARY || ix->kind == HSQL_IDX_UNIQUE ? "0" : "1",
                                 ix->name, seq, ix->cols[j], ix->kind == HSQL_IDX_FULLTEXT ? NULL : "A",
                                 card, ix->sub[j] ? sub : NULL, NULL,
                                 c >= 0 && !tb->cols[c].notnull ? "YES" : "",
                                 ix->kind == HSQL_IDX_FULLTEXT ? "FULLTEXT" : "BTREE", "", "", "YES", NULL};
            hsql_rs_row(&rs, v);
        }
    }
    return hsql_rs_end(&rs, err);
}

static int64_t table_rows(hsql_session_t *s, const char *name, int64_t *maxid)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*), max(rowid) FROM \"%s\"", name);
    sqlite3_stmt *st = NULL;
    int64_t n = 0;
    *maxid = 0;
    if (sqlite3_prepare_v2(s->conn, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
        *maxid = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    /* AUTOINCREMENT tables remember the largest id ever used */
    st = NULL;
    if (sqlite3_prepare_v2(s->conn, "SELECT seq FROM sqlite_sequence WHERE name = ?1", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > *maxid)
            *maxid = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

static void fmt_time(uint64_t t, char *b, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(b, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static int show_table_status(hsql_session_t *s, const char *like, const hsql_sink_t *sink,
                             uint16_t more, hsql_error_t *err)
{
    if (!s->db)
        return hsql_err(err, 1046, "3D000", "No database selected");
    hsql_rs_t rs;
    hsql_rs_init(&rs, s, sink, more);
    const char *names[] = {"Name", "Engine", "Version", "Row_format", "Rows", "Avg_row_length",
                           "Data_length", "Max_data_length", "Index_length", "Data_free",
                           "Auto_increment", "Create_time", "Update_time", "Check_time",
                           "Collation", "Checksum", "Create_options", "Comment"};
    for (size_t k = 0; k < BASE_ARRAY_LEN(names); k++) {
        bool num = (k >= 2 && k <= 10 && k != 3) || k == 15;
        hsql_rs_col(&rs, names[k], num ? HSQL_TYPE_LONGLONG : HSQL_TYPE_VAR_STRING, num ? 21 : 256);
    }
    hsql_table_t **v;
    int n = tables_sorted(s->db, &v);
    for (int k = 0; k < n; k++) {
        hsql_table_t *tb = v[k];
        if (!like_ci(like, tb->name))
            continue;
        int64_t maxid, rows = table_rows(s, tb->name, &maxid);
        char r[32], ai[32], ct[32], dl[32];
        snprintf(r, sizeof r, "%lld", (long long)rows);
        snprintf(ai, sizeof ai, "%lld", (long long)maxid + 1);
        snprintf(dl, sizeof dl, "%lld", (long long)rows * 100);
        fmt_time(tb->create_time, ct, sizeof ct);
        const char *vals[18] = {tb->name, tb->engine, "10", "Dynamic", r, rows ? "100" : "0", dl,
                                "0", "0", "0", tb->autoinc_col >= 0 ? ai : NULL, ct, NULL, NULL,
                                tb->collation, NULL, "", tb->comment ? tb->comment : ""};
        hsql_rs_row(&rs, vals);
    }
    free(v);
    return hsql_rs_end(&rs, err);
}

/* ---- information_schema ------------------------------------------------------------------- */
static void bind_txt(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

int hsql_infoschema_prepare(hsql_session_t *s, hsql_error_t *err)
{
    static const char *ddl =
        "CREATE TEMP TABLE IF NOT EXISTS is_tables(TABLE_CATALOG TEXT COLLATE HCI, TABLE_SCHEMA TEXT COLLATE HCI,"
        " TABLE_NAME TEXT COLLATE HCI, TABLE_TYPE TEXT, ENGINE TEXT, VERSION INTEGER, ROW_FORMAT TEXT,"
        " TABLE_ROWS INTEGER, AVG_ROW_LENGTH INTEGER, DATA_LENGTH INTEGER, MAX_DATA_LENGTH INTEGER,"
        " INDEX_LENGTH INTEGER, DATA_FREE INTEGER, AUTO_INCREMENT INTEGER, CREATE_TIME TEXT,"
        " UPDATE_TIME TEXT, CHECK_TIME TEXT, TABLE_COLLATION TEXT, CHECKSUM INTEGER,"
        " CREATE_OPTIONS TEXT, TABLE_COMMENT TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_columns(TABLE_CATALOG TEXT, TABLE_SCHEMA TEXT COLLATE HCI,"
        " TABLE_NAME TEXT COLLATE HCI, COLUMN_NAME TEXT COLLATE HCI, ORDINAL_POSITION INTEGER,"
        " COLUMN_DEFAULT TEXT, IS_NULLABLE TEXT, DATA_TYPE TEXT, CHARACTER_MAXIMUM_LENGTH INTEGER,"
        " CHARACTER_OCTET_LENGTH INTEGER, NUMERIC_PRECISION INTEGER, NUMERIC_SCALE INTEGER,"
        " DATETIME_PRECISION INTEGER, CHARACTER_SET_NAME TEXT, COLLATION_NAME TEXT, COLUMN_TYPE TEXT,"
        " COLUMN_KEY TEXT, EXTRA TEXT, PRIVILEGES TEXT, COLUMN_COMMENT TEXT,"
        " GENERATION_EXPRESSION TEXT, SRS_ID INTEGER);"
        "CREATE TEMP TABLE IF NOT EXISTS is_statistics(TABLE_CATALOG TEXT, TABLE_SCHEMA TEXT COLLATE HCI,"
        " TABLE_NAME TEXT COLLATE HCI, NON_UNIQUE INTEGER, INDEX_SCHEMA TEXT, INDEX_NAME TEXT COLLATE HCI,"
        " SEQ_IN_INDEX INTEGER, COLUMN_NAME TEXT COLLATE HCI, COLLATION TEXT, CARDINALITY INTEGER,"
        " SUB_PART INTEGER, PACKED TEXT, NULLABLE TEXT, INDEX_TYPE TEXT, COMMENT TEXT,"
        " INDEX_COMMENT TEXT, IS_VISIBLE TEXT, EXPRESSION TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_schemata(CATALOG_NAME TEXT, SCHEMA_NAME TEXT COLLATE HCI,"
        " DEFAULT_CHARACTER_SET_NAME TEXT, DEFAULT_COLLATION_NAME TEXT, SQL_PATH TEXT,"
        " DEFAULT_ENCRYPTION TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_table_constraints(CONSTRAINT_CATALOG TEXT,"
        " CONSTRAINT_SCHEMA TEXT COLLATE HCI, CONSTRAINT_NAME TEXT, TABLE_SCHEMA TEXT COLLATE HCI,"
        " TABLE_NAME TEXT COLLATE HCI, CONSTRAINT_TYPE TEXT, ENFORCED TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_key_column_usage(CONSTRAINT_CATALOG TEXT,"
        " CONSTRAINT_SCHEMA TEXT COLLATE HCI, CONSTRAINT_NAME TEXT, TABLE_CATALOG TEXT,"
        " TABLE_SCHEMA TEXT COLLATE HCI, TABLE_NAME TEXT COLLATE HCI, COLUMN_NAME TEXT,"
        " ORDINAL_POSITION INTEGER, POSITION_IN_UNIQUE_CONSTRAINT INTEGER,"
        " REFERENCED_TABLE_SCHEMA TEXT, REFERENCED_TABLE_NAME TEXT, REFERENCED_COLUMN_NAME TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_referential_constraints(CONSTRAINT_CATALOG TEXT,"
        " CONSTRAINT_SCHEMA TEXT, CONSTRAINT_NAME TEXT, UNIQUE_CONSTRAINT_SCHEMA TEXT,"
        " UNIQUE_CONSTRAINT_NAME TEXT, UPDATE_RULE TEXT, DELETE_RULE TEXT, TABLE_NAME TEXT,"
        " REFERENCED_TABLE_NAME TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_routines(SPECIFIC_NAME TEXT, ROUTINE_CATALOG TEXT,"
        " ROUTINE_SCHEMA TEXT, ROUTINE_NAME TEXT, ROUTINE_TYPE TEXT, DATA_TYPE TEXT,"
        " ROUTINE_DEFINITION TEXT, DEFINER TEXT, CREATED TEXT, LAST_ALTERED TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_triggers(TRIGGER_CATALOG TEXT, TRIGGER_SCHEMA TEXT,"
        " TRIGGER_NAME TEXT, EVENT_MANIPULATION TEXT, EVENT_OBJECT_CATALOG TEXT,"
        " EVENT_OBJECT_SCHEMA TEXT, EVENT_OBJECT_TABLE TEXT, ACTION_ORDER INTEGER,"
        " ACTION_CONDITION TEXT, ACTION_STATEMENT TEXT, ACTION_ORIENTATION TEXT, ACTION_TIMING TEXT,"
        " CREATED TEXT, SQL_MODE TEXT, DEFINER TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_views(TABLE_CATALOG TEXT, TABLE_SCHEMA TEXT,"
        " TABLE_NAME TEXT, VIEW_DEFINITION TEXT, CHECK_OPTION TEXT, IS_UPDATABLE TEXT, DEFINER TEXT,"
        " SECURITY_TYPE TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_engines(ENGINE TEXT, SUPPORT TEXT, COMMENT TEXT,"
        " TRANSACTIONS TEXT, XA TEXT, SAVEPOINTS TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_files(FILE_ID INTEGER, FILE_NAME TEXT, FILE_TYPE TEXT,"
        " TABLESPACE_NAME TEXT, TABLE_CATALOG TEXT, TABLE_SCHEMA TEXT, TABLE_NAME TEXT,"
        " LOGFILE_GROUP_NAME TEXT, LOGFILE_GROUP_NUMBER INTEGER, ENGINE TEXT, FULLTEXT_KEYS TEXT,"
        " DELETED_ROWS INTEGER, UPDATE_COUNT INTEGER, FREE_EXTENTS INTEGER, TOTAL_EXTENTS INTEGER,"
        " EXTENT_SIZE INTEGER, INITIAL_SIZE INTEGER, MAXIMUM_SIZE INTEGER, AUTOEXTEND_SIZE INTEGER,"
        " CREATION_TIME TEXT, LAST_UPDATE_TIME TEXT, LAST_ACCESS_TIME TEXT, RECOVER_TIME INTEGER,"
        " TRANSACTION_COUNTER INTEGER, VERSION INTEGER, ROW_FORMAT TEXT, TABLE_ROWS INTEGER,"
        " AVG_ROW_LENGTH INTEGER, DATA_LENGTH INTEGER, MAX_DATA_LENGTH INTEGER, INDEX_LENGTH INTEGER,"
        " DATA_FREE INTEGER, CREATE_TIME TEXT, UPDATE_TIME TEXT, CHECK_TIME TEXT, CHECKSUM INTEGER,"
        " STATUS TEXT, EXTRA TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_partitions(TABLE_SCHEMA TEXT, TABLE_NAME TEXT,"
        " PARTITION_NAME TEXT, PARTITION_METHOD TEXT, PARTITION_EXPRESSION TEXT, TABLE_ROWS INTEGER);"
        "CREATE TEMP TABLE IF NOT EXISTS is_events(EVENT_SCHEMA TEXT, EVENT_NAME TEXT, STATUS TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_column_statistics(SCHEMA_NAME TEXT, TABLE_NAME TEXT,"
        " COLUMN_NAME TEXT, HISTOGRAM TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_plugins(PLUGIN_NAME TEXT, PLUGIN_VERSION TEXT,"
        " PLUGIN_STATUS TEXT, PLUGIN_TYPE TEXT, PLUGIN_LIBRARY TEXT, PLUGIN_LICENSE TEXT);"
        "CREATE TEMP TABLE IF NOT EXISTS is_character_sets(CHARACTER_SET_NAME TEXT,"
        " DEFAULT_COLLATE_NAME TEXT, DESCRIPTION TEXT, MAXLEN INTEGER);"
        "CREATE TEMP TABLE IF NOT EXISTS is_collations(COLLATION_NAME TEXT, CHARACTER_SET_NAME TEXT,"
        " ID INTEGER, IS_DEFAULT TEXT, IS_COMPILED TEXT, SORTLEN INTEGER, PAD_ATTRIBUTE TEXT);"
        "DELETE FROM is_character_sets; DELETE FROM is_collations;"
        "INSERT INTO is_character_sets VALUES('utf8mb4','utf8mb4_0900_ai_ci','UTF-8 Unicode',4),"
        " ('utf8mb3','utf8mb3_general_ci','UTF-8 Unicode',3), ('latin1','latin1_swedish_ci','cp1252 West European',1),"
        " ('binary','binary','Binary pseudo charset',1), ('ascii','ascii_general_ci','US ASCII',1);"
        "INSERT INTO is_collations VALUES('utf8mb4_0900_ai_ci','utf8mb4',255,'Yes','Yes',0,'NO PAD'),"
        " ('utf8mb4_general_ci','utf8mb4',45,'','Yes',1,'PAD SPACE'), ('utf8mb4_bin','utf8mb4',46,'','Yes',1,'PAD SPACE'),"
        " ('utf8mb4_unicode_ci','utf8mb4',224,'','Yes',8,'PAD SPACE'),"
        " ('utf8mb4_unicode_520_ci','utf8mb4',246,'','Yes',8,'PAD SPACE'),"
        " ('utf8mb3_general_ci','utf8mb3',33,'Yes','Yes',1,'PAD SPACE'), ('latin1_swedish_ci','latin1',8,'Yes','Yes',1,'PAD SPACE'),"
        " ('binary','binary',63,'Yes','Yes',1,'NO PAD');"
        "DELETE FROM is_tables; DELETE FROM is_columns; DELETE FROM is_statistics;"
        "DELETE FROM is_schemata; DELETE FROM is_table_constraints; DELETE FROM is_key_column_usage;"
        "DELETE FROM is_engines;"
        "INSERT INTO is_engines VALUES('InnoDB','DEFAULT','SQLite storage (HarvSQL)','YES','NO','YES');";
    if (hsql_exec_simple(s, ddl, err) < 0)
        return -1;
    sqlite3_stmt *st = NULL;
    char **dbs;
    int nd = db_list(s->eng, &dbs);
    sqlite3_prepare_v2(s->conn, "INSERT INTO is_schemata VALUES('def',?1,'utf8mb4','utf8mb4_0900_ai_ci',NULL,'NO')",
                       -1, &st, NULL);
    bind_txt(st, 1, "information_schema");
    sqlite3_step(st);
    sqlite3_reset(st);
    for (int k = 0; k < nd; k++) {
        bind_txt(st, 1, dbs[k]);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_stmt *tt = NULL, *ct = NULL, *it = NULL, *kc = NULL, *tc = NULL;
    sqlite3_prepare_v2(s->conn,
                       "INSERT INTO is_tables VALUES('def',?1,?2,'BASE TABLE',?3,10,'Dynamic',?4,0,?5,0,0,0,"
                       "?6,?7,NULL,NULL,?8,NULL,'',?9)", -1, &tt, NULL);
    sqlite3_prepare_v2(s->conn,
                       "INSERT INTO is_columns VALUES('def',?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,NULL,?12,"
                       "?13,?14,?15,?16,'select,insert,update,references',?17,'',NULL)", -1, &ct, NULL);
    sqlite3_prepare_v2(s->conn,
                       "INSERT INTO is_statistics VALUES('def',?1,?2,?3,?1,?4,?5,?6,'A',0,?7,NULL,?8,"
                       "'BTREE','','','YES',NULL)", -1, &it, NULL);
    sqlite3_prepare_v2(s->conn, "INSERT INTO is_key_column_usage VALUES('def',?1,?2,'def',?1,?3,?4,?5,NULL,NULL,NULL,NULL)",
                       -1, &kc, NULL);
    sqlite3_prepare_v2(s->conn, "INSERT INTO is_table_constraints VALUES('def',?1,?2,?1,?3,?4,'YES')", -1,
                       &tc, NULL);
    /* every database of the state directory; row counts of the session's own only */
    for (int di = 0; di < nd; di++) {
        hsql_db_t *d = hsql_db_get(s->eng, dbs[di]);
        bool cur = d == s->db;
        if (!cur && hsql_db_load_other(s->eng, d, NULL) < 0)
            continue;
        const char *dbn = d->name;
        hsql_table_t **v;
        int n = tables_sorted(d, &v);
        for (int k = 0; k < n; k++) {
            hsql_table_t *tb = v[k];
            int64_t maxid = 0, rows = cur ? table_rows(s, tb->name, &maxid) : 0;
            char ctime[32];
            fmt_time(tb->create_time, ctime, sizeof ctime);
            bind_txt(tt, 1, dbn);
            bind_txt(tt, 2, tb->name);
            bind_txt(tt, 3, tb->engine);
            sqlite3_bind_int64(tt, 4, rows);
            sqlite3_bind_int64(tt, 5, rows * 100);
            if (tb->autoinc_col >= 0)
                sqlite3_bind_int64(tt, 6, maxid + 1);
            else
                sqlite3_bind_null(tt, 6);
            bind_txt(tt, 7, ctime);
            bind_txt(tt, 8, tb->collation);
            bind_txt(tt, 9, tb->comment ? tb->comment : "");
            sqlite3_step(tt);
            sqlite3_reset(tt);
            for (int c = 0; c < tb->ncols; c++) {
                const hsql_column_t *col = &tb->cols[c];
                char dtype[64], extra[128], cs[64];
                size_t l = strcspn(col->type, "( ");
                snprintf(dtype, sizeof dtype, "%.*s", (int)l, col->type);
                bind_txt(ct, 1, dbn);
                bind_txt(ct, 2, tb->name);
                bind_txt(ct, 3, col->name);
                sqlite3_bind_int(ct, 4, c + 1);
                bind_txt(ct, 5, col->deflt);
                bind_txt(ct, 6, col->notnull ? "NO" : "YES");
                bind_txt(ct, 7, dtype);
                bool txt = col->cls == HSQL_CLS_TEXT || col->cls == HSQL_CLS_BLOB || col->cls == HSQL_CLS_ENUM;
                if (txt && col->maxlen) {
                    sqlite3_bind_int64(ct, 8, col->maxlen);
                    sqlite3_bind_int64(ct, 9, (int64_t)col->maxlen * (col->cls == HSQL_CLS_BLOB ? 1 : 4));
                } else {
                    sqlite3_bind_null(ct, 8);
                    sqlite3_bind_null(ct, 9);
                }
                if (col->cls == HSQL_CLS_INT || col->cls == HSQL_CLS_REAL || col->cls == HSQL_CLS_DECIMAL) {
                    int prec = col->mtype == HSQL_TYPE_LONGLONG ? (col->is_unsigned ? 20 : 19)
                               : col->mtype == HSQL_TYPE_LONG   ? 10
                               : col->mtype == HSQL_TYPE_INT24  ? 7
                               : col->mtype == HSQL_TYPE_SHORT  ? 5
                               : col->mtype == HSQL_TYPE_TINY   ? 3
                               : col->mtype == HSQL_TYPE_DOUBLE ? 22
                               : col->mtype == HSQL_TYPE_FLOAT  ? 12
                                                                : (int)col->length - 2;
                    sqlite3_bind_int(ct, 10, prec);
                    if (col->cls == HSQL_CLS_INT || col->cls == HSQL_CLS_DECIMAL)
                        sqlite3_bind_int(ct, 11, col->cls == HSQL_CLS_INT ? 0 : col->decimals);
                    else
                        sqlite3_bind_null(ct, 11);
                } else {
                    sqlite3_bind_null(ct, 10);
                    sqlite3_bind_null(ct, 11);
                }
                if (col->collation) {
                    snprintf(cs, sizeof cs, "%.*s", (int)strcspn(col->collation, "_"), col->collation);
                    bind_txt(ct, 12, cs);
                } else {
                    bind_txt(ct, 12, NULL);
                }
                bind_txt(ct, 13, col->collation);
                bind_txt(ct, 14, col->type);
                bind_txt(ct, 15, col_key(tb, col->name));
                bind_txt(ct, 16, col_extra(col, extra, sizeof extra));
                bind_txt(ct, 17, col->comment ? col->comment : "");
                sqlite3_step(ct);
                sqlite3_reset(ct);
            }
            for (int x = 0; x < tb->nidx; x++) {
                const hsql_index_t *ix = &tb->idx[x];
                bool uniq = ix->kind == HSQL_IDX_PRIMARY || ix->kind == HSQL_IDX_UNIQUE;
                if (uniq) {
                    bind_txt(tc, 1, dbn);
                    bind_txt(tc, 2, ix->name);
                    bind_txt(tc, 3, tb->name);
                    bind_txt(tc, 4, ix->kind == HSQL_IDX_PRIMARY ? "PRIMARY KEY" : "UNIQUE");
                    sqlite3_step(tc);
                    sqlite3_reset(tc);
                }
                for (int j = 0; j < ix->ncols; j++) {
                    int c = hsql_col_find(tb, ix->cols[j]);
                    bind_txt(it, 1, dbn);
                    bind_txt(it, 2, tb->name);
                    sqlite3_bind_int(it, 3, !uniq);
                    bind_txt(it, 4, ix->name);
                    sqlite3_bind_int(it, 5, j + 1);
                    bind_txt(it, 6, ix->cols[j]);
                    if (ix->sub[j])
                        sqlite3_bind_int(it, 7, ix->sub[j]);
                    else
                        sqlite3_bind_null(it, 7);
                    bind_txt(it, 8, c >= 0 && !tb->cols[c].notnull ? "YES" : "");
                    sqlite3_step(it);
                    sqlite3_reset(it);
                    if (uniq) {
                        bind_txt(kc, 1, dbn);
                        bind_txt(kc, 2, ix->name);
                        bind_txt(kc, 3, tb->name);
                        bind_txt(kc, 4, ix->cols[j]);
                        sqlite3_bind_int(kc, 5, j + 1);
                        sqlite3_step(kc);
                        sqlite3_reset(kc);
                    }
                }
            }
        }
        free(v);
    }
    for (int k = 0; k < nd; k++)
        free(dbs[k]);
    free(dbs);
    sqlite3_finalize(tt);
    sqlite3_finalize(ct);
    sqlite3_finalize(it);
    sqlite3_finalize(kc);
    sqlite3_finalize(tc);
    return 0;
}

/* ---- SHOW ----------------------------------------------------------------------------------- */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Name/value rows of SHOW VARIABLES / STATUS. With a WHERE clause they go through a temp table
 * and a real SELECT with that clause (JDBC sends "WHERE Variable_name = 'a' OR ..."). */
typedef struct kv {
    char **k, **v;
    size_t n, cap;
} kv_t;

static void kv_add(kv_t *kv, const char *k, const char *v)
{
    if (kv->n == kv->cap) {
        kv->cap = kv->cap ? kv->cap * 2 : 64;
        kv->k = base_xrealloc(kv->k, kv->cap * sizeof(char *));
        kv->v = base_xrealloc(kv->v, kv->cap * sizeof(char *));
    }
    kv->k[kv->n] = base_xstrdup(k);
    kv->v[kv->n] = base_xstrdup(v ? v : "");
    kv->n++;
}

static void kv_free(kv_t *kv)
{
    for (size_t i = 0; i < kv->n; i++) {
        free(kv->k[i]);
        free(kv->v[i]);
    }
    free(kv->k);
    free(kv->v);
}

static int kv_send(hsql_session_t *s, kv_t *kv, const char *like, const char *src,
                   const hsql_tok_t *t, int where, int e, const hsql_sink_t *sink, uint16_t more,
                   hsql_error_t *err)
{
    if (where >= 0) {
        if (hsql_exec_simple(s, "CREATE TEMP TABLE IF NOT EXISTS hsql_show_kv(Variable_name TEXT "
                                "COLLATE HCI, Value TEXT); DELETE FROM temp.hsql_show_kv", err) < 0)
            return -1;
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(s->conn, "INSERT INTO temp.hsql_show_kv VALUES(?1, ?2)", -1, &st, NULL);
        for (size_t i = 0; st && i < kv->n; i++) {
            sqlite3_bind_text(st, 1, kv->k[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, kv->v[i], -1, SQLITE_STATIC);
            sqlite3_step(st);
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
        base_buf_t q;
        base_buf_init(&q);
        size_t so = t[where].off, eo = t[e - 1].off + t[e - 1].len;
        base_buf_appendf(&q, "SELECT Variable_name, Value FROM temp.hsql_show_kv %.*s ORDER BY Variable_name",
                         (int)(eo - so), src + so);
        int r = hsql_run_mysql(s, q.data, q.len, sink, more, err);
        base_buf_fini(&q);
        return r;
    }
    hsql_rs_t rs;
    hsql_rs_init(&rs, s, sink, more);
    hsql_rs_col(&rs, "Variable_name", HSQL_TYPE_VAR_STRING, 256);
    hsql_rs_col(&rs, "Value", HSQL_TYPE_VAR_STRING, 4096);
    for (size_t i = 0; i < kv->n; i++) {
        if (!like_ci(like, kv->k[i]))
            continue;
        const char *row[2] = {kv->k[i], kv->v[i]};
        hsql_rs_row(&rs, row);
    }
    return hsql_rs_end(&rs, err);
}

static int show_variables(hsql_session_t *s, bool global, const char *like, const char *src,
                          const hsql_tok_t *t, int where, int e, const hsql_sink_t *sink,
                          uint16_t more, hsql_error_t *err)
{
    /* names: defaults + any set in the session or globally */
    size_t cap = BASE_ARRAY_LEN(k_vars) + 64, n = 0;
    const char **names = base_xcalloc(cap, sizeof(char *));
    for (size_t i = 0; i < BASE_ARRAY_LEN(k_vars); i++)
        names[n++] = k_vars[i][0];
    names[n++] = "version";
    names[n++] = "datadir";
    names[n++] = "last_insert_id";
    for (hsql_var_t *v = s->vars; v && n < cap; v = v->next)
        if (v->name[0] != '@' && !var_default(v->name))
            names[n++] = v->name;
    qsort(names, n, sizeof *names, cmp_str);
    kv_t kv = {0};
    for (size_t i = 0; i < n; i++) {
        if (i && !strcmp(names[i], names[i - 1]))
            continue;
        kv_add(&kv, names[i], hsql_var_get(s, names[i], global));
    }
    free(names);
    int r = kv_send(s, &kv, like, src, t, where, e, sink, more, err);
    kv_free(&kv);
    return r;
}

static int show_status(hsql_session_t *s, const char *like, const char *src, const hsql_tok_t *t,
                       int where, int e, const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    char up[32], q[32], th[32];
    snprintf(up, sizeof up, "%llu", (unsigned long long)((base_now_ms() - s->eng->start_ms) / 1000));
    snprintf(q, sizeof q, "%llu", (unsigned long long)__atomic_load_n(&s->eng->questions, __ATOMIC_RELAXED));
    snprintf(th, sizeof th, "%d", s->eng->nsessions);
    const char *rows[][2] = {{"Aborted_clients", "0"}, {"Aborted_connects", "0"},
                             {"Connections", th}, {"Innodb_buffer_pool_pages_total", "8192"},
                             {"Max_used_connections", th}, {"Open_tables", "0"},
                             {"Queries", q}, {"Questions", q}, {"Slow_queries", "0"},
                             {"Ssl_cipher", ""}, {"Threads_connected", th},
                             {"Threads_running", "1"}, {"Uptime", up}};
    kv_t kv = {0};
    for (size_t i = 0; i < BASE_ARRAY_LEN(rows); i++)
        kv_add(&kv, rows[i][0], rows[i][1]);
    int r = kv_send(s, &kv, like, src, t, where, e, sink, more, err);
    kv_free(&kv);
    return r;
}

static int show(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    int i = b + 1;
    char likebuf[512], db[256];
    const char *like = show_like(src, t, i, e, likebuf, sizeof likebuf);
    bool full = false, global = false;
    if (KW(i, "FULL")) {
        full = true;
        i++;
    }
    if (KW(i, "GLOBAL")) {
        global = true;
        i++;
    } else if (KW(i, "SESSION") || KW(i, "LOCAL")) {
        i++;
    }
    hsql_rs_t rs;
    if (KW(i, "DATABASES") || KW(i, "SCHEMAS")) {
        char colname[600];
        if (like)
            snprintf(colname, sizeof colname, "Database (%s)", like);
        else
            snprintf(colname, sizeof colname, "Database");
        hsql_rs_init(&rs, s, sink, more);
        hsql_rs_col(&rs, colname, HSQL_TYPE_VAR_STRING, 256);
        char **dbs;
        int n = db_list(s->eng, &dbs);
        const char *is = "information_schema";
        if (like_ci(like, is))
            hsql_rs_row(&rs, &is);
        for (int k = 0; k < n; k++) {
            if (like_ci(like, dbs[k])) {
                const char *v = dbs[k];
                hsql_rs_row(&rs, &v);
            }
            free(dbs[k]);
        }
        free(dbs);
        return hsql_rs_end(&rs, err);
    }
    if (KW(i, "TABLES")) {
        if (find_from(src, t, i, e, db, sizeof db) >= 0) {
            if (!s->dbname || strcmp(db, s->dbname)) {
                if (!hsql_engine_db_exists(s->eng, db))
                    return hsql_err(err, 1049, "42000", "Unknown database '%s'", db);
                /* another database: show its catalog only if it is loaded */
            }
        } else if (!s->dbname) {
            return hsql_err(err, 1046, "3D000", "No database selected");
        } else {
            snprintf(db, sizeof db, "%s", s->dbname);
        }
        char colname[600];
        if (like)
            snprintf(colname, sizeof colname, "Tables_in_%s (%s)", db, like);
        else
            snprintf(colname, sizeof colname, "Tables_in_%s", db);
        hsql_rs_init(&rs, s, sink, more);
        hsql_rs_col(&rs, colname, HSQL_TYPE_VAR_STRING, 256);
        if (full)
            hsql_rs_col(&rs, "Table_type", HSQL_TYPE_VAR_STRING, 44);
        hsql_db_t *d = hsql_db_get(s->eng, db);
        if (hsql_db_load_other(s->eng, d, err) < 0)
            return -1;
        hsql_table_t **v;
        int n = tables_sorted(d, &v);
        for (int k = 0; k < n; k++) {
            if (!like_ci(like, v[k]->name))
                continue;
            const char *row[2] = {v[k]->name, "BASE TABLE"};
            hsql_rs_row(&rs, row);
        }
        free(v);
        return hsql_rs_end(&rs, err);
    }
    if (KW(i, "COLUMNS") || KW(i, "FIELDS")) {
        int f = find_from(src, t, i, e, db, sizeof db);
        if (f < 0)
            return hsql_err_syntax(err, src, t[e].off, t[e].off);
        hsql_table_t *tb = show_table(s, src, t, f + 1, err);
        if (!tb)
            return -1;
        return show_columns(s, tb, full, like, sink, more, err);
    }
    if (KW(i, "INDEX") || KW(i, "INDEXES") || KW(i, "KEYS")) {
        int f = find_from(src, t, i, e, db, sizeof db);
        if (f < 0)
            return hsql_err_syntax(err, src, t[e].off, t[e].off);
        hsql_table_t *tb = show_table(s, src, t, f + 1, err);
        if (!tb)
            return -1;
        return show_index(s, tb, sink, more, err);
    }
    if (KW(i, "CREATE") && KW(i + 1, "TABLE")) {
        hsql_table_t *tb = show_table(s, src, t, i + 2, err);
        if (!tb)
            return -1;
        int64_t maxid = 0;
        if (tb->autoinc_col >= 0)
            table_rows(s, tb->name, &maxid);
        base_buf_t bb;
        base_buf_init(&bb);
        hsql_table_render(tb, &bb, tb->autoinc_col >= 0, (uint64_t)maxid + 1);
        base_buf_append(&bb, "", 1);
        hsql_rs_init(&rs, s, sink, more);
        hsql_rs_col(&rs, "Table", HSQL_TYPE_VAR_STRING, 256);
        hsql_rs_col(&rs, "Create Table", HSQL_TYPE_VAR_STRING, 4096);
        const char *row[2] = {tb->name, bb.data};
        hsql_rs_row(&rs, row);
        int r = hsql_rs_end(&rs, err);
        base_buf_fini(&bb);
        return r;
    }
    if (KW(i, "CREATE") && (KW(i + 1, "DATABASE") || KW(i + 1, "SCHEMA"))) {
        int k = i + 2;
        if (KW(k, "IF"))
            k += 3;
        tok_text(src, &t[k], db, sizeof db);
        if (!hsql_engine_db_exists(s->eng, db))
            return hsql_err(err, 1049, "42000", "Unknown database '%s'", db);
        char def[700];
        snprintf(def, sizeof def,
                 "CREATE DATABASE `%s` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci */ "
                 "/*!80016 DEFAULT ENCRYPTION='N' */", db);
        hsql_rs_init(&rs, s, sink, more);
        hsql_rs_col(&rs, "Database", HSQL_TYPE_VAR_STRING, 256);
        hsql_rs_col(&rs, "Create Database", HSQL_TYPE_VAR_STRING, 4096);
        const char *row[2] = {db, def};
        hsql_rs_row(&rs, row);
        return hsql_rs_end(&rs, err);
    }
    int where = -1;
    for (int k = i; k < e; k++)
        if (KW(k, "WHERE"))
            where = k;
    if (KW(i, "VARIABLES"))
        return show_variables(s, global, where >= 0 ? NULL : like, src, t, where, e, sink, more, err);
    if (KW(i, "STATUS"))
        return show_status(s, where >= 0 ? NULL : like, src, t, where, e, sink, more, err);
    if (KW(i, "TABLE") && KW(i + 1, "STATUS"))
        return show_table_status(s, like, sink, more, err);
    if (KW(i, "COUNT")) {
        /* SHOW COUNT(*) WARNINGS|ERRORS */
        bool w = false;
        for (int k = i; k < e; k++)
            if (KW(k, "WARNINGS"))
                w = true;
        hsql_rs_init(&rs, s, sink, more);
        hsql_rs_col(&rs, w ? "@@session.warning_count" : "@@session.error_count", HSQL_TYPE_LONGLONG, 21);
        char n[16];
        snprintf(n, sizeof n, "%d", w ? s->nwarn_total : 0);
        const char *v = n;
        hsql_rs_row(&rs, &v);
        return hsql_rs_end(&rs, err);
    }
    if (KW(i, "WARNINGS") || KW(i, "ERRORS")) {
        hsql_rs_init(&rs, s, sink, more);
        hsql_rs_col(&rs, "Level", HSQL_TYPE_VAR_STRING, 28);
        hsql_rs_col(&rs, "Code", HSQL_TYPE_LONG, 4);
        hsql_rs_col(&rs, "Message", HSQL_TYPE_VAR_STRING, 2048);
        bool errs = KW(i, "ERRORS");
        for (int k = 0; k < s->nwarn; k++) {
            if (errs && strcmp(s->warn[k].level, "Error"))
                continue;
            char code[16];
            snprintf(code, sizeof code, "%u", s->warn[k].code);
            const char *row[3] = {s->warn[k].level, code, s->warn[k].msg};
            hsql_rs_row(&rs, row);
        }
        return hsql_rs_end(&rs, err);
    }
    if (KW(i, "COLLATION")) {
        hsql_rs_init(&rs, s, sink, more);
        const char *names[] = {"Collation", "Charset", "Id", "Default", "Compiled", "Sortlen",
                               "Pad_attribute"};
        for (size_t k = 0; k < 7; k++)
            hsql_rs_col(&rs, names[k], k == 2 || k == 5 ? HSQL_TYPE_LONGLONG : HSQL_TYPE_VAR_STRING, 64);
        static const char *const rows[][7] = {
            {"ascii_bin", "ascii", "65", "", "Yes", "1", "PAD SPACE"},
            {"ascii_general_ci", "ascii", "11", "Yes", "Yes", "1", "PAD SPACE"},
            {"binary", "binary", "63", "Yes", "Yes", "1", "NO PAD"},
            {"latin1_bin", "latin1", "47", "", "Yes", "1", "PAD SPACE"},
            {"latin1_general_ci", "latin1", "48", "", "Yes", "1", "PAD SPACE"},
            {"latin1_swedish_ci", "latin1", "8", "Yes", "Yes", "1", "PAD SPACE"},
            {"utf8mb3_bin", "utf8mb3", "83", "", "Yes", "1", "PAD SPACE"},
            {"utf8mb3_general_ci", "utf8mb3", "33", "Yes", "Yes", "1", "PAD SPACE"},
            {"utf8mb3_unicode_ci", "utf8mb3", "192", "", "Yes", "8", "PAD SPACE"},
            {"utf8mb4_0900_ai_ci", "utf8mb4", "255", "Yes", "Yes", "0", "NO PAD"},
            {"utf8mb4_0900_as_cs", "utf8mb4", "278", "", "Yes", "0", "NO PAD"},
            {"utf8mb4_0900_bin", "utf8mb4", "309", "", "Yes", "1", "NO PAD"},
            {"utf8mb4_bin", "utf8mb4", "46", "", "Yes", "1", "PAD SPACE"},
            {"utf8mb4_general_ci", "utf8mb4", "45", "", "Yes", "1", "PAD SPACE"},
            {"utf8mb4_unicode_520_ci", "utf8mb4", "246", "", "Yes", "8", "PAD SPACE"},
            {"utf8mb4_unicode_ci", "utf8mb4", "224", "", "Yes", "8", "PAD SPACE"},
        };
        for (size_t k = 0; k < BASE_ARRAY_LEN(rows); k++)
            if (like_ci(like, rows[k][0]))
                hsql_rs_row(&rs, rows[k]);
        return hsql_rs_end(&rs, err);
    }
    if ((KW(i, "CHARACTER") && KW(i + 1, "SET")) || KW(i, "CHARSET")) {
        hsql_rs_init(&rs, s, sink, more);
        hsql_rs_col(&rs, "Charset", HSQL_TYPE_VAR_STRING, 64);
        hsql_rs_col(&rs, "Description", HSQL_TYPE_VAR_STRING, 256);
        hsql_rs_col(&rs, "Default collation", HSQL_TYPE_VAR_STRING, 64);
        hsql_rs_col(&rs, "Maxlen", HSQL_TYPE_LONGLONG, 10);
        static const char *const rows[][4] = {
            {"ascii", "US ASCII", "ascii_general_ci", "1"},
            {"binary", "Binary pseudo charset", "binary", "1"},
            {"latin1", "cp1252 West European", "latin1_swedish_ci", "1"},
            {"utf8mb3", "UTF-8 Unicode", "utf8mb3_general_ci", "3"},
            {"utf8mb4", "UTF-8 Unicode", "utf8mb4_0900_ai_ci", "4"},
        };
        for (size_t k = 0; k < BASE_ARRAY_LEN(rows); k++)
            if (like_ci(like, rows[k][0]))
                hsql_rs_row(&rs, rows[k]);
        return hsql_rs_end(&rs, err);
    }
    if (KW(i, "ENGINES") || (KW(i, "STORAGE") && KW(i + 1, "ENGINES"))) {
        hsql_rs_init(&rs, s, sink, more);
        const char *names[] = {"Engine", "Support", "Comment", "Transactions", "XA", "Savepoints"};
        for (size_t k = 0; k < 6; k++)
            hsql_rs_col(&rs, names[k], HSQL_TYPE_VAR_STRING, 256);
        const char *row[6] = {"InnoDB", "DEFAULT", "SQLite storage (HarvSQL)", "YES", "NO", "YES"};
        hsql_rs_row(&rs, row);
        return hsql_rs_end(&rs, err);
    }
    if (KW(i, "PROCESSLIST")) {
        hsql_rs_init(&rs, s, sink, more);
        const char *names[] = {"Id", "User", "Host", "db", "Command", "Time", "State", "Info"};
        for (size_t k = 0; k < 8; k++)
            hsql_rs_col(&rs, names[k], k == 0 || k == 5 ? HSQL_TYPE_LONGLONG : HSQL_TYPE_VAR_STRING, 256);
        pthread_mutex_lock(&s->eng->mu);
        for (hsql_session_t *x = s->eng->sessions; x; x = x->next) {
            char id[16], tm[32], info[512];
            snprintf(id, sizeof id, "%u", x->id);
            snprintf(tm, sizeof tm, "%llu", (unsigned long long)((base_now_ms() - x->start_ms) / 1000));
            snprintf(info, sizeof info, "%.*s", full ? 500 : 100, x == s ? "SHOW PROCESSLIST" : "");
            const char *row[8] = {id, x->user, x->host, x->dbname, x == s ? "Query" : "Sleep", tm,
                                  x == s ? "executing" : "", x == s ? info : NULL};
            hsql_rs_row(&rs, row);
        }
        pthread_mutex_unlock(&s->eng->mu);
        return hsql_rs_end(&rs, err);
    }
    if (KW(i, "GRANTS")) {
        char g[300], colname[200];
        snprintf(colname, sizeof colname, "Grants for %s@%%", s->user);
        snprintf(g, sizeof g, "GRANT ALL PRIVILEGES ON *.* TO `%s`@`%%` WITH GRANT OPTION", s->user);
        hsql_rs_init(&rs, s, sink, more);
        hsql_rs_col(&rs, colname, HSQL_TYPE_VAR_STRING, 1024);
        const char *v = g;
        hsql_rs_row(&rs, &v);
        return hsql_rs_end(&rs, err);
    }
    if (KW(i, "TRIGGERS") || KW(i, "EVENTS") || KW(i, "PLUGINS") ||
        ((KW(i, "PROCEDURE") || KW(i, "FUNCTION")) && KW(i + 1, "STATUS")) ||
        (KW(i, "OPEN") && KW(i + 1, "TABLES")) || (KW(i, "MASTER") && KW(i + 1, "STATUS")) ||
        (KW(i, "BINARY") && KW(i + 1, "LOGS")) || (KW(i, "SLAVE") && KW(i + 1, "STATUS")) ||
        (KW(i, "REPLICA") && KW(i + 1, "STATUS"))) {
        hsql_rs_init(&rs, s, sink, more);
        hsql_rs_col(&rs, "Name", HSQL_TYPE_VAR_STRING, 256);
        return hsql_rs_end(&rs, err);
    }
    return hsql_err_syntax(err, src, t[e].off, t[i].off);
}

/* ---- entry point ----------------------------------------------------------------------------- */
int hsql_admin_exec(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                    const hsql_sink_t *sink, uint16_t more, hsql_error_t *err)
{
    char name[256];
    if (KW(b, "SET"))
        return do_set(s, src, t, b, e, sink, more, err);
    if (KW(b, "SHOW"))
        return show(s, src, t, b, e, sink, more, err);
    if (KW(b, "DESCRIBE") || KW(b, "DESC") || KW(b, "EXPLAIN")) {
        int i = b + 1;
        if (hsql_is_dml(src, t, i, e) || KW(i, "EXTENDED") || KW(i, "FORMAT") || KW(i, "ANALYZE")) {
            hsql_rs_t rs;
            hsql_rs_init(&rs, s, sink, more);
            const char *names[] = {"id", "select_type", "table", "partitions", "type",
                                   "possible_keys", "key", "key_len", "ref", "rows", "filtered", "Extra"};
            for (size_t k = 0; k < 12; k++)
                hsql_rs_col(&rs, names[k], k == 0 || k == 9 ? HSQL_TYPE_LONGLONG : HSQL_TYPE_VAR_STRING, 256);
            const char *row[12] = {"1", "SIMPLE", NULL, NULL, "ALL", NULL, NULL, NULL, NULL, "1", "100.00", NULL};
            hsql_rs_row(&rs, row);
            return hsql_rs_end(&rs, err);
        }
        hsql_table_t *tb = show_table(s, src, t, i, err);
        if (!tb)
            return -1;
        int k = OPT(i + 1, ".") ? i + 3 : i + 1;
        const char *like = NULL;
        char lb[256];
        if (k < e)
            like = tok_text(src, &t[k], lb, sizeof lb);
        return show_columns(s, tb, false, like, sink, more, err);
    }
    if (KW(b, "USE")) {
        tok_text(src, &t[b + 1], name, sizeof name);
        if (hsql_session_switch_db(s, name, err) < 0)
            return -1;
        return hsql_send_ok(s, sink, 0, 0, more, "", err);
    }
    if (KW(b, "BEGIN") || (KW(b, "START") && KW(b + 1, "TRANSACTION"))) {
        bool ro = false;
        for (int k = b + 1; k + 1 < e; k++)
            if (KW(k, "READ") && KW(k + 1, "ONLY"))
                ro = true;
        if (hsql_txn_implicit_commit(s, err) < 0 || hsql_txn_begin(s, ro, err) < 0)
            return -1;
        return hsql_send_ok(s, sink, 0, 0, more, "", err);
    }
    if (KW(b, "COMMIT")) {
        if (hsql_txn_implicit_commit(s, err) < 0)
            return -1;
        return hsql_send_ok(s, sink, 0, 0, more, "", err);
    }
    if (KW(b, "ROLLBACK")) {
        int i = b + 1;
        if (KW(i, "WORK"))
            i++;
        if (KW(i, "TO")) {
            i++;
            if (KW(i, "SAVEPOINT"))
                i++;
            tok_text(src, &t[i], name, sizeof name);
            char sql[400];
            snprintf(sql, sizeof sql, "ROLLBACK TO \"%s\"", name);
            if (sqlite3_exec(s->conn, sql, NULL, NULL, NULL) != SQLITE_OK)
                return hsql_err(err, 1305, "42000", "SAVEPOINT %s does not exist", name);
            __atomic_add_fetch(&s->eng->rollbacks, 1, __ATOMIC_ACQ_REL);
            return hsql_send_ok(s, sink, 0, 0, more, "", err);
        }
        if (s->conn && !sqlite3_get_autocommit(s->conn)) {
            hsql_rollback(s);
            hsql_txn_ended(s);
        }
        return hsql_send_ok(s, sink, 0, 0, more, "", err);
    }
    if (KW(b, "SAVEPOINT") || (KW(b, "RELEASE") && KW(b + 1, "SAVEPOINT"))) {
        bool rel = KW(b, "RELEASE");
        tok_text(src, &t[rel ? b + 2 : b + 1], name, sizeof name);
        if (!rel && sqlite3_get_autocommit(s->conn) && hsql_txn_begin(s, false, err) < 0)
            return -1;
        char sql[400];
        snprintf(sql, sizeof sql, "%s \"%s\"", rel ? "RELEASE" : "SAVEPOINT", name);
        if (sqlite3_exec(s->conn, sql, NULL, NULL, NULL) != SQLITE_OK)
            return hsql_err(err, 1305, "42000", "SAVEPOINT %s does not exist", name);
        return hsql_send_ok(s, sink, 0, 0, more, "", err);
    }
    if (KW(b, "LOCK") || KW(b, "UNLOCK") || KW(b, "FLUSH") || KW(b, "KILL") || KW(b, "GRANT") ||
        KW(b, "REVOKE") || KW(b, "RESET") || KW(b, "PURGE") || KW(b, "CACHE") ||
        (KW(b, "CREATE") && (KW(b + 1, "USER") || KW(b + 1, "ROLE"))) ||
        (KW(b, "DROP") && (KW(b + 1, "USER") || KW(b + 1, "ROLE"))) ||
        (KW(b, "ALTER") && KW(b + 1, "USER")) || KW(b, "XA"))
        return hsql_send_ok(s, sink, 0, 0, more, "", err);
    if (KW(b, "OPTIMIZE") || KW(b, "ANALYZE") || KW(b, "REPAIR") || KW(b, "CHECK") ||
        KW(b, "CHECKSUM")) {
        const char *op = KW(b, "OPTIMIZE") ? "optimize" : KW(b, "ANALYZE") ? "analyze"
                         : KW(b, "REPAIR")  ? "repair" : KW(b, "CHECK") ? "check" : "checksum";
        hsql_rs_t rs;
        hsql_rs_init(&rs, s, sink, more);
        hsql_rs_col(&rs, "Table", HSQL_TYPE_VAR_STRING, 256);
        hsql_rs_col(&rs, "Op", HSQL_TYPE_VAR_STRING, 40);
        hsql_rs_col(&rs, "Msg_type", HSQL_TYPE_VAR_STRING, 40);
        hsql_rs_col(&rs, "Msg_text", HSQL_TYPE_VAR_STRING, 1024);
        for (int i = b + 1; i < e; i++) {
            if (t[i].type != HSQL_TK_WORD && t[i].type != HSQL_TK_QIDENT)
                continue;
            if (KW(i, "TABLE") || KW(i, "NO_WRITE_TO_BINLOG") || KW(i, "LOCAL") || KW(i, "QUICK") ||
                KW(i, "EXTENDED") || KW(i, "FAST") || KW(i, "MEDIUM") || KW(i, "CHANGED") ||
                KW(i, "FOR") || KW(i, "UPGRADE"))
                continue;
            tok_text(src, &t[i], name, sizeof name);
            char full[600];
            snprintf(full, sizeof full, "%s.%s", s->dbname ? s->dbname : "", name);
            bool ok = s->db && hsql_table_find(s, name);
            const char *row[4] = {full, op, ok ? "status" : "Error",
                                  ok ? "OK" : "Table doesn't exist"};
            hsql_rs_row(&rs, row);
        }
        if (s->conn && KW(b, "ANALYZE"))
            sqlite3_exec(s->conn, "ANALYZE", NULL, NULL, NULL);
        return hsql_rs_end(&rs, err);
    }
    if (KW(b, "DO")) {
        char v[64];
        bool isnull;
        if (eval_expr(s, src, t, b + 1, e, v, sizeof v, &isnull, err) < 0)
            return -1;
        return hsql_send_ok(s, sink, 0, 0, more, "", err);
    }
    if (KW(b, "CALL"))
        return hsql_err(err, 1305, "42000", "PROCEDURE %s does not exist",
                        tok_text(src, &t[b + 1], name, sizeof name));
    return 1;
}

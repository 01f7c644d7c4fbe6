/* sql_int.h — shared inside the SQL side of HarvSQL (engine.c, sql_*.c): the catalog model
 * (MySQL table definitions kept beside the SQLite tables), the engine and session structs,
 * the translation of one MySQL statement into SQLite SQL, and helpers for result sets.
 * Nothing here is seen by the protocol side, which uses hsql_engine.h only. */
#ifndef HSQL_SQL_INT_H
#define HSQL_SQL_INT_H

#include "hsql_engine.h"
#include "sql_lexer.h"

#include <harv/base.h>

#include <pthread.h>
#include <sqlite3.h>

/* The user data of session functions: which session uses the connection now (pooled
 * connections move between sessions). */
typedef struct hsql_fholder {
    struct hsql_session *s;
} hsql_fholder_t;

/* ---- catalog ----------------------------------------------------------------------------- */
enum {
    HSQL_CLS_INT, HSQL_CLS_REAL, HSQL_CLS_DECIMAL, HSQL_CLS_TEXT, HSQL_CLS_BLOB,
    HSQL_CLS_DATE, HSQL_CLS_DATETIME, HSQL_CLS_TIME, HSQL_CLS_YEAR, HSQL_CLS_BIT, HSQL_CLS_ENUM,
};

typedef struct hsql_column {
    char *name;
    char *type;       /* MySQL type text as DESCRIBE shows it: "bigint(20) unsigned" */
    int cls;          /* HSQL_CLS_* */
    uint8_t mtype;    /* HSQL_TYPE_* on the wire */
    uint32_t length;  /* wire display length */
    uint8_t decimals;
    uint32_t maxlen;  /* characters (text) / bytes (blob) that fit; 0 = no check */
    bool is_unsigned, notnull, autoinc, on_update_now, zerofill;
    char *deflt;      /* default as text (unquoted), NULL = none */
    bool def_null;    /* DEFAULT NULL given */
    bool def_expr;    /* default is an expression such as CURRENT_TIMESTAMP */
    char *collation;  /* text types only */
    char *comment;
    char *enumvals;   /* enum/set: the raw "('a','b')" list */
} hsql_column_t;

enum { HSQL_IDX_KEY, HSQL_IDX_UNIQUE, HSQL_IDX_PRIMARY, HSQL_IDX_FULLTEXT };

typedef struct hsql_index {
    char *name; /* "PRIMARY" for the primary key */
    int kind;
    int ncols;
    char **cols;
    int *sub; /* prefix lengths, 0 = whole column */
} hsql_index_t;

typedef struct hsql_table {
    char *name;
    int ncols;
    hsql_column_t *cols;
    int nidx;
    hsql_index_t *idx;
    char *engine, *charset, *collation, *comment;
    int autoinc_col; /* index into cols or -1 */
    uint64_t create_time;
    uint64_t ai_start; /* AUTO_INCREMENT=n given to CREATE/ALTER, applied once */
    bool temp;         /* CREATE TEMPORARY TABLE: the session's own, in SQLite's temp schema */
    int64_t ai_hw;     /* largest AUTO_INCREMENT id handed out (atomic; survives ROLLBACK) */
    uint64_t ai_checked; /* eng->rollbacks when ai_hw was last pushed into SQLite (atomic) */
} hsql_table_t;

typedef struct hsql_db {
    char *name;
    uint64_t gen; /* bumped on every DDL; translations made under an older gen are stale */
    hsql_table_t **tabs;
    int ntabs, cap;
    bool loaded;
    struct hsql_db *next;
} hsql_db_t;

/* ---- variables --------------------------------------------------------------------------- */
typedef struct hsql_var {
    char *name; /* lower case */
    char *val;
    struct hsql_var *next;
} hsql_var_t;

/* ---- translation ------------------------------------------------------------------------- */
enum {
    HSQL_XK_SELECT, HSQL_XK_INSERT, HSQL_XK_UPDATE, HSQL_XK_DELETE, HSQL_XK_MULTI_DELETE,
    HSQL_XK_MULTI_UPDATE, HSQL_XK_OTHER,
};

/* The MySQL type of a select-list expression the translator could tell (type 0: none). */
typedef struct hsql_hint {
    uint8_t type, decimals;
    bool is_unsigned;
    uint32_t length;
    const hsql_column_t *col; /* MIN/MAX of a column: that column's definition */
} hsql_hint_t;

typedef struct hsql_xl {
    int kind;
    char *sql;          /* SQLite text; literals/placeholders appear as ?N */
    int nparams;        /* highest N */
    bool calc_found;    /* SQL_CALC_FOUND_ROWS: LIMIT applied in C */
    int lim_off_p, lim_cnt_p;    /* param numbers of LIMIT offset/count, 0 = constant */
    int64_t lim_off, lim_cnt;    /* constants (lim_cnt -1 = none) */
    hsql_table_t *target;        /* INSERT/UPDATE/DELETE target */
    bool odku, count_chg, is_replace;
    bool has_insert_id;          /* target has AUTO_INCREMENT */
    bool infoschema;             /* reads information_schema: refresh its temp tables */
    char *missing_col;           /* INSERT leaves out a NOT NULL column without default */
    int16_t colparam[64];        /* INSERT: ?N holding column i's value in row 1, 0 unknown */
    int16_t colparam_stride;     /* ?N of row r is colparam + (r-1) * stride; -1 irregular */
    bool ai_given, ignore;       /* INSERT: the AUTO_INCREMENT column is given; IGNORE */
    hsql_hint_t hints[32];       /* SELECT: type hints of the first result columns */
    int nhints;
    /* multi-table DELETE/UPDATE: sql is the SELECT of rowids (+ new values); one sub-statement
     * per target table: "DELETE FROM t WHERE rowid=?1" / "UPDATE t SET a=?1.. WHERE rowid=?k" */
    int nsub;
    char **sub;
    int *sub_nvals;              /* UPDATE: values per target taken from the SELECT */
    hsql_db_t *db;
    uint64_t gen;
    bool strict;
} hsql_xl_t;

void hsql_xl_free(hsql_xl_t *xl);

/* A prepared SQLite statement, shared by every shape that translates to the same text. */
typedef struct hsql_pstmt {
    char *sql;
    uint64_t hash;
    sqlite3_stmt *st;
    int refs;
    struct hsql_pstmt *next;
} hsql_pstmt_t;

typedef struct hsql_centry {
    char *key;
    size_t klen;
    uint64_t hash;
    hsql_xl_t *xl;
    sqlite3_stmt *st;   /* ps->st */
    hsql_pstmt_t *ps;   /* NULL for a one-off statement (owns st) */
    hsql_col_t *cols;   /* fixed column definitions, or NULL when computed per run */
    unsigned ncols;
    base_arena_t colmem;
    struct hsql_centry *next;
} hsql_centry_t;

#define HSQL_CACHE_BUCKETS 512

/* Exact-text memo: a statement text seen before on this SQLite connection skips the lexer and,
 * for DML, the parameter marking and the cache key (PHP sends the same texts page after page).
 * Pure functions of the text only (no schema, no session state), so never stale; it travels
 * with the connection through the pool, like the statement cache. */
typedef struct hsql_memo {
    struct hsql_memo *next;
    uint64_t hash;
    char *text;
    size_t len;
    hsql_tok_t *toks; /* ntoks tokens, the last one EOF */
    int ntoks;
    bool dml;         /* the parameter marks and key below are set */
    uint8_t *pflags;  /* ntoks entries */
    int *pord;
    int np;
    size_t esc;       /* summed length of the parameter tokens */
    char *key;
    size_t klen;
    uint64_t khash;
} hsql_memo_t;
#define HSQL_MEMO_BUCKETS 256
#define HSQL_MEMO_MAX 512          /* entries per connection; then it starts again empty */
#define HSQL_MEMO_MAX_BYTES (1024 * 1024) /* ... or past this much memory */
#define HSQL_MEMO_MAX_TEXT 16384   /* longer texts are not remembered */
#define HSQL_CACHE_MAX 400
#define HSQL_CACHE_MAX_PARAMS 2000  /* statements with more parameters are not cached */
#define HSQL_CACHE_MAX_KEY (64 * 1024)

/* A bound value (literal of the text or a client parameter). */
typedef struct hsql_bval {
    int kind; /* HSQL_VAL_*, plus HSQL_BV_BLOB */
    int64_t i;
    double d;
    const char *s;
    size_t len;
} hsql_bval_t;
enum { HSQL_BV_BLOB = 100 };

typedef struct hsql_warn {
    uint16_t code;
    char level[8];
    char msg[200];
} hsql_warn_t;
#define HSQL_MAX_WARN 64
#define HSQL_BUSY_SHORT_MS 200

struct hsql_engine {
    char *dir;
    char *version;
    int synchronous, busy_ms;
    pthread_mutex_t mu;
    hsql_db_t *dbs;
    hsql_table_t **retired; /* replaced definitions: kept until engine_free (translations may
                               still point at them) */
    int nretired, capretired;
    void **oldarrays; /* replaced table arrays, freed with the engine */
    int noldarrays;
    uint32_t next_id;
    uint64_t questions, start_ms;
    uint64_t commit_gen; /* bumped after every statement that may have written */
    uint64_t rollbacks;  /* ROLLBACKs so far (ids handed out before must not come back) */
    hsql_var_t *globals;
    struct hsql_session *sessions;
    int nsessions;
    struct hsql_pconn *pool; /* idle SQLite connections with their caches, by database */
    int npool;
};

struct hsql_session {
    hsql_engine_t *eng;
    uint32_t id;
    char user[64], host[80];
    bool client_found_rows, multi;
    char *dbname;    /* current database or NULL */
    hsql_db_t *db;
    sqlite3 *conn;   /* opened on the current database (":memory:" without one) */
    hsql_toks_t toks;
    hsql_centry_t *cache[HSQL_CACHE_BUCKETS]; /* shape (text, literals as markers) -> entry */
    int ncache;
    hsql_pstmt_t *pstmts[HSQL_CACHE_BUCKETS];  /* translated text -> prepared statement */
    hsql_memo_t *memo[HSQL_MEMO_BUCKETS];      /* exact text -> tokens, parameter marks, key */
    int nmemo;
    size_t memo_bytes;
    /* set by hsql_memo_get/put for the running statement: pflags, pord, kbuf hold its marks
     * and key (key_np, key_hash, key_esc), so hsql_run_dml does not compute them again */
    bool key_ready;
    const char *key_src; /* ... of the statement [0, key_e) of this text */
    int key_e;
    int key_np;
    uint64_t key_hash;
    size_t key_esc;
    hsql_var_t *vars;
    bool autocommit, strict;
    bool tz_system;   /* time_zone = SYSTEM: the server's local time */
    int tz_offset;    /* else seconds east of UTC ('+05:30', 'UTC') */
    uint16_t coll_id;
    int64_t last_insert_id;
    int64_t found_rows;
    int64_t row_count;
    int nwarn, nwarn_total; /* of warn[], at the end */
    uint64_t cnt_chg, cnt_upd; /* counters bumped by hsql_chg()/hsql_odku() */
    uint64_t cnt_del;          /* rows REPLACE deleted (pre-update hook) */
    int64_t odku_id;           /* id of the row an ON DUPLICATE KEY UPDATE updated */
    const hsql_bval_t *cur_bv; /* values bound to the running statement (error messages) */
    int cur_nbv;
    base_buf_t kbuf, sbuf, vbuf; /* scratch: cache key, decoded strings, value text */
    base_arena_t qarena;         /* per-statement scratch */
    hsql_bval_t *bv;
    size_t nbv, capbv;
    uint8_t *pflags;
    int *pord;
    size_t cappf;
    const char *cur_info; /* text of the statement being run (not NUL-terminated) */
    size_t cur_len;
    int vtmp_i;           /* of vtmp[], at the end */
    uint64_t start_ms;
    /* Snapshot reuse: autocommit SELECTs run inside a read transaction that stays open while
     * no session has written since (eng->commit_gen == rtxn_gen), which saves SQLite's file
     * locking per statement. Writers close idle sessions' stale snapshots (hsql_after_write). */
    bool rtxn;
    uint64_t rtxn_gen;
    /* whether the client's transaction wrote (kept for statistics and future policies) */
    bool txn_wrote, prefer_immediate;
    uint64_t busy_since; /* busy handler bookkeeping */
    bool busy_timed_out;
    bool nonblocking;    /* hsql_session_set_nonblocking */
    bool txn_first_write; /* the running write is its transaction's first */
    bool busy_short;     /* wait at most HSQL_BUSY_SHORT_MS for the write lock */
    bool can_again;      /* the running statement may still answer HSQL_AGAIN */
    bool would_block;    /* the busy handler declined to wait (nonblocking) */
    bool again_pending;  /* a statement answered HSQL_AGAIN and will be retried */
    uint64_t again_since;
    sqlite3_stmt *st_begin, *st_commit;
    pthread_mutex_t mu; /* held while the session runs; lets writers end its snapshot */
    hsql_fholder_t *fh;   /* user data of the connection's session functions */
    hsql_table_t **temps; /* the session's TEMPORARY tables (gone with its connection) */
    char *attached[10];   /* other databases attached to conn (db.table) */
    int nattached;
    int ntemps;
    struct hsql_session *next, *prev;
    /* Scratch arrays last and not zeroed when a session is made (hsql_session_new): nwarn and
     * vtmp_i say what is in use. A PHP page makes a session per request. */
    hsql_warn_t warn[HSQL_MAX_WARN];
    char vtmp[4][256];    /* rotating buffers for computed variable values */
};

/* ---- errors ------------------------------------------------------------------------------ */
int hsql_err(hsql_error_t *err, uint16_t code, const char *state, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 1064 with MySQL's "near '...' at line N" built from the text at offset off. */
int hsql_err_syntax(hsql_error_t *err, const char *src, size_t len, size_t off);
/* Maps the connection's last SQLite error to MySQL's code/SQLSTATE/wording. */
int hsql_err_sqlite(hsql_session_t *s, int rc, hsql_error_t *err, const hsql_xl_t *xl);
void hsql_warn_add(hsql_session_t *s, const char *level, uint16_t code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- catalog (sql_ddl.c) ----------------------------------------------------------------- */
/* Parses a CREATE TABLE statement (tokens [b,e) of src) into a new table (caller owns, free with
 * hsql_table_free). Returns NULL with err filled. if_not_exists/like_table out-params may be
 * NULL. */
hsql_table_t *hsql_ddl_parse_create(const char *src, const hsql_tok_t *t, int b, int e,
                                    const char *db, bool *if_not_exists, hsql_error_t *err);
void hsql_table_free(hsql_table_t *tb);
hsql_table_t *hsql_table_clone(const hsql_table_t *tb);
/* SHOW CREATE TABLE text (also what the catalog stores). Appends to b. */
void hsql_table_render(const hsql_table_t *tb, base_buf_t *b, bool with_autoinc, uint64_t ainc);
/* The SQLite DDL for the table and its indexes ("CREATE TABLE ...;CREATE INDEX ...;"), table
 * created under the name sqlname (usually tb->name). */
void hsql_table_sqlite_ddl(const hsql_table_t *tb, const char *sqlname, base_buf_t *b);
int hsql_col_find(const hsql_table_t *tb, const char *name);
/* Schema helpers shared by sql_schema.c and sql_ddl.c. */
const char *hsql_charset_default_coll(const char *cs);
void hsql_coll_charset(const char *coll, char *cs, size_t n);
void hsql_col_fini(hsql_column_t *c);
void hsql_col_copy(hsql_column_t *d, const hsql_column_t *s);
void hsql_idx_fini(hsql_index_t *ix);
void hsql_idx_copy(hsql_index_t *d, const hsql_index_t *s);
const char *hsql_implicit_default(const hsql_column_t *c);
void hsql_index_ddl(const hsql_table_t *tb, const char *sqlname, const hsql_index_t *ix, base_buf_t *b);
void hsql_q_ident(base_buf_t *b, const char *n); /* `name` */
void hsql_s_ident(base_buf_t *b, const char *n); /* "name" */
void hsql_s_str(base_buf_t *b, const char *s);   /* 'text' (SQLite quoting) */
void hsql_render_catalog(const hsql_table_t *tb, base_buf_t *b);
bool hsql_col_is_text(const hsql_column_t *c);
/* Collation id for a collation name (246 for utf8mb4_unicode_520_ci, ...); 0 if unknown. */
uint16_t hsql_collation_id(const char *name);
const char *hsql_collation_name(uint16_t id);

/* Runs DDL statements: CREATE/ALTER/DROP/TRUNCATE/RENAME TABLE, CREATE/DROP INDEX,
 * CREATE/DROP DATABASE. Returns 0 (on_ok sent) or -1. */
int hsql_ddl_exec(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                  const hsql_sink_t *sink, uint16_t more, hsql_error_t *err);

/* Engine catalog access (engine.c). Caller holds no lock; returned table pointers stay valid
 * until the engine is freed. */
hsql_db_t *hsql_db_get(hsql_engine_t *eng, const char *name);
int hsql_db_load(hsql_session_t *s, hsql_db_t *db, hsql_error_t *err);
/* Loads the catalog of a database the session is not using (own read-only connection). */
int hsql_db_load_other(hsql_engine_t *eng, hsql_db_t *db, hsql_error_t *err);
hsql_table_t *hsql_table_get(hsql_db_t *db, const char *name);
/* A table as the session sees it: its TEMPORARY tables first, then the database's. */
hsql_table_t *hsql_table_find(hsql_session_t *s, const char *name);
void hsql_temps_free(hsql_session_t *s);
/* Attaches database db to the session's connection under its own name (for db.table);
 * 0, or -1 + err (1146 if it does not exist, 1105 inside a transaction). */
int hsql_attach(hsql_session_t *s, const char *db, hsql_error_t *err);
void hsql_catalog_put(hsql_engine_t *eng, hsql_db_t *db, hsql_table_t *tb); /* replace/add */
void hsql_catalog_del(hsql_engine_t *eng, hsql_db_t *db, const char *name);
int hsql_exec_simple(hsql_session_t *s, const char *sql, hsql_error_t *err);
bool hsql_name_eq(const char *a, const char *b);

/* ---- exact-text memo (engine_exec.c) ------------------------------------------------------ */
/* On a hit: the text's tokens in s->toks and, for DML, its marks and key (s->key_ready). */
bool hsql_memo_get(hsql_session_t *s, const char *sql, size_t len);
/* Remembers a single-statement text whose tokens are in s->toks (the statement is all of them
 * but EOF: no ';'); dml: marks and keys it too. */
void hsql_memo_put(hsql_session_t *s, const char *sql, size_t len, bool dml);
void hsql_memo_clear(hsql_session_t *s);

/* ---- translation (sql_translate.c) ------------------------------------------------------- */
/* Marks which tokens of [b,e) become parameters (flags[i] = 1) and numbers them
 * (ord[i] = N of ?N). Only for DML statements; returns the number of parameters. */
int hsql_mark_params(const char *src, const hsql_tok_t *t, int b, int e, uint8_t *flags,
                     int *ord);
/* Translates one DML statement. Returns NULL with err filled. */
hsql_xl_t *hsql_translate(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                          const uint8_t *flags, const int *ord, hsql_error_t *err);
/* Is this statement (first token) a DML statement for the translator? */
bool hsql_is_dml(const char *src, const hsql_tok_t *t, int b, int e);

/* ---- functions and collations (sql_func.c) ----------------------------------------------- */
#define HSQL_FN_SESSION(ctx) (((hsql_fholder_t *)sqlite3_user_data(ctx))->s)
int hsql_func_register(hsql_fholder_t *fh, sqlite3 *db);
/* One SQL function to register (sql_func*.c, sql_collate.c). data -1 = the session. */
typedef struct hsql_fdef {
    const char *name;
    int nargs;
    void (*fn)(sqlite3_context *, int, sqlite3_value **);
    intptr_t data;
    bool det;
} hsql_fdef_t;
int hsql_fdefs_register(hsql_fholder_t *fh, sqlite3 *db, const hsql_fdef_t *f, size_t n);
int hsql_collate_register(hsql_fholder_t *fh, sqlite3 *db);
int hsql_func_str_register(hsql_fholder_t *fh, sqlite3 *db);
/* Closes the idle pooled connections of database name (NULL: all). */
void hsql_pool_drop(hsql_engine_t *eng, const char *name);
/* UTF-8 helpers (sql_func_str.c): byte offset of character k, characters in s[0..n). */
size_t hsql_char_off(const char *s, size_t n, int64_t k);
int64_t hsql_char_count(const char *s, size_t n);
/* libm-free rounding (sql_func_str.c) */
double hsql_floor(double x);
double hsql_pow10(int e);
/* x rounded half away from zero to d places as MySQL rounds a DECIMAL: on x's decimal text
 * (15 significant digits), so 1.005 gives 1.01 where its binary value would give 1.00. */
double hsql_round_dec(double x, int d);
/* x clamped to DECIMAL(m,d)'s range; *over tells whether it was out of it. */
double hsql_decimal_clamp(double x, int m, int d, bool *over);

int hsql_ci_compare(const char *a, int na, const char *b, int nb);
/* MySQL LIKE with `esc` as escape char, case/accent-insensitive. */
bool hsql_like_match(const char *p, size_t np, const char *s, size_t ns, int esc);
/* Current local time in MySQL text. */
/* time_zone values: SYSTEM, UTC or an offset '[+-]HH:MM' from -13:59 to +14:00. Returns 0 and
 * sets *system / *offset (seconds east of UTC), or -1. */
int hsql_tz_parse(const char *v, bool *system, int *offset);
/* Broken-down local time of t in the session's time zone (s may be NULL: the server's). */
void hsql_session_tm(const struct hsql_session *s, time_t t, struct tm *tm);

/* ---- catalog statements (sql_catalog.c) -------------------------------------------------- */
/* SHOW ..., DESCRIBE, SET, USE, transactions etc. Returns 0 (result sent), -1 error, or 1 when
 * the statement is not one of them. */
int hsql_admin_exec(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                    const hsql_sink_t *sink, uint16_t more, hsql_error_t *err);
const char *hsql_var_get(hsql_session_t *s, const char *name, bool global);
int hsql_var_set(hsql_session_t *s, const char *name, const char *val, bool global,
                 hsql_error_t *err);
void hsql_vars_init(hsql_session_t *s);
void hsql_vars_free(hsql_var_t **list);
/* Fills the temp tables hsql_is_<name> for an information_schema query. */
int hsql_infoschema_prepare(hsql_session_t *s, hsql_error_t *err);

/* ---- result helpers (engine.c) ----------------------------------------------------------- */
/* A result set of text columns, built in C (SHOW ...). */
typedef struct hsql_rs {
    hsql_session_t *s;
    const hsql_sink_t *sink;
    unsigned ncols;
    hsql_col_t cols[32];
    bool sent_cols;
    uint16_t more;
    int failed;
} hsql_rs_t;
void hsql_rs_init(hsql_rs_t *rs, hsql_session_t *s, const hsql_sink_t *sink, uint16_t more);
void hsql_rs_col(hsql_rs_t *rs, const char *name, uint8_t type, uint32_t length);
/* Row of ncols strings (NULL = SQL NULL). */
void hsql_rs_row(hsql_rs_t *rs, const char *const *vals);
int hsql_rs_end(hsql_rs_t *rs, hsql_error_t *err);
int hsql_send_ok(hsql_session_t *s, const hsql_sink_t *sink, uint64_t affected, uint64_t id,
                 uint16_t more, const char *info, hsql_error_t *err);
/* Runs SQLite SQL (no params) and streams the result to the sink with the given column
 * names override (NULL = SQLite's). */
int hsql_run_sql_result(hsql_session_t *s, const char *sql, const hsql_sink_t *sink,
                        uint16_t more, hsql_error_t *err);
uint16_t hsql_status(hsql_session_t *s);
/* Runs one MySQL SELECT given as text through the translator (own tokens). */
int hsql_run_mysql(hsql_session_t *s, const char *sql, size_t len, const hsql_sink_t *sink,
                   uint16_t more, hsql_error_t *err);
int hsql_txn_implicit_commit(hsql_session_t *s, hsql_error_t *err);
int hsql_session_switch_db(hsql_session_t *s, const char *db, hsql_error_t *err);
void hsql_cache_clear(hsql_session_t *s);
/* Reuses or opens the read snapshot of an autocommit SELECT (engine.c). */
void hsql_rtxn_for_read(hsql_session_t *s);
/* One DML statement through the cache (engine_exec.c). */
int hsql_run_dml(hsql_session_t *s, const char *src, const hsql_tok_t *t, int b, int e,
                 const hsql_sink_t *sink, uint16_t more, hsql_error_t *err);
/* hsql_session_query with the session mutex already held (engine.c). */
int hsql_session_query_nolock(hsql_session_t *s, const char *sql, size_t len,
                              const hsql_sink_t *sink, hsql_error_t *err);
/* True inside a transaction the client opened (not the engine's read snapshot). */
bool hsql_user_txn(hsql_session_t *s);
/* Opens the client's transaction (BEGIN or BEGIN IMMEDIATE, see txn_wrote). */
int hsql_txn_begin(hsql_session_t *s, bool read_only, hsql_error_t *err);
/* Bookkeeping when the client's transaction ends. */
void hsql_txn_ended(hsql_session_t *s);
/* Ends the session's reused read snapshot, if any. */
void hsql_rtxn_end(hsql_session_t *s);
/* After a statement that may have written: bump the commit generation, end idle sessions'
 * stale snapshots. */
void hsql_after_write(hsql_session_t *s);
/* ROLLBACK of the session's transaction (counts it for AUTO_INCREMENT, see ai_hw). */
void hsql_rollback(hsql_session_t *s);

#endif

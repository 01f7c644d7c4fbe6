/* sup: the supervisor — the config model and its YAML loader, the const table of task kinds,
 * the sandbox a task applies to itself, and the supervisor that binds every listener, spawns
 * tasks (`harv task KIND`), restarts them with backoff and answers a unix control socket.
 * Layer: sup, above net and base. It knows task kinds only through sup_kinds[]; what a kind
 * runs lives in the CLI (src/cli/cmd_task.c), which links the component libraries. */
#ifndef HARV_SUP_H
#define HARV_SUP_H

#include <harv/base.h>
#include <harv/net.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- named limits -------------------------------------------------------------------- */
#define SUP_MAX_LISTENERS 16      /* listeners in one config */
#define SUP_MAX_LIST 64           /* entries of a list (index names, users, databases...) */
#define SUP_CONFIG_MAX_BYTES (1u << 20) /* a config file larger than this is refused */
#define SUP_CONFIG_MAX_DEPTH 16   /* nesting of mappings and sequences */
#define SUP_CONFIG_MAX_NODES 20000
#define SUP_PHP_LISTENER "php.sock" /* the listener the supervisor binds for the PHP pool */
#define SUP_SQL_TCP_LISTENER "sql.tcp"   /* ... and for HarvSQL: its TCP address */
#define SUP_SQL_SOCK_LISTENER "sql.sock" /* ... and its unix socket */

/* ---- the config model ---------------------------------------------------------------- */
/* Every string is owned by the config's arena; sup_config_fini() frees them all. */

typedef struct sup_limits {
    uint64_t memory;      /* bytes; cgroup cap (RLIMIT_AS when no controller); 0 = none */
    unsigned open_files;  /* RLIMIT_NOFILE; 0 = inherit */
    unsigned cpu_percent; /* cgroup CPU quota, 100 = one core; 0 = none */
    unsigned pids;        /* cgroup pids.max; 0 = none */
    bool core_dumps;      /* RLIMIT_CORE left as inherited when true, else 0 */
} sup_limits_t;

typedef struct sup_sandbox {
    bool seccomp;  /* the kind's syscall allowlist (also W^X) */
    bool landlock; /* exactly the task's paths and ports */
    bool netns;    /* private network namespace (only kinds that need no network) */
    bool cgroup;   /* a cgroup per task: memory/cpu/pids caps, tree kill */
} sup_sandbox_t;

typedef struct sup_restart {
    unsigned max_deaths;     /* deaths within window_ms before giving up (default 5) */
    unsigned window_ms;      /* default 60000 */
    unsigned backoff_max_ms; /* cap of the exponential backoff (default 30000) */
    unsigned stable_ms;      /* running this long resets the backoff (default 10000) */
} sup_restart_t;

/* What every task section has. */
typedef struct sup_task_cfg {
    bool enabled;      /* the section is present */
    sup_limits_t limits;
    sup_sandbox_t sandbox;
    sup_restart_t restart;
    unsigned drain_ms; /* SIGTERM → in-flight work may finish for this long (default 10000) */
} sup_task_cfg_t;

typedef struct sup_strlist {
    char *v[SUP_MAX_LIST];
    unsigned n;
} sup_strlist_t;

typedef struct sup_http_cfg {
    sup_task_cfg_t task;
    sup_strlist_t listen;     /* listener names */
    char *root;               /* absolute */
    sup_strlist_t index;      /* index names (default index.html, index.htm) */
    sup_strlist_t mime_allow; /* extensions served; empty = HarvTTP's built-in allowlist */
    char *access_log;         /* "off", "stdout", or an absolute path */
    unsigned threads, max_conn, request_count;
    uint64_t max_body, max_head;
    unsigned timeout_request_ms, timeout_body_ms, timeout_keepalive_ms, timeout_send_ms;
    bool test_handlers;       /* /_test/echo and /_test/sleep (Harv's own tests) */
} sup_http_cfg_t;

typedef struct sup_sql_user {
    char *name, *password;
} sup_sql_user_t;

typedef struct sup_sql_cfg {
    sup_task_cfg_t task;
    char *listen;  /* TCP address the task binds, or NULL */
    char *socket;  /* absolute unix socket path, or NULL */
    sup_sql_user_t users[SUP_MAX_LIST];
    unsigned nusers;
    sup_strlist_t databases;
    int durability;  /* 2 full, 1 normal */
    unsigned workers, max_connections;
} sup_sql_cfg_t;

/* The PHP pool (`harv task php`): prefork workers on a unix socket the supervisor binds
 * (STATE/run/php.sock), or an external FastCGI server (php-fpm) instead of the pool. With a
 * php section the http task routes *.php to it (phpw_serve_*). */
typedef struct sup_php_cfg {
    sup_task_cfg_t task;     /* task.enabled: the pool runs (the section is there, no fastcgi) */
    bool present;            /* the section is there: the http task routes PHP */
    unsigned workers;        /* 0 = the pool's default (2 per core) */
    unsigned timeout_ms;     /* wall-clock limit per request (504), default 30000 */
    unsigned max_requests;   /* recycle a worker after this many (default 500) */
    uint64_t memory_cap;     /* recycle a worker past this private memory (default 256m) */
    sup_strlist_t ini;       /* "KEY=VALUE" php.ini overrides, in order */
    sup_strlist_t writable;  /* directories workers may write: absolute (relative ones resolve
                                against http.root) */
    char *fastcgi;           /* "unix:PATH" (absolute) or "HOST:PORT": external upstream */
    char *socket;            /* the pool's socket: STATE/run/php.sock (absolute) */
    char *tmp_dir;           /* uploads and sys_temp_dir: STATE/php/tmp */
} sup_php_cfg_t;

/* The test-only task kind: probes its own sandbox, prints the results, then idles. */
typedef struct sup_probe_cfg {
    sup_task_cfg_t task;
    uint64_t hog;  /* after probing, allocate and touch this many bytes (0 = no) */
    char *outside; /* a path outside the state dir to try to write */
    char *connect; /* an address to try to connect to */
    bool daemon;   /* fork a setsid grandchild that outlives the task unless the tree is
                      killed (needs sandbox.seccomp: false) */
} sup_probe_cfg_t;

typedef struct sup_listener_cfg {
    char *name;
    char *address; /* as net_addr_parse takes it; unix paths absolute */
    unsigned mode; /* a unix socket's permissions (0 = 0666); owned by the task user */
    bool server_first; /* the server speaks first (MySQL): no TCP_DEFER_ACCEPT */
} sup_listener_cfg_t;

typedef enum sup_log_dest { SUP_LOG_STDOUT, SUP_LOG_FILES } sup_log_dest_t;

typedef struct sup_config {
    base_arena_t arena;
    unsigned version; /* the schema version (1) */
    char *file;      /* the config file as given (for messages) */
    char *state_dir; /* absolute */
    char *user;      /* run tasks as this user when started as root; NULL = no change */
    sup_log_dest_t log_dest;
    base_log_level_t log_level;
    uint64_t log_max_size; /* rotate a task's log file past this (default 10m) */
    unsigned log_keep;     /* rotated files kept (default 5) */
    unsigned backlog;      /* listen(2) backlog (default 1024) */
    sup_listener_cfg_t listeners[SUP_MAX_LISTENERS];
    unsigned nlisteners;
    sup_http_cfg_t http;
    sup_sql_cfg_t sql;
    sup_php_cfg_t php;
    sup_probe_cfg_t probe;
} sup_config_t;

/* Fills cfg with the documented defaults (no task enabled, state_dir "./state" made absolute
 * against base_dir). */
void sup_config_init(sup_config_t *cfg, const char *base_dir);
void sup_config_fini(sup_config_t *cfg);

/* Parses YAML text into cfg (initialised here; call sup_config_fini() on success AND failure).
 * name is used in messages; relative paths resolve against base_dir. On failure returns
 * BASE_ERROR with err holding "NAME:LINE:COL: key: what is wrong; valid: ...". Allocates only
 * in cfg's arena and libyaml's own buffers; input larger than SUP_CONFIG_MAX_BYTES is refused. */
int sup_config_parse(sup_config_t *cfg, const char *name, const char *base_dir,
                     const char *text, size_t len, char *err, size_t errlen);
/* Reads and parses a file (relative paths resolve against its directory). */
int sup_config_load(sup_config_t *cfg, const char *path, char *err, size_t errlen);

/* ---- task kinds ---------------------------------------------------------------------- */
enum {
    SUP_KIND_NET = 1 << 0,       /* needs the network (no private netns) */
    SUP_KIND_OVERLAP = 1 << 1,   /* inherits its listeners: a new generation may start
                                    before the old one is drained */
};

typedef struct sup_kind {
    const char *name;  /* "http", "sql", "probe" */
    unsigned flags;    /* SUP_KIND_* */
    unsigned order;    /* start order; stop runs in reverse */
} sup_kind_t;

extern const sup_kind_t sup_kinds[];
extern const unsigned sup_nkinds;
/* The kind of that name, or NULL. */
const sup_kind_t *sup_kind_find(const char *name);
/* The task section of kind k in cfg. */
sup_task_cfg_t *sup_config_task(sup_config_t *cfg, const sup_kind_t *k);

/* ---- the sandbox a task applies to itself -------------------------------------------- */
typedef struct sup_sandbox_req {
    const char *kind;
    const sup_task_cfg_t *task;
    const char *user;               /* drop to this user when root; NULL = stay */
    const char *ro_paths[16];       /* Landlock read-only trees (NULL-terminated) */
    const char *rw_paths[24];       /* Landlock read-write trees */
    int bind_ports[4];              /* TCP ports it may bind (0-terminated) */
    int connect_ports[4];           /* TCP ports it may connect to (0-terminated) */
    bool cgroup_memory;             /* the supervisor capped memory through a cgroup */
    bool unix_connect;              /* seccomp: socket(AF_UNIX) + connect (a FastCGI client on
                                       a unix socket: http with php) */
    bool inet_connect;              /* seccomp: also socket(AF_INET/AF_INET6) (an external
                                       FastCGI server on TCP; Landlock limits the port) */
} sup_sandbox_req_t;

/* Applies, in order: no_new_privs, user drop, rlimits, Landlock, seccomp. Writes what took
 * effect into report ("no_new_privs rlimits(nofile=4096,core=0) landlock=abi7+net+scope
 * seccomp(allow=128,w^x)"). Returns BASE_OK, or BASE_ERROR with err filled when a step that
 * was asked for failed (the task must then exit). Call it from the task's only thread, before
 * it creates any: Landlock and seccomp bind the calling thread and the threads it creates
 * later, not threads that already exist. Landlock is best effort on kernels without it. */
int sup_sandbox_apply(const sup_sandbox_req_t *req, char *report, size_t replen, char *err,
                      size_t errlen);
/* The php task's second layer, applied by each pool worker after fork (the master keeps
 * fork, wait4 and kill to run the pool): no new processes (clone without CLONE_THREAD),
 * no kill, no wait4 — EPERM; and a Landlock layer of exactly req's paths (the master's layer
 * also lets workers open /proc/self/statm at their start). BASE_OK or BASE_ERROR with err. */
int sup_sandbox_worker(const sup_sandbox_req_t *req, char *err, size_t errlen);
/* The Landlock ABI of the running kernel (0 = none). */
int sup_landlock_abi(void);

/* ---- the supervisor ------------------------------------------------------------------ */
typedef struct sup_options {
    const char *config_path; /* the YAML file (re-read on reload); with config_text, only the
                                name used in messages (resolved against the cwd) */
    const char *config_text; /* a config built in memory (harv up --serve), or NULL */
    const char *exe;         /* the harv binary to re-execute (default /proc/self/exe) */
} sup_options_t;

/* Runs `harv up`: loads opt->config_path, binds listeners (adopting systemd LISTEN_FDS),
 * starts the tasks, supervises until SIGTERM/SIGINT or `harv stop`, re-reads the config on
 * SIGHUP or `harv reload`. Returns the process exit status (0 after a clean stop, 2 for a
 * config error, 1 otherwise). Blocks SIGTERM, SIGINT and SIGHUP (signalfd). */
int sup_run(const sup_options_t *opt);

/* The control socket path for cfg (STATE/run/harv.sock). Static storage. */
const char *sup_control_path(const sup_config_t *cfg);
/* Client: sends one JSON request to the control socket at path, writes the reply into out.
 * Returns BASE_OK or BASE_ERROR with err filled ("connect ...: No such file"). */
int sup_control_call(const char *path, const char *request, base_buf_t *out, char *err,
                     size_t errlen);

/* JSON string escaping into buf (quotes included). */
void sup_json_str(base_buf_t *b, const char *s);

#endif

/* sup_run.h — the supervisor's state, shared only by the files of `harv up`: supervisor.c
 * (spawn, restart policy, stop, reload, run), listeners.c (binding and adopting sockets) and
 * ctl_server.c (the control socket). Everything here runs on the supervisor's loop thread. */
#ifndef SUP_RUN_H
#define SUP_RUN_H

#include "sup_int.h"

#include <limits.h>
#include <sys/types.h>

#define SUP_LOG_LINES 64      /* lines kept per task for `harv logs` and death reports */
#define SUP_LINE_MAX 1024     /* a longer line is cut */
#define SUP_MAX_DEATHS 1000
#define SUP_MAX_CLIENTS 32
#define SUP_KILL_GRACE_MS 2000 /* after the drain deadline, SIGKILL */

#if defined(__SANITIZE_ADDRESS__)
#define SUP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SUP_ASAN 1
#endif
#endif
#ifndef SUP_ASAN
#define SUP_ASAN 0
#endif

enum { ST_STOPPED, ST_STARTING, ST_RUNNING, ST_BACKOFF, ST_FAILED };
extern const char *const sup_state_names[]; /* by ST_* */

typedef struct sup sup_t;
typedef struct sup_task sup_task_t;

/* A config generation: the parsed model and the exact bytes it came from (a memfd the tasks
 * of this generation parse again). */
typedef struct sup_gen {
    sup_config_t cfg;
    int memfd;
    unsigned id;
    char real[PATH_MAX]; /* the config's absolute path */
    struct sup_gen *next;
} sup_gen_t;

typedef struct sup_inst {
    sup_task_t *task;
    sup_gen_t *gen;
    pid_t pid;
    int pidfd, log_fd, st_fd;
    net_io_t pid_io, log_io, st_io;
    char part[SUP_LINE_MAX];
    size_t partlen;
    char st[2048];
    size_t stlen;
    uint64_t spawned_ms, ready_ms;
    bool ready, draining;
    net_timer_t kill_timer;
    sup_cgroup_t cg;
    bool has_cg;
    char sandbox[1024];
    struct sup_inst *next; /* in the task's list of old instances */
} sup_inst_t;

struct sup_task {
    const sup_kind_t *kind;
    sup_t *sup;
    int state;
    bool enabled;
    sup_inst_t *cur;
    sup_inst_t *old; /* draining */
    bool pending_start; /* start once the old instance is gone (kinds without overlap) */
    unsigned restarts, consecutive, spawns;
    uint64_t deaths[SUP_MAX_DEATHS];
    unsigned ndeaths;
    net_timer_t backoff;
    uint64_t died_ms;
    long last_restart_ms; /* death → ready of the replacement; -1 none yet */
    char last_exit[512];
    char lines[SUP_LOG_LINES][SUP_LINE_MAX];
    unsigned nlines, head;
    int logfile;
    uint64_t logsize;
};

typedef struct sup_lst {
    char name[64];
    char address[300];
    int fd;
    bool unix_owned; /* we bound a unix path: unlink at exit */
} sup_lst_t;

typedef struct sup_client {
    net_io_t io;
    sup_t *sup;
    char buf[1024];
    size_t len;
    bool used;
} sup_client_t;

struct sup {
    net_loop_t *loop;
    sup_gen_t *gen; /* current */
    sup_gen_t *gens;
    unsigned ngen;
    const sup_options_t *opt;
    char exe[PATH_MAX];
    sup_lst_t lst[SUP_MAX_LISTENERS];
    unsigned nlst;
    int inherited[64]; /* LISTEN_FDS not yet adopted */
    unsigned ninherited;
    sup_task_t tasks[8];
    int sigfd, ctlfd;
    net_io_t sig_io, ctl_io;
    sup_client_t clients[SUP_MAX_CLIENTS];
    bool stopping;
    uint64_t dropped; /* task output lines stdout could not take */
    uint64_t started_ms;
    char ctlpath[PATH_MAX];
};


/* ---- supervisor.c ----------------------------------------------------------------------- */
/* The i-th most recent output line of t (0 = newest), or NULL. */
const char *sup_task_recent(const sup_task_t *t, unsigned i);
/* Replaces t's instance with one of the current generation (overlapping for kinds that
 * inherit their listeners); also starts a stopped or failed task. */
void sup_task_replace(sup_task_t *t);
/* Begins the stop (why: "SIGTERM", "harv stop"...); a second signal kills at once. */
void sup_stop_begin(sup_t *s, const char *why);
/* Re-reads the config; on error err says why and nothing changed. BASE_OK or BASE_ERROR. */
int sup_reload(sup_t *s, char *err, size_t errlen);
/* Memory in use by an instance (its cgroup, else its RSS), bytes. */
uint64_t sup_inst_memory(const sup_inst_t *in);

/* ---- listeners.c ------------------------------------------------------------------------ */
/* Takes systemd's LISTEN_FDS (when LISTEN_PID is ours) as sockets to adopt. */
void sup_lst_inherit(sup_t *s);
/* Binds cfg's listeners, keeping sockets whose address is unchanged (also a ":0" listener
 * whose port the new config spells out) and adopting inherited ones; closes the rest. On
 * failure nothing changes and err names the listener. */
int sup_lst_bind(sup_t *s, const sup_config_t *cfg, char *err, size_t errlen);
/* The fd of the listener called name, or -1. */
int sup_lst_fd(sup_t *s, const char *name);
/* "127.0.0.1:8080" with the real port of a port-0 listener. */
void sup_lst_text(const sup_lst_t *l, char *out, size_t len);

/* ---- ctl_server.c ----------------------------------------------------------------------- */
/* Opens STATE/run/harv.sock on s->loop; refuses when another supervisor answers there. */
int sup_ctl_open(sup_t *s, char *err, size_t errlen);

#endif

/* sup_int.h — shared only inside src/sup: cgroups (supervisor side) and the pieces the
 * supervisor's files share. */
#ifndef SUP_INT_H
#define SUP_INT_H

#include <harv/sup.h>

#include <limits.h>
#include <sys/types.h>

/* One task instance's cgroups: a directory per hierarchy that exists ("" = none). */
typedef struct sup_cgroup {
    char mem[PATH_MAX];  /* v1 memory, or the v2 group when v2 has the memory controller */
    char cpu[PATH_MAX];  /* v1 cpu */
    char pids[PATH_MAX]; /* v1 pids */
    char v2[PATH_MAX];   /* the v2 group (cgroup.kill) */
    bool mem_v2;         /* mem is the v2 group (memory.max) */
    char what[128];      /* "memory(v1) cpu(v1) pids(v1) kill(v2)" */
} sup_cgroup_t;

/* Probes the hierarchies once (mountinfo + /proc/self/cgroup). Loop thread only. */
void sup_cgroup_probe(void);
/* Creates the groups for one instance ("http-3") with the limits; "" paths where a hierarchy
 * or a controller is missing. Returns BASE_OK; what the caps are is in cg->what. */
int sup_cgroup_create(sup_cgroup_t *cg, const char *name, const sup_limits_t *lim);
/* In the forked child, before exec: moves the calling process into every group.
 * Async-signal-safe (open/write/close). */
void sup_cgroup_join(const sup_cgroup_t *cg);
/* Kills every process of the instance (v2 cgroup.kill, else SIGKILL to each pid listed). */
void sup_cgroup_kill(const sup_cgroup_t *cg);
/* Removes the (empty) groups. */
void sup_cgroup_remove(const sup_cgroup_t *cg);
/* Memory in use by the group, or 0 when unknown. */
uint64_t sup_cgroup_memory(const sup_cgroup_t *cg);
/* How many times the memory cap killed a process in the group (v1 oom_kill), or 0. */
unsigned sup_cgroup_oom_kills(const sup_cgroup_t *cg);
/* Removes the supervisor's parent groups (at exit). */
void sup_cgroup_cleanup(void);

#endif

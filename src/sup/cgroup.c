/* sup/cgroup.c — a cgroup per task instance, through whichever hierarchy exists, probed at
 * run time: cgroup v1 memory/cpu/pids controllers (memory.limit_in_bytes, cfs_quota_us,
 * pids.max) or v2 (memory.max, cpu.max, pids.max), and v2 cgroup.kill to kill a whole tree.
 * Groups live under the supervisor's own group: <mount>/<self>/harv-<pid>/<task>-<n>.
 * Layer: sup (supervisor side). */
#include "sup_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct cg_root {
    const char *ctl;      /* "memory", "cpu", "pids", "" for v2 */
    char base[PATH_MAX];  /* <mount><self>/harv-<pid>, "" when unavailable */
} cg_root_t;

static cg_root_t roots[] = {{"memory", ""}, {"cpu", ""}, {"pids", ""}, {"", ""}};
enum { R_MEM, R_CPU, R_PIDS, R_V2 };
static bool probed, v2_has_mem, v2_has_cpu, v2_has_pids;

static int write_file(const char *dir, const char *file, const char *val)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return BASE_ERROR;
    ssize_t w = write(fd, val, strlen(val));
    close(fd);
    return w == (ssize_t)strlen(val) ? BASE_OK : BASE_ERROR;
}

static int read_file(const char *dir, const char *file, char *buf, size_t len)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return BASE_ERROR;
    ssize_t r = read(fd, buf, len - 1);
    close(fd);
    if (r < 0)
        return BASE_ERROR;
    buf[r] = 0;
    return BASE_OK;
}

static bool has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; (p = strstr(p, word)); p += n)
        if ((p == list || p[-1] == ',' || p[-1] == ' ') && (!p[n] || p[n] == ',' || p[n] == ' ' ||
                                                           p[n] == '\n'))
            return true;
    return false;
}

/* Removes harv-<pid> groups (and their task groups) of supervisors that no longer exist
 * (killed with SIGKILL, so they could not clean up). */
static void remove_stale(const char *parent)
{
    DIR *d = opendir(parent);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int pid;
        if (sscanf(e->d_name, "harv-%d", &pid) != 1 || pid == (int)getpid() ||
            (kill(pid, 0) == 0 || errno != ESRCH))
            continue;
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", parent, e->d_name) >= (int)sizeof p)
            continue;
        DIR *sub = opendir(p);
        struct dirent *f;
        while (sub && (f = readdir(sub))) {
            char q[PATH_MAX + 256];
            if (f->d_type == DT_DIR && f->d_name[0] != '.' &&
                snprintf(q, sizeof q, "%s/%s", p, f->d_name) < (int)sizeof q)
                rmdir(q);
        }
        if (sub)
            closedir(sub);
        rmdir(p);
    }
    if (d)
        closedir(d);
}

void sup_cgroup_probe(void)
{
    if (probed)
        return;
    probed = true;
    char mnt[4][PATH_MAX] = {{0}};
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        /* id parent maj:min root mountpoint opts... - fstype source superopts */
        char root[PATH_MAX], mp[PATH_MAX], fstype[64], src[256], sopts[1024];
        char *dash = strstr(line, " - ");
        if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mp) != 2 ||
            sscanf(dash + 3, "%63s %255s %1023s", fstype, src, sopts) != 3)
            continue;
        if (!strcmp(fstype, "cgroup2")) {
            snprintf(mnt[R_V2], sizeof mnt[R_V2], "%s", mp);
        } else if (!strcmp(fstype, "cgroup")) {
            for (int i = R_MEM; i <= R_PIDS; i++)
                if (has_word(sopts, roots[i].ctl))
                    snprintf(mnt[i], sizeof mnt[i], "%s", mp);
        }
    }
    if (f)
        fclose(f);
    f = fopen("/proc/self/cgroup", "re");
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c1 = *c2 = 0; /* line = hierarchy id, ctls = controllers, path */
        const char *ctls = c1 + 1, *path = c2 + 1;
        if (!strcmp(path, "/"))
            path = "";
        for (int i = 0; i < 4; i++) {
            bool match = i == R_V2 ? !strcmp(line, "0") && !*ctls : has_word(ctls, roots[i].ctl);
            if (match && mnt[i][0]) {
                char parent[PATH_MAX + 8];
                if (snprintf(parent, sizeof parent, "%s%s", mnt[i], path) >= (int)sizeof parent)
                    continue; /* a cgroup path longer than PATH_MAX: not ours to use */
                remove_stale(parent);
                int n = snprintf(roots[i].base, sizeof roots[i].base, "%s%s/harv-%d", mnt[i],
                                 path, (int)getpid());
                if (n >= (int)sizeof roots[i].base ||
                    (mkdir(roots[i].base, 0755) != 0 && errno != EEXIST))
                    roots[i].base[0] = 0;
            }
        }
    }
    if (f)
        fclose(f);
    if (roots[R_V2].base[0]) {
        /* Controllers must be enabled in the parent's subtree_control to appear below. */
        char parent[PATH_MAX], ctl[256] = "";
        snprintf(parent, sizeof parent, "%s", roots[R_V2].base);
        read_file(parent, "cgroup.controllers", ctl, sizeof ctl);
        v2_has_mem = has_word(ctl, "memory") && !roots[R_MEM].base[0];
        v2_has_cpu = has_word(ctl, "cpu") && !roots[R_CPU].base[0];
        v2_has_pids = has_word(ctl, "pids") && !roots[R_PIDS].base[0];
        if (v2_has_mem)
            write_file(parent, "cgroup.subtree_control", "+memory");
        if (v2_has_cpu)
            write_file(parent, "cgroup.subtree_control", "+cpu");
        if (v2_has_pids)
            write_file(parent, "cgroup.subtree_control", "+pids");
    }
}


int sup_cgroup_create(sup_cgroup_t *cg, const char *name, const sup_limits_t *lim)
{
    sup_cgroup_probe();
    memset(cg, 0, sizeof *cg);
    char *dirs[4] = {cg->mem, cg->cpu, cg->pids, cg->v2};
    for (int i = 0; i < 4; i++) {
        if (!roots[i].base[0])
            continue;
        int n = snprintf(dirs[i], PATH_MAX, "%s/%s", roots[i].base, name);
        if (n >= PATH_MAX || (mkdir(dirs[i], 0755) != 0 && errno != EEXIST))
            dirs[i][0] = 0;
    }
    char v[64];
    if (lim->memory) {
        snprintf(v, sizeof v, "%llu", (unsigned long long)lim->memory);
        if (cg->mem[0] && write_file(cg->mem, "memory.limit_in_bytes", v) == BASE_OK) {
            write_file(cg->mem, "memory.swappiness", "0");
            strcat(cg->what, "memory(v1) ");
        } else if (cg->v2[0] && v2_has_mem && write_file(cg->v2, "memory.max", v) == BASE_OK) {
            write_file(cg->v2, "memory.swap.max", "0");
            snprintf(cg->mem, sizeof cg->mem, "%s", cg->v2);
            cg->mem_v2 = true;
            strcat(cg->what, "memory(v2) ");
        }
    }
    if (lim->cpu_percent) {
        snprintf(v, sizeof v, "%u", lim->cpu_percent * 1000);
        if (cg->cpu[0] && write_file(cg->cpu, "cpu.cfs_period_us", "100000") == BASE_OK &&
            write_file(cg->cpu, "cpu.cfs_quota_us", v) == BASE_OK) {
            strcat(cg->what, "cpu(v1) ");
        } else if (cg->v2[0] && v2_has_cpu) {
            snprintf(v, sizeof v, "%u 100000", lim->cpu_percent * 1000);
            if (write_file(cg->v2, "cpu.max", v) == BASE_OK)
                strcat(cg->what, "cpu(v2) ");
        }
    }
    if (lim->pids) {
        snprintf(v, sizeof v, "%u", lim->pids);
        if (cg->pids[0] && write_file(cg->pids, "pids.max", v) == BASE_OK)
            strcat(cg->what, "pids(v1) ");
        else if (cg->v2[0] && v2_has_pids && write_file(cg->v2, "pids.max", v) == BASE_OK)
            strcat(cg->what, "pids(v2) ");
    }
    if (cg->v2[0]) {
        char p[PATH_MAX + 16];
        snprintf(p, sizeof p, "%s/cgroup.kill", cg->v2);
        if (access(p, W_OK) == 0)
            strcat(cg->what, "kill(v2) ");
    }
    size_t l = strlen(cg->what);
    if (l)
        cg->what[l - 1] = 0;
    return BASE_OK;
}

void sup_cgroup_join(const sup_cgroup_t *cg)
{
    const char *dirs[4] = {cg->mem, cg->cpu, cg->pids, cg->v2};
    for (int i = 0; i < 4; i++) {
        if (!dirs[i][0] || (i == 0 && cg->mem_v2))
            continue;
        write_file(dirs[i], "cgroup.procs", "0");
    }
}

static unsigned kill_listed(const char *dir)
{
    char buf[8192];
    unsigned n = 0;
    if (!dir[0] || read_file(dir, "cgroup.procs", buf, sizeof buf) != BASE_OK)
        return 0;
    for (char *p = buf, *e; *p; p = e) {
        long pid = strtol(p, &e, 10);
        if (e == p)
            break;
        if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
            n++;
        while (*e == '\n')
            e++;
    }
    return n;
}

void sup_cgroup_kill(const sup_cgroup_t *cg)
{
    if (cg->v2[0] && write_file(cg->v2, "cgroup.kill", "1") == BASE_OK)
        return;
    /* v1: no atomic kill; repeat while processes remain (a forking tree races us). */
    for (int round = 0; round < 20; round++) {
        unsigned n = kill_listed(cg->mem) + kill_listed(cg->pids) + kill_listed(cg->cpu);
        if (!n)
            return;
        usleep(1000);
    }
}

void sup_cgroup_remove(const sup_cgroup_t *cg)
{
    const char *dirs[4] = {cg->mem, cg->cpu, cg->pids, cg->v2};
    for (int i = 0; i < 4; i++) {
        if (!dirs[i][0] || (i == 0 && cg->mem_v2))
            continue;
        /* The kernel may take a moment to release a just-killed process's group. */
        for (int k = 0; k < 50 && rmdir(dirs[i]) != 0 && errno == EBUSY; k++)
            usleep(2000);
    }
}

uint64_t sup_cgroup_memory(const sup_cgroup_t *cg)
{
    char buf[64];
    if (!cg->mem[0] ||
        read_file(cg->mem, cg->mem_v2 ? "memory.current" : "memory.usage_in_bytes", buf,
                  sizeof buf) != BASE_OK)
        return 0;
    return strtoull(buf, NULL, 10);
}

unsigned sup_cgroup_oom_kills(const sup_cgroup_t *cg)
{
    char buf[1024];
    if (!cg->mem[0] ||
        read_file(cg->mem, cg->mem_v2 ? "memory.events" : "memory.oom_control", buf,
                  sizeof buf) != BASE_OK)
        return 0;
    char *p = strstr(buf, "oom_kill ");
    return p ? (unsigned)strtoul(p + 9, NULL, 10) : 0;
}

void sup_cgroup_cleanup(void)
{
    for (int i = 0; i < 4; i++)
        if (roots[i].base[0])
            rmdir(roots[i].base);
}

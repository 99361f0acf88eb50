/* measure.c - the clock, context-switch counts and limit diagnosis (see
 * measure.h). */
#include "measure.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct csw csw_get(int who)
{
    struct rusage ru;
    struct csw c = {0, 0};
    if (getrusage(who, &ru) == 0) {
        c.vol = (uint64_t)ru.ru_nvcsw;
        c.invol = (uint64_t)ru.ru_nivcsw;
    }
    return c;
}

struct csw csw_diff(struct csw b, struct csw a)
{
    struct csw d = {b.vol - a.vol, b.invol - a.invol};
    return d;
}

/* Reads one number from a /proc/sys file; -1 when unreadable. */
static long long read_sysctl(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long long v = -1;
    if (fscanf(f, "%lld", &v) != 1)
        v = -1;
    fclose(f);
    return v;
}

/* Lines of /proc/self/maps: the mappings vm.max_map_count limits. */
static long count_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return -1;
    long n = 0;
    int c;
    while ((c = getc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

/* Threads running on the whole system: the 4th field of /proc/loadavg
 * is "runnable/total". */
static long count_system_threads(void)
{
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f)
        return -1;
    long run = 0, total = -1;
    if (fscanf(f, "%*s %*s %*s %ld/%ld", &run, &total) != 2)
        total = -1;
    fclose(f);
    return total;
}

/* Threads of the calling process (Threads: in /proc/self/status). */
static long count_own_threads(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long n = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %ld", &n) == 1)
            break;
    fclose(f);
    return n;
}

/* True when cur is within slack of a (known) ceiling max. */
static bool near(long long cur, long long max, long long slack)
{
    return max > 0 && cur >= 0 && cur + slack >= max;
}

/* Appends one named limit to the list in hit, " and " between them. */
static void add_hit(char *hit, size_t cap, size_t *off, const char *fmt, ...)
{
    if (*off + 6 >= cap)
        return;
    if (*off) {
        memcpy(hit + *off, " and ", 6);
        *off += 5;
    }
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(hit + *off, cap - *off, fmt, ap);
    va_end(ap);
    if (w > 0)
        *off += (size_t)w < cap - *off ? (size_t)w : cap - *off - 1;
}

void limit_explain(int err, char *buf, size_t len)
{
    long long pid_max = read_sysctl("/proc/sys/kernel/pid_max");
    long long threads_max = read_sysctl("/proc/sys/kernel/threads-max");
    long long map_max = read_sysctl("/proc/sys/vm/max_map_count");
    long maps = count_maps();
    long sys_threads = count_system_threads();
    struct rlimit as, nproc;
    getrlimit(RLIMIT_AS, &as);
    getrlimit(RLIMIT_NPROC, &nproc);
    struct meminfo mi = {0, 0, 0, 0};
    meminfo_read(&mi);
    const char *name = strerrorname_np(err);
    if (!name)
        name = "error";

    /* Name every count that is at its ceiling (within 1%; pid_max also
     * keeps the first 300 pids for the kernel). Often two are: each thread
     * takes a pid and two mappings (stack and guard page). */
    char hit[400] = "";
    size_t off = 0;
    if (near(sys_threads, pid_max, 300 + pid_max / 100))
        add_hit(hit, sizeof hit, &off, "kernel.pid_max (%ld threads+processes of %lld)",
                sys_threads, pid_max);
    if (near(sys_threads, threads_max, threads_max / 100))
        add_hit(hit, sizeof hit, &off, "kernel.threads-max (%ld threads of %lld)",
                sys_threads, threads_max);
    if (near(maps, map_max, map_max / 100))
        add_hit(hit, sizeof hit, &off, "vm.max_map_count (%ld mappings of %lld)",
                maps, map_max);
    long long nproc_max = nproc.rlim_cur == RLIM_INFINITY ? -1 : (long long)nproc.rlim_cur;
    if (err == EAGAIN && near(count_own_threads(), nproc_max, nproc_max / 100))
        add_hit(hit, sizeof hit, &off, "RLIMIT_NPROC (ulimit -u %lld)", nproc_max);
    if (!off && as.rlim_cur != RLIM_INFINITY)
        add_hit(hit, sizeof hit, &off, "RLIMIT_AS (ulimit -v %llu KiB)",
                (unsigned long long)as.rlim_cur / 1024);
    if (off) {
        snprintf(buf, len, "%s: limit reached: %s", name, hit);
    } else if (err == ENOMEM) {
        snprintf(buf, len, "%s: out of memory (MemAvailable %llu KiB, %ld mappings of "
                 "vm.max_map_count %lld, or a cgroup memory.max)", name,
                 (unsigned long long)mi.mem_available / 1024, maps, map_max);
    } else {
        /* Nothing is at its ceiling from here: a cgroup (pids.max,
         * memory.max) is the usual culprit; name every candidate. */
        snprintf(buf, len, "%s: a limit was reached (kernel.pid_max %lld, "
                 "kernel.threads-max %lld, %ld threads on the system, RLIMIT_NPROC %lld, "
                 "vm.max_map_count %lld with %ld mappings, or a cgroup pids.max/memory.max)",
                 name, pid_max, threads_max, sys_threads,
                 nproc_max, map_max, maps);
    }
}

/* config.c - runtime settings from the environment, so an experiment can be
 * re-run on another executor or pinning without recompiling. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "policy.h"

int yl__env_u64(const char *name, unsigned long long lo, unsigned long long hi,
                unsigned long long *out)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || *s == '-' || v < lo || v > hi) {
        yl__err("%s: expected a whole number from %llu to %llu, got '%s'", name, lo, hi, s);
        return -1;
    }
    *out = v;
    return 1;
}

int yl__parse_cpus(const char *s, int *out, int max)
{
    int n = 0;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < 0 || v >= CPU_SETSIZE || (*end && *end != ',')) {
            yl__err("YL_CPUS: expected a list like 0,1 - got '%s'", s);
            return -1;
        }
        if (n == max) {
            yl__err("YL_CPUS: more than %d CPUs", max);
            return -1;
        }
        out[n++] = (int)v;
        p = *end ? end + 1 : end;
    }
    if (n == 0) {
        yl__err("YL_CPUS: empty list");
        return -1;
    }
    return n;
}

int yl__default_workers(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    int n = CPU_COUNT(&set);
    return n < 1 ? 1 : n > YL_MAX_WORKERS ? YL_MAX_WORKERS : n;
}

const char *const yl_exec_names[] = {"single", "sharded", "stealing", NULL};

int yl_config_from_env(yl_config *cfg)
{
    unsigned long long v;
    int r;
    if ((r = yl__env_u64("YL_STACK_KIB", 4, 1024 * 1024, &v)) < 0)
        return -1;
    if (r)
        cfg->stack_size = (size_t)v * 1024;
    if ((r = yl__env_u64("YL_WORKERS", 1, YL_MAX_WORKERS, &v)) < 0)
        return -1;
    if (r)
        cfg->workers = (int)v;
    /* The quantum in µs, 0 (off) up to 10 s (YL_PREEMPT_MAX_US). */
    if ((r = yl__env_u64("YL_PREEMPT_US", 0, YL_PREEMPT_MAX_US, &v)) < 0)
        return -1;
    if (r)
        cfg->preempt_us = v;
    const char *s = getenv("YL_EXEC");
    if (s && *s) {
        int e = 0;
        while (yl_exec_names[e] && strcmp(s, yl_exec_names[e]) != 0)
            e++;
        if (!yl_exec_names[e]) {
            yl__err("YL_EXEC: '%s' is not one of single|sharded|stealing", s);
            return -1;
        }
        cfg->exec = (enum yl_exec)e;
    }
    s = getenv("YL_TIMERS");
    if (s && *s) {
        if (strcmp(s, "wheel") == 0)
            cfg->timers = YL_TIMERS_WHEEL;
        else if (strcmp(s, "heap") == 0)
            cfg->timers = YL_TIMERS_HEAP;
        else {
            yl__err("YL_TIMERS: '%s' is not one of wheel|heap", s);
            return -1;
        }
    }
    s = getenv("YL_STACK_GUARD");
    if (s && *s) {
        if (strcmp(s, "0") == 0)
            cfg->stack_unguarded = true;
        else if (strcmp(s, "1") == 0)
            cfg->stack_unguarded = false;
        else {
            yl__err("YL_STACK_GUARD: '%s' is not 0 (no guard pages) or 1", s);
            return -1;
        }
    }
    s = getenv("YL_CPUS");
    if (s && *s)
        cfg->cpus = s;
    s = getenv("YL_TRACE");
    if (s && *s)
        cfg->trace_path = s;
    return yl__policy_from_env(cfg); /* YL_POLICY and its parameters */
}

/* cpus.c - CPU lists for --cpus, the affinity mask, pinning (see
 * measure.h). */
#include "measure.h"
#include "cli.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_cpu(const struct cpu_list *l, int cpu)
{
    for (int i = 0; i < l->n; i++)
        if (l->cpu[i] == cpu)
            return 1;
    return 0;
}

/* Reads a CPU number at *p (digits only), advancing *p; -1 if none. */
static long read_cpu(const char **p)
{
    const char *s = *p;
    if (*s < '0' || *s > '9')
        return -1;
    long v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s - '0');
        if (v >= CPU_SETSIZE)
            return -1;
        s++;
    }
    *p = s;
    return v;
}

int cpus_parse(const char *s, struct cpu_list *l, char *err, size_t errlen)
{
    l->n = 0;
    if (!s || !*s) {
        snprintf(err, errlen, "expected a CPU list like 0 or 0,1");
        return -1;
    }
    const char *p = s;
    for (;;) {
        long lo = read_cpu(&p), hi;
        if (lo < 0) {
            snprintf(err, errlen, "'%s' is not a CPU list like 0 or 0,1 (CPUs 0..%d)",
                     s, CPU_SETSIZE - 1);
            return -1;
        }
        hi = lo;
        if (*p == '-') {
            p++;
            hi = read_cpu(&p);
            if (hi < lo) {
                snprintf(err, errlen, "'%s': bad CPU range", s);
                return -1;
            }
        }
        for (long c = lo; c <= hi; c++) {
            if (has_cpu(l, (int)c)) {
                snprintf(err, errlen, "'%s' names CPU %ld twice", s, c);
                return -1;
            }
            if (l->n == CPU_LIST_MAX) {
                snprintf(err, errlen, "'%s': more than %d CPUs", s, CPU_LIST_MAX);
                return -1;
            }
            l->cpu[l->n++] = (int)c;
        }
        if (*p == '\0')
            return 0;
        if (*p != ',') {
            snprintf(err, errlen, "'%s' is not a CPU list like 0 or 0,1", s);
            return -1;
        }
        p++;
    }
}

void cpus_join(const struct cpu_list *l, const char *sep, char *buf, size_t len)
{
    if (len == 0)
        return;
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < l->n && off < len; i++) {
        int w = snprintf(buf + off, len - off, "%s%d", i ? sep : "", l->cpu[i]);
        if (w < 0)
            break;
        off += (size_t)w;
    }
}

void cpus_format(const struct cpu_list *l, char *buf, size_t len)
{
    if (l->n == 0 && len)
        snprintf(buf, len, "-");
    else
        cpus_join(l, "+", buf, len);
}

int cpus_usable(struct cpu_list *l)
{
    cpu_set_t set;
    l->n = 0;
    if (sched_getaffinity(0, sizeof set, &set) < 0)
        return -1;
    for (int c = 0; c < CPU_SETSIZE && l->n < CPU_LIST_MAX; c++)
        if (CPU_ISSET(c, &set))
            l->cpu[l->n++] = c;
    return 0;
}

int cpus_check(const struct cpu_list *l, char *err, size_t errlen)
{
    struct cpu_list ok;
    if (cpus_usable(&ok) < 0) {
        snprintf(err, errlen, "cannot read the affinity mask: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < l->n; i++) {
        if (!has_cpu(&ok, l->cpu[i])) {
            char list[256];
            size_t off = 0;
            list[0] = '\0';
            for (int j = 0; j < ok.n && off < sizeof list; j++) {
                int w = snprintf(list + off, sizeof list - off, "%s%d", j ? "," : "", ok.cpu[j]);
                if (w < 0)
                    break;
                off += (size_t)w;
            }
            snprintf(err, errlen, "CPU %d is not usable here (this process may run on %s)",
                     l->cpu[i], list);
            return -1;
        }
    }
    return 0;
}

void cpus_flag(const char *flag, const char *val, struct cpu_list *l)
{
    char err[320];
    if (!val)
        cli_usage_error("%s: needs a value", flag);
    if (cpus_parse(val, l, err, sizeof err) < 0 || cpus_check(l, err, sizeof err) < 0)
        cli_usage_error("%s: %s", flag, err);
}

void cpus_flag_pin_one(const char *flag, const char *val, struct cpu_list *l)
{
    l->n = 0;
    if (val) {
        cpus_flag(flag, val, l);
        if (l->n > 1)
            cli_usage_error("%s: the units run on one worker: give one CPU", flag);
    }
    if (cpus_pin_self(l) < 0)
        cli_fail("%s: sched_setaffinity: %s", flag, strerror(errno));
}

void cpus_flag_two(const char *val, struct cpu_list *l, const char *units)
{
    cpus_flag("--cpus", val, l);
    if (l->n > 2)
        cli_usage_error("--cpus: two %s: give one CPU (both on it) or two", units);
}

int cpus_pin_self(const struct cpu_list *l)
{
    if (l->n == 0)
        return 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int i = 0; i < l->n; i++)
        CPU_SET(l->cpu[i], &set);
    /* pid 0 is the calling thread: other threads keep their mask, while
     * threads and processes created afterwards inherit this one. */
    return sched_setaffinity(0, sizeof set, &set);
}

int cpu_pin_self(int cpu)
{
    struct cpu_list l = {.n = 1, .cpu = {cpu}};
    return cpus_pin_self(&l);
}

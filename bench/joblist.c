/* joblist.c - parsing OSTEP's job lists (joblist.h). The parsers only
 * fill a buffer with the problem, so a fuzzer can drive them
 * (bench/fuzz/joblist.c); schedargs.c turns problems into exit 2. */
#include "joblist.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int fail(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return -1;
}

/* One whole number of [lo, hi] from [p, p+len): 0, or -1. */
static int num(const char *p, size_t len, long lo, long hi, long *out)
{
    char item[24];
    if (len == 0 || len >= sizeof item)
        return -1;
    memcpy(item, p, len);
    item[len] = '\0';
    char *end;
    errno = 0;
    long v = strtol(item, &end, 10);
    if (errno || *end || end == item || item[0] == '+' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Splits s at sep into at most cap fields; returns how many, -1 past cap. */
static int split(const char *s, char sep, const char **f, size_t *flen, int cap)
{
    int k = 0;
    for (const char *p = s;;) {
        const char *e = strchr(p, sep);
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (k == cap)
            return -1;
        f[k] = p;
        flen[k++] = len;
        if (!e)
            return k;
        p = e + 1;
    }
}

static void job_defaults(struct jl_job *j)
{
    memset(j, 0, sizeof *j);
    j->tickets = 100;
}

int jl_parse_jobs(const char *s, struct joblist *l, char *err, size_t errlen)
{
    const char *f[JL_MAX + 1];
    size_t fl[JL_MAX + 1];
    l->n = 0;
    if (!s || !*s)
        return fail(err, errlen, "empty job list: give run times like 10,15,20");
    int k = split(s, ',', f, fl, JL_MAX);
    if (k < 0)
        return fail(err, errlen, "more than %d jobs", JL_MAX);
    for (int i = 0; i < k; i++) {
        long v;
        if (num(f[i], fl[i], 1, JL_UNITS_MAX, &v) != 0)
            return fail(err, errlen, "job %d: '%.*s' is not a run time from 1 to %u units", i,
                        (int)fl[i] > 20 ? 20 : (int)fl[i], f[i], JL_UNITS_MAX);
        job_defaults(&l->j[i]);
        l->j[i].run = (uint64_t)v;
    }
    l->n = (size_t)k;
    return 0;
}

int jl_parse_jlist(const char *s, struct joblist *l, char *err, size_t errlen)
{
    const char *f[JL_MAX + 1];
    size_t fl[JL_MAX + 1];
    l->n = 0;
    if (!s || !*s)
        return fail(err, errlen, "empty job list: give start,run,iofreq:start,run,iofreq...");
    int k = split(s, ':', f, fl, JL_MAX);
    if (k < 0)
        return fail(err, errlen, "more than %d jobs", JL_MAX);
    for (int i = 0; i < k; i++) {
        char job[96];
        if (fl[i] >= sizeof job)
            return fail(err, errlen, "job %d: too long", i);
        memcpy(job, f[i], fl[i]);
        job[fl[i]] = '\0';
        const char *g[4];
        size_t gl[4];
        long v[3];
        int m = split(job, ',', g, gl, 3);
        if (m != 3)
            return fail(err, errlen, "job %d: '%s' is not start,run,iofreq", i, job);
        static const char *const what[] = {"start", "run", "iofreq"};
        for (int x = 0; x < 3; x++)
            if (num(g[x], gl[x], x == 1 ? 1 : 0, JL_UNITS_MAX, &v[x]) != 0)
                return fail(err, errlen, "job %d: %s '%.*s' is not a whole number from %d to %u",
                            i, what[x], (int)gl[x] > 20 ? 20 : (int)gl[x], g[x], x == 1,
                            JL_UNITS_MAX);
        job_defaults(&l->j[i]);
        l->j[i].start = (uint64_t)v[0];
        l->j[i].run = (uint64_t)v[1];
        l->j[i].iofreq = (uint64_t)v[2];
    }
    l->n = (size_t)k;
    return 0;
}

int jl_parse_ints(const char *s, size_t n, long lo, long hi, long *out, char *err,
                  size_t errlen)
{
    const char *f[JL_MAX + 1];
    size_t fl[JL_MAX + 1];
    if (!s || !*s)
        return fail(err, errlen, "empty list");
    int k = split(s, ',', f, fl, JL_MAX);
    if (k < 0 || (k != 1 && (size_t)k != n))
        return fail(err, errlen, "%s values for %zu jobs: give one per job, or one for all",
                    k < 0 ? "too many" : "a wrong number of", n);
    for (int i = 0; i < k; i++)
        if (num(f[i], fl[i], lo, hi, &out[i]) != 0)
            return fail(err, errlen, "'%.*s' is not a whole number from %ld to %ld",
                        (int)fl[i] > 20 ? 20 : (int)fl[i], f[i], lo, hi);
    for (size_t i = (size_t)k; i < n; i++)
        out[i] = out[0];
    return 0;
}

/* joblist.c - parsing OSTEP's job lists and the sched programs' flags
 * (joblist.h). The list parsers only fill a buffer with the problem, so
 * a fuzzer can drive them; sched_args_parse turns problems into exit 2. */
#include "joblist.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

const char sched_args_usage[] =
    "  --jobs R,R,..      run times in units, all arriving at 0 (OSTEP's scheduler.py -l)\n"
    "  --jlist S,R,F:...  start,run,iofreq per job (mlfq.py -l): an I/O after every F units\n"
    "  --io-time T        an I/O lasts T units (default 5)\n"
    "  --unit-ms K        one unit is K ms of CPU (default 10)\n"
    "  --policy P         the policy (see above)\n"
    "  --quantum Q        time slice in units (default 10)\n"
    "  --queues N         mlfq levels (default 3)\n"
    "  --quantum-list L   mlfq quantum per level, top first, e.g. 10,20,40\n"
    "  --allotment A      mlfq quanta at a level before moving down (default 1)\n"
    "  --boost S          mlfq: all jobs to the top every S units (default 0: never)\n"
    "  --stay             mlfq: an I/O resets the allotment (OSTEP's -S: gameable)\n"
    "  --tickets L        stride, lottery: tickets per job (one value: all)\n"
    "  --nice L           nice per job (one value: all)\n"
    "  --prio L           prio: priority per job, 0..63, larger first\n"
    "  --seed N           lottery's seed (default 1)\n"
    "  --label NAME       experiment column sched-NAME (default sched)\n"
    "  --cpus LIST        the CPU the jobs share (default 0)\n"
    "  --no-predict       do not print the textbook prediction beside\n"
    "  --trace FILE       write every run slice as trace CSV (a Gantt chart)\n"
    "  --csv              CSV rows on stdout, the table on stderr\n"
    "  --timeout S        give up after S seconds (default 300)\n";

static void list_flag(const char *flag, const char *val, const struct joblist *l, long lo,
                      long hi, long *out)
{
    char err[160];
    if (jl_parse_ints(val, l->n, lo, hi, out, err, sizeof err) != 0)
        cli_usage_error("%s: %s", flag, err);
}

void sched_args_parse(int argc, char **argv, const char *const *policies,
                      const char *default_policy, struct sched_args *a)
{
    const char *jobs = NULL, *jlist = NULL, *policy = default_policy, *qlist = NULL;
    const char *tickets = NULL, *nice = NULL, *prio = NULL, *cpus = NULL;
    bool csv = false, no_predict = false;
    memset(a, 0, sizeof *a);
    a->unit_ms = 10;
    a->p = (struct jl_params){.quantum = 10, .queues = 3, .allotment = 1, .io_time = 5,
                              .seed = 1};
    const struct cli_opt opts[] = {
        {"--jobs", CLI_STR, &jobs, 0, 0, NULL},
        {"--jlist", CLI_STR, &jlist, 0, 0, NULL},
        {"--io-time", CLI_U64, &a->p.io_time, 0, JL_UNITS_MAX, NULL},
        {"--unit-ms", CLI_U64, &a->unit_ms, 1, 10000, NULL},
        {"--policy", CLI_STR, &policy, 0, 0, NULL},
        {"--quantum", CLI_U64, &a->p.quantum, 1, JL_UNITS_MAX, NULL},
        {"--queues", CLI_U64, &a->p.queues, 1, JL_LEVELS, NULL},
        {"--quantum-list", CLI_STR, &qlist, 0, 0, NULL},
        {"--allotment", CLI_U64, &a->p.allotment, 1, JL_UNITS_MAX, NULL},
        {"--boost", CLI_U64, &a->p.boost, 0, JL_UNITS_MAX, NULL},
        {"--stay", CLI_BOOL, &a->p.stay, 0, 0, NULL},
        {"--tickets", CLI_STR, &tickets, 0, 0, NULL},
        {"--nice", CLI_STR, &nice, 0, 0, NULL},
        {"--prio", CLI_STR, &prio, 0, 0, NULL},
        {"--seed", CLI_U64, &a->p.seed, 0, UINT64_MAX, NULL},
        {"--label", CLI_STR, &a->label, 0, 0, NULL},
        {"--cpus", CLI_STR, &cpus, 0, 0, NULL},
        {"--no-predict", CLI_BOOL, &no_predict, 0, 0, NULL},
        {"--trace", CLI_STR, &a->trace, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 300);
    a->policy = -1;
    for (int i = 0; policies[i]; i++)
        if (strcmp(policies[i], policy) == 0)
            a->policy = i;
    if (a->policy < 0) {
        char names[256] = "";
        for (int i = 0; policies[i]; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? "|" : "",
                     policies[i]);
        cli_usage_error("--policy: unknown policy '%s' (one of %s)", policy, names);
    }
    char err[160];
    if (jobs && jlist)
        cli_usage_error("--jobs and --jlist: give one job list, not both");
    if (!jobs && !jlist)
        jlist = "0,100,0:0,100,5"; /* one CPU-bound job and one that does I/O */
    if (jobs ? jl_parse_jobs(jobs, &a->jl, err, sizeof err) != 0
             : jl_parse_jlist(jlist, &a->jl, err, sizeof err) != 0)
        cli_usage_error("%s: %s", jobs ? "--jobs" : "--jlist", err);
    long v[JL_MAX];
    if (tickets) {
        list_flag("--tickets", tickets, &a->jl, 1, 1000000, v);
        for (size_t i = 0; i < a->jl.n; i++)
            a->jl.j[i].tickets = (uint32_t)v[i];
    }
    if (nice) {
        list_flag("--nice", nice, &a->jl, -20, 19, v);
        for (size_t i = 0; i < a->jl.n; i++)
            a->jl.j[i].nice = (int)v[i];
    }
    if (prio) {
        list_flag("--prio", prio, &a->jl, 0, 63, v);
        for (size_t i = 0; i < a->jl.n; i++)
            a->jl.j[i].prio = (int)v[i];
    }
    for (int l = 0; l < JL_LEVELS; l++)
        a->p.quanta[l] = a->p.quantum;
    if (qlist) {
        uint64_t q[JL_LEVELS];
        size_t k = cli_u64_list("--quantum-list", qlist, 1, JL_UNITS_MAX, q, JL_LEVELS);
        if (k != a->p.queues)
            cli_usage_error("--quantum-list: %zu quanta for %llu queues: give one per level",
                            k, (unsigned long long)a->p.queues);
        memcpy(a->p.quanta, q, k * sizeof q[0]);
    }
    for (size_t i = 0; i < a->jl.n; i++)
        if (a->jl.j[i].iofreq && a->p.io_time == 0)
            cli_usage_error("--io-time: job %zu does I/O, so an I/O must last 1 unit or more", i);
    if (a->unit_ms * JL_UNITS_MAX / a->unit_ms != JL_UNITS_MAX)
        cli_usage_error("--unit-ms: too large");
    cpus_flag("--cpus", cpus ? cpus : "0", &a->cpus);
    a->predict = !no_predict;
    csv_enable(csv);
}

const char *sched_experiment(const struct sched_args *a)
{
    static char buf[64];
    if (!a->label)
        return "sched";
    snprintf(buf, sizeof buf, "sched-%s", a->label);
    return buf;
}

/* jobs.c - the skewed job set of the imbalance experiment, and the shared
 * record of who ran which job (see work.h). */
#include "work.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "cli.h"
#include "measure.h"
#include "trace.h"

void jobs_args_parse(int argc, char **argv, const char *choice_flag,
                     const char *const *choices, struct jobs_args *a)
{
    *a = (struct jobs_args){.set = {.jobs = 64, .workers = 2, .skew = 20}, .only = -1};
    uint64_t job_us = 1000;
    bool csv = false;
    struct jobset *s = &a->set;
    const struct cli_opt opts[] = {
        {choice_flag, CLI_CHOICE, &a->only, 0, 0, choices},
        {"--workers", CLI_U64, &s->workers, 1, JOBS_MAX_WORKERS, NULL},
        {"--jobs", CLI_U64, &s->jobs, 1, 1000000, NULL},
        {"--job-us", CLI_U64, &job_us, 1, 1000000, NULL},
        {"--skew", CLI_U64, &s->skew, 1, 1000, NULL},
        {"--heavy", CLI_U64, &s->heavy, 1, 1000000, NULL},
        {"--cpus", CLI_STR, &a->cpu_list, 0, 0, NULL},
        {"--trace", CLI_STR, &a->trace, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 120);
    bool heavy_given = s->heavy != 0;
    if (!heavy_given)
        s->heavy = jobs_default_heavy(s->jobs, s->workers);
    s->base_ns = job_us * 1000;
    jobs_check(s, heavy_given);
    if (a->cpu_list)
        cpus_flag("--cpus", a->cpu_list, &a->cpus);
    if (a->trace && a->only < 0)
        cli_usage_error("--trace: give one %s, so the trace is of one run", choice_flag);
    csv_enable(csv);
}

void jobs_trace_start(struct jobs *j, const char *path)
{
    if (path && !(j->trace = trace_log_new(j->set.jobs)))
        cli_fail("cannot allocate the trace log: %s", strerror(errno));
}

void jobs_trace_finish(struct jobs *j, const char *path, const char *model)
{
    trace_log_finish(j->trace, path, model);
    j->trace = NULL;
}

uint64_t jobs_default_heavy(uint64_t jobs, uint64_t workers)
{
    uint64_t slots = (jobs + workers - 1) / workers; /* indices 0, W, 2W... below J */
    return slots < 4 ? slots : 4;
}

void jobs_check(const struct jobset *s, bool heavy_given)
{
    if (s->workers > JOBS_MAX_WORKERS)
        cli_usage_error("--workers: at most %d", JOBS_MAX_WORKERS);
    uint64_t slots = (s->jobs + s->workers - 1) / s->workers;
    if (heavy_given && s->heavy > slots)
        cli_usage_error("--heavy: %llu heavy jobs asked for, but only %llu of the %llu jobs "
                        "(0, W, 2W...) can be heavy with --workers %llu",
                        (unsigned long long)s->heavy, (unsigned long long)slots,
                        (unsigned long long)s->jobs, (unsigned long long)s->workers);
    /* The flags' ranges keep every product below 2^64; an hour is a typo. */
    if (jobs_total_ns(s) / 1000000000u > 3600)
        cli_usage_error("--job-us: more than an hour of work in all; lower --jobs, --job-us or --skew");
}

bool jobs_is_heavy(const struct jobset *s, uint64_t i)
{
    return i % s->workers == 0 && i / s->workers < s->heavy;
}

uint64_t jobs_cost_ns(const struct jobset *s, uint64_t i)
{
    return jobs_is_heavy(s, i) ? s->base_ns * s->skew : s->base_ns;
}

uint64_t jobs_total_ns(const struct jobset *s)
{
    uint64_t k = s->heavy < s->jobs ? s->heavy : s->jobs;
    return (s->jobs - k) * s->base_ns + k * s->base_ns * s->skew;
}

struct jobs *jobs_new(const struct jobset *s)
{
    size_t len = sizeof(struct jobs) + s->jobs * sizeof(_Atomic uint32_t);
    /* Shared, so that the record of a fork()ed worker reaches the parent.
     * Anonymous memory starts zeroed: every counter begins at 0. */
    struct jobs *j = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (j == MAP_FAILED)
        return NULL;
    j->set = *s;
    j->map_len = len;
    return j;
}

void jobs_free(struct jobs *j)
{
    if (j)
        munmap(j, j->map_len);
}

void jobs_start_clock(struct jobs *j)
{
    atomic_store(&j->t0_ns, now_ns());
}

uint64_t jobs_take(struct jobs *j)
{
    uint64_t i = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
    return i < j->set.jobs ? i : UINT64_MAX;
}

void jobs_run(struct jobs *j, uint64_t i, int w)
{
    int cpu = j->trace ? sched_getcpu() : -1;
    uint64_t t0 = now_ns();
    work_cpu_ns(jobs_cost_ns(&j->set, i));
    uint64_t t1 = now_ns();
    atomic_fetch_add_explicit(&j->runs[i], 1, memory_order_relaxed);
    if (w >= 0 && w < JOBS_MAX_WORKERS) {
        atomic_fetch_add_explicit(&j->w[w].busy_ns, t1 - t0, memory_order_relaxed);
        atomic_fetch_add_explicit(&j->w[w].done, 1, memory_order_relaxed);
    }
    uint64_t end = atomic_load_explicit(&j->end_ns, memory_order_relaxed);
    while (end < t1 && !atomic_compare_exchange_weak(&j->end_ns, &end, t1)) {
    }
    if (j->trace) {
        struct trace_rec r;
        trace_rec_set(&r, jobs_is_heavy(&j->set, i) ? "heavy" : "light", 0, w, cpu, t0, t1);
        trace_log_add(j->trace, &r);
    }
}

uint64_t jobs_done_once(const struct jobs *j)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < j->set.jobs; i++)
        n += atomic_load(&j->runs[i]) == 1;
    return n;
}

uint64_t jobs_report(const struct jobs *j, const struct csv_key *k)
{
    const struct jobset *s = &j->set;
    uint64_t n = s->jobs, t0 = atomic_load(&j->t0_ns), end = atomic_load(&j->end_ns);
    uint64_t once = jobs_done_once(j);
    double total_ms = (double)jobs_total_ns(s) / 1e6;
    csv_row(k, n, "makespan_ms", end > t0 ? (double)(end - t0) / 1e6 : 0, "ms");
    csv_row(k, n, "ideal_ms", total_ms / (double)s->workers, "ms");
    csv_row(k, n, "work_ms", total_ms, "ms");
    csv_row(k, n, "workers", (double)s->workers, "count");
    csv_row(k, n, "jobs_done", (double)once, "count");
    struct csv_key wk = *k;
    char variant[96];
    wk.variant = variant;
    for (uint64_t w = 0; w < s->workers; w++) {
        snprintf(variant, sizeof variant, "%s-w%llu", k->variant, (unsigned long long)w);
        csv_row(&wk, n, "busy_ms", (double)atomic_load(&j->w[w].busy_ns) / 1e6, "ms");
        csv_row(&wk, n, "jobs", (double)atomic_load(&j->w[w].done), "count");
    }
    for (uint64_t i = 0; i < n; i++) {
        uint32_t r = atomic_load(&j->runs[i]);
        if (r != 1) {
            cli_warn("job %llu ran %u times", (unsigned long long)i, r);
            break;
        }
    }
    return n - once;
}

/* imbalance (tasks) - the unlucky worker. J jobs of CPU work, K of them
 * heavy, each its own task with no yield point inside: once a job starts it
 * keeps its worker until it is done (cooperative scheduling). W workers.
 *
 *   sharded   a task is placed round-robin when it is spawned and never
 *             moves (nginx, uvicorn workers): job i lands on worker
 *             (i + c) % W, so every heavy job (0, W, 2W...) piles up on the
 *             same worker while the others run out of work and idle.
 *   stealing  a worker that runs out of work steals half of another one's
 *             queue (Tokio, Go): the heavy jobs spread out and every worker
 *             finishes near the ideal, all the work divided by W.
 * Compare with threads/imbalance.c (static split vs a shared queue) and
 * procs/imbalance.c: same jobs, same rows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "measure.h"
#include "work.h"
#include "yl.h"

static const char usage[] =
    "usage: imbalance [--exec sharded|stealing] [--workers W] [--jobs J] [--job-us U]\n"
    "                 [--skew S] [--heavy K] [--cpus LIST] [--trace FILE] [--csv]\n"
    "J jobs of CPU work, each its own task, on W libyl workers; K jobs are heavy.\n"
    "  --exec E      sharded (round-robin placement, no stealing) or stealing\n"
    "                (default: both, in that order; YL_EXEC is ignored)\n"
    "  --workers W   workers (default 2)\n"
    "  --jobs J      jobs (default 64)\n"
    "  --job-us U    CPU time of a light job, in microseconds (default 1000)\n"
    "  --skew S      a heavy job costs S times a light one (default 20)\n"
    "  --heavy K     heavy jobs: 0, W, 2W... (default 4, fewer if J/W is small)\n"
    "  --cpus LIST   pin worker i to the i-th CPU of LIST, e.g. 0,1 (default: not pinned)\n"
    "  --trace FILE  write every unit as trace CSV (needs --exec)\n"
    "  --csv         CSV rows on stdout, summary on stderr\n"
    "  --timeout S   give up after S seconds (default 120)\n"
    "Rows (n = J): makespan_ms, ideal_ms, work_ms, workers, jobs_done, steals;\n"
    "busy_ms and jobs per worker, under the variant EXEC-wK.\n";

static const char *const execs[] = {"sharded", "stealing", NULL};
static const enum yl_exec exec_of[] = {YL_EXEC_SHARDED, YL_EXEC_STEALING};

static struct {
    struct jobs *jobs;
    yl_wg wg;
} g;

/* One job: CPU work and nothing else, so one unit from start to end. */
static void job(void *arg)
{
    jobs_run(g.jobs, (uint64_t)(uintptr_t)arg, yl_worker_index());
    yl_wg_done(&g.wg);
}

static void start(void *arg)
{
    (void)arg;
    uint64_t n = g.jobs->set.jobs;
    yl_wg_init(&g.wg);
    yl_wg_add(&g.wg, (int64_t)n);
    jobs_start_clock(g.jobs);
    for (uint64_t i = 0; i < n; i++) {
        const char *name = jobs_is_heavy(&g.jobs->set, i) ? "heavy" : "light";
        if (yl_go(name, job, (void *)(uintptr_t)i) != 0)
            cli_fail("out of memory after %llu tasks", (unsigned long long)i);
    }
    yl_wg_wait(&g.wg);
}

static uint64_t run(int e, const struct jobset *s, const struct cpu_list *cpus,
                    const char *cpu_arg, const char *trace)
{
    if (!(g.jobs = jobs_new(s)))
        cli_fail("mmap of the job record: %s", strerror(errno));
    yl_config cfg = {.exec = exec_of[e], .workers = (int)s->workers, .cpus = cpu_arg,
                     .trace_path = trace};
    if (yl_run(&cfg, start, NULL) != 0)
        cli_fail("the runtime failed");
    struct csv_key k = {.experiment = "imbalance", .model = "tasks", .variant = execs[e]};
    cpus_format(cpus, k.cpus, sizeof k.cpus);
    uint64_t bad = jobs_report(g.jobs, &k);
    csv_row(&k, s->jobs, "steals", (double)yl_get_stats().steals, "count");
    jobs_free(g.jobs);
    g.jobs = NULL;
    return bad;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    struct jobset s = {.jobs = 64, .workers = 2, .skew = 20};
    uint64_t job_us = 1000;
    int only = -1;
    bool csv = false;
    const char *cpu_list = NULL, *trace = NULL;
    const struct cli_opt opts[] = {
        {"--exec", CLI_CHOICE, &only, 0, 0, execs},
        {"--workers", CLI_U64, &s.workers, 1, JOBS_MAX_WORKERS, NULL},
        {"--jobs", CLI_U64, &s.jobs, 1, 1000000, NULL},
        {"--job-us", CLI_U64, &job_us, 1, 1000000, NULL},
        {"--skew", CLI_U64, &s.skew, 1, 1000, NULL},
        {"--heavy", CLI_U64, &s.heavy, 1, 1000000, NULL},
        {"--cpus", CLI_STR, &cpu_list, 0, 0, NULL},
        {"--trace", CLI_STR, &trace, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 120);
    bool heavy_given = s.heavy != 0;
    if (!heavy_given)
        s.heavy = jobs_default_heavy(s.jobs, s.workers);
    s.base_ns = job_us * 1000;
    jobs_check(&s, heavy_given);
    struct cpu_list cpus = {.n = 0};
    char cpu_arg[4 * CPU_LIST_MAX];
    if (cpu_list) {
        cpus_flag("--cpus", cpu_list, &cpus);
        /* libyl wants a plain comma list; --cpus may have had ranges. */
        size_t off = 0;
        for (int i = 0; i < cpus.n; i++)
            off += (size_t)snprintf(cpu_arg + off, sizeof cpu_arg - off, "%s%d", i ? "," : "",
                                    cpus.cpu[i]);
    }
    if (trace && only < 0)
        cli_usage_error("--trace: give one --exec, so the trace is of one run");
    csv_enable(csv);
    /* The flags define the experiment: an executor or worker count from the
     * environment would run something else than the rows say. */
    unsetenv("YL_EXEC");
    unsetenv("YL_WORKERS");
    unsetenv("YL_CPUS");

    uint64_t bad = 0;
    for (int e = 0; execs[e]; e++)
        if (only < 0 || only == e)
            bad += run(e, &s, &cpus, cpu_list ? cpu_arg : NULL, trace);
    if (bad)
        cli_fail("%llu job(s) did not run exactly once", (unsigned long long)bad);
    return 0;
}

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
    struct jobs_args a;
    jobs_args_parse(argc, argv, "--exec", execs, &a);
    char cpu_arg[4 * CPU_LIST_MAX];
    cpus_join(&a.cpus, ",", cpu_arg, sizeof cpu_arg); /* --cpus may have had ranges */
    /* The flags define the experiment: an executor or worker count from the
     * environment would run something else than the rows say. */
    unsetenv("YL_EXEC");
    unsetenv("YL_WORKERS");
    unsetenv("YL_CPUS");

    uint64_t bad = 0;
    for (int e = 0; execs[e]; e++)
        if (a.only < 0 || a.only == e)
            bad += run(e, &a.set, &a.cpus, a.cpu_list ? cpu_arg : NULL, a.trace);
    if (bad)
        cli_fail("%llu job(s) did not run exactly once", (unsigned long long)bad);
    return 0;
}

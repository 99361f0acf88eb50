/* imbalance (threads) - the unlucky worker with kernel threads. J jobs of
 * CPU work, K of them heavy, on W threads.
 *
 *   static  the jobs are dealt out before anyone starts: thread k runs jobs
 *           k, k+W, k+2W... Every heavy job (0, W, 2W...) falls to thread
 *           0, which works on long after the others are done.
 *   queue   the threads pull job after job from one shared queue (an atomic
 *           index): whoever is free takes the next, so the heavy jobs
 *           spread out, as a work-stealing runtime spreads its tasks.
 * The kernel may preempt a job, but that moves no job to another thread:
 * the split, not the scheduler, decides who does what.
 * Compare with runtime/imbalance.c and procs/imbalance.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "measure.h"
#include "trace.h"
#include "work.h"

static const char usage[] =
    "usage: imbalance [--variant static|queue] [--workers W] [--jobs J] [--job-us U]\n"
    "                 [--skew S] [--heavy K] [--cpus LIST] [--trace FILE] [--csv]\n"
    "J jobs of CPU work on W threads; K jobs are heavy.\n"
    "  --variant V   static (thread k runs jobs k, k+W...) or queue (a shared queue)\n"
    "                (default: both, in that order)\n"
    "  --workers W   threads (default 2)\n"
    "  --jobs J      jobs (default 64)\n"
    "  --job-us U    CPU time of a light job, in microseconds (default 1000)\n"
    "  --skew S      a heavy job costs S times a light one (default 20)\n"
    "  --heavy K     heavy jobs: 0, W, 2W... (default 4, fewer if J/W is small)\n"
    "  --cpus LIST   pin thread k to the (k mod n)-th CPU of LIST (default: not pinned)\n"
    "  --trace FILE  write every job as trace CSV (needs --variant)\n"
    "  --csv         CSV rows on stdout, summary on stderr\n"
    "  --timeout S   give up after S seconds (default 120)\n"
    "Rows (n = J): makespan_ms, ideal_ms, work_ms, workers, jobs_done;\n"
    "busy_ms and jobs per thread, under the variant VARIANT-wK.\n";

enum variant { STATIC, QUEUE };
static const char *const variants[] = {"static", "queue", NULL};

struct worker {
    pthread_t tid;
    int index;
    enum variant v;
    struct jobs *jobs;
    struct usync *go;
    const struct cpu_list *cpus;
};

static _Atomic int pin_failed;

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct jobs *j = w->jobs;
    uint64_t n = j->set.jobs, stride = j->set.workers;
    if (w->cpus->n && cpu_pin_self(w->cpus->cpu[w->index % w->cpus->n]) < 0)
        atomic_store(&pin_failed, errno);
    usync_arrive(w->go, (uint32_t)stride);
    usync_wait_gate(w->go);
    if (w->v == STATIC) {
        for (uint64_t i = (uint64_t)w->index; i < n; i += stride)
            jobs_run(j, i, w->index);
    } else {
        for (uint64_t i; (i = jobs_take(j)) != UINT64_MAX;)
            jobs_run(j, i, w->index);
    }
    return NULL;
}

static uint64_t run(enum variant v, const struct jobset *s, const struct cpu_list *cpus,
                    const char *trace)
{
    struct jobs *j = jobs_new(s);
    if (!j)
        cli_fail("mmap of the job record: %s", strerror(errno));
    jobs_trace_start(j, trace);
    struct usync go;
    usync_reset(&go);
    struct worker ws[JOBS_MAX_WORKERS];
    uint64_t made = 0;
    for (; made < s->workers; made++) {
        ws[made] = (struct worker){.index = (int)made, .v = v, .jobs = j, .go = &go, .cpus = cpus};
        int err = pthread_create(&ws[made].tid, NULL, worker_main, &ws[made]);
        if (err) {
            char why[256];
            limit_explain(err, why, sizeof why);
            /* The ones made wait at the gate: let them through an empty
             * queue (static ones run their share), then give up. */
            atomic_store(&j->next, s->jobs);
            usync_open_gate(&go);
            for (uint64_t i = 0; i < made; i++)
                pthread_join(ws[i].tid, NULL);
            cli_fail("pthread_create: %s (%s)", strerror(err), why);
        }
    }
    usync_wait_arrived(&go, (uint32_t)s->workers);
    jobs_start_clock(j);
    usync_open_gate(&go);
    for (uint64_t i = 0; i < made; i++)
        pthread_join(ws[i].tid, NULL);
    if (atomic_load(&pin_failed))
        cli_fail("--cpus: sched_setaffinity: %s", strerror(atomic_load(&pin_failed)));

    struct csv_key k = {.experiment = "imbalance", .model = "threads", .variant = variants[v]};
    cpus_format(cpus, k.cpus, sizeof k.cpus);
    uint64_t bad = jobs_report(j, &k);
    jobs_trace_finish(j, trace, "threads");
    jobs_free(j);
    return bad;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    struct jobs_args a;
    jobs_args_parse(argc, argv, "--variant", variants, &a);

    uint64_t bad = 0;
    for (int v = STATIC; v <= QUEUE; v++)
        if (a.only < 0 || a.only == v)
            bad += run((enum variant)v, &a.set, &a.cpus, a.trace);
    if (bad)
        cli_fail("%llu job(s) did not run exactly once", (unsigned long long)bad);
    return 0;
}

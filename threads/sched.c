/* sched (threads) - a job list from OSTEP's scheduling chapters, run as
 * pthreads under one of the kernel's policies: SCHED_OTHER (CFS or
 * EEVDF), SCHED_BATCH, SCHED_IDLE, SCHED_FIFO, SCHED_RR, SCHED_DEADLINE.
 * Every job is pinned to one CPU (--cpus, default 0), so the textbook's
 * uniprocessor is what runs; the main thread releases each job at its
 * arrival from another CPU when there is one (above the jobs' priority
 * when there is not). Each job burns its run time in CPU time and sleeps
 * for each I/O; the kernel preempts as it likes.
 *
 * The real-time policies need CAP_SYS_NICE: without it the run is
 * skipped with one line, not failed. SCHED_DEADLINE jobs are not pinned:
 * the kernel refuses a deadline task an affinity narrower than its root
 * domain. Compare with runtime/sched.c (libyl's classes) and procs/sched.c.
 */
#include <pthread.h>
#include <string.h>

#include "cli.h"
#include "joblist.h"
#include "schedkern.h"
#include "schedrun.h"

static const char usage[] =
    "usage: sched [--policy P] [--jobs R,R,.. | --jlist S,R,F:..] [--unit-ms K] [...]\n"
    "Runs a job list as threads on one CPU under the kernel's policy P:\n"
    "other batch idle fifo rr deadline (default other). Prints each job's response,\n"
    "turnaround and wait, beside the textbook prediction for fifo and rr.\n";

static struct sched_args args;
static struct kern_run kern;
static struct sched_run *run;

static const struct sched_hooks hooks = {.sleep_ns = sched_io_sleep};

static void *job(void *arg)
{
    size_t i = (size_t)(uintptr_t)arg;
    kern_job_setup(&args, &kern, i);
    sched_wait_release(run, i);
    sched_job(run, i, &hooks);
    return NULL;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    sched_args_parse(argc, argv, kern_policy_names, "other", &args);
    if (!kern_prepare(&args, &kern))
        return 0;
    kern_releaser(&args, &kern); /* before the jobs: they pin themselves */
    run = sched_run_new(&args);
    pthread_t t[JL_MAX];
    for (size_t i = 0; i < args.jl.n; i++) {
        int e = pthread_create(&t[i], NULL, job, (void *)(uintptr_t)i);
        if (e)
            cli_fail("pthread_create: %s", strerror(e));
    }
    sched_release(run);
    for (size_t i = 0; i < args.jl.n; i++)
        pthread_join(t[i], NULL);
    kern_report(run, &kern, "threads");
    sched_run_free(run);
    return 0;
}

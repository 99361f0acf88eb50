/* sched (procs) - a job list from OSTEP's scheduling chapters, run as
 * fork()ed processes under one of the kernel's policies: SCHED_OTHER
 * (CFS or EEVDF), SCHED_BATCH, SCHED_IDLE, SCHED_FIFO, SCHED_RR,
 * SCHED_DEADLINE. The same as threads/sched.c with a process per job:
 * the records the jobs write are MAP_SHARED (bench/schedrun.c), the
 * release gates are shared futexes.
 *
 * The real-time policies need CAP_SYS_NICE: without it the run is
 * skipped with one line, not failed. SCHED_DEADLINE jobs are not pinned
 * (the kernel refuses a deadline task a narrower affinity).
 */
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "joblist.h"
#include "schedkern.h"
#include "schedrun.h"

static const char usage[] =
    "usage: sched [--policy P] [--jobs R,R,.. | --jlist S,R,F:..] [--unit-ms K] [...]\n"
    "Runs a job list as processes on one CPU under the kernel's policy P:\n"
    "other batch idle fifo rr deadline (default other). Prints each job's response,\n"
    "turnaround and wait, beside the textbook prediction for fifo and rr.\n";

static struct sched_args args;
static struct kern_run kern;
static struct sched_run *run;

static const struct sched_hooks hooks = {.sleep_ns = sched_io_sleep};

static _Noreturn void job(size_t i)
{
    kern_job_setup(&args, &kern, i);
    sched_wait_release(run, i);
    sched_job(run, i, &hooks);
    _exit(0);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    sched_args_parse(argc, argv, kern_policy_names, "other", &args);
    if (!kern_prepare(&args, &kern))
        return 0;
    run = sched_run_new(&args);
    pid_t pid[JL_MAX];
    for (size_t i = 0; i < args.jl.n; i++) {
        if ((pid[i] = cli_fork()) < 0)
            cli_fail("fork: %m");
        if (pid[i] == 0)
            job(i);
    }
    kern_releaser(&args, &kern); /* after the forks: the children pin themselves */
    sched_release(run);
    int failed = 0;
    for (size_t i = 0; i < args.jl.n; i++) {
        int st;
        if (waitpid(pid[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            failed++;
    }
    if (failed)
        cli_fail("%d job(s) failed", failed);
    kern_report(run, &kern, "procs");
    sched_run_free(run);
    return 0;
}

/* sched (tasks) - a job list from OSTEP's scheduling chapters, run as
 * libyl tasks on one worker under one of libyl's scheduling classes
 * (runtime/yl/policy.h). Each job is a task that burns its run time in
 * CPU time and sleeps for each I/O; the class picks who runs next.
 *
 * libyl has no timer preemption here: a CPU-bound job reaches
 * yl_safepoint every 50 us of CPU inside its busy loop (bench/schedrun.c),
 * and the class says there whether its slice is over or a better task is
 * ready. That is cooperative preemption at a fine grain, not an
 * interrupt: code with no safepoint would hold the worker, as in lag.
 *
 * Compare with threads/sched.c and procs/sched.c, where the kernel's
 * policies decide.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "joblist.h"
#include "measure.h"
#include "predict.h"
#include "schedrun.h"
#include "yl.h"

static const char usage[] =
    "usage: sched [--policy P] [--jobs R,R,.. | --jlist S,R,F:..] [--unit-ms K] [...]\n"
    "Runs a job list as libyl tasks on one worker under libyl's policy P:\n"
    "fifo lifo prio sjf stcf rr mlfq stride lottery fair eevdf (default fifo).\n"
    "Prints each job's response, turnaround and wait beside the textbook prediction\n"
    "(fifo, sjf, stcf, rr, mlfq, stride).\n";

static struct sched_args args;
static struct sched_run *run;

static void io_sleep(uint64_t ns)
{
    yl_sleep_us(ns / 1000);
}

static const struct sched_hooks hooks = {.sleep_ns = io_sleep, .safepoint = yl_safepoint,
                                         .units = yl_worker_units,
                                         .preempt_off = yl_preempt_disable,
                                         .preempt_on = yl_preempt_enable};

static void job(void *arg)
{
    size_t i = (size_t)(uintptr_t)arg;
    uint64_t now = now_ns(), at = run->job[i].arrive_ns;
    if (now < at)
        yl_sleep_us((at - now + 999) / 1000); /* not yet arrived */
    sched_job(run, i, &hooks);
}

static void start(void *arg)
{
    (void)arg;
    const struct joblist *jl = &args.jl;
    yl_task *t[JL_MAX];
    sched_run_start(run);
    for (size_t i = 0; i < jl->n; i++) {
        char name[24]; /* "j" and any size_t: the compiler cannot see i < JL_MAX */
        snprintf(name, sizeof name, "j%zu", i);
        if (!(t[i] = yl_task_new(name, job, (void *)(uintptr_t)i)))
            cli_fail("yl_task_new: out of memory");
        /* What the job says about itself, before it first queues. */
        yl_task_set_hint(t[i], jl->j[i].run * run->unit_ns);
        yl_task_set_prio(t[i], jl->j[i].prio);
        yl_task_set_nice(t[i], jl->j[i].nice);
        yl_task_set_tickets(t[i], jl->j[i].tickets);
        if (yl_start(t[i]) != 0)
            cli_fail("yl_start: out of memory");
    }
    for (size_t i = 0; i < jl->n; i++)
        yl_join(t[i]);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    sched_args_parse(argc, argv, yl_policy_names, "fifo", &args);
    if (args.cpus.n != 1)
        cli_usage_error("--cpus: the tasks share one worker: give one CPU");
    const char *policy = yl_policy_names[args.policy];
    unsetenv("YL_POLICY"); /* --policy says which, and names the rows */
    run = sched_run_new(&args);
    uint64_t u = run->unit_ns;
    char cpu[16];
    snprintf(cpu, sizeof cpu, "%d", args.cpus.cpu[0]);
    yl_config cfg = {.exec = YL_EXEC_SINGLE, .cpus = cpu, .timers = YL_TIMERS_HEAP,
                     .policy = policy};
    cfg.sched.quantum_ns = args.p.quantum * u;
    cfg.sched.queues = (int)args.p.queues;
    for (int l = 0; l < JL_LEVELS && l < YL_SCHED_LEVELS_MAX; l++)
        cfg.sched.quanta_ns[l] = args.p.quanta[l] * u;
    cfg.sched.allotment = (unsigned)args.p.allotment;
    cfg.sched.boost_ns = args.p.boost * u;
    cfg.sched.stay = args.p.stay;
    cfg.sched.seed = args.p.seed;
    if (yl_run(&cfg, start, NULL) != 0)
        cli_fail("yl_run failed");
    sched_report(run, "tasks", policy, pred_policy_of(policy), args.p.quantum);
    sched_run_free(run);
    return 0;
}

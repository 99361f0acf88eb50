/* schedrun.h - running a job list for real and reporting it, shared by
 * the three `sched` programs (runtime/, threads/, procs/): the job's body
 * (CPU in units of the thread's CPU time, I/O as sleeps), the record of
 * when each job arrived, first ran and ended, the rows and the table with
 * the textbook prediction beside (predict.h).
 */
#ifndef YL_SCHEDRUN_H
#define YL_SCHEDRUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "joblist.h"

struct trace_log;

struct sched_rec {
    uint64_t arrive_ns;       /* t0 + start units */
    _Atomic uint64_t first_ns;
    _Atomic uint64_t end_ns;
    _Atomic uint64_t cpu_ns;  /* CPU it burned */
    _Atomic uint64_t ios;
};

/* One run, in MAP_SHARED memory so fork()ed jobs record into it. */
struct sched_run {
    const struct sched_args *a;
    uint64_t unit_ns;
    uint64_t t0_ns;           /* the release: time 0 of the job list */
    struct trace_log *trace;  /* every run slice (always kept: shares come from it) */
    struct usync sync;        /* kernel models: jobs ready to be released */
    _Atomic uint32_t gate[JL_MAX]; /* ... job i's release */
    struct sched_rec job[JL_MAX];
};

/* What a model lends the job body. */
struct sched_hooks {
    void (*sleep_ns)(uint64_t ns); /* an I/O: block this long */
    bool (*safepoint)(void);       /* tasks: yl_safepoint; NULL: the kernel preempts */
    uint64_t (*units)(void);       /* tasks: yl_worker_units, which changes when the
                                    * task was switched out; NULL: threads, procs */
    void (*preempt_off)(void);     /* tasks: yl_preempt_disable, and its enable */
    void (*preempt_on)(void);
};

/* The kernel models' I/O: nanosleep for ns, resumed after a signal. */
void sched_io_sleep(uint64_t ns);

/* A zeroed record for a's jobs in MAP_SHARED memory, with its trace log;
 * exits with a message when it cannot. */
struct sched_run *sched_run_new(const struct sched_args *a);
void sched_run_free(struct sched_run *r);

/* Sets time 0 to now: job i arrives at t0 + start_i units. */
void sched_run_start(struct sched_run *r);

/* Kernel models: job i (a thread or process, its policy set) waits here
 * until sched_release lets it in at its arrival time. */
void sched_wait_release(struct sched_run *r, size_t i);

/* Kernel models, the releaser: once every job waits, sets time 0 and
 * lets each in at its arrival (in arrival order, ties by job number). */
void sched_release(struct sched_run *r);

/* Job i's life once it has arrived: its run units of CPU, an I/O of
 * io_time units after every iofreq of them, records and trace slices (a
 * slice ends where the job was seen off the CPU: a safepoint that
 * yielded, an I/O, or a gap in its CPU time, i.e. the kernel preempted
 * it). Any thread, process or task may call it. */
void sched_job(struct sched_run *r, size_t i, const struct sched_hooks *h);

/* Emits the rows (per job response_ms, turnaround_ms, wait_ms with n the
 * job's index; avg_response_ms, avg_turnaround_ms, avg_wait_ms,
 * makespan_ms with n the number of jobs; share_pct per job over the time
 * every job was present) for model and variant, and the prediction's
 * rows (model "predict") when pred is a policy (>= 0, predict.h) and a
 * asks for it, with quantum q units; prints the table; writes the trace
 * when asked. */
void sched_report(struct sched_run *r, const char *model, const char *variant, int pred,
                  uint64_t q);

struct csv_key;
struct prediction;

/* Works out the prediction of a's jobs under pred (predict.h) with
 * quantum q units into pr and emits its rows under k with model
 * "predict" (variant the policy, rr-qQ for round robin, after "MODEL-"
 * when k names the measured model). False when it could not (said why). */
bool sched_predicted(const struct sched_args *a, const struct csv_key *k, int pred, uint64_t q,
                     struct prediction *pr);

#endif

/* work.h - CPU work of a known size, and the skewed job set of the
 * imbalance experiment, shared by its three models (tasks, threads, procs).
 *
 *   bench/work.c  burning the CPU: by this thread's CPU time, or until a
 *                 wall-clock deadline
 *   bench/jobs.c  the job set (which jobs are heavy, what each costs), the
 *                 shared record of who ran what, and the CSV rows
 *   bench/lateness.c  the ticker's deadlines and the rows of the lag experiment
 *
 * A job's cost is CPU time, not wall time: a job the kernel preempts
 * halfway takes longer on the clock but does the same work, so the work of
 * an experiment does not depend on how loaded the machine was.
 */
#ifndef YL_WORK_H
#define YL_WORK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measure.h"

struct csv_key;
struct trace_log;

/* --- burning the CPU --------------------------------------------------- */

/* CPU time the calling thread has used (CLOCK_THREAD_CPUTIME_ID), in ns. */
uint64_t thread_cpu_ns(void);

/* CPU time every thread of the process has used (user and system), in ns:
 * what a job cut by preemption costs in all, monitor and handler included. */
uint64_t process_cpu_ns(void);

/* A little arithmetic (well under a microsecond) the compiler cannot
 * drop: the work between two looks at a clock. */
void work_spin(void);

/* Busy-loops until the calling thread has used ns more nanoseconds of CPU.
 * Never blocks and never yields: in a task it holds its worker throughout.
 * Returns the wall time it took, in ns. */
uint64_t work_cpu_ns(uint64_t ns);

/* Busy-loops until now_ns() >= deadline_ns, or *stop becomes non-zero (stop
 * may be NULL). Returns true when the deadline was reached. */
bool work_until_ns(uint64_t deadline_ns, const _Atomic int *stop);

/* --- the job set of the imbalance experiment --------------------------- */

#define JOBS_MAX_WORKERS 64

/* J jobs, K of them heavy. Job i is heavy when i % W == 0 and i / W < K:
 * jobs 0, W, 2W, ... So a round-robin placement over W workers (job i to
 * worker (i + c) % W) hands every heavy job to the same worker, whatever c
 * is: the unlucky worker, deterministically. */
struct jobset {
    uint64_t jobs;    /* J */
    uint64_t workers; /* W */
    uint64_t heavy;   /* K */
    uint64_t base_ns; /* a light job's CPU time */
    uint64_t skew;    /* a heavy job costs skew * base_ns */
};

/* The flags every imbalance program takes: the job set (--workers,
 * --jobs, --job-us, --skew, --heavy), --cpus, --trace and --csv, plus one
 * choice flag picking the variant (--variant; --exec for tasks). */
struct jobs_args {
    struct jobset set;
    int only;             /* the choice given, -1: run every one */
    const char *cpu_list; /* --cpus as given, NULL: not pinned */
    struct cpu_list cpus; /* ... parsed */
    const char *trace;    /* --trace FILE, NULL: none */
};

/* Parses argv into a (after cli_init), checks the values together and
 * turns CSV output on if asked; on bad usage exits 2 naming the flag. */
void jobs_args_parse(int argc, char **argv, const char *choice_flag,
                     const char *const *choices, struct jobs_args *a);

/* The default K when --heavy is not given: 4, or fewer when J/W is small. */
uint64_t jobs_default_heavy(uint64_t jobs, uint64_t workers);

/* Checks the flags' values together; on a problem exits 2 naming the flag
 * (heavy_given: whether --heavy was on the command line). */
void jobs_check(const struct jobset *s, bool heavy_given);

/* True when job i is one of the heavy ones. */
bool jobs_is_heavy(const struct jobset *s, uint64_t i);

/* CPU time job i costs, in ns. */
uint64_t jobs_cost_ns(const struct jobset *s, uint64_t i);

/* CPU time of all the jobs together, in ns. */
uint64_t jobs_total_ns(const struct jobset *s);

/* What the workers record while they run the jobs. Lives in MAP_SHARED
 * memory (jobs_new), so fork()ed workers record into the parent's copy. */
struct jobs_worker {
    _Atomic uint64_t busy_ns; /* wall time spent inside jobs */
    _Atomic uint64_t done;    /* jobs run */
};

struct jobs {
    struct jobset set;
    size_t map_len;
    struct trace_log *trace;       /* NULL: no trace (threads, procs) */
    _Atomic uint64_t t0_ns;        /* when the jobs were released */
    _Atomic uint64_t end_ns;       /* when the last job ended */
    _Atomic uint64_t next;         /* queue variants: the next job to take */
    struct jobs_worker w[JOBS_MAX_WORKERS];
    _Atomic uint32_t runs[];       /* runs[i]: how many times job i ran */
};

/* A zeroed record for the jobs of s, in MAP_SHARED memory; NULL with errno
 * on failure. */
struct jobs *jobs_new(const struct jobset *s);

/* Releases it (in the process that created it). */
void jobs_free(struct jobs *j);

/* With a path, gives j a trace log with room for every job (exits with a
 * message when it cannot); without, leaves j untraced. */
void jobs_trace_start(struct jobs *j, const char *path);

/* Writes j's trace (if any) to path with the model column `model` and
 * frees the log; exits with a message when it cannot be written. */
void jobs_trace_finish(struct jobs *j, const char *path, const char *model);

/* Marks the release of the jobs: makespan counts from here. */
void jobs_start_clock(struct jobs *j);

/* The next job of a shared queue (one atomic fetch-add), or UINT64_MAX when
 * none is left. */
uint64_t jobs_take(struct jobs *j);

/* Runs job i on worker w: burns its cost, then records the run, the
 * worker's busy time, the end time and (with a trace log) a trace record
 * named "heavy" or "light". Any thread or process may call it. */
void jobs_run(struct jobs *j, uint64_t i, int w);

/* Jobs that ran exactly once. */
uint64_t jobs_done_once(const struct jobs *j);

/* Emits the rows of one run (n = J): makespan_ms, ideal_ms (all the work
 * divided by W), work_ms, workers and jobs_done under k's variant, then
 * busy_ms and jobs once per worker under the variant "VARIANT-wK".
 * Returns the number of jobs that did not run exactly once (0 is right). */
uint64_t jobs_report(const struct jobs *j, const struct csv_key *k);

/* --- the lag experiment: a ticker next to a CPU hog -------------------- */

/* The ticker asks to wake every millisecond. */
#define LAG_PERIOD_NS 1000000u

/* Deadline of tick k (1, 2, ...) of a ticker that started at t0. Absolute:
 * a late tick does not push the later ones back. */
static inline uint64_t lag_due_ns(uint64_t t0, uint64_t k)
{
    return t0 + k * LAG_PERIOD_NS;
}

/* What one lag run measured. */
struct lag_run {
    uint64_t ticks;     /* T: ticks the ticker took */
    uint64_t *late_ns;  /* late_ns[k]: how late tick k+1 woke (0 if on time) */
    uint64_t bursts;    /* bursts the hog burned */
    uint64_t hog_ms;    /* H: the length of one burst */
    uint64_t elapsed_ns;
};

/* The flags of the thread and process lag programs: --hog-ms, --ticks,
 * --cpus (one CPU or two: `units` names the two in the message), --trace
 * and --csv; CSV output is on when asked. Exits 2 on bad usage. */
struct lag_args {
    uint64_t hog_ms, ticks;
    struct cpu_list cpus;
    const char *trace; /* --trace FILE, NULL: none */
};
void lag_args_parse(int argc, char **argv, const char *units, struct lag_args *a);

/* With --trace, a log with room for every tick and every burst the
 * ticker's life can hold (exits with a message when it cannot); NULL
 * without. */
struct trace_log *lag_trace_new(const struct lag_args *a);

/* Emits lateness_p50_ms, lateness_p99_ms, lateness_max_ms, ticks,
 * hog_bursts, hog_ms and elapsed_ms under k with n = T. Sorts late_ns. */
void lag_report(const struct csv_key *k, struct lag_run *r);

#endif

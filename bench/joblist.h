/* joblist.h - OSTEP's job lists, and the flags every `sched` program and
 * the predictor share (runtime/sched.c, threads/sched.c, procs/sched.c,
 * bench/predict/).
 *
 *   --jobs 10,15,20                      run times, all arriving at 0
 *   --jlist start,run,iofreq:start,...   mlfq.py's notation: a job issues
 *                                        an I/O after every iofreq units
 *                                        of CPU (0: never), --io-time T long
 *
 * All times are in time units: one unit is --unit-ms K ms of CPU.
 */
#ifndef YL_JOBLIST_H
#define YL_JOBLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measure.h"

#define JL_MAX 64
#define JL_LEVELS 8
#define JL_UNITS_MAX 1000000u

struct jl_job {
    uint64_t start, run, iofreq; /* units */
    uint32_t tickets;            /* stride, lottery (default 100) */
    int nice;                    /* fair, eevdf, the kernel (default 0) */
    int prio;                    /* prio (default 0) */
};

struct joblist {
    size_t n;
    struct jl_job j[JL_MAX];
};

/* Parses "--jobs" text ("10,15,20") into l; 0, or -1 with a message in
 * err (naming the bad item, no flag name). Never exits: fuzzed. */
int jl_parse_jobs(const char *s, struct joblist *l, char *err, size_t errlen);

/* Parses "--jlist" text ("0,10,0:5,20,3") into l; as jl_parse_jobs. */
int jl_parse_jlist(const char *s, struct joblist *l, char *err, size_t errlen);

/* Parses a comma list of n integers in [lo, hi] into out (one per job of
 * a list of n jobs, or one value for all); 0, or -1 with a message. */
int jl_parse_ints(const char *s, size_t n, long lo, long hi, long *out, char *err,
                  size_t errlen);

/* The scheduling parameters in OSTEP's terms, in units. */
struct jl_params {
    uint64_t quantum;            /* --quantum Q (default 10) */
    uint64_t queues;             /* --queues N (default 3) */
    uint64_t quanta[JL_LEVELS];  /* --quantum-list a,b,c (top first; default Q each) */
    uint64_t allotment;          /* --allotment A, in quanta (default 1) */
    uint64_t boost;              /* --boost S (0: never) */
    bool stay;                   /* --stay: an I/O resets the allotment */
    uint64_t io_time;            /* --io-time T (default 5) */
    uint64_t seed;               /* --seed (default 1) */
};

/* Everything a sched program was asked to do. */
struct sched_args {
    struct joblist jl;
    struct jl_params p;
    int policy;                  /* index into the program's policy names */
    uint64_t unit_ms;            /* --unit-ms K (default 10) */
    const char *label;           /* --label NAME: experiment "sched-NAME" */
    const char *trace;           /* --trace FILE */
    struct cpu_list cpus;        /* --cpus (default: 0) */
    bool predict;                /* --no-predict clears it */
};

/* Parses argv (after cli_init) with the policy names of the program;
 * default_policy names the one used without --policy. Fills defaults,
 * checks the values together, turns CSV on if asked. Any problem: one
 * line naming it, exit 2. */
void sched_args_parse(int argc, char **argv, const char *const *policies,
                      const char *default_policy, struct sched_args *a);

/* The usage lines of the flags sched_args_parse takes (for --help). */
extern const char sched_args_usage[];

/* The experiment column: "sched", or "sched-LABEL". */
const char *sched_experiment(const struct sched_args *a);

#endif

/* predict.h - the textbook schedule of a job list (OSTEP ch. 7-9): what
 * FIFO, SJF, STCF, RR(q), MLFQ and stride do with it on one CPU, worked
 * out in whole time units, with each job's response, turnaround and wait.
 * An independent model: it shares no code with libyl's classes, so a
 * class can be checked against it (tests, lab 10's grading).
 *
 * Conventions, the ones libyl's classes follow too: at one instant, a
 * job whose slice ends goes to the back before the jobs arriving then,
 * and those (in job order) before the ones back from I/O; ties between equal keys (length, pass) go
 * to the job that has waited longest; an MLFQ job preempted by a higher
 * level keeps the rest of its quantum at the head of its level; the MLFQ
 * boost is due by CPU time run and applies at the next pick; stride's
 * pass grows pro rata for a partial quantum, and a job arriving or waking
 * starts at the pass of the last job picked.
 */
#ifndef YL_PREDICT_H
#define YL_PREDICT_H

#include "joblist.h"

enum pred_policy { PRED_FIFO, PRED_SJF, PRED_STCF, PRED_RR, PRED_MLFQ, PRED_STRIDE };

/* The names, in enum order, NULL-terminated. */
extern const char *const pred_names[];

/* The enum value of a policy name, -1 when it has no prediction. */
int pred_policy_of(const char *name);

struct pred_job {
    uint64_t first;   /* the unit it first ran at */
    uint64_t end;     /* ... it finished at */
    uint64_t ios;     /* I/Os it issued */
};

struct pred_slice {
    uint32_t job;
    uint64_t start, end; /* units */
};

struct prediction {
    struct pred_job job[JL_MAX];
    struct pred_slice *s; /* the Gantt chart, contiguous runs of one job merged */
    size_t ns, cap;
    uint64_t end;         /* the last job's end */
};

/* Works out the schedule of jl under policy with parameters p into out
 * (zeroed first). Returns 0, or -1 when out of memory. */
int predict(const struct joblist *jl, const struct jl_params *p, enum pred_policy policy,
            struct prediction *out);

void pred_free(struct prediction *out);

/* Response, turnaround and wait of job i, in units. */
uint64_t pred_response(const struct joblist *jl, const struct prediction *pr, size_t i);
uint64_t pred_turnaround(const struct joblist *jl, const struct prediction *pr, size_t i);
uint64_t pred_wait(const struct joblist *jl, const struct jl_params *p,
                   const struct prediction *pr, size_t i);

#endif

/* schedkern.h - the kernel's scheduling policies for the thread and
 * process sched programs: SCHED_OTHER (CFS or EEVDF, whichever this
 * kernel has), SCHED_BATCH, SCHED_IDLE, SCHED_FIFO, SCHED_RR and
 * SCHED_DEADLINE, set with sched_setattr(2), plus nice. */
#ifndef YL_SCHEDKERN_H
#define YL_SCHEDKERN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "joblist.h"

enum kern_policy { KP_OTHER, KP_BATCH, KP_IDLE, KP_FIFO, KP_RR, KP_DEADLINE };

/* The names --policy takes, in enum order, NULL-terminated. */
extern const char *const kern_policy_names[];

/* SCHED_FIFO, SCHED_RR, SCHED_DEADLINE: they need CAP_SYS_NICE. */
bool kern_policy_rt(int pol);

/* The fair class of the running kernel: "EEVDF" from Linux 6.6, "CFS" before. */
const char *kern_fair_class(void);

/* Puts the calling thread under pol as job i of a (nice, RT priority,
 * deadline runtime/period); 0, or an errno. */
int kern_apply(int pol, const struct sched_args *a, size_t i);

/* Whether this process may use pol: tries it on the calling thread and
 * goes back to SCHED_OTHER. 0, or an errno (EPERM: no CAP_SYS_NICE).
 * For SCHED_RR also gives its interval in *rr_ns (0 otherwise). */
int kern_probe(int pol, const struct sched_args *a, uint64_t *rr_ns);

/* Gives the calling thread (the releaser of arrivals) a real-time
 * priority above the jobs', so arrivals are on time even when it shares
 * the jobs' CPU. 0, or an errno. */
int kern_boost_self(void);

/* The textbook policy the kernel's pol should follow (predict.h), and
 * its quantum in units: fifo, and rr with the kernel's interval; -1 for
 * the others, which have no textbook prediction. */
int kern_prediction(int pol, uint64_t rr_ns, uint64_t unit_ns, uint64_t *q);

struct sched_run;

/* What the thread and process programs set up before their jobs start. */
struct kern_run {
    struct cpu_list all;   /* the CPUs this process may use */
    struct cpu_list rest;  /* ... but the jobs' one: where the releaser goes */
    uint64_t rr_ns;        /* SCHED_RR's interval */
};

/* Probes a's policy: false (having said "skipped" in one line) when the
 * process lacks CAP_SYS_NICE for it; exits 2 when the kernel refuses it
 * otherwise. Fills k. */
bool kern_prepare(const struct sched_args *a, struct kern_run *k);

/* The calling thread becomes the releaser: off the jobs' CPU if there
 * is another, above the jobs' priority under a real-time policy. */
void kern_releaser(const struct sched_args *a, const struct kern_run *k);

/* A job's start, in its own thread or process: pinned (deadline: to every
 * CPU), under the policy; exits with a message when refused. */
void kern_job_setup(const struct sched_args *a, const struct kern_run *k, size_t i);

/* The report of a kernel run: the notes (the fair class, SCHED_RR's
 * interval) and sched_report with the prediction that fits. */
void kern_report(struct sched_run *r, const struct kern_run *k, const char *model);

#endif

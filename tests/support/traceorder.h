/* traceorder.h - what the sched tests share (tests/test_schedprog.c, lab
 * 10's graded suites): the order of jobs in a trace, runs of one job
 * merged, and running a sched program or yl-predict to get it. */
#ifndef YL_TEST_TRACEORDER_H
#define YL_TEST_TRACEORDER_H

#include <stddef.h>

#define MAXARGS 40

struct slice {
    char task[16];
    unsigned long long start, end;
};

/* The jobs of the trace at path in the order they ran, runs of one job
 * merged: "j0 j1 j0" (malloc'd); with out, also the slices sorted by
 * start (malloc'd, *n_out of them). Criterion asserts on a bad trace. */
char *trace_order(const char *path, struct slice **out, size_t *n_out);

/* Runs prog with args (NULL-terminated), --trace into dir and --csv;
 * asserts it exits 0 and returns trace_order of its trace. */
char *run_order(const char *prog, const char *dir, const char *const *args, struct slice **sl,
                size_t *ns);

/* The path of yl-predict in this build. */
const char *predictor(void);

/* Runs tasks/sched --policy policy and yl-predict with args (NULL-
 * terminated) and expects the same order of jobs (a Criterion expect). */
void expect_predicted_order(const char *policy, const char *const *args);

#endif

/* traceorder.c - the order jobs ran in, from a sched program's trace
 * (see traceorder.h). */
#include "support/traceorder.h"

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/files.h"
#include "support/run.h"



static int by_start(const void *a, const void *b)
{
    const struct slice *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The jobs of a trace in the order they ran, runs of one job merged:
 * "j0 j1 j0" (malloc'd); with out, also the slices sorted by start. */
char *trace_order(const char *path, struct slice **out, size_t *n_out)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "no trace at %s", path);
    char line[256];
    size_t n = 0, cap = 256;
    struct slice *v = malloc(cap * sizeof *v);
    cr_assert(fgets(line, sizeof line, f), "empty trace");
    cr_expect_str_eq(line, "model,unit_id,task,label,worker,cpu,start_ns,end_ns\n");
    while (fgets(line, sizeof line, f)) {
        char model[16], task[16], label[8];
        int id, worker, cpu;
        struct slice s;
        cr_assert_eq(sscanf(line, "%15[^,],%d,%15[^,],%7[^,],%d,%d,%llu,%llu", model, &id, task,
                            label, &worker, &cpu, &s.start, &s.end),
                     8, "bad trace line: %s", line);
        snprintf(s.task, sizeof s.task, "%s", task);
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = s;
    }
    fclose(f);
    qsort(v, n, sizeof *v, by_start);
    char *order = calloc(1, 8 * n + 1);
    const char *last = "";
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].task, last) == 0)
            continue;
        last = v[i].task;
        if (*order)
            strcat(order, " ");
        strcat(order, v[i].task);
    }
    if (out) {
        *out = v;
        *n_out = n;
    } else {
        free(v);
    }
    return order;
}

/* Runs prog with the list of args (NULL-terminated) and --trace into dir;
 * returns the order of jobs. */
char *run_order(const char *prog, const char *dir, const char *const *args,
                       struct slice **sl, size_t *ns)
{
    char trace[512];
    snprintf(trace, sizeof trace, "%s/trace-%d.csv", dir, rand());
    const char *argv[MAXARGS] = {prog};
    int k = 1;
    for (; args[k - 1]; k++)
        argv[k] = args[k - 1];
    argv[k++] = "--trace";
    argv[k++] = trace;
    argv[k++] = "--csv";
    argv[k] = NULL;
    char *err = NULL;
    int rc = run_prog(argv, NULL, &err, 120);
    cr_assert_eq(rc, 0, "%s failed (%d): %s", prog, rc, err);
    free(err);
    return trace_order(trace, sl, ns);
}

const char *predictor(void)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/yl-predict", YL_BIN_DIR);
    return p;
}

/* libyl's class policy runs args in the predicted order. A job's length
 * is counted in CPU time but the timer that cuts it runs on the wall
 * clock, so on a loaded machine (the kernel taking the CPU away in the
 * middle of a slice) one run in a few can cut a slice at another point.
 * A wrong policy differs in every run; so a run that differs is tried
 * again, up to three runs in all, and every run is named on failure. */
void expect_predicted_order(const char *policy, const char *const *args)
{
    char *dir = scratch_dir("yl-sched");
    const char *a[MAXARGS] = {"--policy", policy};
    int k = 2;
    for (int i = 0; args[i]; i++)
        a[k++] = args[i];
    a[k] = NULL;
    char *want = run_order(predictor(), dir, a, NULL, NULL);
    char runs[3][1024] = {{0}};
    bool same = false;
    for (int r = 0; r < 3 && !same; r++) {
        char *got = run_order(bin_path(0, "tasks", "sched"), dir, a, NULL, NULL);
        same = strcmp(got, want) == 0;
        snprintf(runs[r], sizeof runs[r], "%s", got);
        free(got);
    }
    cr_expect(same, "%s: libyl ran [%s], then [%s], then [%s]; the textbook says [%s]", policy,
              runs[0], runs[1], runs[2], want);
    free(want);
    scratch_remove(dir);
}

/* 02_tasks.c - lab 02, graded: the switch carrying real tasks through the
 * scheduler (every switch goes task -> scheduler -> task). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/run.h"
#include "yl.h"

static char order[256];

static void ring_member(void *arg)
{
    for (int lap = 0; lap < 4; lap++) {
        strncat(order, arg, sizeof order - strlen(order) - 1);
        yl_yield();
    }
}

static void ring_main(void *arg)
{
    (void)arg;
    yl_go("A", ring_member, "A");
    yl_go("B", ring_member, "B");
    yl_go("C", ring_member, "C");
    strcat(order, "m");
}

Test(tasks, three_tasks_yield_in_a_ring, .description = "[3 pts] three tasks that yield in turn print mABCABCABCABC", .timeout = 60)
{
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, ring_main, NULL), 0, "expected yl_run to return 0; it failed");
    cr_expect_str_eq(order, "mABCABCABCABC",
                     "expected main, then A, B and C taking turns four times: mABCABCABCABC; got %s", order);
}

/* Work that keeps values in callee-saved and FP registers across yield
 * points, in many tasks at once, compared with the same work done without
 * any switch. */
static double work(int seed, bool yield)
{
    double x = seed * 0.5 + 1.0, acc = 0.0;
    unsigned long n = (unsigned long)seed;
    for (int i = 0; i < 50; i++) {
        x = x * 1.000001 + sqrt((double)(i + seed));
        n = n * 31 + i;
        acc += x / (double)(1 + (n & 1023));
        if (yield)
            yl_yield();
    }
    return acc + (double)(n & 0xffff);
}

static double results[200];

static void worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    char buf[64];
    results[id] = work(id, true);
    /* printf of a double: glibc uses aligned SSE stores here, so a
     * misaligned task stack crashes. */
    snprintf(buf, sizeof buf, "%f", results[id]);
    cr_assert(strtod(buf, NULL) > 0, "task %d: expected printf(\"%%f\") of its positive result to print a positive "
              "number; it printed '%s'", id, buf);
}

static void many_main(void *arg)
{
    (void)arg;
    for (intptr_t i = 0; i < 200; i++)
        cr_assert_eq(yl_go("w", worker, (void *)i), 0, "expected yl_go to start task %d; it failed", (int)i);
}

Test(tasks, many_tasks_keep_their_values, .description = "[2 pts] 200 tasks computing across 50 yields each get the results of a run without switches", .timeout = 60)
{
    cr_assert_eq(yl_run(NULL, many_main, NULL), 0, "expected yl_run to return 0; it failed");
    for (int i = 0; i < 200; i++)
        cr_expect_eq(results[i], work(i, false), "task %d: expected %g (the same work without switches); got %g", i,
                     work(i, false), results[i]);
}

Test(tasks, foo_prints_in_order, .description = "[2 pts] foo (tasks) prints its eight lines in order", .timeout = 60)
{
    /* a unit far above a loaded machine's wake-up delays */
    const char *argv[] = {bin_path(0, "tasks", "foo"), "--unit-ms", "50", NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 20);
    cr_assert_eq(st, 0, "foo exited %d: %s", st, err);
    cr_expect_str_eq(out, "foo1 start\nbar start\nfoo2 start\nbar end\nfoo1 between\n"
                          "foo2 between\nfoo1 end\nfoo2 end\n",
                     "expected foo's eight lines in the article's order; foo printed:\n%s", out);
    free(out);
    free(err);
}

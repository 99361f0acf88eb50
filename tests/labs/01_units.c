/* 01_units.c - lab 01, graded: the single executor's timers seen from
 * tasks and from whole programs (foo, and unitgen's predictions against a
 * real run). Orders and counts only; sleeps are long enough apart that the
 * order does not depend on how fast the machine is. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labs/01_unitgen.h"
#include "support/run.h"
#include "yl.h"

static char order[512];
static void mark(const char *s)
{
    strncat(order, s, sizeof order - strlen(order) - 1);
}

struct sleeper {
    char name[4];
    unsigned ms;
};

static void sleep_then_mark(void *arg)
{
    struct sleeper *s = arg;
    yl_sleep_ms(s->ms);
    mark(s->name);
}

/* Twenty tasks spawned in a scrambled order, sleeps 4 ms apart. */
static void sleep_sort_main(void *arg)
{
    (void)arg;
    static struct sleeper s[20];
    for (int i = 0; i < 20; i++) {
        int k = (i * 7) % 20; /* 7 is coprime with 20: a permutation */
        snprintf(s[i].name, sizeof s[i].name, "%c", 'a' + k);
        s[i].ms = 4u * (unsigned)k;
        cr_assert_eq(yl_go(s[i].name, sleep_then_mark, &s[i]), 0, "expected yl_go to start task %s; it failed", s[i].name);
    }
}

Test(units, sleepers_wake_in_deadline_order, .description = "[2 pts] twenty sleepers spawned out of order wake in deadline order")
{
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, sleep_sort_main, NULL), 0, "expected yl_run to return 0; it failed");
    cr_expect_str_eq(order, "abcdefghijklmnopqrst",
                     "expected the sleepers to wake in deadline order, a (0 ms) to t (76 ms): abcdefghijklmnopqrst; "
                     "they woke as %s (spawned as ahobipcjqdkrelsfmtgn)", order);
}

/* While a task sleeps, the ready ones take turns in FIFO order; the
 * sleeper comes back once its deadline has passed, after them. */
static void yielder(void *arg)
{
    for (int i = 0; i < 3; i++) {
        mark(arg);
        yl_yield();
    }
}

static void short_sleeper(void *arg)
{
    (void)arg;
    mark("s");
    yl_sleep_ms(100); /* far longer than the yielders take, even on a loaded machine */
    mark("S");
}

static void mixed_main(void *arg)
{
    (void)arg;
    yl_go("s", short_sleeper, NULL);
    yl_go("x", yielder, "x");
    yl_go("y", yielder, "y");
}

Test(units, sleeper_waits_while_others_run, .description = "[1 pt] ready tasks take turns in FIFO order while another sleeps")
{
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, mixed_main, NULL), 0, "expected yl_run to return 0; it failed");
    cr_expect_str_eq(order, "sxyxyxyS",
                     "expected s, then the yielders x and y taking turns, then S once its 100 ms sleep is over: "
                     "sxyxyxyS; got %s", order);
}

Test(units, foo_prints_in_executor_order, .description = "[2 pts] foo (tasks) prints its eight lines in the single executor's order")
{
    const char *argv[] = {bin_path(0, "tasks", "foo"), "--unit-ms", "50", NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 30);
    cr_assert_eq(st, 0, "foo exited %d: %s", st, err);
    cr_expect_str_eq(out, "foo1 start\nbar start\nfoo2 start\nbar end\nfoo1 between\n"
                          "foo2 between\nfoo1 end\nfoo2 end\n",
                     "expected foo's eight lines in the article's order; foo printed:\n%s", out);
    free(out);
    free(err);
}

Test(units, unitgen_runs_as_predicted_1, .description = "[2 pts] unitgen programs 1-2 run as the solver predicts", .timeout = 120)
{
    expect_unitgen_prediction("1", NULL);
    expect_unitgen_prediction("2", NULL);
}

Test(units, unitgen_runs_as_predicted_2, .description = "[2 pts] unitgen programs 3-4 run as the solver predicts", .timeout = 120)
{
    expect_unitgen_prediction("3", NULL);
    expect_unitgen_prediction("4", NULL);
}

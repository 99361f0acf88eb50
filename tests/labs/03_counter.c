/* 03_counter.c - lab 03, graded: the counter program (runtime/counter.c)
 * under the student's mutex: exact counts and the order of acquisition. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/run.h"

/* Value of metric in counter's CSV output; fails the test when absent. */
static double metric(const char *csv, const char *name)
{
    char pat[64];
    snprintf(pat, sizeof pat, ",%s,", name);
    const char *p = strstr(csv, pat);
    cr_assert_not_null(p, "no %s row in:\n%s", name, csv);
    return strtod(p + strlen(pat), NULL);
}

/* Runs build/bin/tasks/counter --csv with the given flags. */
static char *counter(const char *n, const char *fix, const char *arrive_us)
{
    const char *argv[] = {bin_path(0, "tasks", "counter"), "--csv", "--n", n, "--fix", fix,
                          "--arrive-us", arrive_us, NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 60);
    cr_assert_eq(st, 0, "counter --fix %s exited %d: %s", fix, st, err);
    free(err);
    return out;
}

Test(counter, lock_makes_the_count_exact, .description = "[3 pts] counter --fix lock --n 1000 counts exactly 1000", .timeout = 60)
{
    char *out = counter("1000", "lock", "0");
    cr_expect_eq(metric(out, "final"), 1000, "expected final 1000 after 1000 increments; got %g", metric(out, "final"));
    cr_expect_eq(metric(out, "lost"), 0, "expected no update lost; %g were", metric(out, "lost"));
    free(out);
}

Test(counter, lock_is_first_come_first_served, .description = "[2 pts] counter --fix lock: acquisition order is arrival order (order_corr = 1)", .timeout = 60)
{
    char *a = counter("300", "lock", "0"), *b = counter("100", "lock", "200");
    cr_expect_eq(metric(a, "order_corr"), 1, "all arriving at once: expected order_corr 1 (first come, first served); got %g",
                 metric(a, "order_corr"));
    cr_expect_eq(metric(b, "order_corr"), 1, "arriving 0.2 ms apart: expected order_corr 1 (first come, first served); got %g",
                 metric(b, "order_corr"));
    free(a);
    free(b);
}

Test(counter, lifo_lock_serves_newest_first, .description = "[2 pts] counter --fix lifo-lock: exact count, close to reversed order", .timeout = 60)
{
    char *out = counter("200", "lifo-lock", "0");
    cr_expect_eq(metric(out, "final"), 200, "expected final 200 after 200 increments; got %g", metric(out, "final"));
    cr_expect_lt(metric(out, "order_corr"), -0.9, "expected order_corr below -0.9 (newest first); got %g",
                 metric(out, "order_corr"));
    free(out);
}

/* test_exec.c - the sharded and stealing executors: the deque, exactly-once
 * execution, exclusion and wake-ups across workers, parking, and foo's
 * eight lines on every executor. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "conc/conc.h"
#include "support/run.h"
#include "yl.h"

Test(exec, deque_items_taken_exactly_once, .timeout = 120)
{
    cr_expect_eq(conc_deque_exactly_once(3, 1000000), 0);
}

Test(exec, stealing_spawn_storm_runs_each_task_once, .timeout = 60)
{
    cr_expect_eq(conc_spawn_storm(YL_EXEC_STEALING, 2, 10000), 0);
}

Test(exec, sharded_spawn_storm_runs_each_task_once, .timeout = 60)
{
    cr_expect_eq(conc_spawn_storm(YL_EXEC_SHARDED, 2, 10000), 0);
}

Test(exec, single_spawn_storm_runs_each_task_once, .timeout = 60)
{
    cr_expect_eq(conc_spawn_storm(YL_EXEC_SINGLE, 1, 10000), 0);
}

Test(exec, stackless_storm_on_every_executor, .timeout = 60)
{
    cr_expect_eq(conc_stackless_storm(YL_EXEC_SINGLE, 1, 10000), 0);
    cr_expect_eq(conc_stackless_storm(YL_EXEC_SHARDED, 2, 10000), 0);
    cr_expect_eq(conc_stackless_storm(YL_EXEC_STEALING, 2, 10000), 0);
}

Test(exec, mutex_excludes_across_workers, .timeout = 60)
{
    cr_expect_eq(conc_mutex_excludes(YL_EXEC_STEALING, 2, 20, 50), 0);
    cr_expect_eq(conc_mutex_excludes(YL_EXEC_SHARDED, 2, 20, 50), 0);
}

Test(exec, wait_group_across_workers, .timeout = 60)
{
    cr_expect_eq(conc_wait_group(YL_EXEC_STEALING, 2), 0);
    cr_expect_eq(conc_wait_group(YL_EXEC_SHARDED, 2), 0);
}

Test(exec, idle_stealing_workers_park)
{
    /* Two workers with nothing to do for 200 ms: spinning would burn
     * ~400 ms of CPU; parked in epoll they burn next to nothing. */
    double ms = conc_idle_cpu_ms(200);
    cr_expect_lt(ms, 50, "idle runtime used %.1f ms of CPU in 200 ms", ms);
}

static const char foo_lines[] =
    "foo1 start\nbar start\nfoo2 start\nbar end\n"
    "foo1 between\nfoo2 between\nfoo1 end\nfoo2 end\n";

static void foo_under(const char *exec)
{
    setenv("YL_EXEC", exec, 1);
    setenv("YL_WORKERS", "2", 1);
    const char *argv[] = {bin_path(0, "tasks", "foo"), "--unit-ms", "50", NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 30);
    cr_expect_eq(st, 0, "%s: exit %d: %s", exec, st, err);
    cr_expect_str_eq(out, foo_lines, "YL_EXEC=%s printed:\n%s", exec, out);
    free(out);
    free(err);
}

Test(exec, foo_prints_the_eight_lines_on_every_executor)
{
    foo_under("single");
    foo_under("sharded");
    foo_under("stealing");
}

static void stackless_foo_under(const char *exec)
{
    setenv("YL_EXEC", exec, 1);
    setenv("YL_WORKERS", "2", 1);
    const char *argv[] = {bin_path(0, "tasks", "foo"), "--kind", "stackless", "--unit-ms", "50",
                          NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 30);
    cr_expect_eq(st, 0, "%s: exit %d: %s", exec, st, err);
    cr_expect_str_eq(out, foo_lines, "stackless, YL_EXEC=%s printed:\n%s", exec, out);
    free(out);
    free(err);
}

Test(exec, stackless_foo_prints_the_eight_lines_on_every_executor)
{
    stackless_foo_under("single");
    stackless_foo_under("sharded");
    stackless_foo_under("stealing");
}

Test(exec, bad_executor_name_is_refused)
{
    setenv("YL_EXEC", "fastest", 1);
    const char *argv[] = {bin_path(0, "tasks", "foo"), NULL};
    char *err;
    cr_expect_eq(run_prog(argv, NULL, &err, 10), 1);
    cr_expect(strstr(err, "YL_EXEC") != NULL, "message names the variable: %s", err);
    free(err);
}

/* The article's Go example: an in-memory counter with no yield inside the
 * increment is safe on one worker and loses updates once two workers run
 * tasks at the same time; a lock or an atomic fixes it. */
static double mem_final(const char *exec, const char *fix)
{
    setenv("YL_EXEC", exec, 1);
    setenv("YL_WORKERS", "2", 1);
    const char *argv[] = {bin_path(0, "tasks", "counter"), "--mem", "--n", "400000",
                          "--units", "8", "--fix", fix, "--csv", NULL};
    char *out;
    cr_assert_eq(run_prog(argv, &out, NULL, 60), 0);
    const char *p = strstr(out, ",final,");
    cr_assert_not_null(p, "%s", out);
    double v = strtod(p + 7, NULL);
    free(out);
    return v;
}

Test(exec, mem_counter_exact_on_one_worker_and_with_fixes)
{
    cr_expect_eq(mem_final("single", "none"), 400000);
    cr_expect_eq(mem_final("stealing", "lock"), 400000);
    cr_expect_eq(mem_final("stealing", "atomic"), 400000);
}

Test(exec, counter_takes_its_executor_from_flags)
{
    /* Flags win over the environment, and name the executor in the row. */
    setenv("YL_EXEC", "single", 1);
    const char *argv[] = {bin_path(0, "tasks", "counter"), "--mem", "--n", "100000",
                          "--fix", "atomic", "--exec", "stealing", "--workers", "2",
                          "--csv", NULL};
    char *out;
    cr_assert_eq(run_prog(argv, &out, NULL, 60), 0);
    cr_expect(strstr(out, "counter,tasks,mem-atomic-stealing,-,100000,final,100000,count") != NULL,
              "%s", out);
    cr_expect(strstr(out, ",workers,2,count") != NULL, "%s", out);
    free(out);
}

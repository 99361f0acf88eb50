/* test_workers.c - the runtime's contracts under several workers (the
 * checks of tests/conc/workers.c, which the TSan runner shares). */
#include <criterion/criterion.h>

#include "conc/conc.h"
#include "yl.h"

Test(workers, stealing_fd_reads_all_succeed_while_tasks_migrate, .timeout = 60)
{
    cr_expect_eq(conc_fd_reads(YL_EXEC_STEALING, 2, 32, 200), 0);
}

Test(workers, sharded_fd_reads_all_succeed, .timeout = 60)
{
    cr_expect_eq(conc_fd_reads(YL_EXEC_SHARDED, 2, 32, 200), 0);
}

/* Millions of rounds where the machine allows, 4 s each at most. */
Test(workers, parking_against_waking_loses_no_wakeup, .timeout = 60)
{
    cr_expect_eq(conc_park_protocol(YL_EXEC_SHARDED, 2000000, 4), 0);
    cr_expect_eq(conc_park_protocol(YL_EXEC_STEALING, 2000000, 4), 0);
}

Test(workers, deque_take_against_steal_takes_each_task_once, .timeout = 60)
{
    long rounds = 0;
    cr_expect_eq(conc_deque_head_to_head(2000000, 4, &rounds), 0);
    cr_expect_gt(rounds, 1000, "only %ld rounds ran", rounds);
}

Test(workers, sharded_wake_storm_loses_no_wakeup, .timeout = 120)
{
    cr_expect_eq(conc_wake_storm(YL_EXEC_SHARDED, 20000), 0);
}

Test(workers, stealing_wake_storm_loses_no_wakeup, .timeout = 120)
{
    cr_expect_eq(conc_wake_storm(YL_EXEC_STEALING, 20000), 0);
}

Test(workers, deadlock_reported_under_every_executor, .timeout = 30)
{
    cr_expect_eq(conc_deadlock_reported(YL_EXEC_SINGLE, 1), 0);
    cr_expect_eq(conc_deadlock_reported(YL_EXEC_SHARDED, 2), 0);
    cr_expect_eq(conc_deadlock_reported(YL_EXEC_STEALING, 2), 0);
}

Test(workers, worker_that_cannot_start_fails_run_before_main, .timeout = 60)
{
    cr_expect_eq(conc_worker_start_fails(YL_EXEC_SHARDED), 0);
    cr_expect_eq(conc_worker_start_fails(YL_EXEC_STEALING), 0);
}

Test(workers, second_run_at_the_same_time_is_refused, .timeout = 60)
{
    cr_expect_eq(conc_two_runs_at_once(YL_EXEC_SINGLE), 0);
    cr_expect_eq(conc_two_runs_at_once(YL_EXEC_STEALING), 0);
}

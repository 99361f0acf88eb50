/* 05_stealing.c - lab 05, graded: the deque inside the stealing executor.
 * Counts and invariants only: which worker runs what depends on the
 * kernel, so no order is asserted. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdint.h>

#include "measure.h"
#include "yl.h"

#define TASKS 4000
static _Atomic int runs[TASKS];
static yl_wg wg;

static void job(void *arg)
{
    int i = (int)(intptr_t)arg;
    atomic_fetch_add(&runs[i], 1);
    if (i % 2)
        yl_yield(); /* come back, maybe on the other worker */
    yl_wg_done(&wg);
}

static void storm_main(void *arg)
{
    (void)arg;
    yl_wg_init(&wg);
    yl_wg_add(&wg, TASKS);
    for (int i = 0; i < TASKS; i++)
        yl_go("job", job, (void *)(intptr_t)i);
    yl_wg_wait(&wg);
}

Test(stealing, every_task_runs_exactly_once, .description = "[3 pts] stealing, 2 workers: 4000 tasks each run once", .timeout = 60)
{
    yl_config c = {.exec = YL_EXEC_STEALING, .workers = 2};
    cr_assert_eq(yl_run(&c, storm_main, NULL), 0);
    for (int i = 0; i < TASKS; i++)
        cr_expect_eq(runs[i], 1, "task %d ran %d times", i, runs[i]);
}

/* Busy work with no yield point: the task keeps its worker throughout. */
static void burn(void *arg)
{
    (void)arg;
    uint64_t end = now_ns() + 300000; /* 0.3 ms */
    while (now_ns() < end) {
    }
}

static void burners_main(void *arg)
{
    (void)arg;
    /* Everything is spawned on one worker: the other can only get work
     * by stealing it from this worker's deque. */
    for (int i = 0; i < 400; i++)
        yl_go("burn", burn, NULL);
}

Test(stealing, an_idle_worker_steals, .description = "[3 pts] work spawned on one worker is stolen by the other", .timeout = 60)
{
    yl_config c = {.exec = YL_EXEC_STEALING, .workers = 2};
    cr_assert_eq(yl_run(&c, burners_main, NULL), 0);
    yl_stats st = yl_get_stats();
    cr_expect_gt(st.steals, 0, "120 ms of work on one worker and the other never stole any");
    cr_expect_eq(st.tasks_created, 401);
}

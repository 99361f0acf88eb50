/* 05_stealing.c - lab 05, graded: the deque inside the stealing executor.
 * Counts and invariants only: which worker runs what depends on the
 * kernel, so no order is asserted. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h> /* gettid */

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
    cr_assert_eq(yl_run(&c, storm_main, NULL), 0, "yl_run of the stealing executor failed");
    for (int i = 0; i < TASKS; i++)
        cr_expect_eq(runs[i], 1, "task %d ran %d times", i, runs[i]);
}

/* Busy work with no yield point: a burner keeps its worker until it has
 * seen a burner run on another thread at the same time. Everything is
 * spawned on one worker and fits in its deque (no spill to the global
 * queue), so the only way the other worker gets a burner is to steal it.
 * No clock decides anything: a loaded machine only makes it slower. */
#define BURNERS 200
#define PATIENCE_NS (30ull * 1000000000) /* a broken deque must not hang the grader */
static _Atomic pid_t first_tid; /* the thread that ran the first burner */
static _Atomic int started;
static _Atomic int met; /* two burners ran on two threads at once */

static void burn(void *arg)
{
    (void)arg;
    pid_t me = gettid(), first = 0;
    if (!atomic_compare_exchange_strong(&first_tid, &first, me) && first != me)
        atomic_store(&met, 1);
    atomic_fetch_add(&started, 1);
    uint64_t give_up = now_ns() + PATIENCE_NS;
    while (!atomic_load(&met) && now_ns() < give_up) {
    }
}

static void burners_main(void *arg)
{
    (void)arg;
    for (int i = 0; i < BURNERS; i++)
        yl_go("burn", burn, NULL);
}

Test(stealing, an_idle_worker_steals, .description = "[3 pts] work spawned on one worker is stolen by the other", .timeout = 120)
{
    yl_config c = {.exec = YL_EXEC_STEALING, .workers = 2};
    cr_assert_eq(yl_run(&c, burners_main, NULL), 0, "yl_run of the stealing executor failed");
    yl_stats st = yl_get_stats();
    cr_expect_eq(atomic_load(&started), BURNERS, "expected all %d burners to run; %d did", BURNERS,
                 atomic_load(&started));
    cr_expect(atomic_load(&met), "expected the idle worker to run some of the %d burners while the busy "
              "one spun; in 30 s it ran none", BURNERS);
    cr_expect_gt(st.steals, 0, "expected the idle worker to steal from the busy one's deque "
                 "(the runtime's steal counter); it stole nothing");
    cr_expect_eq(st.tasks_created, BURNERS + 1, "expected %d tasks created (main and the burners); the runtime counted %llu",
                 BURNERS + 1, (unsigned long long)st.tasks_created);
}

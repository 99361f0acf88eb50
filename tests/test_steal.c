/* test_steal.c - work stealing takes half, and steals at all: steal_half
 * on a fake two-worker runtime (no threads: the exact counts are the
 * contract), and the steal counter after a storm spawned on one worker. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "yl.h"

/* Worker 0 holds 10 tasks; worker 1 looks for work (yl__next_task, which
 * ends in steal_half): it runs the first of the 5 it took and keeps 4 in
 * its own deque, and worker 0 keeps the other 5, the newest ones. */
Test(steal, an_idle_worker_takes_half_of_the_victims_deque)
{
    static struct yl_rt rt;
    static struct yl_worker w[2];
    static yl_task t[10];
    memset(&rt, 0, sizeof rt);
    memset(w, 0, sizeof w);
    rt.exec = YL_EXEC_STEALING;
    rt.nworkers = 2;
    rt.w = w;
    for (int i = 0; i < 2; i++) {
        w[i].index = i;
        w[i].rt = &rt;
        w[i].switches = 1; /* not the turn to look at the (empty) global queue first */
    }
    for (int i = 0; i < 10; i++)
        cr_assert(yl_deque_push(&w[0].dq, &t[i]));
    yl_task *first = yl__next_task(&w[1]);
    cr_assert_eq(first, &t[0], "the thief runs the oldest task first");
    cr_expect_eq(w[1].steals, 5, "stole %llu of 10 tasks, not half",
                 (unsigned long long)w[1].steals);
    cr_expect_eq(yl_deque_size(&w[1].dq), 4, "the thief keeps %lld besides the one it runs",
                 (long long)yl_deque_size(&w[1].dq));
    cr_expect_eq(yl_deque_size(&w[0].dq), 5, "the victim kept %lld of 10",
                 (long long)yl_deque_size(&w[0].dq));
    /* The victim keeps its newest five, the thief the next oldest four. */
    for (int i = 9; i >= 5; i--)
        cr_assert_eq(yl_deque_take(&w[0].dq), &t[i], "the victim lost task %d", i);
    for (int i = 4; i >= 1; i--)
        cr_assert_eq(yl_deque_take(&w[1].dq), &t[i], "the thief lacks task %d", i);
}

/* ---- the steal counter ------------------------------------------------- */

static pthread_t first_thread;
static _Atomic bool moved; /* a task ran on the other worker's thread */

/* About 0.2 s of work in all, cut short once a task has run elsewhere:
 * a loaded machine may start the second worker late, but not that late. */
static void busy(void *arg)
{
    (void)arg;
    for (int round = 0; round < 20 && !atomic_load(&moved); round++) {
        unsigned long x = 0;
        for (unsigned long i = 0; i < 100000; i++) {
            x += i;
            __asm__ volatile("" : "+r"(x)); /* no closed form: the loop is the work */
        }
        if (!pthread_equal(pthread_self(), first_thread))
            atomic_store(&moved, true);
        yl_yield();
    }
}

static void storm_main(void *arg)
{
    (void)arg;
    first_thread = pthread_self();
    yl_task *tasks[200];
    for (int i = 0; i < 200; i++)
        cr_assert_not_null(tasks[i] = yl_spawn("busy", busy, NULL));
    for (int i = 0; i < 200; i++)
        yl_join(tasks[i]);
}

/* 200 busy tasks spawned on worker 0, two workers: the idle one steals
 * (a scheduler that never steals still finishes, on one worker, so only
 * the counter shows it). The work is 0.2 s; the 30 s bound is for a
 * machine loaded far beyond its 2 CPUs. */
Test(steal, an_imbalanced_storm_is_stolen_from, .timeout = 30)
{
    yl_config c = {.exec = YL_EXEC_STEALING, .workers = 2};
    cr_assert_eq(yl_run(&c, storm_main, NULL), 0);
    yl_stats st = yl_get_stats();
    cr_expect_gt(st.steals, 0, "200 tasks spawned on worker 0 and the other worker stole none");
}

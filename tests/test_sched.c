/* test_sched.c - the single executor: order of units, timers, join, wait
 * groups, lazy and eager tasks, and clean failure on misuse. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "yl.h"

static char order[256];
static void mark(const char *s)
{
    strncat(order, s, sizeof order - strlen(order) - 1);
}

static void yield_twice(void *arg)
{
    mark(arg);
    yl_yield();
    mark(arg);
}

static void fifo_main(void *arg)
{
    (void)arg;
    yl_go("A", yield_twice, "A");
    yl_go("B", yield_twice, "B");
    yl_go("C", yield_twice, "C");
    mark("m");
}

Test(sched, ready_tasks_run_in_fifo_order)
{
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, fifo_main, NULL), 0);
    cr_expect_str_eq(order, "mABCABC");
}

struct sleeper {
    const char *name;
    unsigned ms;
};

static void sleep_then_mark(void *arg)
{
    struct sleeper *s = arg;
    yl_sleep_ms(s->ms);
    mark(s->name);
}

static void timers_main(void *arg)
{
    static struct sleeper s[] = {{"1", 60}, {"2", 20}, {"3", 40}, {"4", 20}, {"5", 0}};
    (void)arg;
    for (int i = 0; i < 5; i++)
        yl_go(s[i].name, sleep_then_mark, &s[i]);
}

Test(sched, timers_fire_in_deadline_order)
{
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, timers_main, NULL), 0);
    /* Equal sleeps started in spawn order wake in spawn order (2 before 4). */
    cr_expect_str_eq(order, "52431");
}

Test(sched, equal_deadlines_fire_in_arm_order)
{
    struct yl_timer_heap h = {0};
    yl_task t[6];
    memset(t, 0, sizeof t);
    uint64_t deadline[6] = {5, 3, 5, 3, 1, 5};
    for (int i = 0; i < 6; i++)
        cr_assert(yl__timer_add(&h, &t[i], deadline[i]));
    int want[6] = {4, 1, 3, 0, 2, 5};
    for (int i = 0; i < 6; i++)
        cr_expect_eq(yl__timer_pop(&h), &t[want[i]], "pop %d", i);
    cr_expect_null(yl__timer_pop(&h));
    yl__timer_free(&h);
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t slept_ms;
static void sleep_measure(void *arg)
{
    (void)arg;
    uint64_t t0 = mono_ms();
    yl_sleep_ms(30);
    slept_ms = mono_ms() - t0;
}

Test(sched, sleep_never_ends_early)
{
    cr_assert_eq(yl_run(NULL, sleep_measure, NULL), 0);
    cr_expect_geq(slept_ms, 30);
}

static int child_done;
static void child(void *arg)
{
    (void)arg;
    yl_sleep_ms(5);
    child_done = 1;
}

static void quick_child(void *arg)
{
    (void)arg;
    child_done++;
}

static void join_main(void *arg)
{
    (void)arg;
    yl_task *t = yl_spawn("child", child, NULL);
    cr_assert_not_null(t);
    yl_join(t);
    cr_expect_eq(child_done, 1, "join returned before the child finished");
    /* Joining a task that already finished must not block. */
    yl_task *q = yl_spawn("quick", quick_child, NULL);
    yl_sleep_ms(1);
    cr_expect_eq(child_done, 2);
    yl_join(q);
}

Test(sched, join_waits_for_the_task)
{
    child_done = 0;
    cr_assert_eq(yl_run(NULL, join_main, NULL), 0);
    cr_expect_eq(child_done, 2);
}

static yl_wg wg;
static int wg_count;
static void wg_worker(void *arg)
{
    yl_sleep_ms((unsigned)(uintptr_t)arg % 5);
    wg_count++;
    yl_wg_done(&wg);
}

static void wg_main(void *arg)
{
    (void)arg;
    yl_wg_init(&wg);
    yl_wg_add(&wg, 10);
    for (uintptr_t i = 0; i < 10; i++)
        yl_go("w", wg_worker, (void *)i);
    yl_wg_wait(&wg);
    cr_expect_eq(wg_count, 10, "wait returned with %d of 10 done", wg_count);
    yl_wg_wait(&wg); /* at zero: returns at once */
}

Test(sched, wait_group_waits_for_all)
{
    wg_count = 0;
    cr_assert_eq(yl_run(NULL, wg_main, NULL), 0);
    cr_expect_eq(wg_count, 10);
}

static int nested_runs;
static void nested(void *arg)
{
    int depth = (int)(intptr_t)arg;
    nested_runs++;
    if (depth < 5) {
        yl_go("n", nested, (void *)(intptr_t)(depth + 1));
        yl_go("n", nested, (void *)(intptr_t)(depth + 1));
    }
}

Test(sched, tasks_spawn_tasks)
{
    nested_runs = 0;
    cr_assert_eq(yl_run(NULL, nested, (void *)(intptr_t)0), 0);
    cr_expect_eq(nested_runs, 63); /* 1 + 2 + 4 + ... + 32 */
    cr_expect_eq(yl_get_stats().tasks_created, 63);
}

static void early(void *arg)
{
    int *flag = arg;
    if (*flag)
        return; /* leaves in the middle: the runtime must not care */
    yl_sleep_ms(1);
    mark("late");
}

static void early_main(void *arg)
{
    (void)arg;
    static int yes = 1, no = 0;
    yl_go("early", early, &yes);
    yl_go("late", early, &no);
}

Test(sched, task_that_returns_early)
{
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, early_main, NULL), 0);
    cr_expect_str_eq(order, "late");
}

static int lazy_ran;
static void lazy_body(void *arg)
{
    (void)arg;
    lazy_ran++;
}

static void lazy_main(void *arg)
{
    (void)arg;
    yl_task *never = yl_task_new("never", lazy_body, NULL);
    yl_task *later = yl_task_new("later", lazy_body, NULL);
    yl_sleep_ms(2);
    cr_expect_eq(lazy_ran, 0, "a lazy task ran before anyone started it");
    yl_detach(never); /* freed without running */
    yl_join(later);   /* join starts a lazy task (await) */
    cr_expect_eq(lazy_ran, 1);
}

Test(sched, lazy_tasks_run_only_when_awaited)
{
    lazy_ran = 0;
    cr_assert_eq(yl_run(NULL, lazy_main, NULL), 0);
    cr_expect_eq(lazy_ran, 1);
    cr_expect_eq(yl_get_stats().tasks_created, 3);
}

static void deadlock_main(void *arg)
{
    (void)arg;
    static yl_wg never_done;
    yl_wg_init(&never_done);
    yl_wg_add(&never_done, 1);
    yl_wg_wait(&never_done);
}

Test(sched, deadlock_is_reported, .init = cr_redirect_stderr, .timeout = 10)
{
    cr_expect_eq(yl_run(NULL, deadlock_main, NULL), -1);
    fflush(stderr);
    cr_expect_stderr_eq_str("yl: deadlock: 1 task(s) blocked with no timer or I/O pending\n");
}

Test(sched, yield_outside_a_task_aborts, .signal = SIGABRT, .init = cr_redirect_stderr)
{
    yl_yield();
}

static void count_switches(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++)
        yl_yield();
}

Test(sched, switch_counter_counts_units)
{
    cr_assert_eq(yl_run(NULL, count_switches, NULL), 0);
    cr_expect_eq(yl_get_stats().switches, 101); /* first run + 100 resumes */
}

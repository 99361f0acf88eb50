/* hidden/03_hidden.c - lab 03, instructor-only: arrival order recorded by
 * the tasks themselves, under a pattern the students have not seen. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <signal.h>

#include "yl.h"

enum { N = 100 };
static yl_mutex mu;
static int arrivals[N], acquired[N], narr, nacq;

static void locker(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int k = 0; k < (id * 37) % 11; k++)
        yl_yield();
    arrivals[narr++] = id;
    yl_mutex_lock(&mu);
    acquired[nacq++] = id;
    if (id % 3 == 0)
        yl_yield();
    else
        yl_sleep_us(50);
    yl_mutex_unlock(&mu);
}

static void fifo_main(void *arg)
{
    (void)arg;
    yl_mutex_init(&mu, YL_FIFO);
    for (intptr_t i = 0; i < N; i++)
        cr_assert_eq(yl_go("l", locker, (void *)i), 0, "expected yl_go to start locker %d; it failed", (int)i);
}

Test(hidden_mutex, fifo_matches_recorded_arrivals, .description = "[2 pts] 100 tasks arriving in a scrambled order get the mutex in exactly that order", .timeout = 60)
{
    narr = nacq = 0;
    cr_assert_eq(yl_run(NULL, fifo_main, NULL), 0, "expected yl_run to return 0; it failed");
    cr_assert_eq(nacq, N, "expected %d acquisitions; there were %d", N, (int)nacq);
    for (int i = 0; i < N; i++)
        cr_expect_eq(acquired[i], arrivals[i], "acquisition %d: expected locker %d (arrival order); got locker %d", i, (int)arrivals[i], (int)acquired[i]);
}

static void double_lock(void *arg)
{
    (void)arg;
    yl_mutex_init(&mu, YL_FIFO);
    yl_mutex_lock(&mu);
    yl_mutex_lock(&mu);
}

Test(hidden_mutex, relocking_aborts, .description = "[1 pt] locking a mutex one already holds aborts (instead of deadlocking)", .signal = SIGABRT, .init = cr_redirect_stderr, .timeout = 60)
{
    yl_run(NULL, double_lock, NULL);
}

/* 03_mutex.c - lab 03, graded: the async mutex (runtime/yl/mutex.c) on the
 * single executor. Arrival order is set by yields, never by timing, so
 * every expected order here is exact. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <signal.h>
#include <string.h>

#include "yl.h"

static yl_mutex mu;
static char order[128];
static int inside, overlaps, shared;

static void mark(char c)
{
    size_t l = strlen(order);
    order[l] = c;
    order[l + 1] = 0;
}

/* --- exclusion ---------------------------------------------------------- */

static void increment(void *arg)
{
    (void)arg;
    yl_mutex_lock(&mu);
    if (inside++)
        overlaps++;
    int v = shared;
    yl_yield(); /* a yield point inside the critical section */
    yl_sleep_us(100);
    shared = v + 1;
    inside--;
    yl_mutex_unlock(&mu);
}

static void exclusion_main(void *arg)
{
    (void)arg;
    yl_mutex_init(&mu, YL_FIFO);
    for (int i = 0; i < 50; i++)
        cr_assert_eq(yl_go("inc", increment, NULL), 0, "expected yl_go to start a task; it failed");
}

Test(mutex, excludes_across_yield_points, .description = "[3 pts] 50 read-yield-write increments under the mutex: none lost, never two inside", .timeout = 60)
{
    shared = inside = overlaps = 0;
    cr_assert_eq(yl_run(NULL, exclusion_main, NULL), 0, "expected yl_run to return 0; it failed");
    cr_expect_eq(shared, 50, "expected 50 increments; %d were lost", 50 - shared);
    cr_expect_eq(overlaps, 0, "expected one holder at a time; two tasks held the mutex at once %d time(s)", overlaps);
}

/* --- order -------------------------------------------------------------- */

/* Task i yields delay[i] times before it asks for the mutex, so arrivals
 * come in the order of the delays, not the spawn order. */
static const int delay[6] = {4, 1, 5, 0, 3, 2};
static const char names[] = "ABCDEF";

static void late_locker(void *arg)
{
    int i = (int)(intptr_t)arg;
    for (int k = 0; k < delay[i]; k++)
        yl_yield();
    yl_mutex_lock(&mu);
    mark(names[i]);
    yl_yield();
    yl_mutex_unlock(&mu);
}

static void order_main(void *arg)
{
    yl_mutex_init(&mu, (enum yl_mutex_order)(intptr_t)arg);
    yl_mutex_lock(&mu); /* held while everyone arrives */
    for (intptr_t i = 0; i < 6; i++)
        cr_assert_eq(yl_go("locker", late_locker, (void *)i), 0, "expected yl_go to start locker %d; it failed", (int)i);
    for (int k = 0; k < 10; k++)
        yl_yield();
    mark('m');
    yl_mutex_unlock(&mu);
}

Test(mutex, fifo_serves_in_arrival_order, .description = "[3 pts] YL_FIFO: waiters get the mutex in the order they asked for it", .timeout = 60)
{
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, order_main, (void *)(intptr_t)YL_FIFO), 0, "expected yl_run to return 0; it failed");
    /* arrival: delays 0,1,2,3,4,5 */
    cr_expect_str_eq(order, "mDBFEAC",
                     "expected main, then the six lockers in the order they asked (D B F E A C): mDBFEAC; got %s", order);
}

Test(mutex, lifo_serves_newest_first, .description = "[2 pts] YL_LIFO: the newest waiter gets the mutex first", .timeout = 60)
{
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, order_main, (void *)(intptr_t)YL_LIFO), 0, "expected yl_run to return 0; it failed");
    cr_expect_str_eq(order, "mCAEFBD",
                     "expected main, then the six lockers newest first (C A E F B D): mCAEFBD; got %s", order);
}

/* --- hand-off: nobody cuts in ------------------------------------------- */

static void waiter(void *arg)
{
    (void)arg;
    yl_mutex_lock(&mu);
    mark('w');
    yl_mutex_unlock(&mu);
}

static void relock_main(void *arg)
{
    (void)arg;
    yl_mutex_init(&mu, YL_FIFO);
    yl_mutex_lock(&mu);
    cr_assert_eq(yl_go("w", waiter, NULL), 0, "expected yl_go to start the waiter; it failed");
    yl_yield(); /* the waiter queues */
    yl_mutex_unlock(&mu);
    cr_expect_not(yl_mutex_trylock(&mu), "expected the mutex held by the waiter right after unlock (hand-off); trylock found it free");
    yl_mutex_lock(&mu); /* no yield in between: must still wait its turn */
    mark('m');
    yl_mutex_unlock(&mu);
}

Test(mutex, unlock_hands_over, .description = "[3 pts] unlock hands the mutex to the waiter: the old owner cannot take it back first", .timeout = 60)
{
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, relock_main, NULL), 0, "expected yl_run to return 0; it failed");
    cr_expect_str_eq(order, "wm", "expected the waiter (w) to get the mutex before main took it back (m): wm; got %s", order);
}

/* --- waiting costs nothing ---------------------------------------------- */

static yl_wg wg;
static void short_holder(void *arg)
{
    (void)arg;
    yl_mutex_lock(&mu);
    yl_mutex_unlock(&mu);
    yl_wg_done(&wg);
}

static uint64_t switches_while_waiting;
static void quiet_main(void *arg)
{
    (void)arg;
    yl_mutex_init(&mu, YL_FIFO);
    yl_wg_init(&wg);
    yl_wg_add(&wg, 40);
    yl_mutex_lock(&mu);
    for (int i = 0; i < 40; i++)
        cr_assert_eq(yl_go("h", short_holder, NULL), 0, "expected yl_go to start a holder; it failed");
    uint64_t before = yl_get_stats().switches;
    yl_sleep_ms(30); /* everyone is queued by now; a waiter must not run */
    switches_while_waiting = yl_get_stats().switches - before;
    yl_mutex_unlock(&mu);
    yl_wg_wait(&wg);
}

Test(mutex, waiters_sleep, .description = "[2 pts] a waiting task runs no units until it is handed the mutex", .timeout = 60)
{
    cr_assert_eq(yl_run(NULL, quiet_main, NULL), 0, "expected yl_run to return 0; it failed");
    /* 40 first units (each task asks and blocks), then main's wake-up. */
    cr_expect_leq(switches_while_waiting, 41, "%llu units ran while the mutex was held",
                  (unsigned long long)switches_while_waiting);
}

/* --- trylock and misuse --------------------------------------------------- */

static void try_main(void *arg)
{
    (void)arg;
    yl_mutex_init(&mu, YL_FIFO);
    cr_expect(yl_mutex_trylock(&mu), "expected trylock to take a free mutex; it failed");
    cr_expect_not(yl_mutex_trylock(&mu), "expected trylock to refuse a held mutex; it took it");
    yl_mutex_unlock(&mu);
    cr_expect(yl_mutex_trylock(&mu), "expected the mutex free after unlock; trylock failed");
    yl_mutex_unlock(&mu);
}

Test(mutex, trylock, .description = "[1 pt] trylock takes a free mutex and never a held one", .timeout = 60)
{
    cr_assert_eq(yl_run(NULL, try_main, NULL), 0, "expected yl_run to return 0; it failed");
}

static void bad_unlock(void *arg)
{
    (void)arg;
    yl_mutex_init(&mu, YL_FIFO);
    yl_mutex_unlock(&mu);
}

Test(mutex, unlock_without_holding_aborts, .description = "[1 pt] unlocking a mutex one does not hold aborts", .signal = SIGABRT, .init = cr_redirect_stderr, .timeout = 60)
{
    yl_run(NULL, bad_unlock, NULL);
}

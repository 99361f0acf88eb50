/* 05_deque.c - lab 05, graded: the Chase-Lev deque (runtime/yl/deque.c)
 * on its own: order at each end, the full ring, the last-item race, and
 * every item taken exactly once by one owner and three thieves. Items are
 * small integers dressed as task pointers; nothing here runs a task. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "deque.h"

#define ITEM(i) ((struct yl_task *)(uintptr_t)((i) + 16))
#define INDEX(x) ((long)(uintptr_t)(x) - 16)

static struct yl_deque dq;

Test(deque, owner_takes_newest_first, .description = "[2 pts] take: the owner's end is LIFO", .timeout = 10)
{
    for (int i = 0; i < 5; i++)
        cr_assert(yl_deque_push(&dq, ITEM(i)), "push %d refused on an empty deque", i);
    for (int i = 4; i >= 0; i--)
        cr_expect_eq(INDEX(yl_deque_take(&dq)), i);
    cr_expect_null(yl_deque_take(&dq), "an empty deque must give NULL");
}

Test(deque, thief_steals_oldest_first, .description = "[2 pts] steal: the thieves' end is FIFO", .timeout = 10)
{
    for (int i = 0; i < 5; i++)
        cr_assert(yl_deque_push(&dq, ITEM(i)));
    for (int i = 0; i < 5; i++)
        cr_expect_eq(INDEX(yl_deque_steal(&dq)), i);
    cr_expect_null(yl_deque_steal(&dq), "stealing from an empty deque must give NULL");
}

Test(deque, both_ends_meet_in_the_middle, .description = "[2 pts] steals and takes interleaved give every item once", .timeout = 10)
{
    for (int i = 0; i < 6; i++)
        cr_assert(yl_deque_push(&dq, ITEM(i)));
    cr_expect_eq(INDEX(yl_deque_steal(&dq)), 0);
    cr_expect_eq(INDEX(yl_deque_take(&dq)), 5);
    cr_expect_eq(INDEX(yl_deque_steal(&dq)), 1);
    cr_expect_eq(INDEX(yl_deque_take(&dq)), 4);
    cr_expect_eq(INDEX(yl_deque_take(&dq)), 3);
    cr_expect_eq(INDEX(yl_deque_steal(&dq)), 2);
    cr_expect_null(yl_deque_take(&dq));
    cr_expect_null(yl_deque_steal(&dq));
    cr_assert(yl_deque_push(&dq, ITEM(9)), "push after emptying it");
    cr_expect_eq(INDEX(yl_deque_take(&dq)), 9);
}

Test(deque, full_ring_refuses_push, .description = "[2 pts] a full ring says so instead of overwriting", .timeout = 10)
{
    for (int i = 0; i < YL_DEQUE_SIZE; i++)
        cr_assert(yl_deque_push(&dq, ITEM(i)), "push %d of %d refused", i, YL_DEQUE_SIZE);
    cr_expect_not(yl_deque_push(&dq, ITEM(999)), "push into a full ring must fail");
    cr_expect_eq(yl_deque_size(&dq), YL_DEQUE_SIZE);
    cr_expect_eq(INDEX(yl_deque_steal(&dq)), 0, "the oldest item survived");
    cr_expect(yl_deque_push(&dq, ITEM(1000)), "one slot freed by the steal");
    cr_expect_eq(INDEX(yl_deque_take(&dq)), 1000);
}

Test(deque, wraps_around_the_ring, .description = "[2 pts] many laps of the ring keep order", .timeout = 10)
{
    long next_in = 0, next_out = 0;
    for (int lap = 0; lap < 20; lap++) {
        for (int k = 0; k < YL_DEQUE_SIZE / 2 + 7; k++)
            cr_assert(yl_deque_push(&dq, ITEM(next_in++)));
        struct yl_task *x;
        while ((x = yl_deque_steal(&dq)) != NULL) {
            cr_assert_neq(x, YL_DEQUE_ABORT, "no other thread: no race to lose");
            cr_assert_eq(INDEX(x), next_out, "lap %d", lap);
            next_out++;
        }
    }
    cr_expect_eq(next_out, next_in);
}

/* --- one owner, three thieves ------------------------------------------ */

#define STRESS_ITEMS 1000000L
static _Atomic unsigned char seen[STRESS_ITEMS];
static _Atomic long taken;
static _Atomic int stop; /* the owner gave up: a broken deque must not hang the grader */

static void took(struct yl_task *x)
{
    atomic_fetch_add(&seen[INDEX(x)], 1);
    atomic_fetch_add(&taken, 1);
}

static void *thief(void *arg)
{
    (void)arg;
    while (atomic_load(&taken) < STRESS_ITEMS && !atomic_load(&stop)) {
        struct yl_task *x = yl_deque_steal(&dq);
        if (x && x != YL_DEQUE_ABORT)
            took(x);
    }
    return NULL;
}

Test(deque, each_item_taken_exactly_once_under_contention, .description = "[6 pts] 1 owner + 3 thieves, 10^6 items: none lost, none taken twice", .timeout = 120)
{
    pthread_t th[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&th[i], NULL, thief, NULL);
    long next = 0;
    for (long round = 0; next < STRESS_ITEMS && round < 20 * STRESS_ITEMS; round++) {
        /* Short bursts keep the deque nearly empty, so owner and thieves
         * fight over the last item often: the hard case. */
        for (int k = 0; k < 3 && next < STRESS_ITEMS; k++) {
            if (!yl_deque_push(&dq, ITEM(next)))
                break;
            next++;
        }
        struct yl_task *x = yl_deque_take(&dq);
        if (x)
            took(x);
    }
    struct yl_task *x;
    for (long k = 0; k < 2 * STRESS_ITEMS && (x = yl_deque_take(&dq)); k++)
        took(x);
    atomic_store(&stop, 1);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    long lost = 0, twice = 0;
    for (long i = 0; i < STRESS_ITEMS; i++) {
        lost += seen[i] == 0;
        twice += seen[i] > 1;
    }
    cr_expect_eq(lost, 0, "%ld items never taken", lost);
    cr_expect_eq(twice, 0, "%ld items taken more than once", twice);
}

/* 05_deque.c - lab 05, graded: the Chase-Lev deque (runtime/yl/deque.c)
 * on its own: order at each end, the full ring, the last-item race, and
 * every item taken exactly once by one owner and three thieves. Items are
 * small integers dressed as task pointers; nothing here runs a task. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "deque.h"

#define ITEM(i) ((struct yl_task *)(uintptr_t)((i) + 16))
#define INDEX(x) ((long)(uintptr_t)(x) - 16)

static struct yl_deque dq;

/* "item 3", "NULL" or "YL_DEQUE_ABORT", for failure messages. */
static const char *name_of(struct yl_task *x)
{
    static char buf[4][32];
    static int n;
    char *b = buf[n++ % 4];
    if (!x)
        return "NULL (empty)";
    if (x == YL_DEQUE_ABORT)
        return "YL_DEQUE_ABORT";
    snprintf(b, 32, "item %ld", INDEX(x));
    return b;
}

/* Expects op (take or steal) to give item want (-1: NULL); says what it gave. */
#define EXPECT_GIVES(op, want, when)                                                          \
    do {                                                                                       \
        struct yl_task *got_ = yl_deque_##op(&dq);                                             \
        long want_ = (want);                                                                   \
        cr_expect(want_ < 0 ? got_ == NULL : got_ == ITEM(want_),                              \
                  "%s: expected " #op " to give %s; it gave %s", (when),                      \
                  want_ < 0 ? "NULL (empty)" : name_of(ITEM(want_)), name_of(got_));          \
    } while (0)

Test(deque, owner_takes_newest_first, .description = "[2 pts] take: the owner's end is LIFO", .timeout = 60)
{
    for (int i = 0; i < 5; i++)
        cr_assert(yl_deque_push(&dq, ITEM(i)), "push %d refused on an empty deque", i);
    for (int i = 4; i >= 0; i--)
        EXPECT_GIVES(take, i, "items 0..4 pushed, the newest first");
    EXPECT_GIVES(take, -1, "all taken");
}

Test(deque, thief_steals_oldest_first, .description = "[2 pts] steal: the thieves' end is FIFO", .timeout = 60)
{
    for (int i = 0; i < 5; i++)
        cr_assert(yl_deque_push(&dq, ITEM(i)), "push %d refused on a deque of %d slots", i, YL_DEQUE_SIZE);
    for (int i = 0; i < 5; i++)
        EXPECT_GIVES(steal, i, "items 0..4 pushed, the oldest first");
    EXPECT_GIVES(steal, -1, "all stolen");
}

Test(deque, both_ends_meet_in_the_middle, .description = "[2 pts] steals and takes interleaved give every item once", .timeout = 60)
{
    for (int i = 0; i < 6; i++)
        cr_assert(yl_deque_push(&dq, ITEM(i)), "push %d refused on a deque of %d slots", i, YL_DEQUE_SIZE);
    EXPECT_GIVES(steal, 0, "0..5 pushed");
    EXPECT_GIVES(take, 5, "0..5 pushed, 0 stolen");
    EXPECT_GIVES(steal, 1, "1..4 left");
    EXPECT_GIVES(take, 4, "2..4 left");
    EXPECT_GIVES(take, 3, "2..3 left");
    EXPECT_GIVES(steal, 2, "only 2 left");
    EXPECT_GIVES(take, -1, "all six gone");
    EXPECT_GIVES(steal, -1, "all six gone");
    cr_assert(yl_deque_push(&dq, ITEM(9)), "push refused after the deque was emptied");
    EXPECT_GIVES(take, 9, "9 pushed into the emptied deque");
}

Test(deque, full_ring_refuses_push, .description = "[2 pts] a full ring says so instead of overwriting", .timeout = 60)
{
    for (int i = 0; i < YL_DEQUE_SIZE; i++)
        cr_assert(yl_deque_push(&dq, ITEM(i)), "expected push %d of %d to succeed; it was refused", i, YL_DEQUE_SIZE);
    cr_expect_not(yl_deque_push(&dq, ITEM(999)), "expected push into a full ring to be refused; it was accepted");
    cr_expect_eq(yl_deque_size(&dq), YL_DEQUE_SIZE, "expected size %d after filling the ring; yl_deque_size says %lld",
                 YL_DEQUE_SIZE, (long long)yl_deque_size(&dq));
    EXPECT_GIVES(steal, 0, "the ring full: the oldest item must have survived");
    cr_expect(yl_deque_push(&dq, ITEM(1000)), "expected push to succeed once a steal freed a slot; it was refused");
    EXPECT_GIVES(take, 1000, "1000 pushed into the freed slot");
}

Test(deque, wraps_around_the_ring, .description = "[2 pts] many laps of the ring keep order", .timeout = 60)
{
    long next_in = 0, next_out = 0;
    for (int lap = 0; lap < 20; lap++) {
        for (int k = 0; k < YL_DEQUE_SIZE / 2 + 7; k++)
            cr_assert(yl_deque_push(&dq, ITEM(next_in++)), "lap %d: push refused with at most %d items held", lap,
                      YL_DEQUE_SIZE / 2 + 7);
        struct yl_task *x;
        while ((x = yl_deque_steal(&dq)) != NULL) {
            cr_assert_neq(x, YL_DEQUE_ABORT, "expected no YL_DEQUE_ABORT with a single thread (no race to lose); steal returned it");
            cr_assert_eq(INDEX(x), next_out, "lap %d: expected steal to give item %ld; it gave %s", lap, next_out,
                         name_of(x));
            next_out++;
        }
    }
    cr_expect_eq(next_out, next_in, "expected all %ld items pushed to be stolen; %ld were", next_in, next_out);
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
    cr_expect_eq(lost, 0, "expected every item taken once; %ld items were never taken", lost);
    cr_expect_eq(twice, 0, "expected every item taken once; %ld items were taken more than once", twice);
}

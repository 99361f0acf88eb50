/* 05_hidden.c - lab 05, instructor-only: more contention, more thieves,
 * and the deque under the sharded-vs-stealing counter. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "deque.h"

#define ITEM(i) ((struct yl_task *)(uintptr_t)((i) + 16))
#define INDEX(x) ((long)(uintptr_t)(x) - 16)
#define N 400000L

static struct yl_deque dq;
static _Atomic unsigned char seen[N];
static _Atomic long taken;
static _Atomic int stop; /* the owner gave up: a broken deque must not hang the grader */

static void *thief(void *arg)
{
    (void)arg;
    while (atomic_load(&taken) < N && !atomic_load(&stop)) {
        struct yl_task *x = yl_deque_steal(&dq);
        if (x && x != YL_DEQUE_ABORT) {
            atomic_fetch_add(&seen[INDEX(x)], 1);
            atomic_fetch_add(&taken, 1);
        }
    }
    return NULL;
}

/* The owner takes one itself; whether it got one. */
static bool take_one(void)
{
    struct yl_task *x = yl_deque_take(&dq);
    if (x) {
        atomic_fetch_add(&seen[INDEX(x)], 1);
        atomic_fetch_add(&taken, 1);
    }
    return x != NULL;
}

Test(hidden, seven_thieves_one_item_at_a_time, .description = "[3 pts] 7 thieves, the owner pushes one and takes one", .timeout = 120)
{
    pthread_t th[7];
    for (int i = 0; i < 7; i++)
        pthread_create(&th[i], NULL, thief, NULL);
    for (long next = 0; next < N; next++) {
        /* A full ring: the owner takes work back itself (as the runtime
         * spills), so nothing waits for thieves a loaded machine may not
         * run. */
        long tries = 0;
        while (!yl_deque_push(&dq, ITEM(next)) && ++tries < 1000)
            take_one();
        if (tries == 1000)
            break; /* push never succeeds: nothing more to learn */
        if (next % 2)
            take_one();
    }
    for (long k = 0; k < 2 * N && take_one(); k++) {
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 7; i++)
        pthread_join(th[i], NULL);
    long bad = 0;
    for (long i = 0; i < N; i++)
        bad += seen[i] != 1;
    cr_expect_eq(bad, 0, "expected every item taken exactly once; %ld were not", bad);
}

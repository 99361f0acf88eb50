/* weak.c - the Chase-Lev deque's owner against a thief, head to head, one
 * round at a time, so a missing fence shows as a task taken twice or lost
 * (on AArch64, and under qemu-aarch64 whose host keeps a store in its
 * buffer past a later load, as the hardware may). */
#include "conc.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "deque.h"

static struct {
    struct yl_deque dq;
    struct yl_task *item[2]; /* the two tasks of every round */
    struct yl_task *stolen[2];
    _Atomic long go, done; /* per-round barriers: 2 arrivals a round */
    _Atomic bool stop;
} hh;

void conc_barrier(_Atomic long *b, long round)
{
    atomic_fetch_add(b, 1);
    /* Spin (both sides must start the round together), but let the other
     * thread run when the 2 CPUs are busy with more than this test. */
    for (unsigned spins = 0; atomic_load_explicit(b, memory_order_acquire) < 2 * (round + 1);)
        if (++spins % 4096 == 0)
            sched_yield();
}

/* The thief: two steals a round, as two thieves would, one after the
 * other; only the second can take the owner's task when the owner's claim
 * on it (its lowered bottom) was not yet visible. */
static void *hh_thief(void *arg)
{
    (void)arg;
    for (long r = 0;; r++) {
        conc_barrier(&hh.go, r);
        if (atomic_load(&hh.stop))
            return NULL;
        for (int k = 0; k < 2; k++) {
            struct yl_task *x = yl_deque_steal(&hh.dq);
            hh.stolen[k] = x == YL_DEQUE_ABORT ? NULL : x;
        }
        conc_barrier(&hh.done, r);
    }
}

void conc_jitter(long round, int side, unsigned span)
{
    /* A fixed spread of start offsets, -span..span spins: one side or the
     * other goes later, so some rounds line the two critical moments up
     * whatever the lengths of the paths before them. */
    long d = (long)((uint64_t)(round + 1) * 2654435761u >> 7 & (2 * span - 1)) - (long)span;
    for (volatile long i = 0; i < (side ? d : -d); i++)
        ;
}

double conc_mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long conc_deque_head_to_head(long rounds, double max_s, long *done_rounds)
{
    /* Opaque tokens: the deque never looks inside a task. */
    static long tokens[2];
    hh.item[0] = (struct yl_task *)&tokens[0], hh.item[1] = (struct yl_task *)&tokens[1];
    atomic_store(&hh.go, 0);
    atomic_store(&hh.done, 0);
    atomic_store(&hh.stop, false);
    pthread_t th;
    if (pthread_create(&th, NULL, hh_thief, NULL) != 0) {
        perror("deque head to head: pthread_create");
        return -1;
    }
    long bad = 0, r = 0;
    double end = conc_mono_s() + max_s;
    for (;; r++) {
        /* A fresh deque holding the round's two tasks: the thief reads it
         * only after the barrier. */
        atomic_store_explicit(&hh.dq.top, 0, memory_order_relaxed);
        atomic_store_explicit(&hh.dq.bottom, 0, memory_order_relaxed);
        yl_deque_push(&hh.dq, hh.item[0]);
        yl_deque_push(&hh.dq, hh.item[1]);
        bool last = r >= rounds || ((r & 1023) == 0 && conc_mono_s() > end);
        if (last)
            atomic_store(&hh.stop, true);
        conc_barrier(&hh.go, r);
        if (last)
            break;
        struct yl_task *mine = yl_deque_take(&hh.dq);
        conc_barrier(&hh.done, r);
        /* Each task exactly once: the owner's, the thief's two, and what
         * is left in the deque. */
        int times[2] = {0, 0};
        struct yl_task *seen[3] = {mine, hh.stolen[0], hh.stolen[1]}, *x;
        for (int left = 0; left < 3 && (x = yl_deque_take(&hh.dq)); left++)
            times[x == hh.item[1]]++;
        for (int k = 0; k < 3; k++)
            if (seen[k])
                times[seen[k] == hh.item[1]]++;
        if (times[0] != 1 || times[1] != 1) {
            if (bad++ < 3)
                fprintf(stderr, "deque head to head: round %ld: task 0 taken %d times, task 1 "
                        "%d times (owner took %s, thief stole %s and %s)\n", r, times[0],
                        times[1], mine ? mine == hh.item[0] ? "0" : "1" : "none",
                        hh.stolen[0] ? hh.stolen[0] == hh.item[0] ? "0" : "1" : "none",
                        hh.stolen[1] ? hh.stolen[1] == hh.item[0] ? "0" : "1" : "none");
        }
    }
    pthread_join(th, NULL);
    if (done_rounds)
        *done_rounds = r;
    if (bad)
        fprintf(stderr, "deque head to head: %ld of %ld rounds took a task twice or lost one\n",
                bad, r);
    return bad;
}

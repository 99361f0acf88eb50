/* deque.h - the Chase-Lev work-stealing deque (Lê, Pop, Cohen, Zappa
 * Nardelli, PPoPP 2013, "Correct and efficient work-stealing for weak
 * memory models"), on a fixed ring. The owner pushes and takes at the
 * bottom (LIFO, cache-warm); thieves steal at the top (FIFO, oldest first).
 */
#ifndef YL_DEQUE_H
#define YL_DEQUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define YL_DEQUE_SIZE 256 /* a power of two */

struct yl_task;

struct yl_deque {
    _Atomic int64_t top;    /* next to steal; only grows */
    char pad[56];           /* keep thieves' top off the owner's line */
    _Atomic int64_t bottom; /* next free slot; owner only writes */
    _Atomic(struct yl_task *) buf[YL_DEQUE_SIZE];
};

#define YL_DEQUE_ABORT ((struct yl_task *)1) /* lost a race: try again */

/* Owner: pushes t; false when the ring is full (the caller spills). */
bool yl_deque_push(struct yl_deque *d, struct yl_task *t);

/* Owner: takes the newest task, or NULL when empty. */
struct yl_task *yl_deque_take(struct yl_deque *d);

/* Any thread: steals the oldest task; NULL when empty, YL_DEQUE_ABORT when
 * another thief or the owner won the race for it. */
struct yl_task *yl_deque_steal(struct yl_deque *d);

/* Approximate number of tasks held (for steal-half and for tests). */
int64_t yl_deque_size(struct yl_deque *d);

#endif

/* mutex.c - the async mutex: a task that finds it locked waits in a queue
 * instead of spinning or blocking the worker, and unlock hands the lock
 * straight to one waiter (it stays locked in between, so no task that
 * arrives later can barge in).
 */
#ifndef YL_HANDOUT_LAB03
/* FIFO hands it to the oldest waiter: fair. LIFO hands it to the newest,
 * which is what the article's JavaScript AsyncLock ends up doing: each new
 * waiter wraps the previous release function, so the outermost wrapper,
 * the newest waiter's, runs first. Both exclude; only one is fair.
 */
#endif
#include <stdlib.h>

#include "internal.h"
#include "spin.h"

void yl_mutex_init(yl_mutex *m, enum yl_mutex_order order)
{
    atomic_init(&m->lock.v, 0);
    m->owner = NULL;
    m->waiters = (yl_queue){0};
    m->order = order;
}

bool yl_mutex_trylock(yl_mutex *m)
{
    yl_spin_lock(&m->lock);
    bool got = !m->owner;
    if (got)
        m->owner = yl_self();
    yl_spin_unlock(&m->lock);
    return got;
}

void yl_mutex_lock(yl_mutex *m)
{
    yl_task *self = yl_self();
    yl_spin_lock(&m->lock);
    if (!m->owner) {
        m->owner = self;
        yl_spin_unlock(&m->lock);
        return;
    }
    if (m->owner == self) {
        yl__err("yl_mutex_lock: task %s already holds this mutex", yl_task_name(self));
        abort();
    }
#ifndef YL_HANDOUT_LAB03
    if (m->order == YL_LIFO)
        yl__q_push_front(&m->waiters, self);
    else
        yl__q_push(&m->waiters, self);
    yl__block_unlock(&m->lock); /* unlock makes us the owner before waking us */
#else
    /* LAB 03: join the waiters, the queue m->waiters (yl__q_push puts
     * self at its tail, for YL_FIFO; yl__q_push_front at its head, for
     * YL_LIFO; see internal.h), and block with yl__block_unlock(&m->lock),
     * which lets go of the spin lock only once this task is off the CPU. Do not take the mutex when woken:
     * yl_mutex_unlock hands it over. This stub spins instead: it yields
     * and looks again, so waiters burn units and anyone may cut in. */
    while (m->owner) {
        yl_spin_unlock(&m->lock);
        yl_yield();
        yl_spin_lock(&m->lock);
    }
    m->owner = self;
    yl_spin_unlock(&m->lock);
#endif
}

void yl_mutex_unlock(yl_mutex *m)
{
    yl_spin_lock(&m->lock);
    if (m->owner != yl_self()) {
        yl__err("yl_mutex_unlock: the running task does not hold this mutex");
        abort();
    }
#ifndef YL_HANDOUT_LAB03
    yl_task *next = yl__q_pop(&m->waiters);
    m->owner = next; /* hand-off: the lock never looks free to a newcomer */
    yl_spin_unlock(&m->lock);
    if (next)
        yl__make_ready(next);
#else
    /* LAB 03: hand the mutex to the first waiter, if any (yl__q_pop takes
     * it off the queue's head): it becomes the owner before it wakes
     * (yl__make_ready, after the spin lock is let go), so the mutex never
     * looks free to a task arriving meanwhile.
     * This stub just frees it. */
    m->owner = NULL;
    yl_spin_unlock(&m->lock);
#endif
}

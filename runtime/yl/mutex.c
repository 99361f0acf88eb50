/* mutex.c - the async mutex: a task that finds it locked waits in a queue
 * instead of spinning or blocking the worker, and unlock hands the lock
 * straight to one waiter (it stays locked in between, so no task that
 * arrives later can barge in).
 *
 * FIFO hands it to the oldest waiter: fair. LIFO hands it to the newest,
 * which is what the article's JavaScript AsyncLock ends up doing: each new
 * waiter wraps the previous release function, so the outermost wrapper,
 * the newest waiter's, runs first. Both exclude; only one is fair.
 */
#include <stdlib.h>

#include "internal.h"

void yl_mutex_init(yl_mutex *m, enum yl_mutex_order order)
{
    m->owner = NULL;
    m->head = m->tail = NULL;
    m->order = order;
}

bool yl_mutex_trylock(yl_mutex *m)
{
    if (m->owner)
        return false;
    m->owner = yl_self();
    return true;
}

void yl_mutex_lock(yl_mutex *m)
{
    yl_task *self = yl_self();
    if (!m->owner) {
        m->owner = self;
        return;
    }
    if (m->owner == self) {
        yl__err("yl_mutex_lock: task %s already holds this mutex", self->name);
        abort();
    }
    self->next = NULL;
    if (m->order == YL_LIFO) {
        self->next = m->head;
        m->head = self;
        if (!m->tail)
            m->tail = self;
    } else {
        if (m->tail)
            m->tail->next = self;
        else
            m->head = self;
        m->tail = self;
    }
    yl__block(); /* unlock made us the owner before waking us */
}

void yl_mutex_unlock(yl_mutex *m)
{
    if (m->owner != yl_self()) {
        yl__err("yl_mutex_unlock: the running task does not hold this mutex");
        abort();
    }
    yl_task *next = m->head;
    if (!next) {
        m->owner = NULL;
        return;
    }
    m->head = next->next;
    if (!m->head)
        m->tail = NULL;
    m->owner = next; /* hand-off: the lock never looks free to a newcomer */
    yl__make_ready(next);
}

/* wg.c - the wait group: a counter that tasks can wait on reaching zero
 * (JavaScript's Promise.all, Go's sync.WaitGroup). */
#include <stdlib.h>

#include "internal.h"
#include "spin.h"

void yl_wg_init(yl_wg *wg)
{
    atomic_init(&wg->lock.v, 0);
    wg->count = 0;
    wg->waiters = (yl_queue){0};
}

void yl_wg_add(yl_wg *wg, int64_t n)
{
    yl_spin_lock(&wg->lock);
    wg->count += n;
    if (wg->count < 0) {
        yl__err("wait group counter went negative (%lld)", (long long)wg->count);
        abort();
    }
    yl_queue wake = {0};
    if (wg->count == 0) {
        wake = wg->waiters;
        wg->waiters = (yl_queue){0};
    }
    yl_spin_unlock(&wg->lock);
    /* Outside the lock, in the order they started waiting. */
    yl_task *t;
    while ((t = yl__q_pop(&wake)))
        yl__make_ready(t);
}

void yl_wg_done(yl_wg *wg)
{
    yl_wg_add(wg, -1);
}

void yl_wg_wait(yl_wg *wg)
{
    yl_spin_lock(&wg->lock);
    if (wg->count == 0) {
        yl_spin_unlock(&wg->lock);
        return;
    }
    yl__q_push(&wg->waiters, yl_self());
    yl__block_unlock(&wg->lock); /* released once we are switched out */
}

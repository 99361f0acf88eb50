/* stackless.c - stackless tasks (see stackless.h): creation, and the leaf
 * awaitables a poll function waits on.
 *
 * A leaf reuses the stackful call: yl_sleep_us, yl_wg_wait, yl_mutex_lock
 * and yl_yield register the running task with its waker and "switch
 * out", which for a stackless task only records the new state and
 * returns. The leaf then says YL_PENDING, the poll returns up to the
 * worker, and the worker publishes the task (releases the waiter list's
 * spin lock) only then: the same discipline as a fiber's switch-out, so a
 * waker on another worker can never poll the task while its previous poll
 * is still on this worker's stack. At the next poll the same YL_AWAIT
 * line runs the leaf again; the AWAITING flag tells it that what it
 * waited for has happened (nothing else wakes a waiting task), so it says
 * YL_READY and the poll goes on.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "stackless.h"

static yl_task *sl_new(const yl_sl_def *def, const void *init)
{
    struct yl_worker *w = yl__worker();
    if (!w) {
        yl__err("yl_sl_new called outside yl_run");
        abort();
    }
    yl_task *t = yl__task_alloc(w->rt, yl__sl_object_size(def), YL_STACKLESS);
    if (!t)
        return NULL;
    t->def = def;
    if (init)
        memcpy(t + 1, init, def->frame_size); /* else: the slab's zeroes */
    return t;
}

yl_task *yl_sl_new(const yl_sl_def *def, const void *init)
{
    return sl_new(def, init);
}

yl_task *yl_sl_spawn(const yl_sl_def *def, const void *init)
{
    yl_task *t = sl_new(def, init);
    if (t)
        yl_start(t); /* no stack to allocate: cannot fail */
    return t;
}

int yl_sl_go(const yl_sl_def *def, const void *init)
{
    yl_task *t = yl_sl_spawn(def, init);
    if (!t)
        return -1;
    yl_detach(t);
    return 0;
}

void *yl_sl_frame(yl_task *t)
{
    return t + 1;
}

size_t yl__sl_object_size(const yl_sl_def *def)
{
    size_t align = def->frame_align && def->frame_align <= YL_SL_ALIGN ? YL_SL_ALIGN
                                                                        : YL_SL_ALIGN_MAX;
    return (sizeof(struct yl_task) + def->frame_size + align - 1) & ~(align - 1);
}

size_t yl_sl_task_bytes(const yl_sl_def *def)
{
    return yl__slab_size(yl__sl_object_size(def));
}

_Noreturn void yl__sl_bad_pc(const char *fn, unsigned pc)
{
    yl__err("%s: frame resumed at pc %u, which it never set (a frame not zeroed?)", fn, pc);
    abort();
}

/* The running stackless task, or NULL when this leaf was already waiting
 * and has been woken: its wait is over. */
static yl_task *leaf(const char *fn)
{
    struct yl_worker *w = yl__worker();
    yl_task *t = w ? w->current : NULL;
    if (!t || t->kind != YL_STACKLESS) {
        yl__err("%s: only inside the poll function of a stackless task", fn);
        abort();
    }
    if (t->state != YL_TASK_RUNNING) {
        yl__err("%s: task %s already waits for something in this poll (wait only "
                "through YL_AWAIT, once per poll)", fn, t->def->name);
        abort();
    }
    if (t->run_flags & YL_R_AWAITING) {
        t->run_flags &= (uint8_t)~YL_R_AWAITING;
        return NULL;
    }
    return t;
}

/* After the stackful call: did it wait (pending) or complete at once? */
static yl_poll settle(yl_task *t)
{
    if (t->state == YL_TASK_RUNNING)
        return YL_READY;
    t->run_flags |= YL_R_AWAITING;
    return YL_PENDING;
}

yl_poll yl_sl_sleep_us(uint64_t us)
{
    yl_task *t = leaf("yl_sl_sleep");
    if (!t)
        return YL_READY;
    yl_sleep_us(us); /* cancelled: returns without arming */
    return settle(t);
}

yl_poll yl_sl_sleep_ms(uint64_t ms)
{
    return yl_sl_sleep_us(ms * 1000u);
}

yl_poll yl_sl_yield(void)
{
    yl_task *t = leaf("yl_sl_yield");
    if (!t)
        return YL_READY;
    yl_yield();
    return settle(t);
}

yl_poll yl_sl_wg_wait(yl_wg *wg)
{
    yl_task *t = leaf("yl_sl_wg_wait");
    if (!t)
        return YL_READY;
    yl_wg_wait(wg);
    return settle(t);
}

yl_poll yl_sl_mutex_lock(yl_mutex *m)
{
    yl_task *t = leaf("yl_sl_mutex_lock");
    if (!t)
        return YL_READY; /* unlock made us the owner before waking us */
    yl_mutex_lock(m);
    return settle(t);
}

yl_poll yl_sl_join(yl_task *joinee)
{
    yl_task *t = leaf("yl_sl_join");
    if (t && yl__join_begin(joinee)) {
        t->run_flags |= YL_R_AWAITING;
        return YL_PENDING;
    }
    yl__task_free(joinee);
    return YL_READY;
}

/* task.c - a task's life: created (lazy), started, finished, freed.
 *
 * Ownership: the runtime holds a task while it runs; the handle returned by
 * yl_task_new/yl_spawn is a second owner, given up by yl_join or yl_detach.
 * The struct is freed when both are gone. The stack is freed as soon as the
 * task finishes, since nobody can run on it again. With several workers a
 * joiner and the finishing worker can meet, so task->lock orders them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "san.h"
#include "spin.h"

yl_task *yl_task_new(const char *name, yl_fn fn, void *arg)
{
    struct yl_worker *w = yl__worker();
    if (!w) {
        yl__err("yl_task_new called outside yl_run");
        abort();
    }
    struct yl_rt *rt = w->rt;
    yl_task *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    t->state = YL_NEW;
    t->id = atomic_fetch_add(&rt->next_id, 1) + 1;
    t->heap_idx = SIZE_MAX;
    t->stack_size = rt->default_stack; /* requested size until allocated */
    t->last_worker = w->index;
    snprintf(t->name, sizeof t->name, "%s", name ? name : "task");
    yl_spin_lock(&rt->all_lock);
    t->all_next = rt->all;
    if (rt->all)
        rt->all->all_prev = t;
    rt->all = t;
    yl_spin_unlock(&rt->all_lock);
    atomic_fetch_add(&rt->created, 1);
    atomic_fetch_add(&rt->allocated, 1);
    return t;
}

void yl_task_set_stack(yl_task *t, size_t bytes)
{
    if (!t->started && bytes)
        t->stack_size = bytes;
}

int yl_start(yl_task *t)
{
    if (t->started)
        return 0; /* already started: starting is idempotent */
    if (!yl__stack_alloc(t, t->stack_size))
        return -1;
    t->started = true;
    yl__task_prepare(t);
    atomic_fetch_add(&yl__worker()->rt->live, 1);
    yl__place_new(t);
    return 0;
}

yl_task *yl_spawn(const char *name, yl_fn fn, void *arg)
{
    yl_task *t = yl_task_new(name, fn, arg);
    if (t && yl_start(t) != 0) {
        yl__task_free(t);
        return NULL;
    }
    return t;
}

int yl_go(const char *name, yl_fn fn, void *arg)
{
    yl_task *t = yl_spawn(name, fn, arg);
    if (!t)
        return -1;
    yl_detach(t);
    return 0;
}

void yl_join(yl_task *t)
{
    if (!t->started && yl_start(t) != 0) {
        yl__err("yl_join: cannot start task %s: out of memory", t->name);
        abort();
    }
    yl_spin_lock(&t->lock);
    if (!t->finished) {
        if (t->joiner) {
            yl__err("yl_join: task %s is already being joined", t->name);
            abort();
        }
        t->joiner = yl_self();
        yl__block_unlock(&t->lock); /* the finisher wakes us */
    } else {
        yl_spin_unlock(&t->lock);
    }
    yl__task_free(t);
}

void yl_detach(yl_task *t)
{
    yl_spin_lock(&t->lock);
    bool free_now = t->finished || !t->started;
    t->detached = true;
    yl_spin_unlock(&t->lock);
    if (free_now)
        yl__task_free(t); /* never to run, or already done: nothing holds it */
}

void yl__task_finished(struct yl_worker *w, yl_task *t)
{
    struct yl_rt *rt = w->rt;
    yl__stack_free(t);
    yl_tsan_destroy(t->tsan_fiber);
    t->tsan_fiber = NULL;
    yl_spin_lock(&t->lock);
    t->finished = true;
    yl_task *joiner = t->joiner;
    bool detached = t->detached;
    yl_spin_unlock(&t->lock);
    if (joiner)
        yl__make_ready(joiner);
    if (detached)
        yl__task_free(t);
    if (atomic_fetch_sub(&rt->live, 1) == 1) {
        atomic_store(&rt->done, true); /* the last task: every worker may stop */
        yl__wake_all(rt);
    }
}

void yl__task_free(yl_task *t)
{
    struct yl_rt *rt = yl__worker()->rt;
    yl__stack_free(t);
    if (t->tsan_fiber)
        yl_tsan_destroy(t->tsan_fiber);
    yl_spin_lock(&rt->all_lock);
    if (t->all_prev)
        t->all_prev->all_next = t->all_next;
    else
        rt->all = t->all_next;
    if (t->all_next)
        t->all_next->all_prev = t->all_prev;
    yl_spin_unlock(&rt->all_lock);
    atomic_fetch_sub(&rt->allocated, 1);
    free(t);
}

yl_task *yl_self(void)
{
    struct yl_worker *w = yl__worker();
    return w ? w->current : NULL;
}

void *yl_task_arg(void)
{
    yl_task *t = yl_self();
    return t ? t->arg : NULL;
}

const char *yl_task_name(const yl_task *t)
{
    return t->name;
}

uint64_t yl_task_id(const yl_task *t)
{
    return t->id;
}

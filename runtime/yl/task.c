/* task.c - a task's life: created (lazy), started, finished, freed.
 *
 * Ownership: the runtime holds a task while it runs; the handle returned by
 * yl_task_new/yl_spawn (or yl_sl_new/yl_sl_spawn) is a second owner, given
 * up by yl_join or yl_detach. The task's memory (slab.c) is freed when
 * both are gone. A fiber's stack goes back to the pool as soon as it
 * finishes, since nobody can run on it again. With several workers a
 * joiner and the finishing worker can meet, so task->lock orders them;
 * the joiner itself is noted in the runtime's join table (join.c).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "san.h"
#include "spin.h"
#include "stackless.h"

_Static_assert(sizeof(struct yl_task) == YL_TASK_HEADER_BYTES,
               "the task header is the size stackless.h promises");

static size_t task_size(const yl_task *t)
{
    return t->kind == YL_STACKFUL ? sizeof(struct yl_fiber) : yl__sl_object_size(t->def);
}

yl_task *yl__task_alloc(struct yl_rt *rt, size_t size, enum yl_kind kind)
{
    yl_task *t = yl__slab_alloc(rt->slab, size);
    if (!t)
        return NULL;
    t->kind = (uint8_t)kind;
    t->state = YL_TASK_NEW;
    t->id = atomic_fetch_add_explicit(&rt->next_id, 1, memory_order_relaxed) + 1;
    t->heap_idx = SIZE_MAX;
    t->last_worker = (int8_t)yl__worker()->index;
    atomic_fetch_add_explicit(&rt->allocated, 1, memory_order_relaxed);
    return t;
}

yl_task *yl_task_new(const char *name, yl_fn fn, void *arg)
{
    struct yl_worker *w = yl__worker();
    if (!w) {
        yl__err("yl_task_new called outside yl_run");
        abort();
    }
    struct yl_rt *rt = w->rt;
    yl_task *t = yl__task_alloc(rt, sizeof(struct yl_fiber), YL_STACKFUL);
    if (!t)
        return NULL;
    struct yl_fiber *f = yl__fiber(t);
    f->fn = fn;
    f->arg = arg;
    f->stack_size = rt->default_stack; /* requested size until allocated */
    snprintf(f->name, sizeof f->name, "%s", name ? name : "task");
    yl_spin_lock(&rt->all_lock);
    f->all_next = rt->all;
    if (rt->all)
        rt->all->all_prev = f;
    rt->all = f;
    yl_spin_unlock(&rt->all_lock);
    return t;
}

void yl_task_set_stack(yl_task *t, size_t bytes)
{
    if (t->kind == YL_STACKFUL && !t->started && bytes)
        yl__fiber(t)->stack_size = bytes;
}

int yl_start(yl_task *t)
{
    if (t->started)
        return 0; /* already started: starting is idempotent */
    if (t->kind == YL_STACKFUL) {
        struct yl_fiber *f = yl__fiber(t);
        if (!yl__stack_alloc(f, f->stack_size))
            return -1;
        yl__task_prepare(f);
    }
    t->started = 1;
    atomic_fetch_add(&yl__worker()->rt->live, 1);
    yl__place_new(t);
    return 0;
}

void yl__start_parked(yl_task *t, int home)
{
    struct yl_worker *w = yl__worker();
    struct yl_rt *rt = w->rt;
    if (t->kind == YL_STACKFUL) {
        struct yl_fiber *f = yl__fiber(t);
        if (!yl__stack_alloc(f, f->stack_size)) {
            yl__err("cannot start the task of a parked fd: no memory for its stack");
            yl__task_free(t);
            if (atomic_fetch_sub(&rt->live, 1) == 1) {
                atomic_store(&rt->done, true);
                yl__wake_all(rt);
            }
            return;
        }
        yl__task_prepare(f);
    }
    t->started = 1;
    t->home = (int8_t)(rt->exec == YL_EXEC_SHARDED ? home : w->index);
    yl__make_ready(t);
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

bool yl__join_begin(yl_task *t)
{
    if (!t->started && yl_start(t) != 0) {
        yl__err("join: cannot start task %s: out of memory", yl_task_name(t));
        abort();
    }
    yl_spin_lock(&t->lock);
    if (!(t->done_flags & YL_F_FINISHED)) {
        if (t->done_flags & YL_F_JOINED) {
            yl__err("join: task %s is already being joined", yl_task_name(t));
            abort();
        }
        if (!yl__joins_put(&yl__worker()->rt->joins, t, yl_self())) {
            yl__err("join: out of memory for the join table");
            abort();
        }
        t->done_flags |= YL_F_JOINED;
        yl__block_unlock(&t->lock); /* the finisher wakes us */
        return true;
    }
    yl_spin_unlock(&t->lock);
    return false;
}

void yl_join(yl_task *t)
{
    /* A stackless caller would come back before t finished. */
    yl__require_stackful("yl_join");
    yl__join_begin(t);
    yl__task_free(t);
}

void yl_detach(yl_task *t)
{
    yl_spin_lock(&t->lock);
    bool free_now = (t->done_flags & YL_F_FINISHED) || !t->started;
    t->done_flags |= YL_F_DETACHED;
    yl_spin_unlock(&t->lock);
    if (free_now)
        yl__task_free(t); /* never to run, or already done: nothing holds it */
}

void yl__task_finished(struct yl_worker *w, yl_task *t)
{
    struct yl_rt *rt = w->rt;
    if (t->kind == YL_STACKFUL) {
        struct yl_fiber *f = yl__fiber(t);
        yl__stack_free(f);
        yl_tsan_destroy(f->tsan_fiber);
        f->tsan_fiber = NULL;
    }
    yl_spin_lock(&t->lock);
    t->done_flags |= YL_F_FINISHED;
    bool joined = t->done_flags & YL_F_JOINED;
    bool detached = t->done_flags & YL_F_DETACHED;
    yl_spin_unlock(&t->lock);
    if (joined) /* the entry was made under t->lock, before FINISHED */
        yl__make_ready(yl__joins_take(&rt->joins, t));
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
    if (t->kind == YL_STACKFUL) {
        struct yl_fiber *f = yl__fiber(t);
        yl__stack_free(f);
        if (f->tsan_fiber)
            yl_tsan_destroy(f->tsan_fiber);
        yl_spin_lock(&rt->all_lock);
        if (f->all_prev)
            f->all_prev->all_next = f->all_next;
        else
            rt->all = f->all_next;
        if (f->all_next)
            f->all_next->all_prev = f->all_prev;
        yl_spin_unlock(&rt->all_lock);
    }
    atomic_fetch_sub_explicit(&rt->allocated, 1, memory_order_relaxed);
    yl__slab_free(rt->slab, t, task_size(t));
}

yl_task *yl_self(void)
{
    struct yl_worker *w = yl__worker();
    return w ? w->current : NULL;
}

void *yl_task_arg(void)
{
    yl_task *t = yl_self();
    if (!t)
        return NULL;
    return t->kind == YL_STACKLESS ? (void *)((char *)t + sizeof *t) : yl__fiber(t)->arg;
}

const char *yl_task_name(const yl_task *t)
{
    return t->kind == YL_STACKLESS ? t->def->name : ((const struct yl_fiber *)t)->name;
}

uint64_t yl_task_id(const yl_task *t)
{
    return t->id;
}

size_t yl_task_control_bytes(void)
{
    return yl__slab_size(sizeof(struct yl_fiber));
}

#define FIELD(f, what) {#f, offsetof(struct yl_task, f), sizeof(((struct yl_task *)0)->f), what}

const yl_field *yl_task_layout(size_t *n)
{
    static const yl_field fields[] = {
        FIELD(next, "run-queue / wait-list link"),
        FIELD(tlink, "  or: the timing wheel's list node (next, prev)"),
        FIELD(timer_seq, "  or: the timer heap's arm order"),
        FIELD(heap_idx, "the timer heap's index (SIZE_MAX: not in it)"),
        FIELD(deadline_ns, "the current or latest sleep's deadline"),
        FIELD(def, "stackless: name, poll function, frame size"),
        FIELD(id, "1 for main, then in creation order"),
        FIELD(units, "units run so far (trace labels A, B, C...)"),
        FIELD(lock, "guards done_flags"),
        FIELD(state, "new, ready, running, blocked, done"),
        FIELD(kind, "stackful, stackless"),
        FIELD(started, "set by yl_start"),
        FIELD(done_flags, "finished, detached, joined"),
        FIELD(run_flags, "awaiting, cancelled, in a timer"),
        FIELD(home, "sharded: its worker"),
        FIELD(last_worker, "where its last unit ran"),
    };
    *n = sizeof fields / sizeof fields[0];
    return fields;
}

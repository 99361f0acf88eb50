/* ready.c - the three executors differ only in where a runnable task goes
 * and where a worker looks for the next one:
 *
 *   single    one worker, one FIFO queue.
 *   sharded   N workers, a FIFO each; a task is placed round-robin when it
 *             starts and always runs there. Wake-ups from other workers go
 *             through the owner's inbox. One unlucky worker can drown
 *             while the others idle.
 *   stealing  N workers, a Chase-Lev deque each plus a global inject queue;
 *             an idle worker steals half of a victim's deque. Any task may
 *             run its next unit on any worker.
 *
 * Under single and sharded each worker's own queue follows the run's
 * scheduling class (policy.h): fifo is queue.h itself, any other class is
 * called through w->prq. Stealing runs fifo only (yl_run refuses others).
 */
#include <unistd.h>

#include "internal.h"
#include "policy.h"
#include "san.h"
#include "spin.h"

void yl__wake_worker(struct yl_worker *w)
{
    /* Pairs with the fence of yl__park_announce: either we see it parked
     * and poke it, or it sees our work before it sleeps. */
    yl_fence_seq_cst();
    if (atomic_load(&w->parked)) {
        uint64_t one = 1;
        if (write(w->wakefd, &one, sizeof one) < 0) {
            /* eventfd counter full: it is awake anyway */
        }
    }
}

void yl__park_announce(struct yl_worker *w)
{
    atomic_store(&w->parked, true);
    /* Pairs with the waker's fence (yl__wake_worker, wake_one_idle): a
     * seq_cst store alone does not keep the relaxed and acquire loads of
     * the next look for work (inject_nonempty, inbox_nonempty, the deques)
     * after it. x86's locked store happens to; AArch64's stlr does not for
     * a plain ldr, and the worker would sleep with work waiting. */
    yl_fence_seq_cst();
}

void yl__wake_all(struct yl_rt *rt)
{
    for (int i = 0; i < rt->nworkers; i++) {
        uint64_t one = 1;
        if (write(rt->w[i].wakefd, &one, sizeof one) < 0) {
        }
    }
}

/* Stealing: new work exists; get one parked worker to come and take it. */
static void wake_one_idle(struct yl_rt *rt, struct yl_worker *self)
{
    yl_fence_seq_cst();
    for (int i = 0; i < rt->nworkers; i++) {
        struct yl_worker *o = &rt->w[(self->index + 1 + i) % rt->nworkers];
        if (o != self && atomic_load(&o->parked)) {
            yl__wake_worker(o);
            return;
        }
    }
}

static void inject_push(struct yl_rt *rt, yl_task *t)
{
    yl_spin_lock(&rt->inject_lock);
    yl__q_push(&rt->inject, t);
    rt->inject_len++;
    atomic_store(&rt->inject_nonempty, true);
    yl_spin_unlock(&rt->inject_lock);
}

/* The deque is full: move t and half the ring to the global queue, where
 * any worker can pick them up. */
static void spill(struct yl_rt *rt, struct yl_worker *w, yl_task *t)
{
    yl_spin_lock(&rt->inject_lock);
    yl__q_push(&rt->inject, t);
    rt->inject_len++;
    for (int i = 0; i < YL_DEQUE_SIZE / 2; i++) {
        yl_task *x = yl_deque_take(&w->dq);
        if (!x)
            break;
        yl__q_push(&rt->inject, x);
        rt->inject_len++;
    }
    atomic_store(&rt->inject_nonempty, true);
    yl_spin_unlock(&rt->inject_lock);
}

static void push_local(struct yl_rt *rt, struct yl_worker *w, yl_task *t)
{
    if (!yl_deque_push(&w->dq, t))
        spill(rt, w, t);
    else if (w->keep_next) {
        w->keep_next = false;
        return;
    }
    wake_one_idle(rt, w);
}

/* Into w's own queue: the policy's (policy.h), or fifo's queue.h. */
static void enqueue_local(struct yl_worker *w, yl_task *t, int how)
{
    if (w->prq)
        yl__pol_enqueue(w, t, how);
    else
        yl__q_push(&w->runq, t);
}

static void make_ready_as(yl_task *t, int how)
{
    struct yl_worker *w = yl__worker();
    struct yl_rt *rt = w->rt;
    t->state = YL_TASK_READY;
    switch (rt->exec) {
    case YL_EXEC_SINGLE:
        enqueue_local(w, t, how);
        return;
    case YL_EXEC_SHARDED: {
        struct yl_worker *h = &rt->w[t->home];
        if (h == w) {
            enqueue_local(w, t, how);
            return;
        }
        yl_spin_lock(&h->inbox_lock);
        yl__q_push(&h->inbox, t);
        atomic_store(&h->inbox_nonempty, true);
        yl_spin_unlock(&h->inbox_lock);
        yl__wake_worker(h);
        return;
    }
    case YL_EXEC_STEALING:
        push_local(rt, w, t);
        return;
    }
}

void yl__make_ready(yl_task *t)
{
    make_ready_as(t, YL_ENQ_WAKE);
}

/* A task that yielded goes behind everything else that is ready. */
void yl__requeue_yielded(struct yl_worker *w, yl_task *t)
{
    t->state = YL_TASK_READY;
    if (w->rt->exec == YL_EXEC_STEALING) {
        /* The owner's end of the deque is LIFO: a yielder pushed there would
         * be taken straight back. The global queue is FIFO (as Go does). */
        inject_push(w->rt, t);
        wake_one_idle(w->rt, w);
    } else if (w->prq) {
        yl__pol_enqueue(w, t, yl__pol_yield_how(w, t)); /* yielded, or preempted */
    } else {
        yl__q_push(&w->runq, t);
    }
}

void yl__place_new(yl_task *t)
{
    struct yl_rt *rt = yl__worker()->rt;
    if (rt->exec == YL_EXEC_SHARDED)
        t->home = (int8_t)(atomic_fetch_add(&rt->rr, 1) % (uint32_t)rt->nworkers);
    else
        t->home = (int8_t)yl__worker()->index;
    make_ready_as(t, YL_ENQ_NEW);
}

static yl_task *take_inject(struct yl_rt *rt, struct yl_worker *w)
{
    if (!atomic_load_explicit(&rt->inject_nonempty, YL_RELAXED))
        return NULL;
    yl_spin_lock(&rt->inject_lock);
    yl_task *t = yl__q_pop(&rt->inject);
    if (t)
        rt->inject_len--;
    /* Take a fair share along, so the lock is not taken per task. */
    size_t share = rt->inject_len / (size_t)rt->nworkers;
    for (size_t i = 0; i < share && i < YL_DEQUE_SIZE / 2; i++) {
        yl_task *x = yl__q_pop(&rt->inject);
        if (!yl_deque_push(&w->dq, x)) {
            yl__q_push(&rt->inject, x);
            break;
        }
        rt->inject_len--;
    }
    atomic_store(&rt->inject_nonempty, rt->inject_len > 0);
    yl_spin_unlock(&rt->inject_lock);
    return t;
}

/* Steals half of one victim's deque: the first task to run now, the rest
 * into our own deque. */
static yl_task *steal_half(struct yl_rt *rt, struct yl_worker *w)
{
    int n = rt->nworkers;
    w->rng = w->rng * 1103515245u + 12345u;
    int start = (int)((w->rng >> 16) % (uint32_t)n);
    for (int i = 0; i < n; i++) {
        struct yl_worker *v = &rt->w[(start + i) % n];
        if (v == w)
            continue;
        int64_t want = (yl_deque_size(&v->dq) + 1) / 2;
        yl_task *first = NULL;
        for (int64_t k = 0, tries = 0; k < want && tries < 2 * want + 4; tries++) {
            yl_task *x = yl_deque_steal(&v->dq);
            if (x == YL_DEQUE_ABORT)
                continue;
            if (!x)
                break;
            k++;
            w->steals++;
            if (!first)
                first = x;
            else if (!yl_deque_push(&w->dq, x))
                spill(rt, w, x);
        }
        if (first)
            return first;
    }
    return NULL;
}

static void drain_inbox(struct yl_worker *w)
{
    if (!atomic_load_explicit(&w->inbox_nonempty, YL_ACQUIRE))
        return;
    yl_spin_lock(&w->inbox_lock);
    yl_task *t;
    while ((t = yl__q_pop(&w->inbox)))
        enqueue_local(w, t, YL_ENQ_WAKE); /* started elsewhere, or woken */
    atomic_store(&w->inbox_nonempty, false);
    yl_spin_unlock(&w->inbox_lock);
}

yl_task *yl__next_task(struct yl_worker *w)
{
    struct yl_rt *rt = w->rt;
    yl_task *t;
    switch (rt->exec) {
    case YL_EXEC_SINGLE:
        return w->prq ? yl__pol_pick(w) : yl__q_pop(&w->runq);
    case YL_EXEC_SHARDED:
        drain_inbox(w);
        return w->prq ? yl__pol_pick(w) : yl__q_pop(&w->runq);
    case YL_EXEC_STEALING:
        /* Now and then look at the global queue first, so tasks that
         * yielded there are not starved by a busy local deque. */
        if (w->switches % 61 == 0 && (t = take_inject(rt, w)))
            return t;
        if ((t = yl_deque_take(&w->dq)))
            return t;
        if ((t = take_inject(rt, w)))
            return t;
        return steal_half(rt, w);
    }
    return NULL;
}

bool yl__any_ready(struct yl_rt *rt)
{
    bool any = false;
    yl_spin_lock(&rt->inject_lock);
    any |= rt->inject_len > 0;
    yl_spin_unlock(&rt->inject_lock);
    for (int i = 0; i < rt->nworkers && !any; i++) {
        struct yl_worker *o = &rt->w[i];
        yl_spin_lock(&o->inbox_lock);
        any |= o->inbox.head != NULL;
        yl_spin_unlock(&o->inbox_lock);
        any |= yl_deque_size(&o->dq) > 0;
    }
    return any;
}

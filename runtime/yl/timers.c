/* timers.c - sleeping: yl_sleep_*, yl_cancel, and a worker's sleeping
 * tasks in whichever structure the runtime was given (YL_TIMERS): the
 * timing wheel (default) or the binary heap.
 *
 * Timers are per worker: a task's sleep is armed on the worker it ran on,
 * and only that worker fires it, after the task has switched out (or its
 * poll has returned), so none of this needs a lock. yl_cancel therefore
 * works only where it can reach the timer without racing that worker.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "policy.h"

static bool use_wheel(const struct yl_worker *w)
{
    return w->rt->timers == YL_TIMERS_WHEEL;
}

bool yl__timers_init(struct yl_worker *w)
{
    if (!use_wheel(w))
        return true;
    w->wheel = malloc(sizeof *w->wheel);
    if (!w->wheel)
        return false;
    yl__wheel_init(w->wheel, yl__now_ns());
    return true;
}

void yl__timers_arm(struct yl_worker *w, yl_task *t, uint64_t deadline_ns, uint64_t now_ns)
{
    t->run_flags |= YL_R_IN_TIMER;
    w->until_check = 1; /* the loop looks at the timers on its next trip */
    if (use_wheel(w)) {
        yl__wheel_add(w->wheel, t, deadline_ns, now_ns);
    } else if (!yl__timer_add(&w->timers, t, deadline_ns)) {
        yl__err("out of memory arming a timer");
        abort();
    }
}

static void fired(yl_task *t)
{
    t->run_flags &= (uint8_t)~YL_R_IN_TIMER;
    yl__make_ready(t);
}

/* A chain of fired timers (linked through ->next) joins the ready tasks.
 * A million tasks wake as densely as they were armed, so this is the hot
 * path of their wake-up: on one worker's own queue (single, sharded: a
 * task sleeps on its home worker) the chain is spliced in whole. */
static void fired_chain(struct yl_worker *w, yl_task *t)
{
    if (w->rt->exec == YL_EXEC_STEALING || w->prq) { /* a policy orders each one */
        while (t) {
            yl_task *next = t->next; /* make_ready reuses the link */
            fired(t);
            t = next;
        }
        return;
    }
    yl_task *head = t, *last = t;
    for (; t; t = t->next) {
        t->run_flags &= (uint8_t)~YL_R_IN_TIMER;
        t->state = YL_TASK_READY;
        last = t;
    }
    yl__q_splice(&w->runq, head, last);
}

/* Nothing is waiting to run on w: a timer fired now runs now. */
static bool idle(struct yl_worker *w)
{
    if (w->rt->exec == YL_EXEC_STEALING)
        return yl_deque_size(&w->dq) == 0;
    return w->prq ? w->prq->nr == 0 : !w->runq.head;
}

void yl__timers_fire(struct yl_worker *w, uint64_t now_ns)
{
    if (use_wheel(w)) {
        yl_task *t = yl__wheel_expire(w->wheel, now_ns, idle(w));
        if (t)
            fired_chain(w, t);
        return;
    }
    yl_task *t;
    while ((t = yl__timer_peek(&w->timers)) && t->deadline_ns <= now_ns) {
        t = yl__timer_pop(&w->timers);
        if (t->kind == YL_TOMBSTONE)
            free(t); /* a cancelled timer's stand-in: nobody to wake */
        else
            fired(t);
    }
}

uint64_t yl__timers_next_ns(struct yl_worker *w)
{
    if (use_wheel(w))
        return yl__wheel_next_ns(w->wheel);
    yl_task *t = yl__timer_peek(&w->timers);
    return t ? t->deadline_ns : UINT64_MAX;
}

size_t yl__timers_count(const struct yl_worker *w)
{
    return use_wheel(w) ? w->wheel->count : w->timers.len;
}

void yl__timers_teardown(struct yl_worker *w)
{
    for (size_t i = 0; i < w->timers.len; i++)
        if (w->timers.v[i]->kind == YL_TOMBSTONE)
            free(w->timers.v[i]);
    yl__timer_free(&w->timers);
    if (w->wheel)
        yl__wheel_destroy(w->wheel);
    free(w->wheel);
    w->wheel = NULL;
}

/* Takes t's timer out of w's timers; false when that needs memory there
 * is none of. The heap is the students' (lab 01) and offers no removal:
 * a stand-in with the same key takes t's place, so the heap's order holds,
 * and is thrown away when it comes out. */
static bool disarm(struct yl_worker *w, yl_task *t)
{
    if (use_wheel(w)) {
        yl__wheel_del(w->wheel, t);
        return true;
    }
    yl_task *stand = calloc(1, sizeof *stand);
    if (!stand)
        return false;
    stand->kind = YL_TOMBSTONE;
    stand->deadline_ns = t->deadline_ns;
    stand->timer_seq = t->timer_seq;
    stand->heap_idx = t->heap_idx;
    w->timers.v[t->heap_idx] = stand;
    t->heap_idx = SIZE_MAX;
    return true;
}

/* See errno_now in io.c: errno's address may not survive a switch. */
__attribute__((noinline)) static void set_errno(int e)
{
    errno = e;
}

int yl_sleep_us(uint64_t us)
{
    yl_task *t = yl__current_for_wait("yl_sleep");
    if (t->run_flags & YL_R_CANCELLED) {
        set_errno(ECANCELED);
        return -1;
    }
    /* The timer lives on this worker; only this worker fires it, after t
     * has switched out, so no lock is needed. */
    uint64_t now = yl__now_ns();
    yl__timers_arm(yl__worker(), t, now + us * 1000u, now);
    yl__block();
    if (t->kind == YL_STACKFUL && (t->run_flags & YL_R_CANCELLED)) {
        set_errno(ECANCELED);
        return -1; /* woken early by yl_cancel */
    }
    return 0;
}

int yl_sleep_ms(uint64_t ms)
{
    return yl_sleep_us(ms * 1000u);
}

int yl_cancel(yl_task *t)
{
    struct yl_worker *w = yl__worker();
    if (!w || !w->current) {
        yl__err("yl_cancel called outside a task (only inside yl_run)");
        abort();
    }
    struct yl_rt *rt = w->rt;
    if (!t->started || t == w->current) {
        t->run_flags |= YL_R_CANCELLED; /* its next sleep returns at once */
        return 0;
    }
    /* t's timer (if any) is on the worker t last ran on; with several
     * workers that is known without a race only for a task of our shard. */
    if (rt->nworkers > 1 && (rt->exec != YL_EXEC_SHARDED || t->home != w->index)) {
        errno = EXDEV;
        return -1;
    }
    t->run_flags |= YL_R_CANCELLED;
    if (!(t->run_flags & YL_R_IN_TIMER) || !disarm(w, t))
        return 0;
    fired(t);
    return 1;
}

bool yl_cancelled(void)
{
    yl_task *t = yl_self();
    return t && (t->run_flags & YL_R_CANCELLED);
}

uint64_t yl_deadline_ns(void)
{
    yl_task *t = yl_self();
    return t ? t->deadline_ns : 0;
}

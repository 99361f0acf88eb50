/* policy_rr.c - round robin: first come first served, but a task that
 * has run a whole quantum Q (yl_sched_params.quantum_ns) of CPU is
 * preempted at its next preemption point and goes to the back. A task
 * that blocks or yields starts a fresh quantum when it runs again. One
 * list: O(1). */
#include <stdlib.h>

#include "policy.h"

static bool rr_init(struct yl_prq *rq)
{
    return (rq->priv = calloc(1, sizeof(struct yl_list))) != NULL;
}

static void rr_fini(struct yl_prq *rq)
{
    free(rq->priv);
}

static void rr_enqueue(struct yl_prq *rq, struct yl_se *se, enum yl_enq how)
{
    /* Cut before its quantum was used (the timer counts wall time, the
     * quantum is CPU): it goes on with the rest at the head. */
    if (how == YL_ENQ_PREEMPT && se->slice_ns > 0)
        yl__list_push_front(rq->priv, se);
    else
        yl__list_push(rq->priv, se);
}

static void rr_dequeue(struct yl_prq *rq, struct yl_se *se)
{
    yl__list_del(rq->priv, se);
}

static struct yl_se *rr_pick(struct yl_prq *rq)
{
    return yl__list_pop(rq->priv);
}

static void rr_put_prev(struct yl_prq *rq, struct yl_se *se, uint64_t ran, enum yl_leave why)
{
    se->slice_ns += ran;
    if (why != YL_LEAVE_PREEMPT || se->slice_ns >= rq->p.quantum_ns)
        se->slice_ns = 0;
}

static bool rr_tick(struct yl_prq *rq, struct yl_se *se, uint64_t ran)
{
    return se->slice_ns + ran >= rq->p.quantum_ns;
}

static uint64_t rr_slice(const struct yl_prq *rq, const struct yl_se *se)
{
    return rq->p.quantum_ns - se->slice_ns;
}

const struct yl_sched_class yl_sched_rr = {
    .name = "rr", .needs_clock = true, .init = rr_init, .fini = rr_fini,
    .enqueue = rr_enqueue, .dequeue = rr_dequeue, .pick_next = rr_pick,
    .put_prev = rr_put_prev, .tick = rr_tick, .slice = rr_slice,
};

/* policy_prio.c - static priorities (yl_task_set_prio, 0..63, larger
 * first), first come first served within one: SCHED_FIFO's rule. A list
 * per priority and a bitmap of the non-empty ones, so a pick is one
 * count-leading-zeros: O(1). At a preemption point a ready task of higher
 * priority takes the CPU. */
#include <stdlib.h>

#include "policy.h"

struct prio_rq {
    uint64_t bits;
    struct yl_list q[64];
};

static bool prio_init(struct yl_prq *rq)
{
    return (rq->priv = calloc(1, sizeof(struct prio_rq))) != NULL;
}

static void prio_fini(struct yl_prq *rq)
{
    free(rq->priv);
}

static void prio_enqueue(struct yl_prq *rq, struct yl_se *se, enum yl_enq how)
{
    struct prio_rq *p = rq->priv;
    /* Preempted by a higher one: back at the head, its turn not over. */
    if (how == YL_ENQ_PREEMPT)
        yl__list_push_front(&p->q[se->prio], se);
    else
        yl__list_push(&p->q[se->prio], se);
    p->bits |= 1ull << se->prio;
}

static void prio_dequeue(struct yl_prq *rq, struct yl_se *se)
{
    struct prio_rq *p = rq->priv;
    yl__list_del(&p->q[se->prio], se);
    if (!p->q[se->prio].head)
        p->bits &= ~(1ull << se->prio);
}

static struct yl_se *prio_pick(struct yl_prq *rq)
{
    struct prio_rq *p = rq->priv;
    if (!p->bits)
        return NULL;
    struct yl_se *se = p->q[63 - __builtin_clzll(p->bits)].head;
    prio_dequeue(rq, se);
    return se;
}

static void prio_put_prev(struct yl_prq *rq, struct yl_se *se, uint64_t ran, enum yl_leave why)
{
    (void)rq, (void)se, (void)ran, (void)why;
}

static bool prio_tick(struct yl_prq *rq, struct yl_se *se, uint64_t ran)
{
    (void)ran;
    struct prio_rq *p = rq->priv;
    return p->bits && 63 - __builtin_clzll(p->bits) > se->prio;
}

/* No slice of its own: the timer is a tick, every quantum, at which a
 * task that woke meanwhile can take the CPU. */
static uint64_t prio_slice(const struct yl_prq *rq, const struct yl_se *se)
{
    (void)se;
    return rq->p.quantum_ns;
}

const struct yl_sched_class yl_sched_prio = {
    .name = "prio", .init = prio_init, .fini = prio_fini, .enqueue = prio_enqueue,
    .dequeue = prio_dequeue, .pick_next = prio_pick, .put_prev = prio_put_prev,
    .tick = prio_tick, .slice = prio_slice,
};

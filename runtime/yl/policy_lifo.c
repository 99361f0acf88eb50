/* policy_lifo.c - last come, first served: the article's "other order".
 * A new or woken task goes on top and runs next; a yielder goes to the
 * bottom (on top, a yield would hand the CPU straight back to itself). */
#include <stdlib.h>

#include "policy.h"

static bool lifo_init(struct yl_prq *rq)
{
    return (rq->priv = calloc(1, sizeof(struct yl_list))) != NULL;
}

static void lifo_fini(struct yl_prq *rq)
{
    free(rq->priv);
}

static void lifo_enqueue(struct yl_prq *rq, struct yl_se *se, enum yl_enq how)
{
    if (how == YL_ENQ_YIELD || how == YL_ENQ_PREEMPT)
        yl__list_push(rq->priv, se);
    else
        yl__list_push_front(rq->priv, se);
}

static void lifo_dequeue(struct yl_prq *rq, struct yl_se *se)
{
    yl__list_del(rq->priv, se);
}

static struct yl_se *lifo_pick(struct yl_prq *rq)
{
    return yl__list_pop(rq->priv);
}

static void lifo_put_prev(struct yl_prq *rq, struct yl_se *se, uint64_t ran, enum yl_leave why)
{
    (void)rq, (void)se, (void)ran, (void)why;
}

static bool lifo_tick(struct yl_prq *rq, struct yl_se *se, uint64_t ran)
{
    (void)rq, (void)se, (void)ran;
    return false;
}

const struct yl_sched_class yl_sched_lifo = {
    .name = "lifo", .init = lifo_init, .fini = lifo_fini, .enqueue = lifo_enqueue,
    .dequeue = lifo_dequeue, .pick_next = lifo_pick, .put_prev = lifo_put_prev,
    .tick = lifo_tick,
};

/* policy_fifo.c - first come, first served: the order libyl always had.
 * A run under fifo does not go through this class at all: the mechanism
 * keeps its inline queue.h path (policy.h says why). The class is here so
 * fifo can be driven like the others (the pick-cost bench, the tests). */
#include <stdlib.h>

#include "policy.h"

static bool fifo_init(struct yl_prq *rq)
{
    return (rq->priv = calloc(1, sizeof(struct yl_list))) != NULL;
}

static void fifo_fini(struct yl_prq *rq)
{
    free(rq->priv);
}

static void fifo_enqueue(struct yl_prq *rq, struct yl_se *se, enum yl_enq how)
{
    (void)how;
    yl__list_push(rq->priv, se);
}

static void fifo_dequeue(struct yl_prq *rq, struct yl_se *se)
{
    yl__list_del(rq->priv, se);
}

static struct yl_se *fifo_pick(struct yl_prq *rq)
{
    return yl__list_pop(rq->priv);
}

static void fifo_put_prev(struct yl_prq *rq, struct yl_se *se, uint64_t ran, enum yl_leave why)
{
    (void)rq, (void)se, (void)ran, (void)why;
}

static bool fifo_tick(struct yl_prq *rq, struct yl_se *se, uint64_t ran)
{
    (void)rq, (void)se, (void)ran;
    return false; /* a unit runs until it gives the CPU up */
}

const struct yl_sched_class yl_sched_fifo = {
    .name = "fifo", .init = fifo_init, .fini = fifo_fini, .enqueue = fifo_enqueue,
    .dequeue = fifo_dequeue, .pick_next = fifo_pick, .put_prev = fifo_put_prev,
    .tick = fifo_tick,
};

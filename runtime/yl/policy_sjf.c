/* policy_sjf.c - shortest job first: the ready task with the smallest
 * length hint (yl_task_set_hint) runs next and keeps the CPU until it
 * gives it up; a task without a hint comes after every hinted one. The
 * hint is the whole job's length, as in the textbook, so no clock is read.
 * A heap by (hint, arrival): O(log n). */
#include <stdlib.h>

#include "policy.h"

static bool sjf_init(struct yl_prq *rq)
{
    return (rq->priv = calloc(1, sizeof(struct yl_heap))) != NULL;
}

static void sjf_fini(struct yl_prq *rq)
{
    yl__heap_free(rq->priv);
    free(rq->priv);
}

static void sjf_enqueue(struct yl_prq *rq, struct yl_se *se, enum yl_enq how)
{
    (void)how;
    se->key = se->hint_ns ? se->hint_ns : UINT64_MAX;
    yl__heap_push_or_die(rq->priv, se);
}

static void sjf_dequeue(struct yl_prq *rq, struct yl_se *se)
{
    yl__heap_del(rq->priv, se);
}

static struct yl_se *sjf_pick(struct yl_prq *rq)
{
    return yl__heap_pop(rq->priv);
}

static void sjf_put_prev(struct yl_prq *rq, struct yl_se *se, uint64_t ran, enum yl_leave why)
{
    (void)rq, (void)se, (void)ran, (void)why;
}

static bool sjf_tick(struct yl_prq *rq, struct yl_se *se, uint64_t ran)
{
    (void)rq, (void)se, (void)ran;
    return false; /* non-preemptive: that is stcf */
}

const struct yl_sched_class yl_sched_sjf = {
    .name = "sjf", .init = sjf_init, .fini = sjf_fini, .enqueue = sjf_enqueue,
    .dequeue = sjf_dequeue, .pick_next = sjf_pick, .put_prev = sjf_put_prev,
    .tick = sjf_tick,
};

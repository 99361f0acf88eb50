/* policy_stcf.c - shortest time-to-completion first (preemptive SJF):
 * the ready task with the least CPU left (its hint minus what it has run)
 * runs; at a preemption point, a ready task with strictly less left takes
 * the CPU (a new arrival, a task back from I/O). A heap by (left,
 * arrival): O(log n). Tasks without a hint come last. */
#include <stdlib.h>

#include "policy.h"

static uint64_t left(const struct yl_se *se, uint64_t running)
{
    if (!se->hint_ns)
        return UINT64_MAX;
    uint64_t done = se->ran_ns + running;
    return done >= se->hint_ns ? 0 : se->hint_ns - done;
}

static bool stcf_init(struct yl_prq *rq)
{
    return (rq->priv = calloc(1, sizeof(struct yl_heap))) != NULL;
}

static void stcf_fini(struct yl_prq *rq)
{
    yl__heap_free(rq->priv);
    free(rq->priv);
}

static void stcf_enqueue(struct yl_prq *rq, struct yl_se *se, enum yl_enq how)
{
    (void)how;
    se->key = left(se, 0);
    yl__heap_push_or_die(rq->priv, se);
}

static void stcf_dequeue(struct yl_prq *rq, struct yl_se *se)
{
    yl__heap_del(rq->priv, se);
}

static struct yl_se *stcf_pick(struct yl_prq *rq)
{
    return yl__heap_pop(rq->priv);
}

static void stcf_put_prev(struct yl_prq *rq, struct yl_se *se, uint64_t ran, enum yl_leave why)
{
    (void)rq, (void)why;
    se->ran_ns += ran;
}

static bool stcf_tick(struct yl_prq *rq, struct yl_se *se, uint64_t ran)
{
    struct yl_se *best = yl__heap_peek(rq->priv);
    return best && best->key < left(se, ran);
}

/* No slice of its own: the timer is a tick, every quantum, at which a
 * task that woke meanwhile can take the CPU. */
static uint64_t stcf_slice(const struct yl_prq *rq, const struct yl_se *se)
{
    (void)se;
    return rq->p.quantum_ns;
}

const struct yl_sched_class yl_sched_stcf = {
    .name = "stcf", .needs_clock = true, .init = stcf_init, .fini = stcf_fini,
    .enqueue = stcf_enqueue, .dequeue = stcf_dequeue, .pick_next = stcf_pick,
    .put_prev = stcf_put_prev, .tick = stcf_tick,
    .slice = stcf_slice,
};

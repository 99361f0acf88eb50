/* policy_stride.c - stride scheduling (Waldspurger): each task's stride is
 * a big constant divided by its tickets; the task with the least pass
 * runs, for one quantum, and its pass then grows by its stride (pro rata
 * when it ran less than a quantum, in 64ths). Over any stretch each task gets
 * within a quantum of its tickets' share. A task that arrives or wakes
 * starts at the pass of the last task picked, so sleeping banks no
 * credit. Ties go to the task that has waited longest. Heap by pass:
 * O(log n). */
#include <stdlib.h>

#include "policy.h"

#define STRIDE1 (1u << 20)

struct stride_rq {
    struct yl_heap h;
    uint64_t global_pass; /* pass of the last task picked */
};

static uint64_t stride(const struct yl_se *se)
{
    return STRIDE1 / se->tickets;
}

static bool stride_init(struct yl_prq *rq)
{
    return (rq->priv = calloc(1, sizeof(struct stride_rq))) != NULL;
}

static void stride_fini(struct yl_prq *rq)
{
    struct stride_rq *s = rq->priv;
    yl__heap_free(&s->h);
    free(s);
}

static void stride_enqueue(struct yl_prq *rq, struct yl_se *se, enum yl_enq how)
{
    struct stride_rq *s = rq->priv;
    if ((how == YL_ENQ_NEW || how == YL_ENQ_WAKE) && se->pass < s->global_pass)
        se->pass = s->global_pass;
    se->key = se->pass;
    yl__heap_push_or_die(&s->h, se);
}

static void stride_dequeue(struct yl_prq *rq, struct yl_se *se)
{
    yl__heap_del(&((struct stride_rq *)rq->priv)->h, se);
}

static struct yl_se *stride_pick(struct yl_prq *rq)
{
    struct stride_rq *s = rq->priv;
    struct yl_se *se = yl__heap_pop(&s->h);
    if (se && se->pass > s->global_pass)
        s->global_pass = se->pass;
    return se;
}

static void stride_put_prev(struct yl_prq *rq, struct yl_se *se, uint64_t ran, enum yl_leave why)
{
    uint64_t q = rq->p.quantum_ns;
    se->slice_ns += ran;
    if (why == YL_LEAVE_PREEMPT && se->slice_ns < q)
        return; /* cut early (the timer counts wall time): its turn goes on */
    /* Charged once per turn, in 64ths of a quantum: a slice that overshot
     * by a few us costs no more than a whole one, so ties stay ties. */
    uint64_t n64 = (uint64_t)(((unsigned __int128)se->slice_ns * 64 + q / 2) / q);
    se->pass += stride(se) * n64 / 64;
    se->slice_ns = 0;
}

static bool stride_tick(struct yl_prq *rq, struct yl_se *se, uint64_t ran)
{
    return se->slice_ns + ran >= rq->p.quantum_ns;
}

static uint64_t stride_slice(const struct yl_prq *rq, const struct yl_se *se)
{
    return rq->p.quantum_ns - se->slice_ns;
}

const struct yl_sched_class yl_sched_stride = {
    .name = "stride", .needs_clock = true, .init = stride_init, .fini = stride_fini,
    .enqueue = stride_enqueue, .dequeue = stride_dequeue, .pick_next = stride_pick,
    .put_prev = stride_put_prev, .tick = stride_tick, .slice = stride_slice,
};

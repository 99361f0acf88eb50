/* policy_fair.c - a CFS-like fair class (Linux's before 6.6): each task's
 * virtual runtime grows by its CPU time scaled by 1024 / weight (weight
 * from nice, Linux's table), and the task with the least vruntime runs.
 * Its slice is the period (one quantum per ready task) shared out by
 * weight; a task woken from a sleep is placed no further back than one
 * quantum behind min_vruntime, so sleeping banks little credit, and takes
 * the CPU at once when that leaves it half a quantum ahead. Heap by
 * vruntime: O(log n). */
#include <stdlib.h>

#include "policy.h"

struct fair_rq {
    struct yl_heap h;
    uint64_t min_vruntime; /* never goes back */
    uint64_t weight;       /* of the queued tasks */
};

static uint64_t vdelta(uint64_t ns, uint32_t weight)
{
    return (uint64_t)((unsigned __int128)ns * 1024 / weight);
}

static bool fair_init(struct yl_prq *rq)
{
    struct fair_rq *f = calloc(1, sizeof *f);
    if (!f)
        return false;
    f->min_vruntime = (uint64_t)1 << 40; /* room below for placement */
    rq->priv = f;
    return true;
}

static void fair_fini(struct yl_prq *rq)
{
    struct fair_rq *f = rq->priv;
    yl__heap_free(&f->h);
    free(f);
}

static void fair_enqueue(struct yl_prq *rq, struct yl_se *se, enum yl_enq how)
{
    struct fair_rq *f = rq->priv;
    if (how == YL_ENQ_NEW && se->vruntime < f->min_vruntime)
        se->vruntime = f->min_vruntime;
    else if (how == YL_ENQ_WAKE && se->vruntime + rq->p.quantum_ns < f->min_vruntime)
        se->vruntime = f->min_vruntime - rq->p.quantum_ns;
    se->key = se->vruntime;
    f->weight += se->weight;
    yl__heap_push_or_die(&f->h, se);
}

static void fair_dequeue(struct yl_prq *rq, struct yl_se *se)
{
    struct fair_rq *f = rq->priv;
    yl__heap_del(&f->h, se);
    f->weight -= se->weight;
}

static struct yl_se *fair_pick(struct yl_prq *rq)
{
    struct fair_rq *f = rq->priv;
    struct yl_se *se = yl__heap_peek(&f->h);
    if (se)
        fair_dequeue(rq, se);
    return se;
}

/* The running task's slice: the period, a quantum per ready task, by weight. */
static uint64_t ideal(const struct yl_prq *rq, const struct yl_se *se)
{
    const struct fair_rq *f = rq->priv;
    uint64_t total = f->weight + se->weight;
    uint64_t v = (uint64_t)((unsigned __int128)rq->p.quantum_ns * (rq->nr + 1) * se->weight /
                            total);
    return v < rq->p.quantum_ns / 4 ? rq->p.quantum_ns / 4 : v; /* the minimum granularity */
}

static void fair_put_prev(struct yl_prq *rq, struct yl_se *se, uint64_t ran, enum yl_leave why)
{
    struct fair_rq *f = rq->priv;
    se->vruntime += vdelta(ran, se->weight);
    se->slice_ns += ran;
    if (why != YL_LEAVE_PREEMPT || se->slice_ns >= ideal(rq, se))
        se->slice_ns = 0;
    struct yl_se *left = yl__heap_peek(&f->h);
    uint64_t lo = left && left->vruntime < se->vruntime ? left->vruntime : se->vruntime;
    if (lo > f->min_vruntime)
        f->min_vruntime = lo;
}

static bool fair_tick(struct yl_prq *rq, struct yl_se *se, uint64_t ran)
{
    struct fair_rq *f = rq->priv;
    struct yl_se *left = yl__heap_peek(&f->h);
    if (!left)
        return false;
    if (se->slice_ns + ran >= ideal(rq, se))
        return true;
    return left->vruntime + rq->p.quantum_ns / 2 < se->vruntime + vdelta(ran, se->weight);
}

static uint64_t fair_slice(const struct yl_prq *rq, const struct yl_se *se)
{
    uint64_t i = ideal(rq, se);
    return i > se->slice_ns ? i - se->slice_ns : 0;
}

const struct yl_sched_class yl_sched_fair = {
    .name = "fair", .needs_clock = true, .init = fair_init, .fini = fair_fini,
    .enqueue = fair_enqueue, .dequeue = fair_dequeue, .pick_next = fair_pick,
    .put_prev = fair_put_prev, .tick = fair_tick, .slice = fair_slice,
};

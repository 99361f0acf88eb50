/* policy_eevdf.c - earliest eligible virtual deadline first (Linux's fair
 * class since 6.6). Virtual runtime grows as in fair (ns * 1024 / weight).
 * V is the weighted average vruntime of the ready and running tasks; a
 * task is eligible when it has not had more than its share (lag = V - v
 * >= 0). Each task asks for one quantum at a time: its virtual deadline
 * is v + quantum * 1024 / weight. The eligible task with the earliest
 * deadline runs; once it has used its request, it gets a new deadline and
 * yields to whoever is then first. A sleeper keeps its lag (clamped) and
 * comes back at V - lag, a new task at V with half a request, as 6.6's
 * PLACE_LAG and PLACE_DEADLINE_INITIAL do.
 *
 * Two heaps stand in for Linux's augmented rbtree: the eligible tasks by
 * deadline and the not-yet-eligible ones by vruntime; a pick moves those
 * that V has reached, then takes the earliest deadline: O(log n)
 * amortised. A task counted eligible stays so until picked, even if V
 * falls back under it (small, rare: V moves down only when a task with
 * positive lag leaves).
 */
#include <stdlib.h>

#include "policy.h"

struct eevdf_rq {
    struct yl_heap elig;   /* key: vdeadline */
    struct yl_heap pend;   /* key: vruntime */
    int64_t sum_w;         /* weights of the ready and running tasks */
    __int128 sum_wv;       /* ... times their vruntime */
    uint64_t V;            /* the last average (when nobody is counted) */
};

static uint64_t vdelta(uint64_t ns, uint32_t weight)
{
    return (uint64_t)((unsigned __int128)ns * 1024 / weight);
}

static uint64_t avg(struct eevdf_rq *e)
{
    if (e->sum_w)
        e->V = (uint64_t)(e->sum_wv / e->sum_w);
    return e->V;
}

static bool eevdf_init(struct yl_prq *rq)
{
    struct eevdf_rq *e = calloc(1, sizeof *e);
    if (!e)
        return false;
    e->V = (uint64_t)1 << 40;
    rq->priv = e;
    return true;
}

static void eevdf_fini(struct yl_prq *rq)
{
    struct eevdf_rq *e = rq->priv;
    yl__heap_free(&e->elig);
    yl__heap_free(&e->pend);
    free(e);
}

static void insert(struct eevdf_rq *e, struct yl_se *se)
{
    if (se->vruntime <= avg(e)) {
        se->level = 0;
        se->key = se->vdeadline;
        yl__heap_push_or_die(&e->elig, se);
    } else {
        se->level = 1;
        se->key = se->vruntime;
        yl__heap_push_or_die(&e->pend, se);
    }
}

static void eevdf_enqueue(struct yl_prq *rq, struct yl_se *se, enum yl_enq how)
{
    struct eevdf_rq *e = rq->priv;
    uint64_t vslice = vdelta(rq->p.quantum_ns, se->weight);
    if (how == YL_ENQ_NEW || how == YL_ENQ_WAKE) {
        uint64_t V = avg(e);
        if (how == YL_ENQ_NEW) {
            se->vruntime = V;
            se->vdeadline = V + vslice / 2;
        } else {
            se->vruntime = (uint64_t)((int64_t)V - se->vlag);
            se->vdeadline = se->vruntime + vslice;
        }
        e->sum_w += se->weight;
        e->sum_wv += (__int128)se->weight * se->vruntime;
    }
    insert(e, se);
}

static void eevdf_dequeue(struct yl_prq *rq, struct yl_se *se)
{
    struct eevdf_rq *e = rq->priv;
    yl__heap_del(se->level ? &e->pend : &e->elig, se);
}

static struct yl_se *eevdf_pick(struct yl_prq *rq)
{
    struct eevdf_rq *e = rq->priv;
    uint64_t V = avg(e);
    struct yl_se *p;
    while ((p = yl__heap_peek(&e->pend)) && (p->vruntime <= V || !e->elig.len)) {
        yl__heap_del(&e->pend, p);
        p->level = 0;
        p->key = p->vdeadline;
        yl__heap_push_or_die(&e->elig, p);
    }
    return yl__heap_pop(&e->elig);
}

static void eevdf_put_prev(struct yl_prq *rq, struct yl_se *se, uint64_t ran, enum yl_leave why)
{
    struct eevdf_rq *e = rq->priv;
    uint64_t dv = vdelta(ran, se->weight), vslice = vdelta(rq->p.quantum_ns, se->weight);
    se->vruntime += dv;
    e->sum_wv += (__int128)se->weight * dv;
    if (se->vruntime >= se->vdeadline)
        se->vdeadline = se->vruntime + vslice; /* the next request */
    if (why == YL_LEAVE_BLOCK || why == YL_LEAVE_DONE) {
        int64_t lag = (int64_t)avg(e) - (int64_t)se->vruntime, cap = 2 * (int64_t)vslice;
        se->vlag = lag > cap ? cap : lag < -cap ? -cap : lag;
        e->sum_w -= se->weight;
        e->sum_wv -= (__int128)se->weight * se->vruntime;
    }
}

static bool eevdf_tick(struct yl_prq *rq, struct yl_se *se, uint64_t ran)
{
    struct eevdf_rq *e = rq->priv;
    if (!rq->nr)
        return false;
    if (se->vruntime + vdelta(ran, se->weight) >= se->vdeadline)
        return true; /* its request is used: a new deadline, and pick again */
    /* Someone eligible with an earlier deadline (a wake-up): it runs. */
    struct yl_se *best = yl__heap_peek(&e->elig);
    return best && best->vdeadline < se->vdeadline;
}

/* Until its virtual deadline: the rest of its request, in CPU time. */
static uint64_t eevdf_slice(const struct yl_prq *rq, const struct yl_se *se)
{
    (void)rq;
    if (se->vdeadline <= se->vruntime)
        return 0;
    return (uint64_t)((unsigned __int128)(se->vdeadline - se->vruntime) * se->weight / 1024);
}

const struct yl_sched_class yl_sched_eevdf = {
    .name = "eevdf", .needs_clock = true, .init = eevdf_init, .fini = eevdf_fini,
    .enqueue = eevdf_enqueue, .dequeue = eevdf_dequeue, .pick_next = eevdf_pick,
    .put_prev = eevdf_put_prev, .tick = eevdf_tick, .slice = eevdf_slice,
};

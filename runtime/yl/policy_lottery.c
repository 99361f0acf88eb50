/* policy_lottery.c - lottery scheduling: at every pick one ticket is
 * drawn among the ready tasks' tickets, and its holder runs for a
 * quantum. Seeded (yl_sched_params.seed), so a run can be repeated. Its
 * share is right only on average; stride's is right at every point.
 * The draw walks the list: O(n) per pick (a tree of ticket sums would
 * make it O(log n); the lab keeps the textbook's list). */
#include <stdlib.h>

#include "policy.h"

struct lottery_rq {
    struct yl_list q;
    uint64_t total; /* tickets of the queued tasks */
};

/* xorshift64*: small, fast, and the same on every machine. */
static uint64_t draw(struct yl_prq *rq)
{
    uint64_t x = rq->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rq->rng = x;
    return x * 2685821657736338717ull;
}

static bool lottery_init(struct yl_prq *rq)
{
    return (rq->priv = calloc(1, sizeof(struct lottery_rq))) != NULL;
}

static void lottery_fini(struct yl_prq *rq)
{
    free(rq->priv);
}

static void lottery_enqueue(struct yl_prq *rq, struct yl_se *se, enum yl_enq how)
{
    (void)how;
    struct lottery_rq *l = rq->priv;
    yl__list_push(&l->q, se);
    l->total += se->tickets;
}

static void lottery_dequeue(struct yl_prq *rq, struct yl_se *se)
{
    struct lottery_rq *l = rq->priv;
    yl__list_del(&l->q, se);
    l->total -= se->tickets;
}

static struct yl_se *lottery_pick(struct yl_prq *rq)
{
    struct lottery_rq *l = rq->priv;
    if (!l->q.head)
        return NULL;
    uint64_t winner = draw(rq) % l->total, sum = 0;
    struct yl_se *se = l->q.head;
    for (; se->next; se = se->next) {
        sum += se->tickets;
        if (sum > winner)
            break;
    }
    lottery_dequeue(rq, se);
    return se;
}

static void lottery_put_prev(struct yl_prq *rq, struct yl_se *se, uint64_t ran, enum yl_leave why)
{
    se->slice_ns += ran;
    if (why != YL_LEAVE_PREEMPT || se->slice_ns >= rq->p.quantum_ns)
        se->slice_ns = 0;
}

static bool lottery_tick(struct yl_prq *rq, struct yl_se *se, uint64_t ran)
{
    return se->slice_ns + ran >= rq->p.quantum_ns;
}

static uint64_t lottery_slice(const struct yl_prq *rq, const struct yl_se *se)
{
    return rq->p.quantum_ns - se->slice_ns;
}

const struct yl_sched_class yl_sched_lottery = {
    .name = "lottery", .needs_clock = true, .init = lottery_init, .fini = lottery_fini,
    .enqueue = lottery_enqueue, .dequeue = lottery_dequeue, .pick_next = lottery_pick,
    .put_prev = lottery_put_prev, .tick = lottery_tick, .slice = lottery_slice,
};

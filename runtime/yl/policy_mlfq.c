/* policy_mlfq.c - the multi-level feedback queue with OSTEP's rules:
 *
 *   1, 2  a task at a higher level runs first; within a level, round
 *         robin with that level's quantum (quanta_ns, top first);
 *   3     a new task starts at the top;
 *   4     a task that has used up its allotment at a level (allotment
 *         quanta, however often it gave up the CPU on the way) moves down
 *         one; with `stay`, an I/O instead resets the allotment and the
 *         task stays (OSTEP's -S: the rule a task can game);
 *   5     every boost_ns of CPU every task goes back to the top.
 *
 * A list per level and a bitmap of the non-empty ones: O(1) picks. The
 * boost is a generation number and a splice of the lists: no pass over
 * the tasks, queued or asleep; each catches up when it is next touched. It
 * takes effect at the next pick, at most one quantum after it is due.
 * A task preempted by a higher level (rule 1) goes back to the head of
 * its level with the rest of its quantum, as in OSTEP's mlfq.py.
 */
#include <stdlib.h>

#include "policy.h"

struct mlfq_rq {
    uint32_t bits;           /* bit L: level L has tasks (0 is the top) */
    uint32_t gen;            /* boosts so far */
    uint64_t next_boost;     /* rq->clock of the next one */
    struct yl_list q[YL_SCHED_LEVELS_MAX];
};

static uint64_t quantum(const struct yl_prq *rq, int level)
{
    return rq->p.quanta_ns[level];
}

static void to_top(struct yl_prq *rq, struct yl_se *se)
{
    struct mlfq_rq *m = rq->priv;
    se->level = 0;
    se->slice_ns = 0;
    se->allot_left = rq->p.allotment;
    se->gen = m->gen;
}

static bool mlfq_init(struct yl_prq *rq)
{
    struct mlfq_rq *m = calloc(1, sizeof *m);
    if (!m)
        return false;
    m->next_boost = rq->p.boost_ns;
    rq->priv = m;
    return true;
}

static void mlfq_fini(struct yl_prq *rq)
{
    free(rq->priv);
}

static void push(struct mlfq_rq *m, struct yl_se *se, bool front)
{
    if (front)
        yl__list_push_front(&m->q[se->level], se);
    else
        yl__list_push(&m->q[se->level], se);
    m->bits |= 1u << se->level;
}

static void mlfq_enqueue(struct yl_prq *rq, struct yl_se *se, enum yl_enq how)
{
    struct mlfq_rq *m = rq->priv;
    if (how == YL_ENQ_NEW)
        to_top(rq, se);
    push(m, se, how == YL_ENQ_PREEMPT && se->slice_ns > 0);
}

/* A sleeper that missed a boost gets it now. */
static void mlfq_wake(struct yl_prq *rq, struct yl_se *se)
{
    struct mlfq_rq *m = rq->priv;
    if (se->gen != m->gen || !se->allot_left)
        to_top(rq, se);
}

static void mlfq_dequeue(struct yl_prq *rq, struct yl_se *se)
{
    struct mlfq_rq *m = rq->priv;
    int l = se->gen == m->gen ? se->level : 0; /* boosted while queued: at the top */
    yl__list_del(&m->q[l], se);
    if (!m->q[l].head)
        m->bits &= ~(1u << l);
    if (se->gen != m->gen)
        to_top(rq, se);
}

/* Rule 5: every queued task to the top, higher levels first, in order:
 * the lower lists are spliced behind the top one, O(levels); each task's
 * own fields catch up (to_top) when it is picked or taken out. (Unused
 * in lab 10's starter code, whose pick never boosts.) */
static __attribute__((unused)) void boost(struct yl_prq *rq)
{
    struct mlfq_rq *m = rq->priv;
    while (m->next_boost <= rq->clock)
        m->next_boost += rq->p.boost_ns;
    m->gen++;
    struct yl_list *top = &m->q[0];
    for (int l = 1; l < rq->p.queues; l++) {
        struct yl_list *q = &m->q[l];
        if (!q->head)
            continue;
        if (top->tail) {
            top->tail->next = q->head;
            q->head->prev = top->tail;
        } else {
            top->head = q->head;
        }
        top->tail = q->tail;
        q->head = q->tail = NULL;
    }
    m->bits = top->head ? 1u : 0u;
}

static struct yl_se *mlfq_pick(struct yl_prq *rq)
{
    struct mlfq_rq *m = rq->priv;
#ifndef YL_HANDOUT_LAB10
    if (rq->p.boost_ns && rq->clock >= m->next_boost)
        boost(rq);
    if (!m->bits)
        return NULL;
    struct yl_se *se = m->q[__builtin_ctz(m->bits)].head;
#else
    /* LAB 10: rule 5 first: when rq->clock (CPU run so far) has reached
     * m->next_boost and a boost period is set, boost(rq). Then rules 1
     * and 2: the head of the highest non-empty level (bit L of m->bits is
     * level L, 0 the top). This stub never boosts and takes the lowest
     * level first. */
    if (!m->bits)
        return NULL;
    struct yl_se *se = m->q[31 - __builtin_clz(m->bits)].head;
#endif
    mlfq_dequeue(rq, se);
    return se;
}

static void mlfq_put_prev(struct yl_prq *rq, struct yl_se *se, uint64_t ran, enum yl_leave why)
{
    if (why == YL_LEAVE_DONE)
        return;
    se->slice_ns += ran;
#ifndef YL_HANDOUT_LAB10
    if (why == YL_LEAVE_BLOCK && rq->p.stay) {
        se->slice_ns = 0;
        se->allot_left = rq->p.allotment;
        return;
    }
    if (se->slice_ns < quantum(rq, se->level))
        return;
    se->slice_ns = 0;
    if (se->allot_left > 1) {
        se->allot_left--;
        return;
    }
    if (se->level < rq->p.queues - 1)
        se->level++;
    se->allot_left = rq->p.allotment;
#else
    /* LAB 10: rule 4. With rq->p.stay, a task that blocked (an I/O) gets
     * a fresh quantum and allotment and stays at its level. Otherwise,
     * once its slice has reached its level's quantum, a new quantum
     * starts and it uses one of its allotment (se->allot_left); with none
     * left it moves down a level (not past the last, rq->p.queues - 1)
     * with a full allotment (rq->p.allotment). This stub only starts a
     * new quantum: round robin, nobody ever moves down. */
    (void)why;
    if (se->slice_ns >= quantum(rq, se->level))
        se->slice_ns = 0;
#endif
}

static bool mlfq_tick(struct yl_prq *rq, struct yl_se *se, uint64_t ran)
{
    struct mlfq_rq *m = rq->priv;
    if (se->slice_ns + ran >= quantum(rq, se->level))
        return true;
    return m->bits && __builtin_ctz(m->bits) < se->level;
}

static uint64_t mlfq_slice(const struct yl_prq *rq, const struct yl_se *se)
{
    return quantum(rq, se->level) - se->slice_ns;
}

const struct yl_sched_class yl_sched_mlfq = {
    .name = "mlfq", .needs_clock = true, .init = mlfq_init, .fini = mlfq_fini,
    .enqueue = mlfq_enqueue, .dequeue = mlfq_dequeue, .pick_next = mlfq_pick,
    .put_prev = mlfq_put_prev, .tick = mlfq_tick, .wake = mlfq_wake,
    .slice = mlfq_slice,
};

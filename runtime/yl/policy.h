/* policy.h - libyl's scheduling classes: which ready task runs next.
 *
 * Shaped like Linux's struct sched_class (kernel/sched/sched.h): the
 * mechanism (sched.c, ready.c) moves tasks in and out of a worker's run
 * queue and switches to them; a class only keeps the queue in its order
 * and answers "who next?" and "is the slice over?". No class holds
 * switching code. One class per file, policy_<name>.c.
 *
 * Life of a task under a class, on one worker:
 *
 *   enqueue(how)  it became runnable: new, woken, yielded, or preempted
 *   pick_next     the mechanism wants one to run: the class takes it out
 *   tick(ran)     at a preemption point (yl_safepoint) while it runs:
 *                 true means "slice over, or someone better is ready"
 *   put_prev(ran, why)  its unit ended after ran ns of CPU, because it
 *                 yielded, was preempted, blocked or finished: account
 *   slice         how much CPU the picked task may run before the
 *                 timer cuts it (preempt.c); the class still decides by
 *                 its own accounting whether the slice is over, so a cut
 *                 that comes early puts the task back at the head
 *   wake, yield   optional hooks before the enqueue of a woken task and
 *                 of a yielder (Linux's task_woken and yield_task)
 *   dequeue       take a queued task out without running it
 *
 * Time is CPU time of the worker thread (CLOCK_THREAD_CPUTIME_ID), read
 * only for classes that say needs_clock: another process on the core
 * does not make a unit look longer, and fifo's loop reads no clock.
 *
 * Preemption comes two ways. A class with a slice turns libyl's timer
 * preemption on (yl__preempt_require, preempt.c): a unit that runs past
 * its slice is cut by a signal wherever it is in the program's own code.
 * And a task may call yl_safepoint, where the class's tick is asked at
 * once: that is how a waking task takes the CPU before the running one's
 * slice is over (stcf, mlfq, prio, eevdf), since libyl looks at its
 * timers only between units.
 *
 * fifo is not run through this table: a runtime under fifo keeps the
 * inline queue.h path of the plain loop, so the layer costs it nothing
 * (yl_sched_fifo exists for the pick-cost bench and the lab's tests).
 * Under `stealing` only fifo is accepted: ready tasks move between
 * deques there, and an order kept per worker would mean nothing.
 */
#ifndef YL_POLICY_H
#define YL_POLICY_H

#include "internal.h"

enum yl_enq {
    YL_ENQ_NEW,     /* first start */
    YL_ENQ_WAKE,    /* back from a wait (timer, I/O, join, mutex, ...) */
    YL_ENQ_YIELD,   /* yl_yield */
    YL_ENQ_PREEMPT, /* yl_safepoint said its slice was over */
};

enum yl_leave {
    YL_LEAVE_YIELD,
    YL_LEAVE_PREEMPT,
    YL_LEAVE_BLOCK,
    YL_LEAVE_DONE,
};

/* A task's scheduling entity (Linux's sched_entity), kept beside the task
 * (policy.c's table, by task id), not in its 48-byte header. */
struct yl_se {
    yl_task *task;
    struct yl_se *next, *prev; /* list link (policy_list) */
    size_t hidx;               /* heap position, SIZE_MAX: in none */
    uint64_t key;              /* heap key: remaining, pass, vruntime, deadline */
    uint64_t seq;              /* enqueue order: among equal keys the older first */
    /* what the task's creator said (yl_task_set_*) */
    uint64_t hint_ns;          /* 0: no hint */
    int prio, nice;
    uint32_t tickets;
    /* what the classes keep */
    uint64_t ran_ns;           /* CPU run in all */
    uint64_t slice_ns;         /* run of the current quantum */
    uint32_t allot_left;       /* mlfq: quanta left at its level */
    uint32_t gen;              /* mlfq: the boost it has seen */
    int level;                 /* mlfq */
    uint64_t pass;             /* stride */
    uint64_t vruntime, vdeadline; /* fair, eevdf */
    int64_t vlag;              /* eevdf: lag kept over a sleep */
    uint32_t weight;           /* fair, eevdf: from nice */
    bool queued;
};

/* A binary min-heap of entities by (key, seq): O(log n). */
struct yl_heap {
    struct yl_se **v;
    size_t len, cap;
};
bool yl__heap_push(struct yl_heap *h, struct yl_se *se); /* false: out of memory */
struct yl_se *yl__heap_pop(struct yl_heap *h);            /* the least, or NULL */
void yl__heap_del(struct yl_heap *h, struct yl_se *se);   /* se must be in h */
void yl__heap_free(struct yl_heap *h);
static inline struct yl_se *yl__heap_peek(const struct yl_heap *h)
{
    return h->len ? h->v[0] : NULL;
}

/* A FIFO list of entities: O(1) at both ends and in the middle. */
struct yl_list {
    struct yl_se *head, *tail;
};
static inline void yl__list_push(struct yl_list *l, struct yl_se *se)
{
    se->next = NULL;
    se->prev = l->tail;
    if (l->tail)
        l->tail->next = se;
    else
        l->head = se;
    l->tail = se;
}
static inline void yl__list_push_front(struct yl_list *l, struct yl_se *se)
{
    se->prev = NULL;
    se->next = l->head;
    if (l->head)
        l->head->prev = se;
    else
        l->tail = se;
    l->head = se;
}
static inline void yl__list_del(struct yl_list *l, struct yl_se *se)
{
    if (se->prev)
        se->prev->next = se->next;
    else
        l->head = se->next;
    if (se->next)
        se->next->prev = se->prev;
    else
        l->tail = se->prev;
}
static inline struct yl_se *yl__list_pop(struct yl_list *l)
{
    struct yl_se *se = l->head;
    if (se)
        yl__list_del(l, se);
    return se;
}

/* One worker's run queue under a class. */
struct yl_prq {
    const struct yl_sched_class *cls;
    yl_sched_params p;         /* defaults filled in */
    uint64_t clock;            /* CPU ns run by this worker's tasks */
    uint64_t seq;              /* enqueues so far */
    size_t nr;                 /* tasks queued (the running one not counted) */
    uint64_t rng;              /* lottery */
    struct yl_se *resume;      /* cut early by the timer: runs next, unqueued */
    void *priv;                /* the class's own state */
};

struct yl_sched_class {
    const char *name;
    bool needs_clock;          /* put_prev and tick need the unit's run time */
    bool (*init)(struct yl_prq *rq);                 /* false: out of memory */
    void (*fini)(struct yl_prq *rq);
    void (*enqueue)(struct yl_prq *rq, struct yl_se *se, enum yl_enq how);
    void (*dequeue)(struct yl_prq *rq, struct yl_se *se);
    struct yl_se *(*pick_next)(struct yl_prq *rq);   /* takes it out; NULL: empty */
    void (*put_prev)(struct yl_prq *rq, struct yl_se *se, uint64_t ran_ns, enum yl_leave why);
    bool (*tick)(struct yl_prq *rq, struct yl_se *se, uint64_t ran_ns);
    /* CPU left of the picked task's slice (ns): the timer (preempt.c) is
     * set to cut it then. NULL: the class never needs the timer. */
    uint64_t (*slice)(const struct yl_prq *rq, const struct yl_se *se);
    void (*wake)(struct yl_prq *rq, struct yl_se *se);  /* may be NULL */
    void (*yield)(struct yl_prq *rq, struct yl_se *se); /* may be NULL */
};

extern const struct yl_sched_class yl_sched_fifo, yl_sched_lifo, yl_sched_prio,
    yl_sched_sjf, yl_sched_stcf, yl_sched_rr, yl_sched_mlfq, yl_sched_stride,
    yl_sched_lottery, yl_sched_fair, yl_sched_eevdf;

/* The class called name, or NULL. */
const struct yl_sched_class *yl__sched_class(const char *name);

/* Sets up rq for cls with params p (defaults filled in); false: no memory. */
bool yl__prq_init(struct yl_prq *rq, const struct yl_sched_class *cls, const yl_sched_params *p);
void yl__prq_fini(struct yl_prq *rq);

/* An entity as a new one starts: weight from nice, tickets, no history. */
void yl__se_reset(struct yl_se *se, yl_task *t);

/* Shared by the classes: the next enqueue number, an entity's heap push
 * that aborts when out of memory (a run queue cannot refuse a task). */
static inline uint64_t yl__prq_seq(struct yl_prq *rq)
{
    return ++rq->seq;
}
void yl__heap_push_or_die(struct yl_heap *h, struct yl_se *se);

/* Linux's weight of a nice level (kernel/sched/core.c's table): 1024 at 0. */
uint32_t yl__nice_weight(int nice);

/* --- the mechanism's side (policy.c) ----------------------------------- */

/* yl_run: the class named in cfg for every worker; -1 having said why. */
int yl__policy_setup(struct yl_rt *rt, const yl_config *cfg);
void yl__policy_teardown(struct yl_rt *rt);
/* YL_POLICY and the parameters' variables into cfg; -1 having said why. */
int yl__policy_from_env(yl_config *cfg);

#endif

/* policy.c - the mechanism's side of the scheduling classes (policy.h):
 * which class a run uses, each task's scheduling entity, the calls ready.c
 * and sched.c make into the class, and the cooperative preemption point.
 *
 * Entities live in a table by task id, in chunks that never move, so a
 * lookup is two loads and no lock: the task header stays 48 bytes, and a
 * run under fifo never allocates the table at all.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy.h"
#include "spin.h"

const char *const yl_policy_names[] = {"fifo", "lifo", "prio", "sjf", "stcf", "rr", "mlfq",
                                       "stride", "lottery", "fair", "eevdf", NULL};

static const struct yl_sched_class *const classes[] = {
    &yl_sched_fifo, &yl_sched_lifo,   &yl_sched_prio,   &yl_sched_sjf,
    &yl_sched_stcf, &yl_sched_rr,     &yl_sched_mlfq,   &yl_sched_stride,
    &yl_sched_lottery, &yl_sched_fair, &yl_sched_eevdf, NULL};

const struct yl_sched_class *yl__sched_class(const char *name)
{
    for (int i = 0; classes[i]; i++)
        if (strcmp(classes[i]->name, name) == 0)
            return classes[i];
    return NULL;
}

/* ---- entities by task id -------------------------------------------- */

/* The shortest slice the timer is set to: below it a cut costs more than
 * the slice (the monitor signals no unit more often than every 10 us). */
#define SLICE_MIN_NS 50000u

#define SE_CHUNK_BITS 10
#define SE_CHUNK (1u << SE_CHUNK_BITS)
#define SE_CHUNKS (1u << (32 - SE_CHUNK_BITS))

struct yl_se_tab {
    yl_spinlock lock;                /* guards making a chunk */
    struct yl_se *_Atomic chunk[SE_CHUNKS]; /* calloc'ed: untouched pages cost nothing */
};

/* t's entity, made (reset) on first use; aborts when out of memory. */
static struct yl_se *se_of(struct yl_rt *rt, yl_task *t)
{
    struct yl_se_tab *tab = rt->se_tab;
    uint32_t c = t->id >> SE_CHUNK_BITS;
    struct yl_se *ch = atomic_load_explicit(&tab->chunk[c], memory_order_acquire);
    if (!ch) {
        yl_spin_lock(&tab->lock);
        ch = atomic_load_explicit(&tab->chunk[c], memory_order_relaxed);
        if (!ch) {
            ch = calloc(SE_CHUNK, sizeof *ch);
            if (!ch) {
                yl__err("out of memory for scheduling entities");
                abort();
            }
            atomic_store_explicit(&tab->chunk[c], ch, memory_order_release);
        }
        yl_spin_unlock(&tab->lock);
    }
    struct yl_se *se = &ch[t->id & (SE_CHUNK - 1)];
    if (se->task != t)
        yl__se_reset(se, t);
    return se;
}

uint32_t yl__nice_weight(int nice)
{
    /* Linux's sched_prio_to_weight: each nice level ~1.25x the next. */
    static const uint32_t w[40] = {
        88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
        9548,  7620,  6100,  4904,  3906,  3121,  2501,  1991,  1586,  1277,
        1024,  820,   655,   526,   423,   335,   272,   215,   172,   137,
        110,   87,    70,    56,    45,    36,    29,    23,    18,    15};
    if (nice < -20)
        nice = -20;
    if (nice > 19)
        nice = 19;
    return w[nice + 20];
}

void yl__se_reset(struct yl_se *se, yl_task *t)
{
    memset(se, 0, sizeof *se);
    se->task = t;
    se->hidx = SIZE_MAX;
    se->tickets = 100;
    se->weight = 1024;
}

/* ---- what a task says about itself ----------------------------------- */

static struct yl_se *attr_se(yl_task *t)
{
    struct yl_rt *rt = yl__rt();
    if (!rt || !rt->se_tab)
        return NULL; /* fifo: nobody reads it */
    return se_of(rt, t);
}

int yl_task_set_hint(yl_task *t, uint64_t ns)
{
    struct yl_se *se = attr_se(t);
    if (se)
        se->hint_ns = ns;
    return 0;
}

int yl_task_set_prio(yl_task *t, int prio)
{
    if (prio < 0 || prio > 63) {
        errno = EINVAL;
        return -1;
    }
    struct yl_se *se = attr_se(t);
    if (se)
        se->prio = prio;
    return 0;
}

int yl_task_set_nice(yl_task *t, int nice)
{
    if (nice < -20 || nice > 19) {
        errno = EINVAL;
        return -1;
    }
    struct yl_se *se = attr_se(t);
    if (se) {
        se->nice = nice;
        se->weight = yl__nice_weight(nice);
    }
    return 0;
}

int yl_task_set_tickets(yl_task *t, uint32_t n)
{
    if (n < 1 || n > 1000000) {
        errno = EINVAL;
        return -1;
    }
    struct yl_se *se = attr_se(t);
    if (se)
        se->tickets = n;
    return 0;
}

const char *yl_policy(void)
{
    struct yl_rt *rt = yl__rt();
    return rt && rt->pol ? rt->pol->name : "fifo";
}

/* ---- the mechanism's calls -------------------------------------------- */

static uint64_t cpu_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void yl__pol_enqueue(struct yl_worker *w, yl_task *t, int how)
{
    struct yl_prq *rq = w->prq;
    struct yl_se *se = se_of(w->rt, t);
    /* Cut by the timer (wall time) while the class, counting CPU, says its
     * slice goes on and nobody better waits: it resumes at once, without
     * a trip through the queue (no new draw, no boost, no lost tie). */
    bool early = w->pol_early;
    w->pol_early = false;
    if (how == YL_ENQ_PREEMPT && early && !rq->resume) {
        rq->resume = se;
        rq->nr++;
        return;
    }
    if (how == YL_ENQ_WAKE && rq->cls->wake)
        rq->cls->wake(rq, se);
    else if (how == YL_ENQ_YIELD && rq->cls->yield)
        rq->cls->yield(rq, se);
    /* A task cut in the middle of its slice keeps its place among equals
     * (its turn goes on); any other enqueue is the newest. */
    if (how != YL_ENQ_PREEMPT || se->slice_ns == 0)
        se->seq = yl__prq_seq(rq);
    se->queued = true;
    rq->nr++;
    rq->cls->enqueue(rq, se, (enum yl_enq)how);
}

yl_task *yl__pol_pick(struct yl_worker *w)
{
    struct yl_prq *rq = w->prq;
    if (!rq->nr)
        return NULL;
    struct yl_se *se = rq->resume;
    rq->resume = NULL;
    if (!se)
        se = rq->cls->pick_next(rq);
    if (!se)
        return NULL;
    se->queued = false;
    rq->nr--;
    if (w->preempt && rq->cls->slice) {
        uint64_t left = rq->cls->slice(rq, se); /* CPU; the wall time is at least as long */
        yl__preempt_set_slice(w, left < SLICE_MIN_NS ? SLICE_MIN_NS : left);
    }
    return se->task;
}

void yl__pol_begin(struct yl_worker *w, yl_task *t)
{
    (void)t;
    w->pol_why = YL_LEAVE_YIELD;
    if (w->prq->cls->needs_clock)
        w->pol_start_ns = cpu_now_ns();
}

void yl__pol_end(struct yl_worker *w, yl_task *t)
{
    struct yl_prq *rq = w->prq;
    uint64_t ran = rq->cls->needs_clock ? cpu_now_ns() - w->pol_start_ns : 0;
    bool cut = w->pol_why == YL_LEAVE_PREEMPT || (t->run_flags & YL_R_PREEMPTED);
    enum yl_leave why = t->state == YL_TASK_READY  ? (cut ? YL_LEAVE_PREEMPT : YL_LEAVE_YIELD)
                        : t->state == YL_TASK_DONE ? YL_LEAVE_DONE
                                                   : YL_LEAVE_BLOCK;
    struct yl_se *se = se_of(w->rt, t);
    /* A cut by the timer: is it early by the class's own count? Asked
     * before put_prev, which starts the next slice when this one is over. */
    w->pol_early = why == YL_LEAVE_PREEMPT && w->pol_why != YL_LEAVE_PREEMPT &&
                   !rq->cls->tick(rq, se, ran);
    rq->clock += ran;
    rq->cls->put_prev(rq, se, ran, why);
}

/* ready.c enqueues a yielder through here: yielded, or preempted (at a
 * safepoint, or by the timer). */
int yl__pol_yield_how(const struct yl_worker *w, const yl_task *t)
{
    return w->pol_why == YL_LEAVE_PREEMPT || (t->run_flags & YL_R_PREEMPTED) ? YL_ENQ_PREEMPT
                                                                            : YL_ENQ_YIELD;
}

bool yl_safepoint(void)
{
    struct yl_worker *w = yl__tls_worker;
    if (!w || !w->prq || !w->current || w->current->state != YL_TASK_RUNNING)
        return false;
    /* What an OS's timer interrupt would let in: due sleepers wake now,
     * so an arrival or an I/O completion can take the CPU (stcf, mlfq). */
    if (yl__timers_count(w)) {
        uint64_t now = yl__now_ns();
        if (yl__timers_next_ns(w) <= now)
            yl__timers_fire(w, now);
    }
    struct yl_prq *rq = w->prq;
    uint64_t ran = rq->cls->needs_clock ? cpu_now_ns() - w->pol_start_ns : 0;
    if (!rq->cls->tick(rq, se_of(w->rt, w->current), ran))
        return false;
    w->pol_why = YL_LEAVE_PREEMPT;
    yl_yield();
    return true;
}

uint64_t yl_worker_units(void)
{
    struct yl_worker *w = yl__tls_worker;
    return w ? w->switches : 0;
}

/* ---- set-up ------------------------------------------------------------ */

bool yl__prq_init(struct yl_prq *rq, const struct yl_sched_class *cls, const yl_sched_params *p)
{
    memset(rq, 0, sizeof *rq);
    rq->cls = cls;
    rq->p = *p;
    if (!rq->p.quantum_ns)
        rq->p.quantum_ns = 10000000u;
    if (rq->p.queues <= 0)
        rq->p.queues = 3;
    if (rq->p.queues > YL_SCHED_LEVELS_MAX)
        rq->p.queues = YL_SCHED_LEVELS_MAX;
    for (int i = 0; i < YL_SCHED_LEVELS_MAX; i++)
        if (!rq->p.quanta_ns[i])
            rq->p.quanta_ns[i] = rq->p.quantum_ns;
    if (!rq->p.allotment)
        rq->p.allotment = 1;
    rq->rng = rq->p.seed ? rq->p.seed : 1;
    return cls->init ? cls->init(rq) : true;
}

void yl__prq_fini(struct yl_prq *rq)
{
    if (rq->cls && rq->cls->fini)
        rq->cls->fini(rq);
}

int yl__policy_setup(struct yl_rt *rt, const yl_config *cfg)
{
    const char *name = cfg->policy && *cfg->policy ? cfg->policy : "fifo";
    const struct yl_sched_class *cls = yl__sched_class(name);
    if (!cls) {
        yl__err("policy '%s' is not one of fifo|lifo|prio|sjf|stcf|rr|mlfq|stride|"
                "lottery|fair|eevdf", name);
        return -1;
    }
    if (cls == &yl_sched_fifo)
        return 0; /* the inline queue.h path: nothing to set up */
    if (rt->exec == YL_EXEC_STEALING) {
        yl__err("policy %s needs each worker's own queue; under stealing ready tasks "
                "move between deques: use single or sharded (or fifo)", name);
        return -1;
    }
    rt->se_tab = calloc(1, sizeof *rt->se_tab);
    if (!rt->se_tab)
        goto oom;
    for (int i = 0; i < rt->nworkers; i++) {
        struct yl_prq *rq = malloc(sizeof *rq);
        if (!rq || !yl__prq_init(rq, cls, &cfg->sched)) {
            free(rq);
            goto oom;
        }
        rt->w[i].prq = rq;
    }
    rt->pol = cls;
    if (cls->slice) /* time-sliced: the timer cuts a unit at its slice's end */
        yl__preempt_require(rt, rt->w[0].prq->p.quantum_ns);
    return 0;
oom:
    yl__err("out of memory setting up policy %s", name);
    yl__policy_teardown(rt);
    return -1;
}

void yl__policy_teardown(struct yl_rt *rt)
{
    for (int i = 0; i < rt->nworkers; i++) {
        if (rt->w[i].prq) {
            yl__prq_fini(rt->w[i].prq);
            free(rt->w[i].prq);
            rt->w[i].prq = NULL;
        }
    }
    if (rt->se_tab) {
        for (uint32_t c = 0; c < SE_CHUNKS; c++)
            free(atomic_load(&rt->se_tab->chunk[c]));
        free(rt->se_tab);
        rt->se_tab = NULL;
    }
    rt->pol = NULL;
}

/* ---- the environment ----------------------------------------------------- */

int yl__policy_from_env(yl_config *cfg)
{
    const char *s = getenv("YL_POLICY");
    if (s && *s) {
        if (!yl__sched_class(s)) {
            yl__err("YL_POLICY: '%s' is not one of fifo|lifo|prio|sjf|stcf|rr|mlfq|stride|"
                    "lottery|fair|eevdf", s);
            return -1;
        }
        cfg->policy = s;
    }
    unsigned long long v;
    int r;
    if ((r = yl__env_u64("YL_QUANTUM_US", 1, 60000000, &v)) < 0)
        return -1;
    if (r)
        cfg->sched.quantum_ns = v * 1000u;
    if ((r = yl__env_u64("YL_QUEUES", 1, YL_SCHED_LEVELS_MAX, &v)) < 0)
        return -1;
    if (r)
        cfg->sched.queues = (int)v;
    if ((r = yl__env_u64("YL_ALLOTMENT", 1, 1000000, &v)) < 0)
        return -1;
    if (r)
        cfg->sched.allotment = (unsigned)v;
    if ((r = yl__env_u64("YL_BOOST_US", 0, 3600000000ull, &v)) < 0)
        return -1;
    if (r)
        cfg->sched.boost_ns = v * 1000u;
    if ((r = yl__env_u64("YL_STAY", 0, 1, &v)) < 0)
        return -1;
    if (r)
        cfg->sched.stay = v == 1;
    if ((r = yl__env_u64("YL_SEED", 0, ULLONG_MAX, &v)) < 0)
        return -1;
    if (r)
        cfg->sched.seed = v;
    return 0;
}

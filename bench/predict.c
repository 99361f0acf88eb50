/* predict.c - the textbook schedule of a job list, one time unit at a
 * time, as OSTEP's simulators step (predict.h has the conventions). */
#include "predict.h"

#include <stdlib.h>
#include <string.h>

const char *const pred_names[] = {"fifo", "sjf", "stcf", "rr", "mlfq", "stride", NULL};

int pred_policy_of(const char *name)
{
    for (int i = 0; pred_names[i]; i++)
        if (strcmp(pred_names[i], name) == 0)
            return i;
    return -1;
}

#define STRIDE1 (1u << 20)

enum { J_FUTURE, J_READY, J_RUNNING, J_IO, J_DONE };

struct sim {
    const struct joblist *jl;
    const struct jl_params *p;
    enum pred_policy pol;
    struct {
        int state;
        uint64_t done, slice, allot, pass, io_until, gen;
        int level;
        bool ran;
    } j[JL_MAX];
    int q[JL_LEVELS][JL_MAX]; /* ready jobs per level, in order */
    size_t qn[JL_LEVELS];
    uint64_t busy, next_boost, gen, global_pass;
};

static void q_insert(struct sim *s, int level, int job, bool front)
{
    int *q = s->q[level];
    if (front) {
        memmove(q + 1, q, s->qn[level] * sizeof *q);
        q[0] = job;
    } else {
        q[s->qn[level]] = job;
    }
    s->qn[level]++;
    s->j[job].state = J_READY;
}

static void q_remove(struct sim *s, int level, size_t at)
{
    memmove(s->q[level] + at, s->q[level] + at + 1, (s->qn[level] - at - 1) * sizeof(int));
    s->qn[level]--;
}

static uint64_t quantum(const struct sim *s, int job)
{
    return s->pol == PRED_MLFQ ? s->p->quanta[s->j[job].level] : s->p->quantum;
}

static void to_top(struct sim *s, int job)
{
    s->j[job].level = 0;
    s->j[job].slice = 0;
    s->j[job].allot = s->p->allotment;
    s->j[job].gen = s->gen;
}

/* A job becomes ready: arrives (fresh) or comes back from I/O. */
static void arrive(struct sim *s, int job, bool fresh)
{
    if (s->pol == PRED_MLFQ && (fresh || s->j[job].gen != s->gen))
        to_top(s, job);
    if (s->pol == PRED_STRIDE && s->j[job].pass < s->global_pass)
        s->j[job].pass = s->global_pass;
    if (s->pol != PRED_MLFQ)
        s->j[job].slice = 0;
    q_insert(s, s->pol == PRED_MLFQ ? s->j[job].level : 0, job, false);
}

/* The key a job is chosen by: least first, ties to the earliest queued. */
static uint64_t key(const struct sim *s, int job)
{
    switch (s->pol) {
    case PRED_SJF:
        return s->jl->j[job].run;
    case PRED_STCF:
        return s->jl->j[job].run - s->j[job].done;
    case PRED_STRIDE:
        return s->j[job].pass;
    default:
        return 0;
    }
}

/* The position in level 0 of the job to run (by key), or -1. */
static long best(const struct sim *s)
{
    long b = -1;
    for (size_t i = 0; i < s->qn[0]; i++)
        if (b < 0 || key(s, s->q[0][i]) < key(s, s->q[0][b]))
            b = (long)i;
    return b;
}

static int top_level(const struct sim *s)
{
    for (int l = 0; l < (int)s->p->queues; l++)
        if (s->qn[l])
            return l;
    return -1;
}

static void boost(struct sim *s)
{
    while (s->next_boost <= s->busy)
        s->next_boost += s->p->boost;
    s->gen++;
    int all[JL_MAX];
    size_t n = 0;
    for (int l = 0; l < (int)s->p->queues; l++) {
        for (size_t i = 0; i < s->qn[l]; i++)
            all[n++] = s->q[l][i];
        s->qn[l] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        to_top(s, all[i]);
        q_insert(s, 0, all[i], false);
    }
}

static int pick(struct sim *s)
{
    if (s->pol == PRED_MLFQ) {
        if (s->p->boost && s->busy >= s->next_boost)
            boost(s);
        int l = top_level(s);
        if (l < 0)
            return -1;
        int job = s->q[l][0];
        q_remove(s, l, 0);
        return job;
    }
    long b = s->pol == PRED_FIFO || s->pol == PRED_RR ? (s->qn[0] ? 0 : -1) : best(s);
    if (b < 0)
        return -1;
    int job = s->q[0][b];
    q_remove(s, 0, (size_t)b);
    if (s->pol == PRED_STRIDE && s->j[job].pass > s->global_pass)
        s->global_pass = s->j[job].pass;
    return job;
}

/* Whether the running job gives the CPU up to a better ready one now. */
static bool preempted(const struct sim *s, int cur)
{
    if (s->pol == PRED_STCF) {
        long b = best(s);
        return b >= 0 && key(s, s->q[0][b]) < key(s, cur);
    }
    if (s->pol == PRED_MLFQ) {
        int l = top_level(s);
        return l >= 0 && l < s->j[cur].level;
    }
    return false;
}

/* MLFQ's rule 4 at the end of a quantum; stride's pass. */
static void account(struct sim *s, int cur, bool blocked)
{
    if (s->pol == PRED_STRIDE)
        s->j[cur].pass += STRIDE1 / s->jl->j[cur].tickets *
                          ((s->j[cur].slice * 64 + s->p->quantum / 2) / s->p->quantum) / 64;
    if (s->pol != PRED_MLFQ)
        return;
    if (blocked && s->p->stay) {
        s->j[cur].slice = 0;
        s->j[cur].allot = s->p->allotment;
        return;
    }
    if (s->j[cur].slice < quantum(s, cur))
        return;
    s->j[cur].slice = 0;
    if (s->j[cur].allot > 1) {
        s->j[cur].allot--;
        return;
    }
    if (s->j[cur].level < (int)s->p->queues - 1)
        s->j[cur].level++;
    s->j[cur].allot = s->p->allotment;
}

static int record(struct prediction *out, int job, uint64_t t)
{
    if (out->ns && out->s[out->ns - 1].job == (uint32_t)job && out->s[out->ns - 1].end == t) {
        out->s[out->ns - 1].end = t + 1;
        return 0;
    }
    if (out->ns == out->cap) {
        size_t cap = out->cap ? 2 * out->cap : 64;
        struct pred_slice *v = realloc(out->s, cap * sizeof *v);
        if (!v)
            return -1;
        out->s = v;
        out->cap = cap;
    }
    out->s[out->ns++] = (struct pred_slice){(uint32_t)job, t, t + 1};
    return 0;
}

int predict(const struct joblist *jl, const struct jl_params *p, enum pred_policy policy,
            struct prediction *out)
{
    memset(out, 0, sizeof *out);
    struct sim *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->jl = jl;
    s->p = p;
    s->pol = policy;
    s->next_boost = p->boost;
    size_t left = jl->n;
    int cur = -1;
    for (uint64_t t = 0; left; t++) {
        for (size_t i = 0; i < jl->n; i++)
            if (s->j[i].state == J_FUTURE && jl->j[i].start == t)
                arrive(s, (int)i, true);
        for (size_t i = 0; i < jl->n; i++)
            if (s->j[i].state == J_IO && s->j[i].io_until == t)
                arrive(s, (int)i, false);
        if (cur >= 0 && preempted(s, cur)) {
            account(s, cur, false);
            /* MLFQ: the rest of its quantum, at the head of its level. */
            q_insert(s, s->pol == PRED_MLFQ ? s->j[cur].level : 0, cur,
                     s->pol == PRED_MLFQ && s->j[cur].slice > 0);
            cur = -1;
        }
        if (cur < 0 && (cur = pick(s)) >= 0) {
            s->j[cur].state = J_RUNNING;
            if (s->pol != PRED_MLFQ && s->pol != PRED_STCF)
                s->j[cur].slice = 0;
        }
        if (cur < 0)
            continue; /* idle: everyone is in I/O or yet to come */
        if (!s->j[cur].ran) {
            s->j[cur].ran = true;
            out->job[cur].first = t;
        }
        if (record(out, cur, t) != 0) {
            free(s);
            pred_free(out);
            return -1;
        }
        s->j[cur].done++;
        s->j[cur].slice++;
        s->busy++;
        uint64_t now = t + 1;
        const struct jl_job *jb = &jl->j[cur];
        if (s->j[cur].done == jb->run) {
            s->j[cur].state = J_DONE;
            out->job[cur].end = now;
            left--;
            cur = -1;
        } else if (jb->iofreq && s->j[cur].done % jb->iofreq == 0) {
            account(s, cur, true);
            s->j[cur].state = J_IO;
            s->j[cur].io_until = now + p->io_time;
            out->job[cur].ios++;
            cur = -1;
        } else if (s->pol != PRED_FIFO && s->pol != PRED_SJF && s->pol != PRED_STCF &&
                   s->j[cur].slice >= quantum(s, cur)) {
            account(s, cur, false);
            q_insert(s, s->pol == PRED_MLFQ ? s->j[cur].level : 0, cur, false);
            cur = -1;
        }
    }
    out->end = 0;
    for (size_t i = 0; i < jl->n; i++)
        if (out->job[i].end > out->end)
            out->end = out->job[i].end;
    free(s);
    return 0;
}

void pred_free(struct prediction *out)
{
    free(out->s);
    out->s = NULL;
    out->ns = out->cap = 0;
}

uint64_t pred_response(const struct joblist *jl, const struct prediction *pr, size_t i)
{
    return pr->job[i].first - jl->j[i].start;
}

uint64_t pred_turnaround(const struct joblist *jl, const struct prediction *pr, size_t i)
{
    return pr->job[i].end - jl->j[i].start;
}

uint64_t pred_wait(const struct joblist *jl, const struct jl_params *p,
                   const struct prediction *pr, size_t i)
{
    uint64_t busy = jl->j[i].run + pr->job[i].ios * p->io_time;
    uint64_t ta = pred_turnaround(jl, pr, i);
    return ta > busy ? ta - busy : 0;
}

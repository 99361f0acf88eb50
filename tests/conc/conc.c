/* conc.c - the checks of conc.h. */
#include "conc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "deque.h"
#include "stackless.h"
#include "yl.h"

/* ---- the deque, without the runtime -------------------------------- */

struct dq_run {
    struct yl_deque dq;
    long items;
    _Atomic long taken;
    _Atomic unsigned char *seen; /* seen[i]: times item i was taken */
    _Atomic int done;            /* the owner pushed everything */
};

static void took(struct dq_run *r, struct yl_task *x)
{
    long i = (long)(uintptr_t)x - 16; /* items are 16.., never NULL or ABORT */
    atomic_fetch_add(&r->seen[i], 1);
    atomic_fetch_add(&r->taken, 1);
}

static void *thief(void *arg)
{
    struct dq_run *r = arg;
    while (atomic_load(&r->taken) < r->items) {
        struct yl_task *x = yl_deque_steal(&r->dq);
        if (x && x != YL_DEQUE_ABORT)
            took(r, x);
    }
    return NULL;
}

int conc_deque_exactly_once(int thieves, long items)
{
    struct dq_run *r = calloc(1, sizeof *r);
    r->items = items;
    r->seen = calloc((size_t)items, 1);
    pthread_t th[16];
    for (int i = 0; i < thieves; i++)
        pthread_create(&th[i], NULL, thief, r);
    /* The owner: push in bursts, take some back itself (the LIFO end). */
    long next = 0;
    while (next < items) {
        for (int k = 0; k < 64 && next < items; k++) {
            struct yl_task *x = (struct yl_task *)(uintptr_t)(next + 16);
            if (!yl_deque_push(&r->dq, x))
                break;
            next++;
        }
        for (int k = 0; k < 16; k++) {
            struct yl_task *x = yl_deque_take(&r->dq);
            if (x)
                took(r, x);
        }
    }
    struct yl_task *x;
    while ((x = yl_deque_take(&r->dq)))
        took(r, x);
    for (int i = 0; i < thieves; i++)
        pthread_join(th[i], NULL);
    int bad = 0;
    for (long i = 0; i < items; i++)
        if (r->seen[i] != 1) {
            if (bad++ < 5)
                fprintf(stderr, "deque: item %ld taken %d times\n", i, (int)r->seen[i]);
        }
    free((void *)r->seen);
    free(r);
    return bad != 0;
}

/* ---- the runtime under several workers ------------------------------ */

static yl_config cfg_for(int exec, int workers)
{
    yl_config c = {0};
    c.exec = (enum yl_exec)exec;
    c.workers = workers;
    return c;
}

static struct {
    int n;
    _Atomic int *runs;
    _Atomic int finished;
    yl_wg wg;
} storm;

static void storm_task(void *arg)
{
    int i = (int)(intptr_t)arg;
    atomic_fetch_add(&storm.runs[i], 1);
    if (i % 3 == 0)
        yl_yield();
    if (i % 7 == 0)
        yl_sleep_us(100);
    atomic_fetch_add(&storm.finished, 1);
    yl_wg_done(&storm.wg);
}

static void storm_main(void *arg)
{
    (void)arg;
    yl_wg_init(&storm.wg);
    yl_wg_add(&storm.wg, storm.n);
    for (int i = 0; i < storm.n; i++)
        if (yl_go("storm", storm_task, (void *)(intptr_t)i) != 0)
            abort();
    yl_wg_wait(&storm.wg);
}

int conc_spawn_storm(int exec, int workers, int n)
{
    storm.n = n;
    storm.runs = calloc((size_t)n, sizeof *storm.runs);
    atomic_store(&storm.finished, 0);
    yl_config c = cfg_for(exec, workers);
    int rc = yl_run(&c, storm_main, NULL);
    int bad = rc != 0;
    for (int i = 0; i < n; i++)
        if (storm.runs[i] != 1 && bad++ < 5)
            fprintf(stderr, "storm: task %d ran %d times\n", i, (int)storm.runs[i]);
    if (atomic_load(&storm.finished) != n) {
        fprintf(stderr, "storm: %d of %d finished\n", (int)storm.finished, n);
        bad++;
    }
    if (yl_get_stats().tasks_created != (uint64_t)n + 1) {
        fprintf(stderr, "storm: %llu tasks created\n", (unsigned long long)yl_get_stats().tasks_created);
        bad++;
    }
    free((void *)storm.runs);
    return bad != 0;
}

static struct {
    yl_mutex mu;
    long count; /* plain on purpose: the mutex must be what protects it */
    int rounds;
    int inside, overlaps;
} mx;

static void mx_task(void *arg)
{
    (void)arg;
    for (int r = 0; r < mx.rounds; r++) {
        yl_mutex_lock(&mx.mu);
        if (mx.inside++)
            mx.overlaps++;
        long v = mx.count;
        yl_yield(); /* hold it across a yield point, maybe a migration */
        mx.count = v + 1;
        mx.inside--;
        yl_mutex_unlock(&mx.mu);
    }
}

static void mx_main(void *arg)
{
    int tasks = (int)(intptr_t)arg;
    yl_mutex_init(&mx.mu, YL_FIFO);
    for (int i = 0; i < tasks; i++)
        yl_go("locker", mx_task, NULL);
}

int conc_mutex_excludes(int exec, int workers, int tasks, int rounds)
{
    mx.count = 0;
    mx.rounds = rounds;
    mx.inside = mx.overlaps = 0;
    yl_config c = cfg_for(exec, workers);
    int rc = yl_run(&c, mx_main, (void *)(intptr_t)tasks);
    if (rc != 0 || mx.count != (long)tasks * rounds || mx.overlaps) {
        fprintf(stderr, "mutex: rc %d, count %ld of %ld, %d overlaps\n", rc, mx.count,
                (long)tasks * rounds, mx.overlaps);
        return 1;
    }
    return 0;
}

static struct {
    yl_wg wg;
    _Atomic int woken;
} wgc;

static void wg_worker(void *arg)
{
    yl_sleep_us((uint64_t)(intptr_t)arg % 500);
    yl_wg_done(&wgc.wg);
}

static void wg_main(void *arg)
{
    (void)arg;
    for (int round = 0; round < 20; round++) {
        yl_wg_init(&wgc.wg);
        yl_wg_add(&wgc.wg, 50);
        for (int i = 0; i < 50; i++)
            yl_go("w", wg_worker, (void *)(intptr_t)(i * 37));
        yl_wg_wait(&wgc.wg);
        atomic_fetch_add(&wgc.woken, 1);
    }
}

int conc_wait_group(int exec, int workers)
{
    atomic_store(&wgc.woken, 0);
    yl_config c = cfg_for(exec, workers);
    int rc = yl_run(&c, wg_main, NULL);
    if (rc != 0 || atomic_load(&wgc.woken) != 20) {
        fprintf(stderr, "wait group: rc %d, woken %d of 20\n", rc, (int)wgc.woken);
        return 1;
    }
    return 0;
}

/* ---- stackless tasks under several workers ---------------------------- */

static struct {
    int n;
    _Atomic int *runs;
    _Atomic int children, waiters_woken;
    yl_mutex mu;
    long count; /* plain: the mutex protects it */
    int inside, overlaps;
    yl_wg wg;
} sls;

struct child_frame {
    yl_pc pc;
};

static yl_poll child_poll(void *frame)
{
    struct child_frame *f = frame;
    YL_BEGIN(f);
    YL_YIELD(f);
    atomic_fetch_add(&sls.children, 1);
    YL_END(f);
}

static YL_SL_DEF(child_def, "child", child_poll, struct child_frame);

struct storm_frame {
    yl_pc pc;
    int i;
    long v;        /* read before a yield, written after: lives in the frame */
    yl_task *child;
};

static yl_poll storm_poll(void *frame)
{
    struct storm_frame *f = frame;
    YL_BEGIN(f);
    atomic_fetch_add(&sls.runs[f->i], 1);
    if (f->i % 3 == 0)
        YL_YIELD(f);
    if (f->i % 7 == 0)
        YL_AWAIT(f, yl_sl_sleep_us(100));
    YL_AWAIT(f, yl_sl_mutex_lock(&sls.mu));
    if (sls.inside++)
        sls.overlaps++;
    f->v = sls.count;
    if (f->i % 5 == 0)
        YL_YIELD(f); /* hold it across a yield point, maybe a migration */
    sls.count = f->v + 1;
    sls.inside--;
    yl_mutex_unlock(&sls.mu);
    if (f->i % 11 == 0) {
        f->child = yl_sl_spawn(&child_def, NULL);
        if (!f->child)
            abort();
        YL_AWAIT(f, yl_sl_join(f->child));
    }
    yl_wg_done(&sls.wg);
    YL_END(f);
}

static YL_SL_DEF(storm_def, "sl-storm", storm_poll, struct storm_frame);

struct waiter_frame {
    yl_pc pc;
};

static yl_poll waiter_poll(void *frame)
{
    struct waiter_frame *f = frame;
    YL_BEGIN(f);
    YL_AWAIT(f, yl_sl_wg_wait(&sls.wg));
    atomic_fetch_add(&sls.waiters_woken, 1);
    YL_END(f);
}

static YL_SL_DEF(waiter_def, "sl-waiter", waiter_poll, struct waiter_frame);

static void sls_main(void *arg)
{
    (void)arg;
    yl_wg_init(&sls.wg);
    yl_wg_add(&sls.wg, sls.n);
    yl_mutex_init(&sls.mu, YL_FIFO);
    yl_task *w[4];
    for (int k = 0; k < 4; k++)
        if (!(w[k] = yl_sl_spawn(&waiter_def, NULL)))
            abort();
    for (int i = 0; i < sls.n; i++) {
        struct storm_frame init = {.i = i};
        if (yl_sl_go(&storm_def, &init) != 0)
            abort();
    }
    yl_wg_wait(&sls.wg); /* a stackful waiter on the same group */
    atomic_fetch_add(&sls.waiters_woken, 1);
    for (int k = 0; k < 4; k++)
        yl_join(w[k]); /* a stackful task joins stackless ones */
}

int conc_stackless_storm(int exec, int workers, int n)
{
    sls.n = n;
    sls.runs = calloc((size_t)n, sizeof *sls.runs);
    atomic_store(&sls.children, 0);
    atomic_store(&sls.waiters_woken, 0);
    sls.count = 0;
    sls.inside = sls.overlaps = 0;
    yl_config c = cfg_for(exec, workers);
    int rc = yl_run(&c, sls_main, NULL);
    int bad = rc != 0;
    for (int i = 0; i < n; i++)
        if (sls.runs[i] != 1 && bad++ < 5)
            fprintf(stderr, "stackless storm: task %d ran %d times\n", i, (int)sls.runs[i]);
    int kids = (n + 10) / 11;
    if (sls.count != n || sls.overlaps || atomic_load(&sls.children) != kids ||
        atomic_load(&sls.waiters_woken) != 5) {
        fprintf(stderr, "stackless storm: rc %d, count %ld of %d, %d overlaps, %d of %d "
                "children, %d of 5 waiters woken\n", rc, sls.count, n, sls.overlaps,
                (int)sls.children, kids, (int)sls.waiters_woken);
        bad++;
    }
    free((void *)sls.runs);
    return bad != 0;
}

static void idle_main(void *arg)
{
    yl_sleep_ms((uint64_t)(intptr_t)arg);
}

static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

double conc_idle_cpu_ms(int sleep_ms)
{
    yl_config c = cfg_for(YL_EXEC_STEALING, 2);
    double before = cpu_ms();
    if (yl_run(&c, idle_main, (void *)(intptr_t)sleep_ms) != 0)
        return 1e9;
    return cpu_ms() - before;
}

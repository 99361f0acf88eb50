/* monitor.c - the thread that notices a unit running past its quantum, as
 * Go's sysmon does, and signals its worker (tgkill).
 *
 * Why a monitor thread and not a CPU-time timer per worker
 * (timer_create(CLOCK_THREAD_CPUTIME_ID) with SIGEV_THREAD_ID): such a
 * timer measures the whole thread, scheduler included, so it would have
 * to be re-armed at every unit start to mean "this unit ran Q", and
 * timer_settime is a system call on the hot path of every switch. Measured
 * on the lab's 2-core VM (a Firecracker guest, loaded; /tmp test loops of
 * 20000 calls): timer_settime 1.7-4.7 µs a call, getpid 0.7-1.8 µs,
 * against a yield of 10-20 ns (tasks/preempt --what yield); publishing a
 * unit for the monitor costs one clock read (clock_gettime, 140 ns on that
 * guest, 20-30 ns where the vDSO reads the TSC) and four stores, and only
 * while preemption is on. The monitor costs a wake-up per quantum (per
 * unit that overran, at most), on a spare CPU when there is one. A
 * monitor also sees wall time, which is what a ticker's lateness is made
 * of: a unit descheduled by the kernel still
 * holds its worker.
 *
 * Each trip: for every worker, read its unit (a sequence lock, see
 * internal.h); a stackful unit past start + slice gets the signal, again
 * every quarter quantum while it keeps running (the handler turns a signal
 * down when it lands in libc or libyl: the next may find a safe point); a
 * stackless one is counted once. Then sleep until the earliest deadline.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "preempt.h"

#define RETRY_MIN_NS 10000u /* never signal one unit more often than every 10 µs */

struct watch {               /* the monitor's own record of one worker */
    uint64_t seq;            /* the unit it last acted on */
    uint64_t sent_ns;        /* when it last signalled that unit */
    bool counted;            /* that stackless unit's overrun is counted */
};

struct yl_monitor {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;       /* CLOCK_MONOTONIC: yl__monitor_stop wakes it */
    bool stop;
    _Atomic uint64_t signals, stackless;
    struct watch *watch;     /* [nworkers] */
};

/* One worker's running unit, consistent; false when none runs. */
static bool read_unit(struct yl_worker *w, uint64_t *seq, uint64_t *start, uint64_t *slice,
                      bool *stackless)
{
    for (;;) {
        uint64_t s1 = atomic_load_explicit(&w->pre_seq, memory_order_acquire);
        if (!(s1 & 1))
            return false;
        *start = atomic_load_explicit(&w->pre_start_ns, YL_RELAXED);
        *slice = atomic_load_explicit(&w->pre_slice_ns, YL_RELAXED);
        *stackless = atomic_load_explicit(&w->pre_kind_stackless, YL_RELAXED);
        yl_fence_acquire();
        if (atomic_load_explicit(&w->pre_seq, YL_RELAXED) == s1) {
            *seq = s1;
            return true;
        }
    }
}

/* Looks at w once; returns when to look again. */
static uint64_t check(struct yl_monitor *m, struct yl_worker *w, struct watch *wa,
                      uint64_t now, pid_t pid)
{
    uint64_t seq, start, slice;
    bool stackless;
    if (!read_unit(w, &seq, &start, &slice, &stackless))
        return now + w->rt->preempt_ns;
    if (seq != wa->seq) {
        wa->seq = seq;
        wa->sent_ns = 0;
        wa->counted = false;
    }
    uint64_t due = start + slice;
    if (now < due)
        return due;
    if (stackless) {
        if (!wa->counted)
            atomic_fetch_add_explicit(&m->stackless, 1, memory_order_relaxed);
        wa->counted = true;
        return now + slice; /* it ends when it ends; look at the next unit */
    }
    uint64_t retry = slice / 4 > RETRY_MIN_NS ? slice / 4 : RETRY_MIN_NS;
    if (wa->sent_ns && now < wa->sent_ns + retry)
        return wa->sent_ns + retry;
    int tid = atomic_load_explicit(&w->tid, memory_order_relaxed);
    if (!tid)
        return now + retry;
    atomic_store_explicit(&w->pre_target, seq, memory_order_relaxed);
    syscall(SYS_tgkill, pid, tid, YL_PREEMPT_SIGNAL);
    atomic_fetch_add_explicit(&m->signals, 1, memory_order_relaxed);
    wa->sent_ns = now;
    return now + retry;
}

static void *monitor_thread(void *arg)
{
    struct yl_rt *rt = arg;
    struct yl_monitor *m = rt->mon;
    /* Its signal is the workers' business only. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, YL_PREEMPT_SIGNAL);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pid_t pid = getpid();
    pthread_mutex_lock(&m->mu);
    while (!m->stop) {
        uint64_t now = yl__now_ns(), next = UINT64_MAX;
        for (int i = 0; i < rt->nworkers; i++) {
            uint64_t t = check(m, &rt->w[i], &m->watch[i], now, pid);
            next = t < next ? t : next;
        }
        struct timespec ts = {.tv_sec = (time_t)(next / 1000000000u),
                              .tv_nsec = (long)(next % 1000000000u)};
        while (!m->stop && pthread_cond_timedwait(&m->cv, &m->mu, &ts) == EINTR)
            ;
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

int yl__monitor_start(struct yl_rt *rt)
{
    if (!rt->preempt_ns)
        return 0;
    struct yl_monitor *m = calloc(1, sizeof *m);
    struct watch *wa = calloc((size_t)rt->nworkers, sizeof *wa);
    if (!m || !wa) {
        free(m);
        free(wa);
        yl__err("preemption: out of memory for the monitor");
        return -1;
    }
    m->watch = wa;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&m->mu, NULL);
    rt->mon = m;
    int err = pthread_create(&m->thread, NULL, monitor_thread, rt);
    if (err) {
        yl__err("preemption: cannot start the monitor thread: %s", strerror(err));
        rt->mon = NULL;
        pthread_cond_destroy(&m->cv);
        pthread_mutex_destroy(&m->mu);
        free(wa);
        free(m);
        return -1;
    }
    return 0;
}

void yl__monitor_stop(struct yl_rt *rt)
{
    struct yl_monitor *m = rt->mon;
    if (!m || m->stop)
        return;
    pthread_mutex_lock(&m->mu);
    m->stop = true;
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->thread, NULL);
}

void yl__monitor_stats(const struct yl_rt *rt, uint64_t *signals, uint64_t *stackless)
{
    struct yl_monitor *m = rt->mon;
    *signals = m ? atomic_load_explicit(&m->signals, memory_order_relaxed) : 0;
    *stackless = m ? atomic_load_explicit(&m->stackless, memory_order_relaxed) : 0;
}

/* After yl__monitor_stop, with the statistics taken. */
void yl__monitor_free(struct yl_rt *rt)
{
    struct yl_monitor *m = rt->mon;
    if (!m)
        return;
    pthread_cond_destroy(&m->cv);
    pthread_mutex_destroy(&m->mu);
    free(m->watch);
    free(m);
    rt->mon = NULL;
}

/* sched.c - workers, the switches in and out of tasks, and yl_run.
 *
 * Every switch goes through the worker's scheduler loop (task -> scheduler
 * -> task), as xv6 does: the loop runs on the thread's own stack, so it can
 * finish what a task could not do on its own stack — free that stack,
 * publish a blocked task only once it is fully switched out — and a task
 * never needs to know who runs next. Where ready tasks go and where a
 * worker looks for the next one is the executor's business (ready.c).
 * A stackless task needs no switch at all: the loop calls its poll
 * function, and what a fiber does at its switch-out (blocked: publish it
 * to its waker) the loop does when the poll returns.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"
#include "phases.h"
#include "policy.h"
#include "san.h"
#include "spin.h"
#include "stackless.h"

/* Ready tasks run first; timers and fds are looked at when nothing is
 * ready, after a unit armed a timer, and every YL_CHECK_EVERY units
 * (internal.h). In between, a trip around the loop reads no clock and
 * makes no system call. */
#ifdef YL_PHASES
struct yl_phase_log yl_phase_log;
#endif

static struct yl_rt *the_rt;
static yl_stats last_stats; /* what yl_get_stats reports after yl_run */
static const yl_tracer *_Atomic default_tracer; /* yl_set_tracer */

void yl_set_tracer(const yl_tracer *t)
{
    default_tracer = t;
}

struct yl_rt *yl__rt(void)
{
    return the_rt;
}

/* A runtime call from outside any task is a programming error: say so
 * clearly instead of crashing on a NULL worker. */
static struct yl_worker *worker_or_die(const char *fn)
{
    struct yl_worker *w = yl__worker();
    if (!w || !w->current) {
        yl__err("%s called outside a task (only inside yl_run)", fn);
        abort();
    }
    return w;
}

/* ---- switching ------------------------------------------------------- */

/* Leaves the running fiber for the scheduler loop. The task's state says
 * what happens to it there; returns when the task is resumed, possibly by
 * another worker thread. */
void yl__switch_out(struct yl_fiber *f)
{
    struct yl_worker *w = yl__worker();
    /* A finished task's stack is never resumed: NULL lets ASan drop its
     * fake stack instead of keeping it for a return that never comes. */
    yl_san_start_switch(f->t.state == YL_TASK_DONE ? NULL : &f->asan_fake_stack,
                        w->sched_stack_lo, w->sched_stack_size);
    yl_tsan_switch(w->tsan_sched_fiber);
    yl_ctx_switch(&f->ctx, &w->sched_ctx);
    w = yl__worker(); /* re-read: we may be on another thread now */
    yl_san_finish_switch(f->asan_fake_stack, &w->sched_stack_lo, &w->sched_stack_size);
}

/* The running task has set its state (ready, blocked, done): a fiber
 * switches out now; a stackless task has nothing to switch, its poll
 * function returns YL_PENDING up to run_unit, which then does the same
 * bookkeeping a switch-out would. */
static void suspend(yl_task *t)
{
    if (t->kind == YL_STACKFUL)
        yl__switch_out(yl__fiber(t));
}

/* First code on a new task's stack (called by the trampoline). */
static void task_entry(void *arg)
{
    struct yl_fiber *f = arg;
    struct yl_worker *w = yl__worker();
    yl_san_finish_switch(NULL, &w->sched_stack_lo, &w->sched_stack_size);
    f->fn(f->arg);
}

/* Where a task's function returns to: it never comes back from here. */
static void task_exit(void *arg)
{
    struct yl_fiber *f = arg;
    f->t.state = YL_TASK_DONE;
    yl__switch_out(f);
    yl__err("finished task %s was resumed", f->name);
    abort();
}

void yl__task_prepare(struct yl_fiber *f)
{
    yl_ctx_make(&f->ctx, f->stack_lo, f->stack_size, task_entry, f, task_exit, f);
    f->tsan_fiber = yl_tsan_create();
}

/* One poll of a stackless task, on the worker's own stack. */
static void poll_unit(yl_task *t)
{
    void *frame = (char *)t + sizeof *t;
    if (t->def->poll(frame) == YL_READY) {
        if (t->state != YL_TASK_RUNNING) {
            yl__err("stackless task %s returned YL_READY while still waiting for "
                    "something (an awaitable called outside YL_AWAIT?)", t->def->name);
            abort();
        }
        t->state = YL_TASK_DONE;
    } else if (t->state == YL_TASK_RUNNING) {
        yl__err("stackless task %s returned YL_PENDING without waiting for anything: "
                "nothing would ever wake it", t->def->name);
        abort();
    }
}

static void look_around(struct yl_worker *w);

/* Runs t for one unit: until it yields, blocks or finishes. Inlined into
 * the loop, so the switch back lands in the loop itself: no return
 * follows it, and the CPU's return predictor (which a switch between
 * stacks always confuses) is never asked. `plain` (a constant: each loop
 * is compiled twice, see worker_loop) is the single executor without a
 * tracer, which needs none of the per-unit records: no trace stamps, no
 * unit count (only the trace's labels read it), no migration count (one
 * worker), and the yielder goes straight back into the one FIFO. */
static inline __attribute__((always_inline)) void run_unit(struct yl_worker *w, yl_task *t,
                                                           bool plain)
{
    w->current = t;
    t->state = YL_TASK_RUNNING;
    w->switches++;
    const yl_tracer *tracer = NULL;
    if (!plain) {
        if (t->units && t->last_worker != w->index)
            w->migrations++;
        t->last_worker = (int8_t)w->index;
        tracer = w->rt->tracer;
        if (tracer)
            w->unit_cpu = sched_getcpu();
        if (tracer || w->preempt)
            w->unit_start_ns = yl__now_ns();
        if (w->prq)
            yl__pol_begin(w, t);
        if (w->preempt)
            yl__preempt_unit_begin(w, t, w->unit_start_ns);
    }
    if (__builtin_expect(t->kind == YL_STACKLESS, 0)) {
        poll_unit(t);
    } else {
        struct yl_fiber *f = yl__fiber(t);
        yl_san_start_switch(&w->sched_fake_stack, f->stack_lo, f->stack_size);
        yl_tsan_switch(f->tsan_fiber);
        YL_PHASE(YL_PH_ENTER);
        yl_ctx_switch(&w->sched_ctx, &f->ctx);
        YL_PHASE(YL_PH_ARRIVED);
        yl_san_finish_switch(w->sched_fake_stack, NULL, NULL);
    }
    if (!plain && w->preempt)
        yl__preempt_unit_end(w);
#ifdef YL_PHASES
    if (t->state != YL_TASK_READY || t->kind != YL_STACKFUL)
        yl_phase_log.armed = 0; /* not a yield: its stamps mean nothing */
#endif
    w->current = NULL;
    if (!plain) {
        if (w->prq)
            yl__pol_end(w, t); /* the class accounts the unit (put_prev) */
        if (tracer) {
            yl_unit u = {.task = yl_task_name(t), .seq = t->units, .worker = w->index,
                         .cpu = w->unit_cpu, .start_ns = w->unit_start_ns,
                         .end_ns = yl__now_ns()};
            tracer->unit(w->rt->trace_state, &u);
        }
        t->units++;
    }
    YL_PHASE(YL_PH_KEPT);
    if (__builtin_expect(t->state == YL_TASK_READY, 1)) { /* yl_yield */
        if (plain) {
            yl__q_push(&w->runq, t);
        } else {
            /* Cut by the timer: as on the kernel's tick, the timers and fds
             * that fell due during the slice are made ready first, so they
             * run before the task that was cut, not a whole slice later. */
            if (t->run_flags & YL_R_PREEMPTED)
                look_around(w);
            yl__requeue_yielded_fast(w, t);
        }
        YL_PHASE(YL_PH_QUEUED);
    } else if (t->state == YL_TASK_DONE) {
        yl__task_finished(w, t);
    } else if (w->unlock_after) {
        /* Blocked: whoever holds it (timer, joinee, wait group) wakes it.
         * Now that t is fully switched out (or its poll returned), a waker
         * may have it. */
        yl_spin_unlock(w->unlock_after);
        w->unlock_after = NULL;
    }
}

yl_task *yl__current_for_wait(const char *fn)
{
    struct yl_worker *w = worker_or_die(fn);
    yl_task *t = w->current;
    if (t->state != YL_TASK_RUNNING) {
        yl__err("%s: task %s already waits for something in this poll (a stackless "
                "task waits only through YL_AWAIT, once per poll)", fn, yl_task_name(t));
        abort();
    }
    return t;
}

void yl__require_stackful(const char *fn)
{
    struct yl_worker *w = worker_or_die(fn);
    if (w->current->kind != YL_STACKFUL) {
        yl__err("%s is for stackful tasks; stackless task %s must use its yl_sl_* "
                "counterpart", fn, yl_task_name(w->current));
        abort();
    }
}

void yl__block(void)
{
    yl_task *t = yl__current_for_wait("a blocking call");
    t->state = YL_TASK_BLOCKED;
    suspend(t);
}

void yl__block_unlock(yl_spinlock *l)
{
    yl_task *t = yl__current_for_wait("a blocking call");
    t->state = YL_TASK_BLOCKED;
    yl__worker()->unlock_after = l;
    suspend(t);
}

/* ---- yield points ---------------------------------------------------- */

#ifdef YL_PHASES
/* B is back in yl_yield: the yield that led here is complete. */
static void phases_resumed(void)
{
    YL_PHASE(YL_PH_RESUMED);
    struct yl_phase_log *l = &yl_phase_log;
    if (!l->armed)
        return;
    for (int k = 1; k < YL_PH_N; k++) {
        uint64_t d = l->ts[k] - l->ts[k - 1];
        l->sum[k] += d;
        l->hist[k][d < YL_PH_HIST ? d : YL_PH_HIST - 1]++;
    }
    l->yields++;
    l->armed = 0;
}
#endif

/* yl_yield's other cases: called outside a task (aborts, saying why), or
 * from a stackless task, whose poll function then returns YL_PENDING to
 * run_unit. */
static __attribute__((noinline)) void yield_slow(yl_task *t)
{
    if (!t || t->state != YL_TASK_RUNNING)
        t = yl__current_for_wait("yl_yield");
    t->state = YL_TASK_READY;
    if (t->kind == YL_STACKFUL)
        yl__switch_out(yl__fiber(t));
}

void yl_yield(void)
{
    /* The thread's worker, read inline: nothing before this in yl_yield is
     * a yield point, so it cannot be another thread's (internal.h). */
    struct yl_worker *w = yl__tls_worker;
    yl_task *t = w ? w->current : NULL;
#if !defined(YL_ASAN) && !defined(YL_TSAN) && !defined(YL_PHASES)
    /* state and kind are neighbours in the header: one compare of both. */
    if (__builtin_expect(t && t->state == YL_TASK_RUNNING && t->kind == YL_STACKFUL, 1)) {
        t->state = YL_TASK_READY;
        /* The switch is this function's last act (a tail call: it compiles
         * to a jump), so the saved return address is our caller's.
         * Resumed, the task goes straight back into its own code without a
         * return whose target the CPU would mispredict; the sanitizers,
         * which must be told once the switch is back, take the longer way
         * below. */
        yl_ctx_switch(&yl__fiber(t)->ctx, &w->sched_ctx);
        return;
    }
    yield_slow(t);
#else
#ifdef YL_PHASES
    yl_phase_log.armed = 1;
    YL_PHASE(YL_PH_YIELD);
#endif
    yield_slow(t);
#ifdef YL_PHASES
    phases_resumed();
#endif
#endif
}

/* ---- the loop -------------------------------------------------------- */

static uint64_t timer_timeout(struct yl_worker *w)
{
    uint64_t next = yl__timers_next_ns(w);
    if (next == UINT64_MAX)
        return UINT64_MAX;
    uint64_t now = yl__now_ns();
    return next > now ? next - now : 0;
}

/* Due timers join the ready (in deadline order), then fd events and file
 * completions, without blocking; the countdown starts again. */
static __attribute__((noinline)) void look_around(struct yl_worker *w)
{
    w->until_check = YL_CHECK_EVERY;
    if (yl__timers_count(w))
        yl__timers_fire(w, yl__now_ns());
    if (yl__io_pending(w))
        yl__io_poll(w, 0);
}

/* Every task is blocked and nothing pending can wake one: the run fails. */
static void deadlock(struct yl_rt *rt)
{
    yl__err("deadlock: %llu task(s) blocked with no timer or I/O pending",
            (unsigned long long)atomic_load(&rt->live));
    atomic_store(&rt->failed, true);
    atomic_store(&rt->done, true);
}

/* The calling worker goes to sleep with no timer and no I/O pending, and
 * counts itself idle. Nothing can wake such a worker but another worker's
 * task, so once every worker is so, none runs a task; if nothing is ready
 * either, nothing ever will be: a deadlock. The last one to count itself
 * sees every push the others made before they counted, but a worker may
 * still be woken for one of them and take it from its queue while this
 * one looks; a woken worker bumps idle_wakes before it leaves the count,
 * so the look is trusted only when no worker woke meanwhile. */
static bool idle_and_deadlocked(struct yl_rt *rt)
{
    uint64_t wakes = atomic_load(&rt->idle_wakes);
    if (atomic_fetch_add(&rt->idle_empty, 1) + 1 != rt->nworkers || atomic_load(&rt->done))
        return false;
    bool ready = yl__any_ready(rt);
    return !ready && atomic_load(&rt->idle_empty) == rt->nworkers &&
           atomic_load(&rt->idle_wakes) == wakes;
}

/* The loop, compiled twice (plain: see run_unit). */
static inline __attribute__((always_inline)) void worker_loop_as(struct yl_worker *w, bool plain)
{
    struct yl_rt *rt = w->rt;
    for (;;) {
        if (__builtin_expect(--w->until_check == 0, 0))
            look_around(w);
        YL_PHASE(YL_PH_CHECKED);
        yl_task *t = plain ? yl__q_pop(&w->runq) : yl__next_task_fast(w);
        if (__builtin_expect(t != NULL, 1)) {
            YL_PHASE(YL_PH_PICKED);
            run_unit(w, t, plain);
            continue;
        }
        /* Nothing ready: the timers may have some. */
        if (yl__timers_count(w)) {
            yl__timers_fire(w, yl__now_ns());
            if ((t = yl__next_task(w))) {
                run_unit(w, t, plain);
                continue;
            }
        }
        if (atomic_load(&rt->done))
            return;
        w->until_check = YL_CHECK_EVERY;
        if (rt->nworkers == 1) {
            if (!yl__timers_count(w) && !yl__io_pending(w)) {
                deadlock(rt);
                return;
            }
            yl__io_poll(w, timer_timeout(w)); /* the kernel wakes us: no spinning */
            continue;
        }
        /* Park: announce it, then look once more, so that work published
         * between the first look and the announcement is not slept on. */
        yl__park_announce(w);
        t = yl__next_task(w);
        if (t) {
            atomic_store(&w->parked, false);
            run_unit(w, t, plain);
            continue;
        }
        if (atomic_load(&rt->done)) {
            atomic_store(&w->parked, false);
            return;
        }
        bool empty = !yl__timers_count(w) && !yl__io_pending(w);
        if (empty && idle_and_deadlocked(rt)) {
            atomic_store(&w->parked, false);
            deadlock(rt);
            yl__wake_all(rt);
            return;
        }
        yl__io_poll(w, timer_timeout(w));
        if (empty) {
            atomic_fetch_add(&rt->idle_wakes, 1); /* first: see idle_and_deadlocked */
            atomic_fetch_sub(&rt->idle_empty, 1);
        }
        atomic_store(&w->parked, false);
    }
}

static __attribute__((noinline)) void worker_loop_plain(struct yl_worker *w)
{
    worker_loop_as(w, true);
}

static __attribute__((noinline)) void worker_loop_full(struct yl_worker *w)
{
    worker_loop_as(w, false);
}

/* The tracer, the executor and preemption are fixed for the whole run:
 * choose the loop once, so no trip around it asks again. The plain loop
 * never looks at preemption: with it off, a yield costs what it did. */
static void worker_loop(struct yl_worker *w)
{
    /* Set here, not in the loop: a loop that knew the value would keep the
     * countdown in a register on its first trip and load, subtract and
     * store it on every other one instead of one subtract in memory. */
    w->until_check = 1;
    if (w->rt->exec == YL_EXEC_SINGLE && !w->rt->tracer && !w->preempt && !w->prq)
        worker_loop_plain(w);
    else
        worker_loop_full(w);
}

static void worker_init_thread(struct yl_worker *w)
{
    yl__set_worker(w);
    w->tsan_sched_fiber = yl_tsan_current();
    if (w->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(w->cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            yl__err("worker %d: cannot pin to CPU %d: %s", w->index, w->cpu, strerror(errno));
    }
}

static void *worker_thread(void *arg)
{
    struct yl_worker *w = arg;
    worker_init_thread(w);
    if (yl__preempt_thread_start(w) != 0) {
        /* no signal stack: this worker could not be preempted safely */
        atomic_store(&w->rt->failed, true);
        atomic_store(&w->rt->done, true);
        yl__wake_all(w->rt);
    }
    worker_loop(w);
    yl__preempt_thread_stop(w);
    yl__set_worker(NULL);
    return NULL;
}

static int worker_setup(struct yl_rt *rt, int i, const int *cpus, int ncpus)
{
    struct yl_worker *w = &rt->w[i];
    w->index = i;
    w->rt = rt;
    w->cpu = ncpus ? cpus[i % ncpus] : -1;
    w->rng = 2654435761u * (uint32_t)(i + 1);
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = (void *)&yl__wake_tag};
    if (w->epfd < 0 || w->wakefd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev) != 0) {
        yl__err("worker %d: cannot set up epoll: %s", i, strerror(errno));
        return -1;
    }
    if (!yl__timers_init(w)) {
        yl__err("worker %d: out of memory for its timers", i);
        return -1;
    }
    return 0;
}

static void worker_teardown(struct yl_worker *w)
{
    yl__pool_stop(w);
    yl__timers_teardown(w);
    if (w->epfd >= 0)
        close(w->epfd);
    if (w->wakefd >= 0)
        close(w->wakefd);
}

/* The counters of a runtime (the workers' own ones are read racily while
 * it runs: they are statistics). */
static yl_stats collect_stats(struct yl_rt *rt)
{
    yl_stats st = {.tasks_created = atomic_load(&rt->next_id),
                   .tasks_live = atomic_load(&rt->allocated)};
    for (int i = 0; i < rt->nworkers; i++) {
        st.switches += rt->w[i].switches;
        st.steals += rt->w[i].steals;
        st.migrations += rt->w[i].migrations;
        st.preemptions += rt->w[i].preemptions;
        st.preempt_deferred += atomic_load_explicit(&rt->w[i].preempt_deferred,
                                                    memory_order_relaxed);
    }
    yl__monitor_stats(rt, &st.preempt_signals, &st.preempt_stackless);
    if (rt->slab)
        st.task_bytes = yl__slab_live_bytes(rt->slab);
    if (rt->stacks)
        yl__stacks_stats(rt->stacks, &st.stacks_carved, &st.stacks_reused);
    return st;
}

int yl__parse_cpus(const char *s, int *out, int max); /* config.c */
int yl__default_workers(void);

static int run(const yl_config *cfg, yl_fn main_fn, void *arg);
static _Atomic bool running; /* a yl_run is under way, on some thread */

int yl_run(const yl_config *cfg, yl_fn main_fn, void *arg)
{
    if (yl__worker()) {
        yl__err("yl_run: the runtime is already running on this thread");
        return -1;
    }
    /* One runtime per process at a time: the_rt, the tracer and the
     * statistics are process-wide. */
    bool idle = false;
    if (!atomic_compare_exchange_strong(&running, &idle, true)) {
        yl__err("yl_run: a runtime is already running in this process, on another "
                "thread; one yl_run at a time");
        return -1;
    }
    int rc = run(cfg, main_fn, arg);
    atomic_store(&running, false);
    return rc;
}

/* yl_run proper, once it is the only one. */
static int run(const yl_config *cfg, yl_fn main_fn, void *arg)
{
    yl_config c = cfg ? *cfg : (yl_config){0};
    if (yl_config_from_env(&c) != 0)
        return -1;
    int cpus[YL_MAX_WORKERS], ncpus = 0;
    if (c.cpus && (ncpus = yl__parse_cpus(c.cpus, cpus, YL_MAX_WORKERS)) < 0)
        return -1;
    int n = 1;
    if (c.exec != YL_EXEC_SINGLE)
        n = c.workers > 0 ? c.workers : ncpus > 0 ? ncpus : yl__default_workers();
    if (n > YL_MAX_WORKERS) {
        yl__err("%d workers asked for; at most %d", n, YL_MAX_WORKERS);
        return -1;
    }

    struct yl_rt *rt = calloc(1, sizeof *rt);
    struct yl_worker *ws = rt ? calloc((size_t)n, sizeof *ws) : NULL;
    if (!ws) {
        free(rt);
        yl__err("out of memory");
        return -1;
    }
    rt->exec = c.exec;
    rt->timers = c.timers == YL_TIMERS_HEAP ? YL_TIMERS_HEAP : YL_TIMERS_WHEEL;
    rt->nworkers = n;
    rt->w = ws;
    rt->default_stack = c.stack_size ? c.stack_size : 64 * 1024;
    rt->preempt_ns = c.preempt_us * 1000;
    for (int i = 0; i < n; i++)
        ws[i].epfd = ws[i].wakefd = -1;
    int rc = -1, started = 1;
    const char *model = c.trace_model ? c.trace_model : "tasks";
    rt->slab = yl__slab_new();
    rt->stacks = yl__stacks_new(!c.stack_unguarded);
    cpu_set_t saved;
    bool restore_mask = ncpus > 0 && sched_getaffinity(0, sizeof saved, &saved) == 0;
    pthread_t self = pthread_self();

    if (!rt->slab || !rt->stacks) {
        yl__err("out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++)
        if (worker_setup(rt, i, cpus, ncpus) != 0)
            goto out;
    if (yl__io_shared_setup(rt) != 0)
        goto out;
    if (yl__policy_setup(rt, &c) != 0)
        goto out;
    if (c.trace_path) {
        const yl_tracer *tr = c.tracer ? c.tracer : default_tracer;
        if (!tr) {
            yl__err("a trace was asked for (%s) but no tracer is set: link bench's "
                    "trace writer (bench/yltrace.c) or set yl_config.tracer", c.trace_path);
            goto out;
        }
        if (!(rt->trace_state = tr->open(c.trace_path, model))) {
            yl__err("cannot start the trace %s: %s", c.trace_path, strerror(errno));
            goto out;
        }
        rt->tracer = tr;
    }
    /* A policy that needs the timer has asked for it by now
     * (yl__preempt_require); from here on the run preempts or never does. */
    if (yl__preempt_setup(rt) != 0)
        goto out;
    /* The monitor before this thread pins itself as worker 0: it must not
     * inherit that one CPU, where the unit it watches runs. */
    if (yl__monitor_start(rt) != 0)
        goto out;
    the_rt = rt;
    ws[0].thread = self;
    worker_init_thread(&ws[0]);
    if (yl__preempt_thread_start(&ws[0]) != 0)
        goto out;

    /* Every worker first, main after: a run that cannot have all its
     * workers runs nothing. The ones started meanwhile find no task and
     * park until told to stop. */
    for (; started < n; started++) {
        int err = pthread_create(&ws[started].thread, NULL, worker_thread, &ws[started]);
        if (err) {
            yl__err("cannot start worker %d: %s", started, strerror(err));
            goto stop;
        }
    }
    yl_task *m = yl_task_new("main", main_fn, arg);
    if (!m || yl_start(m) != 0) {
        yl__err("cannot create the main task: out of memory");
        if (m)
            yl_detach(m);
        goto stop;
    }
    yl_detach(m);
    worker_loop(&ws[0]);
    rc = 0;
stop:
    if (rc != 0)
        atomic_store(&rt->failed, true);
    atomic_store(&rt->done, true);
    yl__wake_all(rt);
    for (int i = 1; i < started; i++)
        pthread_join(ws[i].thread, NULL);
    rc = atomic_load(&rt->failed) ? -1 : 0;

out:;
    yl__monitor_stop(rt);
    yl_stats st = collect_stats(rt);
    /* Tear down whatever is left: zombies never joined, lazy tasks never
     * started, and after a deadlock the blocked ones. Workers first (the
     * file pool's threads may still hold jobs on task stacks), then the
     * fibers (TSan's state of each); the slab and the stack pool then take
     * every task's memory back at once, stackless ones included. */
    for (int i = 0; i < n; i++)
        worker_teardown(&ws[i]);
    yl__io_shared_teardown(rt);
    yl__policy_teardown(rt);
    if (yl__worker())
        yl__preempt_thread_stop(yl__worker());
    yl__preempt_teardown(rt);
    yl__fdt_free(rt);
    if (yl__worker()) {
        while (rt->all)
            yl__task_free(&rt->all->t);
    }
    yl__slab_destroy(rt->slab);
    yl__joins_free(&rt->joins);
    yl__stacks_destroy(rt->stacks);
    if (rt->tracer && rt->tracer->close(rt->trace_state, c.trace_path, model) != 0) {
        yl__err("cannot write trace %s: %s", c.trace_path, strerror(errno));
        rc = -1;
    }
    if (restore_mask)
        sched_setaffinity(0, sizeof saved, &saved);
    last_stats = st;
    yl__set_worker(NULL);
    the_rt = NULL;
    free(ws);
    free(rt);
    return rc;
}

yl_stats yl_get_stats(void)
{
    struct yl_rt *rt = the_rt;
    return rt ? collect_stats(rt) : last_stats;
}

int yl_workers(void)
{
    return the_rt ? the_rt->nworkers : 1;
}

int yl_worker_index(void)
{
    struct yl_worker *w = yl__worker();
    return w && w->current ? w->index : -1;
}

/* sched.c - the single executor: one worker thread, a FIFO run queue, a
 * timer heap, and the switches in and out of tasks.
 *
 * Every switch goes through the scheduler loop (task -> scheduler -> task),
 * as xv6 does: the loop runs on the thread's own stack, so it can free the
 * stack of a task that just finished, and a task never needs to know who
 * runs next.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "san.h"
#include "trace.h"

#define TRACE_CAP (1u << 20)

static __thread struct yl_worker *tls_worker;
static yl_stats last_stats; /* what yl_get_stats reports after yl_run */

__attribute__((noinline)) struct yl_worker *yl__worker(void)
{
    return tls_worker;
}

uint64_t yl__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void yl__err(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(buf, sizeof buf, "yl: ");
    vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", buf);
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

void yl__make_ready(yl_task *t)
{
    struct yl_worker *w = yl__worker();
    t->state = YL_READY;
    yl__q_push(&w->runq, t);
}

/* ---- switching ------------------------------------------------------- */

/* Leaves the running task for the scheduler loop. The task's state says
 * what happens to it there; returns when the task is resumed. */
static void to_scheduler(yl_task *t)
{
    struct yl_worker *w = yl__worker();
    /* A finished task's stack is never resumed: NULL lets ASan drop its
     * fake stack instead of keeping it for a return that never comes. */
    yl_san_start_switch(t->state == YL_DONE ? NULL : &t->asan_fake_stack,
                        w->sched_stack_lo, w->sched_stack_size);
    yl_ctx_switch(&t->ctx, &w->sched_ctx);
    w = yl__worker(); /* re-read: never trust a value cached across a switch */
    yl_san_finish_switch(t->asan_fake_stack, &w->sched_stack_lo, &w->sched_stack_size);
}

/* First code on a new task's stack (called by the trampoline). */
static void task_entry(void *arg)
{
    yl_task *t = arg;
    struct yl_worker *w = yl__worker();
    yl_san_finish_switch(NULL, &w->sched_stack_lo, &w->sched_stack_size);
    t->fn(t->arg);
}

/* Where a task's function returns to: it never comes back from here. */
static void task_exit(void *arg)
{
    yl_task *t = arg;
    t->state = YL_DONE;
    to_scheduler(t);
    yl__err("finished task %s was resumed", t->name);
    abort();
}

void yl__task_prepare(yl_task *t)
{
    yl_ctx_make(&t->ctx, t->stack_lo, t->stack_size, task_entry, t, task_exit, t);
}

/* Runs t for one unit: until it yields, blocks or finishes. */
static void run_unit(struct yl_worker *w, yl_task *t)
{
    w->current = t;
    t->state = YL_RUNNING;
    w->switches++;
    if (w->trace) {
        w->unit_cpu = sched_getcpu();
        w->unit_start_ns = yl__now_ns();
    }
    yl_san_start_switch(&w->sched_fake_stack, t->stack_lo, t->stack_size);
    yl_ctx_switch(&w->sched_ctx, &t->ctx);
    yl_san_finish_switch(w->sched_fake_stack, NULL, NULL);
    w->current = NULL;
    if (w->trace) {
        struct trace_rec r;
        trace_rec_set(&r, t->name, t->units, w->index, w->unit_cpu,
                      w->unit_start_ns, yl__now_ns());
        trace_log_add(w->trace, &r);
    }
    t->units++;
    switch (t->state) {
    case YL_READY: /* yl_yield: back of the queue, after everything ready */
        yl__q_push(&w->runq, t);
        break;
    case YL_DONE:
        yl__task_finished(t);
        break;
    default: /* blocked: whoever holds it (timer, joinee, wait group) wakes it */
        break;
    }
}

void yl__block(void)
{
    struct yl_worker *w = worker_or_die("a blocking call");
    yl_task *t = w->current;
    t->state = YL_BLOCKED;
    to_scheduler(t);
}

/* ---- yield points ---------------------------------------------------- */

void yl_yield(void)
{
    struct yl_worker *w = worker_or_die("yl_yield");
    yl_task *t = w->current;
    t->state = YL_READY;
    to_scheduler(t);
}

void yl_sleep_us(uint64_t us)
{
    struct yl_worker *w = worker_or_die("yl_sleep");
    yl_task *t = w->current;
    if (!yl__timer_add(&w->timers, t, yl__now_ns() + us * 1000u)) {
        yl__err("out of memory arming a timer");
        abort();
    }
    yl__block();
}

void yl_sleep_ms(uint64_t ms)
{
    yl_sleep_us(ms * 1000u);
}

/* ---- the loop -------------------------------------------------------- */

/* Moves every timer due by now to the run queue, in deadline order. */
static void fire_timers(struct yl_worker *w, uint64_t now)
{
    yl_task *t;
    while ((t = yl__timer_peek(&w->timers)) && t->deadline_ns <= now)
        yl__make_ready(yl__timer_pop(&w->timers));
}

/* Ready tasks run in FIFO order; fd and file completions are looked at
 * when nothing is ready, and every POLL_EVERY units even if something is,
 * so a stream of ready tasks cannot starve waiting ones. Woken tasks join
 * the back of the queue either way, so the order stays first come, first
 * served. */
#define POLL_EVERY 61

static int worker_loop(struct yl_worker *w)
{
    for (;;) {
        if (w->timers.len)
            fire_timers(w, yl__now_ns());
        yl_task *t = yl__q_pop(&w->runq);
        if (t) {
            run_unit(w, t);
            if (w->io_waiting && ++w->units_since_poll >= POLL_EVERY) {
                w->units_since_poll = 0;
                yl__io_poll(w, 0);
            }
            continue;
        }
        if (w->live == 0)
            return 0;
        yl_task *next = yl__timer_peek(&w->timers);
        if (!next && !w->io_waiting) {
            yl__err("deadlock: %llu task(s) blocked with no timer or I/O pending",
                    (unsigned long long)w->live);
            return -1;
        }
        uint64_t timeout = UINT64_MAX;
        if (next) {
            uint64_t now = yl__now_ns();
            timeout = next->deadline_ns > now ? next->deadline_ns - now : 0;
        }
        w->units_since_poll = 0;
        yl__io_poll(w, timeout); /* the kernel wakes us: no busy waiting */
    }
}

int yl_run(const yl_config *cfg, yl_fn main_fn, void *arg)
{
    if (yl__worker()) {
        yl__err("yl_run: the runtime is already running on this thread");
        return -1;
    }
    yl_config c = cfg ? *cfg : (yl_config){0};
    if (yl_config_from_env(&c) != 0)
        return -1;

    struct yl_worker w;
    memset(&w, 0, sizeof w);
    w.default_stack = c.stack_size ? c.stack_size : 64 * 1024;
    w.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (w.epfd < 0) {
        yl__err("epoll_create1: %s", strerror(errno));
        return -1;
    }
    if (c.trace_path && !(w.trace = trace_log_new(TRACE_CAP))) {
        yl__err("cannot allocate the trace log: %s", strerror(errno));
        close(w.epfd);
        return -1;
    }
    tls_worker = &w;

    int rc = -1;
    yl_task *m = yl_task_new("main", main_fn, arg);
    if (m && yl_start(m) == 0) {
        yl_detach(m);
        rc = worker_loop(&w);
    } else {
        yl__err("cannot create the main task: out of memory");
        if (m)
            yl_detach(m);
    }
    if (w.failed)
        rc = -1;

    /* Tear down whatever is left: zombies never joined, lazy tasks never
     * started, and on deadlock the blocked ones. */
    while (w.all)
        yl__task_free(w.all);
    yl__pool_stop(&w);
    yl__timer_free(&w.timers);
    close(w.epfd);
    if (w.trace) {
        const char *model = c.trace_model ? c.trace_model : "tasks";
        if (trace_log_write(w.trace, c.trace_path, model) != 0) {
            yl__err("cannot write trace %s: %s", c.trace_path, strerror(errno));
            rc = -1;
        }
        trace_log_free(w.trace);
    }
    last_stats = (yl_stats){.switches = w.switches, .tasks_created = w.created,
                            .tasks_live = 0};
    tls_worker = NULL;
    return rc;
}

yl_stats yl_get_stats(void)
{
    struct yl_worker *w = yl__worker();
    if (!w)
        return last_stats;
    return (yl_stats){.switches = w->switches, .tasks_created = w->created,
                      .tasks_live = w->allocated};
}

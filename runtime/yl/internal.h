/* internal.h - libyl's private structures, shared by its .c files only. */
#ifndef YL_INTERNAL_H
#define YL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ctx.h"
#include "deque.h"
#include "yl.h"

#define YL_NAME_MAX 24
#define YL_MAX_WORKERS 64

enum yl_state {
    YL_NEW,      /* created lazily, never started */
    YL_READY,    /* in a run queue */
    YL_RUNNING,  /* on a worker right now */
    YL_BLOCKED,  /* waiting: timer, fd, file, join, wait group, mutex */
    YL_DONE,     /* entry returned */
};

struct yl_task {
    yl_ctx ctx;               /* first: the hot field of every switch */
    yl_task *next;            /* run-queue / waiter-list link (intrusive) */
    yl_task *all_prev, *all_next; /* the runtime's list of every task */
    enum yl_state state;
    int home;                 /* sharded: the worker it always runs on */
    int last_worker;          /* where its previous unit ran (migrations) */
    yl_fn fn;
    void *arg;
    uint64_t id;
    uint32_t units;           /* units run so far: labels A, B, C... */
    bool started;             /* set by yl_start, read by the handle's owner:
                               * never read `state` from another thread */
    yl_spinlock lock;         /* guards finished, detached, joiner */
    bool finished;            /* the scheduler is done with it */
    bool detached;            /* free on finish: no handle left */
    yl_task *joiner;          /* task blocked in yl_join on us */
    /* stack: [stack_lo, stack_lo + stack_size) usable, guard page below */
    void *map_base;
    size_t map_len;
    void *stack_lo;
    size_t stack_size;
    /* timer */
    uint64_t deadline_ns;
    uint64_t timer_seq;       /* ties between equal deadlines: arm order */
    size_t heap_idx;          /* position in the timer heap, or SIZE_MAX */
    void *asan_fake_stack;    /* ASan's fake-stack handle while switched out */
    void *tsan_fiber;         /* TSan's view of this stack */
    char name[YL_NAME_MAX];
};

/* A FIFO of tasks, linked through task->next. */
struct yl_queue {
    yl_task *head, *tail;
    size_t len;
};

struct yl_timer_heap {
    yl_task **v;
    size_t len, cap;
    uint64_t seq;
};

struct trace_log;
struct yl_rt;

/* One worker: a thread that runs tasks. Everything here but the inbox,
 * the deque's top and `parked` is touched by its own thread only. */
struct yl_worker {
    int index;
    struct yl_rt *rt;
    pthread_t thread;             /* worker 0 is the thread in yl_run */
    int cpu;                      /* pinned to this CPU, or -1 */
    yl_ctx sched_ctx;             /* the scheduler loop, on the thread's own stack */
    yl_task *current;             /* task running now, NULL in the scheduler */
    yl_spinlock *unlock_after;    /* released once the current task is switched out */
    struct yl_queue runq;         /* single and sharded: FIFO */
    struct yl_deque dq;           /* stealing */
    yl_spinlock inbox_lock;       /* sharded: tasks woken by other workers */
    struct yl_queue inbox;
    _Atomic bool inbox_nonempty;
    _Atomic bool parked;          /* asleep in epoll waiting for work */
    int wakefd;                   /* eventfd: other workers wake us here */
    struct yl_timer_heap timers;
    int epfd;                     /* sleeps here: next deadline, fd event, wake */
    uint64_t io_waiting;          /* tasks parked on an fd or the file pool */
    unsigned units_since_poll;    /* fairness: fd events are polled every so often */
    struct yl_pool *pool;         /* blocking-IO threads, started on first use */
    uint64_t switches, steals, migrations;
    uint64_t unit_start_ns;
    int unit_cpu;
    uint32_t rng;                 /* victim choice */
    const void *sched_stack_lo;   /* for ASan: the scheduler's stack */
    size_t sched_stack_size;
    void *sched_fake_stack;
    void *tsan_sched_fiber;
};

/* The runtime: one per yl_run. */
struct yl_rt {
    enum yl_exec exec;
    int nworkers;
    struct yl_worker *w;          /* [nworkers] */
    _Atomic uint64_t live;        /* tasks started and not finished */
    _Atomic bool done;            /* every task finished, or a fatal error */
    _Atomic bool failed;
    _Atomic uint64_t next_id;
    _Atomic uint64_t created;
    _Atomic uint64_t allocated;   /* task structs not yet freed */
    _Atomic uint32_t rr;          /* sharded: round-robin placement */
    yl_spinlock all_lock;
    yl_task *all;                 /* every allocated task, for teardown */
    yl_spinlock inject_lock;      /* stealing: the global queue */
    struct yl_queue inject;
    _Atomic bool inject_nonempty;
    size_t default_stack;
    struct trace_log *trace;      /* NULL unless tracing */
};

/* The worker this thread runs. Never inlined: once tasks can migrate, a
 * value cached across a yield point would name the wrong worker. */
struct yl_worker *yl__worker(void);

/* io.c: what an fd waiter leaves in epoll's data.ptr */
struct yl_fd_wait {
    yl_task *task;
};
/* Wakes the tasks behind ready events; blocks at most timeout_ns (0: just
 * look, UINT64_MAX: until something happens). */
void yl__io_poll(struct yl_worker *w, uint64_t timeout_ns);
extern const char yl__wake_tag;           /* epoll data.ptr of a worker's wakefd */

/* pool.c */
void yl__pool_stop(struct yl_worker *w);  /* joins the pool's threads */
void yl__pool_drain(struct yl_worker *w); /* wakes tasks whose ops completed */
extern const char yl__pool_tag;           /* epoll data.ptr of the pool's eventfd */

/* queue.c */
void yl__q_push(struct yl_queue *q, yl_task *t);
yl_task *yl__q_pop(struct yl_queue *q);

/* timer_heap.c */
bool yl__timer_add(struct yl_timer_heap *h, yl_task *t, uint64_t deadline_ns);
yl_task *yl__timer_peek(const struct yl_timer_heap *h);
yl_task *yl__timer_pop(struct yl_timer_heap *h);
void yl__timer_free(struct yl_timer_heap *h);

/* stack.c */
bool yl__stack_alloc(yl_task *t, size_t size);
void yl__stack_free(yl_task *t);

/* ready.c: the executors' policies */
void yl__make_ready(yl_task *t);          /* t may run again */
void yl__place_new(yl_task *t);           /* a task starts: choose its worker */
void yl__requeue_yielded(struct yl_worker *w, yl_task *t); /* after yl_yield */
yl_task *yl__next_task(struct yl_worker *w); /* what w runs next, or NULL */
void yl__wake_worker(struct yl_worker *w);   /* out of epoll, if parked */
void yl__wake_all(struct yl_rt *rt);

/* sched.c */
void yl__block(void);                     /* current task waits until made ready */
void yl__block_unlock(yl_spinlock *l);    /* the same, releasing l once switched out */
uint64_t yl__now_ns(void);
void yl__task_prepare(yl_task *t);        /* first frame: entry and exit */
struct yl_rt *yl__rt(void);

/* task.c */
void yl__task_free(yl_task *t);
void yl__task_finished(struct yl_worker *w, yl_task *t); /* scheduler, after exit */

/* Print a one-line runtime error to stderr. */
void yl__err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

/* internal.h - libyl's private structures, shared by its .c files only.
 *
 * Every task starts with the same 48-byte header (struct yl_task): what
 * the run queues, the deques, the timers and every wait list need. A
 * stackless task is that header followed by its frame; a stackful one
 * (struct yl_fiber) adds a saved context, a stack and its name. Keeping
 * the header this small is what lets a million sleeping tasks fit in
 * ~56 MB: see stackless.h for the sums.
 */
#ifndef YL_INTERNAL_H
#define YL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ctx.h"
#include "deque.h"
#include "san.h"
#include "yl.h"

#define YL_NAME_MAX 24
#define YL_MAX_WORKERS 64
#define YL_FD_CHUNK 1024          /* fd records (fdtab.c) per chunk */
#define YL_FD_CHUNKS 4096         /* chunks: fds below 4 Mi */

enum yl_state {
    YL_TASK_NEW,     /* created lazily, never started */
    YL_TASK_READY,   /* in a run queue */
    YL_TASK_RUNNING, /* on a worker right now */
    YL_TASK_BLOCKED, /* waiting: timer, fd, file, join, wait group, mutex */
    YL_TASK_DONE,    /* entry returned (poll said YL_READY) */
};

enum yl_kind {
    YL_STACKFUL,  /* a struct yl_fiber: its own stack, switched to */
    YL_STACKLESS, /* header + frame: polled on the worker's stack */
    YL_TOMBSTONE, /* stands in the timer heap for a cancelled timer */
};

/* done_flags, under the task's lock */
#define YL_F_FINISHED 0x1u /* the scheduler is done with it */
#define YL_F_DETACHED 0x2u /* free on finish: no handle left */
#define YL_F_JOINED 0x4u   /* a joiner waits: its entry is in the join table */

/* run_flags, touched only by the worker that runs the task or holds its
 * timer (the two never overlap: a task in a timer is not running) */
#define YL_R_AWAITING 0x1u  /* stackless: a leaf awaitable is pending */
#define YL_R_CANCELLED 0x2u /* yl_cancel: sleeps return at once */
#define YL_R_IN_TIMER 0x4u  /* armed in this worker's timers */
#define YL_R_PREEMPTED 0x8u /* the unit that just ended was cut by the timer,
                             * not ended by the task: set while the task goes
                             * back through the requeue path (a policy's
                             * put_prev tells "preempted" from "yielded" by
                             * it), cleared by the task once it runs again */

/* A link of the timing wheel's circular slot lists. */
struct yl_tlink {
    struct yl_tlink *next, *prev;
};

struct yl_sl_def;
struct yl_fdrec;

/* The header, 48 bytes. A task waits for one thing at a time, so the
 * links of the run queue, the wait lists and the timers share its first
 * 16 bytes: the wheel's list node overlays `next` (a task in the wheel is
 * in no queue, and the wheel hands expired tasks back chained through
 * `next` once they are off its lists); the heap's tie-breaker overlays it
 * too (a task in the heap is in no queue either), while heap_idx, which
 * says "not in the heap" after it left, keeps a word of its own. What
 * only a joined task needs (who waits for it) is kept beside the task, in
 * the runtime's join table (join.c). foo --sizes prints this layout. */
struct yl_task {
    union {
        struct yl_tlink tlink;    /* timer_wheel.c, while armed: both words */
        struct {
            union {
                yl_task *next;        /* run-queue / waiter-list link (intrusive) */
                uint64_t timer_seq;   /* timer_heap.c, while in it: arm order */
            };
            size_t heap_idx;          /* timer_heap.c: position, or SIZE_MAX */
        };
    };
    uint64_t deadline_ns;     /* the current or latest sleep's deadline */
    const struct yl_sl_def *def; /* stackless: name, poll, frame size */
    uint32_t id;              /* 1 for main, then in creation order */
    uint32_t units;           /* units run so far: labels A, B, C...; not
                               * counted by the single executor's untraced
                               * loop, where nothing reads it */
    yl_spinlock lock;         /* guards done_flags */
    uint8_t state;            /* enum yl_state */
    uint8_t kind;             /* enum yl_kind; beside state: yl_yield tests
                               * both with one compare */
    uint8_t started;          /* set by yl_start, read by the handle's owner:
                               * never read `state` from another thread */
    uint8_t done_flags;       /* YL_F_* */
    uint8_t run_flags;        /* YL_R_* */
    int8_t home;              /* sharded: the worker it always runs on */
    int8_t last_worker;       /* where its previous unit ran (migrations;
                               * kept only by the loop that counts them) */
};

/* A stackful task: the header, then what a switch needs. */
struct yl_fiber {
    struct yl_task t;         /* first: a fiber is a task */
    yl_ctx ctx;               /* the saved stack pointer while switched out */
    yl_fn fn;
    void *arg;
    struct yl_fiber *all_prev, *all_next; /* the runtime's fibers, for teardown */
    /* stack: [stack_lo, stack_lo + stack_size) usable, maybe a guard below */
    void *stack_lo;
    size_t stack_size;        /* the size asked for until the stack is allocated */
    struct yl_stack_class *stack_class; /* the pool it came from, NULL: none */
    void *asan_fake_stack;    /* ASan's fake-stack handle while switched out */
    void *tsan_fiber;         /* TSan's view of this stack */
    uint16_t preempt_off;     /* yl_preempt_disable depth: the task's own, like
                               * the kernel's preempt_count, so it migrates too */
    _Atomic uint8_t preempt_pending; /* the timer fell due while disabled: the
                               * outermost yl_preempt_enable yields */
    char name[YL_NAME_MAX];
};

static inline struct yl_fiber *yl__fiber(yl_task *t)
{
    return (struct yl_fiber *)t;
}

struct yl_timer_heap {
    yl_task **v;
    size_t len, cap;
    uint64_t seq;
};

/* The hierarchical timing wheel (timer_wheel.c), in 1 ms ticks: level 0
 * holds the current and the next 256-tick block, one slot per tick; levels
 * 1-3 hold 256 slots of 256^L ticks each, 49 days in all. */
#define YL_WHEEL_TICK_NS 1000000u
#define YL_WHEEL_BITS 8
#define YL_WHEEL_SLOTS (1u << YL_WHEEL_BITS)
#define YL_WHEEL_L0 (2 * YL_WHEEL_SLOTS)
#define YL_WHEEL_LEVELS 4
struct yl_wheel {
    uint64_t cur;             /* the next tick to process */
    size_t count;             /* timers held, the due list included */
    struct yl_tlink due;      /* armed with a deadline already past */
    struct yl_tlink l0[YL_WHEEL_L0];
    uint64_t l0_bits[YL_WHEEL_L0 / 64]; /* non-empty level-0 slots */
    uint64_t l0_unsorted[YL_WHEEL_L0 / 64]; /* ... whose list is out of deadline order */
    struct yl_tlink slot[YL_WHEEL_LEVELS - 1][YL_WHEEL_SLOTS]; /* levels 1.. */
    uint64_t bits[YL_WHEEL_LEVELS - 1][YL_WHEEL_SLOTS / 64];
    uint32_t l1_count[YL_WHEEL_SLOTS]; /* timers put in each level-1 slot
                                        * (cancelled ones too: an upper bound) */
    struct yl_tlink pending;  /* the level-1 slot being spread into level 0 */
    uint64_t pending_block;   /* the tick its spreading began at */
    uint64_t spread_tick;     /* the next tick a share is due at */
    size_t pending_total, pending_moved;
    struct yl_tsort *scratch; /* for sorting a slot: 2 x scratch_cap entries */
    size_t scratch_cap;
};

struct yl_rt;

/* join.c: the joiners of unfinished tasks, an open-addressing table keyed
 * by the joinee (a side record: most tasks are never waited for). */
struct yl_join_slot {
    yl_task *task, *joiner;
};
struct yl_joins {
    yl_spinlock lock;
    struct yl_join_slot *v;       /* [cap], cap a power of two, or NULL */
    size_t cap, len;
};
/* Records that joiner waits for t; false when out of memory. */
bool yl__joins_put(struct yl_joins *j, yl_task *t, yl_task *joiner);
/* Takes out and returns t's joiner (NULL: none). */
yl_task *yl__joins_take(struct yl_joins *j, yl_task *t);
void yl__joins_free(struct yl_joins *j);

/* The scheduler loop looks at timers and fds when nothing is ready, on
 * the trip after a unit armed a timer, and every YL_CHECK_EVERY units even
 * while tasks are ready, so a stream of ready tasks cannot starve waiting
 * ones. That bounds a timer's lateness while others are ready: it fires
 * at most YL_CHECK_EVERY units after it is due (with the wheel: after its
 * tick has ended); tests/test_hotpath.c counts them. Not every trip: a
 * clock read costs several switches (clock_gettime took 32 ns, a bare
 * switch 5 ns, on a 2-core VM). */
#define YL_CHECK_EVERY 61

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
    struct yl_timer_heap timers;  /* YL_TIMERS_HEAP */
    struct yl_wheel *wheel;       /* YL_TIMERS_WHEEL */
    int epfd;                     /* sleeps here: next deadline, fd event, wake */
    _Atomic uint64_t io_waiting;  /* tasks waiting on an fd in epfd (from any worker:
                                   * sharded wakes cross), parked fds, file ops */
    unsigned until_check;         /* units left before timers and fds are looked at */
    bool keep_next;               /* stealing: the next task made ready here runs here
                                   * next; no idle worker need be woken for it */
    struct yl_pool *pool;         /* blocking-IO threads, started on first use */
    uint64_t switches, steals, migrations;
    uint64_t unit_start_ns;       /* when the running unit began: set while tracing
                                   * or preempting (a policy charges run time by it) */
    int unit_cpu;
    struct yl_prq *prq;           /* the policy's run queue (NULL: fifo, runq) */
    uint64_t pol_start_ns;        /* the unit's start in thread CPU time (needs_clock) */
    uint8_t pol_why;              /* enum yl_leave of a yield: yielded or preempted */
    bool pol_early;               /* the timer cut the unit before its class's slice ended */
    uint32_t rng;                 /* victim choice */
    const void *sched_stack_lo;   /* for ASan: the scheduler's stack */
    size_t sched_stack_size;
    void *sched_fake_stack;
    void *tsan_sched_fiber;
    /* Preemption (preempt.c); all zero and never read while it is off. The
     * monitor thread reads pre_* as a sequence lock: pre_seq is odd while a
     * unit runs (and its start, slice and kind are stable), even between
     * units. */
    bool preempt;                 /* this run preempts: units are published */
    bool pre_stackless;           /* the running unit is stackless (worker-local copy) */
    uint64_t slice_next_ns;       /* yl__preempt_set_slice: the next unit's quantum */
    _Atomic uint64_t pre_seq;
    _Atomic uint64_t pre_start_ns, pre_slice_ns;
    _Atomic bool pre_kind_stackless;
    _Atomic uint64_t pre_target;  /* the unit the monitor's latest signal is for */
    _Atomic int tid;              /* the worker thread's kernel id, for tgkill */
    uint64_t preemptions;         /* units cut here (the entry ran) */
    _Atomic uint64_t preempt_deferred; /* signals the handler here turned down */
    void *altstack;               /* the signal handler's stack (sigaltstack) */
};

struct yl_slab;
struct yl_monitor;
struct yl_stack_pool;

/* The runtime: one per yl_run. */
struct yl_rt {
    enum yl_exec exec;
    enum yl_timers timers;        /* never DEFAULT once running */
    int nworkers;
    struct yl_worker *w;          /* [nworkers] */
    _Atomic uint64_t live;        /* tasks started and not finished */
    _Atomic bool done;            /* every task finished, or a fatal error */
    _Atomic bool failed;
    _Atomic int idle_empty;       /* workers asleep with no timer and no I/O pending */
    _Atomic uint64_t idle_wakes;  /* ... that woke up: bumped before each leaves the count */
    _Atomic uint32_t next_id;     /* ids handed out: also tasks created */
    _Atomic uint64_t allocated;   /* task structs not yet freed */
    _Atomic uint32_t rr;          /* sharded: round-robin placement */
    yl_spinlock all_lock;
    struct yl_fiber *all;         /* every allocated fiber, for teardown */
    yl_spinlock inject_lock;      /* stealing: the global queue */
    struct yl_queue inject;
    size_t inject_len;            /* tasks in it (its share-out needs the count) */
    _Atomic bool inject_nonempty;
    size_t default_stack;
    struct yl_slab *slab;         /* task memory (slab.c) */
    struct yl_joins joins;        /* who waits for whom (join.c) */
    struct yl_stack_pool *stacks; /* stack memory (stack.c) */
    bool io_shared;               /* stealing, 2+ workers: fd waits in io_epfd */
    int io_epfd;                  /* the shared epoll (io_shared.c) */
    _Atomic uint64_t io_shared_waiting; /* tasks waiting in it */
    const struct yl_sched_class *pol; /* NULL: fifo through queue.h (policy.h) */
    struct yl_se_tab *se_tab;     /* the tasks' scheduling entities, by id */
    _Atomic(struct yl_fdrec *) fdt[YL_FD_CHUNKS]; /* fd records (fdtab.c), by chunk */
    const yl_tracer *tracer;      /* NULL unless tracing */
    void *trace_state;            /* what tracer->open returned */
    uint64_t preempt_ns;          /* the default quantum, 0: this run never preempts */
    struct yl_monitor *mon;       /* the thread that sends the signals (monitor.c) */
};

/* worker.c: the worker this thread runs (NULL: not a worker thread).
 * Never inlined: once tasks can migrate, a value cached across a yield
 * point would name the wrong worker. */
struct yl_worker *yl__worker(void);
void yl__set_worker(struct yl_worker *w);
/* The variable behind it: read directly only at the top of a function,
 * before any yield point (yl_yield), where no stale copy can exist. */
extern __thread struct yl_worker *yl__tls_worker;

/* clock.c: CLOCK_MONOTONIC in ns, the runtime's one clock. */
uint64_t yl__now_ns(void);

/* config.c: the whole number in variable name, within [lo, hi]: 1 with
 * *out set, 0 when unset, -1 having said what is wrong. */
int yl__env_u64(const char *name, unsigned long long lo, unsigned long long hi,
                unsigned long long *out);

/* err.c: prints a one-line runtime error, "yl: ..." and a newline, to stderr. */
void yl__err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* fdtab.c: the runtime's record of an fd it has registered (see there) */
#define YL_FD_EVENT (1ull << 63)  /* epoll data: an fd's event (gen << 32 | fd), not a tag */
struct yl_fd_waiter {             /* on the waiting task's stack */
    yl_task *task;
    int err;                      /* set by yl_close: EBADF */
};
struct yl_fdrec {
    yl_spinlock lock;             /* guards all but the atomics */
    _Atomic uint32_t rstate, wstate; /* per direction: edges << 1 | ready */
    uint32_t gen;                 /* bumped when the number gets a new file */
    _Atomic bool reg, stream;     /* registered; a stream socket */
    int8_t owner;                 /* the worker whose epoll holds it, -1: shared */
    int8_t park_home;             /* where the parked task was parked */
    struct yl_fd_waiter *reader, *writer;
    yl_task *parked;              /* yl_fd_park: started once readable */
};
/* The record of fd (created with create; NULL with errno: out of range, no memory). */
struct yl_fdrec *yl__fd_rec(struct yl_rt *rt, int fd, bool create);
void yl__fdt_free(struct yl_rt *rt);
int yl__fd_epfd(struct yl_rt *rt, int owner); /* the epoll an owner's fds are in */
/* Registers fd (under r->lock) in w's epoll, or the shared one; 0 or -1. */
int yl__fd_register(struct yl_worker *w, struct yl_fdrec *r, int fd);
/* fd is a new file (accepted, or set non-blocking): forget what was known. */
void yl__fd_reset(struct yl_rt *rt, int fd);
/* A wait on an owner's fd begins (+1) or has ended (-1, after its task was made ready). */
void yl__fd_pending(struct yl_rt *rt, int owner, int delta);
/* Applies one epoll event of an fd: readiness, then wakes its waiters. */
void yl__fd_event(struct yl_worker *w, uint64_t data, uint32_t events);
/* Makes the waiters taken off an owner's record ready, starts its parked task. */
void yl__fd_wake(struct yl_rt *rt, int owner, yl_task *reader, yl_task *writer, yl_task *parked,
                 int home);
/* Wakes the tasks behind ready events; blocks at most timeout_ns (0: just
 * look, UINT64_MAX: until something happens). */
void yl__io_poll(struct yl_worker *w, uint64_t timeout_ns);
extern const char yl__wake_tag;           /* epoll data.ptr of a worker's wakefd */

/* io_shared.c: the stealing executor's one epoll for fd waits */
int yl__io_shared_setup(struct yl_rt *rt);    /* 0, or -1 having said why */
void yl__io_shared_teardown(struct yl_rt *rt);
void yl__io_shared_drain(struct yl_worker *w); /* ready waits -> w's deque */
extern const char yl__shared_tag;         /* epoll data.ptr of the shared epoll */
/* Whether an fd wait w must look after is pending: its own, or (stealing)
 * one in the shared epoll, which any worker may be the one to see. */
static inline bool yl__io_pending(const struct yl_worker *w)
{
    return w->io_waiting ||
           atomic_load_explicit(&w->rt->io_shared_waiting, memory_order_relaxed);
}

/* pool.c */
void yl__pool_stop(struct yl_worker *w);  /* joins the pool's threads */
void yl__pool_drain(struct yl_worker *w); /* wakes tasks whose ops completed */
extern const char yl__pool_tag;           /* epoll data.ptr of the pool's eventfd */

/* queue.h: struct yl_queue (yl.h) and its inline push, push_front, pop
 * and splice */
#include "queue.h"

/* timer_heap.c */
bool yl__timer_add(struct yl_timer_heap *h, yl_task *t, uint64_t deadline_ns);
yl_task *yl__timer_peek(const struct yl_timer_heap *h);
yl_task *yl__timer_pop(struct yl_timer_heap *h);
void yl__timer_free(struct yl_timer_heap *h);

/* timer_wheel.c */
void yl__wheel_init(struct yl_wheel *wh, uint64_t now_ns);
void yl__wheel_destroy(struct yl_wheel *wh); /* frees what init and use took, not wh */
void yl__wheel_add(struct yl_wheel *wh, yl_task *t, uint64_t deadline_ns, uint64_t now_ns);
void yl__wheel_del(struct yl_wheel *wh, yl_task *t);
/* Takes out the timers due by now_ns: the whole ticks that have ended,
 * and with exact also those of the tick under way whose deadline has
 * passed. Returns them linked through ->next in deadline order (NULL:
 * none). */
yl_task *yl__wheel_expire(struct yl_wheel *wh, uint64_t now_ns, bool exact);
/* When to look again (ns): a due tick, a cascade, or the next tick while a
 * big cascade is being spread; UINT64_MAX if empty. */
uint64_t yl__wheel_next_ns(const struct yl_wheel *wh);

/* timers.c: the worker's timers, whichever structure the runtime uses */
bool yl__timers_init(struct yl_worker *w);
void yl__timers_arm(struct yl_worker *w, yl_task *t, uint64_t deadline_ns, uint64_t now_ns);
void yl__timers_fire(struct yl_worker *w, uint64_t now_ns); /* due ones -> ready */
uint64_t yl__timers_next_ns(struct yl_worker *w);           /* UINT64_MAX: none */
size_t yl__timers_count(const struct yl_worker *w);
void yl__timers_teardown(struct yl_worker *w);

/* slab.c: task headers, frames and fibers, in size classes carved out of
 * big mappings, reused through free lists and returned at yl_run's end */
struct yl_slab *yl__slab_new(void);
/* Zeroed; NULL: no memory. 16-byte aligned when size rounded up to 8 is a
 * multiple of 16, else 8-byte aligned. */
void *yl__slab_alloc(struct yl_slab *s, size_t size);
void yl__slab_free(struct yl_slab *s, void *p, size_t size);
size_t yl__slab_size(size_t size);        /* the bytes an object of size takes */
uint64_t yl__slab_live_bytes(struct yl_slab *s);
void yl__slab_destroy(struct yl_slab *s);

/* stack.c: the stack pool */
struct yl_stack_pool *yl__stacks_new(bool guard);
bool yl__stack_alloc(struct yl_fiber *f, size_t size); /* false: errno says why */
void yl__stack_free(struct yl_fiber *f);  /* back to the pool, poisoned */
void yl__stacks_destroy(struct yl_stack_pool *p);
void yl__stacks_stats(struct yl_stack_pool *p, uint64_t *carved, uint64_t *reused);

/* ready.c: the executors' policies */
void yl__make_ready(yl_task *t);          /* t may run again */
void yl__place_new(yl_task *t);           /* a task starts: choose its worker */
void yl__requeue_yielded(struct yl_worker *w, yl_task *t); /* after yl_yield */
yl_task *yl__next_task(struct yl_worker *w); /* what w runs next, or NULL */
void yl__wake_worker(struct yl_worker *w);   /* out of epoll, if parked */
/* The same two on the scheduler's hot path: the one-FIFO cases (single;
 * sharded for a yielder) inline, everything else (a policy other than
 * fifo among it) through ready.c. */
static inline yl_task *yl__next_task_fast(struct yl_worker *w)
{
    return w->rt->exec == YL_EXEC_SINGLE && !w->prq ? yl__q_pop(&w->runq) : yl__next_task(w);
}
static inline void yl__requeue_yielded_fast(struct yl_worker *w, yl_task *t)
{
    if (w->rt->exec == YL_EXEC_STEALING || w->prq)
        yl__requeue_yielded(w, t);
    else
        yl__q_push(&w->runq, t); /* yl_yield set it READY */
}
/* w is about to sleep: after this, a waker either sees it parked and pokes
 * it, or w's next look for work (yl__next_task) sees what was published. */
void yl__park_announce(struct yl_worker *w);
void yl__wake_all(struct yl_rt *rt);
/* Whether a ready task waits in a shared queue (inboxes, the global queue,
 * the deques). For the deadlock check: exact while every worker is idle
 * with nothing pending, whose private run queues are then empty. */
bool yl__any_ready(struct yl_rt *rt);

/* policy.c: the mechanism's calls into the scheduling class (policy.h),
 * made only when w->prq is set. how: enum yl_enq. */
void yl__pol_enqueue(struct yl_worker *w, yl_task *t, int how);
yl_task *yl__pol_pick(struct yl_worker *w);
void yl__pol_begin(struct yl_worker *w, yl_task *t); /* a unit starts */
void yl__pol_end(struct yl_worker *w, yl_task *t);   /* ... it ended: put_prev */
int yl__pol_yield_how(const struct yl_worker *w, const yl_task *t); /* a yielder's enum yl_enq */

/* sched.c */
void yl__block(void);                     /* current task waits until made ready */
void yl__block_unlock(yl_spinlock *l);    /* the same, releasing l once switched out */
void yl__task_prepare(struct yl_fiber *f); /* first frame: entry and exit */
struct yl_rt *yl__rt(void);
/* The running task, aborting with a message naming fn outside a task or
 * when it already waits for something (a stackless poll that blocked
 * twice without returning). */
yl_task *yl__current_for_wait(const char *fn);
/* Aborts naming fn when the running task is stackless (fn keeps state on
 * the caller's stack across the wait, which a poll function does not have). */
void yl__require_stackful(const char *fn);

/* sched.c: leaves the running fiber for the scheduler loop; its state says
 * what happens to it there. Returns when it is resumed (maybe elsewhere). */
void yl__switch_out(struct yl_fiber *f);

/* ---- preemption (preempt.c, monitor.c, preempt_<arch>.S) ---------------
 *
 * Contract for scheduling policies (ready.c, policy_*.c):
 *  - yl__preempt_set_slice(w, ns): the quantum of the unit w runs next
 *    (0: the run's quantum). Call it after the task is picked and before it
 *    runs, i.e. from the pick (yl__next_task); it holds for one unit.
 *  - yl__preempt_require(rt, ns): a policy that needs the timer turns
 *    preemption on with ns as the run's quantum when YL_PREEMPT_US left it
 *    off. Only before yl__preempt_setup (in run(), during the policy's init).
 *  - A preempted task comes back through the ordinary requeue path
 *    (yl__requeue_yielded) with state READY and YL_R_PREEMPTED in run_flags;
 *    a yield has the flag clear.
 *  - w->unit_start_ns is when the running unit began (CLOCK_MONOTONIC),
 *    set whenever rt->preempt_ns != 0: now - it is the run time to charge.
 */
#define YL_PREEMPT_MAX_US 10000000u /* 10 s */
void yl__preempt_set_slice(struct yl_worker *w, uint64_t slice_ns);
void yl__preempt_require(struct yl_rt *rt, uint64_t slice_ns);
/* In run(): the handler, the code ranges, the monitor; 0 or -1 having said
 * why. A no-op when rt->preempt_ns is 0. teardown undoes it (after the
 * workers have stopped). */
int yl__preempt_setup(struct yl_rt *rt);
void yl__preempt_teardown(struct yl_rt *rt);
/* On each worker thread, before and after its loop: its signal stack and id. */
int yl__preempt_thread_start(struct yl_worker *w);
void yl__preempt_thread_stop(struct yl_worker *w);
/* The entry's C side: switches the interrupted task out as preempted. */
void yl__preempt_yield(void);

/* A unit begins (t picked, about to run) or ends on w: published for the
 * monitor. Only on the scheduler's full loop, only when w->preempt. */
static inline void yl__preempt_unit_begin(struct yl_worker *w, const yl_task *t, uint64_t now)
{
    uint64_t slice = w->slice_next_ns ? w->slice_next_ns : w->rt->preempt_ns;
    w->slice_next_ns = 0;
    w->pre_stackless = t->kind != YL_STACKFUL;
    atomic_store_explicit(&w->pre_start_ns, now, YL_RELAXED);
    atomic_store_explicit(&w->pre_slice_ns, slice, YL_RELAXED);
    atomic_store_explicit(&w->pre_kind_stackless, w->pre_stackless, YL_RELAXED);
    uint64_t seq = atomic_load_explicit(&w->pre_seq, memory_order_relaxed);
    atomic_store_explicit(&w->pre_seq, seq + 1, memory_order_release); /* odd: running */
}
static inline void yl__preempt_unit_end(struct yl_worker *w)
{
    uint64_t seq = atomic_load_explicit(&w->pre_seq, memory_order_relaxed);
    atomic_store_explicit(&w->pre_seq, seq + 1, YL_RELAXED); /* even */
    yl_fence_release(); /* the next unit's fields are written after this, never before */
}

/* monitor.c: the thread that watches the workers' units (Go's sysmon). */
int yl__monitor_start(struct yl_rt *rt);  /* 0, or -1 having said why */
void yl__monitor_stop(struct yl_rt *rt);  /* joins it; safe when never started */
void yl__monitor_stats(const struct yl_rt *rt, uint64_t *signals, uint64_t *stackless);
void yl__monitor_free(struct yl_rt *rt);  /* after stop and the statistics */

/* stackless.c: the bytes asked of the slab for a task of def: header +
 * frame, rounded to the frame's alignment (8, or 16 when it needs that) */
size_t yl__sl_object_size(const struct yl_sl_def *def);

/* task.c */
void yl__task_free(yl_task *t);
void yl__task_finished(struct yl_worker *w, yl_task *t); /* scheduler, after exit */
yl_task *yl__task_alloc(struct yl_rt *rt, size_t size, enum yl_kind kind);
/* Join's first half: true when the caller must wait (it is registered as
 * t's joiner and blocked), false when t has already finished. */
bool yl__join_begin(yl_task *t);
/* Starts a task that yl_fd_park held (already counted live, detached) on
 * worker home (sharded) or the caller's. */
void yl__start_parked(yl_task *t, int home);

#endif

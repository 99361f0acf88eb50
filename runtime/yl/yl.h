/* yl.h - libyl, the yieldlab async runtime: the one public header.
 *
 * A task is a function running on its own small stack. It runs until it
 * reaches a yield point (yl_sleep_ms, yl_yield, yl_join, yl_wg_wait...),
 * then the worker picks the next ready task. The code between two yield
 * points is a "unit": the atomic piece of work the scheduler orders.
 * Stackless tasks (a frame struct and a poll function, as a compiler
 * makes of an async fn) are in stackless.h; both kinds share everything
 * below (handles, join, wait groups, mutexes, timers, executors).
 *
 * Threading: every function here except yl_run must be called from inside a
 * task (a function started by yl_run or spawned from one).
 */
#ifndef YL_H
#define YL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct yl_task yl_task;
typedef void (*yl_fn)(void *arg);

/* A lock word for the runtime's short internal critical sections. */
typedef struct yl_spinlock {
    _Atomic unsigned char v; /* one byte: it sits in every task header */
} yl_spinlock;

/* A FIFO of tasks linked through the tasks themselves (intrusive): no
 * allocation per wait. Run queues, mutex waiters and wait-group waiters
 * are all one; its operations are the runtime's own (queue.h). */
typedef struct yl_queue {
    yl_task *head, *tail; /* no count: the one queue that needs one keeps it */
} yl_queue;

/* How tasks are spread over workers. */
enum yl_exec {
    YL_EXEC_SINGLE,   /* one worker: JavaScript, Python, Dart */
    YL_EXEC_SHARDED,  /* N workers, own queues, a task never moves: nginx/uvicorn workers */
    YL_EXEC_STEALING, /* N workers, Chase-Lev deques, idle ones steal: Tokio, Go */
};

/* The executors' names in enum order, NULL-terminated: for flags and
 * YL_EXEC ("single", "sharded", "stealing"). */
extern const char *const yl_exec_names[];

/* Where sleeping tasks wait for their deadline. */
enum yl_timers {
    YL_TIMERS_DEFAULT, /* the wheel */
    YL_TIMERS_WHEEL,   /* hierarchical timing wheel, 1 ms ticks: O(1) arm and cancel */
    YL_TIMERS_HEAP,    /* binary min-heap by (deadline, arm order): O(log n), lab 01's */
};

/* One unit as the runtime reports it to a tracer. */
typedef struct yl_unit {
    const char *task;           /* the task's name */
    uint32_t seq;               /* its rank within the task: 0 is unit A */
    int worker;                 /* the worker that ran it */
    int cpu;                    /* the CPU it started on */
    uint64_t start_ns, end_ns;  /* CLOCK_MONOTONIC */
} yl_unit;

/* Who records the units of a traced run. The runtime writes no file
 * itself: bench's trace writer (bench/yltrace.c) is one tracer. */
typedef struct yl_tracer {
    /* Before any task runs: the state the other two get, NULL on failure
     * (yl_run then fails before running anything). */
    void *(*open)(const char *path, const char *model);
    /* As each unit ends, on the thread of the worker that ran it: with
     * several workers, calls come from several threads at once. */
    void (*unit)(void *state, const yl_unit *u);
    /* After the last task: finish (write path) and free state; 0 or -1. */
    int (*close)(void *state, const char *path, const char *model);
} yl_tracer;

/* The parameters of the scheduling classes (policy.h), in OSTEP's terms.
 * Times are in ns of CPU run on the worker; zero means the default. */
#define YL_SCHED_LEVELS_MAX 8
typedef struct yl_sched_params {
    uint64_t quantum_ns;      /* rr, stride, lottery, fair, eevdf, mlfq's default
                               * quantum: the time slice (default 10 ms) */
    int queues;               /* mlfq: levels (default 3) */
    uint64_t quanta_ns[YL_SCHED_LEVELS_MAX]; /* mlfq: quantum per level, top
                               * first (0: quantum_ns) */
    unsigned allotment;       /* mlfq: quanta a task may use at a level before
                               * it moves down (default 1) */
    uint64_t boost_ns;        /* mlfq: every boost_ns of CPU all go to the top (0: never) */
    bool stay;                /* mlfq: an I/O resets the allotment and the task
                               * stays at its level (OSTEP's -S: gameable) */
    uint64_t seed;            /* lottery: the draws' seed (default 1) */
} yl_sched_params;

/* Runtime settings. Zero means "default"; environment variables override
 * what the program sets (see yl_config_from_env). */
typedef struct yl_config {
    enum yl_exec exec;       /* default single (YL_EXEC) */
    int workers;             /* sharded/stealing: default the CPUs we may use (YL_WORKERS) */
    const char *cpus;        /* pin worker i to the i-th CPU of this list, "0,1" (YL_CPUS) */
    size_t stack_size;       /* bytes per task stack (default 64 KiB) */
    const char *trace_path;  /* trace every unit into this file (NULL: off) */
    const char *trace_model; /* model column of the trace (default "tasks") */
    const yl_tracer *tracer; /* records the trace (NULL: the one of yl_set_tracer) */
    enum yl_timers timers;   /* default the wheel (YL_TIMERS=wheel|heap) */
    bool stack_unguarded;    /* no guard page below stacks (YL_STACK_GUARD=0):
                              * lifts the vm.max_map_count cap near 32k stacks */
    uint64_t preempt_us;     /* quantum: a stackful unit running longer is
                              * preempted (YL_PREEMPT_US); 0: never (cooperative,
                              * no monitor thread, no signal handler) */
    const char *policy;      /* which ready task runs next: a name of
                              * yl_policy_names, default "fifo" (YL_POLICY) */
    yl_sched_params sched;   /* the policy's parameters (YL_QUANTUM_US, ...) */
} yl_config;

/* Runs main_fn(arg) as the first task ("main") and returns when every task
 * has finished: 0 on success, -1 with a message on stderr on failure
 * (deadlock: every task blocked with no timer or I/O pending, under any
 * executor; a worker thread that cannot be started, before any task runs;
 * another yl_run running on another thread: one at a time per process;
 * out of memory; trace not writable). */
int yl_run(const yl_config *cfg, yl_fn main_fn, void *arg);

/* Makes t the tracer of every later yl_run whose config names none (a
 * trace writer installs itself so at program start). NULL: none, and a
 * run asked to trace then fails with a message saying so. */
void yl_set_tracer(const yl_tracer *t);

/* Overrides cfg from YL_EXEC, YL_WORKERS, YL_CPUS, YL_STACK_KIB, YL_TRACE,
 * YL_TIMERS, YL_STACK_GUARD and YL_PREEMPT_US when they are set; returns 0, or -1 with a
 * one-line message on stderr when a variable is malformed. */
int yl_config_from_env(yl_config *cfg);

/* --- tasks ------------------------------------------------------------ */

/* Creates a lazy task: it does not run until yl_start or yl_join (Rust and
 * Python futures). name is copied into the trace; NULL on out-of-memory. */
yl_task *yl_task_new(const char *name, yl_fn fn, void *arg);

/* Sets the stack size of a task not yet started (rounded up to pages). */
void yl_task_set_stack(yl_task *t, size_t bytes);

/* Makes a lazy task runnable; it runs once the current unit ends. Returns
 * 0, or -1 when its stack cannot be allocated (the task stays lazy). */
int yl_start(yl_task *t);

/* Eager spawn (JavaScript, Dart): creates and starts a task. The handle must
 * be passed to yl_join or yl_detach; NULL on out-of-memory. */
yl_task *yl_spawn(const char *name, yl_fn fn, void *arg);

/* Spawn and forget: the article's call of an async function without await.
 * Returns 0, or -1 on out-of-memory. */
int yl_go(const char *name, yl_fn fn, void *arg);

/* Waits until t has finished (starting it first if it is lazy), then frees
 * the handle. A yield point unless t already finished. */
void yl_join(yl_task *t);

/* The same as yl_join, by the name Rust and Python use. */
static inline void yl_await(yl_task *t) { yl_join(t); }

/* Gives up the handle: t is freed as soon as it finishes. A lazy task that
 * is detached before it started is freed without ever running. */
void yl_detach(yl_task *t);

/* Number of workers of the running runtime (1 outside yl_run). */
int yl_workers(void);

/* Index of the worker running the caller now (it may change at any yield
 * point under the stealing executor). -1 outside a task. */
int yl_worker_index(void);

/* The arg the running task was started with. */
void *yl_task_arg(void);

/* The running task. */
yl_task *yl_self(void);

/* The task's name as given at creation. */
const char *yl_task_name(const yl_task *t);

/* The task's id: 1 for main, then in creation order. */
uint64_t yl_task_id(const yl_task *t);

/* The bytes a stackful task's control block takes (its stack comes on
 * top); a stackless task's size is yl_sl_task_bytes (stackless.h). */
size_t yl_task_control_bytes(void);

/* --- scheduling classes (policy.h) ------------------------------------ */

/* The policies' names, NULL-terminated: fifo lifo prio sjf stcf rr mlfq
 * stride lottery fair eevdf. */
extern const char *const yl_policy_names[];

/* The name of the running policy ("fifo" outside yl_run). */
const char *yl_policy(void);

/* What a task tells the policy about itself. Set them on a task not yet
 * started (yl_task_new, then yl_start): each applies from the task's next
 * enqueue. Each returns 0, or -1 (EINVAL) for a value out of range. */
int yl_task_set_hint(yl_task *t, uint64_t ns);     /* sjf, stcf: CPU the task needs */
int yl_task_set_prio(yl_task *t, int prio);        /* prio: 0..63, larger runs first */
int yl_task_set_nice(yl_task *t, int nice);        /* fair, eevdf: -20..19, Linux's weights */
int yl_task_set_tickets(yl_task *t, uint32_t n);   /* stride, lottery: 1..1000000 (default 100) */

/* A cooperative preemption point, for CPU-bound code: asks the policy
 * whether the running task's slice is over (or a task it prefers is
 * ready, due timers fired first) and yields if so. Returns true when it
 * yielded. Under fifo, and outside a task, it returns false at once. */
bool yl_safepoint(void);

/* Units the calling thread's worker has run so far (0 outside yl_run):
 * a task that reads a different value than before was switched out in
 * between, by a yield point, a safepoint or the timer. One load. */
uint64_t yl_worker_units(void);

/* --- yield points ------------------------------------------------------ */

/* Lets every task that is ready now run first, then continues. */
void yl_yield(void);

/* Suspends the running task for at least ms milliseconds. Returns 0, or
 * -1 at once (errno ECANCELED) once the task has been cancelled. */
int yl_sleep_ms(uint64_t ms);

/* Suspends the running task for at least us microseconds; as yl_sleep_ms. */
int yl_sleep_us(uint64_t us);

/* Cancels t: if it sleeps, its timer is removed and it wakes now; this
 * sleep and every later one return at once with -1 (ECANCELED). t must be
 * a handle not yet joined, and its timer on the caller's worker: always so
 * with one worker, for a task of the caller's shard when sharded. Returns
 * 1 if t was asleep and is woken, 0 if it was not asleep (it is still
 * cancelled), -1 with errno EXDEV when t may be on another worker. */
int yl_cancel(yl_task *t);

/* True once the running task has been cancelled (yl_cancel). */
bool yl_cancelled(void);

/* The deadline of the running task's latest sleep (CLOCK_MONOTONIC ns):
 * now minus it, just after waking, is how late the timer fired. */
uint64_t yl_deadline_ns(void);

/* --- preemption (preempt.c) ------------------------------------------ */

/* Forbids preempting the running task until the matching yl_preempt_enable.
 * Calls nest, like the kernel's preempt_disable; the count belongs to the
 * task, so it follows it to another worker. A no-op in a stackless task
 * (those are never preempted) and when preemption is off. */
void yl_preempt_disable(void);

/* Undoes one yl_preempt_disable. At the outermost one, a preemption that
 * fell due meanwhile happens now (a yield point then). Aborts when not
 * paired with a disable. */
void yl_preempt_enable(void);

/* --- I/O: each call below is a yield point ------------------------------ */

/* Puts fd in non-blocking mode, as yl_read and yl_write need. 0 or -1. */
int yl_fd_nonblock(int fd);

/* read(2) on a pipe, socket or terminal set non-blocking: while no data is
 * there the task waits in epoll and others run. -1 with errno on error. */
ssize_t yl_read(int fd, void *buf, size_t n);

/* read(2) once, without waiting: -1 with errno EAGAIN when nothing is
 * there, as the runtime knows it (no system call) or as read says, and
 * then yl_fd_park can park fd. A yield point only in name: it never waits. */
ssize_t yl_try_read(int fd, void *buf, size_t n);

/* write(2) likewise, waiting while the pipe or socket buffer is full. */
ssize_t yl_write(int fd, const void *buf, size_t n);

/* accept4(2) on a listening socket set non-blocking: while no connection
 * is pending the task waits in epoll. flags as accept4's (SOCK_NONBLOCK,
 * SOCK_CLOEXEC). The new fd, or -1 with errno (EINVAL once the socket has
 * been shut down, EMFILE when out of fds). */
int yl_accept(int fd, int flags);

/* Waits until fd (set non-blocking, or an epoll fd: an epoll set is
 * pollable) has something to read or is closed, reading nothing. For a
 * task that reads with its own calls (epoll_wait on a set of its own).
 * 0, or -1 with errno (EEXIST: another task already waits on fd). */
int yl_wait_readable(int fd);

/* The reactor registers an fd once, the first time a task waits on it,
 * and keeps it registered (edge-triggered, both directions) until
 * yl_close: a reader and a writer may wait on it at once, and a wait costs
 * no epoll_ctl. So an fd a task has waited on is closed with yl_close,
 * which deregisters it, closes it and ends any wait on it: the waiting
 * yl_read, yl_write, yl_accept or yl_wait_readable returns -1 with errno
 * EBADF (a plain close() would leave such a task waiting forever), and a
 * task parked on it (yl_fd_park) starts. Outside yl_run, a plain close.
 * close(2)'s result. */
int yl_close(int fd);

/* Parks fd without a task: t (made with yl_task_new, not started) starts
 * once fd is readable, or is yl_closed. Meanwhile fd costs no stack: a
 * server hands an idle keep-alive connection over this way and lets its
 * task end. The run does not end while a task is parked. Under sharded t
 * runs on the caller's worker. 0, and t is the runtime's (detached); or
 * -1 with errno, t still the caller's: EAGAIN when fd may be readable
 * (no read has found it empty since it last became readable: read it
 * instead, with yl_try_read), EEXIST when a task waits to read it. */
int yl_fd_park(int fd, yl_task *t);

/* Regular files go through a small pool of blocking threads (epoll cannot
 * wait on them); the task waits and others run meanwhile. Each returns as
 * the system call would, -1 with errno set. off < 0 means "at the file
 * position" (read/write), otherwise pread/pwrite at off. */
int yl_file_open(const char *path, int flags, mode_t mode);
ssize_t yl_file_read(int fd, void *buf, size_t n, off_t off);
ssize_t yl_file_write(int fd, const void *buf, size_t n, off_t off);
int yl_file_close(int fd);

/* Opens path for appending (creating it), writes buf in one write(2) and
 * closes it, like Node's appendFile: the kernel keeps each append whole. */
ssize_t yl_file_append(const char *path, const void *buf, size_t n);

/* --- async mutex ----------------------------------------------------- */

enum yl_mutex_order {
    YL_FIFO, /* waiters get the lock in arrival order: fair */
    YL_LIFO, /* newest waiter first: the article's AsyncLock */
};

typedef struct yl_mutex {
    yl_spinlock lock;
    yl_task *owner;
    yl_queue waiters;     /* the next owner is at the head */
    enum yl_mutex_order order;
} yl_mutex;

/* An unlocked mutex that hands the lock over in the given order. */
void yl_mutex_init(yl_mutex *m, enum yl_mutex_order order);

/* Takes the mutex; if it is held, waits (a yield point) until handed it. */
void yl_mutex_lock(yl_mutex *m);

/* Takes the mutex if free; never waits. */
bool yl_mutex_trylock(yl_mutex *m);

/* Releases the mutex, handing it to the next waiter if any. Aborts when
 * the running task is not the owner. */
void yl_mutex_unlock(yl_mutex *m);

/* --- wait group (Promise.all, Go's sync.WaitGroup) --------------------- */

typedef struct yl_wg {
    yl_spinlock lock;
    int64_t count;
    yl_queue waiters; /* tasks blocked in yl_wg_wait, in arrival order */
} yl_wg;

/* Sets the counter to zero with no waiters. */
void yl_wg_init(yl_wg *wg);

/* Adds n (may be negative) to the counter; at zero every waiter wakes.
 * The counter going below zero is a bug and aborts. */
void yl_wg_add(yl_wg *wg, int64_t n);

/* Same as yl_wg_add(wg, -1). */
void yl_wg_done(yl_wg *wg);

/* Blocks the running task until the counter is zero (no-op if it is). */
void yl_wg_wait(yl_wg *wg);

/* --- counters, for the measurements ------------------------------------ */

typedef struct yl_stats {
    uint64_t switches;      /* switches into a task (units run) */
    uint64_t tasks_created;
    uint64_t tasks_live;    /* created and not yet freed */
    uint64_t steals;        /* tasks taken from another worker's deque */
    uint64_t migrations;    /* units run on another worker than the task's previous one */
    uint64_t task_bytes;    /* bytes of task headers, frames and control blocks
                             * live now (stacks not included) */
    uint64_t stacks_carved; /* stacks cut out of the pool's mappings so far */
    uint64_t stacks_reused; /* stacks handed out again from the pool's free list */
    uint64_t preempt_signals;  /* signals the monitor sent to overrunning units */
    uint64_t preemptions;      /* ... that cut a unit (the task was switched out) */
    uint64_t preempt_deferred; /* ... that found no safe point: in libc or libyl,
                                * preemption disabled, too little stack */
    uint64_t preempt_stackless; /* stackless units that overran the quantum:
                                 * never preempted (no stack to come back to) */
} yl_stats;

/* A snapshot of the runtime's counters. */
yl_stats yl_get_stats(void);

#endif

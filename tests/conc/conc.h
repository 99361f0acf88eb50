/* conc.h - concurrency checks of the runtime, in plain C so they run both
 * in the Criterion suite and, under ThreadSanitizer (where Criterion cannot
 * start), in a plain runner. Each returns 0 when the property holds, or a
 * non-zero code after printing what broke to stderr. */
#ifndef YL_CONC_H
#define YL_CONC_H

#include <stddef.h>
#include <stdatomic.h>

/* One owner pushes and takes, thieves steal, `items` in all: every item is
 * taken exactly once. */
int conc_deque_exactly_once(int thieves, long items);

/* weak.c: the owner's take against a thief's two steals on a deque of 2
 * tasks, per-round barriers, up to `rounds` rounds or max_s seconds
 * (rounds run stored in *done_rounds): the number of rounds in which a
 * task was taken twice or lost (0 when the fences hold), -1 on setup error. */
long conc_deque_head_to_head(long rounds, double max_s, long *done_rounds);

/* A per-round barrier of two threads on *b (starting at 0): returns once
 * both have arrived for round `round` (0, 1, 2...). */
void conc_barrier(_Atomic long *b, long round);

/* After the barrier of round `round`: a delay of 0 to span spins (span a
 * power of two) on side 0 or side 1, never both, different each round. */
void conc_jitter(long round, int side, unsigned span);

/* The monotonic clock in seconds. */
double conc_mono_s(void);

/* n tasks spawned under exec (0 single, 1 sharded, 2 stealing) with
 * `workers` workers, each yielding and sleeping a little: every task runs
 * to completion exactly once. */
int conc_spawn_storm(int exec, int workers, int n);

/* tasks tasks each add 1 to a plain counter `rounds` times under a
 * yl_mutex, yielding while holding it: the count is exact. */
int conc_mutex_excludes(int exec, int workers, int tasks, int rounds);

/* A wait group released by tasks on every worker wakes its waiter once. */
int conc_wait_group(int exec, int workers);

/* n stackless tasks under exec with `workers` workers, each yielding,
 * sleeping, taking a mutex across a yield and sometimes spawning and
 * awaiting a child, while stackless and stackful tasks wait on a wait
 * group they release: every task and child runs exactly once, the count
 * under the mutex is exact, every waiter wakes once. */
int conc_stackless_storm(int exec, int workers, int n);

/* CPU time (ms, user + system) the process burns while an idle stealing
 * runtime with 2 workers waits `sleep_ms` on one timer. */
double conc_idle_cpu_ms(int sleep_ms);

/* workers.c: `pairs` reader tasks each yl_read their own pipe `rounds`
 * times while a thread writes the pipes in bursts, so readers wait in
 * epoll each round and (stealing) often resume on another worker: every
 * read succeeds and returns the byte written. */
int conc_fd_reads(int exec, int workers, int pairs, int rounds);

/* Two workers: one task wakes another `rounds` times and stays busy until
 * the woken one has run on the other worker, which parks between rounds:
 * every wake-up reaches it (a lost one leaves the woken task waiting; the
 * waker gives up after 10 s and the check fails). */
int conc_wake_storm(int exec, int rounds);

/* Every task blocked, no timer or fd pending: yl_run fails with the one
 * deadlock message, whatever the executor (run in a child process, which
 * is killed if it hangs). */
int conc_deadlock_reported(int exec, int workers);

/* The runtime's two halves of parking (announce and look, against make
 * ready and wake; exec sharded or stealing) raced head to head on two
 * threads, up to `rounds` rounds or max_s seconds: the number of rounds
 * in which the parking worker missed the task and the waker missed the
 * parking (0 when the protocol holds), -1 on setup error. */
long conc_park_protocol(int exec, long rounds, double max_s);

/* A worker thread cannot be created (RLIMIT_NPROC, hit for real in a
 * child process run as nobody): yl_run fails with a message naming the
 * worker, before any task runs. */
int conc_worker_start_fails(int exec);

/* The server program of model (flag variant, 2 workers) serves 20 clients
 * at once, several rounds each, and stops cleanly on SIGTERM with nothing
 * on its stderr from a sanitizer (tests/conc/server_check.c; the plain
 * runner only). */
int conc_server(const char *model, const char *flag, const char *variant);

/* steal_io.c: stealing, 2 workers: a task waiting in yl_read whose worker
 * then runs a hog that never yields is resumed by the other worker before
 * the hog's `bound` spins run out, in each of `want` attempts in which the
 * hog landed on the reader's worker (of at most `attempts`; none: fails). */
int conc_steal_sees_fd(int attempts, int want, long bound);

/* While one thread's yl_run runs, another thread's yl_run is refused
 * (returns -1 and runs nothing); a run after the first has ended works. */
int conc_two_runs_at_once(int exec);

/* Runs fn(arg) in a child process whose stderr comes back in err[cap]
 * (NUL-terminated). Returns the child's exit status, 128 + signal, or -1
 * when it had not ended after timeout_s and was killed (workers.c). */
int conc_in_child(int (*fn)(void *), void *arg, char *err, size_t cap, int timeout_s);

/* preempt.c (each in a child process, killed when it hangs): */

/* `workers` tasks that spin without a yield point fill every worker; one
 * more task yields 200 times and then stops them. With a quantum it gets
 * its turns (the spinners are preempted) and the run ends. */
int conc_preempt_spinners(int exec, int workers);

/* Tasks sum long double, SSE (and AVX where the CPU has it; NEON on
 * AArch64) series, each under its own rounding mode, preempted every
 * quantum_us: every sum is bit-exact with the same sum computed alone. */
int conc_preempt_fp(int exec, int workers, int quantum_us);

/* One worker: a section inside yl_preempt_disable (nested) is never cut,
 * however long it runs, and the preemption that fell due inside happens at
 * the outermost yl_preempt_enable. */
int conc_preempt_disabled(int exec);

/* Tasks call malloc/free, snprintf, yl_mutex, yl_sleep_us and
 * yl_spawn/yl_join in a loop, with some spinning in between, under a
 * 20 µs quantum for `seconds`: no deadlock, no corruption, every count
 * right, and some preemptions taken. */
int conc_preempt_stress(int exec, int workers, int seconds);
/* The stress's length: YL_PREEMPT_STRESS_S, default 1 s (10: the long run). */
int conc_preempt_stress_seconds(void);
/* fd_wake.c: `runs` runs of exec with `workers` workers, in each one task
 * reading `rounds` bytes of a pipe that a plain thread writes a byte at a
 * time, pausing between bytes so the workers park: every run reads every
 * byte (no false deadlock while the wake-up is under way). */
int conc_thread_fed(int exec, int workers, int runs, int rounds);

#endif

/* conc.h - concurrency checks of the runtime, in plain C so they run both
 * in the Criterion suite and, under ThreadSanitizer (where Criterion cannot
 * start), in a plain runner. Each returns 0 when the property holds, or a
 * non-zero code after printing what broke to stderr. */
#ifndef YL_CONC_H
#define YL_CONC_H

/* One owner pushes and takes, thieves steal, `items` in all: every item is
 * taken exactly once. */
int conc_deque_exactly_once(int thieves, long items);

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

/* The server program of model (flag variant, 2 workers) serves 20 clients
 * at once, several rounds each, and stops cleanly on SIGTERM with nothing
 * on its stderr from a sanitizer (tests/conc/server_check.c; the plain
 * runner only). */
int conc_server(const char *model, const char *flag, const char *variant);

#endif

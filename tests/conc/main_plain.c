/* main_plain.c - the concurrency checks without Criterion, for
 * `make test SAN=thread`: Criterion cannot start under ThreadSanitizer
 * (its inheritable arena collides with TSan's memory layout), so this
 * plain runner carries the checks where TSan matters most. */
#include <stdio.h>

#include "conc.h"

/* The head-to-head races: millions of rounds, bounded in time (the
 * AArch64 run, where they matter most, gives them longer: tests/build.mk). */
#ifndef WEAK_S
#define WEAK_S 3.0
#endif
#define WEAK_ROUNDS 5000000L

int main(void)
{
    int passed = 0, failed = 0;
    struct {
        const char *name;
        int bad;
    } r[] = {
        {"deque: 4 threads, 10^6 items, each taken once", conc_deque_exactly_once(3, 1000000)},
        {"stealing: 10k-task storm, each runs once", conc_spawn_storm(2, 2, 10000)},
        {"sharded: 10k-task storm, each runs once", conc_spawn_storm(1, 2, 10000)},
        {"stealing: mutex excludes across workers", conc_mutex_excludes(2, 2, 20, 50)},
        {"sharded: mutex excludes across workers", conc_mutex_excludes(1, 2, 20, 50)},
        {"stealing: wait group wakes its waiter", conc_wait_group(2, 2)},
        {"stealing: 10k stackless tasks, each runs once; mutex, join, wait group",
         conc_stackless_storm(2, 2, 10000)},
        {"sharded: 10k stackless tasks, each runs once; mutex, join, wait group",
         conc_stackless_storm(1, 2, 10000)},
        {"stealing: 32 tasks x 200 pipe reads, each succeeds", conc_fd_reads(2, 2, 32, 200)},
        {"deque: owner's take against a thief's two steals, head to head",
         conc_deque_head_to_head(WEAK_ROUNDS, WEAK_S, NULL) != 0},
        {"sharded: parking against waking, head to head",
         conc_park_protocol(1, WEAK_ROUNDS, WEAK_S) != 0},
        {"stealing: parking against waking, head to head",
         conc_park_protocol(2, WEAK_ROUNDS, WEAK_S) != 0},
        {"sharded: wake storm, 20000 wake-ups of a parking worker", conc_wake_storm(1, 20000)},
        {"stealing: wake storm, 20000 wake-ups of a parking worker", conc_wake_storm(2, 20000)},
        {"single: deadlock reported", conc_deadlock_reported(0, 1)},
        {"sharded: deadlock reported", conc_deadlock_reported(1, 2)},
        {"stealing: deadlock reported", conc_deadlock_reported(2, 2)},
        {"sharded: a worker that cannot start fails yl_run before main",
         conc_worker_start_fails(1)},
        {"stealing: a worker that cannot start fails yl_run before main",
         conc_worker_start_fails(2)},
        {"stealing: fd readiness reaches the other worker while a hog runs",
         conc_steal_sees_fd(400, 5, 2000000000L)},
        {"stealing: 30 runs of a pipe fed by a plain thread, no false deadlock",
         conc_thread_fed(2, 2, 30, 200)},
        {"single: a second yl_run at the same time is refused", conc_two_runs_at_once(0)},
        {"stealing: a second yl_run at the same time is refused", conc_two_runs_at_once(2)},
        {"stealing: idle workers park (CPU < 50 ms over 200 ms)", conc_idle_cpu_ms(200) >= 50},
        {"single: spinning tasks are preempted", conc_preempt_spinners(0, 1)},
        {"sharded: spinning tasks are preempted", conc_preempt_spinners(1, 2)},
        {"stealing: spinning tasks are preempted", conc_preempt_spinners(2, 2)},
        {"single: FP state survives a 20 us quantum, bit-exact", conc_preempt_fp(0, 1, 20)},
        {"stealing: FP state survives a 20 us quantum, bit-exact", conc_preempt_fp(2, 2, 20)},
        {"single: a preempt-disabled section is never cut, nesting", conc_preempt_disabled(0)},
        {"stealing: a preempt-disabled section is never cut, nesting", conc_preempt_disabled(2)},
        {"single: malloc, snprintf, mutex, sleep, spawn under a 20 us quantum",
         conc_preempt_stress(0, 1, conc_preempt_stress_seconds())},
        {"sharded: malloc, snprintf, mutex, sleep, spawn under a 20 us quantum",
         conc_preempt_stress(1, 2, conc_preempt_stress_seconds())},
        {"stealing: malloc, snprintf, mutex, sleep, spawn under a 20 us quantum",
         conc_preempt_stress(2, 2, conc_preempt_stress_seconds())},
#ifndef YL_CONC_NO_SERVER /* the AArch64 run has no server programs to start */
        {"server, tasks stealing: 20 clients, clean stop", conc_server("tasks", "--exec", "stealing")},
        {"server, tasks sharded: 20 clients, clean stop", conc_server("tasks", "--exec", "sharded")},
        {"server, threads per-conn: 20 clients, clean stop",
         conc_server("threads", "--variant", "per-conn")},
        {"server, threads pool: 20 clients, clean stop", conc_server("threads", "--variant", "pool")},
#endif
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        printf("%s: %s\n", r[i].bad ? "FAIL" : "ok", r[i].name);
        r[i].bad ? failed++ : passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

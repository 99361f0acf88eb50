/* main_plain.c - the concurrency checks without Criterion, for
 * `make test SAN=thread`: Criterion cannot start under ThreadSanitizer
 * (its inheritable arena collides with TSan's memory layout), so this
 * plain runner carries the checks where TSan matters most. */
#include <stdio.h>

#include "conc.h"

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
        {"stealing: idle workers park (CPU < 50 ms over 200 ms)", conc_idle_cpu_ms(200) >= 50},
        {"server, tasks stealing: 20 clients, clean stop", conc_server("tasks", "--exec", "stealing")},
        {"server, tasks sharded: 20 clients, clean stop", conc_server("tasks", "--exec", "sharded")},
        {"server, threads per-conn: 20 clients, clean stop",
         conc_server("threads", "--variant", "per-conn")},
        {"server, threads pool: 20 clients, clean stop", conc_server("threads", "--variant", "pool")},
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        printf("%s: %s\n", r[i].bad ? "FAIL" : "ok", r[i].name);
        r[i].bad ? failed++ : passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

/* work.c - burning the CPU for a known amount of work (see work.h). */
#include "work.h"

#include <time.h>

#include "measure.h"

uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t process_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A little arithmetic the compiler cannot drop: the work between two looks
 * at the clock (well under a microsecond, so the overshoot stays small). */
void work_spin(void)
{
    static _Thread_local volatile uint64_t sink;
    uint64_t x = sink;
    for (int i = 0; i < 256; i++)
        x = x * 6364136223846793005u + 1442695040888963407u;
    sink = x;
}

uint64_t work_cpu_ns(uint64_t ns)
{
    uint64_t w0 = now_ns();
    /* CPU time, not the wall clock: time spent preempted is not work. */
    uint64_t c0 = thread_cpu_ns();
    while (thread_cpu_ns() - c0 < ns)
        work_spin();
    return now_ns() - w0;
}

bool work_until_ns(uint64_t deadline_ns, const _Atomic int *stop)
{
    while (now_ns() < deadline_ns) {
        if (stop && atomic_load_explicit(stop, memory_order_relaxed))
            return false;
        work_spin();
    }
    return true;
}

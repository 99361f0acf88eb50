/* clock.c - the runtime's one clock: deadlines, unit times and traces
 * all read CLOCK_MONOTONIC, so they can be compared with each other. */
#include <time.h>

#include "internal.h"

uint64_t yl__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

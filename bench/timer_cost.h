/* timer_cost.h - what libyl's timer structure alone costs (spawn
 * --timer-cost): arming and expiring timers, no task running. */
#ifndef YL_TIMER_COST_H
#define YL_TIMER_COST_H

#include <stdbool.h>
#include <stdint.h>

#include "yl.h"

/* Arms n timers the way n tasks would that each sleep sleep_ms, armed
 * evenly over spread_ms (deadlines in arm order, or in random order when
 * shuffled), then lets a simulated clock run until all have expired.
 * *insert_ns and *expire_ns get the mean cost of one arm and of one
 * expiry. 0, or -1 when out of memory. */
int timer_cost_measure(enum yl_timers kind, uint64_t n, uint64_t sleep_ms, uint64_t spread_ms,
                       bool shuffled, double *insert_ns, double *expire_ns);

#endif

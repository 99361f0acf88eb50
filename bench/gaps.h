/* gaps.h - how long the CPU is taken from a unit that never gives it up.
 *
 * Two units spin on one CPU, each stamping its own slot with the time at
 * every turn of its loop. When a unit finds the other's stamp newer than
 * its own previous one, the other ran in between: now minus the other's
 * stamp is the gap between the other's last turn and its own first, the
 * whole cost of one forced switch (for tasks: the signal, the
 * handler, the entry's saves, the switch, the way back; for threads: the
 * timer interrupt and the kernel's switch). The loop reads the CPU's own
 * counter (rdtsc, cntvct_el0): no call, so a preemption lands in it. Used
 * by tasks/preempt and threads/preempt. */
#ifndef YL_GAPS_H
#define YL_GAPS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* The CPU's counter: ticks of a constant rate (gap_ns_per_tick). */
static inline uint64_t gap_ticks(void)
{
#if defined(__x86_64__)
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
#elif defined(__aarch64__)
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
    return v;
#endif
}

/* ns per counter tick, measured against CLOCK_MONOTONIC over ~20 ms. */
double gap_ns_per_tick(void);

struct gap_shared {
    _Atomic uint64_t last[2]; /* each unit's latest stamp, in ticks */
};

struct gap_log {
    uint64_t *ticks;         /* [cap] gaps seen by this unit */
    size_t n, cap;
};

/* Spins as unit `me` (0 or 1) until the counter passes until, recording each gap
 * (in ticks) in log; between != NULL is called once a turn (a yield, for
 * the voluntary switch's gap). Returns the turns it made. */
uint64_t gap_spin(struct gap_shared *s, int me, uint64_t until, struct gap_log *log,
                  void (*between)(void));

/* Gives logs[0] and logs[1] room for `cap` gaps each (exits on no memory)
 * and returns the counter value ms from now; *ns_per_tick is measured. */
uint64_t gap_setup(struct gap_log *logs, size_t cap, uint64_t ms, double *ns_per_tick);

/* The gaps of logs[0..k) in ns, sorted, into out[cap]; returns how many. */
size_t gap_collect(struct gap_log *logs, size_t k, double ns_per_tick, double *out, size_t cap);

#endif

/* phases.h - time stamps along one yl_yield, for the `yieldparts`
 * breakdown (runtime/yieldparts.c): where the nanoseconds of a switch
 * through the scheduler go.
 *
 * Compiled in only with -DYL_PHASES, which only a separate build of
 * sched.c gets (runtime/yl/build.mk); in libyl itself every mark is
 * ((void)0), so the breakdown costs the real runtime nothing. One worker
 * only (the single executor): the log is one global.
 *
 * The marks, in the order one yield passes them:
 *   YIELD    yl_yield is entered (task A)
 *   ARRIVED  the scheduler is back from the switch out of A
 *   KEPT     the scheduler's bookkeeping of A's unit is done
 *   QUEUED   A is back in the run queue
 *   CHECKED  the timers and fds were looked at (or the countdown said no)
 *   PICKED   the next task (B) is out of the run queue
 *   ENTER    B's unit is set up, the switch into B starts
 *   RESUMED  B is back in its own yl_yield
 */
#ifndef YL_PHASES_H
#define YL_PHASES_H

#include <stdint.h>

enum yl_phase {
    YL_PH_YIELD, YL_PH_ARRIVED, YL_PH_KEPT, YL_PH_QUEUED,
    YL_PH_CHECKED, YL_PH_PICKED, YL_PH_ENTER, YL_PH_RESUMED, YL_PH_N
};

#define YL_PH_HIST 2048 /* ticks: longer spans (an interrupt) go in the last bucket */

struct yl_phase_log {
    uint64_t ts[YL_PH_N];  /* the current yield's stamps */
    uint64_t sum[YL_PH_N]; /* sum[k]: ticks from mark k-1 to mark k, over whole yields */
    uint32_t hist[YL_PH_N][YL_PH_HIST]; /* hist[k][d]: spans k of d ticks (last: longer) */
    uint64_t yields;       /* yields that passed every mark in order */
    int armed;             /* a yield is under way (YIELD seen, not spoilt) */
};

/* The CPU's cycle-rate counter: rdtsc on x86-64, the virtual counter on
 * AArch64 (a fixed rate, often much slower than the core). */
static inline uint64_t yl_phase_ticks(void)
{
#if defined(__x86_64__)
    uint32_t lo, hi;
    /* lfence: the stamp waits for what came before it, instead of being
     * read early by the out-of-order core (a span would then come out
     * shorter than the code it covers). */
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t)hi << 32 | lo;
#elif defined(__aarch64__)
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
    return v;
#endif
}

#ifdef YL_PHASES
extern struct yl_phase_log yl_phase_log; /* sched.c, in the YL_PHASES build */
#define YL_PHASE(k) (yl_phase_log.ts[(k)] = yl_phase_ticks())
#else
#define YL_PHASE(k) ((void)0)
#endif

#endif

/* spin.h - a tiny test-and-test-and-set lock for the runtime's own short
 * critical sections (a wait group's waiter list, a mutex's queue, a task's
 * joiner). Held for a few instructions only, never across a switch except
 * through yl__block_unlock, which releases it once the switch is done. */
#ifndef YL_SPIN_H
#define YL_SPIN_H

#include <stdatomic.h>

#include "yl.h"

static inline void yl_spin_lock(yl_spinlock *l)
{
    for (;;) {
        if (!atomic_exchange_explicit(&l->v, 1, memory_order_acquire))
            return;
        while (atomic_load_explicit(&l->v, memory_order_relaxed)) {
#if defined(__x86_64__)
            __builtin_ia32_pause();
#elif defined(__aarch64__)
            __asm__ volatile("yield");
#endif
        }
    }
}

static inline void yl_spin_unlock(yl_spinlock *l)
{
    atomic_store_explicit(&l->v, 0, memory_order_release);
}

#endif

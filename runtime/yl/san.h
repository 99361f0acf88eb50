/* san.h - tell AddressSanitizer when we move to another stack.
 *
 * ASan tracks one stack per thread. Without these calls, a switch looks to
 * it like a wild jump of the stack pointer and it reports false errors (or
 * misses real ones). Compiled out unless ASan is on.
 */
#ifndef YL_SAN_H
#define YL_SAN_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define YL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define YL_ASAN 1
#endif
#endif

#ifdef YL_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
/* Before switching: save our fake stack in *save (NULL when this stack is
 * leaving for good) and name the stack we are about to run on. */
#define yl_san_start_switch(save, lo, size) \
    __sanitizer_start_switch_fiber((save), (lo), (size))
/* After arriving: restore our fake stack; learn where we came from. */
#define yl_san_finish_switch(fake, lo_out, size_out) \
    __sanitizer_finish_switch_fiber((fake), (lo_out), (size_out))
#define yl_san_poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define yl_san_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define yl_san_start_switch(save, lo, size) ((void)(save), (void)(lo), (void)(size))
#define yl_san_finish_switch(fake, lo_out, size_out) \
    ((void)(fake), (void)(lo_out), (void)(size_out))
#define yl_san_poison(p, n) ((void)(p), (void)(n))
#define yl_san_unpoison(p, n) ((void)(p), (void)(n))
#endif


/* ThreadSanitizer keeps a shadow call stack and a clock per "fiber": each
 * task is one, and each switch is announced so that TSan sees the handoff
 * as synchronisation instead of one thread's stack changing under it. */
#if defined(__SANITIZE_THREAD__)
#define YL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define YL_TSAN 1
#endif
#endif

#ifdef YL_TSAN
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
#define yl_tsan_current() __tsan_get_current_fiber()
#define yl_tsan_create() __tsan_create_fiber(0)
#define yl_tsan_destroy(f) __tsan_destroy_fiber(f)
#define yl_tsan_switch(f) __tsan_switch_to_fiber((f), 0)
#else
#define yl_tsan_current() NULL
#define yl_tsan_create() NULL
#define yl_tsan_destroy(f) ((void)(f))
#define yl_tsan_switch(f) ((void)(f))
#endif

/* Memory orders for libyl's lock-free code. TSan does not model
 * standalone fences (GCC refuses them under -fsanitize=thread), so under
 * TSan every such operation becomes seq_cst and the fences go: stronger,
 * hence still correct, and TSan can then check it. */
#include <stdatomic.h>
#ifdef YL_TSAN
#define YL_RELAXED memory_order_seq_cst
#define YL_ACQUIRE memory_order_seq_cst
#define yl_fence_release() ((void)0)
#define yl_fence_acquire() ((void)0)
#define yl_fence_seq_cst() ((void)0)
#else
#define YL_RELAXED memory_order_relaxed
#define YL_ACQUIRE memory_order_acquire
#define yl_fence_release() atomic_thread_fence(memory_order_release)
#define yl_fence_acquire() atomic_thread_fence(memory_order_acquire)
#define yl_fence_seq_cst() atomic_thread_fence(memory_order_seq_cst)
#endif

#endif

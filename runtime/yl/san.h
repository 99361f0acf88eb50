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

#endif

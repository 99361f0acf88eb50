/* preempt.h - what preempt.c, monitor.c and preempt_<arch>.S share: the
 * signal, the code ranges, and per architecture the three things the
 * handler does to a saved context (read its PC and SP, make it call). */
#ifndef YL_PREEMPT_H
#define YL_PREEMPT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <ucontext.h>

#include "san.h"

/* SIGURG, as Go: nothing else uses it in practice, and its default action
 * is to ignore it, so a signal still in flight once the handler is gone
 * does no harm. Under ThreadSanitizer an asynchronous signal waits for
 * TSan's next interceptor and the handler gets a copy of the context, so
 * rewriting it would change nothing; TSan delivers the signals it counts
 * as synchronous at once, SIGSYS among them (nothing else here uses it). */
#ifdef YL_TSAN
#define YL_PREEMPT_SIGNAL SIGSYS
#else
#define YL_PREEMPT_SIGNAL SIGURG
#endif

/* The handler and what it inlines touch no sanitizer state: it may run
 * while the sanitizer's own runtime is halfway through something. */
#define YL_PREEMPT_HANDLER_ATTRS __attribute__((no_sanitize("address", "thread")))

/* Where the interrupted code may be cut: [user_lo, user_hi) minus libyl. */
struct yl_code_ranges {
    uintptr_t user_lo, user_hi;   /* the program's own .text: _start .. yl__user_text_end */
    uintptr_t libyl_lo, libyl_hi; /* the section yl_text */
};
extern struct yl_code_ranges yl__code;

/* The safe-point check on the interrupted PC (preempt.c). */
bool yl__pc_preemptible(const struct yl_code_ranges *c, uintptr_t pc);

/* preempt_<arch>.S: saves every register, calls yl__preempt_yield,
 * restores them and returns to the PC the handler pushed. */
void yl__preempt_entry(void);

#if defined(__x86_64__)
/* XSAVE area size for the features the OS enabled (CPUID 0xD), or 0: the
 * CPU has no XSAVE and the entry uses FXSAVE's 512 bytes. Set at setup. */
extern uint32_t yl__xsave_bytes;

static inline uintptr_t yl__uc_pc(void *uc)
{
    return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
}
static inline uintptr_t yl__uc_sp(void *uc)
{
    return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RSP];
}
/* The interrupted code may keep data in the 128-byte red zone below rsp:
 * skip it, then push the PC as a call would; the entry returns with
 * `ret $128`, which pops the PC and the red zone together. */
YL_PREEMPT_HANDLER_ATTRS static inline void yl__uc_push_call(void *ucv, uintptr_t fn)
{
    greg_t *g = ((ucontext_t *)ucv)->uc_mcontext.gregs;
    uintptr_t sp = (uintptr_t)g[REG_RSP] - 128 - 8;
    *(uint64_t *)sp = (uint64_t)g[REG_RIP];
    g[REG_RSP] = (greg_t)sp;
    g[REG_RIP] = (greg_t)fn;
}
/* Stack the entry takes below the interrupted SP: red zone, PC, 16
 * registers with the flags, the XSAVE area and its 64-byte alignment. */
static inline uint64_t yl__preempt_frame_bytes(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    bool osxsave = (c >> 27) & 1;
    yl__xsave_bytes = 0;
    if (osxsave) {
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
        yl__xsave_bytes = b; /* for the features XCR0 enables now */
    }
    return 128 + 8 + 16 * 8 + (yl__xsave_bytes ? yl__xsave_bytes : 512) + 64;
}
#elif defined(__aarch64__)
static inline uintptr_t yl__uc_pc(void *uc)
{
    return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.pc;
}
static inline uintptr_t yl__uc_sp(void *uc)
{
    return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.sp;
}
/* No red zone on AArch64; sp stays 16-aligned. x30 is left alone: the
 * entry saves it like every other register and returns through x18 (see
 * preempt_aarch64.S on why the code a task runs leaves x18 alone). */
YL_PREEMPT_HANDLER_ATTRS static inline void yl__uc_push_call(void *ucv, uintptr_t fn)
{
    mcontext_t *m = &((ucontext_t *)ucv)->uc_mcontext;
    uintptr_t sp = (uintptr_t)m->sp - 16;
    *(uint64_t *)sp = m->pc;
    m->sp = sp;
    m->pc = fn;
}
/* x0-x30 and NZCV, FPCR and FPSR, q0-q31, the pushed PC. */
static inline uint64_t yl__preempt_frame_bytes(void)
{
    return 16 + 32 * 8 + 16 + 32 * 16;
}
#endif

#endif

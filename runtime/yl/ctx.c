/* ctx.c - lays out the first frame of a new context (see ctx.h). */
#include "ctx.h"

#include <stdint.h>
#include <string.h>

void yl__ctx_trampoline(void); /* switch_<arch>.S */

#if defined(__x86_64__)
/* The frame yl_ctx_switch pops, lowest address first. */
struct frame {
    uint32_t mxcsr;
    uint16_t fpucw, pad;
    uint64_t r15, r14, r13, r12, rbx, rbp;
    uint64_t ret; /* where yl_ctx_switch's final jump lands: the trampoline */
};

void yl_ctx_make(yl_ctx *c, void *stack, size_t size, yl_ctx_fn entry,
                 void *arg, yl_ctx_fn on_return, void *ret_arg)
{
#ifndef YL_HANDOUT_LAB02
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
    /* Once the switch has popped the frame, return address included,
     * rsp == top: 16-aligned, as the trampoline's call expects (the call
     * then leaves rsp = 8 mod 16 in the callee). */
    struct frame *f = (struct frame *)(top - sizeof(struct frame));
    memset(f, 0, sizeof *f);
    f->mxcsr = 0x1f80; /* the ABI's initial state: all exceptions masked */
    f->fpucw = 0x037f; /* round to nearest, extended precision, masked */
    f->r12 = (uintptr_t)entry;
    f->r13 = (uintptr_t)arg;
    f->r14 = (uintptr_t)on_return;
    f->r15 = (uintptr_t)ret_arg;
    f->rbp = 0; /* ends the frame-pointer chain for debuggers */
    f->ret = (uintptr_t)yl__ctx_trampoline;
    c->sp = f;
#else
    /* LAB 02: lay out, at the 16-byte aligned top of [stack, stack+size),
     * the struct frame your yl_ctx_switch pops: the FP control defaults,
     * callee-saved registers that carry entry, arg, on_return and ret_arg
     * to yl__ctx_trampoline, and the trampoline as the return address;
     * then c->sp = the frame. Mind the ABI's stack alignment at the call. */
    (void)stack, (void)size, (void)entry, (void)arg, (void)on_return, (void)ret_arg;
    c->sp = NULL;
#endif
}
#elif defined(__aarch64__)
/* The frame yl_ctx_switch pops (176 bytes, 16-aligned). */
struct frame {
    uint64_t x19, x20, x21, x22, x23, x24, x25, x26, x27, x28, x29, x30;
    uint64_t d8, d9, d10, d11, d12, d13, d14, d15;
    uint64_t fpcr, pad;
};

void yl_ctx_make(yl_ctx *c, void *stack, size_t size, yl_ctx_fn entry,
                 void *arg, yl_ctx_fn on_return, void *ret_arg)
{
#ifndef YL_HANDOUT_LAB02
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
    struct frame *f = (struct frame *)(top - sizeof(struct frame));
    _Static_assert(sizeof(struct frame) % 16 == 0, "sp must stay 16-aligned");
    memset(f, 0, sizeof *f);
    f->x19 = (uintptr_t)entry;
    f->x20 = (uintptr_t)arg;
    f->x21 = (uintptr_t)on_return;
    f->x22 = (uintptr_t)ret_arg;
    f->x29 = 0; /* ends the frame chain */
    f->x30 = (uintptr_t)yl__ctx_trampoline;
    f->fpcr = 0; /* round to nearest, no traps: the AAPCS64 default */
    c->sp = f;
#else
    /* LAB 02: lay out, at the 16-byte aligned top of [stack, stack+size),
     * the struct frame your yl_ctx_switch pops: the FP control defaults,
     * callee-saved registers that carry entry, arg, on_return and ret_arg
     * to yl__ctx_trampoline, and the trampoline as the return address;
     * then c->sp = the frame. Mind the ABI's stack alignment at the call. */
    (void)stack, (void)size, (void)entry, (void)arg, (void)on_return, (void)ret_arg;
    c->sp = NULL;
#endif
}
#else
#error "yieldlab's context switch exists for x86-64 and AArch64 only"
#endif

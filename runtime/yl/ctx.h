/* ctx.h - the bare context switch: no scheduler, no tasks.
 *
 * A context is just a saved stack pointer. yl_ctx_switch pushes the
 * callee-saved registers and the FP control state onto the current stack,
 * stores the stack pointer in *from, loads to's stack pointer and pops the
 * same set back: the caller-saved registers were already spilled by the C
 * compiler at the call site, so nothing else needs saving (xv6's swtch).
 */
#ifndef YL_CTX_H
#define YL_CTX_H

#include <stddef.h>

typedef struct yl_ctx {
    void *sp;
} yl_ctx;

typedef void (*yl_ctx_fn)(void *arg);

/* Saves the running context into *from and resumes *to. Returns when some
 * later switch resumes *from. */
void yl_ctx_switch(yl_ctx *from, yl_ctx *to);

/* Prepares *c so that the first switch to it calls entry(arg) on the stack
 * [stack, stack+size). If entry returns, on_return(ret_arg) is called on the
 * same stack; it must not return (if it does, the trampoline traps). */
void yl_ctx_make(yl_ctx *c, void *stack, size_t size, yl_ctx_fn entry,
                 void *arg, yl_ctx_fn on_return, void *ret_arg);

#endif

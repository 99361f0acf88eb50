/* switch_aarch64.S - yl_ctx_switch for AAPCS64.
 * Callee-saved: x19-x28, fp (x29), lr (x30), the low halves of v8-v15
 * (d8-d15), plus FPCR (rounding mode and trap enables). */
#if defined(__aarch64__)
        .text
        .globl  yl_ctx_switch
        .type   yl_ctx_switch, %function
/* void yl_ctx_switch(yl_ctx *from [x0], yl_ctx *to [x1]) */
yl_ctx_switch:
#ifndef YL_HANDOUT_LAB02
        sub     sp, sp, #176
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        stp     d8,  d9,  [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]
        mrs     x9, fpcr
        str     x9, [sp, #160]
        mov     x9, sp
        str     x9, [x0]            /* from->sp = sp */
        ldr     x9, [x1]
        mov     sp, x9              /* sp = to->sp: now on the other stack */
        ldr     x9, [sp, #160]
        msr     fpcr, x9
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        ldp     d8,  d9,  [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        add     sp, sp, #176
        ret                         /* to x30: the caller, or the trampoline */
#else
        /* LAB 02: store x19-x28, x29, x30, d8-d15 and FPCR below sp in the
         * layout of ctx.c's struct frame, save sp in from->sp, load to->sp,
         * load the same set back, ret (to x30). */
        brk     #0
#endif
        .size   yl_ctx_switch, .-yl_ctx_switch

/* First code of a new context: x19 = entry, x20 = arg, x21 = on_return,
 * x22 = its argument (laid out by yl_ctx_make). */
        .globl  yl__ctx_trampoline
        .type   yl__ctx_trampoline, %function
yl__ctx_trampoline:
#ifndef YL_HANDOUT_LAB02
        mov     x29, #0
        mov     x30, #0
        mov     x0, x20
        blr     x19
        mov     x0, x22
        blr     x21
        brk     #0                  /* on_return must not return */
#else
        /* LAB 02: call entry(arg), then on_return(ret_arg), with the four
         * values yl_ctx_make left in the frame; on_return must not return. */
        brk     #0
#endif
        .size   yl__ctx_trampoline, .-yl__ctx_trampoline
#endif
        .section .note.GNU-stack,"",%progbits

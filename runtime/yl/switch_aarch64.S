/* switch_aarch64.S - yl_ctx_switch for AAPCS64.
 * Callee-saved: x19-x28, fp (x29), lr (x30), the low halves of v8-v15
 * (d8-d15), plus FPCR (rounding mode and trap enables).
 *
 * Unwinding: the .cfi lines say where each register sits once stored, as
 * in switch_x86_64.S; the frame has one shape on every stack, so they
 * hold after the stack pointer load too (for the resumed context).
 *
 * BTI (AArch64's counterpart of IBT): the switch is reached by direct bl
 * only and leaves by ret; the trampoline is entered by that ret, which BTI
 * does not check. So neither needs a landing pad, and like the x86-64 file
 * this one carries no .note.gnu.property, which keeps BTI off for any
 * program linking it. The return stays a ret here: the x86-64 pop-and-jump
 * was chosen by measurement, and no AArch64 machine was at hand to measure
 * (qemu-user runs the tests, and it has no return predictor to speak of). */
#if defined(__aarch64__)
        .text
        .globl  yl_ctx_switch
        .type   yl_ctx_switch, %function
/* void yl_ctx_switch(yl_ctx *from [x0], yl_ctx *to [x1]) */
yl_ctx_switch:
        .cfi_startproc
#ifndef YL_HANDOUT_LAB02
        sub     sp, sp, #176
        .cfi_def_cfa_offset 176
        stp     x19, x20, [sp, #0]
        .cfi_offset x19, -176
        .cfi_offset x20, -168
        stp     x21, x22, [sp, #16]
        .cfi_offset x21, -160
        .cfi_offset x22, -152
        stp     x23, x24, [sp, #32]
        .cfi_offset x23, -144
        .cfi_offset x24, -136
        stp     x25, x26, [sp, #48]
        .cfi_offset x25, -128
        .cfi_offset x26, -120
        stp     x27, x28, [sp, #64]
        .cfi_offset x27, -112
        .cfi_offset x28, -104
        stp     x29, x30, [sp, #80]
        .cfi_offset x29, -96
        .cfi_offset x30, -88
        stp     d8,  d9,  [sp, #96]
        .cfi_offset d8, -80
        .cfi_offset d9, -72
        stp     d10, d11, [sp, #112]
        .cfi_offset d10, -64
        .cfi_offset d11, -56
        stp     d12, d13, [sp, #128]
        .cfi_offset d12, -48
        .cfi_offset d13, -40
        stp     d14, d15, [sp, #144]
        .cfi_offset d14, -32
        .cfi_offset d15, -24
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
        .cfi_def_cfa_offset 0
        .cfi_restore x19
        .cfi_restore x20
        .cfi_restore x21
        .cfi_restore x22
        .cfi_restore x23
        .cfi_restore x24
        .cfi_restore x25
        .cfi_restore x26
        .cfi_restore x27
        .cfi_restore x28
        .cfi_restore x29
        .cfi_restore x30
        .cfi_restore d8
        .cfi_restore d9
        .cfi_restore d10
        .cfi_restore d11
        .cfi_restore d12
        .cfi_restore d13
        .cfi_restore d14
        .cfi_restore d15
        ret                         /* to x30: the caller, or the trampoline */
#else
        /* LAB 02: store x19-x28, x29, x30, d8-d15 and FPCR below sp in the
         * layout of ctx.c's struct frame, save sp in from->sp, load to->sp,
         * load the same set back, ret (to x30). */
        brk     #0
#endif
        .cfi_endproc
        .size   yl_ctx_switch, .-yl_ctx_switch

/* First code of a new context: x19 = entry, x20 = arg, x21 = on_return,
 * x22 = its argument (laid out by yl_ctx_make). */
        .globl  yl__ctx_trampoline
        .type   yl__ctx_trampoline, %function
yl__ctx_trampoline:
        .cfi_startproc
        .cfi_undefined x30          /* outermost frame: stop unwinding here */
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
        .cfi_endproc
        .size   yl__ctx_trampoline, .-yl__ctx_trampoline
#endif
        .section .note.GNU-stack,"",%progbits

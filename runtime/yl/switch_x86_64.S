/* switch_x86_64.S - yl_ctx_switch for the System V x86-64 ABI.
 * Callee-saved: rbx rbp r12-r15, plus MXCSR control bits and the x87
 * control word (the ABI says both are preserved across calls). */
#if defined(__x86_64__)
        .text
        .globl  yl_ctx_switch
        .type   yl_ctx_switch, @function
/* void yl_ctx_switch(yl_ctx *from [rdi], yl_ctx *to [rsi]) */
yl_ctx_switch:
        .cfi_startproc
#ifndef YL_HANDOUT_LAB02
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $8, %rsp
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movq    %rsp, (%rdi)        /* from->sp = rsp */
        movq    (%rsi), %rsp        /* rsp = to->sp: now on the other stack */
        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $8, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        /* Return by hand: a ret here would always miss the CPU's return
         * stack (we return to a call site of the *other* context), costing
         * a pipeline flush per switch; an indirect jump is predicted from
         * where it jumped last time, which a ping-pong repeats. */
        popq    %r8
        jmp     *%r8
#else
        /* LAB 02: push what the ABI says a callee must preserve (rbx, rbp,
         * r12-r15, the MXCSR control bits, the x87 control word) so that
         * the stack below the return address looks like ctx.c's struct
         * frame (its first field where rsp ends up); store rsp in
         * from->sp, load to->sp, pop the same set in reverse, ret. */
        ud2
#endif
        .cfi_endproc
        .size   yl_ctx_switch, .-yl_ctx_switch

/* First code of a new context: r12 = entry, r13 = arg, r14 = on_return,
 * r15 = its argument (laid out by yl_ctx_make). */
        .globl  yl__ctx_trampoline
        .type   yl__ctx_trampoline, @function
yl__ctx_trampoline:
        .cfi_startproc
        .cfi_undefined rip          /* outermost frame: stop unwinding here */
#ifndef YL_HANDOUT_LAB02
        xorl    %ebp, %ebp
        movq    %r13, %rdi
        callq   *%r12
        movq    %r15, %rdi
        callq   *%r14
        ud2                         /* on_return must not return */
#else
        /* LAB 02: call entry(arg), then on_return(ret_arg), with the four
         * values yl_ctx_make left in the frame; on_return must not return. */
        ud2
#endif
        .cfi_endproc
        .size   yl__ctx_trampoline, .-yl__ctx_trampoline
#endif
        .section .note.GNU-stack,"",@progbits

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
        ret
        .cfi_endproc
        .size   yl_ctx_switch, .-yl_ctx_switch

/* First code of a new context: r12 = entry, r13 = arg, r14 = on_return,
 * r15 = its argument (laid out by yl_ctx_make). */
        .globl  yl__ctx_trampoline
        .type   yl__ctx_trampoline, @function
yl__ctx_trampoline:
        .cfi_startproc
        .cfi_undefined rip          /* outermost frame: stop unwinding here */
        xorl    %ebp, %ebp
        movq    %r13, %rdi
        callq   *%r12
        movq    %r15, %rdi
        callq   *%r14
        ud2                         /* on_return must not return */
        .cfi_endproc
        .size   yl__ctx_trampoline, .-yl__ctx_trampoline
#endif
        .section .note.GNU-stack,"",@progbits

/* regcheck_x86_64.S - probes that yl_ctx_switch preserves what the SysV ABI
 * says a callee must preserve: rbx rbp r12-r15, the MXCSR control bits and
 * the x87 control word. C cannot set those registers, hence assembly. */
#if defined(__x86_64__)
        .text
/* unsigned regcheck_switch(yl_ctx *from, yl_ctx *to)
 * Loads known patterns, switches to `to`, and when resumed returns a bit
 * mask of what changed: bit 0 rbx, 1 rbp, 2-5 r12-r15, 6 MXCSR, 7 x87 CW. */
        .globl  regcheck_switch
        .type   regcheck_switch, @function
regcheck_switch:
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $24, %rsp           /* 0: caller MXCSR, 4: caller CW, 8,12: scratch */
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movl    $0x7f80, 8(%rsp)    /* round toward zero, all masked */
        ldmxcsr 8(%rsp)
        movw    $0x0c7f, 12(%rsp)   /* x87: round toward zero */
        fldcw   12(%rsp)
        movabsq $0x1111111111111111, %rbx
        movabsq $0x2222222222222222, %rbp
        movabsq $0x3333333333333333, %r12
        movabsq $0x4444444444444444, %r13
        movabsq $0x5555555555555555, %r14
        movabsq $0x6666666666666666, %r15
        callq   yl_ctx_switch
        xorl    %eax, %eax
        movabsq $0x1111111111111111, %rcx
        cmpq    %rcx, %rbx
        je      1f
        orl     $1, %eax
1:      movabsq $0x2222222222222222, %rcx
        cmpq    %rcx, %rbp
        je      1f
        orl     $2, %eax
1:      movabsq $0x3333333333333333, %rcx
        cmpq    %rcx, %r12
        je      1f
        orl     $4, %eax
1:      movabsq $0x4444444444444444, %rcx
        cmpq    %rcx, %r13
        je      1f
        orl     $8, %eax
1:      movabsq $0x5555555555555555, %rcx
        cmpq    %rcx, %r14
        je      1f
        orl     $16, %eax
1:      movabsq $0x6666666666666666, %rcx
        cmpq    %rcx, %r15
        je      1f
        orl     $32, %eax
1:      stmxcsr 8(%rsp)
        movl    8(%rsp), %ecx
        andl    $0xffc0, %ecx       /* control bits only, not sticky flags */
        cmpl    $0x7f80, %ecx
        je      1f
        orl     $64, %eax
1:      fnstcw  12(%rsp)
        movzwl  12(%rsp), %ecx
        cmpl    $0x0c7f, %ecx
        je      1f
        orl     $128, %eax
1:      ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $24, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .size   regcheck_switch, .-regcheck_switch

/* void regcheck_clobber(yl_ctx *self, yl_ctx *back)
 * Trashes every callee-saved register and the FP control state, then
 * switches to `back`: a correct switch must hide all of it. */
        .globl  regcheck_clobber
        .type   regcheck_clobber, @function
regcheck_clobber:
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $24, %rsp
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movl    $0x1f80, 8(%rsp)    /* round to nearest: differs from the probe */
        ldmxcsr 8(%rsp)
        movw    $0x037f, 12(%rsp)
        fldcw   12(%rsp)
        movabsq $0xdeadbeefdeadbeef, %rbx
        movq    %rbx, %rbp
        movq    %rbx, %r12
        movq    %rbx, %r13
        movq    %rbx, %r14
        movq    %rbx, %r15
        callq   yl_ctx_switch
        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $24, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .size   regcheck_clobber, .-regcheck_clobber
#endif
        .section .note.GNU-stack,"",@progbits

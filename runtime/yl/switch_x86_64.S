/* switch_x86_64.S - yl_ctx_switch for the System V x86-64 ABI.
 * Callee-saved: rbx rbp r12-r15, plus MXCSR control bits and the x87
 * control word (the ABI says both are preserved across calls).
 *
 * Unwinding: the .cfi lines follow every push and pop, so a debugger
 * stopped anywhere in here finds the caller. Between the two stack
 * pointer loads the frame has the same shape on either stack, so the
 * same rules hold after the load too: they then describe the context
 * being resumed, which is what the stack now holds.
 *
 * IBT (CET indirect branch tracking): the switch ends in an indirect jump
 * to a return address, which is no endbr64. That is allowed only because
 * this file carries no .note.gnu.property: the linker then marks every
 * program linking libyl as not IBT- nor shadow-stack-ready, so the loader
 * never turns either on for it (a shadow stack could not follow a switch
 * of stacks anyway). When a build asks for -fcf-protection (__CET__), the
 * two entry points still begin with endbr64, so an address-taken call or
 * the jump into the trampoline stay valid should a tracked mode appear. */
#if defined(__x86_64__)
#if defined(__CET__) && (__CET__ & 1)
#define YL_ENDBR endbr64
#else
#define YL_ENDBR
#endif
        .text
        .globl  yl_ctx_switch
        .type   yl_ctx_switch, @function
/* void yl_ctx_switch(yl_ctx *from [rdi], yl_ctx *to [rsi]) */
yl_ctx_switch:
        .cfi_startproc
        YL_ENDBR
#ifndef YL_HANDOUT_LAB02
        pushq   %rbp
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset rbp, 0
        pushq   %rbx
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset rbx, 0
        pushq   %r12
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset r12, 0
        pushq   %r13
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset r13, 0
        pushq   %r14
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset r14, 0
        pushq   %r15
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset r15, 0
        pushq   $0                  /* the FP control slot, its pad zeroed */
        .cfi_adjust_cfa_offset 8
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movq    %rsp, (%rdi)        /* from->sp = rsp */
        movl    (%rsp), %eax        /* our MXCSR and x87 control word... */
        movzwl  4(%rsp), %ecx
        movq    (%rsi), %rsp        /* rsp = to->sp: now on the other stack */
        cmpl    %eax, (%rsp)        /* ... are nearly always the other's too: */
        jne     .Lload_fp           /* loading them is then a no-op, and costs */
        cmpw    %cx, 4(%rsp)        /* more than the two compares (ldmxcsr and */
        jne     .Lload_fp           /* fldcw are slow, partly serialising) */
.Lfp_done:
        .cfi_remember_state
        addq    $8, %rsp
        .cfi_adjust_cfa_offset -8
        popq    %r15
        .cfi_adjust_cfa_offset -8
        .cfi_restore r15
        popq    %r14
        .cfi_adjust_cfa_offset -8
        .cfi_restore r14
        popq    %r13
        .cfi_adjust_cfa_offset -8
        .cfi_restore r13
        popq    %r12
        .cfi_adjust_cfa_offset -8
        .cfi_restore r12
        popq    %rbx
        .cfi_adjust_cfa_offset -8
        .cfi_restore rbx
        popq    %rbp
        .cfi_adjust_cfa_offset -8
        .cfi_restore rbp
        /* Return by hand: a ret here would always miss the CPU's return
         * stack (we return to a call site of the *other* context), costing
         * a pipeline flush per switch; an indirect jump is predicted from
         * where it jumped last time, which a ping-pong repeats. Measured
         * with pingpong --variant raw: ret 14.7-19.9 ns, pop and jump
         * 5.0-7.6 ns, Boost.Context's jump_fcontext (which jumps too)
         * 4.6-7.7 ns in the same runs; with the FP control compared
         * before it is loaded, 4.2 ns against Boost's 4.8 (medians of 21). */
        popq    %r8
        .cfi_adjust_cfa_offset -8
        .cfi_register rip, r8       /* the return address is in r8 now */
        jmp     *%r8
.Lload_fp:
        .cfi_restore_state
        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        jmp     .Lfp_done
#else
        /* LAB 02: push what the ABI says a callee must preserve (rbx, rbp,
         * r12-r15, the MXCSR control bits, the x87 control word) so that
         * the stack below the return address looks like ctx.c's struct
         * frame (its first field where rsp ends up); store rsp in
         * from->sp, load to->sp, pop the same set in reverse, then return
         * to the address above them (ret does; see the README on why the
         * reference pops it into a scratch register and jumps). Keep the
         * .cfi lines in step with your pushes and pops, so gdb can unwind. */
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
        YL_ENDBR                    /* reached by the switch's indirect jump */
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

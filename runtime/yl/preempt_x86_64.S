/* preempt_x86_64.S - yl__preempt_entry: where a preempted task "calls" in.
 *
 * The signal handler (preempt.c) left the stack as a call would, but past
 * the 128-byte red zone, which the interrupted code may still be using:
 *
 *     rsp+136  the interrupted code's stack pointer
 *     rsp+8    its red zone, left untouched
 *     rsp      the interrupted PC
 *
 * Nothing here may change a register the interrupted code can see: it was
 * stopped between any two instructions, so every general register, the
 * flags, the x87 stack and control word, every SSE/AVX register and MXCSR
 * may be live. They are all saved on the task's own stack (the FP/SIMD
 * state whole, with XSAVE for whatever the OS enabled, else FXSAVE), the
 * task is switched out by yl__preempt_yield as an ordinary C call, and
 * when it is resumed (perhaps on another worker thread) all of it comes
 * back and `ret $128` pops the PC and the red zone in one go.
 *
 * Also here: yl__user_text_end, the end of the program's own code for the
 * safe-point check (preempt.c). It sits in .text.yl_user_end, which the
 * build does not rename to yl_text, so the linker places it among the
 * .text of the objects linked before the C library, at libyl.a's place.
 */
#if defined(__x86_64__)
        .text
        .globl  yl__preempt_entry
        .type   yl__preempt_entry, @function
yl__preempt_entry:
        .cfi_startproc
        .cfi_signal_frame           /* the "caller" was interrupted, not calling */
        .cfi_def_cfa rsp, 136
        .cfi_offset rip, -136
        pushfq
        .cfi_adjust_cfa_offset 8
        pushq   %rax
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset rax, 0
        pushq   %rcx
        .cfi_adjust_cfa_offset 8
        pushq   %rdx
        .cfi_adjust_cfa_offset 8
        pushq   %rbx
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset rbx, 0
        pushq   %rbp
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset rbp, 0
        pushq   %rsi
        .cfi_adjust_cfa_offset 8
        pushq   %rdi
        .cfi_adjust_cfa_offset 8
        pushq   %r8
        .cfi_adjust_cfa_offset 8
        pushq   %r9
        .cfi_adjust_cfa_offset 8
        pushq   %r10
        .cfi_adjust_cfa_offset 8
        pushq   %r11
        .cfi_adjust_cfa_offset 8
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
        cld                         /* the ABI wants DF clear at a call */
        movq    %rsp, %rbx          /* rbx: callee-saved, the register block */
        .cfi_def_cfa_register rbx
        movl    yl__xsave_bytes(%rip), %eax
        testl   %eax, %eax
        jz      .Lfxsave
        subq    %rax, %rsp
        andq    $-64, %rsp          /* XSAVE wants 64-byte alignment */
        xorl    %ecx, %ecx          /* its header (bytes 512-575) must start */
        movq    %rcx, 512(%rsp)     /* zeroed: XRSTOR faults on reserved bits */
        movq    %rcx, 520(%rsp)
        movq    %rcx, 528(%rsp)
        movq    %rcx, 536(%rsp)
        movq    %rcx, 544(%rsp)
        movq    %rcx, 552(%rsp)
        movq    %rcx, 560(%rsp)
        movq    %rcx, 568(%rsp)
        movl    $-1, %eax           /* every component XCR0 enables */
        movl    $-1, %edx
        xsave64 (%rsp)
        jmp     .Lsaved
.Lfxsave:
        subq    $512, %rsp
        andq    $-64, %rsp
        fxsave64 (%rsp)
.Lsaved:
        /* The C code below expects what the ABI promises at a call: an
         * empty x87 stack, default control words. The task's own state is
         * in the save area and comes back from there. */
        fninit
        pushq   $0x1f80
        ldmxcsr (%rsp)
        addq    $8, %rsp
        call    yl__preempt_yield
        movl    yl__xsave_bytes(%rip), %eax
        testl   %eax, %eax
        jz      .Lfxrstor
        movl    $-1, %eax
        movl    $-1, %edx
        xrstor64 (%rsp)
        jmp     .Lrestored
.Lfxrstor:
        fxrstor64 (%rsp)
.Lrestored:
        movq    %rbx, %rsp
        .cfi_def_cfa_register rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rdi
        popq    %rsi
        popq    %rbp
        popq    %rbx
        popq    %rdx
        popq    %rcx
        popq    %rax
        popfq
        .cfi_def_cfa_offset 136
        ret     $128
        .cfi_endproc
        .size   yl__preempt_entry, .-yl__preempt_entry

        .section .text.yl_user_end,"ax",@progbits
        .globl  yl__user_text_end
        .type   yl__user_text_end, @function
yl__user_text_end:
        ud2                         /* a marker: never run */
        .size   yl__user_text_end, .-yl__user_text_end

        .data
        .balign 4
        .globl  yl__xsave_bytes
        .hidden yl__xsave_bytes
yl__xsave_bytes:
        .long   0
#endif
        .section .note.GNU-stack,"",@progbits

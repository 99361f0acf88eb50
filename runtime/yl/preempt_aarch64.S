/* preempt_aarch64.S - yl__preempt_entry for AArch64 (see the x86-64 file).
 *
 * The handler pushed the interrupted PC at [sp] (16 bytes, sp stays
 * aligned) and left x30 as it was. Saved here: x0-x30, NZCV, FPCR and FPSR,
 * q0-q31 whole (the low halves d8-d15 are callee-saved, but the interrupted
 * code may have anything anywhere). Back in the interrupted code every
 * register must hold its old value, x30 included, so the final branch
 * needs a register of its own: x18. The AAPCS64 makes it the platform
 * register, and the build compiles the code tasks run with -ffixed-x18
 * (tests/build.mk), so no compiled code keeps a value in it: Go reserves
 * R27 for the same jump. Wider SVE state is not saved (none of the
 * machines the lab runs on enable it for user code).
 *
 * Frame, from sp up: x0..x29 (240 B), x30 and NZCV, FPCR and FPSR,
 * q0..q31 (512 B): 784 bytes, then the 16 the handler pushed.
 */
#if defined(__aarch64__)
        .text
        .globl  yl__preempt_entry
        .type   yl__preempt_entry, %function
        .balign 4
yl__preempt_entry:
        .cfi_startproc
        .cfi_signal_frame
        .cfi_def_cfa sp, 16
        sub     sp, sp, #784
        .cfi_adjust_cfa_offset 784
        stp     x0, x1, [sp, #0]
        stp     x2, x3, [sp, #16]
        stp     x4, x5, [sp, #32]
        stp     x6, x7, [sp, #48]
        stp     x8, x9, [sp, #64]
        stp     x10, x11, [sp, #80]
        stp     x12, x13, [sp, #96]
        stp     x14, x15, [sp, #112]
        stp     x16, x17, [sp, #128]
        stp     x18, x19, [sp, #144]
        stp     x20, x21, [sp, #160]
        stp     x22, x23, [sp, #176]
        stp     x24, x25, [sp, #192]
        stp     x26, x27, [sp, #208]
        stp     x28, x29, [sp, #224]
        .cfi_rel_offset x29, 232
        mrs     x0, nzcv
        stp     x30, x0, [sp, #240]
        .cfi_rel_offset x30, 240
        mrs     x0, fpcr
        mrs     x1, fpsr
        stp     x0, x1, [sp, #256]
        add     x0, sp, #272
        stp     q0, q1, [x0, #0]
        stp     q2, q3, [x0, #32]
        stp     q4, q5, [x0, #64]
        stp     q6, q7, [x0, #96]
        stp     q8, q9, [x0, #128]
        stp     q10, q11, [x0, #160]
        stp     q12, q13, [x0, #192]
        stp     q14, q15, [x0, #224]
        stp     q16, q17, [x0, #256]
        stp     q18, q19, [x0, #288]
        stp     q20, q21, [x0, #320]
        stp     q22, q23, [x0, #352]
        stp     q24, q25, [x0, #384]
        stp     q26, q27, [x0, #416]
        stp     q28, q29, [x0, #448]
        stp     q30, q31, [x0, #480]
        /* the C side gets the ABI's default FP control: round to nearest */
        msr     fpcr, xzr
        add     x29, sp, #224       /* a frame record for debuggers */
        bl      yl__preempt_yield
        add     x0, sp, #272
        ldp     q0, q1, [x0, #0]
        ldp     q2, q3, [x0, #32]
        ldp     q4, q5, [x0, #64]
        ldp     q6, q7, [x0, #96]
        ldp     q8, q9, [x0, #128]
        ldp     q10, q11, [x0, #160]
        ldp     q12, q13, [x0, #192]
        ldp     q14, q15, [x0, #224]
        ldp     q16, q17, [x0, #256]
        ldp     q18, q19, [x0, #288]
        ldp     q20, q21, [x0, #320]
        ldp     q22, q23, [x0, #352]
        ldp     q24, q25, [x0, #384]
        ldp     q26, q27, [x0, #416]
        ldp     q28, q29, [x0, #448]
        ldp     q30, q31, [x0, #480]
        ldp     x0, x1, [sp, #256]
        msr     fpcr, x0
        msr     fpsr, x1
        ldp     x30, x0, [sp, #240]
        msr     nzcv, x0
        ldp     x0, x1, [sp, #0]
        ldp     x2, x3, [sp, #16]
        ldp     x4, x5, [sp, #32]
        ldp     x6, x7, [sp, #48]
        ldp     x8, x9, [sp, #64]
        ldp     x10, x11, [sp, #80]
        ldp     x12, x13, [sp, #96]
        ldp     x14, x15, [sp, #112]
        ldp     x16, x17, [sp, #128]
        ldr     x19, [sp, #152]
        ldp     x20, x21, [sp, #160]
        ldp     x22, x23, [sp, #176]
        ldp     x24, x25, [sp, #192]
        ldp     x26, x27, [sp, #208]
        ldp     x28, x29, [sp, #224]
        ldr     x18, [sp, #784]     /* the interrupted PC */
        add     sp, sp, #800
        .cfi_def_cfa_offset 0
        br      x18
        .cfi_endproc
        .size   yl__preempt_entry, .-yl__preempt_entry

        .section .text.yl_user_end,"ax",%progbits
        .globl  yl__user_text_end
        .type   yl__user_text_end, %function
        .balign 4
yl__user_text_end:
        brk     #0                  /* a marker: never run */
        .size   yl__user_text_end, .-yl__user_text_end
#endif
        .section .note.GNU-stack,"",%progbits

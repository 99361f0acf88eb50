/* regcheck_aarch64.S - probes that yl_ctx_switch preserves what AAPCS64
 * says a callee must preserve: x19-x28, x29, d8-d15 and FPCR. */
#if defined(__aarch64__)
        .text
/* unsigned regcheck_switch(yl_ctx *from, yl_ctx *to)
 * bit k (0-9): x(19+k); bit 10: x29; bits 11-18: d8-d15; bit 19: FPCR. */
        .globl  regcheck_switch
        .type   regcheck_switch, %function
regcheck_switch:
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
        mov     x9, #0x00c00000     /* round toward zero */
        msr     fpcr, x9
        mov     x19, #19
        mov     x20, #20
        mov     x21, #21
        mov     x22, #22
        mov     x23, #23
        mov     x24, #24
        mov     x25, #25
        mov     x26, #26
        mov     x27, #27
        mov     x28, #28
        mov     x29, #29
        mov     x9, #8
        fmov    d8, x9
        mov     x9, #9
        fmov    d9, x9
        mov     x9, #10
        fmov    d10, x9
        mov     x9, #11
        fmov    d11, x9
        mov     x9, #12
        fmov    d12, x9
        mov     x9, #13
        fmov    d13, x9
        mov     x9, #14
        fmov    d14, x9
        mov     x9, #15
        fmov    d15, x9
        bl      yl_ctx_switch
        mov     x0, #0
        .macro  chkx reg, val, bit
        cmp     \reg, #\val
        b.eq    1f
        orr     x0, x0, #(1 << \bit)
1:
        .endm
        .macro  chkd reg, val, bit
        fmov    x9, \reg
        cmp     x9, #\val
        b.eq    1f
        orr     x0, x0, #(1 << \bit)
1:
        .endm
        chkx    x19, 19, 0
        chkx    x20, 20, 1
        chkx    x21, 21, 2
        chkx    x22, 22, 3
        chkx    x23, 23, 4
        chkx    x24, 24, 5
        chkx    x25, 25, 6
        chkx    x26, 26, 7
        chkx    x27, 27, 8
        chkx    x28, 28, 9
        chkx    x29, 29, 10
        chkd    d8, 8, 11
        chkd    d9, 9, 12
        chkd    d10, 10, 13
        chkd    d11, 11, 14
        chkd    d12, 12, 15
        chkd    d13, 13, 16
        chkd    d14, 14, 17
        chkd    d15, 15, 18
        mrs     x9, fpcr
        mov     x10, #0x00c00000
        cmp     x9, x10
        b.eq    1f
        orr     x0, x0, #(1 << 19)
1:      ldr     x9, [sp, #160]
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
        ret
        .size   regcheck_switch, .-regcheck_switch

/* void regcheck_clobber(yl_ctx *self, yl_ctx *back) */
        .globl  regcheck_clobber
        .type   regcheck_clobber, %function
regcheck_clobber:
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
        msr     fpcr, xzr           /* round to nearest: differs from the probe */
        mov     x9, #0xdead
        mov     x19, x9
        mov     x20, x9
        mov     x21, x9
        mov     x22, x9
        mov     x23, x9
        mov     x24, x9
        mov     x25, x9
        mov     x26, x9
        mov     x27, x9
        mov     x28, x9
        mov     x29, x9
        fmov    d8, x9
        fmov    d9, x9
        fmov    d10, x9
        fmov    d11, x9
        fmov    d12, x9
        fmov    d13, x9
        fmov    d14, x9
        fmov    d15, x9
        bl      yl_ctx_switch
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
        ret
        .size   regcheck_clobber, .-regcheck_clobber
#endif
        .section .note.GNU-stack,"",%progbits

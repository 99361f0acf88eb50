/* 02_switch.c - lab 02, graded: the bare context switch (yl_ctx_switch in
 * switch_<arch>.S, yl_ctx_make in ctx.c, the trampoline), through the
 * probes of tests/arch/regcheck.h and a few of our own. */
#include <criterion/criterion.h>
#include <fenv.h>
#include <stdint.h>
#include <sys/mman.h>

#include "arch/regcheck.h"
#include "ctx.h"

/* regcheck_run's mask: which bits are integer registers, which FP state. */
#if defined(__x86_64__)
#define INT_REGS 0x3fu       /* rbx rbp r12 r13 r14 r15 */
#define FP_CONTROL 0xc0u     /* MXCSR, x87 control word */
#define REG_NAMES "bit 0 rbx, 1 rbp, 2-5 r12-r15, 6 MXCSR, 7 x87 CW"
#else
#define INT_REGS 0x7f7ffu    /* x19-x29, d8-d15 */
#define FP_CONTROL 0x80000u  /* FPCR */
#define REG_NAMES "bits 0-9 x19-x28, 10 x29, 11-18 d8-d15, 19 FPCR"
#endif

#define STACK (64 * 1024)

static void *stack_new(void)
{
    void *p = mmap(NULL, STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                   -1, 0);
    cr_assert_neq(p, MAP_FAILED, "test setup: mmap of a %d KiB stack failed", STACK / 1024);
    return p;
}

Test(switch, callee_saved_registers_survive, .description = "[4 pts] every callee-saved register survives a switch away and back", .timeout = 60)
{
    unsigned bad = regcheck_run() & INT_REGS;
    cr_expect_eq(bad, 0, "expected every callee-saved register back after the switch; not restored: mask 0x%x (" REG_NAMES ")", bad);
}

Test(switch, fp_control_survives, .description = "[2 pts] the FP control state (rounding, exception masks) survives a switch", .timeout = 60)
{
    unsigned bad = regcheck_run() & FP_CONTROL;
    cr_expect_eq(bad, 0, "expected the FP control state back after the switch; not restored: mask 0x%x (" REG_NAMES ")", bad);
}

Test(switch, ring_of_1000_contexts, .description = "[2 pts] 1000 contexts pass control around a ring, 20 laps, in turn", .timeout = 60)
{
    cr_expect_eq(regcheck_ring(1000, 20), 0, "expected each of 1000 contexts to run once per lap, in ring order; one ran out of turn, too often or too rarely");
}

Test(switch, fp_locals_survive, .description = "[1 pt] floating-point locals survive switches", .timeout = 60)
{
    cr_expect_eq(regcheck_fp_locals(), 0, "expected floating-point locals unchanged across switches; some changed");
}

/* --- the trampoline and the first frame ---------------------------------- */

static yl_ctx main_ctx, new_ctx;
static void *got_arg;
static uintptr_t frame_addr;
static int got_round, got_excepts;
static unsigned got_mxcsr;

static void never(void *arg)
{
    (void)arg;
    abort();
}

static void record_entry(void *arg)
{
    got_arg = arg;
    yl_ctx_switch(&new_ctx, &main_ctx);
    abort();
}

Test(trampoline, entry_gets_its_argument, .description = "[2 pts] a new context's entry receives the arg given to yl_ctx_make", .timeout = 60)
{
    void *s = stack_new();
    static int token;
    got_arg = NULL;
    yl_ctx_make(&new_ctx, s, STACK, record_entry, &token, never, NULL);
    yl_ctx_switch(&main_ctx, &new_ctx);
    cr_expect_eq(got_arg, &token, "entry got %p, not %p", got_arg, (void *)&token);
    munmap(s, STACK);
}

Test(trampoline, return_lands_in_on_return, .description = "[2 pts] when entry returns, on_return(ret_arg) runs on the same stack", .timeout = 60)
{
    cr_expect_eq(regcheck_on_return(), 0, "on_return was not called with its argument");
}

/* __builtin_frame_address(0) gives a frame pointer set up right after the
 * call pushed the return address: 16-aligned exactly when the caller's
 * stack pointer was, which the ABI requires at every call. */
__attribute__((noinline)) static void note_frame(void)
{
    frame_addr = (uintptr_t)__builtin_frame_address(0);
}

static void align_entry(void *arg)
{
    (void)arg;
    note_frame();
    yl_ctx_switch(&new_ctx, &main_ctx);
    abort();
}

Test(trampoline, entry_stack_is_aligned, .description = "[2 pts] entry runs with the stack aligned as the ABI requires (16 bytes)", .timeout = 60)
{
    void *s = stack_new();
    frame_addr = 1;
    /* An odd size, so that a frame not rounded down shows up. */
    yl_ctx_make(&new_ctx, s, STACK - 24, align_entry, NULL, never, NULL);
    yl_ctx_switch(&main_ctx, &new_ctx);
    cr_expect_eq(frame_addr % 16, 0, "frame at 0x%lx is not 16-byte aligned",
                 (unsigned long)frame_addr);
    cr_expect(frame_addr > (uintptr_t)s && frame_addr < (uintptr_t)s + STACK,
              "entry does not run on the stack it was given");
    munmap(s, STACK);
}

static void fenv_entry(void *arg)
{
    (void)arg;
    got_round = fegetround();
    got_excepts = fegetexcept();
#if defined(__x86_64__)
    got_mxcsr = __builtin_ia32_stmxcsr() & 0xffc0u; /* control bits, not flags */
#else
    got_mxcsr = 0x1f80;
#endif
    yl_ctx_switch(&new_ctx, &main_ctx);
    abort();
}

Test(trampoline, new_context_has_default_fp_env, .description = "[1 pt] a new context starts with the default FP environment (nearest, no traps)", .timeout = 60)
{
    void *s = stack_new();
    got_round = got_excepts = -1;
    yl_ctx_make(&new_ctx, s, STACK, fenv_entry, NULL, never, NULL);
    yl_ctx_switch(&main_ctx, &new_ctx);
    cr_expect_eq(got_round, FE_TONEAREST, "rounding mode 0x%x", got_round);
    cr_expect_eq(got_excepts, 0, "FP traps enabled: 0x%x", got_excepts);
    cr_expect_eq(got_mxcsr, 0x1f80, "MXCSR control bits 0x%x, not 0x1f80", got_mxcsr);
    munmap(s, STACK);
}

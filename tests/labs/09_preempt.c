/* 09_preempt.c - lab 09, graded: the safe-point check of libyl's
 * preemption (yl__pc_preemptible, runtime/yl/preempt.c) and the mechanism
 * around it. Behaviour only: who got the CPU, counts, bit-exact sums, no
 * hang; never how fast. The checks are tests/conc/preempt.c's, each in a
 * child process that is killed when it hangs. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "conc/conc.h"
#include "preempt.h"
#include "yl.h"

static void nothing(void *arg)
{
    (void)arg;
}

/* a function of the program's own code, for the direct checks */
__attribute__((noinline)) static int own_code(int x)
{
    return x * 3 + 1;
}

Test(preempt09, check_says_program_code_yes_libc_and_libyl_no,
     .description = "[4 pts] yl__pc_preemptible: the program's code yes; malloc, snprintf, "
                    "libyl no", .timeout = 60)
{
    yl_config c = {.preempt_us = 1000};
    cr_assert_eq(yl_run(&c, nothing, NULL), 0,
                 "yl_run with preemption on failed: the code ranges were not set up");
    cr_expect(yl__pc_preemptible(&yl__code, (uintptr_t)&own_code + 4),
              "a PC in the program's own code: expected preemptible, got no");
    cr_expect_not(yl__pc_preemptible(&yl__code, (uintptr_t)&malloc),
                  "a PC in malloc (libc): expected not preemptible, got yes");
    cr_expect_not(yl__pc_preemptible(&yl__code, (uintptr_t)&snprintf),
                  "a PC in snprintf (libc): expected not preemptible, got yes");
    cr_expect_not(yl__pc_preemptible(&yl__code, (uintptr_t)&yl_yield + 4),
                  "a PC in yl_yield (libyl): expected not preemptible, got yes");
    cr_expect_not(yl__pc_preemptible(&yl__code, (uintptr_t)&yl_mutex_lock + 4),
                  "a PC in yl_mutex_lock (libyl): expected not preemptible, got yes");
    cr_expect_not(yl__pc_preemptible(&yl__code, yl__code.user_hi),
                  "the first byte past the program's code (user_hi): expected not preemptible, "
                  "got yes (the range is half-open)");
}

Test(preempt09, spinners_single, .description = "[3 pts] single: spinning tasks are preempted",
     .timeout = 90)
{
    cr_expect_eq(conc_preempt_spinners(YL_EXEC_SINGLE, 1), 0,
                 "expected the spinner preempted and the other task given its 200 turns; "
                 "the line above says what happened");
}

Test(preempt09, spinners_stealing,
     .description = "[3 pts] stealing, 2 workers: spinning tasks are preempted", .timeout = 90)
{
    cr_expect_eq(conc_preempt_spinners(YL_EXEC_STEALING, 2), 0,
                 "expected each spinner preempted and the other tasks given their turns; "
                 "the line above says what happened");
}

Test(preempt09, stress_single,
     .description = "[4 pts] single: malloc, snprintf, mutex, sleep, spawn under 20 us: no hang, "
                    "counts right", .timeout = 90)
{
    cr_expect_eq(conc_preempt_stress(YL_EXEC_SINGLE, 1, 1), 0,
                 "expected every count right under a 20 us quantum; the line above says "
                 "what was wrong");
}

Test(preempt09, stress_stealing,
     .description = "[4 pts] stealing: the same stress on 2 workers", .timeout = 90)
{
    cr_expect_eq(conc_preempt_stress(YL_EXEC_STEALING, 2, 1), 0,
                 "expected every count right on 2 stealing workers; the line above says "
                 "what was wrong");
}

Test(preempt09, fp_state, .description = "[2 pts] FP and SIMD state survive a 20 us quantum, "
                                         "bit-exact", .timeout = 180)
{
    cr_expect_eq(conc_preempt_fp(YL_EXEC_SINGLE, 1, 20), 0,
                 "expected every task's long double and SSE/AVX sums bit-exact; the line "
                 "above gives the sum got and the one wanted");
}

Test(preempt09, disabled, .description = "[2 pts] a preempt-disabled section is never cut; "
                                         "nesting honoured", .timeout = 90)
{
    cr_expect_eq(conc_preempt_disabled(YL_EXEC_SINGLE), 0,
                 "expected no preempt-disabled section cut and the preemption at the "
                 "outermost enable; the line above says what happened");
}

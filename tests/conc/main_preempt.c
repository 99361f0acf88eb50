/* main_preempt.c - preemption's checks alone, without Criterion: for the
 * STATIC=1 build (make test-preempt-static), where libc is linked into
 * the program and the safe-point check must still keep it out. */
#include <stdio.h>

#include "conc.h"

int main(void)
{
    int s = conc_preempt_stress_seconds(), failed = 0;
    struct {
        const char *name;
        int bad;
    } r[] = {
        {"single: spinning tasks are preempted", conc_preempt_spinners(0, 1)},
        {"stealing: spinning tasks are preempted", conc_preempt_spinners(2, 2)},
        {"single: FP state survives a 20 us quantum, bit-exact", conc_preempt_fp(0, 1, 20)},
        {"single: a preempt-disabled section is never cut, nesting", conc_preempt_disabled(0)},
        {"single: malloc, snprintf, mutex, sleep, spawn under a 20 us quantum",
         conc_preempt_stress(0, 1, s)},
        {"stealing: malloc, snprintf, mutex, sleep, spawn under a 20 us quantum",
         conc_preempt_stress(2, 2, s)},
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        printf("%s: %s\n", r[i].bad ? "FAIL" : "ok", r[i].name);
        failed += r[i].bad != 0;
    }
    return failed != 0;
}

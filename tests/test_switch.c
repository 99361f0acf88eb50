/* test_switch.c - the bare context switch keeps what the ABI promises. */
#include <criterion/criterion.h>

#include "arch/regcheck.h"

Test(switch, callee_saved_and_fp_control_survive)
{
    unsigned bad = regcheck_run();
    cr_expect_eq(bad, 0, "registers not restored by yl_ctx_switch: mask 0x%x "
                 "(x86-64: bit0 rbx 1 rbp 2-5 r12-r15 6 MXCSR 7 x87 CW)", bad);
}

Test(switch, ring_of_1000_contexts)
{
    cr_expect_eq(regcheck_ring(1000, 20), 0, "a context ran out of turn or too often");
}

Test(switch, entry_return_is_caught)
{
    cr_expect_eq(regcheck_on_return(), 0, "on_return was not called with its argument");
}

Test(switch, fp_locals_survive)
{
    cr_expect_eq(regcheck_fp_locals(), 0);
}

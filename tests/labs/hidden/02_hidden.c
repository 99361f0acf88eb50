/* hidden/02_hidden.c - lab 02, instructor-only: the switch under load. */
#include <criterion/criterion.h>
#include <string.h>

#include "arch/regcheck.h"
#include "yl.h"

Test(hidden_switch, registers_survive_many_times, .description = "[1 pt] registers survive 300 rounds of the probe", .timeout = 60)
{
    unsigned bad = 0;
    for (int i = 0; i < 300 && !bad; i++)
        bad |= regcheck_run();
    cr_expect_eq(bad, 0, "expected every callee-saved register back after switches; not restored: mask 0x%x", bad);
}

Test(hidden_switch, long_ring, .description = "[1 pt] 5000 contexts, 5 laps", .timeout = 60)
{
    cr_expect_eq(regcheck_ring(5000, 5), 0, "expected each of 5000 contexts to run once per lap, in ring order; one ran out of turn");
}

static long sums[3000];
static void adder(void *arg)
{
    int id = (int)(intptr_t)arg;
    long s = 0;
    for (int i = 0; i < 5; i++) {
        s += id * i + 1;
        yl_yield();
    }
    sums[id] = s;
}

static void crowd_main(void *arg)
{
    (void)arg;
    for (intptr_t i = 0; i < 3000; i++)
        cr_assert_eq(yl_go("a", adder, (void *)i), 0, "expected yl_go to start task %d; it failed", (int)i);
}

Test(hidden_tasks, crowd_of_tasks, .description = "[2 pts] 3000 tasks yielding 5 times each keep their locals", .timeout = 60)
{
    cr_assert_eq(yl_run(NULL, crowd_main, NULL), 0, "expected yl_run to return 0; it failed");
    for (int i = 0; i < 3000; i++)
        cr_expect_eq(sums[i], 10L * i + 5, "task %d: expected the sum %ld; got %ld", i, 10L * i + 5, (long)sums[i]);
}

/* test_steal_io.c - fd readiness under the stealing executor reaches every
 * worker (the check of tests/conc/steal_io.c, which the TSan runner shares). */
#include <criterion/criterion.h>

#include "conc/conc.h"

/* The bound is spins, not time: about a second of one core, far longer
 * than the other worker needs to notice the pipe, however loaded. */
Test(steal_io, reader_resumed_by_other_worker_while_hog_runs, .timeout = 120)
{
    cr_expect_eq(conc_steal_sees_fd(400, 5, 2000000000L), 0);
}

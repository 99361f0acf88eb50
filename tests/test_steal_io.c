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

/* A wake-up from outside the runtime (a plain thread writes the pipe) while
 * both workers park: many runs, since the window is narrow. */
Test(steal_io, thread_fed_pipe_never_a_false_deadlock, .timeout = 300)
{
    cr_expect_eq(conc_thread_fed(2, 2, 30, 200), 0);
}

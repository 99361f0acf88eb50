/* hidden/01_hidden.c - lab 01, instructor-only: more of the same, with
 * inputs the students have not seen. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "labs/01_unitgen.h"
#include "support/run.h"

static int ref_cmp(const void *a, const void *b)
{
    const yl_task *x = *(yl_task *const *)a, *y = *(yl_task *const *)b;
    if (x->deadline_ns != y->deadline_ns)
        return x->deadline_ns < y->deadline_ns ? -1 : 1;
    return x->timer_seq < y->timer_seq ? -1 : x->timer_seq > y->timer_seq;
}

Test(hidden_timer_heap, long_random_run, .description = "[2 pts] 20000 timers added and popped at random, many tied, agree with a sorted reference", .timeout = 60)
{
    enum { N = 20000 };
    yl_task *t = calloc(N, sizeof *t);
    yl_task **ref = calloc(N, sizeof *ref);
    cr_assert(t && ref, "test setup: out of memory");
    struct yl_timer_heap h = {0};
    uint64_t rng = 99, now = 0;
    size_t nref = 0;
    int next = 0;
    while (next < N || nref) {
        rng = rng * 6364136223846793005u + 1442695040888963407u;
        unsigned r = (unsigned)(rng >> 33);
        if (next < N && (nref == 0 || r % 5 < 3)) {
            yl_task *x = &t[next++];
            cr_assert(yl__timer_add(&h, x, now + r % 8), "expected add to succeed; it returned false");
            /* keep ref sorted: insert after every timer that must fire first */
            size_t i = nref++;
            while (i > 0 && ref_cmp(&ref[i - 1], &x) > 0) {
                ref[i] = ref[i - 1];
                i--;
            }
            ref[i] = x;
        } else {
            yl_task *got = yl__timer_pop(&h);
            cr_assert_eq(got, ref[0], "expected pop to give the timer due first (earliest deadline, then earliest armed); it gave another, with %zu left", nref);
            now = got->deadline_ns;
            memmove(ref, ref + 1, --nref * sizeof *ref);
        }
    }
    yl__timer_free(&h);
    free(t);
    free(ref);
}

Test(hidden_units, bigger_unitgen_programs, .description = "[2 pts] two bigger unitgen programs run as the solver predicts", .timeout = 120)
{
    expect_unitgen_prediction("1001", "7");
    expect_unitgen_prediction("1002", "7");
}

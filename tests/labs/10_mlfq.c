/* 10_mlfq.c - lab 10, graded: libyl's mlfq class (runtime/yl/policy_mlfq.c)
 * runs job lists in the order the textbook predicts (yl-predict). Orders
 * come from the trace (which job ran after which), never from times, at a
 * coarse unit (50 ms: at 20 ms a loaded machine once ran a job a sliver
 * past its slice, one grading run in four); no arrival falls near a
 * decision. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdlib.h>

#include "policy.h"

#include "support/traceorder.h"

/* tasks/sched --policy mlfq runs args as yl-predict says it should. */
void lab10_expect_predicted(const char *const *args)
{
    expect_predicted_order("mlfq", args);
}

Test(mlfq, ties_go_in_arrival_order, .description = "[2 pts] one level: round robin in arrival order", .timeout = 120)
{
    static const char *const a[] = {"--jobs", "2,2,2", "--queues", "1", "--quantum", "1",
                                    "--unit-ms", "50", NULL};
    lab10_expect_predicted(a);
}

Test(mlfq, higher_levels_first_and_demotion, .description = "[3 pts] rules 1-4: the top runs first, a used allotment moves a job down", .timeout = 120)
{
    static const char *const a[] = {"--jobs", "9,3,5", "--quantum-list", "1,2,4", "--unit-ms",
                                    "50", NULL};
    lab10_expect_predicted(a);
}

Test(mlfq, the_boost_brings_everyone_up, .description = "[3 pts] rule 5: a boost every 13 units", .timeout = 120)
{
    static const char *const a[] = {"--jobs", "20,20", "--quantum-list", "1,2,8", "--boost",
                                    "13", "--unit-ms", "50", NULL};
    lab10_expect_predicted(a);
}

/* The class driven directly, as the mechanism drives it: a task that
 * blocks (an I/O) after 0.6 of a quantum, twice, has used its quantum. */
int lab10_level_after_two_ios(bool stay)
{
    yl_sched_params p = {.quantum_ns = 1000, .queues = 3, .allotment = 1, .stay = stay};
    struct yl_prq rq;
    cr_assert(yl__prq_init(&rq, &yl_sched_mlfq, &p), "the mlfq class did not initialise");
    static char task[64];
    struct yl_se a;
    yl__se_reset(&a, (yl_task *)task);
    a.seq = yl__prq_seq(&rq);
    yl_sched_mlfq.enqueue(&rq, &a, YL_ENQ_NEW);
    for (int k = 0; k < 2; k++) {
        struct yl_se *s = yl_sched_mlfq.pick_next(&rq);
        cr_assert_eq(s, &a, "pick_next with one task queued: expected that task, got %s",
                     s ? "another" : "none");
        yl_sched_mlfq.put_prev(&rq, s, 600, YL_LEAVE_BLOCK);
        rq.clock += 600;
        if (yl_sched_mlfq.wake)
            yl_sched_mlfq.wake(&rq, s);
        s->seq = yl__prq_seq(&rq);
        yl_sched_mlfq.enqueue(&rq, s, YL_ENQ_WAKE);
    }
    struct yl_se *s = yl_sched_mlfq.pick_next(&rq);
    cr_assert_eq(s, &a, "pick_next after two I/Os: expected the one task, got %s",
                 s ? "another" : "none");
    int level = s->level;
    yl__prq_fini(&rq);
    return level;
}

Test(mlfq, io_does_not_reset_the_allotment, .description = "[2 pts] rule 4 counts the allotment across I/O (no --stay)", .timeout = 60)
{
    int level = lab10_level_after_two_ios(false);
    cr_expect_eq(level, 1,
                 "0.6 + 0.6 of a quantum with an I/O between uses the allotment: expected level 1 "
                 "(one down), got level %d", level);
}

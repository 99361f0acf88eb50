/* hidden/10_hidden.c - lab 10, instructor-only: job lists the students
 * have not seen, against the same predictor. */
#include <criterion/criterion.h>

#include <stdbool.h>

void lab10_expect_predicted(const char *const *args); /* 10_mlfq.c */
int lab10_level_after_two_ios(bool stay);         /* 10_mlfq.c */

Test(mlfq_hidden, four_levels_two_quanta_of_allotment, .description = "[3 pts] 4 levels, allotment 2", .timeout = 120)
{
    static const char *const a[] = {"--jobs", "14,5,9", "--queues", "4", "--quantum-list",
                                    "1,1,2,4", "--allotment", "2", "--unit-ms", "50", NULL};
    lab10_expect_predicted(a);
}

Test(mlfq_hidden, stay_keeps_the_gamer_on_top, .description = "[2 pts] --stay: an I/O resets the allotment", .timeout = 60)
{
    int level = lab10_level_after_two_ios(true);
    cr_expect_eq(level, 0,
                 "with --stay an I/O resets the allotment: expected level 0 (the top), got level %d",
                 level);
}

Test(mlfq_hidden, boost_with_three_jobs, .description = "[2 pts] a boost every 11 units, three jobs", .timeout = 120)
{
    static const char *const a[] = {"--jobs", "16,10,6", "--quantum-list", "1,2,6", "--boost",
                                    "11", "--unit-ms", "50", NULL};
    lab10_expect_predicted(a);
}

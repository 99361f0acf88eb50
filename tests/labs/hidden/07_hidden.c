/* 07_hidden.c - lab 07, hidden: the same behaviour with other units and
 * sizes than the public suite's. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/csvrows.h"
#include "support/files.h"
#include "support/run.h"

Test(languages_hidden, python_foo_other_unit, .description = "[1 pt] python foo keeps the article's order with a 25 ms unit", .timeout = 60)
{
    const char *argv[] = {bin_path(0, "python", "foo"), "--unit-ms", "25", NULL};
    char *out;
    cr_assert_eq(run_prog(argv, &out, NULL, 60), 0, "expected python foo to exit 0; it failed");
    cr_expect_str_eq(out, foo_article, "expected the article's eight lines in order; python foo printed:\n%s", out);
    free(out);
}

Test(languages_hidden, python_spawn_large, .description = "[1 pt] python/spawn holds 20000 tasks at once for the harness", .timeout = 120)
{
    const char *argv[] = {YL_BIN_DIR "/yl-peer-spawn", "--peer", "python/spawn", "--n", "20000", "--csv", NULL};
    char *out;
    cr_assert_eq(run_prog(argv, &out, NULL, 120), 0, "expected yl-peer-spawn to exit 0; it failed");
    cr_expect_not_null(strstr(out, "spawn,python,task,-,20000,units,20000,count\n"),
                       "expected the row spawn,python,task,-,20000,units,20000,count; the output was:\n%s", out);
    cr_expect_gt(csv_rows_value(out, "spawn", "python", "user_bytes_per_unit"), 0,
                 "expected user_bytes_per_unit above 0; the output was:\n%s", out);
    free(out);
}

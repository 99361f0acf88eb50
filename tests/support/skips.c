/* skips.c - a skipped test is never silent: after Criterion's summary, one
 * line per skipped test with its reason (the toolchain or the device it
 * needed), so a run that lost the Go or Tokio suites says so. */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char skipped[8192];
static size_t nskipped;

/* Runs after the synthesis line (registered from the POST_ALL hook, which
 * Criterion calls just before it prints the synthesis). */
static void print_skipped(void)
{
    if (nskipped == 0)
        return;
    fprintf(stderr, "[SKIP] %zu test(s) skipped:\n%s", nskipped, skipped);
}

ReportHook(POST_ALL)(struct criterion_global_stats *st)
{
    size_t len = 0;
    for (struct criterion_suite_stats *s = st->suites; s; s = s->next)
        for (struct criterion_test_stats *t = s->tests; t; t = t->next) {
            /* A test left out by --filter is "skipped" too, without a
             * reason: only cr_skip_test gives one. */
            if (t->test_status != CR_STATUS_SKIPPED || !t->message || !*t->message)
                continue;
            nskipped++;
            int n = snprintf(skipped + len, sizeof skipped - len, "[SKIP]   %s/%s: %s\n",
                             t->test->category, t->test->name, t->message);
            if (n < 0 || (size_t)n >= sizeof skipped - len) {
                skipped[len] = 0; /* no half line: the count still says how many */
                len = sizeof skipped - 1;
            } else {
                len += (size_t)n;
            }
        }
    atexit(print_skipped);
}

/* grade_report.c - turns a Criterion run of graded suites into points.
 *
 * Convention: every graded test carries its weight at the start of its
 * description, ".description = \"[3 pts] what it checks\"". After the run
 * this hook prints one line per test (points earned / points possible,
 * suite::name, what failed) and "score: X/Y". A test that fails, crashes or
 * times out earns nothing; there is no partial credit inside a test, so a
 * test that should give partial credit is split into several tests.
 * Criterion's own exit status is non-zero unless every test passed, which
 * makes `make grade` exit 0 only at full marks.
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct row {
    const char *suite, *name, *what;
    unsigned pts;
    bool passed;
    char verdict[40]; /* why it earned nothing */
};

static int by_name(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    int c = strcmp(x->suite, y->suite);
    return c ? c : strcmp(x->name, y->name);
}

/* Points from "[N pts] ..." (or "[1 pt] ..."); -1 when absent. */
static int points_of(const char *desc, const char **what)
{
    unsigned n;
    int used = 0;
    if (!desc || sscanf(desc, "[%u pt%*[s]]%n", &n, &used) < 1 || used == 0) {
        if (!desc || sscanf(desc, "[%u pt]%n", &n, &used) < 1 || used == 0)
            return -1;
    }
    *what = desc + used + (desc[used] == ' ');
    return (int)n;
}

/* Fills r->verdict with what went wrong; returns whether the test passed. */
static bool judge(const struct criterion_test_stats *t, struct row *r)
{
    if (t->test_status == CR_STATUS_PASSED)
        return true;
    if (t->test_status == CR_STATUS_SKIPPED)
        snprintf(r->verdict, sizeof r->verdict, "skipped");
    else if (t->timed_out)
        snprintf(r->verdict, sizeof r->verdict, "timed out");
    else if (t->crashed)
        snprintf(r->verdict, sizeof r->verdict, "crashed (signal %d)", t->signal);
    else if (t->exit_code)
        snprintf(r->verdict, sizeof r->verdict, "exited %d", t->exit_code);
    else
        snprintf(r->verdict, sizeof r->verdict, "failed");
    return false;
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    size_t n = 0, cap = stats->nb_tests + 1;
    struct row *rows = calloc(cap, sizeof *rows);
    if (!rows)
        abort();
    unsigned got = 0, total = 0;
    int missing = 0;
    for (struct criterion_suite_stats *s = stats->suites; s; s = s->next) {
        for (struct criterion_test_stats *t = s->tests; t && n < cap; t = t->next) {
            struct row *r = &rows[n++];
            r->suite = t->test->category;
            r->name = t->test->name;
            int pts = points_of(t->test->data ? t->test->data->description : NULL, &r->what);
            if (pts < 0) {
                fprintf(stderr, "grade: %s::%s has no \"[N pts]\" at the start of its "
                        ".description\n", r->suite, r->name);
                missing++;
                pts = 0;
                r->what = "";
            }
            r->pts = (unsigned)pts;
            r->passed = judge(t, r);
            total += r->pts;
            if (r->passed)
                got += r->pts;
        }
    }
    qsort(rows, n, sizeof *rows, by_name);
    /* Strings with sizes, so that the table lines up whatever the names. */
    printf("\n");
    for (size_t i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        char id[96], score[16];
        snprintf(id, sizeof id, "%s::%s", r->suite, r->name);
        snprintf(score, sizeof score, "%u/%u", r->passed ? r->pts : 0, r->pts);
        printf("  %-4s %-5s  %-44s %s%s%s\n", r->passed ? "pass" : "FAIL", score, id,
               r->what, r->passed ? "" : " -- ", r->verdict);
    }
    printf("score: %u/%u\n", got, total);
    fflush(stdout);
    free(rows);
    if (missing) {
        fprintf(stderr, "grade: %d test(s) without points: the score is not valid\n", missing);
        exit(2);
    }
}

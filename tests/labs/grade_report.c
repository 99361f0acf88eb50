/* grade_report.c - turns a Criterion run of graded suites into points.
 *
 * Convention: every graded test carries its weight at the start of its
 * description, ".description = \"[3 pts] what it checks\"". After the run
 * this hook prints one line per test (points earned / points possible,
 * suite::name, what failed) and "score: X/Y". A test that fails, crashes or
 * times out earns nothing; there is no partial credit inside a test, so a
 * test that should give partial credit is split into several tests.
 * Tests a --filter left out are "skipped": they count neither as earned
 * nor as possible ("score: 6/6 (16 points skipped)"), so that a run of one
 * test (GitHub Classroom runs one per step) passes when that test passes.
 * Criterion's own exit status is non-zero unless every test that ran
 * passed, which makes `make grade` exit 0 only at full marks.
 *
 * YL_GRADE_FORMAT=gradescope|junit and YL_GRADE_OUTPUT=FILE also write the
 * run in that format to FILE (grade_format.c); text is always printed.
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>

#include "grade_format.h"

typedef struct grade_row row_t;

static int by_name(const void *a, const void *b)
{
    const row_t *x = a, *y = b;
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

/* Why a test killed by signal sig earned nothing, naming the sandbox's
 * limit when the signal is the one that limit sends. */
static void crash_verdict(char *buf, size_t len, int sig)
{
    switch (sig) {
    case SIGXCPU: snprintf(buf, len, "CPU time limit hit (SIGXCPU)"); break;
    case SIGXFSZ: snprintf(buf, len, "file size limit hit (SIGXFSZ)"); break;
    case SIGKILL: snprintf(buf, len, "killed (SIGKILL: a limit or the timeout)"); break;
    case SIGSEGV: snprintf(buf, len, "crashed (SIGSEGV: bad memory access)"); break;
    case SIGBUS: snprintf(buf, len, "crashed (SIGBUS: bad memory access)"); break;
    case SIGABRT: snprintf(buf, len, "crashed (SIGABRT: abort() or an assert)"); break;
    case SIGFPE: snprintf(buf, len, "crashed (SIGFPE: arithmetic error)"); break;
    case SIGILL: snprintf(buf, len, "crashed (SIGILL: illegal instruction)"); break;
    default: snprintf(buf, len, "crashed (signal %d)", sig);
    }
}

/* Fills r->state, r->verdict and r->detail from Criterion's result. */
static void judge(const struct criterion_test_stats *t, row_t *r)
{
    r->state = GRADE_FAILED;
    if (t->test_status == CR_STATUS_PASSED) {
        r->state = GRADE_PASSED;
        return;
    }
    if (t->test_status == CR_STATUS_SKIPPED) {
        r->state = GRADE_SKIPPED;
        snprintf(r->verdict, sizeof r->verdict, "skipped");
    } else if (t->timed_out)
        snprintf(r->verdict, sizeof r->verdict, "timed out (the test's time limit)");
    else if (t->crashed)
        crash_verdict(r->verdict, sizeof r->verdict, t->signal);
    else if (t->exit_code)
        snprintf(r->verdict, sizeof r->verdict, "exited %d", t->exit_code);
    else
        snprintf(r->verdict, sizeof r->verdict, "failed");
    for (const struct criterion_assert_stats *a = t->asserts; a; a = a->next) {
        if (!a->passed && a->message && a->message[0]) {
            snprintf(r->detail, sizeof r->detail, "%s", a->message);
            break;
        }
    }
}

/* Writes the rows in $YL_GRADE_FORMAT to $YL_GRADE_OUTPUT, through a
 * temporary file so that a reader never sees half of it; false on error. */
static bool write_format(const row_t *rows, size_t n)
{
    const char *fmt = getenv("YL_GRADE_FORMAT"), *out = getenv("YL_GRADE_OUTPUT");
    if (!fmt || !*fmt || !strcmp(fmt, "text"))
        return true;
    void (*writer)(FILE *, const row_t *, size_t) =
        !strcmp(fmt, "gradescope") ? grade_write_gradescope :
        !strcmp(fmt, "junit") ? grade_write_junit : NULL;
    if (!writer) {
        fprintf(stderr, "grade: YL_GRADE_FORMAT=%s: say text, gradescope or junit\n", fmt);
        return false;
    }
    if (!out || !*out) {
        fprintf(stderr, "grade: YL_GRADE_FORMAT=%s needs YL_GRADE_OUTPUT=FILE\n", fmt);
        return false;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "grade: cannot write %s: %m\n", tmp);
        return false;
    }
    writer(f, rows, n);
    if (fclose(f) != 0 || rename(tmp, out) != 0) {
        fprintf(stderr, "grade: cannot write %s: %m\n", out);
        remove(tmp);
        return false;
    }
    return true;
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    size_t n = 0, cap = stats->nb_tests + 1;
    row_t *rows = calloc(cap, sizeof *rows);
    if (!rows)
        abort();
    unsigned got = 0, total = 0, skipped = 0;
    int missing = 0;
    for (struct criterion_suite_stats *s = stats->suites; s; s = s->next) {
        for (struct criterion_test_stats *t = s->tests; t && n < cap; t = t->next) {
            row_t *r = &rows[n++];
            r->suite = t->test->category;
            r->hidden = t->test->data && t->test->data->file_ &&
                        strstr(t->test->data->file_, "/hidden/");
            r->secs = t->elapsed_time;
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
            judge(t, r);
            if (r->state == GRADE_SKIPPED)
                skipped += r->pts;
            else
                total += r->pts;
            if (r->state == GRADE_PASSED)
                got += r->pts;
        }
    }
    qsort(rows, n, sizeof *rows, by_name);
    /* Strings with sizes, so that the table lines up whatever the names. */
    printf("\n");
    for (size_t i = 0; i < n; i++) {
        const row_t *r = &rows[i];
        char id[96], score[16];
        bool ok = r->state == GRADE_PASSED, skip = r->state == GRADE_SKIPPED;
        snprintf(id, sizeof id, "%s::%s", r->suite, r->name);
        if (skip)
            snprintf(score, sizeof score, "-/%u", r->pts);
        else
            snprintf(score, sizeof score, "%u/%u", ok ? r->pts : 0, r->pts);
        printf("  %-4s %-5s  %-44s %s%s%s\n", ok ? "pass" : skip ? "skip" : "FAIL", score, id,
               r->what, ok || skip ? "" : " -- ", ok || skip ? "" : r->verdict);
    }
    /* "score: X/Y" first on its line: labs/tools/check.sh reads it. */
    if (skipped)
        printf("score: %u/%u (%u points skipped)\n", got, total, skipped);
    else
        printf("score: %u/%u\n", got, total);
    fflush(stdout);
    bool written = write_format(rows, n);
    free(rows);
    if (missing) {
        fprintf(stderr, "grade: %d test(s) without points: the score is not valid\n", missing);
        exit(2);
    }
    if (!written)
        exit(2);
}

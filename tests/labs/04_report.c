/* 04_report.c - lab 04, graded: what a script can check of a benchmark
 * run (results/latest, or $YL_RESULTS) and of labs/04-costs/answers.md.
 * The answers themselves are graded by hand. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s, "test setup: out of memory");
    size_t n;
    while ((n = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            s = realloc(s, cap *= 2);
            cr_assert_not_null(s, "test setup: out of memory");
        }
    }
    s[len] = 0;
    fclose(f);
    return s;
}

static const char *results_dir(void)
{
    const char *d = getenv("YL_RESULTS");
    return d && *d ? d : YL_SRC_DIR "/results/latest";
}

static char *results_file(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", results_dir(), name);
    char *s = slurp(path);
    cr_assert_not_null(s, "cannot read %s: run `make bench` first", path);
    return s;
}

Test(report, report_exists, .description = "[2 pts] the run has a REPORT.md with sections")
{
    char *r = results_file("REPORT.md");
    cr_expect(strstr(r, "\n## ") != NULL, "REPORT.md has no sections");
    free(r);
}

Test(report, csv_has_the_schema, .description = "[2 pts] data.csv starts with the schema's columns")
{
    char *c = results_file("data.csv");
    cr_expect(strncmp(c, "experiment,model,variant,cpus,n,metric,value,unit", 49) == 0,
              "header: %.80s", c);
    free(c);
}

/* Is there a row of this experiment and model? */
static bool has_row(const char *csv, const char *experiment, const char *model)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\n%s,%s,", experiment, model);
    return strstr(csv, pat) != NULL;
}

Test(report, spawn_rows_for_each_model, .description = "[2 pts] spawn rows for tasks, threads and procs")
{
    char *c = results_file("data.csv");
    const char *models[] = {"tasks", "threads", "procs"};
    for (int i = 0; i < 3; i++)
        cr_expect(has_row(c, "spawn", models[i]), "no spawn row for %s", models[i]);
    free(c);
}

Test(report, pingpong_rows_for_each_model, .description = "[2 pts] pingpong rows for tasks, threads and procs")
{
    char *c = results_file("data.csv");
    const char *models[] = {"tasks", "threads", "procs"};
    for (int i = 0; i < 3; i++)
        cr_expect(has_row(c, "pingpong", models[i]), "no pingpong row for %s", models[i]);
    free(c);
}

Test(report, answers_has_every_section, .description = "[2 pts] labs/04-costs/answers.md answers Q1 to Q6")
{
    char *a = slurp(YL_SRC_DIR "/labs/04-costs/answers.md");
    cr_assert_not_null(a, "labs/04-costs/answers.md is missing");
    for (int q = 1; q <= 6; q++) {
        char head[16];
        snprintf(head, sizeof head, "## Q%d", q);
        const char *p = strstr(a, head);
        cr_expect_not_null(p, "no \"%s\" heading", head);
        if (!p)
            continue;
        p += strlen(head);
        p += strcspn(p, "\n"); /* the rest of the heading line */
        const char *end = strstr(p, "\n## ");
        size_t words = 0;
        for (const char *s = p; *s && (!end || s < end); s++)
            words += (s[0] != ' ' && s[0] != '\n') && (s[1] == ' ' || s[1] == '\n' || !s[1]);
        cr_expect_geq(words, 20, "%s has %zu words: too short to be an answer", head, words);
    }
    free(a);
}

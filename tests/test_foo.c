/* test_foo.c - the article's workload in all three models, run as real
 * processes: same eight lines, same order; the task trace has the units the
 * article draws. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/files.h"
#include "support/run.h"

static void expect_foo(const char *model) { expect_foo_article(bin_path(0, model, "foo")); }

Test(foo, tasks_prints_the_eight_lines) { expect_foo("tasks"); }
Test(foo, threads_prints_the_eight_lines) { expect_foo("threads"); }
Test(foo, procs_prints_the_eight_lines) { expect_foo("procs"); }

struct unit {
    char task[32], label[8];
    int worker;
    unsigned long long start, end;
};

static int read_trace(const char *path, const char *model, struct unit *u, int max)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no trace at %s", path);
    char line[512];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_expect_str_eq(line, "model,unit_id,task,label,worker,cpu,start_ns,end_ns\n");
    int n = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        char m[16];
        int id, cpu;
        int k = sscanf(line, "%15[^,],%d,%31[^,],%7[^,],%d,%d,%llu,%llu", m, &id,
                       u[n].task, u[n].label, &u[n].worker, &cpu, &u[n].start, &u[n].end);
        cr_assert_eq(k, 8, "malformed trace row: %s", line);
        cr_expect_str_eq(m, model);
        cr_expect_eq(id, n, "unit ids are ranks in start order");
        cr_expect_leq(u[n].start, u[n].end);
        n++;
    }
    fclose(f);
    return n;
}

static void run_traced(const char *model, char *path, size_t len)
{
    snprintf(path, len, "/tmp/yltest-trace-%s-%d.csv", model, (int)getpid());
    const char *argv[] = {bin_path(0, model, "foo"), "--unit-ms", "20", "--trace", path, NULL};
    char *out;
    cr_assert_eq(run_prog(argv, &out, NULL, 30), 0);
    free(out);
}

Test(foo, tasks_trace_has_the_seven_units_in_order)
{
    char path[128];
    run_traced("tasks", path, sizeof path);
    struct unit u[16];
    int n = read_trace(path, "tasks", u, 16);
    unlink(path);
    cr_assert_eq(n, 7, "expected 7 units, got %d", n);
    const char *want[7][2] = {{"main", "A"}, {"foo1", "A"}, {"foo2", "A"}, {"foo1", "B"},
                              {"foo2", "B"}, {"foo1", "C"}, {"foo2", "C"}};
    for (int i = 0; i < 7; i++) {
        cr_expect_str_eq(u[i].task, want[i][0], "unit %d", i);
        cr_expect_str_eq(u[i].label, want[i][1], "unit %d", i);
        cr_expect_eq(u[i].worker, 0);
        if (i > 0) /* one worker: a unit starts only after the previous ended */
            cr_expect_geq(u[i].start, u[i - 1].end, "units %d and %d overlap", i - 1, i);
    }
}

Test(foo, threads_and_procs_trace_three_units_per_function)
{
    const char *models[] = {"threads", "procs"};
    for (int m = 0; m < 2; m++) {
        char path[128];
        run_traced(models[m], path, sizeof path);
        struct unit u[16];
        int n = read_trace(path, models[m], u, 16);
        unlink(path);
        int foo1 = 0, foo2 = 0;
        for (int i = 0; i < n; i++) {
            foo1 += strcmp(u[i].task, "foo1") == 0;
            foo2 += strcmp(u[i].task, "foo2") == 0;
        }
        cr_expect_eq(foo1, 3, "%s: foo1 units", models[m]);
        cr_expect_eq(foo2, 3, "%s: foo2 units", models[m]);
    }
}

static void expect_bad_flag(const char *model, const char *flag, const char *val,
                            const char *needle)
{
    const char *argv[] = {bin_path(0, model, "foo"), flag, val, NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 10);
    cr_expect_eq(st, 2, "%s foo %s %s: exit %d", model, flag, val ? val : "", st);
    cr_expect(strstr(err, needle) != NULL, "%s: message should name %s: %s", model, needle, err);
    cr_expect_eq(count_lines(err), 1, "one-line error expected: %s", err);
    cr_expect_str_eq(out, "", "nothing on stdout on a usage error");
    free(out);
    free(err);
}

Test(foo, bad_flags_exit_2_naming_the_flag)
{
    const char *models[] = {"tasks", "threads", "procs"};
    for (int m = 0; m < 3; m++) {
        expect_bad_flag(models[m], "--unit-ms", "abc", "--unit-ms");
        expect_bad_flag(models[m], "--unit-ms", "-3", "--unit-ms");
        expect_bad_flag(models[m], "--bogus", NULL, "--bogus");
        expect_bad_flag(models[m], "--trace", NULL, "--trace");
    }
}

Test(foo, help_exits_0)
{
    const char *argv[] = {bin_path(0, "procs", "foo"), "--help", NULL};
    char *out;
    cr_expect_eq(run_prog(argv, &out, NULL, 10), 0);
    cr_expect(strstr(out, "--unit-ms") != NULL);
    free(out);
}

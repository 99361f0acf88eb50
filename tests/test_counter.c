/* test_counter.c - the lost update and its fixes, in all three models, run
 * as real programs; and eager vs lazy tasks. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/run.h"

/* Value of metric in counter's CSV output; fails the test when absent. */
static double metric(const char *csv, const char *name)
{
    char pat[64];
    snprintf(pat, sizeof pat, ",%s,", name);
    const char *p = strstr(csv, pat);
    cr_assert_not_null(p, "no %s row in:\n%s", name, csv);
    return strtod(p + strlen(pat), NULL);
}

static char *run_counter(const char *model, const char *const extra[])
{
    const char *argv[16] = {bin_path(0, model, "counter"), "--csv"};
    int a = 2;
    for (int i = 0; extra[i]; i++)
        argv[a++] = extra[i];
    argv[a] = NULL;
    char *out, *err;
    int st = run_prog(argv, &out, &err, 60);
    cr_assert_eq(st, 0, "%s counter exited %d: %s", model, st, err);
    cr_assert(strncmp(out, "experiment,model,variant,cpus,n,metric,value,unit\n", 50) == 0,
              "CSV header missing:\n%s", out);
    free(err);
    return out;
}

Test(counter, tasks_without_a_fix_lose_updates)
{
    const char *extra[] = {"--n", "1000", "--fix", "none", NULL};
    char *out = run_counter("tasks", extra);
    /* One worker runs every task's first unit (its read) before any second
     * unit (its write): all 1000 reads are issued before the first write. */
    cr_expect_eq(metric(out, "reads_before_first_write"), 1000);
    cr_expect_lt(metric(out, "final"), 500, "final should be far below 1000");
    cr_expect_eq(metric(out, "lost"), 1000 - metric(out, "final"));
    free(out);
}

static void expect_exact(const char *model, const char *fix, bool mem)
{
    const char *extra[] = {"--n", "1000", "--fix", fix, mem ? "--mem" : NULL, NULL};
    char *out = run_counter(model, extra);
    cr_expect_eq(metric(out, "final"), 1000, "%s --fix %s%s", model, fix, mem ? " --mem" : "");
    cr_expect_eq(metric(out, "lost"), 0);
    if (strcmp(model, "tasks") != 0)
        cr_expect_geq(metric(out, "units"), 8, "at least 8 units at once");
    free(out);
}

Test(counter, every_task_fix_is_exact)
{
    const char *fixes[] = {"lock", "lifo-lock", "append", "sync"};
    for (int i = 0; i < 4; i++)
        expect_exact("tasks", fixes[i], false);
}

Test(counter, every_thread_fix_is_exact)
{
    const char *fixes[] = {"mutex", "flock", "append"};
    for (int i = 0; i < 3; i++)
        expect_exact("threads", fixes[i], false);
    expect_exact("threads", "mutex", true);
    expect_exact("threads", "atomic", true);
}

Test(counter, every_process_fix_is_exact)
{
    const char *fixes[] = {"flock", "append"};
    for (int i = 0; i < 2; i++)
        expect_exact("procs", fixes[i], false);
    expect_exact("procs", "atomic", true);
}

Test(counter, fifo_lock_is_fair_lifo_is_not)
{
    const char *fifo[] = {"--n", "200", "--fix", "lock", NULL};
    const char *lifo[] = {"--n", "200", "--fix", "lifo-lock", NULL};
    char *a = run_counter("tasks", fifo), *b = run_counter("tasks", lifo);
    cr_expect_eq(metric(a, "order_corr"), 1, "FIFO: acquisition order is arrival order");
    cr_expect_lt(metric(b, "order_corr"), -0.9, "LIFO: close to reversed");
    free(a);
    free(b);
}

/* Points TMPDIR of the programs this test runs at a fresh empty folder, so
 * leftovers are seen without interference from tests running alongside. */
static char tmpdir[64];
static void private_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/yltest-tmp-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    setenv("TMPDIR", tmpdir, 1);
}

static int count_tmp_files(void)
{
    DIR *d = opendir(tmpdir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

Test(counter, bad_file_is_a_usage_error_and_leaves_nothing)
{
    const char *models[] = {"tasks", "threads", "procs"};
    const char *bad[] = {"/tmp", "/proc/no/such/dir/file"};
    private_tmpdir();
    for (int m = 0; m < 3; m++) {
        for (int b = 0; b < 2; b++) {
            const char *argv[] = {bin_path(0, models[m], "counter"), "--file", bad[b], NULL};
            char *out, *err;
            int st = run_prog(argv, &out, &err, 20);
            cr_expect_eq(st, 2, "%s --file %s: exit %d", models[m], bad[b], st);
            cr_expect(strstr(err, "--file") != NULL, "message names the flag: %s", err);
            cr_expect_eq(count_lines(err), 1, "one line: %s", err);
            free(out);
            free(err);
        }
    }
    cr_expect_eq(count_tmp_files(), 0, "a temporary counter file was left behind");
    rmdir(tmpdir);
}

Test(counter, temporary_file_is_removed)
{
    private_tmpdir();
    const char *extra[] = {"--n", "50", NULL};
    const char *app[] = {"--n", "50", "--fix", "append", NULL};
    free(run_counter("procs", extra));
    free(run_counter("tasks", extra));
    free(run_counter("threads", app));
    cr_expect_eq(count_tmp_files(), 0, "a temporary counter file was left behind");
    rmdir(tmpdir);
}

Test(counter, bad_fix_exits_2)
{
    const char *argv[] = {bin_path(0, "threads", "counter"), "--fix", "lock", NULL};
    char *err;
    cr_expect_eq(run_prog(argv, NULL, &err, 10), 2);
    cr_expect(strstr(err, "--fix") != NULL);
    free(err);
}

static char *hello(const char *mode, bool await)
{
    const char *argv[] = {bin_path(0, "tasks", "hello"), "--mode", mode, "--unit-ms", "20",
                          await ? "--await" : NULL, NULL};
    char *out;
    cr_assert_eq(run_prog(argv, &out, NULL, 20), 0);
    return out;
}

Test(lazy, eager_runs_unawaited_lazy_does_not)
{
    char *e = hello("eager", false), *l = hello("lazy", false), *la = hello("lazy", true);
    cr_expect_str_eq(e, "Hello\n");
    cr_expect_str_eq(l, "", "a lazy task nobody awaited must not run");
    cr_expect_str_eq(la, "Hello\n", "awaiting a lazy task runs it");
    free(e);
    free(l);
    free(la);
}

/* test_driver.c - the experiment driver (yl-bench) and the make bench
 * step around it (bench/run.sh), run for real: real fork/exec, signals.
 *
 * The driver runs fixture profiles (tests/fixtures/driver/) whose stand-in
 * program prints 10 x its call count, so the median over known runs is
 * known in advance.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/files.h"
#include "support/run.h"

#define DRIVER YL_BIN_DIR "/yl-bench"
#define FIXTURES YL_SRC_DIR "/tests/fixtures"

static const char header[] = "experiment,model,variant,cpus,n,metric,value,unit,min,max,reps\n";

static int run_driver(const char *profile, const char *dir, char **out, char **err)
{
    const char *argv[] = {DRIVER, "--profile", profile, "--out", dir, NULL};
    return run_prog(argv, out, err, 120);
}

Test(driver, keeps_the_median_min_and_max_of_the_repetitions)
{
    char *dir = scratch();
    char *out, *err;
    int st = run_driver(FIXTURES "/driver/ok.profile", dir, &out, &err);
    cr_assert_eq(st, 0, "yl-bench exited %d:\n%s", st, err);
    char *csv = slurp(dir, "data.csv");
    cr_assert_not_null(csv, "no data.csv");
    /* Run 1 (value 10) is the warm-up; runs 2..6 print 20..60. */
    char want[512];
    snprintf(want, sizeof want, "%s%s%s", header,
             "fake,threads,futex,0,1000,ns_per_switch,40,ns,20,60,5\n",
             "fake,threads,futex,0,1000,switches,2000,count,2000,2000,5\n");
    cr_expect_str_eq(csv, want);
    char *count = slurp(dir, "count-ok");
    cr_expect_str_eq(count, "6\n", "one warm-up and five runs expected");
    /* The environment, one key per line. */
    char *env = slurp(dir, "env.txt");
    cr_assert_not_null(env, "no env.txt");
    const char *keys[] = {"cpu_model: ", "cpus_online: ", "affinity: ", "kernel: ",
                          "virtualized: ", "hypervisor: ", "governor: ", "compiler: ",
                          "profile: ", "where: host\n", "date: ", "wall_s: "};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_expect_not_null(strstr(env, keys[i]), "env.txt lacks '%s':\n%s", keys[i], env);
    cr_expect_null(strstr(env, "wall_s: running"), "env.txt not finished");
    /* One progress line per experiment, plus the closing one. */
    cr_expect_not_null(strstr(err, "[0/1 done, "), "no progress line:\n%s", err);
    cr_expect_not_null(strstr(err, "1 measured, 0 failed"), "no summary:\n%s", err);
    cr_expect(!exists(dir, "data.csv.tmp") && !exists(dir, "failures.txt"));
    free(env);
    free(count);
    free(csv);
    free(out);
    free(err);
    rm_tree(dir);
}

Test(driver, a_failing_program_costs_only_its_own_rows)
{
    char *dir = scratch();
    char *out, *err;
    int st = run_driver(FIXTURES "/driver/mixed.profile", dir, &out, &err);
    cr_assert_eq(st, 0, "yl-bench exited %d:\n%s", st, err);
    char *csv = slurp(dir, "data.csv");
    cr_assert_not_null(csv, "no data.csv");
    /* Two warm-ups (10, 20), then 30, 40, 50. */
    char want[512];
    snprintf(want, sizeof want, "%s%s%s", header,
             "fake,threads,futex,0,1000,ns_per_switch,40,ns,30,50,3\n",
             "fake,threads,futex,0,1000,switches,2000,count,2000,2000,3\n");
    cr_expect_str_eq(csv, want);
    const char *says[] = {"broken (profile line 3) failed: warm-up run: exit status 3",
                          "hung (profile line 4) failed: warm-up run: timed out after 1 s",
                          "prose (profile line 5) failed: run 1 of 5: printed no CSV rows",
                          "missing (profile line 6) failed:",
                          "many-cpus: skipped, needs 4096 cpus"};
    for (size_t i = 0; i < sizeof says / sizeof says[0]; i++)
        cr_expect_not_null(strstr(err, says[i]), "stderr lacks '%s':\n%s", says[i], err);
    char *fails = slurp(dir, "failures.txt");
    cr_assert_not_null(fails, "no failures.txt");
    cr_expect_eq(count_lines(fails), 4, "four failed lines expected:\n%s", fails);
    cr_expect_null(strstr(fails, "many-cpus"), "a skipped line is not a failure");
    free(fails);
    free(csv);
    free(out);
    free(err);
    rm_tree(dir);
}

Test(driver, exits_1_when_nothing_was_measured)
{
    char *dir = scratch();
    char *out, *err;
    int st = run_driver(FIXTURES "/driver/allfail.profile", dir, &out, &err);
    cr_expect_eq(st, 1, "yl-bench exited %d:\n%s", st, err);
    char *csv = slurp(dir, "data.csv");
    cr_assert_not_null(csv);
    cr_expect_str_eq(csv, header, "only the header expected");
    free(csv);
    free(out);
    free(err);
    rm_tree(dir);
}

Test(driver, bad_flags_and_bad_profiles_exit_2)
{
    char *dir = scratch();
    const char *const cases[][8] = {
        {DRIVER, "--bogus", NULL},
        {DRIVER, "--out", dir, NULL},
        {DRIVER, "--profile", "smoke", NULL},
        {DRIVER, "--profile", "smoke", "--out", dir, "--where", "mars"},
        {DRIVER, "--profile", "no-such-profile", "--out", dir, NULL},
        {DRIVER, "--profile", FIXTURES "/driver/bad.profile", "--out", dir, NULL},
        {DRIVER, "--profile", NULL},
    };
    const char *says[] = {"--bogus", "--profile", "--out", "--where", "no-such-profile",
                          "bad.profile:2: bad option 'reps=0'", "--profile"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out, *err;
        int st = run_prog(cases[i], &out, &err, 30);
        cr_expect_eq(st, 2, "case %zu exited %d: %s", i, st, err);
        cr_expect_not_null(strstr(err, says[i]), "case %zu should name %s: %s", i, says[i], err);
        cr_expect_eq(count_lines(err), 1, "case %zu: one line expected: %s", i, err);
        free(out);
        free(err);
    }
    cr_expect(!exists(dir, "data.csv"), "nothing may be written on bad usage");
    rm_tree(dir);
}

Test(driver, dry_run_shows_the_expanded_commands)
{
    const char *argv[] = {DRIVER, "--profile", FIXTURES "/driver/ok.profile", "--dry-run", NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 30);
    cr_assert_eq(st, 0, "exited %d: %s", st, err);
    cr_expect_not_null(strstr(out, "run fake warmup=1 reps=5 timeout=20: /bin/sh "), "%s", out);
    cr_expect_not_null(strstr(out, "/tests/fixtures/driver/fake-bench.sh"), "{profdir}: %s", out);
    cr_expect_null(strchr(out, '{'), "a placeholder was left: %s", out);
    free(out);
    free(err);
}

Test(driver, traces_foo_in_every_model)
{
    char *dir = scratch();
    const char *argv[] = {DRIVER, "--profile", "smoke", "--bin", YL_BIN_DIR, "--out", dir, NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 120);
    cr_assert_eq(st, 0, "yl-bench exited %d:\n%s", st, err);
    const char *models[] = {"tasks", "threads", "procs"};
    for (size_t i = 0; i < 3; i++) {
        char name[64], row[64];
        snprintf(name, sizeof name, "trace-%s.csv", models[i]);
        char *trace = slurp(dir, name);
        cr_assert_not_null(trace, "no %s", name);
        cr_expect(strncmp(trace, "model,unit_id,task,label,worker,cpu,start_ns,end_ns\n", 52) == 0,
                  "%s header:\n%s", name, trace);
        snprintf(row, sizeof row, "\n%s,", models[i]);
        cr_expect_not_null(strstr(trace, row), "%s has no %s rows", name, models[i]);
        snprintf(name, sizeof name, "trace-%s.out", models[i]);
        char *said = slurp(dir, name);
        cr_expect(said && strstr(said, "foo1 start\n"), "%s: what foo printed is not kept", name);
        free(said);
        free(trace);
    }
    char *csv = slurp(dir, "data.csv");
    cr_expect_str_eq(csv, header, "a trace-only profile has no rows");
    free(csv);
    free(out);
    free(err);
    rm_tree(dir);
}

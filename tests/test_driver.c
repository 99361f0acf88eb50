/* test_driver.c - the experiment driver (yl-bench) and the make bench
 * step around it (bench/run.sh), run for real: real fork/exec, signals.
 *
 * The driver runs fixture profiles (tests/fixtures/driver/) whose stand-in
 * program prints 10 x its call count, so the median over known runs is
 * known in advance.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <glob.h>
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

/* ------------------------------------------- interrupted and failed runs */

/* Starts argv in a process group of its own (a Ctrl-C reaches the whole
 * group), output discarded; returns its pid. */
static pid_t start_group(const char *const argv[])
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    setpgid(pid, pid);
    return pid;
}

/* Waits until pattern (a glob) names a file, at most timeout_s. */
static bool wait_for(const char *pattern, int timeout_s)
{
    for (int i = 0; i < timeout_s * 100; i++) {
        glob_t g;
        bool found = glob(pattern, 0, NULL, &g) == 0;
        globfree(&g);
        if (found)
            return true;
        usleep(10 * 1000);
    }
    return false;
}

/* The exit status of pid as run_prog gives it (128 + signal if killed);
 * the group is killed if it has not ended within timeout_s. */
static int wait_status(pid_t pid, int timeout_s)
{
    int st;
    for (int i = 0; i < timeout_s * 100; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        usleep(10 * 1000);
    }
    kill(-pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

Test(driver, an_interrupted_run_exits_with_the_status_its_usage_names, .timeout = 90)
{
    const char *help_argv[] = {DRIVER, "--help", NULL};
    char *help, *err;
    cr_assert_eq(run_prog(help_argv, &help, &err, 30), 0);
    const struct {
        int sig;
        const char *says;
    } cases[] = {{SIGINT, "130"}, {SIGTERM, "143"}};
    for (size_t i = 0; i < 2; i++) {
        char *dir = scratch();
        const char *argv[] = {DRIVER, "--profile", FIXTURES "/driver/slow.profile", "--out", dir,
                              NULL};
        pid_t pid = start_group(argv);
        char pattern[4200];
        snprintf(pattern, sizeof pattern, "%s/count-hang", dir);
        cr_assert(wait_for(pattern, 30), "the slow step never started");
        kill(pid, cases[i].sig);
        int st = wait_status(pid, 30);
        cr_expect_eq(st, 128 + cases[i].sig, "%s: exit %d", strsignal(cases[i].sig), st);
        cr_expect_not_null(strstr(help, cases[i].says), "--help does not name exit %s "
                           "(%s):\n%s", cases[i].says, strsignal(cases[i].sig), help);
        char *csv = slurp(dir, "data.csv");
        cr_expect(csv && strstr(csv, "\nfake,"), "the finished experiment's rows are kept");
        free(csv);
        rm_tree(dir);
    }
    free(help);
    free(err);
}

Test(driver, a_results_file_it_cannot_write_fails_the_run)
{
    char *dir = scratch();
    /* failures.txt as a folder with something in it: no rename can
     * replace it, not even root's. */
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/failures.txt", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    write_file(sub, "keep", "x\n");
    char *out, *err;
    int st = run_driver(FIXTURES "/driver/mixed.profile", dir, &out, &err);
    cr_expect_eq(st, 1, "yl-bench exited %d although failures.txt could not be written:\n%s",
                 st, err);
    cr_expect_not_null(strstr(err, "failures.txt"), "stderr does not name failures.txt:\n%s", err);
    free(out);
    free(err);
    rm_tree(dir);
}

/* ---------------------------------------------------------- bench/run.sh */

#define RUN_SH YL_SRC_DIR "/bench/run.sh"

/* Where root/latest points ("" when it does not exist). */
static void latest(const char *root, char *buf, size_t sz)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/latest", root);
    ssize_t n = readlink(path, buf, sz - 1);
    buf[n > 0 ? n : 0] = '\0';
}

Test(bench_run, latest_moves_only_to_a_complete_run, .timeout = 120)
{
    char *root = scratch();
    char first[256], now[256];
    /* A complete run: latest points at it. */
    const char *ok[] = {"/bin/bash", RUN_SH, DRIVER, FIXTURES "/driver/ok.profile", root, NULL};
    char *out, *err;
    int st = run_prog(ok, &out, &err, 60);
    cr_assert_eq(st, 0, "run.sh exited %d:\n%s", st, err);
    latest(root, first, sizeof first);
    cr_assert(first[0] && exists(root, first), "latest does not name the run: '%s'", first);
    cr_expect_not_null(strstr(out, first), "run.sh should print its folder: %s", out);
    free(out);
    free(err);

    /* Interrupted (a Ctrl-C to the whole group) after one experiment has
     * been saved: latest stays. */
    const char *slow[] = {"/bin/bash", RUN_SH, DRIVER, FIXTURES "/driver/slow.profile", root,
                          NULL};
    pid_t pid = start_group(slow);
    char pattern[4200];
    snprintf(pattern, sizeof pattern, "%s/*/count-hang", root);
    cr_assert(wait_for(pattern, 30), "the slow step never started");
    kill(-pid, SIGINT);
    st = wait_status(pid, 30);
    cr_expect_neq(st, 0, "an interrupted run.sh exited 0");
    snprintf(pattern, sizeof pattern, "%s/*-host", root);
    glob_t g;
    cr_assert_eq(glob(pattern, 0, NULL, &g), 0);
    cr_expect_eq(g.gl_pathc, 2, "each run gets a folder of its own, even within a second");
    globfree(&g);
    latest(root, now, sizeof now);
    cr_expect_str_eq(now, first, "an interrupted run moved latest");

    /* Nothing measured: latest stays. */
    const char *none[] = {"/bin/bash", RUN_SH, DRIVER, FIXTURES "/driver/allfail.profile", root,
                          NULL};
    st = run_prog(none, &out, &err, 60);
    cr_expect_eq(st, 1, "run.sh exited %d:\n%s", st, err);
    latest(root, now, sizeof now);
    cr_expect_str_eq(now, first, "a run that measured nothing moved latest");
    free(out);
    free(err);
    rm_tree(root);
}

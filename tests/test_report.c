/* test_report.c - the experiment driver (yl-bench) and the report
 * generator (plots/report.sh), run for real: real fork/exec, real gnuplot.
 *
 * The driver runs fixture profiles (tests/fixtures/driver/) whose stand-in
 * program prints 10 x its call count, so the median over known runs is
 * known in advance; the report runs on a fixture results folder
 * (tests/fixtures/report/: data.csv, env.txt, traces of foo, and of the
 * imbalance and lag runs the profiles trace).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/run.h"

#define DRIVER YL_BIN_DIR "/yl-bench"
#define REPORT YL_SRC_DIR "/plots/report.sh"
#define FIXTURES YL_SRC_DIR "/tests/fixtures"

static const char header[] = "experiment,model,variant,cpus,n,metric,value,unit,min,max,reps\n";
static const char png_sig[8] = "\x89PNG\r\n\x1a\n";

/* A fresh scratch folder; removed by rm_tree at the end of the test. */
static char *scratch(void)
{
    char *d = strdup("/tmp/yl-report-XXXXXX");
    cr_assert_not_null(mkdtemp(d), "mkdtemp: %s", strerror(errno));
    return d;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void rm_tree(char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

/* The whole file as a malloc'd string, or NULL when it cannot be read. */
static char *slurp(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&buf, &cap, '\0', f);
    fclose(f);
    if (n < 0) {
        free(buf);
        return strdup("");
    }
    return buf;
}

static bool exists(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

/* Copies every regular file of from into to. */
static void copy_dir(const char *from, const char *to)
{
    DIR *d = opendir(from);
    cr_assert_not_null(d, "%s: %s", from, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *text = slurp(from, e->d_name);
        cr_assert_not_null(text, "cannot read %s/%s", from, e->d_name);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", to, e->d_name);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f, "%s: %s", path, strerror(errno));
        fputs(text, f);
        fclose(f);
        free(text);
    }
    closedir(d);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

static void expect_png(const char *dir, const char *name)
{
    char path[4096], sig[8];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY);
    cr_assert_geq(fd, 0, "%s was not drawn", name);
    ssize_t n = read(fd, sig, sizeof sig);
    close(fd);
    cr_expect(n == 8 && memcmp(sig, png_sig, 8) == 0, "%s is not a PNG", name);
}

static int run_report(const char *dir, char **out, char **err)
{
    const char *argv[] = {"/bin/bash", REPORT, dir, NULL};
    return run_prog(argv, out, err, 120);
}

/* ------------------------------------------------------------ report.sh */

Test(report, draws_every_figure_and_names_each_in_the_report)
{
    char *dir = scratch();
    copy_dir(FIXTURES "/report", dir);
    char *out, *err;
    int st = run_report(dir, &out, &err);
    cr_assert_eq(st, 0, "report.sh exited %d:\n%s", st, err);

    const char *figs[] = {"memory.png", "switch.png", "timeline-tasks.png",
                          "timeline-threads.png", "timeline-procs.png",
                          "counter-lost.png", "counter-wait.png", "imbalance.png",
                          "imbalance-workers.png", "lag.png", "timeline-lag-single.png",
                          "timeline-lag-stealing.png"};
    char *md = slurp(dir, "REPORT.md");
    cr_assert_not_null(md, "no REPORT.md");
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
        expect_png(dir, figs[i]);
        char link[64];
        snprintf(link, sizeof link, "](%s)", figs[i]);
        cr_expect_not_null(strstr(md, link), "REPORT.md does not show %s", figs[i]);
    }
    /* And no figure the report does not name. */
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".png") == 0) {
            char link[300];
            snprintf(link, sizeof link, "](%s)", e->d_name);
            cr_expect_not_null(strstr(md, link), "%s is drawn but not in REPORT.md", e->d_name);
        }
    }
    closedir(d);
    /* The machine, the tables, the commands that redraw it. */
    cr_expect_not_null(strstr(md, "## The machine"));
    cr_expect_not_null(strstr(md, "| cpu_model | AMD EPYC |"));
    cr_expect_not_null(strstr(md, "| threads | futex | 1.4 µs"), "switch table row missing");
    cr_expect_not_null(strstr(md, "| not pinned |"), "the unpinned run has no column");
    cr_expect_not_null(strstr(md, "| threads | default | 8.3 KiB"), "memory table row missing");
    cr_expect_not_null(strstr(md, "make report RESULTS="));
    cr_expect_not_null(strstr(md, "plots/timeline.gp"));
    /* counter, imbalance and lag have sections of their own. */
    cr_expect_not_null(strstr(md, "| threads | none | 1000 | - | - | 731 | 269 (265 – 305) |"),
                       "counter table row missing");
    cr_expect_not_null(strstr(md, "| tasks | sharded | 0+1 | 184.0 ms"), "imbalance table row missing");
    cr_expect_not_null(strstr(md, "| 64 of 64 |"), "jobs done missing");
    cr_expect_not_null(strstr(md, "| tasks | single | 0 | 1 | 24.1 ms | 49.0 ms | 49.1 ms |"),
                       "lag table row missing");
    /* An experiment with no section lands under Other results. */
    cr_expect_not_null(strstr(md, "## Other results"));
    cr_expect_not_null(strstr(md, "| fake | threads | futex | 0 | 1000 | ns_per_switch | 40 |"));
    cr_expect_null(strstr(md, "| counter | threads |"), "counter rows listed as other results");
    cr_expect(!exists(dir, "REPORT.md.tmp"), "temporary file left behind");
    free(md);
    free(out);
    free(err);
    rm_tree(dir);
}

Test(report, leaves_out_sections_whose_rows_are_absent)
{
    /* A program's own CSV (8 columns, no min/max) with no spawn, no
     * pingpong and no traces. */
    char *dir = scratch();
    write_file(dir, "data.csv",
               "experiment,model,variant,cpus,n,metric,value,unit\n"
               "fake,procs,flock,-,500,final,500,count\n");
    char *out, *err;
    int st = run_report(dir, &out, &err);
    cr_assert_eq(st, 0, "report.sh exited %d:\n%s", st, err);
    char *md = slurp(dir, "REPORT.md");
    cr_assert_not_null(md);
    cr_expect_null(strstr(md, "## Memory"));
    cr_expect_null(strstr(md, "## The cost of a switch"));
    cr_expect_null(strstr(md, "## How foo"));
    cr_expect_null(strstr(md, ".png)"), "no figure expected:\n%s", md);
    cr_expect_null(strstr(md, "## The lost update"));
    cr_expect_null(strstr(md, "## The unlucky worker"));
    cr_expect_null(strstr(md, "## A CPU hog"));
    cr_expect_not_null(strstr(md, "| fake | procs | flock | - | 500 | final | 500 | 500 – 500 | count |"));
    cr_expect(!exists(dir, "memory.png") && !exists(dir, "switch.png"));
    free(md);
    free(out);
    free(err);
    rm_tree(dir);
}

Test(report, puts_host_and_guest_side_by_side)
{
    /* Two runs next to each other, as make bench and make vm-bench leave
     * them in results/: the guest's report compares itself with the host's. */
    char *top = scratch();
    char host[4200], guest[4200];
    snprintf(host, sizeof host, "%s/20260101T000000Z-host", top);
    snprintf(guest, sizeof guest, "%s/20260101T010000Z-vm1", top);
    cr_assert_eq(mkdir(host, 0755), 0);
    cr_assert_eq(mkdir(guest, 0755), 0);
    copy_dir(FIXTURES "/report", host);
    copy_dir(FIXTURES "/report", guest);
    char *env = slurp(guest, "env.txt");
    cr_assert_not_null(env);
    char *w = strstr(env, "where: host");
    cr_assert_not_null(w, "the fixture's env.txt names where it ran");
    memcpy(w, "where: vm1 ", 11); /* same length: "host" + one blank */
    write_file(guest, "env.txt", env);
    free(env);

    char *out, *err;
    cr_assert_eq(run_report(guest, &out, &err), 0, "report.sh failed: %s", err);
    char *md = slurp(guest, "REPORT.md");
    cr_assert_not_null(md);
    cr_expect(strstr(md, "## Host and guest side by side") != NULL, "no host vs guest section");
    cr_expect(strstr(md, "20260101T000000Z-host") != NULL, "the section names the host run");
    cr_expect(strstr(md, "hostvm.png") != NULL);
    expect_png(guest, "hostvm.png");
    free(md);

    /* A run with no counterpart has no such section. */
    rm_tree(strdup(host));
    cr_assert_eq(run_report(guest, NULL, NULL), 0);
    md = slurp(guest, "REPORT.md");
    cr_expect(strstr(md, "Host and guest") == NULL, "a section with nothing to compare");
    free(md);
    free(out);
    free(err);
    rm_tree(top);
}

Test(report, bad_usage_exits_2_naming_the_problem)
{
    char *dir = scratch();
    struct {
        const char *arg, *says;
    } cases[] = {
        {"--bogus", "--bogus"},
        {"/nonexistent/results", "/nonexistent/results"},
        {dir, "data.csv"}, /* a folder without data */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out, *err;
        int st = run_report(cases[i].arg, &out, &err);
        cr_expect_eq(st, 2, "report.sh %s exited %d", cases[i].arg, st);
        cr_expect_not_null(strstr(err, cases[i].says), "message should name %s: %s", cases[i].says, err);
        cr_expect_eq(count_lines(err), 1, "one line expected: %s", err);
        free(out);
        free(err);
    }
    const char *argv[] = {"/bin/bash", REPORT, NULL};
    char *err;
    cr_expect_eq(run_prog(argv, NULL, &err, 30), 2, "no folder given");
    free(err);
    write_file(dir, "data.csv", "not,a,yieldlab,csv\n");
    char *out;
    cr_expect_eq(run_report(dir, &out, &err), 2, "bad header accepted");
    free(out);
    free(err);
    rm_tree(dir);
}

/* ------------------------------------------------------------ yl-bench */

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

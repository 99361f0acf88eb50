/* test_report.c - the report generator (plots/report.sh), run for real
 * on a fixture results folder (tests/fixtures/report/: data.csv,
 * env.txt, traces of foo, and of the imbalance and lag runs the profiles
 * trace), with real gnuplot. The driver's tests are in test_driver.c.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/files.h"
#include "support/run.h"

#define REPORT YL_SRC_DIR "/plots/report.sh"
#define FIXTURES YL_SRC_DIR "/tests/fixtures"

static const char png_sig[8] = "\x89PNG\r\n\x1a\n";

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

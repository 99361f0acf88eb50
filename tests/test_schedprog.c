/* test_schedprog.c - the sched programs and yl-predict: libyl's classes
 * run a job list in the order the textbook predicts (compared by the
 * trace's order of jobs, not its times, at a coarse unit), stride's
 * shares hold at every point, lottery repeats with its seed, the
 * kernel's policies give well-formed rows (and the real-time ones skip
 * cleanly without CAP_SYS_NICE), bad input exits 2 with one line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/files.h"
#include "support/run.h"

#include "support/traceorder.h"

/* Three jobs at 0, lengths not multiples of the quantum's neighbours. */
static const char *const three[] = {"--jobs", "6,3,4", "--quantum", "2", "--unit-ms", "20", NULL};

Test(schedprog, fifo_sjf_stcf_rr_mlfq_stride_run_as_predicted, .timeout = 300)
{
    static const char *const pols[] = {"fifo", "sjf", "stcf", "rr", "mlfq", "stride"};
    for (size_t i = 0; i < sizeof pols / sizeof *pols; i++)
        expect_predicted_order(pols[i], three);
}

Test(schedprog, stcf_preempts_for_a_shorter_arrival, .timeout = 120)
{
    /* Arrivals far from any decision, so a loaded machine cannot flip them. */
    static const char *const a[] = {"--jlist", "0,40,0:4,2,0:30,3,0", "--unit-ms", "20", NULL};
    expect_predicted_order("stcf", a);
    expect_predicted_order("sjf", a);
}

Test(schedprog, mlfq_demotes_and_boosts_as_predicted, .timeout = 200)
{
    static const char *const demote[] = {"--jobs", "9,3,5", "--quantum-list", "1,2,4",
                                         "--unit-ms", "20", NULL};
    expect_predicted_order("mlfq", demote);
    static const char *const boosted[] = {"--jobs", "12,12,12", "--quantum", "3", "--boost",
                                          "10", "--unit-ms", "10", NULL};
    expect_predicted_order("mlfq", boosted);
}

Test(schedprog, lifo_runs_the_newest_first_and_prio_the_highest, .timeout = 120)
{
    char *dir = scratch_dir("yl-sched");
    static const char *const lifo[] = {"--policy", "lifo", "--jobs", "2,2,2", "--unit-ms", "10",
                                       NULL};
    char *got = run_order(bin_path(0, "tasks", "sched"), dir, lifo, NULL, NULL);
    cr_expect_str_eq(got, "j2 j1 j0");
    free(got);
    static const char *const prio[] = {"--policy", "prio", "--jobs", "2,2,2", "--prio", "1,5,3",
                                       "--unit-ms", "10", NULL};
    got = run_order(bin_path(0, "tasks", "sched"), dir, prio, NULL, NULL);
    cr_expect_str_eq(got, "j1 j2 j0");
    free(got);
    scratch_remove(dir);
}

/* Stride: at the end of every slice until the first job ends, each job's
 * time is within one quantum (and a little slack for the slices' own
 * overshoot) of its tickets' share of the total. */
Test(schedprog, stride_shares_hold_at_every_point, .timeout = 120)
{
    char *dir = scratch_dir("yl-sched");
    static const char *const a[] = {"--policy", "stride", "--jobs", "40,40,40", "--tickets",
                                    "100,200,300", "--quantum", "1", "--unit-ms", "10", NULL};
    struct slice *v;
    size_t n;
    free(run_order(bin_path(0, "tasks", "sched"), dir, a, &v, &n));
    const double tickets[3] = {100, 200, 300}, q = 10e6;
    double got[3] = {0}, total = 0, worst = 0;
    unsigned long long end[3] = {0}, first_end = ~0ull;
    for (size_t i = 0; i < n; i++) {
        int j = v[i].task[1] - '0';
        cr_assert(j >= 0 && j < 3, "unknown task %s", v[i].task);
        if (v[i].end > end[j])
            end[j] = v[i].end;
    }
    for (int j = 0; j < 3; j++)
        if (end[j] < first_end)
            first_end = end[j];
    for (size_t i = 0; i < n && v[i].end < first_end; i++) {
        /* until the first job is done: shares change from there */
        int j = v[i].task[1] - '0';
        got[j] += (double)(v[i].end - v[i].start);
        total += (double)(v[i].end - v[i].start);
        for (int k = 0; k < 3; k++) {
            double off = got[k] - total * tickets[k] / 600;
            if (off < 0)
                off = -off;
            if (off > worst)
                worst = off;
        }
    }
    cr_expect_lt(worst, 1.5 * q, "a job strayed %.1f ms from its share (quantum 10 ms)",
                 worst / 1e6);
    free(v);
    scratch_remove(dir);
}

Test(schedprog, lottery_repeats_with_its_seed, .timeout = 120)
{
    char *dir = scratch_dir("yl-sched");
    /* No job ends where a quantum does: each draw is at a slice's end. */
    static const char *const a[] = {"--policy", "lottery", "--jobs", "5,7,4", "--tickets",
                                    "100,200,300", "--quantum", "3", "--seed", "7",
                                    "--unit-ms", "10", NULL};
    char *one = run_order(bin_path(0, "tasks", "sched"), dir, a, NULL, NULL);
    char *two = run_order(bin_path(0, "tasks", "sched"), dir, a, NULL, NULL);
    cr_expect_str_eq(one, two, "same seed, different draws: [%s] then [%s]", one, two);
    cr_expect_gt(strlen(one), strlen("j0 j1 j2"), "lottery did not time-slice: %s", one);
    free(one);
    free(two);
    scratch_remove(dir);
}

/* The value of the row metric,n of out (its model and variant given). */
static double row(const char *out, const char *model, const char *metric, int n)
{
    for (const char *p = out; (p = strstr(p, metric)); p++) {
        const char *bol = p;
        while (bol > out && bol[-1] != '\n')
            bol--;
        char m[16], exp[32], var[32], cpus[16], met[48], unit[8];
        int nn;
        double v;
        if (sscanf(bol, "%31[^,],%15[^,],%31[^,],%15[^,],%d,%47[^,],%lf,%7s", exp, m, var, cpus,
                   &nn, met, &v, unit) == 8 &&
            strcmp(m, model) == 0 && strcmp(met, metric) == 0 && nn == n)
            return v;
    }
    return -1;
}

Test(schedprog, fair_and_eevdf_give_the_lower_nice_more, .timeout = 120)
{
    static const char *const pols[] = {"fair", "eevdf"};
    for (int i = 0; i < 2; i++) {
        const char *argv[] = {bin_path(0, "tasks", "sched"), "--policy", pols[i], "--jobs",
                              "20,20", "--nice", "0,5", "--quantum", "1", "--unit-ms", "10",
                              "--csv", NULL};
        char *out = NULL, *err = NULL;
        cr_assert_eq(run_prog(argv, &out, &err, 120), 0, "%s", err);
        double s0 = row(out, "tasks", "share_pct", 0), s1 = row(out, "tasks", "share_pct", 1);
        /* weights 1024 and 335: 75 % and 25 % */
        cr_expect_gt(s0, 60, "%s: nice 0 got %.0f %%, nice 5 %.0f %%", pols[i], s0, s1);
        cr_expect_lt(s1, 40, "%s: nice 5 got %.0f %%", pols[i], s1);
        free(out);
        free(err);
    }
}

/* Every job of a 2-job list has its three rows, and the averages. */
static void expect_rows(const char *out, const char *model)
{
    static const char *const per[] = {"response_ms", "turnaround_ms", "wait_ms"};
    for (int j = 0; j < 2; j++)
        for (int m = 0; m < 3; m++)
            cr_expect_geq(row(out, model, per[m], j), 0, "%s: no %s of job %d:\n%s", model,
                          per[m], j, out);
    cr_expect_gt(row(out, model, "avg_turnaround_ms", 2), 0, "%s: no average", model);
    cr_expect(strncmp(out, "experiment,model,variant,cpus,n,metric,value,unit\n", 50) == 0);
}

Test(schedprog, kernel_policies_give_well_formed_rows, .timeout = 300)
{
    static const char *const pols[] = {"other", "batch", "idle", "fifo", "rr", "deadline"};
    static const char *const models[] = {"threads", "procs"};
    for (int m = 0; m < 2; m++)
        for (int p = 0; p < 6; p++) {
            if (m == 1 && p < 3)
                continue; /* the fair ones: threads show them */
            const char *argv[] = {bin_path(0, models[m], "sched"), "--policy", pols[p],
                                  "--jlist", "0,4,0:1,3,2", "--io-time", "1", "--unit-ms", "10",
                                  "--quantum", "2", "--csv", NULL};
            char *out = NULL, *err = NULL;
            int rc = run_prog(argv, &out, &err, 120);
            cr_assert_eq(rc, 0, "%s %s: %s", models[m], pols[p], err);
            expect_rows(out, models[m]);
            if (p == 3 || p == 4) /* fifo, rr: the prediction stands beside */
                expect_rows(out, "predict");
            free(out);
            free(err);
        }
}

Test(schedprog, kernel_fifo_matches_the_fifo_prediction, .timeout = 120)
{
    char *dir = scratch_dir("yl-sched");
    static const char *const a[] = {"--policy", "fifo", "--jobs", "3,1,2", "--unit-ms", "20",
                                    NULL};
    char *got = run_order(bin_path(0, "threads", "sched"), dir, a, NULL, NULL);
    cr_expect_str_eq(got, "j0 j1 j2");
    free(got);
    scratch_remove(dir);
}

/* Without CAP_SYS_NICE (as nobody) a real-time policy is skipped: one
 * line, exit 0. */
Test(schedprog, rt_policies_skip_without_cap_sys_nice, .timeout = 60)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to become nobody");
    static const char *const pols[] = {"fifo", "rr", "deadline"};
    for (int p = 0; p < 3; p++) {
        int fd[2];
        cr_assert_eq(pipe(fd), 0);
        pid_t pid = fork();
        if (pid == 0) {
            dup2(fd[1], 1);
            dup2(fd[1], 2);
            if (setgid(65534) != 0 || setuid(65534) != 0)
                _exit(99);
            execl(bin_path(0, "threads", "sched"), "sched", "--policy", pols[p], "--jobs", "1",
                  "--unit-ms", "1", (char *)NULL);
            _exit(98);
        }
        close(fd[1]);
        char buf[512] = "";
        ssize_t n, len = 0;
        while ((n = read(fd[0], buf + len, sizeof buf - 1 - (size_t)len)) > 0)
            len += n;
        close(fd[0]);
        int st;
        waitpid(pid, &st, 0);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: exit %d: %s", pols[p],
                  WEXITSTATUS(st), buf);
        cr_expect_eq(count_lines(buf), 1, "%s: not one line: %s", pols[p], buf);
        cr_expect(strstr(buf, "skipped") && strstr(buf, "CAP_SYS_NICE"), "%s: %s", pols[p], buf);
    }
}

Test(schedprog, bad_input_exits_2_with_one_line, .timeout = 120)
{
    static const char *const bad[][6] = {
        {"--jlist", "0,10", NULL},
        {"--jlist", "0,10,0:5", NULL},
        {"--jobs", "10,x", NULL},
        {"--jobs", "0", NULL},
        {"--jobs", "", NULL},
        {"--policy", "nope", NULL},
        {"--queues", "3", "--quantum-list", "1,2", NULL},
        {"--jobs", "1,2,3", "--tickets", "1,2", NULL},
        {"--jlist", "0,10,2", "--io-time", "0", NULL},
        {"--jobs", "1", "--jlist", "0,1,0", NULL},
        {"--quantum", "0", NULL},
        {"--nice", "40", NULL},
    };
    const char *progs[] = {bin_path(0, "tasks", "sched"), bin_path(1, "threads", "sched"),
                           bin_path(2, "procs", "sched"), predictor()};
    for (size_t p = 0; p < 4; p++)
        for (size_t b = 0; b < sizeof bad / sizeof *bad; b++) {
            const char *argv[8] = {progs[p]};
            for (int k = 0; bad[b][k]; k++)
                argv[k + 1] = bad[b][k];
            char *out = NULL, *err = NULL;
            int rc = run_prog(argv, &out, &err, 30);
            cr_expect_eq(rc, 2, "%s %s %s: exit %d", progs[p], bad[b][0], bad[b][1], rc);
            cr_expect_eq(count_lines(err), 1, "%s %s: %s", progs[p], bad[b][0], err);
            cr_expect_str_eq(out, "", "%s %s printed: %s", progs[p], bad[b][0], out);
            free(out);
            free(err);
        }
}

/* test_imbalance_lag.c - imbalance and lag in the three models, run as real
 * programs at tiny sizes: well-formed rows in the one schema, every job run
 * exactly once, the unlucky worker where the placement puts it, traces,
 * bad flags refused. Nothing here asserts a time or a lateness: only what
 * holds however loaded the machine is. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measure.h"
#include "support/run.h"

static const char *const models[] = {"tasks", "threads", "procs"};

struct row {
    char model[16], variant[40], cpus[32], metric[40], unit[16];
    unsigned long long n;
    double value;
};

#define MAX_ROWS 256

/* The metrics each experiment may print, with their units. */
static const char *const metric_units[][3] = {
    {"imbalance", "makespan_ms", "ms"}, {"imbalance", "ideal_ms", "ms"},
    {"imbalance", "work_ms", "ms"},     {"imbalance", "workers", "count"},
    {"imbalance", "jobs_done", "count"}, {"imbalance", "busy_ms", "ms"},
    {"imbalance", "jobs", "count"},     {"imbalance", "steals", "count"},
    {"lag", "lateness_p50_ms", "ms"},   {"lag", "lateness_p99_ms", "ms"},
    {"lag", "lateness_max_ms", "ms"},   {"lag", "ticks", "count"},
    {"lag", "hog_bursts", "count"},     {"lag", "hog_ms", "ms"},
    {"lag", "elapsed_ms", "ms"},        {"lag", "workers", "count"},
    {"lag", "migrations", "count"},
};

static const char *unit_of(const char *experiment, const char *metric)
{
    for (size_t i = 0; i < sizeof metric_units / sizeof metric_units[0]; i++)
        if (!strcmp(metric_units[i][0], experiment) && !strcmp(metric_units[i][1], metric))
            return metric_units[i][2];
    return NULL;
}

/* Splits one CSV line (no newline) into exactly 8 fields. */
static void split8(char *line, char *f[8])
{
    int k = 0;
    f[k++] = line;
    for (char *c = line; *c; c++)
        if (*c == ',') {
            cr_assert_lt(k, 8, "more than 8 fields: %s", f[0]);
            *c = '\0';
            f[k++] = c + 1;
        }
    cr_assert_eq(k, 8, "not 8 fields in a row of experiment %s", f[0]);
}

/* Checks out against the schema (header, 8 fields, known metric and unit,
 * numbers where numbers go) and fills rows; returns how many. */
static int parse_rows(const char *out, const char *experiment, const char *model,
                      struct row *rows)
{
    cr_assert(strncmp(out, CSV_HEADER "\n", sizeof CSV_HEADER) == 0,
              "first line is not the header: %.80s", out);
    int k = 0;
    for (const char *line = strchr(out, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        const char *end = strchr(line, '\n');
        cr_assert_not_null(end, "last line has no newline");
        char buf[512], *f[8], *e;
        size_t len = (size_t)(end - line);
        cr_assert_lt(len, sizeof buf);
        memcpy(buf, line, len);
        buf[len] = '\0';
        split8(buf, f);
        cr_assert_lt(k, MAX_ROWS, "too many rows");
        struct row *r = &rows[k++];
        cr_expect_str_eq(f[0], experiment);
        cr_expect_str_eq(f[1], model);
        snprintf(r->model, sizeof r->model, "%s", f[1]);
        snprintf(r->variant, sizeof r->variant, "%s", f[2]);
        snprintf(r->cpus, sizeof r->cpus, "%s", f[3]);
        snprintf(r->metric, sizeof r->metric, "%s", f[5]);
        snprintf(r->unit, sizeof r->unit, "%s", f[7]);
        r->n = strtoull(f[4], &e, 10);
        cr_assert(f[4][0] && *e == '\0', "n is not a number: %s", line);
        r->value = strtod(f[6], &e);
        cr_assert(f[6][0] && *e == '\0' && isfinite(r->value), "value is not a number: %s", line);
        cr_expect_geq(r->value, 0, "negative value: %.*s", (int)len, line);
        const char *u = unit_of(experiment, r->metric);
        cr_assert_not_null(u, "unknown metric: %.*s", (int)len, line);
        cr_expect_str_eq(r->unit, u, "wrong unit: %.*s", (int)len, line);
        cr_expect_neq(r->variant[0], '\0', "empty variant");
        cr_expect_neq(r->cpus[0], '\0', "empty cpus");
    }
    return k;
}

/* The value of (variant, metric); fails the test when the row is absent. */
static double val(const struct row *rows, int k, const char *variant, const char *metric)
{
    for (int i = 0; i < k; i++)
        if (!strcmp(rows[i].variant, variant) && !strcmp(rows[i].metric, metric))
            return rows[i].value;
    cr_assert_fail("no row %s/%s", variant, metric);
    return NAN;
}

/* Runs model/prog with args (NULL-terminated) and --csv; expects exit 0. */
static int run_rows(const char *model, const char *prog, const char *const args[],
                    const char *experiment, struct row *rows)
{
    const char *argv[32] = {bin_path(0, model, prog), "--csv"};
    int a = 2;
    for (int i = 0; args[i]; i++)
        argv[a++] = args[i];
    argv[a] = NULL;
    char *out, *err;
    int st = run_prog(argv, &out, &err, 60);
    cr_assert_eq(st, 0, "%s/%s exited %d: %s", model, prog, st, err);
    int k = parse_rows(out, experiment, model, rows);
    free(out);
    free(err);
    return k;
}

/* The variants each model's imbalance runs by default, in order. */
static const char *const imb_variants[3][2] = {
    {"sharded", "stealing"}, {"static", "queue"}, {"static", "queue"}};

/* ---- imbalance ------------------------------------------------------- */

/* The rows of one variant: totals, and per worker busy time and jobs. */
static void expect_imbalance(const struct row *rows, int k, const char *v, unsigned W,
                             unsigned J, double work_ms)
{
    cr_expect_eq(val(rows, k, v, "jobs_done"), J, "%s: every job exactly once", v);
    cr_expect_eq(val(rows, k, v, "workers"), W);
    cr_expect_float_eq(val(rows, k, v, "work_ms"), work_ms, 1e-9, "%s: work", v);
    cr_expect_float_eq(val(rows, k, v, "ideal_ms"), work_ms / W, 1e-9, "%s: ideal = work / W", v);
    double makespan = val(rows, k, v, "makespan_ms"), jobs = 0;
    for (unsigned w = 0; w < W; w++) {
        char wv[64];
        snprintf(wv, sizeof wv, "%s-w%u", v, w);
        double busy = val(rows, k, wv, "busy_ms");
        jobs += val(rows, k, wv, "jobs");
        /* A worker's jobs run one after the other between the release and
         * the last end: its busy time fits inside the makespan. */
        cr_expect_leq(busy, makespan * (1 + 1e-6), "%s: busy %f > makespan %f", wv, busy, makespan);
    }
    cr_expect_eq(jobs, J, "%s: the workers' jobs add up to J", v);
}

Test(imbalance, rows_are_well_formed_in_every_model_and_variant, .timeout = 120)
{
    /* 8 jobs on 2 workers: jobs 0, 2, 4, 6 heavy (3 x 100 us), the others 100 us. */
    const char *args[] = {"--jobs", "8", "--workers", "2", "--job-us", "100", "--skew", "3", NULL};
    for (int m = 0; m < 3; m++) {
        struct row rows[MAX_ROWS];
        int k = run_rows(models[m], "imbalance", args, "imbalance", rows);
        for (int v = 0; v < 2; v++)
            expect_imbalance(rows, k, imb_variants[m][v], 2, 8, 1.6);
        for (int i = 0; i < k; i++) {
            cr_expect_eq(rows[i].n, 8, "n is J");
            cr_expect_str_eq(rows[i].cpus, "-", "not pinned");
        }
    }
}

Test(imbalance, every_job_runs_exactly_once_under_contention, .timeout = 120)
{
    /* Many tiny jobs on 3 workers: the queue index, the pipe and the
     * deques are taken by several workers at once. 20000 ids are more than
     * a pipe holds, so the parent refills it while the workers drain it. */
    const char *args[] = {"--jobs", "20000", "--workers", "3", "--job-us", "1", "--skew", "2", NULL};
    for (int m = 0; m < 3; m++) {
        struct row rows[MAX_ROWS];
        int k = run_rows(models[m], "imbalance", args, "imbalance", rows);
        for (int v = 0; v < 2; v++)
            expect_imbalance(rows, k, imb_variants[m][v], 3, 20000, (19996 + 4 * 2) * 1e-3);
    }
}

/* Runs model's imbalance variant v with --trace; returns the worker column
 * of every heavy job (count in *nheavy) and checks the trace's shape. */
static void heavy_workers(const char *model, const char *flag, const char *v, int *workers,
                          int *nheavy)
{
    char path[] = "/tmp/yltest-imb-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    const char *args[] = {flag, v, "--jobs", "12", "--workers", "3", "--job-us", "50",
                          "--trace", path, NULL};
    struct row rows[MAX_ROWS];
    run_rows(model, "imbalance", args, "imbalance", rows);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no trace written");
    char line[512];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_expect_str_eq(line, "model,unit_id,task,label,worker,cpu,start_ns,end_ns\n");
    int light = 0;
    *nheavy = 0;
    while (fgets(line, sizeof line, f)) {
        char *fl[8];
        line[strcspn(line, "\n")] = '\0';
        split8(line, fl);
        cr_expect_str_eq(fl[0], model);
        if (!strcmp(fl[2], "heavy"))
            workers[(*nheavy)++] = atoi(fl[4]);
        else
            light += !strcmp(fl[2], "light");
    }
    fclose(f);
    unlink(path);
    /* 12 jobs, 3 workers: 0, 3, 6, 9 heavy. */
    cr_expect_eq(*nheavy, 4, "%s %s: heavy jobs in the trace", model, v);
    cr_expect_eq(light, 8, "%s %s: light jobs in the trace", model, v);
}

Test(imbalance, round_robin_gives_every_heavy_job_to_one_worker, .timeout = 60)
{
    /* The unlucky worker is deterministic: a sharded runtime places task i
     * on worker (i + c) % W, the static split gives thread/process k jobs
     * k, k+W...; heavy jobs are 0, W, 2W... */
    const char *cases[][3] = {{"tasks", "--exec", "sharded"},
                              {"threads", "--variant", "static"},
                              {"procs", "--variant", "static"}};
    for (int c = 0; c < 3; c++) {
        int w[16], n;
        heavy_workers(cases[c][0], cases[c][1], cases[c][2], w, &n);
        for (int i = 1; i < n; i++)
            cr_expect_eq(w[i], w[0], "%s: heavy jobs on workers %d and %d", cases[c][0], w[0], w[i]);
        if (strcmp(cases[c][0], "tasks") != 0)
            cr_expect_eq(w[0], 0, "%s: the static split gives them to worker 0", cases[c][0]);
    }
    /* The pulling variants write a trace of the same shape. */
    int w[16], n;
    heavy_workers("tasks", "--exec", "stealing", w, &n);
    heavy_workers("threads", "--variant", "queue", w, &n);
    heavy_workers("procs", "--variant", "queue", w, &n);
}

Test(imbalance, pinned_runs_name_their_cpus, .timeout = 60)
{
    struct cpu_list l;
    cr_assert_eq(cpus_usable(&l), 0);
    char one[16], want[16];
    snprintf(one, sizeof one, "%d", l.cpu[0]);
    const char *args[] = {"--jobs", "6", "--job-us", "50", "--cpus", one, NULL};
    for (int m = 0; m < 3; m++) {
        struct row rows[MAX_ROWS];
        int k = run_rows(models[m], "imbalance", args, "imbalance", rows);
        snprintf(want, sizeof want, "%d", l.cpu[0]);
        for (int i = 0; i < k; i++)
            cr_expect_str_eq(rows[i].cpus, want);
        cr_expect_eq(val(rows, k, imb_variants[m][0], "jobs_done"), 6);
    }
}

/* ---- lag ------------------------------------------------------------- */

static void expect_lag(const struct row *rows, int k, const char *v, unsigned ticks, unsigned hog)
{
    double p50 = val(rows, k, v, "lateness_p50_ms"), p99 = val(rows, k, v, "lateness_p99_ms");
    double max = val(rows, k, v, "lateness_max_ms");
    cr_expect(p50 <= p99 && p99 <= max, "%s: p50 %f <= p99 %f <= max %f", v, p50, p99, max);
    cr_expect_eq(val(rows, k, v, "ticks"), ticks);
    cr_expect_eq(val(rows, k, v, "hog_ms"), hog);
    val(rows, k, v, "hog_bursts");
    val(rows, k, v, "elapsed_ms");
    for (int i = 0; i < k; i++)
        cr_expect_eq(rows[i].n, ticks, "n is T");
}

Test(lag, rows_are_well_formed_in_every_model, .timeout = 120)
{
    const char *execs[] = {"single", "sharded", "stealing"};
    for (int e = 0; e < 3; e++) {
        const char *args[] = {"--exec", execs[e], "--ticks", "20", "--hog-ms", "3", NULL};
        struct row rows[MAX_ROWS];
        int k = run_rows("tasks", "lag", args, "lag", rows);
        expect_lag(rows, k, execs[e], 20, 3);
        cr_expect_eq(val(rows, k, execs[e], "workers"), e == 0 ? 1 : 2);
        val(rows, k, execs[e], "migrations");
        /* One worker: no task can change worker. */
        if (e == 0)
            cr_expect_eq(val(rows, k, execs[e], "migrations"), 0);
    }
    struct cpu_list l;
    cr_assert_eq(cpus_usable(&l), 0);
    char one[16], two[32], one_col[16], two_col[32];
    snprintf(one, sizeof one, "%d", l.cpu[0]);
    snprintf(two, sizeof two, "%d,%d", l.cpu[0], l.cpu[l.n - 1]);
    snprintf(one_col, sizeof one_col, "%d", l.cpu[0]);
    snprintf(two_col, sizeof two_col, "%d+%d", l.cpu[0], l.cpu[l.n - 1]);
    for (int m = 1; m < 3; m++) {
        const char *args1[] = {"--ticks", "20", "--hog-ms", "3", "--cpus", one, NULL};
        struct row rows[MAX_ROWS];
        int k = run_rows(models[m], "lag", args1, "lag", rows);
        expect_lag(rows, k, "preemptive", 20, 3);
        cr_expect_str_eq(rows[0].cpus, one_col);
        if (l.n >= 2) {
            const char *args2[] = {"--ticks", "20", "--hog-ms", "3", "--cpus", two, NULL};
            k = run_rows(models[m], "lag", args2, "lag", rows);
            expect_lag(rows, k, "preemptive", 20, 3);
            cr_expect_str_eq(rows[0].cpus, two_col);
        }
    }
}

Test(lag, trace_holds_the_ticks_and_the_bursts, .timeout = 60)
{
    for (int m = 0; m < 3; m++) {
        char path[] = "/tmp/yltest-lag-XXXXXX";
        int fd = mkstemp(path);
        cr_assert_geq(fd, 0);
        close(fd);
        const char *args[] = {"--ticks", "10", "--hog-ms", "2", "--trace", path, NULL};
        struct row rows[MAX_ROWS];
        run_rows(models[m], "lag", args, "lag", rows);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f, "%s: no trace", models[m]);
        char line[512];
        int ticks = 0, hogs = 0, lines = 0;
        while (fgets(line, sizeof line, f)) {
            if (lines++ == 0)
                continue;
            char *fl[8];
            line[strcspn(line, "\n")] = '\0';
            split8(line, fl);
            cr_expect_str_eq(fl[0], models[m]);
            ticks += !strcmp(fl[2], "ticker");
            hogs += !strcmp(fl[2], "hog");
        }
        fclose(f);
        unlink(path);
        /* Threads and processes record one unit per tick. A task's unit
         * ends at a sleep: one before the first tick, one per tick at most,
         * fewer when the hog made it late (overdue ticks are taken in the
         * same unit, without sleeping). */
        if (m == 0)
            cr_expect(ticks >= 1 && ticks <= 11, "tasks: %d ticker units", ticks);
        else
            cr_expect_eq(ticks, 10, "%s: %d ticker units", models[m], ticks);
        cr_expect(hogs >= 1 || m > 0, "tasks: the hog ran no unit");
    }
}

/* ---- flags ----------------------------------------------------------- */

static void expect_bad(const char *model, const char *prog, const char *const args[],
                       const char *needle)
{
    const char *argv[16] = {bin_path(0, model, prog)};
    int a = 1;
    for (int i = 0; args[i]; i++)
        argv[a++] = args[i];
    argv[a] = NULL;
    char *out, *err;
    int st = run_prog(argv, &out, &err, 30);
    cr_expect_eq(st, 2, "%s/%s %s: exit %d", model, prog, args[0], st);
    cr_expect(strstr(err, needle) != NULL, "%s/%s: message should name %s: %s", model, prog,
              needle, err);
    cr_expect_eq(count_lines(err), 1, "%s/%s: one-line error expected: %s", model, prog, err);
    cr_expect_str_eq(out, "", "nothing on stdout on a usage error");
    free(out);
    free(err);
}

#define BAD(model, prog, needle, ...)                                                          \
    do {                                                                                       \
        const char *args_[] = {__VA_ARGS__, NULL};                                             \
        expect_bad(model, prog, args_, needle);                                                \
    } while (0)

Test(flags, imbalance_bad_flags_exit_2_naming_the_flag, .timeout = 60)
{
    for (int m = 0; m < 3; m++) {
        const char *p = "imbalance";
        BAD(models[m], p, "--jobs", "--jobs", "0");
        BAD(models[m], p, "--workers", "--workers", "65");
        BAD(models[m], p, "--job-us", "--job-us", "fast");
        BAD(models[m], p, "--skew", "--skew", "0");
        BAD(models[m], p, "--heavy", "--jobs", "8", "--heavy", "5");
        BAD(models[m], p, "--cpus", "--cpus", "9999");
        BAD(models[m], p, "--cpus", "--cpus", "0,0");
        BAD(models[m], p, "--trace", "--trace", "/tmp/yltest-never-written");
        BAD(models[m], p, "--timeout", "--timeout", "x");
        BAD(models[m], p, "--bogus", "--bogus");
    }
    BAD("tasks", "imbalance", "--exec", "--exec", "single");
    BAD("threads", "imbalance", "--variant", "--variant", "stealing");
    BAD("procs", "imbalance", "--variant", "--variant", "sharded");
    cr_expect(access("/tmp/yltest-never-written", F_OK) != 0, "a refused run wrote its trace");
}

Test(flags, lag_bad_flags_exit_2_naming_the_flag, .timeout = 60)
{
    for (int m = 0; m < 3; m++) {
        const char *p = "lag";
        BAD(models[m], p, "--ticks", "--ticks", "0");
        BAD(models[m], p, "--hog-ms", "--hog-ms", "-1");
        BAD(models[m], p, "--hog-ms", "--hog-ms", "10001");
        BAD(models[m], p, "--cpus", "--cpus", "x");
        BAD(models[m], p, "--cpus", "--cpus", "0,0");
        BAD(models[m], p, "--bogus", "--bogus");
    }
    BAD("tasks", "lag", "--exec", "--exec", "fifo");
    BAD("tasks", "lag", "--timers", "--timers", "ring");
    BAD("tasks", "lag", "--workers", "--exec", "stealing", "--workers", "0");
    struct cpu_list l;
    cr_assert_eq(cpus_usable(&l), 0);
    if (l.n >= 2) {
        char two[32];
        snprintf(two, sizeof two, "%d,%d", l.cpu[0], l.cpu[1]);
        /* One worker runs both tasks: a second CPU would mean nothing. */
        BAD("tasks", "lag", "--cpus", "--cpus", two);
    }
    if (l.n >= 3) {
        char three[48];
        snprintf(three, sizeof three, "%d,%d,%d", l.cpu[0], l.cpu[1], l.cpu[2]);
        BAD("threads", "lag", "--cpus", "--cpus", three);
        BAD("procs", "lag", "--cpus", "--cpus", three);
    }
}

Test(flags, imbalance_and_lag_help_exits_0_with_usage)
{
    const char *progs[] = {"imbalance", "lag"};
    for (int m = 0; m < 3; m++)
        for (int p = 0; p < 2; p++) {
            const char *argv[] = {bin_path(0, models[m], progs[p]), "--help", NULL};
            char *out, *err;
            cr_expect_eq(run_prog(argv, &out, &err, 10), 0);
            char want[32];
            snprintf(want, sizeof want, "usage: %s", progs[p]);
            cr_expect(strncmp(out, want, strlen(want)) == 0, "%s/%s --help: %s", models[m],
                      progs[p], out);
            free(out);
            free(err);
        }
}

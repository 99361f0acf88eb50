/* test_spawn_pingpong.c - spawn and pingpong in the three models, run as
 * real programs at tiny sizes: well-formed CSV in the one schema, the
 * counts they promise, limits and timeouts handled, bad flags refused.
 * Nothing here asserts how fast anything is. */
#include <criterion/criterion.h>
#include <math.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measure.h"
#include "support/run.h"

static const char *const models[] = {"tasks", "threads", "procs"};

struct row {
    char experiment[32], model[16], variant[32], cpus[32], metric[48], unit[16];
    unsigned long long n;
    double value;
};

/* The unit each metric must carry. */
static const char *const metric_units[][2] = {
    {"units", "count"},           {"create_ns", "ns"},
    {"user_bytes", "B"},          {"kernel_bytes", "B"},
    {"limit_units", "count"},     {"create_ns_per_unit", "ns"},
    {"user_bytes_per_unit", "B"}, {"kernel_bytes_per_unit", "B"},
    {"ns_per_switch", "ns"},      {"ns_per_switch_baseline", "ns"},
    {"ns_per_switch_net", "ns"},  {"switches", "count"},
    {"switches_counted", "count"}, {"elapsed_ms", "ms"},
    {"per_raw_switch", "x"},      {"per_boost_switch", "x"},
};

static const char *unit_of(const char *metric)
{
    for (size_t i = 0; i < sizeof metric_units / sizeof metric_units[0]; i++)
        if (strcmp(metric_units[i][0], metric) == 0)
            return metric_units[i][1];
    return NULL;
}

/* Copies the next comma-separated field of *p into dst. */
static void field(char **p, char *dst, size_t len)
{
    char *comma = strchr(*p, ',');
    size_t n = comma ? (size_t)(comma - *p) : strlen(*p);
    cr_assert_lt(n, len, "field too long in: %s", *p);
    memcpy(dst, *p, n);
    dst[n] = '\0';
    *p += n + (comma ? 1 : 0);
}

/* Checks every line of out against the schema and fills rows; returns how
 * many rows there are. */
static int parse_csv(const char *out, struct row *rows, int max)
{
    const char *nl = strchr(out, '\n');
    cr_assert_not_null(nl, "no output");
    cr_assert(strncmp(out, CSV_HEADER "\n", sizeof CSV_HEADER) == 0,
              "first line is not the header: %.80s", out);
    int k = 0;
    for (const char *line = nl + 1; *line; line = strchr(line, '\n') + 1) {
        const char *end = strchr(line, '\n');
        cr_assert_not_null(end, "last line has no newline");
        char buf[512];
        size_t len = (size_t)(end - line);
        cr_assert_lt(len, sizeof buf);
        memcpy(buf, line, len);
        buf[len] = '\0';
        int commas = 0;
        for (char *c = buf; *c; c++)
            commas += *c == ',';
        cr_assert_eq(commas, 7, "not 8 fields: %s", buf);
        cr_assert_lt(k, max, "too many rows");
        struct row *r = &rows[k++];
        char n[32], value[48], *p = buf, *e;
        field(&p, r->experiment, sizeof r->experiment);
        field(&p, r->model, sizeof r->model);
        field(&p, r->variant, sizeof r->variant);
        field(&p, r->cpus, sizeof r->cpus);
        field(&p, n, sizeof n);
        field(&p, r->metric, sizeof r->metric);
        field(&p, value, sizeof value);
        field(&p, r->unit, sizeof r->unit);
        r->n = strtoull(n, &e, 10);
        cr_assert(n[0] && *e == '\0', "n is not a number: %s", buf);
        r->value = strtod(value, &e);
        cr_assert(value[0] && *e == '\0', "value is not a number: %s", buf);
        const char *u = unit_of(r->metric);
        cr_assert_not_null(u, "unknown metric: %s", buf);
        cr_expect_str_eq(r->unit, u, "wrong unit: %s", buf);
        cr_expect_neq(r->variant[0], '\0', "empty variant: %s", buf);
        cr_expect_neq(r->cpus[0], '\0', "empty cpus: %s", buf);
    }
    return k;
}

static const struct row *find(const struct row *rows, int k, const char *variant,
                              unsigned long long n, const char *metric)
{
    for (int i = 0; i < k; i++)
        if ((!variant || strcmp(rows[i].variant, variant) == 0) && rows[i].n == n &&
            strcmp(rows[i].metric, metric) == 0)
            return &rows[i];
    return NULL;
}

/* Runs argv, expects exit 0, returns the parsed rows. */
static int run_csv(const char *const argv[], struct row *rows, int max, char **err_out)
{
    char *out, *err;
    int st = run_prog(argv, &out, &err, 60);
    cr_assert_eq(st, 0, "%s exited %d: %s", argv[0], st, err);
    int k = parse_csv(out, rows, max);
    free(out);
    if (err_out)
        *err_out = err;
    else
        free(err);
    return k;
}

/* ---- spawn ----------------------------------------------------------- */

static void expect_spawn_rows(const char *model, const char *variant, const struct row *rows,
                              int k)
{
    for (int i = 0; i < k; i++) {
        cr_expect_str_eq(rows[i].experiment, "spawn");
        cr_expect_str_eq(rows[i].model, model);
        cr_expect_str_eq(rows[i].variant, variant);
    }
    unsigned long long ns[] = {1, 10};
    for (int j = 0; j < 2; j++) {
        const struct row *u = find(rows, k, variant, ns[j], "units");
        cr_assert_not_null(u, "%s: no units row for n=%llu", model, ns[j]);
        cr_expect_eq(u->value, (double)ns[j]);
        const struct row *c = find(rows, k, variant, ns[j], "create_ns");
        cr_assert_not_null(c);
        cr_expect_gt(c->value, 0);
        cr_expect_not_null(find(rows, k, variant, ns[j], "kernel_bytes"));
        const struct row *ub = find(rows, k, variant, ns[j], "user_bytes");
        cr_assert_not_null(ub);
        /* Every unit has a stack it has touched: memory only grows. */
        cr_expect_gt(ub->value, 0, "%s n=%llu: user_bytes %f", model, ns[j], ub->value);
    }
    const char *slopes[] = {"create_ns_per_unit", "user_bytes_per_unit",
                            "kernel_bytes_per_unit"};
    const char *per_n[] = {"create_ns", "user_bytes", "kernel_bytes"};
    for (int j = 0; j < 3; j++) {
        const struct row *s = find(rows, k, variant, 10, slopes[j]);
        cr_assert_not_null(s, "%s: no %s row with n = the largest N", model, slopes[j]);
        /* Two points: the slope is (y2 - y1) / (x2 - x1) of the same run's
         * per-N rows, not the total over N (which would count the fixed
         * cost of the first unit in every unit). */
        double y1 = find(rows, k, variant, 1, per_n[j])->value;
        double y2 = find(rows, k, variant, 10, per_n[j])->value;
        double want = (y2 - y1) / 9;
        cr_expect(fabs(s->value - want) <= 1e-6 * (fabs(want) + 1),
                  "%s: %s is %.10g, the slope of its %s rows is (%.10g - %.10g) / 9 = %.10g",
                  model, slopes[j], s->value, per_n[j], y2, y1, want);
    }
    cr_expect_eq(k, 2 * 4 + 3, "%s: 4 rows per N and 3 slopes", model);
}

Test(spawn, csv_is_well_formed_in_every_model)
{
    const char *variants[] = {"stackful", "default", "fork"};
    for (int m = 0; m < 3; m++) {
        const char *argv[] = {bin_path(0, models[m], "spawn"), "--n", "1,10",
                              "--sleep-ms", "1", "--csv", NULL};
        struct row rows[64];
        int k = run_csv(argv, rows, 64, NULL);
        expect_spawn_rows(models[m], variants[m], rows, k);
        cr_expect_str_eq(rows[0].cpus, "-", "unpinned is '-'");
    }
}

Test(spawn, stack_size_names_the_variant)
{
    const char *ms[] = {"tasks", "threads"};
    for (int m = 0; m < 2; m++) {
        const char *argv[] = {bin_path(0, ms[m], "spawn"), "--n", "1,10", "--sleep-ms", "1",
                              "--stack-kib", "16", "--cpus", "0", "--csv", NULL};
        struct row rows[64];
        int k = run_csv(argv, rows, 64, NULL);
        expect_spawn_rows(ms[m], "stack16k", rows, k);
        cr_expect_str_eq(rows[0].cpus, "0");
    }
}

Test(spawn, units_are_asleep_and_alive_at_the_snapshot)
{
    /* With a sleep far longer than creating 10 units, the summary must
     * report every unit still inside its sleep. */
    for (int m = 0; m < 3; m++) {
        const char *argv[] = {bin_path(0, models[m], "spawn"), "--n", "10", "--sleep-ms",
                              "1500", NULL};
        char *out, *err;
        cr_assert_eq(run_prog(argv, &out, &err, 60), 0, "%s: %s", models[m], err);
        cr_expect(strstr(out, "10 of 10 units still inside their sleep") != NULL,
                  "%s:\n%s", models[m], out);
        free(out);
        free(err);
    }
}

/* Runs spawn under an address-space limit: creation must stop with a
 * message naming the limit, keep the rows of the N before, exit 0. */
static void expect_limit(const char *model, const char *as_bytes)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    cr_skip_test("a sanitizer's shadow memory does not fit under RLIMIT_AS");
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    cr_skip_test("a sanitizer's shadow memory does not fit under RLIMIT_AS");
#endif
#endif
    if (access("/usr/bin/prlimit", X_OK) != 0)
        cr_skip_test("prlimit(1) is not installed");
    char as[64];
    snprintf(as, sizeof as, "--as=%s", as_bytes);
    const char *argv[] = {"/usr/bin/prlimit", as, bin_path(0, model, "spawn"), "--n",
                          "2,100000", "--sleep-ms", "1", "--csv", NULL};
    struct row rows[64];
    char *err;
    int k = run_csv(argv, rows, 64, &err);
    cr_expect(strstr(err, "n=100000: stopped after") != NULL, "%s: %s", model, err);
    cr_expect(strstr(err, "RLIMIT_AS") != NULL, "%s: the limit is not named: %s", model, err);
    cr_expect_not_null(find(rows, k, NULL, 2, "units"), "%s: rows before the limit lost", model);
    const struct row *lim = find(rows, k, NULL, 100000, "limit_units");
    cr_assert_not_null(lim, "%s: no limit_units row", model);
    cr_expect(lim->value >= 1 && lim->value < 100000, "%s: %f units", model, lim->value);
    cr_expect_null(find(rows, k, NULL, 100000, "units"));
    free(err);
}

Test(spawn, threads_limit_is_named_and_rows_kept) { expect_limit("threads", "268435456"); }
Test(spawn, tasks_limit_is_named_and_rows_kept) { expect_limit("tasks", "134217728"); }

/* True while a process with this exact argument is alive. */
static bool process_with_arg(const char *arg)
{
    DIR *d = opendir("/proc");
    bool found = false;
    struct dirent *e;
    while (!found && d && (e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300], buf[4096];
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        /* Zombies have an empty cmdline: they are already gone. */
        for (size_t i = 0; i < n; i += strlen(buf + i) + 1) {
            buf[n] = '\0';
            if (strcmp(buf + i, arg) == 0)
                found = true;
        }
    }
    if (d)
        closedir(d);
    return found;
}

Test(spawn, timeout_leaves_no_process_behind)
{
    char marker[32];
    snprintf(marker, sizeof marker, "%d", 600000 + (int)getpid() % 100000);
    const char *argv[] = {bin_path(0, "procs", "spawn"), "--n", "5", "--sleep-ms", marker,
                          "--timeout", "1", NULL};
    char *err;
    int st = run_prog(argv, NULL, &err, 30);
    cr_expect_eq(st, 124, "exit %d: %s", st, err);
    cr_expect(strstr(err, "timed out") != NULL, "%s", err);
    free(err);
    bool left = true;
    for (int i = 0; i < 100 && left; i++) {
        left = process_with_arg(marker);
        if (left)
            usleep(20000);
    }
    cr_expect(!left, "children of a timed-out spawn are still running");
}

/* ---- pingpong -------------------------------------------------------- */

/* tasks/boost is there only in builds that found Boost.Context. */
static const char *const pp_variants[3][3] = {{"yield", "raw", "boost"}, {"futex", "pipe", NULL},
                                              {"futex", "pipe", NULL}};

static void expect_pingpong(int m, const char *cpus_arg, const char *cpus_col,
                            const char *iters)
{
    bool same_core = cpus_arg && !strchr(cpus_arg, ',');
    const char *argv[] = {bin_path(0, models[m], "pingpong"), "--iters", iters, "--csv",
                          cpus_arg ? "--cpus" : NULL, cpus_arg, NULL};
    struct row rows[64];
    int k = run_csv(argv, rows, 64, NULL);
    unsigned long long it = strtoull(iters, NULL, 10);
    const char *metrics[] = {"ns_per_switch", "ns_per_switch_baseline", "ns_per_switch_net",
                             "switches", "switches_counted", "elapsed_ms"};
    int nv = 2;
    if (pp_variants[m][2] && find(rows, k, pp_variants[m][2], it, "ns_per_switch"))
        nv = 3;
    /* tasks: then the ratios of the variants, yield/raw and raw/boost. */
    int ratios = m == 0 ? nv - 1 : 0;
    cr_expect_eq(k, nv * 6 + ratios, "%s: 6 rows per variant, %d ratios", models[m], ratios);
    if (m == 0) {
        const struct row *yr = find(rows, k, "yield", it, "per_raw_switch");
        cr_expect(yr && yr->value > 0 && strcmp(yr->unit, "x") == 0, "tasks: no yield/raw");
        if (nv == 3)
            cr_expect_not_null(find(rows, k, "raw", it, "per_boost_switch"), "no raw/boost");
    }
    for (int i = 0; i < k; i++) {
        cr_expect_str_eq(rows[i].experiment, "pingpong");
        cr_expect_str_eq(rows[i].model, models[m]);
        cr_expect_str_eq(rows[i].cpus, cpus_col);
        cr_expect_eq(rows[i].n, it);
    }
    for (int v = 0; v < nv; v++) {
        const char *var = pp_variants[m][v];
        for (int j = 0; j < 6; j++)
            cr_expect_not_null(find(rows, k, var, it, metrics[j]), "%s/%s: no %s",
                               models[m], var, metrics[j]);
        const struct row *sw = find(rows, k, var, it, "switches");
        const struct row *cnt = find(rows, k, var, it, "switches_counted");
        const struct row *raw = find(rows, k, var, it, "ns_per_switch");
        const struct row *base = find(rows, k, var, it, "ns_per_switch_baseline");
        const struct row *net = find(rows, k, var, it, "ns_per_switch_net");
        if (!sw || !cnt || !raw || !base || !net)
            continue;
        cr_expect_eq(sw->value, 2.0 * (double)it, "one round trip is two switches");
        cr_expect_gt(raw->value, 0);
        cr_expect_float_eq(net->value, raw->value - base->value, 1e-3 * raw->value + 1e-6);
        if (m == 0)
            /* The runtime counts exactly the switches it made. */
            cr_expect_eq(cnt->value, sw->value, "%s: counted %f", var, cnt->value);
        else if (same_core)
            /* On one CPU the token can only move if the holder stops
             * running: every hand-off is a switch the kernel counts (plus
             * a few for other work on that CPU). */
            cr_expect_geq(cnt->value, 0.95 * sw->value, "%s/%s: counted %f of %f",
                          models[m], var, cnt->value, sw->value);
        else
            /* On two CPUs a unit may find the token back before it
             * blocks: fewer switches than hand-offs is normal. */
            cr_expect_geq(cnt->value, 0);
    }
}

Test(pingpong, csv_is_well_formed_in_every_model)
{
    for (int m = 0; m < 3; m++)
        expect_pingpong(m, NULL, "-", "1000");
}

Test(pingpong, same_core)
{
    for (int m = 0; m < 3; m++)
        expect_pingpong(m, "0", "0", "1000");
}

Test(pingpong, cross_core)
{
    struct cpu_list l;
    cr_assert_eq(cpus_usable(&l), 0);
    if (l.n < 2)
        cr_skip_test("needs two usable CPUs");
    char arg[32], col[32];
    snprintf(arg, sizeof arg, "%d,%d", l.cpu[0], l.cpu[1]);
    snprintf(col, sizeof col, "%d+%d", l.cpu[0], l.cpu[1]);
    for (int m = 1; m < 3; m++)
        expect_pingpong(m, arg, col, "300");
}

/* ---- flags ----------------------------------------------------------- */

static void expect_bad(const char *model, const char *prog, const char *a, const char *b,
                       const char *needle)
{
    const char *argv[] = {bin_path(0, model, prog), a, b, NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 30);
    cr_expect_eq(st, 2, "%s/%s %s %s: exit %d", model, prog, a, b ? b : "", st);
    cr_expect(strstr(err, needle) != NULL, "%s/%s: message should name %s: %s", model, prog,
              needle, err);
    cr_expect_eq(count_lines(err), 1, "%s/%s: one-line error expected: %s", model, prog, err);
    cr_expect_str_eq(out, "", "nothing on stdout on a usage error");
    free(out);
    free(err);
}

Test(flags, spawn_bad_flags_exit_2_naming_the_flag)
{
    for (int m = 0; m < 3; m++) {
        expect_bad(models[m], "spawn", "--n", "1,,2", "--n");
        expect_bad(models[m], "spawn", "--n", "0", "--n");
        expect_bad(models[m], "spawn", "--n", NULL, "--n");
        expect_bad(models[m], "spawn", "--sleep-ms", "soon", "--sleep-ms");
        expect_bad(models[m], "spawn", "--cpus", "9999", "--cpus");
        expect_bad(models[m], "spawn", "--cpus", "0,0", "--cpus");
        expect_bad(models[m], "spawn", "--timeout", "x", "--timeout");
        expect_bad(models[m], "spawn", "--bogus", NULL, "--bogus");
    }
    expect_bad("threads", "spawn", "--stack-kib", "1", "--stack-kib");
    expect_bad("tasks", "spawn", "--stack-kib", "1", "--stack-kib");
    expect_bad("procs", "spawn", "--stack-kib", "16", "--stack-kib");
}

Test(flags, pingpong_bad_flags_exit_2_naming_the_flag)
{
    for (int m = 0; m < 3; m++) {
        expect_bad(models[m], "pingpong", "--iters", "0", "--iters");
        expect_bad(models[m], "pingpong", "--iters", "-5", "--iters");
        expect_bad(models[m], "pingpong", "--variant", "carrier-pigeon", "--variant");
        expect_bad(models[m], "pingpong", "--cpus", "x", "--cpus");
        expect_bad(models[m], "pingpong", "--bogus", NULL, "--bogus");
    }
    expect_bad("tasks", "pingpong", "--variant", "futex", "--variant");
    expect_bad("threads", "pingpong", "--variant", "yield", "--variant");
    /* Two tasks share one worker: a second CPU means nothing. */
    struct cpu_list l;
    cr_assert_eq(cpus_usable(&l), 0);
    if (l.n >= 2) {
        char two[32];
        snprintf(two, sizeof two, "%d,%d", l.cpu[0], l.cpu[1]);
        expect_bad("tasks", "pingpong", "--cpus", two, "--cpus");
    }
}

Test(flags, help_exits_0_with_usage)
{
    const char *progs[] = {"spawn", "pingpong"};
    for (int m = 0; m < 3; m++)
        for (int p = 0; p < 2; p++) {
            const char *argv[] = {bin_path(0, models[m], progs[p]), "--help", NULL};
            char *out;
            cr_expect_eq(run_prog(argv, &out, NULL, 10), 0);
            char want[32];
            snprintf(want, sizeof want, "usage: %s", progs[p]);
            cr_expect(strncmp(out, want, strlen(want)) == 0, "%s/%s: %s", models[m], progs[p],
                      out);
            free(out);
        }
}

/* test_load.c - yl-load against the real tasks server over loopback, at
 * tiny sizes: the rows of each mode well formed and consistent, the
 * server gone afterwards on every path, bad flags and a server that does
 * not start refused with one line. How fast anything is, is the bench's
 * business: nothing here asserts it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"
#include "support/run.h"

#define LOAD YL_BIN_DIR "/yl-load"

/* The value of the row (model tasks, n, metric), after checking that every
 * line of out has the schema's eight fields and experiment "server";
 * NAN when there is no such row. */
static double row(const char *out, unsigned long long n, const char *metric)
{
    cr_assert(strncmp(out, CSV_HEADER "\n", sizeof CSV_HEADER) == 0, "no header: %.80s", out);
    double found = NAN;
    for (const char *l = strchr(out, '\n') + 1; *l; l = strchr(l, '\n') + 1) {
        const char *end = strchr(l, '\n');
        cr_assert_not_null(end, "a row without a newline");
        char exp[32], model[32], variant[32], cpus[32], ns[32], m[64], unit[16];
        double v;
        int used = 0;
        int k = sscanf(l, "%31[^,],%31[^,],%31[^,],%31[^,],%31[^,],%63[^,],%lf,%15[^\n]%n", exp, model,
                       variant, cpus, ns, m, &v, unit, &used);
        cr_assert_eq(k, 8, "not a schema row: %.*s", (int)(end - l), l);
        cr_assert_eq(l + used, end, "trailing fields: %.*s", (int)(end - l), l);
        cr_assert_str_eq(exp, "server");
        cr_assert_str_eq(model, "tasks");
        cr_assert(!isnan(v) && !isinf(v), "not a number in %.*s", (int)(end - l), l);
        if (strcmp(m, metric) == 0 && strtoull(ns, NULL, 10) == n)
            found = v;
    }
    return found;
}

/* The server's pid from yl-load's "server ... pid P on ..." line. */
static int server_pid(const char *err)
{
    const char *p = strstr(err, " pid ");
    cr_assert_not_null(p, "no pid line on stderr: %s", err);
    return atoi(p + 5);
}

/* Once yl-load has returned, the server must be gone: reaped, not orphaned. */
static void assert_gone(const char *err)
{
    int pid = server_pid(err);
    cr_assert_gt(pid, 0);
    cr_assert(kill(pid, 0) != 0 && errno == ESRCH, "server pid %d outlived yl-load", pid);
}

/* yl-load's own lines ("yl-load: ...") on stderr. */
static int own_lines(const char *err)
{
    int k = 0;
    for (const char *l = err; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
        k += strncmp(l, "yl-load:", 8) == 0;
    return k;
}

static int load(const char *const *args, char **out, char **err, int timeout_s)
{
    const char *argv[32] = {LOAD, "--server", "tasks/server"};
    size_t k = 3;
    for (; *args; args++)
        argv[k++] = *args;
    argv[k] = NULL;
    return run_prog(argv, out, err, timeout_s);
}

Test(load, hello_through_wrk_gives_a_row_set_per_connection_count)
{
    char *out, *err;
    const char *a[] = {"--server-args", "--exec single", "--mode", "hello", "--conns", "1,2",
                       "--duration", "1", "--cpus", "0", "--csv", NULL};
    int st = load(a, &out, &err, 60);
    cr_assert_eq(st, 0, "exit %d: %s", st, err);
    for (unsigned long long n = 1; n <= 2; n++) {
        cr_assert_gt(row(out, n, "req_per_s"), 0, "n=%llu: no requests served", n);
        double p50 = row(out, n, "lat_p50_ms"), p99 = row(out, n, "lat_p99_ms");
        cr_assert(p50 > 0 && p50 <= p99, "n=%llu: p50 %g, p99 %g", n, p50, p99);
        cr_assert(!isnan(row(out, n, "errors")));
    }
    cr_assert_not_null(strstr(err, "server tasks/single"), "%s", err);
    cr_assert_not_null(strstr(err, "client: wrk"), "the wrk version is not named: %s", err);
    assert_gone(err);
    free(out), free(err);
}

Test(load, idle_holds_every_connection_and_fits_a_slope)
{
    char *out, *err;
    const char *a[] = {"--server-args", "--exec stealing --workers 2", "--mode", "idle", "--conns",
                       "10,20", "--settle-ms", "50", "--csv", NULL};
    int st = load(a, &out, &err, 60);
    cr_assert_eq(st, 0, "exit %d: %s", st, err);
    cr_assert_eq(row(out, 10, "conns"), 10);
    cr_assert_eq(row(out, 20, "conns"), 20);
    cr_assert_eq(row(out, 20, "server_threads"), row(out, 10, "server_threads"),
                 "a task per connection, not a thread");
    cr_assert(!isnan(row(out, 20, "user_bytes_per_conn")), "no slope row at the largest n");
    cr_assert(!isnan(row(out, 20, "kernel_bytes_per_conn")));
    cr_assert(isnan(row(out, 20, "conns_closed")), "the server closed idle connections");
    /* Two points: each per-connection slope is (y2 - y1) / (x2 - x1) of the
     * same run's per-N rows, not the total over N. */
    const char *per_n[] = {"user_bytes", "kernel_bytes", "pair_kernel_bytes"};
    for (int j = 0; j < 3; j++) {
        char slope[64];
        snprintf(slope, sizeof slope, "%s_per_conn", per_n[j]);
        double want = (row(out, 20, per_n[j]) - row(out, 10, per_n[j])) / 10, got = row(out, 20, slope);
        cr_expect(fabs(got - want) <= 1e-6 * (fabs(want) + 1), "%s is %.10g, the slope of its %s rows %.10g",
                  slope, got, per_n[j], want);
    }
    /* The socket-pair baseline of the same run, and the model's own part:
     * the kernel side minus it (the slope is linear in the points). */
    cr_assert(!isnan(row(out, 10, "pair_kernel_bytes")), "no socket-pair baseline at n=10");
    cr_assert(!isnan(row(out, 20, "pair_kernel_bytes")));
    double k = row(out, 20, "kernel_bytes_per_conn"), pk = row(out, 20, "pair_kernel_bytes_per_conn");
    cr_assert(!isnan(pk), "no socket-pair slope");
    cr_assert_float_eq(row(out, 20, "own_kernel_bytes_per_conn"), k - pk, 1e-3 * (fabs(k) + 1),
                       "own is not the kernel side minus the pair");
    cr_assert_not_null(strstr(err, "RLIMIT_NOFILE"), "the fd limit is not stated: %s", err);
    assert_gone(err);
    free(out), free(err);
}

Test(load, mix_makes_exactly_one_request_in_every_k_heavy)
{
    char *out, *err;
    const char *a[] = {"--server-args", "--exec sharded --workers 2", "--mode", "mix", "--conns", "4",
                       "--heavy-every", "5", "--heavy-us", "1000", "--duration", "1", "--csv", NULL};
    int st = load(a, &out, &err, 60);
    cr_assert_eq(st, 0, "exit %d: %s", st, err);
    cr_assert_eq(row(out, 4, "mix_errors"), 0);
    double light = row(out, 4, "light_requests"), heavy = row(out, 4, "heavy_requests");
    cr_assert_gt(heavy, 0);
    /* Every request is answered before the end (the drain), and the
     * counter is global: the heavy ones are exactly a fifth, rounded down. */
    cr_assert_eq(heavy, (double)(unsigned long long)((light + heavy) / 5), "light %g heavy %g", light,
                 heavy);
    cr_assert_leq(row(out, 4, "light_p50_ms"), row(out, 4, "light_p99_ms"));
    cr_assert(!isnan(row(out, 4, "mix_req_per_s")));
    assert_gone(err);
    free(out), free(err);
}

Test(load, sleep_replies_never_come_before_their_timer)
{
    char *out, *err;
    const char *a[] = {"--server-args", "--exec stealing --workers 2", "--mode", "sleep", "--conns",
                       "5", "--sleep-ms", "20", "--duration", "1", "--csv", NULL};
    int st = load(a, &out, &err, 60);
    cr_assert_eq(st, 0, "exit %d: %s", st, err);
    cr_assert_geq(row(out, 5, "sleep_p50_ms"), 20);
    cr_assert_gt(row(out, 5, "sleep_requests"), 0);
    cr_assert_eq(row(out, 5, "sleep_errors"), 0);
    cr_assert(!isnan(row(out, 5, "sleep_user_bytes_per_conn")), "no memory at load");
    cr_assert(!isnan(row(out, 5, "sleep_server_threads")));
    assert_gone(err);
    free(out), free(err);
}

Test(load, a_connection_count_over_the_fd_limit_stops_the_sweep_with_a_line)
{
    char *out, *err;
    const char *argv[] = {"/bin/sh", "-c",
                          "ulimit -n 200 && exec " LOAD " --server tasks/server --mode idle "
                          "--conns 10,500 --settle-ms 20 --csv",
                          NULL};
    int st = run_prog(argv, &out, &err, 60);
    cr_assert_eq(st, 0, "exit %d: %s", st, err);
    cr_assert_eq(row(out, 10, "conns"), 10);
    cr_assert(!isnan(row(out, 500, "limit_conns")), "no limit row at n=500");
    cr_assert(isnan(row(out, 500, "conns")), "n=500 measured past the limit");
    cr_assert_eq(row(out, 10, "user_bytes_per_conn"), row(out, 10, "user_bytes") / 10,
                 "one point: the slope goes through the baseline");
    cr_assert_not_null(strstr(err, "RLIMIT_NOFILE allows 200"), "the limit is not named: %s", err);
    free(out), free(err);
}

Test(load, timeout_takes_the_server_down_too)
{
    char *out, *err;
    const char *a[] = {"--mode", "idle", "--conns", "3", "--settle-ms", "20000", "--timeout", "2",
                       "--csv", NULL};
    int st = load(a, &out, &err, 30);
    cr_assert_eq(st, 124, "exit %d: %s", st, err);
    cr_assert_not_null(strstr(err, "timed out"), "%s", err);
    assert_gone(err);
    free(out), free(err);
}

Test(load, a_server_that_does_not_start_gives_one_line)
{
    char *out, *err;
    const char *a[] = {"--server-args", "--exec nonsense", "--mode", "hello", "--csv", NULL};
    int st = load(a, &out, &err, 30);
    cr_assert_eq(st, 1, "exit %d: %s", st, err);
    cr_assert_eq(own_lines(err), 1, "%s", err);
    cr_assert_not_null(strstr(err, "did not start"), "%s", err);
    free(out), free(err);

    const char *argv[] = {LOAD, "--server", "tasks/no-such-server", "--csv", NULL};
    st = run_prog(argv, &out, &err, 30);
    cr_assert_eq(st, 1, "exit %d: %s", st, err);
    cr_assert_eq(own_lines(err), 1, "%s", err);
    cr_assert_not_null(strstr(err, "no-such-server"), "%s", err);
    free(out), free(err);
}

Test(load, a_missing_wrk_is_named_before_any_server_starts)
{
    char *out, *err;
    const char *a[] = {"--mode", "hello", "--wrk", "/nonexistent/wrk", "--csv", NULL};
    int st = load(a, &out, &err, 30);
    cr_assert_eq(st, 1, "exit %d: %s", st, err);
    cr_assert_eq(own_lines(err), 1, "%s", err);
    cr_assert_not_null(strstr(err, "wrk not found"), "%s", err);
    cr_assert_null(strstr(err, " pid "), "a server was started: %s", err);
    free(out), free(err);
}

Test(load, bad_flags_exit_2_with_one_line)
{
    static const char *const cases[][6] = {
        {"--mode", "bogus", NULL},
        {"--conns", "0", NULL},
        {"--conns", "1,,2", NULL},
        {"--duration", "x", NULL},
        {"--cpus", "999", NULL},
        {"--frobnicate", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out, *err;
        int st = load(cases[i], &out, &err, 10);
        cr_assert_eq(st, 2, "%s: exit %d", cases[i][0], st);
        cr_assert_eq(count_lines(err), 1, "%s: %s", cases[i][0], err);
        cr_assert_not_null(strstr(err, cases[i][0]), "the flag is not named: %s", err);
        free(out), free(err);
    }
    char *out, *err;
    const char *argv[] = {LOAD, "--mode", "idle", NULL};
    cr_assert_eq(run_prog(argv, &out, &err, 10), 2);
    cr_assert_not_null(strstr(err, "--server"), "%s", err);
    free(out), free(err);
}

/* ------------------------------------------- the report's server section */

#define REPORT_SH YL_SRC_DIR "/plots/report.sh"
#define SERVER_FIXTURE YL_SRC_DIR "/tests/fixtures/server-report"

/* A scratch results folder holding the fixture's data.csv (only the rows
 * whose metric matches keep, all when keep is NULL) and env.txt. */
static char *fixture_copy(const char *keep)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/yl-load-report-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cp %s/env.txt %s/ && awk -F, 'NR == 1 || \"%s\" == \"\" || $6 ~ /%s/' %s/data.csv > %s/data.csv",
             SERVER_FIXTURE, dir, keep ? keep : "", keep ? keep : ".", SERVER_FIXTURE, dir);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    cr_assert_eq(run_prog(argv, NULL, NULL, 30), 0, "cannot copy the fixture");
    return dir;
}

static char *report_of(const char *dir)
{
    char *out, *err;
    const char *argv[] = {"/bin/bash", REPORT_SH, dir, NULL};
    int st = run_prog(argv, &out, &err, 120);
    cr_assert_eq(st, 0, "report.sh exit %d: %s", st, err);
    free(out), free(err);
    const char *cat[] = {"/bin/cat", NULL, NULL};
    char path[128];
    snprintf(path, sizeof path, "%s/REPORT.md", dir);
    cat[1] = path;
    char *md;
    cr_assert_eq(run_prog(cat, &md, NULL, 10), 0, "no REPORT.md");
    return md;
}

/* True when dir/name starts with the PNG signature. */
static bool drawn(const char *dir, const char *name)
{
    char path[128], sig[8] = {0};
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(sig, 1, sizeof sig, f);
    fclose(f);
    return n == 8 && memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0;
}

static void remove_dir(const char *dir)
{
    const char *argv[] = {"/bin/rm", "-rf", dir, NULL};
    run_prog(argv, NULL, NULL, 30);
}

static const char *const server_pngs[] = {"server-throughput.png", "server-latency.png",
                                          "server-memory.png", "server-mix.png"};

Test(report_server, draws_every_figure_with_a_table_and_a_paragraph_each)
{
    char *dir = fixture_copy(NULL);
    char *md = report_of(dir);
    for (size_t i = 0; i < 4; i++)
        cr_expect(drawn(dir, server_pngs[i]), "%s was not drawn", server_pngs[i]);
    static const char *const want[] = {
        "## One HTTP server, three models, a real client", "### Throughput and latency of /hello",
        "### Memory per idle connection", "### The unlucky worker, with real requests",
        "### /sleep: many connections waiting at once", "wrk** (debian/4.1.0-3+b2)",
        "| tasks | stealing | 0+1 | 1000 |", "against a target of at most 1/10",
        "against a target of at most 1/3", "the target is at least 1 for tasks",
        /* two sweeps of tasks/stealing (to 1000 and to 10000): the longer one counts */
        "| tasks | stealing | 0+1 | 8.3 KiB", "(both sides, up to C = 10000)",
        /* the socket-pair baseline, where the run has it */
        "without the socket pair", "| 5.3 KiB | 1.0 KiB |",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_not_null(strstr(md, want[i]), "REPORT.md lacks '%s'", want[i]);
    cr_expect_null(strstr(md, "| server | tasks"), "server rows listed again under Other results");
    free(md);
    remove_dir(dir);
}

Test(report_server, says_nothing_of_what_was_not_measured)
{
    char *dir = fixture_copy("^(light|heavy|mix)_");
    char *md = report_of(dir);
    cr_expect(drawn(dir, "server-mix.png"));
    cr_expect_not_null(strstr(md, "### The unlucky worker, with real requests"));
    for (size_t i = 0; i < 3; i++)
        cr_expect(!drawn(dir, server_pngs[i]), "%s drawn without its rows", server_pngs[i]);
    cr_expect_null(strstr(md, "### Throughput and latency"));
    cr_expect_null(strstr(md, "### Memory per idle"));
    cr_expect_null(strstr(md, "### /sleep"));
    free(md);
    remove_dir(dir);

    dir = fixture_copy("^no_such_metric$");
    md = report_of(dir);
    cr_expect_null(strstr(md, "One HTTP server"), "a server section without server rows");
    free(md);
    remove_dir(dir);
}

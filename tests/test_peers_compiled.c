/* test_peers_compiled.c - the Go and Tokio peers (peers/go, peers/tokio)
 * run as real processes: foo's eight lines in the article's order, which
 * runtime printed Hello, well-formed rows of our CSV schema at tiny sizes,
 * spawn's line protocol, our flag conventions.
 *
 * A peer that was not built is skipped with the line the report prints
 * when its toolchain is not installed; when the toolchain is there the
 * executable has to be too (make builds it), so its absence fails. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/csvrows.h"
#include "support/files.h"
#include "support/run.h"

/* What peers/go/build.mk and peers/tokio/build.mk look for. */
static bool toolchain_present(const char *model)
{
    if (strcmp(model, "go") == 0)
        return access("/usr/bin/go", X_OK) == 0 || access("/usr/lib/go/bin/go", X_OK) == 0;
    return access("/usr/bin/cargo", X_OK) == 0 && access("/usr/bin/rustc", X_OK) == 0 &&
           system("ls -d /usr/share/cargo/registry/tokio-1.* >/dev/null 2>&1") == 0;
}

/* The path of model/prog in slot; skips the test when the toolchain is
 * absent, fails when it is there but the program was not built. */
static const char *peer(int slot, const char *model, const char *prog)
{
    const char *p = bin_path(slot, model, prog);
    if (access(p, X_OK) == 0)
        return p;
    if (!toolchain_present(model))
        cr_skip_test("%s: not installed, `make deps` installs %s", model,
                     strcmp(model, "go") == 0 ? "golang-go" : "cargo librust-tokio-dev");
    cr_assert_fail("%s is missing although the %s toolchain is installed (make builds it)", p,
                   model);
    return NULL;
}

/* Checks every row of out against the schema (csvrows.h), of this model
 * and experiment, and that variant is the one named; returns the value of
 * metric (the test fails when there is no such row). */
static double csv_value(const char *out, const char *model, const char *experiment,
                        const char *variant, const char *metric)
{
    double v = csv_rows_value(out, experiment, model, metric);
    cr_assert_neq(v, -1, "no %s row for %s in:\n%s", metric, model, out);
    char key[128];
    snprintf(key, sizeof key, "\n%s,%s,%s,", experiment, model, variant);
    cr_expect_not_null(strstr(out, key), "no variant %s in:\n%s", variant, out);
    return v;
}

/* ---- foo ----------------------------------------------------------- */

static void expect_foo(const char *model) { expect_foo_article(peer(0, model, "foo")); }

Test(peers_compiled, go_foo_prints_the_eight_lines_in_order) { expect_foo("go"); }
Test(peers_compiled, tokio_foo_prints_the_eight_lines_in_order) { expect_foo("tokio"); }

static void expect_foo_csv(const char *model, const char *variant)
{
    const char *argv[] = {peer(0, model, "foo"), "--unit-ms", "50", "--csv", NULL};
    char *out, *err;
    cr_assert_eq(run_prog(argv, &out, &err, 30), 0, "%s", err);
    cr_expect_eq(csv_value(out, model, "foo", variant, "article_order"), 1);
    cr_expect_eq(csv_value(out, model, "foo", variant, "lines"), 8);
    cr_expect(strstr(err, foo_article) != NULL, "the lines go to stderr with --csv:\n%s", err);
    free(out);
    free(err);
}

Test(peers_compiled, go_foo_csv_says_article_order) { expect_foo_csv("go", "waitgroup"); }
Test(peers_compiled, tokio_foo_csv_says_article_order) { expect_foo_csv("tokio", "spawn"); }

/* ---- hello --------------------------------------------------------- */

/* hello with up to two extra arguments (x1, x2 may be NULL): Hello on
 * stdout iff printed; with --csv the printed row says the same. */
static void expect_hello(const char *model, const char *x1, const char *x2, const char *variant,
                         bool printed)
{
    const char *argv[] = {peer(0, model, "hello"), "--unit-ms", "200", x1, x2, NULL};
    char *out, *err;
    cr_assert_eq(run_prog(argv, &out, &err, 30), 0, "%s", err);
    cr_expect_str_eq(out, printed ? "Hello\n" : "", "%s/hello %s printed: '%s'", model,
                     variant, out);
    free(out);
    free(err);
    const char *argv_csv[] = {argv[0], "--unit-ms", "200", "--csv", x1, x2, NULL};
    cr_assert_eq(run_prog(argv_csv, &out, &err, 30), 0, "%s", err);
    cr_expect_eq(csv_value(out, model, "hello", variant, "printed"), printed ? 1 : 0);
    cr_expect_eq(strstr(err, "Hello\n") != NULL, printed, "stderr: %s", err);
    free(out);
    free(err);
}

Test(peers_compiled, go_goroutine_always_runs) { expect_hello("go", NULL, NULL, "always", true); }
Test(peers_compiled, tokio_unawaited_future_never_runs)
{
    expect_hello("tokio", NULL, NULL, "lazy", false);
}
Test(peers_compiled, tokio_awaited_future_runs)
{
    expect_hello("tokio", "--await", NULL, "awaited", true);
}
Test(peers_compiled, tokio_spawned_task_runs_unawaited)
{
    expect_hello("tokio", "--mode", "eager", "eager", true);
}

/* Go has no await: the flag is refused like any unknown one. */
Test(peers_compiled, go_hello_has_no_await)
{
    const char *argv[] = {peer(0, "go", "hello"), "--await", NULL};
    char *err;
    cr_expect_eq(run_prog(argv, NULL, &err, 10), 2);
    cr_expect(count_lines(err) == 1 && strstr(err, "'--await'"), "%s", err);
    free(err);
}

/* ---- pingpong ------------------------------------------------------ */

static void expect_pingpong(const char *model, const char *variant)
{
    const char *argv[] = {peer(0, model, "pingpong"), "--iters", "1000", "--cpus", "0", "--csv",
                          NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 30);
    cr_assert_eq(st, 0, "%s/pingpong exited %d: %s", model, st, err);
    cr_expect_eq(csv_value(out, model, "pingpong", variant, "switches"), 2000);
    cr_expect_gt(csv_value(out, model, "pingpong", variant, "ns_per_switch"), 0);
    cr_expect(strstr(out, ",0,1000,ns_per_switch,") != NULL, "cpus column is not 0:\n%s", out);
    free(out);
    free(err);
}

Test(peers_compiled, go_pingpong_rows) { expect_pingpong("go", "chan"); }
Test(peers_compiled, tokio_pingpong_rows) { expect_pingpong("tokio", "oneshot"); }

/* --cpus really pins: the process runs on CPU 0 only. */
Test(peers_compiled, cpus_pins_the_process)
{
    const char *models[] = {"go", "tokio"};
    for (int i = 0; i < 2; i++) {
        char cmd[512];
        /* spawn stays alive on stdin while we read its affinity (fd 3:
         * sh gives a background job /dev/null as stdin otherwise). */
        snprintf(cmd, sizeof cmd,
                 "(sleep 0.5; echo) | { %s --n 1 --cpus 0 <&3 & p=$!; sleep 0.3; "
                 "taskset -pc $p; wait $p; } 3<&0",
                 peer(0, models[i], "spawn"));
        const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
        char *out;
        cr_assert_eq(run_prog(argv, &out, NULL, 30), 0);
        cr_expect(strstr(out, "current affinity list: 0\n") != NULL, "%s:\n%s", models[i], out);
        free(out);
    }
}

/* ---- counter ------------------------------------------------------- */

static void expect_counter(const char *model, const char *fix, bool exact)
{
    const char *argv[] = {peer(0, model, "counter"), "--n", "200", "--fix", fix, "--csv", NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 30);
    cr_assert_eq(st, 0, "%s/counter --fix %s exited %d: %s", model, fix, st, err);
    double expected = csv_value(out, model, "counter", fix, "expected");
    double final = csv_value(out, model, "counter", fix, "final");
    double lost = csv_value(out, model, "counter", fix, "lost");
    cr_expect_eq(expected, 200);
    cr_expect_eq(final + lost, expected, "lost = expected - final");
    cr_expect(final >= 1 && final <= expected, "final %g", final);
    if (exact)
        cr_expect_eq(lost, 0, "%s --fix %s lost %g updates", model, fix, lost);
    cr_expect_eq(csv_value(out, model, "counter", fix, "units"), 200, "one task per increment");
    free(out);
    free(err);
}

Test(peers_compiled, go_counter_none_rows) { expect_counter("go", "none", false); }
Test(peers_compiled, go_counter_mutex_is_exact) { expect_counter("go", "mutex", true); }
Test(peers_compiled, go_counter_atomic_is_exact) { expect_counter("go", "atomic", true); }
Test(peers_compiled, tokio_counter_none_rows) { expect_counter("tokio", "none", false); }
Test(peers_compiled, tokio_counter_mutex_is_exact) { expect_counter("tokio", "mutex", true); }
Test(peers_compiled, tokio_counter_async_mutex_is_exact)
{
    expect_counter("tokio", "async-mutex", true);
}
Test(peers_compiled, tokio_counter_atomic_is_exact) { expect_counter("tokio", "atomic", true); }

/* ---- spawn --------------------------------------------------------- */

/* The protocol by hand: base, a line from us, ready N CREATE_NS UNIT,
 * exit 0 at end of stdin. */
static void expect_spawn_protocol(const char *model, const char *args, const char *unit)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "echo go | %s --n 10 %s", peer(0, model, "spawn"), args);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 30);
    cr_assert_eq(st, 0, "%s exited %d: %s", cmd, st, err);
    char w[32];
    unsigned long long n, ns;
    cr_assert_eq(sscanf(out, "base\nready %llu %llu %31s", &n, &ns, w), 3, "%s printed:\n%s",
                 cmd, out);
    cr_expect_eq(n, 10);
    cr_expect_gt(ns, 0);
    cr_expect_str_eq(w, unit);
    cr_expect_eq(count_lines(out), 2, "only base and ready on stdout:\n%s", out);
    free(out);
    free(err);
}

Test(peers_compiled, go_spawn_ready_line) { expect_spawn_protocol("go", "", "goroutine"); }
Test(peers_compiled, go_spawn_chan_ready_line)
{
    expect_spawn_protocol("go", "--variant chan", "goroutine-chan");
}
Test(peers_compiled, tokio_spawn_ready_line) { expect_spawn_protocol("tokio", "", "task"); }
Test(peers_compiled, tokio_spawn_pending_ready_line)
{
    expect_spawn_protocol("tokio", "--variant pending", "task-pending");
}

/* Without a line on stdin the peer ends at once, before any task. */
Test(peers_compiled, spawn_ends_when_stdin_closes_early)
{
    const char *models[] = {"go", "tokio"};
    for (int i = 0; i < 2; i++) {
        const char *argv[] = {peer(0, models[i], "spawn"), "--n", "10", NULL};
        char *out;
        cr_expect_eq(run_prog(argv, &out, NULL, 10), 0);
        cr_expect_str_eq(out, "base\n", "%s", models[i]);
        free(out);
    }
}

/* Through bench's harness: rows of our spawn schema with the unit. */
static void expect_harness(const char *model, const char *unit)
{
    char path[64];
    snprintf(path, sizeof path, "%s/spawn", model);
    (void)peer(0, model, "spawn");
    const char *argv[] = {bin_path(1, ".", "yl-peer-spawn"), "--peer", path, "--n", "10,100",
                          "--csv", NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 60);
    cr_assert_eq(st, 0, "yl-peer-spawn --peer %s exited %d: %s", path, st, err);
    cr_expect_eq(csv_value(out, model, "spawn", unit, "units"), 10, "the first N");
    cr_expect_gt(csv_value(out, model, "spawn", unit, "user_bytes"), 0);
    cr_expect_not_null(strstr(out, ",100,units,100,count\n"), "no N=100 in:\n%s", out);
    free(out);
    free(err);
}

Test(peers_compiled, go_spawn_through_the_harness) { expect_harness("go", "goroutine"); }
Test(peers_compiled, tokio_spawn_through_the_harness) { expect_harness("tokio", "task"); }

/* ---- flags --------------------------------------------------------- */

static const char *const progs[] = {"foo", "hello", "pingpong", "spawn", "counter"};

static void expect_flags(const char *model)
{
    for (int i = 0; i < 5; i++) {
        const char *p = peer(0, model, progs[i]);
        const char *help[] = {p, "--help", NULL};
        char *out, *err;
        cr_expect_eq(run_prog(help, &out, &err, 10), 0, "%s --help", p);
        cr_expect(strncmp(out, "usage: ", 7) == 0, "%s --help printed:\n%s", p, out);
        free(out);
        free(err);

        const char *bad[] = {p, "--bogus", NULL};
        cr_expect_eq(run_prog(bad, &out, &err, 10), 2, "%s --bogus", p);
        cr_expect_eq(count_lines(err), 1, "%s --bogus said:\n%s", p, err);
        cr_expect(strstr(err, "--bogus") != NULL, "%s: %s", p, err);
        cr_expect_str_eq(out, "");
        free(out);
        free(err);

        const char *val[] = {p, "--timeout", "x", NULL};
        cr_expect_eq(run_prog(val, &out, &err, 10), 2, "%s --timeout x", p);
        cr_expect(count_lines(err) == 1 && strstr(err, "--timeout"), "%s: %s", p, err);
        free(out);
        free(err);
    }
}

Test(peers_compiled, go_flags) { expect_flags("go"); }
Test(peers_compiled, tokio_flags) { expect_flags("tokio"); }

/* --timeout ends a run that would take far longer: one line, exit 124. */
Test(peers_compiled, timeout_ends_the_run)
{
    const char *models[] = {"go", "tokio"};
    for (int i = 0; i < 2; i++) {
        const char *argv[] = {peer(0, models[i], "pingpong"), "--iters", "100000000000",
                              "--timeout", "1", NULL};
        char *out, *err;
        cr_expect_eq(run_prog(argv, &out, &err, 20), 124, "%s", models[i]);
        cr_expect(count_lines(err) == 1 && strstr(err, "timed out"), "%s: %s", models[i], err);
        free(out);
        free(err);
    }
}

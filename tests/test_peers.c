/* test_peers.c - the Node.js and asyncio peers (peers/README.md), the
 * harness that measures their tasks (yl-peer-spawn), the driver's needs=
 * skip and the report's "languages side by side", all run for real.
 *
 * A peer whose interpreter is not installed was not built: its tests are
 * skipped, not failed (CI installs the peers group, so there they run).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/csvrows.h"
#include "support/files.h"
#include "support/run.h"

/* The path of model/prog, or a skipped test when it was not built. */
static const char *peer(int slot, const char *model, const char *prog)
{
    const char *p = bin_path(slot, model, prog);
    if (access(p, X_OK) != 0)
        cr_skip_test("%s/%s not built (its interpreter is not installed)", model, prog);
    return p;
}

/* ------------------------------------------------------------------ foo */

static void expect_article_order(const char *model) { expect_foo_article(peer(0, model, "foo")); }

Test(peers, node_foo_prints_the_eight_lines_in_the_articles_order) { expect_article_order("node"); }
Test(peers, python_foo_prints_the_eight_lines_in_the_articles_order) { expect_article_order("python"); }

/* ---------------------------------------------------------------- hello */

Test(peers, node_hello_is_eager_and_prints)
{
    const char *argv[] = {peer(0, "node", "hello"), "--unit-ms", "30", NULL};
    char *out, *err;
    cr_assert_eq(run_prog(argv, &out, &err, 30), 0, "%s", err);
    cr_expect_str_eq(out, "Hello\n", "an un-awaited async function still runs in Node");
    free(out);
    free(err);
}

Test(peers, python_hello_is_lazy_and_the_warning_is_one_line_of_ours)
{
    const char *argv[] = {peer(0, "python", "hello"), "--unit-ms", "30", NULL};
    char *out, *err;
    cr_assert_eq(run_prog(argv, &out, &err, 30), 0, "%s", err);
    cr_expect_str_eq(out, "", "a coroutine nobody awaits never runs: printed '%s'", out);
    cr_expect_not_null(strstr(err, "hello: python warned: coroutine 'say_hello' was never awaited"),
                       "the warning is reported: %s", err);
    /* Python's own rendering (file:line, RuntimeWarning, source) is caught. */
    cr_expect_null(strstr(err, "RuntimeWarning"), "python's raw warning leaked: %s", err);
    free(out);
    free(err);
}

/* ------------------------------------------------------------- CSV rows */

/* Runs argv (with --csv in it) and returns its stdout; exit 0 expected. */
static char *csv_run(const char *const argv[])
{
    char *out, *err;
    int st = run_prog(argv, &out, &err, 60);
    cr_assert_eq(st, 0, "%s exited %d: %s", argv[0], st, err);
    free(err);
    return out;
}

static void expect_csv_foo_hello(const char *model, const char *eager_printed)
{
    const char *foo[] = {peer(0, model, "foo"), "--unit-ms", "20", "--csv", NULL};
    char *out = csv_run(foo);
    cr_expect_eq(csv_rows_value(out, "foo", model, "article_order"), 1, "%s", out);
    cr_expect_eq(csv_rows_value(out, "foo", model, "lines"), 8, "%s", out);
    cr_expect_geq(csv_rows_value(out, "foo", model, "elapsed_ms"), 0, "%s", out);
    free(out);
    const char *hello[] = {peer(1, model, "hello"), "--unit-ms", "20", "--csv", NULL};
    out = csv_run(hello);
    cr_expect_eq(csv_rows_value(out, "hello", model, "printed"), atoi(eager_printed), "%s", out);
    free(out);
}

Test(peers, node_foo_and_hello_rows) { expect_csv_foo_hello("node", "1"); }
Test(peers, python_foo_and_hello_rows) { expect_csv_foo_hello("python", "0"); }

static void expect_csv_pingpong(const char *model, const char *variant)
{
    const char *argv[] = {peer(0, model, "pingpong"), "--iters", "200", "--cpus", "0", "--csv", NULL};
    char *out = csv_run(argv);
    cr_expect_eq(csv_rows_value(out, "pingpong", model, "switches"), 400, "2 switches a round trip");
    cr_expect_gt(csv_rows_value(out, "pingpong", model, "ns_per_switch"), 0);
    char want[64];
    snprintf(want, sizeof want, "pingpong,%s,%s,0,200,", model, variant);
    cr_expect_not_null(strstr(out, want), "variant and cpus column: %s", out);
    free(out);
}

Test(peers, node_pingpong_rows) { expect_csv_pingpong("node", "promise"); }
Test(peers, python_pingpong_rows) { expect_csv_pingpong("python", "event"); }

static void expect_csv_counter(const char *model, const char *fix, bool loses)
{
    const char *argv[] = {peer(0, model, "counter"), "--n", "100", "--fix", fix, "--csv", NULL};
    char *out = csv_run(argv);
    double expected = csv_rows_value(out, "counter", model, "expected");
    double final = csv_rows_value(out, "counter", model, "final");
    double lost = csv_rows_value(out, "counter", model, "lost");
    cr_expect_eq(expected, 100);
    cr_expect_eq(final + lost, expected, "final + lost = expected: %s", out);
    if (loses)
        cr_expect_gt(lost, 0, "reads and writes across awaits lose updates: %s", out);
    else
        cr_expect_eq(lost, 0, "the lock keeps every update: %s", out);
    free(out);
}

Test(peers, node_counter_loses_updates_without_the_lock) { expect_csv_counter("node", "none", true); }
Test(peers, node_counter_is_exact_with_the_lock) { expect_csv_counter("node", "lock", false); }
Test(peers, python_counter_loses_updates_without_the_lock) { expect_csv_counter("python", "none", true); }
Test(peers, python_counter_is_exact_with_the_lock) { expect_csv_counter("python", "lock", false); }

/* ------------------------------------------------------------- flags */

static void expect_bad_flag(const char *model, const char *prog)
{
    const char *argv[] = {peer(0, model, prog), "--bogus", NULL};
    char *out, *err;
    cr_expect_eq(run_prog(argv, &out, &err, 30), 2, "%s/%s: a bad flag exits 2", model, prog);
    cr_expect_eq(count_lines(err), 1, "one line: %s", err);
    cr_expect_not_null(strstr(err, "--bogus"), "names the flag: %s", err);
    free(out);
    free(err);
    const char *help[] = {bin_path(1, model, prog), "--help", NULL};
    cr_expect_eq(run_prog(help, &out, NULL, 30), 0);
    cr_expect_not_null(strstr(out, "usage:"), "%s/%s --help: %s", model, prog, out);
    free(out);
}

Test(peers, every_program_takes_help_and_names_a_bad_flag)
{
    const char *models[] = {"node", "python"};
    const char *progs[] = {"foo", "hello", "pingpong", "spawn", "counter"};
    for (size_t m = 0; m < 2; m++)
        for (size_t p = 0; p < 5; p++)
            expect_bad_flag(models[m], progs[p]);
}

Test(peers, a_bad_value_names_its_flag)
{
    const char *argv[] = {peer(0, "python", "pingpong"), "--iters", "many", NULL};
    char *err;
    cr_expect_eq(run_prog(argv, NULL, &err, 30), 2);
    cr_expect_not_null(strstr(err, "--iters"), "%s", err);
    free(err);
    const char *cpus[] = {peer(1, "node", "pingpong"), "--cpus", "zero", NULL};
    cr_expect_eq(run_prog(cpus, NULL, &err, 30), 2);
    cr_expect_not_null(strstr(err, "--cpus"), "%s", err);
    free(err);
}

/* ------------------------------------------------------ yl-peer-spawn */

#define PEER_SPAWN YL_BIN_DIR "/yl-peer-spawn"

static void expect_spawn_rows(const char *model, const char *variant)
{
    char p[64];
    snprintf(p, sizeof p, "%s/spawn", model);
    peer(0, model, "spawn");
    const char *argv[] = {PEER_SPAWN, "--peer", p, "--n", "1,200,2000", "--csv", NULL};
    char *out = csv_run(argv);
    cr_expect_eq(csv_rows_value(out, "spawn", model, "units"), 1);
    cr_expect_not_null(strstr(out, ",2000,units,2000,count"), "%s", out);
    cr_expect_gt(csv_rows_value(out, "spawn", model, "user_bytes_per_unit"), 0,
                 "2000 waiting units take memory: %s", out);
    cr_expect_geq(csv_rows_value(out, "spawn", model, "create_ns_per_unit"), 0, "%s", out);
    char want[64];
    snprintf(want, sizeof want, "spawn,%s,%s,-,2000,user_bytes,", model, variant);
    cr_expect_not_null(strstr(out, want), "model and variant: %s", out);
    free(out);
}

Test(peers, harness_measures_node_promises) { expect_spawn_rows("node", "promise"); }
Test(peers, harness_measures_asyncio_tasks) { expect_spawn_rows("python", "task"); }

Test(peers, harness_names_a_peer_that_is_not_built)
{
    const char *argv[] = {PEER_SPAWN, "--peer", "nosuch/spawn", "--csv", NULL};
    char *out, *err;
    cr_expect_eq(run_prog(argv, &out, &err, 30), 1);
    cr_expect_str_eq(out, "", "no rows when nothing was measured");
    cr_expect_not_null(strstr(err, "nosuch/spawn"), "%s", err);
    cr_expect_not_null(strstr(err, "not built"), "%s", err);
    free(out);
    free(err);
    const char *bad[] = {PEER_SPAWN, "--peer", "node", NULL};
    cr_expect_eq(run_prog(bad, NULL, &err, 30), 2);
    cr_expect_not_null(strstr(err, "--peer"), "%s", err);
    free(err);
}

/* A peer that breaks the protocol (prints no "base") fails the run with a
 * message naming what it said, and leaves no process behind. */
Test(peers, harness_fails_on_a_peer_that_breaks_the_protocol)
{
    const char *argv[] = {PEER_SPAWN, "--peer", "node/foo", "--n", "5", "--csv", NULL};
    peer(0, "node", "foo");
    char *out, *err;
    cr_expect_eq(run_prog(argv, &out, &err, 30), 1);
    cr_expect_not_null(strstr(err, "expected \"base\""), "%s", err);
    free(out);
    free(err);
}

/* ------------------------------------------------------------ versions */

Test(peers, versions_names_every_runtime)
{
    const char *argv[] = {YL_BIN_DIR "/peers/versions", NULL};
    char *out;
    cr_assert_eq(run_prog(argv, &out, NULL, 30), 0);
    const char *models[] = {"node", "python", "go", "tokio"};
    for (size_t i = 0; i < 4; i++) {
        char key[32];
        snprintf(key, sizeof key, "%s_version: ", models[i]);
        const char *at = strstr(out, key);
        cr_expect_not_null(at, "no %s line: %s", key, out);
        if (at)
            cr_expect_neq(at[strlen(key)], '\n', "an empty %s", key);
    }
    cr_expect_eq(count_lines(out), 4, "%s", out);
    free(out);
}

/* ------------------------------------------------------ driver and report */

Test(peers, driver_skips_a_line_whose_program_is_not_built)
{
    char *dir = scratch_dir("yl-peers");
    char prof[4096], out_dir[4096];
    snprintf(prof, sizeof prof, "%s/profile", dir);
    snprintf(out_dir, sizeof out_dir, "%s/out", dir);
    write_text(dir, "profile",
               "set reps 1\nset warmup 0\n"
               "run pingpong needs=nosuch/pingpong -- nosuch/pingpong --csv\n"
               "run pingpong -- tasks/pingpong --iters 1000 --csv\n");
    const char *argv[] = {YL_BIN_DIR "/yl-bench", "--profile", prof, "--out", out_dir, NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 60);
    cr_expect_eq(st, 0, "a skipped line is not a failure: %s", err);
    cr_expect_not_null(strstr(err, ":3: pingpong: skipped, needs nosuch/pingpong"), "%s", err);
    char *data = read_text(out_dir, "data.csv");
    cr_assert_not_null(data, "no data.csv");
    cr_expect_not_null(strstr(data, "pingpong,tasks,yield,"), "the other line ran: %s", data);
    cr_expect_null(read_text(out_dir, "failures.txt"), "the skip was recorded as a failure");
    char *env = read_text(out_dir, "env.txt");
    cr_assert_not_null(env);
    cr_expect_not_null(strstr(env, "\nnode_version: "), "env.txt has the runtimes: %s", env);
    free(env);
    free(data);
    free(out);
    free(err);
    scratch_remove(dir);
}

/* Copies tests/fixtures/NAME/{data.csv,env.txt,trace-tasks.out} to dir. */
static void fixture(const char *name, const char *dir)
{
    char from[4096];
    snprintf(from, sizeof from, "%s/tests/fixtures/%s", YL_SRC_DIR, name);
    const char *files[] = {"data.csv", "env.txt", "trace-tasks.out"};
    for (size_t i = 0; i < 3; i++) {
        char *text = read_text(from, files[i]);
        cr_assert_not_null(text, "%s/%s", from, files[i]);
        write_text(dir, files[i], text);
        free(text);
    }
}

static char *report(const char *dir)
{
    const char *argv[] = {"/bin/bash", YL_SRC_DIR "/plots/report.sh", dir, NULL};
    char *err;
    int st = run_prog(argv, NULL, &err, 120);
    cr_assert_eq(st, 0, "report.sh exited %d: %s", st, err);
    free(err);
    char *md = read_text(dir, "REPORT.md");
    cr_assert_not_null(md);
    return md;
}

static bool is_png(const char *dir, const char *name)
{
    char *text = read_text(dir, name);
    bool ok = text && strncmp(text, "\x89PNG", 4) == 0;
    free(text);
    return ok;
}

Test(peers, report_sets_the_languages_side_by_side)
{
    char *dir = scratch_dir("yl-peers");
    fixture("peers", dir);
    char *md = report(dir);
    cr_expect_not_null(strstr(md, "## The languages side by side"));
    cr_expect_not_null(strstr(md, "- go: not installed, `make deps` installs golang-go\n"), "%s", md);
    cr_expect_not_null(strstr(md, "- tokio: not installed, `make deps` installs cargo librust-tokio-dev\n"));
    cr_expect_null(strstr(md, "- node: not installed"));
    /* The measured cells of the table, from the fixture's rows. */
    cr_expect_not_null(strstr(md, "| JavaScript (Node.js), v20.20.2 |"), "the version is named");
    cr_expect_not_null(strstr(md, "| 183 ns (promise) | 956 B (promise, N ≤ 100000) | the article's | eager: Hello printed | none 999 of 1000; lock 0 of 1000 |"),
                       "node row: %s", md);
    cr_expect_not_null(strstr(md, "| 4.6 µs (event) | 1.5 KiB (task, N ≤ 100000) | the article's | lazy: nothing printed |"),
                       "python row");
    cr_expect_not_null(strstr(md, "| yield 24 ns; raw 6.2 ns | 96 B (stackless, N ≤ 100000) | the article's |"),
                       "libyl row");
    cr_expect_not_null(strstr(md, "is below the cheapest peer switch (node/promise, 183 ns)"));
    cr_expect_not_null(strstr(md, "at most a fifth of it"));
    /* Both figures, drawn and shown; the data they draw is the rows'. */
    cr_expect(is_png(dir, "peers-switch.png"), "peers-switch.png not drawn");
    cr_expect(is_png(dir, "peers-memory.png"), "peers-memory.png not drawn");
    cr_expect_not_null(strstr(md, "](peers-switch.png)"));
    cr_expect_not_null(strstr(md, "](peers-memory.png)"));
    char *sw = read_text(dir, "plotdata/peers-switch.dat");
    cr_assert_not_null(sw);
    const char *raw = strstr(sw, "\"tasks/raw\""), *py = strstr(sw, "\"python/event\"");
    cr_expect(raw && py && raw < py, "cheapest first: %s", sw);
    /* foo and hello have a section now: not listed as other results. */
    cr_expect_null(strstr(md, "| foo | node |"));
    free(sw);
    free(md);
    scratch_remove(dir);
}

Test(peers, report_is_silent_without_peer_rows)
{
    char *dir = scratch_dir("yl-peers");
    fixture("report", dir);
    char *md = report(dir);
    cr_expect_null(strstr(md, "languages side by side"), "a section without rows");
    cr_expect(!is_png(dir, "peers-switch.png"));
    free(md);
    scratch_remove(dir);
}

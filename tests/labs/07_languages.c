/* 07_languages.c - lab 07, graded: the asyncio programs students complete
 * (peers/python/foo.py, hello.py, spawn.py) beside the Node.js ones, run
 * for real. Behaviour only: the order of the lines, which runtime printed
 * Hello, and rows that are there and well formed; no figure is asserted.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/csvrows.h"
#include "support/files.h"
#include "support/run.h"

/* The path of model/prog; the test fails when it was not built, since the
 * lab cannot be graded without the interpreter (make deps DEPS_GROUPS=peers). */
static const char *prog(int slot, const char *model, const char *name)
{
    const char *p = bin_path(slot, model, name);
    cr_assert_eq(access(p, X_OK), 0, "%s/%s is not built: install the peers (make deps DEPS_GROUPS=peers)",
                 model, name);
    return p;
}

/* Runs argv; returns stdout, stderr in *err; exit 0 expected. */
static char *run_ok(const char *const argv[], char **err)
{
    char *out;
    int st = run_prog(argv, &out, err, 60);
    cr_assert_eq(st, 0, "expected %s to exit 0; it exited %d. Its stderr: %s", argv[0], st, err ? *err : "(not kept)");
    return out;
}

Test(languages, python_foo_order, .description = "[3 pts] python foo: foo1 and foo2 run together, the 8 lines in the article's order", .timeout = 60)
{
    const char *argv[] = {prog(0, "python", "foo"), "--unit-ms", "40", NULL};
    char *err;
    char *out = run_ok(argv, &err);
    cr_expect_str_eq(out, foo_article, "expected the article's eight lines in order; python foo printed:\n%s", out);
    free(out);
    free(err);
}

Test(languages, python_foo_rows, .description = "[1 pt] python foo --csv: well-formed rows, article_order 1, 8 lines", .timeout = 60)
{
    const char *argv[] = {prog(0, "python", "foo"), "--unit-ms", "40", "--csv", NULL};
    char *out = run_ok(argv, NULL);
    cr_expect_eq(csv_rows_value(out, "foo", "python", "article_order"), 1,
                 "expected the row foo,python,...,article_order with value 1; the output was:\n%s", out);
    cr_expect_eq(csv_rows_value(out, "foo", "python", "lines"), 8,
                 "expected the row foo,python,...,lines with value 8; the output was:\n%s", out);
    free(out);
}

Test(languages, which_runtime_prints_hello, .description = "[2 pts] un-awaited hello: node prints Hello, python prints nothing", .timeout = 60)
{
    const char *node[] = {prog(0, "node", "hello"), "--unit-ms", "30", NULL};
    char *err;
    char *out = run_ok(node, &err);
    cr_expect_str_eq(out, "Hello\n", "expected node to print Hello (a promise runs without an await); it printed '%s'", out);
    free(out);
    free(err);
    const char *py[] = {prog(1, "python", "hello"), "--unit-ms", "30", NULL};
    out = run_ok(py, &err);
    cr_expect_str_eq(out, "", "expected python to print nothing (a coroutine nobody awaits never starts); it printed '%s'", out);
    free(out);
    free(err);
}

Test(languages, python_hello_awaited, .description = "[2 pts] python hello --await prints Hello, and Python warns about nothing", .timeout = 60)
{
    const char *argv[] = {prog(0, "python", "hello"), "--unit-ms", "30", "--await", NULL};
    char *err;
    char *out = run_ok(argv, &err);
    cr_expect_str_eq(out, "Hello\n", "expected python hello --await to print Hello (an awaited coroutine runs); it printed '%s'", out);
    cr_expect_null(strstr(err, "never awaited"), "expected no never-awaited warning with --await; stderr was: %s", err);
    free(out);
    free(err);
}

Test(languages, python_hello_warning, .description = "[2 pts] python hello: the never-awaited warning is caught and said in one line of ours", .timeout = 60)
{
    const char *argv[] = {prog(0, "python", "hello"), "--unit-ms", "30", "--csv", NULL};
    char *err;
    char *out = run_ok(argv, &err);
    cr_expect_eq(csv_rows_value(out, "hello", "python", "printed"), 0,
                 "expected the row hello,python,...,printed with value 0; the output was:\n%s", out);
    cr_expect_eq(csv_rows_value(out, "hello", "python", "never_awaited_warning"), 1,
                 "expected the row hello,python,...,never_awaited_warning with value 1; the output was:\n%s", out);
    cr_expect_not_null(strstr(err, "hello: python warned: coroutine 'say_hello' was never awaited"),
                       "expected on stderr the line \"hello: python warned: coroutine 'say_hello' was never awaited\"; "
                       "stderr was: %s", err);
    cr_expect_null(strstr(err, "RuntimeWarning"), "expected Python's own RuntimeWarning caught, not printed; stderr was: %s", err);
    free(out);
    free(err);
}

Test(languages, python_spawn_rows, .description = "[3 pts] yl-peer-spawn measures python/spawn: rows for every N, well formed, bytes per task > 0", .timeout = 120)
{
    prog(0, "python", "spawn");
    /* --timeout: a spawn.py that never says ready fails in 30 s, not 300 */
    const char *argv[] = {YL_BIN_DIR "/yl-peer-spawn", "--peer", "python/spawn", "--n", "1,300,3000",
                          "--timeout", "30", "--csv", NULL};
    char *err;
    char *out = run_ok(argv, &err);
    cr_expect_eq(csv_rows_value(out, "spawn", "python", "units"), 1,
                 "expected the row spawn,python,...,units with value 1 (for N=1); the output was:\n%s", out);
    cr_expect_not_null(strstr(out, "spawn,python,task,-,300,units,300,count\n"),
                       "expected the row spawn,python,task,-,300,units,300,count; the output was:\n%s", out);
    cr_expect_not_null(strstr(out, "spawn,python,task,-,3000,units,3000,count\n"),
                       "expected the row spawn,python,task,-,3000,units,3000,count; the output was:\n%s", out);
    cr_expect_gt(csv_rows_value(out, "spawn", "python", "user_bytes_per_unit"), 0,
                 "expected user_bytes_per_unit above 0 (3000 waiting tasks take memory); the output was:\n%s", out);
    free(out);
    free(err);
}

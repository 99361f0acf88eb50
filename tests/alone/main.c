/* main.c - libyl on its own: built with only -Iruntime/yl and linked with
 * only libyl.a (tests/build.mk, make check-libyl), so the runtime cannot
 * lean on bench/ again unnoticed. It also checks the tracer hook from the
 * outside: a tracer of its own sees every unit, and a trace asked for
 * with no tracer at all fails yl_run before any task runs. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "yl.h"

static atomic_int units, opened, closed, ran;

static void *t_open(const char *path, const char *model)
{
    atomic_fetch_add(&opened, 1);
    return strcmp(path, "mem") == 0 && strcmp(model, "alone") == 0 ? (void *)&units : NULL;
}

static void t_unit(void *state, const yl_unit *u)
{
    if (u->task && u->end_ns >= u->start_ns)
        atomic_fetch_add((atomic_int *)state, 1);
}

static int t_close(void *state, const char *path, const char *model)
{
    (void)path;
    (void)model;
    atomic_fetch_add(&closed, state == &units);
    return 0;
}

static const yl_tracer counting = {t_open, t_unit, t_close};

static void child(void *arg)
{
    (void)arg;
    yl_yield();             /* units: A ... */
    yl_sleep_ms(1);         /* ... B ... */
    atomic_fetch_add(&ran, 1); /* ... C */
}

static void start(void *arg)
{
    (void)arg;
    for (int i = 0; i < 4; i++)
        yl_go("child", child, NULL);
}

static int fails;
static void check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    fails += !ok;
}

int main(void)
{
    for (int exec = YL_EXEC_SINGLE; exec <= YL_EXEC_STEALING; exec++) {
        atomic_store(&units, 0);
        atomic_store(&ran, 0);
        yl_config c = {.exec = exec, .workers = 2, .trace_path = "mem",
                       .trace_model = "alone", .tracer = &counting};
        int rc = yl_run(&c, start, NULL);
        char what[96];
        snprintf(what, sizeof what, "%s: every task ran, the tracer saw all 13 units",
                 yl_exec_names[exec]);
        check(rc == 0 && atomic_load(&ran) == 4 && atomic_load(&units) == 13, what);
    }
    check(atomic_load(&opened) == 3 && atomic_load(&closed) == 3,
          "the tracer was opened and closed once per run");

    /* No tracer linked in, none in the config: refused, nothing runs. */
    atomic_store(&ran, 0);
    yl_config c = {.trace_path = "/nonexistent/never-written.csv"};
    int rc = yl_run(&c, start, NULL);
    check(rc == -1 && atomic_load(&ran) == 0,
          "a trace without a tracer fails yl_run before any task runs");

    printf("%s\n", fails ? "libyl alone: FAILED" : "libyl alone: all passed");
    return fails != 0;
}

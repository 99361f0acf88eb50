/* test_hotpath.c - what the scheduler's fast path still promises: a timer
 * that comes due while other tasks keep yielding fires within
 * YL_CHECK_EVERY units (counted in units, never in time); and the yield
 * breakdown program reports parts that add up. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "support/run.h"
#include "yl.h"

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct late {
    yl_task *sleeping;     /* the sleeper's handle: its timer is read from it */
    uint64_t due_ns;       /* from when the sleeper may fire (0: not armed) */
    volatile int woke;
    uint64_t late_units;   /* the spinner's units from due_ns until the wake */
    uint64_t spins;
    yl_fn sleeper;         /* the task that sleeps next to the spinner */
};

/* Yields until the sleeper has woken, counting its own units that began
 * after the sleeper's timer was due. */
static void spinner(void *arg)
{
    struct late *l = arg;
    uint64_t give_up = mono_ns() + 20ull * 1000000000u;
    while (!l->woke && mono_ns() < give_up) {
        yl_task *z = l->sleeping;
        if (z && (z->run_flags & YL_R_IN_TIMER)) {
            /* One worker: nothing else touches the timer now. The wheel
             * fires a timer once its 1 ms tick has ended (unless the
             * worker is idle); the heap at its deadline. */
            uint64_t d = z->deadline_ns;
            if (yl__rt()->timers == YL_TIMERS_WHEEL)
                d = (d / YL_WHEEL_TICK_NS + 1) * YL_WHEEL_TICK_NS;
            l->due_ns = d;
        }
        if (l->due_ns && mono_ns() >= l->due_ns)
            l->late_units++;
        l->spins++;
        yl_yield();
    }
}

static void sleeper(void *arg)
{
    struct late *l = arg;
    yl_sleep_us(2000);
    l->woke = 1;
}

/* The spinner, then the sleeper: both ready, the sleeper second. */
static void late_main(void *arg)
{
    struct late *l = arg;
    yl_task *s = yl_spawn("spinner", spinner, l);
    yl_task *z = yl_spawn("sleeper", l->sleeper, l);
    cr_assert(s && z);
    l->sleeping = z;
    yl_join(z);
    yl_join(s);
}

static void expect_bounded(enum yl_timers timers)
{
    struct late l = {.sleeper = sleeper};
    yl_config c = {.exec = YL_EXEC_SINGLE, .timers = timers};
    cr_assert_eq(yl_run(&c, late_main, &l), 0);
    cr_assert(l.woke, "the sleeper never woke while another task yielded (%llu spins)",
              (unsigned long long)l.spins);
    /* The spinner's own check can run one unit ahead of the loop's. */
    cr_expect_leq(l.late_units, YL_CHECK_EVERY + 1,
                  "the timer fired %llu units after it was due (bound %d)",
                  (unsigned long long)l.late_units, YL_CHECK_EVERY + 1);
}

Test(hotpath, due_timer_fires_within_check_every_units_wheel, .timeout = 60)
{
    expect_bounded(YL_TIMERS_WHEEL);
}

Test(hotpath, due_timer_fires_within_check_every_units_heap, .timeout = 60)
{
    expect_bounded(YL_TIMERS_HEAP);
}

/* A sleep of zero is due at once: the loop looks at the timers on its next
 * trip (the unit armed one), so the sleeper is back after at most one unit
 * of the spinner, as before the countdown existed. */
static void zero_sleeper(void *arg)
{
    struct late *l = arg;
    uint64_t before = l->spins;
    yl_sleep_us(0);
    l->late_units = l->spins - before;
    l->woke = 1;
}

Test(hotpath, zero_sleep_comes_back_after_one_unit)
{
    struct late l = {.sleeper = zero_sleeper};
    cr_assert_eq(yl_run(NULL, late_main, &l), 0);
    cr_expect(l.woke);
    cr_expect_leq(l.late_units, 1, "back after %llu units of the spinner",
                  (unsigned long long)l.late_units);
}

/* yieldparts: the breakdown's rows, from a real run of the program. */
Test(hotpath, yieldparts_rows_add_up, .timeout = 60)
{
    const char *argv[] = {bin_path(0, "tasks", "yieldparts"), "--iters", "2000", "--csv", NULL};
    char *out = NULL, *err = NULL;
    cr_assert_eq(run_prog(argv, &out, &err, 60), 0, "yieldparts failed: %s", err);
    static const char *const parts[] = {"switch_out", "loop", "queue", "check", "switch_in"};
    double sum = 0, total = -1, yields = -1;
    int rows = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        char exp[32], model[16], var[16], cpus[16], metric[48], unit[16];
        unsigned long long n;
        double v;
        if (sscanf(line, "%31[^,],%15[^,],%15[^,],%15[^,],%llu,%47[^,],%lf,%15s", exp, model,
                   var, cpus, &n, metric, &v, unit) != 8)
            continue;
        rows++;
        cr_expect_str_eq(exp, "yieldparts");
        cr_expect_eq(n, 2000);
        cr_expect_geq(v, 0, "%s is negative", metric);
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            char want[48];
            snprintf(want, sizeof want, "ns_%s", parts[i]);
            if (strcmp(metric, want) == 0)
                sum += v;
        }
        if (strcmp(metric, "ns_total") == 0)
            total = v;
        if (strcmp(metric, "yields") == 0)
            yields = v;
    }
    cr_expect_eq(rows, 13, "5 parts in ns and ticks, total, stamp, yields");
    cr_expect_float_eq(total, sum, 1e-6 * sum + 1e-9, "ns_total is the sum of the parts");
    /* Every yield but the very first (B's first one starts a fresh task,
     * not one back from a yield) passes every stamp. */
    cr_expect_eq(yields, 2 * 2000 - 1);
    free(out);
    free(err);
}

/* ---- the plain loop and the full one count the same ------------------- */

/* The single executor runs its plain loop untraced and the full one when
 * traced: the switch count is the same, and the traced run still labels
 * each task's units 0, 1, 2... in order (the count the plain loop skips). */
#define SEQ_TASKS 3
#define SEQ_YIELDS 50
static struct {
    int units[SEQ_TASKS + 1]; /* per yielder, then everything else */
    int out_of_order;
} seen;

static void *seq_open(const char *path, const char *model)
{
    (void)path;
    (void)model;
    return &seen;
}

static void seq_unit(void *state, const yl_unit *u)
{
    (void)state;
    int k = SEQ_TASKS;
    if (strncmp(u->task, "y", 1) == 0)
        k = u->task[1] - '0';
    if (k < SEQ_TASKS && u->seq != (uint64_t)seen.units[k])
        seen.out_of_order++;
    seen.units[k]++;
}

static int seq_close(void *state, const char *path, const char *model)
{
    (void)state;
    (void)path;
    (void)model;
    return 0;
}

static const yl_tracer seq_tracer = {seq_open, seq_unit, seq_close};

static void yielder(void *arg)
{
    (void)arg;
    for (int i = 0; i < SEQ_YIELDS; i++)
        yl_yield();
}

static void seq_main(void *arg)
{
    (void)arg;
    yl_task *t[SEQ_TASKS];
    for (int i = 0; i < SEQ_TASKS; i++) {
        char name[4] = {'y', (char)('0' + i), 0, 0};
        cr_assert_not_null(t[i] = yl_spawn(name, yielder, NULL));
    }
    for (int i = 0; i < SEQ_TASKS; i++)
        yl_join(t[i]);
}

Test(hotpath, plain_and_traced_loops_count_the_same_units)
{
    memset(&seen, 0, sizeof seen);
    yl_config plain = {.exec = YL_EXEC_SINGLE};
    cr_assert_eq(yl_run(&plain, seq_main, NULL), 0);
    uint64_t plain_switches = yl_get_stats().switches;
    cr_expect_eq(seen.units[0], 0, "the plain run called no tracer");

    yl_config traced = {.exec = YL_EXEC_SINGLE, .trace_path = "/dev/null",
                        .tracer = &seq_tracer};
    cr_assert_eq(yl_run(&traced, seq_main, NULL), 0);
    uint64_t traced_switches = yl_get_stats().switches;
    cr_expect_eq(plain_switches, traced_switches);
    int total = seen.units[SEQ_TASKS];
    for (int i = 0; i < SEQ_TASKS; i++) {
        cr_expect_eq(seen.units[i], SEQ_YIELDS + 1, "task y%d ran %d units", i, seen.units[i]);
        total += seen.units[i];
    }
    cr_expect_eq(seen.out_of_order, 0, "a unit's label was not its task's next");
    cr_expect_eq((uint64_t)total, traced_switches, "one tracer call per switch");
}

/* test_layout.c - the 48-byte task header: where its hot fields sit,
 * which ones share bytes, what foo --sizes shows of it; and that what
 * left the header (the joiner, now in join.c's table) still works: joins
 * of lazy, eager, finished and stackless tasks, many at once, under every
 * executor, and cancels. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "stackless.h"
#include "support/run.h"
#include "yl.h"

Test(layout, header_is_48_bytes_with_the_links_first)
{
    cr_expect_eq(sizeof(struct yl_task), 48);
    cr_expect_eq(YL_TASK_HEADER_BYTES, 48);
    cr_expect_eq(offsetof(struct yl_task, next), 0, "the run-queue link leads");
    cr_expect_eq(offsetof(struct yl_task, tlink), 0, "the wheel's node overlays it");
    cr_expect_eq(offsetof(struct yl_task, tlink.next), offsetof(struct yl_task, next));
    cr_expect_eq(offsetof(struct yl_task, timer_seq), 0);
    cr_expect_eq(offsetof(struct yl_task, heap_idx), 8, "heap_idx keeps a word of its own");
    cr_expect_eq(offsetof(struct yl_task, deadline_ns), 16);
    cr_expect_eq(offsetof(struct yl_task, def), 24);
    cr_expect_lt(offsetof(struct yl_task, state), 48);
    /* The hot fields of a switch fit in the header's one cache line. */
    cr_expect_eq(sizeof(struct yl_task) <= 64, 1);
}

Test(layout, the_layout_table_is_the_struct)
{
    size_t n;
    const yl_field *f = yl_task_layout(&n);
    cr_assert_gt(n, 10);
    size_t covered = 0;
    for (size_t i = 0; i < n; i++) {
        cr_expect_leq(f[i].offset + f[i].size, sizeof(struct yl_task), "%s", f[i].name);
        if (i)
            cr_expect_geq(f[i].offset, f[i - 1].offset, "%s: in offset order", f[i].name);
        if (f[i].offset + f[i].size > covered) {
            cr_expect_leq(f[i].offset, covered, "a gap before %s", f[i].name);
            covered = f[i].offset + f[i].size;
        }
    }
    cr_expect_eq(covered, sizeof(struct yl_task), "every byte is some field's");
    cr_expect_str_eq(f[0].name, "next");
}

Test(layout, foo_sizes_prints_the_layout)
{
    const char *argv[] = {bin_path(0, "tasks", "foo"), "--sizes", NULL};
    char *out, *err;
    cr_assert_eq(run_prog(argv, &out, &err, 10), 0, "%s", err);
    size_t n;
    const yl_field *f = yl_task_layout(&n);
    for (size_t i = 0; i < n; i++) {
        char want[64];
        snprintf(want, sizeof want, "+%-3zu %-12s %2zu B", f[i].offset, f[i].name, f[i].size);
        cr_expect(strstr(out, want), "foo --sizes lacks \"%s\":\n%s", want, out);
    }
    free(out);
    free(err);
}

/* ---- joins without a joiner field -------------------------------------- */

#define JOINEES 300
static int ran[JOINEES];

static void mark_and_yield(void *arg)
{
    int i = (int)(intptr_t)arg;
    for (int k = 0; k < i % 5; k++)
        yl_yield();
    ran[i]++;
}

/* Joins each of its own task: many joiners in the table at once. */
static void joiner(void *arg)
{
    yl_task *t = yl_spawn("joinee", mark_and_yield, arg);
    cr_assert_not_null(t);
    yl_join(t);
    cr_expect_eq(ran[(intptr_t)arg], 1, "joined before the joinee finished");
}

static void many_joins_main(void *arg)
{
    (void)arg;
    yl_task *j[JOINEES];
    for (int i = 0; i < JOINEES; i++)
        cr_assert_not_null(j[i] = yl_spawn("joiner", joiner, (void *)(intptr_t)i));
    /* Lazy ones too: joining starts them. */
    yl_task *lazy = yl_task_new("lazy", mark_and_yield, (void *)(intptr_t)0);
    cr_assert_not_null(lazy);
    for (int i = 0; i < JOINEES; i++)
        yl_join(j[i]);
    ran[0] = 0;
    yl_join(lazy);
    cr_expect_eq(ran[0], 1, "a lazy task runs when joined");
}

static void expect_many_joins(enum yl_exec exec)
{
    memset(ran, 0, sizeof ran);
    yl_config c = {.exec = exec, .workers = 2};
    cr_assert_eq(yl_run(&c, many_joins_main, NULL), 0);
    for (int i = 1; i < JOINEES; i++)
        cr_expect_eq(ran[i], 1, "joinee %d ran %d times", i, ran[i]);
}

Test(layout, joins_single, .timeout = 60) { expect_many_joins(YL_EXEC_SINGLE); }
Test(layout, joins_sharded, .timeout = 60) { expect_many_joins(YL_EXEC_SHARDED); }
Test(layout, joins_stealing, .timeout = 60) { expect_many_joins(YL_EXEC_STEALING); }

static void finished_join_main(void *arg)
{
    (void)arg;
    yl_task *t = yl_spawn("quick", mark_and_yield, (void *)(intptr_t)5);
    cr_assert_not_null(t);
    for (int k = 0; k < 10; k++)
        yl_yield(); /* t is done by now */
    yl_join(t);     /* nothing to wait for: no entry in the table */
    cr_expect_eq(yl__rt()->joins.len, 0);
}

Test(layout, join_of_a_finished_task)
{
    memset(ran, 0, sizeof ran);
    cr_assert_eq(yl_run(NULL, finished_join_main, NULL), 0);
    cr_expect_eq(ran[5], 1);
}

/* A stackless task joined by a stackless one. */
struct sl_leaf {
    yl_pc pc;
};
static int leaf_done;
static yl_poll leaf_poll(void *frame)
{
    struct sl_leaf *f = frame;
    YL_BEGIN(f);
    YL_AWAIT(f, yl_sl_sleep_ms(1));
    leaf_done = 1;
    YL_END(f);
}
static YL_SL_DEF(leaf_def, "leaf", leaf_poll, struct sl_leaf);

struct sl_parent {
    yl_pc pc;
    yl_task *child;
};
static int parent_saw;
static yl_poll parent_poll(void *frame)
{
    struct sl_parent *f = frame;
    YL_BEGIN(f);
    f->child = yl_sl_spawn(&leaf_def, NULL);
    YL_AWAIT(f, yl_sl_join(f->child));
    parent_saw = leaf_done;
    YL_END(f);
}
static YL_SL_DEF(parent_def, "parent", parent_poll, struct sl_parent);

static void sl_main(void *arg)
{
    (void)arg;
    yl_task *p = yl_sl_spawn(&parent_def, NULL);
    cr_assert_not_null(p);
    yl_join(p);
}

Test(layout, stackless_joins_stackless)
{
    leaf_done = parent_saw = 0;
    cr_assert_eq(yl_run(NULL, sl_main, NULL), 0);
    cr_expect_eq(parent_saw, 1, "the parent resumed before its child finished");
}

/* Cancel: a sleeping task wakes at once, its sleep returning -1. */
static int cancelled_rc = 2;
static void long_sleeper(void *arg)
{
    (void)arg;
    cancelled_rc = yl_sleep_ms(60000);
}

static void cancel_main(void *arg)
{
    (void)arg;
    yl_task *t = yl_spawn("sleeper", long_sleeper, NULL);
    cr_assert_not_null(t);
    yl_yield(); /* it is asleep now */
    cr_expect_eq(yl_cancel(t), 1, "the timer was disarmed");
    yl_join(t);
}

Test(layout, cancel_wakes_a_sleeper_wheel, .timeout = 30)
{
    cancelled_rc = 2;
    cr_assert_eq(yl_run(NULL, cancel_main, NULL), 0);
    cr_expect_eq(cancelled_rc, -1);
}

Test(layout, cancel_wakes_a_sleeper_heap, .timeout = 30)
{
    cancelled_rc = 2;
    yl_config c = {.timers = YL_TIMERS_HEAP};
    cr_assert_eq(yl_run(&c, cancel_main, NULL), 0);
    cr_expect_eq(cancelled_rc, -1);
}

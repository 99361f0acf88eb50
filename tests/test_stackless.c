/* test_stackless.c - stackless tasks: frames that resume where they left,
 * nested frames, join / wait group / mutex between both kinds, lazy ones,
 * foo's eight lines and seven units, the frame sizes the headers promise,
 * and misuse reported instead of silently hanging. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "stackless.h"
#include "support/run.h"
#include "yl.h"

static char order[256];
static void mark(const char *s)
{
    strncat(order, s, sizeof order - strlen(order) - 1);
}

/* ---- frames resume where they left ----------------------------------- */

/* A callee with a result: the caller reads it from the nested frame. */
struct sum_frame {
    yl_pc pc;
    int i, n; /* live across yields: in the frame */
    long result;
};

static yl_poll sum_poll(struct sum_frame *f)
{
    YL_BEGIN(f);
    for (f->i = 1; f->i <= f->n; f->i++) {
        f->result += f->i;
        YL_YIELD(f);
    }
    YL_END(f);
}

struct counter_frame {
    yl_pc pc;
    const char *name;
    struct sum_frame sum;
};

static yl_poll counter_poll(void *frame)
{
    struct counter_frame *f = frame;
    YL_BEGIN(f);
    mark(f->name);
    f->sum = (struct sum_frame){.n = 3};
    YL_AWAIT(f, sum_poll(&f->sum));
    cr_expect_eq(f->sum.result, 6, "%s: the callee's result", f->name);
    mark(f->name);
    YL_END(f);
}

static YL_SL_DEF(counter_def, "counter", counter_poll, struct counter_frame);

static void interleave_main(void *arg)
{
    (void)arg;
    yl_sl_go(&counter_def, &(struct counter_frame){.name = "A"});
    yl_sl_go(&counter_def, &(struct counter_frame){.name = "B"});
    mark("m");
}

Test(stackless, nested_frames_resume_where_they_left)
{
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, interleave_main, NULL), 0);
    /* Each yields three times inside sum: A and B take turns in FIFO order. */
    cr_expect_str_eq(order, "mABAB");
    cr_expect_eq(yl_get_stats().tasks_created, 3);
}

/* ---- join, wait group, mutex across the two kinds --------------------- */

struct sleeper_frame {
    yl_pc pc;
    unsigned ms;
    const char *name;
};

static yl_poll sleeper_poll(void *frame)
{
    struct sleeper_frame *f = frame;
    YL_BEGIN(f);
    YL_AWAIT(f, yl_sl_sleep_ms(f->ms));
    mark(f->name);
    YL_END(f);
}

static YL_SL_DEF(sleeper_def, "sleeper", sleeper_poll, struct sleeper_frame);

static void stackful_sleeper(void *arg)
{
    yl_sleep_ms(10);
    mark(arg);
}

struct joiner_frame {
    yl_pc pc;
    yl_task *a, *b;
};

static yl_poll joiner_poll(void *frame)
{
    struct joiner_frame *f = frame;
    YL_BEGIN(f);
    f->a = yl_sl_spawn(&sleeper_def, &(struct sleeper_frame){.ms = 20, .name = "s"});
    f->b = yl_spawn("fiber", stackful_sleeper, "f");
    cr_assert(f->a && f->b);
    YL_AWAIT(f, yl_sl_join(f->a)); /* stackless awaits stackless */
    mark("J");
    YL_AWAIT(f, yl_sl_join(f->b)); /* ... and a fiber that already finished */
    mark("K");
    YL_END(f);
}

static YL_SL_DEF(joiner_def, "joiner", joiner_poll, struct joiner_frame);

static void join_main(void *arg)
{
    (void)arg;
    yl_task *j = yl_sl_spawn(&joiner_def, NULL);
    cr_assert_not_null(j);
    yl_join(j); /* a fiber joins a stackless task */
    mark("M");
}

Test(stackless, join_works_both_ways)
{
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, join_main, NULL), 0);
    cr_expect_str_eq(order, "fsJKM");
    cr_expect_eq(yl_get_stats().tasks_live, 0, "every handle freed");
}

static yl_wg wg;
static yl_mutex mu;

struct locker_frame {
    yl_pc pc;
    const char *name;
};

static yl_poll locker_poll(void *frame)
{
    struct locker_frame *f = frame;
    YL_BEGIN(f);
    YL_AWAIT(f, yl_sl_mutex_lock(&mu));
    mark(f->name);
    YL_YIELD(f); /* hold it across a yield: the others queue up */
    yl_mutex_unlock(&mu);
    yl_wg_done(&wg);
    YL_END(f);
}

static YL_SL_DEF(locker_def, "locker", locker_poll, struct locker_frame);

struct waiter_frame {
    yl_pc pc;
};

static yl_poll waiter_poll(void *frame)
{
    struct waiter_frame *f = frame;
    YL_BEGIN(f);
    YL_AWAIT(f, yl_sl_wg_wait(&wg));
    mark("w");
    YL_AWAIT(f, yl_sl_wg_wait(&wg)); /* at zero: ready at once */
    mark("W");
    YL_END(f);
}

static YL_SL_DEF(waiter_def, "waiter", waiter_poll, struct waiter_frame);

static void lock_main(void *arg)
{
    (void)arg;
    yl_wg_init(&wg);
    yl_wg_add(&wg, 3);
    yl_mutex_init(&mu, YL_FIFO);
    yl_sl_go(&waiter_def, NULL);
    const char *names[] = {"1", "2", "3"};
    for (int i = 0; i < 3; i++)
        yl_sl_go(&locker_def, &(struct locker_frame){.name = names[i]});
    yl_wg_wait(&wg);
    mark("m");
}

Test(stackless, mutex_hands_over_in_order_and_wait_group_wakes_all)
{
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, lock_main, NULL), 0);
    /* FIFO hand-off; main waited on the group first, so it wakes first. */
    cr_expect_str_eq(order, "123mwW");
}

static int lazy_ran;
struct lazy_frame {
    yl_pc pc;
};

static yl_poll lazy_poll(void *frame)
{
    struct lazy_frame *f = frame;
    YL_BEGIN(f);
    lazy_ran++;
    YL_END(f);
}

static YL_SL_DEF(lazy_def, "lazy", lazy_poll, struct lazy_frame);

static void lazy_main(void *arg)
{
    (void)arg;
    yl_task *never = yl_sl_new(&lazy_def, NULL);
    yl_task *later = yl_sl_new(&lazy_def, NULL);
    cr_assert(never && later);
    yl_sleep_ms(2);
    cr_expect_eq(lazy_ran, 0, "a lazy stackless task ran before anyone started it");
    yl_detach(never);
    yl_join(later);
    cr_expect_eq(lazy_ran, 1);
}

Test(stackless, lazy_tasks_run_only_when_awaited)
{
    lazy_ran = 0;
    cr_assert_eq(yl_run(NULL, lazy_main, NULL), 0);
    cr_expect_eq(lazy_ran, 1);
}

/* ---- what the headers say a task costs -------------------------------- */

struct f2 {
    yl_pc pc;
};
struct f16 {
    yl_pc pc;
    void *p;
};
struct f17 {
    yl_pc pc;
    char c[15];
};
/* A frame that needs 16-byte alignment: its task is rounded to 16 and
 * placed on a 16-byte boundary. */
struct f_ld {
    yl_pc pc;
    long double x;
};
static YL_SL_DEF(def2, "f2", lazy_poll, struct f2);
static YL_SL_DEF(def16, "f16", lazy_poll, struct f16);
static YL_SL_DEF(def17, "f17", lazy_poll, struct f17);
static YL_SL_DEF(def_ld, "f_ld", lazy_poll, struct f_ld);
/* Made by hand, without YL_SL_DEF: the alignment is unknown, so 16. */
static const yl_sl_def def_noalign = {"f2?", lazy_poll, sizeof(struct f2), 0};

static void bytes_main(void *arg)
{
    (void)arg;
    uint64_t before = yl_get_stats().task_bytes;
    yl_task *t[100];
    for (int i = 0; i < 100; i++)
        cr_assert_not_null(t[i] = yl_sl_new(&def16, NULL));
    cr_expect_eq(yl_get_stats().task_bytes - before, 100 * yl_sl_task_bytes(&def16),
                 "the runtime holds header + frame per task, nothing more");
    for (int i = 0; i < 100; i++)
        yl_detach(t[i]);
    cr_expect_eq(yl_get_stats().task_bytes, before);
    for (int i = 0; i < 100; i++)
        cr_assert_not_null(t[i] = yl_sl_new(&def2, NULL));
    cr_expect_eq(yl_get_stats().task_bytes - before, 100 * 56, "56 bytes a task");
    for (int i = 0; i < 100; i++)
        yl_detach(t[i]);
}

Test(stackless, a_task_is_its_header_plus_its_frame)
{
    cr_expect_eq(sizeof(struct yl_task), YL_TASK_HEADER_BYTES);
    cr_expect_eq(sizeof(struct f16), 16);
    cr_expect_eq(yl_sl_task_bytes(&def2), YL_TASK_HEADER_BYTES + 8, "rounded up to 8");
    cr_expect_eq(yl_sl_task_bytes(&def16), YL_TASK_HEADER_BYTES + 16);
    cr_expect_eq(yl_sl_task_bytes(&def17), YL_TASK_HEADER_BYTES + 24, "rounded up to 8");
    cr_expect_eq(yl_sl_task_bytes(&def_ld), YL_TASK_HEADER_BYTES + sizeof(struct f_ld));
    cr_expect_eq(yl_sl_task_bytes(&def_ld) % 16, 0);
    cr_expect_eq(yl_sl_task_bytes(&def_noalign), YL_TASK_HEADER_BYTES + 16,
                 "alignment unknown: rounded up to 16");
    cr_expect_eq(yl_task_control_bytes() % YL_SL_ALIGN, 0);
    cr_expect_geq(yl_task_control_bytes(), sizeof(struct yl_fiber));
    cr_assert_eq(yl_run(NULL, bytes_main, NULL), 0);
}

/* 56-byte tasks and 16-aligned ones made in turn: every frame gets the
 * alignment its type needs, and a long double in it works. */
static yl_poll ld_poll(void *frame)
{
    struct f_ld *f = frame;
    YL_BEGIN(f);
    f->x = f->x * 3.0L + 1.0L;
    YL_YIELD(f);
    f->x += 0.5L;
    YL_END(f);
}
static YL_SL_DEF(ld_def, "ld", ld_poll, struct f_ld);

static void align_main(void *arg)
{
    (void)arg;
    enum { N = 64 };
    yl_task *small[N], *big[N];
    for (int i = 0; i < N; i++) {
        struct f_ld init = {.x = (long double)i};
        cr_assert_not_null(small[i] = yl_sl_spawn(&def2, NULL));
        cr_assert_not_null(big[i] = yl_sl_spawn(&ld_def, &init));
        cr_expect_eq((uintptr_t)small[i] % 8, 0);
        cr_expect_eq((uintptr_t)yl_sl_frame(big[i]) % _Alignof(struct f_ld), 0,
                     "task %d: a long double frame at %p", i, yl_sl_frame(big[i]));
    }
    for (int k = 0; k < 3; k++)
        yl_yield(); /* every task has finished; the handles keep the frames */
    for (int i = 0; i < N; i++) {
        long double x = ((struct f_ld *)yl_sl_frame(big[i]))->x;
        cr_expect(x == (long double)i * 3.0L + 1.5L, "task %d: x = %Lf", i, x);
        yl_join(small[i]);
        yl_join(big[i]);
    }
}

Test(stackless, small_frames_pack_to_8_aligned_ones_keep_16)
{
    cr_assert_eq(yl_run(NULL, align_main, NULL), 0);
}

/* The slab's own promise: 16-multiple sizes on 16, the others on 8, and
 * consecutive 56-byte objects 56 bytes apart. */
Test(stackless, slab_classes_every_8_bytes)
{
    struct yl_slab *s = yl__slab_new();
    cr_assert_not_null(s);
    cr_expect_eq(yl__slab_size(50), 56);
    cr_expect_eq(yl__slab_size(56), 56);
    cr_expect_eq(yl__slab_size(57), 64);
    char *prev = NULL;
    for (int i = 0; i < 1000; i++) {
        size_t size = i % 3 == 2 ? 80 : 56;
        char *p = yl__slab_alloc(s, size);
        cr_assert_not_null(p);
        cr_expect_eq((uintptr_t)p % (size % 16 ? 8 : 16), 0, "%zu bytes at %p", size, p);
        if (prev && i % 3 == 1)
            cr_expect_eq(p - prev, 56, "two 56-byte objects in a row");
        prev = p;
        p[size - 1] = 1;
    }
    cr_expect_eq(yl__slab_live_bytes(s), (uint64_t)(667 * 56 + 333 * 80));
    yl__slab_destroy(s);
}

/* The figure foo --sizes prints for `what`, or -1. */
static long size_of(const char *out, const char *what)
{
    const char *p = strstr(out, what);
    if (!p || !(p = strchr(p, '=')))
        return -1;
    return strtol(p + 1, NULL, 10);
}

Test(stackless, foo_frame_sizes_are_what_the_headers_say)
{
    const char *argv[] = {bin_path(0, "tasks", "foo"), "--kind", "stackless", "--sizes", NULL};
    char *out, *err;
    cr_assert_eq(run_prog(argv, &out, &err, 10), 0, "%s", err);
    long bar = size_of(out, "sizeof(struct bar_frame)");
    long foo1 = size_of(out, "sizeof(struct foo1_frame)");
    long foo2 = size_of(out, "sizeof(struct foo2_frame)");
    long header = size_of(out, "task header");
    long task1 = size_of(out, "stackless task foo1"), task2 = size_of(out, "stackless task foo2");
    cr_expect_eq(bar, (long)sizeof(yl_pc), "bar keeps only where to resume:\n%s", out);
    cr_expect_eq(foo1, bar + (long)sizeof(yl_pc), "foo1 = its pc + bar's frame:\n%s", out);
    cr_expect_eq(foo2, (long)sizeof(yl_pc), "%s", out);
    cr_expect_eq(header, (long)sizeof(struct yl_task), "%s", out);
    long align = YL_SL_ALIGN;
    cr_expect_eq(task1, (header + foo1 + align - 1) / align * align, "%s", out);
    cr_expect_eq(task2, (header + foo2 + align - 1) / align * align, "%s", out);
    free(out);
    free(err);
}

/* ---- foo, stackless ---------------------------------------------------- */

static const char foo_lines[] = "foo1 start\nbar start\nfoo2 start\nbar end\n"
                                "foo1 between\nfoo2 between\nfoo1 end\nfoo2 end\n";

Test(stackless, foo_prints_the_same_eight_lines)
{
    const char *argv[] = {bin_path(0, "tasks", "foo"), "--kind", "stackless", "--unit-ms", "50",
                          NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 30);
    cr_expect_eq(st, 0, "exit %d: %s", st, err);
    cr_expect_str_eq(out, foo_lines);
    free(out);
    free(err);
}

Test(stackless, foo_trace_has_the_same_seven_units)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/yltest-sl-trace-%d.csv", (int)getpid());
    const char *argv[] = {bin_path(0, "tasks", "foo"), "--kind", "stackless", "--unit-ms", "20",
                          "--trace", path, NULL};
    char *out;
    cr_assert_eq(run_prog(argv, &out, NULL, 30), 0);
    free(out);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char line[512], task[32], label[8];
    const char *want[7][2] = {{"main", "A"}, {"foo1", "A"}, {"foo2", "A"}, {"foo1", "B"},
                              {"foo2", "B"}, {"foo1", "C"}, {"foo2", "C"}};
    cr_assert_not_null(fgets(line, sizeof line, f));
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        cr_assert_eq(sscanf(line, "%*[^,],%*d,%31[^,],%7[^,],", task, label), 2, "%s", line);
        cr_assert_lt(n, 7, "more than 7 units");
        cr_expect_str_eq(task, want[n][0], "unit %d", n);
        cr_expect_str_eq(label, want[n][1], "unit %d", n);
        n++;
    }
    fclose(f);
    unlink(path);
    cr_expect_eq(n, 7);
}

Test(stackless, foo_kind_flag_is_checked)
{
    const char *argv[] = {bin_path(0, "tasks", "foo"), "--kind", "fibers", NULL};
    char *out, *err;
    cr_expect_eq(run_prog(argv, &out, &err, 10), 2);
    cr_expect(strstr(err, "--kind") != NULL, "%s", err);
    free(out);
    free(err);
}

/* ---- misuse ------------------------------------------------------------ */

struct idle_frame {
    yl_pc pc;
};

static yl_poll pending_for_nothing(void *frame)
{
    (void)frame;
    return YL_PENDING; /* nobody would ever wake it */
}

static YL_SL_DEF(idle_def, "idle", pending_for_nothing, struct idle_frame);

static void misuse_main(void *arg)
{
    (void)arg;
    yl_sl_go(&idle_def, NULL);
}

Test(stackless, pending_without_a_wait_is_reported, .signal = SIGABRT,
     .init = cr_redirect_stderr)
{
    yl_run(NULL, misuse_main, NULL);
}

static yl_poll waits_twice(void *frame)
{
    (void)frame;
    yl_sl_sleep_ms(1); /* not awaited: the poll goes on */
    yl_sl_sleep_ms(1); /* a second wait in the same poll */
    return YL_PENDING;
}

static YL_SL_DEF(twice_def, "twice", waits_twice, struct idle_frame);

static void twice_main(void *arg)
{
    (void)arg;
    yl_sl_go(&twice_def, NULL);
}

Test(stackless, waiting_twice_in_one_poll_is_reported, .signal = SIGABRT,
     .init = cr_redirect_stderr)
{
    yl_run(NULL, twice_main, NULL);
}

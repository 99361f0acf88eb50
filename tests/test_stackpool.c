/* test_stackpool.c - the stack pool: stacks come back and are handed out
 * again (not mapped anew, not zeroed, poisoned while in the pool under
 * ASan), their size is selectable, their guard page catches an overflow,
 * and running out of mappings (vm.max_map_count) gives one clear message
 * and a clean stop instead of a crash. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "san.h"
#include "support/run.h"
#include "yl.h"

#ifdef YL_ASAN
#include <sanitizer/asan_interface.h>
#define POISONED(p) __asan_address_is_poisoned(p)
#else
#define POISONED(p) 0
#endif

/* A deep frame: touches most of a 64 KiB stack, bottom included. */
__attribute__((noinline)) static void deep(void *arg)
{
    volatile char buf[48 * 1024];
    memset((char *)buf, (int)(uintptr_t)arg, sizeof buf);
    (void)buf[0];
}

static void join_one_at_a_time(void *arg)
{
    (void)arg;
    for (uintptr_t i = 0; i < 100; i++) {
        yl_task *t = yl_spawn("deep", deep, (void *)(i + 1));
        cr_assert_not_null(t);
        yl_join(t);
    }
}

Test(stackpool, a_finished_tasks_stack_is_handed_out_again)
{
    cr_assert_eq(yl_run(NULL, join_one_at_a_time, NULL), 0);
    yl_stats s = yl_get_stats();
    /* main's stack and one more: each task gets the one the previous left. */
    cr_expect_eq(s.stacks_carved, 2, "%llu stacks carved", (unsigned long long)s.stacks_carved);
    cr_expect_eq(s.stacks_reused, 99);
}

static void reuse_main(void *arg)
{
    (void)arg;
    struct yl_fiber a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    cr_assert(yl__stack_alloc(&a, 64 * 1024));
    char *lo = a.stack_lo;
    memset(lo, 0x5a, 4096); /* the deep end, as a task that used it all would */
    cr_expect_eq(POISONED(lo), 0, "a stack in use is not poisoned");
    yl__stack_free(&a);
#ifdef YL_ASAN
    cr_expect_neq(POISONED(lo), 0, "a stack in the pool is poisoned");
    cr_expect_neq(POISONED(lo + 64 * 1024 - 1), 0);
#endif
    cr_assert(yl__stack_alloc(&b, 64 * 1024));
    cr_expect_eq(b.stack_lo, lo, "the stack freed last is handed out first");
    cr_expect_eq(POISONED(lo), 0, "handed out again: unpoisoned");
    cr_expect_eq(POISONED(lo + 64 * 1024 - 1), 0);
    cr_expect_eq(lo[0], 0x5a, "and not zeroed: its pages stay as they were");
    yl__stack_free(&b);
    /* Real tasks on reused stacks: a false ASan report would crash this. */
    join_one_at_a_time(NULL);
}

Test(stackpool, a_reused_stack_is_not_zeroed_and_poisoned_only_in_the_pool)
{
    cr_assert_eq(yl_run(NULL, reuse_main, NULL), 0);
}

static size_t big_used;
__attribute__((noinline)) static void big_frame(void *arg)
{
    (void)arg;
    volatile char buf[200 * 1024];
    memset((char *)buf, 1, sizeof buf);
    big_used = sizeof buf + buf[0] - 1;
}

static void sized_main(void *arg)
{
    (void)arg;
    yl_task *t = yl_task_new("big", big_frame, NULL);
    cr_assert_not_null(t);
    yl_task_set_stack(t, 256 * 1024);
    yl_join(t);
}

Test(stackpool, stack_size_is_selectable)
{
    big_used = 0;
    cr_assert_eq(yl_run(NULL, sized_main, NULL), 0);
    cr_expect_eq(big_used, 200 * 1024);
}

#if defined(YL_ASAN) || defined(YL_TSAN)
Test(stackpool, guard_page_stops_an_overflow)
{
    cr_skip_test("a sanitizer reports the overflow its own way");
}
#else
/* Grows the stack a KiB at a time, as runaway recursion does, so the first
 * touch past the end lands on the guard page. */
__attribute__((noinline)) static int recurse(int depth, volatile char *up)
{
    volatile char pad[1024];
    pad[0] = (char)depth;
    /* pad is passed down and read after the call: no compiler can turn
     * this into a loop that reuses one frame. */
    int r = depth > 0 ? recurse(depth - 1, pad) : 0;
    return r + pad[0] + (up ? up[0] : 0);
}

static void overflow(void *arg)
{
    (void)arg;
    recurse(1000, NULL); /* ~1 MiB on a 64 KiB stack */
}

static void overflow_main(void *arg)
{
    (void)arg;
    yl_task *t = yl_spawn("runaway", overflow, NULL);
    yl_join(t);
}

Test(stackpool, guard_page_stops_an_overflow, .signal = SIGSEGV)
{
    yl_run(NULL, overflow_main, NULL);
}
#endif

/* ---- vm.max_map_count ------------------------------------------------- */

static void many_main(void *arg)
{
    int *made = arg;
    static yl_task *t[3000];
    for (*made = 0; *made < 3000; (*made)++) {
        errno = 0;
        if (!(t[*made] = yl_spawn("s", deep, NULL))) {
            cr_expect_eq(errno, ENOMEM);
            break;
        }
    }
    for (int i = 0; i < *made; i++)
        yl_join(t[i]);
}

Test(stackpool, the_map_count_limit_stops_spawning_with_a_clear_message,
     .init = cr_redirect_stderr)
{
    /* Pretend vm.max_map_count is 2000: about 800 guarded stacks fit. */
    setenv("YL_MAX_MAP_COUNT", "2000", 1);
    int made = 0;
    cr_assert_eq(yl_run(NULL, many_main, &made), 0, "the tasks made still ran");
    cr_expect(made > 100 && made < 1000, "%d guarded stacks", made);
    fflush(stderr);
    char msg[1024] = "";
    size_t len = fread(msg, 1, sizeof msg - 1, cr_get_redirected_stderr());
    msg[len] = '\0';
    cr_expect(strstr(msg, "yl: no room for another guarded stack: vm.max_map_count is 2000 "
                          "(YL_MAX_MAP_COUNT)") == msg, "%s", msg);
    cr_expect_eq(count_lines(msg), 1, "said once: %s", msg);
}

/* The same through the spawn program: the clear message, the rows before
 * the limit, a limit_units row, exit 0; unguarded stacks lift the limit. */
Test(stackpool, spawn_reports_the_map_count_limit_and_no_guard_lifts_it)
{
    setenv("YL_MAX_MAP_COUNT", "2000", 1);
    const char *argv[] = {bin_path(0, "tasks", "spawn"), "--n", "10,3000", "--sleep-ms", "1",
                          "--csv", NULL};
    char *out, *err;
    int st = run_prog(argv, &out, &err, 60);
    cr_expect_eq(st, 0, "exit %d: %s", st, err);
    cr_expect(strstr(err, "vm.max_map_count is 2000 (YL_MAX_MAP_COUNT)") != NULL, "%s", err);
    cr_expect(strstr(err, "YL_STACK_GUARD=0") != NULL, "the way out is named: %s", err);
    cr_expect(strstr(err, "n=3000: stopped after") != NULL, "%s", err);
    cr_expect(strstr(out, ",stackful,-,10,units,10,count") != NULL, "rows before kept:\n%s", out);
    cr_expect(strstr(out, ",3000,limit_units,") != NULL, "%s", out);
    free(out);
    free(err);

    const char *unguarded[] = {bin_path(0, "tasks", "spawn"), "--n", "10,3000", "--sleep-ms",
                               "1", "--no-guard", "--csv", NULL};
    st = run_prog(unguarded, &out, &err, 60);
    cr_expect_eq(st, 0, "exit %d: %s", st, err);
    cr_expect(strstr(out, ",stackful-noguard,-,3000,units,3000,count") != NULL, "%s", out);
    cr_expect(strstr(err, "max_map_count") == NULL, "%s", err);
    free(out);
    free(err);
}

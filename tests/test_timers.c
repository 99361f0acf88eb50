/* test_timers.c - the timing wheel and the heap behind sleeps: 100k
 * sleepers wake once each and in deadline order, nothing fires early,
 * the wheel on its own under a simulated clock (every level, cascades,
 * cancellation), and yl_cancel on a sleeping task. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "stackless.h"
#include "yl.h"

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rng = 1;
static uint64_t rnd31(void)
{
    rng = rng * 6364136223846793005u + 1442695040888963407u;
    return rng >> 33; /* the high bits: an LCG's low ones repeat */
}

/* 0..n-1, for any n up to 2^62 (one draw has 31 bits: two when needed,
 * or deadlines meant to reach hours would all stay under 2^31 ns). */
static uint64_t rnd(uint64_t n)
{
    uint64_t v = rnd31();
    if (n > (1ull << 31))
        v = v << 31 | rnd31();
    return v % n;
}

static uint64_t tick_end(uint64_t ns) /* the end of ns's tick: when it may fire */
{
    return (ns + YL_WHEEL_TICK_NS - 1) / YL_WHEEL_TICK_NS * YL_WHEEL_TICK_NS;
}

/* ---- 100k stackless sleepers ------------------------------------------- */

enum { SLEEPERS = 100000 };

static struct {
    unsigned char woke[SLEEPERS];
    uint64_t order[SLEEPERS]; /* deadlines, in the order the tasks woke */
    size_t n;
    int early;
} sl;

struct sleep_frame {
    yl_pc pc;
    uint32_t i, us;
};

static yl_poll sleep_poll(void *frame)
{
    struct sleep_frame *f = frame;
    YL_BEGIN(f);
    YL_AWAIT(f, yl_sl_sleep_us(f->us));
    uint64_t now = mono_ns(), due = yl_deadline_ns();
    if (now < due)
        sl.early++;
    sl.woke[f->i]++;
    sl.order[sl.n++] = due;
    YL_END(f);
}

static YL_SL_DEF(sleep_def, "sleeper", sleep_poll, struct sleep_frame);

static void sleepers_main(void *arg)
{
    (void)arg;
    rng = 7;
    for (uint32_t i = 0; i < SLEEPERS; i++) {
        /* 1 us to 400 ms: level 0, level 1 and the spreading between. */
        struct sleep_frame f = {.i = i, .us = 1 + (uint32_t)rnd(400000)};
        cr_assert_eq(yl_sl_go(&sleep_def, &f), 0);
    }
}

static void run_sleepers(enum yl_timers kind)
{
    memset(&sl, 0, sizeof sl);
    yl_config c = {.timers = kind};
    cr_assert_eq(yl_run(&c, sleepers_main, NULL), 0);
    cr_expect_eq(sl.n, SLEEPERS);
    cr_expect_eq(sl.early, 0, "%d timers fired before their deadline", sl.early);
    int twice = 0, never = 0;
    for (size_t i = 0; i < SLEEPERS; i++) {
        twice += sl.woke[i] > 1;
        never += sl.woke[i] == 0;
    }
    cr_expect_eq(twice + never, 0, "%d woke twice, %d never", twice, never);
    size_t bad_tick = 0, bad_exact = 0;
    for (size_t i = 1; i < sl.n; i++) {
        bad_tick += tick_end(sl.order[i]) < tick_end(sl.order[i - 1]);
        bad_exact += sl.order[i] < sl.order[i - 1];
    }
    cr_expect_eq(bad_tick, 0, "%zu wake-ups came after a later tick's", bad_tick);
    /* Both fire a tick in deadline order: the whole run is in order. */
    cr_expect_eq(bad_exact, 0, "%zu wake-ups out of deadline order", bad_exact);
}

Test(timers, wheel_wakes_100k_stackless_sleepers_once_in_deadline_order)
{
    run_sleepers(YL_TIMERS_WHEEL);
}

Test(timers, heap_wakes_100k_stackless_sleepers_once_in_deadline_order)
{
    run_sleepers(YL_TIMERS_HEAP);
}

/* ---- never early ------------------------------------------------------- */

static int early_count;
static void measured_sleep(void *arg)
{
    uint64_t us = (uint64_t)(uintptr_t)arg;
    uint64_t t0 = mono_ns();
    cr_expect_eq(yl_sleep_us(us), 0);
    uint64_t now = mono_ns();
    if (now < t0 + us * 1000 || now < yl_deadline_ns())
        early_count++;
}

static void early_main(void *arg)
{
    (void)arg;
    for (uintptr_t us = 1; us < 20000; us = us * 3 / 2 + 1)
        for (int k = 0; k < 3; k++)
            yl_go("s", measured_sleep, (void *)(us + (uintptr_t)k * 333));
}

Test(timers, no_timer_fires_early)
{
    enum yl_timers kinds[] = {YL_TIMERS_WHEEL, YL_TIMERS_HEAP};
    for (int k = 0; k < 2; k++) {
        early_count = 0;
        yl_config c = {.timers = kinds[k]};
        cr_assert_eq(yl_run(&c, early_main, NULL), 0);
        cr_expect_eq(early_count, 0, "timers %d: %d woke early", k, early_count);
    }
}

/* ---- the wheel alone, under a simulated clock -------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

Test(timers, wheel_on_its_own_every_level_in_order_never_early)
{
    enum { N = 20000 };
    static yl_task t[N];
    static uint64_t want[N];
    static unsigned char fired[N];
    struct yl_wheel *wh = malloc(sizeof *wh);
    cr_assert_not_null(wh);
    memset(t, 0, sizeof t);
    memset(fired, 0, sizeof fired);
    uint64_t now = 5000000000000u + 123456; /* not on a tick */
    yl__wheel_init(wh, now);
    rng = 11;
    for (size_t i = 0; i < N; i++) {
        uint64_t d;
        switch (i % 5) {
        case 0: d = rnd(10000000); break;                     /* < 10 ms */
        case 1: d = rnd(600000000); break;                    /* < 600 ms */
        case 2: d = rnd(120000000000u); break;                /* < 2 min */
        /* Log-uniform over the wheel's whole reach, 1 ns to 2^32 ticks
         * (49 days): every level, level 3 (beyond 2^24 ticks) included. */
        case 3: d = rnd((1ull << rnd(53)) + 1); break;
        default: d = 256000000u * (1 + rnd(8)) + rnd(3); break; /* block edges */
        }
        want[i] = now + d;
        yl__wheel_add(wh, &t[i], now + d, now);
    }
    cr_expect_eq(wh->count, N);
    /* Each level holds timers: a random draw that missed one would leave
     * its cascade untested. */
    bool used[YL_WHEEL_LEVELS] = {false};
    for (size_t k = 0; k < YL_WHEEL_L0 / 64; k++)
        used[0] |= wh->l0_bits[k] != 0;
    for (int l = 1; l < YL_WHEEL_LEVELS; l++)
        for (size_t k = 0; k < YL_WHEEL_SLOTS / 64; k++)
            used[l] |= wh->bits[l - 1][k] != 0;
    for (int l = 0; l < YL_WHEEL_LEVELS; l++)
        cr_assert(used[l], "no timer was placed in level %d", l);
    qsort(want, N, sizeof want[0], cmp_u64);
    size_t got = 0;
    uint64_t last = 0;
    int steps = 0;
    while (got < N) {
        uint64_t next = yl__wheel_next_ns(wh);
        cr_assert_neq(next, UINT64_MAX, "timers left but no next time");
        /* The worker would sleep until next: it must not be after the
         * earliest timer left could fire. */
        cr_assert_leq(next, tick_end(want[got]), "next %llu past a due timer at %llu",
                      (unsigned long long)next, (unsigned long long)want[got]);
        /* Sometimes wake early or late, as a busy worker does. */
        uint64_t r = rnd(4);
        now = r == 0 ? now + rnd(3000000) : r == 1 ? next + rnd(2000000) : next > now ? next : now;
        for (yl_task *x = yl__wheel_expire(wh, now, rnd(2)); x; x = x->next) {
            size_t i = (size_t)(x - t);
            cr_assert_lt(i, N);
            cr_assert_eq(fired[i]++, 0, "timer %zu fired twice", i);
            cr_assert_leq(x->deadline_ns, now, "fired before its deadline");
            cr_assert_geq(x->deadline_ns, last, "out of deadline order");
            last = x->deadline_ns;
            got++;
        }
        steps++;
    }
    cr_expect_eq(wh->count, 0);
    cr_expect_eq(yl__wheel_next_ns(wh), UINT64_MAX);
    yl__wheel_destroy(wh);
    free(wh);
}

Test(timers, wheel_cancel_takes_a_timer_out)
{
    enum { N = 3000 };
    static yl_task t[N];
    static unsigned char fired[N];
    struct yl_wheel *wh = malloc(sizeof *wh);
    cr_assert_not_null(wh);
    memset(t, 0, sizeof t);
    memset(fired, 0, sizeof fired);
    uint64_t now = 1000000000000u;
    yl__wheel_init(wh, now);
    rng = 5;
    for (size_t i = 0; i < N; i++)
        yl__wheel_add(wh, &t[i], now + rnd(2000000000u), now);
    for (size_t i = 0; i < N; i += 2)
        yl__wheel_del(wh, &t[i]);
    cr_expect_eq(wh->count, N / 2);
    for (int k = 0; k < 3000 && wh->count; k++) {
        now += 1000000;
        for (yl_task *x = yl__wheel_expire(wh, now, true); x; x = x->next)
            fired[x - t]++;
    }
    for (size_t i = 0; i < N; i++)
        cr_expect_eq(fired[i], i % 2 ? 1 : 0, "timer %zu fired %d times", i, fired[i]);
    yl__wheel_destroy(wh);
    free(wh);
}

Test(timers, wheel_holds_a_deadline_beyond_its_reach)
{
    struct yl_wheel *wh = malloc(sizeof *wh);
    cr_assert_not_null(wh);
    yl_task t;
    memset(&t, 0, sizeof t);
    uint64_t now = 1000000000000u, d = now + 60ull * 86400 * 1000000000; /* 60 days */
    yl__wheel_init(wh, now);
    yl__wheel_add(wh, &t, d, now);
    cr_expect_null(yl__wheel_expire(wh, d - 1, true), "fired early");
    cr_expect_eq(yl__wheel_expire(wh, d, true), &t, "fired at its deadline");
    yl__wheel_destroy(wh);
    free(wh);
}

/* ---- yl_cancel ---------------------------------------------------------- */

static struct {
    int slept, again;
    bool cancelled;
    int err;
} cx;

static void long_sleeper(void *arg)
{
    (void)arg;
    cx.slept = yl_sleep_ms(60000);
    cx.err = errno;
    cx.cancelled = yl_cancelled();
    cx.again = yl_sleep_ms(60000); /* cancelled: at once */
}

struct long_frame {
    yl_pc pc;
};

static yl_poll long_poll(void *frame)
{
    struct long_frame *f = frame;
    YL_BEGIN(f);
    YL_AWAIT(f, yl_sl_sleep_ms(60000));
    cx.cancelled = yl_cancelled();
    YL_AWAIT(f, yl_sl_sleep_ms(60000));
    cx.again = 1;
    YL_END(f);
}

static YL_SL_DEF(long_def, "long", long_poll, struct long_frame);

static void cancel_main(void *arg)
{
    bool stackless = arg != NULL;
    yl_task *t = stackless ? yl_sl_spawn(&long_def, NULL) : yl_spawn("long", long_sleeper, NULL);
    cr_assert_not_null(t);
    yl_sleep_ms(5); /* t is asleep now */
    struct yl_worker *w = yl__worker();
    if (w->rt->timers == YL_TIMERS_WHEEL)
        cr_expect_eq(yl__timers_count(w), 1, "t's timer is armed");
    cr_expect_eq(yl_cancel(t), 1, "t was asleep: woken");
    if (w->rt->timers == YL_TIMERS_WHEEL) {
        cr_expect_eq(yl__timers_count(w), 0, "the wheel let go of t's timer");
    } else {
        cr_expect_eq(t->heap_idx, SIZE_MAX, "the heap let go of t");
        for (size_t i = 0; i < w->timers.len; i++)
            cr_expect_neq(w->timers.v[i], t, "t is still in the heap");
    }
    yl_join(t); /* a 60 s sleep that did not end would time the test out */
}

static void expect_cancel(enum yl_timers kind, bool stackless)
{
    memset(&cx, 0, sizeof cx);
    yl_config c = {.timers = kind};
    cr_assert_eq(yl_run(&c, cancel_main, stackless ? &c : NULL), 0);
    cr_expect(cx.cancelled, "yl_cancelled() says so");
    if (stackless) {
        cr_expect_eq(cx.again, 1, "the next sleep returned at once");
    } else {
        cr_expect_eq(cx.slept, -1);
        cr_expect_eq(cx.err, ECANCELED);
        cr_expect_eq(cx.again, -1, "the next sleep returned at once");
    }
}

Test(timers, cancel_wakes_a_sleeping_task)
{
    expect_cancel(YL_TIMERS_WHEEL, false);
    expect_cancel(YL_TIMERS_HEAP, false);
    expect_cancel(YL_TIMERS_WHEEL, true);
    expect_cancel(YL_TIMERS_HEAP, true);
}

static void not_asleep_main(void *arg)
{
    (void)arg;
    yl_task *t = yl_spawn("long", long_sleeper, NULL);
    cr_expect_eq(yl_cancel(t), 0, "t has not run yet: nothing to wake");
    yl_join(t); /* its first sleep returns at once */
}

Test(timers, cancel_before_the_sleep_makes_it_return_at_once)
{
    memset(&cx, 0, sizeof cx);
    cr_assert_eq(yl_run(NULL, not_asleep_main, NULL), 0);
    cr_expect_eq(cx.slept, -1);
    cr_expect_eq(cx.again, -1);
}

static void stealing_cancel_main(void *arg)
{
    (void)arg;
    yl_task *t = yl_sl_spawn(&sleep_def, &(struct sleep_frame){.us = 20000});
    cr_assert_not_null(t);
    errno = 0;
    cr_expect_eq(yl_cancel(t), -1, "under stealing t's timer may be on either worker");
    cr_expect_eq(errno, EXDEV);
    yl_join(t);
    cr_expect_eq(yl_cancel(yl_self()), 0, "cancelling oneself always works");
    cr_expect_eq(yl_sleep_ms(60000), -1, "and the sleep returns at once");
}

Test(timers, cancel_across_workers_is_refused)
{
    memset(&sl, 0, sizeof sl);
    yl_config c = {.exec = YL_EXEC_STEALING, .workers = 2};
    cr_assert_eq(yl_run(&c, stealing_cancel_main, NULL), 0);
}

static void nothing(void *arg)
{
    (void)arg;
}

Test(timers, bad_timer_name_is_refused, .init = cr_redirect_stderr)
{
    setenv("YL_TIMERS", "calendar", 1);
    cr_expect_eq(yl_run(NULL, nothing, NULL), -1);
    unsetenv("YL_TIMERS");
    fflush(stderr);
    cr_expect_stderr_eq_str("yl: YL_TIMERS: 'calendar' is not one of wheel|heap\n");
}

/* pingpong (tasks) - the cost of one switch between two tasks.
 *
 *   yield  two tasks on the one worker call yl_yield in turn: each yield
 *          goes task -> scheduler -> the other task, the full path a real
 *          task switch takes (run queue included). Counted by the runtime's
 *          own switch counter.
 *   raw    the bare context switch, no scheduler at all: two contexts on
 *          stacks of their own, yl_ctx_switch straight from one to the
 *          other. Only the callee-saved registers and the stack pointer
 *          move; no system call, no kernel.
 *   boost  the same ping-pong with Boost.Context's jump_fcontext (the
 *          switch under Boost.Coroutine2 and Boost.Fiber), for a yardstick
 *          measured in the same run as raw. Built only where
 *          libboost_context is installed (see runtime/build.mk).
 * A round trip is two switches. The baseline (lmbench's idea of removing
 * what is not the switch) is the same loop by one task alone without
 * switching: for tasks the yield *is* the hand-off, there is no pipe or
 * futex call around it, so only the loop itself is left to subtract.
 */
#include "cli.h"
#include "ctx.h"
#include "measure.h"
#include "san.h"
#include "yl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_THREAD__)
#define PP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PP_TSAN 1
#endif
#endif
#ifdef PP_TSAN
#include <sanitizer/tsan_interface.h>
#endif

static const char usage[] =
    "usage: pingpong [--iters M] [--variant yield|raw|boost] [--cpus CPU] [--csv] [--timeout S]\n"
    "Two tasks hand a token back and forth M times; prints the cost of one switch.\n"
    "  --iters M       round trips (default 100000); each is 2 switches\n"
    "  --variant V     yield (through the scheduler), raw (bare context switch)\n"
    "                  or boost (Boost.Context's jump_fcontext; only in builds\n"
    "                  where libboost_context was found) (default: all built, in\n"
    "                  that order)\n"
    "  --cpus CPU      pin the worker to this CPU (tasks share one worker, so\n"
    "                  one CPU only; default: not pinned)\n"
    "  --csv           CSV rows on stdout, summary on stderr\n"
    "  --timeout S     give up after S seconds (default 300)\n"
    "Rows per variant (n = M): ns_per_switch, ns_per_switch_baseline,\n"
    "ns_per_switch_net, switches (2M, the divisor), switches_counted, elapsed_ms;\n"
    "then yield's per_raw_switch (yield / raw) and raw's per_boost_switch\n"
    "(raw / boost), both from this run, when both variants were measured.\n";

enum variant { V_YIELD, V_RAW, V_BOOST };
static const char *const variants[] = {"yield", "raw", "boost", NULL};

/* ---- yield: through the scheduler ------------------------------------ */

struct game {
    uint64_t iters;
    volatile uint64_t token;  /* who holds it: 0 = A, 1 = B */
    int b_ready, a_done;
    uint64_t elapsed_ns, counted;
    uint64_t out_of_turn;     /* a task found the token not its own */
};

static void player_a(void *arg)
{
    struct game *g = arg;
    while (!g->b_ready)
        yl_yield();
    uint64_t s0 = yl_get_stats().switches;
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < g->iters; i++) {
        g->token = 1;
        yl_yield(); /* B runs, gives the token back, yields to us */
        g->out_of_turn += g->token != 0;
    }
    uint64_t t1 = now_ns();
    g->counted = yl_get_stats().switches - s0;
    g->elapsed_ns = t1 - t0;
    g->a_done = 1;
}

static void player_b(void *arg)
{
    struct game *g = arg;
    g->b_ready = 1;
    yl_yield();
    while (!g->a_done) {
        g->out_of_turn += g->token != 1;
        g->token = 0;
        yl_yield();
    }
}

static void yield_main(void *arg)
{
    struct game *g = arg;
    yl_task *a = yl_spawn("A", player_a, g);
    yl_task *b = yl_spawn("B", player_b, g);
    if (!a || !b)
        cli_fail("yl_spawn: out of memory");
    yl_join(a);
    yl_join(b);
}

/* The loop of A without the yield, 2M times. */
static uint64_t loop_baseline(uint64_t n)
{
    volatile uint64_t token = 0;
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < n; i++)
        token = i & 1;
    (void)token;
    return now_ns() - t0;
}

static void run_yield(uint64_t iters, struct switch_run *r)
{
    struct game g = {.iters = iters};
    /* The game is defined on one worker: two workers would run A and B
     * at the same time and no switch would happen at all. */
    unsetenv("YL_EXEC");
    unsetenv("YL_WORKERS");
    if (yl_run(NULL, yield_main, &g) != 0)
        cli_fail("the runtime failed");
    if (g.out_of_turn)
        cli_fail("the token was out of turn %llu times", (unsigned long long)g.out_of_turn);
    r->elapsed_ns = g.elapsed_ns;
    r->counted = g.counted;
}

/* ---- raw: the bare switch -------------------------------------------- */

#define RAW_STACK (64 * 1024)

static struct raw {
    yl_ctx main, a, b;
    const void *lo_main;               /* the thread's own stack (ASan tells) */
    void *lo_a, *lo_b;
    size_t size_main;
    void *fake_main, *fake_a, *fake_b; /* ASan's per-stack state */
#ifdef PP_TSAN
    void *fib_main, *fib_a, *fib_b;
#endif
    uint64_t iters, count, elapsed_ns;
} raw;

/* Every switch goes through here: yl_ctx_switch plus what the sanitizers
 * must be told (nothing in a normal build). */
static inline void raw_switch(yl_ctx *from, void **fake, yl_ctx *to, const void *to_lo,
                              size_t to_size, void *to_fiber)
{
    (void)to_fiber;
    yl_san_start_switch(fake, to_lo, to_size);
#ifdef PP_TSAN
    __tsan_switch_to_fiber(to_fiber, 0);
#endif
    yl_ctx_switch(from, to);
    yl_san_finish_switch(*fake, NULL, NULL);
}

#ifdef PP_TSAN
#define FIB(x) raw.fib_##x
#else
#define FIB(x) NULL
#endif

static void raw_a(void *arg)
{
    (void)arg;
    yl_san_finish_switch(NULL, &raw.lo_main, &raw.size_main);
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < raw.iters; i++) {
        raw.count++;
        raw_switch(&raw.a, &raw.fake_a, &raw.b, raw.lo_b, RAW_STACK, FIB(b));
    }
    raw.elapsed_ns = now_ns() - t0;
    raw_switch(&raw.a, &raw.fake_a, &raw.main, raw.lo_main, raw.size_main, FIB(main));
}

static void raw_b(void *arg)
{
    (void)arg;
    yl_san_finish_switch(NULL, NULL, NULL);
    for (;;) {
        raw.count++;
        raw_switch(&raw.b, &raw.fake_b, &raw.a, raw.lo_a, RAW_STACK, FIB(a));
    }
}

static void raw_never(void *arg)
{
    (void)arg;
    abort(); /* raw_a and raw_b never return */
}

static void *raw_stack(void)
{
    void *p = mmap(NULL, RAW_STACK, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (p == MAP_FAILED)
        cli_fail("mmap of a %d KiB stack: %s", RAW_STACK / 1024, strerror(errno));
    return p;
}

static void run_raw(uint64_t iters, struct switch_run *r)
{
    memset(&raw, 0, sizeof raw);
    raw.iters = iters;
    raw.lo_a = raw_stack();
    raw.lo_b = raw_stack();
    yl_ctx_make(&raw.a, raw.lo_a, RAW_STACK, raw_a, NULL, raw_never, NULL);
    yl_ctx_make(&raw.b, raw.lo_b, RAW_STACK, raw_b, NULL, raw_never, NULL);
#ifdef PP_TSAN
    raw.fib_main = __tsan_get_current_fiber();
    raw.fib_a = __tsan_create_fiber(0);
    raw.fib_b = __tsan_create_fiber(0);
#endif
    raw_switch(&raw.main, &raw.fake_main, &raw.a, raw.lo_a, RAW_STACK, FIB(a));
#ifdef PP_TSAN
    __tsan_destroy_fiber(raw.fib_a);
    __tsan_destroy_fiber(raw.fib_b);
#endif
    /* B is parked in mid-switch on its stack forever: just drop it. */
    yl_san_unpoison(raw.lo_a, RAW_STACK);
    yl_san_unpoison(raw.lo_b, RAW_STACK);
    munmap(raw.lo_a, RAW_STACK);
    munmap(raw.lo_b, RAW_STACK);
    r->elapsed_ns = raw.elapsed_ns;
    r->counted = raw.count;
}

/* ---- boost: Boost.Context's switch ---------------------------------- */

#ifdef PP_BOOST
/* Boost.Context's C interface (boost/context/detail/fcontext.hpp), declared
 * here: it is C++ headers only, but the symbols are plain C. A context is
 * its saved stack pointer; a jump returns the context that jumped to us. */
typedef void *fcontext_t;
typedef struct {
    fcontext_t fctx;
    void *data;
} transfer_t;
transfer_t jump_fcontext(fcontext_t const to, void *vp);
fcontext_t make_fcontext(void *sp, size_t size, void (*fn)(transfer_t));

static struct {
    fcontext_t main, b;
    uint64_t iters, count, elapsed_ns;
} bst;

/* The same loop as raw_a: one count and one switch per turn. */
static void bst_a(transfer_t t)
{
    bst.main = t.fctx;
    t = jump_fcontext(bst.b, NULL); /* B starts and hands its context back */
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < bst.iters; i++) {
        bst.count++;
        t = jump_fcontext(t.fctx, NULL);
    }
    bst.elapsed_ns = now_ns() - t0;
    jump_fcontext(bst.main, NULL);
    abort(); /* main never comes back here */
}

static void bst_b(transfer_t t)
{
    for (;;) {
        bst.count++;
        t = jump_fcontext(t.fctx, NULL);
    }
}

static void run_boost(uint64_t iters, struct switch_run *r)
{
    memset(&bst, 0, sizeof bst);
    bst.iters = iters;
    void *lo_a = raw_stack(), *lo_b = raw_stack();
    /* make_fcontext takes the top of the stack: it grows down. */
    fcontext_t a = make_fcontext((char *)lo_a + RAW_STACK, RAW_STACK, bst_a);
    bst.b = make_fcontext((char *)lo_b + RAW_STACK, RAW_STACK, bst_b);
    jump_fcontext(a, NULL);
    munmap(lo_a, RAW_STACK);
    munmap(lo_b, RAW_STACK);
    r->elapsed_ns = bst.elapsed_ns;
    r->counted = bst.count - 1; /* B's first count is before the timed loop */
}
#endif

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    uint64_t iters = 100000;
    int only = -1;
    struct cpu_list cpus = {.n = 0};
    bool csv = false;
    const char *cpu_list = NULL;
    const struct cli_opt opts[] = {
        {"--iters", CLI_U64, &iters, 1, 1000000000, NULL},
        {"--variant", CLI_CHOICE, &only, 0, 0, variants},
        {"--cpus", CLI_STR, &cpu_list, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 300);
    cpus_flag_pin_one("--cpus", cpu_list, &cpus);
    csv_enable(csv);

#ifndef PP_BOOST
    if (only == V_BOOST)
        cli_fail("--variant boost: this build has no Boost.Context (install "
                 "libboost-context-dev and rebuild)");
#endif
    /* The variants take turns, ROUNDS times, each round a share of the
     * round trips: on a loaded machine a slow spell then hits all of them
     * instead of one, and the ratios below compare like with like. */
    enum { ROUNDS = 8 };
    struct switch_run runs[3] = {{.iters = iters}, {.iters = iters}, {.iters = iters}};
    bool built[3] = {true, true, false};
#ifdef PP_BOOST
    built[V_BOOST] = true;
#endif
    uint64_t rounds = iters < ROUNDS ? 1 : ROUNDS;
    for (uint64_t k = 0; k < rounds; k++) {
        uint64_t share = iters / rounds + (k + 1 == rounds ? iters % rounds : 0);
        for (int v = V_YIELD; v <= V_BOOST; v++) {
            if ((only >= 0 && only != v) || !built[v])
                continue;
            struct switch_run r = {.iters = share};
            if (v == V_YIELD)
                run_yield(share, &r);
            else if (v == V_RAW)
                run_raw(share, &r);
#ifdef PP_BOOST
            else
                run_boost(share, &r);
#endif
            runs[v].elapsed_ns += r.elapsed_ns;
            runs[v].counted += r.counted;
            runs[v].base_ns += loop_baseline(2 * share);
        }
    }
    double per_switch[3] = {0, 0, 0}; /* ns, by variant, for the ratios */
    for (int v = V_YIELD; v <= V_BOOST; v++) {
        if ((only >= 0 && only != v) || !built[v])
            continue;
        struct csv_key key = {.experiment = "pingpong", .model = "tasks",
                              .variant = variants[v]};
        cpus_format(&cpus, key.cpus, sizeof key.cpus);
        switch_report(&key, &runs[v]);
        per_switch[v] = (double)runs[v].elapsed_ns / (double)(2 * iters);
    }
    /* The ratios the report states, each from this one process's runs, so
     * a median over repetitions pairs figures taken side by side. */
    struct csv_key key = {.experiment = "pingpong", .model = "tasks"};
    cpus_format(&cpus, key.cpus, sizeof key.cpus);
    if (per_switch[V_YIELD] > 0 && per_switch[V_RAW] > 0) {
        key.variant = "yield";
        csv_row(&key, iters, "per_raw_switch", per_switch[V_YIELD] / per_switch[V_RAW], "x");
    }
    if (per_switch[V_RAW] > 0 && per_switch[V_BOOST] > 0) {
        key.variant = "raw";
        csv_row(&key, iters, "per_boost_switch", per_switch[V_RAW] / per_switch[V_BOOST], "x");
    }
    return 0;
}

/* foo (tasks) - the article's foo1/foo2/bar as async tasks on libyl.
 *
 * main spawns foo1 and foo2 without waiting for them, as a JavaScript
 * main() calls two async functions without await. One worker runs every
 * unit to completion, so the output order is fixed by the sleeps alone.
 * With several workers (YL_EXEC=sharded|stealing) foo1 and foo2 really
 * run in parallel, so main, like threads/foo.c, starts foo1, waits for its
 * first sleep, then starts foo2.
 * Compare with threads/foo.c and procs/foo.c: same shape, other units.
 *
 * --kind stackless runs the same three functions as stackless tasks: each
 * a frame struct and a poll function, what a compiler makes of an async
 * fn; --sizes prints what those frames cost.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "stackless.h"
#include "yl.h"

static const char usage[] =
    "usage: foo [--unit-ms K] [--trace FILE] [--kind stackful|stackless] [--sizes]\n"
    "           [--exec single|sharded|stealing] [--workers N] [--timeout S]\n"
    "Runs the article's foo1/foo2/bar workload as async tasks (one worker by default).\n"
    "  --unit-ms K   time unit: bar sleeps 2K ms, foo1 and foo2 sleep 3K ms (default 1)\n"
    "  --trace FILE  write every executed unit as trace CSV to FILE\n"
    "  --kind K      stackful (default: each task on its own stack) or stackless\n"
    "                (each task a frame struct and a poll function)\n"
    "  --sizes       print the bytes each stackless frame and task takes, and exit\n"
    "  --exec E      executor (default single, or YL_EXEC); --workers N for the others\n"
    "  --timeout S   give up after S seconds (default 60)\n";

static uint64_t unit_ms = 1;

/* What a task knows about itself: the gate it opens at its first sleep
 * (NULL when nobody waits for that). */
struct unit {
    yl_wg *started;
};

/* A yield point: the task's unit ends here and the worker runs another. */
static void sleep_ms(uint64_t ms)
{
    struct unit *self = yl_task_arg();
    if (self && self->started) {
        yl_wg_done(self->started);
        self->started = NULL;
    }
    yl_sleep_ms(ms);
}

static void bar(void)
{
    cli_say("bar start");
    sleep_ms(2 * unit_ms);
    cli_say("bar end");
}

static void foo1(void *arg)
{
    (void)arg;
    cli_say("foo1 start");
    bar(); /* an ordinary call: bar's sleep suspends foo1's whole stack */
    cli_say("foo1 between");
    sleep_ms(3 * unit_ms);
    cli_say("foo1 end");
}

static void foo2(void *arg)
{
    (void)arg;
    cli_say("foo2 start");
    sleep_ms(3 * unit_ms);
    cli_say("foo2 between");
    sleep_ms(3 * unit_ms);
    cli_say("foo2 end");
}

/* The "start" unit: spawn both and return without awaiting either. */
static void start(void *arg)
{
    (void)arg;
    static struct unit u1, u2;
    yl_wg started;
    yl_wg_init(&started);
    bool gate = yl_workers() > 1; /* one worker's FIFO queue orders them for free */
    if (gate) {
        yl_wg_add(&started, 1);
        u1.started = &started;
    }
    if (yl_go("foo1", foo1, &u1) != 0)
        cli_fail("out of memory spawning tasks");
    yl_wg_wait(&started);
    if (yl_go("foo2", foo2, &u2) != 0)
        cli_fail("out of memory spawning tasks");
}

/* ---- the same three functions, stackless --------------------------- */

/* What survives a yield point, and nothing else: where to resume, and the
 * frame of the callee being awaited, nested as a compiler nests futures.
 * The sleeps need no room here: the timer node is in the task header. */
struct bar_frame {
    yl_pc pc;
};

struct foo1_frame {
    yl_pc pc;
    struct bar_frame bar; /* only while bar is awaited */
};

struct foo2_frame {
    yl_pc pc;
};

/* Several workers: main waits until foo1 reaches its first sleep, as in
 * the stackful version. The gate is global, not in foo1's frame: only the
 * first sleep of the run opens it, and foo2 does not exist before. */
static yl_wg *first_sleep;

static yl_poll sl_sleep_ms(uint64_t ms)
{
    yl_wg *g = first_sleep;
    if (g) {
        first_sleep = NULL;
        yl_wg_done(g);
    }
    return yl_sl_sleep_ms(ms);
}

static yl_poll bar_poll(struct bar_frame *f)
{
    YL_BEGIN(f);
    cli_say("bar start");
    YL_AWAIT(f, sl_sleep_ms(2 * unit_ms));
    cli_say("bar end");
    YL_END(f);
}

static yl_poll foo1_poll(void *frame)
{
    struct foo1_frame *f = frame;
    YL_BEGIN(f);
    cli_say("foo1 start");
    f->bar = (struct bar_frame){0}; /* calling bar() builds its frame... */
    YL_AWAIT(f, bar_poll(&f->bar)); /* ...awaiting it polls that frame */
    cli_say("foo1 between");
    YL_AWAIT(f, sl_sleep_ms(3 * unit_ms));
    cli_say("foo1 end");
    YL_END(f);
}

static yl_poll foo2_poll(void *frame)
{
    struct foo2_frame *f = frame;
    YL_BEGIN(f);
    cli_say("foo2 start");
    YL_AWAIT(f, sl_sleep_ms(3 * unit_ms));
    cli_say("foo2 between");
    YL_AWAIT(f, sl_sleep_ms(3 * unit_ms));
    cli_say("foo2 end");
    YL_END(f);
}

static YL_SL_DEF(foo1_def, "foo1", foo1_poll, struct foo1_frame);
static YL_SL_DEF(foo2_def, "foo2", foo2_poll, struct foo2_frame);

/* The "start" unit of the stackless version. */
static void start_stackless(void *arg)
{
    (void)arg;
    yl_wg started;
    yl_wg_init(&started);
    if (yl_workers() > 1) {
        yl_wg_add(&started, 1);
        first_sleep = &started;
    }
    if (yl_sl_go(&foo1_def, NULL) != 0)
        cli_fail("out of memory spawning tasks");
    yl_wg_wait(&started);
    if (yl_sl_go(&foo2_def, NULL) != 0)
        cli_fail("out of memory spawning tasks");
}

static void print_sizes(void)
{
    cli_say("sizeof(struct bar_frame)  = %zu   (its pc)", sizeof(struct bar_frame));
    cli_say("sizeof(struct foo1_frame) = %zu   (its pc and bar's frame, nested)",
            sizeof(struct foo1_frame));
    cli_say("sizeof(struct foo2_frame) = %zu   (its pc)", sizeof(struct foo2_frame));
    cli_say("task header               = %d  (its layout below; who joins a task is kept "
            "beside it, in a side table)", YL_TASK_HEADER_BYTES);
    size_t n;
    const yl_field *f = yl_task_layout(&n);
    for (size_t i = 0; i < n; i++)
        cli_say("  +%-3zu %-12s %2zu B  %s", f[i].offset, f[i].name, f[i].size, f[i].what);
    cli_say("stackless task foo1       = %zu  (header + frame, rounded up to %d; to %d "
            "for a frame aligned to more than %d)",
            yl_sl_task_bytes(&foo1_def), YL_SL_ALIGN, YL_SL_ALIGN_MAX, YL_SL_ALIGN);
    cli_say("stackless task foo2       = %zu", yl_sl_task_bytes(&foo2_def));
    cli_say("stackful task             = %zu  (control block) + a stack: 64 KiB "
            "reserved, the pages it touched resident, a guard page below",
            yl_task_control_bytes());
}

static const char *const kinds[] = {"stackful", "stackless", NULL};

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    yl_config cfg = {0};
    int kind = 0, exec = -1;
    uint64_t workers = 0;
    bool sizes = false;
    const struct cli_opt opts[] = {
        {"--unit-ms", CLI_U64, &unit_ms, 1, 60000, NULL},
        {"--trace", CLI_STR, &cfg.trace_path, 0, 0, NULL},
        {"--kind", CLI_CHOICE, &kind, 0, 0, kinds},
        {"--sizes", CLI_BOOL, &sizes, 0, 0, NULL},
        {"--exec", CLI_CHOICE, &exec, 0, 0, yl_exec_names},
        {"--workers", CLI_U64, &workers, 1, 64, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 60);
    if (exec >= 0) { /* a flag says more than the environment */
        cfg.exec = (enum yl_exec)exec;
        unsetenv("YL_EXEC");
    }
    if (workers) {
        cfg.workers = (int)workers;
        unsetenv("YL_WORKERS");
    }
    if (sizes) {
        print_sizes();
        return 0;
    }
    return yl_run(&cfg, kind == 1 ? start_stackless : start, NULL) == 0 ? 0 : 1;
}

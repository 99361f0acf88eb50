/* foo (tasks) - the article's foo1/foo2/bar as async tasks on libyl.
 *
 * main spawns foo1 and foo2 without waiting for them, as a JavaScript
 * main() calls two async functions without await. One worker runs every
 * unit to completion, so the output order is fixed by the sleeps alone.
 * With several workers (YL_EXEC=sharded|stealing) foo1 and foo2 really
 * run in parallel, so main, like threads/foo.c, starts foo1, waits for its
 * first sleep, then starts foo2.
 * Compare with threads/foo.c and procs/foo.c: same shape, other units.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "yl.h"

static const char usage[] =
    "usage: foo [--unit-ms K] [--trace FILE] [--timeout S]\n"
    "Runs the article's foo1/foo2/bar workload as async tasks on one worker.\n"
    "  --unit-ms K   time unit: bar sleeps 2K ms, foo1 and foo2 sleep 3K ms (default 1)\n"
    "  --trace FILE  write every executed unit as trace CSV to FILE\n"
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

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    yl_config cfg = {0};
    const struct cli_opt opts[] = {
        {"--unit-ms", CLI_U64, &unit_ms, 1, 60000, NULL},
        {"--trace", CLI_STR, &cfg.trace_path, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 60);
    return yl_run(&cfg, start, NULL) == 0 ? 0 : 1;
}

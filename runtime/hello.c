/* hello (tasks) - eager and lazy tasks, the article's say_hello.
 *
 * main creates a task that sleeps a little and prints "Hello", then sleeps
 * twice as long itself and never awaits it. An eager task (JavaScript,
 * Dart: yl_spawn) runs anyway and prints. A lazy task (Rust, Python:
 * yl_task_new) is only a description of work until someone awaits or starts
 * it, so nothing is printed and the task is freed unrun.
 */
#include <stdbool.h>

#include "cli.h"
#include "yl.h"

static const char usage[] =
    "usage: hello [--mode eager|lazy] [--await] [--unit-ms K]\n"
    "  --mode eager  spawn the task: it runs without being awaited (prints Hello)\n"
    "  --mode lazy   only create it: without --await it never runs (prints nothing)\n"
    "  --await       await the task before main ends\n"
    "  --unit-ms K   the task sleeps K ms, main 2K ms (default 100)\n"
    "  --timeout S   give up after S seconds (default 60)\n";

static uint64_t unit_ms = 100;
static int mode;
static bool do_await;

static void say_hello(void *arg)
{
    (void)arg;
    yl_sleep_ms(unit_ms);
    cli_say("Hello");
}

static void start(void *arg)
{
    (void)arg;
    yl_task *p = mode == 0 ? yl_spawn("say_hello", say_hello, NULL)
                           : yl_task_new("say_hello", say_hello, NULL);
    if (!p)
        cli_fail("out of memory");
    yl_sleep_ms(2 * unit_ms);
    if (do_await)
        yl_await(p);
    else
        yl_detach(p); /* lazy and never started: freed without running */
}

int main(int argc, char **argv)
{
    static const char *const modes[] = {"eager", "lazy", NULL};
    cli_init(argc, argv, usage);
    const struct cli_opt opts[] = {
        {"--mode", CLI_CHOICE, &mode, 0, 0, modes},
        {"--await", CLI_BOOL, &do_await, 0, 0, NULL},
        {"--unit-ms", CLI_U64, &unit_ms, 1, 60000, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 60);
    return yl_run(NULL, start, NULL) == 0 ? 0 : 1;
}

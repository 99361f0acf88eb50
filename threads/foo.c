/* foo (threads) - the article's foo1/foo2/bar as POSIX threads.
 *
 * Each function runs on its own kernel thread and sleeps for real
 * (nanosleep): the kernel's scheduler, not ours, decides who runs. main
 * starts foo1, lets it reach its first sleep, then starts foo2 (the order
 * the single-worker runtime gives the same program); --race starts both at
 * once and lets the kernel pick, which can reorder the first lines.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "trace.h"

static const char usage[] =
    "usage: foo [--unit-ms K] [--trace FILE] [--race] [--timeout S]\n"
    "Runs the article's foo1/foo2/bar workload as two POSIX threads.\n"
    "  --unit-ms K   time unit: bar sleeps 2K ms, foo1 and foo2 sleep 3K ms (default 1)\n"
    "  --trace FILE  write every unit (code between two sleeps) as trace CSV\n"
    "  --race        start both threads at once instead of foo1 first\n"
    "  --timeout S   give up after S seconds (default 60)\n";

static uint64_t unit_ms = 1;

/* What each thread knows about itself: its trace unit and start gate. */
struct unit {
    struct trace_unit tu;
    sem_t *started;       /* posted at the first sleep, NULL once posted */
};
static __thread struct unit *self;

/* The thread blocks in the kernel; its unit ends here and a new one
 * begins when it wakes. */
static void sleep_ms(uint64_t ms)
{
    trace_unit_end(&self->tu);
    if (self->started) {
        sem_post(self->started);
        self->started = NULL;
    }
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    trace_unit_begin(&self->tu);
}

static void bar(void)
{
    cli_say("bar start");
    sleep_ms(2 * unit_ms);
    cli_say("bar end");
}

static void foo1(void)
{
    cli_say("foo1 start");
    bar();
    cli_say("foo1 between");
    sleep_ms(3 * unit_ms);
    cli_say("foo1 end");
}

static void foo2(void)
{
    cli_say("foo2 start");
    sleep_ms(3 * unit_ms);
    cli_say("foo2 between");
    sleep_ms(3 * unit_ms);
    cli_say("foo2 end");
}

struct start {
    struct unit u;
    void (*fn)(void);
};

static void *thread_main(void *arg)
{
    struct start *s = arg;
    self = &s->u;
    trace_unit_begin(&self->tu);
    s->fn();
    trace_unit_end(&self->tu);
    if (self->started)
        sem_post(self->started); /* never slept: still release main */
    return NULL;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    const char *trace_path = NULL;
    bool race = false;
    const struct cli_opt opts[] = {
        {"--unit-ms", CLI_U64, &unit_ms, 1, 60000, NULL},
        {"--trace", CLI_STR, &trace_path, 0, 0, NULL},
        {"--race", CLI_BOOL, &race, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 60);

    struct trace_log *log = NULL;
    if (trace_path && !(log = trace_log_new(1024)))
        cli_fail("cannot allocate the trace log: %s", strerror(errno));

    struct trace_unit main_tu = {.log = log, .task = "main", .worker = 0};
    trace_unit_begin(&main_tu);

    sem_t started;
    sem_init(&started, 0, 0);
    struct start st[2] = {
        {.u = {.tu = {.log = log, .task = "foo1", .worker = 1}}, .fn = foo1},
        {.u = {.tu = {.log = log, .task = "foo2", .worker = 2}}, .fn = foo2},
    };
    pthread_t tid[2];
    int made = 0;
    for (; made < 2; made++) {
        st[made].u.started = race ? NULL : &started;
        int err = pthread_create(&tid[made], NULL, thread_main, &st[made]);
        if (err) {
            cli_warn("pthread_create: %s%s", strerror(err),
                     err == EAGAIN ? " (thread limit: ulimit -u or kernel.threads-max)" : "");
            break;
        }
        if (!race)
            sem_wait(&started); /* foo1 reaches its first sleep before foo2 starts */
    }
    trace_unit_end(&main_tu);
    for (int i = 0; i < made; i++)
        pthread_join(tid[i], NULL);
    sem_destroy(&started);

    int rc = made == 2 ? 0 : 1;
    if (log) {
        if (trace_log_write(log, trace_path, "threads") != 0) {
            cli_warn("cannot write trace %s: %s", trace_path, strerror(errno));
            rc = 1;
        }
        trace_log_free(log);
    }
    return rc;
}

/* foo (procs) - the article's foo1/foo2/bar as fork()ed processes.
 *
 * The article runs `foo1 & foo2` from a shell: two programs, two address
 * spaces, the kernel interleaving them. Here one program forks twice. main
 * forks foo1, lets it reach its first sleep, then forks foo2 (the order the
 * single-worker runtime gives); --race forks both at once.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "trace.h"

static const char usage[] =
    "usage: foo [--unit-ms K] [--trace FILE] [--race] [--timeout S]\n"
    "Runs the article's foo1/foo2/bar workload as two fork()ed processes.\n"
    "  --unit-ms K   time unit: bar sleeps 2K ms, foo1 and foo2 sleep 3K ms (default 1)\n"
    "  --trace FILE  write every unit (code between two sleeps) as trace CSV\n"
    "  --race        fork both processes at once instead of foo1 first\n"
    "  --timeout S   give up after S seconds (default 60)\n";

static uint64_t unit_ms = 1;

/* Each child's view of itself: its trace unit and the pipe that tells main
 * it reached its first sleep (-1 once told). */
static struct trace_unit self;
static int started_fd = -1;

/* The process blocks in the kernel; its unit ends here and a new one
 * begins when it wakes. */
static void sleep_ms(uint64_t ms)
{
    trace_unit_end(&self);
    if (started_fd >= 0) {
        if (write(started_fd, "s", 1) < 0) {
            /* main is gone; PDEATHSIG will end us */
        }
        close(started_fd);
        started_fd = -1;
    }
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    trace_unit_begin(&self);
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

/* Forks a child running fn; returns its pid or -1 (message printed). If
 * gate, waits until the child reached its first sleep (or died). */
static pid_t start(void (*fn)(void), const char *name, int index,
                   struct trace_log *log, bool gate)
{
    int p[2] = {-1, -1};
    if (gate && pipe(p) != 0) {
        cli_warn("pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = cli_fork();
    if (pid < 0) {
        cli_warn("fork: %s%s", strerror(errno),
                 errno == EAGAIN ? " (process limit: ulimit -u or kernel.pid_max)" : "");
        if (gate)
            close(p[0]), close(p[1]);
        return -1;
    }
    if (pid == 0) {
        if (gate) {
            close(p[0]);
            started_fd = p[1];
        }
        self = (struct trace_unit){.log = log, .task = name, .worker = index};
        trace_unit_begin(&self);
        fn();
        trace_unit_end(&self);
        _exit(0);
    }
    if (gate) {
        close(p[1]);
        char c;
        /* One byte when the child first sleeps; EOF if it exits first. */
        while (read(p[0], &c, 1) < 0 && errno == EINTR) {
        }
        close(p[0]);
    }
    return pid;
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
    pid_t kids[2];
    int made = 0;
    kids[made] = start(foo1, "foo1", 1, log, !race);
    if (kids[made] > 0) {
        made++;
        kids[made] = start(foo2, "foo2", 2, log, !race);
        if (kids[made] > 0)
            made++;
    }
    trace_unit_end(&main_tu);

    int rc = made == 2 ? 0 : 1;
    if (rc != 0) /* a half-started run is not worth finishing */
        for (int i = 0; i < made; i++)
            kill(kids[i], SIGKILL);
    for (int i = 0; i < made; i++) {
        int st;
        while (waitpid(kids[i], &st, 0) < 0 && errno == EINTR) {
        }
        if (rc == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
            cli_warn("child %d did not finish cleanly (status 0x%x)", (int)kids[i], st);
            rc = 1;
        }
    }
    if (log) {
        if (rc == 0 && trace_log_write(log, trace_path, "procs") != 0) {
            cli_warn("cannot write trace %s: %s", trace_path, strerror(errno));
            rc = 1;
        }
        trace_log_free(log);
    }
    return rc;
}

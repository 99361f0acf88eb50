/* lag (procs) - the same hog and ticker as fork()ed processes. The hog
 * burns the CPU in bursts of H ms with no yield point; the ticker sleeps
 * until each 1 ms deadline (clock_nanosleep, absolute time), T times.
 *
 * Like threads, processes are preempted: pinned to one core (--cpus 0) the
 * kernel stops the hog when the ticker's sleep ends; spread (--cpus 0,1:
 * hog on 0, ticker on 1) they never meet. What the two share (the stop
 * flag, the lateness of every tick) lives in a MAP_SHARED mapping.
 * Compare with runtime/lag.c (cooperative) and threads/lag.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "measure.h"
#include "trace.h"
#include "work.h"

static const char usage[] =
    "usage: lag [--hog-ms H] [--ticks T] [--cpus LIST] [--trace FILE] [--csv] [--timeout S]\n"
    "A process burns the CPU in bursts of H ms while another asks to wake every 1 ms.\n"
    "  --hog-ms H    length of one burst of the hog, in ms (default 50)\n"
    "  --ticks T     ticks the ticker waits for (default 300)\n"
    "  --cpus LIST   0: both processes on CPU 0; 0,1: the hog on 0, the ticker on 1\n"
    "                (default: not pinned)\n"
    "  --trace FILE  write every unit (tick, burst) as trace CSV\n"
    "  --csv         CSV rows on stdout, summary on stderr\n"
    "  --timeout S   give up after S seconds (default 120)\n"
    "Rows (n = T): lateness_p50_ms, lateness_p99_ms, lateness_max_ms, ticks,\n"
    "hog_bursts, hog_ms, elapsed_ms.\n";

/* What the two processes share: mapped before fork. */
struct shared {
    _Atomic int stop;
    _Atomic uint64_t bursts;
    struct usync go;
    uint64_t late_ns[]; /* written by the ticker, read after it exited */
};

static struct {
    uint64_t hog_ns, ticks;
    struct shared *sh;
    size_t sh_len;
    struct cpu_list cpus;
    struct trace_log *trace;
} g;

/* Process k (0 the hog, 1 the ticker) goes to the (k mod n)-th CPU of
 * --cpus, then waits for the start. */
static void line_up(int k)
{
    if (g.cpus.n && cpu_pin_self(g.cpus.cpu[k % g.cpus.n]) < 0) {
        cli_warn("--cpus: sched_setaffinity: %s", strerror(errno));
        usync_arrive(&g.sh->go, 2);
        _exit(1);
    }
    usync_arrive(&g.sh->go, 2);
    usync_wait_gate(&g.sh->go);
}

static _Noreturn void hog(void)
{
    struct trace_unit u = {.log = g.trace, .task = "hog", .worker = 0};
    line_up(0);
    while (!atomic_load(&g.sh->stop)) {
        trace_unit_begin(&u);
        work_until_ns(now_ns() + g.hog_ns, &g.sh->stop); /* no yield point */
        trace_unit_end(&u);
        atomic_fetch_add_explicit(&g.sh->bursts, 1, memory_order_relaxed);
    }
    _exit(0);
}

static _Noreturn void ticker(void)
{
    struct trace_unit u = {.log = g.trace, .task = "ticker", .worker = 1};
    line_up(1);
    uint64_t t0 = now_ns();
    for (uint64_t k = 1; k <= g.ticks; k++) {
        uint64_t due = lag_due_ns(t0, k);
        struct timespec ts = {.tv_sec = (time_t)(due / 1000000000u),
                              .tv_nsec = (long)(due % 1000000000u)};
        /* An overdue deadline returns at once: the ticker catches up. */
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        }
        uint64_t now = now_ns();
        trace_unit_begin(&u);
        g.sh->late_ns[k - 1] = now > due ? now - due : 0;
        trace_unit_end(&u);
    }
    atomic_store(&g.sh->stop, 1);
    _exit(0);
}

static pid_t spawn(void (*fn)(void))
{
    pid_t pid = cli_fork();
    if (pid == 0)
        fn();
    return pid;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    struct lag_args a;
    lag_args_parse(argc, argv, "processes", &a);
    g.ticks = a.ticks;
    g.cpus = a.cpus;
    uint64_t hog_ms = a.hog_ms;
    g.hog_ns = hog_ms * 1000000u;
    g.sh_len = sizeof *g.sh + g.ticks * sizeof g.sh->late_ns[0];
    g.sh = mmap(NULL, g.sh_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (g.sh == MAP_FAILED)
        cli_fail("mmap of %zu shared bytes: %s", g.sh_len, strerror(errno));
    g.trace = lag_trace_new(&a);
    usync_reset(&g.sh->go);

    pid_t kids[2] = {spawn(hog), -1};
    if (kids[0] > 0 && (kids[1] = spawn(ticker)) < 0) {
        kill(kids[0], SIGKILL);
        waitpid(kids[0], NULL, 0);
    }
    if (kids[0] < 0 || kids[1] < 0) {
        char why[256];
        int e = errno;
        limit_explain(e, why, sizeof why);
        cli_fail("fork: %s (%s)", strerror(e), why);
    }
    usync_wait_arrived(&g.sh->go, 2);
    uint64_t t0 = now_ns();
    usync_open_gate(&g.sh->go);
    int bad = 0;
    for (int i = 1; i >= 0; i--) { /* the ticker first: it ends the hog */
        int st;
        while (waitpid(kids[i], &st, 0) < 0 && errno == EINTR) {
        }
        bad += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        if (bad && i == 1) {
            atomic_store(&g.sh->stop, 1); /* a dead ticker cannot stop the hog */
        }
    }
    uint64_t elapsed = now_ns() - t0;
    if (bad)
        cli_fail("%d process(es) failed", bad);

    struct csv_key k = {.experiment = "lag", .model = "procs", .variant = "preemptive"};
    cpus_format(&g.cpus, k.cpus, sizeof k.cpus);
    struct lag_run r = {.ticks = g.ticks, .late_ns = g.sh->late_ns,
                        .bursts = atomic_load(&g.sh->bursts), .hog_ms = hog_ms, .elapsed_ns = elapsed};
    lag_report(&k, &r);
    trace_log_finish(g.trace, a.trace, "procs");
    munmap(g.sh, g.sh_len);
    return 0;
}

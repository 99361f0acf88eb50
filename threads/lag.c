/* lag (threads) - the same hog and ticker as kernel threads. The hog burns
 * the CPU in bursts of H ms with no yield point at all; the ticker sleeps
 * until each 1 ms deadline (clock_nanosleep, absolute time), T times.
 *
 * Pinned to one core (--cpus 0) the two share a CPU, yet the ticker is
 * late by microseconds, not milliseconds: when its sleep ends the kernel
 * preempts the hog (the ticker slept, so it is owed CPU time and goes
 * first). Spread (--cpus 0,1: hog on 0, ticker on 1) there is nothing to
 * preempt. Either way no burst has to end for a tick to happen.
 * Compare with runtime/lag.c (cooperative) and procs/lag.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "measure.h"
#include "trace.h"
#include "work.h"

static const char usage[] =
    "usage: lag [--hog-ms H] [--ticks T] [--cpus LIST] [--trace FILE] [--csv] [--timeout S]\n"
    "A thread burns the CPU in bursts of H ms while another asks to wake every 1 ms.\n"
    "  --hog-ms H    length of one burst of the hog, in ms (default 50)\n"
    "  --ticks T     ticks the ticker waits for (default 300)\n"
    "  --cpus LIST   0: both threads on CPU 0; 0,1: the hog on 0, the ticker on 1\n"
    "                (default: not pinned)\n"
    "  --trace FILE  write every unit (tick, burst) as trace CSV\n"
    "  --csv         CSV rows on stdout, summary on stderr\n"
    "  --timeout S   give up after S seconds (default 120)\n"
    "Rows (n = T): lateness_p50_ms, lateness_p99_ms, lateness_max_ms, ticks,\n"
    "hog_bursts, hog_ms, elapsed_ms.\n";

static struct {
    uint64_t hog_ns, ticks;
    uint64_t *late_ns;       /* written by the ticker, read after the join */
    _Atomic int stop;
    _Atomic uint64_t bursts;
    _Atomic int pin_err;
    struct usync go;
    struct cpu_list cpus;
    struct trace_log *trace;
} g;

/* Unit k (0 the hog, 1 the ticker) goes to the (k mod n)-th CPU of --cpus. */
static void pin(int k)
{
    if (g.cpus.n && cpu_pin_self(g.cpus.cpu[k % g.cpus.n]) < 0)
        atomic_store(&g.pin_err, errno);
}

static void *hog(void *arg)
{
    (void)arg;
    struct trace_unit u = {.log = g.trace, .task = "hog", .worker = 0};
    pin(0);
    usync_arrive(&g.go, 2);
    usync_wait_gate(&g.go);
    while (!atomic_load(&g.stop)) {
        trace_unit_begin(&u);
        work_until_ns(now_ns() + g.hog_ns, &g.stop); /* no yield point */
        trace_unit_end(&u);
        atomic_fetch_add_explicit(&g.bursts, 1, memory_order_relaxed);
    }
    return NULL;
}

static void *ticker(void *arg)
{
    (void)arg;
    struct trace_unit u = {.log = g.trace, .task = "ticker", .worker = 1};
    pin(1);
    usync_arrive(&g.go, 2);
    usync_wait_gate(&g.go);
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
        g.late_ns[k - 1] = now > due ? now - due : 0;
        trace_unit_end(&u);
    }
    atomic_store(&g.stop, 1);
    return NULL;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    struct lag_args a;
    lag_args_parse(argc, argv, "threads", &a);
    g.ticks = a.ticks;
    g.cpus = a.cpus;
    uint64_t hog_ms = a.hog_ms;
    g.hog_ns = hog_ms * 1000000u;
    if (!(g.late_ns = calloc(g.ticks, sizeof *g.late_ns)))
        cli_fail("out of memory for %llu ticks", (unsigned long long)g.ticks);
    g.trace = lag_trace_new(&a);
    usync_reset(&g.go);

    pthread_t th, tt;
    int err = pthread_create(&th, NULL, hog, NULL);
    if (!err && (err = pthread_create(&tt, NULL, ticker, NULL)) != 0) {
        atomic_store(&g.stop, 1); /* the hog waits at the gate: let it out and end */
        usync_open_gate(&g.go);
        pthread_join(th, NULL);
    }
    if (err) {
        char why[256];
        limit_explain(err, why, sizeof why);
        cli_fail("pthread_create: %s (%s)", strerror(err), why);
    }
    usync_wait_arrived(&g.go, 2);
    uint64_t t0 = now_ns();
    usync_open_gate(&g.go);
    pthread_join(tt, NULL);
    pthread_join(th, NULL);
    uint64_t elapsed = now_ns() - t0;
    if (atomic_load(&g.pin_err))
        cli_fail("--cpus: sched_setaffinity: %s", strerror(atomic_load(&g.pin_err)));

    struct csv_key k = {.experiment = "lag", .model = "threads", .variant = "preemptive"};
    cpus_format(&g.cpus, k.cpus, sizeof k.cpus);
    struct lag_run r = {.ticks = g.ticks, .late_ns = g.late_ns, .bursts = atomic_load(&g.bursts),
                        .hog_ms = hog_ms, .elapsed_ns = elapsed};
    lag_report(&k, &r);
    trace_log_finish(g.trace, a.trace, "threads");
    free(g.late_ns);
    return 0;
}

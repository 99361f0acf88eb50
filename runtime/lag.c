/* lag (tasks) - cooperative scheduling has no preemption. A hog task burns
 * the CPU in bursts of H ms; between two bursts it reaches a yield point
 * (a zero sleep: "let whatever is due run first", JavaScript's
 * setTimeout(0)). Next to it a ticker task asks to wake every millisecond,
 * T times: tick k is due at t0 + k ms. How late each tick woke is the lag.
 *
 *   single    one worker: nothing can stop a burst, so every tick that falls
 *             due inside one waits for its end. Ticks fall due evenly over
 *             a burst: lateness spreads from 0 to H, p50 near H/2, max near H.
 *   sharded,  two workers: the hog keeps one busy, the ticker runs on the
 *   stealing  other and wakes on time, as long as the two stay apart. A
 *             timer fires on the worker the task slept on; if the hog ever
 *             lands on that worker, the tick waits for the burst again.
 * A tick that is already overdue is taken at once, without sleeping, so a
 * late ticker catches up instead of drifting: T ticks take about T ms.
 *
 * The sleeps wait in libyl's timer heap, exact to the nanosecond, by
 * default: the timing wheel cuts time into 1 ms ticks and rounds every
 * deadline up to the end of its tick, which would add up to a whole period
 * to a 1 ms ticker, scheduler or not (--timers wheel shows it).
 * Compare with threads/lag.c and procs/lag.c, where the kernel preempts,
 * and with --preempt-us Q, where libyl does: the hog is cut every Q and
 * the ticker waits about Q, not the whole burst.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "measure.h"
#include "work.h"
#include "yl.h"

static const char usage[] =
    "usage: lag [--exec single|sharded|stealing] [--workers W] [--hog-ms H] [--ticks T]\n"
    "           [--timers heap|wheel] [--cpus LIST] [--trace FILE] [--csv] [--timeout S]\n"
    "A task burns the CPU in bursts of H ms while another asks to wake every 1 ms.\n"
    "  --exec E      single (default), sharded or stealing (YL_EXEC is ignored)\n"
    "  --workers W   workers for sharded and stealing (default 2)\n"
    "  --hog-ms H    length of one burst of the hog, in ms (default 50)\n"
    "  --ticks T     ticks the ticker waits for (default 300)\n"
    "  --timers K    heap (exact, default) or wheel (1 ms ticks; variant EXEC-wheel)\n"
    "  --cpus LIST   pin worker i to the i-th CPU of LIST, e.g. 0 or 0,1 (default: not pinned)\n"
    "  --trace FILE  write every unit as trace CSV\n"
    "  --csv         CSV rows on stdout, summary on stderr\n"
    "  --timeout S   give up after S seconds (default 120)\n"
    "Rows (n = T): lateness_p50_ms, lateness_p99_ms, lateness_max_ms, ticks,\n"
    "hog_bursts, hog_ms, elapsed_ms, workers, migrations; with --preempt-us also\n"
    "preempt_signals, preemptions, preempt_deferred.\n";

static const char *const timer_kinds[] = {"heap", "wheel", NULL};

static struct {
    uint64_t hog_ns, ticks;
    uint64_t *late_ns;        /* written by the ticker only */
    _Atomic int stop;         /* the ticker is done: the hog stops too */
    _Atomic uint64_t bursts;  /* the hog may move between worker threads */
} g;

static void ticker(void *arg)
{
    (void)arg;
    uint64_t t0 = now_ns();
    for (uint64_t k = 1; k <= g.ticks; k++) {
        uint64_t due = lag_due_ns(t0, k), now = now_ns();
        if (now < due)
            yl_sleep_us((due - now + 999) / 1000); /* a yield point */
        now = now_ns();
        g.late_ns[k - 1] = now > due ? now - due : 0;
    }
    atomic_store(&g.stop, 1);
}

static void hog(void *arg)
{
    (void)arg;
    while (!atomic_load(&g.stop)) {
        /* No yield point in here: a burst ends when it ends. */
        work_until_ns(now_ns() + g.hog_ns, &g.stop);
        atomic_fetch_add_explicit(&g.bursts, 1, memory_order_relaxed);
        yl_sleep_us(0); /* due timers (the ticker's) fire before we go on */
    }
}

static void start(void *arg)
{
    (void)arg;
    yl_task *t = yl_spawn("ticker", ticker, NULL);
    yl_task *h = yl_spawn("hog", hog, NULL);
    if (!t || !h)
        cli_fail("yl_spawn: out of memory");
    yl_join(t);
    yl_join(h);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    uint64_t hog_ms = 50, workers = 2;
    int e = 0, timers = 0;
    bool csv = false;
    const char *cpu_list = NULL, *trace = NULL;
    g.ticks = 300;
    const struct cli_opt opts[] = {
        {"--exec", CLI_CHOICE, &e, 0, 0, yl_exec_names},
        {"--workers", CLI_U64, &workers, 1, 64, NULL},
        {"--hog-ms", CLI_U64, &hog_ms, 1, 10000, NULL},
        {"--ticks", CLI_U64, &g.ticks, 1, 1000000, NULL},
        {"--timers", CLI_CHOICE, &timers, 0, 0, timer_kinds},
        {"--cpus", CLI_STR, &cpu_list, 0, 0, NULL},
        {"--trace", CLI_STR, &trace, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 120);
    struct cpu_list cpus = {.n = 0};
    char cpu_arg[4 * CPU_LIST_MAX] = "";
    if (cpu_list) {
        cpus_flag("--cpus", cpu_list, &cpus);
        cpus_join(&cpus, ",", cpu_arg, sizeof cpu_arg); /* --cpus may have had ranges */
        if ((enum yl_exec)e == YL_EXEC_SINGLE && cpus.n > 1)
            cli_usage_error("--cpus: one worker runs both tasks: give one CPU");
    }
    csv_enable(csv);
    g.hog_ns = hog_ms * 1000000u;
    if (!(g.late_ns = calloc(g.ticks, sizeof *g.late_ns)))
        cli_fail("out of memory for %llu ticks", (unsigned long long)g.ticks);
    /* The flags define the experiment, not the environment. */
    unsetenv("YL_EXEC");
    unsetenv("YL_WORKERS");
    unsetenv("YL_CPUS");
    unsetenv("YL_TIMERS");

    yl_config cfg = {.exec = (enum yl_exec)e, .workers = (int)workers,
                     .cpus = cpu_list ? cpu_arg : NULL, .trace_path = trace,
                     .timers = timers ? YL_TIMERS_WHEEL : YL_TIMERS_HEAP};
    uint64_t t0 = now_ns();
    int rc = yl_run(&cfg, start, NULL);
    uint64_t elapsed = now_ns() - t0;
    if (rc != 0)
        cli_fail("the runtime failed");
    yl_stats st = yl_get_stats();

    /* Preemptive runs (--preempt-us Q or YL_PREEMPT_US) are their own
     * variant, EXEC-qQus: the report sets them beside the cooperative ones. */
    const char *pq = getenv("YL_PREEMPT_US");
    char qpart[24] = "";
    if (pq && *pq && strtoull(pq, NULL, 10) > 0)
        snprintf(qpart, sizeof qpart, "-q%sus", pq);
    char variant[48];
    snprintf(variant, sizeof variant, "%s%s%s", yl_exec_names[e], timers ? "-wheel" : "", qpart);
    struct csv_key k = {.experiment = "lag", .model = "tasks", .variant = variant};
    cpus_format(&cpus, k.cpus, sizeof k.cpus);
    struct lag_run r = {.ticks = g.ticks, .late_ns = g.late_ns, .bursts = atomic_load(&g.bursts),
                        .hog_ms = hog_ms, .elapsed_ns = elapsed};
    lag_report(&k, &r);
    csv_row(&k, g.ticks, "workers", (enum yl_exec)e == YL_EXEC_SINGLE ? 1 : (double)workers, "count");
    csv_row(&k, g.ticks, "migrations", (double)st.migrations, "count");
    if (qpart[0]) { /* what the timer did to the hog */
        csv_row(&k, g.ticks, "preempt_signals", (double)st.preempt_signals, "count");
        csv_row(&k, g.ticks, "preemptions", (double)st.preemptions, "count");
        csv_row(&k, g.ticks, "preempt_deferred", (double)st.preempt_deferred, "count");
    }
    free(g.late_ns);
    return 0;
}

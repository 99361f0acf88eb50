/* yieldparts (tasks) - where the time of one yl_yield goes.
 *
 * Two tasks on the one worker yield to each other M times, as in
 * `pingpong --variant yield`, but this program links a build of sched.c
 * that stamps the cycle counter at each step of the way (phases.h; the
 * runtime everyone else links has no stamps at all). A yield from A to B
 * splits into five parts:
 *
 *   switch_out  A's yl_yield until the scheduler runs again (the switch)
 *   loop        the scheduler's own bookkeeping: ending A's unit, starting B's
 *   queue       A pushed on the run queue, B popped off it
 *   check       the look at timers and fds (a countdown, most trips)
 *   switch_in   the switch into B until B is back in its yl_yield
 *
 * A stamp costs time itself (lfence and rdtsc: tens of cycles, more in a
 * guest), and an interrupt now and then makes a span huge; so each part
 * is the median of its spans over all the yields, less the median of an
 * empty span (two stamps back to back). The stamped build returns from
 * yl_yield the long way, to take the last stamp, and the stamps stop the
 * CPU from overlapping one part with the next: the parts add up to about,
 * not exactly, one real yield (pingpong --variant yield).
 */
#define YL_PHASES 1 /* the stamped build of sched.c holds the log */
#include "cli.h"
#include "measure.h"
#include "phases.h"
#include "yl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: yieldparts [--iters M] [--cpus CPU] [--csv] [--timeout S]\n"
    "Two tasks yield to each other M times on one worker; prints where the time\n"
    "of one yield goes (a build of the scheduler with time stamps).\n"
    "  --iters M       yields per task (default 200000)\n"
    "  --cpus CPU      pin the worker to this CPU (default: not pinned)\n"
    "  --csv           CSV rows on stdout, summary on stderr\n"
    "  --timeout S     give up after S seconds (default 300)\n"
    "Rows (experiment yieldparts, variant yield, n = M), per part P of\n"
    "switch_out loop queue check switch_in: ns_P and ticks_P per yield (medians,\n"
    "an empty span taken off); then ns_total (their sum), ns_stamp (the empty\n"
    "span) and yields.\n";

static void player(void *arg)
{
    uint64_t iters = *(const uint64_t *)arg;
    for (uint64_t i = 0; i < iters; i++)
        yl_yield();
}

static void game(void *arg)
{
    yl_task *a = yl_spawn("A", player, arg);
    yl_task *b = yl_spawn("B", player, arg);
    if (!a || !b)
        cli_fail("yl_spawn: out of memory");
    yl_join(a);
    yl_join(b);
}

/* The median of a histogram of spans, in ticks. */
static double hist_median(const uint32_t *h, uint64_t n)
{
    uint64_t seen = 0;
    for (int d = 0; d < YL_PH_HIST; d++)
        if ((seen += h[d]) * 2 >= n)
            return d;
    return YL_PH_HIST - 1;
}

/* What a span with nothing in it measures: the median of back-to-back
 * stamp pairs. Taken off every span, so a part is the code's own time. */
static double empty_span(void)
{
    static uint32_t h[YL_PH_HIST];
    enum { N = 100001 };
    for (int i = 0; i < N; i++) {
        uint64_t a = yl_phase_ticks(), b = yl_phase_ticks();
        h[b - a < YL_PH_HIST ? b - a : YL_PH_HIST - 1]++;
    }
    return hist_median(h, N);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    uint64_t iters = 200000;
    struct cpu_list cpus = {.n = 0};
    bool csv = false;
    const char *cpu_list = NULL;
    const struct cli_opt opts[] = {
        {"--iters", CLI_U64, &iters, 1, 1000000000, NULL},
        {"--cpus", CLI_STR, &cpu_list, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 300);
    cpus_flag_pin_one("--cpus", cpu_list, &cpus);
    csv_enable(csv);

    /* The stamps are in the single executor's loop only. */
    unsetenv("YL_EXEC");
    unsetenv("YL_WORKERS");
    memset(&yl_phase_log, 0, sizeof yl_phase_log);
    uint64_t n0 = now_ns(), k0 = yl_phase_ticks();
    if (yl_run(NULL, game, &iters) != 0)
        cli_fail("the runtime failed");
    uint64_t n1 = now_ns(), k1 = yl_phase_ticks();
    const struct yl_phase_log *l = &yl_phase_log;
    if (l->yields == 0)
        cli_fail("no yield passed every stamp (is this the stamped build?)");
    double ns_per_tick = (double)(n1 - n0) / (double)(k1 - k0);
    double stamp = empty_span();

    /* Each part is one or two stamp-to-stamp spans (see phases.h). */
    static const struct {
        const char *name;
        int a, b; /* sum[a] (+ sum[b] when b) */
    } parts[] = {
        {"switch_out", YL_PH_ARRIVED, 0},
        {"loop", YL_PH_KEPT, YL_PH_ENTER},
        {"queue", YL_PH_QUEUED, YL_PH_PICKED},
        {"check", YL_PH_CHECKED, 0},
        {"switch_in", YL_PH_RESUMED, 0},
    };
    struct csv_key key = {.experiment = "yieldparts", .model = "tasks", .variant = "yield"};
    cpus_format(&cpus, key.cpus, sizeof key.cpus);
    double y = (double)l->yields, total = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        double ticks = hist_median(l->hist[parts[i].a], l->yields) - stamp;
        if (parts[i].b)
            ticks += hist_median(l->hist[parts[i].b], l->yields) - stamp;
        if (ticks < 0)
            ticks = 0; /* within the stamps' own jitter */
        char metric[32];
        snprintf(metric, sizeof metric, "ns_%s", parts[i].name);
        csv_row(&key, iters, metric, ticks * ns_per_tick, "ns");
        snprintf(metric, sizeof metric, "ticks_%s", parts[i].name);
        csv_row(&key, iters, metric, ticks, "ticks");
        total += ticks * ns_per_tick;
    }
    csv_row(&key, iters, "ns_total", total, "ns");
    csv_row(&key, iters, "ns_stamp", stamp * ns_per_tick, "ns");
    csv_row(&key, iters, "yields", y, "count");
    return 0;
}

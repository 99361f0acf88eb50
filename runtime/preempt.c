/* preempt (tasks) - what libyl's preemption costs (runtime/yl/preempt.c).
 *
 *   --what cost      two tasks spin on one worker under a quantum Q; every
 *                    time the CPU passes from one to the other, the gap
 *                    between the last stamp of one and the first of the
 *                    other is one preemption: the signal, the handler, the
 *                    entry's saves, the switch out and back in, the restore
 *                    (bench/gaps.h). threads/preempt measures the kernel's
 *                    involuntary switch the same way.
 *   --what yield     the same two tasks yield at every turn: the gap of a
 *                    voluntary switch, for comparison.
 *   --what slowdown  two tasks do a fixed amount of CPU work, with each
 *                    quantum of the list and without preemption, in turns:
 *                    how much longer the same work takes (CPU time of the
 *                    whole process, monitor thread and signals included).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gaps.h"
#include "measure.h"
#include "work.h"
#include "yl.h"

static const char usage[] =
    "usage: preempt [--what cost|yield|slowdown] [--quantum-us Q[,Q...]] [--ms M]\n"
    "               [--work-ms W] [--reps R] [--cpus CPU] [--csv] [--timeout S]\n"
    "What one preemption of a task costs, and what preemption costs a CPU-bound job.\n"
    "  --what K        cost (default), yield or slowdown\n"
    "  --quantum-us Q  the quantum in µs (cost: one, default 1000; slowdown: a list,\n"
    "                  default 100,1000,10000); --preempt-us is ignored here\n"
    "  --ms M          cost, yield: how long the two tasks spin (default 500)\n"
    "  --work-ms W     slowdown: the CPU work of each of the two tasks (default 200)\n"
    "  --reps R        slowdown: rounds, each quantum once a round (default 5)\n"
    "  --cpus CPU      pin the worker to this CPU (default: not pinned)\n"
    "  --csv           CSV rows on stdout, summary on stderr\n"
    "Rows (n = M): cost: ns_per_preempt (p50), ns_per_preempt_min, gaps, preemptions,\n"
    "preempt_deferred; yield: ns_per_switch (p50), ns_per_switch_min; slowdown\n"
    "(variant qN us or off): cpu_ms, elapsed_ms (medians), slowdown_pct (cpu).\n";

static const char *const whats[] = {"cost", "yield", "slowdown", NULL};

#define MAX_GAPS 400000
static struct {
    struct gap_shared sh;
    struct gap_log log[2];
    uint64_t until;
    double tick;              /* ns per counter tick */
    uint64_t work;            /* slowdown: spins per task */
    volatile uint64_t sink;
    bool yield;
} g;

static void yield_between(void)
{
    yl_yield();
}

static void spinner(void *arg)
{
    int me = (int)(intptr_t)arg;
    gap_spin(&g.sh, me, g.until, &g.log[me], g.yield ? yield_between : NULL);
}

static void worker_job(void *arg)
{
    (void)arg;
    uint64_t x = g.sink;
    for (uint64_t i = 0; i < g.work; i++)
        x = x * 6364136223846793005u + 1442695040888963407u;
    g.sink = x;
}

static void two(void *arg)
{
    yl_fn fn = (yl_fn)arg;
    yl_task *a = yl_spawn("a", fn, (void *)0), *b = yl_spawn("b", fn, (void *)1);
    if (!a || !b)
        cli_fail("yl_spawn: out of memory");
    yl_join(a);
    yl_join(b);
}

static yl_stats run_two(yl_config *c, yl_fn fn)
{
    if (yl_run(c, two, (void *)fn) != 0)
        cli_fail("the runtime failed");
    return yl_get_stats();
}

/* n = M, the ms the tasks spun (fixed, so repeated runs line up). */
static void gaps_rows(struct csv_key *k, uint64_t n, const char *metric, yl_stats *st)
{
    static double v[2 * MAX_GAPS];
    size_t gaps = gap_collect(g.log, 2, g.tick, v, 2 * MAX_GAPS);
    if (gaps == 0)
        cli_fail("no switch between the two tasks was seen: nothing preempted them");
    char m[48];
    csv_row(k, n, metric, stat_percentile_sorted(v, gaps, 50), "ns");
    snprintf(m, sizeof m, "%s_min", metric);
    csv_row(k, n, m, v[0], "ns");
    csv_row(k, n, "gaps", (double)gaps, "count");
    if (st) {
        csv_row(k, n, "preemptions", (double)st->preemptions, "count");
        csv_row(k, n, "preempt_deferred", (double)st->preempt_deferred, "count");
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void slowdown(struct csv_key *k, yl_config *c, const uint64_t *q, int nq,
                     uint64_t work_ms, uint64_t reps)
{
    /* spins per ms, measured alone */
    uint64_t t0 = now_ns();
    g.work = 20000000;
    worker_job(NULL);
    g.work = (uint64_t)((double)g.work * 1e6 / (double)(now_ns() - t0)) * work_ms;
    enum { MAXQ = 9, MAXR = 50 };
    static uint64_t cpu[MAXQ][MAXR], wall[MAXQ][MAXR];
    for (uint64_t r = 0; r < reps; r++)
        for (int i = 0; i <= nq; i++) { /* i == nq: off */
            c->preempt_us = i < nq ? q[i] : 0;
            uint64_t c0 = process_cpu_ns(), w0 = now_ns();
            run_two(c, worker_job);
            cpu[i][r] = process_cpu_ns() - c0;
            wall[i][r] = now_ns() - w0;
        }
    double med_cpu[MAXQ];
    for (int i = 0; i <= nq; i++) {
        qsort(cpu[i], reps, sizeof cpu[i][0], cmp_u64);
        qsort(wall[i], reps, sizeof wall[i][0], cmp_u64);
        med_cpu[i] = (double)cpu[i][reps / 2];
    }
    for (int i = 0; i <= nq; i++) {
        char variant[32];
        if (i < nq)
            snprintf(variant, sizeof variant, "q%lluus", (unsigned long long)q[i]);
        else
            snprintf(variant, sizeof variant, "off");
        k->variant = variant;
        csv_row(k, reps, "cpu_ms", med_cpu[i] / 1e6, "ms");
        csv_row(k, reps, "elapsed_ms", (double)wall[i][reps / 2] / 1e6, "ms");
        if (i < nq)
            csv_row(k, reps, "slowdown_pct", 100.0 * (med_cpu[i] - med_cpu[nq]) / med_cpu[nq],
                    "%");
    }
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    int what = 0;
    uint64_t ms = 500, work_ms = 200, reps = 5;
    const char *qs = NULL, *cpu_list = NULL;
    bool csv = false;
    const struct cli_opt opts[] = {
        {"--what", CLI_CHOICE, &what, 0, 0, whats},
        {"--quantum-us", CLI_STR, &qs, 0, 0, NULL},
        {"--ms", CLI_U64, &ms, 1, 600000, NULL},
        {"--work-ms", CLI_U64, &work_ms, 1, 600000, NULL},
        {"--reps", CLI_U64, &reps, 1, 50, NULL},
        {"--cpus", CLI_STR, &cpu_list, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 300);
    uint64_t q[9];
    int nq = 0;
    char qbuf[128];
    snprintf(qbuf, sizeof qbuf, "%s", qs ? qs : what == 2 ? "100,1000,10000" : "1000");
    for (char *save = NULL, *t = strtok_r(qbuf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (nq == 9)
            cli_usage_error("--quantum-us: at most 9 quanta");
        q[nq++] = cli_u64("--quantum-us", t, 1, 10000000);
    }
    if (what != 2 && nq != 1)
        cli_usage_error("--quantum-us: one quantum for --what %s", whats[what]);
    struct cpu_list cpus = {.n = 0};
    cpus_flag_pin_one("--cpus", cpu_list, &cpus);
    char cpu_arg[16] = "";
    if (cpus.n)
        snprintf(cpu_arg, sizeof cpu_arg, "%d", cpus.cpu[0]);
    csv_enable(csv);
    unsetenv("YL_PREEMPT_US"); /* the flags define the experiment */
    unsetenv("YL_EXEC");
    unsetenv("YL_CPUS");
    yl_config c = {.exec = YL_EXEC_SINGLE, .cpus = cpus.n ? cpu_arg : NULL};
    struct csv_key k = {.experiment = "preempt", .model = "tasks"};
    cpus_format(&cpus, k.cpus, sizeof k.cpus);
    if (what == 2) {
        slowdown(&k, &c, q, nq, work_ms, reps);
        return 0;
    }
    g.until = gap_setup(g.log, MAX_GAPS, ms, &g.tick);
    g.yield = what == 1;
    c.preempt_us = g.yield ? 0 : q[0];
    yl_stats st = run_two(&c, spinner);
    char variant[32];
    snprintf(variant, sizeof variant, g.yield ? "yield" : "q%lluus", (unsigned long long)q[0]);
    k.variant = variant;
    gaps_rows(&k, ms, g.yield ? "ns_per_switch" : "ns_per_preempt", g.yield ? NULL : &st);
    return 0;
}

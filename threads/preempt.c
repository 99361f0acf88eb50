/* preempt (threads) - what the kernel's preemption of a thread costs.
 *
 * Two threads pinned to one CPU spin without ever blocking; the kernel
 * takes the CPU from one and gives it to the other on its own tick. The
 * gap between the last stamp of one and the first of the other (bench/
 * gaps.h) is one involuntary switch: the timer interrupt, the scheduler,
 * the switch of stacks and address-space state. Compare runtime/preempt.c,
 * where libyl's signal does the same to tasks. --what yield: the threads
 * call sched_yield at every turn (a voluntary switch). The kernel's
 * quantum is its own, so this program has no slowdown run.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "gaps.h"
#include "measure.h"

static const char usage[] =
    "usage: preempt [--what cost|yield] [--ms M] [--cpus CPU] [--csv] [--timeout S]\n"
    "What one involuntary switch between two threads on one CPU costs.\n"
    "  --what K    cost (default: the kernel preempts) or yield (sched_yield each turn)\n"
    "  --ms M      how long the two threads spin (default 2000: the kernel's slice\n"
    "              is milliseconds long, so a few hundred switches)\n"
    "  --cpus CPU  the CPU both run on (default: the first we may use)\n"
    "  --csv       CSV rows on stdout, summary on stderr\n"
    "Rows (n = M): cost: ns_per_preempt (p50), ns_per_preempt_min, gaps, involuntary;\n"
    "yield: ns_per_switch (p50), ns_per_switch_min, gaps.\n";

static const char *const whats[] = {"cost", "yield", NULL};

#define MAX_GAPS 400000
static struct {
    struct gap_shared sh;
    struct gap_log log[2];
    uint64_t until;
    bool yield;
    int cpu;
    _Atomic uint64_t invol;
} g;

static void yield_between(void)
{
    sched_yield();
}

static void *spinner(void *arg)
{
    int me = (int)(intptr_t)arg;
    if (cpu_pin_self(g.cpu) != 0)
        cli_fail("--cpus: sched_setaffinity: %s", strerror(errno));
    struct csw c0 = csw_get(RUSAGE_THREAD);
    gap_spin(&g.sh, me, g.until, &g.log[me], g.yield ? yield_between : NULL);
    atomic_fetch_add(&g.invol, csw_diff(csw_get(RUSAGE_THREAD), c0).invol);
    return NULL;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    int what = 0;
    uint64_t ms = 2000;
    const char *cpu_list = NULL;
    bool csv = false;
    const struct cli_opt opts[] = {
        {"--what", CLI_CHOICE, &what, 0, 0, whats},
        {"--ms", CLI_U64, &ms, 1, 600000, NULL},
        {"--cpus", CLI_STR, &cpu_list, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 300);
    struct cpu_list cpus = {.n = 0};
    if (cpu_list)
        cpus_flag_pin_one("--cpus", cpu_list, &cpus);
    else if (cpus_usable(&cpus) < 0 || cpus.n == 0)
        cli_fail("no CPU to run on");
    cpus.n = 1;
    g.cpu = cpus.cpu[0];
    csv_enable(csv);
    double tick;
    g.until = gap_setup(g.log, MAX_GAPS, ms, &tick);
    g.yield = what == 1;
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        int err = pthread_create(&t[i], NULL, spinner, (void *)(intptr_t)i);
        if (err)
            cli_fail("pthread_create: %s", strerror(err));
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    static double v[2 * MAX_GAPS];
    size_t n = gap_collect(g.log, 2, tick, v, 2 * MAX_GAPS);
    if (n == 0)
        cli_fail("the two threads never took turns on CPU %d", g.cpu);
    struct csv_key k = {.experiment = "preempt", .model = "threads",
                        .variant = g.yield ? "yield" : "kernel"};
    cpus_format(&cpus, k.cpus, sizeof k.cpus);
    const char *metric = g.yield ? "ns_per_switch" : "ns_per_preempt";
    /* n = M, the ms they spun (fixed, so repeated runs line up) */
    csv_row(&k, ms, metric, stat_percentile_sorted(v, n, 50), "ns");
    csv_row(&k, ms, g.yield ? "ns_per_switch_min" : "ns_per_preempt_min", v[0], "ns");
    csv_row(&k, ms, "gaps", (double)n, "count");
    csv_row(&k, ms, "involuntary", (double)atomic_load(&g.invol), "count");
    return 0;
}

/* switches.c - the rows of a ping-pong measurement (see measure.h). */
#include "measure.h"
#include "cli.h"

void switch_report(const struct csv_key *k, const struct switch_run *r)
{
    /* One round trip is two switches: A to B, then B back to A. */
    uint64_t sw = 2 * r->iters;
    double raw = (double)r->elapsed_ns / (double)sw;
    double base = (double)r->base_ns / (double)sw;
    csv_row(k, r->iters, "ns_per_switch", raw, "ns");
    csv_row(k, r->iters, "ns_per_switch_baseline", base, "ns");
    csv_row(k, r->iters, "ns_per_switch_net", raw - base, "ns");
    csv_row(k, r->iters, "switches", (double)sw, "count");
    csv_row(k, r->iters, "switches_counted", (double)r->counted, "count");
    csv_row(k, r->iters, "elapsed_ms", (double)r->elapsed_ns / 1e6, "ms");
    if (r->counted_invol)
        csv_note("  (%llu of the counted switches were involuntary: the kernel "
                 "preempted a unit instead of it blocking)",
                 (unsigned long long)r->counted_invol);
}

void switch_args_parse(int argc, char **argv, const char *const *variants,
                       const char *units, struct switch_args *a)
{
    *a = (struct switch_args){.iters = 100000, .only = -1};
    bool csv = false;
    const char *cpu_list = NULL;
    const struct cli_opt opts[] = {
        {"--iters", CLI_U64, &a->iters, 1, 1000000000, NULL},
        {"--variant", CLI_CHOICE, &a->only, 0, 0, variants},
        {"--cpus", CLI_STR, &cpu_list, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 300);
    if (cpu_list)
        cpus_flag_two(cpu_list, &a->cpus, units);
    csv_enable(csv);
}

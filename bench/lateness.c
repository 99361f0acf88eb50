/* lateness.c - the rows of the lag experiment (see work.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "measure.h"
#include "trace.h"
#include "work.h"

void lag_report(const struct csv_key *k, struct lag_run *r)
{
    double *ms = malloc((r->ticks ? r->ticks : 1) * sizeof *ms);
    if (!ms)
        cli_fail("out of memory");
    for (uint64_t i = 0; i < r->ticks; i++)
        ms[i] = (double)r->late_ns[i] / 1e6;
    struct pctl p = stat_pctl(ms, r->ticks);
    free(ms);
    uint64_t n = r->ticks;
    csv_row(k, n, "lateness_p50_ms", p.p50, "ms");
    csv_row(k, n, "lateness_p99_ms", p.p99, "ms");
    csv_row(k, n, "lateness_max_ms", p.max, "ms");
    csv_row(k, n, "ticks", (double)r->ticks, "count");
    csv_row(k, n, "hog_bursts", (double)r->bursts, "count");
    csv_row(k, n, "hog_ms", (double)r->hog_ms, "ms");
    csv_row(k, n, "elapsed_ms", (double)r->elapsed_ns / 1e6, "ms");
}

void lag_args_parse(int argc, char **argv, const char *units, struct lag_args *a)
{
    *a = (struct lag_args){.hog_ms = 50, .ticks = 300};
    bool csv = false;
    const char *cpu_list = NULL;
    const struct cli_opt opts[] = {
        {"--hog-ms", CLI_U64, &a->hog_ms, 1, 10000, NULL},
        {"--ticks", CLI_U64, &a->ticks, 1, 1000000, NULL},
        {"--cpus", CLI_STR, &cpu_list, 0, 0, NULL},
        {"--trace", CLI_STR, &a->trace, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 120);
    if (cpu_list)
        cpus_flag_two(cpu_list, &a->cpus, units);
    csv_enable(csv);
}

struct trace_log *lag_trace_new(const struct lag_args *a)
{
    if (!a->trace)
        return NULL;
    struct trace_log *l = trace_log_new(a->ticks + a->ticks / a->hog_ms + 16);
    if (!l)
        cli_fail("cannot allocate the trace log: %s", strerror(errno));
    return l;
}

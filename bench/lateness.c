/* lateness.c - the rows of the lag experiment (see work.h). */
#include <stdlib.h>

#include "cli.h"
#include "measure.h"
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

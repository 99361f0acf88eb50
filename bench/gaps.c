/* gaps.c - the gap between two units spinning on one CPU (see gaps.h). */
#include "gaps.h"

#include <stdlib.h>

#include "cli.h"
#include "measure.h"

double gap_ns_per_tick(void)
{
    uint64_t n0 = now_ns(), t0 = gap_ticks();
    while (now_ns() - n0 < 20000000u)
        ;
    uint64_t n1 = now_ns(), t1 = gap_ticks();
    return t1 > t0 ? (double)(n1 - n0) / (double)(t1 - t0) : 1.0;
}

uint64_t gap_spin(struct gap_shared *s, int me, uint64_t until, struct gap_log *log,
                  void (*between)(void))
{
    uint64_t turns = 0, prev = 0;
    /* Cut anywhere in here, the unit may come back holding a stale t: a
     * stamp older than the other's then yields no gap on that turn, and
     * the next turn sees the other's stamp newer than prev and counts it. */
    for (;;) {
        uint64_t t = gap_ticks();
        if (t >= until)
            return turns;
        uint64_t other = atomic_load_explicit(&s->last[!me], memory_order_relaxed);
        if (prev && other > prev && t > other && log->n < log->cap)
            log->ticks[log->n++] = t - other;
        atomic_store_explicit(&s->last[me], t, memory_order_relaxed);
        prev = t;
        turns++;
        if (between)
            between();
    }
}

uint64_t gap_setup(struct gap_log *logs, size_t cap, uint64_t ms, double *ns_per_tick)
{
    for (int i = 0; i < 2; i++) {
        logs[i].cap = cap;
        logs[i].n = 0;
        if (!(logs[i].ticks = calloc(cap, sizeof(uint64_t))))
            cli_fail("out of memory for the gaps");
    }
    *ns_per_tick = gap_ns_per_tick();
    return gap_ticks() + (uint64_t)((double)ms * 1e6 / *ns_per_tick);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

size_t gap_collect(struct gap_log *logs, size_t k, double ns_per_tick, double *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < logs[i].n && n < cap; j++)
            out[n++] = (double)logs[i].ticks[j] * ns_per_tick;
    qsort(out, n, sizeof *out, cmp_d);
    return n;
}

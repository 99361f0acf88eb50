/* lockstat.c - lock waiting times and fairness (see lockstat.h). */
#include "lockstat.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "measure.h"

struct lockstat {
    size_t cap, map_len;
    _Atomic uint32_t arrivals;
    _Atomic uint32_t acquisitions;
    struct {
        uint32_t arrival;  /* ticket */
        uint64_t wait_ns;
    } rec[];              /* indexed by acquisition rank */
};

struct lockstat *lockstat_new(size_t cap)
{
    size_t len = sizeof(struct lockstat) + cap * sizeof(((struct lockstat *)0)->rec[0]);
    struct lockstat *s = mmap(NULL, len, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (s == MAP_FAILED)
        return NULL;
    s->cap = cap;
    s->map_len = len;
    return s;
}

void lockstat_free(struct lockstat *s)
{
    if (s)
        munmap(s, s->map_len);
}

uint32_t lockstat_arrive(struct lockstat *s, uint64_t *t0_ns)
{
    *t0_ns = now_ns();
    return atomic_fetch_add(&s->arrivals, 1);
}

void lockstat_acquired(struct lockstat *s, uint32_t ticket, uint64_t t0_ns)
{
    uint64_t now = now_ns();
    /* Called while holding the lock, so ranks follow acquisition order. */
    uint32_t rank = atomic_fetch_add(&s->acquisitions, 1);
    if (rank < s->cap) {
        s->rec[rank].arrival = ticket;
        s->rec[rank].wait_ns = now - t0_ns;
    }
}

double lockstat_rho(const uint32_t *a, const uint32_t *b, size_t n)
{
    if (n < 2)
        return NAN;
    double d2 = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        d2 += d * d;
    }
    double nn = (double)n;
    return 1.0 - 6.0 * d2 / (nn * (nn * nn - 1.0));
}

void lockstat_report(struct lockstat *s, const struct csv_key *k, uint64_t n)
{
    size_t cnt = atomic_load(&s->acquisitions);
    if (cnt > s->cap)
        cnt = s->cap;
    if (cnt == 0)
        return;
    double *wait = malloc(cnt * sizeof *wait);
    uint32_t *arr = malloc(cnt * sizeof *arr), *acq = malloc(cnt * sizeof *acq);
    if (!wait || !arr || !acq) {
        free(wait), free(arr), free(acq);
        return;
    }
    /* Every acquirer arrived once: tickets are a permutation of 0..cnt-1
     * as long as the log held them all (cap >= units, as callers size it). */
    for (size_t i = 0; i < cnt; i++) {
        wait[i] = (double)s->rec[i].wait_ns / 1e6;
        acq[i] = (uint32_t)i;
        arr[i] = s->rec[i].arrival;
    }
    struct pctl p = stat_pctl(wait, cnt);
    csv_row(k, n, "wait_p50_ms", p.p50, "ms");
    csv_row(k, n, "wait_p99_ms", p.p99, "ms");
    csv_row(k, n, "wait_max_ms", p.max, "ms");
    csv_row(k, n, "order_corr", lockstat_rho(arr, acq, cnt), "rho");
    free(wait), free(arr), free(acq);
}

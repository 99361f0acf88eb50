/* stats.c - least-squares slope and percentiles (see measure.h). */
#include "measure.h"

#include <math.h>
#include <stdlib.h>

double stat_slope(const double *x, const double *y, size_t k)
{
    if (k < 2)
        return NAN;
    /* Centre first: sums of products of large N (1e6) and large byte
     * counts (1e10) would otherwise lose digits to cancellation. */
    double mx = 0, my = 0;
    for (size_t i = 0; i < k; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)k;
    my /= (double)k;
    double sxy = 0, sxx = 0;
    for (size_t i = 0; i < k; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
    }
    return sxx == 0 ? NAN : sxy / sxx;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double stat_percentile_sorted(const double *v, size_t n, double p)
{
    if (n == 0 || !(p > 0) || p > 100)
        return NAN;
    /* Nearest rank: the smallest value with at least p% of the values at
     * or below it. Always one of the data, never an interpolation. */
    double r = p / 100.0 * (double)n;
    size_t rank = (size_t)r;
    if ((double)rank < r)
        rank++; /* ceil without libm */
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

struct pctl stat_pctl(double *v, size_t n)
{
    struct pctl r = {NAN, NAN, NAN};
    if (n == 0)
        return r;
    qsort(v, n, sizeof *v, cmp_double);
    r.p50 = stat_percentile_sorted(v, n, 50);
    r.p99 = stat_percentile_sorted(v, n, 99);
    r.max = v[n - 1];
    return r;
}

/* sweep.c - --n lists and the spawn sweep: one measurement per N, each in
 * a fresh process, then the per-N rows and the slopes (see measure.h). */
#include "measure.h"
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

size_t cli_u64_list(const char *flag, const char *val, uint64_t min,
                    uint64_t max, uint64_t *out, size_t cap)
{
    if (!val || !*val)
        cli_usage_error("%s: needs a comma list of numbers, like 1,1000", flag);
    size_t k = 0;
    const char *p = val;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[32];
        if (len == 0 || len >= sizeof item)
            cli_usage_error("%s: '%s' is not a comma list of numbers, like 1,1000",
                            flag, val);
        if (k == cap)
            cli_usage_error("%s: at most %zu values", flag, cap);
        memcpy(item, p, len);
        item[len] = '\0';
        out[k++] = cli_u64(flag, item, min, max);
        if (!comma)
            return k;
        p = comma + 1;
    }
}

int sweep_in_child(void (*fn)(uint64_t n, void *arg, struct spawn_point *out),
                   uint64_t n, void *arg, struct spawn_point *out)
{
    struct spawn_point *shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE,
                                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shm == MAP_FAILED) {
        cli_warn("n=%llu: mmap: %s", (unsigned long long)n, strerror(errno));
        return -1;
    }
    memset(shm, 0, sizeof *shm);
    shm->n = n;
    pid_t pid = cli_fork();
    if (pid < 0) {
        cli_warn("n=%llu: fork of the measuring process: %s", (unsigned long long)n,
                 strerror(errno));
        munmap(shm, sizeof *shm);
        return -1;
    }
    if (pid == 0) {
        fn(n, arg, shm);
        _exit(0);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    int rc = 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        *out = *shm;
    } else {
        if (WIFSIGNALED(st))
            cli_warn("n=%llu: the measuring process died of %s", (unsigned long long)n,
                     strsignal(WTERMSIG(st)));
        else
            cli_warn("n=%llu: the measuring process failed (exit %d)",
                     (unsigned long long)n, WEXITSTATUS(st));
        rc = -1;
    }
    munmap(shm, sizeof *shm);
    return rc;
}

/* Emits one slope row; with a single point the line goes through the
 * baseline (0 units, 0 bytes), which is what the deltas are measured from. */
static void slope_row(const struct csv_key *k, uint64_t nmax, const char *metric,
                      const char *unit, const double *x, const double *y, size_t m)
{
    double s;
    if (m == 1)
        s = x[0] > 0 ? y[0] / x[0] : NAN;
    else
        s = stat_slope(x, y, m);
    if (!isnan(s))
        csv_row(k, nmax, metric, s, unit);
}

void sweep_report(const struct csv_key *k, const struct spawn_point *p, size_t count)
{
    double x[SWEEP_MAX], yc[SWEEP_MAX], yu[SWEEP_MAX], yk[SWEEP_MAX];
    size_t m = 0;
    uint64_t nmax = 0;
    for (size_t i = 0; i < count; i++) {
        const struct spawn_point *q = &p[i];
        if (q->failed) {
            /* No snapshot at this N: only how far it got. */
            csv_row(k, q->n, "limit_units", (double)q->created, "count");
            continue;
        }
        csv_row(k, q->n, "units", (double)q->created, "count");
        csv_row(k, q->n, "create_ns", (double)q->create_ns, "ns");
        csv_row(k, q->n, "user_bytes", (double)q->user_bytes, "B");
        csv_row(k, q->n, "kernel_bytes", (double)q->kernel_bytes, "B");
        if (q->n)
            csv_note("  n=%llu: %.0f ns, %.0f user B, %.0f kernel B per unit; "
                     "MemAvailable fell %.0f B per unit; %u of %llu units still "
                     "inside their sleep at the snapshot",
                     (unsigned long long)q->n, (double)q->create_ns / (double)q->n,
                     (double)q->user_bytes / (double)q->n,
                     (double)q->kernel_bytes / (double)q->n,
                     (double)q->avail_drop / (double)q->n, q->asleep,
                     (unsigned long long)q->n);
        if (m < SWEEP_MAX) {
            x[m] = (double)q->n;
            yc[m] = (double)q->create_ns;
            yu[m] = (double)q->user_bytes;
            yk[m] = (double)q->kernel_bytes;
            m++;
        }
        if (q->n > nmax)
            nmax = q->n;
    }
    if (m == 0)
        return;
    slope_row(k, nmax, "create_ns_per_unit", "ns", x, yc, m);
    slope_row(k, nmax, "user_bytes_per_unit", "B", x, yu, m);
    slope_row(k, nmax, "kernel_bytes_per_unit", "B", x, yk, m);
}

size_t sweep_points(void (*fn)(uint64_t n, void *arg, struct spawn_point *out),
                    const uint64_t *ns, size_t count, void *arg,
                    void (*before)(size_t i, void *arg), const char *units,
                    struct spawn_point *pts, int *rc)
{
    size_t got = 0;
    *rc = 0;
    for (size_t i = 0; i < count; i++) {
        memset(&pts[got], 0, sizeof pts[got]);
        if (before)
            before(got, arg);
        if (sweep_in_child(fn, ns[i], arg, &pts[got]) < 0) {
            *rc = 1;
            break;
        }
        got++;
        if (pts[got - 1].failed) {
            cli_warn("n=%llu: stopped after %llu %s: %s%s", (unsigned long long)ns[i],
                     (unsigned long long)pts[got - 1].created, units, pts[got - 1].limit,
                     i + 1 < count ? "; the remaining N are skipped" : "");
            break;
        }
    }
    return got;
}

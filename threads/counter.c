/* counter (threads) - the lost update with kernel threads. U threads share
 * N increments of a counter kept in a file (or, with --mem, in memory as
 * in the article's Go example). Threads run in parallel and are preempted
 * anywhere, so a read-modify-write can interleave even with no yield point.
 *
 *   file: none (pread, +1, pwrite), mutex, flock (each thread opens the file
 *         itself: flock locks belong to an open file, not a thread), append
 *   mem:  none (load, +1, store), mutex, atomic (one fetch-add)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli.h"
#include "counterfile.h"
#include "lockstat.h"
#include "measure.h"

static const char usage[] =
    "usage: counter [--n N] [--units U] [--fix F] [--mem] [--file PATH] [--csv]\n"
    "U threads share N increments of a counter in a file (or in memory with --mem).\n"
    "  --n N        increments in all (default 1000)\n"
    "  --units U    threads (default 8)\n"
    "  --fix F      file: none|mutex|flock|append; --mem: none|mutex|atomic (default none)\n"
    "  --mem        keep the counter in memory instead of a file\n"
    "  --file PATH  the counter file (default: a temporary file, removed at exit)\n"
    "  --csv        CSV rows on stdout, summary on stderr\n"
    "  --timeout S  give up after S seconds (default 120)\n";

enum fix { NONE, MUTEX, FLOCK, APPEND, ATOMIC };
static const char *const fixes[] = {"none", "mutex", "flock", "append", "atomic", NULL};

static struct {
    enum fix fix;
    bool mem;
    const char *path;
    int fd;                     /* shared fd (none, mutex) */
    pthread_mutex_t mu;
    struct lockstat *ls;
    volatile uint64_t plain;    /* --mem none/mutex: load and store, no atomicity */
    _Atomic uint64_t atomic;    /* --mem atomic */
    struct usync start;         /* everyone starts together: more overlap */
    _Atomic int errors;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void file_add_one(int fd)
{
    char buf[COUNTER_WIDTH + 2];
    ssize_t r = pread(fd, buf, sizeof buf, 0);
    int len = counterfile_format(buf, counterfile_parse(buf, r < 0 ? 0 : r) + 1);
    if (r < 0 || pwrite(fd, buf, (size_t)len, 0) != len)
        atomic_fetch_add(&g.errors, 1);
}

static void add_one(int own_fd)
{
    uint64_t t0;
    uint32_t ticket;
    switch (g.fix) {
    case NONE:
        if (g.mem)
            g.plain = g.plain + 1; /* load, add, store: three steps */
        else
            file_add_one(g.fd);
        break;
    case MUTEX:
        ticket = lockstat_arrive(g.ls, &t0);
        pthread_mutex_lock(&g.mu);
        lockstat_acquired(g.ls, ticket, t0);
        if (g.mem)
            g.plain = g.plain + 1;
        else
            file_add_one(g.fd);
        pthread_mutex_unlock(&g.mu);
        break;
    case FLOCK:
        ticket = lockstat_arrive(g.ls, &t0);
        flock(own_fd, LOCK_EX);
        lockstat_acquired(g.ls, ticket, t0);
        file_add_one(own_fd);
        flock(own_fd, LOCK_UN);
        break;
    case APPEND:
        if (write(own_fd, "+1\n", 3) != 3) /* O_APPEND: the kernel keeps it whole */
            atomic_fetch_add(&g.errors, 1);
        break;
    case ATOMIC:
        atomic_fetch_add(&g.atomic, 1);
        break;
    }
}

struct unit {
    pthread_t tid;
    uint64_t count; /* increments this thread does */
    uint32_t units;
};

static void *unit_main(void *arg)
{
    struct unit *u = arg;
    int own = -1;
    if (!g.mem && (g.fix == FLOCK || g.fix == APPEND)) {
        own = open(g.path, (g.fix == APPEND ? O_WRONLY | O_APPEND : O_RDWR) | O_CLOEXEC);
        if (own < 0) {
            atomic_fetch_add(&g.errors, 1);
            usync_arrive(&g.start, u->units);
            return NULL;
        }
    }
    usync_arrive(&g.start, u->units);
    usync_wait_gate(&g.start);
    for (uint64_t i = 0; i < u->count; i++)
        add_one(own);
    if (own >= 0)
        close(own);
    return NULL;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    uint64_t n = 1000, units = 8;
    int fix = NONE;
    bool csv = false;
    const char *path = NULL;
    const struct cli_opt opts[] = {
        {"--n", CLI_U64, &n, 1, 100000000, NULL},
        {"--units", CLI_U64, &units, 1, 4096, NULL},
        {"--fix", CLI_CHOICE, &fix, 0, 0, fixes},
        {"--mem", CLI_BOOL, &g.mem, 0, 0, NULL},
        {"--file", CLI_STR, &path, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 120);
    csv_enable(csv);
    g.fix = (enum fix)fix;
    if (g.mem && (g.fix == FLOCK || g.fix == APPEND))
        cli_usage_error("--fix: '%s' needs a file; with --mem use none, mutex or atomic", fixes[fix]);
    if (!g.mem && g.fix == ATOMIC)
        cli_usage_error("--fix: 'atomic' is for --mem; a file takes none, mutex, flock or append");
    if (g.mem && path)
        cli_usage_error("--file: not used with --mem");
    if (units > n)
        units = n;

    if (!g.mem) {
        g.path = counterfile_setup(path, g.fix == APPEND);
        if ((g.fd = open(g.path, O_RDWR | O_CLOEXEC)) < 0)
            cli_fail("cannot open '%s': %s", g.path, strerror(errno));
    }
    if ((g.fix == MUTEX || g.fix == FLOCK) && !(g.ls = lockstat_new(n)))
        cli_fail("cannot allocate lock statistics: %s", strerror(errno));

    struct unit *u = calloc(units, sizeof *u);
    if (!u)
        cli_fail("out of memory");
    usync_reset(&g.start);
    uint64_t t0 = now_ns();
    uint32_t made = 0;
    for (; made < units; made++) {
        u[made].count = n / units + (made < n % units);
        u[made].units = (uint32_t)units;
        int err = pthread_create(&u[made].tid, NULL, unit_main, &u[made]);
        if (err) {
            char why[256];
            limit_explain(err, why, sizeof why);
            cli_warn("pthread_create: %s (%s)", strerror(err), why);
            break;
        }
    }
    if (made < units) { /* let the ones made finish, then give up */
        usync_open_gate(&g.start);
        for (uint32_t i = 0; i < made; i++)
            pthread_join(u[i].tid, NULL);
        exit(1);
    }
    usync_wait_arrived(&g.start, (uint32_t)units);
    usync_open_gate(&g.start);
    for (uint32_t i = 0; i < units; i++)
        pthread_join(u[i].tid, NULL);
    double elapsed_ms = (double)(now_ns() - t0) / 1e6;
    free(u);
    if (!g.mem)
        close(g.fd);
    if (g.errors)
        cli_fail("%d operations failed", (int)g.errors);

    uint64_t final = g.mem ? (g.fix == ATOMIC ? atomic_load(&g.atomic) : g.plain)
                           : counterfile_final(g.path, g.fix == APPEND);
    char variant[32];
    snprintf(variant, sizeof variant, "%s%s", g.mem ? "mem-" : "", fixes[fix]);
    struct csv_key k = {.experiment = "counter", .model = "threads", .variant = variant};
    snprintf(k.cpus, sizeof k.cpus, "-");
    csv_row(&k, n, "expected", (double)n, "count");
    csv_row(&k, n, "final", (double)final, "count");
    csv_row(&k, n, "lost", (double)(n - (final < n ? final : n)), "count");
    csv_row(&k, n, "elapsed_ms", elapsed_ms, "ms");
    csv_row(&k, n, "units", (double)units, "count");
    if (g.ls) {
        lockstat_report(g.ls, &k, n);
        lockstat_free(g.ls);
    }
    return 0;
}

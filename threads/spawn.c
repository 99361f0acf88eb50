/* spawn (threads) - what N sleeping threads cost: creation time, user
 * memory and kernel memory (kernel stacks, page tables, slab).
 *
 * The user side is the anonymous memory the process gains (the threads'
 * stacks as far as they are touched), from smaps_rollup.
 *
 * Each thread arrives, sleeps S ms, then waits at a gate. The snapshot is
 * taken once all N have arrived and before the gate opens, so no thread
 * can have ended before it is counted, whatever S is; with S longer than
 * the creation of all N, every thread is inside its sleep at the snapshot
 * (the summary says how many were). Each N runs in a fresh process, so
 * glibc's cache of the stacks of earlier threads cannot hide memory.
 */
#include "cli.h"
#include "measure.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: spawn [--n LIST] [--sleep-ms S] [--stack-kib K] [--cpus LIST]\n"
    "             [--csv] [--timeout S]\n"
    "Starts N threads that each sleep S ms, snapshots memory while they are\n"
    "all alive, then lets them finish; one fresh set of threads per N.\n"
    "  --n LIST        comma list of thread counts, measured in order (default 1,100,1000)\n"
    "  --sleep-ms S    how long each thread sleeps (default 100); the snapshot\n"
    "                  never races: threads also wait for a release after it\n"
    "  --stack-kib K   thread stack size (default: glibc's, from ulimit -s)\n"
    "  --cpus LIST     pin every thread to these CPUs (e.g. 0 or 0,1)\n"
    "  --csv           CSV rows on stdout, summary on stderr\n"
    "  --timeout S     give up after S seconds (default 300)\n"
    "Rows per N: units, create_ns (for all N), user_bytes, kernel_bytes (growth\n"
    "over the baseline; limit_units instead when a limit stopped it); then the\n"
    "slopes over N create_ns_per_unit, user_bytes_per_unit, kernel_bytes_per_unit\n"
    "with n = the largest N.\n";

struct opts {
    uint64_t ns[SWEEP_MAX];
    size_t count;
    uint64_t sleep_ms;
    size_t stack_bytes; /* 0: glibc's default */
};

/* Plain memory: every thread of the measuring process sees it. */
static struct usync sync_;
static uint32_t want;
static uint64_t sleep_ms;

static void sleep_for_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
    }
}

static void *unit(void *arg)
{
    (void)arg;
    usync_arrive(&sync_, want);
    sleep_for_ms(sleep_ms);
    atomic_fetch_add(&sync_.woke, 1);
    usync_wait_gate(&sync_);
    return NULL;
}

/* One N, in its own process (sweep_in_child). */
static void measure(uint64_t n, void *arg, struct spawn_point *out)
{
    const struct opts *o = arg;
    pthread_t *tids = malloc(n * sizeof *tids);
    if (!tids)
        cli_fail("n=%llu: no memory for %llu thread handles", (unsigned long long)n,
                 (unsigned long long)n);
    memset(tids, 0, n * sizeof *tids); /* resident before the baseline */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (o->stack_bytes && pthread_attr_setstacksize(&attr, o->stack_bytes) != 0)
        cli_fail("--stack-kib: %zu bytes is not a valid stack size here", o->stack_bytes);
    usync_reset(&sync_);
    want = (uint32_t)n;
    sleep_ms = o->sleep_ms;

    struct mem_snap base, snap;
    if (mem_snapshot(&base, NULL, 0) < 0)
        cli_fail("cannot read /proc for the baseline snapshot");
    uint64_t made = 0;
    uint64_t t0 = now_ns();
    for (; made < n; made++) {
        int rc = pthread_create(&tids[made], &attr, unit, NULL);
        if (rc != 0) {
            char why[400];
            limit_explain(rc, why, sizeof why);
            snprintf(out->limit, sizeof out->limit, "pthread_create: %s", why);
            out->failed = 1;
            break;
        }
    }
    uint64_t t1 = now_ns();
    out->created = made;
    out->create_ns = t1 - t0;

    if (!out->failed) {
        usync_wait_arrived(&sync_, want);
        if (mem_snapshot(&snap, NULL, 0) < 0)
            cli_fail("cannot read /proc for the snapshot");
        out->asleep = (uint32_t)(n - atomic_load(&sync_.woke));
        out->user_bytes = (int64_t)(snap.user.anon - base.user.anon);
        out->kernel_bytes = (int64_t)(meminfo_kernel_bytes(&snap.mi) -
                                      meminfo_kernel_bytes(&base.mi));
        out->avail_drop = (int64_t)(base.mi.mem_available - snap.mi.mem_available);
    }
    /* Every path ends here: release and join each thread created. */
    usync_open_gate(&sync_);
    for (uint64_t i = 0; i < made; i++)
        pthread_join(tids[i], NULL);
    pthread_attr_destroy(&attr);
    free(tids);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    struct opts o = {.ns = {1, 100, 1000}, .count = 3, .sleep_ms = 100};
    struct cpu_list cpus = {.n = 0};
    bool csv = false;
    const char *n_list = NULL, *cpu_list = NULL;
    uint64_t stack_kib = 0;
    /* The smallest stack glibc accepts: not a constant since glibc 2.34. */
    long min_stack = sysconf(_SC_THREAD_STACK_MIN);
    uint64_t min_kib = min_stack > 0 ? ((uint64_t)min_stack + 1023) / 1024 : 16;
    const struct cli_opt opts[] = {
        {"--n", CLI_STR, &n_list, 0, 0, NULL},
        {"--sleep-ms", CLI_U64, &o.sleep_ms, 0, 3600000, NULL},
        {"--stack-kib", CLI_U64, &stack_kib, min_kib, 1024 * 1024, NULL},
        {"--cpus", CLI_STR, &cpu_list, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 300);
    if (n_list)
        o.count = cli_u64_list("--n", n_list, 1, 10000000, o.ns, SWEEP_MAX);
    if (cpu_list)
        cpus_flag("--cpus", cpu_list, &cpus);
    o.stack_bytes = (size_t)stack_kib * 1024;
    csv_enable(csv);
    if (cpus_pin_self(&cpus) < 0)
        cli_fail("--cpus: sched_setaffinity: %s", strerror(errno));

    char variant[32] = "default";
    if (o.stack_bytes)
        snprintf(variant, sizeof variant, "stack%zuk", o.stack_bytes / 1024);
    struct csv_key key = {.experiment = "spawn", .model = "threads", .variant = variant};
    cpus_format(&cpus, key.cpus, sizeof key.cpus);
    csv_note("spawn threads/%s cpus=%s: each thread sleeps %llu ms, then waits for "
             "the release; user = anonymous Rss growth, kernel = KernelStack+PageTables+SUnreclaim "
             "growth", variant, key.cpus, (unsigned long long)o.sleep_ms);

    struct spawn_point pts[SWEEP_MAX];
    int rc;
    size_t got = sweep_points(measure, o.ns, o.count, &o, NULL, "threads", pts, &rc);
    sweep_report(&key, pts, got);
    return rc;
}

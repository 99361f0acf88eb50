/* spawn (procs) - what N sleeping processes cost: creation time (fork),
 * user memory (PSS) and kernel memory (kernel stacks, page tables, slab).
 *
 * Each child is a fork of this program: it arrives, sleeps S ms, then waits
 * at a gate. The snapshot is taken once all N have arrived and before the
 * gate opens, so no child can have ended before it is counted, whatever S
 * is. The user side is the anonymous PSS summed over the measuring process
 * and all its children: fork shares every page copy-on-write, RSS would
 * count each shared page once per process, PSS splits it among them, so the
 * sum counts it once and grows only by the pages a child really copied.
 * (File pages, the code, are shared with the whole machine: left out.)
 */
#include "cli.h"
#include "measure.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: spawn [--n LIST] [--sleep-ms S] [--cpus LIST] [--csv] [--timeout S]\n"
    "Forks N children that each sleep S ms, snapshots memory while they are\n"
    "all alive, then lets them finish; one fresh set of children per N.\n"
    "  --n LIST        comma list of process counts, measured in order (default 1,100,1000)\n"
    "  --sleep-ms S    how long each child sleeps (default 100); the snapshot\n"
    "                  never races: children also wait for a release after it\n"
    "  --cpus LIST     pin every process to these CPUs (e.g. 0 or 0,1)\n"
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
};

/* MAP_SHARED: the children's arrivals must reach the parent. */
static struct usync *sync_;

static void sleep_for_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
    }
}

static _Noreturn void unit(uint32_t want, uint64_t ms)
{
    usync_arrive(sync_, want);
    sleep_for_ms(ms);
    atomic_fetch_add(&sync_->woke, 1);
    usync_wait_gate(sync_);
    _exit(0); /* no atexit handlers, no stdio flush: they are the parent's */
}

/* One N, in its own process (sweep_in_child): that process is the parent
 * of the N units, and pids[0] is itself so that the PSS sum covers the
 * pages it shares with them. */
static void measure(uint64_t n, void *arg, struct spawn_point *out)
{
    const struct opts *o = arg;
    pid_t *pids = malloc((n + 1) * sizeof *pids);
    if (!pids)
        cli_fail("n=%llu: no memory for %llu pids", (unsigned long long)n,
                 (unsigned long long)n);
    memset(pids, 0, (n + 1) * sizeof *pids); /* resident before the baseline */
    pids[0] = getpid();
    usync_reset(sync_);

    struct mem_snap base, snap;
    if (mem_snapshot(&base, pids, 1) < 0)
        cli_fail("cannot read /proc for the baseline snapshot");
    uint64_t made = 0;
    uint64_t t0 = now_ns();
    for (; made < n; made++) {
        pid_t pid = cli_fork();
        if (pid == 0)
            unit((uint32_t)n, o->sleep_ms);
        if (pid < 0) {
            char why[400];
            limit_explain(errno, why, sizeof why);
            snprintf(out->limit, sizeof out->limit, "fork: %s", why);
            out->failed = 1;
            break;
        }
        pids[made + 1] = pid;
    }
    uint64_t t1 = now_ns();
    out->created = made;
    out->create_ns = t1 - t0;

    if (!out->failed) {
        usync_wait_arrived(sync_, (uint32_t)n);
        if (mem_snapshot(&snap, pids, n + 1) < 0)
            cli_fail("snapshot of %llu processes: %s", (unsigned long long)n + 1,
                     strerror(errno));
        out->asleep = (uint32_t)(n - atomic_load(&sync_->woke));
        out->user_bytes = (int64_t)(snap.user.pss_anon - base.user.pss_anon);
        out->kernel_bytes = (int64_t)(meminfo_kernel_bytes(&snap.mi) -
                                      meminfo_kernel_bytes(&base.mi));
        out->avail_drop = (int64_t)(base.mi.mem_available - snap.mi.mem_available);
    }
    /* Every path ends here: release and reap each child created. */
    usync_open_gate(sync_);
    for (uint64_t i = 1; i <= made; i++)
        while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR) {
        }
    free(pids);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    struct opts o = {.ns = {1, 100, 1000}, .count = 3, .sleep_ms = 100};
    struct cpu_list cpus = {.n = 0};
    bool csv = false;
    const char *n_list = NULL, *cpu_list = NULL;
    const struct cli_opt opts[] = {
        {"--n", CLI_STR, &n_list, 0, 0, NULL},
        {"--sleep-ms", CLI_U64, &o.sleep_ms, 0, 3600000, NULL},
        {"--cpus", CLI_STR, &cpu_list, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 300);
    if (n_list)
        o.count = cli_u64_list("--n", n_list, 1, 10000000, o.ns, SWEEP_MAX);
    if (cpu_list)
        cpus_flag("--cpus", cpu_list, &cpus);
    csv_enable(csv);
    if (cpus_pin_self(&cpus) < 0)
        cli_fail("--cpus: sched_setaffinity: %s", strerror(errno));
    sync_ = mmap(NULL, sizeof *sync_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sync_ == MAP_FAILED)
        cli_fail("mmap of the shared counters: %s", strerror(errno));

    struct csv_key key = {.experiment = "spawn", .model = "procs", .variant = "fork"};
    cpus_format(&cpus, key.cpus, sizeof key.cpus);
    csv_note("spawn procs/fork cpus=%s: each child sleeps %llu ms, then waits for the "
             "release; user = anonymous Pss growth of parent+children, kernel = "
             "KernelStack+PageTables+SUnreclaim growth", key.cpus,
             (unsigned long long)o.sleep_ms);

    struct spawn_point pts[SWEEP_MAX];
    int rc;
    size_t got = sweep_points(measure, o.ns, o.count, &o, NULL, "processes", pts, &rc);
    sweep_report(&key, pts, got);
    munmap(sync_, sizeof *sync_);
    return rc;
}

/* spawn (tasks) - what N sleeping tasks cost: creation time, user memory
 * (the stacks as far as they are touched, the task structs, the timer
 * heap) and kernel memory (page tables and the VMAs of the stacks).
 *
 * Each task arrives, sleeps S ms, then waits at a gate (a wait group). The
 * snapshot is taken once all N have arrived and before the gate opens, so
 * no task can have ended before it is counted, whatever S is. Each N runs
 * in a fresh process, so nothing an earlier N left behind (freed stacks,
 * malloc's free lists) can hide memory.
 */
#include "cli.h"
#include "measure.h"
#include "yl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const char usage[] =
    "usage: spawn [--n LIST] [--sleep-ms S] [--stack-kib K] [--cpus LIST]\n"
    "             [--csv] [--timeout S]\n"
    "Starts N tasks that each sleep S ms, snapshots memory while they are\n"
    "all alive, then lets them finish; one fresh set of tasks per N.\n"
    "  --n LIST        comma list of task counts, measured in order (default 1,100,1000)\n"
    "  --sleep-ms S    how long each task sleeps (default 100); the snapshot\n"
    "                  never races: tasks also wait for a release after it\n"
    "  --stack-kib K   task stack size (default: the runtime's, 64 KiB)\n"
    "  --cpus LIST     pin the worker to these CPUs (e.g. 0)\n"
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
    yl_config cfg;
};

/* Atomics: YL_EXEC may spread the tasks over several workers. */
struct run {
    const struct opts *o;
    uint64_t n;
    struct spawn_point *out;
    _Atomic uint64_t arrived, woke;
    yl_wg gate;
};

static void unit(void *arg)
{
    struct run *r = arg;
    atomic_fetch_add(&r->arrived, 1);
    yl_sleep_ms(r->o->sleep_ms);
    atomic_fetch_add(&r->woke, 1);
    yl_wg_wait(&r->gate);
}

/* The main task of one measurement. */
static void measure_main(void *arg)
{
    struct run *r = arg;
    struct spawn_point *out = r->out;
    uint64_t n = r->n;
    yl_task **tasks = malloc(n * sizeof *tasks);
    if (!tasks)
        cli_fail("n=%llu: no memory for %llu task handles", (unsigned long long)n,
                 (unsigned long long)n);
    memset(tasks, 0, n * sizeof *tasks); /* resident before the baseline */
    yl_wg_init(&r->gate);
    yl_wg_add(&r->gate, 1);
    /* A reserve of address space (and one mapping), never touched, so it
     * costs no memory: when creation hits a limit it is given back, and
     * the tasks already made still find room for their timers. */
    size_t reserve_len = (1u << 20) + n * 32;
    void *reserve = mmap(NULL, reserve_len, PROT_NONE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    struct mem_snap base, snap;
    if (mem_snapshot(&base, NULL, 0) < 0)
        cli_fail("cannot read /proc for the baseline snapshot");
    uint64_t made = 0;
    uint64_t t0 = now_ns();
    for (; made < n; made++) {
        errno = 0;
        tasks[made] = yl_spawn("unit", unit, r);
        if (!tasks[made]) {
            char why[400];
            limit_explain(errno ? errno : ENOMEM, why, sizeof why);
            snprintf(out->limit, sizeof out->limit, "yl_spawn: %s", why);
            out->failed = 1;
            if (reserve != MAP_FAILED)
                munmap(reserve, reserve_len);
            reserve = MAP_FAILED;
            break;
        }
    }
    uint64_t t1 = now_ns();
    out->created = made;
    out->create_ns = t1 - t0;

    /* Eager tasks are only queued: let each run up to its sleep. */
    while (atomic_load(&r->arrived) < made)
        yl_yield();
    if (!out->failed) {
        if (mem_snapshot(&snap, NULL, 0) < 0)
            cli_fail("cannot read /proc for the snapshot");
        out->asleep = (uint32_t)(n - atomic_load(&r->woke));
        out->user_bytes = (int64_t)(snap.user.anon - base.user.anon);
        out->kernel_bytes = (int64_t)(meminfo_kernel_bytes(&snap.mi) -
                                      meminfo_kernel_bytes(&base.mi));
        out->avail_drop = (int64_t)(base.mi.mem_available - snap.mi.mem_available);
    }
    /* Every path ends here: release and join each task created. */
    yl_wg_done(&r->gate);
    for (uint64_t i = 0; i < made; i++)
        yl_join(tasks[i]);
    if (reserve != MAP_FAILED)
        munmap(reserve, reserve_len);
    free(tasks);
}

/* One N, in its own process (sweep_in_child). */
static void measure(uint64_t n, void *arg, struct spawn_point *out)
{
    const struct opts *o = arg;
    struct run r = {.o = o, .n = n, .out = out};
    if (yl_run(&o->cfg, measure_main, &r) != 0)
        cli_fail("n=%llu: the runtime failed", (unsigned long long)n);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    struct opts o = {.ns = {1, 100, 1000}, .count = 3, .sleep_ms = 100};
    struct cpu_list cpus = {.n = 0};
    bool csv = false;
    const char *n_list = NULL, *cpu_list = NULL;
    uint64_t stack_kib = 0;
    const struct cli_opt opts[] = {
        {"--n", CLI_STR, &n_list, 0, 0, NULL},
        {"--sleep-ms", CLI_U64, &o.sleep_ms, 0, 3600000, NULL},
        /* 8 KiB: a signal handler (the --timeout watchdog) may run on a
         * task stack and needs room of its own. */
        {"--stack-kib", CLI_U64, &stack_kib, 8, 1024 * 1024, NULL},
        {"--cpus", CLI_STR, &cpu_list, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 300);
    if (n_list)
        o.count = cli_u64_list("--n", n_list, 1, 100000000, o.ns, SWEEP_MAX);
    if (cpu_list)
        cpus_flag("--cpus", cpu_list, &cpus);
    o.cfg.stack_size = (size_t)stack_kib * 1024;
    /* YL_STACK_KIB may set the stack when the flag does not: name the
     * variant after the stack the tasks really get. */
    if (yl_config_from_env(&o.cfg) != 0)
        return 2;
    csv_enable(csv);
    if (cpus_pin_self(&cpus) < 0)
        cli_fail("--cpus: sched_setaffinity: %s", strerror(errno));

    char variant[32] = "stackful";
    if (o.cfg.stack_size)
        snprintf(variant, sizeof variant, "stack%zuk", o.cfg.stack_size / 1024);
    struct csv_key key = {.experiment = "spawn", .model = "tasks", .variant = variant};
    cpus_format(&cpus, key.cpus, sizeof key.cpus);
    csv_note("spawn tasks/%s cpus=%s: each task sleeps %llu ms, then waits for the "
             "release; user = anonymous Rss growth, kernel = "
             "KernelStack+PageTables+SUnreclaim growth", variant, key.cpus,
             (unsigned long long)o.sleep_ms);

    struct spawn_point pts[SWEEP_MAX];
    size_t got = 0;
    int rc = 0;
    for (size_t i = 0; i < o.count; i++) {
        memset(&pts[got], 0, sizeof pts[got]);
        if (sweep_in_child(measure, o.ns[i], &o, &pts[got]) < 0) {
            rc = 1;
            break;
        }
        got++;
        if (pts[got - 1].failed) {
            cli_warn("n=%llu: stopped after %llu tasks: %s%s",
                     (unsigned long long)o.ns[i], (unsigned long long)pts[got - 1].created,
                     pts[got - 1].limit, i + 1 < o.count ? "; the remaining N are skipped" : "");
            break;
        }
    }
    sweep_report(&key, pts, got);
    return rc;
}

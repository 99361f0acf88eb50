/* spawn (tasks) - what N sleeping tasks cost: creation time, user memory
 * and kernel memory (page tables and the VMAs of stacks), for stackful
 * tasks (a stack each, from the pool) and stackless ones (a header and a
 * frame, nothing else).
 *
 * Each task arrives, sleeps S ms, then waits at a gate (a wait group). The
 * snapshot is taken once all N have arrived and before the gate opens, so
 * no task can have ended before it is counted, whatever S is. Each N runs
 * in a fresh process, so nothing an earlier N left behind (the stack pool,
 * the task slab, malloc's free lists) can hide memory.
 *
 * --timer-cost measures the timer structure alone instead (bench's
 * timer_cost.h):
 * arm N timers as N tasks would, expire them, ns per operation.
 */
#include "cli.h"
#include "measure.h"
#include "stackless.h"
#include "timer_cost.h"
#include "yl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const char usage[] =
    "usage: spawn [--n LIST] [--kind stackful|stackless] [--sleep-ms S]\n"
    "             [--stack-kib K] [--no-guard] [--timers wheel|heap] [--lateness]\n"
    "             [--cpus LIST] [--csv] [--timeout S]\n"
    "       spawn --timer-cost [--n LIST] [--timers wheel|heap] [--sleep-ms S] [--csv]\n"
    "Starts N tasks that each sleep S ms, snapshots memory while they are\n"
    "all alive, then lets them finish; one fresh set of tasks per N.\n"
    "  --n LIST        comma list of task counts, measured in order (default 1,100,1000)\n"
    "  --kind K        stackful (default: a stack each) or stackless (a frame each)\n"
    "  --sleep-ms S    how long each task sleeps (default 100); the snapshot\n"
    "                  never races: tasks also wait for a release after it\n"
    "  --stack-kib K   stackful task stack size (default: the runtime's, 64 KiB)\n"
    "  --no-guard      stackful stacks without guard pages (YL_STACK_GUARD=0): past\n"
    "                  ~32k guarded stacks vm.max_map_count stops the run\n"
    "  --timers T      where sleepers wait: wheel (default) or heap (YL_TIMERS)\n"
    "  --lateness      also report how late the tasks woke (p50, p99, max over\n"
    "                  every 64th to wake, and the last) and the wall time from\n"
    "                  the first spawn to the last wake-up\n"
    "  --timer-cost    measure only the timers: ns per arm and per expiry of N\n"
    "                  timers armed like N tasks' sleeps (in order and shuffled)\n"
    "  --cpus LIST     pin the worker to these CPUs (e.g. 0)\n"
    "  --csv           CSV rows on stdout, summary on stderr\n"
    "  --timeout S     give up after S seconds (default 300)\n"
    "Rows per N: units, create_ns (for all N), user_bytes, kernel_bytes (growth\n"
    "over the baseline; limit_units instead when a limit stopped it); then the\n"
    "slopes over N create_ns_per_unit, user_bytes_per_unit, kernel_bytes_per_unit\n"
    "with n = the largest N. --lateness adds lateness_p50_ms, lateness_p99_ms,\n"
    "lateness_max_ms and elapsed_ms per N; --timer-cost gives experiment timers,\n"
    "insert_ns_per_timer and expire_ns_per_timer per N.\n";

/* What --lateness reports for one N; lives in memory shared with the
 * measuring child. */
struct wake_point {
    double p50_ms, p99_ms, max_ms, elapsed_ms;
    uint64_t woke;
};

struct opts {
    uint64_t ns[SWEEP_MAX];
    size_t count;
    uint64_t sleep_ms;
    bool stackless, lateness;
    yl_config cfg;
    struct wake_point *wakes; /* one slot per N, in MAP_SHARED memory */
    struct wake_point *wake;  /* the slot of the N being measured */
};

/* Lateness histogram: 10 us buckets up to 100 ms, the last one open. */
#define LATE_BUCKET_NS 10000u
#define LATE_BUCKETS 10001
/* Only every LATE_SAMPLE-th task to wake reads the clock: a clock read and
 * a histogram update for each of a million wake-ups would add tens of ms
 * to the last ones, and so measure mostly the measurement. */
#define LATE_SAMPLE 64

/* Atomics: YL_EXEC may spread the tasks over several workers. */
struct run {
    const struct opts *o;
    uint64_t n;
    struct spawn_point *out;
    _Atomic uint64_t arrived, woke;
    yl_wg gate;
    uint64_t t0;
    _Atomic uint64_t made, last_wake, late_max, sampled;
    _Atomic uint32_t late[LATE_BUCKETS];
};

static void atomic_max(_Atomic uint64_t *a, uint64_t v)
{
    uint64_t cur = atomic_load_explicit(a, memory_order_relaxed);
    while (cur < v && !atomic_compare_exchange_weak(a, &cur, v)) {
    }
}

/* A task just woke from its sleep. */
static void woke(struct run *r)
{
    uint64_t k = atomic_fetch_add(&r->woke, 1);
    bool last = k + 1 == atomic_load_explicit(&r->made, memory_order_relaxed);
    if (!r->o->lateness || (k % LATE_SAMPLE != 0 && !last))
        return;
    uint64_t now = now_ns(), due = yl_deadline_ns();
    uint64_t late = now > due ? now - due : 0, b = late / LATE_BUCKET_NS;
    atomic_fetch_add_explicit(&r->late[b < LATE_BUCKETS ? b : LATE_BUCKETS - 1], 1,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&r->sampled, 1, memory_order_relaxed);
    atomic_max(&r->late_max, late);
    atomic_max(&r->last_wake, now);
}

/* A stackful task: its locals live on its own stack. */
static void unit(void *arg)
{
    struct run *r = arg;
    atomic_fetch_add(&r->arrived, 1);
    yl_sleep_ms(r->o->sleep_ms);
    woke(r);
    yl_wg_wait(&r->gate);
}

/* The same as a stackless task: what must survive its two waits is where
 * to resume, nothing else. The run it reports to is the same for every
 * unit, and there is one per process (sweep_in_child): a constant every
 * unit shares, as a compiler would fold a captured global, not a field
 * each of a million frames repeats. The frame is then 2 bytes, like
 * foo's, and the task 56. */
struct unit_frame {
    yl_pc pc;
};
static struct run *the_run; /* the measurement under way in this process */

static yl_poll unit_poll(void *frame)
{
    struct unit_frame *f = frame;
    struct run *r = the_run;
    YL_BEGIN(f);
    atomic_fetch_add(&r->arrived, 1);
    YL_AWAIT(f, yl_sl_sleep_ms(r->o->sleep_ms));
    woke(r);
    YL_AWAIT(f, yl_sl_wg_wait(&r->gate));
    YL_END(f);
}

static YL_SL_DEF(unit_def, "unit", unit_poll, struct unit_frame);

/* The nearest-rank percentile p of the histogram, as its bucket's upper
 * edge in ms (never optimistic). */
static double late_pctl(struct run *r, uint64_t total, double p)
{
    uint64_t want = (uint64_t)((double)total * p / 100.0 + 0.999999), seen = 0;
    for (int b = 0; b < LATE_BUCKETS; b++) {
        seen += atomic_load(&r->late[b]);
        if (seen >= want && want)
            return b == LATE_BUCKETS - 1 ? (double)atomic_load(&r->late_max) / 1e6
                                         : (double)(b + 1) * LATE_BUCKET_NS / 1e6;
    }
    return 0;
}

/* Writes every page of [p, p + len), so that it is resident before the
 * baseline. (A memset to zero right after malloc may be turned into
 * calloc, which leaves fresh pages untouched: they would then be counted
 * as the tasks' memory when the handles are stored.) */
static void touch_pages(void *p, size_t len)
{
    volatile char *c = p;
    for (size_t i = 0; i < len; i += 4096)
        c[i] = 0;
    if (len)
        c[len - 1] = 0;
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
    touch_pages(tasks, n * sizeof *tasks);
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
    r->t0 = t0;
    for (; made < n; made++) {
        errno = 0;
        if (r->o->stackless)
            tasks[made] = yl_sl_spawn(&unit_def, NULL);
        else
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
    atomic_store(&r->made, made); /* on one worker, before any task has run */
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
    if (r->o->lateness)
        while (atomic_load(&r->woke) < made)
            yl_sleep_ms(1); /* the gate opens after the last wake-up */
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
    struct run *r = calloc(1, sizeof *r); /* the histogram: not on the stack */
    if (!r)
        cli_fail("out of memory");
    r->o = o;
    r->n = n;
    r->out = out;
    the_run = r;
    if (yl_run(&o->cfg, measure_main, r) != 0)
        cli_fail("n=%llu: the runtime failed", (unsigned long long)n);
    uint64_t w = atomic_load(&r->sampled);
    if (o->lateness && w) {
        *o->wake = (struct wake_point){
            .p50_ms = late_pctl(r, w, 50),
            .p99_ms = late_pctl(r, w, 99),
            .max_ms = (double)atomic_load(&r->late_max) / 1e6,
            .elapsed_ms = (double)(atomic_load(&r->last_wake) - r->t0) / 1e6,
            .woke = w,
        };
    }
    the_run = NULL;
    free(r);
}

/* Before each N: the child reports its wake-ups into that N's slot. */
static void point_wake(size_t i, void *arg)
{
    struct opts *o = arg;
    o->wake = &o->wakes[i];
}

static const char *const kinds[] = {"stackful", "stackless", NULL};
static const char *const timer_names[] = {"wheel", "heap", NULL};

/* --timer-cost: the wheel or the heap alone, per N, in deadline order and
 * shuffled. Timers are armed over N x 0.1 us, a spawn loop's pace. */
static int timer_cost(const struct opts *o, const struct cpu_list *cpus, bool heap)
{
    for (int shuffled = 0; shuffled < 2; shuffled++) {
        char variant[32];
        snprintf(variant, sizeof variant, "%s%s", heap ? "heap" : "wheel",
                 shuffled ? "-shuffled" : "");
        struct csv_key key = {.experiment = "timers", .model = "tasks", .variant = variant};
        cpus_format(cpus, key.cpus, sizeof key.cpus);
        for (size_t i = 0; i < o->count; i++) {
            double ins, exp;
            uint64_t spread_ms = o->ns[i] / 10000 + 1;
            if (timer_cost_measure(heap ? YL_TIMERS_HEAP : YL_TIMERS_WHEEL, o->ns[i],
                                   o->sleep_ms, spread_ms, shuffled, &ins, &exp) != 0)
                cli_fail("--timer-cost: n=%llu: out of memory", (unsigned long long)o->ns[i]);
            csv_row(&key, o->ns[i], "insert_ns_per_timer", ins, "ns");
            csv_row(&key, o->ns[i], "expire_ns_per_timer", exp, "ns");
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    struct opts o = {.ns = {1, 100, 1000}, .count = 3, .sleep_ms = 100};
    struct cpu_list cpus = {.n = 0};
    bool csv = false, no_guard = false, cost = false;
    const char *n_list = NULL, *cpu_list = NULL;
    uint64_t stack_kib = 0;
    int kind = 0, timers = -1;
    const struct cli_opt opts[] = {
        {"--n", CLI_STR, &n_list, 0, 0, NULL},
        {"--kind", CLI_CHOICE, &kind, 0, 0, kinds},
        {"--sleep-ms", CLI_U64, &o.sleep_ms, 0, 3600000, NULL},
        /* 8 KiB: a signal handler (the --timeout watchdog) may run on a
         * task stack and needs room of its own. */
        {"--stack-kib", CLI_U64, &stack_kib, 8, 1024 * 1024, NULL},
        {"--no-guard", CLI_BOOL, &no_guard, 0, 0, NULL},
        {"--timers", CLI_CHOICE, &timers, 0, 0, timer_names},
        {"--lateness", CLI_BOOL, &o.lateness, 0, 0, NULL},
        {"--timer-cost", CLI_BOOL, &cost, 0, 0, NULL},
        {"--cpus", CLI_STR, &cpu_list, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 300);
    o.stackless = kind == 1;
    if (o.stackless && stack_kib)
        cli_usage_error("--stack-kib: stackless tasks have no stack");
    if (o.stackless && no_guard)
        cli_usage_error("--no-guard: stackless tasks have no stack to guard");
    if (n_list)
        o.count = cli_u64_list("--n", n_list, 1, 100000000, o.ns, SWEEP_MAX);
    if (cpu_list)
        cpus_flag("--cpus", cpu_list, &cpus);
    o.cfg.stack_size = (size_t)stack_kib * 1024;
    /* YL_STACK_KIB, YL_TIMERS, YL_STACK_GUARD may set what the flags do
     * not: name the variant after what the tasks really get; flags win. */
    if (yl_config_from_env(&o.cfg) != 0)
        return 2;
    if (timers >= 0)
        o.cfg.timers = timers == 1 ? YL_TIMERS_HEAP : YL_TIMERS_WHEEL;
    if (no_guard)
        o.cfg.stack_unguarded = true;
    bool heap = o.cfg.timers == YL_TIMERS_HEAP;
    csv_enable(csv);
    if (cpus_pin_self(&cpus) < 0)
        cli_fail("--cpus: sched_setaffinity: %s", strerror(errno));
    if (cost)
        return timer_cost(&o, &cpus, heap);

    char variant[48] = "stackful";
    if (o.stackless)
        snprintf(variant, sizeof variant, "stackless");
    else if (o.cfg.stack_size)
        snprintf(variant, sizeof variant, "stack%zuk", o.cfg.stack_size / 1024);
    if (o.cfg.stack_unguarded && !o.stackless)
        strcat(variant, "-noguard");
    if (heap)
        strcat(variant, "-heap");
    struct csv_key key = {.experiment = "spawn", .model = "tasks", .variant = variant};
    cpus_format(&cpus, key.cpus, sizeof key.cpus);
    csv_note("spawn tasks/%s cpus=%s: each task sleeps %llu ms, then waits for the "
             "release; user = anonymous Rss growth, kernel = "
             "KernelStack+PageTables+SUnreclaim growth", variant, key.cpus,
             (unsigned long long)o.sleep_ms);

    struct wake_point *wake = mmap(NULL, SWEEP_MAX * sizeof *wake, PROT_READ | PROT_WRITE,
                                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (wake == MAP_FAILED)
        cli_fail("mmap: %s", strerror(errno));
    struct spawn_point pts[SWEEP_MAX];
    int rc;
    o.wakes = wake;
    size_t got = sweep_points(measure, o.ns, o.count, &o, point_wake, "tasks", pts, &rc);
    sweep_report(&key, pts, got);
    for (size_t i = 0; o.lateness && i < got; i++) {
        const struct wake_point *w = &wake[i];
        if (!w->woke)
            continue;
        csv_row(&key, pts[i].n, "lateness_p50_ms", w->p50_ms, "ms");
        csv_row(&key, pts[i].n, "lateness_p99_ms", w->p99_ms, "ms");
        csv_row(&key, pts[i].n, "lateness_max_ms", w->max_ms, "ms");
        csv_row(&key, pts[i].n, "elapsed_ms", w->elapsed_ms, "ms");
    }
    munmap(wake, SWEEP_MAX * sizeof *wake);
    return rc;
}

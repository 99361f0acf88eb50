/* counter (tasks) - the lost update: N tasks each add one to a number kept
 * in a file, reading it and writing it back through the blocking-IO pool.
 * Each file operation is a yield point, so with one worker every task reads
 * the old value before any task writes: the article's bug, on demand.
 *
 *   none       read, +1, write: updates are lost
 *   lock       the same under a FIFO yl_mutex: exact, fair
 *   lifo-lock  the same under a LIFO yl_mutex (the article's AsyncLock): exact, unfair
 *   append     append a line per increment; the count is the line count: exact
 *   sync       blocking read and write inside the task: no yield point, exact
 *
 * --mem keeps the counter in memory instead, shared by U tasks doing N
 * increments between them (the article's Go example): with one worker no
 * update is lost, since nothing yields inside `counter += 1`; with
 * YL_EXEC=stealing and 2 workers two tasks really run at once and `none`
 * loses updates; `lock` (yl_mutex) and `atomic` (one fetch-add) do not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "counterfile.h"
#include "lockstat.h"
#include "measure.h"
#include "yl.h"

static const char usage[] =
    "usage: counter [--n N] [--fix F] [--file PATH] [--mem [--units U]] [--csv]\n"
    "N async tasks each add 1 to a counter kept in a file (or in memory).\n"
    "  --n N        tasks, one increment each (default 1000)\n"
    "  --fix F      none: read, yield, write (loses updates); lock: FIFO async mutex;\n"
    "               lifo-lock: newest waiter first; append: one line per increment;\n"
    "               sync: blocking IO inside the task, no yield point (default none)\n"
    "  --file PATH  the counter file (default: a temporary file, removed at exit)\n"
    "  --mem        an in-memory counter: U tasks share N increments; --fix none|lock|atomic\n"
    "  --units U    tasks for --mem (default 8)\n"
    "  --exec E     executor: single (default, or YL_EXEC), sharded, stealing\n"
    "  --workers N  workers of sharded/stealing (default: the usable CPUs)\n"
    "  --cpus LIST  pin worker i to the i-th CPU of LIST\n"
    "  --arrive-us D  task i waits i*D us before it starts, so lock waiters\n"
    "               arrive over time instead of all at once (default 0)\n"
    "  --csv        CSV rows on stdout, summary on stderr\n"
    "  --timeout S  give up after S seconds (default 120)\n";

enum fix { NONE, LOCK, LIFO_LOCK, APPEND, SYNC, ATOMIC };
static const char *const fixes[] = {"none", "lock", "lifo-lock", "append", "sync", "atomic", NULL};

static struct {
    enum fix fix;
    const char *path;
    int fd;
    yl_mutex mu;
    yl_wg wg;
    struct lockstat *ls;
    uint64_t arrive_us;
    bool mem;
    uint64_t per_task;          /* --mem: increments each task does */
    volatile uint64_t plain;    /* --mem none/lock: load, add, store */
    _Atomic uint64_t atomic;    /* --mem atomic */
    uint64_t reads_issued;
    uint64_t reads_before_first_write; /* 0 until the first write */
    int errors;
} g;

/* Read-modify-write through the pool: two yield points. */
static void add_one_async(void)
{
    char buf[COUNTER_WIDTH + 2];
    g.reads_issued++;
    ssize_t r = yl_file_read(g.fd, buf, sizeof buf, 0);
    if (r < 0) {
        g.errors++;
        return;
    }
    uint64_t v = counterfile_parse(buf, r) + 1;
    int len = counterfile_format(buf, v);
    if (!g.reads_before_first_write)
        g.reads_before_first_write = g.reads_issued;
    if (yl_file_write(g.fd, buf, (size_t)len, 0) != len)
        g.errors++;
}

/* The same with plain blocking calls: the task keeps the worker throughout. */
static void add_one_sync(void)
{
    char buf[COUNTER_WIDTH + 2];
    ssize_t r = pread(g.fd, buf, sizeof buf, 0);
    int len = counterfile_format(buf, counterfile_parse(buf, r < 0 ? 0 : r) + 1);
    if (r < 0 || pwrite(g.fd, buf, (size_t)len, 0) != len)
        g.errors++;
}

/* --mem: many increments of a shared word; no yield point inside one. */
static void add_mem(void)
{
    for (uint64_t i = 0; i < g.per_task; i++) {
        switch (g.fix) {
        case LOCK:
            yl_mutex_lock(&g.mu);
            g.plain = g.plain + 1;
            yl_mutex_unlock(&g.mu);
            break;
        case ATOMIC:
            atomic_fetch_add(&g.atomic, 1);
            break;
        default:
            g.plain = g.plain + 1;
            break;
        }
    }
}

static void increment(void *arg)
{
    uint64_t t0, i = (uint64_t)(uintptr_t)arg;
    uint32_t ticket;
    if (g.arrive_us)
        yl_sleep_us(i * g.arrive_us);
    if (g.mem) {
        add_mem();
        yl_wg_done(&g.wg);
        return;
    }
    switch (g.fix) {
    case NONE:
        add_one_async();
        break;
    case LOCK:
    case LIFO_LOCK:
        ticket = lockstat_arrive(g.ls, &t0);
        yl_mutex_lock(&g.mu);
        lockstat_acquired(g.ls, ticket, t0);
        add_one_async();
        yl_mutex_unlock(&g.mu);
        break;
    case APPEND:
        if (yl_file_append(g.path, "+1\n", 3) != 3)
            g.errors++;
        break;
    case SYNC:
        add_one_sync();
        break;
    case ATOMIC:
        break; /* --mem only, refused in main */
    }
    yl_wg_done(&g.wg);
}

struct run {
    uint64_t n;
    int workers;
};

static void start(void *arg)
{
    struct run *r = arg;
    r->workers = yl_workers();
    yl_wg_init(&g.wg);
    yl_mutex_init(&g.mu, g.fix == LIFO_LOCK ? YL_LIFO : YL_FIFO);
    yl_wg_add(&g.wg, (int64_t)r->n);
    for (uint64_t i = 0; i < r->n; i++)
        if (yl_go("incr", increment, (void *)(uintptr_t)i) != 0)
            cli_fail("out of memory after %llu tasks", (unsigned long long)i);
    yl_wg_wait(&g.wg); /* the article's Promise.all */
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    uint64_t n = 1000, units = 8, workers = 0;
    int fix = NONE, exec = -1;
    const char *cpus = NULL;
    bool csv = false;
    const char *path = NULL;
    const struct cli_opt opts[] = {
        {"--n", CLI_U64, &n, 1, 10000000, NULL},
        {"--fix", CLI_CHOICE, &fix, 0, 0, fixes},
        {"--file", CLI_STR, &path, 0, 0, NULL},
        {"--arrive-us", CLI_U64, &g.arrive_us, 0, 1000000, NULL},
        {"--mem", CLI_BOOL, &g.mem, 0, 0, NULL},
        {"--units", CLI_U64, &units, 1, 1000000, NULL},
        {"--exec", CLI_CHOICE, &exec, 0, 0, yl_exec_names},
        {"--workers", CLI_U64, &workers, 1, 64, NULL},
        {"--cpus", CLI_STR, &cpus, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 120);
    csv_enable(csv);
    g.fix = (enum fix)fix;
    if (g.mem && g.fix != NONE && g.fix != LOCK && g.fix != ATOMIC)
        cli_usage_error("--fix: '%s' needs a file; with --mem use none, lock or atomic", fixes[fix]);
    if (!g.mem && g.fix == ATOMIC)
        cli_usage_error("--fix: 'atomic' is for --mem");
    if (g.mem && path)
        cli_usage_error("--file: not used with --mem");
    uint64_t tasks = n;
    if (g.mem) {
        if (n % units)
            cli_usage_error("--units: %llu does not divide --n %llu", (unsigned long long)units,
                            (unsigned long long)n);
        tasks = units;
        g.per_task = n / units;
    } else {
        g.path = counterfile_setup(path, g.fix == APPEND);
        if (g.fix != APPEND && (g.fd = open(g.path, O_RDWR | O_CLOEXEC)) < 0)
            cli_fail("cannot open '%s': %s", g.path, strerror(errno));
        if ((g.fix == LOCK || g.fix == LIFO_LOCK) && !(g.ls = lockstat_new(n)))
            cli_fail("cannot allocate lock statistics: %s", strerror(errno));
    }

    /* Flags say more than the environment: drop what they override. */
    yl_config cfg = {0};
    struct cpu_list cl = {.n = 0};
    if (exec >= 0) {
        cfg.exec = (enum yl_exec)exec;
        unsetenv("YL_EXEC");
    }
    if (workers) {
        cfg.workers = (int)workers;
        unsetenv("YL_WORKERS");
    }
    if (cpus) {
        cpus_flag("--cpus", cpus, &cl);
        cfg.cpus = cpus;
        unsetenv("YL_CPUS");
    }
    struct run r = {.n = tasks};
    uint64_t t0 = now_ns();
    int rc = yl_run(&cfg, start, &r);
    double elapsed_ms = (double)(now_ns() - t0) / 1e6;
    if (!g.mem && g.fix != APPEND)
        close(g.fd);
    if (rc != 0)
        cli_fail("the runtime failed");
    if (g.errors)
        cli_fail("%d file operations failed", g.errors);

    uint64_t final = !g.mem ? counterfile_final(g.path, g.fix == APPEND)
                     : g.fix == ATOMIC ? atomic_load(&g.atomic) : g.plain;
    char variant[32];
    snprintf(variant, sizeof variant, "%s%s%s%s", g.mem ? "mem-" : "", fixes[fix],
             exec > 0 ? "-" : "", exec > 0 ? yl_exec_names[exec] : "");
    struct csv_key k = {.experiment = "counter", .model = "tasks", .variant = variant};
    cpus_format(&cl, k.cpus, sizeof k.cpus);
    csv_row(&k, n, "expected", (double)n, "count");
    csv_row(&k, n, "final", (double)final, "count");
    csv_row(&k, n, "lost", (double)(n - (final < n ? final : n)), "count");
    csv_row(&k, n, "elapsed_ms", elapsed_ms, "ms");
    csv_row(&k, n, "units", (double)tasks, "count");
    csv_row(&k, n, "workers", (double)r.workers, "count");
    if (g.fix == NONE && !g.mem)
        csv_row(&k, n, "reads_before_first_write", (double)g.reads_before_first_write, "count");
    if (g.ls) {
        lockstat_report(g.ls, &k, n);
        lockstat_free(g.ls);
    }
    return 0;
}

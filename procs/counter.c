/* counter (procs) - the lost update with processes. U fork()ed processes
 * share N increments of a counter kept in a file (or, with --mem, in a
 * MAP_SHARED page: separate address spaces share only what they map).
 *
 *   file: none (pread, +1, pwrite), flock, append
 *   mem:  none (load, +1, store), atomic (one fetch-add)
 * No pthread mutex here: it would have to live in shared memory and be
 * marked process-shared; flock is the tool processes reach for.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "counterfile.h"
#include "lockstat.h"
#include "measure.h"

static const char usage[] =
    "usage: counter [--n N] [--units U] [--fix F] [--mem] [--file PATH] [--csv]\n"
    "U fork()ed processes share N increments of a counter in a file (or in a\n"
    "MAP_SHARED page with --mem).\n"
    "  --n N        increments in all (default 1000)\n"
    "  --units U    processes (default 8)\n"
    "  --fix F      file: none|flock|append; --mem: none|atomic (default none)\n"
    "  --mem        keep the counter in shared memory instead of a file\n"
    "  --file PATH  the counter file (default: a temporary file, removed at exit)\n"
    "  --csv        CSV rows on stdout, summary on stderr\n"
    "  --timeout S  give up after S seconds (default 120)\n";

enum fix { NONE, FLOCK, APPEND, ATOMIC };
static const char *const fixes[] = {"none", "flock", "append", "atomic", NULL};

/* What the processes share: mapped before fork, so every child sees it. */
struct shared {
    volatile uint64_t plain;
    _Atomic uint64_t atomic;
    _Atomic int errors;
    struct usync start;
};

static enum fix fix;
static bool mem;
static const char *path;
static struct shared *sh;
static struct lockstat *ls;

static void file_add_one(int fd)
{
    char buf[COUNTER_WIDTH + 2];
    ssize_t r = pread(fd, buf, sizeof buf, 0);
    int len = counterfile_format(buf, counterfile_parse(buf, r < 0 ? 0 : r) + 1);
    if (r < 0 || pwrite(fd, buf, (size_t)len, 0) != len)
        atomic_fetch_add(&sh->errors, 1);
}

static void add_one(int fd)
{
    uint64_t t0;
    uint32_t ticket;
    switch (fix) {
    case NONE:
        if (mem)
            sh->plain = sh->plain + 1; /* load, add, store: three steps */
        else
            file_add_one(fd);
        break;
    case FLOCK:
        ticket = lockstat_arrive(ls, &t0);
        flock(fd, LOCK_EX);
        lockstat_acquired(ls, ticket, t0);
        file_add_one(fd);
        flock(fd, LOCK_UN);
        break;
    case APPEND:
        if (write(fd, "+1\n", 3) != 3) /* O_APPEND: the kernel keeps it whole */
            atomic_fetch_add(&sh->errors, 1);
        break;
    case ATOMIC:
        atomic_fetch_add(&sh->atomic, 1);
        break;
    }
}

/* A child: opens its own fd (its own flock), waits for the start, works. */
static _Noreturn void unit_main(uint64_t count, uint32_t units)
{
    int fd = -1;
    if (!mem) {
        fd = open(path, (fix == APPEND ? O_WRONLY | O_APPEND : O_RDWR) | O_CLOEXEC);
        if (fd < 0)
            atomic_fetch_add(&sh->errors, 1);
    }
    usync_arrive(&sh->start, units);
    usync_wait_gate(&sh->start);
    if (mem || fd >= 0)
        for (uint64_t i = 0; i < count; i++)
            add_one(fd);
    _exit(0);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    uint64_t n = 1000, units = 8;
    int f = NONE;
    bool csv = false;
    const char *file = NULL;
    const struct cli_opt opts[] = {
        {"--n", CLI_U64, &n, 1, 100000000, NULL},
        {"--units", CLI_U64, &units, 1, 4096, NULL},
        {"--fix", CLI_CHOICE, &f, 0, 0, fixes},
        {"--mem", CLI_BOOL, &mem, 0, 0, NULL},
        {"--file", CLI_STR, &file, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 120);
    csv_enable(csv);
    fix = (enum fix)f;
    if (mem && (fix == FLOCK || fix == APPEND))
        cli_usage_error("--fix: '%s' needs a file; with --mem use none or atomic", fixes[f]);
    if (!mem && fix == ATOMIC)
        cli_usage_error("--fix: 'atomic' is for --mem; a file takes none, flock or append");
    if (mem && file)
        cli_usage_error("--file: not used with --mem");
    if (units > n)
        units = n;

    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        cli_fail("mmap: %s", strerror(errno));
    usync_reset(&sh->start);
    if (!mem)
        path = counterfile_setup(file, fix == APPEND);
    if (fix == FLOCK && !(ls = lockstat_new(n)))
        cli_fail("cannot allocate lock statistics: %s", strerror(errno));

    pid_t *kids = calloc(units, sizeof *kids);
    if (!kids)
        cli_fail("out of memory");
    uint64_t t0 = now_ns();
    uint32_t made = 0;
    for (; made < units; made++) {
        pid_t pid = cli_fork();
        if (pid == 0)
            unit_main(n / units + (made < n % units), (uint32_t)units);
        if (pid < 0) {
            char why[256];
            int e = errno;
            limit_explain(e, why, sizeof why);
            cli_warn("fork: %s (%s)", strerror(e), why);
            break;
        }
        kids[made] = pid;
    }
    if (made == units)
        usync_wait_arrived(&sh->start, (uint32_t)units);
    else
        for (uint32_t i = 0; i < made; i++)
            kill(kids[i], SIGKILL); /* a partial run measures nothing */
    usync_open_gate(&sh->start);
    int bad = 0;
    for (uint32_t i = 0; i < made; i++) {
        int st;
        while (waitpid(kids[i], &st, 0) < 0 && errno == EINTR) {
        }
        bad += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    double elapsed_ms = (double)(now_ns() - t0) / 1e6;
    free(kids);
    if (made < units)
        exit(1);
    if (bad || sh->errors)
        cli_fail("%d children failed, %d operations failed", bad, (int)sh->errors);

    uint64_t final = mem ? (fix == ATOMIC ? atomic_load(&sh->atomic) : sh->plain)
                         : counterfile_final(path, fix == APPEND);
    char variant[32];
    snprintf(variant, sizeof variant, "%s%s", mem ? "mem-" : "", fixes[f]);
    struct csv_key k = {.experiment = "counter", .model = "procs", .variant = variant};
    snprintf(k.cpus, sizeof k.cpus, "-");
    csv_row(&k, n, "expected", (double)n, "count");
    csv_row(&k, n, "final", (double)final, "count");
    csv_row(&k, n, "lost", (double)(n - (final < n ? final : n)), "count");
    csv_row(&k, n, "elapsed_ms", elapsed_ms, "ms");
    csv_row(&k, n, "units", (double)units, "count");
    if (ls) {
        lockstat_report(ls, &k, n);
        lockstat_free(ls);
    }
    munmap(sh, sizeof *sh);
    return 0;
}

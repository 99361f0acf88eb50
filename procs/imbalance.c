/* imbalance (procs) - the unlucky worker with fork()ed processes. J jobs of
 * CPU work, K of them heavy, on W worker processes.
 *
 *   static  each process knows its share before it starts: process k runs
 *           jobs k, k+W, k+2W... Every heavy job (0, W, 2W...) falls to
 *           process 0, the unlucky one.
 *   queue   the parent writes the job ids into a pipe; each process reads
 *           the next id when it is free (the pre-fork server's shared
 *           accept queue). A read of 4 bytes takes exactly one id, since
 *           every write is a whole number of ids of at most PIPE_BUF bytes,
 *           and the kernel keeps such writes whole.
 * What the workers record (busy time, jobs run) lives in a MAP_SHARED
 * page: separate address spaces share only what they map.
 * Compare with runtime/imbalance.c and threads/imbalance.c.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "measure.h"
#include "trace.h"
#include "work.h"

static const char usage[] =
    "usage: imbalance [--variant static|queue] [--workers W] [--jobs J] [--job-us U]\n"
    "                 [--skew S] [--heavy K] [--cpus LIST] [--trace FILE] [--csv]\n"
    "J jobs of CPU work on W fork()ed processes; K jobs are heavy.\n"
    "  --variant V   static (process k runs jobs k, k+W...) or queue (job ids in a pipe)\n"
    "                (default: both, in that order)\n"
    "  --workers W   processes (default 2)\n"
    "  --jobs J      jobs (default 64)\n"
    "  --job-us U    CPU time of a light job, in microseconds (default 1000)\n"
    "  --skew S      a heavy job costs S times a light one (default 20)\n"
    "  --heavy K     heavy jobs: 0, W, 2W... (default 4, fewer if J/W is small)\n"
    "  --cpus LIST   pin process k to the (k mod n)-th CPU of LIST (default: not pinned)\n"
    "  --trace FILE  write every job as trace CSV (needs --variant)\n"
    "  --csv         CSV rows on stdout, summary on stderr\n"
    "  --timeout S   give up after S seconds (default 120)\n"
    "Rows (n = J): makespan_ms, ideal_ms, work_ms, workers, jobs_done;\n"
    "busy_ms and jobs per process, under the variant VARIANT-wK.\n";

enum variant { STATIC, QUEUE };
static const char *const variants[] = {"static", "queue", NULL};

/* The ids go through the pipe in writes of this many: PIPE_BUF bytes. */
#define IDS_PER_WRITE (PIPE_BUF / sizeof(uint32_t))

/* A worker process. Exits 0, or 1 when it could not pin or read. */
static _Noreturn void worker_main(int k, enum variant v, struct jobs *j, struct usync *go,
                                  int rfd, const struct cpu_list *cpus)
{
    int rc = 0;
    if (cpus->n && cpu_pin_self(cpus->cpu[k % cpus->n]) < 0) {
        cli_warn("--cpus: sched_setaffinity: %s", strerror(errno));
        rc = 1;
    }
    usync_arrive(go, (uint32_t)j->set.workers);
    usync_wait_gate(go);
    if (rc == 0 && v == STATIC) {
        for (uint64_t i = (uint64_t)k; i < j->set.jobs; i += j->set.workers)
            jobs_run(j, i, k);
    } else if (rc == 0) {
        uint32_t id;
        ssize_t r;
        while ((r = read(rfd, &id, sizeof id)) == (ssize_t)sizeof id || (r < 0 && errno == EINTR))
            if (r > 0)
                jobs_run(j, id, k);
        if (r != 0) { /* 0 is end of file: the parent closed, no job left */
            cli_warn("read of the job pipe: %s", r < 0 ? strerror(errno) : "a torn id");
            rc = 1;
        }
    }
    _exit(rc);
}

/* Parent, queue variant: every job id into the pipe, then close it. */
static void fill_pipe(int wfd, uint64_t n)
{
    uint32_t ids[IDS_PER_WRITE];
    for (uint64_t i = 0; i < n;) {
        size_t m = 0;
        while (m < IDS_PER_WRITE && i < n)
            ids[m++] = (uint32_t)i++;
        size_t len = m * sizeof ids[0];
        ssize_t w;
        while ((w = write(wfd, ids, len)) < 0 && errno == EINTR) {
        }
        if (w != (ssize_t)len)
            cli_fail("write to the job pipe: %s", w < 0 ? strerror(errno) : "short write");
    }
    close(wfd);
}

static uint64_t run(enum variant v, const struct jobset *s, const struct cpu_list *cpus,
                    const char *trace)
{
    struct jobs *j = jobs_new(s);
    struct usync *go = mmap(NULL, sizeof *go, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!j || go == MAP_FAILED)
        cli_fail("mmap of the shared record: %s", strerror(errno));
    jobs_trace_start(j, trace);
    usync_reset(go);
    int p[2] = {-1, -1};
    if (v == QUEUE && pipe(p) < 0)
        cli_fail("pipe: %s", strerror(errno));
    pid_t kids[JOBS_MAX_WORKERS];
    uint64_t made = 0;
    for (; made < s->workers; made++) {
        pid_t pid = cli_fork();
        if (pid == 0) {
            if (p[1] >= 0)
                close(p[1]); /* else the pipe never reaches end of file */
            worker_main((int)made, v, j, go, p[0], cpus);
        }
        if (pid < 0) {
            char why[256];
            int e = errno;
            limit_explain(e, why, sizeof why);
            for (uint64_t i = 0; i < made; i++)
                kill(kids[i], SIGKILL); /* a partial run measures nothing */
            for (uint64_t i = 0; i < made; i++)
                waitpid(kids[i], NULL, 0);
            cli_fail("fork: %s (%s)", strerror(e), why);
        }
        kids[made] = pid;
    }
    if (p[0] >= 0)
        close(p[0]);
    usync_wait_arrived(go, (uint32_t)s->workers);
    jobs_start_clock(j);
    usync_open_gate(go);
    if (v == QUEUE)
        fill_pipe(p[1], s->jobs);
    int bad_kids = 0;
    for (uint64_t i = 0; i < made; i++) {
        int st;
        while (waitpid(kids[i], &st, 0) < 0 && errno == EINTR) {
        }
        bad_kids += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    munmap(go, sizeof *go);
    if (bad_kids)
        cli_fail("%d worker process(es) failed", bad_kids);

    struct csv_key k = {.experiment = "imbalance", .model = "procs", .variant = variants[v]};
    cpus_format(cpus, k.cpus, sizeof k.cpus);
    uint64_t bad = jobs_report(j, &k);
    jobs_trace_finish(j, trace, "procs");
    jobs_free(j);
    return bad;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    struct jobs_args a;
    jobs_args_parse(argc, argv, "--variant", variants, &a);
    /* A worker that died mid-queue must not kill us with SIGPIPE: write
     * then fails with EPIPE and we say so. */
    signal(SIGPIPE, SIG_IGN);

    uint64_t bad = 0;
    for (int v = STATIC; v <= QUEUE; v++)
        if (a.only < 0 || a.only == v)
            bad += run((enum variant)v, &a.set, &a.cpus, a.trace);
    if (bad)
        cli_fail("%llu job(s) did not run exactly once", (unsigned long long)bad);
    return 0;
}

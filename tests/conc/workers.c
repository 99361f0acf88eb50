/* workers.c - the runtime's contracts under several workers, one check
 * per bug they once had: fd waits on a task that migrates, parking
 * against a wake storm, deadlock detection, a worker that cannot start,
 * two yl_run at once. Plain C, as conc.c: the Criterion suite
 * (tests/test_workers.c) and the TSan runner (main_plain.c) both call them. */
#include "conc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "yl.h"

/* ---- fd waits while tasks migrate ----------------------------------- */

#define FD_PAIRS_MAX 64

/* Reader task i reads pipe i `rounds` times, one byte at a time. A plain
 * thread outside the runtime writes the pipes in bursts: a byte to each,
 * then a pause in which the readers drain them and wait in epoll again.
 * A burst wakes many readers on each worker at once, each works a little
 * after its read (and yields now and then), so the other worker steals
 * some of the woken ones: under stealing, a task often waits on one
 * worker, resumes on another and waits again on either. */
static struct {
    int pairs, rounds;
    int fds[FD_PAIRS_MAX][2];
    _Atomic int reads_ok, reads_failed, first_errno;
    yl_wg wg;
} fdr;

/* A unit that keeps its worker busy for about us microseconds. */
static void busy_us(int us)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do
        clock_gettime(CLOCK_MONOTONIC, &b);
    while ((b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

static void fd_reader(void *arg)
{
    int i = (int)(intptr_t)arg;
    for (int r = 0; r < fdr.rounds; r++) {
        char c;
        ssize_t n = yl_read(fdr.fds[i][0], &c, 1);
        if (n != 1 || c != (char)r) {
            int zero = 0;
            atomic_compare_exchange_strong(&fdr.first_errno, &zero, n < 0 ? errno : -1);
            atomic_fetch_add(&fdr.reads_failed, 1);
            break;
        }
        atomic_fetch_add(&fdr.reads_ok, 1);
        busy_us(10);
        if ((i + r) % 4 == 0)
            yl_yield(); /* through the global queue: either worker resumes it */
    }
    yl_wg_done(&fdr.wg);
}

static void *fd_writer(void *arg)
{
    (void)arg;
    for (int r = 0; r < fdr.rounds; r++) {
        for (int i = 0; i < fdr.pairs; i++) {
            char c = (char)r;
            if (write(fdr.fds[i][1], &c, 1) != 1)
                return NULL; /* the reader reports what it misses */
        }
        usleep(300);
    }
    return NULL;
}

static void fd_main(void *arg)
{
    (void)arg;
    yl_wg_init(&fdr.wg);
    yl_wg_add(&fdr.wg, fdr.pairs);
    for (int i = 0; i < fdr.pairs; i++)
        if (yl_go("reader", fd_reader, (void *)(intptr_t)i) != 0)
            abort();
    yl_wg_wait(&fdr.wg);
}

static int nonblocking_pipe(int fd[2])
{
    return pipe(fd) == 0 && yl_fd_nonblock(fd[0]) == 0 && yl_fd_nonblock(fd[1]) == 0 ? 0 : -1;
}

int conc_fd_reads(int exec, int workers, int pairs, int rounds)
{
    if (pairs > FD_PAIRS_MAX)
        pairs = FD_PAIRS_MAX;
    fdr.pairs = pairs;
    fdr.rounds = rounds;
    atomic_store(&fdr.reads_ok, 0);
    atomic_store(&fdr.reads_failed, 0);
    atomic_store(&fdr.first_errno, 0);
    for (int i = 0; i < pairs; i++)
        if (nonblocking_pipe(fdr.fds[i]) != 0) {
            perror("fd reads: pipe");
            return 1;
        }
    pthread_t writer;
    if (pthread_create(&writer, NULL, fd_writer, NULL) != 0) {
        perror("fd reads: writer thread");
        return 1;
    }
    yl_config c = {.exec = (enum yl_exec)exec, .workers = workers};
    int rc = yl_run(&c, fd_main, NULL);
    for (int i = 0; i < pairs; i++)
        close(fdr.fds[i][0]); /* a writer still writing gets EPIPE, not a hang */
    pthread_join(writer, NULL);
    for (int i = 0; i < pairs; i++)
        close(fdr.fds[i][1]);
    int want = pairs * rounds, got = atomic_load(&fdr.reads_ok);
    if (rc != 0 || got != want) {
        int e = atomic_load(&fdr.first_errno);
        fprintf(stderr, "fd reads: rc %d, %d of %d reads succeeded, %d failed (first: %s)\n",
                rc, got, want, (int)atomic_load(&fdr.reads_failed),
                e > 0 ? strerror(e) : e < 0 ? "short or wrong byte" : "none");
        return 1;
    }
    return 0;
}

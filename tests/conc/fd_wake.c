/* fd_wake.c - fd readiness that reaches a task from outside the runtime
 * (a plain thread writing a pipe) and fd waits ended by yl_close. Plain C,
 * as conc.c: the Criterion suite (tests/test_steal_io.c) and the TSan
 * runner (main_plain.c) both call them. */
#include "conc.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "yl.h"

/* ---- one reader, fed by a plain thread ------------------------------- */

/* The reader task reads `rounds` bytes one at a time; the feeder thread
 * writes a byte, waits until the reader has it, then pauses so that both
 * workers park (one with the wait pending, one counted idle) before the
 * next byte. Each byte's readiness then wakes both workers at once, and
 * the one that does not take it looks around with nothing ready: the
 * moment a false deadlock would be declared. */
static struct {
    int pfd[2];
    int rounds;
    _Atomic int got;
    _Atomic bool over; /* the run ended: the feeder stops */
} tf;

static void tf_reader(void *arg)
{
    (void)arg;
    for (int r = 0; r < tf.rounds; r++) {
        char c;
        if (yl_read(tf.pfd[0], &c, 1) != 1 || c != (char)r) {
            fprintf(stderr, "thread_fed: read %d failed: %s\n", r, strerror(errno));
            return;
        }
        atomic_store(&tf.got, r + 1);
    }
}

static void *tf_feeder(void *arg)
{
    (void)arg;
    struct timespec pause = {0, 200000}; /* long enough for both workers to park */
    for (int r = 0; r < tf.rounds && !atomic_load(&tf.over); r++) {
        char c = (char)r;
        if (write(tf.pfd[1], &c, 1) != 1)
            break;
        while (atomic_load(&tf.got) <= r && !atomic_load(&tf.over))
            nanosleep(&(struct timespec){0, 20000}, NULL);
        nanosleep(&pause, NULL);
    }
    return NULL;
}

int conc_thread_fed(int exec, int workers, int runs, int rounds)
{
    int failed = 0;
    for (int run = 0; run < runs; run++) {
        if (pipe(tf.pfd) != 0 || yl_fd_nonblock(tf.pfd[0]) != 0)
            return 1;
        tf.rounds = rounds;
        atomic_store(&tf.got, 0);
        atomic_store(&tf.over, false);
        pthread_t th;
        if (pthread_create(&th, NULL, tf_feeder, NULL) != 0)
            return 1;
        yl_config c = {.exec = (enum yl_exec)exec, .workers = workers};
        int rc = yl_run(&c, tf_reader, NULL);
        atomic_store(&tf.over, true);
        pthread_join(th, NULL);
        if (rc != 0 || atomic_load(&tf.got) != rounds) {
            fprintf(stderr, "thread_fed: run %d of %d: yl_run %s after %d of %d bytes\n", run + 1,
                    runs, rc != 0 ? "failed" : "returned", atomic_load(&tf.got), rounds);
            failed++;
        }
        close(tf.pfd[0]);
        close(tf.pfd[1]);
    }
    if (failed)
        fprintf(stderr, "thread_fed: %d of %d runs failed\n", failed, runs);
    return failed != 0;
}

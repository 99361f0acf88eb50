/* steal_io.c - under stealing, fd readiness is seen by every worker: a task
 * waiting in yl_read whose worker then runs a CPU hog that never yields is
 * resumed by the other worker while the hog still runs. Plain C, as
 * conc.c: the Criterion suite (tests/test_workers.c) and the TSan runner
 * (main_plain.c) both call it. */
#include "conc.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "yl.h"

/* One attempt: the reader records its worker, starts the hog (queued on
 * that worker's deque) and waits on an empty pipe. The hog, if it runs on
 * the reader's worker (which the other worker may or may not have stolen
 * it from first), writes the pipe and spins until the reader says it ran
 * again, or until `bound` iterations run out. The reader cannot be
 * running meanwhile on that worker (the hog is), and it has no yield point
 * between recording its worker and waiting, so it waits there; only
 * another worker can resume it. */
static struct {
    long bound;
    int pfd[2];
    int reader_worker, hog_worker, resumed_on;
    _Atomic bool resumed;
    bool conclusive, seen;
    yl_wg wg;
} si;

static void hog(void *arg)
{
    (void)arg;
    si.hog_worker = yl_worker_index();
    si.conclusive = si.hog_worker == si.reader_worker;
    char c = 'x';
    if (write(si.pfd[1], &c, 1) != 1)
        si.conclusive = false;
    for (long i = 0; si.conclusive && i < si.bound; i++)
        if (atomic_load_explicit(&si.resumed, memory_order_acquire)) {
            si.seen = true; /* the reader ran again before the bound */
            break;
        }
    yl_wg_done(&si.wg);
}

static void reader(void *arg)
{
    (void)arg;
    si.reader_worker = yl_worker_index();
    yl_go("hog", hog, NULL);
    char c;
    ssize_t n = yl_read(si.pfd[0], &c, 1); /* empty until the hog writes */
    si.resumed_on = n == 1 ? yl_worker_index() : -2;
    atomic_store_explicit(&si.resumed, true, memory_order_release);
    yl_wg_done(&si.wg);
}

static struct {
    int attempts, want, conclusive, bad;
} sr;

static void steal_main(void *arg)
{
    (void)arg;
    for (int a = 0; a < sr.attempts && sr.conclusive < sr.want && !sr.bad; a++) {
        atomic_store(&si.resumed, false);
        si.conclusive = si.seen = false;
        si.reader_worker = si.hog_worker = si.resumed_on = -1;
        yl_wg_init(&si.wg);
        yl_wg_add(&si.wg, 2);
        if (yl_go("reader", reader, NULL) != 0) {
            sr.bad = 1;
            break;
        }
        yl_wg_wait(&si.wg); /* both done: the hog's write let the reader go */
        if (si.resumed_on < 0) {
            fprintf(stderr, "steal_io: the reader's yl_read failed\n");
            sr.bad = 1;
        } else if (si.conclusive) {
            sr.conclusive++;
            if (!si.seen || si.resumed_on == si.hog_worker) {
                fprintf(stderr, "steal_io: attempt %d: reader waiting on worker %d was "
                        "not resumed while the hog ran there (resumed on %d after it)\n",
                        a, si.reader_worker, si.resumed_on);
                sr.bad = 1;
            }
        }
    }
}

int conc_steal_sees_fd(int attempts, int want, long bound)
{
    if (pipe(si.pfd) != 0 || yl_fd_nonblock(si.pfd[0]) != 0)
        return 1;
    si.bound = bound;
    sr.attempts = attempts;
    sr.want = want;
    sr.conclusive = sr.bad = 0;
    yl_config c = {.exec = YL_EXEC_STEALING, .workers = 2};
    int rc = yl_run(&c, steal_main, NULL);
    close(si.pfd[0]);
    close(si.pfd[1]);
    if (rc != 0 || sr.bad)
        return 1;
    if (sr.conclusive == 0) {
        fprintf(stderr, "steal_io: in %d attempts the hog never ran on the reader's worker\n",
                attempts);
        return 1;
    }
    return 0;
}

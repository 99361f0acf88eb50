/* workers.c - the runtime's contracts under several workers, one check
 * per bug they once had: fd waits on a task that migrates, parking
 * against a wake storm, deadlock detection, a worker that cannot start,
 * two yl_run at once. Plain C, as conc.c: the Criterion suite
 * (tests/test_workers.c) and the TSan runner (main_plain.c) both call them. */
#include "conc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
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

/* ---- parking against a wake storm ----------------------------------- */

/* A pinger and a ponger on two workers. In round r the pinger releases
 * go[r] and then stays busy, without yielding, until the ponger has run
 * round r: the ponger can only run on the other worker, which has just
 * parked (it ran the ponger's previous round and found nothing else), so
 * every round is a wake-up racing a worker going to sleep. No timer or fd
 * is pending: a worker that sleeps while the ponger waits never wakes,
 * and the pinger gives up after 10 s and says so. */
#define WS_GIVE_UP_NS (10ull * 1000000000u)
#ifndef YL_WS_JITTER
#define YL_WS_JITTER 2048 /* delay loop iterations, at most */
#endif

static struct {
    int rounds;
    yl_wg *go;          /* [rounds], each at 1 until the pinger releases it */
    _Atomic int ran;    /* rounds the ponger has run */
    _Atomic int lost;   /* the round whose wake-up was lost, or -1 */
} ws;

static uint64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void ws_pinger(void *arg)
{
    (void)arg;
    for (int r = 0; r < ws.rounds; r++) {
        /* A different short delay each round, so that over the rounds the
         * wake-up lands on every instant of the other worker's parking. */
        for (volatile unsigned d = (unsigned)r * 2654435761u % YL_WS_JITTER; d; d--)
            ;
        yl_wg_done(&ws.go[r]);
        uint64_t t0 = mono_ns();
        for (unsigned spins = 0; atomic_load(&ws.ran) <= r; spins++) {
            if (spins % 1024 == 0 && mono_ns() - t0 > WS_GIVE_UP_NS) {
                atomic_store(&ws.lost, r);
                /* Release the rest, so the ponger can still finish. */
                for (int k = r + 1; k < ws.rounds; k++)
                    yl_wg_done(&ws.go[k]);
                return;
            }
        }
    }
}

static void ws_ponger(void *arg)
{
    (void)arg;
    for (int r = 0; r < ws.rounds; r++) {
        yl_wg_wait(&ws.go[r]);
        atomic_fetch_add(&ws.ran, 1);
    }
}

static void ws_main(void *arg)
{
    (void)arg;
    /* Sharded places round-robin: the ponger on one worker, the pinger on
     * the other. Stealing: the other worker steals the woken ponger. */
    if (yl_go("ponger", ws_ponger, NULL) != 0 || yl_go("pinger", ws_pinger, NULL) != 0)
        abort();
}

int conc_wake_storm(int exec, int rounds)
{
    ws.rounds = rounds;
    ws.go = malloc((size_t)rounds * sizeof *ws.go);
    if (!ws.go)
        return 1;
    for (int i = 0; i < rounds; i++) {
        yl_wg_init(&ws.go[i]);
        yl_wg_add(&ws.go[i], 1);
    }
    atomic_store(&ws.ran, 0);
    atomic_store(&ws.lost, -1);
    yl_config c = {.exec = (enum yl_exec)exec, .workers = 2};
    int rc = yl_run(&c, ws_main, NULL);
    free(ws.go);
    int lost = atomic_load(&ws.lost);
    if (rc != 0 || lost >= 0) {
        fprintf(stderr, "wake storm: rc %d; %s%d of %d rounds ran\n", rc,
                lost >= 0 ? "lost wake-up: a worker slept with work waiting; " : "",
                (int)atomic_load(&ws.ran), rounds);
        if (lost >= 0)
            fprintf(stderr, "wake storm: round %d's ponger waited 10 s\n", lost);
        return 1;
    }
    return 0;
}

/* ---- deadlock, under every executor --------------------------------- */

static yl_wg never; /* at 1, and nobody ever calls done */

static void dl_waiter(void *arg)
{
    (void)arg;
    yl_wg_wait(&never);
}

static void dl_main(void *arg)
{
    (void)arg;
    yl_task *a = yl_spawn("waiter", dl_waiter, NULL);
    yl_task *b = yl_spawn("waiter", dl_waiter, NULL);
    if (!a || !b)
        abort();
    yl_yield(); /* let them block first, on whichever workers */
    yl_join(a);
    yl_join(b);
}

/* Runs fn(arg) in a child process whose stderr comes back in err[cap]
 * (NUL-terminated). Returns the child's exit status, 128 + signal, or -1
 * when it had not ended after timeout_s and was killed. */
int conc_in_child(int (*fn)(void *), void *arg, char *err, size_t cap, int timeout_s)
{
    int p[2];
    if (pipe(p) != 0)
        return -2;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -2;
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], 2);
        _exit(fn(arg));
    }
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    size_t len = 0;
    int status = 0, rc = -1;
    for (int waited_ms = 0; waited_ms < timeout_s * 1000; waited_ms += 10) {
        ssize_t n;
        while (len + 1 < cap && (n = read(p[0], err + len, cap - 1 - len)) > 0)
            len += (size_t)n;
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        usleep(10 * 1000);
    }
    if (rc == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    ssize_t n;
    while (len + 1 < cap && (n = read(p[0], err + len, cap - 1 - len)) > 0)
        len += (size_t)n;
    err[len] = 0;
    close(p[0]);
    return rc;
}

static int dl_child(void *arg)
{
    yl_config *c = arg;
    yl_wg_init(&never);
    yl_wg_add(&never, 1);
    return yl_run(c, dl_main, NULL) == -1 ? 0 : 1;
}

int conc_deadlock_reported(int exec, int workers)
{
    yl_config c = {.exec = (enum yl_exec)exec, .workers = workers};
    char err[2048];
    /* Detection is immediate once every worker is idle: 2 s is ample
     * even on a loaded machine, and a check that never fires fails fast
     * instead of hanging the suite. */
    int rc = conc_in_child(dl_child, &c, err, sizeof err, 2);
    if (rc != 0 || !strstr(err, "yl: deadlock: 3 task(s) blocked with no timer or I/O pending")) {
        fprintf(stderr, "deadlock (%s, %d workers): %s; stderr: %s\n", yl_exec_names[exec],
                workers, rc == -1 ? "not reported within 2 s" : rc == 1 ? "yl_run did not fail" :
                rc == 0 ? "no deadlock message" : "child crashed", err);
        return 1;
    }
    return 0;
}

/* ---- the parking protocol, head to head ------------------------------ */

/* The runtime's own two halves of parking, on two threads released at the
 * same instant, `rounds` times: worker 1 announces it parks and looks for
 * work (yl__park_announce, yl__next_task), while worker 0 makes a task
 * ready: sharded, one homed on worker 1 (yl__make_ready: its inbox, then
 * yl__wake_worker); stealing, one that yielded (the global queue, then
 * the wake of an idle worker).
 * Either worker 1 finds the task or its wake-up eventfd was written; both
 * missing is the lost wake-up that would leave it asleep with work
 * waiting. A fake two-worker runtime, no yl_run: nothing else runs. */
static struct {
    struct yl_rt rt;
    struct yl_worker w[2];
    struct yl_task task;
    _Atomic long go, done; /* per-round barriers */
    _Atomic bool stop;     /* the last round: the waker leaves */
    long lost;
} pp;

static void *pp_waker(void *arg)
{
    (void)arg;
    yl__set_worker(&pp.w[0]);
    for (long r = 0;; r++) {
        conc_barrier(&pp.go, r);
        if (atomic_load(&pp.stop))
            break;
        conc_jitter(r, 1, 64);
        if (pp.rt.exec == YL_EXEC_STEALING)
            yl__requeue_yielded(&pp.w[0], &pp.task); /* the global queue */
        else
            yl__make_ready(&pp.task);                /* worker 1's inbox */
        conc_barrier(&pp.done, r);
    }
    yl__set_worker(NULL);
    return NULL;
}

long conc_park_protocol(int exec, long rounds, double max_s)
{
    memset(&pp, 0, sizeof pp);
    pp.rt.exec = (enum yl_exec)exec;
    pp.rt.nworkers = 2;
    pp.rt.w = pp.w;
    for (int i = 0; i < 2; i++) {
        pp.w[i].index = i;
        pp.w[i].rt = &pp.rt;
        pp.w[i].wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (pp.w[i].wakefd < 0) {
            perror("park protocol: eventfd");
            return -1;
        }
    }
    pp.task.home = 1;
    pthread_t waker;
    if (pthread_create(&waker, NULL, pp_waker, NULL) != 0)
        return -1;
    struct yl_worker *w = &pp.w[1];
    double end = conc_mono_s() + max_s;
    long r = 0;
    for (;; r++) {
        bool last = r >= rounds || ((r & 1023) == 0 && conc_mono_s() > end);
        if (last)
            atomic_store(&pp.stop, true);
        conc_barrier(&pp.go, r);
        if (last)
            break;
        conc_jitter(r, 0, 64);
        yl__park_announce(w);
        yl_task *got = yl__next_task(w);
        conc_barrier(&pp.done, r);
        uint64_t pokes = 0;
        bool poked = read(w->wakefd, &pokes, sizeof pokes) == sizeof pokes;
        if (!got && !poked && pp.lost++ < 3)
            fprintf(stderr, "park protocol: round %ld: the parking worker missed the task "
                    "and the waker missed the parking\n", r);
        if (!got && !yl__next_task(w)) { /* the waker has finished: it must be there */
            fprintf(stderr, "park protocol: round %ld: the task never arrived\n", r);
            pp.lost++;
        }
        atomic_store(&w->parked, false);
    }
    pthread_join(waker, NULL);
    close(pp.w[0].wakefd);
    close(pp.w[1].wakefd);
    if (pp.lost)
        fprintf(stderr, "park protocol (%s): %ld of %ld wake-ups lost\n", yl_exec_names[exec],
                pp.lost, r);
    return pp.lost;
}

/* ---- a worker thread that cannot start ------------------------------ */

static _Atomic int nproc_main_ran;

static void nproc_main(void *arg)
{
    (void)arg;
    atomic_store(&nproc_main_ran, 1);
}

/* In the child: no thread may be created any more (RLIMIT_NPROC at 1,
 * as an unprivileged user: root is exempt), then a 2-worker run. Exit 0:
 * yl_run failed and main never ran; 1: main ran; 2: yl_run succeeded;
 * 3: the limit could not be set up. */
static int nproc_child(void *arg)
{
    int exec = (int)(intptr_t)arg;
    if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) {
        perror("setuid nobody");
        return 3;
    }
    struct rlimit one = {1, 1};
    if (setrlimit(RLIMIT_NPROC, &one) != 0) {
        perror("setrlimit RLIMIT_NPROC");
        return 3;
    }
    yl_config c = {.exec = (enum yl_exec)exec, .workers = 2};
    int rc = yl_run(&c, nproc_main, NULL);
    return atomic_load(&nproc_main_ran) ? 1 : rc == 0 ? 2 : 0;
}

int conc_worker_start_fails(int exec)
{
    char err[2048];
    int rc = conc_in_child(nproc_child, (void *)(intptr_t)exec, err, sizeof err, 20);
    if (rc != 0 || !strstr(err, "yl: cannot start worker 1: Resource temporarily unavailable")) {
        fprintf(stderr, "worker start (%s): %s; stderr: %s\n", yl_exec_names[exec],
                rc == 1 ? "main ran although a worker did not start" :
                rc == 2 ? "yl_run succeeded" : rc == 3 ? "could not limit threads" :
                rc == -1 ? "hung for 20 s" : rc == 0 ? "no message naming the worker" :
                "child crashed", err);
        return 1;
    }
    return 0;
}

/* ---- two yl_run at once --------------------------------------------- */

static struct {
    _Atomic int first_running, second_done, second_ran;
    int second_rc;
} two;

static void two_first_main(void *arg)
{
    (void)arg;
    atomic_store(&two.first_running, 1);
    /* Stay inside the runtime until the other thread has tried (10 s cap). */
    for (int i = 0; i < 10000 && !atomic_load(&two.second_done); i++)
        yl_sleep_ms(1);
}

static void two_second_main(void *arg)
{
    (void)arg;
    atomic_store(&two.second_ran, 1);
}

static void *two_second_thread(void *arg)
{
    (void)arg;
    while (!atomic_load(&two.first_running))
        usleep(1000);
    two.second_rc = yl_run(NULL, two_second_main, NULL);
    atomic_store(&two.second_done, 1);
    return NULL;
}

int conc_two_runs_at_once(int exec)
{
    memset(&two, 0, sizeof two);
    pthread_t t;
    if (pthread_create(&t, NULL, two_second_thread, NULL) != 0)
        return 1;
    yl_config c = {.exec = (enum yl_exec)exec, .workers = 2};
    int rc = yl_run(&c, two_first_main, NULL);
    pthread_join(t, NULL);
    int again = yl_run(NULL, two_second_main, NULL); /* one after the other is fine */
    if (rc != 0 || two.second_rc != -1 || atomic_load(&two.second_ran) != again + 1) {
        fprintf(stderr, "two runs (%s): first %d, second at the same time %d (its main %s), "
                "a third after them %d\n", yl_exec_names[exec], rc, two.second_rc,
                atomic_load(&two.second_ran) ? "ran" : "did not run", again);
        return 1;
    }
    return 0;
}

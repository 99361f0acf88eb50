/* pingpong (procs) - the cost of one switch between two processes.
 *
 * Process A (this one) and process B (its fork) hand a token back and forth
 * M times; each hand-off blocks the sender until the token comes back, so
 * each round trip is two switches. Two ways to hand it over:
 *   futex  a word in MAP_SHARED memory (the only memory the two processes
 *          still share after fork): store the new owner, FUTEX_WAKE the
 *          other, FUTEX_WAIT until the word says it is ours again
 *   pipe   one byte each way through two pipes (lmbench's lat_ctx)
 * The baseline is the same operations done by A alone, where nothing has
 * to switch (a wake with nobody waiting, a wait that returns at once; a
 * write and read of a pipe of its own): net = raw - baseline.
 */
#include "cli.h"
#include "measure.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[] =
    "usage: pingpong [--iters M] [--variant futex|pipe] [--cpus LIST] [--csv] [--timeout S]\n"
    "Two processes hand a token back and forth M times; prints the cost of one switch.\n"
    "  --iters M       round trips (default 100000); each is 2 switches\n"
    "  --variant V     futex or pipe (default: both, in that order)\n"
    "  --cpus LIST     0: both processes on CPU 0; 0,1: process A on 0, B on 1\n"
    "                  (default: not pinned)\n"
    "  --csv           CSV rows on stdout, summary on stderr\n"
    "  --timeout S     give up after S seconds (default 300)\n"
    "Rows per variant (n = M): ns_per_switch, ns_per_switch_baseline,\n"
    "ns_per_switch_net, switches (2M, the divisor), switches_counted, elapsed_ms.\n";

enum variant { V_FUTEX, V_PIPE };
static const char *const variants[] = {"futex", "pipe", NULL};

/* Lives in MAP_SHARED memory: both processes see the same bytes. */
struct game {
    enum variant v;
    uint64_t iters;
    int cpu_b;                 /* -1: not pinned */
    _Atomic uint32_t turn;     /* futex: 0 = A holds the token, 1 = B */
    _Atomic uint32_t solo;     /* the futex word of A's baseline */
    struct usync ready;        /* B is pinned and about to play */
    struct csw b_csw;          /* B's switches during the game */
};

static volatile sig_atomic_t b_died;

/* SIGCHLD without SA_RESTART: a FUTEX_WAIT of A returns EINTR, so A notices
 * a dead B instead of waiting for a token that never comes. */
static void on_chld(int sig)
{
    (void)sig;
    b_died = 1;
}

static void die_io(const char *what)
{
    cli_fail("%s: %s", what, strerror(errno));
}

/* Gives the token to `to` and blocks until it comes back to `me`. */
static void futex_pass(_Atomic uint32_t *turn, uint32_t me, uint32_t to)
{
    atomic_store(turn, to);
    futex_wake(turn, 1);
    while (atomic_load(turn) != me) {
        /* B stores the last token before it exits: look once more. */
        if (b_died && atomic_load(turn) != me)
            cli_fail("process B died during the game");
        futex_wait(turn, to);
    }
}

static _Noreturn void player_b(struct game *g, int in, int out)
{
    if (g->cpu_b >= 0 && cpu_pin_self(g->cpu_b) < 0)
        die_io("sched_setaffinity for process B");
    struct csw c0 = csw_get(RUSAGE_SELF);
    usync_arrive(&g->ready, 1);
    for (uint64_t i = 0; i < g->iters; i++) {
        if (g->v == V_FUTEX) {
            while (atomic_load(&g->turn) != 1)
                futex_wait(&g->turn, 0);
            atomic_store(&g->turn, 0); /* the token goes back to A */
            futex_wake(&g->turn, 1);
        } else {
            token_recv(in, "process");
            token_send(out);
        }
    }
    g->b_csw = csw_diff(csw_get(RUSAGE_SELF), c0);
    _exit(0);
}

/* A's side of the game; returns the elapsed ns of the M round trips. */
static uint64_t play_a(struct game *g, int out, int in, struct csw *a_csw)
{
    usync_wait_arrived(&g->ready, 1);
    struct csw c0 = csw_get(RUSAGE_SELF);
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < g->iters; i++) {
        if (g->v == V_FUTEX) {
            futex_pass(&g->turn, 0, 1);
        } else {
            token_send(out);
            token_recv(in, "process");
        }
    }
    uint64_t t1 = now_ns();
    *a_csw = csw_diff(csw_get(RUSAGE_SELF), c0);
    return t1 - t0;
}

/* The same operations as one switch, by one process alone, 2M times. */
static uint64_t baseline(struct game *g)
{
    uint64_t n = 2 * g->iters;
    int self[2];
    if (g->v == V_PIPE && pipe(self) < 0)
        die_io("pipe");
    _Atomic uint32_t *w = &g->solo; /* shared memory, like turn */
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < n; i++) {
        if (g->v == V_FUTEX) {
            atomic_store(w, 1);
            futex_wake(w, 1);  /* nobody waits: no switch */
            futex_wait(w, 0);  /* the word is 1, not 0: returns EAGAIN at once */
            atomic_store(w, 0);
        } else {
            token_send(self[1]);
            token_recv(self[0], "process");
        }
    }
    uint64_t t1 = now_ns();
    if (g->v == V_PIPE) {
        close(self[0]);
        close(self[1]);
    }
    return t1 - t0;
}

static void run(enum variant v, uint64_t iters, const struct cpu_list *cpus)
{
    struct game *g = mmap(NULL, sizeof *g, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (g == MAP_FAILED)
        die_io("mmap of the shared game");
    memset(g, 0, sizeof *g);
    g->v = v;
    g->iters = iters;
    g->cpu_b = cpus->n ? cpus->cpu[cpus->n - 1] : -1;
    usync_reset(&g->ready);
    int ab[2] = {-1, -1}, ba[2] = {-1, -1};
    if (v == V_PIPE && (pipe(ab) < 0 || pipe(ba) < 0))
        die_io("pipe");
    /* A is this process: pin it first, B pins itself once forked. */
    if (cpus->n && cpu_pin_self(cpus->cpu[0]) < 0)
        die_io("sched_setaffinity for process A");

    b_died = 0;
    pid_t pid = cli_fork();
    if (pid < 0) {
        char why[400];
        limit_explain(errno, why, sizeof why);
        cli_fail("fork: %s", why);
    }
    if (pid == 0) {
        if (v == V_PIPE) {
            close(ab[1]);
            close(ba[0]);
        }
        player_b(g, ab[0], ba[1]);
    }
    /* Only B keeps its ends: a dead B then reads as end-of-file here. */
    if (v == V_PIPE) {
        close(ab[0]);
        close(ba[1]);
    }
    struct csw a_csw;
    struct switch_run r = {.iters = iters};
    r.elapsed_ns = play_a(g, ab[1], ba[0], &a_csw);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        cli_fail("process B failed");
    r.base_ns = baseline(g);
    r.counted = a_csw.vol + g->b_csw.vol + a_csw.invol + g->b_csw.invol;
    r.counted_invol = a_csw.invol + g->b_csw.invol;
    if (v == V_PIPE) {
        close(ab[1]);
        close(ba[0]);
    }
    munmap(g, sizeof *g);

    struct csv_key key = {.experiment = "pingpong", .model = "procs",
                          .variant = variants[v]};
    cpus_format(cpus, key.cpus, sizeof key.cpus);
    switch_report(&key, &r);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    struct switch_args a;
    switch_args_parse(argc, argv, variants, "processes play", &a);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sigaction(SIGCHLD, &sa, NULL);
    for (int v = V_FUTEX; v <= V_PIPE; v++)
        if (a.only < 0 || a.only == v)
            run((enum variant)v, a.iters, &a.cpus);
    return 0;
}

/* server (tasks) - an HTTP/1.1 server with one libyl task per connection,
 * the way an async web framework makes one task per request. Every read
 * and write is a yield point (yl_read/yl_write wait in the worker's
 * epoll), /sleep is a libyl timer: while one connection waits, the
 * worker runs the others. /work is CPU with no yield point in it: it holds
 * its worker until it is done, and every connection on that worker waits.
 *
 *   single    one worker, one accept task (Node.js, one Python process).
 *   sharded   W workers, W listening sockets on the same port
 *             (SO_REUSEPORT): the kernel spreads new connections over the
 *             W accept tasks, and a connection's task never moves from the
 *             worker it was placed on (nginx or uvicorn workers).
 *   stealing  W workers, one accept task; a connection's task runs each
 *             unit on whichever worker is free (Tokio, Go).
 * Compare with threads/server.c (a thread per connection) and
 * procs/server.c (a process per connection): the same loop, the same
 * replies (bench/http.c), a different unit of concurrency.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "netutil.h"
#include "yl.h"

static const char usage[] =
    "usage: server [--exec single|sharded|stealing] [--workers W] [--port N] [--addr A]\n"
    "              [--max-conns N] [--idle-ms MS] [--head-ms MS] [--write-ms MS]\n"
    "              [--cpus LIST] [--csv] [--timeout S]\n"
    "An HTTP/1.1 server with one libyl task per connection.\n"
    "  --exec E       single (one worker, default), sharded (one listening socket and\n"
    "                 accept task per worker, SO_REUSEPORT) or stealing (one accept task,\n"
    "                 connection tasks move between workers)\n" SRV_USAGE_COMMON;

/* A task's stack: a connection's state lives on the heap (struct conn),
 * the stack only holds the calls of the loop. */
#define CONN_STACK (32 * 1024)
#define LISTEN_MAX 64

static struct {
    struct srv_opts o;
    struct conns *conns;
    int lfd[LISTEN_MAX], nlisten;
    int sigfd;
    _Atomic bool stopping;
} g;

struct conn {
    int fd;
    long slot;
    uint64_t head_ns; /* when the unfinished head in in began (0: none) */
    struct http_in in;
};

/* The coop budget of a connection's task, as Tokio's: after this many
 * requests, or this long answering ones already read, without having had
 * to wait, the task lets the others on its worker run. Pipelined /work
 * would hold the worker otherwise: 20 of 100 ms stall every connection on
 * it for 2 s. */
#define BUDGET_REQS 32
#define BUDGET_NS 2000000u /* 2 ms */

static bool conn_task(struct conn *c);

/* The connection is over: its slot, its socket, its memory. */
static void conn_end(struct conn *c)
{
    conns_del(g.conns, c->slot);
    close(c->fd);
    http_in_release(&c->in);
    free(c);
}

/* Idle connections without a task (single, stealing). A task waiting for
 * its socket keeps its stack, at least a page, which is most of what an
 * idle connection costs; so a connection with no request under way is
 * parked instead: its socket goes into an epoll set of the server's own,
 * its task ends (the stack goes back to libyl's pool, for the next task),
 * and the parker task starts a new task for it once bytes arrive. Not
 * under sharded, whose connections stay on the worker they started on. */
static struct {
    int epfd, stopfd;        /* epfd -1: no parking */
    _Atomic long parked;
} idle = {.epfd = -1, .stopfd = -1};

#ifndef YL_HANDOUT_LAB08
/* Parks c (true) or says it cannot (false: keep waiting in the task). */
static bool park(struct conn *c)
{
    if (idle.epfd < 0)
        return false;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.ptr = c};
    /* Counted before the stop is looked at: the parker, told of the stop,
     * either sees this count or this sees the stop (and reads on). */
    atomic_fetch_add(&idle.parked, 1);
    if (atomic_load(&g.stopping) || epoll_ctl(idle.epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
        atomic_fetch_sub(&idle.parked, 1);
        /* The parker may have seen the stop and this count, and wait on
         * its epoll for a connection that will never be there: wake it to
         * count again. */
        uint64_t one = 1;
        if (atomic_load(&g.stopping) && write(idle.stopfd, &one, sizeof one) < 0) {
            /* the counter is full: the parker is awake already */
        }
        return false;
    }
    return true; /* c is the parker's now: not to be touched */
}

/* Tells the reaper what c does now (enum conn_state) and, while it waits
 * for the rest of a head, since when that head began (--head-ms). */
static void conn_state(struct conn *c, int state)
{
    conns_touch(g.conns, c->slot, state);
    uint64_t h = state != CONN_WAIT || !http_in_partial(&c->in) ? 0
                 : c->head_ns                                 ? c->head_ns
                                                              : now_ns();
    if (h != c->head_ns) {
        c->head_ns = h;
        conns_head(g.conns, c->slot, h);
    }
}

/* The budget is spent: a yield that lets the worker look at its fds too
 * (a plain yl_yield runs the tasks ready now, but fd readiness is looked
 * at every 61 units only; arming a timer makes the next trip look). */
static void budget_yield(void)
{
    yl_sleep_us(1);
}

/* net_drain's wait in a task: a short sleep, then read again. */
static bool nap_in(int fd, int ms)
{
    (void)fd;
    yl_sleep_ms(ms < 10 ? (uint64_t)ms : 10);
    return true;
}
#endif

/* The parker: a task per connection with bytes to read again; until the
 * server stops and no connection is left parked (the stop shuts every
 * socket down, which makes the parked ones readable). */
static void unpark_loop(void *arg)
{
    (void)arg;
    struct epoll_event ev[64];
    bool stop = false;
    while (!stop || atomic_load(&idle.parked) > 0) {
        if (yl_wait_readable(idle.epfd) != 0)
            break;
        int n = epoll_wait(idle.epfd, ev, 64, 0);
        for (int i = 0; i < n; i++) {
            struct conn *c = ev[i].data.ptr;
            if (!c) { /* the stop: watch_signals */
                uint64_t v;
                if (read(idle.stopfd, &v, sizeof v) < 0) {
                }
                stop = true;
                continue;
            }
            epoll_ctl(idle.epfd, EPOLL_CTL_DEL, c->fd, NULL);
            atomic_fetch_sub(&idle.parked, 1);
            if (!conn_task(c)) {
                cli_warn("closed a parked connection: no memory or stack for its task");
                conn_end(c);
            }
        }
    }
}

/* The parker's epoll set and its stop eventfd (data.ptr NULL). */
static void idle_setup(void)
{
    idle.epfd = epoll_create1(EPOLL_CLOEXEC);
    idle.stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (idle.epfd < 0 || idle.stopfd < 0 || yl_fd_nonblock(idle.epfd) != 0 ||
        epoll_ctl(idle.epfd, EPOLL_CTL_ADD, idle.stopfd, &ev) != 0)
        cli_fail("cannot set up the epoll of idle connections: %s", strerror(errno));
}

/* One connection: read what has come, answer every whole request in it in
 * order (pipelining), wait for more; until the client closes, asks to
 * close, sends garbage, or goes quiet for --idle-ms (the reaper shuts the
 * socket down, and the read returns 0). */
static void serve_conn(void *arg)
{
    struct conn *c = arg;
    char out[HTTP_REPLY_MAX];
    struct http_req req;
#ifndef YL_HANDOUT_LAB08
    unsigned ran = 0;             /* the coop budget: requests since it last waited */
    uint64_t ran_from = now_ns(); /* ... and since when */
    bool drain = false;
    for (;;) {
        while (http_next(&c->in, &req)) {
            conn_state(c, CONN_BUSY);
            if (req.route == HTTP_SLEEP)
                yl_sleep_ms(req.arg); /* a yield point: the worker serves others */
            size_t n = http_reply(&req, out);
            conn_state(c, CONN_WRITING); /* --write-ms from now */
            atomic_fetch_add_explicit(&g.conns->requests, 1, memory_order_relaxed);
            drain = http_drains(&req, &c->in);
            if (net_write_all(yl_write, c->fd, out, n) != 0 || !req.keep_alive)
                goto done;
            if (++ran >= BUDGET_REQS || now_ns() - ran_from >= BUDGET_NS) {
                budget_yield();
                ran = 0, ran_from = now_ns();
            }
        }
        conn_state(c, CONN_WAIT); /* --idle-ms, and --head-ms for a partial head */
        ssize_t r = read(c->fd, http_in_space(&c->in), http_in_room(&c->in));
        if (r < 0 && errno == EAGAIN) {
            if (!http_in_partial(&c->in) && park(c))
                return; /* nothing to read, no request under way: wait without a task */
            r = yl_read(c->fd, http_in_space(&c->in), http_in_room(&c->in));
            ran = 0, ran_from = now_ns(); /* it waited: a new budget */
        }
        if (r <= 0)
            goto done; /* closed, reaped (idle, slow head, not reading), shut down, or an error */
        http_in_filled(&c->in, (size_t)r);
    }
done:
    if (drain)
        net_drain(c->fd, nap_in); /* the reply is not lost to a reset */
#else
    /* LAB 08: the loop of one connection. Answer every whole request that
     * http_next finds in c->in, in order (http_reply; for HTTP_SLEEP first
     * sleep req.arg ms with yl_sleep_ms; write the reply with
     * net_write_all(yl_write, ...) and count it in g.conns->requests);
     * stop after a reply that does not keep the connection alive. When no
     * whole request is left, yl_read more bytes into http_in_space and
     * http_in_filled them; a read of 0 or -1 ends the connection. Call
     * conns_touch(g.conns, c->slot, busy) when a request starts (busy) and
     * before waiting for bytes (not busy), so --idle-ms closes only quiet
     * connections. This stub answers the first request and hangs up. */
    ssize_t r = yl_read(c->fd, http_in_space(&c->in), http_in_room(&c->in));
    if (r > 0) {
        http_in_filled(&c->in, (size_t)r);
        if (http_next(&c->in, &req)) {
            size_t n = http_reply(&req, out);
            net_write_all(yl_write, c->fd, out, n);
        }
    }
#endif
    conn_end(c);
}

/* A connection we will not serve: closed at once, with one log line. */
static void refuse(int fd, const char *why)
{
    cli_warn("refused a connection: %s", why);
    close(fd);
}

/* Starts the task of a new connection, or refuses it. */
static void start_conn(int fd)
{
    long slot = conns_add(g.conns, fd);
    if (slot < 0)
        return refuse(fd, atomic_load(&g.stopping) ? "shutting down" : "--max-conns reached");
    struct conn *c = malloc(sizeof *c);
    if (!c) {
        conns_del(g.conns, slot);
        return refuse(fd, "out of memory");
    }
    c->fd = fd;
    c->slot = slot;
    c->head_ns = 0;
    http_in_reset(&c->in);
    if (!conn_task(c)) {
        free(c);
        conns_del(g.conns, slot);
        refuse(fd, "no memory or stack for its task");
    }
}

/* Starts c's task (a new one, or again after it was parked); false when
 * there is no memory for it (a parked connection is then closed here). */
static bool conn_task(struct conn *c)
{
    yl_task *t = yl_task_new("conn", serve_conn, c);
    if (t)
        yl_task_set_stack(t, CONN_STACK);
    if (t && yl_start(t) == 0) {
        yl_detach(t);
        return true;
    }
    if (t)
        yl_detach(t); /* never started: freed without running */
    return false;
}

#ifndef YL_HANDOUT_LAB08
/* The spare fd of net_refuse_emfile, one for all the accept tasks. With
 * one each (sharded: W listening sockets), a task whose spare was lost
 * could never refuse what is pending on its socket while another kept its
 * own and had nothing to refuse. The spare is lost when, in the moment it
 * is given up, another task's accept takes that fd: then that accept's
 * connection is refused and its fd kept as the spare (spare_restored). */
static struct {
    pthread_mutex_t lock; /* no yield point inside: a plain mutex */
    int fd;
    atomic_bool lost;
} spare = {PTHREAD_MUTEX_INITIALIZER, -1, false};

/* net_refuse_emfile with the shared spare. */
static int refuse_emfile(int lfd)
{
    pthread_mutex_lock(&spare.lock);
    /* Lost while the dance lasts: an accept that takes the fd given up
     * then sees this, and waits for the lock to know. */
    atomic_store(&spare.lost, true);
    int r = net_refuse_emfile(lfd, &spare.fd), err = errno;
    atomic_store(&spare.lost, spare.fd < 0);
    pthread_mutex_unlock(&spare.lock);
    errno = err;
    return r;
}

/* fd was just accepted: if the spare is lost, fd becomes it (shut down, so
 * the client sees its connection end) and true. */
static bool spare_restored(int fd)
{
    if (!atomic_load_explicit(&spare.lost, memory_order_relaxed))
        return false;
    pthread_mutex_lock(&spare.lock);
    bool took = spare.fd < 0;
    if (took) {
        shutdown(fd, SHUT_RDWR);
        spare.fd = fd;
        atomic_store(&spare.lost, false);
    }
    pthread_mutex_unlock(&spare.lock);
    return took;
}

/* An accept that cannot be served: one log line, counted. */
static void refused_emfile(void)
{
    cli_warn("refused a connection: out of file descriptors");
    atomic_fetch_add(&g.conns->refused, 1);
}
#endif

/* One listening socket's accept loop: wait for a connection, give it a
 * task, go back to waiting; until the socket is shut down (SIGTERM). */
static void accept_loop(void *arg)
{
    int lfd = *(int *)arg;
#ifndef YL_HANDOUT_LAB08
    uint64_t backoff = 0;
    for (;;) {
        int fd = yl_accept(lfd, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            backoff = 0;
            if (spare_restored(fd))
                refused_emfile();
            else
                start_conn(fd);
        } else if (atomic_load(&g.stopping)) {
            break; /* EINVAL once shut down */
        } else if (errno == EMFILE || errno == ENFILE) {
            /* accept4 says so whether or not anyone connects: refuse one
             * only if one is pending, else wait until one is. */
            if (refuse_emfile(lfd) == 0) {
                refused_emfile();
            } else if (errno == EAGAIN) {
                yl_wait_readable(lfd);
            } else {
                yl_sleep_ms(10); /* not even a spare fd: do not spin on it */
            }
        } else if (errno != EINTR) {
            uint64_t ms = net_accept_backoff(errno, &backoff); /* ENOBUFS, ENOMEM, ... */
            if (ms)
                yl_sleep_ms(ms);
        }
    }
#else
    /* LAB 08: the accept loop. yl_accept(lfd, SOCK_NONBLOCK | SOCK_CLOEXEC)
     * waits for the next connection without blocking the worker; give each
     * one its task with start_conn. Any error once g.stopping is set ends
     * the loop. On EMFILE or ENFILE (out of fds) net_refuse_emfile: when it
     * returns 0 it refused one (log a line, count it in g.conns->refused);
     * -1 with EAGAIN: nobody is waiting (yl_wait_readable(lfd) for one);
     * another -1: yl_sleep_ms(10). Other errors: net_accept_backoff says
     * how long to sleep before trying again.
     * This stub serves the first connection only. */
    int spare = net_spare_open();
    int fd = yl_accept(lfd, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0)
        start_conn(fd);
    while (!atomic_load(&g.stopping))
        yl_sleep_ms(10);
    if (spare >= 0)
        close(spare);
#endif
}

/* Waits for SIGINT or SIGTERM, then stops: no new connections, and every
 * open one sees the end of its stream. Requests in progress finish. */
static void watch_signals(void *arg)
{
    (void)arg;
    struct signalfd_siginfo si;
    while (yl_read(g.sigfd, &si, sizeof si) != (ssize_t)sizeof si && errno == EINTR) {
    }
    atomic_store(&g.stopping, true);
    for (int i = 0; i < g.nlisten; i++)
        shutdown(g.lfd[i], SHUT_RDWR); /* wakes the accept tasks with EINVAL */
    conns_close_all(g.conns);
    uint64_t one = 1;
    if (idle.stopfd >= 0 && write(idle.stopfd, &one, sizeof one) < 0) {
        /* the counter is full: the parker has been told already */
    }
}

/* The shortest of the limits that are set (0 if none is). */
static uint64_t shortest_limit(void)
{
    uint64_t m = 0, lim[] = {g.o.idle_ms, g.o.head_ms, g.o.write_ms};
    for (int i = 0; i < 3; i++)
        if (lim[i] && (!m || lim[i] < m))
            m = lim[i];
    return m;
}

/* --idle-ms, --head-ms, --write-ms: every quarter of the shortest (at most
 * 250 ms, so a stop is quick), shut down the connections over one. */
static void reap_idle(void *arg)
{
    (void)arg;
    uint64_t tick = shortest_limit() / 4;
    tick = tick < 1 ? 1 : tick > 250 ? 250 : tick;
    while (!atomic_load(&g.stopping)) {
        yl_sleep_ms(tick);
        conns_reap(g.conns, g.o.idle_ms * 1000000u, g.o.head_ms * 1000000u,
                   g.o.write_ms * 1000000u);
    }
}

static void serve(void *arg)
{
    const char *variant = arg;
    /* Sharded: started one after another, the accept tasks are placed
     * round-robin, one on each worker. */
    for (int i = 0; i < g.nlisten; i++)
        if (yl_go("accept", accept_loop, &g.lfd[i]) != 0)
            cli_fail("out of memory");
    if (idle.epfd >= 0 && yl_go("unpark", unpark_loop, NULL) != 0)
        cli_fail("out of memory");
    if (yl_go("signals", watch_signals, NULL) != 0 ||
        (shortest_limit() && yl_go("reaper", reap_idle, NULL) != 0))
        cli_fail("out of memory");
    srv_banner(&g.o, net_port(g.lfd[0]), "tasks", variant, (unsigned)yl_workers());
}

int main(int argc, char **argv)
{
    static const char *const execs[] = {"single", "sharded", "stealing", NULL};
    static const enum yl_exec exec_of[] = {YL_EXEC_SINGLE, YL_EXEC_SHARDED, YL_EXEC_STEALING};
    cli_init(argc, argv, usage);
    srv_parse(argc, argv, &g.o, "--exec", execs);
    /* The flags say what runs: the environment does not change it. */
    unsetenv("YL_EXEC");
    unsetenv("YL_WORKERS");
    unsetenv("YL_CPUS");
    enum yl_exec e = exec_of[g.o.variant];
    g.sigfd = srv_signalfd(); /* before yl_run: the workers inherit the mask */
    g.conns = conns_new(g.o.max_conns);
    g.nlisten = e == YL_EXEC_SHARDED ? (int)g.o.workers : 1;
    unsigned port = (unsigned)g.o.port;
    for (int i = 0; i < g.nlisten; i++) {
        g.lfd[i] = net_listen(g.o.addr, port, e == YL_EXEC_SHARDED);
        port = net_port(g.lfd[0]); /* --port 0: the others share the one picked */
    }
    if (e != YL_EXEC_SHARDED)
        idle_setup();
#ifndef YL_HANDOUT_LAB08
    spare.fd = net_spare_open();
#endif
    yl_config cfg = {.exec = e, .workers = (int)g.o.workers};
    if (yl_run(&cfg, serve, (void *)execs[g.o.variant]) != 0)
        cli_fail("the runtime failed");
    srv_report(&g.o, g.conns, "tasks", execs[g.o.variant]);
    for (int i = 0; i < g.nlisten; i++)
        close(g.lfd[i]);
    close(g.sigfd);
    if (idle.epfd >= 0)
        close(idle.epfd), close(idle.stopfd);
#ifndef YL_HANDOUT_LAB08
    if (spare.fd >= 0)
        close(spare.fd);
#endif
    conns_free(g.conns);
    return 0;
}

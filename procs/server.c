/* server (procs) - an HTTP/1.1 server with one process per connection,
 * the oldest way (inetd, Apache's prefork MPM, PostgreSQL's backends).
 * Every read and write blocks its process; /sleep blocks in nanosleep.
 * A child shares nothing with the others but the counters in MAP_SHARED
 * memory, so a crash takes one connection down, not the server.
 *
 *   per-conn  the parent accepts and fork()s a child for each connection;
 *             the child serves it and exits, the parent reaps it.
 *   prefork   W children made at start, each accepting on the shared
 *             listening socket and serving one connection at a time.
 * Children die with the parent (PR_SET_PDEATHSIG, bench/cli.c).
 * Compare with runtime/server.c (a libyl task per connection) and
 * threads/server.c (a thread per connection).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http.h"
#include "netutil.h"

static const char usage[] =
    "usage: server [--variant per-conn|prefork] [--workers W] [--port N] [--addr A]\n"
    "              [--max-conns N] [--idle-ms MS] [--head-ms MS] [--write-ms MS]\n"
    "              [--cpus LIST] [--csv] [--timeout S]\n"
    "An HTTP/1.1 server with one process per connection.\n"
    "  --variant V    per-conn (fork on accept, default) or prefork (W processes, each\n"
    "                 serving one connection at a time)\n" SRV_USAGE_COMMON;

enum variant { PER_CONN, PREFORK };

static struct {
    struct srv_opts o;
    struct conns *conns; /* MAP_SHARED: the children count requests in it */
    int lfd, sigfd, chldfd;
} g;

struct conn {
    int fd;
    struct http_in in;
};

/* One connection, to its end: the loop of srv_serve_blocking (bench/),
 * where every read blocks this process only. */
static void serve_conn(struct conn *c)
{
    srv_serve_blocking(c->fd, &c->in, g.conns, &g.o);
    close(c->fd);
    http_in_release(&c->in);
}

/* A connection we will not serve: closed at once, with one log line. */
static void refuse(int fd, const char *why)
{
    cli_warn("refused a connection: %s", why);
    close(fd);
}

/* In a new child: SIGINT and SIGTERM end it again (the parent blocks them
 * for its signalfd), and it holds none of the parent's fds it does not use. */
static void child_setup(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    close(g.sigfd);
    close(g.chldfd);
}

/* per-conn: a new child for the connection, or a refusal. */
static void start_conn(int fd)
{
    long slot = conns_add(g.conns, fd);
    if (slot < 0)
        return refuse(fd, "--max-conns reached");
    pid_t pid = cli_fork();
    if (pid == 0) {
        child_setup();
        close(g.lfd);
        struct conn c = {.fd = fd};
        http_in_reset(&c.in);
        serve_conn(&c);
        _exit(0);
    }
    if (pid < 0) {
        int err = errno;
        conns_del(g.conns, slot);
        char why[160];
        limit_explain(err, why, sizeof why);
        return refuse(fd, why); /* EAGAIN: out of processes */
    }
    conns_set_pid(g.conns, slot, pid);
    close(fd); /* the child's now: its close must end the connection */
}

/* Reaps every child that has exited; per-conn frees its slot. */
static void reap(void)
{
    struct signalfd_siginfo si;
    while (read(g.chldfd, &si, sizeof si) > 0) {
    }
    for (pid_t pid; (pid = waitpid(-1, NULL, WNOHANG)) > 0;)
        conns_del_pid(g.conns, pid);
}

/* per-conn: the parent's accept loop, until SIGINT/SIGTERM. */
static void accept_loop(void)
{
    struct pollfd p[3] = {{.fd = g.lfd, .events = POLLIN},
                          {.fd = g.sigfd, .events = POLLIN},
                          {.fd = g.chldfd, .events = POLLIN}};
    int spare = net_spare_open();
    for (;;) {
        if (poll(p, 3, -1) < 0 && errno != EINTR)
            cli_fail("poll: %s", strerror(errno));
        if (p[1].revents)
            break;
        if (p[2].revents)
            reap();
        int fd = p[0].revents ? net_accept(g.lfd, &spare, g.conns) : -1;
        if (fd >= 0)
            start_conn(fd);
    }
    if (spare >= 0)
        close(spare);
}

/* prefork: one of the W children. Waits for a connection (all W wake, one
 * gets it), serves it to the end, takes the next; SIGTERM ends it. */
static void prefork_child(void)
{
    child_setup();
    struct conn *c = malloc(sizeof *c);
    if (!c)
        cli_fail("out of memory");
    int spare = net_spare_open();
    for (int fd; (fd = net_wait_accept(g.lfd, &spare, g.conns)) >= 0;) {
        long slot = conns_add(g.conns, fd);
        if (slot < 0) {
            refuse(fd, "--max-conns reached");
            continue;
        }
        /* The slot is ours by pid: if this process dies mid-connection, the
         * parent frees it (prefork), or --max-conns would shrink for good. */
        conns_set_pid(g.conns, slot, getpid());
        c->fd = fd;
        http_in_reset(&c->in);
        serve_conn(c);
        conns_del(g.conns, slot);
    }
    _exit(0);
}

/* prefork: the parent starts the W children, restarts one that dies (and
 * frees the slot it held, if any), and on SIGINT/SIGTERM stops and reaps
 * them all. */
static void prefork(unsigned w)
{
    pid_t *pid = calloc(w, sizeof *pid);
    if (!pid)
        cli_fail("out of memory");
    for (unsigned i = 0; i < w; i++) {
        if ((pid[i] = cli_fork()) == 0)
            prefork_child();
        if (pid[i] < 0)
            cli_fail("cannot fork prefork worker %u: %s", i, strerror(errno));
    }
    srv_banner(&g.o, net_port(g.lfd), "procs", "prefork", w);
    struct pollfd p[2] = {{.fd = g.sigfd, .events = POLLIN}, {.fd = g.chldfd, .events = POLLIN}};
    for (;;) {
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            cli_fail("poll: %s", strerror(errno));
        if (p[0].revents)
            break;
        struct signalfd_siginfo si;
        while (read(g.chldfd, &si, sizeof si) > 0) {
        }
        for (pid_t d; (d = waitpid(-1, NULL, WNOHANG)) > 0;) {
            conns_del_pid(g.conns, d); /* it died serving one: its slot is free */
            for (unsigned i = 0; i < w; i++) {
                if (pid[i] != d)
                    continue;
                cli_warn("prefork worker %u (pid %d) died; starting another", i, (int)d);
                if ((pid[i] = cli_fork()) == 0)
                    prefork_child();
            }
        }
    }
    for (unsigned i = 0; i < w; i++)
        if (pid[i] > 0)
            kill(pid[i], SIGTERM);
    for (unsigned i = 0; i < w; i++)
        if (pid[i] > 0)
            waitpid(pid[i], NULL, 0);
    free(pid);
}

int main(int argc, char **argv)
{
    static const char *const variants[] = {"per-conn", "prefork", NULL};
    cli_init(argc, argv, usage);
    srv_parse(argc, argv, &g.o, "--variant", variants);
    g.sigfd = srv_signalfd();
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    if ((g.chldfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
        cli_fail("signalfd: %s", strerror(errno));
    g.conns = conns_new(g.o.max_conns);
    g.lfd = net_listen(g.o.addr, (unsigned)g.o.port, false);
    if (g.o.variant == PER_CONN) {
        srv_banner(&g.o, net_port(g.lfd), "procs", "per-conn", 0);
        accept_loop();
        close(g.lfd); /* no new connections */
        conns_kill_all(g.conns, SIGTERM);
        while (wait(NULL) > 0 || errno == EINTR) {
        }
    } else {
        prefork((unsigned)g.o.workers);
        close(g.lfd);
    }
    srv_report(&g.o, g.conns, "procs", variants[g.o.variant]);
    close(g.sigfd);
    close(g.chldfd);
    conns_free(g.conns);
    return 0;
}

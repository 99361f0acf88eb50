/* server (threads) - an HTTP/1.1 server with one kernel thread per
 * connection, the classic way before event loops (Apache's worker MPM, a
 * Java servlet container). Every read and write blocks its thread; the
 * kernel runs the other threads meanwhile. /sleep blocks in nanosleep.
 *
 *   per-conn  the main thread accepts and starts a thread for each
 *             connection; it ends with the connection.
 *   pool      W threads made at start, each accepting on the shared
 *             listening socket and serving one connection at a time: at
 *             most W connections are served at once, the rest wait.
 * Compare with runtime/server.c (a libyl task per connection) and
 * procs/server.c (a process per connection).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "netutil.h"

static const char usage[] =
    "usage: server [--variant per-conn|pool] [--workers W] [--port N] [--addr A]\n"
    "              [--max-conns N] [--idle-ms MS] [--head-ms MS] [--write-ms MS]\n"
    "              [--cpus LIST] [--csv] [--timeout S]\n"
    "An HTTP/1.1 server with one thread per connection.\n"
    "  --variant V    per-conn (a thread per connection, default) or pool (W threads,\n"
    "                 each serving one connection at a time)\n" SRV_USAGE_COMMON;

enum variant { PER_CONN, POOL };

static struct {
    struct srv_opts o;
    struct conns *conns;
    int lfd, sigfd;
    _Atomic bool stopping;
    pthread_mutex_t lock; /* per-conn: the threads still running */
    pthread_cond_t gone;
    uint64_t live;
} g = {.lock = PTHREAD_MUTEX_INITIALIZER, .gone = PTHREAD_COND_INITIALIZER};

struct conn {
    int fd;
    long slot;
    struct http_in in;
};

/* One connection, to its end: the loop of srv_serve_blocking (bench/),
 * where every read blocks this thread only. */
static void serve_conn(struct conn *c)
{
    srv_serve_blocking(c->fd, &c->in, g.conns, &g.o);
    conns_del(g.conns, c->slot);
    close(c->fd);
    http_in_release(&c->in);
}

/* A connection we will not serve: closed at once, with one log line. */
static void refuse(int fd, const char *why)
{
    cli_warn("refused a connection: %s", why);
    close(fd);
}

static void *conn_thread(void *arg)
{
    struct conn *c = arg;
    serve_conn(c);
    free(c);
    pthread_mutex_lock(&g.lock);
    if (--g.live == 0)
        pthread_cond_signal(&g.gone);
    pthread_mutex_unlock(&g.lock);
    return NULL;
}

/* per-conn: a new thread for the connection, or a refusal. */
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
    http_in_reset(&c->in);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&g.lock);
    int err = pthread_create(&(pthread_t){0}, &at, conn_thread, c);
    if (!err)
        g.live++;
    pthread_mutex_unlock(&g.lock);
    pthread_attr_destroy(&at);
    if (err) {
        free(c);
        conns_del(g.conns, slot);
        char why[160];
        limit_explain(err, why, sizeof why);
        refuse(fd, why); /* EAGAIN: out of threads */
    }
}

/* per-conn: the main thread's accept loop, until SIGINT/SIGTERM. */
static void accept_loop(void)
{
    struct pollfd p[2] = {{.fd = g.lfd, .events = POLLIN}, {.fd = g.sigfd, .events = POLLIN}};
    int spare = net_spare_open();
    while (!atomic_load(&g.stopping)) {
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            cli_fail("poll: %s", strerror(errno));
        if (p[1].revents)
            break;
        int fd = p[0].revents ? net_accept(g.lfd, &spare, g.conns) : -1;
        if (fd >= 0)
            start_conn(fd);
    }
    if (spare >= 0)
        close(spare);
}

/* pool: one of the W threads. Waits for a connection (all W wake, one gets
 * it), serves it to the end, takes the next. */
static void *pool_thread(void *arg)
{
    (void)arg;
    struct conn *c = malloc(sizeof *c);
    if (!c)
        cli_fail("out of memory");
    int spare = net_spare_open();
    for (int fd; (fd = net_wait_accept(g.lfd, &spare, g.conns)) >= 0;) {
        if ((c->slot = conns_add(g.conns, fd)) < 0) {
            refuse(fd, atomic_load(&g.stopping) ? "shutting down" : "--max-conns reached");
            continue;
        }
        c->fd = fd;
        http_in_reset(&c->in);
        serve_conn(c);
    }
    if (spare >= 0)
        close(spare);
    free(c);
    return NULL;
}

/* Stops: no new connections, every open one sees the end of its stream
 * (requests in progress finish). */
static void stop(void)
{
    atomic_store(&g.stopping, true);
    shutdown(g.lfd, SHUT_RDWR); /* wakes the pool's poll and accept */
    conns_close_all(g.conns);
}

int main(int argc, char **argv)
{
    static const char *const variants[] = {"per-conn", "pool", NULL};
    cli_init(argc, argv, usage);
    srv_parse(argc, argv, &g.o, "--variant", variants);
    g.sigfd = srv_signalfd(); /* before any thread: they inherit the mask */
    g.conns = conns_new(g.o.max_conns);
    g.lfd = net_listen(g.o.addr, (unsigned)g.o.port, false);
    unsigned port = net_port(g.lfd);
    if (g.o.variant == PER_CONN) {
        srv_banner(&g.o, port, "threads", "per-conn", 0);
        accept_loop();
        stop();
        pthread_mutex_lock(&g.lock); /* the detached threads' join */
        while (g.live)
            pthread_cond_wait(&g.gone, &g.lock);
        pthread_mutex_unlock(&g.lock);
    } else {
        unsigned w = (unsigned)g.o.workers;
        pthread_t *tid = calloc(w, sizeof *tid);
        if (!tid)
            cli_fail("out of memory");
        for (unsigned i = 0; i < w; i++) {
            int err = pthread_create(&tid[i], NULL, pool_thread, NULL);
            if (err)
                cli_fail("cannot start pool thread %u: %s", i, strerror(err));
        }
        srv_banner(&g.o, port, "threads", "pool", w);
        struct pollfd p = {.fd = g.sigfd, .events = POLLIN};
        while (poll(&p, 1, -1) < 0 && errno == EINTR) {
        }
        stop();
        for (unsigned i = 0; i < w; i++)
            pthread_join(tid[i], NULL);
        free(tid);
    }
    srv_report(&g.o, g.conns, "threads", variants[g.o.variant]);
    close(g.lfd);
    close(g.sigfd);
    conns_free(g.conns);
    return 0;
}

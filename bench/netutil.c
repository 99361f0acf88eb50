/* netutil.c - the server's flags, its banner, listening sockets, refusing
 * a connection when out of fds, writing a whole reply (see netutil.h). */
#include "netutil.h"

#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

void srv_parse(int argc, char **argv, struct srv_opts *o, const char *vflag,
               const char *const *variants)
{
    *o = (struct srv_opts){.port = 8080, .addr = "127.0.0.1", .max_conns = 10000,
                           .idle_ms = 60000, .head_ms = 30000, .write_ms = 30000,
                           .workers = 2};
    const struct cli_opt opts[] = {
        {"--port", CLI_U64, &o->port, 0, 65535, NULL},
        {"--addr", CLI_STR, &o->addr, 0, 0, NULL},
        {"--max-conns", CLI_U64, &o->max_conns, 1, 10000000, NULL},
        {"--idle-ms", CLI_U64, &o->idle_ms, 0, 86400000, NULL},
        {"--head-ms", CLI_U64, &o->head_ms, 0, 86400000, NULL},
        {"--write-ms", CLI_U64, &o->write_ms, 0, 86400000, NULL},
        {"--workers", CLI_U64, &o->workers, 1, 64, NULL},
        {"--cpus", CLI_STR, &o->cpus, 0, 0, NULL},
        {"--csv", CLI_BOOL, &o->csv, 0, 0, NULL},
        {vflag, CLI_CHOICE, &o->variant, 0, 0, variants},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 0);
    struct in_addr a;
    if (inet_pton(AF_INET, o->addr, &a) != 1)
        cli_usage_error("--addr: '%s' is not an IPv4 address", o->addr);
    if (o->cpus) {
        cpus_flag("--cpus", o->cpus, &o->cpu_list);
        if (cpus_pin_self(&o->cpu_list) != 0)
            cli_fail("--cpus: cannot run on %s: %s", o->cpus, strerror(errno));
    }
    csv_enable(o->csv);
    signal(SIGPIPE, SIG_IGN);
}

int srv_signalfd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0)
        cli_fail("signalfd: %s", strerror(errno));
    return fd;
}

void srv_banner(const struct srv_opts *o, unsigned port, const char *model,
                const char *variant, unsigned workers)
{
    cli_say("listening on %s:%u model=%s variant=%s workers=%u", o->addr, port, model,
            variant, workers);
}

void srv_report(const struct srv_opts *o, const struct conns *t, const char *model,
                const char *variant)
{
    struct csv_key k = {.experiment = "server", .model = model, .variant = variant};
    cpus_format(&o->cpu_list, k.cpus, sizeof k.cpus);
    if (o->csv) {
        csv_row(&k, 0, "connections", (double)atomic_load(&t->accepted), "count");
        csv_row(&k, 0, "refused", (double)atomic_load(&t->refused), "count");
        csv_row(&k, 0, "requests", (double)atomic_load(&t->requests), "count");
    }
    cli_warn("stopped: %llu connections, %llu refused, %llu requests",
             (unsigned long long)atomic_load(&t->accepted),
             (unsigned long long)atomic_load(&t->refused),
             (unsigned long long)atomic_load(&t->requests));
}

int net_listen(const char *addr, unsigned port, bool reuseport)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, addr, &sa.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        cli_fail("socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        cli_fail("SO_REUSEPORT: %s", strerror(errno));
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        cli_fail("cannot listen on %s:%u: %s", addr, port, strerror(errno));
    if (listen(fd, SOMAXCONN) != 0)
        cli_fail("listen: %s", strerror(errno));
    return fd;
}

unsigned net_port(int fd)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        return 0;
    return ntohs(sa.sin_port);
}

int net_spare_open(void)
{
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int net_refuse_emfile(int lfd, int *spare)
{
    if (*spare >= 0)
        close(*spare);
    int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int err = errno;
    if (c >= 0)
        close(c);
    *spare = net_spare_open();
    errno = err;
    return c >= 0 ? 0 : -1;
}

uint64_t net_accept_backoff(int err, uint64_t *backoff_ms)
{
    switch (err) {
    case ECONNABORTED: case EPROTO: case ENETDOWN: case ENOPROTOOPT: case EHOSTDOWN:
    case ENONET: case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH:
        return 0;
    }
    *backoff_ms = *backoff_ms ? *backoff_ms * 2 : 10;
    if (*backoff_ms > 1000)
        *backoff_ms = 1000;
    cli_warn("accept: %s; trying again in %llu ms", strerror(err),
             (unsigned long long)*backoff_ms);
    return *backoff_ms;
}

int net_accept(int lfd, int *spare, struct conns *t)
{
    static _Thread_local uint64_t backoff; /* per thread; a process has its own */
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) {
        backoff = 0;
        return fd;
    }
    int err = errno;
    if (err == EAGAIN || err == EINTR)
        return -1;
    if (err == EINVAL)
        return -2;
    if (err == EMFILE || err == ENFILE) {
        if (*spare < 0)
            *spare = net_spare_open();
        if (net_refuse_emfile(lfd, spare) == 0) {
            cli_warn("refused a connection: out of file descriptors");
            atomic_fetch_add(&t->refused, 1);
        } else if (errno != EAGAIN) {
            srv_sleep_ms(10); /* not even a spare fd: do not spin on it */
        }
        return -1;
    }
    srv_sleep_ms(net_accept_backoff(err, &backoff));
    return -1;
}

int net_wait_accept(int lfd, int *spare, struct conns *t)
{
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    for (;;) {
        if (poll(&p, 1, -1) < 0)
            continue; /* EINTR */
        int fd = net_accept(lfd, spare, t);
        if (fd != -1)
            return fd < 0 ? -1 : fd;
    }
}

/* ms as a struct timeval. */
static struct timeval tv_of_ms(uint64_t ms)
{
    return (struct timeval){.tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000};
}

void net_set_timeouts(int fd, uint64_t idle_ms, uint64_t write_ms)
{
    struct timeval r = tv_of_ms(idle_ms), w = tv_of_ms(write_ms);
    if (idle_ms)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &r, sizeof r);
    if (write_ms)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &w, sizeof w);
}

int net_write_all(ssize_t (*wr)(int, const void *, size_t), int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = wr(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

void net_drain(int fd, bool (*wait_in)(int fd, int ms))
{
    shutdown(fd, SHUT_WR); /* the reply, then our FIN, go out whole */
    char buf[4096];
    uint64_t end = now_ns() + NET_DRAIN_MS * 1000000ull;
    for (size_t got = 0; got < NET_DRAIN_BYTES;) {
        ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r > 0) {
            got += (size_t)r;
            continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EINTR))
            return; /* the client has closed: nothing left to reset */
        uint64_t now = now_ns();
        if (now >= end || !wait_in(fd, (int)((end - now) / 1000000) + 1))
            return;
    }
}

bool net_poll_in(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, ms) > 0;
}

/* Waits for the rest of a head begun at head_ns (threads, procs): true
 * when bytes came in time, false past o->head_ms (or o->idle_ms). */
static bool head_wait(int fd, uint64_t head_ns, const struct srv_opts *o)
{
    uint64_t now = now_ns(), end = head_ns + o->head_ms * 1000000ull;
    if (now >= end)
        return false;
    uint64_t ms = (end - now) / 1000000 + 1;
    if (o->idle_ms && o->idle_ms < ms)
        ms = o->idle_ms;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r;
    while ((r = poll(&p, 1, (int)ms)) < 0 && errno == EINTR) {
    }
    return r > 0;
}

void srv_serve_blocking(int fd, struct http_in *in, struct conns *t, const struct srv_opts *o)
{
    char out[HTTP_REPLY_MAX];
    struct http_req req;
    uint64_t head_ns = 0; /* when the unfinished head in in began */
    net_set_timeouts(fd, o->idle_ms, o->write_ms);
    for (;;) {
        while (http_next(in, &req)) {
            head_ns = 0;
            if (req.route == HTTP_SLEEP)
                srv_sleep_ms(req.arg); /* blocks this thread or process only */
            size_t n = http_reply(&req, out);
            atomic_fetch_add_explicit(&t->requests, 1, memory_order_relaxed);
            if (net_write_all(write, fd, out, n) != 0)
                return; /* gone, or not reading for --write-ms */
            if (!req.keep_alive) {
                if (http_drains(&req, in))
                    net_drain(fd, net_poll_in);
                return;
            }
        }
        if (http_in_partial(in) && o->head_ms) {
            if (!head_ns)
                head_ns = now_ns();
            if (!head_wait(fd, head_ns, o))
                return; /* slowloris, or silent: --head-ms, --idle-ms */
        }
        ssize_t r = read(fd, http_in_space(in), http_in_room(in));
        if (r <= 0)
            return; /* closed, timed out (idle), shut down, or an error */
        http_in_filled(in, (size_t)r);
    }
}

void srv_sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

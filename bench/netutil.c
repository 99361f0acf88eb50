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
                           .idle_ms = 60000, .workers = 2};
    const struct cli_opt opts[] = {
        {"--port", CLI_U64, &o->port, 0, 65535, NULL},
        {"--addr", CLI_STR, &o->addr, 0, 0, NULL},
        {"--max-conns", CLI_U64, &o->max_conns, 1, 10000000, NULL},
        {"--idle-ms", CLI_U64, &o->idle_ms, 0, 86400000, NULL},
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
    if (c >= 0)
        close(c);
    *spare = net_spare_open();
    return c >= 0 ? 0 : -1;
}

int net_accept(int lfd, int *spare, struct conns *t)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0)
        return fd;
    if (errno == EMFILE || errno == ENFILE) {
        if (*spare < 0)
            *spare = net_spare_open();
        cli_warn("refused a connection: out of file descriptors");
        if (net_refuse_emfile(lfd, spare) != 0)
            srv_sleep_ms(10); /* not even a spare fd: do not spin on it */
        atomic_fetch_add(&t->refused, 1);
        return -1;
    }
    return errno == EINVAL ? -2 : -1;
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

void net_set_idle(int fd, uint64_t ms)
{
    struct timeval tv = {.tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000};
    if (ms)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
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

void srv_serve_blocking(int fd, struct http_in *in, struct conns *t, uint64_t idle_ms)
{
    char out[HTTP_REPLY_MAX];
    struct http_req req;
    net_set_idle(fd, idle_ms);
    for (;;) {
        while (http_next(in, &req)) {
            if (req.route == HTTP_SLEEP)
                srv_sleep_ms(req.arg); /* blocks this thread or process only */
            size_t n = http_reply(&req, out);
            atomic_fetch_add_explicit(&t->requests, 1, memory_order_relaxed);
            if (net_write_all(write, fd, out, n) != 0 || !req.keep_alive)
                return;
        }
        ssize_t r = read(fd, http_in_space(in), http_in_room(in));
        if (r < 0 && errno == EINTR)
            continue; /* a socket with a timeout is not restarted (a tracer attaching) */
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

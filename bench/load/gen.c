/* gen.c - our own HTTP/1.1 client (see load.h): what wrk cannot do, many
 * thousand idle keep-alive connections and a request mix with an exact
 * share of heavy requests.
 *
 * One thread, one epoll instance, non-blocking sockets; at most one
 * request in flight per connection (no pipelining), so a reply is whole
 * once its headers and Content-Length bytes have come.
 */
#include "load.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REPLY_MAX 8192
#define OPEN_WINDOW 256 /* handshakes in flight: stays under the listen backlog */

enum cstate { C_CONNECTING, C_WAITING, C_IDLE, C_DEAD };

struct conn {
    int fd;
    enum cstate st;
    bool heavy;
    uint64_t t0;   /* when the request in flight was due (or sent) */
    uint64_t due;  /* paced loop: when the next request is due */
    size_t len;
    char buf[REPLY_MAX];
};

static const char hello_req[] = "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

int gen_init(struct gen *g, const struct sockaddr_in *dst)
{
    memset(g, 0, sizeof *g);
    g->dst = *dst;
    /* Connections per source address: half the local port range, the
     * other half left for sockets of earlier runs still in TIME_WAIT. */
    unsigned lo = 32768, hi = 60999;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        if (fscanf(f, "%u %u", &lo, &hi) != 2 || hi < lo)
            lo = 32768, hi = 60999;
        fclose(f);
    }
    g->per_src = (hi - lo + 1) / 2;
    if (g->per_src == 0)
        g->per_src = 1;
    g->epfd = epoll_create1(EPOLL_CLOEXEC);
    return g->epfd < 0 ? -1 : 0;
}

static void samples_add(struct samples *s, double v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 4096;
        double *p = realloc(s->v, cap * sizeof *p);
        if (!p)
            return; /* the sample is lost, the run goes on */
        s->v = p, s->cap = cap;
    }
    s->v[s->n++] = v;
}

void gen_result_free(struct gen_result *r)
{
    free(r->light.v);
    free(r->heavy.v);
    memset(r, 0, sizeof *r);
}

/* 1: a whole reply is in c->buf (status in *status), 0: not yet, -1: broken. */
static int reply_done(struct conn *c, int *status)
{
    c->buf[c->len < REPLY_MAX ? c->len : REPLY_MAX - 1] = '\0';
    char *end = strstr(c->buf, "\r\n\r\n");
    if (!end)
        return c->len >= REPLY_MAX - 1 ? -1 : 0;
    if (sscanf(c->buf, "HTTP/1.%*d %d", status) != 1)
        return -1;
    size_t body = 0;
    for (char *p = strstr(c->buf, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n"))
        if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
            body = strtoull(p + 17, NULL, 10);
    size_t want = (size_t)(end + 4 - c->buf) + body;
    if (want >= REPLY_MAX)
        return -1;
    if (c->len < want)
        return 0;
    c->len = 0; /* one request in flight: nothing can follow the reply */
    return 1;
}

/* Reads what is there; 1 whole reply, 0 not yet, -1 closed or broken. */
static int conn_read(struct gen *g, struct conn *c, int *status)
{
    for (;;) {
        ssize_t r = read(c->fd, c->buf + c->len, REPLY_MAX - 1 - c->len);
        if (r > 0) {
            c->len += (size_t)r;
            int d = reply_done(c, status);
            if (d != 0)
                return d;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            return 0;
        g->closed++;
        return -1;
    }
}

static void conn_kill(struct gen *g, struct conn *c)
{
    if (c->st == C_DEAD)
        return;
    epoll_ctl(g->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->st = C_DEAD;
}

static int conn_send(struct conn *c, const char *req, size_t len)
{
    ssize_t w = send(c->fd, req, len, MSG_NOSIGNAL);
    return w == (ssize_t)len ? 0 : -1;
}

/* One new non-blocking connection from source address index src. */
static int conn_new(struct gen *g, struct conn *c, unsigned src, char *err, size_t errlen)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        struct rlimit rl = {0, 0};
        getrlimit(RLIMIT_NOFILE, &rl);
        if (errno == EMFILE)
            snprintf(err, errlen, "socket: too many open files: RLIMIT_NOFILE is %llu (hard %llu)",
                     (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
        else
            snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (src > 0) {
        /* 127.0.0.(1+src): the port is chosen at connect, per destination. */
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in a = {.sin_family = AF_INET};
        a.sin_addr.s_addr = htonl(0x7f000001u + src);
        if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
            snprintf(err, errlen, "bind to 127.0.0.%u: %s", 1 + src, strerror(errno));
            close(fd);
            return -1;
        }
    }
    if (connect(fd, (struct sockaddr *)&g->dst, sizeof g->dst) != 0 && errno != EINPROGRESS) {
        if (errno == EADDRNOTAVAIL)
            snprintf(err, errlen, "connect: no local port left (net.ipv4.ip_local_port_range)");
        else
            snprintf(err, errlen, "connect: %s", strerror(errno));
        close(fd);
        return -1;
    }
    memset(c, 0, offsetof(struct conn, buf));
    c->fd = fd;
    c->st = C_CONNECTING;
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(g->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return 0;
}

/* A connecting socket became writable: send the first /hello. */
static int conn_connected(struct gen *g, struct conn *c)
{
    int e = 0;
    socklen_t el = sizeof e;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el);
    if (e != 0 || conn_send(c, hello_req, sizeof hello_req - 1) != 0)
        return -1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(g->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->st = C_WAITING;
    return 0;
}

unsigned gen_open_timeout_s(size_t n)
{
    return 60 + (unsigned)(n / 1000);
}

int gen_open(struct gen *g, size_t n, unsigned timeout_s, char *err, size_t errlen)
{
    if (g->n + n > g->cap) {
        /* Never moved once made: epoll holds pointers to them. */
        if (g->c) {
            snprintf(err, errlen, "gen_open: connections can be opened once per gen");
            return -1;
        }
        g->c = calloc(n, sizeof *g->c);
        if (!g->c) {
            snprintf(err, errlen, "no memory for %zu connections", n);
            return -1;
        }
        g->cap = n;
    }
    size_t started = 0, done = 0, pending = 0;
    int rc = 0;
    uint64_t deadline = now_ns() + (uint64_t)timeout_s * 1000000000ull;
    struct epoll_event ev[256];
    err[0] = '\0';
    while (done < n) {
        while (rc == 0 && started < n && pending < OPEN_WINDOW) {
            struct conn *c = &g->c[g->n + started];
            if (conn_new(g, c, (unsigned)((g->n + started) / g->per_src), err, errlen) != 0) {
                rc = -1;
                break;
            }
            started++, pending++;
        }
        if (pending == 0)
            break;
        if (now_ns() > deadline) {
            snprintf(err, errlen, "%zu of %zu connections still not answered after %u s (a server "
                     "that serves one connection per worker needs --workers >= C)", pending, n, timeout_s);
            rc = -1;
            break;
        }
        int k = epoll_wait(g->epfd, ev, 256, 100);
        for (int i = 0; i < k; i++) {
            struct conn *c = ev[i].data.ptr;
            int status = 0, r;
            if (c->st == C_CONNECTING) {
                if (conn_connected(g, c) != 0) {
                    snprintf(err, errlen, "connect to 127.0.0.1:%u refused or reset (the server's "
                                          "--max-conns or its fd limit?)", ntohs(g->dst.sin_port));
                    rc = -1;
                    conn_kill(g, c);
                    pending--, done++;
                }
                continue;
            }
            if (c->st != C_WAITING)
                continue;
            r = conn_read(g, c, &status);
            if (r == 0)
                continue;
            pending--, done++;
            if (r < 0 || status != 200) {
                if (!err[0])
                    snprintf(err, errlen, "the first /hello on a new connection %s",
                             r < 0 ? "got no reply: the server closed it" : "did not get 200");
                g->errors++;
                conn_kill(g, c);
                rc = -1;
                continue;
            }
            c->st = C_IDLE;
        }
        if (rc != 0 && started == done)
            break;
    }
    /* Those that did not make it are closed; the rest stay open, idle. */
    for (size_t i = 0; i < started; i++)
        if (g->c[g->n + i].st != C_IDLE)
            conn_kill(g, &g->c[g->n + i]);
    g->n += started;
    return rc;
}

uint64_t gen_count_closed(struct gen *g)
{
    uint64_t closed = 0;
    char b;
    for (size_t i = 0; i < g->n; i++) {
        struct conn *c = &g->c[i];
        if (c->st == C_DEAD) {
            closed++;
            continue;
        }
        ssize_t r = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            closed++;
    }
    return closed;
}

/* Sends the next request on c: heavy one time in every heavy_every. */
static int next_request(struct gen *g, struct conn *c, const struct gen_load *ld, uint64_t *count,
                        uint64_t due)
{
    char req[256];
    c->heavy = ld->heavy_every && ++*count % ld->heavy_every == 0;
    int len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                       c->heavy ? ld->heavy_path : ld->light_path);
    c->t0 = due;
    c->st = C_WAITING;
    if (conn_send(c, req, (size_t)len) != 0) {
        g->closed++;
        conn_kill(g, c);
        return -1;
    }
    return 0;
}

int gen_run(struct gen *g, const struct gen_load *ld, uint64_t drain_ms, struct gen_result *r,
            char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    size_t live = 0;
    for (size_t i = 0; i < g->n; i++)
        live += g->c[i].st == C_IDLE;
    if (live == 0) {
        snprintf(err, errlen, "no open connection to load");
        return -1;
    }
    uint64_t count = 0, start = now_ns();
    uint64_t end = start + ld->duration_ms * 1000000ull, stop = end + drain_ms * 1000000ull;
    uint64_t mid = start + ld->duration_ms * 500000ull;
    bool mid_done = ld->mid == NULL;
    /* Paced: connection i sends every C/rate s, the connections spread
     * evenly over one period so the requests do not come in bursts. */
    bool paced = ld->rate > 0;
    double period_ns = paced ? 1e9 * (double)live / ld->rate : 0;
    size_t k = 0, waiting = 0;
    for (size_t i = 0; i < g->n; i++) {
        struct conn *c = &g->c[i];
        if (c->st != C_IDLE)
            continue;
        c->due = start + (uint64_t)(period_ns * (double)k++ / (double)live);
        if (!paced && next_request(g, c, ld, &count, start) == 0)
            waiting++;
    }
    struct epoll_event ev[256];
    for (;;) {
        uint64_t t = now_ns();
        if (!mid_done && t >= mid) {
            ld->mid(ld->mid_arg);
            mid_done = true;
            t = now_ns();
        }
        /* Paced connections whose time has come send now; one that is
         * still waiting sends as soon as its reply is in, its latency
         * counted from when the request was due. */
        uint64_t next_due = UINT64_MAX;
        for (size_t i = 0; paced && t < end && i < g->n; i++) {
            struct conn *c = &g->c[i];
            if (c->st != C_IDLE)
                continue;
            if (c->due <= t) {
                if (next_request(g, c, ld, &count, c->due) == 0)
                    waiting++;
                c->due += (uint64_t)period_ns;
            } else if (c->due < next_due) {
                next_due = c->due;
            }
        }
        if (t >= end && waiting == 0)
            break;
        if (t >= stop) {
            snprintf(err, errlen, "%zu replies still missing %llu ms after the end of the run", waiting,
                     (unsigned long long)drain_ms);
            return -1;
        }
        uint64_t wake = t < end ? (next_due < end ? next_due : end) : stop;
        if (!mid_done && mid < wake)
            wake = mid;
        /* Nanosecond timeout: a paced request sent up to 1 ms late would
         * add that to every latency. */
        uint64_t dt = wake > t ? wake - t : 0;
        struct timespec ts = {.tv_sec = (time_t)(dt / 1000000000), .tv_nsec = (long)(dt % 1000000000)};
        int n = epoll_pwait2(g->epfd, ev, 256, &ts, NULL);
        for (int i = 0; i < n; i++) {
            struct conn *c = ev[i].data.ptr;
            int status = 0;
            if (c->st != C_WAITING)
                continue;
            int d = conn_read(g, c, &status);
            if (d == 0)
                continue;
            waiting--;
            if (d < 0) {
                conn_kill(g, c);
                continue;
            }
            uint64_t now = now_ns();
            if (status != 200)
                g->errors++;
            else
                samples_add(c->heavy ? &r->heavy : &r->light, (double)(now - c->t0) / 1e6);
            if (now < end)
                r->in_time++;
            c->st = C_IDLE;
            if (!paced && now < end && next_request(g, c, ld, &count, now) == 0)
                waiting++;
        }
    }
    r->elapsed_s = (double)(end - start) / 1e9;
    return 0;
}

void gen_close(struct gen *g)
{
    for (size_t i = 0; i < g->n; i++)
        conn_kill(g, &g->c[i]);
    free(g->c);
    if (g->epfd >= 0)
        close(g->epfd);
    memset(g, 0, sizeof *g);
    g->epfd = -1;
}

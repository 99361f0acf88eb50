/* clients.c - the good client and the bad ones of yl-soak (see soak.h).
 * Every loop ends at s->end_ns; every socket read waits at most 5 s. */
#include "soak.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

#define HELLO_REPLY "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n"

static bool over(const struct soak *s)
{
    return now_ns() >= s->end_ns;
}

static void nap_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* A blocking TCP connection to the server, or -1. */
static int dial(struct soak *s)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (const struct sockaddr *)&s->addr, sizeof s->addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w, n -= (size_t)w;
    }
    return true;
}

/* Reads into buf until it holds want bytes, the peer closes, or 5 s pass;
 * returns the bytes held (NUL-terminated). */
static size_t read_upto(int fd, char *buf, size_t cap, size_t want, int wait_ms)
{
    size_t got = 0;
    uint64_t until = now_ns() + (uint64_t)wait_ms * 1000000u;
    while (got < want && got + 1 < cap) {
        int left = (int)((until > now_ns() ? until - now_ns() : 0) / 1000000u);
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t r = recv(fd, buf + got, cap - 1 - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    buf[got] = 0;
    return got;
}

/* Whether the server has closed fd (EOF or reset), without waiting. */
static bool closed_by_peer(int fd)
{
    char c;
    ssize_t r = recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
    return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static void max_store(_Atomic uint64_t *m, uint64_t v)
{
    uint64_t o = atomic_load(m);
    while (v > o && !atomic_compare_exchange_weak(m, &o, v)) {
    }
}

/* Counts a wrong reply to a good request and keeps the first one seen
 * (its start, control bytes as '.'), for the check's line. */
static void wrong_reply(struct soak *s, const char *buf, size_t n)
{
    if (atomic_fetch_add(&s->good_bad, 1) != 0)
        return;
    size_t k = 0;
    for (; k < n && k + 1 < sizeof s->first_wrong; k++)
        s->first_wrong[k] = buf[k] >= ' ' && buf[k] < 0x7f ? buf[k] : '.';
    s->first_wrong[k] = 0;
}

void *soak_good(void *arg)
{
    struct soak *s = arg;
    static const char req[] = "GET /hello HTTP/1.1\r\nHost: soak\r\n\r\n";
    char buf[512];
    while (!over(s)) {
        int fd = dial(s);
        if (fd < 0) {
            atomic_fetch_add(&s->good_lost, 1);
            nap_ms(10);
            continue;
        }
        while (!over(s)) {
            uint64_t t0 = now_ns();
            if (!send_all(fd, req, sizeof req - 1)) {
                atomic_fetch_add(&s->good_lost, 1);
                break;
            }
            size_t n = read_upto(fd, buf, sizeof buf, sizeof HELLO_REPLY - 1, 5000);
            /* A reply that never came counts in the latencies too, as the
             * 5 s waited for it: a stalled server must not look fast. */
            size_t i = atomic_fetch_add(&s->nlat, 1);
            if (i < s->lat_cap)
                s->lat_ms[i] = (double)(now_ns() - t0) / 1e6;
            if (n == 0) {
                atomic_fetch_add(&s->good_lost, 1);
                break;
            }
            if (n != sizeof HELLO_REPLY - 1 || memcmp(buf, HELLO_REPLY, n) != 0) {
                wrong_reply(s, buf, n);
                break;
            }
            atomic_fetch_add(&s->good_ok, 1);
            nap_ms(10);
        }
        close(fd);
    }
    return NULL;
}

/* Holds 8 connections, each sending a request head one byte at a time,
 * every 500 ms, never finishing it; notes how long each stayed open. */
void *soak_slowloris(void *arg)
{
    struct soak *s = arg;
    enum { K = 8 };
    int fd[K];
    uint64_t since[K];
    for (int i = 0; i < K; i++)
        fd[i] = -1;
    static const char head[] = "GET /hello HTTP/1.1\r\nX-Slow: ";
    while (!over(s)) {
        uint64_t now = now_ns();
        for (int i = 0; i < K; i++) {
            if (fd[i] >= 0 && (closed_by_peer(fd[i]) || !send_all(fd[i], "a", 1))) {
                max_store(&s->slow_held_ms, (now - since[i]) / 1000000u);
                close(fd[i]);
                fd[i] = -1;
            }
            if (fd[i] < 0 && (fd[i] = dial(s)) >= 0) {
                atomic_fetch_add(&s->bad_conns, 1);
                since[i] = now;
                send_all(fd[i], head, sizeof head - 1);
            }
        }
        nap_ms(500);
    }
    for (int i = 0; i < K; i++)
        if (fd[i] >= 0) {
            max_store(&s->slow_held_ms, (now_ns() - since[i]) / 1000000u);
            close(fd[i]);
        }
    return NULL;
}

/* A refusal that must come back whole before the close: sends msg (and
 * more after it, which the server will not read), expects status. */
static void refused(struct soak *s, const char *msg, size_t n, const char *status)
{
    int fd = dial(s);
    if (fd < 0)
        return;
    atomic_fetch_add(&s->bad_conns, 1);
    char buf[1024];
    send_all(fd, msg, n);
    send_all(fd, "GET /hello HTTP/1.1\r\n\r\n", 23); /* unread input at the close */
    read_upto(fd, buf, sizeof buf, strlen(status), 5000);
    atomic_fetch_add(strncmp(buf, status, strlen(status)) == 0 ? &s->refusals_seen
                                                                : &s->refusals_lost, 1);
    close(fd);
}

void *soak_garbage(void *arg)
{
    struct soak *s = arg;
    static const char junk[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n";
    while (!over(s)) {
        refused(s, junk, sizeof junk - 1, "HTTP/1.1 400");
        nap_ms(20);
    }
    return NULL;
}

void *soak_oversized(void *arg)
{
    struct soak *s = arg;
    static char big[9500];
    size_t n = (size_t)snprintf(big, sizeof big, "GET /hello HTTP/1.1\r\n");
    while (n + 40 < sizeof big)
        n += (size_t)snprintf(big + n, sizeof big - n, "X-Pad: %032d\r\n", 0);
    while (!over(s)) {
        refused(s, big, n, "HTTP/1.1 431");
        nap_ms(20);
    }
    return NULL;
}

void *soak_resets(void *arg)
{
    struct soak *s = arg;
    static const char half[] = "GET /work?us=1000 HTTP/1.1\r\nHost: x";
    while (!over(s)) {
        int fd = dial(s);
        if (fd >= 0) {
            atomic_fetch_add(&s->bad_conns, 1);
            send_all(fd, half, sizeof half - 1);
            struct linger l = {1, 0}; /* close sends RST */
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            close(fd);
        }
        nap_ms(10);
    }
    return NULL;
}

void *soak_halfclose(void *arg)
{
    struct soak *s = arg;
    static const char req[] = "GET /hello HTTP/1.1\r\n\r\n";
    char buf[512];
    while (!over(s)) {
        int fd = dial(s);
        if (fd >= 0) {
            atomic_fetch_add(&s->bad_conns, 1);
            send_all(fd, req, sizeof req - 1);
            shutdown(fd, SHUT_WR);
            size_t n = read_upto(fd, buf, sizeof buf, sizeof HELLO_REPLY - 1, 5000);
            if (n == sizeof HELLO_REPLY - 1 && memcmp(buf, HELLO_REPLY, n) == 0)
                atomic_fetch_add(&s->good_ok, 1);
            else if (n == 0)
                atomic_fetch_add(&s->good_lost, 1);
            else
                wrong_reply(s, buf, n);
            close(fd);
        }
        nap_ms(20);
    }
    return NULL;
}

/* Pipelines /hello requests and never reads, until its send buffer and the
 * server's are full; then waits to be cut. Notes how long it was held. */
void *soak_nonreader(void *arg)
{
    struct soak *s = arg;
    static char burst[64 * 40];
    size_t n = 0;
    while (n + 40 < sizeof burst)
        n += (size_t)snprintf(burst + n, sizeof burst - n, "GET /hello HTTP/1.1\r\n\r\n");
    while (!over(s)) {
        int fd = dial(s);
        if (fd < 0) {
            nap_ms(100);
            continue;
        }
        atomic_fetch_add(&s->bad_conns, 1);
        int small = 4096;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        /* Held from the last request that still went out: until then the
         * server was reading, and filling buffers is not holding. */
        uint64_t last = now_ns();
        while (!over(s) && !closed_by_peer(fd)) {
            struct pollfd p = {fd, POLLOUT, 0};
            if (poll(&p, 1, 100) == 1 && (p.revents & POLLOUT)) {
                ssize_t w = send(fd, burst, n, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (w > 0)
                    last = now_ns();
                else if (errno != EAGAIN)
                    break;
            }
        }
        max_store(&s->stuck_held_ms, (now_ns() - last) / 1000000u);
        close(fd);
    }
    return NULL;
}

/* 16 pipelined requests of 50 ms of CPU each, in one write: 0.8 s of work
 * that one connection queues at once (a worker that runs it all in one
 * go stalls every other connection it holds for that long). */
void *soak_heavy(void *arg)
{
    struct soak *s = arg;
    enum { K = 16 };
    static char batch[K * 48];
    size_t n = 0;
    for (int i = 0; i < K; i++)
        n += (size_t)snprintf(batch + n, sizeof batch - n, "GET /work?us=50000 HTTP/1.1\r\n\r\n");
    static const char one[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                              "Content-Length: 16\r\n\r\nworked 50000 us\n";
    char buf[K * sizeof one + 64];
    while (!over(s)) {
        int fd = dial(s);
        if (fd < 0) {
            nap_ms(50);
            continue;
        }
        atomic_fetch_add(&s->bad_conns, 1);
        send_all(fd, batch, n);
        size_t want = K * (sizeof one - 1);
        size_t got = read_upto(fd, buf, sizeof buf, want, 15000); /* 0.8 s of CPU, on a busy machine */
        int replies = 0;
        for (char *p = buf; (p = strstr(p, one)); p++)
            replies++;
        atomic_fetch_add(got == want && replies == K ? &s->heavy_ok : &s->heavy_bad, 1);
        close(fd);
        nap_ms(50);
    }
    return NULL;
}

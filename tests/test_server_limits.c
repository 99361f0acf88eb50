/* test_server_limits.c - the server's three models against clients that
 * misbehave, run as real processes over loopback sockets: one that stops
 * reading its replies, one that sends a head a byte at a time, one that
 * follows a bad request with more bytes, one that pipelines heavy work;
 * a prefork child killed mid-connection; a tasks server out of fds while
 * nobody connects. The assertions are about what is answered, closed and
 * counted, never how fast; the time limits set here are small only where
 * the check is "closed eventually", with 20 s to see it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "support/httpc.h"
#include "support/run.h"

struct cfg {
    const char *model, *flag, *variant;
};

static const struct cfg models[] = {
    {"tasks", "--exec", "single"},     {"tasks", "--exec", "sharded"},
    {"tasks", "--exec", "stealing"},   {"threads", "--variant", "per-conn"},
    {"threads", "--variant", "pool"},  {"procs", "--variant", "per-conn"},
    {"procs", "--variant", "prefork"},
};
#define NMODELS (sizeof models / sizeof models[0])

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Starts the server of c with extra flags (NULL-terminated). */
static void start(struct srv *s, const struct cfg *c, const char *const extra[], long nofile)
{
    cr_assert_eq(srv_start_variant(s, c->model, c->flag, c->variant, extra, nofile), 0,
                 "%s server %s %s did not start: '%s'", c->model, c->flag, c->variant, s->line);
}

static struct httpc *client(int port)
{
    struct httpc *k = httpc_new(port);
    cr_assert_not_null(k, "connect: %s", strerror(errno));
    return k;
}

/* A /hello served on a new connection within 20 s (a refused one is
 * retried, and counted in *refused if not NULL; one left waiting in the
 * backlog waits). */
static bool served_within_20s(int port, int *refused)
{
    for (long long end = ms_now() + 20000; ms_now() < end; usleep(50000)) {
        int st = httpc_once(port, "GET /hello HTTP/1.1\r\n\r\n", NULL, 0);
        if (st == 200)
            return true;
        if (refused && st == -1)
            ++*refused;
    }
    return false;
}

/* n copies of the request one into dst; the length. */
static size_t repeat(char *dst, const char *one, int n)
{
    size_t len = strlen(one);
    for (int i = 0; i < n; i++)
        memcpy(dst + (size_t)i * len, one, len);
    return (size_t)n * len;
}

#define HELLO "GET /hello HTTP/1.1\r\n\r\n"
#define HEAVY_REQ "GET /work?us=100000 HTTP/1.1\r\n\r\n"

/* --- e: a client that stops reading ------------------------------------ */

/* A client that pipelines /hello requests and never reads a reply, until
 * nothing more goes out for 1 s: the server's writes are blocked (or the
 * server has closed the connection already). Its receive buffer is small,
 * so that comes soon. */
static int stop_reading(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    static char batch[64 * (sizeof HELLO - 1)];
    repeat(batch, HELLO, 64);
    for (size_t total = 0; total < (256u << 20);) {
        size_t off = total % sizeof batch; /* whole requests: a short send goes on from there */
        ssize_t w = send(fd, batch + off, sizeof batch - off, MSG_NOSIGNAL);
        if (w > 0) {
            total += (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN)
            return fd; /* the server has given up on it already */
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 1000) == 0)
            return fd; /* stuck: the server does not read, so it is blocked writing */
    }
    cr_assert_fail("256 MiB went out and the server was never blocked");
    return fd;
}

/* One slot (--max-conns 1) or one unit (--workers 1) held by a client that
 * does not read: the write timeout must close it, and the next client be
 * served. */
static void check_write_timeout(const struct cfg *c)
{
    struct srv s;
    const char *extra[] = {"--max-conns", "1", "--workers", "1", "--write-ms", "500", NULL};
    start(&s, c, extra, 0);
    int fd = stop_reading(s.port);
    cr_expect(served_within_20s(s.port, NULL), "%s %s: nothing served while a client does not read",
              c->model, c->variant);
    close(fd);
    int st = srv_stop(&s);
    cr_expect_eq(st, 0, "exit %d; stderr:\n%s", st, s.err);
}

/* --- g: slowloris ------------------------------------------------------- */

/* A request head that grows a byte every 200 ms, well inside --idle-ms:
 * the head deadline must close it. */
static void check_head_deadline(const struct cfg *c)
{
    struct srv s;
    const char *extra[] = {"--idle-ms", "3000", "--head-ms", "1000", NULL};
    start(&s, c, extra, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\nX-Slow: "), 0);
    bool closed = false;
    for (long long end = ms_now() + 20000; !closed && ms_now() < end;) {
        usleep(200000);
        struct pollfd p = {.fd = k->fd, .events = POLLIN};
        if (poll(&p, 1, 0) == 1 || httpc_sends(k, "x") != 0)
            closed = httpc_closed(k);
    }
    cr_expect(closed, "%s %s: a head sent a byte at a time was still open after 20 s", c->model,
              c->variant);
    httpc_free(k);
    cr_expect_eq(httpc_once(s.port, "GET /hello HTTP/1.1\r\n\r\n", NULL, 0), 200);
    int st = srv_stop(&s);
    cr_expect_eq(st, 0, "exit %d; stderr:\n%s", st, s.err);
}

/* --- j: a bad request followed by more bytes ----------------------------- */

#define BEFORE_BAD 2000
/* Pipelined replies queued behind a slow reader, then a bad request and
 * more bytes the server will never parse: every reply, the 400 last,
 * must reach the client before the connection ends. */
static void check_reply_survives_close(const struct cfg *c)
{
    struct srv s;
    start(&s, c, NULL, 0);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct httpc *k = malloc(sizeof *k);
    cr_assert_not_null(k);
    cr_assert_eq(httpc_adopt(k, fd, s.port), 0);
    static char req[BEFORE_BAD * (sizeof HELLO - 1) + 9 + 8192];
    char *p = req + repeat(req, HELLO, BEFORE_BAD);
    memcpy(p, "garbage\r\n", 9);
    memset(p + 9, 'x', 8192);
    httpc_send(k, req, sizeof req); /* may fail once the server has closed */
    usleep(1000000); /* not reading: the replies queue up at the server */
    int ok = 0, st = 0;
    while (ok < BEFORE_BAD && (st = httpc_reply(k, NULL, 0)) == 200)
        ok++;
    cr_expect_eq(ok, BEFORE_BAD, "%s %s: %d of %d replies before the bad request (then %d)",
                 c->model, c->variant, ok, BEFORE_BAD, st);
    if (ok == BEFORE_BAD)
        cr_expect_eq(httpc_reply(k, NULL, 0), 400, "the 400 was lost");
    httpc_free(k);
    st = srv_stop(&s);
    cr_expect_eq(st, 0, "exit %d; stderr:\n%s", st, s.err);
}

/* --- d: pipelined heavy requests ----------------------------------------- */

#define HEAVY 10
/* One connection pipelines HEAVY /work requests of 100 ms; a second one
 * asks for /hello once the first reply is out. It must be answered before
 * the heavy connection's last reply, not after all of them. */
static void check_heavy_pipeline_yields(const char *exec)
{
    struct srv s;
    const struct cfg c = {"tasks", "--exec", exec};
    const char *extra[] = {"--workers", "1", NULL};
    start(&s, &c, extra, 0);
    struct httpc *a = client(s.port), *b = client(s.port);
    cr_assert_eq(httpc_sends(b, "GET /hello HTTP/1.1\r\n\r\n"), 0);
    cr_assert_eq(httpc_reply(b, NULL, 0), 200);
    static char heavy[HEAVY * (sizeof HEAVY_REQ - 1)];
    repeat(heavy, HEAVY_REQ, HEAVY);
    cr_assert_eq(httpc_send(a, heavy, sizeof heavy), 0);
    cr_assert_eq(httpc_reply(a, NULL, 0), 200); /* the worker is in a's requests now */
    cr_assert_eq(httpc_sends(b, "GET /hello HTTP/1.1\r\n\r\n"), 0);
    cr_assert_eq(httpc_reply(b, NULL, 0), 200);
    int before = 1 + httpc_count_ready(a);
    cr_expect_lt(before, HEAVY, "/hello waited for all %d pipelined /work requests", HEAVY);
    for (int i = before; i < HEAVY; i++)
        cr_expect_eq(httpc_reply(a, NULL, 0), 200, "heavy reply %d", i);
    httpc_free(a);
    httpc_free(b);
    int st = srv_stop(&s);
    cr_expect_eq(st, 0, "exit %d; stderr:\n%s", st, s.err);
}

/* More /work pipelined than a connection may queue: the first is done,
 * the one over the bound gets 503 and the connection closes. */
static void check_queued_work_bounded(const struct cfg *c)
{
    struct srv s;
    start(&s, c, NULL, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /work?us=600000 HTTP/1.1\r\n\r\n"
                                "GET /work?us=600000 HTTP/1.1\r\n\r\n"
                                "GET /hello HTTP/1.1\r\n\r\n"),
                 0);
    char body[64];
    cr_expect_eq(httpc_reply(k, body, sizeof body), 200);
    cr_expect_eq(httpc_reply(k, body, sizeof body), 503, "%s %s: 1.2 s of CPU queued on one connection",
                 c->model, c->variant);
    cr_expect(httpc_closed(k));
    httpc_free(k);
    int st = srv_stop(&s);
    cr_expect_eq(st, 0, "exit %d; stderr:\n%s", st, s.err);
}

/* --- c: out of fds while nobody connects ---------------------------------- */

#define EMFILE_CLIENTS 30
static void check_emfile_counts(const char *exec)
{
    struct srv s;
    const struct cfg c = {"tasks", "--exec", exec};
    start(&s, &c, (const char *const[]){"--workers", "2", NULL}, 24);
    struct httpc *k[EMFILE_CLIENTS];
    int refused = 0;
    for (int i = 0; i < EMFILE_CLIENTS; i++) {
        k[i] = client(s.port);
        if (httpc_sends(k[i], "GET /hello HTTP/1.1\r\n\r\n") != 0 ||
            httpc_reply(k[i], NULL, 0) != 200)
            refused++;
    }
    cr_assert_gt(refused, 0, "30 connections under RLIMIT_NOFILE 24, none refused");
    usleep(1000000); /* at the limit, and nobody connects: nothing to refuse */
    for (int i = 0; i < EMFILE_CLIENTS; i++)
        httpc_free(k[i]);
    /* Until the server has seen those closes, a new one is refused too. */
    cr_expect(served_within_20s(s.port, &refused), "nothing served after running out of fds");
    int st = srv_stop(&s);
    cr_expect_eq(st, 0, "exit %d; stderr:\n%s", st, s.err);
    const char *stopped = strstr(s.err, "stopped: ");
    unsigned long long conns = 0, counted = ~0ull;
    cr_assert(stopped && sscanf(stopped, "stopped: %llu connections, %llu refused", &conns,
                                &counted) == 2,
              "no stop line in:\n%.2000s", s.err);
    cr_expect_eq(counted, (unsigned long long)refused, "%llu refusals counted for %d real",
                 counted, refused);
    int lines = 0;
    for (const char *p = s.err; (p = strstr(p, "out of file descriptors")); p++)
        lines++;
    cr_expect_eq(lines, refused, "%d refusal lines logged for %d real", lines, refused);
}

/* --- f: a prefork child killed mid-connection ----------------------------- */

Test(server_limits, prefork_child_killed_gives_its_slot_back, .timeout = 120)
{
    struct srv s;
    const struct cfg c = {"procs", "--variant", "prefork"};
    start(&s, &c, (const char *const[]){"--workers", "1", "--max-conns", "1", NULL}, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\n\r\n"), 0);
    cr_assert_eq(httpc_reply(k, NULL, 0), 200); /* the child holds its slot now */
    pid_t kids[4];
    cr_assert_eq(srv_children(&s, kids, 4), 1);
    kill(kids[0], SIGKILL);
    cr_expect(httpc_closed(k), "the killed child's connection stayed open");
    httpc_free(k);
    cr_expect(served_within_20s(s.port, NULL), "the slot of the killed child never came back");
    int st = srv_stop(&s);
    cr_expect_eq(st, 0, "exit %d; stderr:\n%s", st, s.err);
}

/* --- the suites ------------------------------------------------------------ */

#define EACH_MODEL(check)                                                  \
    for (size_t i = 0; i < NMODELS; i++) {                               \
        cr_log_info("%s %s", models[i].model, models[i].variant);        \
        check(&models[i]);                                               \
    }

Test(server_limits, write_timeout_frees_a_stuck_connection, .timeout = 600)
{
    EACH_MODEL(check_write_timeout);
}

Test(server_limits, head_deadline_closes_slowloris, .timeout = 600)
{
    EACH_MODEL(check_head_deadline);
}

Test(server_limits, reply_before_a_bad_request_survives, .timeout = 600)
{
    EACH_MODEL(check_reply_survives_close);
}

Test(server_limits, queued_work_is_bounded, .timeout = 300)
{
    EACH_MODEL(check_queued_work_bounded);
}

/* A check of the tasks server, once per executor. */
#define EACH_EXEC(name, check)                                                       \
    Test(server_limits, name##_single, .timeout = 120) { check("single"); }       \
    Test(server_limits, name##_sharded, .timeout = 120) { check("sharded"); }     \
    Test(server_limits, name##_stealing, .timeout = 120) { check("stealing"); }

EACH_EXEC(heavy_pipeline_yields, check_heavy_pipeline_yields)
EACH_EXEC(emfile_refusals_counted_once, check_emfile_counts)

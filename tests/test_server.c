/* test_server.c - the HTTP server in its three models and seven variants,
 * run as real processes and spoken to over loopback sockets: replies,
 * keep-alive, pipelining, bad input, idle and refused connections, many
 * clients at once, and a clean stop. Nothing here measures speed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/httpc.h"
#include "support/run.h"

struct cfg {
    const char *model, *flag, *variant;
    bool pool; /* a fixed set of W units, each serving one connection at a time */
};

/* Starts the server of c with extra flags (NULL-terminated, may be NULL). */
static void start(struct srv *s, const struct cfg *c, const char *const extra[], long nofile)
{
    cr_assert_eq(srv_start_variant(s, c->model, c->flag, c->variant, extra, nofile), 0,
                 "%s server %s %s did not start: '%s'", c->model, c->flag, c->variant, s->line);
}

static void stop_ok(struct srv *s)
{
    int st = srv_stop(s);
    cr_expect_eq(st, 0, "the server exited %d after SIGTERM; stderr:\n%s", st, s->err);
}

static struct httpc *client(int port)
{
    struct httpc *c = malloc(sizeof *c);
    cr_assert_not_null(c);
    cr_assert_eq(httpc_connect(c, port), 0, "connect: %s", strerror(errno));
    return c;
}

static void client_free(struct httpc *c)
{
    httpc_close(c);
    free(c);
}

static void check_hello(const struct cfg *c)
{
    struct srv s;
    start(&s, c, NULL, 0);
    char want[128];
    snprintf(want, sizeof want, "listening on 127.0.0.1:%d model=%s variant=%s workers=", s.port,
             c->model, c->variant);
    cr_expect(strncmp(s.line, want, strlen(want)) == 0, "first line '%s', want '%s...'", s.line,
              want);
    char body[64];
    cr_expect_eq(httpc_once(s.port, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", body, sizeof body),
                 200);
    cr_expect_str_eq(body, "hello\n");
    stop_ok(&s);
}

static void check_keep_alive(const struct cfg *c)
{
    struct srv s;
    start(&s, c, NULL, 0);
    struct httpc *k = client(s.port);
    char body[64];
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\n\r\n"), 0);
        cr_expect_eq(httpc_reply(k, body, sizeof body), 200, "request %d on one connection", i);
    }
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n"), 0);
    cr_expect_eq(httpc_reply(k, body, sizeof body), 200);
    cr_expect(httpc_closed(k), "Connection: close was not honoured");
    client_free(k);
    /* HTTP/1.0 closes unless asked to keep the connection. */
    k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), 0);
    cr_expect_eq(httpc_reply(k, body, sizeof body), 200);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.0\r\n\r\n"), 0);
    cr_expect_eq(httpc_reply(k, body, sizeof body), 200);
    cr_expect(httpc_closed(k), "an HTTP/1.0 request without keep-alive left it open");
    client_free(k);
    stop_ok(&s);
}

static void check_pipelining(const struct cfg *c)
{
    struct srv s;
    start(&s, c, NULL, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /work?us=100 HTTP/1.1\r\n\r\n"
                                "GET /sleep?ms=1 HTTP/1.1\r\n\r\n"
                                "GET /nope HTTP/1.1\r\n\r\n"
                                "GET /hello HTTP/1.1\r\n\r\n"),
                 0);
    char body[64];
    cr_expect_eq(httpc_reply(k, body, sizeof body), 200);
    cr_expect_str_eq(body, "worked 100 us\n");
    cr_expect_eq(httpc_reply(k, body, sizeof body), 200);
    cr_expect_str_eq(body, "slept 1 ms\n");
    cr_expect_eq(httpc_reply(k, body, sizeof body), 404);
    cr_expect_eq(httpc_reply(k, body, sizeof body), 200);
    cr_expect_str_eq(body, "hello\n");
    client_free(k);
    stop_ok(&s);
}

static void check_work_sleep(const struct cfg *c)
{
    struct srv s;
    start(&s, c, NULL, 0);
    char body[64];
    cr_expect_eq(httpc_once(s.port, "GET /work?us=2000 HTTP/1.1\r\n\r\n", body, sizeof body), 200);
    cr_expect_str_eq(body, "worked 2000 us\n");
    cr_expect_eq(httpc_once(s.port, "GET /sleep?ms=20 HTTP/1.1\r\n\r\n", body, sizeof body), 200);
    cr_expect_str_eq(body, "slept 20 ms\n");
    cr_expect_eq(httpc_once(s.port, "GET /sleep?ms=x HTTP/1.1\r\n\r\n", NULL, 0), 400);
    stop_ok(&s);
}

/* Sends req on a new connection: the reply's status must be want, and the
 * server must close the connection after it. */
static void expect_closing_error(int port, const char *req, size_t n, int want)
{
    struct httpc *k = client(port);
    cr_assert_eq(httpc_send(k, req, n), 0);
    cr_expect_eq(httpc_reply(k, NULL, 0), want, "reply to '%.40s'", req);
    cr_expect(httpc_closed(k), "still open after the %d", want);
    client_free(k);
}

static void check_bad_input(const struct cfg *c)
{
    struct srv s;
    start(&s, c, NULL, 0);
    expect_closing_error(s.port, "garbage\r\n", 9, 400);
    expect_closing_error(s.port, "GET /hello HTTP/9.9\r\n\r\n", 23, 400);
    expect_closing_error(s.port, "GET /hello HTTP/1.1\r\nno colon here\r\n\r\n", 38, 400);
    expect_closing_error(s.port, "POST /hello HTTP/1.1\r\n\r\n", 24, 405);
    static char big[12000];
    int n = snprintf(big, sizeof big, "GET /hello HTTP/1.1\r\nX-Big: ");
    memset(big + n, 'a', 9000);
    memcpy(big + n + 9000, "\r\n\r\n", 4);
    expect_closing_error(s.port, big, (size_t)n + 9004, 431);
    /* A head over the first small buffer but under the limit is fine. */
    n = snprintf(big, sizeof big, "GET /hello HTTP/1.1\r\nX-Long: %03000d\r\n\r\n", 7);
    cr_expect_eq(httpc_once(s.port, big, NULL, 0), 200, "a 3 KiB head");
    /* 404 keeps the connection. */
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /nope HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n"), 0);
    cr_expect_eq(httpc_reply(k, NULL, 0), 404);
    cr_expect_eq(httpc_reply(k, NULL, 0), 200);
    client_free(k);
    /* And after all that it still serves. */
    cr_expect_eq(httpc_once(s.port, "GET /hello HTTP/1.1\r\n\r\n", NULL, 0), 200);
    stop_ok(&s);
}

static void check_idle(const struct cfg *c)
{
    struct srv s;
    const char *extra[] = {"--idle-ms", "200", NULL};
    start(&s, c, extra, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\nHost: x\r\n"), 0); /* half */
    cr_expect(httpc_closed(k), "a stalled half request was not closed");
    client_free(k);
    cr_expect_eq(httpc_once(s.port, "GET /hello HTTP/1.1\r\n\r\n", NULL, 0), 200);
    stop_ok(&s);
}

#define CLIENTS 50
static void check_concurrent(const struct cfg *c)
{
    struct srv s;
    start(&s, c, NULL, 0);
    struct httpc *k[CLIENTS];
    /* All connect and send first; only then read: the server must hold 50
     * connections at once (a pool serves them W at a time). */
    for (int i = 0; i < CLIENTS; i++) {
        k[i] = client(s.port);
        cr_assert_eq(httpc_sends(k[i], "GET /sleep?ms=5 HTTP/1.1\r\nConnection: close\r\n\r\n"), 0);
    }
    int ok = 0;
    for (int i = 0; i < CLIENTS; i++) {
        char body[64];
        ok += httpc_reply(k[i], body, sizeof body) == 200 && strcmp(body, "slept 5 ms\n") == 0;
        client_free(k[i]);
    }
    cr_expect_eq(ok, CLIENTS, "%d of %d clients served", ok, CLIENTS);
    stop_ok(&s);
}

/* Retries a /hello on new connections until one is served (a slot frees
 * only once the server has seen a close): true when one was, within 100
 * tries. */
static bool served_again(int port)
{
    for (int i = 0; i < 100; i++) {
        if (httpc_once(port, "GET /hello HTTP/1.1\r\n\r\n", NULL, 0) == 200)
            return true;
        usleep(50000);
    }
    return false;
}

static void check_max_conns(const struct cfg *c)
{
    struct srv s;
    /* A pool serves W at once: with W = 4 > 2, the third connection is
     * taken by a free unit, and refused by the limit. */
    const char *extra[] = {"--max-conns", "2", "--workers", "4", NULL};
    start(&s, c, extra, 0);
    struct httpc *k[3];
    for (int i = 0; i < 2; i++) {
        k[i] = client(s.port);
        cr_assert_eq(httpc_sends(k[i], "GET /hello HTTP/1.1\r\n\r\n"), 0);
        cr_expect_eq(httpc_reply(k[i], NULL, 0), 200, "connection %d within the limit", i);
    }
    k[2] = client(s.port);
    httpc_sends(k[2], "GET /hello HTTP/1.1\r\n\r\n"); /* may fail: it is being closed */
    cr_expect_eq(httpc_reply(k[2], NULL, 0), -1, "the third connection was not refused");
    for (int i = 0; i < 3; i++)
        client_free(k[i]);
    cr_expect(served_again(s.port), "nothing served once the connections closed");
    stop_ok(&s);
    cr_expect(strstr(s.err, "refused a connection: --max-conns reached") != NULL,
              "no log line for the refusal:\n%s", s.err);
}

#define EMFILE_TRIES 40
static void check_emfile(const struct cfg *c)
{
    struct srv s;
    /* A per-conn process server's parent holds no connection fds (each
     * child has its own table), so only tasks and threads run out. */
    bool runs_out = strcmp(c->model, "procs") != 0;
    const char *extra[] = {"--workers", "2", NULL};
    start(&s, c, extra, 24);
    struct httpc *k[EMFILE_TRIES];
    int served = 0, refused = 0;
    for (int i = 0; i < EMFILE_TRIES; i++) {
        k[i] = client(s.port);
        if (httpc_sends(k[i], "GET /hello HTTP/1.1\r\n\r\n") == 0 &&
            httpc_reply(k[i], NULL, 0) == 200) {
            served++;
        } else {
            refused++;
            client_free(k[i]);
            k[i] = NULL;
        }
        if (c->pool && served == 2)
            break; /* the pool is busy with these two; the rest would wait */
    }
    for (int i = 0; i < EMFILE_TRIES; i++)
        if (k[i])
            client_free(k[i]);
    cr_expect_gt(served, 0);
    if (runs_out && !c->pool) {
        cr_expect_gt(refused, 0, "40 connections under RLIMIT_NOFILE 24, none refused");
    }
    cr_expect(served_again(s.port), "nothing served after running out of fds");
    stop_ok(&s);
    if (runs_out && !c->pool)
        cr_expect(strstr(s.err, "refused a connection: out of file descriptors") != NULL,
                  "no log line for the refusal:\n%s", s.err);
}

/* Whether pid still runs (a zombie does not). */
static bool alive(pid_t pid)
{
    char path[64], st[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(st, 1, sizeof st - 1, f);
    fclose(f);
    st[n] = '\0';
    const char *rp = strrchr(st, ')');
    return rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

static void check_sigterm(const struct cfg *c)
{
    struct srv s;
    start(&s, c, NULL, 0);
    struct httpc *k[2];
    for (int i = 0; i < 2; i++) { /* open, idle, keep-alive connections */
        k[i] = client(s.port);
        cr_assert_eq(httpc_sends(k[i], "GET /hello HTTP/1.1\r\n\r\n"), 0);
        cr_expect_eq(httpc_reply(k[i], NULL, 0), 200);
    }
    pid_t kids[16];
    int nk = srv_children(&s, kids, 16);
    if (strcmp(c->model, "procs") == 0)
        cr_expect_geq(nk, 2, "a process per connection or per worker, saw %d", nk);
    stop_ok(&s);
    for (int i = 0; i < 2; i++) {
        cr_expect(httpc_closed(k[i]), "connection %d still open after the stop", i);
        client_free(k[i]);
    }
    for (int i = 0; i < nk; i++)
        cr_expect(!alive(kids[i]), "child %d outlived the server", (int)kids[i]);
}

static void check_parent_killed(const struct cfg *c)
{
    struct srv s;
    start(&s, c, NULL, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\n\r\n"), 0);
    cr_expect_eq(httpc_reply(k, NULL, 0), 200);
    pid_t kids[16];
    int nk = srv_children(&s, kids, 16);
    cr_expect_geq(nk, 1);
    srv_signal(&s, SIGKILL);
    for (int i = 0; i < nk; i++) {
        for (int t = 0; t < 200 && alive(kids[i]); t++)
            usleep(50000);
        cr_expect(!alive(kids[i]), "child %d outlived its killed parent", (int)kids[i]);
    }
    client_free(k);
}

static void check_bad_flags(const struct cfg *c)
{
    const char *cases[][3] = {{"--port", "http"}, {"--port", "70000"}, {c->flag, "bogus"},
                              {"--max-conns", "0"}, {"--frobnicate", NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[] = {bin_path(0, c->model, "server"), cases[i][0], cases[i][1], NULL};
        char *out, *err;
        int st = run_prog(argv, &out, &err, 20);
        cr_expect_eq(st, 2, "%s %s: exit %d", cases[i][0], cases[i][1], st);
        cr_expect_eq(count_lines(err), 1, "one line on stderr, got: %s", err);
        cr_expect(strstr(err, cases[i][0]) != NULL, "the message names %s: %s", cases[i][0],
                  err);
        cr_expect_str_eq(out, "");
        free(out);
        free(err);
    }
}

#define SERVER_SUITE(name, model, flag, variant, pool)                                  \
    static const struct cfg name = {model, flag, variant, pool};                     \
    Test(server_##name, hello_replies) { check_hello(&name); }                       \
    Test(server_##name, keep_alive) { check_keep_alive(&name); }                     \
    Test(server_##name, pipelined_in_order) { check_pipelining(&name); }             \
    Test(server_##name, work_and_sleep) { check_work_sleep(&name); }                 \
    Test(server_##name, bad_input_refused) { check_bad_input(&name); }               \
    Test(server_##name, idle_half_request_closed) { check_idle(&name); }             \
    Test(server_##name, fifty_clients_served) { check_concurrent(&name); }           \
    Test(server_##name, max_conns_refuses) { check_max_conns(&name); }               \
    Test(server_##name, emfile_keeps_serving) { check_emfile(&name); }               \
    Test(server_##name, sigterm_leaves_nothing) { check_sigterm(&name); }            \
    Test(server_##name, bad_flags_exit_2) { check_bad_flags(&name); }

SERVER_SUITE(tasks_single, "tasks", "--exec", "single", false)
SERVER_SUITE(tasks_sharded, "tasks", "--exec", "sharded", false)
SERVER_SUITE(tasks_stealing, "tasks", "--exec", "stealing", false)
SERVER_SUITE(threads_per_conn, "threads", "--variant", "per-conn", false)
SERVER_SUITE(threads_pool, "threads", "--variant", "pool", true)
SERVER_SUITE(procs_per_conn, "procs", "--variant", "per-conn", false)
SERVER_SUITE(procs_prefork, "procs", "--variant", "prefork", true)

Test(server_procs_per_conn, children_die_with_a_killed_parent)
{
    check_parent_killed(&procs_per_conn);
}

Test(server_procs_prefork, children_die_with_a_killed_parent)
{
    check_parent_killed(&procs_prefork);
}

/* 08_server.c - lab 08, graded: the tasks server (runtime/server.c) with
 * the student's connection loop and accept loop, run as a real process
 * and spoken to over loopback sockets. Replies, keep-alive, pipelining,
 * bad input, many clients at once, a stop; never how fast. */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/httpc.h"

static void start(struct srv *s, const char *exec, const char *const more[], long nofile)
{
    const char *args[16] = {"--exec", exec, "--workers", "2"};
    int a = 4;
    for (int i = 0; more && more[i]; i++)
        args[a++] = more[i];
    args[a] = NULL;
    cr_assert_eq(srv_start(s, "tasks", args, nofile), 0, "the server did not start: '%s'",
                 s->line);
}

static struct httpc *client(int port)
{
    struct httpc *c = malloc(sizeof *c);
    cr_assert_not_null(c, "test setup: out of memory");
    cr_assert_eq(httpc_connect(c, port), 0, "expected to connect to the server on port %d; connect failed", port);
    return c;
}

/* A status from httpc_reply or httpc_once, in words. */
static const char *status_name(int st)
{
    static char buf[4][32];
    static int n;
    switch (st) {
    case -1: return "no reply (the server closed the connection)";
    case -2: return "no reply within 20 s";
    case -3: return "a malformed reply (or one with no Content-Length)";
    case -4: return "no connection (connect failed)";
    }
    char *b = buf[n++ % 4];
    snprintf(b, 32, "status %d", st);
    return b;
}

static void client_free(struct httpc *c)
{
    httpc_close(c);
    free(c);
}

Test(server, hello, .description = "[2 pts] GET /hello: 200 with the body hello", .timeout = 60)
{
    struct srv s;
    start(&s, "single", NULL, 0);
    char body[64];
    int st = httpc_once(s.port, "GET /hello HTTP/1.1\r\n\r\n", body, sizeof body);
    cr_expect_eq(st, 200, "expected GET /hello to get status 200; got %s", status_name(st));
    if (st == 200)
        cr_expect_str_eq(body, "hello\n", "expected the body 'hello\\n'; got '%s'", body);
    srv_stop(&s);
}

Test(server, keep_alive, .description = "[3 pts] three requests, one after another, on one connection", .timeout = 60)
{
    struct srv s;
    start(&s, "single", NULL, 0);
    struct httpc *k = client(s.port);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\n\r\n"), 0,
                     "request %d: expected the connection to take it; the send failed", i + 1);
        int st = httpc_reply(k, NULL, 0);
        cr_assert_eq(st, 200, "request %d on one connection: expected status 200; got %s", i + 1, status_name(st));
    }
    client_free(k);
    srv_stop(&s);
}

Test(server, pipelined, .description = "[3 pts] pipelined requests in one packet are answered in order", .timeout = 60)
{
    struct srv s;
    start(&s, "single", NULL, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /work?us=100 HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n\r\n"
                                "GET /sleep?ms=1 HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n"),
                 0, "expected the connection to take four requests in one send; the send failed");
    static const struct {
        int status;
        const char *body;
    } want[] = {{200, "worked 100 us\n"}, {404, NULL}, {200, "slept 1 ms\n"}, {200, "hello\n"}};
    static const char *const what[] = {"/work?us=100", "/nope", "/sleep?ms=1", "/hello"};
    for (int i = 0; i < 4; i++) {
        char body[64];
        int st = httpc_reply(k, body, sizeof body);
        cr_assert_eq(st, want[i].status, "reply %d of 4 (to %s): expected status %d; got %s", i + 1, what[i],
                     want[i].status, status_name(st));
        if (want[i].body)
            cr_expect_str_eq(body, want[i].body, "reply %d of 4 (to %s): expected the body '%s'; got '%s'", i + 1,
                             what[i], want[i].body, body);
    }
    client_free(k);
    srv_stop(&s);
}

Test(server, close_honoured, .description = "[2 pts] Connection: close and garbage (400) end the connection", .timeout = 60)
{
    struct srv s;
    start(&s, "single", NULL, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n"), 0,
                 "expected the connection to take a request; the send failed");
    int st = httpc_reply(k, NULL, 0);
    cr_assert_eq(st, 200, "GET /hello with Connection: close: expected status 200; got %s", status_name(st));
    /* assert: a failed close check costs 20 s, one is enough */
    cr_assert(httpc_closed(k), "expected the server to close the connection after Connection: close; it stayed open");
    client_free(k);
    k = client(s.port);
    cr_assert_eq(httpc_sends(k, "garbage\r\n"), 0, "expected the connection to take bytes; the send failed");
    st = httpc_reply(k, NULL, 0);
    cr_assert_eq(st, 400, "a line of garbage: expected status 400; got %s", status_name(st));
    cr_expect(httpc_closed(k), "expected the server to close the connection after a 400; it stayed open");
    client_free(k);
    srv_stop(&s);
}

Test(server, sleep_yields, .description = "[3 pts] one worker: a /hello is answered while another connection's /sleep waits", .timeout = 60)
{
    struct srv s;
    start(&s, "single", NULL, 0);
    struct httpc *a = client(s.port);
    cr_assert_eq(httpc_sends(a, "GET /sleep?ms=4000 HTTP/1.1\r\n\r\n"), 0,
                 "expected the connection to take a request; the send failed");
    usleep(100000); /* a's request is in its sleep */
    int st = httpc_once(s.port, "GET /hello HTTP/1.1\r\n\r\n", NULL, 0);
    cr_expect_eq(st, 200, "expected a /hello on a second connection answered while the first sleeps; got %s",
                 status_name(st));
    struct pollfd p = {.fd = a->fd, .events = POLLIN};
    cr_expect_eq(poll(&p, 1, 0), 0, "the /sleep reply came before the /hello was answered: "
                                     "the sleep blocked the worker");
    st = httpc_reply(a, NULL, 0);
    cr_expect_eq(st, 200, "expected the /sleep?ms=4000 answered with 200 in the end; got %s", status_name(st));
    client_free(a);
    srv_stop(&s);
}

#define CLIENTS 50
static void concurrent(const char *exec)
{
    struct srv s;
    start(&s, exec, NULL, 0);
    struct httpc *k[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        k[i] = client(s.port);
        cr_assert_eq(httpc_sends(k[i], "GET /sleep?ms=5 HTTP/1.1\r\n\r\n"), 0,
                     "connection %d: expected it to take a request; the send failed", i + 1);
    }
    int ok = 0, st = 200;
    /* The first missing reply ends the test: each would cost a 20 s wait. */
    for (int round = 0; round < 2 && st == 200; round++) {
        for (int i = 0; i < CLIENTS && st == 200; i++) {
            st = httpc_reply(k[i], NULL, 0);
            ok += st == 200;
            if (round == 0)
                httpc_sends(k[i], "GET /hello HTTP/1.1\r\n\r\n");
        }
    }
    for (int i = 0; i < CLIENTS; i++)
        client_free(k[i]);
    cr_expect_eq(ok, 2 * CLIENTS, "expected all %d requests answered with 200; %d were, then one got %s", 2 * CLIENTS,
                 ok, status_name(st));
    srv_stop(&s);
}

Test(server, fifty_clients, .description = "[3 pts] one worker: 50 connections open at once, two requests each, all answered", .timeout = 60)
{
    concurrent("single");
}

Test(server, fifty_clients_stealing, .description = "[2 pts] stealing, 2 workers: 50 connections at once, all answered", .timeout = 60)
{
    concurrent("stealing");
}

Test(server, many_in_a_row, .description = "[2 pts] 200 connections one after another, each served", .timeout = 60)
{
    struct srv s;
    start(&s, "single", NULL, 0);
    int ok = 0, st = 200;
    while (ok < 200 && (st = httpc_once(s.port, "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n", NULL, 0)) == 200)
        ok++;
    cr_expect_eq(ok, 200, "expected 200 connections in a row served; %d were, then one got %s", ok, status_name(st));
    srv_stop(&s);
}

Test(server, idle_closed, .description = "[2 pts] --idle-ms 200: a stalled half request is closed, a slow /sleep is not", .timeout = 60)
{
    struct srv s;
    const char *more[] = {"--idle-ms", "200", NULL};
    start(&s, "single", more, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\n"), 0, "expected the connection to take bytes; the send failed");
    cr_expect(httpc_closed(k), "expected a half request silent for more than --idle-ms closed; it stayed open 20 s");
    client_free(k);
    char body[64];
    int st = httpc_once(s.port, "GET /sleep?ms=1000 HTTP/1.1\r\n\r\n", body, sizeof body);
    cr_expect_eq(st, 200, "expected a /sleep?ms=1000 (longer than --idle-ms, but busy) answered with 200; got %s",
                 status_name(st));
    srv_stop(&s);
}

Test(server, out_of_fds, .description = "[2 pts] out of fds (RLIMIT_NOFILE 24): refuses some, then serves again", .timeout = 60)
{
    struct srv s;
    start(&s, "single", NULL, 24);
    struct httpc *k[40];
    int served = 0;
    bool hung = false;
    for (int i = 0; i < 40 && !hung; i++) {
        k[i] = client(s.port);
        int st = httpc_sends(k[i], "GET /hello HTTP/1.1\r\n\r\n") == 0 ? httpc_reply(k[i], NULL, 0) : -1;
        served += st == 200;
        if (st == -2) { /* accepted, never answered: no need to wait 20 s for each */
            hung = true;
            while (++i < 40)
                k[i] = NULL;
        }
    }
    for (int i = 0; i < 40; i++)
        if (k[i])
            client_free(k[i]);
    cr_expect(served > 0 && served < 40, "expected some but not all of 40 connections served under 24 fds; %d were",
              served);
    bool again = false;
    if (served == 0 || hung) { /* a server that hangs now will not serve again */
        cr_expect(!hung, "expected each of 40 connections under 24 fds served or refused; one got no reply within 20 s");
        srv_stop(&s);
        return;
    }
    int st = 0;
    /* Refused connections end at once; a reply that never comes (-2, after
     * 20 s) means nobody accepts any more: no point trying again. */
    for (int i = 0; i < 100 && !again && st != -2; i++) {
        st = httpc_once(s.port, "GET /hello HTTP/1.1\r\n\r\n", NULL, 0);
        again = st == 200;
        if (!again)
            usleep(50000);
    }
    cr_expect(again, "expected a /hello served again once the 40 connections closed; the last try got %s",
              status_name(st));
    srv_stop(&s);
}

Test(server, sigterm, .description = "[2 pts] SIGTERM with open connections: they close, exit status 0", .timeout = 60)
{
    struct srv s;
    start(&s, "stealing", NULL, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\n\r\n"), 0, "expected the connection to take a request; the send failed");
    int st = httpc_reply(k, NULL, 0);
    cr_expect_eq(st, 200, "expected GET /hello answered with 200; got %s", status_name(st));
    int code = srv_stop(&s);
    cr_expect_eq(code, 0, "expected exit status 0 after SIGTERM; got %d (-1: it had to be killed). Its stderr:\n%s",
                 code, s.err);
    cr_expect(httpc_closed(k), "expected the open connection closed when the server stopped; it stayed open");
    client_free(k);
}

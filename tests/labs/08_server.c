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
    cr_assert_not_null(c);
    cr_assert_eq(httpc_connect(c, port), 0);
    return c;
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
    cr_expect_eq(httpc_once(s.port, "GET /hello HTTP/1.1\r\n\r\n", body, sizeof body), 200);
    cr_expect_str_eq(body, "hello\n");
    srv_stop(&s);
}

Test(server, keep_alive, .description = "[3 pts] three requests, one after another, on one connection", .timeout = 60)
{
    struct srv s;
    start(&s, "single", NULL, 0);
    struct httpc *k = client(s.port);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\n\r\n"), 0);
        cr_expect_eq(httpc_reply(k, NULL, 0), 200, "request %d", i + 1);
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
                 0);
    char body[64];
    cr_expect_eq(httpc_reply(k, body, sizeof body), 200);
    cr_expect_str_eq(body, "worked 100 us\n");
    cr_expect_eq(httpc_reply(k, body, sizeof body), 404);
    cr_expect_eq(httpc_reply(k, body, sizeof body), 200);
    cr_expect_str_eq(body, "slept 1 ms\n");
    cr_expect_eq(httpc_reply(k, body, sizeof body), 200);
    cr_expect_str_eq(body, "hello\n");
    client_free(k);
    srv_stop(&s);
}

Test(server, close_honoured, .description = "[2 pts] Connection: close and garbage (400) end the connection", .timeout = 60)
{
    struct srv s;
    start(&s, "single", NULL, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n"), 0);
    cr_expect_eq(httpc_reply(k, NULL, 0), 200);
    cr_expect(httpc_closed(k), "still open after Connection: close");
    client_free(k);
    k = client(s.port);
    cr_assert_eq(httpc_sends(k, "garbage\r\n"), 0);
    cr_expect_eq(httpc_reply(k, NULL, 0), 400);
    cr_expect(httpc_closed(k), "still open after a 400");
    client_free(k);
    srv_stop(&s);
}

Test(server, sleep_yields, .description = "[3 pts] one worker: a /hello is answered while another connection's /sleep waits", .timeout = 60)
{
    struct srv s;
    start(&s, "single", NULL, 0);
    struct httpc *a = client(s.port);
    cr_assert_eq(httpc_sends(a, "GET /sleep?ms=4000 HTTP/1.1\r\n\r\n"), 0);
    usleep(100000); /* a's request is in its sleep */
    cr_expect_eq(httpc_once(s.port, "GET /hello HTTP/1.1\r\n\r\n", NULL, 0), 200);
    struct pollfd p = {.fd = a->fd, .events = POLLIN};
    cr_expect_eq(poll(&p, 1, 0), 0, "the /sleep reply came before the /hello was answered: "
                                     "the sleep blocked the worker");
    cr_expect_eq(httpc_reply(a, NULL, 0), 200);
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
        cr_assert_eq(httpc_sends(k[i], "GET /sleep?ms=5 HTTP/1.1\r\n\r\n"), 0);
    }
    int ok = 0;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < CLIENTS; i++) {
            ok += httpc_reply(k[i], NULL, 0) == 200;
            if (round == 0)
                httpc_sends(k[i], "GET /hello HTTP/1.1\r\n\r\n");
        }
    }
    for (int i = 0; i < CLIENTS; i++)
        client_free(k[i]);
    cr_expect_eq(ok, 2 * CLIENTS, "%d of %d requests answered", ok, 2 * CLIENTS);
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
    int ok = 0;
    for (int i = 0; i < 200; i++)
        ok += httpc_once(s.port, "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n", NULL, 0) == 200;
    cr_expect_eq(ok, 200);
    srv_stop(&s);
}

Test(server, idle_closed, .description = "[2 pts] --idle-ms 200: a stalled half request is closed, a slow /sleep is not", .timeout = 60)
{
    struct srv s;
    const char *more[] = {"--idle-ms", "200", NULL};
    start(&s, "single", more, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\n"), 0);
    cr_expect(httpc_closed(k), "a stalled half request was not closed");
    client_free(k);
    char body[64];
    cr_expect_eq(httpc_once(s.port, "GET /sleep?ms=1000 HTTP/1.1\r\n\r\n", body, sizeof body), 200,
                 "a request that takes longer than --idle-ms was cut off");
    srv_stop(&s);
}

Test(server, out_of_fds, .description = "[2 pts] out of fds (RLIMIT_NOFILE 24): refuses some, then serves again", .timeout = 60)
{
    struct srv s;
    start(&s, "single", NULL, 24);
    struct httpc *k[40];
    int served = 0;
    for (int i = 0; i < 40; i++) {
        k[i] = client(s.port);
        if (httpc_sends(k[i], "GET /hello HTTP/1.1\r\n\r\n") == 0 && httpc_reply(k[i], NULL, 0) == 200)
            served++;
    }
    for (int i = 0; i < 40; i++)
        client_free(k[i]);
    cr_expect(served > 0 && served < 40, "%d of 40 served under 24 fds", served);
    bool again = false;
    for (int i = 0; i < 100 && !again; i++) {
        again = httpc_once(s.port, "GET /hello HTTP/1.1\r\n\r\n", NULL, 0) == 200;
        if (!again)
            usleep(50000);
    }
    cr_expect(again, "nothing served after running out of fds");
    srv_stop(&s);
}

Test(server, sigterm, .description = "[2 pts] SIGTERM with open connections: they close, exit status 0", .timeout = 60)
{
    struct srv s;
    start(&s, "stealing", NULL, 0);
    struct httpc *k = client(s.port);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\n\r\n"), 0);
    cr_expect_eq(httpc_reply(k, NULL, 0), 200);
    cr_expect_eq(srv_stop(&s), 0, "stderr:\n%s", s.err);
    cr_expect(httpc_closed(k));
    client_free(k);
}

/* test_server_units.c - the server's shared parts tested as functions, in
 * this process: the connection table's idle reaper while another thread
 * touches a slot, its process-shared lock after a holder died, and the
 * precedence of Connection headers in the request parser. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http.h"
#include "netutil.h"

struct toucher {
    struct conns *t;
    long slot;
    atomic_bool stop, started;
};

/* Another worker serving the connection: touches its slot non-stop, as
 * conns_touch does for every request. */
static void *touch_loop(void *arg)
{
    struct toucher *k = arg;
    atomic_store(&k->started, true);
    while (!atomic_load_explicit(&k->stop, memory_order_relaxed))
        conns_touch(k->t, k->slot, false);
    return NULL;
}

/* A connection touched during a scan is active: the scan must not count it
 * idle. (Read once before the scan, the clock would be older than such a
 * touch, and now - seen_ns would wrap to a huge idle time.) */
Test(server_conns, reaper_spares_a_connection_touched_during_the_scan, .timeout = 60)
{
    struct conns *t = conns_new(4);
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct toucher k = {.t = t, .slot = conns_add(t, sv[0])};
    cr_assert_geq(k.slot, 0);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, touch_loop, &k), 0);
    while (!atomic_load(&k.started))
        sched_yield();
    uint64_t reaped = 0, end = now_ns() + 1000000000u; /* a second of scans */
    while (reaped == 0 && now_ns() < end)
        reaped += conns_reap_idle(t, 60ull * 1000000000u); /* 60 s: nothing is that idle */
    atomic_store(&k.stop, true);
    pthread_join(th, NULL);
    cr_expect_eq(reaped, 0, "an active connection was reaped as idle for 60 s");
    /* A touch stamped after the reaper's clock (the same race, made sure). */
    atomic_store(&t->slot[k.slot].seen_ns, now_ns() + 1000000000u);
    cr_expect_eq(conns_reap_idle(t, 60ull * 1000000000u), 0,
                 "a slot touched after the scan began was reaped");
    conns_del(t, k.slot);
    close(sv[0]);
    close(sv[1]);
    conns_free(t);
}

/* prefork's children share the table's lock: one killed while holding it
 * must not leave the others (and the parent) waiting forever. */
Test(server_conns, lock_survives_a_holder_that_died, .timeout = 30)
{
    struct conns *t = conns_new(4);
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    long slot = conns_add(t, sv[0]);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        pthread_mutex_lock(&t->lock); /* and dies holding it */
        _exit(0);
    }
    cr_assert_eq(waitpid(pid, NULL, 0), pid);
    /* Hangs here (the test times out) when the lock is not robust. */
    cr_expect_eq(conns_open(t), 1);
    conns_del(t, slot);
    cr_expect_eq(conns_open(t), 0);
    cr_expect_geq(conns_add(t, sv[1]), 0, "the table takes connections again");
    close(sv[0]);
    close(sv[1]);
    conns_free(t);
}

/* Parses the whole request head s; its keep_alive. */
static bool keeps(const char *s)
{
    struct http_in in;
    struct http_req req;
    http_in_reset(&in);
    size_t n = strlen(s);
    cr_assert_leq(n, http_in_room(&in));
    memcpy(http_in_space(&in), s, n);
    http_in_filled(&in, n);
    cr_assert(http_next(&in, &req), "no whole request in '%s'", s);
    cr_assert_eq(req.route, HTTP_HELLO, "'%s' parsed as route %d", s, (int)req.route);
    http_in_release(&in);
    return req.keep_alive;
}

Test(server_http, connection_close_wins_over_keep_alive)
{
    cr_expect(!keeps("GET /hello HTTP/1.1\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n"),
              "close then keep-alive kept the connection");
    cr_expect(!keeps("GET /hello HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"),
              "keep-alive then close kept the connection");
    cr_expect(!keeps("GET /hello HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n"),
              "'keep-alive, close' kept the connection");
    cr_expect(!keeps("GET /hello HTTP/1.0\r\nConnection: close, keep-alive\r\n\r\n"),
              "'close, keep-alive' kept an HTTP/1.0 connection");
    cr_expect(!keeps("GET /hello HTTP/1.0\r\nConnection: close\r\nConnection: Keep-Alive\r\n\r\n"),
              "HTTP/1.0: close then keep-alive kept the connection");
    /* And without a close the usual rules hold. */
    cr_expect(keeps("GET /hello HTTP/1.1\r\nConnection: keep-alive\r\n\r\n"));
    cr_expect(keeps("GET /hello HTTP/1.1\r\nConnection: upgrade, keep-alive\r\n\r\n"));
    cr_expect(keeps("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    cr_expect(!keeps("GET /hello HTTP/1.0\r\n\r\n"));
}

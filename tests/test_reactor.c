/* test_reactor.c - the reactor's per-fd contract: an fd is registered
 * once and its readiness kept by the runtime; a reader and a writer wait
 * on one fd at once; yl_close ends the waits on an fd with EBADF; a parked
 * fd (yl_fd_park) starts its task once readable. Under every executor. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "yl.h"

#ifndef CLOSE_FD
#define CLOSE_FD yl_close
#endif

static const yl_config execs[] = {
    {.exec = YL_EXEC_SINGLE, .workers = 1},
    {.exec = YL_EXEC_SHARDED, .workers = 2},
    {.exec = YL_EXEC_STEALING, .workers = 2},
};

/* ---- a wait ended by another task's close ---------------------------- */

static int cl_pfd[2];
static _Atomic int cl_ret, cl_errno, cl_closed;

static void cl_reader(void *arg)
{
    (void)arg;
    char c;
    ssize_t r = yl_read(cl_pfd[0], &c, 1); /* nobody writes: only the close ends it */
    atomic_store(&cl_errno, r < 0 ? errno : 0);
    atomic_store(&cl_ret, (int)r);
}

static void cl_closer(void *arg)
{
    (void)arg;
    yl_sleep_ms(20); /* the reader waits meanwhile */
    atomic_store(&cl_closed, CLOSE_FD(cl_pfd[0]) == 0);
}

static void cl_main(void *arg)
{
    (void)arg;
    yl_go("reader", cl_reader, NULL);
    yl_go("closer", cl_closer, NULL);
}

ParameterizedTestParameters(reactor, close_wakes_the_waiter)
{
    return cr_make_param_array(yl_config, execs, sizeof execs / sizeof execs[0]);
}

/* Before yl_close, a plain close() left the reader waiting forever with
 * its wait still counted, so not even the deadlock check ended the run. */
ParameterizedTest(const yl_config *cfg, reactor, close_wakes_the_waiter, .timeout = 30)
{
    cr_assert_eq(pipe(cl_pfd), 0);
    cr_assert_eq(yl_fd_nonblock(cl_pfd[0]), 0);
    atomic_store(&cl_ret, 99);
    cr_assert_eq(yl_run(cfg, cl_main, NULL), 0);
    cr_expect(atomic_load(&cl_closed), "the close failed");
    cr_expect_eq(atomic_load(&cl_ret), -1, "the read returned %d", atomic_load(&cl_ret));
    cr_expect_eq(atomic_load(&cl_errno), EBADF, "errno %s", strerror(atomic_load(&cl_errno)));
    close(cl_pfd[1]);
}

/* ---- a reader and a writer waiting on one fd at once ------------------ */

/* One end of a socket pair, its send buffer filled: the writer waits for
 * room, the reader for bytes, both on the same fd. The peer task then
 * sends a byte (the reader wakes) and drains what was sent (the writer
 * wakes). Before, the second wait failed with EEXIST. */
static int rw_sv[2];
static _Atomic int rw_read, rw_wrote, rw_err;
static char rw_fill[1 << 16];

static void rw_reader(void *arg)
{
    (void)arg;
    char c;
    ssize_t r = yl_read(rw_sv[0], &c, 1);
    if (r < 0)
        atomic_store(&rw_err, errno);
    atomic_store(&rw_read, (int)r);
}

static void rw_writer(void *arg)
{
    (void)arg;
    ssize_t w = yl_write(rw_sv[0], "z", 1); /* the buffer is full: waits */
    if (w < 0)
        atomic_store(&rw_err, errno);
    atomic_store(&rw_wrote, (int)w);
}

static void rw_peer(void *arg)
{
    (void)arg;
    yl_sleep_ms(30); /* both wait meanwhile */
    if (atomic_load(&rw_read) != 99 || atomic_load(&rw_wrote) != 99)
        return; /* one did not wait: the check below fails */
    if (write(rw_sv[1], "q", 1) != 1)
        return;
    char buf[4096];
    while (atomic_load(&rw_wrote) == 99) {
        while (read(rw_sv[1], buf, sizeof buf) > 0) {
        }
        yl_sleep_ms(1);
    }
}

static void rw_main(void *arg)
{
    (void)arg;
    yl_go("reader", rw_reader, NULL);
    yl_go("writer", rw_writer, NULL);
    yl_go("peer", rw_peer, NULL);
}

ParameterizedTestParameters(reactor, reader_and_writer_wait_on_one_fd)
{
    return cr_make_param_array(yl_config, execs, sizeof execs / sizeof execs[0]);
}

ParameterizedTest(const yl_config *cfg, reactor, reader_and_writer_wait_on_one_fd, .timeout = 30)
{
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, rw_sv), 0);
    cr_assert_eq(yl_fd_nonblock(rw_sv[0]), 0);
    cr_assert_eq(yl_fd_nonblock(rw_sv[1]), 0);
    while (write(rw_sv[0], rw_fill, sizeof rw_fill) > 0) {
    }
    atomic_store(&rw_read, 99);
    atomic_store(&rw_wrote, 99);
    atomic_store(&rw_err, 0);
    cr_assert_eq(yl_run(cfg, rw_main, NULL), 0);
    cr_expect_eq(atomic_load(&rw_err), 0, "a wait failed: %s", strerror(atomic_load(&rw_err)));
    cr_expect_eq(atomic_load(&rw_read), 1);
    cr_expect_eq(atomic_load(&rw_wrote), 1);
    close(rw_sv[0]);
    close(rw_sv[1]);
}

/* ---- a parked fd starts its task once readable ---------------------- */

static int pk_pfd[2];
static char pk_order[32];
static _Atomic int pk_park_rc, pk_again_errno;

static void pk_task(void *arg)
{
    char c = 0;
    ssize_t r = yl_read(pk_pfd[0], &c, 1);
    strcat(pk_order, r == 1 && c == 'p' ? (const char *)arg : "?");
}

/* A byte is there before the fd was ever waited on: yl_fd_park registers
 * it, and the registration's first edge starts the task at once. */
static void pk_main(void *arg)
{
    (void)arg;
    yl_task *t = yl_task_new("parked", pk_task, "T");
    atomic_store(&pk_park_rc, yl_fd_park(pk_pfd[0], t));
    strcat(pk_order, "p");
}

static void pk_writer(void *arg)
{
    (void)arg;
    yl_sleep_ms(20);
    strcat(pk_order, "w");
    if (write(pk_pfd[1], "x", 1) != 1)
        return;
    yl_sleep_ms(20); /* the main task has read it and parked the fd */
    strcat(pk_order, "W");
    if (write(pk_pfd[1], "p", 1) != 1)
        return;
}

static void pk_main2(void *arg)
{
    (void)arg;
    char c[16];
    yl_go("writer", pk_writer, NULL);
    if (yl_read(pk_pfd[0], c, sizeof c) == 1 && c[0] == 'x' &&
        yl_try_read(pk_pfd[0], c, sizeof c) == -1 && errno == EAGAIN) /* known drained */
        strcat(pk_order, "r");
    yl_task *t = yl_task_new("parked", pk_task, "T");
    atomic_store(&pk_park_rc, yl_fd_park(pk_pfd[0], t));
    strcat(pk_order, "p"); /* parked: this task ends, t starts on the byte */
}

/* The task made for a parked fd runs once bytes arrive, after the parker
 * has ended; and a fd that may be readable is refused with EAGAIN. */
ParameterizedTestParameters(reactor, parked_fd_starts_its_task)
{
    return cr_make_param_array(yl_config, execs, sizeof execs / sizeof execs[0]);
}

ParameterizedTest(const yl_config *cfg, reactor, parked_fd_starts_its_task, .timeout = 30)
{
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pk_pfd), 0);
    cr_assert_eq(yl_fd_nonblock(pk_pfd[0]), 0);
    pk_order[0] = 0;
    atomic_store(&pk_park_rc, -1);
    cr_assert_eq(yl_run(cfg, pk_main2, NULL), 0);
    cr_expect_eq(atomic_load(&pk_park_rc), 0, "yl_fd_park: %d", atomic_load(&pk_park_rc));
    cr_expect_str_eq(pk_order, "wrpWT");
    close(pk_pfd[0]);
    close(pk_pfd[1]);
}

/* A fresh fd with a byte in it already: parked at once, its task started
 * by the registration's first edge. */
Test(reactor, fresh_fd_with_bytes_parks_and_starts)
{
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pk_pfd), 0);
    cr_assert_eq(yl_fd_nonblock(pk_pfd[0]), 0);
    cr_assert_eq(write(pk_pfd[1], "p", 1), 1);
    pk_order[0] = 0;
    atomic_store(&pk_park_rc, -1);
    cr_assert_eq(yl_run(NULL, pk_main, NULL), 0);
    cr_expect_eq(atomic_load(&pk_park_rc), 0);
    cr_expect_str_eq(pk_order, "pT");
    close(pk_pfd[0]);
    close(pk_pfd[1]);
}

/* While the runtime knows the fd may be readable (an edge since the last
 * drain), parking is refused with EAGAIN: the caller reads instead. */
static void pk_busy(void *arg)
{
    (void)arg;
    char c;
    if (yl_read(pk_pfd[0], &c, 1) != 1) /* waits: registered, then the edge */
        return;
    yl_task *t = yl_task_new("parked", pk_task, "T");
    int rc = yl_fd_park(pk_pfd[0], t); /* read, not found empty: maybe readable */
    atomic_store(&pk_again_errno, rc == 0 ? 0 : errno);
    if (rc != 0)
        yl_detach(t);
}

static void pk_feed(void *arg)
{
    (void)arg;
    yl_sleep_ms(20);
    if (write(pk_pfd[1], "ab", 2) != 2)
        return;
}

static void pk_busy_main(void *arg)
{
    (void)arg;
    yl_go("feed", pk_feed, NULL);
    pk_busy(NULL);
}

Test(reactor, park_refused_while_maybe_readable)
{
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pk_pfd), 0);
    cr_assert_eq(yl_fd_nonblock(pk_pfd[0]), 0);
    atomic_store(&pk_again_errno, -1);
    cr_assert_eq(yl_run(NULL, pk_busy_main, NULL), 0);
    cr_expect_eq(atomic_load(&pk_again_errno), EAGAIN, "%s", strerror(atomic_load(&pk_again_errno)));
    close(pk_pfd[0]);
    close(pk_pfd[1]);
}

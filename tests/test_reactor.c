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

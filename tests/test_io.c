/* test_io.c - yield points that wait for the outside world (an fd in
 * epoll, a file operation on the pool) and the async mutex. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "yl.h"

static int pfd[2];
static char order[64];
static char got[16];

static void reader(void *arg)
{
    (void)arg;
    strcat(order, "r");
    ssize_t n = yl_read(pfd[0], got, sizeof got - 1); /* empty pipe: waits */
    if (n > 0)
        got[n] = 0;
    strcat(order, "R");
}

static void writer(void *arg)
{
    (void)arg;
    strcat(order, "w");
    yl_sleep_ms(10); /* the reader is parked in epoll meanwhile */
    strcat(order, "W");
    yl_write(pfd[1], "ping", 4);
}

static void pipe_main(void *arg)
{
    (void)arg;
    yl_go("reader", reader, NULL);
    yl_go("writer", writer, NULL);
}

Test(io, pipe_reader_wakes_when_written)
{
    cr_assert_eq(pipe(pfd), 0);
    cr_assert_eq(yl_fd_nonblock(pfd[0]), 0);
    cr_assert_eq(yl_fd_nonblock(pfd[1]), 0);
    order[0] = got[0] = 0;
    cr_assert_eq(yl_run(NULL, pipe_main, NULL), 0);
    cr_expect_str_eq(order, "rwWR");
    cr_expect_str_eq(got, "ping");
    close(pfd[0]);
    close(pfd[1]);
}

#define FILE_OPS 10000
static yl_wg wg;
static int file_fd;
static int ops_done, ops_bad;

static void file_worker(void *arg)
{
    int i = (int)(intptr_t)arg;
    char buf[8];
    snprintf(buf, sizeof buf, "%07d", i);
    if (yl_file_write(file_fd, buf, 7, (off_t)i * 7) != 7)
        ops_bad++;
    char back[8] = {0};
    if (yl_file_read(file_fd, back, 7, (off_t)i * 7) != 7 || memcmp(back, buf, 7) != 0)
        ops_bad++;
    ops_done++;
    yl_wg_done(&wg);
}

static void pool_main(void *arg)
{
    const char *path = arg;
    file_fd = yl_file_open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    cr_assert_geq(file_fd, 0);
    yl_wg_init(&wg);
    yl_wg_add(&wg, FILE_OPS / 2);
    for (int i = 0; i < FILE_OPS / 2; i++) /* two operations each */
        yl_go("io", file_worker, (void *)(intptr_t)i);
    yl_wg_wait(&wg);
    cr_expect_eq(yl_file_close(file_fd), 0);
}

Test(io, pool_completes_10k_file_operations)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/yltest-pool-%d", (int)getpid());
    ops_done = ops_bad = 0;
    cr_assert_eq(yl_run(NULL, pool_main, path), 0);
    unlink(path);
    cr_expect_eq(ops_done, FILE_OPS / 2, "a completion was lost");
    cr_expect_eq(ops_bad, 0);
}

static void open_missing(void *arg)
{
    (void)arg;
    int fd = yl_file_open("/nonexistent/dir/file", O_RDONLY, 0);
    cr_expect_eq(fd, -1);
    cr_expect_eq(errno, ENOENT, "errno comes back from the pool thread");
}

Test(io, pool_reports_errno)
{
    cr_assert_eq(yl_run(NULL, open_missing, NULL), 0);
}

/* --- mutex --- */

static yl_mutex mu;
static int inside, overlaps;
static char acq[64];

static void locker(void *arg)
{
    yl_mutex_lock(&mu);
    if (inside++)
        overlaps++;
    size_t l = strlen(acq);
    acq[l] = *(const char *)arg;
    acq[l + 1] = 0;
    yl_sleep_ms(1); /* hold it across a yield point */
    inside--;
    yl_mutex_unlock(&mu);
}

static void mutex_main(void *arg)
{
    enum yl_mutex_order ord = (enum yl_mutex_order)(intptr_t)arg;
    yl_mutex_init(&mu, ord);
    static const char names[] = "ABCDEF";
    for (int i = 0; i < 6; i++)
        yl_go("locker", locker, (void *)&names[i]);
}

Test(mutex, fifo_hands_over_in_arrival_order)
{
    acq[0] = 0;
    inside = overlaps = 0;
    cr_assert_eq(yl_run(NULL, mutex_main, (void *)(intptr_t)YL_FIFO), 0);
    cr_expect_str_eq(acq, "ABCDEF");
    cr_expect_eq(overlaps, 0, "two tasks held the mutex at once");
}

Test(mutex, lifo_hands_over_newest_first)
{
    acq[0] = 0;
    inside = overlaps = 0;
    cr_assert_eq(yl_run(NULL, mutex_main, (void *)(intptr_t)YL_LIFO), 0);
    /* A takes it free; B..F queue while A sleeps; F is the newest. */
    cr_expect_str_eq(acq, "AFEDCB");
    cr_expect_eq(overlaps, 0, "two tasks held the mutex at once");
}

static void trylock_main(void *arg)
{
    (void)arg;
    yl_mutex_init(&mu, YL_FIFO);
    cr_expect(yl_mutex_trylock(&mu));
    cr_expect_not(yl_mutex_trylock(&mu));
    yl_mutex_unlock(&mu);
    cr_expect(yl_mutex_trylock(&mu));
    yl_mutex_unlock(&mu);
}

Test(mutex, trylock)
{
    cr_assert_eq(yl_run(NULL, trylock_main, NULL), 0);
}

static void bad_unlock(void *arg)
{
    (void)arg;
    yl_mutex_init(&mu, YL_FIFO);
    yl_mutex_unlock(&mu);
}

Test(mutex, unlock_by_non_owner_aborts, .signal = SIGABRT, .init = cr_redirect_stderr)
{
    yl_run(NULL, bad_unlock, NULL);
}

/* yl_accept: a task waits in epoll for a connection, another makes one;
 * then a shutdown of the listening socket wakes a waiting accept. */
#include <netinet/in.h>
#include <sys/socket.h>

static int acc_lfd, acc_got = -2, acc_after_shutdown = -2, acc_errno;
static char acc_byte;

static void acc_task(void *arg)
{
    (void)arg;
    int c = yl_accept(acc_lfd, SOCK_NONBLOCK | SOCK_CLOEXEC);
    acc_got = c;
    if (c >= 0) {
        if (yl_read(c, &acc_byte, 1) != 1)
            acc_byte = '?';
        close(c);
    }
    acc_after_shutdown = yl_accept(acc_lfd, SOCK_NONBLOCK); /* waits again */
    acc_errno = errno;
}

static void acc_client(void *arg)
{
    (void)arg;
    yl_sleep_ms(5); /* the acceptor is parked in epoll meanwhile */
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    getsockname(acc_lfd, (struct sockaddr *)&a, &len);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, len) == 0)
        yl_write(s, "k", 1);
    yl_sleep_ms(5);
    shutdown(acc_lfd, SHUT_RDWR);
    close(s);
}

static void acc_main(void *arg)
{
    (void)arg;
    yl_go("acceptor", acc_task, NULL);
    yl_go("client", acc_client, NULL);
}

Test(io, accept_waits_then_wakes_on_shutdown)
{
    acc_lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    cr_assert_geq(acc_lfd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(acc_lfd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(acc_lfd, 8), 0);
    cr_assert_eq(yl_run(NULL, acc_main, NULL), 0);
    cr_expect_geq(acc_got, 0);
    cr_expect_eq(acc_byte, 'k');
    cr_expect_eq(acc_after_shutdown, -1);
    cr_expect_eq(acc_errno, EINVAL);
    close(acc_lfd);
}

/* yl_wait_readable: waits on an epoll set of the task's own (an epoll fd
 * is pollable) and reads nothing: the byte is still in the pipe after. */
static int wr_ep;

static void ep_waiter(void *arg)
{
    (void)arg;
    strcat(order, "e");
    if (yl_wait_readable(wr_ep) == 0)
        strcat(order, "E");
}

static void ep_main(void *arg)
{
    (void)arg;
    yl_go("waiter", ep_waiter, NULL);
    yl_go("writer", writer, NULL);
}

Test(io, wait_readable_on_an_epoll_set_reads_nothing)
{
    cr_assert_eq(pipe(pfd), 0);
    cr_assert_eq(yl_fd_nonblock(pfd[0]), 0);
    wr_ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN};
    cr_assert_eq(epoll_ctl(wr_ep, EPOLL_CTL_ADD, pfd[0], &ev), 0);
    order[0] = 0;
    cr_assert_eq(yl_run(NULL, ep_main, NULL), 0);
    cr_expect_str_eq(order, "ewWE");
    char buf[8];
    cr_expect_eq(read(pfd[0], buf, sizeof buf), 4, "the wait read the pipe");
    close(wr_ep);
    close(pfd[0]);
    close(pfd[1]);
}

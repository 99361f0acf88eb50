/* io.c - the reactor: tasks wait for fd readiness through the worker's
 * epoll instance (pipes, sockets, terminals; not regular files, which
 * epoll reports as always ready: those go to the blocking pool, pool.c).
 * The stealing executor's fd waits go to one epoll shared by all workers
 * instead (io_shared.c), which every worker's own epoll watches.
 *
 * Each wait registers the fd one-shot with a pointer to a waiter record on
 * the waiting task's stack, and removes it after waking, so no table of
 * fds is kept. One task may wait on a given fd at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

const char yl__wake_tag = 0;

/* errno is per thread, and glibc declares its accessor `const`, so the
 * compiler may reuse errno's address across a yield point; under the
 * stealing executor the task may come back on another thread. Reading it
 * through a function the compiler cannot see into avoids that. */
__attribute__((noinline)) static int errno_now(void)
{
    return errno;
}

int yl_fd_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -1;
    return (fl & O_NONBLOCK) ? 0 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Parks the running task until fd has `events`; 0, or -1 with errno. */
static int wait_fd(int fd, uint32_t events)
{
    yl__require_stackful("yl_read/yl_write"); /* wt lives on the caller's stack */
    struct yl_worker *w = yl__worker();
    if (w->rt->io_shared)
        return yl__io_shared_wait(w->rt, fd, events);
    struct yl_fd_wait wt = {.task = yl_self()};
    struct epoll_event ev = {.events = events | EPOLLONESHOT, .data.ptr = &wt};
    int epfd = w->epfd;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        return -1; /* EEXIST: another task already waits on this fd */
    w->io_waiting++;
    yl__block();
    /* Left registered (one-shot only disarms it), the fd would make the
     * next wait in that epoll fail with EEXIST. epfd was read before the
     * wait: the epoll the fd is in, whichever worker resumes the task. A
     * failure (the fd was closed meanwhile, which removed it) shows again
     * in the call that is retried. */
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    return 0;
}

ssize_t yl_read(int fd, void *buf, size_t n)
{
    for (;;) {
        ssize_t r = read(fd, buf, n);
        int e = r < 0 ? errno_now() : 0;
        if (r >= 0 || (e != EAGAIN && e != EINTR))
            return r;
        if (e == EAGAIN && wait_fd(fd, EPOLLIN | EPOLLRDHUP) != 0)
            return -1;
    }
}

ssize_t yl_write(int fd, const void *buf, size_t n)
{
    for (;;) {
        ssize_t r = write(fd, buf, n);
        int e = r < 0 ? errno_now() : 0;
        if (r >= 0 || (e != EAGAIN && e != EINTR))
            return r;
        if (e == EAGAIN && wait_fd(fd, EPOLLOUT) != 0)
            return -1;
    }
}

int yl_accept(int fd, int flags)
{
    for (;;) {
        int c = accept4(fd, NULL, NULL, flags);
        int e = c < 0 ? errno_now() : 0;
        if (c >= 0 || (e != EAGAIN && e != EINTR && e != ECONNABORTED))
            return c;
        if (e == EAGAIN && wait_fd(fd, EPOLLIN) != 0)
            return -1;
    }
}

int yl_wait_readable(int fd)
{
    return wait_fd(fd, EPOLLIN | EPOLLRDHUP);
}

void yl__io_poll(struct yl_worker *w, uint64_t timeout_ns)
{
    struct epoll_event ev[64];
    struct timespec ts, *tp = NULL;
    if (timeout_ns != UINT64_MAX) {
        ts.tv_sec = (time_t)(timeout_ns / 1000000000u);
        ts.tv_nsec = (long)(timeout_ns % 1000000000u);
        tp = &ts;
    }
    int n = epoll_pwait2(w->epfd, ev, 64, tp, NULL);
    if (n < 0 && errno == ENOSYS) {
        /* Kernels before 5.11: millisecond timeout, rounded up so a sleep
         * never ends early. */
        int ms = tp ? (int)((timeout_ns + 999999u) / 1000000u) : -1;
        n = epoll_wait(w->epfd, ev, 64, ms);
    }
    for (int i = 0; i < n; i++) {
        if (ev[i].data.ptr == &yl__pool_tag) {
            yl__pool_drain(w);
            continue;
        }
        if (ev[i].data.ptr == &yl__shared_tag) {
            yl__io_shared_drain(w);
            continue;
        }
        if (ev[i].data.ptr == &yl__wake_tag) {
            uint64_t cnt; /* another worker has work for us: just wake */
            if (read(w->wakefd, &cnt, sizeof cnt) < 0) {
            }
            continue;
        }
        struct yl_fd_wait *wt = ev[i].data.ptr;
        w->io_waiting--;
        yl__make_ready(wt->task);
    }
    /* n < 0 (EINTR): the loop looks at the clock and queues again. */
}

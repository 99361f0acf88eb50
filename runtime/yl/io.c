/* io.c - the reactor: tasks wait for fd readiness through epoll (pipes,
 * sockets, terminals; not regular files, which epoll reports as always
 * ready: those go to the blocking pool, pool.c). An fd is registered once,
 * edge-triggered, in the epoll of the worker that first waits on it, or
 * under the stealing executor in the one epoll all workers see
 * (io_shared.c); the runtime keeps its readiness (fdtab.c). A reader and a
 * writer may wait on one fd at once; yl_close ends both waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "spin.h"

const char yl__wake_tag = 0;

enum { RD, WR };

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
    struct yl_worker *w = yl__worker();
    if (w)
        yl__fd_reset(w->rt, fd); /* a new fd, as a rule: nothing known of it */
    return (fl & O_NONBLOCK) ? 0 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static _Atomic uint32_t *state(struct yl_fdrec *r, int dir)
{
    return dir == RD ? &r->rstate : &r->wstate;
}

/* Parks the running task until fd's dir readiness moves on from the
 * snapshot s (registering the fd first if it is not yet). 0 when the
 * caller should try again, -1 with errno (EBADF: closed by yl_close;
 * EEXIST: another task already waits in this direction). */
static int fd_wait(int fd, int dir, uint32_t s)
{
    yl__require_stackful("yl_read/yl_write"); /* the waiter lives on the caller's stack */
    struct yl_worker *w = yl__worker();
    struct yl_rt *rt = w->rt;
    struct yl_fdrec *r = yl__fd_rec(rt, fd, true);
    if (!r)
        return -1;
    _Atomic uint32_t *st = state(r, dir);
    struct yl_fd_waiter **slot = dir == RD ? &r->reader : &r->writer;
    yl_spin_lock(&r->lock);
    if (!atomic_load(&r->reg)) {
        if (yl__fd_register(w, r, fd) != 0) {
            int e = errno;
            yl_spin_unlock(&r->lock);
            errno = e;
            return -1;
        }
    } else if ((atomic_load(st) >> 1) != (s >> 1)) {
        yl_spin_unlock(&r->lock);
        return 0; /* an edge came after the snapshot: the call may succeed now */
    }
    if (*slot || (dir == RD && r->parked)) {
        yl_spin_unlock(&r->lock);
        errno = EEXIST;
        return -1;
    }
    atomic_store(st, atomic_load(st) & ~1u);
    struct yl_fd_waiter wt = {.task = yl_self()};
    *slot = &wt;
    yl__fd_pending(rt, r->owner, +1);
    yl__block_unlock(&r->lock); /* released once we are switched out */
    if (wt.err) {
        errno = wt.err;
        return -1;
    }
    return 0;
}

/* One direction's system call (read, write or accept4 as op), retried
 * through waits (unless nowait): tried at once unless the runtime knows
 * the fd is not ready, which it learns from EAGAIN, and for writes from a
 * short one on a stream socket (the buffer is full). A short read is not
 * taken as drained (Tokio does): a closed-loop client's next request is
 * often there by the time the server reads again, and that read then
 * saves a trip through epoll. */
typedef ssize_t (*io_op)(int fd, void *buf, size_t n, int flags);

static ssize_t op_read(int fd, void *buf, size_t n, int flags)
{
    (void)flags;
    return read(fd, buf, n);
}

static ssize_t op_write(int fd, void *buf, size_t n, int flags)
{
    (void)flags;
    return write(fd, buf, n);
}

static ssize_t op_accept(int fd, void *buf, size_t n, int flags)
{
    (void)buf, (void)n;
    return accept4(fd, NULL, NULL, flags);
}

static ssize_t io_call(int fd, int dir, io_op op, void *buf, size_t n, int flags, bool nowait)
{
    struct yl_rt *rt = yl__worker()->rt;
    struct yl_fdrec *r = yl__fd_rec(rt, fd, false);
    for (;;) {
        uint32_t s = r ? atomic_load(state(r, dir)) : 1u;
        bool known = r && atomic_load_explicit(&r->reg, memory_order_acquire);
        if (!known || (s & 1u)) {
            ssize_t k = op(fd, buf, n, flags);
            if (k >= 0) {
                if (dir == WR && known && (size_t)k < n && atomic_load(&r->stream))
                    atomic_compare_exchange_strong(state(r, dir), &s, s & ~1u);
                return k;
            }
            int e = errno_now();
            if (e == EINTR || (e == ECONNABORTED && op == op_accept))
                continue; /* a connection reset while queued: take the next */
            if (e != EAGAIN)
                return -1;
            if (nowait && known) /* drained, unless an edge came since s */
                atomic_compare_exchange_strong(state(r, dir), &s, s & ~1u);
        }
        if (nowait) {
            errno = EAGAIN;
            return -1;
        }
        if (fd_wait(fd, dir, s) != 0)
            return -1;
        if (!r)
            r = yl__fd_rec(rt, fd, false);
    }
}

ssize_t yl_read(int fd, void *buf, size_t n)
{
    return io_call(fd, RD, op_read, buf, n, 0, false);
}

ssize_t yl_try_read(int fd, void *buf, size_t n)
{
    return io_call(fd, RD, op_read, buf, n, 0, true);
}

ssize_t yl_write(int fd, const void *buf, size_t n)
{
    return io_call(fd, WR, op_write, (void *)buf, n, 0, false);
}

int yl_accept(int fd, int flags)
{
    int c = (int)io_call(fd, RD, op_accept, NULL, 0, flags, false);
    if (c >= 0)
        yl__fd_reset(yl__worker()->rt, c); /* its number may have had another file */
    return c;
}

int yl_wait_readable(int fd)
{
    struct yl_rt *rt = yl__worker()->rt;
    struct yl_fdrec *r = yl__fd_rec(rt, fd, true);
    if (!r)
        return -1;
    /* The caller reads with calls of its own, which the runtime does not
     * see: so it asks the fd itself (snapshot first: an edge after the
     * look then ends the wait). */
    uint32_t s = atomic_load(&r->rstate);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 0) > 0)
        return 0;
    return fd_wait(fd, RD, s);
}

int yl_fd_park(int fd, yl_task *t)
{
    struct yl_worker *w = yl__worker();
    struct yl_rt *rt = w->rt;
    struct yl_fdrec *r = yl__fd_rec(rt, fd, true);
    if (!r)
        return -1;
    int err = 0;
    yl_spin_lock(&r->lock);
    if (!atomic_load(&r->reg) && yl__fd_register(w, r, fd) != 0)
        err = errno;
    else if (atomic_load(&r->rstate) & 1u)
        err = EAGAIN; /* may be readable now: the caller reads on instead */
    else if (r->reader || r->parked)
        err = EEXIST;
    if (err) {
        yl_spin_unlock(&r->lock);
        errno = err;
        return -1;
    }
    yl_spin_lock(&t->lock);
    t->done_flags |= YL_F_DETACHED; /* the runtime's now: freed when it ends */
    yl_spin_unlock(&t->lock);
    r->parked = t;
    r->park_home = (int8_t)w->index;
    atomic_fetch_add(&rt->live, 1); /* the run lasts while it may start */
    yl__fd_pending(rt, r->owner, +1);
    yl_spin_unlock(&r->lock);
    return 0;
}

int yl_close(int fd)
{
    struct yl_worker *w = yl__worker();
    struct yl_fdrec *r = w ? yl__fd_rec(w->rt, fd, false) : NULL;
    if (!r)
        return close(fd);
    struct yl_rt *rt = w->rt;
    yl_spin_lock(&r->lock);
    bool reg = atomic_load(&r->reg);
    int owner = r->owner, home = r->park_home;
    r->gen++; /* events still in flight are for the old file */
    atomic_store(&r->reg, false);
    yl_task *tr = r->reader ? r->reader->task : NULL, *tw = r->writer ? r->writer->task : NULL;
    if (r->reader)
        r->reader->err = EBADF;
    if (r->writer)
        r->writer->err = EBADF;
    yl_task *parked = r->parked;
    r->reader = r->writer = NULL;
    r->parked = NULL;
    yl_spin_unlock(&r->lock);
    /* Removed before the close: a dup of the fd would keep it in epoll. */
    if (reg)
        epoll_ctl(yl__fd_epfd(rt, owner), EPOLL_CTL_DEL, fd, NULL);
    int rc = close(fd);
    int e = errno;
    yl__fd_wake(rt, owner, tr, tw, parked, home);
    errno = e;
    return rc;
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
        if (ev[i].data.u64 & YL_FD_EVENT) {
            yl__fd_event(w, ev[i].data.u64, ev[i].events);
        } else if (ev[i].data.ptr == &yl__pool_tag) {
            yl__pool_drain(w);
        } else if (ev[i].data.ptr == &yl__shared_tag) {
            yl__io_shared_drain(w);
        } else if (ev[i].data.ptr == &yl__wake_tag) {
            uint64_t cnt; /* another worker has work for us: just wake */
            if (read(w->wakefd, &cnt, sizeof cnt) < 0) {
            }
        }
    }
    /* n < 0 (EINTR): the loop looks at the clock and queues again. */
}

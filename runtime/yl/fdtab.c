/* fdtab.c - what the runtime knows of each fd a task has waited on, as
 * mio and Tokio keep it: the fd is registered once, edge-triggered, for
 * both directions, the first time a task must wait on it (one
 * epoll_ctl), and stays registered until yl_close. Each edge epoll
 * reports bumps a direction's readiness; a read or write that returns
 * EAGAIN (or a short write on a stream socket: the buffer is full) clears
 * it again. While it is clear a task waits without trying the system call
 * first, and an edge wakes it. So a keep-alive request costs a read, a
 * write and a share of one epoll_wait (and the read that finds the
 * connection empty, when it is), and no epoll_ctl at all.
 *
 * The records live in chunks of a table indexed by fd, allocated on first
 * use and never moved while the run lasts (workers read them without a
 * lock). An epoll event carries the fd and the record's generation,
 * bumped by yl_close and when a new fd takes the number (yl_accept,
 * yl_fd_nonblock), so an event still in flight for the old file is
 * dropped instead of waking the new one's waiters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "internal.h"
#include "spin.h"

struct yl_fdrec *yl__fd_rec(struct yl_rt *rt, int fd, bool create)
{
    if (fd < 0 || fd >= YL_FD_CHUNK * YL_FD_CHUNKS) {
        errno = fd < 0 ? EBADF : EMFILE;
        return NULL;
    }
    _Atomic(struct yl_fdrec *) *slot = &rt->fdt[fd / YL_FD_CHUNK];
    struct yl_fdrec *c = atomic_load_explicit(slot, memory_order_acquire);
    if (!c && create) {
        struct yl_fdrec *fresh = calloc(YL_FD_CHUNK, sizeof *fresh);
        if (!fresh)
            return NULL; /* ENOMEM */
        if (atomic_compare_exchange_strong(slot, &c, fresh))
            c = fresh;
        else
            free(fresh); /* another worker put one there first: c is it */
    }
    return c ? &c[fd % YL_FD_CHUNK] : NULL;
}

void yl__fdt_free(struct yl_rt *rt)
{
    for (int i = 0; i < YL_FD_CHUNKS; i++)
        free(atomic_load(&rt->fdt[i]));
}

int yl__fd_epfd(struct yl_rt *rt, int owner)
{
    return owner < 0 ? rt->io_epfd : rt->w[owner].epfd;
}

int yl__fd_register(struct yl_worker *w, struct yl_fdrec *r, int fd)
{
    struct yl_rt *rt = w->rt;
    int owner = rt->io_shared ? -1 : w->index;
    struct epoll_event ev = {
        .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
        .data.u64 = YL_FD_EVENT | (uint64_t)(r->gen & 0x7fffffffu) << 32 | (uint32_t)fd,
    };
    int epfd = yl__fd_epfd(rt, owner);
    /* EEXIST: the fd number was closed without yl_close and its file is
     * still open elsewhere, so the old entry is still there: take it over. */
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0 &&
        (errno != EEXIST || epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) != 0))
        return -1;
    int type = 0;
    socklen_t len = sizeof type;
    bool stream = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
    r->owner = (int8_t)owner;
    atomic_store_explicit(&r->stream, stream, memory_order_relaxed);
    /* Not known ready any more: the registration reports the fd's current
     * state as a first edge if it has one. */
    atomic_store(&r->rstate, atomic_load(&r->rstate) & ~1u);
    atomic_store(&r->wstate, atomic_load(&r->wstate) & ~1u);
    atomic_store_explicit(&r->reg, true, memory_order_release);
    return 0;
}

void yl__fd_reset(struct yl_rt *rt, int fd)
{
    struct yl_fdrec *r = yl__fd_rec(rt, fd, false);
    if (!r)
        return;
    yl_spin_lock(&r->lock);
    /* A waiter here would mean the number is still in use: leave it be. */
    if (!r->reader && !r->writer && !r->parked) {
        r->gen++;
        atomic_store(&r->reg, false);
    }
    yl_spin_unlock(&r->lock);
}

void yl__fd_pending(struct yl_rt *rt, int owner, int delta)
{
    _Atomic uint64_t *n = owner < 0 ? &rt->io_shared_waiting : &rt->w[owner].io_waiting;
    if (delta > 0) {
        atomic_fetch_add(n, 1);
        return;
    }
    /* The waits it counts end after their tasks were made ready: a worker
     * that parked while they were pending skipped the deadlock check, and
     * woken now it finds them ready (woken earlier, it could find nothing
     * ready and nothing pending, and fail the run). */
    if (atomic_fetch_sub(n, 1) != 1)
        return;
    struct yl_worker *self = yl__worker();
    for (int k = 0; k < rt->nworkers; k++)
        if (&rt->w[k] != self && (owner < 0 || k == owner))
            yl__wake_worker(&rt->w[k]);
}

/* A direction's state word: bit 0 ready, the rest a count of edges. */
static void edge(_Atomic uint32_t *st)
{
    atomic_store(st, (atomic_load(st) + 2) | 1u);
}

void yl__fd_event(struct yl_worker *w, uint64_t data, uint32_t events)
{
    struct yl_rt *rt = w->rt;
    int fd = (int)(uint32_t)data;
    struct yl_fdrec *r = yl__fd_rec(rt, fd, false);
    if (!r)
        return;
    struct yl_fd_waiter *rd = NULL, *wr = NULL;
    yl_task *parked = NULL;
    yl_spin_lock(&r->lock); /* a waiter holds it until it is switched out */
    if ((r->gen & 0x7fffffffu) != ((data >> 32) & 0x7fffffffu)) {
        yl_spin_unlock(&r->lock); /* for a file closed since: not this one's */
        return;
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR | EPOLLPRI)) {
        edge(&r->rstate);
        rd = r->reader, r->reader = NULL;
        parked = r->parked, r->parked = NULL;
    }
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
        edge(&r->wstate);
        wr = r->writer, r->writer = NULL;
    }
    int owner = r->owner, home = r->park_home;
    yl_task *tr = rd ? rd->task : NULL, *tw = wr ? wr->task : NULL;
    yl_spin_unlock(&r->lock); /* rd and wr are not touched after: they may run */
    yl__fd_wake(rt, owner, tr, tw, parked, home);
}

void yl__fd_wake(struct yl_rt *rt, int owner, yl_task *reader, yl_task *writer, yl_task *parked,
                 int home)
{
    if (reader)
        yl__make_ready(reader);
    if (writer)
        yl__make_ready(writer);
    if (parked)
        yl__start_parked(parked, home);
    /* Only now, with the tasks ready: see yl__fd_pending. */
    for (int i = (reader != NULL) + (writer != NULL) + (parked != NULL); i > 0; i--)
        yl__fd_pending(rt, owner, -1);
}

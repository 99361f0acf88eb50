/* io_shared.c - fd readiness any worker can see, for the stealing executor.
 *
 * With one epoll per worker, a task waiting for its socket is registered
 * in the epoll of the worker it last ran on; while that worker runs a long
 * unit, nobody looks there, and stealing (which moves ready tasks, not
 * readiness) cannot help. So the stealing executor puts every fd wait in
 * ONE epoll of the runtime, and that epoll's own fd is a member of every
 * worker's epoll (an epoll fd is pollable). A worker that wakes or looks
 * around and finds it readable drains it without blocking; each wait is
 * one-shot, so each readiness reaches exactly one worker, which makes the
 * task ready on its own deque, where the others can steal it.
 *
 * Single and sharded keep their per-worker epolls (io.c): a sharded task
 * always runs on its home worker, so seeing its readiness elsewhere would
 * not help it, and the unlucky worker is the lesson of that executor.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "internal.h"
#include "spin.h"

const char yl__shared_tag = 0;

/* A waiter in the shared epoll. Another worker may drain the event while
 * the waiting task is still switching out, so the record is locked from
 * before the registration until the switch-out is complete (the scheduler
 * releases it, yl__block_unlock): the drainer takes the lock before it
 * makes the task ready, as any cross-worker waker does. */
struct yl_shared_wait {
    yl_task *task;
    yl_spinlock lock;
};

int yl__io_shared_setup(struct yl_rt *rt)
{
    if (rt->exec != YL_EXEC_STEALING || rt->nworkers < 2)
        return 0;
    rt->io_epfd = epoll_create1(EPOLL_CLOEXEC);
    if (rt->io_epfd < 0) {
        yl__err("cannot set up the shared epoll: %s", strerror(errno));
        return -1;
    }
    rt->io_shared = true;
    /* Level-triggered: every worker asleep is told while events are left,
     * and a drain that leaves some (more than fit in one call) is told
     * again. EPOLLEXCLUSIVE, which would wake only one, refuses epoll fds. */
    for (int i = 0; i < rt->nworkers; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = (void *)&yl__shared_tag};
        if (epoll_ctl(rt->w[i].epfd, EPOLL_CTL_ADD, rt->io_epfd, &ev) != 0) {
            yl__err("worker %d: cannot watch the shared epoll: %s", i, strerror(errno));
            return -1;
        }
    }
    return 0;
}

void yl__io_shared_teardown(struct yl_rt *rt)
{
    if (rt->io_shared)
        close(rt->io_epfd);
    rt->io_shared = false;
}

int yl__io_shared_wait(struct yl_rt *rt, int fd, uint32_t events)
{
    struct yl_shared_wait wt = {.task = yl_self()};
    yl_spin_lock(&wt.lock);
    struct epoll_event ev = {.events = events | EPOLLONESHOT, .data.ptr = &wt};
    /* Counted before it can be drained, so the count never goes below. */
    atomic_fetch_add(&rt->io_shared_waiting, 1);
    if (epoll_ctl(rt->io_epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        atomic_fetch_sub(&rt->io_shared_waiting, 1);
        return -1; /* EEXIST: another task already waits on this fd */
    }
    yl__block_unlock(&wt.lock);
    /* Disarmed by the one-shot delivery; removed so the next wait can add
     * it again. A failure (fd closed meanwhile) shows in the retried call. */
    epoll_ctl(rt->io_epfd, EPOLL_CTL_DEL, fd, NULL);
    return 0;
}

void yl__io_shared_drain(struct yl_worker *w)
{
    struct yl_rt *rt = w->rt;
    struct epoll_event ev[64];
    int n = epoll_wait(rt->io_epfd, ev, 64, 0);
    for (int i = 0; i < n; i++) {
        struct yl_shared_wait *wt = ev[i].data.ptr;
        yl_spin_lock(&wt->lock); /* its task is fully switched out */
        yl_task *t = wt->task;
        yl_spin_unlock(&wt->lock); /* wt is not touched after: t may run */
        /* A worker parked while this wait was pending counted itself busy
         * (yl__io_pending), so it skipped the deadlock check; when the
         * last wait ends, it must look again. */
        if (atomic_fetch_sub(&rt->io_shared_waiting, 1) == 1)
            for (int k = 0; k < rt->nworkers; k++)
                if (&rt->w[k] != w)
                    yl__wake_worker(&rt->w[k]);
        yl__make_ready(t);
    }
}

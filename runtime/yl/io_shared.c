/* io_shared.c - fd readiness any worker can see, for the stealing executor.
 *
 * With one epoll per worker, a task waiting for its socket is registered
 * in the epoll of the worker it last ran on; while that worker runs a long
 * unit, nobody looks there, and stealing (which moves ready tasks, not
 * readiness) cannot help. So the stealing executor puts every fd wait in
 * ONE epoll of the runtime, and that epoll's own fd is a member of every
 * worker's epoll (an epoll fd is pollable). A worker that wakes or looks
 * around and finds it readable drains it without blocking. Each fd is in
 * it edge-triggered (fdtab.c), so each edge reaches exactly one worker,
 * which makes the waiting task ready on its own deque, where the others
 * can steal it.
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

const char yl__shared_tag = 0;

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

void yl__io_shared_drain(struct yl_worker *w)
{
    struct epoll_event ev[64];
    int n = epoll_wait(w->rt->io_epfd, ev, 64, 0);
    /* With nothing queued here, w runs the first task it wakes next (its
     * deque is LIFO): waking an idle worker for it would only have that
     * one look and sleep again, two system calls a request. Those after
     * it are shared out as usual. */
    w->keep_next = n > 0 && yl_deque_size(&w->dq) == 0;
    for (int i = 0; i < n; i++)
        yl__fd_event(w, ev[i].data.u64, ev[i].events);
    w->keep_next = false;
}

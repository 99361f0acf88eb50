/* usync.c - lining units up before a measurement: an arrival counter and a
 * release gate, both futex words, and the one-byte pipe token (see
 * measure.h). */
#include "measure.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"

int futex_wait(_Atomic uint32_t *w, uint32_t val)
{
    /* The kernel sleeps only if *w still equals val: a wake that came
     * between our load and this call is never lost. */
    return (int)syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT, val, NULL, NULL, 0);
}

int futex_wake(_Atomic uint32_t *w, int n)
{
    return (int)syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE, n, NULL, NULL, 0);
}

void usync_reset(struct usync *s)
{
    atomic_store(&s->arrived, 0);
    atomic_store(&s->woke, 0);
    atomic_store(&s->gate, 0);
}

void usync_arrive(struct usync *s, uint32_t want)
{
    /* Only the last unit wakes the waiter: N wake-ups for N units would
     * be N syscalls for nothing. */
    if (atomic_fetch_add(&s->arrived, 1) + 1 == want)
        futex_wake(&s->arrived, INT_MAX);
}

void usync_wait_arrived(struct usync *s, uint32_t want)
{
    for (;;) {
        uint32_t v = atomic_load(&s->arrived);
        if (v >= want)
            return;
        futex_wait(&s->arrived, v);
    }
}

void usync_wait_gate(struct usync *s)
{
    while (atomic_load(&s->gate) == 0)
        futex_wait(&s->gate, 0);
}

void usync_open_gate(struct usync *s)
{
    atomic_store(&s->gate, 1);
    futex_wake(&s->gate, INT_MAX);
}

void token_send(int fd)
{
    char c = 't';
    while (write(fd, &c, 1) != 1)
        if (errno != EINTR)
            cli_fail("write to pipe: %s", strerror(errno));
}

void token_recv(int fd, const char *peer)
{
    char c;
    ssize_t r;
    while ((r = read(fd, &c, 1)) != 1) {
        if (r == 0)
            cli_fail("read from pipe: the other %s has gone", peer);
        if (errno != EINTR)
            cli_fail("read from pipe: %s", strerror(errno));
    }
}

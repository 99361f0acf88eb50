/* conns.c - the table of open connections (see netutil.h). */
#include "netutil.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <signal.h>
#include <unistd.h>

struct conns *conns_new(uint64_t cap)
{
    size_t len = sizeof(struct conns) + cap * sizeof(struct conn_slot);
    struct conns *t = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (t == MAP_FAILED)
        cli_fail("connection table for %llu: %s", (unsigned long long)cap, strerror(errno));
    t->cap = cap;
    t->map_len = len;
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&t->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    for (uint64_t i = 0; i < cap; i++)
        atomic_init(&t->slot[i].fd, -1);
    return t;
}

/* Takes the table's lock. A prefork child killed while holding it leaves
 * it EOWNERDEAD: we take it over, and recount the open slots, which the
 * dead holder may have left half updated. */
static void lock(struct conns *t)
{
    if (pthread_mutex_lock(&t->lock) != EOWNERDEAD)
        return;
    pthread_mutex_consistent(&t->lock);
    uint64_t open = 0;
    for (uint64_t k = 0; k < t->cap; k++)
        open += atomic_load(&t->slot[k].fd) != -1;
    t->open = open;
}

void conns_free(struct conns *t)
{
    pthread_mutex_destroy(&t->lock);
    munmap(t, t->map_len);
}

long conns_add(struct conns *t, int fd)
{
    long got = -1;
    lock(t);
    if (!t->closed && t->open < t->cap) {
        /* A free slot: the table is as large as --max-conns, so a linear
         * search from after the last one taken finds one soon. */
        for (uint64_t j = 0; j < t->cap; j++) {
            uint64_t k = (t->hint + j) % t->cap;
            if (atomic_load(&t->slot[k].fd) == -1) {
                got = (long)k;
                t->hint = k + 1;
                break;
            }
        }
    }
    if (got >= 0) {
        struct conn_slot *s = &t->slot[got];
        atomic_store(&s->fd, fd);
        atomic_store(&s->pid, 0);
        atomic_store(&s->seen_ns, now_ns());
        atomic_store(&s->head_ns, 0);
        atomic_store(&s->busy, CONN_WAIT);
        t->open++;
        atomic_fetch_add(&t->accepted, 1);
    } else {
        atomic_fetch_add(&t->refused, 1);
    }
    pthread_mutex_unlock(&t->lock);
    return got;
}

void conns_del(struct conns *t, long i)
{
    lock(t);
    atomic_store(&t->slot[i].fd, -1);
    atomic_store(&t->slot[i].pid, 0);
    t->open--;
    pthread_mutex_unlock(&t->lock);
}

void conns_set_pid(struct conns *t, long i, pid_t pid)
{
    lock(t);
    atomic_store(&t->slot[i].pid, pid);
    atomic_store(&t->slot[i].fd, -2);
    pthread_mutex_unlock(&t->lock);
}

void conns_del_pid(struct conns *t, pid_t pid)
{
    lock(t);
    for (uint64_t k = 0; k < t->cap; k++) {
        if (atomic_load(&t->slot[k].fd) != -1 && atomic_load(&t->slot[k].pid) == pid) {
            atomic_store(&t->slot[k].fd, -1);
            atomic_store(&t->slot[k].pid, 0);
            t->open--;
            break;
        }
    }
    pthread_mutex_unlock(&t->lock);
}

void conns_kill_all(struct conns *t, int sig)
{
    lock(t);
    t->closed = true;
    for (uint64_t k = 0; k < t->cap; k++) {
        pid_t p = atomic_load(&t->slot[k].pid);
        if (atomic_load(&t->slot[k].fd) != -1 && p > 0)
            kill(p, sig);
    }
    pthread_mutex_unlock(&t->lock);
}

void conns_touch(struct conns *t, long i, int state)
{
    atomic_store_explicit(&t->slot[i].seen_ns, now_ns(), memory_order_relaxed);
    atomic_store_explicit(&t->slot[i].busy, state, memory_order_relaxed);
}

void conns_head(struct conns *t, long i, uint64_t ns)
{
    atomic_store_explicit(&t->slot[i].head_ns, ns, memory_order_relaxed);
}

void conns_close_all(struct conns *t)
{
    lock(t);
    t->closed = true;
    for (uint64_t k = 0; k < t->cap; k++) {
        int fd = atomic_load(&t->slot[k].fd);
        if (fd >= 0)
            shutdown(fd, SHUT_RDWR);
    }
    pthread_mutex_unlock(&t->lock);
}

/* now - then, or 0 when then is later (a touch after now was read). */
static uint64_t since(uint64_t now, uint64_t then)
{
    return now > then ? now - then : 0;
}

uint64_t conns_reap(struct conns *t, uint64_t idle_ns, uint64_t head_ns, uint64_t write_ns)
{
    uint64_t n = 0;
    /* Under the lock: a slot's fd cannot be closed and reused by another
     * connection while we look at it (conns_del takes the lock first). */
    lock(t);
    for (uint64_t k = 0; k < t->cap; k++) {
        struct conn_slot *s = &t->slot[k];
        int fd = atomic_load(&s->fd);
        if (fd < 0)
            continue;
        int st = atomic_load(&s->busy);
        uint64_t seen = atomic_load(&s->seen_ns), head = atomic_load(&s->head_ns);
        /* The clock after the slot: a worker serving it on another CPU may
         * touch it at any time, and a clock read before the scan would be
         * older than that touch (now - seen would wrap to "idle for ages"). */
        uint64_t now = now_ns();
        bool over = (st == CONN_WAIT && idle_ns && since(now, seen) >= idle_ns) ||
                    (st == CONN_WAIT && head_ns && head && since(now, head) >= head_ns) ||
                    (st == CONN_WRITING && write_ns && since(now, seen) >= write_ns);
        if (over) {
            shutdown(fd, SHUT_RDWR);
            atomic_store(&s->seen_ns, now); /* once is enough */
            atomic_store(&s->head_ns, 0);
            n++;
        }
    }
    pthread_mutex_unlock(&t->lock);
    return n;
}

uint64_t conns_open(struct conns *t)
{
    lock(t);
    uint64_t n = t->open;
    pthread_mutex_unlock(&t->lock);
    return n;
}

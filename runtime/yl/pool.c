/* pool.c - blocking file IO on a few helper threads, so that a file
 * operation is a yield point like any other (libuv's approach).
 *
 * epoll cannot wait for a regular file: it reports it always ready, and a
 * read may still block on the disk. So a task hands the operation to a
 * pool thread and blocks; the pool thread does the system call, puts the
 * job on the worker's completion list and pokes the worker through an
 * eventfd that sits in the worker's epoll set. Tasks never see the threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"

#define POOL_MAX 64

const char yl__pool_tag = 0;

enum op { OP_OPEN, OP_CLOSE, OP_READ, OP_WRITE, OP_APPEND_PATH };

/* Lives on the stack of the task that waits for it. */
struct job {
    enum op op;
    int fd, flags;
    mode_t mode;
    const char *path;
    void *buf;
    size_t len;
    off_t off;      /* < 0: at the file position */
    ssize_t res;
    int err;
    yl_task *task;
    struct job *next;
};

struct yl_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail; /* submitted, FIFO */
    bool stop;
    pthread_mutex_t done_mu;
    struct job *done;        /* completed, newest first */
    int efd;
    int nthreads;
    pthread_t th[POOL_MAX];
};

static ssize_t do_io(struct job *j)
{
    switch (j->op) {
    case OP_OPEN:
        return open(j->path, j->flags | O_CLOEXEC, j->mode);
    case OP_CLOSE:
        return close(j->fd);
    case OP_READ:
        return j->off < 0 ? read(j->fd, j->buf, j->len) : pread(j->fd, j->buf, j->len, j->off);
    case OP_WRITE:
        return j->off < 0 ? write(j->fd, j->buf, j->len) : pwrite(j->fd, j->buf, j->len, j->off);
    case OP_APPEND_PATH: {
        int fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return -1;
        ssize_t r = write(fd, j->buf, j->len); /* one write: the kernel appends it whole */
        int e = errno;
        close(fd);
        errno = e;
        return r;
    }
    }
    errno = EINVAL;
    return -1;
}

static void *pool_thread(void *arg)
{
    struct yl_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->head && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        if (!p->head)
            break; /* stopping, and nothing left to do */
        struct job *j = p->head;
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->mu);

        j->res = do_io(j);
        j->err = j->res < 0 ? errno : 0;
        pthread_mutex_lock(&p->done_mu);
        j->next = p->done;
        p->done = j;
        pthread_mutex_unlock(&p->done_mu);
        uint64_t one = 1;
        if (write(p->efd, &one, sizeof one) < 0) {
            /* the counter cannot overflow in practice; nothing to do */
        }
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static int pool_threads(void)
{
    const char *s = getenv("YL_POOL_THREADS");
    int n = s ? atoi(s) : 4;
    return n < 1 ? 1 : n > POOL_MAX ? POOL_MAX : n;
}

static struct yl_pool *pool_start(struct yl_worker *w)
{
    struct yl_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    pthread_mutex_init(&p->done_mu, NULL);
    p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = (void *)&yl__pool_tag};
    if (p->efd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, p->efd, &ev) != 0)
        goto fail;
    int want = pool_threads();
    for (; p->nthreads < want; p->nthreads++)
        if (pthread_create(&p->th[p->nthreads], NULL, pool_thread, p) != 0)
            break;
    if (p->nthreads == 0)
        goto fail;
    w->pool = p;
    return p;
fail:
    yl__err("cannot start the file IO pool: %s", strerror(errno));
    if (p->efd >= 0)
        close(p->efd);
    free(p);
    return NULL;
}

void yl__pool_stop(struct yl_worker *w)
{
    struct yl_pool *p = w->pool;
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->th[i], NULL);
    close(p->efd);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->done_mu);
    free(p);
    w->pool = NULL;
}

void yl__pool_drain(struct yl_worker *w)
{
    struct yl_pool *p = w->pool;
    uint64_t cnt;
    if (read(p->efd, &cnt, sizeof cnt) < 0) {
        /* EAGAIN: a previous drain already took these completions */
    }
    pthread_mutex_lock(&p->done_mu);
    struct job *j = p->done;
    p->done = NULL;
    pthread_mutex_unlock(&p->done_mu);
    /* The list is newest first; wake in completion order. */
    struct job *rev = NULL;
    while (j) {
        struct job *next = j->next;
        j->next = rev;
        rev = j;
        j = next;
    }
    while (rev) {
        /* Read the link first: once ready, the task may run on another
         * worker and its stack, where the job lives, moves on. */
        struct job *next = rev->next;
        w->io_waiting--;
        yl__make_ready(rev->task);
        rev = next;
    }
}

/* See errno_now in io.c: never touch errno's cached address after a switch. */
__attribute__((noinline)) static void set_errno(int e)
{
    errno = e;
}

/* Hands j to the pool and blocks the running task until it is done. */
static ssize_t submit(struct job *j)
{
    yl__require_stackful("yl_file_*"); /* j lives on the caller's stack */
    struct yl_worker *w = yl__worker();
    struct yl_pool *p = w->pool ? w->pool : pool_start(w);
    if (!p) {
        errno = EAGAIN;
        return -1;
    }
    j->task = yl_self();
    j->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    w->io_waiting++;
    yl__block();
    set_errno(j->err);
    return j->res;
}

int yl_file_open(const char *path, int flags, mode_t mode)
{
    struct job j = {.op = OP_OPEN, .path = path, .flags = flags, .mode = mode};
    return (int)submit(&j);
}

int yl_file_close(int fd)
{
    struct job j = {.op = OP_CLOSE, .fd = fd};
    return (int)submit(&j);
}

ssize_t yl_file_read(int fd, void *buf, size_t n, off_t off)
{
    struct job j = {.op = OP_READ, .fd = fd, .buf = buf, .len = n, .off = off};
    return submit(&j);
}

ssize_t yl_file_write(int fd, const void *buf, size_t n, off_t off)
{
    struct job j = {.op = OP_WRITE, .fd = fd, .buf = (void *)buf, .len = n, .off = off};
    return submit(&j);
}

ssize_t yl_file_append(const char *path, const void *buf, size_t n)
{
    struct job j = {.op = OP_APPEND_PATH, .path = path, .buf = (void *)buf, .len = n};
    return submit(&j);
}

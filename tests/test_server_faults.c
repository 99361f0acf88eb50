/* test_server_faults.c - the tasks server when a system call fails the
 * way it rarely does: accept4 with ENOBUFS, and the epoll_ctl that parks
 * an idle connection failing while the server stops. The failures are
 * real kernel ones, injected with a seccomp filter the server inherits:
 * the filter hands each such call to this test (SECCOMP_RET_USER_NOTIF),
 * which lets it run, fails it, or holds it for a while. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "support/httpc.h"

#if defined(__x86_64__)
#define ARCH_NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH_NATIVE AUDIT_ARCH_AARCH64
#endif

/* The system call handed to the test, and what the test does with it. */
struct fault {
    int nr;           /* __NR_accept4 or __NR_epoll_ctl */
    int sock[2];      /* the child sends the filter's listener fd on it */
    int listener;     /* ours once received */
    int fail_first;   /* accept4: fail this many with ENOBUFS */
    int held_pipe[2]; /* epoll_ctl: a byte here once the park is held */
    _Atomic(unsigned long long) held_id; /* the held notification, 0: none */
    atomic_bool stop;
    pthread_t th;
};

/* In the server's child, before the exec: the filter, and its listener to
 * the test. Every other system call is allowed. */
static void install_filter(void *arg)
{
    struct fault *f = arg;
    struct sock_filter prog[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH_NATIVE, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)f->nr, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
    };
    struct sock_fprog fp = {.len = sizeof prog / sizeof prog[0], .filter = prog};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                          &fp);
    char byte = fd < 0 ? 'E' : 'F';
    char ctl[CMSG_SPACE(sizeof(int))] = {0};
    struct iovec io = {.iov_base = &byte, .iov_len = 1};
    struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1};
    if (fd >= 0) {
        m.msg_control = ctl;
        m.msg_controllen = sizeof ctl;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    sendmsg(f->sock[1], &m, 0);
    if (fd >= 0)
        close(fd);
    close(f->sock[1]);
}

static void respond(int listener, unsigned long long id, int error)
{
    struct seccomp_notif_resp r = {.id = id, .error = error};
    if (!error)
        r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

/* Is this epoll_ctl the one that parks a connection: an EPOLL_CTL_ADD of a
 * socket for EPOLLIN | EPOLLRDHUP | EPOLLONESHOT (the runtime's own waits
 * on sockets are for other events, or on the listening socket)? */
static bool is_park(const struct seccomp_notif *n)
{
    if (n->data.args[1] != EPOLL_CTL_ADD)
        return false;
    struct epoll_event ev;
    struct iovec local = {.iov_base = &ev, .iov_len = sizeof ev};
    struct iovec remote = {.iov_base = (void *)(uintptr_t)n->data.args[3], .iov_len = sizeof ev};
    if (process_vm_readv((pid_t)n->pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof ev)
        return false;
    char path[64], link[64] = "";
    snprintf(path, sizeof path, "/proc/%u/fd/%d", n->pid, (int)n->data.args[2]);
    if (readlink(path, link, sizeof link - 1) < 0)
        return false;
    return ev.events == (EPOLLIN | EPOLLRDHUP | EPOLLONESHOT) && strncmp(link, "socket:", 7) == 0;
}

/* The test's side of the filter: takes each notification and answers it. */
static void *supervise(void *arg)
{
    struct fault *f = arg;
    char byte = 0;
    char ctl[CMSG_SPACE(sizeof(int))];
    struct iovec io = {.iov_base = &byte, .iov_len = 1};
    struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl,
                       .msg_controllen = sizeof ctl};
    if (recvmsg(f->sock[0], &m, 0) != 1 || byte != 'F')
        return NULL;
    memcpy(&f->listener, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
    int failed = 0;
    bool held = false;
    while (!atomic_load(&f->stop)) {
        struct pollfd p = {.fd = f->listener, .events = POLLIN};
        int r = poll(&p, 1, 100);
        if (r <= 0)
            continue;
        if (p.revents & (POLLHUP | POLLERR))
            break; /* the server has gone */
        struct seccomp_notif n;
        memset(&n, 0, sizeof n);
        if (ioctl(f->listener, SECCOMP_IOCTL_NOTIF_RECV, &n) != 0)
            continue;
        if (f->nr == __NR_accept4 && failed < f->fail_first) {
            failed++;
            respond(f->listener, n.id, -ENOBUFS);
        } else if (f->nr == __NR_epoll_ctl && !held && is_park(&n)) {
            held = true;
            atomic_store(&f->held_id, n.id); /* answered by the test */
            if (write(f->held_pipe[1], "h", 1) != 1) {
            }
        } else {
            respond(f->listener, n.id, 0);
        }
    }
    return NULL;
}

static void fault_start(struct fault *f, int nr)
{
    memset(f, 0, sizeof *f);
    f->nr = nr;
    f->listener = -1;
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->sock), 0);
    cr_assert_eq(pipe(f->held_pipe), 0);
    cr_assert_eq(pthread_create(&f->th, NULL, supervise, f), 0);
}

static void fault_end(struct fault *f)
{
    atomic_store(&f->stop, true);
    pthread_join(f->th, NULL);
    close(f->sock[0]);
    close(f->sock[1]);
    close(f->held_pipe[0]);
    close(f->held_pipe[1]);
    if (f->listener >= 0)
        close(f->listener);
}

static void start(struct srv *s, struct fault *f, const char *exec)
{
    const char *args[] = {"--exec", exec, "--workers", "2", NULL};
    cr_assert_eq(srv_start_hook(s, "tasks", args, 0, install_filter, f), 0,
                 "the server did not start: '%s'", s->line);
    close(f->sock[1]); /* the child's end: closed, recvmsg sees the end if it never sent */
    f->sock[1] = -1;
}

/* h: accept4 fails with ENOBUFS three times; the accept loop must say so
 * and keep accepting. */
static void check_accept_retries(const char *exec)
{
    struct fault f;
    fault_start(&f, __NR_accept4);
    f.fail_first = 3;
    struct srv s;
    start(&s, &f, exec);
    char body[64];
    cr_expect_eq(httpc_once(s.port, "GET /hello HTTP/1.1\r\n\r\n", body, sizeof body), 200,
                 "no connection served after accept4 failed with ENOBUFS");
    int st = srv_stop(&s);
    fault_end(&f);
    cr_expect_eq(st, 0, "exit %d; stderr:\n%s", st, s.err);
    cr_expect(strstr(s.err, "No buffer space available") != NULL,
              "no log line for the failed accept4:\n%s", s.err);
}

Test(server_faults, accept_enobufs_retried_single, .timeout = 120) { check_accept_retries("single"); }
Test(server_faults, accept_enobufs_retried_sharded, .timeout = 120) { check_accept_retries("sharded"); }
Test(server_faults, accept_enobufs_retried_stealing, .timeout = 120) { check_accept_retries("stealing"); }

/* k: a connection is being parked when the stop comes; its epoll_ctl is
 * held until the parker has seen the stop, then fails. The parker must
 * not wait for a parked connection that never came: the server exits. */
Test(server_faults, stop_while_parking_ends_the_parker, .timeout = 120)
{
    struct fault f;
    fault_start(&f, __NR_epoll_ctl);
    struct srv s;
    start(&s, &f, "stealing");
    struct httpc *k = httpc_new(s.port);
    cr_assert_not_null(k);
    cr_assert_eq(httpc_sends(k, "GET /hello HTTP/1.1\r\n\r\n"), 0);
    struct pollfd p = {.fd = f.held_pipe[0], .events = POLLIN};
    cr_assert_eq(poll(&p, 1, 20000), 1, "the connection was never parked");
    kill(s.pid, SIGTERM);
    usleep(1000000); /* the other worker stops the server; the parker sees it */
    respond(f.listener, atomic_load(&f.held_id), -ENOMEM);
    int st = srv_stop(&s);
    httpc_free(k);
    fault_end(&f);
    cr_expect_eq(st, 0, "exit %d (-1: did not exit within 20 s of SIGTERM); stderr:\n%s", st,
                 s.err);
}

/* pair.c - the socket-pair baseline of the idle mode (see load.h).
 *
 * The kernel side of an idle connection is taken machine-wide, so it holds
 * both loopback sockets: the server's end and our client's end, which is
 * not the server's cost, and which every model pays alike. To say what the
 * model itself adds, the same run opens the same C connections to a null
 * server: a child of ours that answers each connection's first request
 * with the servers' own parser (bench/http.c) and then only holds it. Its
 * growth is the socket pair; a model's kernel side minus it is its own.
 */
#include "load.h"
#include "cli.h"
#include "http.h"
#include "netutil.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Answers the first request on fd and keeps it open (false: it closed). */
static bool answer_first(int fd)
{
    struct http_in in;
    struct http_req req;
    char out[HTTP_REPLY_MAX];
    bool ok = false;
    http_in_reset(&in);
    for (;;) {
        if (http_next(&in, &req)) {
            ok = net_write_all(write, fd, out, http_reply(&req, out)) == 0;
            break;
        }
        ssize_t r = read(fd, http_in_space(&in), http_in_room(&in));
        if (r <= 0 && !(r < 0 && errno == EINTR))
            break;
        if (r > 0)
            http_in_filled(&in, (size_t)r);
    }
    http_in_release(&in);
    return ok;
}

/* The null server's loop, one connection at a time, until it is killed. */
static _Noreturn void pair_child(int lfd)
{
    /* yl-load's handlers would take its server down: not ours to do. */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    for (;;) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            _exit(1);
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC); /* blocking: one at a time */
        if (fd < 0) {
            if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
                continue;
            _exit(1); /* EMFILE: the client sees its connections go unanswered */
        }
        if (!answer_first(fd))
            close(fd);
    }
}

int pair_start(struct pair_server *p, char *err, size_t errlen)
{
    int lfd = net_listen("127.0.0.1", 0, false);
    memset(&p->addr, 0, sizeof p->addr);
    p->addr.sin_family = AF_INET;
    p->addr.sin_port = htons((uint16_t)net_port(lfd));
    p->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    p->pid = cli_fork();
    if (p->pid == 0)
        pair_child(lfd);
    close(lfd); /* the child's now: it dies with it */
    if (p->pid < 0) {
        snprintf(err, errlen, "cannot fork the socket-pair server: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void pair_stop(struct pair_server *p)
{
    if (p->pid <= 0)
        return;
    kill(p->pid, SIGKILL);
    while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR) {
    }
    p->pid = 0;
}

int pair_kernel_bytes(uint64_t c, uint64_t settle_ms, double *bytes, char *err, size_t errlen)
{
    struct pair_server p;
    struct gen g;
    struct meminfo base, snap;
    if (pair_start(&p, err, errlen) != 0)
        return -1;
    int rc = -1;
    srv_sleep_ms(settle_ms); /* what the run before freed, freed by now */
    if (meminfo_read(&base) != 0 || gen_init(&g, &p.addr) != 0) {
        snprintf(err, errlen, "cannot read /proc/meminfo or set up epoll");
        pair_stop(&p);
        return -1;
    }
    char why[400];
    if (gen_open(&g, c, gen_open_timeout_s(c), why, sizeof why) != 0) {
        snprintf(err, errlen, "the socket pairs: %s", why);
    } else {
        srv_sleep_ms(settle_ms);
        if (meminfo_read(&snap) != 0) {
            snprintf(err, errlen, "cannot read /proc/meminfo");
        } else {
            *bytes = (double)meminfo_kernel_bytes(&snap) - (double)meminfo_kernel_bytes(&base);
            rc = 0;
        }
    }
    gen_close(&g);
    pair_stop(&p);
    return rc;
}

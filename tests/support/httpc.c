/* httpc.c - a server under test and a small HTTP client (see httpc.h). */
#include "support/httpc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support/run.h"

#define WAIT_MS 20000

static long long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int srv_start(struct srv *s, const char *model, const char *const args[], long nofile)
{
    return srv_start_hook(s, model, args, nofile, NULL, NULL);
}

int srv_start_variant(struct srv *s, const char *model, const char *flag, const char *variant,
                      const char *const extra[], long nofile)
{
    const char *args[28] = {flag, variant};
    int a = 2;
    for (int i = 0; extra && extra[i] && a < 27; i++)
        args[a++] = extra[i];
    args[a] = NULL;
    return srv_start(s, model, args, nofile);
}

int srv_start_hook(struct srv *s, const char *model, const char *const args[], long nofile,
                   void (*hook)(void *), void *arg)
{
    const char *argv[32] = {bin_path(0, model, "server"), "--port", "0"};
    int a = 3;
    for (int i = 0; args && args[i] && a < 31; i++)
        argv[a++] = args[i];
    argv[a] = NULL;
    memset(s, 0, sizeof *s);
    snprintf(s->err_path, sizeof s->err_path, "/tmp/yltest-srv-XXXXXX");
    int efd = mkstemp(s->err_path);
    int po[2];
    if (efd < 0 || pipe2(po, O_CLOEXEC) != 0)
        return -1;
    fflush(NULL);
    s->pid = fork();
    if (s->pid < 0)
        return -1;
    if (s->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (nofile > 0) {
            struct rlimit rl = {.rlim_cur = (rlim_t)nofile, .rlim_max = (rlim_t)nofile};
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(po[1], 1);
        dup2(efd, 2);
        if (hook)
            hook(arg);
        execv(argv[0], (char *const *)argv);
        dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(po[1]);
    close(efd);
    /* The first line, byte by byte: nothing after it is ours to read. */
    size_t n = 0;
    struct pollfd p = {.fd = po[0], .events = POLLIN};
    long long deadline = ms_now() + WAIT_MS;
    while (n + 1 < sizeof s->line && ms_now() < deadline) {
        if (poll(&p, 1, 100) <= 0)
            continue;
        char ch;
        if (read(po[0], &ch, 1) != 1)
            break;
        if (ch == '\n')
            break;
        s->line[n++] = ch;
    }
    s->line[n] = '\0';
    close(po[0]); /* a later write to stdout gets EPIPE, ignored by the server */
    const char *colon = strstr(s->line, "127.0.0.1:");
    if (strncmp(s->line, "listening on ", 13) != 0 || !colon) {
        srv_stop(s);
        return -1;
    }
    s->err[0] = '\0';
    s->port = atoi(colon + 10);
    return s->port > 0 ? 0 : -1;
}

int srv_stop(struct srv *s)
{
    return srv_signal(s, SIGTERM);
}

int srv_signal(struct srv *s, int sig)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, sig);
    int st = 0;
    long long deadline = ms_now() + WAIT_MS;
    pid_t r;
    while ((r = waitpid(s->pid, &st, WNOHANG)) == 0 && ms_now() < deadline)
        usleep(10000);
    int rc;
    if (r == 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &st, 0);
        rc = -1;
    } else {
        rc = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
    }
    s->pid = 0;
    FILE *f = fopen(s->err_path, "r");
    size_t n = f ? fread(s->err, 1, sizeof s->err - 1, f) : 0;
    s->err[n] = '\0';
    if (f)
        fclose(f);
    unlink(s->err_path);
    return rc;
}

int srv_children(const struct srv *s, pid_t *pids, int cap)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)s->pid, (int)s->pid);
    FILE *f = fopen(path, "r");
    int n = 0;
    if (!f)
        return 0;
    int p;
    while (n < cap && fscanf(f, "%d", &p) == 1)
        pids[n++] = p;
    fclose(f);
    return n;
}

int httpc_connect(struct httpc *c, int port)
{
    return httpc_adopt(c, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port);
}

int httpc_adopt(struct httpc *c, int fd, int port)
{
    c->len = 0;
    c->fd = fd;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (c->fd >= 0)
            close(c->fd);
        c->fd = -1;
        return -1;
    }
    struct timeval tv = {.tv_sec = WAIT_MS / 1000};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return 0;
}

int httpc_send(struct httpc *c, const char *s, size_t n)
{
    while (n) {
        ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

int httpc_sends(struct httpc *c, const char *s)
{
    return httpc_send(c, s, strlen(s));
}

/* Reads more into the buffer: 1, 0 at end of stream or reset, -2 on a
 * time-out. */
static int fill(struct httpc *c)
{
    if (c->len >= sizeof c->buf)
        return -3;
    ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
    if (n > 0) {
        c->len += (size_t)n;
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return -2;
    return 0;
}

int httpc_reply(struct httpc *c, char *body, size_t cap)
{
    char *end;
    for (;;) {
        end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (end)
            break;
        int r = fill(c);
        if (r <= 0)
            return r == 0 ? -1 : r;
    }
    size_t head = (size_t)(end + 4 - c->buf);
    int status;
    if (c->len < 12 || sscanf(c->buf, "HTTP/1.%*[01] %d", &status) != 1)
        return -3;
    long clen = -1;
    for (char *p = c->buf; p < end; p++) {
        if (p[0] == '\n' && strncasecmp(p + 1, "Content-Length:", 15) == 0) {
            clen = strtol(p + 16, NULL, 10);
            break;
        }
    }
    if (clen < 0)
        return -3;
    while (c->len < head + (size_t)clen) {
        int r = fill(c);
        if (r <= 0)
            return r == 0 ? -1 : r;
    }
    if (body && cap) {
        size_t n = (size_t)clen < cap - 1 ? (size_t)clen : cap - 1;
        memcpy(body, c->buf + head, n);
        body[n] = '\0';
    }
    size_t used = head + (size_t)clen;
    memmove(c->buf, c->buf + used, c->len - used);
    c->len -= used;
    return status;
}

bool httpc_closed(struct httpc *c)
{
    if (c->len)
        return false;
    char ch;
    ssize_t n = recv(c->fd, &ch, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

void httpc_close(struct httpc *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

int httpc_once(int port, const char *req, char *body, size_t cap)
{
    struct httpc *c = malloc(sizeof *c);
    if (!c || httpc_connect(c, port) != 0) {
        free(c);
        return -4;
    }
    int st = httpc_sends(c, req) == 0 ? httpc_reply(c, body, cap) : -1;
    httpc_close(c);
    free(c);
    return st;
}

struct httpc *httpc_new(int port)
{
    struct httpc *c = malloc(sizeof *c);
    if (c && httpc_connect(c, port) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

void httpc_free(struct httpc *c)
{
    httpc_close(c);
    free(c);
}

/* The length of the whole reply at p (n bytes), or 0 when not all of it
 * is there. */
static size_t reply_len(const char *p, size_t n)
{
    const char *end = memmem(p, n, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t head = (size_t)(end + 4 - p);
    long clen = 0;
    for (const char *q = p; q < end; q++)
        if (q[0] == '\n' && strncasecmp(q + 1, "Content-Length:", 15) == 0)
            clen = strtol(q + 16, NULL, 10);
    return head + (size_t)clen <= n ? head + (size_t)clen : 0;
}

int httpc_count_ready(struct httpc *c)
{
    ssize_t r;
    while (c->len < sizeof c->buf &&
           (r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, MSG_DONTWAIT)) > 0)
        c->len += (size_t)r;
    int n = 0;
    for (size_t off = 0, m; (m = reply_len(c->buf + off, c->len - off)) > 0; off += m)
        n++;
    return n;
}

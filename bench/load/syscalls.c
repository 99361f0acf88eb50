/* syscalls.c - system calls per keep-alive request, by kind. Method: one
 * keep-alive connection is opened and warmed up (so every first-use cost,
 * accept, a registration, a fork, is paid before), then `perf stat`
 * counts the kernel's syscall tracepoints (raw_syscalls:sys_enter for the
 * total, syscalls:sys_enter_KIND for the kinds below) in every thread of
 * every process of the server's tree, while the connection does n
 * requests one after another; perf is stopped (SIGINT) and its counts
 * divided by n. The counters are the kernel's own and the server never
 * stops for them, so it runs at its own speed. strace -c, which stops the
 * traced thread at every call, slows a server so much that the next
 * request is always there before it looks: the waits (EAGAIN, epoll)
 * vanish from the count (2.0 calls a request for the old tasks server,
 * which made 6 untraced).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "load.h"

/* One GET /hello and its whole reply (headers, then Content-Length bytes)
 * on the blocking socket fd; 0, or -1. */
static int one_request(int fd)
{
    static const char req[] = "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (write(fd, req, sizeof req - 1) != (ssize_t)(sizeof req - 1))
        return -1;
    char buf[4096];
    size_t have = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
        if (r <= 0)
            return -1;
        have += (size_t)r;
        buf[have] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (!end)
            continue;
        long len = 0;
        for (char *p = buf; p < end; p = strchr(p, '\n') + 1)
            if (strncasecmp(p, "content-length:", 15) == 0)
                len = strtol(p + 15, NULL, 10);
        if ((size_t)(end + 4 - buf) + (size_t)len <= have)
            return 0; /* one request at a time: nothing follows it */
    }
}

/* The kinds counted one by one (those this kernel has a tracepoint for);
 * the rest shows in the total. */
static const char *const kinds[] = {
    "read", "write", "readv", "writev", "recvfrom", "sendto", "recvmsg", "sendmsg",
    "epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "poll", "ppoll", "select",
    "pselect6", "accept", "accept4", "futex", "nanosleep", "clock_nanosleep", "sched_yield",
    "io_uring_enter", "getpid", "close", "clock_gettime", "gettimeofday", "tgkill", "rt_sigreturn",
    "madvise", "mmap", "munmap", "sendfile", "writev", "shutdown", NULL,
};

static bool have_tracepoint(const char *kind)
{
    char p[128];
    snprintf(p, sizeof p, "/sys/kernel/tracing/events/syscalls/sys_enter_%s", kind);
    return access(p, F_OK) == 0;
}

/* The events argument: the total, then each kind there is. */
static void events_arg(char *buf, size_t len)
{
    size_t k = (size_t)snprintf(buf, len, "raw_syscalls:sys_enter");
    for (int i = 0; kinds[i] && k < len; i++)
        if (have_tracepoint(kinds[i]) && !strstr(buf, kinds[i]))
            k += (size_t)snprintf(buf + k, len - k, ",syscalls:sys_enter_%s", kinds[i]);
}

/* perf stat -x, lines: "COUNT,UNIT,EVENT,..." ("<not counted>": 0). */
static size_t parse_counts(const char *path, struct sc_count *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    char line[512];
    while (f && fgets(line, sizeof line, f) && n < cap) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (line[0] == '#' || !c2)
            continue;
        char *ev = c2 + 1, *end = strchr(ev, ',');
        if (end)
            *end = '\0';
        const char *name = strncmp(ev, "syscalls:sys_enter_", 19) == 0 ? ev + 19
                           : strcmp(ev, "raw_syscalls:sys_enter") == 0 ? "total" : NULL;
        if (!name)
            continue;
        snprintf(out[n].name, sizeof out[n].name, "%s", name);
        out[n].calls = isdigit((unsigned char)line[0]) ? strtoull(line, NULL, 10) : 0;
        n++;
    }
    if (f)
        fclose(f);
    return n;
}

/* How many fds process pid has open (perf holds one per event and thread). */
static size_t open_fds(pid_t pid)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(p);
    size_t n = 0;
    while (d && readdir(d))
        n++;
    if (d)
        closedir(d);
    return n;
}

int syscalls_count(const struct server *s, uint64_t nreq, struct sc_count *out, size_t cap,
                   size_t *nout, char *err, size_t errlen)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (const struct sockaddr *)&s->addr, sizeof s->addr) != 0) {
        snprintf(err, errlen, "syscalls: cannot connect to the server: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    for (int i = 0; i < 100; i++) /* warm: the connection's first-use costs are paid */
        if (one_request(fd) != 0) {
            snprintf(err, errlen, "syscalls: the warm-up requests failed");
            close(fd);
            return -1;
        }
    char dir[] = "/tmp/yl-perf.XXXXXX", table[64], log[64];
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "syscalls: mkdtemp: %s", strerror(errno));
        close(fd);
        return -1;
    }
    snprintf(table, sizeof table, "%s/table", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    pid_t pids[256];
    size_t np = server_pids(s, pids, 256);
    static char events[4096], pidlist[256 * 12];
    events_arg(events, sizeof events);
    size_t nev = 1;
    for (const char *e = events; (e = strchr(e, ',')); e++)
        nev++;
    size_t k = 0;
    for (size_t i = 0; i < np && k < sizeof pidlist - 12; i++)
        k += (size_t)snprintf(pidlist + k, sizeof pidlist - k, "%s%d", i ? "," : "", (int)pids[i]);
    char *argv[] = {"perf", "stat", "-x,", "-o", table, "-e", events, "-p", pidlist, NULL};
    pid_t st = fork();
    if (st == 0) {
        int lf = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (lf >= 0)
            dup2(lf, 2);
        execvp("perf", argv);
        _exit(127);
    }
    int rc = -1;
    /* Counting (its counters open: an fd per event and thread) before the
     * first request; 10 s at most. */
    size_t was = 0, now = 0;
    for (int i = 0; st > 0 && i < 1000; i++) {
        if (waitpid(st, NULL, WNOHANG) == st) {
            st = 0;
            break;
        }
        now = open_fds(st);
        if (now >= nev && now == was)
            break; /* all open: the count stopped growing */
        was = now;
        nanosleep(&(struct timespec){0, 20000000}, NULL);
    }
    if (st <= 0 || now < nev) {
        snprintf(err, errlen, "syscalls: perf stat could not count the server's system calls "
                 "(apt-get install linux-perf; kernel.perf_event_paranoid, tracefs?)");
    } else {
        uint64_t i = 0;
        while (i < nreq && one_request(fd) == 0)
            i++;
        kill(st, SIGINT);
        waitpid(st, NULL, 0);
        st = 0;
        if (i < nreq)
            snprintf(err, errlen, "syscalls: request %llu of %llu failed",
                     (unsigned long long)i + 1, (unsigned long long)nreq);
        else if ((*nout = parse_counts(table, out, cap)) == 0)
            snprintf(err, errlen, "syscalls: perf stat wrote no counts");
        else
            rc = 0;
    }
    if (st > 0) {
        kill(st, SIGKILL);
        waitpid(st, NULL, 0);
    }
    close(fd);
    unlink(table), unlink(log), rmdir(dir);
    return rc;
}

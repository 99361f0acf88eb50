/* syscalls.c - system calls per keep-alive request, by kind. Method: one
 * keep-alive connection is opened and warmed up (so every first-use cost,
 * accept, a registration, a fork, is paid before), then `strace -c -f` is
 * attached to every process of the server's tree (-f takes every thread
 * too), the connection does n requests one after another, and strace is
 * detached (SIGINT), which writes its count table. The counts divided by
 * n are the calls per request: exact counts, not samples, for any server,
 * ours or a peer's, with no change to it (ptrace slows it meanwhile, which
 * changes how often an idle worker wakes, not what a request costs).
 */
#include <ctype.h>
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

/* Lines of "strace: Process N attached [with K threads]" strace has
 * written to path: one per process, once all its threads are. */
static size_t attached(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    char line[256];
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, " attached") != NULL;
    if (f)
        fclose(f);
    return n;
}

/* strace -c's table: "% time seconds usecs/call calls [errors] syscall". */
static size_t parse_table(const char *path, struct sc_count *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    char line[512];
    while (f && fgets(line, sizeof line, f) && n < cap) {
        char *w[8];
        int k = 0;
        for (char *t = strtok(line, " \t\n"); t && k < 8; t = strtok(NULL, " \t\n"))
            w[k++] = t;
        if ((k != 5 && k != 6) || !isdigit((unsigned char)w[0][0]) || strcmp(w[k - 1], "total") == 0)
            continue;
        snprintf(out[n].name, sizeof out[n].name, "%s", w[k - 1]);
        out[n].calls = strtoull(w[3], NULL, 10);
        n++;
    }
    if (f)
        fclose(f);
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
    char dir[] = "/tmp/yl-strace.XXXXXX", table[64], log[64];
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "syscalls: mkdtemp: %s", strerror(errno));
        close(fd);
        return -1;
    }
    snprintf(table, sizeof table, "%s/table", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    pid_t pids[256];
    size_t np = server_pids(s, pids, 256);
    size_t want = np;
    char *argv[8 + 2 * 256];
    char pidbuf[256][16];
    int k = 0;
    argv[k++] = "strace", argv[k++] = "-c", argv[k++] = "-f", argv[k++] = "-o", argv[k++] = table;
    for (size_t i = 0; i < np; i++) {
        snprintf(pidbuf[i], sizeof pidbuf[i], "%d", (int)pids[i]);
        argv[k++] = "-p", argv[k++] = pidbuf[i];
    }
    argv[k] = NULL;
    pid_t st = fork();
    if (st == 0) {
        int lf = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (lf >= 0)
            dup2(lf, 2);
        execvp("strace", argv);
        _exit(127);
    }
    int rc = -1;
    /* Attached to every thread (10 s at most) before the first request. */
    for (int i = 0; st > 0 && i < 1000 && attached(log) < want; i++) {
        if (waitpid(st, NULL, WNOHANG) == st) {
            st = 0;
            break;
        }
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    if (st <= 0 || attached(log) < want) {
        snprintf(err, errlen, "syscalls: strace could not attach to the server's %zu processes "
                 "(apt-get install strace; ptrace allowed?)", want);
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
        else if ((*nout = parse_table(table, out, cap)) == 0)
            snprintf(err, errlen, "syscalls: strace wrote no count table");
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

/* server.c - the server under test as a child of yl-load (see load.h).
 *
 * The server leads a process group of its own, so that one kill reaches
 * every process it made (procs forks per connection); it also dies with us
 * (PR_SET_PDEATHSIG, through cli_fork) and is given a --timeout of its own
 * by main.c: three independent ways for it not to outlive yl-load.
 */
#include "load.h"
#include "cli.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The group to kill from a signal handler; 0 when there is none. */
static volatile sig_atomic_t live_pgid;
static pthread_t drainer;
static bool drainer_running;

void server_kill_now(void)
{
    pid_t g = (pid_t)live_pgid;
    if (g > 0) {
        kill(-g, SIGKILL);
        /* Reaped before we exit: no zombie left for anyone to find. */
        while (waitpid(g, NULL, 0) < 0 && errno == EINTR) {
        }
        live_pgid = 0;
    }
}

/* Copies what the server writes on stdout after its first line to our
 * stderr, so that a chatty server never blocks on a full pipe. */
static void *drain(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[4096];
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (write(2, buf, (size_t)r) < 0) {
            /* stderr gone: keep draining anyway */
        }
    }
    return NULL;
}

/* Finds " key=" in line and copies its value (up to a blank) into out. */
static void line_field(const char *line, const char *key, char *out, size_t len)
{
    char pat[40];
    snprintf(pat, sizeof pat, " %s=", key);
    const char *p = strstr(line, pat);
    out[0] = '\0';
    if (!p)
        return;
    p += strlen(pat);
    size_t k = strcspn(p, " \t\r\n");
    if (k >= len)
        k = len - 1;
    memcpy(out, p, k);
    out[k] = '\0';
}

/* Parses the listening line; 0, or -1 when it is not one. */
static int parse_line(struct server *s, const char *line)
{
    unsigned a, b, c, d, port;
    if (sscanf(line, "listening on %u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5 || port == 0 ||
        port > 65535 || a > 255 || b > 255 || c > 255 || d > 255)
        return -1;
    s->port = (uint16_t)port;
    memset(&s->addr, 0, sizeof s->addr);
    s->addr.sin_family = AF_INET;
    s->addr.sin_port = htons(s->port);
    s->addr.sin_addr.s_addr = htonl((a << 24) | (b << 16) | (c << 8) | d);
    line_field(line, "model", s->model, sizeof s->model);
    line_field(line, "variant", s->variant, sizeof s->variant);
    if (!s->variant[0])
        line_field(line, "exec", s->variant, sizeof s->variant);
    line_field(line, "workers", s->workers, sizeof s->workers);
    return s->model[0] && s->variant[0] ? 0 : -1;
}

/* Waits for the child after it failed us, and says how it ended. */
static void reap_failed(pid_t pid, char *how, size_t len)
{
    int st = 0;
    kill(-pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    live_pgid = 0;
    if (WIFEXITED(st))
        snprintf(how, len, "exit status %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(how, len, "killed by %s", strsignal(WTERMSIG(st)));
    else
        snprintf(how, len, "status %d", st);
}

int server_start(struct server *s, const char *path, char *const args[],
                 const struct cpu_list *cpus, unsigned start_s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (access(path, X_OK) != 0) {
        snprintf(err, errlen, "server %s: %s (build it with make)", path, strerror(errno));
        return -1;
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe for the server's stdout: %s", strerror(errno));
        return -1;
    }
    pid_t pid = cli_fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork of the server: %s", strerror(errno));
        close(p[0]), close(p[1]);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(p[1], 1);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        signal(SIGPIPE, SIG_DFL);
        if (cpus && cpus->n)
            cpus_pin_self(cpus);
        execv(path, args);
        dprintf(2, "%s: exec %s: %s\n", cli_prog, path, strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* both sides, so no kill can come before it holds */
    live_pgid = pid;
    close(p[1]);

    /* The first line, within start_s seconds. */
    char line[512];
    size_t len = 0;
    uint64_t deadline = now_ns() + (uint64_t)start_s * 1000000000ull;
    bool eof = false;
    while (len < sizeof line - 1 && !memchr(line, '\n', len)) {
        uint64_t t = now_ns();
        if (t >= deadline)
            break;
        struct pollfd pfd = {.fd = p[0], .events = POLLIN};
        int r = poll(&pfd, 1, (int)((deadline - t) / 1000000 + 1));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        ssize_t k = read(p[0], line + len, sizeof line - 1 - len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            eof = true;
            break;
        }
        len += (size_t)k;
    }
    line[len] = '\0';
    char *nl = strchr(line, '\n');
    if (nl)
        *nl = '\0';
    char how[64];
    if (!nl) {
        reap_failed(pid, how, sizeof how);
        close(p[0]);
        if (eof)
            snprintf(err, errlen, "server %s did not start: it ended (%s) before printing its listening line",
                     path, how);
        else
            snprintf(err, errlen, "server %s did not print its listening line within %u s", path, start_s);
        return -1;
    }
    if (parse_line(s, line) != 0) {
        reap_failed(pid, how, sizeof how);
        close(p[0]);
        snprintf(err, errlen, "server %s: its first line is not 'listening on ADDR:PORT model=M variant=V': '%.200s'",
                 path, line);
        return -1;
    }
    s->pid = pid;
    s->out_fd = p[0];
    /* Anything after the line already read goes the drainer's way too. */
    if (nl + 1 < line + len && write(2, nl + 1, (size_t)(line + len - nl - 1)) < 0) {
        /* stderr gone */
    }
    drainer_running = pthread_create(&drainer, NULL, drain, (void *)(intptr_t)p[0]) == 0;
    return 0;
}

int server_stop(struct server *s, unsigned grace_s, char *err, size_t errlen)
{
    if (s->pid <= 0)
        return 0;
    int rc = 0, st = 0;
    kill(s->pid, SIGTERM);
    uint64_t deadline = now_ns() + (uint64_t)grace_s * 1000000000ull;
    pid_t w;
    while ((w = waitpid(s->pid, &st, WNOHANG)) == 0 && now_ns() < deadline)
        usleep(10000);
    if (w == 0) {
        kill(-s->pid, SIGKILL);
        while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR) {
        }
        snprintf(err, errlen, "the server did not exit within %u s of SIGTERM: killed", grace_s);
        rc = -1;
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        if (WIFSIGNALED(st))
            snprintf(err, errlen, "the server died of %s on SIGTERM", strsignal(WTERMSIG(st)));
        else
            snprintf(err, errlen, "the server exited with status %d on SIGTERM", WEXITSTATUS(st));
        rc = -1;
    }
    /* Processes it left in its group (a fork per connection not reaped)
     * are a defect of the server: say so, and do not let them live. */
    if (kill(-s->pid, 0) == 0) {
        kill(-s->pid, SIGKILL);
        if (rc == 0)
            snprintf(err, errlen, "the server exited but left processes of its group behind: killed");
        rc = -1;
    }
    live_pgid = 0;
    if (drainer_running) {
        pthread_join(drainer, NULL); /* EOF: every writer of the pipe is gone */
        drainer_running = false;
    }
    close(s->out_fd);
    s->pid = 0;
    return rc;
}

/* The start of /proc/PID/NAME into buf, NUL-terminated; false when the
 * process is gone. */
static bool proc_text(pid_t pid, const char *name, char *buf, size_t len)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    return true;
}

/* ppid of pid from /proc/PID/stat, or -1. */
static pid_t parent_of(pid_t pid)
{
    char buf[512];
    if (!proc_text(pid, "stat", buf, sizeof buf))
        return -1;
    /* The name is in parentheses and may hold blanks: start after the last ')'. */
    char *p = strrchr(buf, ')');
    int ppid;
    if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
        return -1;
    return ppid;
}

size_t server_pids(const struct server *s, pid_t *pids, size_t cap)
{
    if (cap == 0 || s->pid <= 0)
        return 0;
    /* Every process with its parent, then the tree grown from the server
     * by passes over that list (a deeper tree takes more passes). */
    size_t np = 0, pcap = 1024;
    pid_t (*all)[2] = malloc(pcap * sizeof *all);
    DIR *d = opendir("/proc");
    if (!all || !d) {
        free(all);
        if (d)
            closedir(d);
        pids[0] = s->pid;
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long v = strtol(e->d_name, &end, 10);
        if (*end || v <= 0)
            continue;
        pid_t pp = parent_of((pid_t)v);
        if (pp < 0)
            continue;
        if (np == pcap) {
            pid_t (*more)[2] = realloc(all, 2 * pcap * sizeof *all);
            if (!more)
                break;
            all = more, pcap *= 2;
        }
        all[np][0] = (pid_t)v, all[np][1] = pp;
        np++;
    }
    closedir(d);
    size_t n = 0;
    pids[n++] = s->pid;
    for (size_t grown = 1; grown;) {
        grown = 0;
        for (size_t i = 0; i < np && n < cap; i++) {
            if (all[i][0] == 0)
                continue;
            for (size_t j = 0; j < n; j++)
                if (all[i][1] == pids[j]) {
                    pids[n++] = all[i][0];
                    all[i][0] = 0;
                    grown++;
                    break;
                }
        }
    }
    free(all);
    return n;
}

/* Threads: in /proc/PID/status, or 0. */
static uint64_t threads_of(pid_t pid)
{
    char buf[4096];
    if (!proc_text(pid, "status", buf, sizeof buf))
        return 0;
    const char *p = strstr(buf, "\nThreads:");
    return p ? strtoull(p + 9, NULL, 10) : 0;
}

int server_mem(const struct server *s, struct server_mem *m)
{
    enum { CAP = 65536 };
    pid_t *pids = calloc(CAP, sizeof *pids);
    if (!pids)
        return -1;
    size_t n = server_pids(s, pids, CAP);
    struct rollup r = mem_rollup_sum(pids, n, NULL);
    m->user = r.pss_anon;
    m->threads = 0;
    for (size_t i = 0; i < n; i++)
        m->threads += threads_of(pids[i]);
    free(pids);
    struct meminfo mi;
    if (meminfo_read(&mi) != 0)
        return -1;
    m->kernel = meminfo_kernel_bytes(&mi);
    return 0;
}

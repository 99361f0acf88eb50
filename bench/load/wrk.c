/* wrk.c - wrk (Debian's wrk 4.1) as the client for throughput and latency
 * of /hello: run as a child with a time bound, its report parsed.
 */
#include "load.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *wrk_find(const char *prog, char *buf, size_t len)
{
    if (strchr(prog, '/')) {
        snprintf(buf, len, "%s", prog);
        return access(buf, X_OK) == 0 ? buf : NULL;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    while (*path) {
        size_t k = strcspn(path, ":");
        snprintf(buf, len, "%.*s/%s", (int)k, path, prog);
        if (k && access(buf, X_OK) == 0)
            return buf;
        path += k + (path[k] == ':');
    }
    return NULL;
}

/* Runs argv (argv[0] a path) pinned to client, stdout and stderr into out
 * (NUL-terminated, cut at len); killed after limit_s. Returns the exit
 * status, or -1 (killed or not started) with err set. */
static int capture(char *const argv[], const struct cpu_list *client, unsigned limit_s, char *out,
                   size_t len, char *err, size_t errlen)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = cli_fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork of %s: %s", argv[0], strerror(errno));
        close(p[0]), close(p[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        signal(SIGPIPE, SIG_DFL);
        if (client && client->n)
            cpus_pin_self(client);
        execv(argv[0], argv);
        dprintf(1, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    size_t n = 0;
    uint64_t deadline = now_ns() + (uint64_t)limit_s * 1000000000ull;
    bool late = false;
    for (;;) {
        uint64_t t = now_ns();
        if (t >= deadline) {
            late = true;
            kill(pid, SIGKILL);
            break;
        }
        struct pollfd pfd = {.fd = p[0], .events = POLLIN};
        int r = poll(&pfd, 1, (int)((deadline - t) / 1000000 + 1));
        if (r <= 0)
            continue;
        char tmp[4096];
        ssize_t k = read(p[0], tmp, sizeof tmp);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        size_t take = (size_t)k < len - 1 - n ? (size_t)k : len - 1 - n;
        memcpy(out + n, tmp, take);
        n += take;
    }
    out[n] = '\0';
    close(p[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (late) {
        snprintf(err, errlen, "%s ran past its %u s bound: killed", argv[0], limit_s);
        return -1;
    }
    if (!WIFEXITED(st)) {
        snprintf(err, errlen, "%s died of %s", argv[0], strsignal(WTERMSIG(st)));
        return -1;
    }
    return WEXITSTATUS(st);
}

void wrk_version(const char *wrk, char *buf, size_t len)
{
    char out[4096], err[256];
    char *argv[] = {(char *)wrk, "-v", NULL};
    snprintf(buf, len, "?");
    if (capture(argv, NULL, 10, out, sizeof out, err, sizeof err) < 0)
        return;
    /* "wrk debian/4.1.0-3+b2 [epoll] Copyright ...": the first two words. */
    char a[64], b[64];
    if (strncmp(out, "wrk ", 4) == 0 && sscanf(out, "%63s %63s", a, b) == 2)
        snprintf(buf, len, "%s %s", a, b);
}

/* "123.45us" / "1.2ms" / "3.00s" / "1.5m" in ms; NAN-free: -1 when bad. */
static double time_ms(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s)
        return -1;
    if (strncmp(end, "us", 2) == 0)
        return v / 1000;
    if (strncmp(end, "ms", 2) == 0)
        return v;
    if (*end == 's')
        return v * 1000;
    if (*end == 'm')
        return v * 60000;
    if (*end == 'h')
        return v * 3600000;
    return -1;
}

int wrk_parse(const char *text, struct wrk_result *r)
{
    memset(r, 0, sizeof *r);
    r->req_per_s = r->p50_ms = r->p99_ms = -1;
    r->p75_ms = r->p90_ms = -1;
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        while (*line == ' ' || *line == '\t')
            line++;
        unsigned long long a, b, c, d;
        int pct;
        char val[64];
        if (sscanf(line, "Requests/sec: %lf", &r->req_per_s) == 1)
            continue;
        int used = 0; /* sscanf counts conversions, not the literal after them */
        if (sscanf(line, "%llu requests in%n", &a, &used) == 1 && used) {
            r->requests = a;
            continue;
        }
        if (sscanf(line, "Socket errors: connect %llu, read %llu, write %llu, timeout %llu", &a, &b, &c,
                   &d) == 4) {
            r->errors += a + b + c + d;
            continue;
        }
        if (sscanf(line, "Non-2xx or 3xx responses: %llu", &a) == 1) {
            r->errors += a;
            continue;
        }
        if (sscanf(line, "%d%% %63s", &pct, val) == 2) {
            double ms = time_ms(val);
            if (pct == 50)
                r->p50_ms = ms;
            else if (pct == 75)
                r->p75_ms = ms;
            else if (pct == 90)
                r->p90_ms = ms;
            else if (pct == 99)
                r->p99_ms = ms;
        }
    }
    return r->req_per_s >= 0 && r->p50_ms >= 0 && r->p99_ms >= 0 ? 0 : -1;
}

int wrk_run(const char *wrk, const char *url, unsigned threads, unsigned conns, unsigned dur_s,
            unsigned slack_s, const struct cpu_list *client, struct wrk_result *r, char *err,
            size_t errlen)
{
    char t[16], c[16], d[16];
    snprintf(t, sizeof t, "%u", threads);
    snprintf(c, sizeof c, "%u", conns);
    snprintf(d, sizeof d, "%us", dur_s);
    char *argv[] = {(char *)wrk, "-t", t, "-c", c, "-d", d, "--latency", (char *)url, NULL};
    static char out[65536];
    int st = capture(argv, client, dur_s + slack_s, out, sizeof out, err, errlen);
    if (st < 0)
        return -1;
    if (st != 0 || wrk_parse(out, r) != 0) {
        const char *last = out;
        for (const char *p = out; *p; p++)
            if (*p == '\n' && p[1])
                last = p + 1;
        snprintf(err, errlen, "wrk -c %u %s (exit %d): %.*s", conns, st ? "failed" : "printed no report",
                 st, (int)strcspn(last, "\n"), last);
        return -1;
    }
    return 0;
}

/* runner.c - one run of one command: fork, exec, capture, time out.
 *
 * The child gets its own process group so that a timeout (or ^C on the
 * driver) kills everything the experiment started, grandchildren included,
 * and nothing left over disturbs the next measurement.
 */
#include "driver.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Largest stdout kept: a CSV run prints a few kilobytes. */
#define OUT_MAX (64u << 20)

static volatile sig_atomic_t current_pgid;

void run_kill_current(void)
{
    pid_t g = current_pgid;
    if (g > 0)
        kill(-g, SIGKILL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The child side: never returns. */
static _Noreturn void child(char *const argv[], int out_fd)
{
    setpgid(0, 0);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) {
        dup2(null, 0);
        if (null != 0)
            close(null);
    }
    dup2(out_fd, 1);
    if (out_fd != 1)
        close(out_fd);
    /* The driver's handlers must not run in the experiment. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    execv(argv[0], argv);
    int e = errno;
    char msg[512];
    int n = snprintf(msg, sizeof msg, "yl-bench: cannot run %s: %s\n", argv[0], strerror(e));
    if (n > 0 && write(2, msg, (size_t)n) < 0) {
        /* nothing left to tell */
    }
    _exit(127);
}

/* Appends up to what read returns to r->out; false at EOF or error. */
static bool drain(int fd, struct run_result *r, size_t *cap)
{
    if (r->out_len + 65536 + 1 > *cap && *cap < OUT_MAX) {
        size_t ncap = *cap ? 2 * *cap : 65536 * 2;
        char *n = realloc(r->out, ncap);
        if (n) {
            r->out = n;
            *cap = ncap;
        }
    }
    char sink[4096];
    bool keep = r->out_len + 4096 + 1 <= *cap;
    ssize_t got = keep ? read(fd, r->out + r->out_len, *cap - r->out_len - 1)
                       : read(fd, sink, sizeof sink); /* over the cap: drop */
    if (got < 0)
        return errno == EINTR || errno == EAGAIN;
    if (got == 0)
        return false;
    if (keep)
        r->out_len += (size_t)got;
    return true;
}

/* Waits for pid until deadline; true if reaped (status in *st). */
static bool reap_until(pid_t pid, double deadline, int *st)
{
    long sleep_ns = 200000;
    for (;;) {
        pid_t w = waitpid(pid, st, WNOHANG);
        if (w == pid)
            return true;
        if (w < 0 && errno != EINTR)
            return true; /* already gone: nothing to wait for */
        if (now_s() >= deadline)
            return false;
        struct timespec ts = {0, sleep_ns};
        nanosleep(&ts, NULL);
        if (sleep_ns < 20000000)
            sleep_ns *= 2;
    }
}

int run_command(char *const argv[], unsigned timeout_s, struct run_result *r)
{
    memset(r, 0, sizeof *r);
    r->status = -1;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    double deadline = now_s() + timeout_s;
    pid_t pid = cli_fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        child(argv, p[1]);
    }
    setpgid(pid, pid); /* also here: no window where a kill misses it */
    current_pgid = pid;
    close(p[1]);

    size_t cap = 0;
    int st = 0;
    bool open_out = true, reaped = false;
    while (open_out) {
        double left = deadline - now_s();
        if (left <= 0) {
            r->timed_out = true;
            break;
        }
        /* Wake up now and then: a grandchild that kept our pipe open must
         * not hold the run once the command itself has exited. */
        int wait_ms = left < 0.1 ? (int)(left * 1000) + 1 : 100;
        struct pollfd pfd = {.fd = p[0], .events = POLLIN};
        int n = poll(&pfd, 1, wait_ms);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0)
            open_out = drain(p[0], r, &cap);
        else if (n == 0 && !reaped && waitpid(pid, &st, WNOHANG) == pid) {
            reaped = true;
            kill(-pid, SIGKILL); /* the stray holders of the pipe */
        }
    }
    close(p[0]);

    if (!r->timed_out && !reaped && !reap_until(pid, deadline, &st))
        r->timed_out = true;
    /* Whatever is left of the group goes, finished or not: a stray child
     * would steal CPU from the next run. */
    kill(-pid, SIGKILL);
    if (r->timed_out && !reaped) {
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
    }
    current_pgid = 0;
    if (WIFEXITED(st))
        r->status = WEXITSTATUS(st);
    else if (WIFSIGNALED(st))
        r->status = 128 + WTERMSIG(st);
    if (!r->out && !(r->out = malloc(1))) {
        r->out_len = 0;
        return 0; /* status is still meaningful; callers check out */
    }
    r->out[r->out_len] = '\0';
    return 0;
}

/* cli.c - shared flag parsing, messages and process hygiene (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

const char *cli_prog = "yieldlab";
static unsigned timeout_sec;

/* --preempt-us, which every program takes (cli_parse). */
static const char preempt_usage[] =
    "  --preempt-us Q  tasks: preempt a unit that runs longer than Q µs (0: never,\n"
    "                the default; sets YL_PREEMPT_US); threads and procs: ignored,\n"
    "                the kernel preempts them on its own tick\n";

void cli_init(int argc, char **argv, const char *usage)
{
    if (argc > 0 && argv[0]) {
        const char *slash = strrchr(argv[0], '/');
        cli_prog = slash ? slash + 1 : argv[0];
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            fputs(preempt_usage, stdout);
            exit(0);
        }
    }
}

static void vsay(const char *fmt, va_list ap)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "%s: ", cli_prog);
    if (n < 0)
        n = 0;
    vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    size_t len = strlen(buf);
    if (len + 1 < sizeof buf)
        buf[len++] = '\n';
    /* One write: stderr lines from many units stay whole. */
    if (write(2, buf, len) < 0) {
        /* nothing sensible left to report to */
    }
}

void cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
    exit(2);
}

void cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
    exit(1);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
}

uint64_t cli_u64(const char *flag, const char *val, uint64_t min, uint64_t max)
{
    if (!val)
        cli_usage_error("%s: needs a value", flag);
    char *end;
    errno = 0;
    /* strtoull accepts "-1" (it wraps): refuse any sign up front. */
    if (*val == '\0' || *val == '-' || *val == '+' || *val == ' ')
        cli_usage_error("%s: expected a whole number, got '%s'", flag, val);
    unsigned long long v = strtoull(val, &end, 10);
    if (errno || *end != '\0')
        cli_usage_error("%s: expected a whole number, got '%s'", flag, val);
    if (v < min || v > max)
        cli_usage_error("%s: %llu is out of range [%llu, %llu]", flag, v,
                        (unsigned long long)min, (unsigned long long)max);
    return v;
}

int cli_choice(const char *flag, const char *val, const char *const *choices)
{
    if (!val)
        cli_usage_error("%s: needs a value", flag);
    char list[256] = "";
    for (int i = 0; choices[i]; i++) {
        if (strcmp(val, choices[i]) == 0)
            return i;
        if (i)
            strncat(list, "|", sizeof list - strlen(list) - 1);
        strncat(list, choices[i], sizeof list - strlen(list) - 1);
    }
    cli_usage_error("%s: '%s' is not one of %s", flag, val, list);
}

static void parse_one(const struct cli_opt *o, const char *val)
{
    switch (o->kind) {
    case CLI_U64:
        *(uint64_t *)o->dst = cli_u64(o->name, val, o->min, o->max);
        break;
    case CLI_STR:
        if (!val || !*val)
            cli_usage_error("%s: needs a value", o->name);
        *(const char **)o->dst = val;
        break;
    case CLI_CHOICE:
        *(int *)o->dst = cli_choice(o->name, val, o->choices);
        break;
    case CLI_BOOL:
        *(bool *)o->dst = true;
        break;
    }
}

void cli_parse(int argc, char **argv, const struct cli_opt *opts, unsigned default_timeout)
{
    uint64_t timeout = default_timeout;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--timeout") == 0) {
            timeout = cli_u64(a, v, 0, 7 * 86400);
            i++;
            continue;
        }
        if (strcmp(a, "--preempt-us") == 0) {
            /* libyl reads the quantum from the environment (yl_config_from_env),
             * so the flag reaches every yl_run of the program, children too;
             * 10 s is libyl's own limit (YL_PREEMPT_MAX_US). */
            uint64_t q = cli_u64(a, v, 0, 10000000);
            char buf[24];
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)q);
            setenv("YL_PREEMPT_US", buf, 1);
            i++;
            continue;
        }
        const struct cli_opt *o = opts;
        while (o->name && strcmp(o->name, a) != 0)
            o++;
        if (!o->name)
            cli_usage_error("unknown argument '%s' (try --help)", a);
        parse_one(o, v);
        if (o->kind != CLI_BOOL)
            i++;
    }
    cli_timeout((unsigned)timeout);
}

static void on_alarm(int sig)
{
    (void)sig;
    char msg[128];
    int n = snprintf(msg, sizeof msg, "%s: timed out after %u s\n", cli_prog, timeout_sec);
    if (n > 0 && write(2, msg, (size_t)n) < 0) {
        /* exiting anyway */
    }
    _exit(124); /* children made by cli_fork get SIGKILL from the kernel */
}

void cli_timeout(unsigned sec)
{
    if (!sec)
        return;
    timeout_sec = sec;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarm(sec);
}

void cli_say(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof buf - 1 ? (size_t)n : sizeof buf - 2;
    buf[len++] = '\n';
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(1, buf + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        off += (size_t)w;
    }
}

pid_t cli_fork(void)
{
    /* Anything still in stdio buffers would be written twice: once by the
     * parent and once by the child. */
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* Die with the parent: a killed or crashed experiment leaves no
         * orphans behind. The check closes the race where the parent died
         * before prctl ran. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        alarm(0); /* the watchdog is the parent's */
    }
    return pid;
}

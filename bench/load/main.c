/* yl-load - loads one of the three HTTP servers over loopback and
 * measures it: throughput and latency of /hello through wrk, memory per
 * idle keep-alive connection, the light requests' latency under a heavy
 * mix, and a load of /sleep (see load.h for the parts).
 *
 * The server is our child, in a process group of its own: it is stopped
 * with SIGTERM at the end and killed, group and all, on every other path
 * (an error, --timeout, SIGINT/SIGTERM to yl-load).
 */
#include "load.h"
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: yl-load --server PATH [--server-args \"ARGS\"] [--mode hello|idle|mix|sleep|syscalls]\n"
    "               [--conns LIST] [--duration S] [--cpus LIST] [--client-cpus LIST] [--csv]\n"
    "Starts the server PATH (relative to the bin folder, e.g. tasks/server) with\n"
    "--port 0 and ARGS, loads it over 127.0.0.1, prints rows of experiment\n"
    "'server' (model and variant from the server's listening line), stops it.\n"
    "  --mode hello       GET /hello through wrk -c C for S s, per C: req_per_s,\n"
    "                     lat_p50_ms, lat_p90_ms, lat_p99_ms, errors\n"
    "  --mode idle        a fresh server per C; our client opens C keep-alive\n"
    "                     connections, one /hello on each, holds them idle and\n"
    "                     snapshots the server: conns, user_bytes, kernel_bytes,\n"
    "                     server_threads per C, then the slopes user_bytes_per_conn,\n"
    "                     kernel_bytes_per_conn (n = the largest C); then the same C\n"
    "                     to a null server of its own: pair_kernel_bytes (the two\n"
    "                     socket ends), pair_ and own_kernel_bytes_per_conn (kernel\n"
    "                     side minus the pair: what the model adds)\n"
    "  --mode mix         our closed loop on C connections: /hello, and one request\n"
    "                     in --heavy-every is /work?us=--heavy-us: light_p50_ms,\n"
    "                     light_p99_ms (light requests only), heavy_p99_ms, mix_req_per_s\n"
    "  --mode sleep       our closed loop of /sleep?ms=K on C connections, memory\n"
    "                     halfway: sleep_req_per_s, sleep_p50_ms, sleep_p99_ms,\n"
    "                     sleep_user_bytes_per_conn, sleep_kernel_bytes_per_conn\n"
    "  --mode syscalls    perf stat counts the server tree's system calls while one\n"
    "                     warm keep-alive connection does C requests: syscalls_per_req,\n"
    "                     syscalls_per_req_KIND (read, write, epoll_ctl, ...; _other)\n"
    "  --conns LIST       connection counts (default 1,10,100; idle 100,1000;\n"
    "                     mix 16; sleep 1000)\n"
    "  --duration S       seconds of load per C (default 2)\n"
    "  --heavy-every N    mix: one request in N is heavy (default 50)\n"
    "  --heavy-us U       mix: CPU work of a heavy request (default 20000)\n"
    "  --rate R           mix: R requests/s in all, paced, latency counted from\n"
    "                     when each request was due (default 0: closed loop)\n"
    "  --sleep-ms K       sleep: the timer of each request (default 10)\n"
    "  --settle-ms M      idle: rest before the snapshot (default 300)\n"
    "  --mem-cap-mb M     idle: skip a C whose memory, at the last C's bytes per\n"
    "                     connection, would pass M MiB (a limit_mem_conns row; 0: none)\n"
    "  --cpus LIST        passed to the server as --cpus; the client (and wrk)\n"
    "                     runs on the same CPUs unless --client-cpus says otherwise\n"
    "  --client-cpus LIST pin the client and wrk here\n"
    "  --wrk PATH         the wrk to run (default: wrk from $PATH)\n"
    "  --bin DIR          where PATH is looked up (default: yl-load's folder)\n"
    "  --csv              CSV rows on stdout, summary on stderr\n"
    "  --timeout S        give up after S seconds, server and all (default 120)\n"
    "RLIMIT_NOFILE is raised to its hard limit (as root: to fs.nr_open) for yl-load\n"
    "and the server;\n"
    "a C the limit cannot hold stops the sweep with a line naming it.\n";

enum mode { M_HELLO, M_IDLE, M_MIX, M_SLEEP, M_SYSCALLS };
static const char *const mode_names[] = {"hello", "idle", "mix", "sleep", "syscalls", NULL};

struct opts {
    const char *server, *server_args, *wrk, *bin, *cpus_s, *client_s;
    int mode;
    uint64_t conns[SWEEP_MAX];
    size_t nconns;
    uint64_t duration, heavy_every, heavy_us, rate, sleep_ms, settle_ms, mem_cap_mb;
    struct cpu_list cpus, client;
    unsigned timeout;
};

static struct opts o;
static char server_path[8200];
static char *server_argv[128];
static struct csv_key key = {.experiment = "server"};
/* Where the server starts: --cpus, or every CPU yl-load could use before
 * it pinned itself (the server must not inherit the client's CPUs). */
static struct cpu_list server_cpus;

static void on_fatal_signal(int sig)
{
    server_kill_now();
    if (sig == SIGALRM) {
        char msg[128];
        int n = snprintf(msg, sizeof msg, "%s: timed out after %u s: the server was killed\n", cli_prog,
                         o.timeout);
        if (n > 0 && write(2, msg, (size_t)n) < 0) {
            /* exiting anyway */
        }
        _exit(124);
    }
    _exit(128 + sig);
}

/* After cli_parse armed the watchdog: the same alarm, but our handler,
 * which takes the server's whole process group down first. */
static void arm_signals(void)
{
    unsigned left = alarm(0);
    o.timeout = left;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a server that closes on us is an error, not a death */
    if (left)
        alarm(left);
}

/* Prints one line, stops the server if there is one, exits 1. */
static _Noreturn void fail_with(struct server *s, const char *msg)
{
    char err[256];
    cli_warn("%s", msg);
    if (s && s->pid > 0 && server_stop(s, 3, err, sizeof err) != 0)
        cli_warn("%s", err);
    exit(1);
}

/* The soft RLIMIT_NOFILE up to the hard one: both ends of C connections
 * are on this machine, C in yl-load and C in the server. Returns the limit. */
static uint64_t raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    /* C100K needs more than a usual hard limit: with the privilege to
     * (CAP_SYS_RESOURCE), the hard limit goes up to fs.nr_open first. */
    FILE *f = fopen("/proc/sys/fs/nr_open", "r");
    unsigned long long nr_open = 0;
    if (f && fscanf(f, "%llu", &nr_open) == 1 && nr_open > rl.rlim_max) {
        struct rlimit up = {.rlim_cur = (rlim_t)nr_open, .rlim_max = (rlim_t)nr_open};
        if (setrlimit(RLIMIT_NOFILE, &up) == 0) {
            csv_note("RLIMIT_NOFILE raised from %llu to %llu (fs.nr_open), for yl-load and the server",
                     (unsigned long long)rl.rlim_cur, nr_open);
            rl = up;
        }
    }
    if (f)
        fclose(f);
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t was = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
            csv_note("RLIMIT_NOFILE raised from %llu to %llu (the hard limit), for yl-load and the server",
                     (unsigned long long)was, (unsigned long long)rl.rlim_max);
        else
            rl.rlim_cur = was;
    } else {
        csv_note("RLIMIT_NOFILE is %llu (already the hard limit), for yl-load and the server",
                 (unsigned long long)rl.rlim_cur);
    }
    return rl.rlim_cur;
}

/* server_argv: PATH --port 0 [--timeout T] [--cpus LIST] ARGS... */
static void build_server_argv(void)
{
    const char *bin = o.bin;
    char self[4096];
    if (!bin) {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0)
            cli_fail("cannot find yl-load's own folder: %s", strerror(errno));
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        *slash = '\0';
        bin = self;
    }
    if (o.server[0] == '/')
        snprintf(server_path, sizeof server_path, "%s", o.server);
    else
        snprintf(server_path, sizeof server_path, "%s/%s", bin, o.server);
    size_t k = 0;
    server_argv[k++] = server_path;
    server_argv[k++] = "--port";
    server_argv[k++] = "0";
    static char tmo[16];
    if (o.timeout) {
        /* The server's own bound, a little longer than ours: if we were
         * gone without a word, it still ends. */
        snprintf(tmo, sizeof tmo, "%u", o.timeout + 10);
        server_argv[k++] = "--timeout";
        server_argv[k++] = tmo;
    }
    if (o.cpus_s) {
        server_argv[k++] = "--cpus";
        server_argv[k++] = (char *)o.cpus_s;
    }
    if (o.server_args) {
        char *copy = strdup(o.server_args);
        for (char *tok = strtok(copy, " \t"); tok; tok = strtok(NULL, " \t")) {
            if (k + 1 >= sizeof server_argv / sizeof server_argv[0])
                cli_usage_error("--server-args: too many words");
            server_argv[k++] = tok;
        }
    }
    server_argv[k] = NULL;
}

static void start(struct server *s)
{
    char err[600];
    if (server_start(s, server_path, server_argv, &server_cpus, 10, err, sizeof err) != 0)
        cli_fail("%s", err);
    if (key.model && strcmp(key.model, s->model) != 0)
        fail_with(s, "the server changed its model between runs");
    static char model[32], variant[32];
    snprintf(model, sizeof model, "%s", s->model);
    snprintf(variant, sizeof variant, "%s", s->variant);
    key.model = model;
    key.variant = variant;
    csv_note("server %s/%s%s%s pid %d on 127.0.0.1:%u, cpus %s; the client on %s", key.model,
             key.variant, s->workers[0] ? " workers=" : "", s->workers, (int)s->pid, s->port, key.cpus,
             o.client_s ? o.client_s : (o.cpus.n ? "the same CPUs" : "any CPU"));
}

static void stop(struct server *s)
{
    char err[256];
    if (server_stop(s, 5, err, sizeof err) != 0)
        cli_fail("%s", err);
}

/* The server must still be running after a load. */
static void check_alive(struct server *s)
{
    int st;
    if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
        s->pid = 0;
        server_kill_now();
        cli_fail("the server died under load (%s %d)", WIFSIGNALED(st) ? "signal" : "exit status",
                 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    }
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
    }
}

/* ---------------------------------------------------------------- hello */

static void run_hello(void)
{
    char wrk_buf[4096], ver[128], url[128], err[600];
    const char *wrk = wrk_find(o.wrk, wrk_buf, sizeof wrk_buf);
    if (!wrk)
        cli_fail("wrk not found (%s): apt-get install wrk, or make deps", o.wrk);
    wrk_version(wrk, ver, sizeof ver);
    struct server s;
    start(&s);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/hello", s.port);
    struct cpu_list usable;
    int nclient = o.client.n ? o.client.n : (cpus_usable(&usable) == 0 ? usable.n : 1);
    csv_note("client: %s, one thread per client CPU (at most C)", ver);
    for (size_t i = 0; i < o.nconns; i++) {
        unsigned c = (unsigned)o.conns[i];
        unsigned t = c < (unsigned)nclient ? c : (unsigned)nclient;
        struct wrk_result r;
        if (wrk_run(wrk, url, t, c, (unsigned)o.duration, 15, &o.client, &r, err, sizeof err) != 0)
            fail_with(&s, err);
        check_alive(&s);
        csv_row(&key, c, "req_per_s", r.req_per_s, "req/s");
        csv_row(&key, c, "lat_p50_ms", r.p50_ms, "ms");
        if (r.p90_ms >= 0)
            csv_row(&key, c, "lat_p90_ms", r.p90_ms, "ms");
        csv_row(&key, c, "lat_p99_ms", r.p99_ms, "ms");
        csv_row(&key, c, "errors", (double)r.errors, "count");
    }
    stop(&s);
}

/* ----------------------------------------------------------------- idle */

/* One slope row; with one point, the line through the baseline. */
static void per_conn_row(uint64_t nmax, const char *metric, const double *x, const double *y, size_t m)
{
    double v = m == 1 ? (x[0] > 0 ? y[0] / x[0] : NAN) : stat_slope(x, y, m);
    if (!isnan(v))
        csv_row(&key, nmax, metric, v, "B");
}

static void run_idle(uint64_t nofile)
{
    double x[SWEEP_MAX], yu[SWEEP_MAX], yk[SWEEP_MAX], yp[SWEEP_MAX];
    size_t m = 0, mp = 0;
    uint64_t nmax = 0;
    char err[600];
    for (size_t i = 0; i < o.nconns; i++) {
        uint64_t c = o.conns[i];
        if (m > 0 && o.mem_cap_mb && (yu[m - 1] + yk[m - 1]) / x[m - 1] * (double)c >
                                         (double)o.mem_cap_mb * 1048576.0) {
            csv_note("n=%llu: would take about %.0f MiB at the last C's bytes per connection, over "
                     "--mem-cap-mb %llu: stopping here", (unsigned long long)c,
                     (yu[m - 1] + yk[m - 1]) / x[m - 1] * (double)c / 1048576.0,
                     (unsigned long long)o.mem_cap_mb);
            csv_row(&key, c, "limit_mem_conns", x[m - 1], "count");
            break;
        }
        if (c + 64 > nofile) {
            csv_note("n=%llu: needs about %llu fds on each side, RLIMIT_NOFILE allows %llu: stopping here",
                     (unsigned long long)c, (unsigned long long)(c + 64), (unsigned long long)nofile);
            if (key.model)
                csv_row(&key, c, "limit_conns", 0, "count");
            break;
        }
        struct server s;
        start(&s);
        sleep_ms(o.settle_ms); /* prefork workers, the runtime's threads: all up */
        struct server_mem base, snap;
        struct gen g;
        if (server_mem(&s, &base) != 0 || gen_init(&g, &s.addr) != 0)
            fail_with(&s, "cannot read the server's memory or set up epoll");
        uint64_t t0 = now_ns();
        int rc = gen_open(&g, c, gen_open_timeout_s(c), err, sizeof err);
        uint64_t open_ns = now_ns() - t0;
        if (rc != 0) {
            /* A limit (fds, ports, the server's --max-conns): how far it got. */
            csv_note("n=%llu: stopped after %zu connections: %s", (unsigned long long)c, g.n, err);
            csv_row(&key, c, "limit_conns", (double)(g.n - gen_count_closed(&g)), "count");
            gen_close(&g);
            stop(&s);
            break;
        }
        sleep_ms(o.settle_ms); /* every unit back in its wait for the next request */
        check_alive(&s);
        if (server_mem(&s, &snap) != 0)
            fail_with(&s, "cannot read the server's memory");
        uint64_t closed = gen_count_closed(&g);
        size_t open = g.n - closed;
        double du = (double)snap.user - (double)base.user;
        double dk = (double)snap.kernel - (double)base.kernel;
        csv_row(&key, c, "conns", (double)open, "count");
        csv_row(&key, c, "open_ms", (double)open_ns / 1e6, "ms");
        csv_row(&key, c, "user_bytes", du, "B");
        csv_row(&key, c, "kernel_bytes", dk, "B");
        csv_row(&key, c, "server_threads", (double)snap.threads, "count");
        if (closed)
            csv_row(&key, c, "conns_closed", (double)closed, "count");
        csv_note("  n=%llu: %.0f user B, %.0f kernel B per connection; the server runs %llu threads",
                 (unsigned long long)c, du / (double)c, dk / (double)c, (unsigned long long)snap.threads);
        gen_close(&g);
        stop(&s);
        /* The same C connections to a null server: their two socket ends. */
        double dp = NAN;
        if (pair_kernel_bytes(c, o.settle_ms, &dp, err, sizeof err) == 0)
            csv_row(&key, c, "pair_kernel_bytes", dp, "B");
        else
            csv_note("n=%llu: no socket-pair baseline: %s", (unsigned long long)c, err);
        if (m < SWEEP_MAX) {
            x[m] = (double)c, yu[m] = du, yk[m] = dk, yp[m] = dp;
            m++;
            mp += !isnan(dp);
        }
        if (c > nmax)
            nmax = c;
    }
    if (m == 0)
        cli_fail("no connection count could be measured");
    per_conn_row(nmax, "user_bytes_per_conn", x, yu, m);
    per_conn_row(nmax, "kernel_bytes_per_conn", x, yk, m);
    if (mp != m)
        return; /* a baseline missing: no "own" figure rather than a wrong one */
    per_conn_row(nmax, "pair_kernel_bytes_per_conn", x, yp, m);
    /* The model's own kernel side: what it adds to the socket pair. */
    double yo[SWEEP_MAX];
    for (size_t i = 0; i < m; i++)
        yo[i] = yk[i] - yp[i];
    per_conn_row(nmax, "own_kernel_bytes_per_conn", x, yo, m);
}

/* ------------------------------------------------------------- syscalls */

static void run_syscalls(void)
{
    struct server s;
    start(&s);
    sleep_ms(o.settle_ms); /* prefork workers, the runtime's threads: all up */
    for (size_t i = 0; i < o.nconns; i++) {
        struct sc_count sc[128];
        size_t n = 0;
        char err[600];
        if (syscalls_count(&s, o.conns[i], sc, 128, &n, err, sizeof err) != 0)
            fail_with(&s, err);
        check_alive(&s);
        double total = 0, listed = 0, per = (double)o.conns[i];
        for (size_t k = 0; k < n; k++) {
            if (strcmp(sc[k].name, "total") == 0) {
                total = (double)sc[k].calls;
                continue;
            }
            listed += (double)sc[k].calls;
            if (sc[k].calls == 0)
                continue;
            char metric[64];
            snprintf(metric, sizeof metric, "syscalls_per_req_%.31s", sc[k].name);
            csv_row(&key, o.conns[i], metric, (double)sc[k].calls / per, "count");
        }
        if (total > listed)
            csv_row(&key, o.conns[i], "syscalls_per_req_other", (total - listed) / per, "count");
        csv_row(&key, o.conns[i], "syscalls_per_req", total / per, "count");
        csv_note("  %llu requests: %.2f system calls each", (unsigned long long)o.conns[i],
                 total / per);
    }
    stop(&s);
}

/* ------------------------------------------------------------ mix, sleep */

struct midsnap {
    struct server *s;
    struct server_mem mem;
    int rc;
};

static void take_mid(void *arg)
{
    struct midsnap *ms = arg;
    ms->rc = server_mem(ms->s, &ms->mem);
}

static void pctl_rows(uint64_t c, const char *prefix, struct samples *sm)
{
    char metric[64];
    struct pctl p = stat_pctl(sm->v, sm->n);
    if (sm->n == 0)
        return;
    snprintf(metric, sizeof metric, "%s_p50_ms", prefix);
    csv_row(&key, c, metric, p.p50, "ms");
    snprintf(metric, sizeof metric, "%s_p99_ms", prefix);
    csv_row(&key, c, metric, p.p99, "ms");
    snprintf(metric, sizeof metric, "%s_max_ms", prefix);
    csv_row(&key, c, metric, p.max, "ms");
    snprintf(metric, sizeof metric, "%s_requests", prefix);
    csv_row(&key, c, metric, (double)sm->n, "count");
}

static void run_loop(uint64_t nofile)
{
    char err[600], heavy[64], light[64];
    snprintf(heavy, sizeof heavy, "/work?us=%llu", (unsigned long long)o.heavy_us);
    snprintf(light, sizeof light, o.mode == M_SLEEP ? "/sleep?ms=%llu" : "/hello",
             (unsigned long long)o.sleep_ms);
    const char *pre = o.mode == M_SLEEP ? "sleep" : "mix";
    for (size_t i = 0; i < o.nconns; i++) {
        uint64_t c = o.conns[i];
        if (c + 64 > nofile) {
            csv_note("n=%llu: needs about %llu fds on each side, RLIMIT_NOFILE allows %llu: stopping here",
                     (unsigned long long)c, (unsigned long long)(c + 64), (unsigned long long)nofile);
            break;
        }
        struct server s;
        start(&s);
        sleep_ms(100);
        struct midsnap ms = {.s = &s, .rc = -1};
        struct server_mem base;
        struct gen g;
        if (server_mem(&s, &base) != 0 || gen_init(&g, &s.addr) != 0)
            fail_with(&s, "cannot read the server's memory or set up epoll");
        if (gen_open(&g, c, 60, err, sizeof err) != 0)
            fail_with(&s, err);
        struct gen_load ld = {
            .light_path = light,
            .heavy_path = heavy,
            .heavy_every = o.mode == M_MIX ? o.heavy_every : 0,
            .rate = (double)o.rate,
            .duration_ms = o.duration * 1000,
            .mid = o.mode == M_SLEEP ? take_mid : NULL,
            .mid_arg = &ms,
        };
        struct gen_result r;
        uint64_t drain = o.mode == M_MIX ? 2000 + o.heavy_us / 1000 * c : 2000 + o.sleep_ms * 10;
        if (gen_run(&g, &ld, drain, &r, err, sizeof err) != 0)
            fail_with(&s, err);
        check_alive(&s);
        char metric[64];
        snprintf(metric, sizeof metric, "%s_req_per_s", pre);
        csv_row(&key, c, metric, (double)r.in_time / r.elapsed_s, "req/s");
        pctl_rows(c, o.mode == M_SLEEP ? "sleep" : "light", &r.light);
        pctl_rows(c, "heavy", &r.heavy);
        snprintf(metric, sizeof metric, "%s_errors", pre);
        csv_row(&key, c, metric, (double)(g.errors + g.closed), "count");
        if (o.mode == M_SLEEP && ms.rc == 0) {
            csv_row(&key, c, "sleep_user_bytes_per_conn",
                    ((double)ms.mem.user - (double)base.user) / (double)c, "B");
            csv_row(&key, c, "sleep_kernel_bytes_per_conn",
                    ((double)ms.mem.kernel - (double)base.kernel) / (double)c, "B");
            csv_row(&key, c, "sleep_server_threads", (double)ms.mem.threads, "count");
        }
        gen_result_free(&r);
        gen_close(&g);
        stop(&s);
    }
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    bool csv = false;
    const char *conns = NULL;
    o.duration = 2, o.heavy_every = 50, o.heavy_us = 20000, o.sleep_ms = 10, o.settle_ms = 300;
    o.wrk = "wrk";
    const struct cli_opt opts[] = {
        {"--server", CLI_STR, &o.server, 0, 0, NULL},
        {"--server-args", CLI_STR, &o.server_args, 0, 0, NULL},
        {"--mode", CLI_CHOICE, &o.mode, 0, 0, mode_names},
        {"--conns", CLI_STR, &conns, 0, 0, NULL},
        {"--duration", CLI_U64, &o.duration, 1, 3600, NULL},
        {"--heavy-every", CLI_U64, &o.heavy_every, 1, 1000000, NULL},
        {"--heavy-us", CLI_U64, &o.heavy_us, 1, 10000000, NULL},
        {"--rate", CLI_U64, &o.rate, 0, 10000000, NULL},
        {"--sleep-ms", CLI_U64, &o.sleep_ms, 0, 60000, NULL},
        {"--settle-ms", CLI_U64, &o.settle_ms, 0, 60000, NULL},
        {"--mem-cap-mb", CLI_U64, &o.mem_cap_mb, 0, 1000000, NULL},
        {"--cpus", CLI_STR, &o.cpus_s, 0, 0, NULL},
        {"--client-cpus", CLI_STR, &o.client_s, 0, 0, NULL},
        {"--wrk", CLI_STR, &o.wrk, 0, 0, NULL},
        {"--bin", CLI_STR, &o.bin, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 120);
    arm_signals();
    if (!o.server)
        cli_usage_error("--server: needed, e.g. --server tasks/server (try --help)");
    static const char *const defaults[] = {"1,10,100", "100,1000", "16", "1000", "3000"};
    o.nconns = cli_u64_list("--conns", conns ? conns : defaults[o.mode], 1, 1000000, o.conns, SWEEP_MAX);
    if (o.cpus_s)
        cpus_flag("--cpus", o.cpus_s, &o.cpus);
    if (o.client_s)
        cpus_flag("--client-cpus", o.client_s, &o.client);
    else
        o.client = o.cpus; /* on the same cores as the server */
    cpus_format(&o.cpus, key.cpus, sizeof key.cpus);
    csv_enable(csv);
    build_server_argv();
    uint64_t nofile = raise_nofile();
    if (o.cpus.n)
        server_cpus = o.cpus;
    else if (cpus_usable(&server_cpus) != 0)
        server_cpus.n = 0;
    if (o.client.n && cpus_pin_self(&o.client) != 0)
        cli_fail("--client-cpus: cannot pin the client: %s", strerror(errno));
    switch ((enum mode)o.mode) {
    case M_HELLO:
        run_hello();
        break;
    case M_IDLE:
        run_idle(nofile);
        break;
    case M_MIX:
    case M_SLEEP:
        run_loop(nofile);
        break;
    case M_SYSCALLS:
        run_syscalls();
        break;
    }
    return 0;
}

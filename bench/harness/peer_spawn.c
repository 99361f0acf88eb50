/* yl-peer-spawn - the memory of N tasks in another language's runtime,
 * measured with our own helpers (bench/measure.h) so that every model's
 * bytes per task come from the same code.
 *
 * For each N a fresh peer process (build/bin/<model>/spawn) says "base"
 * once its runtime is up, creates N tasks when told to, and says
 * "ready N CREATE_NS VARIANT" once all N wait on a timer at once; we take
 * a snapshot at each of the two lines, then close its stdin and it exits.
 * The protocol is in peers/README.md.
 */
#include "cli.h"
#include "measure.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[] =
    "usage: yl-peer-spawn --peer MODEL/spawn [--n LIST] [--cpus LIST] [--csv]\n"
    "                     [--timeout S] [-- PEER-ARGS...]\n"
    "Measures the memory of N tasks of another runtime (node, python, go,\n"
    "tokio): for each N, runs BIN/MODEL/spawn --n N PEER-ARGS in a fresh\n"
    "process, snapshots it when it says \"base\" and again when it says\n"
    "\"ready N CREATE_NS VARIANT\" (all N alive at once), then closes its stdin.\n"
    "  --peer P     the peer program, relative to this program's folder (node/spawn)\n"
    "  --n LIST     comma list of task counts, in order (default 1,1000,10000)\n"
    "  --cpus LIST  pin ourselves, and so the peer, to these CPUs\n"
    "  --csv        CSV rows on stdout, summary on stderr\n"
    "  --timeout S  give up after S seconds (default 300)\n"
    "Rows (model = the peer's folder, variant = what it said): per N units,\n"
    "create_ns, user_bytes (anonymous resident growth from base to ready),\n"
    "kernel_bytes; then create_ns_per_unit, user_bytes_per_unit and\n"
    "kernel_bytes_per_unit, the slopes over N.\n";

/* One running peer: its pid and both ends we hold. */
struct peer {
    pid_t pid;
    FILE *in;  /* its stdin */
    FILE *out; /* its stdout */
};

/* Starts argv[0] with stdin and stdout on pipes; exits 1 on failure. */
static void peer_start(char *const argv[], struct peer *p)
{
    int to[2], from[2];
    if (pipe2(to, O_CLOEXEC) < 0 || pipe2(from, O_CLOEXEC) < 0)
        cli_fail("pipe: %s", strerror(errno));
    pid_t pid = cli_fork();
    if (pid < 0)
        cli_fail("fork: %s", strerror(errno));
    if (pid == 0) {
        if (dup2(to[0], 0) < 0 || dup2(from[1], 1) < 0)
            _exit(127);
        execv(argv[0], argv);
        fprintf(stderr, "%s: %s: %s\n", cli_prog, argv[0], strerror(errno));
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    p->pid = pid;
    p->in = fdopen(to[1], "w");
    p->out = fdopen(from[0], "r");
    if (!p->in || !p->out)
        cli_fail("fdopen: %s", strerror(errno));
}

/* Reads the peer's next line into buf (no newline); false at EOF. */
static bool peer_line(struct peer *p, char *buf, size_t sz)
{
    if (!fgets(buf, (int)sz, p->out))
        return false;
    buf[strcspn(buf, "\n")] = '\0';
    return true;
}

/* Closes our ends and reaps the peer; returns its exit status as run.h
 * does (128+signal when killed). */
static int peer_end(struct peer *p)
{
    if (p->in)
        fclose(p->in);
    fclose(p->out);
    int st = 0;
    while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Measures one N: the growth from base to ready, and the variant the peer
 * named. Exits 1 with a message when the peer breaks the protocol. */
static void measure_one(char **argv, uint64_t n, struct spawn_point *pt, char *variant,
                        size_t varsz)
{
    struct peer p;
    peer_start(argv, &p);
    char line[512];
    struct mem_snap base, ready;
    if (!peer_line(&p, line, sizeof line) || strcmp(line, "base") != 0)
        cli_fail("%s --n %llu: expected \"base\", got %s%s%s (exit %d)", argv[0],
                 (unsigned long long)n, *line ? "\"" : "", *line ? line : "nothing",
                 *line ? "\"" : "", peer_end(&p));
    if (mem_snapshot(&base, &p.pid, 1) < 0)
        cli_fail("%s: snapshot: %s", argv[0], strerror(errno));
    if (fputs("go\n", p.in) == EOF || fflush(p.in) == EOF)
        cli_fail("%s --n %llu: the peer closed its stdin (exit %d)", argv[0],
                 (unsigned long long)n, peer_end(&p));
    line[0] = '\0';
    unsigned long long got = 0, ns = 0;
    char var[64] = "";
    int end = 0;
    if (!peer_line(&p, line, sizeof line) ||
        sscanf(line, "ready %llu %llu %63s %n", &got, &ns, var, &end) != 3 || line[end] ||
        got != n)
        cli_fail("%s --n %llu: expected \"ready %llu CREATE_NS VARIANT\", got \"%s\"", argv[0],
                 (unsigned long long)n, (unsigned long long)n, line);
    if (mem_snapshot(&ready, &p.pid, 1) < 0)
        cli_fail("%s: snapshot: %s", argv[0], strerror(errno));
    fclose(p.in);
    p.in = NULL;
    int rc = peer_end(&p);
    if (rc != 0)
        cli_fail("%s --n %llu: exited %d after ready", argv[0], (unsigned long long)n, rc);
    memset(pt, 0, sizeof *pt);
    pt->n = pt->created = n;
    pt->create_ns = ns;
    pt->asleep = (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n);
    pt->user_bytes = (int64_t)ready.user.anon - (int64_t)base.user.anon;
    pt->kernel_bytes = (int64_t)meminfo_kernel_bytes(&ready.mi) -
                       (int64_t)meminfo_kernel_bytes(&base.mi);
    pt->avail_drop = (int64_t)base.mi.mem_available - (int64_t)ready.mi.mem_available;
    snprintf(variant, varsz, "%s", var);
}

/* This program's folder, where the peers are (build/bin). */
static void bin_dir(char *buf, size_t sz)
{
    ssize_t len = readlink("/proc/self/exe", buf, sz - 1);
    if (len < 0)
        cli_fail("readlink /proc/self/exe: %s", strerror(errno));
    buf[len] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    /* Our flags end at "--"; what follows goes to the peer. */
    int ours = argc;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            ours = i;
            break;
        }
    const char *peer = NULL, *nlist = "1,1000,10000", *cpus = NULL;
    bool csv = false;
    const struct cli_opt opts[] = {
        {"--peer", CLI_STR, &peer, 0, 0, NULL},
        {"--n", CLI_STR, &nlist, 0, 0, NULL},
        {"--cpus", CLI_STR, &cpus, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(ours, argv, opts, 300);
    if (!peer)
        cli_usage_error("--peer: needed (like --peer node/spawn)");
    const char *slash = strchr(peer, '/');
    if (!slash || slash == peer || peer[0] == '/' || strstr(peer, ".."))
        cli_usage_error("--peer: '%s' is not MODEL/PROGRAM (like node/spawn)", peer);
    uint64_t ns[SWEEP_MAX];
    size_t count = cli_u64_list("--n", nlist, 1, 100000000, ns, SWEEP_MAX);
    struct cpu_list cl = {0};
    if (cpus)
        cpus_flag("--cpus", cpus, &cl);
    if (cpus_pin_self(&cl) < 0)
        cli_fail("--cpus: cannot pin: %s", strerror(errno));
    signal(SIGPIPE, SIG_IGN);

    char dir[PATH_MAX], path[PATH_MAX + 256];
    bin_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", dir, peer);
    if (access(path, X_OK) != 0)
        cli_fail("%s: %s (not built: is its toolchain installed? make deps DEPS_GROUPS=peers)",
                 path, strerror(errno));

    /* argv of the peer: PATH --n N PEER-ARGS... */
    int extra = ours < argc ? argc - ours - 1 : 0;
    char **pargv = calloc((size_t)extra + 4, sizeof *pargv);
    if (!pargv)
        cli_fail("out of memory");
    char nbuf[32];
    pargv[0] = path;
    pargv[1] = "--n";
    pargv[2] = nbuf;
    for (int i = 0; i < extra; i++)
        pargv[3 + i] = argv[ours + 1 + i];

    struct spawn_point pts[SWEEP_MAX];
    char variant[64] = "";
    for (size_t i = 0; i < count; i++) {
        char v[64];
        snprintf(nbuf, sizeof nbuf, "%llu", (unsigned long long)ns[i]);
        measure_one(pargv, ns[i], &pts[i], v, sizeof v);
        if (i == 0)
            snprintf(variant, sizeof variant, "%s", v);
        else if (strcmp(v, variant) != 0)
            cli_fail("%s: said variant '%s' at n=%llu, '%s' before", path, v,
                     (unsigned long long)ns[i], variant);
    }
    free(pargv);

    char model[64];
    snprintf(model, sizeof model, "%.*s", (int)(slash - peer), peer);
    struct csv_key key = {.experiment = "spawn", .model = model, .variant = variant};
    cpus_format(&cl, key.cpus, sizeof key.cpus);
    csv_enable(csv);
    csv_note("spawn %s/%s cpus=%s: N units of %s, each waiting on a timer; user = anonymous "
             "Rss growth of the peer from base to ready, kernel = KernelStack+PageTables+"
             "SUnreclaim growth", model, variant, key.cpus, peer);
    sweep_report(&key, pts, count);
    return 0;
}

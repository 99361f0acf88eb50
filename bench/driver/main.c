/* yl-bench - runs a benchmark profile and writes OUT/data.csv and env.txt.
 *
 * Every `run` line of the profile is run once to warm up (caches, page
 * faults, CPU frequency) and then N times; data.csv keeps, for every row
 * the program printed, the median of the N values with min and max. A
 * `trace` line runs foo once with --trace OUT/trace-MODEL.csv for the
 * timelines. A failing or hung program costs its own rows only.
 */
#include "driver.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
    "usage: yl-bench --profile NAME --out DIR [--bin DIR] [--where host|vmN]\n"
    "                [--dry-run] [--timeout S]\n"
    "Runs the experiments of a profile and writes DIR/data.csv and DIR/env.txt.\n"
    "  --profile NAME  bench/profiles/NAME (quick, full, smoke), or a path with a '/'\n"
    "  --out DIR       results folder (created): data.csv, env.txt, trace-MODEL.csv\n"
    "  --bin DIR       where the programs are (default: the folder of yl-bench)\n"
    "  --where W       recorded in env.txt: host (default), or vmN for a guest with N vCPUs\n"
    "  --dry-run       print the commands the profile expands to, run nothing\n"
    "  --timeout S     stop the whole run after S seconds (default: none)\n"
    "data.csv: experiment,model,variant,cpus,n,metric,value,unit,min,max,reps\n"
    "(value is the median over the repetitions). Exit 0 if anything was\n"
    "measured, 1 if nothing was or a results file could not be written, 2 on\n"
    "bad usage, 128 + the signal when interrupted: 130 (SIGINT), 143 (SIGTERM).\n";

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
    stop_sig = sig;
    run_kill_current();
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p)
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        if (!(*p = c))
            break;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* The command as a person would type it from the bin folder. */
static void show_cmd(const struct step *s, const char *bin, char *buf, size_t sz)
{
    size_t len = 0, bl = strlen(bin);
    buf[0] = '\0';
    for (int i = 0; i < s->argc && len + 1 < sz; i++) {
        const char *a = s->argv[i];
        if (i == 0 && strncmp(a, bin, bl) == 0 && a[bl] == '/')
            a += bl + 1;
        int w = snprintf(buf + len, sz - len, "%s%s", i ? " " : "", a);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

struct run_state {
    const char *out, *bin;
    struct table **done;  /* tables of the experiments that succeeded */
    size_t ndone;
    char *failures;       /* failures.txt text */
    size_t fail_len;
    FILE *fail_f;
    unsigned measured, failed, skipped;
};

static void save_data(struct run_state *st)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        cli_fail("out of memory");
    fprintf(f, "%s\n", table_header);
    for (size_t i = 0; i < st->ndone; i++)
        table_write(st->done[i], f);
    fclose(f);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/data.csv", st->out);
    if (write_file_atomic(path, buf, len) != 0)
        cli_fail("cannot write %s: %s", path, strerror(errno));
    free(buf);
}

/* Reports a failed step on stderr and in failures.txt. */
static void step_failed(struct run_state *st, const struct step *s, const char *cmd,
                        const char *why)
{
    cli_warn("%s (profile line %d) failed: %s; its rows are left out", s->name, s->line, why);
    fprintf(st->fail_f, "%s\t%d\t%s\t%s\n", s->name, s->line, cmd, why);
    fflush(st->fail_f);
    st->failed++;
}

/* Explains how a run ended, or returns false when it went well. */
static bool run_went_wrong(const struct run_result *r, unsigned timeout_s, char *why, size_t sz)
{
    if (r->timed_out)
        snprintf(why, sz, "timed out after %u s", timeout_s);
    else if (r->status == 127)
        snprintf(why, sz, "could not be started (exit 127)");
    else if (r->status > 128)
        snprintf(why, sz, "killed by signal %d (%s)", r->status - 128, strsignal(r->status - 128));
    else if (r->status == 2)
        snprintf(why, sz, "exit status 2 (bad usage: its message is above)");
    else if (r->status == 124)
        snprintf(why, sz, "exit status 124 (its own --timeout fired)");
    else if (r->status != 0)
        snprintf(why, sz, "exit status %d", r->status);
    else if (!r->out)
        snprintf(why, sz, "out of memory for its output");
    else
        return false;
    return true;
}

static void do_run(struct run_state *st, const struct step *s, const char *cmd)
{
    struct table *t = table_new();
    if (!t)
        cli_fail("out of memory");
    unsigned total = s->warmup + s->reps;
    size_t bad = 0;
    char why[400] = "";
    for (unsigned i = 0; i < total && !stop_sig; i++) {
        struct run_result r;
        if (run_command(s->argv, s->timeout_s, &r) != 0) {
            snprintf(why, sizeof why, "cannot start: %s", strerror(errno));
            break;
        }
        if (stop_sig) {
            free(r.out);
            break;
        }
        char what[256];
        bool wrong = run_went_wrong(&r, s->timeout_s, what, sizeof what);
        if (!wrong && i >= s->warmup && table_add_run(t, r.out, &bad) == 0) {
            snprintf(what, sizeof what, "printed no CSV rows (is --csv given?)");
            wrong = true;
        }
        free(r.out);
        if (wrong) {
            if (i < s->warmup)
                snprintf(why, sizeof why, "warm-up run: %s", what);
            else
                snprintf(why, sizeof why, "run %u of %u: %s", i - s->warmup + 1, s->reps, what);
            break;
        }
    }
    if (stop_sig) {
        table_free(t);
        return;
    }
    if (why[0]) {
        step_failed(st, s, cmd, why);
        table_free(t);
        return;
    }
    if (bad)
        cli_warn("%s: %zu output lines were not schema CSV rows and were ignored", s->name, bad);
    struct table **nd = realloc(st->done, (st->ndone + 1) * sizeof *nd);
    if (!nd)
        cli_fail("out of memory");
    st->done = nd;
    st->done[st->ndone++] = t;
    st->measured++;
    save_data(st); /* after every experiment: an interrupted run keeps its results */
}

static void do_trace(struct run_state *st, struct step *s, const char *cmd)
{
    char path[PATH_MAX], outp[PATH_MAX];
    snprintf(path, sizeof path, "%s/trace-%s.csv", st->out, s->name);
    snprintf(outp, sizeof outp, "%s/trace-%s.out", st->out, s->name);
    unlink(path); /* an old trace must not pass for a new one */
    s->argv[s->argc] = "--trace";
    s->argv[s->argc + 1] = path;
    s->argv[s->argc + 2] = NULL;
    struct run_result r;
    int rc = run_command(s->argv, s->timeout_s, &r);
    s->argv[s->argc] = NULL;
    char why[PATH_MAX + 300];
    if (rc != 0) {
        snprintf(why, sizeof why, "cannot start: %s", strerror(errno));
    } else if (stop_sig) {
        free(r.out);
        return;
    } else if (!run_went_wrong(&r, s->timeout_s, why, sizeof why)) {
        /* Keep what foo printed: the order of its lines is the lesson. */
        if (write_file_atomic(outp, r.out, r.out_len) != 0) {
            snprintf(why, sizeof why, "cannot write %s: %s", outp, strerror(errno));
        } else if (access(path, R_OK) == 0) {
            free(r.out);
            st->measured++;
            return;
        } else {
            snprintf(why, sizeof why, "wrote no trace-%s.csv", s->name);
        }
    }
    free(r.out);
    step_failed(st, s, cmd, why);
}

static void utc_stamp(char *buf, size_t sz)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sz, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    const char *profile = NULL, *out = NULL, *bin_arg = NULL, *where = "host";
    bool dry = false;
    const struct cli_opt opts[] = {
        {"--profile", CLI_STR, &profile, 0, 0, NULL},
        {"--out", CLI_STR, &out, 0, 0, NULL},
        {"--bin", CLI_STR, &bin_arg, 0, 0, NULL},
        {"--where", CLI_STR, &where, 0, 0, NULL},
        {"--dry-run", CLI_BOOL, &dry, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 0);
    if (!profile)
        cli_usage_error("--profile: missing (quick, full, smoke or a path)");
    if (!out && !dry)
        cli_usage_error("--out: missing (the results folder)");
    /* "vm" alone is a guest whose vCPU count the caller did not say. */
    if (strcmp(where, "host") != 0 &&
        (strncmp(where, "vm", 2) != 0 || strspn(where + 2, "0123456789") != strlen(where + 2)))
        cli_usage_error("--where: '%s' is neither host nor vmN (vm1, vm2...)", where);

    char bin[PATH_MAX];
    if (bin_arg) {
        if (!realpath(bin_arg, bin))
            cli_usage_error("--bin: %s: %s", bin_arg, strerror(errno));
    } else {
        ssize_t n = readlink("/proc/self/exe", bin, sizeof bin - 1);
        if (n <= 0 && !realpath(argv[0], bin))
            cli_fail("cannot tell where yl-bench lives: give --bin DIR");
        if (n > 0)
            bin[n] = '\0';
        char *slash = strrchr(bin, '/');
        if (slash)
            *slash = '\0';
    }

    char prof_path[PATH_MAX];
    if (profile_find(profile, bin, prof_path, sizeof prof_path) != 0)
        cli_usage_error("--profile: no profile '%s' (looked in bench/profiles and next to yl-bench)",
                        profile);
    char prof_abs[PATH_MAX];
    if (realpath(prof_path, prof_abs))
        snprintf(prof_path, sizeof prof_path, "%s", prof_abs);

    char out_abs[PATH_MAX] = "-";
    if (!dry) {
        if (make_dirs(out) != 0)
            cli_fail("cannot create %s: %s", out, strerror(errno));
        if (!realpath(out, out_abs))
            cli_fail("%s: %s", out, strerror(errno));
    }

    struct expand_ctx ctx = {.bin = bin, .out = out_abs};
    char profdir_buf[PATH_MAX];
    snprintf(profdir_buf, sizeof profdir_buf, "%s", prof_path);
    char profdir[PATH_MAX];
    if (!realpath(dirname(profdir_buf), profdir))
        snprintf(profdir, sizeof profdir, ".");
    ctx.profdir = profdir;
    ctx.ncpus = env_cpu_list(ctx.cpus_all, sizeof ctx.cpus_all, ',');
    const char *last = strrchr(ctx.cpus_all, ',');
    snprintf(ctx.cpu_last, sizeof ctx.cpu_last, "%.15s", last ? last + 1 : ctx.cpus_all);
    snprintf(ctx.cpu_first, sizeof ctx.cpu_first, "%.*s", (int)strcspn(ctx.cpus_all, ","),
             ctx.cpus_all);

    struct profile prof;
    char err[512];
    if (profile_load(prof_path, &ctx, &prof, err, sizeof err) != 0)
        cli_usage_error("%s", err);

    if (dry) {
        for (size_t i = 0; i < prof.n; i++) {
            const struct step *s = &prof.steps[i];
            char cmd[4096];
            show_cmd(s, bin, cmd, sizeof cmd);
            char extra[128] = "";
            if (s->kind == STEP_TRACE)
                snprintf(extra, sizeof extra, " --trace OUT/trace-%s.csv", s->name);
            printf("%s %s warmup=%u reps=%u timeout=%u%s: %s%s\n",
                   s->kind == STEP_RUN ? "run" : "trace", s->name, s->warmup, s->reps,
                   s->timeout_s, s->min_cpus > ctx.ncpus ? " (skipped: too few cpus)" : "", cmd,
                   extra);
        }
        profile_free(&prof);
        return 0;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char started[64];
    utc_stamp(started, sizeof started);
    struct env_info info = {.profile = profile, .profile_path = prof_path, .where = where,
                            .bin = bin, .started_utc = started, .wall_s = -1};
    if (env_write(out_abs, &info) != 0)
        cli_fail("cannot write %s/env.txt: %s", out_abs, strerror(errno));

    struct run_state st = {.out = out_abs, .bin = bin};
    st.fail_f = open_memstream(&st.failures, &st.fail_len);
    if (!st.fail_f)
        cli_fail("out of memory");
    double t0 = now_s();
    for (size_t i = 0; i < prof.n && !stop_sig; i++) {
        struct step *s = &prof.steps[i];
        char cmd[4096];
        show_cmd(s, bin, cmd, sizeof cmd);
        cli_warn("[%zu/%zu done, %.0f s] %s: %s (%u+%u runs)", i, prof.n, now_s() - t0, s->name,
                 cmd, s->warmup, s->reps);
        if (s->min_cpus > ctx.ncpus) {
            cli_warn("%s: skipped, needs %u cpus and %u are usable", s->name, s->min_cpus, ctx.ncpus);
            st.skipped++;
            continue;
        }
        if (access(s->argv[0], X_OK) != 0) {
            char why[512];
            snprintf(why, sizeof why, "%s: %s (not built?)", s->argv[0], strerror(errno));
            step_failed(&st, s, cmd, why);
            continue;
        }
        if (s->kind == STEP_RUN)
            do_run(&st, s, cmd);
        else
            do_trace(&st, s, cmd);
    }
    double wall = now_s() - t0;
    save_data(&st);
    fclose(st.fail_f);
    char fpath[PATH_MAX];
    snprintf(fpath, sizeof fpath, "%s/failures.txt", out_abs);
    bool lost = false; /* a results file could not be written */
    if (st.fail_len ? write_file_atomic(fpath, st.failures, st.fail_len) != 0
                    : unlink(fpath) != 0 && errno != ENOENT) {
        cli_warn("cannot write %s: %s", fpath, strerror(errno));
        lost = true;
    }
    info.wall_s = wall;
    info.measured = st.measured;
    info.failed = st.failed;
    info.skipped = st.skipped;
    info.interrupted = stop_sig != 0;
    if (env_write(out_abs, &info) != 0) {
        cli_warn("cannot write %s/env.txt: %s", out_abs, strerror(errno));
        lost = true;
    }

    cli_warn("%s in %.0f s: %u measured, %u failed, %u skipped -> %s/data.csv",
             stop_sig ? "interrupted" : "done", wall, st.measured, st.failed, st.skipped, out_abs);
    for (size_t i = 0; i < st.ndone; i++)
        table_free(st.done[i]);
    free(st.done);
    free(st.failures);
    profile_free(&prof);
    if (stop_sig)
        return 128 + stop_sig;
    return st.measured && !lost ? 0 : 1;
}

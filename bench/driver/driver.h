/* driver.h - the experiment driver (yl-bench): profiles, runs, results.
 *
 * yl-bench reads a profile (a list of experiments), runs every command a
 * warm-up time and then N times, and keeps the median of the N values of
 * every CSV row the command printed. It is plain C with no shell so that it
 * can run as the only program of a QEMU guest.
 */
#ifndef YL_DRIVER_H
#define YL_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "outfile.h"

#define DRV_MAX_ARGS 64

/* One line of a profile. */
enum step_kind {
    STEP_RUN,   /* run: CSV rows on stdout, aggregated into data.csv */
    STEP_TRACE, /* trace: foo with --trace OUT/trace-MODEL.csv appended */
};

struct step {
    enum step_kind kind;
    char name[64];        /* experiment (run) or model (trace) */
    unsigned warmup;      /* runs whose output is thrown away */
    unsigned reps;        /* measured runs after the warm-up */
    unsigned timeout_s;   /* per run */
    unsigned min_cpus;    /* skipped when fewer CPUs are usable */
    int line;             /* in the profile, for messages */
    int argc;
    char *argv[DRV_MAX_ARGS + 1]; /* placeholders expanded, NULL-terminated */
};

struct profile {
    char path[4096];
    struct step *steps;
    size_t n;
    unsigned skipped;     /* lines left out by needs= (their program is not built) */
};

/* What placeholders in a profile expand to. */
struct expand_ctx {
    const char *bin;      /* {bin} */
    const char *out;      /* {out} */
    const char *profdir;  /* {profdir}: the profile's own folder */
    unsigned ncpus;       /* {ncpus}: CPUs in our affinity mask */
    char cpus_all[256];   /* {cpus}: those CPUs as a list, "0,1" */
    char cpu_first[16];   /* {cpu_first}: the lowest of them */
    char cpu_last[16];    /* {cpu_last}: the highest of them */
};

/* Finds the profile called name (a path if it holds a '/', else looked up
 * in the usual folders) and writes its path into out. Returns 0, or -1 when
 * no such profile exists. */
int profile_find(const char *name, const char *bin, char *out, size_t outsz);

/* Parses the profile at path into p, expanding placeholders with ctx.
 * Returns 0, or -1 after writing "path:line: what is wrong" into err. */
int profile_load(const char *path, const struct expand_ctx *ctx, struct profile *p,
                 char *err, size_t errsz);

/* Frees what profile_load allocated. */
void profile_free(struct profile *p);

/* How one run of a command ended. */
struct run_result {
    int status;         /* exit code, or 128+signal, or -1 if not started */
    bool timed_out;
    char *out;          /* captured stdout, NUL-terminated (malloc'd) */
    size_t out_len;
};

/* Runs argv[0] (a path) with argv, stdout captured, stderr passed through,
 * stdin from /dev/null, in its own process group, killed with its whole
 * group after timeout_s seconds. Returns 0 once the child has been reaped
 * (see r), -1 if it could not even be started (errno set). */
int run_command(char *const argv[], unsigned timeout_s, struct run_result *r);

/* Kills the process group of the command running now, if any; safe in a
 * signal handler. */
void run_kill_current(void);

/* Aggregated rows of one experiment: every (key) row seen in the runs, with
 * all its values, in order of first appearance. */
struct table;

/* An empty table, or NULL when out of memory. */
struct table *table_new(void);

/* Frees t and its rows (NULL is fine). */
void table_free(struct table *t);

/* Adds every CSV row of one run's stdout to t. Returns the number of rows
 * taken; counts malformed lines in *bad. */
size_t table_add_run(struct table *t, const char *out, size_t *bad);

/* Appends t's rows to f as data.csv lines (median, min, max, reps); sorts
 * each row's values in place. */
void table_write(const struct table *t, FILE *f);

/* The header of data.csv: the 8 schema columns, then min,max,reps. */
extern const char table_header[];

/* What env.txt says about the run itself. */
struct env_info {
    const char *profile, *profile_path, *where, *bin;
    const char *started_utc;
    double wall_s;        /* < 0 while the run is still going */
    unsigned measured, failed, skipped;
    bool interrupted;
};

/* Writes DIR/env.txt (machine, kernel, virtualisation, compiler, run
 * parameters), one "key: value" per line, through a temporary file.
 * Returns 0 or -1 with errno. */
int env_write(const char *dir, const struct env_info *info);

/* Writes the usable CPUs (our affinity mask) as "0,1" into buf; returns
 * how many there are. */
unsigned env_cpu_list(char *buf, size_t bufsz, char sep);

#endif

/* measure.h - what every yieldlab program measures, and how it reports it.
 *
 * The one place for: the monotonic clock, memory snapshots (user side and
 * kernel side), context-switch counts, CPU pinning, the CSV writer, the
 * statistics (slope, percentiles) and the synchronisation the units of an
 * experiment use to line up before a measurement. Programs link libbench
 * and never carry a copy of any of these.
 *
 *   bench/measure.c  clock, context switches, limit diagnosis
 *   bench/mem.c      memory snapshots (/proc/self/status, smaps_rollup, meminfo)
 *   bench/cpus.c     CPU lists, affinity mask, pinning
 *   bench/csv.c      the CSV writer and the human summary lines
 *   bench/stats.c    least-squares slope, percentiles
 *   bench/usync.c    arrival counter and release gate (futex based)
 *   bench/sweep.c    --n lists, one measurement per fresh process
 *   bench/switches.c the rows of a ping-pong measurement
 */
#ifndef YL_MEASURE_H
#define YL_MEASURE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* --- clock ------------------------------------------------------------ */

/* CLOCK_MONOTONIC in nanoseconds: never jumps, fine for intervals. */
uint64_t now_ns(void);

/* --- context switches (getrusage) ------------------------------------ */

struct csw {
    uint64_t vol;   /* voluntary: the unit blocked (futex, read, sleep) */
    uint64_t invol; /* involuntary: the kernel preempted it */
};

/* Switches of `who`: RUSAGE_SELF (whole process), RUSAGE_THREAD (calling
 * thread) or RUSAGE_CHILDREN (waited-for children). Zeroes on failure. */
struct csw csw_get(int who);

/* b - a, field by field. */
struct csw csw_diff(struct csw b, struct csw a);

/* --- memory ----------------------------------------------------------- */

/* /proc/meminfo, the fields that grow with threads and processes, in bytes. */
struct meminfo {
    uint64_t kernel_stack; /* KernelStack: one kernel stack per thread */
    uint64_t page_tables;  /* PageTables: per address space, per mapping */
    uint64_t sunreclaim;   /* SUnreclaim: task_struct, mm, VMAs, ... */
    uint64_t mem_available;/* MemAvailable: the system-wide cross-check */
};

/* Reads /proc/meminfo; 0, or -1 with errno when it cannot be read. */
int meminfo_read(struct meminfo *m);

/* Parses meminfo text (the format of /proc/meminfo); 0, or -1 when one of
 * the four fields is missing. Split out so it can be tested on fixed text. */
int meminfo_parse(const char *text, struct meminfo *m);

/* The kernel side of a snapshot: KernelStack + PageTables + SUnreclaim. */
uint64_t meminfo_kernel_bytes(const struct meminfo *m);

/* One process's /proc/PID/smaps_rollup (Linux 4.14+), in bytes. The
 * kernel walks the page tables for it, so the figures are exact, unlike
 * VmRSS in /proc/PID/status: threads update that counter in per-CPU
 * batches and it can be off by hundreds of KiB, more than a small N adds. */
struct rollup {
    uint64_t rss;      /* resident: anonymous and file pages */
    uint64_t anon;     /* resident anonymous pages (stacks, heap, CoW copies) */
    uint64_t pss;      /* each page divided by the processes mapping it */
    uint64_t pss_anon; /* the anonymous part of pss */
};

/* Parses smaps_rollup text into r; 0, or -1 when Rss or Pss is missing
 * (Anonymous and Pss_Anon, newer fields, count 0 when absent). */
int rollup_parse(const char *text, struct rollup *r);

/* Reads the rollup of pid (0: the calling process); 0, or -1 with errno
 * (ESRCH and ENOENT when it is gone). */
int mem_rollup(pid_t pid, struct rollup *r);

/* Adds up the rollups of pids[0..n). A pid that is gone counts 0;
 * *missing (if not NULL) counts them. */
struct rollup mem_rollup_sum(const pid_t *pids, size_t n, size_t *missing);

/* One memory snapshot: both sides, taken together.
 *
 * What the user side of a unit is: the anonymous memory it adds (its
 * stack, its heap, the pages fork had to copy). Code and other file pages
 * are shared with every process on the machine, and they fault in 64 KiB
 * at a time (fault-around), which would drown the few KiB a thread adds. */
struct mem_snap {
    struct rollup user; /* this process, or the sum over the pids given */
    struct meminfo mi;  /* system-wide kernel side */
};

/* Takes a snapshot: user is the rollup of this process when n == 0, else
 * the sum over pids[0..n). Returns 0, or -1 when /proc could not be read
 * or one of the pids is gone (errno ESRCH). */
int mem_snapshot(struct mem_snap *s, const pid_t *pids, size_t n);

/* --- CPU lists and pinning ------------------------------------------- */

#define CPU_LIST_MAX 64

/* A list of CPUs in the order given on the command line; n == 0 means
 * "not pinned". */
struct cpu_list {
    int n;
    int cpu[CPU_LIST_MAX];
};

/* Parses "0,1" (also ranges "0-3") into l; 0, or -1 with a message in err
 * (no flag name in it) when the text is malformed or repeats a CPU. */
int cpus_parse(const char *s, struct cpu_list *l, char *err, size_t errlen);

/* Formats l for the CSV cpus column: "0", "0+1", or "-" when empty. */
void cpus_format(const struct cpu_list *l, char *buf, size_t len);

/* Writes l's CPUs separated by sep ("0,1" with ","; "" when empty): a
 * --cpus that had ranges, as the plain list libyl's YL_CPUS takes. */
void cpus_join(const struct cpu_list *l, const char *sep, char *buf, size_t len);

/* The CPUs this process may run on (its affinity mask; not sysconf, which
 * ignores taskset and cgroups). 0, or -1 with errno. */
int cpus_usable(struct cpu_list *l);

/* 0 when every CPU of l is usable; else -1 with a message in err naming the
 * first CPU that is not and listing the usable ones. */
int cpus_check(const struct cpu_list *l, char *err, size_t errlen);

/* Parses and checks the value of a --cpus style flag; on any problem exits
 * 2 with "prog: FLAG: ..." (see cli.h). */
void cpus_flag(const char *flag, const char *val, struct cpu_list *l);

/* For programs whose units share one libyl worker: parses the flag's value
 * (NULL: not given, l stays empty), refuses more than one CPU (exit 2)
 * and pins the calling thread there (exit 1 if that fails). */
void cpus_flag_pin_one(const char *flag, const char *val, struct cpu_list *l);

/* cpus_flag for --cpus of a program of two units (threads, processes,
 * tasks: `units` names them in the message): one CPU or two. */
void cpus_flag_two(const char *val, struct cpu_list *l, const char *units);

/* Pins the calling thread (and what it creates later) to the CPUs of l;
 * no-op when l is empty. 0, or -1 with errno. */
int cpus_pin_self(const struct cpu_list *l);

/* Pins the calling thread to one CPU. 0, or -1 with errno. */
int cpu_pin_self(int cpu);

/* --- limits ----------------------------------------------------------- */

/* Explains why creating a unit failed with errno err: names the limit that
 * is nearest (kernel.pid_max, kernel.threads-max, RLIMIT_NPROC, RLIMIT_AS,
 * vm.max_map_count, memory) with its value, in one line written to buf. */
void limit_explain(int err, char *buf, size_t len);

/* --- CSV and summary lines ------------------------------------------- */

/* The columns before n: what is measured and how. */
struct csv_key {
    const char *experiment; /* spawn, pingpong, ... */
    const char *model;      /* tasks, threads, procs */
    const char *variant;    /* futex, pipe, stackful, ... */
    char cpus[96];          /* cpus_format()ed */
};

/* The header line, without the newline. */
#define CSV_HEADER "experiment,model,variant,cpus,n,metric,value,unit"

/* Chooses where rows go: with csv, rows to stdout (header first, once) and
 * the human lines to stderr; without, human lines to stdout. */
void csv_enable(bool csv);

/* Formats one CSV row (no newline) into buf; returns its length, or -1 if
 * it did not fit. Values are written with up to 10 significant digits;
 * integral values without a fraction. */
int csv_format_row(char *buf, size_t len, const struct csv_key *k, uint64_t n,
                   const char *metric, double value, const char *unit);

/* Formats a value as csv_format_row does. */
void csv_format_value(char *buf, size_t len, double value);

/* Emits one measurement: a CSV row (with --csv) and a human line. */
void csv_row(const struct csv_key *k, uint64_t n, const char *metric,
             double value, const char *unit);

/* Writes a free-form summary line where the human lines go. */
void csv_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- statistics ------------------------------------------------------- */

/* Least-squares slope of y over x for k points; NaN when k < 2 or all x
 * are equal. Used for bytes per unit: the fixed costs fall into the
 * intercept, the per-unit cost is the slope. */
double stat_slope(const double *x, const double *y, size_t k);

struct pctl {
    double p50, p99, max;
};

/* p50, p99 and max of v[0..n) (nearest-rank); sorts v in place. All NaN
 * when n == 0. */
struct pctl stat_pctl(double *v, size_t n);

/* The nearest-rank p-th percentile (0 < p <= 100) of sorted v[0..n). */
double stat_percentile_sorted(const double *v, size_t n, double p);

/* --- lining units up ------------------------------------------------- */

/* Lives in memory every unit can see: plain memory for threads, MAP_SHARED
 * memory for fork()ed processes (the futex calls are the shared kind). */
struct usync {
    _Atomic uint32_t arrived; /* units that reached the meeting point */
    _Atomic uint32_t woke;    /* units whose sleep ended */
    _Atomic uint32_t gate;    /* 0 closed, 1 open */
};

/* Closes the gate and zeroes the counters. */
void usync_reset(struct usync *s);

/* A unit has arrived; wakes the waiter when it is the want-th. */
void usync_arrive(struct usync *s, uint32_t want);

/* Blocks until want units have arrived. */
void usync_wait_arrived(struct usync *s, uint32_t want);

/* Blocks until the gate opens. */
void usync_wait_gate(struct usync *s);

/* Opens the gate and wakes everyone blocked on it. */
void usync_open_gate(struct usync *s);

/* One byte through a pipe, the lmbench way of handing a turn over: send
 * writes it, recv blocks until it comes. Both retry on EINTR and exit
 * with a message (cli_fail) on any other error; recv names `peer` when the
 * other end has closed. */
void token_send(int fd);
void token_recv(int fd, const char *peer);

/* futex(2) on a 32-bit word, the shared (not PRIVATE) kind so that it works
 * between processes on MAP_SHARED memory as well as between threads.
 * futex_wait returns 0 when woken, -1 with errno (EAGAIN: *w != val). */
int futex_wait(_Atomic uint32_t *w, uint32_t val);
int futex_wake(_Atomic uint32_t *w, int n);

/* --- sweeps over N --------------------------------------------------- */

#define SWEEP_MAX 64

/* Parses a comma list of whole numbers in [min, max] ("1,1000,10000")
 * into out (at most cap); exits 2 naming the flag on any problem. Returns
 * how many were read. */
size_t cli_u64_list(const char *flag, const char *val, uint64_t min,
                    uint64_t max, uint64_t *out, size_t cap);

/* What one spawn measurement at one N found. */
struct spawn_point {
    uint64_t n;            /* units asked for */
    uint64_t created;      /* units that were created (== n unless a limit) */
    uint64_t create_ns;    /* time to create them all */
    int64_t user_bytes;    /* user-side growth over the baseline */
    int64_t kernel_bytes;  /* kernel-side growth over the baseline */
    int64_t avail_drop;    /* MemAvailable drop over the baseline */
    uint32_t asleep;       /* units still inside their sleep at the snapshot */
    int failed;            /* 1: stopped by a limit (limit holds why) */
    char limit[480];
};

/* Runs fn(n, arg, out) in a fresh fork()ed process and copies *out back,
 * so that caches an earlier N filled (glibc's thread-stack cache, the
 * runtime's stack pool) cannot hide the memory of a later one. Returns 0,
 * or -1 when the child died (the message says how). */
int sweep_in_child(void (*fn)(uint64_t n, void *arg, struct spawn_point *out),
                   uint64_t n, void *arg, struct spawn_point *out);

/* The whole sweep: fn at each n of ns[0..count), each in a child of its
 * own, into pts; before(i, arg), if not NULL, runs before point i. Stops
 * at a point a limit cut short, saying so on stderr with `units` ("tasks",
 * "threads"). Returns the points measured; *rc gets 1 when a child died. */
size_t sweep_points(void (*fn)(uint64_t n, void *arg, struct spawn_point *out),
                    const uint64_t *ns, size_t count, void *arg,
                    void (*before)(size_t i, void *arg), const char *units,
                    struct spawn_point *pts, int *rc);

/* Emits the rows of a spawn sweep: per N units, create_ns, user_bytes,
 * kernel_bytes (and limit_units when a limit stopped it), then the slopes
 * create_ns_per_unit, user_bytes_per_unit and kernel_bytes_per_unit with n
 * = the largest N fully measured. */
void sweep_report(const struct csv_key *k, const struct spawn_point *p,
                  size_t count);

/* --- ping-pong ------------------------------------------------------- */

/* What one ping-pong run measured. */
struct switch_run {
    uint64_t iters;       /* round trips: each is 2 switches */
    uint64_t elapsed_ns;  /* the M round trips */
    uint64_t base_ns;     /* one unit alone doing the same operations 2M times */
    uint64_t counted;     /* switches counted independently (getrusage, runtime) */
    uint64_t counted_invol; /* the involuntary part of counted (0 for tasks) */
};

/* Emits ns_per_switch (elapsed / 2M), ns_per_switch_baseline,
 * ns_per_switch_net (the difference), switches (2M, the divisor),
 * switches_counted and elapsed_ms, all with n = iters. */
void switch_report(const struct csv_key *k, const struct switch_run *r);

/* The flags of the thread and process ping-pong programs: --iters,
 * --variant (one of variants; -1 when not given: all), --cpus (one CPU or
 * two: `units` names the players in the message) and --csv, which it turns
 * on. Exits 2 on bad usage. */
struct switch_args {
    uint64_t iters;
    int only;
    struct cpu_list cpus;
};
void switch_args_parse(int argc, char **argv, const char *const *variants,
                       const char *units, struct switch_args *a);

#endif

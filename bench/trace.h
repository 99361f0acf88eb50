/* trace.h - the unit trace shared by the three models.
 *
 * A unit is the code a task (or thread, or process) runs between two yield
 * points. Each model records its units here and writes them as the trace
 * CSV: model,unit_id,task,label,worker,cpu,start_ns,end_ns
 */
#ifndef YL_TRACE_H
#define YL_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_NAME_MAX 24

struct trace_rec {
    uint64_t start_ns, end_ns;  /* CLOCK_MONOTONIC */
    int32_t worker;             /* runtime worker, or the thread/process index */
    int32_t cpu;                /* sched_getcpu() when the unit started */
    uint32_t seq;               /* the unit's rank within its task: A, B, C... */
    char task[TRACE_NAME_MAX];
};

struct trace_log;

/* A log for up to cap records in MAP_SHARED memory, so threads and fork()ed
 * children can all append to the one the parent writes. NULL on failure. */
struct trace_log *trace_log_new(size_t cap);

/* Appends a record (one atomic add; safe from any thread or child process).
 * Returns false, and counts the drop, when the log is full. */
bool trace_log_add(struct trace_log *l, const struct trace_rec *r);

/* Fills r for a unit of task `task` (its seq-th) that ran [start, end). */
void trace_rec_set(struct trace_rec *r, const char *task, uint32_t seq,
                   int worker, int cpu, uint64_t start_ns, uint64_t end_ns);

/* Writes the records sorted by start time, unit_id being the rank, into
 * path (through a temporary file and rename: never half-written). Returns 0,
 * or -1 with errno set. Warns on stderr if records were dropped. */
int trace_log_write(struct trace_log *l, const char *path, const char *model);

/* For programs: writes l (NULL: nothing to do) to path and frees it;
 * exits with a one-line message when it cannot be written. */
void trace_log_finish(struct trace_log *l, const char *path, const char *model);

/* The records held (trace_log_len of them), in the order they were added. */
const struct trace_rec *trace_log_records(const struct trace_log *l);

/* Number of records held. */
size_t trace_log_len(const struct trace_log *l);

/* Releases the log (in the process that created it). */
void trace_log_free(struct trace_log *l);

/* Writes the label of the seq-th unit: 0 -> "A", 25 -> "Z", 26 -> "AA". */
void trace_label(char out[8], uint32_t seq);

/* One unit of concurrency (a thread or a process) recording its own units
 * between blocking sleeps: begin after waking, end before sleeping. */
struct trace_unit {
    struct trace_log *log;  /* NULL: tracing off, begin/end do nothing */
    const char *task;
    int worker;
    uint32_t seq;
    int cpu;
    uint64_t start_ns;
};

/* Marks the start of the next unit (now, on the current CPU). */
void trace_unit_begin(struct trace_unit *u);

/* Ends the current unit and appends it to the log. */
void trace_unit_end(struct trace_unit *u);

#endif

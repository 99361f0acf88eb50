/* yltrace.c - bench's trace writer as libyl's tracer: the runtime hands
 * over each unit (yl_tracer.unit), this file keeps it in a trace log and
 * writes the trace CSV at the end of yl_run, the same file the thread and
 * process models write (trace.h).
 *
 * Linked into every task program (runtime/build.mk), it installs itself
 * at start-up, so --trace and YL_TRACE work without the program naming
 * it; libyl itself knows nothing of files or CSV.
 */
#include "trace.h"
#include "yl.h"

#define YLTRACE_CAP (1u << 20)

static void *yltrace_open(const char *path, const char *model)
{
    (void)path;
    (void)model;
    return trace_log_new(YLTRACE_CAP);
}

static void yltrace_unit(void *state, const yl_unit *u)
{
    struct trace_rec r;
    trace_rec_set(&r, u->task, u->seq, u->worker, u->cpu, u->start_ns, u->end_ns);
    trace_log_add(state, &r);
}

static int yltrace_close(void *state, const char *path, const char *model)
{
    int rc = trace_log_write(state, path, model);
    trace_log_free(state);
    return rc;
}

const yl_tracer yltrace_tracer = {yltrace_open, yltrace_unit, yltrace_close};

__attribute__((constructor)) static void yltrace_install(void)
{
    yl_set_tracer(&yltrace_tracer);
}

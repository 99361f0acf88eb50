/* trace.c - the unit log and its CSV writer (see trace.h). */
#include "trace.h"
#include "cli.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"
#include "outfile.h"

struct trace_log {
    size_t cap;
    size_t map_len;
    _Atomic size_t len;     /* slots claimed, may exceed cap */
    _Atomic size_t dropped;
    struct trace_rec recs[];
};

struct trace_log *trace_log_new(size_t cap)
{
    size_t len = sizeof(struct trace_log) + cap * sizeof(struct trace_rec);
    /* MAP_SHARED so a fork()ed child's records reach the parent;
     * MAP_NORESERVE so a generous cap costs only the pages used. */
    struct trace_log *l = mmap(NULL, len, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (l == MAP_FAILED)
        return NULL;
    l->cap = cap;
    l->map_len = len;
    atomic_init(&l->len, 0);
    atomic_init(&l->dropped, 0);
    return l;
}

bool trace_log_add(struct trace_log *l, const struct trace_rec *r)
{
    size_t i = atomic_fetch_add_explicit(&l->len, 1, memory_order_relaxed);
    if (i >= l->cap) {
        atomic_fetch_add_explicit(&l->dropped, 1, memory_order_relaxed);
        return false;
    }
    l->recs[i] = *r;
    return true;
}

void trace_rec_set(struct trace_rec *r, const char *task, uint32_t seq,
                   int worker, int cpu, uint64_t start_ns, uint64_t end_ns)
{
    memset(r, 0, sizeof *r);
    snprintf(r->task, sizeof r->task, "%s", task);
    r->seq = seq;
    r->worker = worker;
    r->cpu = cpu;
    r->start_ns = start_ns;
    r->end_ns = end_ns;
}

const struct trace_rec *trace_log_records(const struct trace_log *l)
{
    return l->recs;
}

size_t trace_log_len(const struct trace_log *l)
{
    size_t n = atomic_load(&((struct trace_log *)l)->len);
    return n < l->cap ? n : l->cap;
}

void trace_label(char out[8], uint32_t seq)
{
    /* Bijective base 26, like spreadsheet columns. */
    char tmp[8];
    int n = 0;
    uint32_t v = seq + 1;
    while (v && n < 7) {
        v--;
        tmp[n++] = (char)('A' + v % 26);
        v /= 26;
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

static int by_start(const void *a, const void *b)
{
    const struct trace_rec *x = a, *y = b;
    if (x->start_ns != y->start_ns)
        return x->start_ns < y->start_ns ? -1 : 1;
    return x->end_ns < y->end_ns ? -1 : x->end_ns > y->end_ns;
}

int trace_log_write(struct trace_log *l, const char *path, const char *model)
{
    size_t n = trace_log_len(l);
    size_t dropped = atomic_load(&l->dropped);
    qsort(l->recs, n, sizeof l->recs[0], by_start);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return -1;
    fputs("model,unit_id,task,label,worker,cpu,start_ns,end_ns\n", f);
    for (size_t i = 0; i < n; i++) {
        const struct trace_rec *r = &l->recs[i];
        char label[8];
        trace_label(label, r->seq);
        fprintf(f, "%s,%zu,%s,%s,%d,%d,%llu,%llu\n", model, i, r->task, label,
                r->worker, r->cpu, (unsigned long long)r->start_ns,
                (unsigned long long)r->end_ns);
    }
    int rc = fclose(f) == 0 ? write_file_atomic(path, buf, len) : -1;
    free(buf);
    if (rc == 0 && dropped)
        fprintf(stderr, "trace: log full, %zu units not recorded\n", dropped);
    return rc;
}

void trace_log_finish(struct trace_log *l, const char *path, const char *model)
{
    if (!l)
        return;
    if (trace_log_write(l, path, model) != 0)
        cli_fail("cannot write trace %s: %s", path, strerror(errno));
    trace_log_free(l);
}

void trace_log_free(struct trace_log *l)
{
    if (l)
        munmap(l, l->map_len);
}

void trace_unit_begin(struct trace_unit *u)
{
    if (!u->log)
        return;
    u->cpu = sched_getcpu();
    u->start_ns = now_ns();
}

void trace_unit_end(struct trace_unit *u)
{
    if (!u->log)
        return;
    struct trace_rec r;
    trace_rec_set(&r, u->task, u->seq++, u->worker, u->cpu, u->start_ns, now_ns());
    trace_log_add(u->log, &r);
}

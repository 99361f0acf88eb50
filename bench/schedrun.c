/* schedrun.c - the job body, the records and the report of the sched
 * programs (schedrun.h). */
#include "schedrun.h"

#include <errno.h>
#include <sched.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "cli.h"
#include "measure.h"
#include "predict.h"
#include "trace.h"
#include "work.h"

#define SLICES_MAX 200000
/* Wall time that passes with the job's CPU time standing still this long
 * means it was off the CPU: the kernel ran someone else. */
#define GAP_NS 150000u
/* How much CPU the job burns between two looks at a safepoint. */
#define STEP_NS 50000u
/* At least this close to the end of a burst a job stops asking. */
#define GRACE_MIN_NS 100000u

struct sched_run *sched_run_new(const struct sched_args *a)
{
    struct sched_run *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED)
        cli_fail("cannot map the job records: %m");
    r->a = a;
    r->unit_ns = a->unit_ms * 1000000u;
    if (!(r->trace = trace_log_new(SLICES_MAX)))
        cli_fail("cannot map the trace log: %m");
    return r;
}

void sched_run_free(struct sched_run *r)
{
    trace_log_free(r->trace);
    munmap(r, sizeof *r);
}

void sched_run_start(struct sched_run *r)
{
    r->t0_ns = now_ns();
    for (size_t i = 0; i < r->a->jl.n; i++)
        r->job[i].arrive_ns = r->t0_ns + r->a->jl.j[i].start * r->unit_ns;
}

void sched_io_sleep(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void sched_wait_release(struct sched_run *r, size_t i)
{
    usync_arrive(&r->sync, (uint32_t)r->a->jl.n);
    while (!atomic_load(&r->gate[i]))
        futex_wait(&r->gate[i], 0);
}

void sched_release(struct sched_run *r)
{
    const struct joblist *jl = &r->a->jl;
    size_t order[JL_MAX];
    for (size_t i = 0; i < jl->n; i++) {
        size_t k = i; /* insertion sort by start: stable, so ties keep job order */
        while (k > 0 && jl->j[order[k - 1]].start > jl->j[i].start) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    usync_wait_arrived(&r->sync, (uint32_t)jl->n);
    sched_run_start(r);
    for (size_t k = 0; k < jl->n; k++) {
        size_t i = order[k];
        uint64_t at = r->job[i].arrive_ns;
        struct timespec ts = {.tv_sec = (time_t)(at / 1000000000u),
                              .tv_nsec = (long)(at % 1000000000u)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        }
        atomic_store(&r->gate[i], 1);
        futex_wake(&r->gate[i], 1);
    }
}

struct slice {
    struct sched_run *r;
    char name[8];
    int job, cpu;
    uint32_t seq;
    uint64_t start;
};

static void slice_begin(struct slice *s, uint64_t at)
{
    s->start = at;
    s->cpu = sched_getcpu();
}

static void slice_end(struct slice *s, uint64_t at)
{
    struct trace_rec rec;
    trace_rec_set(&rec, s->name, s->seq++, s->job, s->cpu, s->start, at);
    trace_log_add(s->r->trace, &rec);
}

/* Burns ns of this thread's CPU, cutting the trace where the job was off
 * the CPU. Off the CPU shows between two looks at the clocks: the wall
 * clock jumped and the thread's CPU did not (the kernel ran another
 * thread), or libyl's count of units moved (its timer switched this task
 * out and the worker ran others: their CPU is not this job's). The
 * CPU spent in a safepoint that did not yield counts as the job's, as it
 * does for its class, which measures the whole unit; so job and class
 * agree on how far it is. Within `grace` of the end of its burst the job
 * neither asks nor may be cut by the timer (*off: preemption disabled,
 * for the caller to enable once the burst is recorded): a job whose work
 * ends where its slice does ends (or starts its I/O) first, as in the
 * textbook. */
static void burn(struct slice *s, uint64_t ns, uint64_t grace, const struct sched_hooks *h,
                 bool *off)
{
    uint64_t done = 0, c = thread_cpu_ns(), w = now_ns(), next = STEP_NS;
    uint64_t units = h->units ? h->units() : 0;
    while (done < ns) {
        /* Mostly in our own code, not in the clock's: the timer cuts a
         * task only there (runtime/yl/preempt.c). */
        work_spin();
        uint64_t pc = c, pw = w, pu = units;
        c = thread_cpu_ns();
        w = now_ns();
        units = h->units ? h->units() : 0;
        if (units != pu) { /* libyl ran others on this thread: their CPU is not ours */
            slice_end(s, pw);
            slice_begin(s, w);
            continue;
        }
        if (w - pw > GAP_NS && c - pc < (w - pw) / 2) {
            slice_end(s, pw); /* the kernel ran another thread in between */
            slice_begin(s, w);
        }
        done += c - pc;
        if (done + grace >= ns && h->preempt_off && !*off) {
            h->preempt_off(); /* nor may the timer cut it now; sched_job lets it again */
            *off = true;
        }
        if (!h->safepoint || done < next || done + grace >= ns)
            continue;
        next = done + STEP_NS;
        if (h->safepoint()) {
            slice_end(s, w);
            c = thread_cpu_ns();
            units = h->units ? h->units() : 0;
            slice_begin(s, w = now_ns());
        }
    }
}

void sched_job(struct sched_run *r, size_t i, const struct sched_hooks *h)
{
    const struct jl_job *j = &r->a->jl.j[i];
    struct sched_rec *rec = &r->job[i];
    struct slice s = {.r = r, .job = (int)i};
    snprintf(s.name, sizeof s.name, "j%zu", i);
    uint64_t start = now_ns();
    atomic_store(&rec->first_ns, start);
    slice_begin(&s, start);
    /* A quarter unit: every preemption charges the job's class the CPU of
     * the signal, the entry and the switch, which the job cannot count as
     * its own work; on a loaded machine the timer cuts often (it counts
     * wall time), and a job that ends where its slice does would otherwise
     * come back for a sliver. Job lists are whole units, so no textbook
     * decision falls within a quarter unit of a burst's end. */
    uint64_t c0 = thread_cpu_ns(), grace = r->unit_ns / 4;
    if (grace < GRACE_MIN_NS)
        grace = GRACE_MIN_NS;
    for (uint64_t u = 0; u < j->run;) {
        uint64_t n = j->iofreq ? j->iofreq : j->run;
        if (n > j->run - u)
            n = j->run - u;
        bool off = false;
        burn(&s, n * r->unit_ns, grace, h, &off);
        u += n;
        uint64_t at = now_ns();
        slice_end(&s, at);
        atomic_fetch_add(&rec->cpu_ns, thread_cpu_ns() - c0);
        if (u == j->run)
            atomic_store(&rec->end_ns, at);
        if (off)
            h->preempt_on(); /* a cut that fell due meanwhile happens now */
        if (u < j->run) {
            h->sleep_ns(r->a->p.io_time * r->unit_ns);
            atomic_fetch_add(&rec->ios, 1);
            c0 = thread_cpu_ns();
            slice_begin(&s, now_ns());
        }
    }
}

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

/* The share of the CPU each job got while every job was present: from
 * the last arrival to the first end. */
static void shares(const struct sched_run *r, double *pct)
{
    const struct joblist *jl = &r->a->jl;
    uint64_t lo = 0, hi = UINT64_MAX;
    for (size_t i = 0; i < jl->n; i++) {
        if (r->job[i].arrive_ns > lo)
            lo = r->job[i].arrive_ns;
        if (r->job[i].end_ns < hi)
            hi = r->job[i].end_ns;
    }
    uint64_t in[JL_MAX] = {0}, total = 0;
    size_t n = trace_log_len(r->trace);
    const struct trace_rec *v = trace_log_records(r->trace);
    for (size_t k = 0; k < n; k++) {
        uint64_t a = v[k].start_ns > lo ? v[k].start_ns : lo;
        uint64_t b = v[k].end_ns < hi ? v[k].end_ns : hi;
        if (b > a && v[k].worker >= 0 && (size_t)v[k].worker < jl->n) {
            in[v[k].worker] += b - a;
            total += b - a;
        }
    }
    for (size_t i = 0; i < jl->n; i++)
        pct[i] = total ? 100.0 * (double)in[i] / (double)total : 0;
}

bool sched_predicted(const struct sched_args *a, const struct csv_key *k0, int pred,
                     uint64_t q, struct prediction *pr)
{
    struct jl_params p = a->p;
    p.quantum = q;
    if (predict(&a->jl, &p, (enum pred_policy)pred, pr) != 0) {
        cli_warn("no prediction: out of memory");
        return false;
    }
    char variant[48];
    int at = k0->model ? snprintf(variant, sizeof variant, "%s-", k0->model) : 0;
    if (pred == PRED_RR)
        snprintf(variant + at, sizeof variant - (size_t)at, "rr-q%llu", (unsigned long long)q);
    else
        snprintf(variant + at, sizeof variant - (size_t)at, "%s", pred_names[pred]);
    struct csv_key k = *k0;
    k.model = "predict";
    k.variant = variant;
    double K = (double)a->unit_ms, sr = 0, st = 0, sw = 0;
    for (size_t i = 0; i < a->jl.n; i++) {
        double re = K * (double)pred_response(&a->jl, pr, i);
        double ta = K * (double)pred_turnaround(&a->jl, pr, i);
        double wa = K * (double)pred_wait(&a->jl, &p, pr, i);
        csv_row(&k, i, "response_ms", re, "ms");
        csv_row(&k, i, "turnaround_ms", ta, "ms");
        csv_row(&k, i, "wait_ms", wa, "ms");
        sr += re, st += ta, sw += wa;
    }
    double n = (double)a->jl.n;
    csv_row(&k, a->jl.n, "avg_response_ms", sr / n, "ms");
    csv_row(&k, a->jl.n, "avg_turnaround_ms", st / n, "ms");
    csv_row(&k, a->jl.n, "avg_wait_ms", sw / n, "ms");
    csv_row(&k, a->jl.n, "makespan_ms", K * (double)pr->end, "ms");
    return true;
}

void sched_report(struct sched_run *r, const char *model, const char *variant, int pred,
                  uint64_t q)
{
    const struct sched_args *a = r->a;
    const struct joblist *jl = &a->jl;
    struct csv_key k = {.experiment = sched_experiment(a), .model = model, .variant = variant};
    cpus_format(&a->cpus, k.cpus, sizeof k.cpus);
    double re[JL_MAX], ta[JL_MAX], wa[JL_MAX], sh[JL_MAX], sr = 0, st = 0, sw = 0;
    uint64_t last = 0;
    shares(r, sh);
    for (size_t i = 0; i < jl->n; i++) {
        const struct sched_rec *c = &r->job[i];
        uint64_t io = c->ios * a->p.io_time * r->unit_ns, run = jl->j[i].run * r->unit_ns;
        re[i] = ms(c->first_ns > c->arrive_ns ? c->first_ns - c->arrive_ns : 0);
        ta[i] = ms(c->end_ns - c->arrive_ns);
        double busy = ms(run + io);
        wa[i] = ta[i] > busy ? ta[i] - busy : 0;
        csv_row(&k, i, "response_ms", re[i], "ms");
        csv_row(&k, i, "turnaround_ms", ta[i], "ms");
        csv_row(&k, i, "wait_ms", wa[i], "ms");
        csv_row(&k, i, "share_pct", sh[i], "%");
        sr += re[i], st += ta[i], sw += wa[i];
        if (c->end_ns > last)
            last = c->end_ns;
    }
    double n = (double)jl->n;
    csv_row(&k, jl->n, "avg_response_ms", sr / n, "ms");
    csv_row(&k, jl->n, "avg_turnaround_ms", st / n, "ms");
    csv_row(&k, jl->n, "avg_wait_ms", sw / n, "ms");
    csv_row(&k, jl->n, "makespan_ms", ms(last - r->t0_ns), "ms");

    struct prediction pr = {0};
    bool have = false;
    if (pred >= 0 && a->predict)
        have = sched_predicted(a, &k, pred, q, &pr);
    csv_note("%s under %s, 1 unit = %llu ms%s", model, variant,
             (unsigned long long)a->unit_ms,
             have ? "; predicted beside (the textbook schedule)" : "; no textbook prediction");
    csv_note("%-4s %6s %5s %4s | %12s %14s %9s%s", "job", "arrive", "run", "io", "response_ms",
             "turnaround_ms", "wait_ms", have ? " | predicted response turnaround wait" : "");
    for (size_t i = 0; i < jl->n; i++) {
        char tail[96] = "";
        double K = (double)a->unit_ms;
        if (have)
            snprintf(tail, sizeof tail, " | %18.0f %10.0f %4.0f",
                     K * (double)pred_response(jl, &pr, i),
                     K * (double)pred_turnaround(jl, &pr, i),
                     K * (double)pred_wait(jl, &a->p, &pr, i));
        csv_note("j%-3zu %6llu %5llu %4llu | %12.1f %14.1f %9.1f%s", i,
                 (unsigned long long)jl->j[i].start, (unsigned long long)jl->j[i].run,
                 (unsigned long long)jl->j[i].iofreq, re[i], ta[i], wa[i], tail);
    }
    pred_free(&pr);
    if (a->trace && trace_log_write(r->trace, a->trace, model) != 0)
        cli_fail("cannot write trace %s: %m", a->trace);
}

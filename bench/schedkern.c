/* schedkern.c - the kernel's policies for the sched programs (schedkern.h). */
#include "schedkern.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "measure.h"
#include "predict.h"
#include "schedrun.h"

const char *const kern_policy_names[] = {"other", "batch", "idle", "fifo", "rr", "deadline",
                                         NULL};

static const int kern_sched[] = {SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, SCHED_FIFO, SCHED_RR,
                                 6 /* SCHED_DEADLINE */};

#define JOB_RT_PRIO 10
#define RELEASER_RT_PRIO 20

/* sched_setattr(2)'s argument (glibc has no wrapper everywhere). */
struct kern_attr {
    uint32_t size, policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime, deadline, period;
};

static int setattr(const struct kern_attr *at)
{
    return syscall(SYS_sched_setattr, 0, at, 0) == 0 ? 0 : errno;
}

bool kern_policy_rt(int pol)
{
    return pol == KP_FIFO || pol == KP_RR || pol == KP_DEADLINE;
}

const char *kern_fair_class(void)
{
    struct utsname u;
    int major = 0, minor = 0;
    if (uname(&u) == 0)
        sscanf(u.release, "%d.%d", &major, &minor);
    return major > 6 || (major == 6 && minor >= 6) ? "EEVDF" : "CFS";
}

int kern_apply(int pol, const struct sched_args *a, size_t i)
{
    uint64_t unit = a->unit_ms * 1000000u;
    struct kern_attr at = {.size = sizeof at, .policy = (uint32_t)kern_sched[pol]};
    if (kern_policy_rt(pol) && pol != KP_DEADLINE)
        at.priority = JOB_RT_PRIO;
    else if (pol == KP_DEADLINE) {
        /* Each job is promised a quantum every (jobs + 1) quanta: the
         * jobs together ask for n/(n+1) of a CPU, under the kernel's cap. */
        at.runtime = a->p.quantum * unit;
        at.deadline = at.period = (a->jl.n + 1) * a->p.quantum * unit;
    } else {
        at.nice = a->jl.j[i].nice;
    }
    int e = setattr(&at);
    if (!e && kern_policy_rt(pol) && a->jl.j[i].nice &&
        setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), a->jl.j[i].nice) != 0)
        e = errno;
    return e;
}

int kern_probe(int pol, const struct sched_args *a, uint64_t *rr_ns)
{
    *rr_ns = 0;
    if (!kern_policy_rt(pol))
        return 0;
    struct kern_attr at = {.size = sizeof at, .policy = (uint32_t)kern_sched[pol]};
    if (pol == KP_DEADLINE) {
        at.runtime = a->p.quantum * a->unit_ms * 1000000u;
        at.deadline = at.period = 4 * at.runtime;
    } else {
        at.priority = 1;
    }
    int e = setattr(&at);
    if (e)
        return e;
    struct timespec ts;
    if (pol == KP_RR && sched_rr_get_interval(0, &ts) == 0)
        *rr_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    struct kern_attr back = {.size = sizeof back, .policy = SCHED_OTHER};
    return setattr(&back);
}

int kern_boost_self(void)
{
    struct kern_attr at = {.size = sizeof at, .policy = SCHED_FIFO, .priority = RELEASER_RT_PRIO};
    return setattr(&at);
}

int kern_prediction(int pol, uint64_t rr_ns, uint64_t unit_ns, uint64_t *q)
{
    if (pol == KP_FIFO)
        return *q = 1, PRED_FIFO;
    if (pol == KP_RR && rr_ns) {
        *q = (rr_ns + unit_ns / 2) / unit_ns;
        if (*q == 0)
            *q = 1;
        return PRED_RR;
    }
    return -1;
}

bool kern_prepare(const struct sched_args *a, struct kern_run *k)
{
    const char *policy = kern_policy_names[a->policy];
    int e = kern_probe(a->policy, a, &k->rr_ns);
    if (e == EPERM) {
        cli_say("%s: SCHED_%s skipped: it needs CAP_SYS_NICE (run as root)", cli_prog, policy);
        return false;
    }
    if (e)
        cli_usage_error("--policy: SCHED_%s refused: %s", policy, strerror(e));
    if (cpus_usable(&k->all) != 0)
        cli_fail("cannot read the affinity mask: %m");
    k->rest.n = 0;
    for (int c = 0; c < k->all.n; c++)
        if (k->all.cpu[c] != a->cpus.cpu[0])
            k->rest.cpu[k->rest.n++] = k->all.cpu[c];
    return true;
}

void kern_releaser(const struct sched_args *a, const struct kern_run *k)
{
    if (k->rest.n && cpus_pin_self(&k->rest) != 0)
        cli_warn("cannot move the releaser off CPU %d: %m", a->cpus.cpu[0]);
    if (kern_policy_rt(a->policy) && kern_boost_self() != 0)
        cli_warn("cannot raise the releaser's priority: arrivals may be late");
}

void kern_job_setup(const struct sched_args *a, const struct kern_run *k, size_t i)
{
    if (cpus_pin_self(a->policy == KP_DEADLINE ? &k->all : &a->cpus) != 0)
        cli_fail("job %zu: cannot pin: %m", i);
    int e = kern_apply(a->policy, a, i);
    if (e)
        cli_fail("job %zu: cannot set policy %s: %s", i, kern_policy_names[a->policy],
                 strerror(e));
}

void kern_report(struct sched_run *r, const struct kern_run *k, const char *model)
{
    const struct sched_args *a = r->a;
    uint64_t q = 0;
    int pred = kern_prediction(a->policy, k->rr_ns, r->unit_ns, &q);
    if (a->policy == KP_RR)
        csv_note("SCHED_RR interval %.1f ms (sched_rr_get_interval) = %llu units",
                 (double)k->rr_ns / 1e6, (unsigned long long)q);
    if (a->policy == KP_OTHER)
        csv_note("SCHED_OTHER is %s on this kernel", kern_fair_class());
    if (a->policy == KP_DEADLINE)
        csv_note("SCHED_DEADLINE: each job %llu units every %zu quanta, not pinned",
                 (unsigned long long)a->p.quantum, a->jl.n + 1);
    sched_report(r, model, kern_policy_names[a->policy], pred, q);
}

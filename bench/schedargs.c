/* schedargs.c - the flags every sched program and yl-predict take
 * (joblist.h): the job list, the policy and its parameters; any problem
 * is one line and exit 2. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "joblist.h"

const char sched_args_usage[] =
    "  --jobs R,R,..      run times in units, all arriving at 0 (OSTEP's scheduler.py -l)\n"
    "  --jlist S,R,F:...  start,run,iofreq per job (mlfq.py -l): an I/O after every F units\n"
    "  --io-time T        an I/O lasts T units (default 5)\n"
    "  --unit-ms K        one unit is K ms of CPU (default 10)\n"
    "  --policy P         the policy (see above)\n"
    "  --quantum Q        time slice in units (default 10)\n"
    "  --queues N         mlfq levels (default 3)\n"
    "  --quantum-list L   mlfq quantum per level, top first, e.g. 10,20,40\n"
    "  --allotment A      mlfq quanta at a level before moving down (default 1)\n"
    "  --boost S          mlfq: all jobs to the top every S units (default 0: never)\n"
    "  --stay             mlfq: an I/O resets the allotment (OSTEP's -S: gameable)\n"
    "  --tickets L        stride, lottery: tickets per job (one value: all)\n"
    "  --nice L           nice per job (one value: all)\n"
    "  --prio L           prio: priority per job, 0..63, larger first\n"
    "  --seed N           lottery's seed (default 1)\n"
    "  --label NAME       experiment column sched-NAME (default sched)\n"
    "  --cpus LIST        the CPU the jobs share (default 0)\n"
    "  --no-predict       do not print the textbook prediction beside\n"
    "  --trace FILE       write every run slice as trace CSV (a Gantt chart)\n"
    "  --csv              CSV rows on stdout, the table on stderr\n"
    "  --timeout S        give up after S seconds (default 300)\n";

static void list_flag(const char *flag, const char *val, const struct joblist *l, long lo,
                      long hi, long *out)
{
    char err[160];
    if (jl_parse_ints(val, l->n, lo, hi, out, err, sizeof err) != 0)
        cli_usage_error("%s: %s", flag, err);
}

void sched_args_parse(int argc, char **argv, const char *const *policies,
                      const char *default_policy, struct sched_args *a)
{
    const char *jobs = NULL, *jlist = NULL, *policy = default_policy, *qlist = NULL;
    const char *tickets = NULL, *nice = NULL, *prio = NULL, *cpus = NULL;
    bool csv = false, no_predict = false;
    memset(a, 0, sizeof *a);
    a->unit_ms = 10;
    a->p = (struct jl_params){.quantum = 10, .queues = 3, .allotment = 1, .io_time = 5,
                              .seed = 1};
    const struct cli_opt opts[] = {
        {"--jobs", CLI_STR, &jobs, 0, 0, NULL},
        {"--jlist", CLI_STR, &jlist, 0, 0, NULL},
        {"--io-time", CLI_U64, &a->p.io_time, 0, JL_UNITS_MAX, NULL},
        {"--unit-ms", CLI_U64, &a->unit_ms, 1, 10000, NULL},
        {"--policy", CLI_STR, &policy, 0, 0, NULL},
        {"--quantum", CLI_U64, &a->p.quantum, 1, JL_UNITS_MAX, NULL},
        {"--queues", CLI_U64, &a->p.queues, 1, JL_LEVELS, NULL},
        {"--quantum-list", CLI_STR, &qlist, 0, 0, NULL},
        {"--allotment", CLI_U64, &a->p.allotment, 1, JL_UNITS_MAX, NULL},
        {"--boost", CLI_U64, &a->p.boost, 0, JL_UNITS_MAX, NULL},
        {"--stay", CLI_BOOL, &a->p.stay, 0, 0, NULL},
        {"--tickets", CLI_STR, &tickets, 0, 0, NULL},
        {"--nice", CLI_STR, &nice, 0, 0, NULL},
        {"--prio", CLI_STR, &prio, 0, 0, NULL},
        {"--seed", CLI_U64, &a->p.seed, 0, UINT64_MAX, NULL},
        {"--label", CLI_STR, &a->label, 0, 0, NULL},
        {"--cpus", CLI_STR, &cpus, 0, 0, NULL},
        {"--no-predict", CLI_BOOL, &no_predict, 0, 0, NULL},
        {"--trace", CLI_STR, &a->trace, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 300);
    a->policy = -1;
    for (int i = 0; policies[i]; i++)
        if (strcmp(policies[i], policy) == 0)
            a->policy = i;
    if (a->policy < 0) {
        char names[256] = "";
        for (int i = 0; policies[i]; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? "|" : "",
                     policies[i]);
        cli_usage_error("--policy: unknown policy '%s' (one of %s)", policy, names);
    }
    char err[160];
    if (jobs && jlist)
        cli_usage_error("--jobs and --jlist: give one job list, not both");
    if (!jobs && !jlist)
        jlist = "0,100,0:0,100,5"; /* one CPU-bound job and one that does I/O */
    if (jobs ? jl_parse_jobs(jobs, &a->jl, err, sizeof err) != 0
             : jl_parse_jlist(jlist, &a->jl, err, sizeof err) != 0)
        cli_usage_error("%s: %s", jobs ? "--jobs" : "--jlist", err);
    long v[JL_MAX];
    if (tickets) {
        list_flag("--tickets", tickets, &a->jl, 1, 1000000, v);
        for (size_t i = 0; i < a->jl.n; i++)
            a->jl.j[i].tickets = (uint32_t)v[i];
    }
    if (nice) {
        list_flag("--nice", nice, &a->jl, -20, 19, v);
        for (size_t i = 0; i < a->jl.n; i++)
            a->jl.j[i].nice = (int)v[i];
    }
    if (prio) {
        list_flag("--prio", prio, &a->jl, 0, 63, v);
        for (size_t i = 0; i < a->jl.n; i++)
            a->jl.j[i].prio = (int)v[i];
    }
    for (int l = 0; l < JL_LEVELS; l++)
        a->p.quanta[l] = a->p.quantum;
    if (qlist) {
        uint64_t q[JL_LEVELS];
        size_t k = cli_u64_list("--quantum-list", qlist, 1, JL_UNITS_MAX, q, JL_LEVELS);
        if (k != a->p.queues)
            cli_usage_error("--quantum-list: %zu quanta for %llu queues: give one per level",
                            k, (unsigned long long)a->p.queues);
        memcpy(a->p.quanta, q, k * sizeof q[0]);
    }
    for (size_t i = 0; i < a->jl.n; i++)
        if (a->jl.j[i].iofreq && a->p.io_time == 0)
            cli_usage_error("--io-time: job %zu does I/O, so an I/O must last 1 unit or more", i);
    if (a->unit_ms * JL_UNITS_MAX / a->unit_ms != JL_UNITS_MAX)
        cli_usage_error("--unit-ms: too large");
    cpus_flag("--cpus", cpus ? cpus : "0", &a->cpus);
    a->predict = !no_predict;
    csv_enable(csv);
}

const char *sched_experiment(const struct sched_args *a)
{
    static char buf[64];
    if (!a->label)
        return "sched";
    snprintf(buf, sizeof buf, "sched-%s", a->label);
    return buf;
}

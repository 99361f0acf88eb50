/* pickcost (tasks) - what one scheduling decision costs under each of
 * libyl's classes (runtime/yl/policy.h), with N tasks ready: the class
 * alone, driven the way the mechanism drives it (pick the next, account
 * its unit, put it back), no switch and no task code in between. fifo,
 * rr and mlfq should stay flat from 10 to 100k tasks (O(1)); sjf, stcf,
 * stride, fair and eevdf grow with log N; lottery's list walk with N.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "measure.h"
#include "policy.h"

static const char usage[] =
    "usage: pickcost [--n LIST] [--picks M] [--policy P] [--csv] [--timeout S]\n"
    "The ns one pick + put_prev + enqueue takes under each libyl class with N ready tasks.\n"
    "  --n LIST     numbers of ready tasks (default 10,1000,100000)\n"
    "  --picks M    decisions timed per point (default 200000; lottery does M/100 past 1k)\n"
    "  --policy P   one class only (default: all)\n"
    "Rows: pickcost,tasks,CLASS,-,N,ns_per_pick,...,ns\n";

static double measure(const struct yl_sched_class *cls, uint64_t n, uint64_t picks)
{
    yl_sched_params p = {.quantum_ns = 1000000, .queues = 3, .boost_ns = 50000000};
    struct yl_prq rq;
    if (!yl__prq_init(&rq, cls, &p))
        cli_fail("out of memory");
    struct yl_se *se = calloc(n, sizeof *se);
    yl_task *fake = calloc(n, 8); /* only the address is kept as the task */
    if (!se || !fake)
        cli_fail("out of memory for %llu entities", (unsigned long long)n);
    for (uint64_t i = 0; i < n; i++) {
        yl__se_reset(&se[i], (yl_task *)((char *)fake + 8 * i));
        se[i].hint_ns = 1000000 * (1 + i % 97);
        se[i].tickets = 1 + (uint32_t)(i % 300);
        se[i].prio = (int)(i % 64);
        se[i].nice = (int)(i % 40) - 20;
        se[i].weight = yl__nice_weight(se[i].nice);
        se[i].seq = yl__prq_seq(&rq);
        rq.nr++;
        cls->enqueue(&rq, &se[i], YL_ENQ_NEW);
    }
    uint64_t t0 = now_ns();
    for (uint64_t k = 0; k < picks; k++) {
        struct yl_se *s = cls->pick_next(&rq);
        /* a third of a quantum, then back: rr and mlfq keep their turn */
        cls->put_prev(&rq, s, 1000000, YL_LEAVE_YIELD);
        rq.clock += 1000000;
        s->seq = yl__prq_seq(&rq);
        cls->enqueue(&rq, s, YL_ENQ_YIELD);
    }
    double ns = (double)(now_ns() - t0) / (double)picks;
    yl__prq_fini(&rq);
    free(se);
    free(fake);
    return ns;
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    const char *nlist = "10,1000,100000", *only = NULL;
    uint64_t picks = 200000;
    bool csv = false;
    const struct cli_opt opts[] = {
        {"--n", CLI_STR, &nlist, 0, 0, NULL},
        {"--picks", CLI_U64, &picks, 100, 100000000, NULL},
        {"--policy", CLI_STR, &only, 0, 0, NULL},
        {"--csv", CLI_BOOL, &csv, 0, 0, NULL},
        {NULL, 0, NULL, 0, 0, NULL},
    };
    cli_parse(argc, argv, opts, 300);
    uint64_t ns[SWEEP_MAX];
    size_t k = cli_u64_list("--n", nlist, 1, 10000000, ns, SWEEP_MAX);
    if (only && !yl__sched_class(only))
        cli_usage_error("--policy: unknown policy '%s'", only);
    csv_enable(csv);
    for (int c = 0; yl_policy_names[c]; c++) {
        if (only && strcmp(only, yl_policy_names[c]) != 0)
            continue;
        const struct yl_sched_class *cls = yl__sched_class(yl_policy_names[c]);
        struct csv_key key = {.experiment = "pickcost", .model = "tasks", .variant = cls->name,
                              .cpus = "-"};
        for (size_t i = 0; i < k; i++) {
            uint64_t m = cls == &yl_sched_lottery && ns[i] > 1000 ? picks / 100 : picks;
            csv_row(&key, ns[i], "ns_per_pick", measure(cls, ns[i], m), "ns");
        }
    }
    return 0;
}

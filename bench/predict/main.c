/* yl-predict - the textbook schedule of a job list (bench/predict.c):
 * the same flags and rows as the sched programs, worked out on paper, so
 * measured and predicted figures stand in one table. --trace writes the
 * predicted Gantt chart in the trace CSV (model "predict"). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "joblist.h"
#include "measure.h"
#include "predict.h"
#include "schedrun.h"
#include "trace.h"

static const char usage[] =
    "usage: yl-predict [--policy fifo|sjf|stcf|rr|mlfq|stride] [--jobs R,.. | --jlist S,R,F:..]\n"
    "                  [--quantum Q] [--queues N] [--quantum-list L] [--allotment A] [--boost S]\n"
    "                  [--stay] [--io-time T] [--tickets L] [--unit-ms K] [--trace FILE] [--csv]\n"
    "Prints each job's response, turnaround and wait under the textbook policy, in ms\n"
    "(units times --unit-ms), and the schedule as a list of runs.\n";

static void write_trace(const struct sched_args *a, const struct prediction *pr)
{
    struct trace_log *log = trace_log_new(pr->ns ? pr->ns : 1);
    if (!log)
        cli_fail("cannot map the trace log: %m");
    uint64_t u = a->unit_ms * 1000000u;
    for (size_t i = 0; i < pr->ns; i++) {
        char name[8];
        snprintf(name, sizeof name, "j%u", pr->s[i].job);
        struct trace_rec r;
        trace_rec_set(&r, name, (uint32_t)i, (int)pr->s[i].job, 0, pr->s[i].start * u,
                      pr->s[i].end * u);
        trace_log_add(log, &r);
    }
    trace_log_finish(log, a->trace, "predict");
}

int main(int argc, char **argv)
{
    cli_init(argc, argv, usage);
    struct sched_args a;
    sched_args_parse(argc, argv, pred_names, "fifo", &a);
    struct csv_key k = {.experiment = sched_experiment(&a)};
    cpus_format(&a.cpus, k.cpus, sizeof k.cpus);
    struct prediction pr;
    if (!sched_predicted(&a, &k, a.policy, a.p.quantum, &pr))
        return 1;
    csv_note("%s, 1 unit = %llu ms; the runs:", pred_names[a.policy],
             (unsigned long long)a.unit_ms);
    char line[1024] = "";
    for (size_t i = 0; i < pr.ns; i++) {
        size_t n = strlen(line);
        snprintf(line + n, sizeof line - n, "%sj%u[%llu,%llu)", n ? " " : "", pr.s[i].job,
                 (unsigned long long)pr.s[i].start, (unsigned long long)pr.s[i].end);
        if (strlen(line) > 900 || i + 1 == pr.ns) {
            csv_note("%s", line);
            line[0] = '\0';
        }
    }
    if (a.trace)
        write_trace(&a, &pr);
    pred_free(&pr);
    return 0;
}

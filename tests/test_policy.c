/* test_policy.c - libyl's scheduling classes through the public API (the
 * order tasks run in), the classes' refusals, and the predictor against
 * the figures of OSTEP's chapter. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdlib.h>
#include <string.h>

#include "predict.h"
#include "yl.h"

static char order[256];

static void note(void *arg)
{
    strncat(order, arg, sizeof order - strlen(order) - 1);
}

/* Spawns a, b, c (lazily, so attributes are set before they queue) with
 * prio or hint from vals, and runs them. */
static int vals[3];
static int kind; /* 0: prio, 1: hint */
static void three(void *arg)
{
    (void)arg;
    static const char *const names[] = {"a", "b", "c"};
    yl_task *t[3];
    for (int i = 0; i < 3; i++) {
        t[i] = yl_task_new(names[i], note, (void *)names[i]);
        cr_assert(t[i]);
        if (kind == 0)
            cr_assert_eq(yl_task_set_prio(t[i], vals[i]), 0);
        else
            cr_assert_eq(yl_task_set_hint(t[i], (uint64_t)vals[i]), 0);
        cr_assert_eq(yl_start(t[i]), 0);
    }
    for (int i = 0; i < 3; i++)
        yl_join(t[i]);
}

static const char *run_under(const char *policy, int k, int v0, int v1, int v2)
{
    order[0] = '\0';
    kind = k;
    vals[0] = v0, vals[1] = v1, vals[2] = v2;
    yl_config c = {.policy = policy};
    cr_assert_eq(yl_run(&c, three, NULL), 0);
    return order;
}

Test(policy, fifo_is_creation_order)
{
    cr_expect_str_eq(run_under("fifo", 0, 1, 2, 3), "abc");
    cr_expect_str_eq(run_under(NULL, 0, 1, 2, 3), "abc");
}

Test(policy, lifo_prio_sjf_order_the_ready_tasks)
{
    cr_expect_str_eq(run_under("lifo", 0, 0, 0, 0), "cba");
    cr_expect_str_eq(run_under("prio", 0, 2, 9, 5), "bca");
    cr_expect_str_eq(run_under("prio", 0, 3, 3, 3), "abc", "ties: first come first");
    cr_expect_str_eq(run_under("sjf", 1, 30, 10, 20), "bca");
    cr_expect_str_eq(run_under("stcf", 1, 30, 10, 20), "bca");
}

Test(policy, every_class_runs_every_task)
{
    for (int i = 0; yl_policy_names[i]; i++) {
        const char *got = run_under(yl_policy_names[i], 1, 3, 2, 1);
        cr_expect_eq(strlen(got), 3, "%s ran %s", yl_policy_names[i], got);
    }
}

static void check_name(void *arg)
{
    cr_expect_str_eq(yl_policy(), arg);
    cr_expect_not(strcmp(arg, "fifo") == 0 && yl_safepoint(), "fifo never preempts");
}

Test(policy, the_running_policy_is_named)
{
    yl_config c = {.policy = "mlfq"};
    cr_expect_eq(yl_run(&c, check_name, "mlfq"), 0);
    c.policy = NULL;
    cr_expect_eq(yl_run(&c, check_name, "fifo"), 0);
}

Test(policy, unknown_and_stealing_are_refused, .init = cr_redirect_stderr)
{
    yl_config c = {.policy = "nope"};
    cr_expect_eq(yl_run(&c, note, "x"), -1);
    c = (yl_config){.policy = "rr", .exec = YL_EXEC_STEALING, .workers = 2};
    cr_expect_eq(yl_run(&c, note, "x"), -1);
    c.policy = "fifo";
    cr_expect_eq(yl_run(&c, note, "x"), 0, "fifo runs under stealing");
    fflush(stderr);
    cr_expect_stderr_eq_str("yl: policy 'nope' is not one of fifo|lifo|prio|sjf|stcf|rr|mlfq|"
                            "stride|lottery|fair|eevdf\n"
                            "yl: policy rr needs each worker's own queue; under stealing ready "
                            "tasks move between deques: use single or sharded (or fifo)\n");
}

Test(policy, sharded_workers_each_follow_the_class)
{
    order[0] = '\0';
    kind = 0;
    vals[0] = 1, vals[1] = 1, vals[2] = 1;
    yl_config c = {.policy = "prio", .exec = YL_EXEC_SHARDED, .workers = 2};
    cr_expect_eq(yl_run(&c, three, NULL), 0);
    cr_expect_eq(strlen(order), 3);
}

static void bad_attrs(void *arg)
{
    (void)arg;
    yl_task *t = yl_task_new("t", note, "t");
    cr_assert(t);
    cr_expect_eq(yl_task_set_prio(t, 64), -1);
    cr_expect_eq(yl_task_set_nice(t, -21), -1);
    cr_expect_eq(yl_task_set_tickets(t, 0), -1);
    cr_expect_eq(yl_task_set_prio(t, 63), 0);
    yl_join(t);
}

Test(policy, bad_attributes_are_refused)
{
    yl_config c = {.policy = "prio"};
    order[0] = '\0';
    cr_expect_eq(yl_run(&c, bad_attrs, NULL), 0);
    cr_expect_str_eq(order, "t");
}

/* --- the predictor against OSTEP ch. 7's worked examples ----------------- */

static struct joblist list(const char *jobs)
{
    struct joblist l;
    char err[128];
    cr_assert_eq(jl_parse_jobs(jobs, &l, err, sizeof err), 0, "%s", err);
    return l;
}

static double avg_turnaround(const struct joblist *l, const struct jl_params *p,
                             enum pred_policy pol, double *resp)
{
    struct prediction pr;
    cr_assert_eq(predict(l, p, pol, &pr), 0);
    double t = 0, r = 0;
    for (size_t i = 0; i < l->n; i++) {
        t += (double)pred_turnaround(l, &pr, i);
        r += (double)pred_response(l, &pr, i);
    }
    pred_free(&pr);
    if (resp)
        *resp = r / (double)l->n;
    return t / (double)l->n;
}

static const struct jl_params P = {.quantum = 1, .queues = 3, .allotment = 1, .io_time = 5,
                                   .quanta = {1, 1, 1}};

Test(predict, ostep_fifo_sjf_stcf_rr)
{
    struct joblist l = list("100,10,10");
    cr_expect_float_eq(avg_turnaround(&l, &P, PRED_FIFO, NULL), 110, 1e-9, "the convoy");
    cr_expect_float_eq(avg_turnaround(&l, &P, PRED_SJF, NULL), 50, 1e-9);
    /* A at 0, B and C at 10 */
    char err[128];
    cr_assert_eq(jl_parse_jlist("0,100,0:10,10,0:10,10,0", &l, err, sizeof err), 0);
    cr_expect_float_eq(avg_turnaround(&l, &P, PRED_SJF, NULL), (100 + 100 + 110) / 3.0, 1e-9);
    cr_expect_float_eq(avg_turnaround(&l, &P, PRED_STCF, NULL), (120 + 10 + 20) / 3.0, 1e-9);
    l = list("5,5,5");
    double resp;
    avg_turnaround(&l, &P, PRED_RR, &resp);
    cr_expect_float_eq(resp, 1, 1e-9, "RR with a 1-unit slice");
    avg_turnaround(&l, &P, PRED_FIFO, &resp);
    cr_expect_float_eq(resp, 5, 1e-9);
}

Test(predict, mlfq_boost_ends_starvation)
{
    char err[128];
    struct joblist l;
    /* a long job, then two that never stop issuing I/O at the top */
    cr_assert_eq(jl_parse_jlist("0,40,0:0,40,1:0,40,1", &l, err, sizeof err), 0);
    struct jl_params p = {.quantum = 4, .queues = 3, .allotment = 1, .io_time = 1,
                          .quanta = {4, 4, 4}, .stay = true};
    struct prediction no, yes;
    cr_assert_eq(predict(&l, &p, PRED_MLFQ, &no), 0);
    p.boost = 10;
    cr_assert_eq(predict(&l, &p, PRED_MLFQ, &yes), 0);
    cr_expect_lt(yes.job[0].end, no.job[0].end, "the boost lets the long job run sooner");
    pred_free(&no);
    pred_free(&yes);
}

Test(predict, the_parsers_refuse_what_is_wrong)
{
    struct joblist l;
    char err[128];
    cr_expect_eq(jl_parse_jlist("0,10", &l, err, sizeof err), -1);
    cr_expect_str_eq(err, "job 0: '0,10' is not start,run,iofreq");
    cr_expect_eq(jl_parse_jobs("3,,4", &l, err, sizeof err), -1);
    cr_expect_eq(jl_parse_jobs("3,-4", &l, err, sizeof err), -1);
    cr_expect_eq(jl_parse_jlist("0,0,0", &l, err, sizeof err), -1, "a job runs 1 unit or more");
    cr_expect_eq(jl_parse_jobs("1,2,3", &l, err, sizeof err), 0);
    cr_expect_eq(l.n, 3);
    long v[3];
    cr_expect_eq(jl_parse_ints("7", 3, 1, 10, v, err, sizeof err), 0);
    cr_expect(v[0] == 7 && v[2] == 7, "one value is for every job");
    cr_expect_eq(jl_parse_ints("1,2", 3, 1, 10, v, err, sizeof err), -1);
}

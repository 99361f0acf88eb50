/* test_preempt.c - preemption (runtime/yl/preempt.c): the checks of
 * tests/conc/preempt.c under each executor, which the TSan and AArch64
 * runners share, and what only Criterion runs: configuration, stackless
 * tasks, the programs' flag. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conc/conc.h"
#include "stackless.h"
#include "support/run.h"
#include "yl.h"

Test(preempt, spinning_tasks_are_preempted_single, .timeout = 90)
{
    cr_expect_eq(conc_preempt_spinners(YL_EXEC_SINGLE, 1), 0);
}

Test(preempt, spinning_tasks_are_preempted_sharded, .timeout = 90)
{
    cr_expect_eq(conc_preempt_spinners(YL_EXEC_SHARDED, 2), 0);
}

Test(preempt, spinning_tasks_are_preempted_stealing, .timeout = 90)
{
    cr_expect_eq(conc_preempt_spinners(YL_EXEC_STEALING, 2), 0);
}

Test(preempt, fp_state_survives_a_20us_quantum_single, .timeout = 150)
{
    cr_expect_eq(conc_preempt_fp(YL_EXEC_SINGLE, 1, 20), 0);
}

Test(preempt, fp_state_survives_a_20us_quantum_stealing, .timeout = 150)
{
    cr_expect_eq(conc_preempt_fp(YL_EXEC_STEALING, 2, 20), 0);
}

Test(preempt, disabled_section_is_never_cut_and_nests_single, .timeout = 90)
{
    cr_expect_eq(conc_preempt_disabled(YL_EXEC_SINGLE), 0);
}

Test(preempt, disabled_section_is_never_cut_and_nests_stealing, .timeout = 90)
{
    cr_expect_eq(conc_preempt_disabled(YL_EXEC_STEALING), 0);
}

Test(preempt, libc_and_libyl_stress_single, .timeout = 120)
{
    cr_expect_eq(conc_preempt_stress(YL_EXEC_SINGLE, 1, conc_preempt_stress_seconds()), 0);
}

Test(preempt, libc_and_libyl_stress_sharded, .timeout = 120)
{
    cr_expect_eq(conc_preempt_stress(YL_EXEC_SHARDED, 2, conc_preempt_stress_seconds()), 0);
}

Test(preempt, libc_and_libyl_stress_stealing, .timeout = 120)
{
    cr_expect_eq(conc_preempt_stress(YL_EXEC_STEALING, 2, conc_preempt_stress_seconds()), 0);
}

/* A stackless poll that overruns is counted, never cut. */
struct sl_spin {
    int unused;
};
static enum yl_poll sl_spin_poll(void *frame)
{
    (void)frame;
    volatile uint64_t x = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        for (int i = 0; i < 1000; i++)
            x = x + 1;
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 20000000L);
    return YL_READY;
}
static const struct yl_sl_def sl_spin_def = {"slspin", sl_spin_poll, sizeof(struct sl_spin),
                                             _Alignof(struct sl_spin)};
static void sl_main(void *arg)
{
    (void)arg;
    yl_task *t = yl_sl_spawn(&sl_spin_def, NULL);
    cr_assert_not_null(t);
    yl_join(t);
}

Test(preempt, stackless_overrun_is_counted_not_cut, .timeout = 30)
{
    yl_config c = {.preempt_us = 1000};
    cr_assert_eq(yl_run(&c, sl_main, NULL), 0);
    yl_stats st = yl_get_stats();
    cr_expect_eq(st.preempt_stackless, 1);
    cr_expect_eq(st.preemptions, 0);
    cr_expect_eq(st.preempt_signals, 0);
}

static void nothing(void *arg)
{
    (void)arg;
}

Test(preempt, off_sends_nothing)
{
    unsetenv("YL_PREEMPT_US");
    cr_assert_eq(yl_run(NULL, nothing, NULL), 0);
    yl_stats st = yl_get_stats();
    cr_expect_eq(st.preempt_signals + st.preemptions + st.preempt_deferred, 0);
}

Test(preempt, bad_env_value_is_one_line, .init = cr_redirect_stderr)
{
    setenv("YL_PREEMPT_US", "1ms", 1);
    cr_expect_eq(yl_run(NULL, nothing, NULL), -1);
    unsetenv("YL_PREEMPT_US");
    fflush(stderr);
    cr_expect_stderr_eq_str("yl: YL_PREEMPT_US: expected a whole number from 0 to 10000000, "
                            "got '1ms'\n");
}

static void enable_alone(void *arg)
{
    (void)arg;
    yl_preempt_enable();
}

Test(preempt, enable_without_disable_aborts, .signal = SIGABRT)
{
    yl_config c = {.preempt_us = 1000};
    yl_run(&c, enable_alone, NULL);
}

/* lag's hog, cut into slices: its units in the trace outnumber its bursts
 * (each burst ends in a yield point) only when it is preempted. */
static int hog_units(const char *trace_text)
{
    int n = 0;
    for (const char *p = trace_text; (p = strstr(p, ",hog,")); p++)
        n++;
    return n;
}

static int lag_hog_units(const char *preempt)
{
    char dir[] = "/tmp/yl-preempt-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char trace[64];
    snprintf(trace, sizeof trace, "%s/t.csv", dir);
    const char *argv[] = {bin_path(0, "tasks", "lag"), "--hog-ms", "40", "--ticks", "200",
                          "--trace", trace, "--preempt-us", preempt, NULL};
    char *out = NULL, *err = NULL;
    cr_assert_eq(run_prog(argv, &out, &err, 60), 0, "%s", err);
    FILE *f = fopen(trace, "r");
    cr_assert_not_null(f);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    unlink(trace);
    rmdir(dir);
    free(out);
    free(err);
    return hog_units(text);
}

Test(preempt, lag_hog_is_cut_into_slices_with_the_flag, .timeout = 120)
{
    int cooperative = lag_hog_units("0"), preemptive = lag_hog_units("1000");
    /* 200 ticks of 1 ms: about 5 bursts of 40 ms, or about 200 slices */
    cr_expect_leq(cooperative, 10, "without preemption: %d hog units", cooperative);
    cr_expect_geq(preemptive, 50, "with a 1 ms quantum: %d hog units", preemptive);
}

Test(preempt, bad_flag_value_is_one_line_exit_2)
{
    const char *argv[] = {bin_path(0, "tasks", "lag"), "--preempt-us", "-5", NULL};
    char *err = NULL;
    cr_expect_eq(run_prog(argv, NULL, &err, 20), 2);
    cr_expect_str_eq(err, "lag: --preempt-us: expected a whole number, got '-5'\n");
    free(err);
}

/* test_measure.c - the measurement helpers every program links (libbench):
 * statistics, CPU lists, the CSV format, /proc parsing, switch counts and
 * the unit synchronisation. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "measure.h"

/* ---- statistics ------------------------------------------------------ */

Test(measure, slope_of_a_line_is_exact)
{
    double x[] = {1, 10, 100, 1000, 10000};
    double y[5];
    for (int i = 0; i < 5; i++)
        y[i] = 4096.5 * x[i] + 123456;
    cr_expect_float_eq(stat_slope(x, y, 5), 4096.5, 1e-9);
}

Test(measure, slope_ignores_the_fixed_cost_and_averages_noise)
{
    /* 8 KiB per unit on top of 300 KiB fixed, with +-1 KiB alternating
     * noise: the slope stays close to 8 KiB. */
    double x[] = {1, 10, 100, 1000};
    double y[] = {300e3 + 8192 + 1024, 300e3 + 81920 - 1024, 300e3 + 819200 + 1024,
                  300e3 + 8192000 - 1024};
    double s = stat_slope(x, y, 4);
    cr_expect(fabs(s - 8192) < 5, "slope %f", s);
}

Test(measure, slope_needs_two_distinct_x)
{
    double x[] = {5, 5, 5}, y[] = {1, 2, 3};
    cr_expect(isnan(stat_slope(x, y, 1)));
    cr_expect(isnan(stat_slope(x, y, 3)));
    cr_expect(isnan(stat_slope(x, y, 0)));
}

Test(measure, slope_keeps_its_digits_at_a_million_units)
{
    double x[] = {1e5, 5e5, 1e6}, y[3];
    for (int i = 0; i < 3; i++)
        y[i] = 96 * x[i] + 4e9;
    cr_expect_float_eq(stat_slope(x, y, 3), 96.0, 1e-6);
}

Test(measure, percentiles_nearest_rank)
{
    double v[100];
    for (int i = 0; i < 100; i++)
        v[i] = 100 - i; /* 100..1, unsorted on purpose */
    struct pctl p = stat_pctl(v, 100);
    cr_expect_float_eq(p.p50, 50, 0);
    cr_expect_float_eq(p.p99, 99, 0);
    cr_expect_float_eq(p.max, 100, 0);
    cr_expect_float_eq(v[0], 1, 0, "stat_pctl sorts in place");
}

Test(measure, percentiles_of_few_values)
{
    double one[] = {7.5};
    struct pctl p = stat_pctl(one, 1);
    cr_expect_float_eq(p.p50, 7.5, 0);
    cr_expect_float_eq(p.p99, 7.5, 0);
    cr_expect_float_eq(p.max, 7.5, 0);

    double three[] = {3, 1, 2};
    p = stat_pctl(three, 3);
    cr_expect_float_eq(p.p50, 2, 0);
    cr_expect_float_eq(p.p99, 3, 0);
    cr_expect_float_eq(stat_percentile_sorted(three, 3, 34), 2, 0);
    cr_expect_float_eq(stat_percentile_sorted(three, 3, 33), 1, 0);

    p = stat_pctl(NULL, 0);
    cr_expect(isnan(p.p50) && isnan(p.p99) && isnan(p.max));
}

/* ---- CPU lists ------------------------------------------------------- */

Test(measure, cpu_list_parses_in_given_order)
{
    struct cpu_list l;
    char err[256];
    cr_assert_eq(cpus_parse("0,1", &l, err, sizeof err), 0, "%s", err);
    cr_expect_eq(l.n, 2);
    cr_expect_eq(l.cpu[0], 0);
    cr_expect_eq(l.cpu[1], 1);
    cr_assert_eq(cpus_parse("3,1", &l, err, sizeof err), 0);
    cr_expect(l.n == 2 && l.cpu[0] == 3 && l.cpu[1] == 1, "order kept: A first");
    cr_assert_eq(cpus_parse("0-3,8", &l, err, sizeof err), 0);
    cr_expect_eq(l.n, 5);
    cr_expect_eq(l.cpu[3], 3);
    cr_expect_eq(l.cpu[4], 8);
}

Test(measure, cpu_list_rejects_malformed_text)
{
    const char *bad[] = {"", "a", "0,", ",0", "1,1", "0-", "3-1", "-1", "0;1", "0 1",
                         "99999", NULL};
    struct cpu_list l;
    for (int i = 0; bad[i]; i++) {
        char err[256] = "";
        cr_expect_eq(cpus_parse(bad[i], &l, err, sizeof err), -1, "'%s' accepted", bad[i]);
        cr_expect_neq(err[0], '\0', "no message for '%s'", bad[i]);
    }
}

Test(measure, cpu_list_formats_for_the_csv)
{
    char buf[64];
    struct cpu_list none = {.n = 0};
    cpus_format(&none, buf, sizeof buf);
    cr_expect_str_eq(buf, "-");
    struct cpu_list one = {.n = 1, .cpu = {0}};
    cpus_format(&one, buf, sizeof buf);
    cr_expect_str_eq(buf, "0");
    struct cpu_list two = {.n = 2, .cpu = {0, 1}};
    cpus_format(&two, buf, sizeof buf);
    cr_expect_str_eq(buf, "0+1");
    struct cpu_list three = {.n = 3, .cpu = {2, 0, 17}};
    cpus_format(&three, buf, sizeof buf);
    cr_expect_str_eq(buf, "2+0+17");
}

Test(measure, usable_cpus_come_from_the_affinity_mask)
{
    struct cpu_list all;
    cr_assert_eq(cpus_usable(&all), 0);
    cr_assert_geq(all.n, 1);
    char err[256];
    cr_expect_eq(cpus_check(&all, err, sizeof err), 0, "%s", err);

    /* Narrow the mask as taskset would: the other CPUs become unusable. */
    struct cpu_list first = {.n = 1, .cpu = {all.cpu[0]}};
    cr_assert_eq(cpus_pin_self(&first), 0);
    struct cpu_list now;
    cr_assert_eq(cpus_usable(&now), 0);
    cr_expect_eq(now.n, 1);
    cr_expect_eq(now.cpu[0], all.cpu[0]);
    if (all.n > 1) {
        struct cpu_list other = {.n = 1, .cpu = {all.cpu[1]}};
        cr_expect_eq(cpus_check(&other, err, sizeof err), -1);
        char want[32];
        snprintf(want, sizeof want, "CPU %d", all.cpu[1]);
        cr_expect(strstr(err, want) != NULL, "message '%s' does not name %s", err, want);
    }
}

Test(measure, a_cpu_outside_the_mask_is_named)
{
    struct cpu_list l = {.n = 2, .cpu = {0, 1000}};
    char err[256];
    cr_expect_eq(cpus_check(&l, err, sizeof err), -1);
    cr_expect(strstr(err, "CPU 1000") != NULL, "message: %s", err);
}

Test(measure, cpus_flag_exits_2_naming_the_flag, .exit_code = 2, .init = cr_redirect_stderr)
{
    struct cpu_list l;
    cpus_flag("--cpus", "1000", &l);
}

/* ---- CSV ------------------------------------------------------------- */

Test(measure, csv_header_is_the_schema)
{
    cr_expect_str_eq(CSV_HEADER, "experiment,model,variant,cpus,n,metric,value,unit");
}

Test(measure, csv_row_has_eight_fields_and_exact_values)
{
    struct csv_key k = {.experiment = "spawn", .model = "threads", .variant = "stack16k",
                        .cpus = "0+1"};
    char buf[256];
    cr_assert_gt(csv_format_row(buf, sizeof buf, &k, 10000, "user_bytes_per_unit", 8192,
                                "B"), 0);
    cr_expect_str_eq(buf, "spawn,threads,stack16k,0+1,10000,user_bytes_per_unit,8192,B");
    csv_format_row(buf, sizeof buf, &k, 1, "ns_per_switch", 2310.25, "ns");
    cr_expect_str_eq(buf, "spawn,threads,stack16k,0+1,1,ns_per_switch,2310.25,ns");
    struct csv_key unpinned = {.experiment = "pingpong", .model = "procs", .variant = "pipe"};
    csv_format_row(buf, sizeof buf, &unpinned, 5, "switches", 10, "count");
    cr_expect_str_eq(buf, "pingpong,procs,pipe,-,5,switches,10,count");
}

Test(measure, csv_values_keep_ten_digits)
{
    char v[64];
    csv_format_value(v, sizeof v, 1.0 / 3.0);
    cr_expect_str_eq(v, "0.3333333333");
    csv_format_value(v, sizeof v, 123456789012.0);
    cr_expect_str_eq(v, "123456789012");
    csv_format_value(v, sizeof v, -102400);
    cr_expect_str_eq(v, "-102400");
    csv_format_value(v, sizeof v, 12.0000001);
    cr_expect_str_eq(v, "12.0000001");
    csv_format_value(v, sizeof v, NAN);
    cr_expect_str_eq(v, "nan");
}

Test(measure, csv_row_is_too_long_for_a_small_buffer)
{
    struct csv_key k = {.experiment = "spawn", .model = "tasks", .variant = "stackful"};
    char buf[16];
    cr_expect_eq(csv_format_row(buf, sizeof buf, &k, 1, "units", 1, "count"), -1);
}

/* Rows go to stdout; the human lines (stderr with --csv) are dropped. */
static void redirect_both(void)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
}

Test(measure, csv_header_printed_once_rows_on_stdout, .init = redirect_both)
{
    struct csv_key k = {.experiment = "spawn", .model = "procs", .variant = "fork"};
    cpus_format(&(struct cpu_list){.n = 1, .cpu = {0}}, k.cpus, sizeof k.cpus);
    csv_enable(true);
    csv_row(&k, 1, "units", 1, "count");
    csv_row(&k, 1, "create_ns", 1500, "ns");
    fflush(stdout);
    cr_expect_stdout_eq_str("experiment,model,variant,cpus,n,metric,value,unit\n"
                            "spawn,procs,fork,0,1,units,1,count\n"
                            "spawn,procs,fork,0,1,create_ns,1500,ns\n");
}

Test(measure, without_csv_stdout_gets_the_human_lines, .init = cr_redirect_stdout)
{
    struct csv_key k = {.experiment = "spawn", .model = "procs", .variant = "fork",
                        .cpus = "-"};
    csv_enable(false);
    csv_row(&k, 3, "units", 3, "count");
    fflush(stdout);
    cr_expect_stdout_eq_str("spawn procs/fork cpus=- n=3: units = 3 count\n");
}

/* ---- /proc ----------------------------------------------------------- */

Test(measure, meminfo_parse_reads_the_four_fields)
{
    const char text[] = "MemTotal:       24576000 kB\n"
                        "MemAvailable:   20000000 kB\n"
                        "Slab:              98284 kB\n"
                        "SReclaimable:      75000 kB\n"
                        "SUnreclaim:        22876 kB\n"
                        "KernelStack:        1352 kB\n"
                        "PageTables:         1356 kB\n"
                        "SecPageTables:         0 kB\n";
    struct meminfo m;
    cr_assert_eq(meminfo_parse(text, &m), 0);
    cr_expect_eq(m.mem_available, 20000000ull * 1024);
    cr_expect_eq(m.sunreclaim, 22876ull * 1024);
    cr_expect_eq(m.kernel_stack, 1352ull * 1024);
    cr_expect_eq(m.page_tables, 1356ull * 1024, "SecPageTables must not be taken");
    cr_expect_eq(meminfo_kernel_bytes(&m), (22876ull + 1352 + 1356) * 1024);
    cr_expect_eq(meminfo_parse("MemAvailable: 1 kB\nKernelStack: 2 kB\n", &m), -1);
}

Test(measure, meminfo_of_this_machine_is_sane)
{
    struct meminfo m;
    cr_assert_eq(meminfo_read(&m), 0);
    cr_expect_gt(m.kernel_stack, 0);
    cr_expect_gt(m.page_tables, 0);
    cr_expect_gt(m.sunreclaim, 0);
    cr_expect_gt(m.mem_available, 16ull << 20);
    /* A running system has at least one kernel stack per thread here. */
    cr_expect_geq(m.kernel_stack, 4096);
}

Test(measure, rollup_parse_tells_pss_from_pss_anon)
{
    const char text[] = "55d0c0a00000-7ffc0a8b3000 ---p 00000000 00:00 0   [rollup]\n"
                        "Rss:                1756 kB\n"
                        "Pss:                 443 kB\n"
                        "Pss_Dirty:           116 kB\n"
                        "Pss_Anon:            100 kB\n"
                        "Pss_File:            327 kB\n"
                        "Anonymous:           116 kB\n";
    struct rollup r;
    cr_assert_eq(rollup_parse(text, &r), 0);
    cr_expect_eq(r.rss, 1756 * 1024);
    cr_expect_eq(r.pss, 443 * 1024);
    cr_expect_eq(r.pss_anon, 100 * 1024);
    cr_expect_eq(r.anon, 116 * 1024);
}

Test(measure, rollup_of_self_grows_with_touched_memory)
{
    struct rollup a, b;
    cr_assert_eq(mem_rollup(0, &a), 0);
    cr_expect_gt(a.rss, 0);
    cr_expect_gt(a.pss, 0);
    cr_expect_gt(a.anon, 0);
    size_t len = 8 << 20;
    char *p = malloc(len);
    cr_assert_not_null(p);
    memset(p, 1, len);
    cr_assert_eq(mem_rollup(0, &b), 0);
    cr_expect_geq(b.anon, a.anon + len - (64 << 10), "anon %llu -> %llu",
                  (unsigned long long)a.anon, (unsigned long long)b.anon);
    free(p);
}

Test(measure, rollup_sum_counts_gone_pids)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0); /* reaped: its /proc entry is gone */
    pid_t pids[] = {getpid(), pid};
    size_t missing = 9;
    struct rollup s = mem_rollup_sum(pids, 2, &missing);
    cr_expect_eq(missing, 1);
    cr_expect_gt(s.pss, 0);
    struct mem_snap snap;
    cr_expect_eq(mem_snapshot(&snap, pids, 2), -1, "a snapshot over a dead pid is refused");
    cr_expect_eq(mem_snapshot(&snap, pids, 1), 0);
    cr_expect_eq(mem_snapshot(&snap, NULL, 0), 0);
    cr_expect_gt(snap.user.anon, 0);
    cr_expect_gt(meminfo_kernel_bytes(&snap.mi), 0);
}

Test(measure, limit_explain_names_the_error)
{
    char buf[512];
    limit_explain(EAGAIN, buf, sizeof buf);
    cr_expect(strncmp(buf, "EAGAIN: ", 8) == 0, "got: %s", buf);
    limit_explain(ENOMEM, buf, sizeof buf);
    cr_expect(strncmp(buf, "ENOMEM: ", 8) == 0, "got: %s", buf);
}

Test(measure, limit_explain_names_rlimit_as)
{
    /* Finite but huge: nothing here (a sanitizer's shadow included) can
     * hit it, yet it is a limit that is set. */
    struct rlimit rl = {.rlim_cur = 1ull << 62, .rlim_max = RLIM_INFINITY};
    cr_assert_eq(setrlimit(RLIMIT_AS, &rl), 0);
    char buf[512];
    limit_explain(ENOMEM, buf, sizeof buf);
    cr_expect(strstr(buf, "RLIMIT_AS") != NULL, "got: %s", buf);
}

/* ---- clock and switches ---------------------------------------------- */

Test(measure, clock_is_monotonic)
{
    uint64_t a = now_ns(), b = now_ns();
    cr_expect_geq(b, a);
    cr_expect_gt(a, 0);
}

Test(measure, blocking_counts_a_voluntary_switch)
{
    struct csw t0 = csw_get(RUSAGE_THREAD), s0 = csw_get(RUSAGE_SELF);
    for (int i = 0; i < 3; i++)
        usleep(1000);
    struct csw t = csw_diff(csw_get(RUSAGE_THREAD), t0);
    struct csw s = csw_diff(csw_get(RUSAGE_SELF), s0);
    cr_expect_geq(t.vol, 3);
    cr_expect_geq(s.vol, t.vol);
}

Test(measure, children_switches_arrive_when_reaped)
{
    struct csw c0 = csw_get(RUSAGE_CHILDREN);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        for (int i = 0; i < 3; i++)
            usleep(1000);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    struct csw c = csw_diff(csw_get(RUSAGE_CHILDREN), c0);
    cr_expect_geq(c.vol, 3);
}

/* ---- lining units up ------------------------------------------------- */

static struct usync ts;
static _Atomic int passed;

static void *arriver(void *arg)
{
    (void)arg;
    usync_arrive(&ts, 8);
    usync_wait_gate(&ts);
    atomic_fetch_add(&passed, 1);
    return NULL;
}

Test(measure, usync_holds_units_until_the_gate_opens)
{
    usync_reset(&ts);
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, arriver, NULL), 0);
    usync_wait_arrived(&ts, 8);
    cr_expect_eq(atomic_load(&ts.arrived), 8);
    usleep(20000);
    cr_expect_eq(atomic_load(&passed), 0, "a unit went through a closed gate");
    usync_open_gate(&ts);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    cr_expect_eq(atomic_load(&passed), 8);
}

/* ---- --n lists ------------------------------------------------------- */

Test(measure, number_lists_parse_in_order)
{
    uint64_t v[8];
    cr_assert_eq(cli_u64_list("--n", "1,1000,10000", 1, 1000000, v, 8), 3);
    cr_expect(v[0] == 1 && v[1] == 1000 && v[2] == 10000);
    cr_assert_eq(cli_u64_list("--n", "7", 1, 10, v, 8), 1);
    cr_expect_eq(v[0], 7);
}

Test(measure, number_list_with_a_hole_exits_2, .exit_code = 2, .init = cr_redirect_stderr)
{
    uint64_t v[8];
    cli_u64_list("--n", "1,,2", 1, 10, v, 8);
}

Test(measure, number_list_out_of_range_exits_2, .exit_code = 2, .init = cr_redirect_stderr)
{
    uint64_t v[8];
    cli_u64_list("--n", "0,5", 1, 10, v, 8);
}

/* test_syscalls.c - what a steady keep-alive request costs the tasks
 * server in system calls, counted exactly (yl-load --mode syscalls, perf
 * stat on the kernel's syscall tracepoints) under each executor: a read
 * and a write, and no epoll_ctl (the reactor registers a connection once,
 * not per wait). Counts, not speed; skipped where perf is not installed. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/run.h"

#define LOAD YL_BIN_DIR "/yl-load"

/* The value of metric in yl-load's CSV out (0 when there is no such row:
 * strace lists only the calls that were made). */
static double per_req(const char *out, const char *metric)
{
    char key[96];
    snprintf(key, sizeof key, ",%s,", metric);
    const char *p = strstr(out, key);
    return p ? strtod(p + strlen(key), NULL) : 0;
}

static const char *const execs[] = {"--exec single", "--exec sharded --workers 2",
                                    "--exec stealing --workers 2"};

static int exec_index[] = {0, 1, 2};

ParameterizedTestParameters(syscalls, keepalive_request_reads_writes_no_epoll_ctl)
{
    return cr_make_param_array(int, exec_index, sizeof exec_index / sizeof exec_index[0]);
}

ParameterizedTest(int *ix, syscalls, keepalive_request_reads_writes_no_epoll_ctl, .timeout = 120)
{
    const char *const *args = &execs[*ix];
    if (access("/usr/bin/perf", X_OK) != 0)
        cr_skip_test("perf is not installed (make deps)");
    const char *argv[] = {LOAD, "--server", "tasks/server", "--server-args", *args, "--mode",
                          "syscalls", "--conns", "500", "--csv", NULL};
    char *out = NULL, *err = NULL;
    int rc = run_prog(argv, &out, &err, 100);
    cr_assert_eq(rc, 0, "yl-load failed: %s", err);
    double total = per_req(out, "syscalls_per_req");
    cr_expect_gt(total, 0, "no total row: %s", out);
    cr_expect_eq(per_req(out, "syscalls_per_req_epoll_ctl"), 0, "%s: epoll_ctl per request\n%s",
                 *args, out);
    double rd = per_req(out, "syscalls_per_req_read"), wr = per_req(out, "syscalls_per_req_write");
    /* The request's read, and at most one more that finds the connection
     * empty (EAGAIN) before it parks; one write, and a stray wake-up's
     * eventfd write now and then. */
    cr_expect(rd >= 1 && rd <= 2, "%s: %g reads per request\n%s", *args, rd, out);
    cr_expect(wr >= 1 && wr < 1.05, "%s: %g writes per request\n%s", *args, wr, out);
    free(out);
    free(err);
}

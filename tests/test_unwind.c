/* test_unwind.c - a debugger unwinds through yl_ctx_switch: its .cfi
 * lines follow the pushes and pops, so gdb stopped inside the switch
 * sees the task's frames before the stack pointer load and the
 * scheduler's after it (x86-64; the AArch64 file has the same lines). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/run.h"

#if defined(__x86_64__)
/* gdb -batch on pingpong's yield game: stop in task B, then in the
 * switch it makes; a backtrace after the pushes (on B's stack), one just
 * after the load of the other stack pointer (the scheduler's), and one at
 * the final jump (the return address then lives in r8: bytes 41 ff e0).
 * Sections of the output are split by "@@" markers. */
static const char gdb_script[] =
    "set breakpoint pending on\n"
    "break player_b\n"
    "run\n"
    "break yl_ctx_switch\n"
    "continue\n"
    "set $to = *(long *)$rsi\n"
    "stepi 7\n"
    "echo @@pushed\\n\n"
    "bt\n"
    "while $rsp != $to\n"
    "  stepi\n"
    "end\n"
    "echo @@loaded\\n\n"
    "bt\n"
    "while *(unsigned short *)$pc != 0xff41\n"
    "  stepi\n"
    "end\n"
    "echo @@jump\\n\n"
    "x/i $pc\n"
    "bt\n"
    "echo @@end\\n\n"
    "kill\n";

static char *gdb_trace(void)
{
    char script[] = "/tmp/yl-unwind-XXXXXX";
    int fd = mkstemp(script);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, gdb_script, sizeof gdb_script - 1), (ssize_t)(sizeof gdb_script - 1));
    close(fd);
    const char *pp = bin_path(0, "tasks", "pingpong");
    const char *const argv[] = {"/usr/bin/gdb", "-batch", "-nx", "-x", script,
                                "--args", pp, "--variant", "yield", "--iters", "3", NULL};
    char *out = NULL;
    int st = run_prog(argv, &out, NULL, 120);
    unlink(script);
    cr_assert_neq(st, -1, "gdb could not be started (make deps installs it)");
    cr_assert_not_null(out);
    return out;
}

/* The text between marker a and the next "@@". */
static char *section(char *out, const char *a)
{
    char *s = strstr(out, a);
    cr_assert_not_null(s, "gdb output lacks %s:\n%s", a, out);
    s += strlen(a);
    char *e = strstr(s, "@@");
    if (e)
        *e = '\0';
    return s;
}

Test(unwind, gdb_backtrace_goes_through_the_switch, .timeout = 180)
{
    char *out = gdb_trace();
    char *copy = strdup(out);
    char *pushed = section(copy, "@@pushed");
    cr_expect(strstr(pushed, "#0  yl_ctx_switch"), "not stopped in the switch:\n%s", pushed);
    cr_expect(strstr(pushed, "player_b"), "the task's frames are lost after the pushes:\n%s",
              pushed);
    free(copy);
    copy = strdup(out);
    char *loaded = section(copy, "@@loaded");
    cr_expect(strstr(loaded, "yl_run") && strstr(loaded, "main"),
              "the scheduler's frames are lost after the stack switch:\n%s", loaded);
    free(copy);
    copy = strdup(out);
    char *jump = section(copy, "@@jump");
    cr_expect(strstr(jump, "jmp"), "not at the final jump:\n%s", jump);
    cr_expect(strstr(jump, "yl_run") && strstr(jump, "main"),
              "the return address in r8 is not followed:\n%s", jump);
    cr_expect(!strstr(jump, "corrupt stack"), "%s", jump);
    free(copy);
    free(out);
}
#endif

/* test_unwind.c - a debugger unwinds through yl_ctx_switch: its .cfi
 * lines follow the pushes and pops, so gdb stopped inside the switch
 * sees the task's frames before the stack pointer load and the
 * scheduler's after it (x86-64; the AArch64 file has the same lines). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "support/run.h"

#if defined(__x86_64__)
/* gdb -batch on pingpong's yield game: stop in task B, then in the
 * switch it makes; a backtrace after the pushes (on B's stack), one after
 * the load of the other stack pointer (the scheduler's), and one at the
 * final jump (the return address then lives in r8). Sections of the
 * output are split by "@@" markers. */
static char *gdb_trace(void)
{
    const char *pp = bin_path(0, "tasks", "pingpong");
    const char *const argv[] = {
        "/usr/bin/gdb", "-batch", "-nx",
        "-ex", "set breakpoint pending on", "-ex", "break player_b", "-ex", "run",
        "-ex", "break yl_ctx_switch", "-ex", "continue",
        "-ex", "stepi 7", "-ex", "echo @@pushed\\n", "-ex", "bt",
        "-ex", "stepi 4", "-ex", "echo @@loaded\\n", "-ex", "bt",
        "-ex", "stepi 10", "-ex", "echo @@jump\\n", "-ex", "x/i $pc", "-ex", "bt",
        "-ex", "echo @@end\\n", "-ex", "kill",
        "--args", pp, "--variant", "yield", "--iters", "3", NULL};
    char *out = NULL;
    int st = run_prog(argv, &out, NULL, 120);
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

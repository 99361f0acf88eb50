/* main_plain.c - the context-switch checks without Criterion, for a
 * cross-built static binary run under qemu-user (make test-aarch64). */
#include <stdio.h>

#include "regcheck.h"

int main(void)
{
    int passed = 0, failed = 0;
    struct {
        const char *name;
        int bad;
    } r[] = {
        {"callee-saved registers and FP control survive a switch", (int)regcheck_run()},
        {"1000 contexts in a ring, 20 laps", regcheck_ring(1000, 20)},
        {"returning from the entry lands in on_return", regcheck_on_return()},
        {"floating-point locals survive switches", regcheck_fp_locals()},
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        printf("%s: %s", r[i].bad ? "FAIL" : "ok", r[i].name);
        if (r[i].bad)
            printf(" (0x%x)", (unsigned)r[i].bad);
        printf("\n");
        r[i].bad ? failed++ : passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

/* regcheck.h - checks of the bare context switch (runtime/yl/ctx.h), in
 * plain C so they also run cross-built under qemu-aarch64 without Criterion.
 * Each returns 0 when the switch behaves, non-zero saying what broke. */
#ifndef YL_REGCHECK_H
#define YL_REGCHECK_H

/* Switches to a context that trashes every callee-saved register and the
 * FP control state; returns the mask of what was not restored. */
unsigned regcheck_run(void);

/* n contexts hand control around a ring for rounds laps; returns 0 when
 * each ran exactly rounds times and always after its predecessor. */
int regcheck_ring(int n, int rounds);

/* A context whose entry returns lands in on_return with its argument. */
int regcheck_on_return(void);

/* Floating-point locals survive a context's switches away and back. */
int regcheck_fp_locals(void);

#endif

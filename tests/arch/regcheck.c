/* regcheck.c - the context-switch checks of regcheck.h. */
#include "regcheck.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "ctx.h"

#define STACK (64 * 1024)

/* In regcheck_<arch>.S. */
unsigned regcheck_switch(yl_ctx *from, yl_ctx *to);
void regcheck_clobber(yl_ctx *self, yl_ctx *back);

static void *stack_new(void)
{
    void *p = mmap(NULL, STACK, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void stack_free(void *p)
{
    munmap(p, STACK);
}

/* ---- callee-saved registers ---- */

static yl_ctx main_ctx, other_ctx;

static void clobber_entry(void *arg)
{
    (void)arg;
    for (;;)
        regcheck_clobber(&other_ctx, &main_ctx);
}

static void never(void *arg)
{
    (void)arg;
    abort();
}

unsigned regcheck_run(void)
{
    void *s = stack_new();
    if (!s)
        return ~0u;
    yl_ctx_make(&other_ctx, s, STACK, clobber_entry, NULL, never, NULL);
    unsigned bad = 0;
    for (int i = 0; i < 3; i++) /* first entry, then resumes through clobber */
        bad |= regcheck_switch(&main_ctx, &other_ctx);
    stack_free(s);
    return bad;
}

/* ---- a ring of contexts ---- */

struct ring {
    int n, rounds;
    yl_ctx *ctx;    /* ctx[n] is the caller */
    int *runs;
    int last;       /* index that ran last */
    int errors;
};
static struct ring ring;

static void ring_entry(void *arg)
{
    int me = (int)(intptr_t)arg;
    for (int r = 0; r < ring.rounds; r++) {
        int expect = me == 0 ? ring.n - 1 : me - 1;
        if (ring.last != expect && !(me == 0 && r == 0))
            ring.errors++;
        ring.last = me;
        ring.runs[me]++;
        int next = me + 1 < ring.n ? me + 1 : 0;
        if (me == ring.n - 1 && r == ring.rounds - 1)
            next = ring.n; /* the lap is over: back to the caller */
        yl_ctx_switch(&ring.ctx[me], &ring.ctx[next]);
    }
    /* Only reached by the contexts that run one round more than needed:
     * none, since each switches away exactly `rounds` times. */
    ring.errors++;
    yl_ctx_switch(&ring.ctx[me], &ring.ctx[ring.n]);
}

int regcheck_ring(int n, int rounds)
{
    ring = (struct ring){.n = n, .rounds = rounds, .last = -1};
    ring.ctx = calloc((size_t)n + 1, sizeof *ring.ctx);
    ring.runs = calloc((size_t)n, sizeof *ring.runs);
    void **stacks = calloc((size_t)n, sizeof *stacks);
    int rc = 1;
    if (!ring.ctx || !ring.runs || !stacks)
        goto out;
    for (int i = 0; i < n; i++) {
        if (!(stacks[i] = stack_new()))
            goto out;
        yl_ctx_make(&ring.ctx[i], stacks[i], STACK, ring_entry, (void *)(intptr_t)i, never, NULL);
    }
    yl_ctx_switch(&ring.ctx[n], &ring.ctx[0]);
    rc = ring.errors != 0;
    for (int i = 0; i < n; i++)
        if (ring.runs[i] != rounds)
            rc = 1;
out:
    for (int i = 0; stacks && i < n; i++)
        if (stacks[i])
            stack_free(stacks[i]);
    free(stacks);
    free(ring.ctx);
    free(ring.runs);
    return rc;
}

/* ---- returning from the entry function ---- */

static int returned_with;

static void short_entry(void *arg)
{
    *(int *)arg += 1; /* and return: the trampoline must catch this */
}

static void caught(void *arg)
{
    returned_with = (int)(intptr_t)arg;
    yl_ctx_switch(&other_ctx, &main_ctx);
    abort(); /* never resumed */
}

int regcheck_on_return(void)
{
    void *s = stack_new();
    if (!s)
        return 1;
    int ran = 0;
    returned_with = 0;
    yl_ctx_make(&other_ctx, s, STACK, short_entry, &ran, caught, (void *)(intptr_t)42);
    yl_ctx_switch(&main_ctx, &other_ctx);
    stack_free(s);
    return !(ran == 1 && returned_with == 42);
}

/* ---- floating point ---- */

static volatile double fp_seen;

static void fp_entry(void *arg)
{
    (void)arg;
    double x = 1.0;
    for (int i = 0; i < 10; i++) {
        x = x * 1.5 + 0.25;
        yl_ctx_switch(&other_ctx, &main_ctx);
    }
    fp_seen = x;
    yl_ctx_switch(&other_ctx, &main_ctx);
}

int regcheck_fp_locals(void)
{
    void *s = stack_new();
    if (!s)
        return 1;
    double y = 2.0, want = 1.0;
    yl_ctx_make(&other_ctx, s, STACK, fp_entry, NULL, never, NULL);
    for (int i = 0; i < 11; i++) {
        y = y * 0.5 + 3.0; /* work on this side between the switches */
        yl_ctx_switch(&main_ctx, &other_ctx);
    }
    for (int i = 0; i < 10; i++)
        want = want * 1.5 + 0.25;
    stack_free(s);
    return !(fp_seen == want && y > 5.9 && y < 6.0);
}

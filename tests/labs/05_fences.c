/* 05_fences.c - lab 05, graded: the two seq_cst fences of the deque, the
 * bug of the lab's question 2.
 *
 * take: x86-64 lets a store wait in the store buffer while a later load
 * runs (the one reordering it allows), so an owner whose take lacks the
 * fence reads top before its new bottom is visible, and a thief then
 * steals the item the owner took. The race is tight; this test widens it
 * without touching the student's code: right before each take the owner
 * stores to cache lines it does not hold, so the store to bottom queues
 * behind them, while the thief steals twice in a row. One round in a few
 * hundred then shows the double take, when both threads get a CPU at
 * once: on a machine loaded far beyond its cores they rarely do, so the
 * fence is also looked for in the source (take_fence_in_source).
 *
 * steal: its fence (between the loads of top and bottom) matters in the
 * C11 model, but x86-64 and AArch64 keep two acquire loads in order, so no
 * run here can show it missing (qemu-aarch64 on an x86-64 host inherits
 * x86's order). That one is checked in the source instead. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deque.h"
#include "support/files.h"

#define ITEM(i) ((struct yl_task *)(uintptr_t)((i) + 16))
#define INDEX(x) ((long)(uintptr_t)(x) - 16)

/* --- take: owner against thief, round by round --------------------------- */

#define ROUNDS 200000L
#define POLLUTE_BYTES (64u << 20)
#define POLLUTE_STORES 50

static struct yl_deque dq;
static _Atomic long go_round, done_round;
static struct yl_task *stolen[2];

/* Spin, but let the other thread run when the machine is loaded: a
 * descheduled partner must not cost a whole time slice per round. */
static void wait_for(_Atomic long *v, long want)
{
    for (int spins = 0; atomic_load_explicit(v, memory_order_acquire) < want; spins++)
        if (spins > 2000)
            sched_yield();
}

static void *two_steals(void *arg)
{
    (void)arg;
    for (long r = 1; r <= ROUNDS; r++) {
        wait_for(&go_round, r);
        if (atomic_load(&go_round) > ROUNDS)
            break; /* the owner stopped early */
        for (int k = 0; k < 2; k++) {
            struct yl_task *x = yl_deque_steal(&dq);
            stolen[k] = x == YL_DEQUE_ABORT ? NULL : x;
        }
        atomic_store_explicit(&done_round, r, memory_order_release);
    }
    return NULL;
}

Test(fences, take_against_two_steals, .description = "[3 pts] owner's take against a thief's two steals on a 2-item deque, 200000 rounds: each item taken once", .timeout = 120)
{
    char *pollute = calloc(POLLUTE_BYTES, 1);
    cr_assert_not_null(pollute, "test setup: no memory for the 64 MiB scratch buffer");
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, two_steals, NULL), 0, "test setup: pthread_create failed");
    long next = 0, bad_round = 0, bad_item = -1;
    int bad_count = 0;
    for (long r = 1; r <= ROUNDS; r++) {
        long base = next;
        for (int k = 0; k < 2; k++)
            if (yl_deque_push(&dq, ITEM(next)))
                next++;
        atomic_store_explicit(&go_round, r, memory_order_release);
        /* Stores to lines this core does not hold: the store buffer fills,
         * and take's store to bottom waits behind them. */
        for (size_t i = 0; i < POLLUTE_STORES; i++)
            pollute[((size_t)r * POLLUTE_STORES + i) * 4160 % POLLUTE_BYTES] = (char)r;
        struct yl_task *own = yl_deque_take(&dq);
        wait_for(&done_round, r);
        int count[2] = {0, 0};
        struct yl_task *got[8] = {own, stolen[0], stolen[1]};
        int n = 3;
        struct yl_task *x;
        while (n < 8 && (x = yl_deque_take(&dq)))
            got[n++] = x;
        for (int k = 0; k < n; k++)
            if (got[k] && INDEX(got[k]) >= base && INDEX(got[k]) < base + 2)
                count[INDEX(got[k]) - base]++;
        for (int k = 0; k < 2 && !bad_round; k++)
            if (base + k < next && count[k] != 1) {
                bad_round = r, bad_item = k, bad_count = count[k];
            }
        if (bad_round || next != base + 2) {
            /* The deque's state is broken now: stop both threads. */
            atomic_store(&go_round, ROUNDS + 1);
            break;
        }
    }
    pthread_join(th, NULL);
    free(pollute);
    cr_expect_eq(next, bad_round ? next : 2 * ROUNDS,
                 "expected push to accept 2 items per round on an emptied deque; it refused one in round %ld",
                 next / 2 + 1);
    cr_expect_eq(bad_round, 0,
                 "expected each of the 2 items of a round taken exactly once (by the owner's take or "
                 "by one of the thief's steals); in round %ld item %ld was taken %d times",
                 bad_round, bad_item, bad_count);
}

/* --- steal: the fence, read in the source ----------------------------------- */

/* deque.c with comments and string literals blanked out. */
static char *code_of(const char *name)
{
    char *s = read_text(YL_SRC_DIR, name);
    if (!s)
        return NULL;
    for (char *p = s; *p; p++) {
        if (p[0] == '/' && p[1] == '*') {
            char *e = strstr(p + 2, "*/");
            char *end = e ? e + 2 : p + strlen(p);
            memset(p, ' ', (size_t)(end - p));
            p = end - 1;
        } else if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n')
                *p++ = ' ';
            if (!*p)
                break;
        } else if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    *p++ = ' ';
                *p = ' ';
            }
            if (!*p)
                break;
        }
    }
    return s;
}

/* The first whole-word occurrence of w in [from, to), or NULL. */
static const char *word(const char *from, const char *to, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = from; p && p + n <= to; p++) {
        p = strstr(p, w);
        if (!p || p + n > to)
            return NULL;
        bool left = p == from || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        bool right = !(isalnum((unsigned char)p[n]) || p[n] == '_');
        if (left && right)
            return p;
    }
    return NULL;
}

/* The statement around p: from the previous ';', '{' or '}' to the next ';'. */
static bool statement_has(const char *start, const char *p, const char *w)
{
    const char *a = p, *b = strchr(p, ';');
    while (a > start && !strchr(";{}", a[-1]))
        a--;
    return b && word(a, b, w);
}

/* The body of function fn in s, as [*body, *end); false when not found. */
static bool body_of(const char *s, const char *fn, const char **body, const char **end)
{
    char def[64];
    snprintf(def, sizeof def, "%s(struct", fn);
    const char *d = strstr(s, def);
    const char *b = d ? strchr(d, '{') : NULL, *e = b;
    if (!b)
        return false;
    for (int depth = 0; *e; e++) {
        depth += *e == '{';
        depth -= *e == '}';
        if (depth == 0)
            break;
    }
    *body = b, *end = e;
    return true;
}

/* Between a and b, a seq_cst fence; or the accesses at a and b both
 * seq_cst (the non-_explicit forms, or memory_order_seq_cst). */
static bool ordered(const char *body, const char *a, const char *b)
{
    bool fence = word(a, b, "yl_fence_seq_cst") || word(a, b, "__sync_synchronize") ||
                 ((word(a, b, "atomic_thread_fence") || word(a, b, "__atomic_thread_fence")) &&
                  (word(a, b, "memory_order_seq_cst") || word(a, b, "__ATOMIC_SEQ_CST")));
    bool sc_a = statement_has(body, a, "memory_order_seq_cst") || statement_has(body, a, "atomic_load") ||
                statement_has(body, a, "atomic_store") || statement_has(body, a, "atomic_exchange") ||
                statement_has(body, a, "atomic_fetch_sub") || statement_has(body, a, "atomic_fetch_add");
    bool sc_b = statement_has(body, b, "memory_order_seq_cst") || statement_has(body, b, "atomic_load");
    return fence || (sc_a && sc_b);
}

/* deque.c without comments (malloc'd), with [*body, *end) the body of fn;
 * the test fails when either cannot be found. */
static char *deque_fn(const char *fn, const char **body, const char **end)
{
    char *s = code_of("runtime/yl/deque.c");
    cr_assert_not_null(s, "could not read runtime/yl/deque.c");
    cr_assert(body_of(s, fn, body, end), "expected the definition of %s(struct yl_deque *d) in deque.c; not found",
              fn);
    return s;
}

Test(fences, take_fence_in_source, .description = "[1 pt] take: a seq_cst fence between its store to bottom and its load of top (checked in deque.c, as the race above may not run on a busy machine)", .timeout = 60)
{
    const char *body, *end;
    char *s = deque_fn("yl_deque_take", &body, &end);
    /* The first statement that writes bottom (the first mention may be a load). */
    const char *store = NULL;
    for (const char *p = body; !store && (p = word(p, end, "bottom")); p++)
        if (statement_has(body, p, "atomic_store_explicit") || statement_has(body, p, "atomic_store") ||
            statement_has(body, p, "atomic_exchange_explicit") || statement_has(body, p, "atomic_exchange") ||
            statement_has(body, p, "atomic_fetch_sub_explicit") || statement_has(body, p, "atomic_fetch_sub"))
            store = p;
    cr_assert_not_null(store, "expected take to lower bottom with an atomic store first; it never stores bottom");
    const char *top = word(store, end, "top");
    cr_assert_not_null(top, "expected take to read top after lowering bottom; it never does");
    cr_expect(ordered(body, store, top),
              "expected a seq_cst fence (yl_fence_seq_cst()) between take's store to bottom and its load of top, "
              "or both seq_cst; found neither");
    free(s);
}

Test(fences, steal_fence_in_source, .description = "[1 pt] steal: a seq_cst fence between its loads of top and bottom (checked in deque.c: no machine here can show it missing)", .timeout = 60)
{
    const char *body, *end;
    char *s = deque_fn("yl_deque_steal", &body, &end);
    const char *top = word(body, end, "top");
    cr_assert_not_null(top, "expected steal to read top first, then bottom; it never reads top");
    const char *bottom = word(top, end, "bottom");
    cr_assert_not_null(bottom, "expected steal to read bottom after top; it never does");
    cr_expect(ordered(body, top, bottom),
              "expected a seq_cst fence (yl_fence_seq_cst()) between steal's load of top and its load of "
              "bottom, or both loads seq_cst; found neither");
    free(s);
}

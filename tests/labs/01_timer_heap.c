/* 01_timer_heap.c - lab 01, graded: the timer min-heap on its own
 * (runtime/yl/timer_heap.c), checked against a plain reference model. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The reference: the timer that must come out next is the one with the
 * smallest (deadline, arm order). */
static int ref_cmp(const void *a, const void *b)
{
    const yl_task *x = *(yl_task *const *)a, *y = *(yl_task *const *)b;
    if (x->deadline_ns != y->deadline_ns)
        return x->deadline_ns < y->deadline_ns ? -1 : 1;
    return x->timer_seq < y->timer_seq ? -1 : x->timer_seq > y->timer_seq;
}

static uint64_t rng_state;
static uint64_t rnd(uint64_t n)
{
    rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
    return (rng_state >> 33) % n;
}

/* Heap shape: no element fires before its parent; heap_idx is the index. */
static void expect_heap(const struct yl_timer_heap *h)
{
    for (size_t i = 0; i < h->len; i++) {
        cr_assert_eq(h->v[i]->heap_idx, i, "v[%zu]->heap_idx is %zu", i, h->v[i]->heap_idx);
        if (i > 0)
            cr_assert_geq(ref_cmp(&h->v[i], &h->v[(i - 1) / 2]), 0,
                          "v[%zu] fires before its parent v[%zu]: not a min-heap", i,
                          (i - 1) / 2);
    }
}

Test(timer_heap, empty_heap_has_nothing, .description = "[1 pt] peek and pop on an empty heap give NULL")
{
    struct yl_timer_heap h = {0};
    cr_expect_null(yl__timer_peek(&h), "expected peek on an empty heap to give NULL; it gave a timer");
    cr_expect_null(yl__timer_pop(&h), "expected pop on an empty heap to give NULL; it gave a timer");
    yl__timer_free(&h);
}

Test(timer_heap, pops_in_deadline_order, .description = "[3 pts] 1000 timers with distinct deadlines pop in deadline order")
{
    enum { N = 1000 };
    static yl_task t[N], *want[N];
    struct yl_timer_heap h = {0};
    rng_state = 1;
    memset(t, 0, sizeof t);
    for (int i = 0; i < N; i++) { /* a shuffled permutation of distinct deadlines */
        int j = (int)rnd((uint64_t)i + 1);
        t[i].deadline_ns = t[j].deadline_ns;
        t[j].deadline_ns = 1000 + (uint64_t)i * 7;
    }
    for (int i = 0; i < N; i++) {
        cr_assert(yl__timer_add(&h, &t[i], t[i].deadline_ns), "expected add %d to succeed; it returned false", i);
        want[i] = &t[i];
    }
    qsort(want, N, sizeof want[0], ref_cmp);
    for (int i = 0; i < N; i++) {
        yl_task *got = yl__timer_pop(&h);
        cr_assert_eq(got, want[i], "pop %d: deadline %llu, expected %llu", i,
                     got ? (unsigned long long)got->deadline_ns : 0ull,
                     (unsigned long long)want[i]->deadline_ns);
    }
    cr_expect_null(yl__timer_pop(&h), "expected the heap empty after %d pops; pop gave one more timer", N);
    yl__timer_free(&h);
}

Test(timer_heap, ties_pop_in_arm_order, .description = "[3 pts] equal deadlines pop in the order they were armed")
{
    enum { N = 300 };
    static yl_task t[N], *want[N];
    struct yl_timer_heap h = {0};
    rng_state = 2;
    memset(t, 0, sizeof t);
    for (int i = 0; i < N; i++) {
        cr_assert(yl__timer_add(&h, &t[i], 10 + rnd(4)), "expected add %d to succeed; it returned false", i);
        want[i] = &t[i];
    }
    qsort(want, N, sizeof want[0], ref_cmp);
    for (int i = 0; i < N; i++) {
        yl_task *got = yl__timer_pop(&h);
        cr_assert_eq(got, want[i], "pop %d: expected timer number %td (in arm order, from 0); got %s %td", i,
                     want[i] - t, got ? "number" : "NULL, number", got ? got - t : -1);
    }
    yl__timer_free(&h);
}

Test(timer_heap, peek_shows_the_next_pop, .description = "[2 pts] peek returns the timer pop returns next, and keeps it")
{
    yl_task t[3];
    memset(t, 0, sizeof t);
    struct yl_timer_heap h = {0};
    cr_assert(yl__timer_add(&h, &t[0], 50), "expected add to succeed; it returned false");
    cr_assert(yl__timer_add(&h, &t[1], 20), "expected add to succeed; it returned false");
    cr_assert(yl__timer_add(&h, &t[2], 20), "expected add to succeed; it returned false");
    for (int k = 0; k < 3; k++) {
        yl_task *p = yl__timer_peek(&h);
        cr_expect_eq(yl__timer_peek(&h), p, "two peeks disagree");
        cr_expect_eq(h.len, (size_t)(3 - k), "peek changed the heap's size");
        cr_expect_eq(yl__timer_pop(&h), p, "pop %d did not return what peek showed", k);
    }
    yl__timer_free(&h);
}

Test(timer_heap, interleaved_like_a_scheduler, .description = "[3 pts] random adds and pops agree with a reference at every step")
{
    enum { N = 4000 };
    static yl_task t[N];
    static yl_task *ref[N];
    size_t nref = 0;
    struct yl_timer_heap h = {0};
    memset(t, 0, sizeof t);
    rng_state = 3;
    uint64_t now = 0;
    int next = 0;
    for (int step = 0; step < 3 * N && (next < N || nref); step++) {
        if (next < N && (nref == 0 || rnd(3) != 0)) {
            yl_task *x = &t[next++];
            cr_assert(yl__timer_add(&h, x, now + rnd(50)), "step %d: expected add to succeed; it returned false", step);
            ref[nref++] = x;
        } else {
            qsort(ref, nref, sizeof ref[0], ref_cmp);
            yl_task *got = yl__timer_pop(&h);
            cr_assert_eq(got, ref[0],
                         "step %d: expected pop to give the timer due at %llu (armed as number %td); got %s%llu (number %td)",
                         step, (unsigned long long)ref[0]->deadline_ns, ref[0] - t, got ? "the one due at " : "NULL ",
                         got ? (unsigned long long)got->deadline_ns : 0ull, got ? got - t : -1);
            now = got->deadline_ns; /* time moves on to the fired deadline */
            memmove(ref, ref + 1, --nref * sizeof ref[0]);
        }
        cr_assert_eq(h.len, nref, "step %d: the heap holds %zu timers, not %zu", step, h.len, nref);
    }
    yl__timer_free(&h);
}

Test(timer_heap, is_a_heap_with_indexes, .description = "[2 pts] v[] keeps the min-heap shape and every heap_idx after each operation")
{
    enum { N = 500 };
    static yl_task t[N];
    struct yl_timer_heap h = {0};
    memset(t, 0, sizeof t);
    rng_state = 4;
    for (int i = 0; i < N; i++) {
        cr_assert(yl__timer_add(&h, &t[i], rnd(100)), "expected add %d to succeed; it returned false", i);
        expect_heap(&h);
    }
    for (int i = 0; i < N; i++) {
        yl_task *got = yl__timer_pop(&h);
        cr_assert_not_null(got, "pop %d of %d: expected a timer; got NULL", i + 1, N);
        cr_assert_eq(got->heap_idx, SIZE_MAX, "a popped timer keeps heap_idx %zu", got->heap_idx);
        expect_heap(&h);
    }
    yl__timer_free(&h);
}

Test(timer_heap, holds_many_timers, .description = "[1 pt] 100000 timers: the array grows and order holds")
{
    enum { N = 100000 };
    yl_task *t = calloc(N, sizeof *t);
    cr_assert_not_null(t, "test setup: out of memory");
    struct yl_timer_heap h = {0};
    for (int i = 0; i < N; i++) /* deadlines N-1 .. 0, each twice-ish */
        cr_assert(yl__timer_add(&h, &t[i], (uint64_t)(N - i) / 2), "expected add %d to succeed; it returned false", i);
    uint64_t last = 0, last_seq = 0;
    for (int i = 0; i < N; i++) {
        yl_task *x = yl__timer_pop(&h);
        cr_assert_not_null(x, "pop %d of %d: expected a timer; got NULL", i + 1, N);
        cr_assert(x->deadline_ns > last || (x->deadline_ns == last && x->timer_seq > last_seq) || i == 0,
                  "pop %d: expected a deadline after %llu (or the same, armed later); got %llu (seq %llu after %llu)", i,
                  (unsigned long long)last, (unsigned long long)x->deadline_ns, (unsigned long long)x->timer_seq,
                  (unsigned long long)last_seq);
        last = x->deadline_ns;
        last_seq = x->timer_seq;
    }
    yl__timer_free(&h);
    free(t);
}

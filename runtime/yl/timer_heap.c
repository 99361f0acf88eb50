/* timer_heap.c - sleeping tasks in a binary min-heap by (deadline, seq).
 *
 * seq is the order in which timers were armed, so two equal deadlines fire
 * in arm order: the scheduler stays deterministic even with a coarse clock.
 */
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"

#ifndef YL_HANDOUT_LAB01
static bool before(const yl_task *a, const yl_task *b)
{
    if (a->deadline_ns != b->deadline_ns)
        return a->deadline_ns < b->deadline_ns;
    return a->timer_seq < b->timer_seq;
}

static void place(struct yl_timer_heap *h, size_t i, yl_task *t)
{
    h->v[i] = t;
    t->heap_idx = i;
}
#endif

bool yl__timer_add(struct yl_timer_heap *h, yl_task *t, uint64_t deadline_ns)
{
    if (h->len == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        yl_task **v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return false;
        h->v = v;
        h->cap = cap;
    }
    t->deadline_ns = deadline_ns;
    t->timer_seq = h->seq++;
#ifndef YL_HANDOUT_LAB01
    size_t i = h->len++;
    while (i > 0) { /* sift up */
        size_t parent = (i - 1) / 2;
        if (!before(t, h->v[parent]))
            break;
        place(h, i, h->v[parent]);
        i = parent;
    }
    place(h, i, t);
#else
    /* LAB 01: keep h->v[0 .. h->len) a binary min-heap ordered by
     * (deadline_ns, timer_seq), the children of v[i] being v[2i+1] and
     * v[2i+2]: put t in the first free slot and move it up while it must
     * fire before its parent. Keep t->heap_idx equal to t's index in h->v.
     * This stub only appends, so timers come out in the order they were
     * armed, whatever their deadlines. */
    t->heap_idx = h->len;
    h->v[h->len++] = t;
#endif
    return true;
}

yl_task *yl__timer_peek(const struct yl_timer_heap *h)
{
    return h->len ? h->v[0] : NULL;
}

yl_task *yl__timer_pop(struct yl_timer_heap *h)
{
    if (!h->len)
        return NULL;
    yl_task *top = h->v[0];
#ifndef YL_HANDOUT_LAB01
    yl_task *last = h->v[--h->len];
    size_t i = 0;
    for (;;) { /* sift the last element down from the root */
        size_t c = 2 * i + 1;
        if (c >= h->len)
            break;
        if (c + 1 < h->len && before(h->v[c + 1], h->v[c]))
            c++;
        if (!before(h->v[c], last))
            break;
        place(h, i, h->v[c]);
        i = c;
    }
    if (h->len)
        place(h, i, last);
#else
    /* LAB 01: remove the root and fill the hole with the last element,
     * moved down while one of its children must fire before it (always
     * towards the child that fires first). Keep heap_idx right. This stub
     * shifts everything left: arm order again, and O(n) per pop. */
    h->len--;
    for (size_t i = 0; i < h->len; i++) {
        h->v[i] = h->v[i + 1];
        h->v[i]->heap_idx = i;
    }
#endif
    top->heap_idx = SIZE_MAX;
    return top;
}

void yl__timer_free(struct yl_timer_heap *h)
{
    free(h->v);
    h->v = NULL;
    h->len = h->cap = 0;
}

/* policy_heap.c - the binary min-heap the O(log n) classes keep their
 * entities in (sjf, stcf, stride, fair, eevdf), ordered by (key, seq): at
 * equal keys the entity enqueued first comes out first. Each entity knows
 * its position (hidx), so one can be taken out of the middle. */
#include <stdlib.h>

#include "policy.h"

static bool less(const struct yl_se *a, const struct yl_se *b)
{
    return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}

static void put(struct yl_heap *h, size_t i, struct yl_se *se)
{
    h->v[i] = se;
    se->hidx = i;
}

static void sift_up(struct yl_heap *h, size_t i)
{
    struct yl_se *se = h->v[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!less(se, h->v[p]))
            break;
        put(h, i, h->v[p]);
        i = p;
    }
    put(h, i, se);
}

static void sift_down(struct yl_heap *h, size_t i)
{
    struct yl_se *se = h->v[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->len)
            break;
        if (c + 1 < h->len && less(h->v[c + 1], h->v[c]))
            c++;
        if (!less(h->v[c], se))
            break;
        put(h, i, h->v[c]);
        i = c;
    }
    put(h, i, se);
}

bool yl__heap_push(struct yl_heap *h, struct yl_se *se)
{
    if (h->len == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        struct yl_se **v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return false;
        h->v = v;
        h->cap = cap;
    }
    h->v[h->len] = se;
    sift_up(h, h->len++);
    return true;
}

void yl__heap_push_or_die(struct yl_heap *h, struct yl_se *se)
{
    if (!yl__heap_push(h, se)) {
        yl__err("out of memory in a run queue");
        abort();
    }
}

void yl__heap_del(struct yl_heap *h, struct yl_se *se)
{
    size_t i = se->hidx;
    se->hidx = SIZE_MAX;
    struct yl_se *last = h->v[--h->len];
    if (i == h->len)
        return;
    put(h, i, last);
    sift_down(h, i);
    sift_up(h, last->hidx);
}

struct yl_se *yl__heap_pop(struct yl_heap *h)
{
    struct yl_se *se = yl__heap_peek(h);
    if (se)
        yl__heap_del(h, se);
    return se;
}

void yl__heap_free(struct yl_heap *h)
{
    free(h->v);
    h->v = NULL;
    h->len = h->cap = 0;
}

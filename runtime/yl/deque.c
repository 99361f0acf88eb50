/* deque.c - Chase-Lev on a fixed ring, with the C11 memory orders of Lê et
 * al. (their Figure 1), minus the resize: a full ring makes push fail and
 * the caller moves half of it to the global queue instead. */
#include "deque.h"
#include "san.h"

#include <stddef.h>

#define MASK (YL_DEQUE_SIZE - 1)

bool yl_deque_push(struct yl_deque *d, struct yl_task *t)
{
#ifndef YL_HANDOUT_LAB05
    int64_t b = atomic_load_explicit(&d->bottom, YL_RELAXED);
    int64_t tp = atomic_load_explicit(&d->top, YL_ACQUIRE);
    if (b - tp >= YL_DEQUE_SIZE)
        return false;
    atomic_store_explicit(&d->buf[b & MASK], t, YL_RELAXED);
    /* The task must be visible before a thief can see the new bottom. */
    yl_fence_release();
    atomic_store_explicit(&d->bottom, b + 1, YL_RELAXED);
    return true;
#else
    /* LAB 05: put t in slot bottom of the ring unless it is full (bottom -
     * top == YL_DEQUE_SIZE: return false), then publish the new bottom so a
     * thief that sees it also sees the task. This stub keeps nothing: every
     * task spills to the global queue. */
    (void)d, (void)t;
    return false;
#endif
}

struct yl_task *yl_deque_take(struct yl_deque *d)
{
#ifndef YL_HANDOUT_LAB05
    int64_t b = atomic_load_explicit(&d->bottom, YL_RELAXED) - 1;
    atomic_store_explicit(&d->bottom, b, YL_RELAXED);
    /* Publish the claim on slot b before reading top: pairs with the
     * thieves' fence, so owner and thief cannot both take the last one. */
    yl_fence_seq_cst();
    int64_t t = atomic_load_explicit(&d->top, YL_RELAXED);
    struct yl_task *x = NULL;
    if (t <= b) {
        x = atomic_load_explicit(&d->buf[b & MASK], YL_RELAXED);
        if (t == b) {
            /* The last one: race the thieves for it on top. */
            if (!atomic_compare_exchange_strong_explicit(&d->top, &t, t + 1,
                                                         memory_order_seq_cst,
                                                         YL_RELAXED))
                x = NULL;
            atomic_store_explicit(&d->bottom, b + 1, YL_RELAXED);
        }
    } else {
        atomic_store_explicit(&d->bottom, b + 1, YL_RELAXED);
    }
    return x;
#else
    /* LAB 05: claim slot bottom-1 by lowering bottom, then read top. More
     * than one left: it is yours. Exactly one: race the thieves for it with
     * a CAS on top. None: put bottom back. This stub finds nothing. */
    (void)d;
    return NULL;
#endif
}

struct yl_task *yl_deque_steal(struct yl_deque *d)
{
#ifndef YL_HANDOUT_LAB05
    int64_t t = atomic_load_explicit(&d->top, YL_ACQUIRE);
    yl_fence_seq_cst();
    int64_t b = atomic_load_explicit(&d->bottom, YL_ACQUIRE);
    if (t >= b)
        return NULL;
    struct yl_task *x = atomic_load_explicit(&d->buf[t & MASK], YL_RELAXED);
    if (!atomic_compare_exchange_strong_explicit(&d->top, &t, t + 1, memory_order_seq_cst,
                                                 YL_RELAXED))
        return YL_DEQUE_ABORT;
    return x;
#else
    /* LAB 05: read top, then bottom; if top < bottom, read the task at top
     * and claim it with a CAS of top to top+1 (a failed CAS: return
     * YL_DEQUE_ABORT). This stub never steals. */
    (void)d;
    return NULL;
#endif
}

int64_t yl_deque_size(struct yl_deque *d)
{
    int64_t b = atomic_load_explicit(&d->bottom, YL_RELAXED);
    int64_t t = atomic_load_explicit(&d->top, YL_RELAXED);
    return b > t ? b - t : 0;
}

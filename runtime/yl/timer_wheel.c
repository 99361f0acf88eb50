/* timer_wheel.c - a hierarchical timing wheel (Varghese and Lauck, 1987;
 * the layout of Linux's classic timer wheel), the structure that holds a
 * million sleeping tasks.
 *
 * Time is cut into 1 ms ticks and ticks into 256-tick blocks. Level 0 has
 * one slot per tick for the current block and the next one (512 slots);
 * level 1 has 256 slots of one block each, level 2 of 256 blocks, level 3
 * of 65536 blocks: 2^32 ticks, 49 days, in 1280 lists. A timer goes into
 * the coarsest slot that still tells it apart from now, linked through
 * the node in its task: no allocation per sleep, O(1) arm and cancel.
 *
 * Timers move down a level ("cascade") as their time comes nearer. The
 * classic wheel moves a whole level-1 slot at the instant its block
 * begins; with a million tasks armed within 100 ms that is up to a million
 * timers moved in one go, a stall of milliseconds right when the first of
 * them are due. Here level 0 reaches one block further ahead, and the
 * level-1 slot of the next block is spread into it during the current
 * block, what is left over the ticks left, once per tick (the worker
 * looks at every tick while a spread is under way, and at every block
 * start), done by the time the block ends. Higher levels cascade whole, at
 * least a block ahead of the timers they hold.
 *
 * Nothing fires early: a deadline is rounded up to the end of its tick,
 * and the slot of tick T is emptied once the clock has reached T ms. A
 * level-0 slot is kept in deadline order (it is already when deadlines
 * were armed in order; else it is sorted before it is looked into), so
 * a worker with nothing else to do can sleep until the exact first
 * deadline of the tick under way and take out just what is due then:
 * timers fire in the heap's order, and when the worker is idle at the
 * heap's time. (A busy worker takes whole ticks: the tasks due would
 * queue behind the ready ones anyway, and one batch per tick is cheaper.)
 * A deadline already past when armed goes on a "due" list that fires at
 * the worker's next look, as it would in a heap.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MASK (YL_WHEEL_SLOTS - 1)
#define L0_MASK (YL_WHEEL_L0 - 1)
#define SPAN_BITS (YL_WHEEL_BITS * YL_WHEEL_LEVELS) /* 32: the reach in ticks */
#define SPREAD_MIN 64 /* a level-1 slot this small moves at once */

static yl_task *task_of(struct yl_tlink *l)
{
    return (yl_task *)((char *)l - offsetof(struct yl_task, tlink));
}

static void list_init(struct yl_tlink *s)
{
    s->next = s->prev = s;
}

static bool list_empty(const struct yl_tlink *s)
{
    return s->next == s;
}

static void list_append(struct yl_tlink *s, struct yl_tlink *n)
{
    n->prev = s->prev;
    n->next = s;
    s->prev->next = n;
    s->prev = n;
}

static void unlink_node(struct yl_tlink *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = NULL;
}

/* Moves the whole list from to the (empty) list to. */
static void list_move(struct yl_tlink *from, struct yl_tlink *to)
{
    if (list_empty(from)) {
        list_init(to);
        return;
    }
    *to = *from;
    to->next->prev = to;
    to->prev->next = to;
    list_init(from);
}

static uint64_t tick_of(uint64_t ns)
{
    return ns / YL_WHEEL_TICK_NS + (ns % YL_WHEEL_TICK_NS != 0); /* rounded up */
}

static bool bit_test(const uint64_t *bits, unsigned i)
{
    return bits[i / 64] & (1ull << (i % 64));
}

static void bit_set(uint64_t *bits, unsigned i)
{
    bits[i / 64] |= 1ull << (i % 64);
}

static void bit_clear(uint64_t *bits, unsigned i)
{
    bits[i / 64] &= ~(1ull << (i % 64));
}

/* The first set bit in [from, to] (to inclusive, within one map), or -1. */
static int next_bit(const uint64_t *bits, unsigned from, unsigned to)
{
    for (unsigned w = from / 64; w <= to / 64; w++) {
        uint64_t m = bits[w];
        if (w == from / 64)
            m &= ~0ull << (from % 64);
        if (m) {
            unsigned i = w * 64 + (unsigned)__builtin_ctzll(m);
            return i <= to ? (int)i : -1;
        }
    }
    return -1;
}

void yl__wheel_destroy(struct yl_wheel *wh)
{
    free(wh->scratch);
    wh->scratch = NULL;
    wh->scratch_cap = 0;
}

void yl__wheel_init(struct yl_wheel *wh, uint64_t now_ns)
{
    memset(wh, 0, sizeof *wh);
    wh->cur = now_ns / YL_WHEEL_TICK_NS;
    for (unsigned i = 0; i < YL_WHEEL_L0; i++)
        list_init(&wh->l0[i]);
    for (int l = 0; l < YL_WHEEL_LEVELS - 1; l++)
        for (unsigned i = 0; i < YL_WHEEL_SLOTS; i++)
            list_init(&wh->slot[l][i]);
    list_init(&wh->due);
    list_init(&wh->pending);
}

/* Puts t in the slot its deadline falls in, seen from tick wh->cur. */
static void place(struct yl_wheel *wh, yl_task *t)
{
    uint64_t e = tick_of(t->deadline_ns);
    if (e < wh->cur)
        e = wh->cur; /* cannot happen with a monotonic clock; fire it next */
    uint64_t block = wh->cur & ~(uint64_t)MASK;
    if (e < block + YL_WHEEL_L0) { /* this block or the next: level 0 */
        unsigned i = (unsigned)e & L0_MASK;
        struct yl_tlink *s = &wh->l0[i];
        if (!list_empty(s) && task_of(s->prev)->deadline_ns > t->deadline_ns)
            bit_set(wh->l0_unsorted, i);
        list_append(s, &t->tlink);
        bit_set(wh->l0_bits, i);
        return;
    }
    /* Levels 1.. work as a classic wheel whose "now" is one block ahead:
     * the level-1 slot of a block is spread during the block before. */
    uint64_t base = wh->cur + YL_WHEEL_SLOTS;
    if ((e - base) >> SPAN_BITS) /* beyond 49 days: park it in the farthest */
        e = base + (1ull << SPAN_BITS) - 1; /* slot, placed again when reached */
    int l = 1;
    while (l < YL_WHEEL_LEVELS - 1 && (e - base) >> (YL_WHEEL_BITS * (l + 1)))
        l++;
    unsigned i = (unsigned)(e >> (YL_WHEEL_BITS * l)) & MASK;
    list_append(&wh->slot[l - 1][i], &t->tlink);
    bit_set(wh->bits[l - 1], i);
    if (l == 1)
        wh->l1_count[i]++;
}

void yl__wheel_add(struct yl_wheel *wh, yl_task *t, uint64_t deadline_ns, uint64_t now_ns)
{
    t->deadline_ns = deadline_ns;
    uint64_t now_tick = now_ns / YL_WHEEL_TICK_NS;
    if (wh->count == 0 && wh->cur < now_tick)
        wh->cur = now_tick; /* empty: catch up without walking idle blocks */
    wh->count++;
    if (deadline_ns <= now_ns)
        list_append(&wh->due, &t->tlink);
    else
        place(wh, t);
}

void yl__wheel_del(struct yl_wheel *wh, yl_task *t)
{
    /* The slot's bit may stay set: an empty slot costs one look when its
     * tick comes, cheaper than finding out here which slot it was. */
    unlink_node(&t->tlink);
    wh->count--;
}

/* Places up to max timers of the pending level-1 slot into level 0. */
static void spread(struct yl_wheel *wh, size_t max)
{
    for (size_t k = 0; k < max && !list_empty(&wh->pending); k++) {
        struct yl_tlink *l = wh->pending.next;
        unlink_node(l);
        place(wh, task_of(l));
        wh->pending_moved++;
    }
}

/* Places every timer of slot s again, from tick wh->cur. */
static void replace_all(struct yl_wheel *wh, struct yl_tlink *s)
{
    struct yl_tlink tmp;
    list_move(s, &tmp);
    while (!list_empty(&tmp)) {
        struct yl_tlink *l = tmp.next;
        unlink_node(l);
        place(wh, task_of(l));
    }
}

/* wh->cur has just entered a new block: the level-1 slot of the block
 * after it starts spreading, and higher levels cascade when they wrap. */
static void new_block(struct yl_wheel *wh)
{
    spread(wh, SIZE_MAX); /* this block's: the last of them, if any */
    uint64_t base = wh->cur + YL_WHEEL_SLOTS;
    unsigned i = (unsigned)(base >> YL_WHEEL_BITS) & MASK;
    if (bit_test(wh->bits[0], i)) {
        bit_clear(wh->bits[0], i);
        list_move(&wh->slot[0][i], &wh->pending);
        wh->pending_block = wh->spread_tick = wh->cur;
        wh->pending_total = wh->l1_count[i];
        wh->pending_moved = 0;
        if (wh->pending_total < SPREAD_MIN)
            spread(wh, SIZE_MAX);
    }
    wh->l1_count[i] = 0;
    for (int l = 2; l < YL_WHEEL_LEVELS && i == 0; l++) {
        i = (unsigned)(base >> (YL_WHEEL_BITS * l)) & MASK;
        if (bit_test(wh->bits[l - 1], i)) {
            bit_clear(wh->bits[l - 1], i);
            replace_all(wh, &wh->slot[l - 1][i]);
        }
    }
}

/* Moves this tick's share of the pending slot: what is left, over the
 * ticks left in the block, once per tick. A worker that comes late (a
 * long unit, a sleep across the block start) spreads the rest evenly
 * instead of catching up in one go. */
static void spread_share(struct yl_wheel *wh, uint64_t now_tick)
{
    if (list_empty(&wh->pending) || now_tick < wh->spread_tick)
        return;
    uint64_t end = wh->pending_block + YL_WHEEL_SLOTS; /* all spread by then */
    uint64_t ticks = end > now_tick ? end - now_tick : 1;
    size_t left = wh->pending_total > wh->pending_moved ? wh->pending_total - wh->pending_moved
                                                        : SPREAD_MIN;
    spread(wh, (size_t)((left + ticks - 1) / ticks));
    wh->spread_tick = now_tick + 1;
}

/* Moves the whole list s, in order, into a NULL-terminated chain through
 * ->next, written at *tail, and counts it off *count; returns the new
 * tail. Sorts by deadline (stable) when it was not in order. */
static yl_task **take_slot(struct yl_wheel *wh, struct yl_tlink *s, yl_task **tail,
                           size_t *count);

/* A stable merge sort of a chain by deadline: for short chains, and when
 * there is no memory for the radix sort below. */
static yl_task *merge_sort(yl_task *h)
{
    if (!h || !h->next)
        return h;
    yl_task *slow = h, *fast = h->next;
    while (fast && fast->next) {
        slow = slow->next;
        fast = fast->next->next;
    }
    yl_task *b = slow->next;
    slow->next = NULL;
    yl_task *a = merge_sort(h);
    b = merge_sort(b);
    yl_task *out = NULL, **tail = &out;
    while (a && b) {
        yl_task **take = b->deadline_ns < a->deadline_ns ? &b : &a;
        *tail = *take;
        tail = &(*take)->next;
        *take = (*take)->next;
    }
    *tail = a ? a : b;
    return out;
}

struct yl_tsort {
    uint32_t key; /* ns into the tick: all of a slot's timers share one tick */
    yl_task *t;
};

/* Sorts a chain of n timers of one tick by deadline. Out-of-order arms
 * scatter a slot over memory, so a sort that chases the links log n times
 * pays a cache miss at every step; instead the keys are read once into an
 * array and sorted there, two stable passes of 10 bits (a tick is 10^6 ns,
 * under 2^20), and the chain is relinked once. */
static yl_task *sort_chain(struct yl_wheel *wh, yl_task *h, size_t n)
{
    if (n < 32)
        return merge_sort(h);
    if (n > wh->scratch_cap) {
        struct yl_tsort *v = realloc(wh->scratch, 2 * n * sizeof *v);
        if (!v)
            return merge_sort(h);
        wh->scratch = v;
        wh->scratch_cap = n;
    }
    struct yl_tsort *a = wh->scratch, *b = a + n;
    size_t k = 0;
    for (yl_task *t = h; t; t = t->next) /* deadline d is in ((T-1) ms, T ms] */
        a[k++] = (struct yl_tsort){(uint32_t)((t->deadline_ns - 1) % YL_WHEEL_TICK_NS), t};
    for (unsigned shift = 0; shift < 20; shift += 10) {
        size_t cnt[1025] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[((a[i].key >> shift) & 1023) + 1]++;
        for (unsigned d = 0; d < 1024; d++)
            cnt[d + 1] += cnt[d];
        for (size_t i = 0; i < n; i++)
            b[cnt[(a[i].key >> shift) & 1023]++] = a[i];
        struct yl_tsort *x = a;
        a = b;
        b = x;
    }
    for (size_t i = 0; i + 1 < n; i++)
        a[i].t->next = a[i + 1].t;
    a[n - 1].t->next = NULL;
    return a[0].t;
}

static yl_task **take_slot(struct yl_wheel *wh, struct yl_tlink *s, yl_task **tail,
                           size_t *count)
{
    yl_task **t = tail;
    uint64_t last = 0;
    size_t n = 0;
    bool sorted = true;
    for (struct yl_tlink *l = s->next; l != s; l = l->next) {
        yl_task *x = task_of(l);
        sorted &= x->deadline_ns >= last;
        last = x->deadline_ns;
        *t = x;
        t = &x->next;
        n++;
    }
    *t = NULL;
    *count -= n;
    list_init(s);
    if (sorted) /* the usual case: deadlines were armed in order */
        return t;
    *tail = sort_chain(wh, *tail, n);
    while (*tail)
        tail = &(*tail)->next;
    return tail;
}

/* Puts slot i of level 0 in deadline order, if it is not. */
static void sort_slot(struct yl_wheel *wh, unsigned i)
{
    if (!bit_test(wh->l0_unsorted, i))
        return;
    bit_clear(wh->l0_unsorted, i);
    struct yl_tlink *s = &wh->l0[i];
    yl_task *chain = NULL;
    size_t n = 0;
    take_slot(wh, s, &chain, &n); /* sorts it */
    for (yl_task *t = chain, *nx; t; t = nx) {
        nx = t->next; /* the list node overlays the link (internal.h) */
        list_append(s, &t->tlink);
    }
}

/* The slot of the tick under way (wh->cur, once every earlier tick is
 * done): takes out its first timers, those due by now_ns. Not at a
 * block's first tick, whose slot may still be filling (new_block). */
static yl_task **take_due_part(struct yl_wheel *wh, uint64_t now_ns, yl_task **tail)
{
    unsigned i = (unsigned)wh->cur & L0_MASK;
    if ((wh->cur & MASK) == 0 || !bit_test(wh->l0_bits, i))
        return tail;
    sort_slot(wh, i);
    struct yl_tlink *s = &wh->l0[i];
    while (!list_empty(s) && task_of(s->next)->deadline_ns <= now_ns) {
        yl_task *t = task_of(s->next);
        unlink_node(&t->tlink);
        *tail = t;
        tail = &t->next;
        wh->count--;
    }
    *tail = NULL;
    if (list_empty(s))
        bit_clear(wh->l0_bits, i);
    return tail;
}

yl_task *yl__wheel_expire(struct yl_wheel *wh, uint64_t now_ns, bool exact)
{
    yl_task *out = NULL, **tail = &out;
    if (!list_empty(&wh->due))
        tail = take_slot(wh, &wh->due, tail, &wh->count);
    uint64_t now_tick = now_ns / YL_WHEEL_TICK_NS;
    while (wh->cur <= now_tick) {
        if (wh->count == 0) {
            wh->cur = now_tick + 1; /* nothing to cascade or fire */
            break;
        }
        if ((wh->cur & MASK) == 0)
            new_block(wh);
        unsigned i = (unsigned)wh->cur & L0_MASK;
        if (bit_test(wh->l0_bits, i)) {
            bit_clear(wh->l0_bits, i);
            bit_clear(wh->l0_unsorted, i);
            tail = take_slot(wh, &wh->l0[i], tail, &wh->count);
        }
        /* Skip the empty slots, up to the next one in use or the block's
         * end, where the next block's work begins. */
        int n = (i & MASK) == MASK ? -1 : next_bit(wh->l0_bits, i + 1, i | MASK);
        uint64_t next = n > (int)i ? wh->cur + (unsigned)n - i : (wh->cur | MASK) + 1;
        wh->cur = next < now_tick + 1 ? next : now_tick + 1;
    }
    if (exact && wh->cur == now_tick + 1)
        tail = take_due_part(wh, now_ns, tail);
    spread_share(wh, now_tick);
    return out;
}

uint64_t yl__wheel_next_ns(const struct yl_wheel *wh)
{
    if (!list_empty(&wh->due))
        return 0;
    if (wh->count == 0)
        return UINT64_MAX;
    /* A block not begun yet (its first tick unprocessed) or a slot still
     * being spread: look again at the next tick, so the spreading goes a
     * share per tick instead of all at once when a timer comes due. */
    if ((wh->cur & MASK) == 0 || !list_empty(&wh->pending))
        return wh->cur * YL_WHEEL_TICK_NS;
    unsigned i = (unsigned)wh->cur & L0_MASK;
    int n = next_bit(wh->l0_bits, i, i | MASK);
    uint64_t tick = n >= 0 ? wh->cur + (unsigned)n - i : (wh->cur | MASK) + 1;
    const struct yl_tlink *s = n >= 0 ? &wh->l0[n] : NULL;
    if (s && !list_empty(s) && !bit_test(wh->l0_unsorted, (unsigned)n))
        return task_of(s->next)->deadline_ns; /* the exact first deadline */
    return tick * YL_WHEEL_TICK_NS;
}

/* slab.c - the memory tasks live in: headers, stackless frames, fibers.
 *
 * A million tasks means a million small objects made in a burst, and on a
 * VM a page's first touch costs microseconds. So objects are cut, in size
 * classes, out of big mappings: the first chunk is 64 KiB (a program with
 * a few tasks stays small), each next one twice the size up to 32 MiB,
 * and from 2 MiB on they are 2 MiB-aligned and marked MADV_HUGEPAGE, so
 * one fault brings in room for some 37 000 stackless tasks instead of 73.
 * A freed object goes on its class's free list (LIFO: the warmest first)
 * and nothing goes back to the kernel before yl_run ends, when every
 * chunk is unmapped at once, whatever tasks were left behind.
 *
 * One spin lock guards it all: an allocation is a few instructions, so
 * workers rarely meet there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "san.h"
#include "spin.h"

/* Small classes go every 8 bytes, so a stackless task of a 48-byte header
 * and a 2-byte frame takes 56 bytes, not 64. An object whose class is a
 * multiple of 16 is placed on a 16-byte boundary (max_align_t), the others
 * on 8: a type's size is a multiple of its alignment, so whatever needs 16
 * (a frame with a long double, a fiber) has a size that lands in a class
 * of 16s, and an 8-byte class only holds what needs 8 at most. */
#define GRAIN 8u                /* small classes: every GRAIN bytes */
#define ALIGN 16u               /* objects of 16-multiple classes */
#define SMALL_MAX 1024u         /* classes every GRAIN bytes up to here */
#define NSMALL (SMALL_MAX / GRAIN)
#define LARGE_MAX (64u * 1024)  /* then powers of two up to here */
#define NCLASS (NSMALL + 6)
#define CHUNK_MIN (64u * 1024)
#define CHUNK_MAX (32u * 1024 * 1024)
#define HUGE_PAGE (2u * 1024 * 1024)

struct chunk {
    struct chunk *next;
    size_t len;
};

struct yl_slab {
    yl_spinlock lock;
    char *bump, *end;        /* the unused rest of the newest chunk */
    size_t next_len;         /* size of the next chunk */
    struct chunk *chunks;    /* every chunk, for yl__slab_destroy */
    void *free[NCLASS];      /* freed objects, linked through their first word */
    uint64_t live;           /* bytes handed out and not freed */
};

static unsigned class_of(size_t size)
{
    if (size <= SMALL_MAX)
        return size ? (unsigned)((size + GRAIN - 1) / GRAIN - 1) : 0;
    unsigned c = NSMALL;
    for (size_t s = 2 * SMALL_MAX; s < size; s *= 2)
        c++;
    return c;
}

static size_t class_size(unsigned c)
{
    return c < NSMALL ? (size_t)(c + 1) * GRAIN : (size_t)SMALL_MAX << (c - NSMALL + 1);
}

size_t yl__slab_size(size_t size)
{
    return size > LARGE_MAX ? 0 : class_size(class_of(size));
}

struct yl_slab *yl__slab_new(void)
{
    struct yl_slab *s = calloc(1, sizeof *s);
    if (s)
        s->next_len = CHUNK_MIN;
    return s;
}

/* An anonymous mapping of len bytes aligned to align (a power of two). */
static void *map_aligned(size_t len, size_t align)
{
    size_t over = len + (align > 4096 ? align : 0);
    char *p = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (over == len)
        return p;
    char *a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
    if (a > p)
        munmap(p, (size_t)(a - p));
    if (a + len < p + over)
        munmap(a + len, (size_t)(p + over - (a + len)));
    return a;
}

/* A fresh chunk big enough for one object of size; false: no memory. */
static bool grow(struct yl_slab *s, size_t size)
{
    size_t len = s->next_len;
    while (len < size + sizeof(struct chunk))
        len *= 2;
    bool huge = len >= HUGE_PAGE;
    struct chunk *c = map_aligned(len, huge ? HUGE_PAGE : 4096);
    if (!c)
        return false;
    if (huge)
        madvise(c, len, MADV_HUGEPAGE); /* a hint: without THP it does nothing */
    c->len = len;
    c->next = s->chunks;
    s->chunks = c;
    s->bump = (char *)c + ((sizeof *c + ALIGN - 1) & ~(size_t)(ALIGN - 1));
    s->end = (char *)c + len;
    if (s->next_len < CHUNK_MAX)
        s->next_len = len * 2 < CHUNK_MAX ? len * 2 : CHUNK_MAX;
    return true;
}

void *yl__slab_alloc(struct yl_slab *s, size_t size)
{
    if (size > LARGE_MAX) {
        errno = EINVAL;
        return NULL;
    }
    unsigned c = class_of(size);
    size_t csize = class_size(c);
    void *p;
    yl_spin_lock(&s->lock);
    if ((p = s->free[c])) {
        yl_san_unpoison(p, csize);
        s->free[c] = *(void **)p;
        s->live += csize;
        yl_spin_unlock(&s->lock);
        memset(p, 0, csize); /* reused: zero it, as a fresh one is */
        return p;
    }
    /* A 16-multiple class starts on 16; after an 8-byte class the bump
     * may be 8 off, and those 8 bytes are left unused. */
    size_t pad = csize % ALIGN == 0 ? (ALIGN - (uintptr_t)s->bump % ALIGN) % ALIGN : 0;
    if ((size_t)(s->end - s->bump) < pad + csize) {
        if (!grow(s, csize)) {
            yl_spin_unlock(&s->lock);
            errno = ENOMEM;
            return NULL;
        }
        pad = 0; /* a fresh chunk's bump is 16-aligned */
    }
    p = s->bump + pad;
    s->bump = (char *)p + csize;
    s->live += csize;
    yl_spin_unlock(&s->lock);
    return p; /* never used: still the zeroes mmap gave */
}

void yl__slab_free(struct yl_slab *s, void *p, size_t size)
{
    unsigned c = class_of(size);
    size_t csize = class_size(c);
    yl_spin_lock(&s->lock);
    *(void **)p = s->free[c];
    s->free[c] = p;
    s->live -= csize;
    /* Under ASan a use of a freed task is reported, as after free(). */
    yl_san_poison(p, csize);
    yl_spin_unlock(&s->lock);
}

uint64_t yl__slab_live_bytes(struct yl_slab *s)
{
    yl_spin_lock(&s->lock);
    uint64_t v = s->live;
    yl_spin_unlock(&s->lock);
    return v;
}

void yl__slab_destroy(struct yl_slab *s)
{
    if (!s)
        return;
    struct chunk *c = s->chunks;
    while (c) {
        struct chunk *next = c->next;
        size_t len = c->len;
        yl_san_unpoison(c, len); /* the next mapping here starts clean */
        munmap(c, len);
        c = next;
    }
    free(s);
}

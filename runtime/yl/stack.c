/* stack.c - the stack pool: stackful tasks' stacks, carved out of big
 * mappings and reused.
 *
 * One mmap per stack would cost a system call and a mapping each; instead
 * an arena of up to 32 MiB (MAP_NORESERVE: untouched pages cost nothing)
 * is cut into slots, one per stack, each with a PROT_NONE guard page below
 * it so an overflow faults at once instead of corrupting a neighbour. A
 * finished task's stack goes on a free list and is handed out again as it
 * is: its touched pages stay resident and are not zeroed a second time.
 *
 * The limit: a guard page splits the arena's mapping, so each guarded
 * stack costs two entries of the process's map (the guard and the stack),
 * and vm.max_map_count (65530 by default) caps a process near 32k guarded
 * stacks. The pool counts the mappings it makes and refuses, with one
 * clear message, before the kernel would; YL_STACK_GUARD=0 gives stacks
 * without guards (one mapping per arena), and YL_MAX_MAP_COUNT pretends
 * the limit is lower (to test that path).
 *
 * Under ASan a stack in the pool is poisoned, so a pointer into a dead
 * task's stack is reported, and unpoisoned when it is handed out again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "san.h"
#include "spin.h"

#define ARENA_BYTES (32u * 1024 * 1024)
#define ARENA_SLOTS_MAX 1024
/* Mappings left for everything else the program maps after its stacks. */
#define MAP_HEADROOM 256

/* The stacks of one size. */
struct yl_stack_class {
    struct yl_stack_class *next;
    size_t size;             /* usable bytes, a page multiple */
    size_t slot;             /* size plus the guard page, if any */
    char *bump, *end;        /* the uncarved rest of the newest arena */
    void **free;             /* stack_lo of stacks back in the pool (LIFO) */
    size_t nfree, cap;
};

struct arena {
    struct arena *next;
    void *base;
    size_t len;
};

struct yl_stack_pool {
    yl_spinlock lock;
    bool guard;
    size_t page;
    long max_maps;           /* vm.max_map_count, or YL_MAX_MAP_COUNT */
    bool max_from_env;
    long maps;               /* the process's mappings at start, plus ours */
    bool warned;
    struct yl_stack_class *classes;
    struct arena *arenas;
    uint64_t carved, reused;
};

static long count_lines(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    long n = 0;
    int c;
    while ((c = getc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static long read_long(const char *path, long dflt)
{
    FILE *f = fopen(path, "re");
    long v = dflt;
    if (f) {
        if (fscanf(f, "%ld", &v) != 1)
            v = dflt;
        fclose(f);
    }
    return v;
}

struct yl_stack_pool *yl__stacks_new(bool guard)
{
    struct yl_stack_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->guard = guard;
    p->page = (size_t)sysconf(_SC_PAGESIZE);
    const char *env = getenv("YL_MAX_MAP_COUNT");
    if (env && *env) {
        p->max_maps = atol(env);
        p->max_from_env = true;
    } else {
        p->max_maps = read_long("/proc/sys/vm/max_map_count", 65530);
    }
    p->maps = guard ? count_lines("/proc/self/maps") : 0;
    return p;
}

static struct yl_stack_class *class_for(struct yl_stack_pool *p, size_t size)
{
    struct yl_stack_class *c;
    for (c = p->classes; c; c = c->next)
        if (c->size == size)
            return c;
    if (!(c = calloc(1, sizeof *c)))
        return NULL;
    c->size = size;
    c->slot = size + (p->guard ? p->page : 0);
    c->next = p->classes;
    p->classes = c;
    return c;
}

static bool new_arena(struct yl_stack_pool *p, struct yl_stack_class *c)
{
    size_t slots = ARENA_BYTES / c->slot;
    slots = slots < 1 ? 1 : slots > ARENA_SLOTS_MAX ? ARENA_SLOTS_MAX : slots;
    struct arena *a = malloc(sizeof *a);
    if (!a)
        return false;
    a->len = slots * c->slot;
    a->base = mmap(NULL, a->len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (a->base == MAP_FAILED) {
        free(a);
        return false; /* errno from mmap: ENOMEM, RLIMIT_AS */
    }
    a->next = p->arenas;
    p->arenas = a;
    p->maps++;
    c->bump = a->base;
    c->end = (char *)a->base + a->len;
    return true;
}

/* Says once why no more guarded stacks can be made. */
static void map_limit(struct yl_stack_pool *p)
{
    if (!p->warned)
        yl__err("no room for another guarded stack: vm.max_map_count is %ld%s and each "
                "guarded stack takes 2 mappings (%llu made); raise it (sysctl -w "
                "vm.max_map_count=N) or set YL_STACK_GUARD=0 for stacks without guard pages",
                p->max_maps, p->max_from_env ? " (YL_MAX_MAP_COUNT)" : "",
                (unsigned long long)p->carved);
    p->warned = true;
    errno = ENOMEM;
}

/* Cuts a new stack out of c's arena; NULL with errno set when it cannot. */
static char *carve(struct yl_stack_pool *p, struct yl_stack_class *c)
{
    if (p->guard && p->maps + 2 > p->max_maps - MAP_HEADROOM) {
        map_limit(p);
        return NULL;
    }
    if ((size_t)(c->end - c->bump) < c->slot && !new_arena(p, c))
        return NULL;
    char *slot = c->bump;
    if (p->guard) {
        if (mprotect(slot, p->page, PROT_NONE) != 0) {
            if (errno == ENOMEM)
                map_limit(p); /* the kernel's count, if ours was off */
            return NULL;
        }
        p->maps += 2;
    }
    c->bump += c->slot;
    p->carved++;
    return slot + (c->slot - c->size);
}

bool yl__stack_alloc(struct yl_fiber *f, size_t size)
{
    struct yl_stack_pool *p = yl__rt()->stacks;
    size = (size + p->page - 1) & ~(p->page - 1);
    yl_spin_lock(&p->lock);
    struct yl_stack_class *c = class_for(p, size);
    char *lo = NULL;
    bool reused = false;
    if (!c) {
        errno = ENOMEM;
    } else if (c->nfree) {
        lo = c->free[--c->nfree];
        p->reused++;
        reused = true;
    } else {
        lo = carve(p, c);
    }
    yl_spin_unlock(&p->lock);
    if (!lo)
        return false;
    if (reused)
        yl_san_unpoison(lo, size); /* not zeroed: only made usable again */
    f->stack_lo = lo;
    f->stack_size = size;
    f->stack_class = c;
    return true;
}

void yl__stack_free(struct yl_fiber *f)
{
    struct yl_stack_class *c = f->stack_class;
    if (!c)
        return;
    struct yl_stack_pool *p = yl__rt()->stacks;
    /* Frames that never returned (the task switched away for good) may
     * have left ASan poison of their own: replace it with ours. */
    yl_san_poison(f->stack_lo, c->size);
    yl_spin_lock(&p->lock);
    if (c->nfree == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        void **v = realloc(c->free, cap * sizeof *v);
        if (v) {
            c->free = v;
            c->cap = cap;
        }
    }
    if (c->nfree < c->cap)
        c->free[c->nfree++] = f->stack_lo;
    /* else: no memory for the list; the stack stays mapped until the end */
    yl_spin_unlock(&p->lock);
    f->stack_class = NULL;
    f->stack_lo = NULL;
}

void yl__stacks_stats(struct yl_stack_pool *p, uint64_t *carved, uint64_t *reused)
{
    yl_spin_lock(&p->lock);
    *carved = p->carved;
    *reused = p->reused;
    yl_spin_unlock(&p->lock);
}

void yl__stacks_destroy(struct yl_stack_pool *p)
{
    if (!p)
        return;
    for (struct arena *a = p->arenas, *next; a; a = next) {
        next = a->next;
        /* Clean shadow memory for whatever is mapped here next. */
        yl_san_unpoison(a->base, a->len);
        munmap(a->base, a->len);
        free(a);
    }
    for (struct yl_stack_class *c = p->classes, *next; c; c = next) {
        next = c->next;
        free(c->free);
        free(c);
    }
    free(p);
}

/* stack.c - one mmap per task stack, with a PROT_NONE guard page below it
 * so an overflow faults at once instead of corrupting a neighbour. */
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "san.h"

static size_t page_size(void)
{
    static size_t ps;
    if (!ps)
        ps = (size_t)sysconf(_SC_PAGESIZE);
    return ps;
}

bool yl__stack_alloc(yl_task *t, size_t size)
{
    size_t ps = page_size();
    size = (size + ps - 1) & ~(ps - 1);
    size_t len = size + ps;
    /* MAP_NORESERVE: untouched stack pages cost nothing, so a big default
     * stack does not count against overcommit. */
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (p == MAP_FAILED)
        return false;
    if (mprotect(p, ps, PROT_NONE) != 0) {
        munmap(p, len);
        return false;
    }
    t->map_base = p;
    t->map_len = len;
    t->stack_lo = (char *)p + ps;
    t->stack_size = size;
    return true;
}

void yl__stack_free(yl_task *t)
{
    if (!t->map_base)
        return;
    /* ASan may still hold poison for frames that never returned here. */
    yl_san_unpoison(t->stack_lo, t->stack_size);
    munmap(t->map_base, t->map_len);
    t->map_base = t->stack_lo = NULL;
    t->map_len = t->stack_size = 0;
}

/* worker.c - which worker the calling thread is: a thread-local pointer,
 * set when a thread becomes a worker and cleared when it stops being one. */
#include "internal.h"

__thread struct yl_worker *yl__tls_worker;

/* Never inlined (see internal.h): a task that migrates must read the
 * pointer of the thread it runs on now, not one cached before a yield. */
__attribute__((noinline)) struct yl_worker *yl__worker(void)
{
    return yl__tls_worker;
}

void yl__set_worker(struct yl_worker *w)
{
    yl__tls_worker = w;
}

/* join.c - who waits for which task: a side table instead of a field in
 * every task header. Most tasks are never joined while still running
 * (they are detached, or finished by the time their handle is joined),
 * so a pointer per task would be paid by a million tasks for a few.
 *
 * Open addressing with linear probing on the joinee's address, at most
 * half full; a removal shifts the following entries back, so there are
 * no tombstones. One spin lock: an operation is a few probes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"
#include "spin.h"

static size_t slot_of(const struct yl_joins *j, const yl_task *t)
{
    uint64_t h = (uint64_t)(uintptr_t)t * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 32) & (j->cap - 1);
}

/* Doubles the table (or makes the first one); false when out of memory. */
static bool grow(struct yl_joins *j)
{
    size_t cap = j->cap ? 2 * j->cap : 64;
    struct yl_join_slot *old = j->v, *v = calloc(cap, sizeof *v);
    if (!v)
        return false;
    size_t old_cap = j->cap;
    j->v = v;
    j->cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].task)
            continue;
        size_t k = slot_of(j, old[i].task);
        while (v[k].task)
            k = (k + 1) & (cap - 1);
        v[k] = old[i];
    }
    free(old);
    return true;
}

bool yl__joins_put(struct yl_joins *j, yl_task *t, yl_task *joiner)
{
    yl_spin_lock(&j->lock);
    bool ok = 2 * (j->len + 1) <= j->cap || grow(j);
    if (ok) {
        size_t k = slot_of(j, t);
        while (j->v[k].task)
            k = (k + 1) & (j->cap - 1);
        j->v[k] = (struct yl_join_slot){t, joiner};
        j->len++;
    }
    yl_spin_unlock(&j->lock);
    return ok;
}

yl_task *yl__joins_take(struct yl_joins *j, yl_task *t)
{
    yl_spin_lock(&j->lock);
    yl_task *joiner = NULL;
    if (j->cap) {
        size_t mask = j->cap - 1, k = slot_of(j, t);
        while (j->v[k].task && j->v[k].task != t)
            k = (k + 1) & mask;
        if (j->v[k].task) {
            joiner = j->v[k].joiner;
            j->len--;
            /* Backward shift: move up every later entry of the run that
             * would no longer be found past the hole. */
            size_t hole = k;
            for (size_t i = (k + 1) & mask; j->v[i].task; i = (i + 1) & mask) {
                size_t home = slot_of(j, j->v[i].task);
                if (((i - home) & mask) >= ((i - hole) & mask)) {
                    j->v[hole] = j->v[i];
                    hole = i;
                }
            }
            j->v[hole] = (struct yl_join_slot){NULL, NULL};
        }
    }
    yl_spin_unlock(&j->lock);
    return joiner;
}

void yl__joins_free(struct yl_joins *j)
{
    free(j->v);
    *j = (struct yl_joins){0};
}

/* task.c - a task's life: created (lazy), started, finished, freed.
 *
 * Ownership: the runtime holds a task while it runs; the handle returned by
 * yl_task_new/yl_spawn is a second owner, given up by yl_join or yl_detach.
 * The struct is freed when both are gone. The stack is freed as soon as the
 * task finishes, since nobody can run on it again.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static struct yl_worker *worker_or_die(const char *fn)
{
    struct yl_worker *w = yl__worker();
    if (!w) {
        yl__err("%s called outside yl_run", fn);
        abort();
    }
    return w;
}

yl_task *yl_task_new(const char *name, yl_fn fn, void *arg)
{
    struct yl_worker *w = worker_or_die("yl_task_new");
    yl_task *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    t->state = YL_NEW;
    t->id = ++w->next_id;
    t->heap_idx = SIZE_MAX;
    t->stack_size = w->default_stack; /* requested size until allocated */
    snprintf(t->name, sizeof t->name, "%s", name ? name : "task");
    t->all_next = w->all;
    if (w->all)
        w->all->all_prev = t;
    w->all = t;
    w->created++;
    w->allocated++;
    return t;
}

void yl_task_set_stack(yl_task *t, size_t bytes)
{
    if (t->state == YL_NEW && !t->map_base && bytes)
        t->stack_size = bytes;
}

int yl_start(yl_task *t)
{
    if (t->state != YL_NEW)
        return 0; /* already started: starting is idempotent */
    if (!yl__stack_alloc(t, t->stack_size))
        return -1;
    yl__task_prepare(t);
    yl__worker()->live++;
    yl__make_ready(t);
    return 0;
}

yl_task *yl_spawn(const char *name, yl_fn fn, void *arg)
{
    yl_task *t = yl_task_new(name, fn, arg);
    if (t && yl_start(t) != 0) {
        yl__task_free(t);
        return NULL;
    }
    return t;
}

int yl_go(const char *name, yl_fn fn, void *arg)
{
    yl_task *t = yl_spawn(name, fn, arg);
    if (!t)
        return -1;
    yl_detach(t);
    return 0;
}

void yl_join(yl_task *t)
{
    if (t->state == YL_NEW && yl_start(t) != 0) {
        yl__err("yl_join: cannot start task %s: out of memory", t->name);
        abort();
    }
    if (t->state != YL_DONE) {
        if (t->joiner) {
            yl__err("yl_join: task %s is already being joined", t->name);
            abort();
        }
        t->joiner = yl_self();
        yl__block();
    }
    yl__task_free(t);
}

void yl_detach(yl_task *t)
{
    if (t->state == YL_NEW || t->state == YL_DONE)
        yl__task_free(t); /* never to run, or already done: nothing holds it */
    else
        t->detached = true;
}

void yl__task_finished(yl_task *t)
{
    struct yl_worker *w = yl__worker();
    yl__stack_free(t);
    w->live--;
    if (t->joiner) {
        yl__make_ready(t->joiner);
        t->joiner = NULL;
    }
    if (t->detached)
        yl__task_free(t);
}

void yl__task_free(yl_task *t)
{
    struct yl_worker *w = yl__worker();
    yl__stack_free(t);
    if (t->all_prev)
        t->all_prev->all_next = t->all_next;
    else
        w->all = t->all_next;
    if (t->all_next)
        t->all_next->all_prev = t->all_prev;
    w->allocated--;
    free(t);
}

yl_task *yl_self(void)
{
    struct yl_worker *w = yl__worker();
    return w ? w->current : NULL;
}

const char *yl_task_name(const yl_task *t)
{
    return t->name;
}

uint64_t yl_task_id(const yl_task *t)
{
    return t->id;
}

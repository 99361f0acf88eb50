/* queue.h - the one intrusive task queue: run queues, inboxes, the
 * global inject queue and every wait list (mutex, wait group). No
 * allocation per push: the link is the task's own `next`; a task is in at
 * most one queue at a time. No count either (a store on every push and
 * pop of the scheduler's loop): the global queue, whose share-out needs
 * one, keeps its own (yl_rt.inject_len). Inline, since a push and a pop are on every
 * trip of the scheduler's loop and are a few instructions each.
 * Included by internal.h once struct yl_task is known. */
#ifndef YL_QUEUE_H
#define YL_QUEUE_H

/* At the tail. */
static inline void yl__q_push(struct yl_queue *q, yl_task *t)
{
    t->next = NULL;
    if (q->tail)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
}

/* At the head. */
static inline void yl__q_push_front(struct yl_queue *q, yl_task *t)
{
    t->next = q->head;
    q->head = t;
    if (!q->tail)
        q->tail = t;
}

/* The head, or NULL. Its link is left as it was: nothing reads the link
 * of a task that is in no queue (every push sets it; the timers overlay
 * it), so clearing it would be a store on every trip of the loop. */
static inline yl_task *yl__q_pop(struct yl_queue *q)
{
    yl_task *t = q->head;
    if (!t)
        return NULL;
    q->head = t->next;
    if (!q->head)
        q->tail = NULL;
    return t;
}

/* Appends the chain head..last (linked through ->next). */
static inline void yl__q_splice(struct yl_queue *q, yl_task *head, yl_task *last)
{
    last->next = NULL;
    if (q->tail)
        q->tail->next = head;
    else
        q->head = head;
    q->tail = last;
}

#endif

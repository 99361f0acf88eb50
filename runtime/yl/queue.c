/* queue.c - the one intrusive task queue: run queues, inboxes, the
 * global inject queue and every wait list (mutex, wait group). No
 * allocation per push: the link is the task's own `next`. */
#include "internal.h"

void yl__q_push(struct yl_queue *q, yl_task *t)
{
    t->next = NULL;
    if (q->tail)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
    q->len++;
}

void yl__q_push_front(struct yl_queue *q, yl_task *t)
{
    t->next = q->head;
    q->head = t;
    if (!q->tail)
        q->tail = t;
    q->len++;
}

yl_task *yl__q_pop(struct yl_queue *q)
{
    yl_task *t = q->head;
    if (!t)
        return NULL;
    q->head = t->next;
    if (!q->head)
        q->tail = NULL;
    t->next = NULL;
    q->len--;
    return t;
}

void yl__q_splice(struct yl_queue *q, yl_task *head, yl_task *last, size_t n)
{
    last->next = NULL;
    if (q->tail)
        q->tail->next = head;
    else
        q->head = head;
    q->tail = last;
    q->len += n;
}

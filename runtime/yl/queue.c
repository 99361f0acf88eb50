/* queue.c - the FIFO run queue, intrusive: no allocation per push. */
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

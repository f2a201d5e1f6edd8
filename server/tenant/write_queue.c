/*
 * A tenant's write queue and how a flush takes its batches. See write_queue.h.
 */
#include "write_queue.h"

#include <string.h>

void tenant_queue_append(struct tenant_write_queue *q, struct tenant_write *w)
{
    q->queued++;
    w->next = NULL;
    if (q->tail)
        q->tail->next = w;
    else
        q->head = w;
    q->tail = w;
}

int tenant_queue_full(const struct tenant_write_queue *q, int max_queued)
{
    return q->queued >= max_queued;
}

struct tenant_write *tenant_queue_take(struct tenant_write_queue *q, int limit)
{
    struct tenant_write *w = q->head, *tail = NULL;
    int n = 0;
    while (w && n < limit && !(w->alone && n > 0)) {
        tail = w;
        n++;
        if (w->alone)
            break;
        w = w->next;
    }
    if (!tail)
        return NULL;
    struct tenant_write *batch = q->head;
    q->queued -= n;
    q->head = tail->next;
    if (!q->head)
        q->tail = NULL;
    tail->next = NULL;
    return batch;
}

struct tenant_write *tenant_queue_take_all(struct tenant_write_queue *q)
{
    struct tenant_write *all = q->head;
    q->head = q->tail = NULL;
    q->queued = 0;
    return all;
}

void tenant_queue_put_back(struct tenant_write_queue *q, struct tenant_write *batch)
{
    struct tenant_write *last = batch;
    if (!last)
        return;
    q->queued++;
    while (last->next) {
        last = last->next;
        q->queued++;
    }
    last->next = q->head;
    if (!q->head)
        q->tail = last;
    q->head = batch;
}

const char *tenant_batch_cause(const struct tenant_write *batch)
{
    const char *cause = batch ? batch->cause : "change";
    for (const struct tenant_write *w = batch; w; w = w->next)
        if (!w->cause || !cause || strcmp(w->cause, cause) != 0)
            return "changes";
    return cause ? cause : "change";
}

/*
 * A tenant's write queue: the writes waiting for the tenant, in arrival order, and how a
 * flush takes them (coalescing up to a batch limit, a write marked alone by itself) and
 * puts a batch back in front after a conflict. No database, no loop: the flush in flush.c
 * decides when; this decides what.
 */
#ifndef IMS_TENANT_WRITE_QUEUE_H
#define IMS_TENANT_WRITE_QUEUE_H

#include "tenant.h"

struct tenant_write_queue {
    struct tenant_write *head, *tail;
    int queued; /* writes in the list */
};

/* Appends w (its next link is owned by the queue from now on). */
void tenant_queue_append(struct tenant_write_queue *q, struct tenant_write *w);

/* Whether max_queued writes already wait (a new one is then refused: back-pressure). */
int tenant_queue_full(const struct tenant_write_queue *q, int max_queued);

/* Takes the next batch from the front: up to limit (>= 1) writes in order, stopping before
 * a write marked alone unless it is the first, and after it when it is. Returns the batch
 * as a NULL-terminated list (NULL when the queue is empty). */
struct tenant_write *tenant_queue_take(struct tenant_write_queue *q, int limit);

/* Takes every waiting write (to answer them all with an error). */
struct tenant_write *tenant_queue_take_all(struct tenant_write_queue *q);

/* Puts a batch back in front of the queue, in its order (a conflict or a split retries it
 * before anything that arrived since). */
void tenant_queue_put_back(struct tenant_write_queue *q, struct tenant_write *batch);

/* The cause a batch's level carries: the writes' common cause, else "changes". */
const char *tenant_batch_cause(const struct tenant_write *batch);

#endif

/* Open connections counted per client address (a chained hash table of the addresses with
 * a connection open now). */
#include "peer_count.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims/error.h"

static unsigned bucket_of(const char *address)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)address; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % PEER_COUNT_BUCKETS;
}

int peer_count_acquire(struct peer_count *table, const char *address, uint32_t max)
{
    struct peer_count_entry **head = &table->buckets[bucket_of(address)];
    for (struct peer_count_entry *e = *head; e != NULL; e = e->next) {
        if (strcmp(e->address, address) != 0)
            continue;
        if (max != 0 && e->count >= max)
            return IMS_EUNAVAILABLE;
        e->count++;
        return 0;
    }
    struct peer_count_entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return IMS_ENOMEM;
    snprintf(e->address, sizeof e->address, "%s", address);
    e->count = 1;
    e->next = *head;
    *head = e;
    return 0;
}

void peer_count_release(struct peer_count *table, const char *address)
{
    for (struct peer_count_entry **link = &table->buckets[bucket_of(address)]; *link != NULL;
         link = &(*link)->next) {
        struct peer_count_entry *e = *link;
        if (strcmp(e->address, address) != 0)
            continue;
        if (--e->count == 0) {
            *link = e->next;
            free(e);
        }
        return;
    }
}

void peer_count_clear(struct peer_count *table)
{
    for (unsigned i = 0; i < PEER_COUNT_BUCKETS; i++) {
        while (table->buckets[i] != NULL) {
            struct peer_count_entry *e = table->buckets[i];
            table->buckets[i] = e->next;
            free(e);
        }
    }
}

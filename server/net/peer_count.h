/*
 * Open connections counted per client address, so that one address cannot take every
 * connection the server allows. A small chained hash table of the addresses that have a
 * connection open now; an address leaves it with its last connection.
 */
#ifndef IMS_NET_PEER_COUNT_H
#define IMS_NET_PEER_COUNT_H

#include <netinet/in.h>
#include <stdint.h>

#define PEER_COUNT_BUCKETS 1024

struct peer_count_entry {
    struct peer_count_entry *next;
    uint32_t count;
    char address[INET6_ADDRSTRLEN + 4]; /* an IP, or an IPv6 network as "prefix/64" */
};

struct peer_count {
    struct peer_count_entry *buckets[PEER_COUNT_BUCKETS];
};

/* Counts one more connection from address unless it has max already (max 0: no limit).
 * Returns 0, IMS_EUNAVAILABLE (at the limit) or IMS_ENOMEM. */
int peer_count_acquire(struct peer_count *table, const char *address, uint32_t max)
    __attribute__((warn_unused_result));

/* One connection from address closed. */
void peer_count_release(struct peer_count *table, const char *address);

/* Frees every entry (at server teardown every count is 0 already). */
void peer_count_clear(struct peer_count *table);

#endif

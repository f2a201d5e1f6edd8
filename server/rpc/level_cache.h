/*
 * The packed GetSecurityLevel answer of the plain request (no controls, no explanation)
 * per tenant, kept with the generation of the level it was made from
 * (tenant_level.generation): while a tenant's level has that generation, the answer's
 * bytes are the same, and a read sends them without building and encoding the message.
 */
#ifndef IMS_RPC_LEVEL_CACHE_H
#define IMS_RPC_LEVEL_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct level_cache;

/* The bytes kept for this tenant and generation, or NULL (len untouched). Valid until the
 * next level_cache_put or level_cache_free. */
const uint8_t *level_cache_find(const struct level_cache *cache, const char *tenant,
                                uint64_t generation, size_t *len);

/* Keeps a copy of data for tenant and generation (generation 0: never kept), in place of
 * what its slot held. *cache is made on first use; failures only mean nothing is kept. */
void level_cache_put(struct level_cache **cache, const char *tenant, uint64_t generation,
                     const uint8_t *data, size_t len);

void level_cache_free(struct level_cache *cache);

#endif

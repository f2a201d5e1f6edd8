/* The packed plain GetSecurityLevel answer per tenant, valid while the tenant's level has
 * the generation it was made from: a direct-mapped table of a bounded number of slots. */
#include "level_cache.h"

#include <stdlib.h>
#include <string.h>

#include "ims/hash.h"

/* Slots: tenants whose ids share a slot take turns (each read of the other re-encodes
 * and takes the slot). Answers larger than this are not kept. */
#define LEVEL_CACHE_SLOTS 4096
#define LEVEL_CACHE_MAX_BYTES 4096
#define TENANT_ID_BYTES 37 /* a UUID's text and its NUL */

struct level_slot {
    char tenant[TENANT_ID_BYTES];
    uint64_t generation; /* 0: empty */
    size_t len;
    uint8_t *data;
};

struct level_cache {
    struct level_slot slots[LEVEL_CACHE_SLOTS];
};

static struct level_slot *slot_of(const struct level_cache *cache, const char *tenant)
{
    return (struct level_slot *)&cache->slots[ims_hash_string(tenant) % LEVEL_CACHE_SLOTS];
}

const uint8_t *level_cache_find(const struct level_cache *cache, const char *tenant,
                                uint64_t generation, size_t *len)
{
    if (!cache || generation == 0)
        return NULL;
    const struct level_slot *s = slot_of(cache, tenant);
    if (s->generation != generation || strcmp(s->tenant, tenant) != 0)
        return NULL;
    *len = s->len;
    return s->data;
}

void level_cache_put(struct level_cache **cache, const char *tenant, uint64_t generation,
                     const uint8_t *data, size_t len)
{
    if (generation == 0 || len > LEVEL_CACHE_MAX_BYTES || strlen(tenant) >= TENANT_ID_BYTES)
        return;
    if (!*cache && !(*cache = calloc(1, sizeof **cache)))
        return;
    struct level_slot *s = slot_of(*cache, tenant);
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return;
    memcpy(copy, data, len);
    free(s->data);
    strcpy(s->tenant, tenant);
    s->generation = generation;
    s->len = len;
    s->data = copy;
}

void level_cache_free(struct level_cache *cache)
{
    if (!cache)
        return;
    for (size_t i = 0; i < LEVEL_CACHE_SLOTS; i++)
        free(cache->slots[i].data);
    free(cache);
}

/* FNV-1a, 32 bits: the hash of the daemon's small direct-mapped and open-addressed tables
 * (method paths, tenant ids, token tails, catalog ids). Not for anything an attacker's
 * collisions could harm beyond taking turns in a slot. */
#ifndef IMS_HASH_H
#define IMS_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t ims_hash_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static inline uint32_t ims_hash_string(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

#endif

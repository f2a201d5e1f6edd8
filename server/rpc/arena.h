/*
 * The per-call arena: memory that lives exactly as long as one RPC call (messages built
 * from rows, copies kept between a handler's steps). Every rpc_call owns one
 * (call->arena), freed when the call ends; a handler never frees what it took from it.
 */
#ifndef IMS_RPC_ARENA_H
#define IMS_RPC_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

/* Allocations that live until arena_free(); a failed allocation sets failed. A zeroed
 * struct is an empty arena. */
struct arena {
    struct arena_block *blocks;
    int failed;
    size_t next_chunk; /* size of the next chunk to cut from (0: the first) */
};

/* Zeroed memory, or NULL (and arena->failed) when out of memory. */
void *arena_alloc(struct arena *arena, size_t size);
/* A copy of s, or NULL when out of memory. */
char *arena_strdup(struct arena *arena, const char *s);
/* Splits s at sep into fresh strings; "" gives none. NULL when out of memory. */
char **arena_split(struct arena *arena, const char *s, char sep, size_t *n);
void arena_free(struct arena *arena);

#endif

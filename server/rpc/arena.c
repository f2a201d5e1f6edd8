/* The per-call arena: allocations cut from a chain of blocks freed together. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

/* Small allocations are cut from chunks, the first small (most calls need little) and
 * each next one twice the size, up to ARENA_CHUNK; a large allocation gets a block of its
 * own. Memory is zeroed as it is handed out. */
#define ARENA_FIRST_CHUNK 1024
#define ARENA_CHUNK 32768

struct arena_block {
    struct arena_block *next;
    size_t used, size;
    max_align_t data[];
};

static struct arena_block *block_new(struct arena *arena, size_t size)
{
    struct arena_block *b = malloc(sizeof *b + size);
    if (!b) {
        arena->failed = 1;
        return NULL;
    }
    b->next = NULL;
    b->used = 0;
    b->size = size;
    return b;
}

void *arena_alloc(struct arena *arena, size_t size)
{
    size_t align = sizeof(max_align_t);
    /* One byte more than asked, zeroed as well (a string filled to its length ends). */
    size = (size + 1 + align - 1) / align * align;
    struct arena_block *head = arena->blocks;
    if (head && head->size - head->used >= size) {
        void *p = (char *)head->data + head->used;
        head->used += size;
        return memset(p, 0, size);
    }
    size_t chunk = arena->next_chunk ? arena->next_chunk : ARENA_FIRST_CHUNK;
    if (size > chunk / 4) {
        /* Its own block, behind the chunk being cut (which stays first). */
        struct arena_block *b = block_new(arena, size);
        if (!b)
            return NULL;
        b->used = size;
        if (head) {
            b->next = head->next;
            head->next = b;
        } else {
            arena->blocks = b;
        }
        return memset(b->data, 0, size);
    }
    struct arena_block *b = block_new(arena, chunk);
    if (!b)
        return NULL;
    arena->next_chunk = chunk < ARENA_CHUNK ? chunk * 2 : ARENA_CHUNK;
    b->used = size;
    b->next = head;
    arena->blocks = b;
    return memset(b->data, 0, size);
}

char *arena_strdup(struct arena *arena, const char *s)
{
    size_t n = strlen(s);
    char *d = arena_alloc(arena, n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

char **arena_split(struct arena *arena, const char *s, char sep, size_t *n)
{
    size_t count = *s ? 1 : 0;
    for (const char *c = s; *c; c++)
        count += *c == sep;
    char **out = arena_alloc(arena, (count + 1) * sizeof *out);
    char *copy = arena_strdup(arena, s);
    if (!out || !copy)
        return NULL;
    size_t i = 0;
    for (char *c = copy; *copy && i < count;) {
        out[i++] = c;
        char *end = strchr(c, sep);
        if (!end)
            break;
        *end = '\0';
        c = end + 1;
    }
    *n = i;
    return out;
}

void arena_free(struct arena *arena)
{
    struct arena_block *b = arena->blocks;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    arena->blocks = NULL;
    arena->failed = 0;
    arena->next_chunk = 0;
}

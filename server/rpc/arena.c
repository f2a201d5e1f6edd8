/* The per-call arena: a chain of blocks freed together. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *next;
    max_align_t data[];
};

void *arena_alloc(struct arena *arena, size_t size)
{
    struct arena_block *b = calloc(1, sizeof *b + size + 1);
    if (!b) {
        arena->failed = 1;
        return NULL;
    }
    b->next = arena->blocks;
    arena->blocks = b;
    return b->data;
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
}

/* Arrays in PostgreSQL's binary format: header, then each element's length and bytes. */
#include "pg_arrays.h"

#include <string.h>

/* Seconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
#define PG_EPOCH_UNIX_S 946684800

static uint8_t *put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return p + 4;
}

static uint8_t *put_u64(uint8_t *p, uint64_t v)
{
    return put_u32(put_u32(p, (uint32_t)(v >> 32)), (uint32_t)v);
}

size_t pg_array_size(size_t n, size_t payload)
{
    return 20 + 4 * n + payload;
}

uint8_t *pg_array_begin(uint8_t *out, uint32_t oid, size_t n)
{
    out = put_u32(out, 1);           /* dimensions */
    out = put_u32(out, 0);           /* flags: no NULLs */
    out = put_u32(out, oid);         /* element type */
    out = put_u32(out, (uint32_t)n); /* length of the dimension */
    return put_u32(out, 1);          /* its lower bound */
}

uint8_t *pg_array_text(uint8_t *p, const char *s, size_t len)
{
    p = put_u32(p, (uint32_t)len);
    memcpy(p, s, len);
    return p + len;
}

uint8_t *pg_array_float8(uint8_t *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return put_u64(put_u32(p, 8), bits);
}

uint8_t *pg_array_timestamptz(uint8_t *p, int64_t unix_s)
{
    int64_t us = (unix_s - PG_EPOCH_UNIX_S) * 1000000;
    return put_u64(put_u32(p, 8), (uint64_t)us);
}

/*
 * One-dimensional arrays in PostgreSQL's binary format (what array_send writes and
 * array_recv reads), for statements whose parameters are sent in binary: no text to
 * print here and none to parse in the server. The statement's text casts each such
 * parameter to its array type ($2::float8[]), which must match the element type here.
 */
#ifndef IMS_RPC_PG_ARRAYS_H
#define IMS_RPC_PG_ARRAYS_H

#include <stddef.h>
#include <stdint.h>

/* Element types (PostgreSQL's built-in type OIDs). */
#define PG_OID_TEXT 25u
#define PG_OID_FLOAT8 701u
#define PG_OID_TIMESTAMPTZ 1184u

/* Bytes of an array of n elements whose contents total payload bytes. */
size_t pg_array_size(size_t n, size_t payload);

/* Writes the header of an array of n elements of type oid (no NULLs); returns where the
 * first element goes. */
uint8_t *pg_array_begin(uint8_t *out, uint32_t oid, size_t n);

/* Each writes one element and returns where the next goes. */
uint8_t *pg_array_text(uint8_t *p, const char *s, size_t len);
uint8_t *pg_array_float8(uint8_t *p, double v);
/* A time in whole seconds since 1970 (UTC), as timestamptz's microseconds since 2000. */
uint8_t *pg_array_timestamptz(uint8_t *p, int64_t unix_s);

#endif

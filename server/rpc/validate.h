/*
 * Field checks shared by the handlers. Each returns 1 when the value is acceptable;
 * otherwise it ends the call with INVALID_ARGUMENT naming the field and the rule, and
 * returns 0, so a handler reads: if (!validate_text(call, "slug", v, 2, 63)) return;
 */
#ifndef IMS_RPC_VALIDATE_H
#define IMS_RPC_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

struct rpc_call;

/* 1 when s is valid UTF-8 with no NUL or control characters other than tab/newline. */
int validate_is_clean_utf8(const char *s);

/* Length in bytes between min and max, clean UTF-8. */
int validate_text(struct rpc_call *call, const char *field, const char *value, size_t min,
                  size_t max);

/* [a-z0-9][a-z0-9-]{min-1,max-1} */
int validate_slug(struct rpc_call *call, const char *field, const char *value, size_t min,
                  size_t max);

/* Identifier of catalog objects: [A-Za-z0-9._:-]{1,max} */
/* 1 when value would pass validate_ident (no answer is sent either way). */
int validate_is_ident(const char *value, size_t max);
int validate_ident(struct rpc_call *call, const char *field, const char *value, size_t max);

/* RFC 3339 UTC time ("2026-06-01T00:00:00Z", optional fraction, Z or +00:00 offset), or
 * empty when allow_empty. *out gets seconds since the epoch (0 for empty). */
int validate_time(struct rpc_call *call, const char *field, const char *value, int allow_empty,
                  int64_t *out);

/* min <= value <= max */
int validate_range(struct rpc_call *call, const char *field, int64_t value, int64_t min,
                   int64_t max);

/* The names a new tenant is made with (CreateTenant, ImportTenant, ImportTenantStream):
 * slug, display_name, sector, size_band, and schema_id (empty: the best for sector and
 * size) with schema_version (0: its latest). */
int validate_new_tenant(struct rpc_call *call, const char *slug, const char *display_name,
                        const char *sector, const char *size_band, const char *schema_id,
                        int64_t schema_version);

/* Parses RFC 3339 as validate_time does, without a call: 0 or IMS_EINVAL. */
int validate_parse_time(const char *value, int64_t *out);

/* Formats seconds since the epoch as RFC 3339 UTC into out (at least 21 bytes). */
void validate_format_time(int64_t t, char *out, size_t len);

#endif

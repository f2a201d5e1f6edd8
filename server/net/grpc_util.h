/*
 * Pure helpers of the gRPC wire protocol that need no connection: header value checks
 * and timeout parsing. grpc_parse_timeout() and grpc_percent_encode() are declared in
 * grpc_server.h because other modules use them too.
 */
#ifndef IMS_NET_GRPC_UTIL_H
#define IMS_NET_GRPC_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Parses a grpc-timeout value like grpc_parse_timeout() but returns nanoseconds,
 * saturating at UINT64_MAX ("99999999H" does not fit). Returns 0 or IMS_EINVAL. */
int grpc_parse_timeout_ns(const char *text, uint64_t *out_ns);

/* 1 when a content-type names gRPC: "application/grpc", "application/grpc+<codec>" or
 * "application/grpc;<params>" (case-insensitive), 0 otherwise (also for NULL). */
int grpc_content_type_is_grpc(const char *value);

#endif

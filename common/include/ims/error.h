/*
 * Error codes shared by libimsclient and imsd.
 *
 * Functions that can fail return 0 or a negative IMS_E* code. The list is one
 * X-macro so the enum and ims_strerror() can never drift apart.
 *
 * gRPC status codes (ims_grpc_status) are a separate, positive numbering that
 * follows the public gRPC specification exactly; they travel on the wire.
 */
#ifndef IMS_ERROR_H
#define IMS_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_ERRNO_MAP(X)                                                                           \
    X(NOMEM, 1, "out of memory")                                                                   \
    X(INVAL, 2, "invalid argument")                                                                \
    X(IO, 3, "input/output error")                                                                 \
    X(PROTO, 4, "protocol error")                                                                  \
    X(TIMEDOUT, 5, "timed out")                                                                    \
    X(CONNREFUSED, 6, "connection refused")                                                        \
    X(CLOSED, 7, "connection closed")                                                              \
    X(TOOBIG, 8, "message too large")                                                              \
    X(NOTFOUND, 9, "not found")                                                                    \
    X(EXISTS, 10, "already exists")                                                                \
    X(TLS, 11, "TLS error")                                                                        \
    X(RPC, 12, "the server answered with a non-OK gRPC status")                                    \
    X(UNAVAILABLE, 13, "service unavailable")                                                      \
    X(PARSE, 14, "parse error")                                                                    \
    X(CONFLICT, 15, "conflicting concurrent change")                                               \
    X(INTERNAL, 16, "internal error")                                                              \
    X(INTR, 17, "interrupted by a signal")

enum ims_errno {
#define IMS_ERRNO_ENUM(name, num, text) IMS_E##name = -(num),
    IMS_ERRNO_MAP(IMS_ERRNO_ENUM)
#undef IMS_ERRNO_ENUM
};

/* A static, human-readable text for an IMS_E* code (or "success" for 0). */
const char *ims_strerror(int err);

#define IMS_GRPC_STATUS_MAP(X)                                                                     \
    X(OK, 0)                                                                                       \
    X(CANCELLED, 1)                                                                                \
    X(UNKNOWN, 2)                                                                                  \
    X(INVALID_ARGUMENT, 3)                                                                         \
    X(DEADLINE_EXCEEDED, 4)                                                                        \
    X(NOT_FOUND, 5)                                                                                \
    X(ALREADY_EXISTS, 6)                                                                           \
    X(PERMISSION_DENIED, 7)                                                                        \
    X(RESOURCE_EXHAUSTED, 8)                                                                       \
    X(FAILED_PRECONDITION, 9)                                                                      \
    X(ABORTED, 10)                                                                                 \
    X(OUT_OF_RANGE, 11)                                                                            \
    X(UNIMPLEMENTED, 12)                                                                           \
    X(INTERNAL, 13)                                                                                \
    X(UNAVAILABLE, 14)                                                                             \
    X(DATA_LOSS, 15)                                                                               \
    X(UNAUTHENTICATED, 16)

typedef enum ims_grpc_status {
#define IMS_GRPC_STATUS_ENUM(name, num) IMS_GRPC_##name = num,
    IMS_GRPC_STATUS_MAP(IMS_GRPC_STATUS_ENUM)
#undef IMS_GRPC_STATUS_ENUM
} ims_grpc_status;

/* "OK", "INVALID_ARGUMENT", ... ; "UNKNOWN" for a number outside the list. */
const char *ims_grpc_status_name(int status);

#ifdef __cplusplus
}
#endif
#endif

/* Failures to gRPC status codes: the daemon's errors and the database's SQLSTATEs. */
#include "status.h"

#include <string.h>

#include "ims/error.h"

int rpc_status_for_error(int err, const char **message)
{
    switch (err) {
    case IMS_EUNAVAILABLE:
        *message = "database unavailable; retry later";
        return IMS_GRPC_UNAVAILABLE;
    case IMS_ETOOBIG:
        *message = "database queue full; retry later";
        return IMS_GRPC_RESOURCE_EXHAUSTED;
    case IMS_ECLOSED:
        *message = "server shutting down";
        return IMS_GRPC_UNAVAILABLE;
    case IMS_ENOMEM:
        *message = "out of memory";
        return IMS_GRPC_RESOURCE_EXHAUSTED;
    default:
        *message = NULL;
        return -1;
    }
}

int rpc_status_for_sqlstate(const char *state, const char **message, int *logged)
{
    *message = NULL;
    *logged = 0;
    if (strcmp(state, "23505") == 0)
        return IMS_GRPC_ALREADY_EXISTS; /* a unique violation: the object exists */
    if (strcmp(state, "22023") == 0 || strncmp(state, "23", 2) == 0)
        return IMS_GRPC_INVALID_ARGUMENT;
    if (strcmp(state, "42501") == 0)
        return IMS_GRPC_PERMISSION_DENIED;
    if (strcmp(state, "P0002") == 0)
        return IMS_GRPC_NOT_FOUND;
    if (strcmp(state, "55000") == 0)
        return IMS_GRPC_FAILED_PRECONDITION; /* object_not_in_prerequisite_state: e.g.
                                               * statistics over too few tenants */
    if (strcmp(state, "54000") == 0)
        return IMS_GRPC_RESOURCE_EXHAUSTED; /* program_limit_exceeded: a daemon limit passed to
                                             * a function, named in its message */
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        *message = "concurrent change; retry";
        return IMS_GRPC_ABORTED;
    }
    *message = "internal error (logged)";
    *logged = 1;
    return IMS_GRPC_INTERNAL;
}

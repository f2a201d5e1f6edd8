/* The text of each IMS_E* error code, shared by the server and the client. */
#include "ims/error.h"

const char *ims_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
#define IMS_ERRNO_TEXT(name, num, text)                                                            \
    case IMS_E##name:                                                                              \
        return text;
        IMS_ERRNO_MAP(IMS_ERRNO_TEXT)
#undef IMS_ERRNO_TEXT
    default:
        return "unknown error";
    }
}

const char *ims_grpc_status_name(int status)
{
    switch (status) {
#define IMS_GRPC_STATUS_TEXT(name, num)                                                            \
    case num:                                                                                      \
        return #name;
        IMS_GRPC_STATUS_MAP(IMS_GRPC_STATUS_TEXT)
#undef IMS_GRPC_STATUS_TEXT
    default:
        return "UNKNOWN";
    }
}

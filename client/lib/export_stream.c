/* The typed call of ims.v1.Tenants/ExportTenantStream: a snapshot document in pieces. */
#include "ims/client.h"

int ims_client_export_tenant_stream(ims_client *c, const Ims__V1__ExportTenantStreamRequest *req,
                                    ims_client_stream **out)
{
    return ims_client_stream_open(c, "/ims.v1.Tenants/ExportTenantStream", &req->base, out);
}

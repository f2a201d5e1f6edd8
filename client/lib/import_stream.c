/* The typed call of ims.v1.Tenants/ImportTenantStream: a snapshot document read from a
 * file and sent in pieces, so that memory does not grow with the document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "ims/client.h"

#define PIECE (64u << 10)

int ims_client_import_tenant_stream(ims_client *c, const Ims__V1__ImportTenantChunk *first,
                                    FILE *in, Ims__V1__Tenant **out)
{
    *out = NULL;
    uint8_t *buf = malloc(PIECE);
    if (buf == NULL)
        return ims__fail(c, IMS_ENOMEM, "out of memory");
    ims_client_cstream *s;
    int rc = ims_client_cstream_open(c, "/ims.v1.Tenants/ImportTenantStream", &s);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    Ims__V1__ImportTenantChunk m = *first;
    int sent = 0;
    while (rc == 0) {
        size_t n = fread(buf, 1, PIECE, in);
        if (n == 0 && ferror(in)) {
            rc = ims__fail(c, IMS_EIO, "reading the document failed");
            break;
        }
        if (n == 0 && sent)
            break;
        m.data.data = buf;
        m.data.len = n;
        rc = ims_client_cstream_send(s, &m.base);
        /* The tenant's names go with the first piece only. */
        m = (Ims__V1__ImportTenantChunk)IMS__V1__IMPORT_TENANT_CHUNK__INIT;
        sent = 1;
        if (n < PIECE && feof(in))
            break;
    }
    if (rc == 0 || rc == IMS_ERPC)
        rc = ims_client_cstream_finish(s, &ims__v1__tenant__descriptor, (ProtobufCMessage **)out);
    ims_client_cstream_close(s);
    free(buf);
    return rc;
}

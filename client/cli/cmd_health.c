/* imsctl health: grpc.health.v1.Health/Check. */
#include <stdio.h>

#include "imsctl.h"
#include "output.h"

static int health(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *service = "";
    imsctl_flag flags[] = {IMSCTL_STRING("service", &service), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 0, 0);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    req.service = (char *)service;
    Grpc__Health__V1__HealthCheckResponse *resp;
    rc = ims_client_health_check(c, &req, &resp);
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    bool serving = resp->status == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    const ProtobufCEnumValue *name = protobuf_c_enum_descriptor_get_value(
        &grpc__health__v1__health_check_response__serving_status__descriptor, (int)resp->status);
    if (imsctl_json(ctx))
        rc = imsctl_show(ctx, &resp->base);
    else
        printf("%s\n", name ? name->name : "UNKNOWN");
    grpc__health__v1__health_check_response__free_unpacked(resp, NULL);
    if (rc == 0 && !serving)
        rc = IMSCTL_EXIT_UNAVAILABLE;
    return rc;
}

static const imsctl_command commands[] = {
    {NULL, "[--service NAME]", "Asks the server whether it is serving (exit 7 when not).", health},
    {0},
};

const imsctl_group imsctl_group_health = {"health", "check that the server is serving", commands,
                                          NULL};

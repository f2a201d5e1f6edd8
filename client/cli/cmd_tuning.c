/* imsctl tuning show|set|reset: a tenant's model parameters and metric targets within the
 * bounds its schema version sets (ims.v1.Schemas GetTuning / SetTuning). */
#include <stdlib.h>
#include <string.h>

#include "imsctl.h"
#include "output.h"

static int tuning_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__GetTuningRequest req = IMS__V1__GET_TUNING_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    Ims__V1__GetTuningResponse *r = NULL;
    if ((rc = ims_client_get_tuning(c, &req, &r)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    static const char *const columns[] = {"name", "value", "schema_value", "lo", "hi", "tuned",
                                          "set_by", NULL};
    rc = imsctl_json(ctx) ? imsctl_show(ctx, &r->base)
                          : imsctl_print_table(stdout, (const ProtobufCMessage *const *)r->tunables,
                                               r->n_tunables, columns);
    ims__v1__get_tuning_response__free_unpacked(r, NULL);
    return rc;
}

static int tune(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv, bool reset)
{
    const char *pos[argc + 1];
    int npos;
    const char *key = "";
    imsctl_flag flags[] = {IMSCTL_STRING("idempotency-key", &key), IMSCTL_FLAGS_END};
    int n = reset ? 2 : 3;
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, n, n);
    if (rc >= 0)
        return rc;
    double value = 0;
    if (!reset) {
        char *end = NULL;
        value = strtod(pos[2], &end);
        if (end == pos[2] || *end != '\0')
            return imsctl_invalid("VALUE: %s is not a number", pos[2]);
    }
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__SetTuningRequest req = IMS__V1__SET_TUNING_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.name = (char *)pos[1];
    req.value = value;
    req.reset = reset;
    req.idempotency_key = (char *)key;
    Ims__V1__SetTuningResponse *r = NULL;
    if ((rc = ims_client_set_tuning(c, &req, &r)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx))
        rc = imsctl_show(ctx, &r->base);
    else
        printf("security level %.1f, maturity %d (revision %lld)\n", r->security_level * 100,
               (int)r->maturity, (long long)r->revision);
    ims__v1__set_tuning_response__free_unpacked(r, NULL);
    return rc;
}

static int tuning_set(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    return tune(ctx, cmd, argc, argv, false);
}

static int tuning_reset(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    return tune(ctx, cmd, argc, argv, true);
}

static const imsctl_command commands[] = {
    {"show", "TENANT", "Lists what the tenant may tune, within which bounds, and its values.",
     tuning_show},
    {"set", "TENANT NAME VALUE [--idempotency-key K]",
     "Tunes a parameter (beta, theta, ...) or target:/threshold:<metric> within its bounds.",
     tuning_set},
    {"reset", "TENANT NAME [--idempotency-key K]", "Back to the schema's value.", tuning_reset},
    {0},
};

const imsctl_group imsctl_group_tuning = {
    "tuning", "a tenant's model parameters and metric targets within its schema's bounds",
    commands, NULL};

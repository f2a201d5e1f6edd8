/* imsctl catalog: frameworks, controls, threats, asset types, metrics (ims.v1.Catalog). */
#include "content_cli.h"
#include "ims/v1/catalog.pb-c.h"
#include "output.h"

static int catalog_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *framework = "", *domain = "";
    imsctl_flag flags[] = {IMSCTL_STRING("framework", &framework), IMSCTL_STRING("domain", &domain),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 0, 1);
    if (rc >= 0)
        return rc;
    const char *what = npos ? pos[0] : "controls";
    if (strcmp(what, "frameworks") == 0) {
        Ims__V1__ListFrameworksRequest req = IMS__V1__LIST_FRAMEWORKS_REQUEST__INIT;
        static const char *const cols[] = {"id", "system", "name", "edition", "controls", NULL};
        return imsctl_list_all(ctx, "/ims.v1.Catalog/ListFrameworks", &req.base,
                               &ims__v1__list_frameworks_response__descriptor, "frameworks", cols);
    }
    if (strcmp(what, "controls") == 0) {
        Ims__V1__ListControlsRequest req = IMS__V1__LIST_CONTROLS_REQUEST__INIT;
        req.framework = (char *)framework;
        req.domain = (char *)domain;
        static const char *const cols[] = {"id", "framework", "domain", "title", "harmonized",
                                           "subcontrols", NULL};
        return imsctl_list_all(ctx, "/ims.v1.Catalog/ListControls", &req.base,
                               &ims__v1__list_controls_response__descriptor, "controls", cols);
    }
    if (strcmp(what, "threats") == 0) {
        Ims__V1__ListThreatsRequest req = IMS__V1__LIST_THREATS_REQUEST__INIT;
        static const char *const cols[] = {"id", "family", "name", "dimensions", "likelihood",
                                           NULL};
        return imsctl_list_all(ctx, "/ims.v1.Catalog/ListThreats", &req.base,
                               &ims__v1__list_threats_response__descriptor, "threats", cols);
    }
    if (strcmp(what, "asset-types") == 0) {
        Ims__V1__ListAssetTypesRequest req = IMS__V1__LIST_ASSET_TYPES_REQUEST__INIT;
        static const char *const cols[] = {"id", "name", "description", NULL};
        return imsctl_list_all(ctx, "/ims.v1.Catalog/ListAssetTypes", &req.base,
                               &ims__v1__list_asset_types_response__descriptor, "asset_types",
                               cols);
    }
    if (strcmp(what, "metrics") == 0) {
        Ims__V1__ListMetricsRequest req = IMS__V1__LIST_METRICS_REQUEST__INIT;
        static const char *const cols[] = {"id", "unit", "aggregation", "target", "threshold",
                                           "controls", NULL};
        return imsctl_list_all(ctx, "/ims.v1.Catalog/ListMetrics", &req.base,
                               &ims__v1__list_metrics_response__descriptor, "metrics", cols);
    }
    return imsctl_invalid("list what? frameworks, controls, threats, asset-types or metrics");
}

static int catalog_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__GetControlRequest req = IMS__V1__GET_CONTROL_REQUEST__INIT;
    req.id = (char *)pos[0];
    ProtobufCMessage *resp = NULL;
    if ((rc = imsctl_content_fetch(ctx, "/ims.v1.Catalog/GetControl", &req.base,
                                   &ims__v1__control_detail__descriptor, &resp)) != 0)
        return rc;
    const Ims__V1__ControlDetail *d = (const Ims__V1__ControlDetail *)resp;
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, resp);
    } else {
        printf("%s  %s  (%s, %s)\n", d->control->id, d->control->title, d->control->framework,
               d->control->domain);
        static const char *const cols[] = {"id", "level", "weight", "effort", "controls",
                                           "question", NULL};
        rc = imsctl_print_table(stdout, (const ProtobufCMessage *const *)d->subcontrols,
                                d->n_subcontrols, cols);
        if (rc == 0 && d->n_shared_with) {
            printf("shared with:");
            for (size_t i = 0; i < d->n_shared_with; i++)
                printf(" %s", d->shared_with[i]->id);
            printf("\n");
        }
    }
    protobuf_c_message_free_unpacked(resp, NULL);
    return rc;
}

static const imsctl_command commands[] = {
    {"list", "[frameworks|controls|threats|asset-types|metrics] [--framework F] [--domain D]",
     "Lists the catalog (controls by default).", catalog_list},
    {"show", "CONTROL", "Shows a control, its sub-controls and the controls sharing them.",
     catalog_show},
    {0},
};

const imsctl_group imsctl_group_catalog = {"catalog", "browse the catalog of frameworks and controls",
                                           commands, NULL};

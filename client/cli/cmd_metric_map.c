/*
 * imsctl metric map|mappings|unmap: which Prometheus series the remote_write receiver
 * turns into which of the tenant's metrics (label matchers, first mapping wins).
 */
#include "content_cli.h"
#include "metric_map.h"

int metric_map(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 3, 2 + 16);
    if (rc >= 0)
        return rc;
    Ims__V1__MapSeriesRequest req = IMS__V1__MAP_SERIES_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.metric = (char *)pos[1];
    req.n_matchers = (size_t)(npos - 2);
    req.matchers = (char **)&pos[2];
    return imsctl_content_call(ctx, "/ims.v1.Events/MapSeries", &req.base,
                               &ims__v1__series_mapping__descriptor, NULL, NULL);
}

int metric_mappings(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__ListSeriesMappingsRequest req = IMS__V1__LIST_SERIES_MAPPINGS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.page_size = 1000;
    static const char *const columns[] = {"id", "metric", "matchers", NULL};
    return imsctl_content_call(ctx, "/ims.v1.Events/ListSeriesMappings", &req.base,
                               &ims__v1__list_series_mappings_response__descriptor, "mappings",
                               columns);
}

int metric_unmap(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    Ims__V1__UnmapSeriesRequest req = IMS__V1__UNMAP_SERIES_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.id = (char *)pos[1];
    return imsctl_content_call(ctx, "/ims.v1.Events/UnmapSeries", &req.base,
                               &ims__v1__series_mapping__descriptor, NULL, NULL);
}

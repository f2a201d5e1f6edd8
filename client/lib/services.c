/* The typed calls: one thin wrapper over ims_client_call() per RPC. */
#include "ims/client.h"

#define UNARY(fn, path, Req, Resp, resp_descriptor)                                                \
    int fn(ims_client *c, const Req *req, Resp **out)                                              \
    {                                                                                              \
        return ims_client_call(c, path, &req->base, &resp_descriptor, (ProtobufCMessage **)out);   \
    }

UNARY(ims_client_health_check, "/grpc.health.v1.Health/Check", Grpc__Health__V1__HealthCheckRequest,
      Grpc__Health__V1__HealthCheckResponse, grpc__health__v1__health_check_response__descriptor)

UNARY(ims_client_create_tenant, "/ims.v1.Tenants/CreateTenant", Ims__V1__CreateTenantRequest,
      Ims__V1__Tenant, ims__v1__tenant__descriptor)
UNARY(ims_client_get_tenant, "/ims.v1.Tenants/GetTenant", Ims__V1__GetTenantRequest,
      Ims__V1__Tenant, ims__v1__tenant__descriptor)
UNARY(ims_client_list_tenants, "/ims.v1.Tenants/ListTenants", Ims__V1__ListTenantsRequest,
      Ims__V1__ListTenantsResponse, ims__v1__list_tenants_response__descriptor)
UNARY(ims_client_create_token, "/ims.v1.Tenants/CreateToken", Ims__V1__CreateTokenRequest,
      Ims__V1__CreateTokenResponse, ims__v1__create_token_response__descriptor)
UNARY(ims_client_list_tokens, "/ims.v1.Tenants/ListTokens", Ims__V1__ListTokensRequest,
      Ims__V1__ListTokensResponse, ims__v1__list_tokens_response__descriptor)
UNARY(ims_client_revoke_token, "/ims.v1.Tenants/RevokeToken", Ims__V1__RevokeTokenRequest,
      Ims__V1__RevokeTokenResponse, ims__v1__revoke_token_response__descriptor)
UNARY(ims_client_list_schemas, "/ims.v1.Tenants/ListSchemas", Ims__V1__ListSchemasRequest,
      Ims__V1__ListSchemasResponse, ims__v1__list_schemas_response__descriptor)
UNARY(ims_client_get_schema, "/ims.v1.Tenants/GetSchema", Ims__V1__GetSchemaRequest,
      Ims__V1__Schema, ims__v1__schema__descriptor)
UNARY(ims_client_clone_schema, "/ims.v1.Tenants/CloneSchema", Ims__V1__CloneSchemaRequest,
      Ims__V1__Schema, ims__v1__schema__descriptor)
UNARY(ims_client_verify_audit_log, "/ims.v1.Tenants/VerifyAuditLog", Ims__V1__AuditVerifyRequest,
      Ims__V1__AuditVerifyResponse, ims__v1__audit_verify_response__descriptor)

UNARY(ims_client_get_security_level, "/ims.v1.Level/GetSecurityLevel",
      Ims__V1__GetSecurityLevelRequest, Ims__V1__SecurityLevel, ims__v1__security_level__descriptor)
UNARY(ims_client_get_history, "/ims.v1.Level/GetHistory", Ims__V1__GetHistoryRequest,
      Ims__V1__GetHistoryResponse, ims__v1__get_history_response__descriptor)
UNARY(ims_client_get_improvement_plan, "/ims.v1.Level/GetImprovementPlan",
      Ims__V1__GetImprovementPlanRequest, Ims__V1__ImprovementPlan,
      ims__v1__improvement_plan__descriptor)

UNARY(ims_client_submit_incident, "/ims.v1.Events/SubmitIncident", Ims__V1__SubmitIncidentRequest,
      Ims__V1__IncidentResult, ims__v1__incident_result__descriptor)
UNARY(ims_client_update_incident, "/ims.v1.Events/UpdateIncident", Ims__V1__UpdateIncidentRequest,
      Ims__V1__IncidentResult, ims__v1__incident_result__descriptor)
UNARY(ims_client_list_incidents, "/ims.v1.Events/ListIncidents", Ims__V1__ListIncidentsRequest,
      Ims__V1__ListIncidentsResponse, ims__v1__list_incidents_response__descriptor)
UNARY(ims_client_get_incident, "/ims.v1.Events/GetIncident", Ims__V1__GetIncidentRequest,
      Ims__V1__Incident, ims__v1__incident__descriptor)
UNARY(ims_client_submit_finding, "/ims.v1.Events/SubmitFinding", Ims__V1__SubmitFindingRequest,
      Ims__V1__FindingResult, ims__v1__finding_result__descriptor)
UNARY(ims_client_update_finding, "/ims.v1.Events/UpdateFinding", Ims__V1__UpdateFindingRequest,
      Ims__V1__FindingResult, ims__v1__finding_result__descriptor)
UNARY(ims_client_list_findings, "/ims.v1.Events/ListFindings", Ims__V1__ListFindingsRequest,
      Ims__V1__ListFindingsResponse, ims__v1__list_findings_response__descriptor)
UNARY(ims_client_add_action, "/ims.v1.Events/AddAction", Ims__V1__AddActionRequest,
      Ims__V1__FindingResult, ims__v1__finding_result__descriptor)
UNARY(ims_client_update_action, "/ims.v1.Events/UpdateAction", Ims__V1__UpdateActionRequest,
      Ims__V1__FindingResult, ims__v1__finding_result__descriptor)
UNARY(ims_client_map_series, "/ims.v1.Events/MapSeries", Ims__V1__MapSeriesRequest,
      Ims__V1__SeriesMapping, ims__v1__series_mapping__descriptor)
UNARY(ims_client_list_series_mappings, "/ims.v1.Events/ListSeriesMappings",
      Ims__V1__ListSeriesMappingsRequest, Ims__V1__ListSeriesMappingsResponse,
      ims__v1__list_series_mappings_response__descriptor)
UNARY(ims_client_unmap_series, "/ims.v1.Events/UnmapSeries", Ims__V1__UnmapSeriesRequest,
      Ims__V1__SeriesMapping, ims__v1__series_mapping__descriptor)
UNARY(ims_client_push_metrics, "/ims.v1.Events/PushMetrics", Ims__V1__PushMetricsRequest,
      Ims__V1__PushMetricsResponse, ims__v1__push_metrics_response__descriptor)

int ims_client_watch_security_level(ims_client *c, const Ims__V1__WatchSecurityLevelRequest *req,
                                    ims_client_stream **out)
{
    return ims_client_stream_open(c, "/ims.v1.Level/WatchSecurityLevel", &req->base, out);
}

int ims_client_stream_metrics(ims_client *c, ims_client_cstream **out)
{
    return ims_client_cstream_open(c, "/ims.v1.Events/StreamMetrics", out);
}

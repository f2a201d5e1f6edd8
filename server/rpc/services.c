/* The API's map: for each service, its methods in the order of its .proto and the handler
 * that serves each (handlers.h). Who may call a method is auth/'s permission table. */
#include "grpc/health/v1/health.pb-c.h"
#include "handlers.h"
#include "ims/v1/assessments.pb-c.h"
#include "ims/v1/catalog.pb-c.h"
#include "ims/v1/completion.pb-c.h"
#include "ims/v1/continuity.pb-c.h"
#include "ims/v1/documents.pb-c.h"
#include "ims/v1/events.pb-c.h"
#include "ims/v1/improvement.pb-c.h"
#include "ims/v1/level.pb-c.h"
#include "ims/v1/portfolio.pb-c.h"
#include "ims/v1/culture.pb-c.h"
#include "ims/v1/people.pb-c.h"
#include "ims/v1/procedures.pb-c.h"
#include "ims/v1/risk.pb-c.h"
#include "ims/v1/schemas.pb-c.h"
#include "ims/v1/tenants.pb-c.h"
#include "rpc.h"

#define REGISTER(server, descriptor, entries)                                                      \
    rpc_server_register(server, &descriptor, entries, sizeof entries / sizeof entries[0])

int rpc_register_health(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"Check", rpc_health_check, 0},
        {"Watch", rpc_health_watch, 0},
    };
    return REGISTER(server, grpc__health__v1__health__descriptor, entries);
}

int rpc_register_tenants(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"CreateTenant", rpc_create_tenant, 0}, {"GetTenant", rpc_get_tenant, 0},
        {"ListTenants", rpc_list_tenants, 0},   {"CreateToken", rpc_create_token, 0},
        {"ListTokens", rpc_list_tokens, 0},     {"RevokeToken", rpc_revoke_token, 0},
        {"ListSchemas", rpc_list_schemas, 0},   {"GetSchema", rpc_get_schema, 0},
        {"CloneSchema", rpc_clone_schema, 0},   {"VerifyAuditLog", rpc_verify_audit_log, 0},
        {"ExportTenant", rpc_export_tenant, 0}, {"ImportTenant", rpc_import_tenant, 0},
        {"ExportTenantStream", rpc_export_tenant_stream, 0},
        {"ImportTenantStream", rpc_import_tenant_stream, RPC_CLIENT_STREAM_EACH},
    };
    return REGISTER(server, ims__v1__tenants__descriptor, entries);
}

int rpc_register_level(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"GetSecurityLevel", rpc_get_security_level, 0},
        {"GetHistory", rpc_get_history, 0},
        {"GetImprovementPlan", rpc_get_improvement_plan, 0},
        {"WatchSecurityLevel", rpc_watch_security_level, 0},
    };
    return REGISTER(server, ims__v1__level__descriptor, entries);
}

int rpc_register_events(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"SubmitIncident", rpc_submit_incident, 0}, {"UpdateIncident", rpc_update_incident, 0},
        {"ListIncidents", rpc_list_incidents, 0},   {"GetIncident", rpc_get_incident, 0},
        {"SubmitFinding", rpc_submit_finding, 0},   {"UpdateFinding", rpc_update_finding, 0},
        {"ListFindings", rpc_list_findings, 0},     {"AddAction", rpc_add_action, 0},
        {"UpdateAction", rpc_update_action, 0},     {"PushMetrics", rpc_push_metrics, 0},
        {"StreamMetrics", rpc_push_metrics, RPC_CLIENT_STREAM_MERGED},
        {"MapSeries", rpc_map_series, 0},
        {"ListSeriesMappings", rpc_list_series_mappings, 0},
        {"UnmapSeries", rpc_unmap_series, 0},
    };
    return REGISTER(server, ims__v1__events__descriptor, entries);
}

int rpc_register_catalog(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"ListFrameworks", rpc_list_frameworks, 0},  {"ListControls", rpc_list_controls, 0},
        {"GetControl", rpc_get_control, 0},          {"ListThreats", rpc_list_threats, 0},
        {"ListAssetTypes", rpc_list_asset_types, 0}, {"ListMetrics", rpc_list_metrics, 0},
    };
    return REGISTER(server, ims__v1__catalog__descriptor, entries);
}

int rpc_register_assessments(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"SetAnswers", rpc_set_answers, 0},
        {"ImportAnswers", rpc_import_answers, 0},
        {"GetProgress", rpc_get_progress, 0},
        {"ListSoA", rpc_list_soa, 0},
        {"SetApplicability", rpc_set_applicability, 0},
        {"ExportSoA", rpc_export_soa, 0},
    };
    return REGISTER(server, ims__v1__assessments__descriptor, entries);
}

int rpc_register_risk(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"PutAsset", rpc_put_asset, 0},         {"ListAssets", rpc_list_assets, 0},
        {"DeleteAsset", rpc_delete_asset, 0},   {"GetRiskRegister", rpc_get_risk_register, 0},
        {"SetTreatment", rpc_set_treatment, 0},
    };
    return REGISTER(server, ims__v1__risk__descriptor, entries);
}

int rpc_register_continuity(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"PutProcess", rpc_put_process, 0}, {"ListProcesses", rpc_list_processes, 0},
        {"ReviewPlan", rpc_review_plan, 0}, {"RecordExercise", rpc_record_exercise, 0},
        {"GetBia", rpc_get_bia, 0},
    };
    return REGISTER(server, ims__v1__continuity__descriptor, entries);
}

int rpc_register_schemas(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"CreateSchemaDraft", rpc_create_schema_draft, 0},
        {"GetSchemaDocument", rpc_get_schema_document, 0},
        {"PutSchemaDocument", rpc_put_schema_document, 0},
        {"EditSchemaDraft", rpc_edit_schema_draft, 0},
        {"PublishSchema", rpc_publish_schema, 0},
        {"DiffSchemas", rpc_diff_schemas, 0},
        {"PreviewRebase", rpc_preview_rebase, 0},
        {"Rebase", rpc_rebase, 0},
        {"GetTuning", rpc_get_tuning, 0},
        {"SetTuning", rpc_set_tuning, 0},
        {"GetSchemaStats", rpc_get_schema_stats, 0},
        {"TranslateControls", rpc_translate_controls, 0},
    };
    return REGISTER(server, ims__v1__schemas__descriptor, entries);
}

int rpc_register_completion(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"GetCompletion", rpc_get_completion, 0},
        {"SetCompletion", rpc_set_completion, 0},
        {"SetCompletionTarget", rpc_set_completion_target, 0},
    };
    return REGISTER(server, ims__v1__completion__descriptor, entries);
}

int rpc_register_improvement(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"RaiseAction", rpc_raise_action, 0},     {"ProgressAction", rpc_progress_action, 0},
        {"ListActions", rpc_list_actions, 0},     {"GetAction", rpc_get_action, 0},
        {"PlanAudit", rpc_plan_audit, 0},         {"UpdateAudit", rpc_update_audit, 0},
        {"ListAudits", rpc_list_audits, 0},       {"GetAudit", rpc_get_audit, 0},
        {"AwardLevel", rpc_award_level, 0},       {"UpdateAward", rpc_update_award, 0},
        {"ListAwards", rpc_list_awards, 0},       {"GetAward", rpc_get_award, 0},
        {"HoldReview", rpc_hold_review, 0},       {"ListReviews", rpc_list_reviews, 0},
        {"GetReview", rpc_get_review, 0},         {"PutObjective", rpc_put_objective, 0},
        {"ListObjectives", rpc_list_objectives, 0}, {"GetScorecard", rpc_get_scorecard, 0},
    };
    return REGISTER(server, ims__v1__improvement__descriptor, entries);
}

int rpc_register_portfolio(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"GetPortfolio", rpc_get_portfolio, 0},
    };
    return REGISTER(server, ims__v1__portfolio__descriptor, entries);
}

int rpc_register_people(struct rpc_server *server)
{
    static const struct rpc_method_entry people[] = {
        {"PutPerson", rpc_put_person, 0},       {"GetPerson", rpc_get_person, 0},
        {"ListPeople", rpc_list_people, 0},     {"ListProfiles", rpc_list_profiles, 0},
        {"LinkToken", rpc_link_token, 0},
    };
    static const struct rpc_method_entry culture[] = {
        {"IssueCertificate", rpc_issue_certificate, 0},
        {"ListCertificates", rpc_list_certificates, 0},
        {"GetCultureSummary", rpc_get_culture_summary, 0},
    };
    static const struct rpc_method_entry procedures[] = {
        {"ListProcedures", rpc_list_procedures, 0},
        {"StartProcedure", rpc_start_procedure, 0},
        {"AdvanceProcedure", rpc_advance_procedure, 0},
        {"AttachRecord", rpc_attach_record, 0},
        {"GetProcedureInstance", rpc_get_procedure_instance, 0},
        {"ListProcedureInstances", rpc_list_procedure_instances, 0},
    };
    int rc = REGISTER(server, ims__v1__people__descriptor, people);
    if (rc == 0)
        rc = REGISTER(server, ims__v1__culture__descriptor, culture);
    if (rc == 0)
        rc = REGISTER(server, ims__v1__procedures__descriptor, procedures);
    return rc;
}

int rpc_register_documents(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"ListDocumentTemplates", rpc_list_document_templates, 0},
        {"ListDocuments", rpc_list_documents, 0},
        {"GetDocument", rpc_get_document, 0},
        {"CreateDocument", rpc_create_document, 0},
        {"AddDocumentVersion", rpc_add_document_version, 0},
        {"ApproveDocument", rpc_approve_document, 0},
        {"ObsoleteDocument", rpc_obsolete_document, 0},
    };
    return REGISTER(server, ims__v1__documents__descriptor, entries);
}

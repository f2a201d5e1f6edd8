/*
 * Every method's handler, by the file that holds it. A handler receives the unpacked
 * request with the principal and, for tenant methods, the tenant's UUID already checked
 * against the principal's scope, and ends the call exactly once (rpc.h). services.c maps
 * each service's methods to these.
 */
#ifndef IMS_RPC_HANDLERS_H
#define IMS_RPC_HANDLERS_H

struct rpc_call;

/* health.c */
void rpc_health_check(struct rpc_call *call);
void rpc_health_watch(struct rpc_call *call);

/* tenants.c */
void rpc_create_tenant(struct rpc_call *call);
void rpc_get_tenant(struct rpc_call *call);
void rpc_list_tenants(struct rpc_call *call);
void rpc_verify_audit_log(struct rpc_call *call);

/* tokens.c */
void rpc_create_token(struct rpc_call *call);
void rpc_list_tokens(struct rpc_call *call);
void rpc_revoke_token(struct rpc_call *call);

/* schemas.c */
void rpc_list_schemas(struct rpc_call *call);
void rpc_get_schema(struct rpc_call *call);
void rpc_clone_schema(struct rpc_call *call);

/* snapshots.c */
void rpc_export_tenant(struct rpc_call *call);
void rpc_export_tenant_stream(struct rpc_call *call);
void rpc_import_tenant(struct rpc_call *call);
void rpc_import_tenant_stream(struct rpc_call *call);
/* After the commit of a tenant made from a document (ImportTenant, ImportTenantStream):
 * row is the created tenant (the RPC_TENANT_FIELDS columns of TENANT_CREATE); loads it
 * through the tenant write path and replies with the Tenant and its revision. */
#define RPC_TENANT_FIELDS 9
void rpc_import_tenant_committed(struct rpc_call *call, const char *const *row);

/* level.c */
void rpc_get_security_level(struct rpc_call *call);
void rpc_get_history(struct rpc_call *call);
void rpc_get_improvement_plan(struct rpc_call *call);
void rpc_watch_security_level(struct rpc_call *call);

/* portfolio.c */
void rpc_get_portfolio(struct rpc_call *call);

/* incidents.c */
void rpc_submit_incident(struct rpc_call *call);
void rpc_update_incident(struct rpc_call *call);
void rpc_list_incidents(struct rpc_call *call);
void rpc_get_incident(struct rpc_call *call);

/* findings.c */
void rpc_submit_finding(struct rpc_call *call);
void rpc_update_finding(struct rpc_call *call);
void rpc_list_findings(struct rpc_call *call);
void rpc_add_action(struct rpc_call *call);
void rpc_update_action(struct rpc_call *call);

/* samples.c */
void rpc_push_metrics(struct rpc_call *call);

/* series_maps.c */
void rpc_map_series(struct rpc_call *call);
void rpc_list_series_mappings(struct rpc_call *call);
void rpc_unmap_series(struct rpc_call *call);

/* catalog.c */
void rpc_list_frameworks(struct rpc_call *call);
void rpc_list_controls(struct rpc_call *call);
void rpc_get_control(struct rpc_call *call);
void rpc_list_threats(struct rpc_call *call);
void rpc_list_asset_types(struct rpc_call *call);
void rpc_list_metrics(struct rpc_call *call);

/* answers.c */
void rpc_set_answers(struct rpc_call *call);
void rpc_import_answers(struct rpc_call *call);
void rpc_get_progress(struct rpc_call *call);

/* soa.c */
void rpc_list_soa(struct rpc_call *call);
void rpc_set_applicability(struct rpc_call *call);
void rpc_export_soa(struct rpc_call *call);

/* assets.c */
void rpc_put_asset(struct rpc_call *call);
void rpc_list_assets(struct rpc_call *call);
void rpc_delete_asset(struct rpc_call *call);

/* risk.c */
void rpc_get_risk_register(struct rpc_call *call);
void rpc_set_treatment(struct rpc_call *call);

/* processes.c */
void rpc_put_process(struct rpc_call *call);
void rpc_list_processes(struct rpc_call *call);
void rpc_review_plan(struct rpc_call *call);
void rpc_record_exercise(struct rpc_call *call);
void rpc_get_bia(struct rpc_call *call);

/* Check and Act (ims.v1.Improvement): actions.c, audits.c, awards.c, reviews.c,
 * objectives.c */
void rpc_raise_action(struct rpc_call *call);
void rpc_progress_action(struct rpc_call *call);
void rpc_list_actions(struct rpc_call *call);
void rpc_get_action(struct rpc_call *call);
void rpc_plan_audit(struct rpc_call *call);
void rpc_update_audit(struct rpc_call *call);
void rpc_list_audits(struct rpc_call *call);
void rpc_get_audit(struct rpc_call *call);
void rpc_award_level(struct rpc_call *call);
void rpc_update_award(struct rpc_call *call);
void rpc_list_awards(struct rpc_call *call);
void rpc_get_award(struct rpc_call *call);
void rpc_hold_review(struct rpc_call *call);
void rpc_list_reviews(struct rpc_call *call);
void rpc_get_review(struct rpc_call *call);
void rpc_put_objective(struct rpc_call *call);
void rpc_list_objectives(struct rpc_call *call);
void rpc_get_scorecard(struct rpc_call *call);
/* people.c */
void rpc_put_person(struct rpc_call *call);
void rpc_get_person(struct rpc_call *call);
void rpc_list_people(struct rpc_call *call);
void rpc_list_profiles(struct rpc_call *call);
void rpc_link_token(struct rpc_call *call);

/* culture.c */
void rpc_issue_certificate(struct rpc_call *call);
void rpc_list_certificates(struct rpc_call *call);
void rpc_get_culture_summary(struct rpc_call *call);

/* procedures.c */
void rpc_list_procedures(struct rpc_call *call);
void rpc_start_procedure(struct rpc_call *call);
void rpc_advance_procedure(struct rpc_call *call);
void rpc_attach_record(struct rpc_call *call);
void rpc_get_procedure_instance(struct rpc_call *call);
void rpc_list_procedure_instances(struct rpc_call *call);

/* documents.c */
void rpc_list_document_templates(struct rpc_call *call);
void rpc_list_documents(struct rpc_call *call);
void rpc_get_document(struct rpc_call *call);
void rpc_create_document(struct rpc_call *call);
void rpc_add_document_version(struct rpc_call *call);
void rpc_approve_document(struct rpc_call *call);
void rpc_obsolete_document(struct rpc_call *call);

/* schema_drafts.c */
void rpc_create_schema_draft(struct rpc_call *call);
void rpc_get_schema_document(struct rpc_call *call);
void rpc_put_schema_document(struct rpc_call *call);
void rpc_edit_schema_draft(struct rpc_call *call);
void rpc_publish_schema(struct rpc_call *call);
void rpc_diff_schemas(struct rpc_call *call);

/* rebase.c */
void rpc_preview_rebase(struct rpc_call *call);
void rpc_rebase(struct rpc_call *call);

/* tuning.c */
void rpc_get_tuning(struct rpc_call *call);
void rpc_set_tuning(struct rpc_call *call);

/* schema_stats.c */
void rpc_get_schema_stats(struct rpc_call *call);

/* legacy.c */
void rpc_translate_controls(struct rpc_call *call);

/* completion.c */
void rpc_get_completion(struct rpc_call *call);
void rpc_set_completion(struct rpc_call *call);
void rpc_set_completion_target(struct rpc_call *call);

#endif

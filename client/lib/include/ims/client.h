/*
 * libimsclient: a small, blocking gRPC client for imsd.
 *
 * One ims_client holds one HTTP/2 connection (cleartext h2c with prior
 * knowledge, or TLS with ALPN h2) and runs calls on it one after another. The
 * connection is opened at the first call and kept. When the server refused a
 * unary call before handling it (REFUSED_STREAM, GOAWAY), or closed the
 * connection between calls and the call only reads (Get..., List..., Check,
 * Verify..., Export...), the connection is opened again and the call sent
 * again, once; a write whose connection broke is not (it may have been
 * committed: send it again with its idempotency key).
 *
 * Every fallible function returns 0 or a negative IMS_E* code (ims/error.h).
 * IMS_ERPC means the server answered with a non-OK gRPC status; the status is
 * ims_client_grpc_status() and the server's message ims_client_error(). For a
 * local failure the status is the one gRPC clients report for it
 * (UNAVAILABLE when the server cannot be reached or the connection broke,
 * DEADLINE_EXCEEDED when the timeout passed, INTERNAL for a protocol error,
 * RESOURCE_EXHAUSTED for an oversized message, INVALID_ARGUMENT for a bad
 * option or request, CANCELLED when a signal interrupted a wait).
 *
 * The library never logs and never prints. It is not thread-safe: use one
 * ims_client per thread. Only one call (unary or stream) may be in flight on
 * a client at a time; starting another returns IMS_EINVAL.
 */
#ifndef IMS_CLIENT_H
#define IMS_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

#include "grpc/health/v1/health.pb-c.h"
#include "ims/error.h"
#include "ims/v1/completion.pb-c.h"
#include "ims/v1/events.pb-c.h"
#include "ims/v1/improvement.pb-c.h"
#include "ims/v1/level.pb-c.h"
#include "ims/v1/portfolio.pb-c.h"
#include "ims/v1/schemas.pb-c.h"
#include "ims/v1/tenants.pb-c.h"
/* people, culture, procedures, documents */
#include "ims/v1/culture.pb-c.h"
#include "ims/v1/documents.pb-c.h"
#include "ims/v1/people.pb-c.h"
#include "ims/v1/procedures.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IMS_WUR __attribute__((warn_unused_result))

typedef struct ims_client ims_client;
/* A server-streaming call being read. */
typedef struct ims_client_stream ims_client_stream;
/* A client-streaming call being written. */
typedef struct ims_client_cstream ims_client_cstream;

/* Largest response message accepted (bigger ones fail with IMS_ETOOBIG). */
#define IMS_CLIENT_MAX_MESSAGE (16u * 1024u * 1024u)

typedef struct ims_client_options {
    /*
     * "host:port", "[v6addr]:port", "http://host:port" (cleartext h2c),
     * "https://host[:port]" (TLS), "unix:/path" (cleartext over a Unix socket).
     */
    const char *server;
    const char *token;     /* sent as "authorization: Bearer <token>"; NULL: none */
    const char *ca_file;   /* TLS: CA bundle to verify the server; NULL: system store */
    const char *cert_file; /* TLS: client certificate chain (PEM); needs key_file */
    const char *key_file;  /* TLS: client private key (PEM) */
    int timeout_ms;        /* per call, sent as grpc-timeout and applied to I/O; 0: none */
} ims_client_options;

/*
 * Creates a client from the options (copied; nothing is connected yet).
 * *out is set only on success.
 * Returns 0, IMS_ENOMEM, or IMS_EINVAL (bad server address, certificate
 * without key, negative timeout) or IMS_ETLS (unreadable CA, certificate or
 * key file); for those two the reason is written to err (errlen bytes, may be
 * NULL/0).
 */
IMS_WUR int ims_client_new(const ims_client_options *options, ims_client **out, char *err,
                           size_t errlen);

/* Closes the connection and frees the client; close its streams first. NULL is allowed. */
void ims_client_free(ims_client *c);

/*
 * Opens the connection now rather than at the first call.
 * Returns 0, IMS_ECONNREFUSED, IMS_ETIMEDOUT, IMS_ETLS, IMS_EIO, IMS_ECLOSED,
 * IMS_EPROTO, IMS_EINTR or IMS_ENOMEM.
 */
IMS_WUR int ims_client_connect(ims_client *c);

/* Changes the per-call timeout for later calls (0: none). Returns 0 or IMS_EINVAL. */
IMS_WUR int ims_client_set_timeout(ims_client *c, int timeout_ms);

/* The message of the last error ("" after a success). Valid until the next call. */
const char *ims_client_error(const ims_client *c);

/* The gRPC status of the last call (IMS_GRPC_OK after a success). */
int ims_client_grpc_status(const ims_client *c);

/* 1 when calls (and the token with them) go in clear text over the network: h2c to a host
 * other than this machine's loopback (a Unix socket or https:// is never). Worth a warning. */
int ims_client_cleartext_remote(const ims_client *c);

/*
 * A unary call. `path` is "/package.Service/Method". On success *response is
 * a message of response_type; free it with protobuf_c_message_free_unpacked().
 * Returns 0; IMS_ERPC (non-OK status from the server); IMS_EINVAL (another
 * call in flight, bad path); IMS_ECONNREFUSED, IMS_ECLOSED, IMS_EIO, IMS_ETLS
 * (connection); IMS_ETIMEDOUT (deadline); IMS_EPROTO (malformed HTTP/2 or
 * gRPC framing, or a response that does not unpack); IMS_ETOOBIG; IMS_EINTR;
 * IMS_ENOMEM.
 */
IMS_WUR int ims_client_call(ims_client *c, const char *path, const ProtobufCMessage *request,
                            const ProtobufCMessageDescriptor *response_type,
                            ProtobufCMessage **response);

/*
 * A unary call with raw bytes, for tests of malformed input: `body` is sent
 * as the whole HTTP/2 request body, unchanged (no gRPC prefix is added), and
 * `content_type` replaces "application/grpc" when not NULL. On success
 * *response (malloc'ed, free() it; NULL when empty) holds the first response
 * message without its prefix. Returns the codes of ims_client_call().
 */
IMS_WUR int ims_client_call_raw(ims_client *c, const char *path, const char *content_type,
                                const uint8_t *body, size_t body_len, uint8_t **response,
                                size_t *response_len);

/*
 * Starts a server-streaming call with one request message.
 * Returns the codes of ims_client_call() (an early error status from the
 * server shows at the first ims_client_stream_next()).
 */
IMS_WUR int ims_client_stream_open(ims_client *c, const char *path, const ProtobufCMessage *request,
                                   ims_client_stream **out);

/*
 * Waits for the next message: 0 with *msg set (free with
 * protobuf_c_message_free_unpacked()), 1 at the clean end of the stream (OK
 * status), or a negative code as for ims_client_call(). IMS_EINTR means a
 * signal handler interrupted the wait; the stream is still usable.
 */
IMS_WUR int ims_client_stream_next(ims_client_stream *s,
                                   const ProtobufCMessageDescriptor *response_type,
                                   ProtobufCMessage **msg);

/* Cancels the call if it has not ended (RST_STREAM CANCEL) and frees s. NULL is allowed. */
void ims_client_stream_close(ims_client_stream *s);

/* Starts a client-streaming call. Returns the codes of ims_client_call(). */
IMS_WUR int ims_client_cstream_open(ims_client *c, const char *path, ims_client_cstream **out);

/*
 * Sends one message. Returns 0, IMS_ERPC when the server already ended the
 * call with an error, or the transport codes of ims_client_call().
 */
IMS_WUR int ims_client_cstream_send(ims_client_cstream *s, const ProtobufCMessage *msg);

/*
 * Half-closes and waits for the single response. Returns the codes of
 * ims_client_call(). Close the stream afterwards in any case.
 */
IMS_WUR int ims_client_cstream_finish(ims_client_cstream *s,
                                      const ProtobufCMessageDescriptor *response_type,
                                      ProtobufCMessage **response);

/* Cancels the call if it has not ended and frees s. NULL is allowed. */
void ims_client_cstream_close(ims_client_cstream *s);

/*
 * Typed calls: thin wrappers over ims_client_call() returning its codes. The
 * response is the RPC's output type; free it with the generated
 * ..._free_unpacked(msg, NULL) or protobuf_c_message_free_unpacked().
 */

/* grpc.health.v1.Health/Check */
IMS_WUR int ims_client_health_check(ims_client *c, const Grpc__Health__V1__HealthCheckRequest *req,
                                    Grpc__Health__V1__HealthCheckResponse **out);

/* ims.v1.Tenants */
IMS_WUR int ims_client_create_tenant(ims_client *c, const Ims__V1__CreateTenantRequest *req,
                                     Ims__V1__Tenant **out);
IMS_WUR int ims_client_get_tenant(ims_client *c, const Ims__V1__GetTenantRequest *req,
                                  Ims__V1__Tenant **out);
IMS_WUR int ims_client_list_tenants(ims_client *c, const Ims__V1__ListTenantsRequest *req,
                                    Ims__V1__ListTenantsResponse **out);
IMS_WUR int ims_client_create_token(ims_client *c, const Ims__V1__CreateTokenRequest *req,
                                    Ims__V1__CreateTokenResponse **out);
IMS_WUR int ims_client_list_tokens(ims_client *c, const Ims__V1__ListTokensRequest *req,
                                   Ims__V1__ListTokensResponse **out);
IMS_WUR int ims_client_revoke_token(ims_client *c, const Ims__V1__RevokeTokenRequest *req,
                                    Ims__V1__RevokeTokenResponse **out);
IMS_WUR int ims_client_list_schemas(ims_client *c, const Ims__V1__ListSchemasRequest *req,
                                    Ims__V1__ListSchemasResponse **out);
IMS_WUR int ims_client_get_schema(ims_client *c, const Ims__V1__GetSchemaRequest *req,
                                  Ims__V1__Schema **out);
IMS_WUR int ims_client_clone_schema(ims_client *c, const Ims__V1__CloneSchemaRequest *req,
                                    Ims__V1__Schema **out);
IMS_WUR int ims_client_verify_audit_log(ims_client *c, const Ims__V1__AuditVerifyRequest *req,
                                        Ims__V1__AuditVerifyResponse **out);

/* ims.v1.Level */
IMS_WUR int ims_client_get_security_level(ims_client *c,
                                          const Ims__V1__GetSecurityLevelRequest *req,
                                          Ims__V1__SecurityLevel **out);
IMS_WUR int ims_client_get_history(ims_client *c, const Ims__V1__GetHistoryRequest *req,
                                   Ims__V1__GetHistoryResponse **out);
IMS_WUR int ims_client_get_improvement_plan(ims_client *c,
                                            const Ims__V1__GetImprovementPlanRequest *req,
                                            Ims__V1__ImprovementPlan **out);
/* Server stream of Ims__V1__SecurityLevel; read with ims_client_stream_next(). */
IMS_WUR int ims_client_watch_security_level(ims_client *c,
                                            const Ims__V1__WatchSecurityLevelRequest *req,
                                            ims_client_stream **out);

/* ims.v1.Events */
IMS_WUR int ims_client_submit_incident(ims_client *c, const Ims__V1__SubmitIncidentRequest *req,
                                       Ims__V1__IncidentResult **out);
IMS_WUR int ims_client_update_incident(ims_client *c, const Ims__V1__UpdateIncidentRequest *req,
                                       Ims__V1__IncidentResult **out);
IMS_WUR int ims_client_list_incidents(ims_client *c, const Ims__V1__ListIncidentsRequest *req,
                                      Ims__V1__ListIncidentsResponse **out);
IMS_WUR int ims_client_get_incident(ims_client *c, const Ims__V1__GetIncidentRequest *req,
                                    Ims__V1__Incident **out);
IMS_WUR int ims_client_submit_finding(ims_client *c, const Ims__V1__SubmitFindingRequest *req,
                                      Ims__V1__FindingResult **out);
IMS_WUR int ims_client_update_finding(ims_client *c, const Ims__V1__UpdateFindingRequest *req,
                                      Ims__V1__FindingResult **out);
IMS_WUR int ims_client_list_findings(ims_client *c, const Ims__V1__ListFindingsRequest *req,
                                     Ims__V1__ListFindingsResponse **out);
IMS_WUR int ims_client_add_action(ims_client *c, const Ims__V1__AddActionRequest *req,
                                  Ims__V1__FindingResult **out);
IMS_WUR int ims_client_update_action(ims_client *c, const Ims__V1__UpdateActionRequest *req,
                                     Ims__V1__FindingResult **out);
/* The remote_write receiver's series mappings of a tenant. */
IMS_WUR int ims_client_map_series(ims_client *c, const Ims__V1__MapSeriesRequest *req,
                                  Ims__V1__SeriesMapping **out);
IMS_WUR int ims_client_list_series_mappings(ims_client *c,
                                            const Ims__V1__ListSeriesMappingsRequest *req,
                                            Ims__V1__ListSeriesMappingsResponse **out);
IMS_WUR int ims_client_unmap_series(ims_client *c, const Ims__V1__UnmapSeriesRequest *req,
                                    Ims__V1__SeriesMapping **out);
IMS_WUR int ims_client_push_metrics(ims_client *c, const Ims__V1__PushMetricsRequest *req,
                                    Ims__V1__PushMetricsResponse **out);
/*
 * Client stream of Ims__V1__PushMetricsRequest; send with
 * ims_client_cstream_send(), then ims_client_cstream_finish() with
 * &ims__v1__push_metrics_response__descriptor.
 */
IMS_WUR int ims_client_stream_metrics(ims_client *c, ims_client_cstream **out);

/* ---- ims.v1.Improvement (Check and Act): the action tracker, the audit programme, awards
 * of a maturity level, management reviews, objectives and their scorecard. ---- */
IMS_WUR int ims_client_raise_action(ims_client *c, const Ims__V1__RaiseActionRequest *req,
        Ims__V1__ActionResult **out);
IMS_WUR int ims_client_progress_action(ims_client *c, const Ims__V1__ProgressActionRequest *req,
        Ims__V1__ActionResult **out);
IMS_WUR int ims_client_list_actions(ims_client *c, const Ims__V1__ListActionsRequest *req,
        Ims__V1__ListActionsResponse **out);
IMS_WUR int ims_client_get_action(ims_client *c, const Ims__V1__GetActionRequest *req,
        Ims__V1__Action **out);
IMS_WUR int ims_client_plan_audit(ims_client *c, const Ims__V1__PlanAuditRequest *req,
        Ims__V1__AuditResult **out);
IMS_WUR int ims_client_update_audit(ims_client *c, const Ims__V1__UpdateAuditRequest *req,
        Ims__V1__AuditResult **out);
IMS_WUR int ims_client_list_audits(ims_client *c, const Ims__V1__ListAuditsRequest *req,
        Ims__V1__ListAuditsResponse **out);
IMS_WUR int ims_client_get_audit(ims_client *c, const Ims__V1__GetAuditRequest *req,
        Ims__V1__Audit **out);
IMS_WUR int ims_client_award_level(ims_client *c, const Ims__V1__AwardLevelRequest *req,
        Ims__V1__Award **out);
IMS_WUR int ims_client_update_award(ims_client *c, const Ims__V1__UpdateAwardRequest *req,
        Ims__V1__Award **out);
IMS_WUR int ims_client_list_awards(ims_client *c, const Ims__V1__ListAwardsRequest *req,
        Ims__V1__ListAwardsResponse **out);
IMS_WUR int ims_client_get_award(ims_client *c, const Ims__V1__GetAwardRequest *req,
        Ims__V1__Award **out);
IMS_WUR int ims_client_hold_review(ims_client *c, const Ims__V1__HoldReviewRequest *req,
        Ims__V1__ReviewResult **out);
IMS_WUR int ims_client_list_reviews(ims_client *c, const Ims__V1__ListReviewsRequest *req,
        Ims__V1__ListReviewsResponse **out);
IMS_WUR int ims_client_get_review(ims_client *c, const Ims__V1__GetReviewRequest *req,
        Ims__V1__Review **out);
IMS_WUR int ims_client_put_objective(ims_client *c, const Ims__V1__PutObjectiveRequest *req,
        Ims__V1__Objective **out);
IMS_WUR int ims_client_list_objectives(ims_client *c, const Ims__V1__ListObjectivesRequest *req,
        Ims__V1__ListObjectivesResponse **out);
IMS_WUR int ims_client_get_scorecard(ims_client *c, const Ims__V1__GetScorecardRequest *req,
        Ims__V1__Scorecard **out);
/* --- the portfolio (ims.v1.Portfolio; client/lib/portfolio.c) --- */

/* Every tenant in the token's scope with level, maturity, trend, open nonconformities,
 * overdue actions and risks above appetite (operators, consultants, auditors). */
IMS_WUR int ims_client_get_portfolio(ims_client *c, const Ims__V1__GetPortfolioRequest *req,
                                     Ims__V1__GetPortfolioResponse **out);

/* --- people, security culture, procedures and documents (docs/people.md; people.c) --- */

/* ims.v1.People */
IMS_WUR int ims_client_put_person(ims_client *c, const Ims__V1__PutPersonRequest *req,
                                  Ims__V1__Person **out);
IMS_WUR int ims_client_get_person(ims_client *c, const Ims__V1__GetPersonRequest *req,
                                  Ims__V1__Person **out);
IMS_WUR int ims_client_list_people(ims_client *c, const Ims__V1__ListPeopleRequest *req,
                                   Ims__V1__ListPeopleResponse **out);
IMS_WUR int ims_client_list_profiles(ims_client *c, const Ims__V1__ListProfilesRequest *req,
                                     Ims__V1__ListProfilesResponse **out);
IMS_WUR int ims_client_link_token(ims_client *c, const Ims__V1__LinkTokenRequest *req,
                                  Ims__V1__LinkTokenResponse **out);
/* ims.v1.Culture */
IMS_WUR int ims_client_issue_certificate(ims_client *c, const Ims__V1__IssueCertificateRequest *req,
                                         Ims__V1__Certificate **out);
IMS_WUR int ims_client_list_certificates(ims_client *c, const Ims__V1__ListCertificatesRequest *req,
                                         Ims__V1__ListCertificatesResponse **out);
IMS_WUR int ims_client_get_culture_summary(ims_client *c,
                                           const Ims__V1__GetCultureSummaryRequest *req,
                                           Ims__V1__CultureSummary **out);
/* ims.v1.Procedures */
IMS_WUR int ims_client_list_procedures(ims_client *c, const Ims__V1__ListProceduresRequest *req,
                                       Ims__V1__ListProceduresResponse **out);
IMS_WUR int ims_client_start_procedure(ims_client *c, const Ims__V1__StartProcedureRequest *req,
                                       Ims__V1__ProcedureInstance **out);
IMS_WUR int ims_client_advance_procedure(ims_client *c, const Ims__V1__AdvanceProcedureRequest *req,
                                         Ims__V1__ProcedureInstance **out);
IMS_WUR int ims_client_attach_record(ims_client *c, const Ims__V1__AttachRecordRequest *req,
                                     Ims__V1__ProcedureInstance **out);
IMS_WUR int ims_client_get_procedure_instance(ims_client *c,
                                              const Ims__V1__GetProcedureInstanceRequest *req,
                                              Ims__V1__ProcedureInstance **out);
IMS_WUR int ims_client_list_procedure_instances(ims_client *c,
                                                const Ims__V1__ListProcedureInstancesRequest *req,
                                                Ims__V1__ListProcedureInstancesResponse **out);
/* ims.v1.Documents */
IMS_WUR int ims_client_list_document_templates(ims_client *c,
                                               const Ims__V1__ListDocumentTemplatesRequest *req,
                                               Ims__V1__ListDocumentTemplatesResponse **out);
IMS_WUR int ims_client_list_documents(ims_client *c, const Ims__V1__ListDocumentsRequest *req,
                                      Ims__V1__ListDocumentsResponse **out);
IMS_WUR int ims_client_get_document(ims_client *c, const Ims__V1__GetDocumentRequest *req,
                                    Ims__V1__Document **out);
IMS_WUR int ims_client_create_document(ims_client *c, const Ims__V1__CreateDocumentRequest *req,
                                       Ims__V1__DocumentChange **out);
IMS_WUR int ims_client_add_document_version(ims_client *c,
                                            const Ims__V1__AddDocumentVersionRequest *req,
                                            Ims__V1__DocumentChange **out);
IMS_WUR int ims_client_approve_document(ims_client *c, const Ims__V1__ApproveDocumentRequest *req,
                                        Ims__V1__DocumentChange **out);
IMS_WUR int ims_client_obsolete_document(ims_client *c, const Ims__V1__ObsoleteDocumentRequest *req,
                                         Ims__V1__DocumentChange **out);

/* --- ims.v1.Schemas (schemas.c): the schema repository's drafts, documents, diffs and
 * publication; tenant rebase and tuning; schema statistics. --- */
IMS_WUR int ims_client_create_schema_draft(ims_client *c,
                                           const Ims__V1__CreateSchemaDraftRequest *req,
                                           Ims__V1__SchemaDocument **out);
IMS_WUR int ims_client_get_schema_document(ims_client *c,
                                           const Ims__V1__GetSchemaDocumentRequest *req,
                                           Ims__V1__SchemaDocument **out);
IMS_WUR int ims_client_put_schema_document(ims_client *c,
                                           const Ims__V1__PutSchemaDocumentRequest *req,
                                           Ims__V1__SchemaDocument **out);
IMS_WUR int ims_client_edit_schema_draft(ims_client *c, const Ims__V1__EditSchemaDraftRequest *req,
                                         Ims__V1__SchemaDocument **out);
IMS_WUR int ims_client_publish_schema(ims_client *c, const Ims__V1__PublishSchemaRequest *req,
                                      Ims__V1__SchemaDocument **out);
IMS_WUR int ims_client_diff_schemas(ims_client *c, const Ims__V1__DiffSchemasRequest *req,
                                    Ims__V1__DiffSchemasResponse **out);
IMS_WUR int ims_client_preview_rebase(ims_client *c, const Ims__V1__RebaseRequest *req,
                                      Ims__V1__RebasePreview **out);
IMS_WUR int ims_client_rebase(ims_client *c, const Ims__V1__RebaseRequest *req,
                              Ims__V1__RebaseResponse **out);
IMS_WUR int ims_client_get_tuning(ims_client *c, const Ims__V1__GetTuningRequest *req,
                                  Ims__V1__GetTuningResponse **out);
IMS_WUR int ims_client_set_tuning(ims_client *c, const Ims__V1__SetTuningRequest *req,
                                  Ims__V1__SetTuningResponse **out);
IMS_WUR int ims_client_get_schema_stats(ims_client *c, const Ims__V1__GetSchemaStatsRequest *req,
                                        Ims__V1__GetSchemaStatsResponse **out);
IMS_WUR int ims_client_translate_controls(ims_client *c,
                                          const Ims__V1__TranslateControlsRequest *req,
                                          Ims__V1__TranslateControlsResponse **out);

/* --- ims.v1.Completion (completion.c): the completion matrix of an implementation. --- */
IMS_WUR int ims_client_get_completion(ims_client *c, const Ims__V1__GetCompletionRequest *req,
                                      Ims__V1__CompletionMatrix **out);
IMS_WUR int ims_client_set_completion(ims_client *c, const Ims__V1__SetCompletionRequest *req,
                                      Ims__V1__CompletionMatrix **out);
IMS_WUR int ims_client_set_completion_target(ims_client *c,
                                             const Ims__V1__SetCompletionTargetRequest *req,
                                             Ims__V1__CompletionMatrix **out);

/* --- ims.v1.Tenants streaming export (export_stream.c). --- */
/* Server stream of Ims__V1__ExportTenantChunk: the pieces, joined in order, are the
 * canonical snapshot document; read with ims_client_stream_next(). */
IMS_WUR int ims_client_export_tenant_stream(ims_client *c,
                                            const Ims__V1__ExportTenantStreamRequest *req,
                                            ims_client_stream **out);

/* --- ims.v1.Tenants streaming import (import_stream.c). --- */
/* Creates a tenant from the snapshot document read from in to its end, sent in 64 KiB
 * pieces (memory independent of the document's size). first carries the tenant's slug,
 * display_name, sector, size_band and schema (its data is ignored). Returns the codes of
 * ims_client_call(), or IMS_EIO when in cannot be read; *out is the new tenant (free it
 * with protobuf_c_message_free_unpacked()). */
IMS_WUR int ims_client_import_tenant_stream(ims_client *c, const Ims__V1__ImportTenantChunk *first,
                                            FILE *in, Ims__V1__Tenant **out);

#ifdef __cplusplus
}
#endif
#endif

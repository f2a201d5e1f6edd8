/* Who may call what: roles, the principal's tenant scope, and the permission table. */
#include "auth.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ims/error.h"

static const char *const role_names[ROLE__COUNT] = {
    "operator", "consultant", "auditor", "tenant_admin", "agent", "viewer",
};

#define OP ROLE_BIT(ROLE_OPERATOR)
#define CONSULTANT ROLE_BIT(ROLE_CONSULTANT)
#define AUDITOR ROLE_BIT(ROLE_AUDITOR)
#define ADMIN ROLE_BIT(ROLE_TENANT_ADMIN)
#define AGENT ROLE_BIT(ROLE_AGENT)
#define READERS ROLES_READERS

/* The permission table: every method of the API, and who may call it. */
static const struct auth_permission permissions[] = {
    {"/grpc.health.v1.Health/Check", ROLES_ALL, SCOPE_NONE},
    {"/grpc.health.v1.Health/Watch", ROLES_ALL, SCOPE_NONE},

    /* A consultant creates tenants in the sectors granted to its token (the handler checks). */
    {"/ims.v1.Tenants/CreateTenant", OP | CONSULTANT, SCOPE_GLOBAL},
    {"/ims.v1.Tenants/GetTenant", READERS, SCOPE_TENANT},
    {"/ims.v1.Tenants/ListTenants", READERS, SCOPE_GLOBAL},
    {"/ims.v1.Tenants/CreateToken", OP | ADMIN, SCOPE_GLOBAL},
    {"/ims.v1.Tenants/ListTokens", OP | ADMIN, SCOPE_GLOBAL},
    {"/ims.v1.Tenants/RevokeToken", OP | ADMIN, SCOPE_GLOBAL},
    /* The schema repository is the consultancy's know-how: never a client's own roles. */
    {"/ims.v1.Tenants/ListSchemas", OP | CONSULTANT, SCOPE_GLOBAL},
    {"/ims.v1.Tenants/GetSchema", OP | CONSULTANT, SCOPE_GLOBAL},
    {"/ims.v1.Tenants/CloneSchema", OP | CONSULTANT, SCOPE_GLOBAL},
    /* Checking the trail is a read: everyone who may read the tenant may check it. */
    {"/ims.v1.Tenants/VerifyAuditLog", READERS, SCOPE_TENANT},
    {"/ims.v1.Tenants/ExportTenant", READERS, SCOPE_TENANT},
    {"/ims.v1.Tenants/ImportTenant", OP, SCOPE_GLOBAL},
    {"/ims.v1.Tenants/ImportTenantStream", OP, SCOPE_GLOBAL},
    {"/ims.v1.Tenants/ExportTenantStream", READERS, SCOPE_TENANT},

    {"/ims.v1.Level/GetSecurityLevel", READERS, SCOPE_TENANT},
    {"/ims.v1.Level/GetHistory", READERS, SCOPE_TENANT},
    {"/ims.v1.Level/GetImprovementPlan", READERS, SCOPE_TENANT},
    /* An empty tenant watches every tenant: the handler allows that to operators only. */
    {"/ims.v1.Level/WatchSecurityLevel", READERS, SCOPE_TENANT},

    {"/ims.v1.Events/SubmitIncident", OP | ADMIN | AGENT, SCOPE_TENANT},
    {"/ims.v1.Events/UpdateIncident", OP | ADMIN | AGENT, SCOPE_TENANT},
    {"/ims.v1.Events/ListIncidents", READERS, SCOPE_TENANT},
    {"/ims.v1.Events/GetIncident", READERS, SCOPE_TENANT},
    {"/ims.v1.Events/SubmitFinding", OP | AUDITOR | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Events/UpdateFinding", OP | AUDITOR | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Events/ListFindings", READERS, SCOPE_TENANT},
    {"/ims.v1.Events/AddAction", OP | AUDITOR | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Events/UpdateAction", OP | AUDITOR | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Events/PushMetrics", OP | ADMIN | AGENT, SCOPE_TENANT},
    {"/ims.v1.Events/StreamMetrics", OP | ADMIN | AGENT, SCOPE_TENANT},
    {"/ims.v1.Events/MapSeries", OP | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Events/ListSeriesMappings", READERS, SCOPE_TENANT},
    {"/ims.v1.Events/UnmapSeries", OP | ADMIN, SCOPE_TENANT},

    {"/ims.v1.Catalog/ListFrameworks", READERS, SCOPE_GLOBAL},
    {"/ims.v1.Catalog/ListControls", READERS, SCOPE_GLOBAL},
    {"/ims.v1.Catalog/GetControl", READERS, SCOPE_GLOBAL},
    {"/ims.v1.Catalog/ListThreats", READERS, SCOPE_GLOBAL},
    {"/ims.v1.Catalog/ListAssetTypes", READERS, SCOPE_GLOBAL},
    {"/ims.v1.Catalog/ListMetrics", READERS, SCOPE_GLOBAL},

    {"/ims.v1.Assessments/SetAnswers", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Assessments/ImportAnswers", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Assessments/GetProgress", READERS, SCOPE_TENANT},
    {"/ims.v1.Assessments/ListSoA", READERS, SCOPE_TENANT},
    {"/ims.v1.Assessments/SetApplicability", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Assessments/ExportSoA", READERS, SCOPE_TENANT},

    {"/ims.v1.Risk/PutAsset", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Risk/ListAssets", READERS, SCOPE_TENANT},
    {"/ims.v1.Risk/DeleteAsset", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Risk/GetRiskRegister", READERS, SCOPE_TENANT},
    {"/ims.v1.Risk/SetTreatment", OP | CONSULTANT | ADMIN, SCOPE_TENANT},

    {"/ims.v1.Continuity/PutProcess", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Continuity/ListProcesses", READERS, SCOPE_TENANT},
    {"/ims.v1.Continuity/ReviewPlan", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Continuity/RecordExercise", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Continuity/GetBia", READERS, SCOPE_TENANT},

    /* Check and Act. Actions: whoever works on the system raises and moves them (an agent
     * too: an incident's response); verifying one is an auditor's or operator's (the
     * handler checks). Audits and awards are the auditor's; reviews and objectives the
     * organisation's (its admin, its consultant). */
    {"/ims.v1.Improvement/RaiseAction", OP | CONSULTANT | AUDITOR | ADMIN | AGENT, SCOPE_TENANT},
    {"/ims.v1.Improvement/ProgressAction", OP | CONSULTANT | AUDITOR | ADMIN | AGENT, SCOPE_TENANT},
    {"/ims.v1.Improvement/ListActions", READERS, SCOPE_TENANT},
    {"/ims.v1.Improvement/GetAction", READERS, SCOPE_TENANT},
    {"/ims.v1.Improvement/PlanAudit", OP | AUDITOR | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Improvement/UpdateAudit", OP | AUDITOR | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Improvement/ListAudits", READERS, SCOPE_TENANT},
    {"/ims.v1.Improvement/GetAudit", READERS, SCOPE_TENANT},
    {"/ims.v1.Improvement/AwardLevel", OP | AUDITOR, SCOPE_TENANT},
    {"/ims.v1.Improvement/UpdateAward", OP | AUDITOR, SCOPE_TENANT},
    {"/ims.v1.Improvement/ListAwards", READERS, SCOPE_TENANT},
    {"/ims.v1.Improvement/GetAward", READERS, SCOPE_TENANT},
    {"/ims.v1.Improvement/HoldReview", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Improvement/ListReviews", READERS, SCOPE_TENANT},
    {"/ims.v1.Improvement/GetReview", READERS, SCOPE_TENANT},
    {"/ims.v1.Improvement/PutObjective", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Improvement/ListObjectives", READERS, SCOPE_TENANT},
    {"/ims.v1.Improvement/GetScorecard", READERS, SCOPE_TENANT},
    /* Those who look after several tenants; the handler lists the caller's scope only. */
    {"/ims.v1.Portfolio/GetPortfolio", OP | CONSULTANT | AUDITOR, SCOPE_GLOBAL},

    {"/ims.v1.People/PutPerson", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.People/GetPerson", READERS, SCOPE_TENANT},
    {"/ims.v1.People/ListPeople", READERS, SCOPE_TENANT},
    {"/ims.v1.People/ListProfiles", READERS, SCOPE_GLOBAL},
    {"/ims.v1.People/LinkToken", OP | ADMIN, SCOPE_TENANT},

    {"/ims.v1.Culture/IssueCertificate", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Culture/ListCertificates", READERS, SCOPE_TENANT},
    {"/ims.v1.Culture/GetCultureSummary", READERS, SCOPE_TENANT},

    {"/ims.v1.Procedures/ListProcedures", READERS, SCOPE_TENANT},
    {"/ims.v1.Procedures/StartProcedure", OP | CONSULTANT | ADMIN | AGENT, SCOPE_TENANT},
    {"/ims.v1.Procedures/AdvanceProcedure", OP | CONSULTANT | ADMIN | AGENT, SCOPE_TENANT},
    {"/ims.v1.Procedures/AttachRecord", OP | CONSULTANT | ADMIN | AGENT, SCOPE_TENANT},
    {"/ims.v1.Procedures/GetProcedureInstance", READERS, SCOPE_TENANT},
    {"/ims.v1.Procedures/ListProcedureInstances", READERS, SCOPE_TENANT},

    {"/ims.v1.Documents/ListDocumentTemplates", READERS, SCOPE_GLOBAL},
    {"/ims.v1.Documents/ListDocuments", READERS, SCOPE_TENANT},
    {"/ims.v1.Documents/GetDocument", READERS, SCOPE_TENANT},
    {"/ims.v1.Documents/CreateDocument", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Documents/AddDocumentVersion", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Documents/ApproveDocument", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    {"/ims.v1.Documents/ObsoleteDocument", OP | CONSULTANT | ADMIN, SCOPE_TENANT},

    /* Schema editing and statistics: the consultancy's know-how, never a client's roles. */
    {"/ims.v1.Schemas/CreateSchemaDraft", OP | CONSULTANT, SCOPE_GLOBAL},
    {"/ims.v1.Schemas/GetSchemaDocument", OP | CONSULTANT, SCOPE_GLOBAL},
    {"/ims.v1.Schemas/PutSchemaDocument", OP | CONSULTANT, SCOPE_GLOBAL},
    {"/ims.v1.Schemas/EditSchemaDraft", OP | CONSULTANT, SCOPE_GLOBAL},
    {"/ims.v1.Schemas/PublishSchema", OP | CONSULTANT, SCOPE_GLOBAL},
    {"/ims.v1.Schemas/DiffSchemas", OP | CONSULTANT, SCOPE_GLOBAL},
    {"/ims.v1.Schemas/GetSchemaStats", OP | CONSULTANT, SCOPE_GLOBAL},
    /* Moving a client to a newer schema version is the consultant's decision. */
    {"/ims.v1.Schemas/PreviewRebase", OP | CONSULTANT, SCOPE_TENANT},
    {"/ims.v1.Schemas/Rebase", OP | CONSULTANT, SCOPE_TENANT},
    /* Tuning within the schema's bounds: read by the tenant's readers, set by whoever
     * manages the tenant's system. */
    {"/ims.v1.Schemas/GetTuning", READERS, SCOPE_TENANT},
    {"/ims.v1.Schemas/SetTuning", OP | CONSULTANT | ADMIN, SCOPE_TENANT},
    /* 2013 ids into the 2022 checklist: catalog facts and the tenant's own sub-controls. */
    {"/ims.v1.Schemas/TranslateControls", READERS, SCOPE_TENANT},

    /* The completion matrix: read by the tenant's readers, recorded by the consultant. */
    {"/ims.v1.Completion/GetCompletion", READERS, SCOPE_TENANT},
    {"/ims.v1.Completion/SetCompletion", OP | CONSULTANT, SCOPE_TENANT},
    {"/ims.v1.Completion/SetCompletionTarget", OP | CONSULTANT, SCOPE_TENANT},
};

const struct auth_permission *auth_permission_for(const char *method)
{
    for (size_t i = 0; i < sizeof permissions / sizeof permissions[0]; i++)
        if (strcmp(permissions[i].method, method) == 0)
            return &permissions[i];
    return NULL;
}

const struct auth_permission *auth_permissions(size_t *count)
{
    *count = sizeof permissions / sizeof permissions[0];
    return permissions;
}

int auth_role_allowed(const struct auth_principal *p, const struct auth_permission *perm)
{
    return (perm->roles & ROLE_BIT(p->role)) != 0;
}

int auth_tenant_in_scope(const struct auth_principal *p, const char *tenant_id)
{
    if (p->role == ROLE_OPERATOR)
        return 1;
    for (int i = 0; i < p->tenant_count; i++)
        if (strcasecmp(p->tenants[i], tenant_id) == 0)
            return 1;
    return 0;
}

const char *auth_role_name(enum auth_role role)
{
    return role < ROLE__COUNT ? role_names[role] : "unknown";
}

int auth_role_parse(const char *name, enum auth_role *out)
{
    for (int i = 0; i < ROLE__COUNT; i++) {
        if (strcmp(name, role_names[i]) == 0) {
            *out = (enum auth_role)i;
            return 0;
        }
    }
    return IMS_EINVAL;
}

void auth_principal_free(struct auth_principal *p)
{
    free(p->tenants);
    p->tenants = NULL;
    p->tenant_count = 0;
}

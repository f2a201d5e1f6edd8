/*
 * The management report: one self-contained HTML document (inline CSS and SVG, no script,
 * nothing fetched) for a management review or an auditor, built from the answers of the
 * API's reads. imsctl report and the board make the same calls (report_part_*) and give
 * their answers to report_render, so both write the same document.
 *
 * Sections, each on its own printed page: cover (tenant, date, level); level and maturity
 * with the trend chart and what costs most; systems and frameworks; the Statement of
 * Applicability; the risk register with the inherent and residual heatmaps and the
 * treatments; the BIA and exercises; open findings with their corrective actions, other open
 * actions and incidents; the audit programme; awards and the latest management review; the
 * objectives scorecard; the improvement plan. A print stylesheet gives page breaks, a running
 * header and page numbers when a browser prints it to PDF.
 */
#ifndef IMS_MANAGEMENT_REPORT_H
#define IMS_MANAGEMENT_REPORT_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

enum report_part {
    REPORT_TENANT,    /* Tenants/GetTenant */
    REPORT_LEVEL,     /* Level/GetSecurityLevel, with controls and the explanation */
    REPORT_HISTORY,   /* Level/GetHistory */
    REPORT_SOA,       /* Assessments/ListSoA */
    REPORT_RISKS,     /* Risk/GetRiskRegister */
    REPORT_BIA,       /* Continuity/GetBia */
    REPORT_FINDINGS,  /* Events/ListFindings (open) */
    REPORT_INCIDENTS, /* Events/ListIncidents */
    REPORT_PLAN,      /* Level/GetImprovementPlan */
    REPORT_ACTIONS,   /* Improvement/ListActions (open) */
    REPORT_AUDITS,    /* Improvement/ListAudits */
    REPORT_AWARDS,    /* Improvement/ListAwards */
    REPORT_REVIEWS,   /* Improvement/ListReviews */
    REPORT_SCORECARD, /* Improvement/GetScorecard */
    REPORT_DOCUMENTS, /* Documents/ListDocuments */
    REPORT_PART_COUNT
};

/* The method path of a part ("/ims.v1.Tenants/GetTenant"). */
const char *report_part_method(enum report_part part);

/* The descriptor of the part's answer. */
const ProtobufCMessageDescriptor *report_part_output(enum report_part part);

/* The request of a part for tenant (id or slug): free it with report_request_free. NULL on
 * ENOMEM. */
ProtobufCMessage *report_part_request(enum report_part part, const char *tenant);
void report_request_free(ProtobufCMessage *request);

struct report_text {
    char *data;
    size_t len, cap;
    int failed; /* out of memory: data is incomplete */
};

/* Writes the document for the parts' answers (each of the part's output type; the tenant
 * and level are required, any other may be NULL: its section says it could not be read).
 * generated_at is an RFC 3339 time. Returns 0 or -1 (out of memory). */
int report_render(const ProtobufCMessage *const parts[REPORT_PART_COUNT], const char *generated_at,
                  struct report_text *out) __attribute__((warn_unused_result));

void report_text_free(struct report_text *text);

#endif

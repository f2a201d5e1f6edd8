/* The management report: the calls it needs, the document's frame (style, cover, page
 * furniture) and writing text. The sections are in report_sections.c. */
#include "report_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the calls --- */

#define PAGE 1000 /* the largest page of a listing: the report shows the first */

static const struct {
    const char *method;
    const ProtobufCMessageDescriptor *output;
} parts[REPORT_PART_COUNT] = {
    [REPORT_TENANT] = {"/ims.v1.Tenants/GetTenant", &ims__v1__tenant__descriptor},
    [REPORT_LEVEL] = {"/ims.v1.Level/GetSecurityLevel", &ims__v1__security_level__descriptor},
    [REPORT_HISTORY] = {"/ims.v1.Level/GetHistory", &ims__v1__get_history_response__descriptor},
    [REPORT_SOA] = {"/ims.v1.Assessments/ListSoA", &ims__v1__list_so_aresponse__descriptor},
    [REPORT_RISKS] = {"/ims.v1.Risk/GetRiskRegister", &ims__v1__risk_register__descriptor},
    [REPORT_BIA] = {"/ims.v1.Continuity/GetBia", &ims__v1__bia__descriptor},
    [REPORT_FINDINGS] = {"/ims.v1.Events/ListFindings",
                         &ims__v1__list_findings_response__descriptor},
    [REPORT_INCIDENTS] = {"/ims.v1.Events/ListIncidents",
                          &ims__v1__list_incidents_response__descriptor},
    [REPORT_PLAN] = {"/ims.v1.Level/GetImprovementPlan", &ims__v1__improvement_plan__descriptor},
    [REPORT_ACTIONS] = {"/ims.v1.Improvement/ListActions",
                        &ims__v1__list_actions_response__descriptor},
    [REPORT_AUDITS] = {"/ims.v1.Improvement/ListAudits",
                       &ims__v1__list_audits_response__descriptor},
    [REPORT_AWARDS] = {"/ims.v1.Improvement/ListAwards",
                       &ims__v1__list_awards_response__descriptor},
    [REPORT_REVIEWS] = {"/ims.v1.Improvement/ListReviews",
                        &ims__v1__list_reviews_response__descriptor},
    [REPORT_SCORECARD] = {"/ims.v1.Improvement/GetScorecard", &ims__v1__scorecard__descriptor},
    [REPORT_DOCUMENTS] = {"/ims.v1.Documents/ListDocuments",
                          &ims__v1__list_documents_response__descriptor},
};

const char *report_part_method(enum report_part part)
{
    return parts[part].method;
}

const ProtobufCMessageDescriptor *report_part_output(enum report_part part)
{
    return parts[part].output;
}

/* Every request is a message with `tenant` first; the few others are set by name. */
static const ProtobufCMessageDescriptor *const inputs[REPORT_PART_COUNT] = {
    [REPORT_TENANT] = &ims__v1__get_tenant_request__descriptor,
    [REPORT_LEVEL] = &ims__v1__get_security_level_request__descriptor,
    [REPORT_HISTORY] = &ims__v1__get_history_request__descriptor,
    [REPORT_SOA] = &ims__v1__list_so_arequest__descriptor,
    [REPORT_RISKS] = &ims__v1__get_risk_register_request__descriptor,
    [REPORT_BIA] = &ims__v1__get_bia_request__descriptor,
    [REPORT_FINDINGS] = &ims__v1__list_findings_request__descriptor,
    [REPORT_INCIDENTS] = &ims__v1__list_incidents_request__descriptor,
    [REPORT_PLAN] = &ims__v1__get_improvement_plan_request__descriptor,
    [REPORT_ACTIONS] = &ims__v1__list_actions_request__descriptor,
    [REPORT_AUDITS] = &ims__v1__list_audits_request__descriptor,
    [REPORT_AWARDS] = &ims__v1__list_awards_request__descriptor,
    [REPORT_REVIEWS] = &ims__v1__list_reviews_request__descriptor,
    [REPORT_SCORECARD] = &ims__v1__get_scorecard_request__descriptor,
    [REPORT_DOCUMENTS] = &ims__v1__list_documents_request__descriptor,
};

ProtobufCMessage *report_part_request(enum report_part part, const char *tenant)
{
    const ProtobufCMessageDescriptor *d = inputs[part];
    ProtobufCMessage *m = calloc(1, d->sizeof_message);
    char *copy = strdup(tenant);
    if (!m || !copy) {
        free(m);
        free(copy);
        return NULL;
    }
    protobuf_c_message_init(d, m);
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(d, "tenant");
    *(char **)((char *)m + f->offset) = copy;
    switch (part) {
    case REPORT_LEVEL:
        ((Ims__V1__GetSecurityLevelRequest *)m)->controls = 1;
        ((Ims__V1__GetSecurityLevelRequest *)m)->explain = 10;
        break;
    case REPORT_SOA:
        ((Ims__V1__ListSoARequest *)m)->page_size = PAGE;
        break;
    case REPORT_FINDINGS:
        ((Ims__V1__ListFindingsRequest *)m)->page_size = PAGE;
        break;
    case REPORT_INCIDENTS:
        ((Ims__V1__ListIncidentsRequest *)m)->page_size = PAGE;
        break;
    case REPORT_PLAN:
        ((Ims__V1__GetImprovementPlanRequest *)m)->steps = 10;
        break;
    case REPORT_ACTIONS: {
        Ims__V1__ListActionsRequest *a = (Ims__V1__ListActionsRequest *)m;
        a->page_size = PAGE;
        a->status = "open"; /* a literal: report_request_free frees the tenant only */
        break;
    }
    case REPORT_AUDITS:
        ((Ims__V1__ListAuditsRequest *)m)->page_size = PAGE;
        break;
    case REPORT_AWARDS:
        ((Ims__V1__ListAwardsRequest *)m)->page_size = PAGE;
        break;
    case REPORT_REVIEWS:
        ((Ims__V1__ListReviewsRequest *)m)->page_size = PAGE;
        break;
    case REPORT_DOCUMENTS:
        ((Ims__V1__ListDocumentsRequest *)m)->page_size = PAGE;
        break;
    default:
        break;
    }
    return m;
}

void report_request_free(ProtobufCMessage *m)
{
    if (!m)
        return;
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "tenant");
    free(*(char **)((char *)m + f->offset));
    free(m);
}

/* --- text --- */

static void grow(struct report_text *t, size_t more)
{
    if (t->failed || t->len + more + 1 <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 16384;
    while (cap < t->len + more + 1)
        cap *= 2;
    char *d = realloc(t->data, cap);
    if (!d) {
        t->failed = 1;
        return;
    }
    t->data = d;
    t->cap = cap;
}

static void put_n(struct report_text *t, const char *s, size_t n)
{
    grow(t, n);
    if (t->failed)
        return;
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

void report_put(struct report_text *t, const char *s)
{
    put_n(t, s, strlen(s));
}

void report_printf(struct report_text *t, const char *fmt, ...)
{
    char stack[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(stack, sizeof stack, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof stack) {
        put_n(t, stack, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        t->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    put_n(t, big, (size_t)n);
    free(big);
}

void report_escaped(struct report_text *t, const char *s)
{
    if (!s)
        return;
    const char *start = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '&':
            rep = "&amp;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        put_n(t, start, (size_t)(s - start));
        report_put(t, rep);
        start = s + 1;
    }
    put_n(t, start, (size_t)(s - start));
}

void report_text_free(struct report_text *t)
{
    free(t->data);
    memset(t, 0, sizeof *t);
}

/* --- the frame --- */

static const char style[] =
    ":root{--ink:#1a1a1a;--muted:#555;--line:#c8c8c8;--accent:#0b4f8a}"
    "*{box-sizing:border-box}"
    "body{font-family:'DejaVu Sans',Arial,sans-serif;color:var(--ink);margin:0 auto;"
    "max-width:60rem;padding:1rem;font-size:11pt;line-height:1.4}"
    "h1{font-size:2rem;margin:0 0 .5rem}h2{font-size:1.4rem;color:var(--accent);"
    "border-bottom:2px solid var(--accent);padding-bottom:.2rem}h3{font-size:1.1rem}"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:9.5pt}"
    "th,td{border:1px solid var(--line);padding:.25rem .4rem;text-align:left;vertical-align:top}"
    "th{background:#eef2f6}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "td.d,table.ids td:first-child{white-space:nowrap}"
    "thead{display:table-header-group}tr{break-inside:avoid}"
    ".cover{min-height:80vh;display:flex;flex-direction:column;justify-content:center}"
    ".cover .level{font-size:4rem;font-weight:bold;color:var(--accent);margin:.1em 0}"
    ".muted{color:var(--muted)}.grid{display:flex;flex-wrap:wrap;gap:1.5rem}"
    "figure{margin:0 0 1rem}.matrix figcaption{font-weight:bold;margin-bottom:.3rem}"
    "section.page{break-before:page;page-break-before:always}"
    "@page{size:A4;margin:18mm 14mm 16mm;"
    "@top-right{content:'Management report';font-size:8pt;color:#555}"
    "@bottom-right{content:'Page ' counter(page) ' of ' counter(pages);font-size:8pt;color:#555}}"
    "@media print{body{max-width:none;padding:0;font-size:10pt}"
    "a{color:inherit;text-decoration:none}}";

/* text as the inside of a CSS string within <style>: quotes, backslashes, angle brackets
 * and control characters as escapes. */
static void css_string(struct report_text *t, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\' || c == '<' || c == '>' || c < 0x20)
            report_printf(t, "\\%x ", c);
        else
            report_printf(t, "%c", c);
    }
}

/* "2026-12-01T10:20:30Z" as "2026-12-01 10:20 UTC" (anything else as it is). */
static void readable_time(const char *rfc3339, char *out, size_t len)
{
    if (rfc3339 && strlen(rfc3339) >= 16 && rfc3339[10] == 'T')
        snprintf(out, len, "%.10s %.5s UTC", rfc3339, rfc3339 + 11);
    else
        snprintf(out, len, "%s", rfc3339 ? rfc3339 : "");
}

int report_render(const ProtobufCMessage *const p[REPORT_PART_COUNT], const char *generated_at,
                  struct report_text *t)
{
    const Ims__V1__Tenant *tenant = (const Ims__V1__Tenant *)p[REPORT_TENANT];
    const Ims__V1__SecurityLevel *level = (const Ims__V1__SecurityLevel *)p[REPORT_LEVEL];
    if (!tenant || !level)
        return -1;
    char date[64], evaluated[64];
    readable_time(generated_at, date, sizeof date);
    readable_time(level->at, evaluated, sizeof evaluated);
    report_put(t, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'unsafe-inline'; img-src data:\"><title>Management report: ");
    report_escaped(t, tenant->display_name);
    report_put(t, "</title><style>");
    report_put(t, style);
    report_put(t, "@page{@top-left{font-size:8pt;color:#555;content:\"");
    css_string(t, tenant->display_name);
    report_put(t, " \\2014  ");
    css_string(t, date);
    report_put(t, "\"}}</style></head><body>\n<section class=\"cover\" id=\"cover\"><p "
                  "class=\"muted\">Management report"
                  " of the integrated management system</p><h1>");
    report_escaped(t, tenant->display_name);
    report_put(t, "</h1><p>Tenant <strong>");
    report_escaped(t, tenant->slug);
    report_put(t, "</strong>, sector ");
    report_escaped(t, tenant->sector);
    report_put(t, ", size band ");
    report_escaped(t, tenant->size_band);
    report_put(t, ", schema ");
    report_escaped(t, tenant->schema_id);
    report_printf(t, " version %d.</p>", tenant->schema_version);
    report_printf(t,
                  "<p>Security level</p><p class=\"level\">%.1f %%</p>"
                  "<p>Maturity level <strong>%d</strong> of 3 &middot; revision %lld</p>",
                  level->security_level * 100, level->maturity, (long long)level->revision);
    report_put(t, "<p class=\"muted\">Date of the report: ");
    report_escaped(t, date);
    report_put(t, "; figures as evaluated at ");
    report_escaped(t, evaluated);
    report_put(t, ".</p></section>\n");
    report_section_level(t, p);
    report_section_systems(t, p);
    report_section_soa(t, p);
    report_section_risks(t, p);
    report_section_bia(t, p);
    report_section_findings(t, p);
    report_section_audits(t, p);
    report_section_awards(t, p, generated_at);
    report_section_objectives(t, p);
    report_section_documents(t, p);
    report_section_plan(t, p);
    report_put(t, "</body></html>\n");
    return t->failed ? -1 : 0;
}

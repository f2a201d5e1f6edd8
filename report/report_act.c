/* The report's Check and Act sections: open findings with their corrective actions from the
 * one action tracker (owner, due, status, overdue), the other open actions and the open
 * incidents; the audit programme; awards of a maturity level and the latest management
 * review; the objectives scorecard. Each starts a printed page. */
#include "report_internal.h"

#include <stdio.h>
#include <string.h>

#define P(parts, part, type) ((const type *)(parts)[part])

static int is_open_finding(const Ims__V1__ListFindingsResponse *f, const char *id)
{
    for (size_t i = 0; f && i < f->n_findings; i++)
        if (strcmp(f->findings[i]->id, id) == 0 && strcmp(f->findings[i]->status, "open") == 0)
            return 1;
    return 0;
}

/* An action of an open finding (listed with the findings rather than among the others). */
static int of_open_finding(const Ims__V1__Action *a, const Ims__V1__ListFindingsResponse *f)
{
    return strcmp(a->source_kind, "finding") == 0 && is_open_finding(f, a->source_id);
}

static void cell_overdue(struct report_text *t, int overdue)
{
    report_put(t, overdue ? "<td><strong>overdue</strong></td>" : "<td>—</td>");
}

static void findings_table(struct report_text *t, const Ims__V1__ListFindingsResponse *f,
                           const Ims__V1__ListActionsResponse *acts)
{
    report_put(t, "<table class=\"ids\"><thead><tr><th>Finding</th><th>Type</th><th>Controls</th>"
                  "<th>Audit</th><th>Description</th><th>Opened</th>"
                  "<th class=\"n\">Open actions</th></tr></thead><tbody>");
    size_t open = 0;
    for (size_t i = 0; i < f->n_findings; i++) {
        const Ims__V1__Finding *x = f->findings[i];
        if (strcmp(x->status, "open") != 0)
            continue;
        open++;
        report_put(t, "<tr>");
        report_cell(t, x->id);
        report_cell(t, x->type);
        report_cell_list(t, x->controls, x->n_controls);
        report_cell(t, *x->audit_id ? x->audit_id : x->audit);
        report_cell(t, x->description);
        report_cell_date(t, x->opened_at);
        if (acts) {
            size_t n = 0, late = 0;
            for (size_t k = 0; k < acts->n_actions; k++) {
                const Ims__V1__Action *a = acts->actions[k];
                if (strcmp(a->source_kind, "finding") == 0 && strcmp(a->source_id, x->id) == 0) {
                    n++;
                    late += a->overdue;
                }
            }
            if (late)
                report_printf(t, "<td class=\"n\">%zu (%zu overdue)</td>", n, late);
            else
                report_printf(t, "<td class=\"n\">%zu</td>", n);
        } else {
            report_cell(t, "");
        }
        report_put(t, "</tr>");
    }
    if (!open)
        report_put(t, "<tr><td colspan=\"7\">No open finding.</td></tr>");
    report_put(t, "</tbody></table>");
}

/* The open actions: of the open findings (mine = 1) or all the others (mine = 0). */
static void actions_table(struct report_text *t, const Ims__V1__ListActionsResponse *acts,
                          const Ims__V1__ListFindingsResponse *f, int mine)
{
    report_put(t, "<table class=\"ids\"><thead><tr><th>Action</th><th>Kind</th><th>For</th>"
                  "<th>Description</th><th>Owner</th><th>Due</th><th>Status</th>"
                  "<th>Overdue</th></tr></thead><tbody>");
    size_t shown = 0;
    for (size_t i = 0; i < acts->n_actions; i++) {
        const Ims__V1__Action *a = acts->actions[i];
        if (of_open_finding(a, f) != mine)
            continue;
        shown++;
        char source[256];
        if (strcmp(a->source_kind, "none") == 0 || !*a->source_kind)
            snprintf(source, sizeof source, "—");
        else
            snprintf(source, sizeof source, "%s %s", a->source_kind, a->source_id);
        report_put(t, "<tr>");
        report_cell(t, a->id);
        report_cell(t, a->kind);
        report_cell(t, source);
        report_cell(t, a->description);
        report_cell(t, a->owner);
        report_cell_date(t, a->due);
        report_cell(t, a->status);
        cell_overdue(t, a->overdue);
        report_put(t, "</tr>");
    }
    if (!shown)
        report_put(t, "<tr><td colspan=\"8\">None.</td></tr>");
    report_put(t, "</tbody></table>");
    if (*acts->next_page_token)
        report_put(t, "<p>More open actions are in the tracker than this report lists.</p>");
}

static void incidents_table(struct report_text *t, const Ims__V1__ListIncidentsResponse *in)
{
    report_put(t, "<table class=\"ids\"><thead><tr><th>Incident</th><th>Status</th>"
                  "<th class=\"n\">Severity</th><th>Threat</th><th>Detected</th>"
                  "<th>Description</th></tr></thead><tbody>");
    size_t shown = 0;
    for (size_t i = 0; i < in->n_incidents; i++) {
        const Ims__V1__Incident *x = in->incidents[i];
        if (strcmp(x->status, "closed") == 0)
            continue;
        shown++;
        report_put(t, "<tr>");
        report_cell(t, x->id);
        report_cell(t, x->status);
        report_printf(t, "<td class=\"n\">%d</td>", x->severity);
        report_cell(t, x->threat);
        report_cell_date(t, x->detected_at);
        report_cell(t, x->description);
        report_put(t, "</tr>");
    }
    if (!shown)
        report_put(t, "<tr><td colspan=\"6\">No incident is open.</td></tr>");
    report_put(t, "</tbody></table>");
}

void report_section_findings(struct report_text *t, const ProtobufCMessage *const *p)
{
    const Ims__V1__ListFindingsResponse *f = P(p, REPORT_FINDINGS, Ims__V1__ListFindingsResponse);
    const Ims__V1__ListActionsResponse *acts = P(p, REPORT_ACTIONS, Ims__V1__ListActionsResponse);
    const Ims__V1__ListIncidentsResponse *in =
        P(p, REPORT_INCIDENTS, Ims__V1__ListIncidentsResponse);
    report_open_section(t, "findings", "Open findings and corrective actions");
    if (acts) {
        size_t late = 0;
        for (size_t i = 0; i < acts->n_actions; i++)
            late += acts->actions[i]->overdue;
        report_printf(t, "<p>%zu open actions in the tracker, <strong>%zu overdue</strong>.</p>",
                      acts->n_actions, late);
    }
    if (!f)
        report_unreadable(t);
    else
        findings_table(t, f, acts);
    report_put(t, "<h3>Corrective actions of the open findings</h3>");
    if (!acts || !f)
        report_unreadable(t);
    else
        actions_table(t, acts, f, 1);
    report_put(t, "<h3>Other open actions</h3>");
    if (!acts)
        report_unreadable(t);
    else
        actions_table(t, acts, f, 0);
    report_put(t, "<h3>Incidents not closed</h3>");
    if (!in)
        report_unreadable(t);
    else
        incidents_table(t, in);
    report_close_section(t);
}

void report_section_audits(struct report_text *t, const ProtobufCMessage *const *p)
{
    const Ims__V1__ListAuditsResponse *au = P(p, REPORT_AUDITS, Ims__V1__ListAuditsResponse);
    report_open_section(t, "audits", "Audit programme");
    if (!au) {
        report_unreadable(t);
        report_close_section(t);
        return;
    }
    size_t planned = 0, late = 0, done = 0;
    for (size_t i = 0; i < au->n_audits; i++) {
        const Ims__V1__Audit *a = au->audits[i];
        planned += strcmp(a->status, "planned") == 0;
        late += a->overdue;
        done += strcmp(a->status, "reported") == 0 || strcmp(a->status, "closed") == 0;
    }
    report_printf(t,
                  "<p>%zu audits in the programme: %zu planned (<strong>%zu overdue</strong>), "
                  "%zu reported or closed.</p>",
                  au->n_audits, planned, late, done);
    report_put(
        t, "<table class=\"ids\"><thead><tr><th>Audit</th><th>Kind</th><th>Title</th><th>Scope</th>"
           "<th>Planned</th><th>Held</th><th>Auditor</th><th>Status</th>"
           "<th class=\"n\">Findings</th><th>Overdue</th></tr></thead><tbody>");
    for (size_t i = 0; i < au->n_audits; i++) {
        const Ims__V1__Audit *a = au->audits[i];
        report_put(t, "<tr>");
        report_cell(t, a->id);
        report_cell(t, a->kind);
        report_cell(t, a->title);
        report_put(t, "<td>");
        for (size_t k = 0; k < a->n_frameworks + a->n_controls + a->n_processes; k++) {
            const char *s = k < a->n_frameworks ? a->frameworks[k]
                            : k < a->n_frameworks + a->n_controls
                                ? a->controls[k - a->n_frameworks]
                                : a->processes[k - a->n_frameworks - a->n_controls];
            if (k)
                report_put(t, ", ");
            report_escaped(t, s);
        }
        report_put(t, "</td>");
        report_cell_date(t, a->planned_at);
        report_cell_date(t, a->held_at);
        report_cell(t, a->auditor);
        report_cell(t, a->status);
        report_printf(t, "<td class=\"n\">%d</td>", a->findings);
        cell_overdue(t, a->overdue);
        report_put(t, "</tr>");
    }
    if (!au->n_audits)
        report_put(t, "<tr><td colspan=\"10\">No audit is in the programme.</td></tr>");
    report_put(t, "</tbody></table>");
    report_close_section(t);
}

static void latest_review(struct report_text *t, const Ims__V1__ListReviewsResponse *rv)
{
    report_put(t, "<h3>The latest management review</h3>");
    if (!rv) {
        report_unreadable(t);
        return;
    }
    const Ims__V1__Review *last = NULL;
    for (size_t i = 0; i < rv->n_reviews; i++)
        if (!last || strcmp(rv->reviews[i]->held_at, last->held_at) > 0)
            last = rv->reviews[i];
    if (!last) {
        report_put(t, "<p>No management review has been held yet.</p>");
        return;
    }
    report_printf(t, "<table><tbody><tr><th>Review</th>");
    report_cell(t, last->id);
    report_put(t, "</tr><tr><th>Held</th>");
    report_cell_date(t, last->held_at);
    report_put(t, "</tr><tr><th>Chair</th>");
    report_cell(t, last->chair);
    report_put(t, "</tr><tr><th>Attendees</th>");
    report_cell_list(t, last->attendees, last->n_attendees);
    report_put(t, "</tr><tr><th>Decisions</th>");
    report_cell(t, last->decisions);
    report_put(t, "</tr><tr><th>Actions raised</th>");
    report_cell_list(t, last->actions, last->n_actions);
    report_printf(t, "</tr></tbody></table><p class=\"muted\">%zu reviews held in all.</p>",
                  rv->n_reviews);
}

void report_section_awards(struct report_text *t, const ProtobufCMessage *const *p, const char *now)
{
    const Ims__V1__ListAwardsResponse *aw = P(p, REPORT_AWARDS, Ims__V1__ListAwardsResponse);
    report_open_section(t, "awards", "Awards and management review");
    report_put(t, "<h3>Maturity levels awarded</h3>");
    if (!aw) {
        report_unreadable(t);
    } else {
        report_put(
            t,
            "<table class=\"ids\"><thead><tr><th>Award</th><th class=\"n\">Level</th><th>Scope</th>"
            "<th>Status</th><th>Awarded</th><th>Expires</th><th>Auditor</th>"
            "<th>Below the level since</th></tr></thead><tbody>");
        for (size_t i = 0; i < aw->n_awards; i++) {
            const Ims__V1__Award *a = aw->awards[i];
            char status[300];
            int expired = *a->expires_at && now && strcmp(a->expires_at, now) < 0;
            snprintf(status, sizeof status, "%s%s%s%s", expired ? "expired" : a->status,
                     *a->status_reason && !expired ? " (" : "", expired ? "" : a->status_reason,
                     *a->status_reason && !expired ? ")" : "");
            report_put(t, "<tr>");
            report_cell(t, a->id);
            report_printf(t, "<td class=\"n\">%d</td>", a->level);
            report_cell(t, *a->framework ? a->framework : "the whole tenant");
            report_cell(t, status);
            report_cell_date(t, a->awarded_at);
            report_cell_date(t, a->expires_at);
            report_cell(t, a->auditor);
            report_cell_date(t, a->below_since);
            report_put(t, "</tr>");
        }
        if (!aw->n_awards)
            report_put(t, "<tr><td colspan=\"8\">No maturity level has been awarded.</td></tr>");
        report_put(t, "</tbody></table>");
    }
    latest_review(t, P(p, REPORT_REVIEWS, Ims__V1__ListReviewsResponse));
    report_close_section(t);
}

void report_section_objectives(struct report_text *t, const ProtobufCMessage *const *p)
{
    const Ims__V1__Scorecard *sc = P(p, REPORT_SCORECARD, Ims__V1__Scorecard);
    report_open_section(t, "objectives", "Objectives scorecard");
    if (!sc) {
        report_unreadable(t);
        report_close_section(t);
        return;
    }
    size_t shown = 0;
    for (size_t i = 0; i < sc->n_tiers; i++) {
        const Ims__V1__ScorecardTier *tier = sc->tiers[i];
        if (!tier->n_objectives)
            continue;
        shown++;
        report_put(t, "<h3>");
        report_escaped(t, tier->tier);
        report_printf(t, ": %d of %d met</h3>", tier->met, tier->total);
        report_put(t,
                   "<table class=\"ids\"><thead><tr><th>Objective</th><th>Title</th><th>Owner</th>"
                   "<th class=\"n\">Target</th><th class=\"n\">Actual</th><th>Due</th>"
                   "<th>Status</th><th>Metrics</th></tr></thead><tbody>");
        for (size_t k = 0; k < tier->n_objectives; k++) {
            const Ims__V1__Objective *o = tier->objectives[k];
            report_put(t, "<tr>");
            report_cell(t, o->id);
            report_cell(t, o->title);
            report_cell(t, o->owner);
            report_cell_pct(t, o->target);
            if (strcmp(o->status, "no_data") == 0)
                report_cell(t, "");
            else
                report_cell_pct(t, o->actual);
            report_cell_date(t, o->due);
            report_cell(t, o->status);
            report_cell_list(t, o->metrics, o->n_metrics);
            report_put(t, "</tr>");
        }
        report_put(t, "</tbody></table>");
    }
    if (!shown)
        report_put(t, "<p>No objective has been set.</p>");
    report_close_section(t);
}

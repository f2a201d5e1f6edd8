/* The report's sections after the cover, each a printed page of its own. */
#include "report_internal.h"

#include <stdio.h>
#include <string.h>

#define P(parts, part, type) ((const type *)(parts)[part])

static void open_section(struct report_text *t, const char *id, const char *title)
{
    report_printf(t, "<section class=\"page\" id=\"%s\"><h2>%s</h2>\n", id, title);
}

static void close_section(struct report_text *t)
{
    report_put(t, "</section>\n");
}

static void unreadable(struct report_text *t)
{
    report_put(t, "<p><strong>This part could not be read when the report was made.</strong></p>");
}

static void cell(struct report_text *t, const char *s)
{
    report_put(t, "<td>");
    report_escaped(t, s && *s ? s : "—");
    report_put(t, "</td>");
}

static void cell_list(struct report_text *t, char **items, size_t n)
{
    report_put(t, "<td>");
    for (size_t i = 0; i < n; i++) {
        if (i)
            report_put(t, ", ");
        report_escaped(t, items[i]);
    }
    if (n == 0)
        report_put(t, "—");
    report_put(t, "</td>");
}

static void cell_pct(struct report_text *t, double v)
{
    report_printf(t, "<td class=\"n\">%.1f %%</td>", v * 100);
}

/* The date part of an RFC 3339 time. */
static void cell_date(struct report_text *t, const char *s)
{
    char d[11] = "";
    if (s && strlen(s) >= 10)
        memcpy(d, s, 10);
    cell(t, d);
}

void report_section_level(struct report_text *t, const ProtobufCMessage *const *p)
{
    const Ims__V1__SecurityLevel *l = P(p, REPORT_LEVEL, Ims__V1__SecurityLevel);
    const Ims__V1__GetHistoryResponse *h = P(p, REPORT_HISTORY, Ims__V1__GetHistoryResponse);
    open_section(t, "level", "Security level and maturity");
    report_printf(t,
                  "<p>The security level is <strong>%.1f %%</strong> and the maturity level "
                  "<strong>%d</strong> of 3. It last moved because of: ",
                  l->security_level * 100, l->maturity);
    report_escaped(t, l->cause);
    report_put(t, ".</p>");
    report_level_chart(t, h, l->security_level, "Security level over time");
    if (!h)
        unreadable(t);
    report_put(t, "<h3>What costs most</h3>");
    if (l->n_explanation == 0) {
        report_put(t, "<p>No control loses weight at present.</p>");
    } else {
        report_put(t, "<table><thead><tr><th>Control</th><th class=\"n\">Share of the level lost"
                      "</th><th class=\"n\">Assessment gap</th><th class=\"n\">Metric drag</th>"
                      "<th class=\"n\">Incident penalty</th><th class=\"n\">Finding cap</th>"
                      "<th class=\"n\">Evidence drag</th></tr></thead><tbody>");
        for (size_t i = 0; i < l->n_explanation; i++) {
            const Ims__V1__Explanation *e = l->explanation[i];
            report_put(t, "<tr>");
            cell(t, e->control);
            cell_pct(t, e->lost);
            cell_pct(t, e->assessment_gap);
            cell_pct(t, e->metric_drag);
            cell_pct(t, e->incident_penalty);
            cell_pct(t, e->finding_cap);
            cell_pct(t, e->evidence_drag);
            report_put(t, "</tr>");
        }
        report_put(t, "</tbody></table>");
    }
    close_section(t);
}

void report_section_systems(struct report_text *t, const ProtobufCMessage *const *p)
{
    const Ims__V1__SecurityLevel *l = P(p, REPORT_LEVEL, Ims__V1__SecurityLevel);
    open_section(t, "systems", "Management systems and frameworks");
    report_put(t, "<table><thead><tr><th>Management system</th><th class=\"n\">Score</th></tr>"
                  "</thead><tbody>");
    for (size_t i = 0; i < l->n_systems; i++) {
        report_put(t, "<tr>");
        cell(t, l->systems[i]->system);
        cell_pct(t, l->systems[i]->score);
        report_put(t, "</tr>");
    }
    report_put(t, "</tbody></table><table><thead><tr><th>Framework</th><th class=\"n\">Score</th>"
                  "<th class=\"n\">Assessed</th><th class=\"n\">Maturity</th></tr></thead><tbody>");
    for (size_t i = 0; i < l->n_frameworks; i++) {
        const Ims__V1__FrameworkScore *f = l->frameworks[i];
        report_put(t, "<tr>");
        cell(t, f->framework);
        cell_pct(t, f->score);
        cell_pct(t, f->assessed);
        report_printf(t, "<td class=\"n\">%d</td></tr>", f->maturity);
    }
    report_put(t, "</tbody></table><h3>Themes</h3><table><thead><tr><th>Framework</th>"
                  "<th>Domain</th><th class=\"n\">Score</th></tr></thead><tbody>");
    for (size_t i = 0; i < l->n_domains; i++) {
        report_put(t, "<tr>");
        cell(t, l->domains[i]->framework);
        cell(t, l->domains[i]->domain);
        cell_pct(t, l->domains[i]->score);
        report_put(t, "</tr>");
    }
    report_put(t, "</tbody></table>");
    close_section(t);
}

void report_section_soa(struct report_text *t, const ProtobufCMessage *const *p)
{
    const Ims__V1__ListSoAResponse *s = P(p, REPORT_SOA, Ims__V1__ListSoAResponse);
    open_section(t, "soa", "Statement of Applicability");
    if (!s) {
        unreadable(t);
        close_section(t);
        return;
    }
    size_t applicable = 0;
    for (size_t i = 0; i < s->n_entries; i++)
        applicable += s->entries[i]->applicable;
    report_printf(t,
                  "<p>%zu controls, %zu applicable and %zu excluded with their "
                  "justification.</p>",
                  s->n_entries, applicable, s->n_entries - applicable);
    report_put(t, "<table><thead><tr><th>Control</th><th>Title</th><th>Applicable</th>"
                  "<th>Justification</th><th>Implementation</th><th class=\"n\">Score</th>"
                  "</tr></thead><tbody>");
    for (size_t i = 0; i < s->n_entries; i++) {
        const Ims__V1__SoAEntry *e = s->entries[i];
        report_put(t, "<tr>");
        cell(t, e->control);
        cell(t, e->title);
        cell(t, e->applicable ? "yes" : "no");
        cell(t, e->justification);
        cell(t, e->implementation_status);
        if (e->has_score)
            cell_pct(t, e->score);
        else
            cell(t, "");
        report_put(t, "</tr>");
    }
    report_put(t, "</tbody></table>");
    if (*s->next_page_token)
        report_put(t, "<p>The list goes on beyond this page of the register.</p>");
    close_section(t);
}

void report_section_risks(struct report_text *t, const ProtobufCMessage *const *p)
{
    const Ims__V1__RiskRegister *r = P(p, REPORT_RISKS, Ims__V1__RiskRegister);
    open_section(t, "risks", "Risk register");
    if (!r) {
        unreadable(t);
        close_section(t);
        return;
    }
    size_t above = 0;
    for (size_t i = 0; i < r->n_pairs; i++)
        above += !r->pairs[i]->within_appetite;
    report_printf(t, "<p>%zu asset–threat pairs; risk appetite: level %d; %zu above it.",
                  r->n_pairs, r->appetite, above);
    if (r->has_pairs)
        report_printf(t, " The controls reduce the total risk by %.1f %%.", r->rho * 100);
    report_put(t, "</p><div class=\"grid\">");
    report_risk_matrix(t, r, 0);
    report_risk_matrix(t, r, 1);
    report_put(t, "</div><table><thead><tr><th>Asset</th><th>Threat</th><th class=\"n\">Inherent"
                  "</th><th class=\"n\">Residual</th><th class=\"n\">Level</th><th>Appetite</th>"
                  "<th>Treatment</th><th>Owner</th><th>Due</th></tr></thead><tbody>");
    for (size_t i = 0; i < r->n_pairs; i++) {
        const Ims__V1__RiskPair *q = r->pairs[i];
        report_put(t, "<tr>");
        cell(t, q->asset);
        cell(t, q->threat);
        report_printf(t,
                      "<td class=\"n\">%.1f</td><td class=\"n\">%.1f</td><td class=\"n\">%d</td>",
                      q->inherent, q->residual, q->level);
        cell(t, q->within_appetite ? "within" : "above");
        cell(t, q->treatment ? q->treatment->option : "untreated");
        cell(t, q->treatment ? q->treatment->owner : "");
        cell_date(t, q->treatment ? q->treatment->due : "");
        report_put(t, "</tr>");
    }
    report_put(t, "</tbody></table>");
    close_section(t);
}

void report_section_bia(struct report_text *t, const ProtobufCMessage *const *p)
{
    const Ims__V1__Bia *b = P(p, REPORT_BIA, Ims__V1__Bia);
    open_section(t, "bia", "Business impact analysis and exercises");
    if (!b) {
        unreadable(t);
        close_section(t);
        return;
    }
    if (b->has_processes)
        report_printf(t,
                      "<p>Continuity readiness, weighted by criticality: <strong>%.1f %%"
                      "</strong>.</p>",
                      b->readiness * 100);
    else
        report_put(t, "<p>No process has been analysed yet.</p>");
    report_put(t, "<table><thead><tr><th>Process</th><th>Owner</th><th class=\"n\">Criticality</th>"
                  "<th class=\"n\">RTO (min)</th><th class=\"n\">MTPD (min)</th>"
                  "<th class=\"n\">RPO (min)</th><th class=\"n\">Readiness</th>"
                  "<th>Plan reviewed</th><th>Last exercise</th></tr></thead><tbody>");
    for (size_t i = 0; i < b->n_processes; i++) {
        const Ims__V1__Process *q = b->processes[i];
        report_put(t, "<tr>");
        cell(t, q->name);
        cell(t, q->owner);
        report_printf(t,
                      "<td class=\"n\">%d</td><td class=\"n\">%d</td><td class=\"n\">%d</td>"
                      "<td class=\"n\">%d</td>",
                      q->criticality, q->rto_min, q->mtpd_min, q->rpo_min);
        if (q->has_readiness)
            cell_pct(t, q->readiness);
        else
            cell(t, "");
        cell_date(t, q->plan_reviewed_at);
        if (q->n_exercises) {
            const Ims__V1__Exercise *e = q->exercises[0];
            char text[96];
            snprintf(text, sizeof text, "%.10s, recovered in %d min", e->at, e->recovery_min);
            cell(t, text);
        } else {
            cell(t, "none");
        }
        report_put(t, "</tr>");
    }
    report_put(t, "</tbody></table>");
    close_section(t);
}

void report_section_findings(struct report_text *t, const ProtobufCMessage *const *p)
{
    const Ims__V1__ListFindingsResponse *f = P(p, REPORT_FINDINGS, Ims__V1__ListFindingsResponse);
    const Ims__V1__ListIncidentsResponse *in =
        P(p, REPORT_INCIDENTS, Ims__V1__ListIncidentsResponse);
    open_section(t, "findings", "Open findings and corrective actions");
    if (!f) {
        unreadable(t);
    } else {
        report_put(t, "<table><thead><tr><th>Finding</th><th>Type</th><th>Controls</th>"
                      "<th>Audit</th><th>Description</th><th>Opened</th></tr></thead><tbody>");
        size_t open = 0;
        for (size_t i = 0; i < f->n_findings; i++) {
            const Ims__V1__Finding *x = f->findings[i];
            if (strcmp(x->status, "open") != 0)
                continue;
            open++;
            report_put(t, "<tr>");
            cell(t, x->id);
            cell(t, x->type);
            cell_list(t, x->controls, x->n_controls);
            cell(t, x->audit);
            cell(t, x->description);
            cell_date(t, x->opened_at);
            report_put(t, "</tr>");
        }
        if (!open)
            report_put(t, "<tr><td colspan=\"6\">No open finding.</td></tr>");
        report_put(t, "</tbody></table><h3>Corrective actions listed with the open "
                      "findings</h3><table><thead><tr><th>Action</th>"
                      "<th>Finding</th><th>Description</th><th>Owner</th><th>Due</th>"
                      "<th>Status</th></tr></thead><tbody>");
        size_t actions = 0;
        for (size_t i = 0; i < f->n_findings; i++) {
            const Ims__V1__Finding *x = f->findings[i];
            for (size_t k = 0; k < x->n_actions; k++) {
                const Ims__V1__CorrectiveAction *a = x->actions[k];
                if (strcmp(x->status, "open") != 0 && strcmp(a->status, "open") != 0)
                    continue;
                actions++;
                report_put(t, "<tr>");
                cell(t, a->id);
                cell(t, a->finding);
                cell(t, a->description);
                cell(t, a->owner);
                cell_date(t, a->due);
                cell(t, a->status);
                report_put(t, "</tr>");
            }
        }
        if (!actions)
            report_put(t, "<tr><td colspan=\"6\">None is listed with the open findings.</td></tr>");
        report_put(t, "</tbody></table>");
    }
    report_put(t, "<h3>Incidents not closed</h3>");
    if (!in) {
        unreadable(t);
    } else {
        report_put(t, "<table><thead><tr><th>Incident</th><th>Status</th><th class=\"n\">Severity"
                      "</th><th>Threat</th><th>Detected</th><th>Description</th></tr></thead>"
                      "<tbody>");
        size_t shown = 0;
        for (size_t i = 0; i < in->n_incidents; i++) {
            const Ims__V1__Incident *x = in->incidents[i];
            if (strcmp(x->status, "closed") == 0)
                continue;
            shown++;
            report_put(t, "<tr>");
            cell(t, x->id);
            cell(t, x->status);
            report_printf(t, "<td class=\"n\">%d</td>", x->severity);
            cell(t, x->threat);
            cell_date(t, x->detected_at);
            cell(t, x->description);
            report_put(t, "</tr>");
        }
        if (!shown)
            report_put(t, "<tr><td colspan=\"6\">No incident is open.</td></tr>");
        report_put(t, "</tbody></table>");
    }
    close_section(t);
}

/* What a plan step asks for, in words. */
static const char *step_kind(const char *kind)
{
    if (strcmp(kind, "answer") == 0)
        return "raise the sub-control to yes";
    if (strcmp(kind, "close_finding") == 0)
        return "close the finding";
    if (strcmp(kind, "make_current") == 0)
        return "approve or review the artefact";
    return kind;
}

void report_section_plan(struct report_text *t, const ProtobufCMessage *const *p)
{
    const Ims__V1__ImprovementPlan *pl = P(p, REPORT_PLAN, Ims__V1__ImprovementPlan);
    open_section(t, "plan", "Improvement plan");
    if (!pl) {
        unreadable(t);
        close_section(t);
        return;
    }
    report_put(t, "<p>The next steps, by gain for the effort they take.</p><table><thead><tr>"
                  "<th class=\"n\">#</th><th>Step</th><th>Target</th><th class=\"n\">Gain</th>"
                  "<th class=\"n\">Effort</th><th class=\"n\">Level after</th><th>Maturity</th>"
                  "</tr></thead><tbody>");
    for (size_t i = 0; i < pl->n_steps; i++) {
        const Ims__V1__PlanStep *s = pl->steps[i];
        report_printf(t, "<tr><td class=\"n\">%zu</td>", i + 1);
        cell(t, step_kind(s->kind));
        cell(t, s->target);
        report_printf(t, "<td class=\"n\">+%.2f pp</td><td class=\"n\">%.1f</td>", s->delta * 100,
                      s->effort);
        cell_pct(t, s->security_level);
        if (s->completes_maturity)
            report_printf(t, "<td>reaches maturity %d</td>", s->maturity);
        else
            cell(t, "");
        report_put(t, "</tr>");
    }
    if (!pl->n_steps)
        report_put(t, "<tr><td colspan=\"7\">Nothing left to improve.</td></tr>");
    report_put(t, "</tbody></table>");
    close_section(t);
}

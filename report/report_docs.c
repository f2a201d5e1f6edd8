/* The report's section on documented information: every document the tenant's schema asks
 * it to keep, with its status, version, owner, approver and review date, the ones past
 * their review date or not yet approved marked, and a count of each. A document that is
 * approved and within its review date is evidence for its controls (docs/people.md). */
#include "report_internal.h"

#include <string.h>

/* Approved but past its review date: it no longer counts as evidence. */
static int review_passed(const Ims__V1__Document *d)
{
    return strcmp(d->status, "approved") == 0 && !d->current;
}

void report_section_documents(struct report_text *t, const ProtobufCMessage *const *p)
{
    const Ims__V1__ListDocumentsResponse *docs =
        (const Ims__V1__ListDocumentsResponse *)p[REPORT_DOCUMENTS];
    report_open_section(t, "documents", "Documented information");
    if (!docs) {
        report_unreadable(t);
        report_close_section(t);
        return;
    }
    size_t current = 0, draft = 0, missing = 0, passed = 0, required = 0;
    for (size_t i = 0; i < docs->n_documents; i++) {
        const Ims__V1__Document *d = docs->documents[i];
        required += d->required;
        current += d->current;
        draft += strcmp(d->status, "draft") == 0;
        missing += strcmp(d->status, "missing") == 0;
        passed += review_passed(d);
    }
    report_printf(t,
                  "<p>%zu documents kept (%zu required by the schema): %zu approved and current, "
                  "%zu in draft, %zu not written yet",
                  docs->n_documents, required, current, draft, missing);
    if (passed)
        report_printf(t, ", <strong>%zu past their review date</strong>", passed);
    report_put(t, ". Only an approved document within its review date counts as evidence for "
                  "its controls.</p>");
    if (docs->n_documents == 0) {
        report_close_section(t);
        return;
    }
    report_put(t, "<table class=\"ids\"><thead><tr><th>Document</th><th>Title</th><th>Kind</th>"
                  "<th>Status</th><th class=\"n\">Version</th><th>Owner</th><th>Approver</th>"
                  "<th>Approved</th><th>Review due</th><th>Classification</th><th>Controls</th>"
                  "</tr></thead><tbody>");
    for (size_t i = 0; i < docs->n_documents; i++) {
        const Ims__V1__Document *d = docs->documents[i];
        report_put(t, "<tr>");
        report_cell(t, d->artefact);
        report_cell(t, d->title);
        report_cell(t, d->kind);
        if (review_passed(d))
            report_put(t, "<td><strong>review overdue</strong></td>");
        else if (d->required && strcmp(d->status, "approved") != 0)
            report_printf(t, "<td><strong>%s</strong></td>",
                          strcmp(d->status, "draft") == 0 ? "draft" : "missing");
        else
            report_cell(t, d->status);
        if (d->version > 0)
            report_printf(t, "<td class=\"n\">%d</td>", d->version);
        else
            report_put(t, "<td class=\"n\">—</td>");
        report_cell(t, *d->owner_person ? d->owner_person : d->owner);
        report_cell(t, d->approver);
        report_cell_date(t, d->approved_at);
        report_cell_date(t, d->review_due);
        report_cell(t, d->classification);
        report_cell_list(t, d->controls, d->n_controls);
        report_put(t, "</tr>");
    }
    report_put(t, "</tbody></table>");
    report_close_section(t);
}

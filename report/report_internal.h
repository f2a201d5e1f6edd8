/* Inside the report: writing text (report.c), the sections (report_sections.c, the Check
 * and Act ones in report_act.c, documented information in report_docs.c), the SVG charts
 * (svg.c). */
#ifndef IMS_REPORT_INTERNAL_H
#define IMS_REPORT_INTERNAL_H

#include "ims/v1/assessments.pb-c.h"
#include "ims/v1/continuity.pb-c.h"
#include "ims/v1/documents.pb-c.h"
#include "ims/v1/events.pb-c.h"
#include "ims/v1/improvement.pb-c.h"
#include "ims/v1/level.pb-c.h"
#include "ims/v1/risk.pb-c.h"
#include "ims/v1/tenants.pb-c.h"
#include "management_report.h"

void report_put(struct report_text *t, const char *s);
void report_printf(struct report_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s with <, >, &, " and ' escaped. */
void report_escaped(struct report_text *t, const char *s);

/* A line chart of the level over time (0..100 %), with labelled axes. */
void report_level_chart(struct report_text *t, const Ims__V1__GetHistoryResponse *history,
                        double current, const char *title);
/* A 5x5 likelihood x impact matrix with the number of pairs in each cell, coloured by the
 * risk level of the cell. residual: the residual position, else the inherent one. */
void report_risk_matrix(struct report_text *t, const Ims__V1__RiskRegister *risks, int residual);
/* The cell of a pair: likelihood and impact, 1..5. */
void report_risk_cell(const Ims__V1__RiskPair *p, int residual, int *likelihood, int *impact);
/* The grid's level of a cell (ISO/IEC 27005 5x5). */
int report_risk_level(int likelihood, int impact);

/* Pieces of a section (report_sections.c). */
void report_open_section(struct report_text *t, const char *id, const char *title);
void report_close_section(struct report_text *t);
/* "This part could not be read". */
void report_unreadable(struct report_text *t);
/* A table cell with s escaped ("—" when empty). */
void report_cell(struct report_text *t, const char *s);
void report_cell_list(struct report_text *t, char **items, size_t n);
void report_cell_pct(struct report_text *t, double v);
/* A cell with the date part of an RFC 3339 time. */
void report_cell_date(struct report_text *t, const char *s);

/* The sections, in order. */
void report_section_level(struct report_text *t, const ProtobufCMessage *const *parts);
void report_section_systems(struct report_text *t, const ProtobufCMessage *const *parts);
void report_section_soa(struct report_text *t, const ProtobufCMessage *const *parts);
void report_section_risks(struct report_text *t, const ProtobufCMessage *const *parts);
void report_section_bia(struct report_text *t, const ProtobufCMessage *const *parts);
void report_section_findings(struct report_text *t, const ProtobufCMessage *const *parts);
void report_section_audits(struct report_text *t, const ProtobufCMessage *const *parts);
/* now: the report's time (RFC 3339), to say which awards have expired. */
void report_section_awards(struct report_text *t, const ProtobufCMessage *const *parts,
                           const char *now);
void report_section_objectives(struct report_text *t, const ProtobufCMessage *const *parts);
void report_section_documents(struct report_text *t, const ProtobufCMessage *const *parts);
void report_section_plan(struct report_text *t, const ProtobufCMessage *const *parts);

#endif

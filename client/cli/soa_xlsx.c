/* imsctl soa export --format xlsx: the Statement of Applicability as a workbook auditors
 * open in their spreadsheet (libxlsxwriter), one row per control with its applicability,
 * justification, implementation status and score. */
#include "soa_xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "ims/v1/assessments.pb-c.h"

#define PAGE 1000

/* Every entry of the register, page after page: *out holds the pages (free each). */
static int fetch_all(imsctl_ctx *ctx, const char *tenant, Ims__V1__ListSoAResponse ***pages,
                     size_t *n)
{
    int rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    char token[512] = "";
    *pages = NULL;
    *n = 0;
    for (;;) {
        Ims__V1__ListSoARequest req = IMS__V1__LIST_SO_AREQUEST__INIT;
        req.tenant = (char *)tenant;
        req.page_size = PAGE;
        req.page_token = token;
        Ims__V1__ListSoAResponse *resp;
        int call =
            ims_client_call(c, "/ims.v1.Assessments/ListSoA", &req.base,
                            &ims__v1__list_so_aresponse__descriptor, (ProtobufCMessage **)&resp);
        if (call != 0)
            return imsctl_rpc_failed(ctx, call);
        Ims__V1__ListSoAResponse **more = realloc(*pages, (*n + 1) * sizeof *more);
        if (!more) {
            ims__v1__list_so_aresponse__free_unpacked(resp, NULL);
            fprintf(stderr, "imsctl: out of memory\n");
            return IMSCTL_EXIT_FAILURE;
        }
        *pages = more;
        (*pages)[(*n)++] = resp;
        if (!*resp->next_page_token || strlen(resp->next_page_token) >= sizeof token)
            return 0;
        if (strcmp(token, resp->next_page_token) == 0 || *n >= IMSCTL_MAX_PAGES) {
            fprintf(stderr, "imsctl: the server's list does not end (a page token repeated, "
                            "or more than %d pages); stopped\n",
                    IMSCTL_MAX_PAGES);
            return IMSCTL_EXIT_FAILURE;
        }
        snprintf(token, sizeof token, "%s", resp->next_page_token);
    }
}

static int write_book(const char *file, const char *tenant, Ims__V1__ListSoAResponse **pages,
                      size_t n)
{
    lxw_workbook *wb = workbook_new(file);
    if (!wb)
        return -1;
    lxw_doc_properties props = {
        .title = "Statement of Applicability", .subject = (char *)tenant, .company = "ims"};
    workbook_set_properties(wb, &props);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Statement of Applicability");
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xDCE6F1);
    format_set_text_wrap(head);
    format_set_border(head, LXW_BORDER_THIN);
    lxw_format *wrap = workbook_add_format(wb);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    lxw_format *pct = workbook_add_format(wb);
    format_set_num_format(pct, "0.0%");
    format_set_align(pct, LXW_ALIGN_VERTICAL_TOP);
    static const struct {
        const char *title;
        double width;
    } cols[] = {{"Control", 14},
                {"Framework", 16},
                {"Title", 48},
                {"Applicable", 11},
                {"Justification", 48},
                {"Implementation status", 18},
                {"Score", 9},
                {"Assessed sub-controls", 12},
                {"Applicable sub-controls", 12},
                {"Threats mitigated", 40}};
    const int ncols = (int)(sizeof cols / sizeof cols[0]);
    for (int c = 0; c < ncols; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, cols[c].title, head);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, cols[c].width, NULL);
    }
    lxw_row_t row = 1;
    for (size_t p = 0; p < n; p++) {
        for (size_t i = 0; i < pages[p]->n_entries; i++, row++) {
            const Ims__V1__SoAEntry *e = pages[p]->entries[i];
            worksheet_write_string(ws, row, 0, e->control, wrap);
            worksheet_write_string(ws, row, 1, e->framework, wrap);
            worksheet_write_string(ws, row, 2, e->title, wrap);
            worksheet_write_string(ws, row, 3, e->applicable ? "Yes" : "No", wrap);
            worksheet_write_string(ws, row, 4, e->justification, wrap);
            worksheet_write_string(ws, row, 5, e->implementation_status, wrap);
            if (e->has_score)
                worksheet_write_number(ws, row, 6, e->score, pct);
            worksheet_write_number(ws, row, 7, e->assessed, NULL);
            worksheet_write_number(ws, row, 8, e->subcontrols, NULL);
            size_t len = 1;
            for (size_t k = 0; k < e->n_threats; k++)
                len += strlen(e->threats[k]) + 2;
            char *threats = calloc(1, len);
            for (size_t k = 0; threats && k < e->n_threats; k++) {
                if (k)
                    strcat(threats, ", ");
                strcat(threats, e->threats[k]);
            }
            worksheet_write_string(ws, row, 9, threats ? threats : "", wrap);
            free(threats);
        }
    }
    worksheet_freeze_panes(ws, 1, 1);
    worksheet_autofilter(ws, 0, 0, row > 1 ? row - 1 : 1, (lxw_col_t)(ncols - 1));
    worksheet_set_landscape(ws);
    worksheet_repeat_rows(ws, 0, 0);
    worksheet_fit_to_pages(ws, 1, 0);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

int imsctl_soa_xlsx(imsctl_ctx *ctx, const char *tenant, const char *out)
{
    Ims__V1__ListSoAResponse **pages = NULL;
    size_t n = 0;
    int rc = fetch_all(ctx, tenant, &pages, &n);
    if (rc == 0) {
        /* Standard output: the workbook is written to a file first (a zip needs seeking). */
        char tmp[] = "/tmp/imsctl-soa-XXXXXX";
        int to_stdout = !out || strcmp(out, "-") == 0;
        int fd = to_stdout ? mkstemp(tmp) : -1;
        if (to_stdout && fd < 0) {
            fprintf(stderr, "imsctl: cannot create a temporary file\n");
            rc = IMSCTL_EXIT_FAILURE;
        } else if (write_book(to_stdout ? tmp : out, tenant, pages, n) != 0) {
            fprintf(stderr, "imsctl: cannot write %s\n", to_stdout ? tmp : out);
            rc = IMSCTL_EXIT_FAILURE;
        } else if (to_stdout) {
            FILE *f = fopen(tmp, "rb");
            char buf[65536];
            size_t got;
            while (f && (got = fread(buf, 1, sizeof buf, f)) > 0)
                if (fwrite(buf, 1, got, stdout) != got)
                    rc = IMSCTL_EXIT_FAILURE;
            if (f)
                fclose(f);
        }
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
    }
    for (size_t i = 0; i < n; i++)
        ims__v1__list_so_aresponse__free_unpacked(pages[i], NULL);
    free(pages);
    return rc;
}

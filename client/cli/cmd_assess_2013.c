/* imsctl assess import-2013 / map-2013: answers keyed by ISO/IEC 27001:2013 control ids,
 * translated through the catalog's mapping (Schemas/TranslateControls) into the tenant's
 * 2022 sub-controls and stored with Assessments/SetAnswers. A sub-control reached by
 * several 2013 rows takes the weakest of their answers (no < partial < yes; na only when
 * every row says na), so an import never claims more than the old assessment did. */
#include <stdlib.h>
#include <string.h>

#include "cmd_assess_2013.h"
#include "ims/v1/assessments.pb-c.h"
#include "output.h"

#define MAX_ROWS 1000
#define MAX_LINE 4096
#define BATCH 1000

struct row {
    char *id, *answer, *note, *evidence;
};

static int rank(const char *answer)
{
    return strcmp(answer, "yes") == 0 ? 3 : strcmp(answer, "partial") == 0 ? 2
                                          : strcmp(answer, "no") == 0      ? 1
                                                                           : 4; /* na */
}

/* Splits "a,b,c,d" in place into up to 4 fields; 0, or -1 on a quote. */
static int split(char *line, char **f)
{
    if (strchr(line, '"'))
        return -1;
    for (int i = 0; i < 4; i++)
        f[i] = "";
    char *p = line;
    for (int i = 0; i < 4 && p; i++) {
        f[i] = p;
        char *comma = i < 3 ? strchr(p, ',') : NULL;
        if (comma)
            *comma = '\0';
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

/* Reads FILE's rows: "control,answer,note,evidence" (a header line is skipped). */
static int read_rows(const char *path, struct row *rows, size_t *n)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        return imsctl_invalid("FILE: cannot open %s", path);
    char line[MAX_LINE];
    int lineno = 0, rc = 0;
    *n = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || (lineno == 1 && strncmp(line, "control,", 8) == 0))
            continue;
        char *fld[4];
        if (split(line, fld) != 0) {
            rc = imsctl_invalid("csv: line %d: quoted fields are not read here", lineno);
        } else if (*n == MAX_ROWS) {
            rc = imsctl_invalid("csv: more than %d rows", MAX_ROWS);
        } else if (rank(fld[1]) == 4 && strcmp(fld[1], "na") != 0) {
            rc = imsctl_invalid("csv: line %d: answer: must be yes, partial, no or na", lineno);
        } else {
            rows[*n].id = strdup(fld[0]);
            rows[*n].answer = strdup(fld[1]);
            rows[*n].note = strdup(fld[2]);
            rows[*n].evidence = strdup(fld[3]);
            (*n)++;
        }
    }
    if (f != stdin)
        fclose(f);
    return rc;
}

static int translate(imsctl_ctx *ctx, ims_client *c, const char *tenant, const char **ids,
                     size_t n, Ims__V1__TranslateControlsResponse **out)
{
    Ims__V1__TranslateControlsRequest req = IMS__V1__TRANSLATE_CONTROLS_REQUEST__INIT;
    req.tenant = (char *)tenant;
    req.edition = "2013";
    req.n_ids = n;
    req.ids = (char **)ids;
    int rc = ims_client_translate_controls(c, &req, out);
    return rc != 0 ? imsctl_rpc_failed(ctx, rc) : 0;
}

int imsctl_assess_map_2013(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 1000);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__TranslateControlsResponse *r = NULL;
    if ((rc = translate(ctx, c, pos[0], pos + 1, (size_t)npos - 1, &r)) != 0)
        return rc;
    static const char *const columns[] = {"id", "controls", "subcontrols", NULL};
    rc = imsctl_json(ctx) ? imsctl_show(ctx, &r->base)
                          : imsctl_print_table(stdout,
                                               (const ProtobufCMessage *const *)r->translations,
                                               r->n_translations, columns);
    ims__v1__translate_controls_response__free_unpacked(r, NULL);
    return rc;
}

int imsctl_assess_import_2013(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    struct row *rows = calloc(MAX_ROWS, sizeof *rows);
    size_t n = 0;
    Ims__V1__TranslateControlsResponse *tr = NULL;
    Ims__V1__Answer *answers = NULL;
    const char **ids = NULL;
    if (!rows)
        return IMSCTL_EXIT_FAILURE;
    if ((rc = read_rows(pos[1], rows, &n)) != 0)
        goto out;
    if (n == 0) {
        rc = imsctl_invalid("csv: no rows");
        goto out;
    }
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        goto out;
    ids = calloc(n, sizeof *ids);
    if (!ids) {
        rc = IMSCTL_EXIT_FAILURE;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        ids[i] = rows[i].id;
    if ((rc = translate(ctx, c, pos[0], ids, n, &tr)) != 0)
        goto out;
    /* Merge: one answer per sub-control, the weakest of the rows reaching it. */
    size_t total = 0;
    for (size_t i = 0; i < tr->n_translations; i++)
        total += tr->translations[i]->n_subcontrols;
    answers = calloc(total + 1, sizeof *answers);
    if (!answers) {
        rc = IMSCTL_EXIT_FAILURE;
        goto out;
    }
    size_t m = 0;
    for (size_t i = 0; i < tr->n_translations && i < n; i++) {
        const Ims__V1__ControlTranslation *t = tr->translations[i];
        for (size_t j = 0; j < t->n_subcontrols; j++) {
            size_t k = 0;
            while (k < m && strcmp(answers[k].subcontrol, t->subcontrols[j]) != 0)
                k++;
            if (k == m) {
                ims__v1__answer__init(&answers[m]);
                answers[m].subcontrol = t->subcontrols[j];
                answers[m].answer = rows[i].answer;
                answers[m].note = rows[i].note;
                answers[m].evidence = rows[i].evidence;
                m++;
            } else if (rank(rows[i].answer) < rank(answers[k].answer)) {
                answers[k].answer = rows[i].answer;
                answers[k].note = rows[i].note;
                answers[k].evidence = rows[i].evidence;
            }
        }
    }
    if (m == 0) {
        rc = imsctl_invalid("csv: the 2013 controls reach no applicable sub-control of the tenant");
        goto out;
    }
    Ims__V1__SetAnswersResponse *resp = NULL;
    for (size_t off = 0; off < m; off += BATCH) {
        Ims__V1__SetAnswersRequest req = IMS__V1__SET_ANSWERS_REQUEST__INIT;
        Ims__V1__Answer *batch[BATCH];
        size_t k = m - off < BATCH ? m - off : BATCH;
        for (size_t i = 0; i < k; i++)
            batch[i] = &answers[off + i];
        req.tenant = (char *)pos[0];
        req.n_answers = k;
        req.answers = batch;
        if (resp)
            ims__v1__set_answers_response__free_unpacked(resp, NULL);
        resp = NULL;
        if ((rc = ims_client_call(c, "/ims.v1.Assessments/SetAnswers", &req.base,
                                  &ims__v1__set_answers_response__descriptor,
                                  (ProtobufCMessage **)&resp)) != 0) {
            rc = imsctl_rpc_failed(ctx, rc);
            goto out;
        }
    }
    if (imsctl_json(ctx))
        rc = imsctl_show(ctx, &resp->base);
    else
        printf("%zu rows of 2013 controls: %zu sub-controls answered; security level %.1f, "
               "maturity %d (revision %lld)\n",
               n, m, resp->security_level * 100, (int)resp->maturity, (long long)resp->revision);
    ims__v1__set_answers_response__free_unpacked(resp, NULL);
out:
    if (tr)
        ims__v1__translate_controls_response__free_unpacked(tr, NULL);
    free(answers);
    free(ids);
    for (size_t i = 0; i < n; i++) {
        free(rows[i].id);
        free(rows[i].answer);
        free(rows[i].note);
        free(rows[i].evidence);
    }
    free(rows);
    return rc;
}

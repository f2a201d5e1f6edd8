/* imsctl document: documented information — documents created from templates, versions,
 * approval, obsolescence, and the Markdown or HTML of a version (ims.v1.Documents). */
#include <stdlib.h>

#include "content_cli.h"
#include "ims/v1/documents.pb-c.h"

#define DOCS "/ims.v1.Documents/"

static const char *const columns[] = {"artefact", "status",     "current", "version",
                                      "approver", "review_due", "title",   NULL};

static int document_list(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    imsctl_flag flags[] = {IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    Ims__V1__ListDocumentsRequest req = IMS__V1__LIST_DOCUMENTS_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    return imsctl_list_all(ctx, DOCS "ListDocuments", &req.base,
                           &ims__v1__list_documents_response__descriptor, "documents", columns);
}

static int document_templates(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    bool body = false;
    imsctl_flag flags[] = {IMSCTL_BOOL("body", &body), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 0, 0);
    if (rc >= 0)
        return rc;
    static const char *const template_columns[] = {"artefact", "kind", "name", NULL};
    Ims__V1__ListDocumentTemplatesRequest req = IMS__V1__LIST_DOCUMENT_TEMPLATES_REQUEST__INIT;
    req.with_body = body;
    return imsctl_content_call(ctx, DOCS "ListDocumentTemplates", &req.base,
                               &ims__v1__list_document_templates_response__descriptor, "templates",
                               template_columns);
}

static int document_show(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long version = 0;
    bool html = false, markdown = false;
    imsctl_flag flags[] = {IMSCTL_INT("version", &version, 1, 1000000), IMSCTL_BOOL("html", &html),
                           IMSCTL_BOOL("markdown", &markdown), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    Ims__V1__GetDocumentRequest req = IMS__V1__GET_DOCUMENT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.artefact = (char *)pos[1];
    req.version = (int32_t)version;
    if (imsctl_json(ctx) && !html && !markdown)
        return imsctl_content_call(ctx, DOCS "GetDocument", &req.base,
                                   &ims__v1__document__descriptor, NULL, NULL);
    ProtobufCMessage *out = NULL;
    if ((rc = imsctl_content_fetch(ctx, DOCS "GetDocument", &req.base,
                                   &ims__v1__document__descriptor, &out)) != 0)
        return rc;
    const Ims__V1__Document *d = (const void *)out;
    static const char *const fields[] = {
        "artefact",   "title",          "kind",           "status",   "current",
        "version",    "owner",          "owner_person",   "approver", "approved_at",
        "review_due", "classification", "retention_days", "controls", NULL};
    static const char *const tables[] = {
        "versions", "version", "created_at", "author", "note",   NULL,   "history", "seq",
        "at",       "action",  "version",    "status", "person", "note", NULL,      NULL};
    if (html || markdown)
        fputs(html ? d->body_html : d->body, stdout);
    else
        imsctl_print_detail(out, fields, tables);
    protobuf_c_message_free_unpacked(out, NULL);
    return 0;
}

static int change(imsctl_ctx *ctx, const char *method, const ProtobufCMessage *req)
{
    return imsctl_content_call(ctx, method, req, &ims__v1__document_change__descriptor, NULL, NULL);
}

static int document_create(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *title = "", *owner = "", *cls = "", *file = NULL, *person = "", *key = "";
    long retention = 0;
    imsctl_flag flags[] = {
        IMSCTL_STRING("title", &title),
        IMSCTL_STRING("owner", &owner),
        IMSCTL_STRING("classification", &cls),
        IMSCTL_INT("retention-days", &retention, 1, 36500),
        IMSCTL_STRING("body-file", &file),
        IMSCTL_STRING("person", &person),
        IMSCTL_STRING("key", &key),
        IMSCTL_FLAGS_END,
    };
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    char *body = file ? imsctl_read_file(file) : NULL;
    if (file && !body)
        return IMSCTL_EXIT_USAGE;
    Ims__V1__CreateDocumentRequest req = IMS__V1__CREATE_DOCUMENT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.artefact = (char *)pos[1];
    req.title = (char *)title;
    req.owner = (char *)owner;
    req.classification = (char *)cls;
    req.retention_days = (int32_t)retention;
    req.body = body ? body : "";
    req.person = (char *)person;
    req.idempotency_key = (char *)key;
    rc = change(ctx, DOCS "CreateDocument", &req.base);
    free(body);
    return rc;
}

static int document_version(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *file = NULL, *note = "", *person = "", *key = "";
    imsctl_flag flags[] = {IMSCTL_STRING("body-file", &file), IMSCTL_STRING("note", &note),
                           IMSCTL_STRING("person", &person), IMSCTL_STRING("key", &key),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    if (!file) {
        fprintf(stderr, "imsctl: --body-file is required\nusage: imsctl document version %s\n",
                cmd->usage);
        return IMSCTL_EXIT_USAGE;
    }
    char *body = imsctl_read_file(file);
    if (!body)
        return IMSCTL_EXIT_USAGE;
    Ims__V1__AddDocumentVersionRequest req = IMS__V1__ADD_DOCUMENT_VERSION_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.artefact = (char *)pos[1];
    req.body = body;
    req.note = (char *)note;
    req.person = (char *)person;
    req.idempotency_key = (char *)key;
    rc = change(ctx, DOCS "AddDocumentVersion", &req.base);
    free(body);
    return rc;
}

static int document_approve(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *approver = "", *due = NULL, *key = "";
    imsctl_flag flags[] = {IMSCTL_STRING("approver", &approver), IMSCTL_STRING("review-due", &due),
                           IMSCTL_STRING("key", &key), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    char when[64] = "";
    if (due && (rc = imsctl_time_arg("--review-due", due, when, sizeof when)) != 0)
        return rc;
    Ims__V1__ApproveDocumentRequest req = IMS__V1__APPROVE_DOCUMENT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.artefact = (char *)pos[1];
    req.approver = (char *)approver;
    req.review_due = when;
    req.idempotency_key = (char *)key;
    return change(ctx, DOCS "ApproveDocument", &req.base);
}

static int document_obsolete(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    const char *person = "", *note = "", *key = "";
    imsctl_flag flags[] = {IMSCTL_STRING("person", &person), IMSCTL_STRING("note", &note),
                           IMSCTL_STRING("key", &key), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    Ims__V1__ObsoleteDocumentRequest req = IMS__V1__OBSOLETE_DOCUMENT_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.artefact = (char *)pos[1];
    req.person = (char *)person;
    req.note = (char *)note;
    req.idempotency_key = (char *)key;
    return change(ctx, DOCS "ObsoleteDocument", &req.base);
}

static const imsctl_command commands[] = {
    {"templates", "[--body]",
     "Lists the catalogue's document templates (with --json --body, their Markdown).",
     document_templates},
    {"list", "TENANT", "Lists the tenant's documents with their status and review date.",
     document_list},
    {"show", "TENANT ARTEFACT [--version N] [--markdown | --html]",
     "Shows a document and its history, or one version's Markdown or HTML.", document_show},
    {"create",
     "TENANT ARTEFACT [--title T] [--owner PERSON] [--classification C] [--retention-days N] "
     "[--body-file F] [--person P] [--key K]",
     "Writes the first version, from the artefact's template unless --body-file is given.",
     document_create},
    {"version", "TENANT ARTEFACT --body-file F [--note N] [--person P] [--key K]",
     "Adds a version (Markdown); the document is a draft until approved.", document_version},
    {"approve", "TENANT ARTEFACT [--approver PERSON] [--review-due TIME] [--key K]",
     "Approves the draft; it is evidence until its review date.", document_approve},
    {"obsolete", "TENANT ARTEFACT [--person P] [--note N] [--key K]",
     "Withdraws the document; it is no longer evidence.", document_obsolete},
    {0},
};

const imsctl_group imsctl_group_document = {"document",
                                            "documented information: versions, "
                                            "approval, review",
                                            commands, NULL};

/* imsctl schema draft|get|put|edit|diff|publish|stats|rebase: the schema repository's
 * editing (ims.v1.Schemas). A document is the ims-schema/1 JSON of docs/schemas.md: `get`
 * writes it, `put` uploads it edited offline; `edit` changes fields without a file. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd_schema_drafts.h"
#include "out_file.h"
#include "output.h"

#define MAX_DOCUMENT (1u << 20)

/* The answer about one schema version: id, version and status (the document with --json). */
static int show_document(imsctl_ctx *ctx, int rc, Ims__V1__SchemaDocument *d)
{
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, &d->base);
    } else {
        printf("%s version %d: %s\n", d->id, (int)d->version, d->status);
        rc = 0;
    }
    ims__v1__schema_document__free_unpacked(d, NULL);
    return rc;
}

int imsctl_schema_draft(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long from = 0;
    imsctl_flag flags[] = {IMSCTL_INT("from", &from, 1, 1000000), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__CreateSchemaDraftRequest req = IMS__V1__CREATE_SCHEMA_DRAFT_REQUEST__INIT;
    req.id = (char *)pos[0];
    req.from_version = (int32_t)from;
    Ims__V1__SchemaDocument *d = NULL;
    rc = ims_client_create_schema_draft(c, &req, &d);
    return show_document(ctx, rc, d);
}

int imsctl_schema_get(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long version = 0;
    const char *out = NULL;
    imsctl_flag flags[] = {IMSCTL_INT("version", &version, 1, 1000000), IMSCTL_STRING("out", &out),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__GetSchemaDocumentRequest req = IMS__V1__GET_SCHEMA_DOCUMENT_REQUEST__INIT;
    req.id = (char *)pos[0];
    req.version = (int32_t)version;
    Ims__V1__SchemaDocument *d = NULL;
    rc = ims_client_get_schema_document(c, &req, &d);
    if (rc != 0)
        return imsctl_rpc_failed(ctx, rc);
    /* Pretty-printed, so that the file is edited and diffed line by line. */
    json_error_t jerr;
    json_t *j = json_loads(d->document, 0, &jerr);
    struct imsctl_out file;
    FILE *f = !j ? NULL : out ? imsctl_out_open(&file, out) : stdout;
    rc = 0;
    if (!f || json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) != 0 ||
        fputc('\n', f) == EOF) {
        fprintf(stderr, "imsctl: cannot write the document%s%s\n", out ? " to " : "",
                out ? out : "");
        rc = IMSCTL_EXIT_FAILURE;
    }
    if (f && out)
        rc = imsctl_out_close(&file, rc);
    json_decref(j);
    ims__v1__schema_document__free_unpacked(d, NULL);
    return rc;
}

/* Reads a whole file (at most MAX_DOCUMENT bytes); NULL after printing why. */
static char *read_file(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "imsctl: cannot open %s\n", path);
        return NULL;
    }
    char *buf = malloc(MAX_DOCUMENT + 2);
    size_t n = buf ? fread(buf, 1, MAX_DOCUMENT + 1, f) : 0;
    int bad = !buf || ferror(f) || n > MAX_DOCUMENT;
    if (f != stdin)
        fclose(f);
    if (bad) {
        fprintf(stderr, "imsctl: %s: unreadable or larger than %u bytes\n", path, MAX_DOCUMENT);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

int imsctl_schema_put(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long version = 0;
    imsctl_flag flags[] = {IMSCTL_INT("version", &version, 1, 1000000), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 2, 2);
    if (rc >= 0)
        return rc;
    if (version == 0)
        return imsctl_invalid("--version: name the draft's version");
    char *doc = read_file(pos[1]);
    if (!doc)
        return IMSCTL_EXIT_INVALID;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL) {
        free(doc);
        return rc;
    }
    Ims__V1__PutSchemaDocumentRequest req = IMS__V1__PUT_SCHEMA_DOCUMENT_REQUEST__INIT;
    req.id = (char *)pos[0];
    req.version = (int32_t)version;
    req.document = doc;
    Ims__V1__SchemaDocument *d = NULL;
    rc = ims_client_put_schema_document(c, &req, &d);
    free(doc);
    return show_document(ctx, rc, d);
}

/* "kind/key/field=value" (set), or "kind/key" (remove), or "kind=value" (add). A value that
 * is not JSON is taken as a string. Fills e; 0 or prints and returns the exit code. */
static int parse_edit(const char *arg, const char *op, Ims__V1__SchemaEdit *e, char *buf,
                      size_t len, char **owned)
{
    *owned = NULL;
    if (strlen(arg) >= len)
        return imsctl_invalid("--%s: too long", op);
    strcpy(buf, arg);
    char *value = NULL;
    if (strcmp(op, "remove") != 0) {
        value = strchr(buf, '=');
        if (!value)
            return imsctl_invalid("--%s %s: needs =VALUE", op, arg);
        *value++ = '\0';
    }
    char *parts[3] = {buf, "", ""};
    char *slash = strchr(buf, '/');
    if (slash) {
        *slash = '\0';
        parts[1] = slash + 1;
        /* The field is after the last slash: keys hold no slash. */
        char *last = strrchr(parts[1], '/');
        if (last && strcmp(op, "set") == 0) {
            *last = '\0';
            parts[2] = last + 1;
        } else if (strcmp(op, "set") == 0 && (strcmp(buf, "params") == 0 ||
                                                strcmp(buf, "schema") == 0)) {
            parts[2] = parts[1];
            parts[1] = "";
        }
    }
    e->kind = parts[0];
    e->key = parts[1];
    e->field = parts[2];
    e->op = (char *)op;
    e->value = "";
    if (value) {
        json_error_t jerr;
        json_t *j = json_loads(value, JSON_DECODE_ANY, &jerr);
        if (j) {
            json_decref(j);
            e->value = value;
        } else {
            json_t *s = json_string(value);
            char *quoted = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
            json_decref(s);
            if (!quoted)
                return imsctl_invalid("--%s %s: value is not text", op, arg);
            e->value = quoted;
            *owned = quoted; /* the caller frees it */
        }
    }
    return 0;
}

int imsctl_schema_edit(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long version = 0;
    imsctl_list sets = {0}, adds = {0}, removes = {0};
    imsctl_flag flags[] = {IMSCTL_INT("version", &version, 1, 1000000),
                           IMSCTL_LIST("set", &sets), IMSCTL_LIST("add", &adds),
                           IMSCTL_LIST("remove", &removes), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    size_t n = sets.n + adds.n + removes.n;
    Ims__V1__SchemaEdit *edits = NULL;
    Ims__V1__SchemaEdit **ptrs = NULL;
    char *bufs = NULL;
    char **owned = NULL;
    if (rc >= 0)
        goto out;
    if (version == 0 || n == 0) {
        rc = imsctl_invalid("--version and at least one --set, --add or --remove are required");
        goto out;
    }
    edits = calloc(n, sizeof *edits);
    ptrs = calloc(n, sizeof *ptrs);
    bufs = calloc(n, 70000);
    owned = calloc(n, sizeof *owned);
    if (!edits || !ptrs || !bufs || !owned) {
        rc = IMSCTL_EXIT_FAILURE;
        goto out;
    }
    size_t k = 0;
    const imsctl_list *lists[3] = {&sets, &adds, &removes};
    const char *ops[3] = {"set", "add", "remove"};
    for (int l = 0; l < 3; l++)
        for (size_t i = 0; i < lists[l]->n; i++, k++) {
            ims__v1__schema_edit__init(&edits[k]);
            if ((rc = parse_edit(lists[l]->items[i], ops[l], &edits[k], bufs + 70000 * k, 70000,
                                 &owned[k])))
                goto out;
            ptrs[k] = &edits[k];
        }
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        goto out;
    Ims__V1__EditSchemaDraftRequest req = IMS__V1__EDIT_SCHEMA_DRAFT_REQUEST__INIT;
    req.id = (char *)pos[0];
    req.version = (int32_t)version;
    req.n_edits = n;
    req.edits = ptrs;
    Ims__V1__SchemaDocument *d = NULL;
    rc = ims_client_edit_schema_draft(c, &req, &d);
    rc = show_document(ctx, rc, d);
out:
    for (size_t i = 0; owned && i < n; i++)
        free(owned[i]);
    free(owned);
    free(edits);
    free(ptrs);
    free(bufs);
    imsctl_list_free(&sets);
    imsctl_list_free(&adds);
    imsctl_list_free(&removes);
    return rc;
}

int imsctl_schema_diff(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long from = 0, to = 0;
    const char *to_id = "";
    imsctl_flag flags[] = {IMSCTL_INT("from", &from, 1, 1000000), IMSCTL_INT("to", &to, 1, 1000000),
                           IMSCTL_STRING("to-id", &to_id), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__DiffSchemasRequest req = IMS__V1__DIFF_SCHEMAS_REQUEST__INIT;
    req.id = (char *)pos[0];
    req.from_version = (int32_t)from;
    req.to_version = (int32_t)to;
    req.to_id = (char *)to_id;
    Ims__V1__DiffSchemasResponse *r = NULL;
    if ((rc = ims_client_diff_schemas(c, &req, &r)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    static const char *const columns[] = {"kind", "key", "field", "old", "new", NULL};
    rc = imsctl_json(ctx) ? imsctl_show(ctx, &r->base)
                          : imsctl_print_table(stdout, (const ProtobufCMessage *const *)r->changes,
                                               r->n_changes, columns);
    ims__v1__diff_schemas_response__free_unpacked(r, NULL);
    return rc;
}

int imsctl_schema_publish(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long version = 0;
    imsctl_flag flags[] = {IMSCTL_INT("version", &version, 1, 1000000), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    if (version == 0)
        return imsctl_invalid("--version: name the draft's version");
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__PublishSchemaRequest req = IMS__V1__PUBLISH_SCHEMA_REQUEST__INIT;
    req.id = (char *)pos[0];
    req.version = (int32_t)version;
    Ims__V1__SchemaDocument *d = NULL;
    rc = ims_client_publish_schema(c, &req, &d);
    return show_document(ctx, rc, d);
}

int imsctl_schema_stats(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long gaps = 10;
    bool answers = false;
    imsctl_flag flags[] = {IMSCTL_INT("gaps", &gaps, 1, 1000), IMSCTL_BOOL("answers", &answers),
                           IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__GetSchemaStatsRequest req = IMS__V1__GET_SCHEMA_STATS_REQUEST__INIT;
    req.id = (char *)pos[0];
    req.gaps = (int32_t)gaps;
    Ims__V1__GetSchemaStatsResponse *r = NULL;
    if ((rc = ims_client_get_schema_stats(c, &req, &r)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, &r->base);
    } else {
        static const char *const levels[] = {"sector", "size_band", "tenants", "security_level",
                                             "maturity", NULL};
        static const char *const gapcols[] = {"subcontrol", "tenants", "gap_share", NULL};
        static const char *const anscols[] = {"subcontrol", "tenants", "yes", "partial", "no",
                                              "na", "unanswered", NULL};
        printf("Average level by sector and size\n");
        rc = imsctl_print_table(stdout, (const ProtobufCMessage *const *)r->levels, r->n_levels,
                                levels);
        printf("\nMost common gaps\n");
        if (rc == 0)
            rc = imsctl_print_table(stdout, (const ProtobufCMessage *const *)r->gaps, r->n_gaps,
                                    gapcols);
        if (rc == 0 && answers) {
            printf("\nAnswers per sub-control\n");
            rc = imsctl_print_table(stdout, (const ProtobufCMessage *const *)r->answers,
                                    r->n_answers, anscols);
        }
    }
    ims__v1__get_schema_stats_response__free_unpacked(r, NULL);
    return rc;
}

int imsctl_schema_rebase(imsctl_ctx *ctx, const imsctl_command *cmd, int argc, char **argv)
{
    const char *pos[argc + 1];
    int npos;
    long version = 0;
    bool preview = false;
    const char *key = "";
    imsctl_flag flags[] = {IMSCTL_INT("version", &version, 1, 1000000),
                           IMSCTL_BOOL("preview", &preview),
                           IMSCTL_STRING("idempotency-key", &key), IMSCTL_FLAGS_END};
    int rc = imsctl_flags(cmd, argc, argv, flags, pos, &npos, 1, 1);
    if (rc >= 0)
        return rc;
    ims_client *c = imsctl_client(ctx, &rc);
    if (c == NULL)
        return rc;
    Ims__V1__RebaseRequest req = IMS__V1__REBASE_REQUEST__INIT;
    req.tenant = (char *)pos[0];
    req.version = (int32_t)version;
    req.idempotency_key = (char *)key;
    if (!preview) {
        Ims__V1__RebaseResponse *r = NULL;
        if ((rc = ims_client_rebase(c, &req, &r)) != 0)
            return imsctl_rpc_failed(ctx, rc);
        if (imsctl_json(ctx))
            rc = imsctl_show(ctx, &r->base);
        else
            printf("%s: version %d -> %d, security level %.1f, maturity %d (revision %lld)\n",
                   r->schema_id, (int)r->from_version, (int)r->to_version,
                   r->security_level * 100, (int)r->maturity, (long long)r->revision);
        ims__v1__rebase_response__free_unpacked(r, NULL);
        return rc;
    }
    Ims__V1__RebasePreview *p = NULL;
    if ((rc = ims_client_preview_rebase(c, &req, &p)) != 0)
        return imsctl_rpc_failed(ctx, rc);
    if (imsctl_json(ctx)) {
        rc = imsctl_show(ctx, &p->base);
    } else {
        static const char *const columns[] = {"kind", "id", "change", NULL};
        rc = imsctl_print_table(stdout, (const ProtobufCMessage *const *)p->changes, p->n_changes,
                                columns);
        printf("\n%s: version %d -> %d\nsecurity level %.1f -> %.1f, maturity %d -> %d\n",
               p->schema_id, (int)p->from_version, (int)p->to_version, p->level_before * 100,
               p->level_after * 100, (int)p->maturity_before, (int)p->maturity_after);
    }
    ims__v1__rebase_preview__free_unpacked(p, NULL);
    return rc;
}

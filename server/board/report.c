/* The management report from the board: the report's reads made one after another inside
 * the daemon with the browser's token, then the same document imsctl report writes. */
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ims/error.h"
#include "ims/v1/tenants.pb-c.h"
#include "management_report.h"
#include "rpc.h"

struct report_job {
    struct board *board;
    struct ops_http_request *request;
    char *token;
    char *tenant;
    int part;
    ProtobufCMessage *parts[REPORT_PART_COUNT];
};

static void job_free(struct report_job *j)
{
    if (j->board)
        board_job_end(j->board);
    for (int i = 0; i < REPORT_PART_COUNT; i++)
        if (j->parts[i])
            protobuf_c_message_free_unpacked(j->parts[i], NULL);
    free(j->token);
    free(j->tenant);
    free(j);
}

static void finish(struct report_job *j)
{
    char at[32];
    time_t now = time(NULL);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    struct report_text text = {0};
    if (report_render((const ProtobufCMessage *const *)j->parts, at, &text) != 0) {
        board_fail(j->request, 500, "cannot write the report");
    } else {
        const Ims__V1__Tenant *t = (const Ims__V1__Tenant *)j->parts[REPORT_TENANT];
        char headers[512];
        snprintf(headers, sizeof headers,
                 "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
                 "img-src data:\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n"
                 "Referrer-Policy: no-referrer\r\n"
                 "Content-Disposition: attachment; filename=\"report-%.63s.html\"\r\n",
                 t->slug);
        (void)ops_http_respond(j->request, 200, "text/html; charset=utf-8", headers, text.data,
                               text.len);
    }
    report_text_free(&text);
    job_free(j);
}

static void next_part(struct report_job *j);

static void part_done(int status, const char *message, const uint8_t *response, size_t len,
                      void *arg)
{
    struct report_job *j = arg;
    if (status == IMS_GRPC_OK) {
        j->parts[j->part] = protobuf_c_message_unpack(report_part_output((enum report_part)j->part),
                                                      NULL, len, response);
    } else if (j->part <= REPORT_LEVEL || status == IMS_GRPC_UNAUTHENTICATED ||
               status == IMS_GRPC_PERMISSION_DENIED) {
        /* Without the tenant and its level there is no report; a refusal ends it too. */
        board_fail(j->request, board_http_status(status), message);
        job_free(j);
        return;
    }
    j->part++;
    next_part(j);
}

static void next_part(struct report_job *j)
{
    if (j->part == REPORT_PART_COUNT) {
        finish(j);
        return;
    }
    if (j->board->stopping) {
        board_fail(j->request, 503, "stopping");
        job_free(j);
        return;
    }
    ProtobufCMessage *req = report_part_request((enum report_part)j->part, j->tenant);
    if (!req) {
        board_fail(j->request, 500, "out of memory");
        job_free(j);
        return;
    }
    rpc_call_local(j->board->rpc, report_part_method((enum report_part)j->part), j->token, req,
                   part_done, j);
    report_request_free(req);
}

void board_report_serve(struct ops_http_request *r, void *arg)
{
    struct board *b = arg;
    const char *token = board_token(r);
    if (!token)
        return;
    json_t *body_json = board_body(r);
    if (!body_json)
        return;
    json_t *tenant = json_object_get(body_json, "tenant");
    if (!json_is_string(tenant) || json_string_length(tenant) == 0 ||
        json_string_length(tenant) > 100) {
        json_decref(body_json);
        board_fail(r, 400, "tenant: required");
        return;
    }
    struct report_job *j = calloc(1, sizeof *j);
    if (j) {
        j->board = b;
        board_job_begin(b);
        j->request = r;
        j->token = strdup(token);
        j->tenant = strdup(json_string_value(tenant));
    }
    json_decref(body_json);
    if (!j || !j->token || !j->tenant) {
        if (j)
            job_free(j);
        board_fail(r, 500, "out of memory");
        return;
    }
    next_part(j);
}

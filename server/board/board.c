/* The control board's routes: its static files, and reads of the gRPC API as JSON made
 * inside the daemon with the caller's token. See board.h. */
#include "internal.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "ims/error.h"
#include "ops.h"
#include "pbjson.h"
#include "rpc.h"

#define MAX_FILE_BYTES (4u << 20)
#define MAX_PATH 200

/* No script but the board's own files, nothing from elsewhere, no framing, no forms to
 * elsewhere. Styles set by script (the charts' canvases) are CSSOM, which this allows. */
const char board_headers[] =
    "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "Cache-Control: no-store\r\n";

int board_http_status(int grpc)
{
    switch (grpc) {
    case IMS_GRPC_OK:
        return 200;
    case IMS_GRPC_INVALID_ARGUMENT:
    case IMS_GRPC_OUT_OF_RANGE:
    case IMS_GRPC_FAILED_PRECONDITION:
        return 400;
    case IMS_GRPC_UNAUTHENTICATED:
        return 401;
    case IMS_GRPC_PERMISSION_DENIED:
        return 403;
    case IMS_GRPC_NOT_FOUND:
        return 404;
    case IMS_GRPC_RESOURCE_EXHAUSTED:
        return 429;
    case IMS_GRPC_UNAVAILABLE:
    case IMS_GRPC_DEADLINE_EXCEEDED:
        return 503;
    default:
        return 500;
    }
}

void board_fail(struct ops_http_request *r, int status, const char *message)
{
    if (status == 401 || status == 403 || status == 404 || !message) {
        (void)ops_http_respond(r, status, NULL, board_headers, NULL, 0);
        return;
    }
    json_t *o = json_pack("{s:s}", "error", message);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (text)
        (void)ops_http_respond(r, status, "application/json", board_headers, text, strlen(text));
    else
        (void)ops_http_respond(r, status, NULL, board_headers, NULL, 0);
    free(text);
}

const char *board_token(struct ops_http_request *r)
{
    const char *token = auth_bearer_token(ops_http_header(r, "authorization"));
    if (!token)
        board_fail(r, 401, NULL);
    return token;
}

json_t *board_body(struct ops_http_request *r)
{
    size_t len;
    const uint8_t *body = ops_http_body(r, &len);
    if (len > BOARD_MAX_REQUEST_BYTES) {
        board_fail(r, 413, "the request body is larger than 64 KiB");
        return NULL;
    }
    json_error_t jerr;
    json_t *j =
        len ? json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &jerr) : json_object();
    if (!json_is_object(j)) {
        json_decref(j);
        board_fail(r, 400, "the body is not a JSON object");
        return NULL;
    }
    return j;
}

/* --- static files --- */

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

/* Names made of [A-Za-z0-9_.-] segments, none starting with a dot. */
static int safe_path(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > MAX_PATH)
        return 0;
    int segment_start = 1;
    for (const char *c = p; *c; c++) {
        if (*c == '/') {
            if (segment_start)
                return 0;
            segment_start = 1;
            continue;
        }
        if (segment_start && *c == '.')
            return 0;
        segment_start = 0;
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '-' || *c == '.'))
            return 0;
    }
    return !segment_start;
}

static void send_file(struct ops_http_request *r, const char *file, const char *type)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size > MAX_FILE_BYTES) {
        if (fd >= 0)
            close(fd);
        (void)ops_http_respond(r, 404, "text/plain; charset=utf-8", board_headers, "not found\n",
                               10);
        return;
    }
    size_t len = (size_t)st.st_size;
    char *data = malloc(len ? len : 1);
    size_t got = 0;
    while (data && got < len) {
        ssize_t n = read(fd, data + got, len - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!data || got != len) {
        free(data);
        (void)ops_http_respond(r, 500, NULL, board_headers, NULL, 0);
        return;
    }
    (void)ops_http_respond(r, 200, type, board_headers, data, len);
    free(data);
}

static void serve_file(struct ops_http_request *r, void *arg)
{
    struct board *b = arg;
    const char *rel = ops_http_path(r) + strlen("/board/");
    if (*rel == '\0')
        rel = "index.html";
    if (strcmp(rel, "vendor/chart.js") == 0) {
        send_file(r, b->chart_js, "text/javascript; charset=utf-8");
        return;
    }
    const char *type = content_type(rel);
    if (!safe_path(rel) || !type) {
        (void)ops_http_respond(r, 404, "text/plain; charset=utf-8", board_headers, "not found\n",
                               10);
        return;
    }
    char file[4400];
    snprintf(file, sizeof file, "%s/%s", b->web_dir, rel);
    send_file(r, file, type);
}

static void serve_root(struct ops_http_request *r, void *arg)
{
    (void)arg;
    char headers[sizeof board_headers + 32];
    snprintf(headers, sizeof headers, "Location: /board/\r\n%s", board_headers);
    (void)ops_http_respond(r, 302, NULL, headers, NULL, 0);
}

/* --- reads of the API as JSON --- */

struct api_call {
    struct ops_http_request *request;
    const ProtobufCMessageDescriptor *output;
};

static void api_done(int status, const char *message, const uint8_t *response, size_t len,
                     void *arg)
{
    struct api_call *a = arg;
    struct ops_http_request *r = a->request;
    const ProtobufCMessageDescriptor *output = a->output;
    free(a);
    if (status != IMS_GRPC_OK) {
        board_fail(r, board_http_status(status), message);
        return;
    }
    ProtobufCMessage *m = protobuf_c_message_unpack(output, NULL, len, response);
    json_t *j = m ? pbjson_from_message(m) : NULL;
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
    if (!text) {
        board_fail(r, 500, "out of memory");
        return;
    }
    (void)ops_http_respond(r, 200, "application/json", board_headers, text, strlen(text));
    free(text);
}

/* The method of "/board/api/call/ims.v1.Level/GetSecurityLevel": a read (Get..., List...)
 * of a service of the API. */
static const ProtobufCMethodDescriptor *find_read(struct board *b, const char *path,
                                                  char *method_path, size_t len)
{
    const char *rest = path + strlen("/board/api/call/");
    const char *slash = strchr(rest, '/');
    if (!slash || slash - rest > 60 || strchr(slash + 1, '/'))
        return NULL;
    const char *name = slash + 1;
    if (strncmp(name, "Get", 3) != 0 && strncmp(name, "List", 4) != 0)
        return NULL;
    snprintf(method_path, len, "/%s", rest);
    const struct auth_permission *perm = auth_permission_for(method_path);
    if (!perm)
        return NULL;
    return rpc_method_descriptor(b->rpc, method_path);
}

static void serve_call(struct ops_http_request *r, void *arg)
{
    struct board *b = arg;
    char method_path[128];
    const ProtobufCMethodDescriptor *m =
        find_read(b, ops_http_path(r), method_path, sizeof method_path);
    if (!m) {
        board_fail(r, 404, NULL);
        return;
    }
    const char *token = board_token(r);
    if (!token)
        return;
    json_t *j = board_body(r);
    if (!j)
        return;
    ProtobufCMessage *request = NULL;
    char err[300];
    int rc = pbjson_to_message(m->input, j, &request, err, sizeof err);
    json_decref(j);
    if (rc != 0) {
        board_fail(r, rc == IMS_ENOMEM ? 500 : 400, err);
        return;
    }
    struct api_call *a = malloc(sizeof *a);
    if (!a) {
        protobuf_c_message_free_unpacked(request, NULL);
        board_fail(r, 500, "out of memory");
        return;
    }
    a->request = r;
    a->output = m->output;
    rpc_call_local(b->rpc, method_path, token, request, api_done, a);
    protobuf_c_message_free_unpacked(request, NULL);
}

/* --- lifetime --- */

int board_start(struct ops *ops, struct rpc_server *rpc, const struct board_config *config,
                struct board **out, char *detail, size_t detail_len)
{
    char index[4400];
    struct stat st;
    snprintf(index, sizeof index, "%s/index.html", config->web_dir);
    if (stat(index, &st) != 0) {
        snprintf(detail, detail_len, "web_dir %s: no index.html", config->web_dir);
        return IMS_EINVAL;
    }
    struct board *b = calloc(1, sizeof *b);
    if (!b)
        return IMS_ENOMEM;
    b->rpc = rpc;
    b->web_dir = strdup(config->web_dir);
    b->chart_js = strdup(config->chart_js ? config->chart_js : "");
    if (!b->web_dir || !b->chart_js || ops_route_add(ops, "GET", "/", serve_root, b) != 0 ||
        ops_route_add(ops, "GET", "/board/", serve_file, b) != 0 ||
        ops_route_add(ops, "POST", "/board/api/call/", serve_call, b) != 0 ||
        ops_route_add(ops, "POST", "/board/api/live", board_live_serve, b) != 0 ||
        ops_route_add(ops, "POST", "/board/api/report", board_report_serve, b) != 0) {
        board_free(b);
        snprintf(detail, detail_len, "out of memory");
        return IMS_ENOMEM;
    }
    *out = b;
    return 0;
}

void board_stop(struct board *b)
{
    b->stopping = 1;
    board_live_stop_all(b);
}

static void board_destroy(struct board *b)
{
    free(b->web_dir);
    free(b->chart_js);
    free(b);
}

void board_job_begin(struct board *b)
{
    b->jobs++;
}

void board_job_end(struct board *b)
{
    if (--b->jobs == 0 && b->closed)
        board_destroy(b);
}

void board_free(struct board *b)
{
    if (!b)
        return;
    b->closed = 1;
    if (b->jobs == 0)
        board_destroy(b);
}

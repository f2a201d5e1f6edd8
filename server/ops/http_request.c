/* What an ops handler sees of a request, and how it answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"
#include "ims/error.h"

const char *ops_http_method(const struct ops_http_request *r)
{
    return r->method;
}

const char *ops_http_path(const struct ops_http_request *r)
{
    return r->target;
}

const char *ops_http_query(const struct ops_http_request *r)
{
    return r->query;
}

const char *ops_http_header(const struct ops_http_request *r, const char *name)
{
    for (int i = 0; i < r->header_count; i++)
        if (r->names[i] && strcmp(r->names[i], name) == 0)
            return r->values[i];
    return NULL;
}

const uint8_t *ops_http_body(const struct ops_http_request *r, size_t *len)
{
    *len = r->body_len;
    return r->body;
}

const char *ops_http_peer(const struct ops_http_request *r)
{
    return r->peer;
}

int ops_http_is_local(const struct ops_http_request *r)
{
    return r->local;
}

const char *ops_http_client_subject(const struct ops_http_request *r)
{
    return r->client_subject;
}

void ops_http_set_user_data(struct ops_http_request *r, void *data)
{
    r->user_data = data;
}

void *ops_http_user_data(const struct ops_http_request *r)
{
    return r->user_data;
}

void ops_http_on_gone(struct ops_http_request *r,
                      void (*gone)(struct ops_http_request *request, void *user_data))
{
    r->gone = gone;
}

int ops_http_is_gone(const struct ops_http_request *r)
{
    return r->conn == NULL;
}

static int format_head(const struct ops_conn *c, char *head, size_t cap, int status,
                       const char *content_type, const char *extra, const char *length)
{
    int n = snprintf(head, cap, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%s%sConnection: %s\r\n\r\n",
                     status, ops_http_reason(status), content_type ? content_type : "text/plain",
                     length, extra ? extra : "", c->keep_alive ? "keep-alive" : "close");
    return n > 0 && (size_t)n < cap ? n : -1;
}

int ops_http_respond(struct ops_http_request *r, int status, const char *content_type,
                     const char *extra_headers, const void *body, size_t len)
{
    struct ops_conn *c = r->conn;
    if (c == NULL) {
        http_request_free(r);
        return 0;
    }
    char length[48];
    snprintf(length, sizeof length, "Content-Length: %zu\r\n", len);
    char head[1024];
    int n = format_head(c, head, sizeof head, status, content_type, extra_headers, length);
    c->request = NULL;
    /* HEAD: the headers of the answer GET would give, without its body. */
    if (strcmp(r->method, "HEAD") == 0)
        len = 0;
    int rc = n < 0 ? IMS_EINVAL : http_conn_write(c, head, (size_t)n, body, len, NULL, 0);
    /* The answer is copied: the request (which body may point into) can go now. */
    http_request_free(r);
    if (c->state == CONN_CLOSING)
        return rc;
    if (rc < 0) {
        http_conn_close(c);
        return rc;
    }
    http_conn_next(c);
    return 0;
}

int ops_http_stream_start(struct ops_http_request *r, int status, const char *content_type,
                          const char *extra_headers)
{
    struct ops_conn *c = r->conn;
    if (c == NULL)
        return IMS_ECLOSED;
    char head[1024];
    int n = format_head(c, head, sizeof head, status, content_type, extra_headers,
                        "Transfer-Encoding: chunked\r\n");
    if (n < 0)
        return IMS_EINVAL;
    c->state = CONN_STREAMING;
    return http_conn_write(c, head, (size_t)n, NULL, 0, NULL, 0);
}

int ops_http_stream_send(struct ops_http_request *r, const void *data, size_t len)
{
    struct ops_conn *c = r->conn;
    if (c == NULL)
        return IMS_ECLOSED;
    if (len == 0)
        return 0;
    char size[24];
    int n = snprintf(size, sizeof size, "%zx\r\n", len);
    return http_conn_write(c, size, (size_t)n, data, len, "\r\n", 2);
}

size_t ops_http_stream_pending(const struct ops_http_request *r)
{
    return r->conn ? r->conn->unwritten : 0;
}

void ops_http_stream_end(struct ops_http_request *r)
{
    struct ops_conn *c = r->conn;
    http_request_free(r);
    if (c == NULL)
        return;
    c->request = NULL;
    if (http_conn_write(c, "0\r\n\r\n", 5, NULL, 0, NULL, 0) == 0)
        http_conn_next(c);
}

const char *ops_http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "";
    }
}

/* Inside the control board: what board.c (routes, files, reads), live.c (the stream) and
 * report.c (the report) share. */
#ifndef IMS_BOARD_INTERNAL_H
#define IMS_BOARD_INTERNAL_H

#include <stddef.h>

#include <jansson.h>

#include "board.h"
#include "http_server.h"

struct live;

struct board {
    struct rpc_server *rpc;
    char *web_dir;
    char *chart_js;
    struct live *lives; /* open streams */
    int jobs;           /* streams and reports not yet ended: the board outlives them */
    int stopping;
    int closed; /* board_free was called: freed when the last job ends */
};

/* The largest JSON request body: the gRPC API's limit for reads. */
#define BOARD_MAX_REQUEST_BYTES (64u * 1024)

/* Headers every answer of the board carries. */
extern const char board_headers[];

/* The bearer token of a request, or NULL (then a 401 has been sent). */
const char *board_token(struct ops_http_request *request);

/* The request's body as JSON (an empty body: an empty object), or NULL after answering
 * 413 (larger than BOARD_MAX_REQUEST_BYTES) or 400 (not a JSON object). */
json_t *board_body(struct ops_http_request *request);

/* Ends a request with status and, for 400 and 5xx, a JSON {"error": message}. */
void board_fail(struct ops_http_request *request, int status, const char *message);

/* The HTTP status for a gRPC status. */
int board_http_status(int grpc_status);

/* A stream or a report starts, or has ended (the last one after board_free frees it). */
void board_job_begin(struct board *board);
void board_job_end(struct board *board);

void board_live_serve(struct ops_http_request *request, void *arg);
void board_live_stop_all(struct board *board);
void board_report_serve(struct ops_http_request *request, void *arg);

#endif

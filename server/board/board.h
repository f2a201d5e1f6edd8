/*
 * The control board: a browser's view of the tenants, served on the ops listener.
 *
 *   GET  /                         redirects to /board/
 *   GET  /board/...                the board's static files (web_dir), Chart.js at
 *                                  /board/vendor/chart.js (web_chart_js)
 *   POST /board/api/call/SERVICE/METHOD   a read of the gRPC API (Get..., List...) with a
 *                                  JSON request, answered with the JSON of the response
 *   POST /board/api/live           a tenant's level as server-sent events (text/event-stream)
 *   POST /board/api/report         the management report of a tenant, one HTML document
 *
 * Every API request carries the token in "Authorization: Bearer" and is made as a call of
 * the gRPC method inside the daemon (rpc_call_local): the same token resolution,
 * permission table and tenant scopes as a gRPC client's. Errors: 401 no or unknown token,
 * 403 not allowed or not in scope, 404 unknown, 400 bad request (with the reason), without
 * any other content for 401/403/404. Every answer forbids caching, framing and
 * sniffing, and the pages carry a strict Content-Security-Policy (no inline script).
 */
#ifndef IMS_BOARD_H
#define IMS_BOARD_H

#include <stddef.h>

struct ops;
struct rpc_server;
struct board;

struct board_config {
    const char *web_dir;  /* the board's files */
    const char *chart_js; /* the Chart.js file */
};

/* Adds the board's routes to ops. Returns 0, IMS_EINVAL (web_dir missing: detail says
 * why) or IMS_ENOMEM. */
int board_start(struct ops *ops, struct rpc_server *rpc, const struct board_config *config,
                struct board **out, char *detail, size_t detail_len)
    __attribute__((warn_unused_result));

/* Ends the live streams (the daemon is stopping); calls still in flight end on their own. */
void board_stop(struct board *board);

/* Frees the board once the ops listener is closed. */
void board_free(struct board *board);

#endif

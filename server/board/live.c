/* The board's live stream: a tenant's level as server-sent events, fed by a
 * WatchSecurityLevel call made inside the daemon with the browser's token (so the
 * permission table and the tenant scope decide), kept alive by a comment every 15 s. */
#include "internal.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "container.h"
#include "ims/error.h"
#include "ims/v1/level.pb-c.h"
#include "pbjson.h"
#include "rpc.h"

#define KEEPALIVE_MS 15000
#define MAX_PENDING (1u << 20) /* a reader this far behind is dropped */
/* Streams hold an ops connection each for as long as they are read: a share of the
 * listener's connections, so that probes, scrapes and remote writes always get in. */
#define MAX_LIVE_PER_TOKEN 4
#define MAX_LIVE 32

struct live {
    struct board *board;
    struct ops_http_request *request; /* NULL once ended */
    struct rpc_call *call;            /* NULL once the watch has ended */
    uv_timer_t timer;
    int started; /* the 200 and its headers are sent */
    int drop;    /* cancel at the next tick (never from inside a message) */
    uint64_t token_key; /* FNV-1a of the token: its streams are counted, it is not kept */
    struct live *prev, *next;
};

static void unlink_live(struct live *l)
{
    if (l->prev)
        l->prev->next = l->next;
    else if (l->board->lives == l)
        l->board->lives = l->next;
    if (l->next)
        l->next->prev = l->prev;
    l->prev = l->next = NULL;
}

static void on_timer_closed(uv_handle_t *h)
{
    struct live *l = container_of((uv_timer_t *)h, struct live, timer);
    struct board *b = l->board;
    free(l);
    board_job_end(b);
}

/* The request is ended and the watch is over: the timer goes, then the state. */
static void maybe_free(struct live *l)
{
    if (l->request || l->call)
        return;
    unlink_live(l);
    uv_close((uv_handle_t *)&l->timer, on_timer_closed);
}

static void on_tick(uv_timer_t *t);

static int start(struct live *l)
{
    if (l->started)
        return 0;
    char headers[1024];
    snprintf(headers, sizeof headers, "%sX-Accel-Buffering: no\r\n", board_headers);
    if (ops_http_stream_start(l->request, 200, "text/event-stream; charset=utf-8", headers) != 0)
        return -1;
    l->started = 1;
    return 0;
}

static void on_message(const uint8_t *data, size_t len, void *arg)
{
    struct live *l = arg;
    if (!l->request || l->drop)
        return;
    Ims__V1__SecurityLevel *m = ims__v1__security_level__unpack(NULL, len, data);
    json_t *j = m ? pbjson_from_message(&m->base) : NULL;
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (m)
        ims__v1__security_level__free_unpacked(m, NULL);
    if (!text || start(l) != 0) {
        free(text);
        l->drop = 1;
        uv_timer_start(&l->timer, on_tick, 0, 0);
        return;
    }
    size_t n = strlen(text) + 32;
    char *event = malloc(n);
    if (event) {
        snprintf(event, n, "event: level\ndata: %s\n\n", text);
        if (ops_http_stream_send(l->request, event, strlen(event)) != 0)
            l->drop = 1;
    }
    free(event);
    free(text);
    if (ops_http_stream_pending(l->request) > MAX_PENDING)
        l->drop = 1;
    if (l->drop) /* the watch is cancelled on the next tick, never from inside its message */
        uv_timer_start(&l->timer, on_tick, 0, 0);
}

static void on_done(int status, const char *message, const uint8_t *response, size_t len, void *arg)
{
    struct live *l = arg;
    (void)response;
    (void)len;
    l->call = NULL; /* the handle is cleared as the call is freed, after this */
    if (l->request) {
        struct ops_http_request *r = l->request;
        l->request = NULL;
        if (l->started)
            ops_http_stream_end(r);
        else
            board_fail(r, board_http_status(status == IMS_GRPC_OK ? IMS_GRPC_INTERNAL : status),
                       message);
    }
    uv_timer_stop(&l->timer);
    /* Freed on the next tick: the call is still being freed as this returns. */
    l->drop = 1;
    uv_timer_start(&l->timer, on_tick, 0, 0);
}

static void on_tick(uv_timer_t *t)
{
    struct live *l = container_of(t, struct live, timer);
    if (l->drop) {
        if (l->call) {
            rpc_call_local_cancel(l->call); /* on_done runs, now or when its step ends */
            return;
        }
        if (l->request) { /* never started: the watch failed before a message */
            struct ops_http_request *r = l->request;
            l->request = NULL;
            if (l->started)
                ops_http_stream_end(r);
            else
                board_fail(r, 500, "cannot stream");
        }
        maybe_free(l);
        return;
    }
    if (l->started && ops_http_stream_send(l->request, ": keep-alive\n\n", 14) != 0)
        l->drop = 1;
    uv_timer_start(&l->timer, on_tick, l->drop ? 0 : KEEPALIVE_MS, 0);
}

static void on_gone(struct ops_http_request *r, void *arg)
{
    (void)r;
    struct live *l = arg;
    l->drop = 1;
    uv_timer_start(&l->timer, on_tick, 0, 0);
}

static uint64_t token_key(const char *token)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)token; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h;
}

/* 0, or after answering 429 when the token or the board holds as many streams as allowed. */
static int live_room(struct board *b, struct ops_http_request *r, uint64_t key)
{
    int all = 0, mine = 0;
    for (struct live *l = b->lives; l; l = l->next) {
        all++;
        mine += l->token_key == key;
    }
    if (mine < MAX_LIVE_PER_TOKEN && all < MAX_LIVE)
        return 0;
    char why[160];
    snprintf(why, sizeof why,
             "too many live streams: %d per token and %d in all at most; close a board",
             MAX_LIVE_PER_TOKEN, MAX_LIVE);
    board_fail(r, 429, why);
    return -1;
}

void board_live_serve(struct ops_http_request *r, void *arg)
{
    struct board *b = arg;
    if (b->stopping) {
        board_fail(r, 503, "stopping");
        return;
    }
    const char *token = board_token(r);
    if (!token)
        return;
    uint64_t key = token_key(token);
    if (live_room(b, r, key) != 0)
        return;
    json_t *j = board_body(r);
    if (!j)
        return;
    json_t *tenant = json_object_get(j, "tenant");
    if (!json_is_string(tenant) || json_string_length(tenant) == 0 ||
        json_string_length(tenant) > 100) {
        json_decref(j);
        board_fail(r, 400, "tenant: required");
        return;
    }
    struct live *l = calloc(1, sizeof *l);
    if (!l || uv_timer_init(rpc_server_loop(b->rpc), &l->timer) != 0) {
        free(l);
        json_decref(j);
        board_fail(r, 500, "out of memory");
        return;
    }
    l->board = b;
    l->token_key = key;
    board_job_begin(b);
    l->request = r;
    l->next = b->lives;
    if (b->lives)
        b->lives->prev = l;
    b->lives = l;
    ops_http_set_user_data(r, l);
    ops_http_on_gone(r, on_gone);
    Ims__V1__WatchSecurityLevelRequest req = IMS__V1__WATCH_SECURITY_LEVEL_REQUEST__INIT;
    req.tenant = (char *)json_string_value(tenant);
    uv_timer_start(&l->timer, on_tick, KEEPALIVE_MS, 0);
    rpc_call_local_stream(b->rpc, "/ims.v1.Level/WatchSecurityLevel", token, &req.base, on_message,
                          on_done, l, &l->call);
    json_decref(j);
}

void board_live_stop_all(struct board *b)
{
    for (struct live *l = b->lives; l; l = l->next) {
        l->drop = 1;
        uv_timer_start(&l->timer, on_tick, 0, 0);
    }
}

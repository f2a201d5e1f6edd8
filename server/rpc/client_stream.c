/* Client streams read message by message (RPC_CLIENT_STREAM_EACH): the first message
 * starts the handler as a unary request does, the later ones are handed to it one at a
 * time (queued while it is not ready for them, and beyond TURN_BYTES in one turn of the
 * loop, so that a fast client does not hold the loop for a whole window), then the end of
 * the stream; input is paused by the handler, and while the queue is long. */
#include <stddef.h>
#include <stdlib.h>

#include "container.h"
#include "grpc_server.h"
#include "ims/error.h"
#include "rpc.h"
#include "server.h"
#include "unpack.h"

struct queued {
    struct queued *next;
    ProtobufCMessage *message;
    size_t bytes;
};

#define TURN_BYTES (128u << 10)  /* handed to the handler per loop turn, at most */
#define QUEUE_PAUSE (256u << 10) /* input paused while more than this is queued */

struct rpc_stream_input {
    struct rpc_call *call;
    struct queued *head, *tail;
    size_t queued_bytes, handler_bytes;
    rpc_stream_message_fn each;
    rpc_stream_end_fn end;
    int ended;          /* the client half-closed */
    int delivering;     /* inside each() */
    int handler_paused; /* the handler asked for no input */
    int paused;         /* input is paused */
    uint64_t turn;      /* the loop time of the turn turn_bytes counts */
    size_t turn_bytes;
    uv_idle_t idle; /* the queue's rest, handed over in the next turns */
    int idle_open;
};

static void idle_closed(uv_handle_t *h)
{
    free(container_of((uv_idle_t *)h, struct rpc_stream_input, idle));
}

void rpc_client_stream_free(struct rpc_call *call)
{
    struct rpc_stream_input *in = call->stream_input;
    if (!in)
        return;
    while (in->head) {
        struct queued *q = in->head;
        in->head = q->next;
        protobuf_c_message_free_unpacked(q->message, NULL);
        free(q);
    }
    call->stream_input = NULL;
    if (in->idle_open) {
        uv_idle_stop(&in->idle);
        uv_close((uv_handle_t *)&in->idle, idle_closed);
    } else {
        free(in);
    }
}

/* Input flows unless the handler paused it or the queue is long. */
static void apply_pause(struct rpc_call *call)
{
    struct rpc_stream_input *in = call->stream_input;
    int want = in->handler_paused || in->queued_bytes > QUEUE_PAUSE;
    if (want == in->paused)
        return;
    in->paused = want;
    if (want)
        grpc_call_pause_input(call->grpc);
    else
        grpc_call_resume_input(call->grpc);
}

static int count_held(struct rpc_call *call)
{
    struct rpc_stream_input *in = call->stream_input;
    return grpc_call_set_held_bytes(call->grpc, in->queued_bytes + in->handler_bytes);
}

static void on_idle(uv_idle_t *h);

/* Hands the queued messages, then the end, to the handler while it takes them, up to
 * TURN_BYTES in this turn of the loop (at least one message when called for the next
 * turn); the rest waits for the next turns. Returns 1 when the call ended meanwhile (it is
 * freed then). */
static int drain(struct rpc_call *call, int next_turn)
{
    struct rpc_stream_input *in = call->stream_input;
    if (!in->each || in->delivering)
        return 0;
    uint64_t now = uv_now(call->server->loop);
    if (now != in->turn) {
        in->turn = now;
        in->turn_bytes = 0;
    }
    while (in->head) {
        if (in->turn_bytes >= TURN_BYTES && !next_turn) {
            if (!in->idle_open) {
                uv_idle_init(call->server->loop, &in->idle);
                in->idle_open = 1;
            }
            uv_idle_start(&in->idle, on_idle);
            apply_pause(call);
            return 0;
        }
        next_turn = 0;
        struct queued *q = in->head;
        in->head = q->next;
        if (!in->head)
            in->tail = NULL;
        in->queued_bytes -= q->bytes;
        in->turn_bytes += q->bytes;
        ProtobufCMessage *m = q->message;
        free(q);
        in->delivering = 1;
        int ended = in->each(call, m);
        protobuf_c_message_free_unpacked(m, NULL);
        if (ended)
            return 1;
        in->delivering = 0;
        (void)count_held(call); /* fewer bytes: always counted */
    }
    if (in->idle_open)
        uv_idle_stop(&in->idle);
    apply_pause(call);
    if (in->ended) {
        in->each = NULL; /* nothing more comes */
        in->end(call);
        return 1;
    }
    return 0;
}

static void on_idle(uv_idle_t *h)
{
    struct rpc_stream_input *in = container_of(h, struct rpc_stream_input, idle);
    if (!in->each || in->delivering) {
        uv_idle_stop(h);
        return;
    }
    (void)drain(in->call, 1);
}

void rpc_client_stream_message(struct rpc_call *call, const uint8_t *data, size_t len)
{
    if (call->finished)
        return;
    if (!call->stream_input && !(call->stream_input = calloc(1, sizeof *call->stream_input))) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    struct rpc_stream_input *in = call->stream_input;
    in->call = call;
    int over_budget = 0;
    ProtobufCMessage *m = rpc_unpack(call->method->input, NULL, len, data, &over_budget);
    if (!m) {
        rpc_unpack_refused(call, len, over_budget);
        return;
    }
    if (!call->have_message) {
        /* The first message is the request: authorization, then the handler, with the
         * rest held back until it takes them. */
        call->request = m;
        call->have_message = 1;
        call->busy = 1;
        in->handler_paused = in->paused = 1;
        grpc_call_pause_input(call->grpc);
        if (call->permission->scope == SCOPE_NONE)
            call->handler(call);
        else
            rpc_access_continue(call);
        return;
    }
    struct queued *q = malloc(sizeof *q);
    if (!q) {
        protobuf_c_message_free_unpacked(m, NULL);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    *q = (struct queued){NULL, m, len};
    if (in->tail)
        in->tail->next = q;
    else
        in->head = q;
    in->tail = q;
    in->queued_bytes += len;
    if (count_held(call) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED,
                 "client streams hold more request bytes than this connection or the server "
                 "allows (max_conn_buffered_bytes, max_buffered_bytes); retry later");
        return;
    }
    apply_pause(call);
    (void)drain(call, 0);
}

void rpc_client_stream_half_close(struct rpc_call *call)
{
    if (call->finished)
        return;
    if (!call->have_message) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "no request message");
        return;
    }
    call->stream_input->ended = 1;
    (void)drain(call, 0);
}

int rpc_stream_take(struct rpc_call *call, rpc_stream_message_fn each, rpc_stream_end_fn end)
{
    struct rpc_stream_input *in = call->stream_input;
    in->each = each;
    in->end = end;
    return drain(call, 0);
}

void rpc_stream_pause(struct rpc_call *call)
{
    call->stream_input->handler_paused = 1;
    apply_pause(call);
}

void rpc_stream_resume(struct rpc_call *call)
{
    call->stream_input->handler_paused = 0;
    apply_pause(call);
}

int rpc_stream_hold(struct rpc_call *call, size_t bytes)
{
    call->stream_input->handler_bytes = bytes;
    return count_held(call);
}

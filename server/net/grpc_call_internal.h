/*
 * The call behind one HTTP/2 stream, as seen by h2_session.c: request headers and body
 * go in, the response comes out of grpc_call_read_response().
 */
#ifndef IMS_NET_GRPC_CALL_INTERNAL_H
#define IMS_NET_GRPC_CALL_INTERNAL_H

#include <nghttp2/nghttp2.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "grpc_frame.h"

struct h2_conn;

enum grpc_call_state {
    GRPC_CALL_HEADERS,     /* request headers arriving; the dispatcher knows nothing */
    GRPC_CALL_RECEIVING,   /* started; request messages arriving */
    GRPC_CALL_HALF_CLOSED, /* the client will send nothing more */
    GRPC_CALL_RESPONDED,   /* the status is queued: only writing remains */
    GRPC_CALL_CANCELLED,   /* reset, connection loss, deadline or bad request after start */
};

/* A request header: offsets of its NUL-terminated name and value in the call's
 * header_text (one buffer for all of them, grown while the header block arrives). */
struct grpc_call_header {
    uint32_t name, value;
    uint32_t name_len;
};

struct grpc_call {
    struct h2_conn *conn; /* referenced until the call is freed */
    int32_t stream_id;    /* 0 once the stream is gone */
    enum grpc_call_state state;
    int stream_ref;     /* the stream's reference */
    int dispatcher_ref; /* the dispatcher's reference */
    int client_done;    /* END_STREAM received */
    int cancel_delivered;
    struct grpc_call_header *headers;
    size_t header_count, header_cap, header_bytes;
    char *header_text;
    size_t header_text_len, header_text_cap;
    struct grpc_deframer deframer;
    uint64_t deadline;
    int timer_open;
    uv_timer_t timer;
    int response_started; /* response HEADERS submitted with a data source */
    int data_deferred;    /* the data source said "nothing yet" */
    int trailers_queued;  /* the status waits behind the queued messages */
    int status;
    char *status_message; /* percent-encoded, or NULL */
    char refusal[200];    /* the message of a refusal by on_call_start ("" for the default) */
    uint8_t *out;         /* framed response messages not yet given to nghttp2 */
    size_t out_pos, out_len, out_cap;
    size_t out_counted;   /* of out, what out_budget.c counts in the connection and server */
    void *user_data;
    size_t unacked;          /* received, window not yet given back (flow.c) */
    size_t held;             /* bytes counted in conn and server: deframer + app_held */
    size_t app_held;         /* grpc_call_set_held_bytes() */
    size_t held_partial;     /* of held: the deframer's partial message */
    int input_paused;        /* grpc_call_pause_input() */
    int no_default_deadline; /* grpc_call_no_default_deadline() */
    int default_deadline;    /* the deadline is the server's default: no timer of its own,
                              * on the connection's list (below) until it responds */
    struct grpc_call *dl_prev, *dl_next; /* in conn's default-deadline list */
    struct grpc_call *prev, *next; /* in conn->calls */
};

/* A new call on stream_id, linked into conn->calls. NULL when memory is short. */
struct grpc_call *grpc_call_new(struct h2_conn *conn, int32_t stream_id);

/* One request header. Returns 0, IMS_ETOOBIG (header list over the limit), IMS_ENOMEM. */
int grpc_call_add_header(struct grpc_call *call, const uint8_t *name, size_t name_len,
                         const uint8_t *value, size_t value_len);

/* The request headers are complete: check them and start the call or answer it. */
void grpc_call_headers_done(struct grpc_call *call);

/* A chunk of the request body. */
void grpc_call_receive_data(struct grpc_call *call, const uint8_t *data, size_t len);

/* The client ended its side of the stream. */
void grpc_call_receive_end(struct grpc_call *call);

/* An END_STREAM of ours went out: 1 when the client is still sending, so the stream
 * should be reset with NO_ERROR. */
int grpc_call_needs_reset(const struct grpc_call *call);

/* The stream is gone (closed, reset, or the connection closed): cancels a live call and
 * drops the stream's reference. */
void grpc_call_stream_closed(struct grpc_call *call);

/* The connection's timer fired: ends every call whose default deadline has passed. */
void grpc_call_expire_default_deadlines(struct h2_conn *conn, uint64_t now);

/* nghttp2 data source callback for the response body. */
ssize_t grpc_call_read_response(nghttp2_session *session, int32_t stream_id, uint8_t *buf,
                                size_t length, uint32_t *data_flags, nghttp2_data_source *source,
                                void *user_data);

#endif

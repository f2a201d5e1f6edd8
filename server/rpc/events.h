/*
 * What the files of ims.v1.Events share (incidents.c, findings.c, samples.c): the limits,
 * the state a change keeps between its steps and small checks.
 */
#ifndef IMS_RPC_EVENTS_H
#define IMS_RPC_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "rpc.h"
#include "write.h"

#define MAX_REFS 64
#define MAX_TEXT 4000
#define MAX_SAMPLES 10000
#define FUTURE_SLACK_S 300

/* The request a handler keeps between its steps: the data of the call's rpc_write. Its
 * arrays live in the call's arena. */
struct action_change;

struct event_op {
    struct rpc_call *call;
    struct action_change *action; /* a corrective action's change (findings.c) */
    /* incident / finding being written */
    char id[32];
    char *refs_buf[3];
    char **controls, **assets, **processes;
    size_t n_controls, n_assets, n_processes;
    int severity;
    char threat[129];
    int64_t detected_at, resolved_at;
    int resolved;
    int64_t disruption;
    char status[16];
    char description[MAX_TEXT + 1];
    char type[16];
    int open;
    int closing;
    /* samples */
    /* the batch's metrics, times and values as binary arrays (pg_arrays.h) */
    uint8_t *metrics_arr, *times_arr, *values_arr;
    int metrics_len, times_len, values_len;
    int64_t *sample_at; /* each sample's time, parsed once */
    const char **sample_metric; /* and its metric and value, as the engine takes them */
    double *sample_value;
    size_t sample_count;
};

/* A new change as the call's state (an rpc_write whose data is the op; engine
 * refusals of unknown references are INVALID_ARGUMENT); NULL after failing the call. */
struct event_op *event_op_new(struct rpc_call *call);

static inline struct event_op *event_op_of(struct rpc_call *call)
{
    return ((struct rpc_write *)call->state)->data;
}

int64_t event_now_s(void);

/* "<prefix>-<8 random hex digits>" into out. Returns 0 or IMS_EINTERNAL. */
int event_random_id(const char *prefix, char *out, size_t len);

/* Between min and MAX_REFS identifiers; else ends the call and returns 0. */
int event_validate_refs(struct rpc_call *call, const char *field, char **items, size_t n,
                        size_t min);

/* A NULL-terminated copy of the array src (the strings are shared) in the call's arena.
 * Returns 0 or IMS_ENOMEM. */
int event_copy_refs(struct event_op *op, char ***dst, size_t *n, char **src, size_t count);

/* Starts a listing filtered by status, one page, answered by done. */
void event_list_start(struct rpc_call *call, int32_t page_size, const char *page_token,
                      const char *status, int statement, rpc_txn_done done);

#endif

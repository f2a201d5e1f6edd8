/* ims.v1.Events: incidents, audit findings and their corrective actions, metric samples.
 *
 * Every change that moves the level is a tenant write (tenant.h): the engine applies it to
 * a copy, the event, the new revision and the level commit together, and only then is the
 * call answered. Writes take an optional idempotency key: a retry with the same key and
 * the same request gets the stored first answer; a different request is ALREADY_EXISTS. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/events.pb-c.h"
#include "rpc.h"
#include "snapshot.h"
#include "statements.h"
#include "tenant.h"
#include "validate.h"

#define MAX_REFS 64
#define MAX_TEXT 4000
#define MAX_SAMPLES 10000
#define FUTURE_SLACK_S 300

static const char *const statuses[] = {"open", "contained", "resolved", "closed"};

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static int status_rank(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, statuses[i]) == 0)
            return i;
    return -1;
}

/* --- small helpers --- */

static int random_id(const char *prefix, char *out, size_t len)
{
    char uuid[AUTH_UUID_LEN + 1];
    if (auth_uuid_generate(uuid) != 0)
        return IMS_EINTERNAL;
    snprintf(out, len, "%s-%.8s", prefix, uuid);
    return 0;
}

/* "{a,b,c}" from identifiers already validated (no quotes, commas or braces). */
static char *array_literal(char **items, size_t n)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    char *p = s;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        size_t l = strlen(items[i]);
        memcpy(p, items[i], l);
        p += l;
    }
    *p++ = '}';
    *p = '\0';
    return s;
}

static int validate_refs(struct rpc_call *call, const char *field, char **items, size_t n,
                         size_t min)
{
    if (n < min) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s: at least %zu required", field, min);
        return 0;
    }
    if (n > MAX_REFS) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s: at most %d", field, MAX_REFS);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s[%zu]", field, i);
        if (!validate_ident(call, name, items[i], 128))
            return 0;
    }
    return 1;
}

/* Splits "a,b" (in place in buf) into items; returns the count. */
static size_t split_csv(char *buf, char **items, size_t max)
{
    size_t n = 0;
    for (char *c = buf; *c && n < max;) {
        items[n++] = c;
        char *comma = strchr(c, ',');
        if (!comma)
            break;
        *comma = '\0';
        c = comma + 1;
    }
    return n;
}

static void hex_encode(const uint8_t *data, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Maps a failed tenant write: engine refusals name the field; the rest as the database. */
static void fail_write(struct rpc_call *call, int err, const char *msg, struct db_txn *txn)
{
    if (err == IMS_ETOOBIG) {
        /* Back-pressure: nothing of the request was accepted; a retry with the same
         * idempotency key is safe. */
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED,
                 "%s; nothing was stored, retry in about a second", msg ? msg : "busy");
        return;
    }
    if (!txn && (err == IMS_EINVAL || err == IMS_ENOTFOUND || err == IMS_EEXISTS)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s", msg ? msg : ims_strerror(err));
        return;
    }
    if (!txn && err == IMS_EUNAVAILABLE) {
        rpc_fail(call, IMS_GRPC_UNAVAILABLE, "database unavailable; retry later");
        return;
    }
    if (!txn && err == IMS_ENOTFOUND) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "%s", msg ? msg : "not found");
        return;
    }
    rpc_fail_db(call, txn, err);
}

/* --- idempotency --- */

struct idempotency {
    const char *key; /* NULL: none */
    char hash[65];
};

/* Computes the request's hash (over the packed request) for the key check. */
static int idempotency_prepare(struct rpc_call *call, const char *key, struct idempotency *idem)
{
    idem->key = key && *key ? key : NULL;
    if (!idem->key)
        return 1;
    if (!validate_text(call, "idempotency_key", key, 1, 200))
        return 0;
    size_t n = protobuf_c_message_get_packed_size(call->request);
    uint8_t *buf = malloc(n + 1);
    if (!buf) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return 0;
    }
    protobuf_c_message_pack(call->request, buf);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(buf, n, md, &len, EVP_sha256(), NULL);
    free(buf);
    hex_encode(md, len, idem->hash);
    return 1;
}

typedef void (*idempotent_next)(struct rpc_call *call);

struct idem_lookup {
    struct idempotency *idem;
    idempotent_next next;
};

/* Replies with the stored answer when the key was seen; returns 1 when it did. */
static int idempotency_answer(struct rpc_call *call, PGresult *r, const struct idempotency *idem)
{
    if (!r || PQntuples(r) == 0)
        return 0;
    if (strcmp(PQgetvalue(r, 0, 0), call->path) != 0 || strcmp(PQgetvalue(r, 0, 1), idem->hash) != 0) {
        rpc_fail(call, IMS_GRPC_ALREADY_EXISTS,
                 "idempotency_key: already used for a different request");
        return 1;
    }
    const char *hex = PQgetvalue(r, 0, 2);
    size_t n = strlen(hex) / 2;
    uint8_t *bytes = malloc(n + 1);
    if (!bytes) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        bytes[i] = (uint8_t)(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
    rpc_reply_packed(call, bytes, n);
    free(bytes);
    return 1;
}

static int idempotency_statement(struct db_txn *txn, struct rpc_call *call,
                                 const struct idempotency *idem, const ProtobufCMessage *response)
{
    if (!idem->key)
        return 0;
    size_t n = protobuf_c_message_get_packed_size(response);
    uint8_t *buf = malloc(n + 1);
    char *hex = malloc(2 * n + 1);
    int rc = IMS_ENOMEM;
    if (buf && hex) {
        protobuf_c_message_pack(response, buf);
        hex_encode(buf, n, hex);
        const char *params[5] = {call->tenant, idem->key, call->path, idem->hash, hex};
        rc = db_txn_add(txn, STMT_IDEMPOTENCY_PUT, 5, params) < 0 ? IMS_ENOMEM : 0;
    }
    free(buf);
    free(hex);
    return rc;
}

/* The request a handler keeps between its steps. */
struct event_op {
    struct rpc_call *call;
    struct idempotency idem;
    idempotent_next next;
    idempotent_next replay; /* answers a retry by reading the current state (actions) */
    struct tenant_write write;
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
    char *metrics_lit, *times_lit, *values_lit;
    int64_t *sample_at; /* each sample's time, parsed once */
    size_t sample_count;
    char key_copy[201];
};

static void op_free(void *p)
{
    struct event_op *op = p;
    for (int i = 0; i < 3; i++)
        free(op->refs_buf[i]);
    free(op->controls);
    free(op->assets);
    free(op->processes);
    free(op->metrics_lit);
    free(op->times_lit);
    free(op->values_lit);
    free(op->sample_at);
    free(op);
}

static struct event_op *op_new(struct rpc_call *call)
{
    struct event_op *op = calloc(1, sizeof *op);
    if (!op) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    op->call = call;
    call->state = op;
    call->state_free = op_free;
    return op;
}

static void idem_lookup_done(struct rpc_call *call, struct db_txn *txn)
{
    struct event_op *op = call->state;
    PGresult *r = db_txn_result(txn, 0);
    if (op->replay && r && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), call->path) == 0 &&
        strcmp(PQgetvalue(r, 0, 1), op->idem.hash) == 0) {
        op->replay(call);
        return;
    }
    if (idempotency_answer(call, r, &op->idem))
        return;
    if (op->next)
        op->next(call);
    else
        rpc_fail(call, IMS_GRPC_ABORTED, "conflicting concurrent change; retry");
}

enum lookup { LOOKUP_NONE, LOOKUP_FIRST };

/* Runs next, unless the key answers the call. New events (incidents, findings, samples)
 * skip the look-up: the key's unique index inside their own transaction tells a retry (see
 * retry_race), which saves a round trip on every keyed write. Updates, whose checks would
 * refuse a repeated change before the key is seen, look the key up first; with replay set
 * (actions, whose answer is the current state) a retry is answered by replay. */
static void with_idempotency(struct rpc_call *call, struct event_op *op, const char *key,
                             idempotent_next next, idempotent_next replay, enum lookup lookup)
{
    if (!idempotency_prepare(call, key, &op->idem))
        return;
    if (op->idem.key) {
        snprintf(op->key_copy, sizeof op->key_copy, "%s", key);
        op->idem.key = op->key_copy;
    }
    if (!op->idem.key || lookup == LOOKUP_NONE) {
        next(call);
        return;
    }
    op->next = next;
    op->replay = replay;
    const char *params[2] = {call->tenant, op->idem.key};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_IDEMPOTENCY_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, idem_lookup_done);
}

/* The key's unique index refused the write: a retry (or a concurrent twin) of a request
 * that committed; answer as it did, or ALREADY_EXISTS when the content differs. */
static int retry_race(struct rpc_call *call, struct event_op *op, int err, struct db_txn *txn)
{
    if (!op->idem.key || err != IMS_EINTERNAL || !txn ||
        strcmp(db_txn_sqlstate(txn), "23505") != 0)
        return 0;
    op->next = NULL;
    const char *params[2] = {call->tenant, op->idem.key};
    struct db_txn *again = rpc_txn_new(call, call->tenant, 0);
    if (!again || rpc_txn_add(call, again, STMT_IDEMPOTENCY_GET, 2, params) < 0)
        return 1;
    rpc_txn_exec(call, again, idem_lookup_done);
    return 1;
}

/* --- incidents --- */

static void incident_from_row(Ims__V1__Incident *m, PGresult *r, int row, const char *tenant,
                              char *bufs[3], char **items[3])
{
    ims__v1__incident__init(m);
    m->tenant = (char *)tenant;
    m->id = PQgetvalue(r, row, 0);
    m->status = PQgetvalue(r, row, 1);
    m->severity = atoi(PQgetvalue(r, row, 2));
    m->threat = PQgetvalue(r, row, 3);
    size_t *counts[3] = {&m->n_controls, &m->n_assets, &m->n_processes};
    char ***fields[3] = {&m->controls, &m->assets, &m->processes};
    for (int k = 0; k < 3; k++) {
        bufs[k] = strdup(PQgetvalue(r, row, 4 + k));
        items[k] = calloc(MAX_REFS + 1, sizeof(char *));
        if (bufs[k] && items[k]) {
            *counts[k] = split_csv(bufs[k], items[k], MAX_REFS);
            *fields[k] = items[k];
        }
    }
    m->detected_at = PQgetvalue(r, row, 7);
    m->resolved_at = PQgetvalue(r, row, 8);
    m->disruption_minutes = atoll(PQgetvalue(r, row, 9));
    m->description = PQgetvalue(r, row, 10);
    m->created_at = PQgetvalue(r, row, 11);
    m->updated_at = PQgetvalue(r, row, 12);
}

static void free_row_bufs(char *bufs[3], char **items[3])
{
    for (int k = 0; k < 3; k++) {
        free(bufs[k]);
        free(items[k]);
    }
}

static int incident_apply(engine_model *model, void *arg, engine_error *err)
{
    struct event_op *op = arg;
    engine_incident_input in = {
        .id = op->id,
        .severity = op->severity,
        .threat = op->threat[0] ? op->threat : NULL,
        .controls = (const char *const *)op->controls,
        .control_count = op->n_controls,
        .assets = (const char *const *)op->assets,
        .asset_count = op->n_assets,
        .processes = (const char *const *)op->processes,
        .process_count = op->n_processes,
        .opened_at = op->detected_at,
        .resolved = op->resolved,
        .resolved_at = op->resolved_at,
        .disruption_minutes = (double)op->disruption,
    };
    return engine_incident_put(model, &in, err);
}

/* The answer as it will be once the transaction commits: built before, so it can be stored
 * with the idempotency key in the same transaction. */
static void incident_result(struct event_op *op, const struct tenant_level *level,
                            Ims__V1__Incident *inc, Ims__V1__IncidentResult *res, char *detected,
                            char *resolved)
{
    ims__v1__incident__init(inc);
    inc->tenant = op->call->tenant;
    inc->id = op->id;
    inc->status = op->status;
    inc->severity = op->severity;
    inc->threat = op->threat;
    inc->controls = op->controls;
    inc->n_controls = op->n_controls;
    inc->assets = op->assets;
    inc->n_assets = op->n_assets;
    inc->processes = op->processes;
    inc->n_processes = op->n_processes;
    engine_time_format(op->detected_at, detected, 32);
    inc->detected_at = detected;
    resolved[0] = '\0';
    if (op->resolved)
        engine_time_format(op->resolved_at, resolved, 32);
    inc->resolved_at = resolved;
    inc->disruption_minutes = op->disruption;
    inc->description = op->description;
    ims__v1__incident_result__init(res);
    res->incident = inc;
    res->security_level = level->security_level;
    res->revision = level->revision;
}

static int incident_statements(struct db_txn *txn, const struct tenant_level *next, void *arg,
                               int insert)
{
    struct event_op *op = arg;
    struct rpc_call *call = op->call;
    char severity[8], detected[32], resolved[32], disruption[24];
    snprintf(severity, sizeof severity, "%d", op->severity);
    snprintf(disruption, sizeof disruption, "%lld", (long long)op->disruption);
    char *lits[3] = {array_literal(op->controls, op->n_controls),
                     array_literal(op->assets, op->n_assets),
                     array_literal(op->processes, op->n_processes)};
    int rc = IMS_ENOMEM;
    Ims__V1__Incident inc;
    Ims__V1__IncidentResult res;
    incident_result(op, next, &inc, &res, detected, resolved);
    if (lits[0] && lits[1] && lits[2]) {
        if (insert) {
            const char *p[10] = {call->tenant, op->id,   severity,  op->threat[0] ? op->threat : NULL,
                                 lits[0],      lits[1],  lits[2],   detected,
                                 disruption,   op->description};
            rc = db_txn_add(txn, STMT_INCIDENT_INSERT, 10, p) < 0 ? IMS_ENOMEM : 0;
        } else {
            const char *p[7] = {call->tenant,   op->id,     op->status,     severity,
                                op->resolved ? resolved : NULL, disruption, op->description};
            rc = db_txn_add(txn, STMT_INCIDENT_UPDATE, 7, p) < 0 ? IMS_ENOMEM : 0;
        }
    }
    if (rc == 0)
        rc = rpc_audit_statement(call, txn, op->id);
    if (rc == 0)
        rc = idempotency_statement(txn, call, &op->idem, &res.base);
    for (int k = 0; k < 3; k++)
        free(lits[k]);
    return rc;
}

static int incident_insert_statements(struct db_txn *txn, const struct tenant_level *next,
                                      void *arg)
{
    return incident_statements(txn, next, arg, 1);
}

static int incident_update_statements(struct db_txn *txn, const struct tenant_level *next,
                                      void *arg)
{
    return incident_statements(txn, next, arg, 0);
}

static void incident_done(int err, const char *msg, struct db_txn *txn, int first,
                          const struct tenant_level *level, void *arg)
{
    struct event_op *op = arg;
    struct rpc_call *call = op->call;
    if (err) {
        if (!retry_race(call, op, err, txn))
            fail_write(call, err, msg, txn);
        return;
    }
    PGresult *r = db_txn_result(txn, first);
    char *bufs[3] = {0};
    char **items[3] = {0};
    Ims__V1__Incident inc;
    incident_from_row(&inc, r, 0, call->tenant, bufs, items);
    Ims__V1__IncidentResult res = IMS__V1__INCIDENT_RESULT__INIT;
    res.incident = &inc;
    res.security_level = level->security_level;
    res.revision = level->revision;
    rpc_reply(call, &res.base);
    free_row_bufs(bufs, items);
}

static int copy_refs(struct event_op *op, int k, char ***dst, size_t *n, char **src, size_t count)
{
    /* The request outlives the write, but keep the arrays the op owns uniform. */
    *dst = calloc(count + 1, sizeof(char *));
    if (!*dst)
        return IMS_ENOMEM;
    for (size_t i = 0; i < count; i++)
        (*dst)[i] = src[i];
    *n = count;
    (void)op;
    (void)k;
    return 0;
}

static void submit_incident_go(struct rpc_call *call)
{
    struct event_op *op = call->state;
    op->write.apply = incident_apply;
    op->write.add_statements = incident_insert_statements;
    op->write.done = incident_done;
    op->write.arg = op;
    op->write.cause = "incident";
    tenant_write_submit(rpc_server_tenants(call->server), call->tenant, &op->write);
}

static void submit_incident(struct rpc_call *call)
{
    const Ims__V1__SubmitIncidentRequest *req = (const Ims__V1__SubmitIncidentRequest *)call->request;
    const Ims__V1__Incident *in = req->incident;
    if (!in) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "incident: required");
        return;
    }
    int64_t now = now_s(), detected = now;
    if (!validate_range(call, "incident.severity", in->severity, 1, 5) ||
        (*in->threat && !validate_ident(call, "incident.threat", in->threat, 128)) ||
        !validate_refs(call, "incident.controls", in->controls, in->n_controls, 0) ||
        !validate_refs(call, "incident.assets", in->assets, in->n_assets, 0) ||
        !validate_refs(call, "incident.processes", in->processes, in->n_processes, 0) ||
        !validate_time(call, "incident.detected_at", in->detected_at, 1, &detected) ||
        !validate_range(call, "incident.disruption_minutes", in->disruption_minutes, 0,
                        100LL * 366 * 24 * 60) ||
        !validate_text(call, "incident.description", in->description, 0, MAX_TEXT))
        return;
    if (!*in->detected_at)
        detected = now;
    if (detected > now + FUTURE_SLACK_S) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "incident.detected_at: in the future");
        return;
    }
    if (*in->status && strcmp(in->status, "open") != 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "incident.status: a new incident is open (UpdateIncident changes it)");
        return;
    }
    struct event_op *op = op_new(call);
    if (!op)
        return;
    if (random_id("INC", op->id, sizeof op->id) != 0 ||
        copy_refs(op, 0, &op->controls, &op->n_controls, in->controls, in->n_controls) ||
        copy_refs(op, 1, &op->assets, &op->n_assets, in->assets, in->n_assets) ||
        copy_refs(op, 2, &op->processes, &op->n_processes, in->processes, in->n_processes)) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    op->severity = in->severity;
    snprintf(op->threat, sizeof op->threat, "%s", in->threat);
    op->detected_at = detected;
    op->disruption = in->disruption_minutes;
    snprintf(op->status, sizeof op->status, "open");
    snprintf(op->description, sizeof op->description, "%s", in->description);
    with_idempotency(call, op, req->idempotency_key, submit_incident_go, NULL, LOOKUP_NONE);
}

static void update_incident_loaded(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__UpdateIncidentRequest *req = (const Ims__V1__UpdateIncidentRequest *)call->request;
    struct event_op *op = call->state;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no incident %s", req->id);
        return;
    }
    snprintf(op->id, sizeof op->id, "%s", PQgetvalue(r, 0, 0));
    const char *current = PQgetvalue(r, 0, 1);
    snprintf(op->status, sizeof op->status, "%s", *req->status ? req->status : current);
    if (status_rank(op->status) < 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "status: must be open, contained, resolved or closed");
        return;
    }
    if (status_rank(op->status) < status_rank(current)) {
        rpc_fail(call, IMS_GRPC_FAILED_PRECONDITION, "status: an incident %s cannot become %s",
                 current, op->status);
        return;
    }
    op->severity = req->severity ? req->severity : atoi(PQgetvalue(r, 0, 2));
    snprintf(op->threat, sizeof op->threat, "%s", PQgetvalue(r, 0, 3));
    for (int k = 0; k < 3; k++)
        op->refs_buf[k] = strdup(PQgetvalue(r, 0, 4 + k));
    op->controls = calloc(MAX_REFS + 1, sizeof(char *));
    op->assets = calloc(MAX_REFS + 1, sizeof(char *));
    op->processes = calloc(MAX_REFS + 1, sizeof(char *));
    if (!op->refs_buf[0] || !op->refs_buf[1] || !op->refs_buf[2] || !op->controls ||
        !op->assets || !op->processes) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    op->n_controls = split_csv(op->refs_buf[0], op->controls, MAX_REFS);
    op->n_assets = split_csv(op->refs_buf[1], op->assets, MAX_REFS);
    op->n_processes = split_csv(op->refs_buf[2], op->processes, MAX_REFS);
    if (validate_parse_time(PQgetvalue(r, 0, 7), &op->detected_at) != 0) {
        rpc_fail(call, IMS_GRPC_INTERNAL, "stored detection time unreadable");
        return;
    }
    const char *stored_resolved = PQgetvalue(r, 0, 8);
    op->resolved = *stored_resolved != '\0';
    if (op->resolved)
        (void)!validate_parse_time(stored_resolved, &op->resolved_at);
    int becomes_resolved = status_rank(op->status) >= 2;
    if (becomes_resolved && (!op->resolved || *req->resolved_at)) {
        int64_t at = now_s();
        if (!validate_time(call, "resolved_at", req->resolved_at, 1, &at))
            return;
        if (!*req->resolved_at)
            at = op->resolved ? op->resolved_at : now_s();
        if (at < op->detected_at) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "resolved_at: before detected_at");
            return;
        }
        if (at > now_s() + FUTURE_SLACK_S) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "resolved_at: in the future");
            return;
        }
        op->resolved = 1;
        op->resolved_at = at;
    } else if (!becomes_resolved && *req->resolved_at) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "resolved_at: only with status resolved or closed");
        return;
    }
    op->disruption = req->has_disruption ? req->disruption_minutes : atoll(PQgetvalue(r, 0, 9));
    snprintf(op->description, sizeof op->description, "%s",
             *req->description ? req->description : PQgetvalue(r, 0, 10));
    op->write.apply = incident_apply;
    op->write.add_statements = incident_update_statements;
    op->write.done = incident_done;
    op->write.arg = op;
    op->write.cause = "incident";
    tenant_write_submit(rpc_server_tenants(call->server), call->tenant, &op->write);
}

static void update_incident_go(struct rpc_call *call)
{
    const Ims__V1__UpdateIncidentRequest *req = (const Ims__V1__UpdateIncidentRequest *)call->request;
    const char *params[2] = {call->tenant, req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_INCIDENT_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, update_incident_loaded);
}

static void update_incident(struct rpc_call *call)
{
    const Ims__V1__UpdateIncidentRequest *req = (const Ims__V1__UpdateIncidentRequest *)call->request;
    if (!validate_ident(call, "id", req->id, 32) ||
        (req->severity && !validate_range(call, "severity", req->severity, 1, 5)) ||
        (req->has_disruption && !validate_range(call, "disruption_minutes", req->disruption_minutes,
                                                0, 100LL * 366 * 24 * 60)) ||
        !validate_text(call, "description", req->description, 0, MAX_TEXT))
        return;
    struct event_op *op = op_new(call);
    if (op)
        with_idempotency(call, op, req->idempotency_key, update_incident_go, NULL, LOOKUP_FIRST);
}

static void list_incidents_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    int n = PQntuples(r);
    int limit = *(int *)call->state;
    int shown = n > limit ? limit : n;
    Ims__V1__Incident *items = calloc((size_t)shown + 1, sizeof *items);
    Ims__V1__Incident **ptrs = calloc((size_t)shown + 1, sizeof *ptrs);
    char *(*bufs)[3] = calloc((size_t)shown + 1, sizeof *bufs);
    char **(*arrs)[3] = calloc((size_t)shown + 1, sizeof *arrs);
    if (items && ptrs && bufs && arrs) {
        for (int i = 0; i < shown; i++) {
            incident_from_row(&items[i], r, i, call->tenant, bufs[i], arrs[i]);
            ptrs[i] = &items[i];
        }
        Ims__V1__ListIncidentsResponse resp = IMS__V1__LIST_INCIDENTS_RESPONSE__INIT;
        resp.incidents = ptrs;
        resp.n_incidents = (size_t)shown;
        resp.next_page_token = n > limit ? PQgetvalue(r, shown - 1, 0) : "";
        rpc_reply(call, &resp.base);
        for (int i = 0; i < shown; i++)
            free_row_bufs(bufs[i], arrs[i]);
    } else {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    }
    free(items);
    free(ptrs);
    free(bufs);
    free(arrs);
}

static int start_list(struct rpc_call *call, int32_t page_size, const char *page_token,
                      const char *status, int statement, rpc_txn_done done)
{
    int *limit = malloc(sizeof *limit);
    if (!limit) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return 0;
    }
    call->state = limit;
    call->state_free = free;
    if (!validate_page_size(call, page_size, limit) ||
        (*page_token && !validate_ident(call, "page_token", page_token, 64)) ||
        (*status && !validate_ident(call, "status", status, 16)))
        return 0;
    char lim[16];
    snprintf(lim, sizeof lim, "%d", *limit + 1);
    const char *params[4] = {call->tenant, *status ? status : NULL, page_token, lim};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, statement, 4, params) < 0)
        return 0;
    rpc_txn_exec(call, txn, done);
    return 1;
}

static void list_incidents(struct rpc_call *call)
{
    const Ims__V1__ListIncidentsRequest *req = (const Ims__V1__ListIncidentsRequest *)call->request;
    start_list(call, req->page_size, req->page_token, req->status, STMT_INCIDENT_LIST,
               list_incidents_done);
}

static void get_incident_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no such incident");
        return;
    }
    char *bufs[3] = {0};
    char **items[3] = {0};
    Ims__V1__Incident inc;
    incident_from_row(&inc, r, 0, call->tenant, bufs, items);
    rpc_reply(call, &inc.base);
    free_row_bufs(bufs, items);
}

static void get_incident(struct rpc_call *call)
{
    const Ims__V1__GetIncidentRequest *req = (const Ims__V1__GetIncidentRequest *)call->request;
    if (!validate_ident(call, "id", req->id, 32))
        return;
    const char *params[2] = {call->tenant, req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_INCIDENT_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, get_incident_done);
}

/* --- findings and corrective actions --- */

static const char *const finding_types[] = {"major_nc", "minor_nc", "observation", "opportunity"};

static int finding_type(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, finding_types[i]) == 0)
            return i;
    return -1;
}

/* A finding message from a FINDING_COLUMNS row, with the actions of an ACTION_COLUMNS
 * result (may be NULL). */
struct finding_msg {
    Ims__V1__Finding finding;
    char *buf;
    char **controls;
    Ims__V1__CorrectiveAction *actions;
    Ims__V1__CorrectiveAction **action_ptrs;
};

static int finding_msg_init(struct finding_msg *f, PGresult *r, int row, PGresult *actions,
                            const char *tenant)
{
    memset(f, 0, sizeof *f);
    ims__v1__finding__init(&f->finding);
    f->finding.tenant = (char *)tenant;
    f->finding.id = PQgetvalue(r, row, 0);
    f->finding.type = PQgetvalue(r, row, 1);
    f->buf = strdup(PQgetvalue(r, row, 2));
    f->controls = calloc(MAX_REFS + 1, sizeof(char *));
    int na = actions ? PQntuples(actions) : 0;
    f->actions = calloc((size_t)na + 1, sizeof *f->actions);
    f->action_ptrs = calloc((size_t)na + 1, sizeof *f->action_ptrs);
    if (!f->buf || !f->controls || !f->actions || !f->action_ptrs)
        return IMS_ENOMEM;
    f->finding.n_controls = split_csv(f->buf, f->controls, MAX_REFS);
    f->finding.controls = f->controls;
    f->finding.audit = PQgetvalue(r, row, 3);
    f->finding.description = PQgetvalue(r, row, 4);
    f->finding.status = PQgetvalue(r, row, 5);
    f->finding.opened_at = PQgetvalue(r, row, 6);
    f->finding.closed_at = PQgetvalue(r, row, 7);
    for (int i = 0; i < na; i++) {
        Ims__V1__CorrectiveAction *a = &f->actions[i];
        ims__v1__corrective_action__init(a);
        a->id = PQgetvalue(actions, i, 0);
        a->finding = PQgetvalue(actions, i, 1);
        a->description = PQgetvalue(actions, i, 2);
        a->owner = PQgetvalue(actions, i, 3);
        a->due = PQgetvalue(actions, i, 4);
        a->status = PQgetvalue(actions, i, 5);
        a->updated_at = PQgetvalue(actions, i, 6);
        f->action_ptrs[i] = a;
    }
    f->finding.actions = f->action_ptrs;
    f->finding.n_actions = (size_t)na;
    return 0;
}

static void finding_msg_free(struct finding_msg *f)
{
    free(f->buf);
    free(f->controls);
    free(f->actions);
    free(f->action_ptrs);
}

static void reply_finding(struct rpc_call *call, PGresult *finding, PGresult *actions,
                          double level, int64_t revision)
{
    if (!finding || PQntuples(finding) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "finding: not found");
        return;
    }
    struct finding_msg f;
    if (finding_msg_init(&f, finding, 0, actions, call->tenant) != 0) {
        finding_msg_free(&f);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    Ims__V1__FindingResult res = IMS__V1__FINDING_RESULT__INIT;
    res.finding = &f.finding;
    res.security_level = level;
    res.revision = revision;
    rpc_reply(call, &res.base);
    finding_msg_free(&f);
}

static int finding_apply(engine_model *model, void *arg, engine_error *err)
{
    struct event_op *op = arg;
    engine_finding_input in = {
        .id = op->id,
        .type = (enum engine_finding_type)finding_type(op->type),
        .controls = (const char *const *)op->controls,
        .control_count = op->n_controls,
        .open = op->open,
    };
    return engine_finding_put(model, &in, err);
}

/* The stored idempotent answer of a finding change: the finding as it will be. */
static int finding_idempotency(struct db_txn *txn, struct event_op *op,
                               const struct tenant_level *next)
{
    if (!op->idem.key)
        return 0;
    Ims__V1__Finding f = IMS__V1__FINDING__INIT;
    f.tenant = op->call->tenant;
    f.id = op->id;
    f.type = op->type;
    f.controls = op->controls;
    f.n_controls = op->n_controls;
    f.description = op->description;
    f.status = op->open ? "open" : "closed";
    Ims__V1__FindingResult res = IMS__V1__FINDING_RESULT__INIT;
    res.finding = &f;
    res.security_level = next->security_level;
    res.revision = next->revision;
    return idempotency_statement(txn, op->call, &op->idem, &res.base);
}

static int finding_insert_statements(struct db_txn *txn, const struct tenant_level *next,
                                     void *arg)
{
    struct event_op *op = arg;
    const Ims__V1__SubmitFindingRequest *req =
        (const Ims__V1__SubmitFindingRequest *)op->call->request;
    char *lit = array_literal(op->controls, op->n_controls);
    if (!lit)
        return IMS_ENOMEM;
    const char *p[6] = {op->call->tenant, op->id, op->type, lit, req->finding->audit,
                        op->description};
    int rc = db_txn_add(txn, STMT_FINDING_INSERT, 6, p) < 0 ? IMS_ENOMEM : 0;
    free(lit);
    if (rc == 0)
        rc = rpc_audit_statement(op->call, txn, op->id);
    if (rc == 0)
        rc = finding_idempotency(txn, op, next);
    return rc;
}

static int finding_update_statements(struct db_txn *txn, const struct tenant_level *next,
                                     void *arg)
{
    struct event_op *op = arg;
    const char *p[5] = {op->call->tenant, op->id, op->type, op->description,
                        op->closing ? "true" : "false"};
    const char *a[2] = {op->call->tenant, op->id};
    int rc = db_txn_add(txn, STMT_FINDING_UPDATE, 5, p) < 0 ||
                     db_txn_add(txn, STMT_ACTION_LIST, 2, a) < 0
                 ? IMS_ENOMEM
                 : 0;
    if (rc == 0)
        rc = rpc_audit_statement(op->call, txn, op->id);
    if (rc == 0)
        rc = finding_idempotency(txn, op, next);
    return rc;
}

static void finding_done(int err, const char *msg, struct db_txn *txn, int first,
                         const struct tenant_level *level, void *arg)
{
    struct event_op *op = arg;
    if (err) {
        if (!retry_race(op->call, op, err, txn))
            fail_write(op->call, err, msg, txn);
        return;
    }
    PGresult *actions = op->write.add_statements == finding_update_statements
                            ? db_txn_result(txn, first + 1)
                            : NULL;
    reply_finding(op->call, db_txn_result(txn, first), actions, level->security_level,
                  level->revision);
}

static void submit_finding_go(struct rpc_call *call)
{
    struct event_op *op = call->state;
    op->write.apply = finding_apply;
    op->write.add_statements = finding_insert_statements;
    op->write.done = finding_done;
    op->write.arg = op;
    op->write.cause = "finding";
    tenant_write_submit(rpc_server_tenants(call->server), call->tenant, &op->write);
}

static void submit_finding(struct rpc_call *call)
{
    const Ims__V1__SubmitFindingRequest *req = (const Ims__V1__SubmitFindingRequest *)call->request;
    const Ims__V1__Finding *in = req->finding;
    if (!in) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "finding: required");
        return;
    }
    if (finding_type(in->type) < 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "finding.type: must be major_nc, minor_nc, observation or opportunity");
        return;
    }
    if (!validate_refs(call, "finding.controls", in->controls, in->n_controls, 1) ||
        !validate_text(call, "finding.audit", in->audit, 0, 200) ||
        !validate_text(call, "finding.description", in->description, 0, MAX_TEXT))
        return;
    struct event_op *op = op_new(call);
    if (!op)
        return;
    if (random_id("F", op->id, sizeof op->id) != 0 ||
        copy_refs(op, 0, &op->controls, &op->n_controls, in->controls, in->n_controls)) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    snprintf(op->type, sizeof op->type, "%s", in->type);
    snprintf(op->description, sizeof op->description, "%s", in->description);
    op->open = 1;
    with_idempotency(call, op, req->idempotency_key, submit_finding_go, NULL, LOOKUP_NONE);
}

static void update_finding_loaded(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__UpdateFindingRequest *req = (const Ims__V1__UpdateFindingRequest *)call->request;
    struct event_op *op = call->state;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no finding %s", req->id);
        return;
    }
    snprintf(op->id, sizeof op->id, "%s", PQgetvalue(r, 0, 0));
    snprintf(op->type, sizeof op->type, "%s", *req->type ? req->type : PQgetvalue(r, 0, 1));
    snprintf(op->description, sizeof op->description, "%s",
             *req->description ? req->description : PQgetvalue(r, 0, 4));
    int was_open = strcmp(PQgetvalue(r, 0, 5), "open") == 0;
    long actions = atol(PQgetvalue(r, 0, 8));
    long unverified = atol(PQgetvalue(r, 0, 9));
    if (!was_open && (req->close || *req->type)) {
        rpc_fail(call, IMS_GRPC_FAILED_PRECONDITION, "id: finding %s is closed", op->id);
        return;
    }
    if (req->close) {
        int nonconformity = strcmp(op->type, "major_nc") == 0 || strcmp(op->type, "minor_nc") == 0;
        if (unverified > 0 || (nonconformity && actions == 0)) {
            rpc_fail(call, IMS_GRPC_FAILED_PRECONDITION,
                     "close: a nonconformity closes when it has corrective actions and all are "
                     "verified (%ld of %ld not verified)",
                     unverified, actions);
            return;
        }
    }
    op->closing = req->close;
    op->open = was_open && !req->close;
    op->refs_buf[0] = strdup(PQgetvalue(r, 0, 2));
    op->controls = calloc(MAX_REFS + 1, sizeof(char *));
    if (!op->refs_buf[0] || !op->controls) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    op->n_controls = split_csv(op->refs_buf[0], op->controls, MAX_REFS);
    op->write.apply = finding_apply;
    op->write.add_statements = finding_update_statements;
    op->write.done = finding_done;
    op->write.arg = op;
    op->write.cause = "finding";
    tenant_write_submit(rpc_server_tenants(call->server), call->tenant, &op->write);
}

static void update_finding_go(struct rpc_call *call)
{
    const Ims__V1__UpdateFindingRequest *req = (const Ims__V1__UpdateFindingRequest *)call->request;
    const char *params[2] = {call->tenant, req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_FINDING_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, update_finding_loaded);
}

static void update_finding(struct rpc_call *call)
{
    const Ims__V1__UpdateFindingRequest *req = (const Ims__V1__UpdateFindingRequest *)call->request;
    if (!validate_ident(call, "id", req->id, 32) ||
        !validate_text(call, "description", req->description, 0, MAX_TEXT))
        return;
    if (*req->type && finding_type(req->type) < 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "type: must be major_nc, minor_nc, observation or opportunity");
        return;
    }
    struct event_op *op = op_new(call);
    if (op)
        with_idempotency(call, op, req->idempotency_key, update_finding_go, NULL, LOOKUP_FIRST);
}

static void list_findings_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    int n = PQntuples(r);
    int limit = *(int *)call->state;
    int shown = n > limit ? limit : n;
    struct finding_msg *fs = calloc((size_t)shown + 1, sizeof *fs);
    Ims__V1__Finding **ptrs = calloc((size_t)shown + 1, sizeof *ptrs);
    int ok = fs && ptrs;
    for (int i = 0; ok && i < shown; i++) {
        ok = finding_msg_init(&fs[i], r, i, NULL, call->tenant) == 0;
        ptrs[i] = &fs[i].finding;
    }
    if (ok) {
        Ims__V1__ListFindingsResponse resp = IMS__V1__LIST_FINDINGS_RESPONSE__INIT;
        resp.findings = ptrs;
        resp.n_findings = (size_t)shown;
        resp.next_page_token = n > limit ? PQgetvalue(r, shown - 1, 0) : "";
        rpc_reply(call, &resp.base);
    } else {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    }
    for (int i = 0; fs && i < shown; i++)
        finding_msg_free(&fs[i]);
    free(fs);
    free(ptrs);
}

static void list_findings(struct rpc_call *call)
{
    const Ims__V1__ListFindingsRequest *req = (const Ims__V1__ListFindingsRequest *)call->request;
    start_list(call, req->page_size, req->page_token, req->status, STMT_FINDING_LIST,
               list_findings_done);
}

/* Corrective actions do not move the level: plain transactions, answered with the finding
 * and all its actions, and the tenant's current level. */
struct action_reply {
    struct rpc_call *call;
    PGresult *finding, *actions;
};

static void action_level_read(int err, const char *msg, struct tenant_state *state, void *arg)
{
    struct action_reply *ar = arg;
    (void)msg;
    const struct tenant_level *lv = err ? NULL : tenant_state_level(state);
    reply_finding(ar->call, ar->finding, ar->actions, lv ? lv->security_level : 0,
                  lv ? lv->revision : 0);
    PQclear(ar->finding);
    PQclear(ar->actions);
    free(ar);
}

/* Takes the finding (index fi) and actions (ai) results out of txn and replies. */
static void reply_with_level(struct rpc_call *call, struct db_txn *txn, int fi, int ai)
{
    struct action_reply *ar = calloc(1, sizeof *ar);
    if (!ar) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    ar->call = call;
    /* Results belong to txn, freed after this returns: keep copies. */
    ar->finding = PQcopyResult(db_txn_result(txn, fi), PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
    ar->actions = PQcopyResult(db_txn_result(txn, ai), PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
    tenant_read(rpc_server_tenants(call->server), call->tenant, action_level_read, ar);
}

static void add_action_checked(struct rpc_call *call, struct db_txn *txn);

/* Records the key of an action change in its transaction. The answer to a retry is the
 * finding's state when the retry comes (replay), so no response is stored. -1 as
 * rpc_txn_add. */
static int action_key_statement(struct rpc_call *call, struct event_op *op, struct db_txn *txn)
{
    if (!op->idem.key)
        return 0;
    const char *params[5] = {call->tenant, op->idem.key, call->path, op->idem.hash, ""};
    return rpc_txn_add(call, txn, STMT_IDEMPOTENCY_PUT, 5, params) < 0 ? -1 : 0;
}

static void finding_state_done(struct rpc_call *call, struct db_txn *txn)
{
    reply_with_level(call, txn, 0, 1);
}

/* Answers with the finding and its actions as they are now. */
static void reply_finding_state(struct rpc_call *call, const char *finding)
{
    const char *get[2] = {call->tenant, finding};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_FINDING_GET, 2, get) < 0 ||
        rpc_txn_add(call, txn, STMT_ACTION_LIST, 2, get) < 0)
        return;
    rpc_txn_exec(call, txn, finding_state_done);
}

static void add_action_replay(struct rpc_call *call)
{
    const Ims__V1__AddActionRequest *req = (const Ims__V1__AddActionRequest *)call->request;
    reply_finding_state(call, req->finding);
}

static void update_action_replay_loaded(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no such corrective action");
        return;
    }
    char finding[64];
    snprintf(finding, sizeof finding, "%s", PQgetvalue(r, 0, 1));
    reply_finding_state(call, finding);
}

static void update_action_replay(struct rpc_call *call)
{
    const Ims__V1__UpdateActionRequest *req = (const Ims__V1__UpdateActionRequest *)call->request;
    const char *params[2] = {call->tenant, req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_ACTION_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, update_action_replay_loaded);
}

static void add_action_done(struct rpc_call *call, struct db_txn *txn)
{
    reply_with_level(call, txn, 1, 2);
}

static void add_action_go(struct rpc_call *call)
{
    const Ims__V1__AddActionRequest *req = (const Ims__V1__AddActionRequest *)call->request;
    const char *params[2] = {call->tenant, req->finding};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_FINDING_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, add_action_checked);
}

static void add_action_checked(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__AddActionRequest *req = (const Ims__V1__AddActionRequest *)call->request;
    struct event_op *op = call->state;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "finding: no finding %s", req->finding);
        return;
    }
    if (strcmp(PQgetvalue(r, 0, 5), "open") != 0) {
        rpc_fail(call, IMS_GRPC_FAILED_PRECONDITION, "finding: %s is closed", req->finding);
        return;
    }
    if (random_id("CA", op->id, sizeof op->id) != 0) {
        rpc_fail(call, IMS_GRPC_INTERNAL, "no randomness available");
        return;
    }
    const char *ins[6] = {call->tenant, op->id, req->finding, req->description, req->owner,
                          req->due};
    const char *get[2] = {call->tenant, req->finding};
    struct db_txn *next = rpc_txn_new(call, call->tenant, 0);
    if (!next || rpc_txn_add(call, next, STMT_ACTION_INSERT, 6, ins) < 0 ||
        rpc_txn_add(call, next, STMT_FINDING_GET, 2, get) < 0 ||
        rpc_txn_add(call, next, STMT_ACTION_LIST, 2, get) < 0 || rpc_txn_audit(call, next, op->id) < 0 ||
        action_key_statement(call, op, next) < 0)
        return;
    rpc_txn_exec(call, next, add_action_done);
}

static void add_action(struct rpc_call *call)
{
    const Ims__V1__AddActionRequest *req = (const Ims__V1__AddActionRequest *)call->request;
    int64_t due;
    if (!validate_ident(call, "finding", req->finding, 32) ||
        !validate_text(call, "description", req->description, 1, MAX_TEXT) ||
        !validate_text(call, "owner", req->owner, 1, 200) ||
        !validate_time(call, "due", req->due, 0, &due))
        return;
    struct event_op *op = op_new(call);
    if (op)
        with_idempotency(call, op, req->idempotency_key, add_action_go, add_action_replay,
                         LOOKUP_FIRST);
}

static void update_action_done(struct rpc_call *call, struct db_txn *txn)
{
    reply_with_level(call, txn, 1, 2);
}

static void update_action_loaded(struct rpc_call *call, struct db_txn *txn)
{
    const Ims__V1__UpdateActionRequest *req = (const Ims__V1__UpdateActionRequest *)call->request;
    PGresult *r = db_txn_result(txn, 0);
    if (PQntuples(r) != 1) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND, "id: no corrective action %s", req->id);
        return;
    }
    const char *status = *req->status ? req->status : PQgetvalue(r, 0, 5);
    if (strcmp(status, "open") && strcmp(status, "done") && strcmp(status, "verified")) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "status: must be open, done or verified");
        return;
    }
    /* Verification is the auditor's check of someone else's work. */
    if (strcmp(status, "verified") == 0 && strcmp(PQgetvalue(r, 0, 5), "verified") != 0 &&
        call->principal.role != ROLE_AUDITOR && call->principal.role != ROLE_OPERATOR) {
        rpc_fail(call, IMS_GRPC_PERMISSION_DENIED,
                 "status: only an auditor or an operator verifies a corrective action");
        return;
    }
    if (strcmp(status, "verified") == 0 && strcmp(PQgetvalue(r, 0, 5), "open") == 0) {
        rpc_fail(call, IMS_GRPC_FAILED_PRECONDITION, "status: an open action is done before it is verified");
        return;
    }
    char finding[64];
    snprintf(finding, sizeof finding, "%s", PQgetvalue(r, 0, 1));
    const char *upd[5] = {call->tenant, req->id, status,
                          *req->owner ? req->owner : PQgetvalue(r, 0, 3),
                          *req->due ? req->due : PQgetvalue(r, 0, 4)};
    const char *get[2] = {call->tenant, finding};
    struct db_txn *next = rpc_txn_new(call, call->tenant, 0);
    if (!next || rpc_txn_add(call, next, STMT_ACTION_UPDATE, 5, upd) < 0 ||
        rpc_txn_add(call, next, STMT_FINDING_GET, 2, get) < 0 ||
        rpc_txn_add(call, next, STMT_ACTION_LIST, 2, get) < 0 || rpc_txn_audit(call, next, req->id) < 0 ||
        action_key_statement(call, call->state, next) < 0)
        return;
    rpc_txn_exec(call, next, update_action_done);
}

static void update_action_go(struct rpc_call *call)
{
    const Ims__V1__UpdateActionRequest *req = (const Ims__V1__UpdateActionRequest *)call->request;
    const char *params[2] = {call->tenant, req->id};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_ACTION_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, update_action_loaded);
}

static void update_action(struct rpc_call *call)
{
    const Ims__V1__UpdateActionRequest *req = (const Ims__V1__UpdateActionRequest *)call->request;
    int64_t due;
    if (!validate_ident(call, "id", req->id, 32) ||
        !validate_text(call, "owner", req->owner, 0, 200) ||
        !validate_time(call, "due", req->due, 1, &due))
        return;
    struct event_op *op = op_new(call);
    if (op)
        with_idempotency(call, op, req->idempotency_key, update_action_go, update_action_replay,
                         LOOKUP_FIRST);
}

/* --- metric samples --- */

static int samples_apply(engine_model *model, void *arg, engine_error *err)
{
    struct event_op *op = arg;
    const Ims__V1__PushMetricsRequest *req = (const Ims__V1__PushMetricsRequest *)op->call->request;
    for (size_t i = 0; i < req->n_samples; i++) {
        const Ims__V1__Sample *s = req->samples[i];
        engine_error e = {{0}};
        int rc = engine_sample_add(model, s->metric, op->sample_at[i], s->value, &e);
        if (rc != 0) {
            snprintf(err->msg, sizeof err->msg, "samples[%zu].metric: unknown metric \"%.100s\"",
                     i, s->metric);
            if (rc != IMS_ENOTFOUND)
                snprintf(err->msg, sizeof err->msg, "samples[%zu]: %.200s", i, e.msg);
            return IMS_EINVAL;
        }
    }
    return 0;
}

static int samples_statements(struct db_txn *txn, const struct tenant_level *next, void *arg)
{
    struct event_op *op = arg;
    const char *p[4] = {op->call->tenant, op->metrics_lit, op->times_lit, op->values_lit};
    if (db_txn_add(txn, STMT_SAMPLES_INSERT, 4, p) < 0)
        return IMS_ENOMEM;
    Ims__V1__PushMetricsResponse res = IMS__V1__PUSH_METRICS_RESPONSE__INIT;
    res.accepted = (int64_t)op->sample_count;
    res.security_level = next->security_level;
    res.revision = next->revision;
    return idempotency_statement(txn, op->call, &op->idem, &res.base);
}

static void samples_done(int err, const char *msg, struct db_txn *txn, int first,
                         const struct tenant_level *level, void *arg)
{
    struct event_op *op = arg;
    (void)first;
    if (err) {
        if (!retry_race(op->call, op, err, txn))
            fail_write(op->call, err, msg, txn);
        return;
    }
    Ims__V1__PushMetricsResponse res = IMS__V1__PUSH_METRICS_RESPONSE__INIT;
    res.accepted = (int64_t)op->sample_count;
    res.security_level = level->security_level;
    res.revision = level->revision;
    rpc_reply(op->call, &res.base);
}

static void push_metrics_go(struct rpc_call *call)
{
    struct event_op *op = call->state;
    op->write.apply = samples_apply;
    op->write.add_statements = samples_statements;
    op->write.done = samples_done;
    op->write.arg = op;
    op->write.cause = "sample";
    tenant_write_submit(rpc_server_tenants(call->server), call->tenant, &op->write);
}

/* Builds the three array literals of a batch. */
static int samples_literals(struct event_op *op, const Ims__V1__PushMetricsRequest *req)
{
    size_t n = req->n_samples, mlen = 3, tlen = 3, vlen = 3;
    for (size_t i = 0; i < n; i++)
        mlen += strlen(req->samples[i]->metric) + 1;
    tlen += n * 21;
    vlen += n * 26;
    op->metrics_lit = malloc(mlen);
    op->times_lit = malloc(tlen);
    op->values_lit = malloc(vlen);
    if (!op->metrics_lit || !op->times_lit || !op->values_lit)
        return IMS_ENOMEM;
    char *m = op->metrics_lit, *t = op->times_lit, *v = op->values_lit;
    *m++ = '{';
    *t++ = '{';
    *v++ = '{';
    for (size_t i = 0; i < n; i++) {
        const Ims__V1__Sample *s = req->samples[i];
        if (i) {
            *m++ = ',';
            *t++ = ',';
            *v++ = ',';
        }
        m += sprintf(m, "%s", s->metric);
        char buf[32];
        engine_time_format(op->sample_at[i], buf, sizeof buf);
        t += sprintf(t, "%s", buf);
        v += sprintf(v, "%.17g", s->value);
    }
    strcpy(m, "}");
    strcpy(t, "}");
    strcpy(v, "}");
    op->sample_count = n;
    return 0;
}

static void push_metrics(struct rpc_call *call)
{
    const Ims__V1__PushMetricsRequest *req = (const Ims__V1__PushMetricsRequest *)call->request;
    if (req->n_samples == 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "samples: at least one sample");
        return;
    }
    if (req->n_samples > MAX_SAMPLES) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "samples: at most %d in one batch", MAX_SAMPLES);
        return;
    }
    struct event_op *op = op_new(call);
    if (!op)
        return;
    if (!(op->sample_at = malloc(req->n_samples * sizeof *op->sample_at))) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    int64_t now = now_s();
    for (size_t i = 0; i < req->n_samples; i++) {
        const Ims__V1__Sample *s = req->samples[i];
        char field[48];
        snprintf(field, sizeof field, "samples[%zu].metric", i);
        if (!validate_ident(call, field, s->metric, 64))
            return;
        int64_t at = now;
        snprintf(field, sizeof field, "samples[%zu].at", i);
        if (!validate_time(call, field, s->at, 1, &at))
            return;
        if (!*s->at)
            at = now;
        if (at > now + FUTURE_SLACK_S) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                     "samples[%zu].at: more than %d s in the future", i, FUTURE_SLACK_S);
            return;
        }
        if (!isfinite(s->value)) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "samples[%zu].value: not a finite number",
                     i);
            return;
        }
        op->sample_at[i] = at;
    }
    if (samples_literals(op, req) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    with_idempotency(call, op, req->idempotency_key, push_metrics_go, NULL, LOOKUP_NONE);
}

int rpc_register_events(struct rpc_server *server)
{
    static const struct rpc_method_entry entries[] = {
        {"SubmitIncident", submit_incident, 0}, {"UpdateIncident", update_incident, 0},
        {"ListIncidents", list_incidents, 0},   {"GetIncident", get_incident, 0},
        {"SubmitFinding", submit_finding, 0},   {"UpdateFinding", update_finding, 0},
        {"ListFindings", list_findings, 0},     {"AddAction", add_action, 0},
        {"UpdateAction", update_action, 0},     {"PushMetrics", push_metrics, 0},
        {"StreamMetrics", push_metrics, 1},
    };
    return rpc_server_register(server, &ims__v1__events__descriptor, entries,
                               sizeof entries / sizeof entries[0]);
}

/* Idempotency keys: the request's hash, the stored answer, and telling a retry. */
#include "idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "db_pool.h"
#include "ims/error.h"
#include "statements.h"
#include "validate.h"

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

/* Replies with the stored answer when the key was seen; returns 1 when it did. */
static int idempotency_answer(struct rpc_call *call, PGresult *r, const struct idempotency *idem)
{
    if (!r || PQntuples(r) == 0)
        return 0;
    if (strcmp(PQgetvalue(r, 0, 0), call->path) != 0 ||
        strcmp(PQgetvalue(r, 0, 1), idem->hash) != 0) {
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

int rpc_idempotency_store(struct db_txn *txn, struct rpc_write *w, const ProtobufCMessage *response)
{
    struct rpc_call *call = w->call;
    const struct idempotency *idem = &w->idem;
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

int rpc_idempotency_mark(struct rpc_write *w, struct db_txn *txn)
{
    struct rpc_call *call = w->call;
    if (!w->idem.key)
        return 0;
    const char *params[5] = {call->tenant, w->idem.key, call->path, w->idem.hash, ""};
    /* Inside a flush's statements: a failure is the flush's to handle (it owns txn). */
    return db_txn_add(txn, STMT_IDEMPOTENCY_PUT, 5, params) < 0 ? -1 : 0;
}

static void idem_lookup_done(struct rpc_call *call, struct db_txn *txn)
{
    struct rpc_write *w = call->state;
    PGresult *r = db_txn_result(txn, 0);
    if (w->idem.replay && r && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), call->path) == 0 &&
        strcmp(PQgetvalue(r, 0, 1), w->idem.hash) == 0) {
        w->idem.replay(call);
        return;
    }
    if (idempotency_answer(call, r, &w->idem))
        return;
    if (w->idem.next)
        w->idem.next(call);
    else
        rpc_fail(call, IMS_GRPC_ABORTED, "conflicting concurrent change; retry");
}

void rpc_idempotency_check(struct rpc_write *w, const char *key, rpc_handler next,
                           rpc_handler replay, enum idempotency_lookup lookup)
{
    struct rpc_call *call = w->call;
    if (!idempotency_prepare(call, key, &w->idem))
        return;
    if (w->idem.key) {
        snprintf(w->idem.key_copy, sizeof w->idem.key_copy, "%s", key);
        w->idem.key = w->idem.key_copy;
    }
    if (!w->idem.key || lookup == IDEMPOTENCY_LOOKUP_NONE) {
        next(call);
        return;
    }
    w->idem.next = next;
    w->idem.replay = replay;
    const char *params[2] = {call->tenant, w->idem.key};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_IDEMPOTENCY_GET, 2, params) < 0)
        return;
    rpc_txn_exec(call, txn, idem_lookup_done);
}

int rpc_idempotency_retry(struct rpc_write *w, int err, struct db_txn *txn)
{
    struct rpc_call *call = w->call;
    if (!w->idem.key || err != IMS_EINTERNAL || !txn || strcmp(db_txn_sqlstate(txn), "23505") != 0)
        return 0;
    w->idem.next = NULL;
    const char *params[2] = {call->tenant, w->idem.key};
    struct db_txn *again = rpc_txn_new(call, call->tenant, 0);
    if (!again || rpc_txn_add(call, again, STMT_IDEMPOTENCY_GET, 2, params) < 0)
        return 1;
    rpc_txn_exec(call, again, idem_lookup_done);
    return 1;
}

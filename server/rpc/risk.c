/* The risk register: every asset and threat pair with its figures from the engine, and
 * the treatment chosen for a pair. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "sql_values.h"
#include "write.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/risk.pb-c.h"
#include "rpc.h"
#include "statements.h"
#include "validate.h"

/* --- GetRiskRegister --- */

struct register_build {
    struct arena *arena; /* the call's */
    Ims__V1__RiskPair **pairs;
    size_t n, cap;
    PGresult *treatments; /* TREATMENT_LIST rows, or NULL */
};

static void treatment_from_row(Ims__V1__RiskTreatment *t, PGresult *r, int row)
{
    ims__v1__risk_treatment__init(t);
    t->asset = PQgetvalue(r, row, 0);
    t->threat = PQgetvalue(r, row, 1);
    t->option = PQgetvalue(r, row, 2);
    t->owner = PQgetvalue(r, row, 3);
    t->due = PQgetvalue(r, row, 4);
    t->note = PQgetvalue(r, row, 5);
    t->updated_by = PQgetvalue(r, row, 6);
    t->updated_at = PQgetvalue(r, row, 7);
}

/* The treatment row of a pair, or -1 (a register holds few treatments: a scan will do). */
static int treatment_row(PGresult *r, const char *asset, const char *threat)
{
    for (int i = 0; r && i < PQntuples(r); i++)
        if (strcmp(PQgetvalue(r, i, 0), asset) == 0 && strcmp(PQgetvalue(r, i, 1), threat) == 0)
            return i;
    return -1;
}

static void add_pair(void *ctx, const engine_pair_figures *f)
{
    struct register_build *b = ctx;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        Ims__V1__RiskPair **p = arena_alloc(b->arena, cap * sizeof *p);
        if (!p)
            return;
        if (b->n)
            memcpy(p, b->pairs, b->n * sizeof *p);
        b->pairs = p;
        b->cap = cap;
    }
    Ims__V1__RiskPair *p = arena_alloc(b->arena, sizeof *p);
    char *asset = arena_strdup(b->arena, f->asset);
    char *threat = arena_strdup(b->arena, f->threat);
    if (!p || !asset || !threat)
        return;
    ims__v1__risk_pair__init(p);
    p->asset = asset;
    p->threat = threat;
    p->impact = f->impact;
    p->likelihood = f->likelihood;
    p->residual_likelihood = f->residual_likelihood;
    p->inherent = f->inherent;
    p->residual = f->residual;
    p->level = f->level;
    p->within_appetite = f->within_appetite;
    int row = treatment_row(b->treatments, f->asset, f->threat);
    if (row >= 0) {
        Ims__V1__RiskTreatment *t = arena_alloc(b->arena, sizeof *t);
        if (!t)
            return;
        treatment_from_row(t, b->treatments, row);
        p->treatment = t;
    }
    b->pairs[b->n++] = p;
}

static void register_read(struct rpc_call *call, struct tenant_state *state)
{
    const engine_eval *eval = tenant_state_eval(state);
    const struct tenant_level *level = tenant_state_level(state);
    struct register_build b = {0};
    b.arena = &call->arena;
    b.treatments = call->state;
    engine_pairs_foreach(eval, add_pair, &b);
    if (b.arena->failed) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    char at[32];
    validate_format_time(level->summary.at, at, sizeof at);
    Ims__V1__RiskRegister resp = IMS__V1__RISK_REGISTER__INIT;
    resp.pairs = b.pairs;
    resp.n_pairs = b.n;
    resp.has_pairs = level->summary.has_pairs;
    resp.rho = level->summary.has_pairs ? level->summary.rho : 0;
    resp.appetite = engine_model_params(tenant_state_model(state))->appetite;
    resp.at = at;
    rpc_reply(call, &resp.base);
}

static void free_result(void *r)
{
    PQclear(r);
}

static void treatments_loaded(struct rpc_call *call, struct db_txn *txn)
{
    /* The rows outlive the transaction: the register is built after the model is read. */
    call->state = PQcopyResult(db_txn_result(txn, 0), PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
    call->state_free = free_result;
    if (!call->state) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rpc_read(call, register_read);
}

void rpc_get_risk_register(struct rpc_call *call)
{
    const char *params[1] = {call->tenant};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_TREATMENT_LIST, 1, params) < 0)
        return;
    rpc_txn_exec(call, txn, treatments_loaded);
}

/* --- SetTreatment --- */

static const char *const treatment_options[] = {"mitigate", "accept", "transfer", "avoid"};

struct pair_lookup {
    const char *asset, *threat;
    int found, within_appetite, level;
};

static void find_pair(void *ctx, const engine_pair_figures *f)
{
    struct pair_lookup *l = ctx;
    if (strcmp(f->asset, l->asset) == 0 && strcmp(f->threat, l->threat) == 0) {
        l->found = 1;
        l->within_appetite = f->within_appetite;
        l->level = f->level;
    }
}

static void treatment_stored(struct rpc_call *call, struct db_txn *txn)
{
    Ims__V1__RiskTreatment t;
    treatment_from_row(&t, db_txn_result(txn, 0), 0);
    rpc_reply(call, &t.base);
}

static void treatment_checked(struct rpc_call *call, struct tenant_state *state)
{
    const Ims__V1__SetTreatmentRequest *req = (const Ims__V1__SetTreatmentRequest *)call->request;
    const Ims__V1__RiskTreatment *t = req->treatment;
    struct pair_lookup l = {t->asset, t->threat, 0, 0, 0};
    engine_pairs_foreach(tenant_state_eval(state), find_pair, &l);
    if (!l.found) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND,
                 "treatment.asset, treatment.threat: no risk pair %s x %s in the register",
                 t->asset, t->threat);
        return;
    }
    /* Accepting a risk the schema's appetite does not cover is a decision to justify. */
    if (strcmp(t->option, "accept") == 0 && !l.within_appetite && !*t->note) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "treatment.note: accepting a risk of level %d, above the appetite, needs a "
                 "justification",
                 l.level);
        return;
    }
    const char *params[8] = {call->tenant, t->asset,  t->threat, t->option, t->owner,
                             *t->due ? t->due : NULL, t->note,  rpc_call_token_id(call)};
    char object[300];
    snprintf(object, sizeof object, "%s/%s", t->asset, t->threat);
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_TREATMENT_PUT, 8, params) < 0 ||
        rpc_txn_audit(call, txn, object) < 0)
        return;
    rpc_txn_exec(call, txn, treatment_stored);
}

void rpc_set_treatment(struct rpc_call *call)
{
    const Ims__V1__SetTreatmentRequest *req = (const Ims__V1__SetTreatmentRequest *)call->request;
    const Ims__V1__RiskTreatment *t = req->treatment;
    if (!t) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "treatment: required");
        return;
    }
    int64_t due;
    if (!validate_ident(call, "treatment.asset", t->asset, 128) ||
        !validate_ident(call, "treatment.threat", t->threat, 128) ||
        !validate_text(call, "treatment.owner", t->owner, 1, 200) ||
        !validate_time(call, "treatment.due", t->due, 1, &due) ||
        !validate_text(call, "treatment.note", t->note, 0, 4000))
        return;
    int known = 0;
    for (size_t i = 0; i < sizeof treatment_options / sizeof treatment_options[0]; i++)
        known |= strcmp(t->option, treatment_options[i]) == 0;
    if (!known) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "treatment.option: must be mitigate, accept, transfer or avoid");
        return;
    }
    rpc_read(call, treatment_checked);
}

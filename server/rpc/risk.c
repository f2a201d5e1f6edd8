/* The risk register: every asset and threat pair with its figures from the engine, and
 * the treatment decided for a pair, a change that moves the level (a tenant write). */
#include <math.h>
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

/* Room for the controls of one treatment, split from TREATMENT_LIST's last column. */
#define TREATMENT_CONTROLS 64

static void treatment_from_row(Ims__V1__RiskTreatment *t, PGresult *r, int row, struct arena *arena)
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
    t->owner_person = PQgetvalue(r, row, 10);
    if (*PQgetvalue(r, row, 8)) {
        t->share_given = 1;
        t->share = strtod(PQgetvalue(r, row, 8), NULL);
    }
    char *list = *PQgetvalue(r, row, 9) ? arena_strdup(arena, PQgetvalue(r, row, 9)) : NULL;
    char **items = list ? arena_alloc(arena, (TREATMENT_CONTROLS + 1) * sizeof *items) : NULL;
    if (items) {
        t->n_controls = sql_split_list(list, items, TREATMENT_CONTROLS);
        t->controls = items;
    }
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
    p->residual_impact = f->residual_impact;
    int row = treatment_row(b->treatments, f->asset, f->threat);
    if (row >= 0) {
        Ims__V1__RiskTreatment *t = arena_alloc(b->arena, sizeof *t);
        if (!t)
            return;
        treatment_from_row(t, b->treatments, row, b->arena);
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

/* The engine's decision for an option (ENGINE_TREAT_MITIGATE...), 0 when unknown. */
static enum engine_treatment treatment_decision(const char *option)
{
    for (size_t i = 0; i < sizeof treatment_options / sizeof treatment_options[0]; i++)
        if (strcmp(option, treatment_options[i]) == 0)
            return (enum engine_treatment)(ENGINE_TREAT_MITIGATE + i);
    return ENGINE_TREAT_NONE;
}

static double treatment_share(const Ims__V1__RiskTreatment *t)
{
    return t->share_given ? t->share : 0.5;
}

struct pair_lookup {
    const char *asset, *threat;
    int found, level_accepted;
};

static int grid_index(double x)
{
    double c = ceil(x - 1e-9);
    return c < 1 ? 1 : c > 5 ? 5 : (int)c;
}

static void find_pair(void *ctx, const engine_pair_figures *f)
{
    struct pair_lookup *l = ctx;
    if (strcmp(f->asset, l->asset) == 0 && strcmp(f->threat, l->threat) == 0) {
        l->found = 1;
        /* Accepted, the pair keeps its whole impact. */
        l->level_accepted =
            engine_risk_level(grid_index(f->residual_likelihood), grid_index(f->impact));
    }
}

static int treatment_apply(engine_model *model, struct rpc_write *cw, engine_error *err)
{
    const Ims__V1__SetTreatmentRequest *req = (const void *)cw->call->request;
    const Ims__V1__RiskTreatment *t = req->treatment;
    return engine_treatment_set(model, t->asset, t->threat, treatment_decision(t->option),
                                treatment_share(t), err);
}

static int treatment_statements(struct db_txn *txn, struct rpc_write *cw)
{
    struct rpc_call *call = cw->call;
    const Ims__V1__SetTreatmentRequest *req = (const void *)call->request;
    const Ims__V1__RiskTreatment *t = req->treatment;
    char share[40] = "";
    if (treatment_decision(t->option) == ENGINE_TREAT_TRANSFER)
        snprintf(share, sizeof share, "%.17g", treatment_share(t));
    char *lit = sql_array_literal(t->controls, t->n_controls);
    if (!lit)
        return IMS_ENOMEM;
    const char *params[10] = {call->tenant,
                              t->asset,
                              t->threat,
                              t->option,
                              t->owner,
                              *t->due ? t->due : NULL,
                              t->note,
                              rpc_call_token_id(call),
                              *share ? share : NULL,
                              lit};
    char object[300];
    snprintf(object, sizeof object, "%s/%s", t->asset, t->threat);
    int rc = db_txn_add(txn, STMT_TREATMENT_PUT, 10, params) < 0 ||
                     rpc_audit_statement(call, txn, object) != 0
                 ? IMS_ENOMEM
                 : 0;
    free(lit);
    return rc;
}

static void treatment_reply(struct rpc_write *cw, struct db_txn *txn, int first,
                            const struct tenant_level *level)
{
    Ims__V1__RiskTreatment t;
    treatment_from_row(&t, db_txn_result(txn, first), 0, &cw->call->arena);
    t.security_level = level->security_level;
    t.revision = level->revision;
    rpc_reply(cw->call, &t.base);
}

static void treatment_checked(struct rpc_call *call, struct tenant_state *state)
{
    const Ims__V1__SetTreatmentRequest *req = (const Ims__V1__SetTreatmentRequest *)call->request;
    const Ims__V1__RiskTreatment *t = req->treatment;
    const engine_eval *eval = tenant_state_eval(state);
    struct pair_lookup l = {t->asset, t->threat, 0, 0};
    engine_pairs_foreach(eval, find_pair, &l);
    if (!l.found) {
        rpc_fail(call, IMS_GRPC_NOT_FOUND,
                 "treatment.asset, treatment.threat: no risk pair %s x %s in the register",
                 t->asset, t->threat);
        return;
    }
    /* Accepting a risk the schema's appetite does not cover is a decision to justify. */
    int appetite = engine_model_params(tenant_state_model(state))->appetite;
    if (strcmp(t->option, "accept") == 0 && l.level_accepted > appetite && !*t->note) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "treatment.note: accepting a risk of level %d, above the appetite, needs a "
                 "justification",
                 l.level_accepted);
        return;
    }
    for (size_t i = 0; i < t->n_controls; i++)
        if (engine_control_find(eval, t->controls[i]) < 0) {
            rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                     "treatment.controls[%zu]: unknown control \"%s\"", i, t->controls[i]);
            return;
        }
    rpc_write_submit(call->state, "treatment");
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
    enum engine_treatment decision = treatment_decision(t->option);
    if (decision == ENGINE_TREAT_NONE) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "treatment.option: must be mitigate, accept, transfer or avoid");
        return;
    }
    if (t->share_given && decision != ENGINE_TREAT_TRANSFER) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "treatment.share: only a transfer has a share");
        return;
    }
    if (t->share_given && !(t->share >= 0 && t->share <= 1)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "treatment.share: must be in [0, 1]");
        return;
    }
    if (t->n_controls && decision != ENGINE_TREAT_MITIGATE) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "treatment.controls: only a mitigation names the controls it relies on");
        return;
    }
    if (t->n_controls > TREATMENT_CONTROLS) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "treatment.controls: at most %d",
                 TREATMENT_CONTROLS);
        return;
    }
    for (size_t i = 0; i < t->n_controls; i++) {
        char field[48];
        snprintf(field, sizeof field, "treatment.controls[%zu]", i);
        if (!validate_ident(call, field, t->controls[i], 64))
            return;
        for (size_t j = 0; j < i; j++)
            if (strcmp(t->controls[i], t->controls[j]) == 0) {
                rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                         "treatment.controls[%zu]: duplicate control \"%s\"", i, t->controls[i]);
                return;
            }
    }
    struct rpc_write *cw = rpc_write_new(call);
    if (!cw)
        return;
    cw->apply = treatment_apply;
    cw->statements = treatment_statements;
    cw->reply = treatment_reply;
    rpc_read(call, treatment_checked);
}

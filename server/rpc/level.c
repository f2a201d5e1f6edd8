/* ims.v1.Level: the security level from the cached engine state, its history, the
 * improvement plan, and the live stream of changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "write.h"
#include "handlers.h"
#include "db_pool.h"
#include "ims/error.h"
#include "ims/v1/level.pb-c.h"
#include "level_cache.h"
#include "plan.h"
#include "rpc.h"
#include "server.h"
#include "offload.h"
#include "streams.h"
#include "snapshot.h"
#include "statements.h"
#include "tenant.h"
#include "validate.h"

#define MAX_EXPLAIN 100
#define MAX_PLAN_STEPS 100
/* A watcher this far behind is ended rather than buffered without bound. */
#define WATCH_MAX_PENDING (4u << 20)

static const char *const system_names[ENGINE_SYSTEM_COUNT] = {"ISMS", "BCMS", "RMS", "SMS"};

/* The parts of a SecurityLevel message every answer has. Strings point into level and
 * into the buffers the caller passes, valid while the message is sent. */
struct level_message {
    Ims__V1__SecurityLevel msg;
    Ims__V1__SystemScore systems[ENGINE_SYSTEM_COUNT];
    Ims__V1__SystemScore *system_ptrs[ENGINE_SYSTEM_COUNT];
    char at[32];
    char cause[32];
};

static void level_message_init(struct level_message *m, const struct tenant_level *level)
{
    ims__v1__security_level__init(&m->msg);
    m->msg.tenant = (char *)level->tenant;
    m->msg.revision = level->revision;
    engine_time_format(level->at, m->at, sizeof m->at);
    m->msg.at = m->at;
    m->msg.security_level = level->security_level;
    m->msg.maturity = level->maturity;
    snprintf(m->cause, sizeof m->cause, "%s", level->cause ? level->cause : "");
    m->msg.cause = m->cause;
    size_t n = 0;
    for (int s = 0; s < ENGINE_SYSTEM_COUNT; s++) {
        if (!level->summary.system_included[s])
            continue;
        ims__v1__system_score__init(&m->systems[n]);
        m->systems[n].system = (char *)system_names[s];
        m->systems[n].score = level->summary.system_score[s];
        m->system_ptrs[n] = &m->systems[n];
        n++;
    }
    m->msg.systems = m->system_ptrs;
    m->msg.n_systems = n;
}

/* --- GetSecurityLevel --- */

/* The plain answer (no controls, no explanation): packed once per level generation and
 * kept (level_cache.c); the bytes are the same as packing the message again. */
static void reply_level(struct rpc_call *call, const Ims__V1__GetSecurityLevelRequest *req,
                        const struct tenant_level *level, const ProtobufCMessage *msg)
{
    if (req->controls || req->explain != 0) {
        rpc_reply(call, msg);
        return;
    }
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t stack[1024];
    uint8_t *buf = n <= sizeof stack ? stack : malloc(n);
    if (!buf) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    protobuf_c_message_pack(msg, buf);
    level_cache_put(&call->server->level_cache, level->tenant, level->generation, buf, n);
    rpc_reply_packed(call, buf, n);
    if (buf != stack)
        free(buf);
}

static void get_level_read(struct rpc_call *call, struct tenant_state *state)
{
    const Ims__V1__GetSecurityLevelRequest *req =
        (const Ims__V1__GetSecurityLevelRequest *)call->request;
    const struct tenant_level *level = tenant_state_level(state);
    if (!req->controls && req->explain == 0) {
        size_t len;
        const uint8_t *packed =
            level_cache_find(call->server->level_cache, level->tenant, level->generation, &len);
        if (packed) {
            rpc_reply_packed(call, packed, len);
            return;
        }
    }
    const engine_eval *eval = tenant_state_eval(state);
    struct level_message m;
    level_message_init(&m, level);

    size_t nf = engine_framework_count(eval);
    Ims__V1__FrameworkScore *fw = calloc(nf + 1, sizeof *fw);
    Ims__V1__FrameworkScore **fwp = calloc(nf + 1, sizeof *fwp);
    size_t nc = req->controls ? engine_control_count(eval) : 0;
    Ims__V1__ControlScore *cs = calloc(nc + 1, sizeof *cs);
    Ims__V1__ControlScore **csp = calloc(nc + 1, sizeof *csp);
    size_t nd = req->controls ? engine_domain_count(eval) : 0;
    Ims__V1__DomainScore *ds = calloc(nd + 1, sizeof *ds);
    Ims__V1__DomainScore **dsp = calloc(nd + 1, sizeof *dsp);
    size_t k = (size_t)req->explain;
    engine_explanation *ex = calloc(k + 1, sizeof *ex);
    Ims__V1__Explanation *em = calloc(k + 1, sizeof *em);
    Ims__V1__Explanation **emp = calloc(k + 1, sizeof *emp);
    if (!fw || !fwp || !cs || !csp || !ds || !dsp || !ex || !em || !emp) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    size_t n = 0;
    for (size_t i = 0; i < nf; i++) {
        engine_framework_figures f;
        engine_framework_get(eval, i, &f);
        if (!f.has_score)
            continue;
        ims__v1__framework_score__init(&fw[n]);
        fw[n].framework = (char *)engine_framework_id(eval, i);
        fw[n].score = f.score;
        fw[n].assessed = f.assessed;
        fw[n].maturity = f.maturity;
        fwp[n] = &fw[n];
        n++;
    }
    m.msg.frameworks = fwp;
    m.msg.n_frameworks = n;
    n = 0;
    for (size_t i = 0; i < nc; i++) {
        engine_control_figures c;
        engine_control_get(eval, i, &c);
        if (!c.applicable)
            continue;
        ims__v1__control_score__init(&cs[n]);
        cs[n].control = (char *)engine_control_id(eval, i);
        cs[n].a = c.a;
        cs[n].has_q = c.has_q;
        cs[n].q = c.has_q ? c.q : 0;
        cs[n].b = c.b;
        cs[n].p = c.p;
        cs[n].cap = c.cap;
        cs[n].v = c.v;
        cs[n].e = c.e;
        csp[n] = &cs[n];
        n++;
    }
    m.msg.controls = csp;
    m.msg.n_controls = n;
    n = 0;
    for (size_t i = 0; i < nd; i++) {
        engine_domain_figures d;
        engine_domain_get(eval, i, &d);
        if (!d.has_score)
            continue;
        ims__v1__domain_score__init(&ds[n]);
        ds[n].framework = (char *)engine_framework_id(eval, d.framework);
        ds[n].domain = (char *)d.id;
        ds[n].score = d.score;
        dsp[n] = &ds[n];
        n++;
    }
    m.msg.domains = dsp;
    m.msg.n_domains = n;
    size_t count = 0;
    if (k > 0 && engine_explain(eval, k, ex, &count) != 0) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        ims__v1__explanation__init(&em[i]);
        em[i].control = (char *)ex[i].id;
        em[i].lost = ex[i].loss;
        em[i].assessment_gap = ex[i].assessment_gap;
        em[i].metric_drag = ex[i].metric_drag;
        em[i].incident_penalty = ex[i].incident_penalty;
        em[i].finding_cap = ex[i].finding_cap;
        em[i].evidence_drag = ex[i].evidence_drag;
        emp[i] = &em[i];
    }
    m.msg.explanation = emp;
    m.msg.n_explanation = count;
    reply_level(call, req, level, &m.msg.base);
out:
    free(fw);
    free(fwp);
    free(cs);
    free(csp);
    free(ds);
    free(dsp);
    free(ex);
    free(em);
    free(emp);
}

void rpc_get_security_level(struct rpc_call *call)
{
    const Ims__V1__GetSecurityLevelRequest *req =
        (const Ims__V1__GetSecurityLevelRequest *)call->request;
    if (!validate_range(call, "explain", req->explain, 0, MAX_EXPLAIN))
        return;
    rpc_read(call, get_level_read);
}

/* --- GetHistory --- */

static void history_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    int n = PQntuples(r);
    Ims__V1__HistoryPoint *pts = calloc((size_t)n + 1, sizeof *pts);
    Ims__V1__HistoryPoint **ptrs = calloc((size_t)n + 1, sizeof *ptrs);
    if (!pts || !ptrs) {
        free(pts);
        free(ptrs);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        ims__v1__history_point__init(&pts[i]);
        pts[i].at = PQgetvalue(r, i, 0);
        pts[i].revision = atoll(PQgetvalue(r, i, 1));
        pts[i].security_level = strtod(PQgetvalue(r, i, 2), NULL);
        pts[i].maturity = atoi(PQgetvalue(r, i, 3));
        pts[i].cause = PQgetvalue(r, i, 4);
        ptrs[i] = &pts[i];
    }
    Ims__V1__GetHistoryResponse resp = IMS__V1__GET_HISTORY_RESPONSE__INIT;
    resp.points = ptrs;
    resp.n_points = (size_t)n;
    rpc_reply(call, &resp.base);
    free(pts);
    free(ptrs);
}

void rpc_get_history(struct rpc_call *call)
{
    const Ims__V1__GetHistoryRequest *req = (const Ims__V1__GetHistoryRequest *)call->request;
    int64_t from, to;
    if (!validate_time(call, "from", req->from, 1, &from) ||
        !validate_time(call, "to", req->to, 1, &to) ||
        !validate_range(call, "limit", req->limit, 0, 100000))
        return;
    if (*req->from && *req->to && from > to) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "from: after to");
        return;
    }
    char limit[16];
    snprintf(limit, sizeof limit, "%d", req->limit ? req->limit : 1000);
    const char *params[4] = {call->tenant, *req->from ? req->from : NULL, *req->to ? req->to : NULL,
                             limit};
    struct db_txn *txn = rpc_txn_new(call, call->tenant, 0);
    if (!txn || rpc_txn_add(call, txn, STMT_HISTORY_LIST, 4, params) < 0)
        return;
    rpc_txn_exec(call, txn, history_done);
}

/* --- GetImprovementPlan --- */

/* A plan is worked out on the thread pool (offload.c), on a copy of the tenant's model and
 * evaluated state made here on the loop: the steps' ids point into that copy. */
struct plan_job {
    engine_model *model;
    engine_eval *eval;
    size_t steps, count;
    engine_plan_step *out;
    int rc;
};

static void plan_job_free(void *p)
{
    struct plan_job *j = p;
    engine_eval_free(j->eval);
    engine_model_free(j->model);
    free(j->out);
    free(j);
}

static void plan_work(void *p)
{
    struct plan_job *j = p;
    j->rc = engine_plan(j->eval, j->steps, j->out, &j->count);
}

static void plan_done(struct rpc_call *call, void *p)
{
    struct plan_job *j = p;
    Ims__V1__PlanStep *ps = calloc(j->count ? j->count : 1, sizeof *ps);
    Ims__V1__PlanStep **pp = calloc(j->count ? j->count : 1, sizeof *pp);
    if (j->rc != 0 || !ps || !pp) {
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
    } else {
        for (size_t i = 0; i < j->count; i++) {
            const engine_plan_step *o = &j->out[i];
            ims__v1__plan_step__init(&ps[i]);
            static const char *const kinds[] = {"answer", "close_finding", "make_current"};
            ps[i].kind = (char *)kinds[o->action];
            ps[i].target = (char *)o->id;
            ps[i].effort = o->effort;
            ps[i].delta = o->delta;
            ps[i].security_level = o->security_level;
            ps[i].completes_maturity = o->completes_level;
            ps[i].maturity = o->maturity;
            pp[i] = &ps[i];
        }
        Ims__V1__ImprovementPlan plan = IMS__V1__IMPROVEMENT_PLAN__INIT;
        plan.steps = pp;
        plan.n_steps = j->count;
        rpc_reply(call, &plan.base);
    }
    free(ps);
    free(pp);
}

static void plan_read(struct rpc_call *call, struct tenant_state *state)
{
    const Ims__V1__GetImprovementPlanRequest *req =
        (const Ims__V1__GetImprovementPlanRequest *)call->request;
    const engine_eval *eval = tenant_state_eval(state);
    struct plan_job *j = calloc(1, sizeof *j);
    if (j) {
        j->steps = req->steps ? (size_t)req->steps : 10;
        j->out = calloc(j->steps, sizeof *j->out);
    }
    /* The copy: the model cloned, the state cloned and brought onto the clone (nothing
     * changed, so this evaluation recomputes nothing). */
    if (!j || !j->out || engine_model_clone(engine_eval_model(eval), &j->model) != 0 ||
        engine_eval_clone(eval, &j->eval) != 0 ||
        engine_evaluate(j->model, engine_eval_summary(eval)->at, j->eval, NULL) != 0) {
        if (j)
            plan_job_free(j);
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    rpc_offload(call, j, plan_work, plan_done, plan_job_free);
}

void rpc_get_improvement_plan(struct rpc_call *call)
{
    const Ims__V1__GetImprovementPlanRequest *req =
        (const Ims__V1__GetImprovementPlanRequest *)call->request;
    if (!validate_range(call, "steps", req->steps, 0, MAX_PLAN_STEPS))
        return;
    /* The plan is worked out on the thread pool: read-only roles get a lower cap. */
    const struct rpc_server *s = call->server;
    int low = call->principal.role == ROLE_VIEWER || call->principal.role == ROLE_AGENT;
    unsigned cap = low ? s->plan_max_steps_viewer : s->plan_max_steps;
    if ((unsigned)req->steps > cap) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "steps: %d is over the limit of %u for this role (%s)", (int)req->steps, cap,
                 low ? "plan_max_steps_viewer" : "plan_max_steps");
        return;
    }
    rpc_read(call, plan_read);
}

/* --- WatchSecurityLevel --- */

struct watch_state {
    struct rpc_call *call;
    struct tenant_watch *watch;
    struct rpc_stream_entry stream; /* ends with its token (streams.c) */
};

static void watch_state_free(void *p)
{
    struct watch_state *w = p;
    rpc_streams_remove(&w->stream);
    if (w->watch)
        tenant_unwatch(rpc_server_tenants(w->call->server), w->watch);
    free(w);
}

static void watch_cancel(struct rpc_call *call)
{
    rpc_end(call);
}

static void watch_send(const struct tenant_level *level, void *arg)
{
    struct watch_state *w = arg;
    struct level_message m;
    level_message_init(&m, level);
    if (rpc_call_pending_bytes(w->call) > WATCH_MAX_PENDING) {
        rpc_fail(w->call, IMS_GRPC_RESOURCE_EXHAUSTED,
                 "watcher too slow: more than %u bytes behind", WATCH_MAX_PENDING);
        return;
    }
    if (rpc_stream_send(w->call, &m.msg.base) != 0)
        rpc_end(w->call);
}

static int watch_start(struct rpc_call *call, const char *tenant)
{
    struct watch_state *w = calloc(1, sizeof *w);
    if (!w)
        return IMS_ENOMEM;
    w->call = call;
    call->state = w;
    call->state_free = watch_state_free;
    w->watch = tenant_watch(rpc_server_tenants(call->server), tenant, watch_send, w);
    if (!w->watch || rpc_streams_add(call, &w->stream) != 0)
        return IMS_ENOMEM;
    call->on_cancel = watch_cancel;
    return 0;
}

static void watch_one_read(struct rpc_call *call, struct tenant_state *state)
{
    struct level_message m;
    level_message_init(&m, tenant_state_level(state));
    if (rpc_stream_send(call, &m.msg.base) != 0) {
        rpc_end(call);
        return;
    }
    if (watch_start(call, call->tenant) != 0)
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
}

static void watch_all_done(struct rpc_call *call, struct db_txn *txn)
{
    PGresult *r = db_txn_result(txn, 0);
    for (int i = 0; i < PQntuples(r); i++) {
        Ims__V1__SecurityLevel msg = IMS__V1__SECURITY_LEVEL__INIT;
        msg.tenant = PQgetvalue(r, i, 0);
        msg.revision = atoll(PQgetvalue(r, i, 1));
        msg.security_level = strtod(PQgetvalue(r, i, 2), NULL);
        msg.maturity = atoi(PQgetvalue(r, i, 3));
        msg.cause = "current";
        if (rpc_stream_send(call, &msg.base) != 0) {
            rpc_end(call);
            return;
        }
    }
    if (watch_start(call, NULL) != 0)
        rpc_fail(call, IMS_GRPC_RESOURCE_EXHAUSTED, "out of memory");
}

void rpc_watch_security_level(struct rpc_call *call)
{
    if (!call->tenant[0]) {
        if (call->principal.role != ROLE_OPERATOR) {
            rpc_fail(call, IMS_GRPC_PERMISSION_DENIED,
                     "tenant: required (only operators watch every tenant)");
            return;
        }
        struct db_txn *txn = rpc_txn_new(call, NULL, 1);
        if (!txn || rpc_txn_add(call, txn, STMT_TENANT_LEVELS, 0, NULL) < 0)
            return;
        rpc_txn_exec(call, txn, watch_all_done);
        return;
    }
    rpc_read(call, watch_one_read);
}

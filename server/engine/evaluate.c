/*
 * Evaluation: bringing a caller-owned evaluated state (engine_eval) up to date with a
 * const model at a time t, recomputing only the items the model stamped since the state
 * last saw it, or that depend on time when t changed, then re-summing the aggregates in
 * a fixed order. See eval.h for the layout.
 */
#include "eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- lifetime ------------------------------------------------------------------------ */

int engine_eval_new(engine_eval **out)
{
    engine_eval *ev = calloc(1, sizeof *ev);
    if (!ev)
        return IMS_ENOMEM;
    *out = ev;
    return 0;
}

void engine_eval_free(engine_eval *ev)
{
    if (!ev)
        return;
    free(ev->controls.v);
    free(ev->metrics.v);
    free(ev->threats.v);
    free(ev->processes.v);
    free(ev->frameworks.v);
    free(ev->domains.v);
    free(ev->todo);
    free(ev->factors);
    free(ev->terms.v);
    free(ev->term_controls);
    free(ev->blocks.v);
    free(ev->block_dirty);
    free(ev);
}

#define CLONE_STATES(field)                                                                        \
    (ev->field.cap = src->field.n,                                                                 \
     engine_copy_block(&ev->field.v, src->field.v, (size_t)src->field.n, sizeof *src->field.v))

int engine_eval_clone(const engine_eval *src, engine_eval **out)
{
    engine_eval *ev = calloc(1, sizeof *ev);
    if (!ev)
        return IMS_ENOMEM;
    *ev = *src;
    ev->controls.v = NULL;
    ev->metrics.v = NULL;
    ev->threats.v = NULL;
    ev->processes.v = NULL;
    ev->frameworks.v = NULL;
    ev->domains.v = NULL;
    ev->todo = NULL;
    ev->todo_cap = 0;
    ev->factors = NULL;
    ev->factors_cap = 0;
    ev->terms.v = NULL;
    ev->blocks.v = NULL;
    ev->block_dirty = NULL;
    ev->block_dirty_cap = 0;
    ev->term_controls = NULL;
    ev->term_controls_n = ev->term_controls_cap = 0;
    if (src->term_controls_n > 0)
        ev->terms_valid = false; /* the list of stale terms stays with the source */
    if (CLONE_STATES(controls) || CLONE_STATES(metrics) || CLONE_STATES(threats) ||
        CLONE_STATES(processes) || CLONE_STATES(frameworks) || CLONE_STATES(domains) ||
        CLONE_STATES(terms) || CLONE_STATES(blocks)) {
        engine_eval_free(ev);
        return IMS_ENOMEM;
    }
    *out = ev;
    return 0;
}

void engine_eval_reset(engine_eval *ev)
{
    ev->evaluated = false;
}

const engine_model *engine_eval_model(const engine_eval *ev)
{
    return ev->model;
}

const engine_summary *engine_eval_summary(const engine_eval *ev)
{
    return &ev->summary;
}

/* Sizes one array of states like the model's array (n items), new ones zeroed. */
static int fit(void *array_ptr, int32_t *n, int32_t *cap, int32_t want, size_t size)
{
    /* A state's first sizing takes the model's length as it is (a later one doubles). */
    if (*cap == 0 && want > 0) {
        void *v;
        memcpy(&v, array_ptr, sizeof v);
        if (!(v = realloc(v, (size_t)want * size)))
            return IMS_ENOMEM;
        memcpy(array_ptr, &v, sizeof v);
        *cap = want;
    }
    if (engine_reserve(array_ptr, cap, want, size))
        return IMS_ENOMEM;
    if (want > *n) {
        char *v;
        memcpy(&v, array_ptr, sizeof v);
        memset(v + (size_t)*n * size, 0, (size_t)(want - *n) * size);
    }
    *n = want;
    return 0;
}

#define FIT(field, want)                                                                           \
    fit(&ev->field.v, &ev->field.n, &ev->field.cap, (want), sizeof *ev->field.v)

/* ---- items --------------------------------------------------------------------------- */

int64_t engine_days_to_seconds(double days)
{
    return (int64_t)llround(days * ENGINE_DAY);
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

int32_t engine_samples_upper(const engine_metric *x, int64_t t)
{
    int32_t lo = 0, hi = x->sample_n;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (x->samples[mid].at <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void recompute_metric(const engine_metric *x, engine_metric_state *xs, int64_t t)
{
    int32_t end = engine_samples_upper(x, t);
    xs->deployed = end > 0;
    xs->q = 0;
    if (!xs->deployed)
        return;
    const engine_sample *latest = &x->samples[end - 1];
    if (t - latest->at > x->max_age)
        return;
    double v;
    if (x->aggregation == ENGINE_AGG_LAST) {
        v = latest->value;
    } else {
        int32_t begin = engine_samples_upper(x, t - x->window);
        if (begin >= end)
            return;
        /* A merged mean's entry holds the sum of its samples, and their count. */
        v = x->samples[begin].value;
        double n = engine_sample_count(x, begin);
        for (int32_t i = begin + 1; i < end; i++) {
            double s = x->samples[i].value;
            if (x->aggregation == ENGINE_AGG_MEAN) {
                v += s;
                n += engine_sample_count(x, i);
            } else if (x->aggregation == ENGINE_AGG_MIN) {
                v = s < v ? s : v;
            } else {
                v = s > v ? s : v;
            }
        }
        if (x->aggregation == ENGINE_AGG_MEAN)
            v /= n;
    }
    xs->q = clamp01((v - x->threshold) / (x->target - x->threshold));
}

double engine_incident_factor(const engine_model *m, const engine_incident *j, int64_t t)
{
    if (j->opened_at > t)
        return 1.0;
    double d = 1.0;
    if (j->resolved && j->resolved_at <= t)
        d = exp2(-(double)(t - j->resolved_at) / (m->params.half_life_days * ENGINE_DAY));
    return 1.0 - m->params.gamma * (j->severity / 5.0) * d;
}

static double finding_cap(const engine_model *m, enum engine_finding_type type)
{
    if (type == ENGINE_FINDING_MAJOR_NC)
        return m->params.cap_major_nc;
    if (type == ENGINE_FINDING_MINOR_NC)
        return m->params.cap_minor_nc;
    return 1.0;
}

/* factors: every incident's factor at t (a full or time-changed evaluation computes them
 * once), or NULL to compute each as needed. */
static void recompute_control(const engine_model *m, engine_eval *ev, int32_t ci, int64_t t,
                              const double *factors)
{
    const engine_control *c = &m->controls.v[ci];
    engine_control_state *cs = &ev->controls.v[ci];
    cs->framework = c->framework;
    if (cs->dirty & ENGINE_DIRTY_A) {
        double sw = 0, sws = 0;
        for (int32_t k = 0; k < c->subs.n; k++) {
            const engine_subcontrol *s = &m->subs.v[c->subs.v[k]];
            if (!engine_sub_base(s))
                continue;
            sw += s->weight;
            sws += s->weight * engine_answer_value(s->answer);
        }
        cs->applicable = c->declared && sw > 0;
        cs->a = sw > 0 ? sws / sw : 0;
    }
    if (cs->dirty & ENGINE_DIRTY_Q) {
        double su = 0, suq = 0;
        for (int32_t k = 0; k < c->metrics.n; k++) {
            const engine_metric_state *x = &ev->metrics.v[c->metrics.v[k].to];
            if (!x->deployed)
                continue;
            su += c->metrics.v[k].w;
            suq += c->metrics.v[k].w * x->q;
        }
        cs->has_q = su > 0;
        cs->q = su > 0 ? suq / su : 0;
    }
    if (cs->dirty & ENGINE_DIRTY_P) {
        double prod = 1.0;
        for (int32_t k = 0; k < c->incidents.n; k++)
            prod *= factors ? factors[c->incidents.v[k]]
                            : engine_incident_factor(m, &m->incidents.v[c->incidents.v[k]], t);
        for (int32_t e = 0; e < c->mitig.n; e++) {
            const engine_threat *th = &m->threats.v[c->mitig.v[e].to];
            for (int32_t k = 0; k < th->incidents.n; k++) {
                int32_t ji = th->incidents.v[k];
                const engine_incident *j = &m->incidents.v[ji];
                if (!engine_ilist_contains(&j->controls, ci))
                    prod *= factors ? factors[ji] : engine_incident_factor(m, j, t);
            }
        }
        cs->p = 1.0 - prod;
    }
    if (cs->dirty & ENGINE_DIRTY_K) {
        double k = 1.0;
        for (int32_t i = 0; i < c->findings.n; i++) {
            const engine_finding *f = &m->findings.v[c->findings.v[i]];
            if (f->open) {
                double cap = finding_cap(m, f->type);
                k = cap < k ? cap : k;
            }
        }
        cs->k = k;
    }
    if (cs->dirty & ENGINE_DIRTY_V) {
        int32_t current = 0;
        for (int32_t k = 0; k < c->artefacts.n; k++)
            current += engine_artefact_current(&m->artefacts.v[c->artefacts.v[k]], t);
        cs->v = c->artefacts.n > 0 ? (double)current / c->artefacts.n : 1.0;
    }
    cs->b = cs->has_q ? (1 - m->params.beta) * cs->a + m->params.beta * cs->q : cs->a;
    double v = cs->b * (1 - cs->p) * (1 - m->params.evidence_weight * (1 - cs->v));
    cs->e = cs->k < v ? cs->k : v;
    cs->dirty = 0;
    for (int32_t e = 0; e < c->mitig.n; e++)
        ev->threats.v[c->mitig.v[e].to].dirty |= ENGINE_DIRTY_RESIDUAL;
}

double engine_asset_impact(const engine_asset *a, const engine_threat *th, double degradation)
{
    int best = 0;
    for (int k = 0; k < 3; k++)
        if ((th->dims & (1u << k)) && a->v[k] > best)
            best = a->v[k];
    return best * degradation;
}

static void recompute_threat(const engine_model *m, engine_eval *ev, int32_t ti, int64_t t)
{
    const engine_threat *th = &m->threats.v[ti];
    engine_threat_state *ts = &ev->threats.v[ti];
    if (ts->dirty & ENGINE_DIRTY_LAMBDA) {
        int64_t from = t - engine_days_to_seconds(m->params.likelihood_window_days);
        int n = 0;
        for (int32_t k = 0; k < th->incidents.n; k++) {
            const engine_incident *j = &m->incidents.v[th->incidents.v[k]];
            if (j->opened_at > from && j->opened_at <= t)
                n++;
        }
        double l = th->likelihood + log2(1.0 + n);
        ts->lambda = l < 5 ? l : 5;
    }
    if (ts->dirty & ENGINE_DIRTY_RESIDUAL) {
        double f = 1.0;
        for (int32_t k = 0; k < th->mitig.n; k++) {
            const engine_control_state *c = &ev->controls.v[th->mitig.v[k].to];
            if (c->applicable)
                f *= 1.0 - th->mitig.v[k].w * c->e;
        }
        ts->residual_factor = f;
    }
    if (ts->dirty & ENGINE_DIRTY_IMPACT) {
        double s = 0, sr = 0;
        int32_t n = 0;
        for (int32_t a = 0; a < m->assets.n; a++) {
            const engine_asset *x = &m->assets.v[a];
            const engine_asset_type *at = &m->asset_types.v[x->type];
            if (ti < at->by_threat_n && at->by_threat[ti] > 0) {
                double impact = engine_asset_impact(x, th, at->by_threat[ti]);
                const engine_treatment_rec *tr =
                    th->treatments.n ? engine_treatment_of(m, x->name, ti) : NULL;
                if (tr && tr->decision == ENGINE_TREAT_AVOID)
                    continue;
                s += impact;
                sr +=
                    tr && tr->decision == ENGINE_TREAT_TRANSFER ? impact * (1 - tr->share) : impact;
                n++;
            }
        }
        ts->sum_impact = s;
        ts->sum_residual_impact = sr;
        ts->pair_count = n;
    }
    ts->dirty = 0;
}

static void recompute_process(const engine_model *m, const engine_process *p,
                              engine_process_state *ps, int64_t t)
{
    int64_t from = t - engine_days_to_seconds(m->params.review_window_days);
    double plan = p->plan_reviewed && p->plan_reviewed_at > from && p->plan_reviewed_at <= t;
    double ex = 0;
    int32_t latest = -1;
    for (int32_t k = 0; k < p->exercise_n; k++) {
        int64_t at = p->exercises[k].at;
        if (at > from && at <= t && (latest < 0 || at >= p->exercises[latest].at))
            latest = k;
    }
    if (latest >= 0) {
        double r = p->exercises[latest].recovery_min;
        if (r <= p->rto)
            ex = 1;
        else if (p->mtpd > p->rto)
            ex = clamp01(1 - (r - p->rto) / (p->mtpd - p->rto));
    }
    double worst = 0;
    for (int32_t k = 0; k < p->incidents.n; k++) {
        const engine_incident *j = &m->incidents.v[p->incidents.v[k]];
        if (j->opened_at <= from || j->opened_at > t)
            continue;
        double d = j->disruption, pen;
        if (d <= p->rto)
            pen = 0;
        else if (d >= p->mtpd)
            pen = 1;
        else
            pen = (d - p->rto) / (p->mtpd - p->rto);
        worst = pen > worst ? pen : worst;
    }
    ps->readiness = (plan + ex + (1 - worst)) / 3;
}

/* ---- aggregates ---------------------------------------------------------------------- */

bool engine_sub_applicable(const engine_eval *ev, int32_t i)
{
    const engine_model *m = ev->model;
    const engine_subcontrol *s = &m->subs.v[i];
    if (!engine_sub_base(s))
        return false;
    for (int32_t k = 0; k < s->controls.n; k++)
        if (ev->controls.v[s->controls.v[k]].applicable)
            return true;
    return false;
}

double engine_sub_capped(const engine_eval *ev, int32_t i)
{
    const engine_subcontrol *s = &ev->model->subs.v[i];
    double v = engine_answer_value(s->answer);
    for (int32_t k = 0; k < s->controls.n; k++) {
        const engine_control_state *c = &ev->controls.v[s->controls.v[k]];
        if (c->applicable && c->k < v)
            v = c->k;
    }
    return v;
}

/* The system score of s from its framework part and its extra part (rho or readiness). */
static double system_score(const engine_params *p, int s, const engine_summary *o, bool has_ctrl,
                           double fscore, bool *included_any)
{
    bool has_extra = false;
    double extra = 0, blend = 0;
    if (s == ENGINE_RMS) {
        has_extra = o->has_pairs;
        extra = o->rho;
        blend = p->beta_risk;
    } else if (s == ENGINE_BCMS) {
        has_extra = o->has_processes;
        extra = o->readiness;
        blend = p->beta_bcms;
    }
    *included_any = has_ctrl || has_extra;
    if (has_ctrl && has_extra)
        return (1 - blend) * fscore + blend * extra;
    return has_ctrl ? fscore : extra;
}

static void aggregate(const engine_model *m, engine_eval *ev)
{
    engine_summary *o = &ev->summary;
    double sys_w[ENGINE_SYSTEM_COUNT] = {0}, sys_we[ENGINE_SYSTEM_COUNT] = {0};
    for (int32_t f = 0; f < ev->frameworks.n; f++) {
        engine_framework_state *fw = &ev->frameworks.v[f];
        fw->sum_w = fw->sum_we = fw->sum_wa = 0;
    }
    for (int32_t d = 0; d < ev->domains.n; d++)
        ev->domains.v[d].sum_w = ev->domains.v[d].sum_we = 0;
    for (int32_t ci = 0; ci < m->controls.n; ci++) {
        const engine_control *c = &m->controls.v[ci];
        const engine_control_state *cs = &ev->controls.v[ci];
        if (!cs->applicable)
            continue;
        engine_framework_state *fw = &ev->frameworks.v[c->framework];
        engine_domain_state *d = &ev->domains.v[c->domain];
        fw->sum_w += c->weight;
        fw->sum_we += c->weight * cs->e;
        fw->sum_wa += c->weight * cs->a;
        d->sum_w += c->weight;
        d->sum_we += c->weight * cs->e;
    }
    for (int32_t f = 0; f < m->frameworks.n; f++) {
        const engine_framework_state *fw = &ev->frameworks.v[f];
        sys_w[m->frameworks.v[f].system] += fw->sum_w;
        sys_we[m->frameworks.v[f].system] += fw->sum_we;
    }
    double r0 = 0, r = 0;
    size_t pairs = 0;
    for (int32_t t = 0; t < m->threats.n; t++) {
        const engine_threat_state *th = &ev->threats.v[t];
        if (th->pair_count == 0)
            continue;
        pairs += (size_t)th->pair_count;
        r0 += th->lambda * th->sum_impact;
        r += th->lambda * th->residual_factor * th->sum_residual_impact;
    }
    o->pair_count = pairs;
    o->has_pairs = pairs > 0;
    o->rho = !o->has_pairs ? 0 : r0 > 0 ? 1 - r / r0 : 1;
    double sk = 0, skr = 0;
    for (int32_t p = 0; p < m->processes.n; p++) {
        sk += m->processes.v[p].criticality;
        skr += m->processes.v[p].criticality * ev->processes.v[p].readiness;
    }
    o->has_processes = m->processes.n > 0;
    o->readiness = sk > 0 ? skr / sk : 0;

    double sw = 0, sws = 0;
    for (int s = 0; s < ENGINE_SYSTEM_COUNT; s++) {
        bool has_ctrl = sys_w[s] > 0, any;
        double fscore = has_ctrl ? sys_we[s] / sys_w[s] : 0;
        double score = system_score(&m->params, s, o, has_ctrl, fscore, &any);
        o->system_included[s] = (m->systems & (1u << s)) && any;
        o->system_score[s] = o->system_included[s] ? score : 0;
        if (o->system_included[s]) {
            sw += m->params.system_weight[s];
            sws += m->params.system_weight[s] * score;
        }
    }
    o->security_level = sw > 0 ? sws / sw : 0;
}

/* ---- evaluation ---------------------------------------------------------------------- */

/* The parts of control c to recompute: stamped by the model after the state's stamp, or
 * depending on time when t changed, or everything for a state never evaluated. */
static unsigned control_parts(const engine_control *c, uint64_t seen, bool all, bool timed)
{
    if (all)
        return ENGINE_DIRTY_A | ENGINE_DIRTY_Q | ENGINE_DIRTY_P | ENGINE_DIRTY_K | ENGINE_DIRTY_V;
    unsigned d = timed ? ENGINE_DIRTY_Q | ENGINE_DIRTY_P | ENGINE_DIRTY_V : 0;
    if (c->changed_any > seen)
        for (int k = 0; k < ENGINE_CONTROL_PARTS; k++)
            if (c->changed[k] > seen)
                d |= 1u << k;
    return d;
}

static unsigned threat_parts(const engine_threat *th, uint64_t seen, bool all, bool timed)
{
    if (all)
        return ENGINE_DIRTY_LAMBDA | ENGINE_DIRTY_RESIDUAL | ENGINE_DIRTY_IMPACT;
    unsigned d = timed ? ENGINE_DIRTY_LAMBDA : 0;
    if (th->changed_any > seen)
        for (int k = 0; k < ENGINE_THREAT_PARTS; k++)
            if (th->changed[k] > seen)
                d |= 1u << k;
    return d;
}

/* An evaluation at the same time as the state's, of the changes the model's log names
 * after stamp `seen`: only those items and what depends on them are recomputed (lists in
 * ev->todo, sized for every item). The order of kinds is the full evaluation's. */
static void refresh_logged(const engine_model *m, engine_eval *ev, uint64_t seen, int64_t t)
{
    int32_t *metrics = ev->todo, nm = 0;
    int32_t *processes = metrics + m->metrics.n, np = 0;
    int32_t *controls = processes + m->processes.n, nc = 0;
    int32_t *threats = controls + m->controls.n, nt = 0;
    for (uint64_t st = seen + 1; st <= m->stamp; st++) {
        const engine_change *ch = &m->log[st % ENGINE_CHANGE_LOG];
        int32_t i = ch->index;
        switch ((enum engine_change_kind)ch->kind) {
        case ENGINE_CHANGE_CONTROL:
            if (!ev->controls.v[i].dirty)
                controls[nc++] = i;
            ev->controls.v[i].dirty |= ch->bits;
            break;
        case ENGINE_CHANGE_THREAT:
            if (!ev->threats.v[i].dirty)
                threats[nt++] = i;
            ev->threats.v[i].dirty |= ch->bits;
            break;
        case ENGINE_CHANGE_METRIC:
            if (!ev->metrics.v[i].dirty)
                metrics[nm++] = i;
            ev->metrics.v[i].dirty = true;
            break;
        case ENGINE_CHANGE_PROCESS:
            if (!ev->processes.v[i].dirty)
                processes[np++] = i;
            ev->processes.v[i].dirty = true;
            break;
        }
    }
    for (int32_t k = 0; k < nm; k++) {
        const engine_metric *x = &m->metrics.v[metrics[k]];
        ev->metrics.v[metrics[k]].dirty = false;
        recompute_metric(x, &ev->metrics.v[metrics[k]], t);
        for (int32_t c = 0; c < x->controls.n; c++) {
            engine_control_state *cs = &ev->controls.v[x->controls.v[c].to];
            if (!cs->dirty)
                controls[nc++] = x->controls.v[c].to;
            cs->dirty |= ENGINE_DIRTY_Q;
        }
    }
    for (int32_t k = 0; k < nc; k++) {
        const engine_control *c = &m->controls.v[controls[k]];
        if (ev->controls.v[controls[k]].dirty & (ENGINE_DIRTY_A | ENGINE_DIRTY_K))
            engine_eval_maturity_touch(ev, controls[k]);
        for (int32_t e = 0; e < c->mitig.n; e++)
            if (!ev->threats.v[c->mitig.v[e].to].dirty)
                threats[nt++] = c->mitig.v[e].to; /* recompute_control marks it */
        recompute_control(m, ev, controls[k], t, NULL);
    }
    for (int32_t k = 0; k < nt; k++)
        recompute_threat(m, ev, threats[k], t);
    for (int32_t k = 0; k < np; k++) {
        ev->processes.v[processes[k]].dirty = false;
        recompute_process(m, &m->processes.v[processes[k]], &ev->processes.v[processes[k]], t);
    }
}

int engine_eval_refresh(const engine_model *m, int64_t t, engine_eval *ev)
{
    /* A model never loses controls, metrics, threats, processes, frameworks or domains:
     * fewer means another model, so everything is recomputed. */
    if (ev->controls.n > m->controls.n || ev->metrics.n > m->metrics.n ||
        ev->threats.n > m->threats.n || ev->processes.n > m->processes.n ||
        ev->frameworks.n > m->frameworks.n || ev->domains.n > m->domains.n)
        ev->evaluated = false;
    if (FIT(controls, m->controls.n) || FIT(metrics, m->metrics.n) || FIT(threats, m->threats.n) ||
        FIT(processes, m->processes.n) || FIT(frameworks, m->frameworks.n) ||
        FIT(domains, m->domains.n)) {
        ev->evaluated = false; /* arrays may be partly resized: start over next time */
        return IMS_ENOMEM;
    }
    /* The state goes on incrementally only from this model, or from the one it was cloned
     * from when the state had seen no later change of that one; any other model is
     * evaluated whole. */
    bool related = ev->model == m || (m->clone_of == ev->model && ev->seen <= m->clone_stamp);
    if (!related || ev->seen > m->stamp)
        ev->evaluated = false;
    bool all = !ev->evaluated, timed = all || t != ev->at;
    uint64_t seen = ev->seen;
    /* A state a few stamps behind at the same time: the log names every change. */
    bool logged = !timed && m->stamp - seen <= ENGINE_CHANGE_LOG;
    for (uint64_t st = seen + 1; logged && st <= m->stamp; st++)
        logged = m->log[st % ENGINE_CHANGE_LOG].stamp == st;
    int32_t items = m->metrics.n + m->processes.n + m->controls.n + m->threats.n;
    if (logged && engine_reserve(&ev->todo, &ev->todo_cap, items, sizeof *ev->todo))
        logged = false; /* no room for the lists: the full scan needs none */
    ev->model = m;
    ev->evaluated = true;
    ev->at = t;
    ev->seen = m->stamp;
    if (all) {
        ev->maturity_stale = true;
        ev->terms_valid = false;
    }
    if (logged) {
        refresh_logged(m, ev, seen, t);
        aggregate(m, ev);
        ev->summary.at = t;
        return 0;
    }
    /* Time changed: every control's incident penalty is recomputed, so each incident's
     * factor is computed once (in the scratch, when there is room for it). */
    double *factors = NULL;
    if (timed && m->incidents.n > 0 &&
        engine_reserve(&ev->factors, &ev->factors_cap, m->incidents.n, sizeof *ev->factors) == 0) {
        factors = ev->factors;
        for (int32_t j = 0; j < m->incidents.n; j++)
            factors[j] = engine_incident_factor(m, &m->incidents.v[j], t);
    }
    /* Every dirty mark is 0 between evaluations: a recomputation clears the marks it set,
     * and a metric (or control) marks the controls (or threats) after it in this order. */
    for (int32_t i = 0; i < m->metrics.n; i++) {
        const engine_metric *x = &m->metrics.v[i];
        if (!timed && x->changed <= seen)
            continue;
        recompute_metric(x, &ev->metrics.v[i], t);
        for (int32_t k = 0; k < x->controls.n; k++)
            ev->controls.v[x->controls.v[k].to].dirty |= ENGINE_DIRTY_Q;
    }
    for (int32_t c = 0; c < m->controls.n; c++) {
        engine_control_state *cs = &ev->controls.v[c];
        cs->dirty |= control_parts(&m->controls.v[c], seen, all, timed);
        if (!cs->dirty)
            continue;
        if (cs->dirty & (ENGINE_DIRTY_A | ENGINE_DIRTY_K))
            engine_eval_maturity_touch(ev, c);
        recompute_control(m, ev, c, t, factors);
    }
    for (int32_t th = 0; th < m->threats.n; th++) {
        engine_threat_state *ts = &ev->threats.v[th];
        ts->dirty |= threat_parts(&m->threats.v[th], seen, all, timed);
        if (ts->dirty)
            recompute_threat(m, ev, th, t);
    }
    for (int32_t p = 0; p < m->processes.n; p++)
        if (timed || m->processes.v[p].changed > seen)
            recompute_process(m, &m->processes.v[p], &ev->processes.v[p], t);
    aggregate(m, ev);
    ev->summary.at = t;
    return 0;
}

int engine_evaluate(const engine_model *m, int64_t t, engine_eval *ev, engine_summary *out)
{
    int maturity = ev->summary.maturity;
    int rc = engine_eval_refresh(m, t, ev);
    if (rc)
        return rc;
    if (ev->maturity_stale) {
        maturity = engine_eval_maturity(ev);
        if (maturity < 0) {
            ev->evaluated = false;
            return maturity;
        }
        ev->maturity_stale = false;
    }
    ev->summary.maturity = maturity;
    if (out)
        *out = ev->summary;
    return 0;
}

/*
 * The layout of engine_eval, an evaluated state, shared by the engine's own modules
 * (evaluate, figures, schedule, plan, explain, snapshot) and by nothing else.
 *
 * Per-item figures live in arrays parallel to the model's (controls, metrics, threats,
 * processes, frameworks, domains). An evaluation recomputes an item when the model stamped
 * it after the state's `seen` stamp, when it depends on time and t changed, or when an
 * item it depends on was recomputed (a metric's controls, a control's threats); then it
 * re-sums the aggregates.
 */
#ifndef IMS_ENGINE_EVAL_H
#define IMS_ENGINE_EVAL_H

#include "model.h"

typedef struct engine_control_state {
    unsigned dirty;    /* ENGINE_DIRTY_A... during an evaluation */
    int32_t framework; /* the control's, copied here for the maturity pass */
    bool applicable, has_q;
    double a, q, b, p, k, v, e;
} engine_control_state;

typedef struct engine_metric_state {
    bool dirty; /* during an evaluation */
    bool deployed;
    double q;
} engine_metric_state;

typedef struct engine_threat_state {
    unsigned dirty; /* ENGINE_DIRTY_LAMBDA... during an evaluation */
    /* sums over the pairs that are not avoided: I (for R0) and I_r (for R) */
    double lambda, residual_factor, sum_impact, sum_residual_impact;
    int32_t pair_count;
} engine_threat_state;

typedef struct engine_process_state {
    bool dirty; /* during an evaluation */
    double readiness;
} engine_process_state;

typedef struct engine_framework_state {
    double sum_w, sum_we, sum_wa, maturity_sum[3], maturity_w[3];
    int maturity;
} engine_framework_state;

typedef struct engine_domain_state {
    double sum_w, sum_we;
} engine_domain_state;

/* A sub-control's part of the maturity sums (engine_eval_maturity): level -1 when it is
 * not applicable, else w = weight and wv = weight * s'_i, added to the tenant's sums and to
 * those of each framework in fw (fw_n of them, each once; fw_n > ENGINE_TERM_FW: more,
 * found from the model). */
#define ENGINE_TERM_FW 2
#define ENGINE_TERM_BLOCK 64
typedef struct engine_sub_term {
    double wv, w;
    int32_t level, fw_n;
    int32_t fw[ENGINE_TERM_FW];
} engine_sub_term;

struct engine_eval {
    const engine_model *model; /* the model of the latest evaluation */
    bool evaluated;
    int64_t at;
    uint64_t seen; /* the model's stamp at the latest evaluation */
    /* A control's applicability, assessed score or cap was recomputed since the maturity
     * levels were: they are computed again (they depend on nothing else). */
    bool maturity_stale;
    engine_summary summary;
    ENGINE_VEC(engine_control_state) controls;
    ENGINE_VEC(engine_metric_state) metrics;
    ENGINE_VEC(engine_threat_state) threats;
    ENGINE_VEC(engine_process_state) processes;
    ENGINE_VEC(engine_framework_state) frameworks;
    ENGINE_VEC(engine_domain_state) domains;
    /* Each sub-control's maturity term, kept between evaluations. terms_valid false: every
     * term is recomputed by the next maturity pass; else only those of the sub-controls held
     * by the controls in term_controls (whose A or K was recomputed since). */
    ENGINE_VEC(engine_sub_term) terms;
    bool terms_valid;
    int32_t *term_controls;
    int32_t term_controls_n, term_controls_cap;
    /* The terms summed per block of ENGINE_TERM_BLOCK sub-controls (valid with the terms):
     * block_stride doubles each, the tenant's sums (3 levels of wv, then of w) and the same
     * six per framework; block_dirty marks the blocks to sum again (scratch, all 0 between
     * passes). */
    ENGINE_VEC(double) blocks;
    int32_t block_stride;
    uint8_t *block_dirty;
    int32_t block_dirty_cap;
    /* Scratch of an evaluation that follows the model's log: the items to recompute. Not
     * part of the state (a clone starts without it). */
    int32_t *todo;
    int32_t todo_cap;
    double *factors; /* each incident's factor at t, during a time-changed evaluation */
    int32_t factors_cap;
};

/* engine_evaluate() without the maturity levels (the plan's what-ifs need the level only).
 * Returns 0 or IMS_ENOMEM. */
int engine_eval_refresh(const engine_model *m, int64_t t, engine_eval *ev);

/* Notes that control c's applicability or cap is being recomputed: the maturity levels are
 * stale, and the terms of its sub-controls. */
void engine_eval_maturity_touch(engine_eval *ev, int32_t c);

/* Computes the maturity levels (per framework and tenant-wide) of a refreshed state
 * (maturity.c) and returns the tenant-wide one, or IMS_ENOMEM (negative). */
int engine_eval_maturity(engine_eval *ev);

/* Whether sub-control i is applicable (base applicable and held by an applicable control). */
bool engine_sub_applicable(const engine_eval *ev, int32_t i);

/* s'_i = min(s_i, k_c over applicable controls holding i). */
double engine_sub_capped(const engine_eval *ev, int32_t i);

/* The factor (1 - gamma sigma/5 d) of incident j at t, or 1 when not opened yet. */
double engine_incident_factor(const engine_model *m, const engine_incident *j, int64_t t);

/* The index of the first sample of x with at > t. */
int32_t engine_samples_upper(const engine_metric *x, int64_t t);

/* A duration in days as whole seconds. */
int64_t engine_days_to_seconds(double days);

/* The impact of threat th on asset a through a degradation. */
double engine_asset_impact(const engine_asset *a, const engine_threat *th, double degradation);

#endif

/*
 * The layout of engine_model, shared by the engine's own modules (engine.c, plan.c,
 * snapshot.c) and by nothing else: the daemon uses engine.h only.
 *
 * Entities live in arrays and refer to each other by index; ids are strings in one
 * arena (offsets), so a clone copies arrays rather than thousands of strings. Derived
 * indexes (which incidents name a control, which incidents carry a threat...) are kept
 * up to date by every mutation and rebuilt from the inputs by engine_model_invalidate().
 */
#ifndef IMS_ENGINE_MODEL_H
#define IMS_ENGINE_MODEL_H

#include "engine.h"

typedef struct engine_ilist {
    int32_t *v;
    int32_t n, cap;
} engine_ilist;

typedef struct engine_edge {
    int32_t to;
    double w;
} engine_edge;

typedef struct engine_elist {
    engine_edge *v;
    int32_t n, cap;
} engine_elist;

/* id -> index; slots hold index + 1, 0 is empty. */
typedef struct engine_idmap {
    int32_t *slots;
    int32_t cap, n;
} engine_idmap;

enum {
    ENGINE_DIRTY_A = 1,
    ENGINE_DIRTY_Q = 2,
    ENGINE_DIRTY_P = 4,
    ENGINE_DIRTY_K = 8,
    ENGINE_DIRTY_LAMBDA = 16,
    ENGINE_DIRTY_RESIDUAL = 32,
    ENGINE_DIRTY_IMPACT = 64
};

typedef struct engine_framework {
    int32_t name;
    enum engine_system system;
    /* evaluation */
    double sum_w, sum_we, sum_wa, maturity_sum[3], maturity_w[3];
    int maturity;
    int32_t seen; /* stamp used while summing maturity */
} engine_framework;

typedef struct engine_domain {
    int32_t name, framework;
    double sum_w, sum_we;
} engine_domain;

typedef struct engine_control {
    int32_t name, framework, domain;
    double weight;
    bool declared;
    engine_ilist subs;      /* sub-controls held */
    engine_elist metrics;   /* (metric, u) */
    engine_elist mitig;     /* (threat, effectiveness) */
    engine_ilist incidents; /* incidents naming it (derived) */
    engine_ilist findings;  /* findings referring to it (derived) */
    /* cache */
    unsigned dirty;
    bool applicable, has_q;
    double a, q, b, p, k, e;
} engine_control;

typedef struct engine_subcontrol {
    int32_t name;
    engine_ilist controls;
    int level;
    double weight, effort;
    enum engine_answer answer;
    bool declared;
} engine_subcontrol;

typedef struct engine_sample {
    int64_t at;
    double value;
} engine_sample;

typedef struct engine_metric {
    int32_t name;
    double target, threshold;
    enum engine_aggregation aggregation;
    int64_t window, max_age;
    engine_elist controls;  /* (control, u) */
    engine_sample *samples; /* sorted by time, stable */
    int32_t sample_n, sample_cap;
    /* cache */
    bool dirty, deployed;
    double q;
} engine_metric;

typedef struct engine_incident {
    int32_t name;
    int severity;
    int32_t threat; /* -1: none */
    engine_ilist controls, assets /* arena offsets of asset ids */, processes;
    int64_t opened_at;
    bool resolved;
    int64_t resolved_at;
    double disruption;
} engine_incident;

typedef struct engine_finding {
    int32_t name;
    enum engine_finding_type type;
    engine_ilist controls;
    bool open;
} engine_finding;

typedef struct engine_threat {
    int32_t name;
    double likelihood;
    unsigned dims;
    engine_elist mitig;     /* (control, effectiveness) */
    engine_ilist incidents; /* incidents carrying it (derived) */
    /* cache */
    unsigned dirty;
    double lambda, residual_factor, sum_impact;
    int32_t pair_count;
} engine_threat;

typedef struct engine_asset_type {
    int32_t name;
    engine_elist rows; /* (threat, degradation) in input order */
    double *by_threat; /* degradation by threat index, 0 = no row */
    int32_t by_threat_n;
} engine_asset_type;

typedef struct engine_asset {
    int32_t name, type;
    int v[3]; /* C, I, A */
} engine_asset;

typedef struct engine_process {
    int32_t name;
    int criticality;
    double mtpd, rto, rpo;
    bool plan_reviewed;
    int64_t plan_reviewed_at;
    engine_exercise *exercises;
    int32_t exercise_n, exercise_cap;
    engine_ilist incidents; /* incidents affecting it (derived) */
    /* cache */
    bool dirty;
    double readiness;
} engine_process;

#define ENGINE_VEC(T)                                                                              \
    struct {                                                                                       \
        T *v;                                                                                      \
        int32_t n, cap;                                                                            \
    }

struct engine_model {
    engine_params params;
    unsigned systems;
    char *arena;
    int32_t arena_n, arena_cap;
    ENGINE_VEC(engine_framework) frameworks;
    ENGINE_VEC(engine_domain) domains;
    ENGINE_VEC(engine_control) controls;
    ENGINE_VEC(engine_subcontrol) subs;
    ENGINE_VEC(engine_metric) metrics;
    ENGINE_VEC(engine_incident) incidents;
    ENGINE_VEC(engine_finding) findings;
    ENGINE_VEC(engine_threat) threats;
    ENGINE_VEC(engine_asset_type) asset_types;
    ENGINE_VEC(engine_asset) assets;
    ENGINE_VEC(engine_process) processes;
    engine_idmap map_frameworks, map_controls, map_subs, map_metrics, map_incidents, map_findings,
        map_threats, map_asset_types, map_assets, map_processes;
    /* evaluation state */
    bool evaluated;
    int64_t at;
    engine_summary summary;
};

static inline const char *engine_name(const engine_model *m, int32_t off)
{
    return m->arena + off;
}

/* The effective answer value s_i. */
static inline double engine_answer_value(enum engine_answer a)
{
    return a == ENGINE_ANSWER_YES ? 1.0 : a == ENGINE_ANSWER_PARTIAL ? 0.5 : 0.0;
}

/* Whether sub-control i is base applicable (flag set, not answered na). */
static inline bool engine_sub_base(const engine_subcontrol *s)
{
    return s->declared && s->answer != ENGINE_ANSWER_NA;
}

/* Whether sub-control i is applicable (base applicable and held by an applicable control). */
bool engine_sub_applicable(const engine_model *m, int32_t i);

/* s'_i = min(s_i, k_c over applicable controls holding i). */
double engine_sub_capped(const engine_model *m, int32_t i);

/* The index of an id in one of the model's maps, or -1. */
int32_t engine_lookup(const engine_model *m, const engine_idmap *map, const char *id,
                      int32_t (*name_of)(const engine_model *, int32_t));

int32_t engine_control_name(const engine_model *m, int32_t i);
int32_t engine_sub_name(const engine_model *m, int32_t i);
int32_t engine_finding_name(const engine_model *m, int32_t i);

/* The maturity levels (tenant-wide) of the current evaluation, recomputed on demand. */
int engine_maturity_now(engine_model *m);

#endif

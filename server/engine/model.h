/*
 * The layout of engine_model, shared by the engine's own modules (model, structure,
 * mutate, evaluate, schedule, plan, explain, snapshot) and by nothing else: the daemon uses
 * engine.h only.
 *
 * A model holds inputs only. Entities live in arrays and refer to each other by index; ids
 * are strings in one arena (offsets), so a clone copies arrays rather than thousands of
 * strings. Derived indexes (which incidents name a control, which incidents carry a
 * threat...) are kept up to date by every mutation and rebuilt from the inputs by
 * engine_model_invalidate().
 *
 * Change stamps: the model counts its changes (stamp). A mutation stores a new stamp in
 * each part it changes (a control's assessed score, metric score, incident penalty or
 * finding cap; a threat's likelihood, residual factor or impact; a metric; a process). An
 * evaluated state remembers the stamp it was computed at and recomputes the parts stamped
 * later, which keeps evaluation a function of a const model.
 */
#ifndef IMS_ENGINE_MODEL_H
#define IMS_ENGINE_MODEL_H

#include "containers.h"

/* Parts of a control, and of a threat, that are recomputed separately (bit k: part k). */
enum {
    ENGINE_DIRTY_A = 1,
    ENGINE_DIRTY_Q = 2,
    ENGINE_DIRTY_P = 4,
    ENGINE_DIRTY_K = 8,
    ENGINE_DIRTY_V = 16,
    ENGINE_CONTROL_PARTS = 5
};
enum {
    ENGINE_DIRTY_LAMBDA = 1,
    ENGINE_DIRTY_RESIDUAL = 2,
    ENGINE_DIRTY_IMPACT = 4,
    ENGINE_THREAT_PARTS = 3
};

/* What a change stamp was given to (see engine_model.log). */
enum engine_change_kind {
    ENGINE_CHANGE_CONTROL,
    ENGINE_CHANGE_THREAT,
    ENGINE_CHANGE_METRIC,
    ENGINE_CHANGE_PROCESS
};

#define ENGINE_CHANGE_LOG 64

typedef struct engine_change {
    uint64_t stamp;
    int32_t index;
    uint8_t kind, bits;
} engine_change;

typedef struct engine_framework {
    int32_t name;
    enum engine_system system;
} engine_framework;

typedef struct engine_domain {
    int32_t name, framework;
} engine_domain;

typedef struct engine_control {
    int32_t name, framework, domain;
    bool declared;
    double weight;
    engine_ilist subs;                      /* sub-controls held */
    engine_elist metrics;                   /* (metric, u) */
    engine_elist mitig;                     /* (threat, effectiveness) */
    engine_ilist incidents;                 /* incidents naming it (derived) */
    engine_ilist findings;                  /* findings referring to it (derived) */
    engine_ilist artefacts;                 /* artefacts it requires, A_c (derived) */
    uint64_t changed[ENGINE_CONTROL_PARTS]; /* change stamp of each part */
    uint64_t changed_any;                   /* the latest of them */
} engine_control;

typedef struct engine_subcontrol {
    int32_t name;
    int level;
    engine_ilist controls;
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
    bool computed;          /* source "computed" (kept for the snapshot only) */
    engine_sample *samples; /* sorted by time, stable; one per second when the model merges */
    uint32_t *counts;       /* merged mean: how many samples each entry sums (NULL: one each) */
    int32_t sample_n, sample_cap;
    uint64_t changed;
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
    engine_elist mitig;      /* (control, effectiveness) */
    engine_ilist incidents;  /* incidents carrying it (derived) */
    engine_ilist treatments; /* treatments of its pairs (derived) */
    uint64_t changed[ENGINE_THREAT_PARTS];
    uint64_t changed_any; /* the latest of them */
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

typedef struct engine_artefact {
    int32_t name;
    engine_ilist controls;
    enum engine_artefact_status status;
    bool has_due;
    int64_t due;
} engine_artefact;

/* The treatment of a pair; asset is the asset's name offset, -1 once the asset is gone. */
typedef struct engine_treatment_rec {
    int32_t asset, threat;
    enum engine_treatment decision;
    double share;
} engine_treatment_rec;

typedef struct engine_process {
    int32_t name;
    int criticality;
    double mtpd, rto, rpo;
    bool plan_reviewed;
    int64_t plan_reviewed_at;
    engine_exercise *exercises;
    int32_t exercise_n, exercise_cap;
    engine_ilist incidents; /* incidents affecting it (derived) */
    uint64_t changed;
} engine_process;

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
    ENGINE_VEC(engine_artefact) artefacts;
    ENGINE_VEC(engine_treatment_rec) treatments; /* in order of first decision */
    engine_idmap map_artefacts;
    engine_idmap map_frameworks, map_controls, map_subs, map_metrics, map_incidents, map_findings,
        map_threats, map_asset_types, map_assets, map_processes;
    uint64_t stamp; /* the latest change stamp given out */
    /* The model this one was cloned from and its stamp then: a state evaluated from that
     * model up to that stamp may go on incrementally with this one. */
    const struct engine_model *clone_of;
    uint64_t clone_stamp;
    /* The latest changes, one per stamp, at log[stamp % ENGINE_CHANGE_LOG]: an evaluated
     * state a few stamps behind visits just these instead of every item. */
    engine_change log[ENGINE_CHANGE_LOG];
    /* Samples of one metric at one second are kept as one entry (engine_samples_merge). */
    bool merge_samples;
    /* A clone's lists (of controls, sub-controls, incidents, findings, threats, artefacts,
     * asset types and processes; not the metrics' own) are copied into a few chunks of
     * 64 KiB, or one block of their size when they take less (model.c), so that a copy
     * costs a few allocations instead of one per list; lists made later are allocated one
     * by one. A list in a chunk has cap = -n:
     * engine_reserve moves it out before it grows, and it is freed only through
     * engine_list_free, which leaves it to its chunk. */
    struct engine_lists_chunk *lists_block;
};

/* model.c: the bytes of a copy's list chunks (each allocation counted with the overhead
 * given). */
size_t engine_lists_block_bytes(const engine_model *m, size_t alloc_overhead);

/* samples.c: a metric's sample array. */
int engine_metric_reserve(engine_metric *x, int32_t need); /* samples and counts */
int engine_metric_counts(engine_metric *x); /* makes the counts explicit: one each so far */
static inline uint32_t engine_sample_count(const engine_metric *x, int32_t i)
{
    return x->counts ? x->counts[i] : 1;
}
/* The entry's value once a value standing for n samples is folded into it. */
static inline double engine_fold_value(enum engine_aggregation a, double held, double v)
{
    switch (a) {
    case ENGINE_AGG_MEAN:
        return held + v;
    case ENGINE_AGG_MIN:
        return v < held ? v : held;
    case ENGINE_AGG_MAX:
        return v > held ? v : held;
    default:
        return v; /* last: the later one */
    }
}
/* Folds a value standing for n samples (their sum for a mean) into entry i. */
int engine_sample_fold(engine_metric *x, int32_t i, double v, uint32_t n);

/* Frees the lists of incident j (those not held in a clone's block) and empties them. */
void engine_incident_lists_free(engine_incident *j);

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

/* Whether artefact x is current at t (section 3 step 6). */
static inline bool engine_artefact_current(const engine_artefact *x, int64_t t)
{
    return x->status == ENGINE_ARTEFACT_APPROVED && (!x->has_due || t <= x->due);
}

/* The treatment of (asset name offset, threat index), or NULL. */
static inline const engine_treatment_rec *engine_treatment_of(const engine_model *m, int32_t asset,
                                                              int32_t threat)
{
    const engine_ilist *l = &m->threats.v[threat].treatments;
    for (int32_t k = 0; k < l->n; k++)
        if (m->treatments.v[l->v[k]].asset == asset)
            return &m->treatments.v[l->v[k]];
    return NULL;
}

/* The index of an id in one of the model's maps, or -1. */
int32_t engine_lookup(const engine_model *m, const engine_idmap *map, const char *id,
                      int32_t (*name_of)(const engine_model *, int32_t));

int32_t engine_control_name(const engine_model *m, int32_t i);
int32_t engine_sub_name(const engine_model *m, int32_t i);
int32_t engine_finding_name(const engine_model *m, int32_t i);

/* Adds the id to the arena and the map; the entity's index is idx. Returns 0 or IMS_ENOMEM. */
int engine_register_id(engine_model *m, engine_idmap *map, const char *id, int32_t idx,
                       int32_t *name);

/* Resolves a list of control ids into out (no duplicates). Returns 0, IMS_ENOTFOUND,
 * IMS_EINVAL, IMS_ENOMEM with the message in err. */
int engine_resolve_controls(engine_model *m, const char *const *ids, size_t n, engine_ilist *out,
                            engine_error *err);

/* Treatments of a removed asset (by name offset) weigh nothing any more (evidence.c). */
void engine_treatments_drop_asset(engine_model *m, int32_t name);
/* Rebuilds controls' artefact lists and threats' treatment lists. 0 or IMS_ENOMEM. */
int engine_evidence_reindex(engine_model *m);

/* A new change stamp, logged with what it changed. */
static inline uint64_t engine_stamp(engine_model *m, enum engine_change_kind kind, int32_t index,
                                    unsigned bits)
{
    uint64_t stamp = ++m->stamp;
    m->log[stamp % ENGINE_CHANGE_LOG] = (engine_change){
        .stamp = stamp, .index = index, .kind = (uint8_t)kind, .bits = (uint8_t)bits};
    return stamp;
}

/* Gives the parts `bits` (ENGINE_DIRTY_A...) of control c a new change stamp. */
static inline void engine_mark_control(engine_model *m, int32_t c, unsigned bits)
{
    uint64_t stamp = engine_stamp(m, ENGINE_CHANGE_CONTROL, c, bits);
    for (int k = 0; k < ENGINE_CONTROL_PARTS; k++)
        if (bits & (1u << k))
            m->controls.v[c].changed[k] = stamp;
    m->controls.v[c].changed_any = stamp;
}

static inline void engine_mark_controls(engine_model *m, const engine_ilist *l, unsigned bits)
{
    for (int32_t i = 0; i < l->n; i++)
        engine_mark_control(m, l->v[i], bits);
}

/* Gives the parts `bits` (ENGINE_DIRTY_LAMBDA...) of threat t a new change stamp. */
static inline void engine_mark_threat(engine_model *m, int32_t t, unsigned bits)
{
    uint64_t stamp = engine_stamp(m, ENGINE_CHANGE_THREAT, t, bits);
    for (int k = 0; k < ENGINE_THREAT_PARTS; k++)
        if (bits & (1u << k))
            m->threats.v[t].changed[k] = stamp;
    m->threats.v[t].changed_any = stamp;
}

static inline void engine_mark_metric(engine_model *m, int32_t i)
{
    m->metrics.v[i].changed = engine_stamp(m, ENGINE_CHANGE_METRIC, i, 0);
}

static inline void engine_mark_process(engine_model *m, int32_t p)
{
    m->processes.v[p].changed = engine_stamp(m, ENGINE_CHANGE_PROCESS, p, 0);
}

#endif

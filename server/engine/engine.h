/*
 * The security-level engine: the model of docs SECURITY-LEVEL.md as a pure library.
 *
 * One engine_model holds one tenant's inputs (structure, parameters, answers, metrics and
 * their samples, incidents, findings, assets, threats, matrices, processes) and the indexes
 * derived from them; nothing computed. Every mutation stamps the parts that depend on it.
 *
 * Evaluation is a function of a const model and a time: engine_evaluate() brings an
 * evaluated state (engine_eval, owned by the caller) up to date with the model at t. A new
 * state is computed in full; a state computed before from the same model, or from the
 * model this one was cloned from, recomputes only the parts stamped since (a control's
 * assessed score, metric score, incident penalty and finding cap separately), then re-sums
 * the aggregates in a fixed order. An incremental evaluation therefore gives the same
 * figures as a full one (the property test checks 1e-9; in practice they are bit-identical
 * except for the order of a product over incidents). The per-item figures are read from
 * the state, which keeps a pointer to the model it was computed from: that model must
 * outlive the state's reads and not change while they happen.
 *
 * The usual cycle, as in the daemon: clone the current model and the current state, apply
 * the change to the model copy, evaluate the copy into the state copy; the pair replaces
 * the current one, and every read uses the current pair without evaluating.
 *
 * No I/O, no globals, no clock: the evaluation time `t` is an argument (int64 seconds since
 * the Unix epoch, UTC). Changing `t` between two evaluations recomputes every
 * time-dependent item (metrics, incident penalties, likelihoods, processes).
 *
 * Where SECURITY-LEVEL.md is silent, the engine decides as follows:
 *  - Applicability: sub-control i is "base applicable" when its flag is set and it is not
 *    answered na; control c is applicable when its flag is set and it holds a base
 *    applicable sub-control (so a control without sub-controls is excluded); i is
 *    applicable when base applicable and held by an applicable control. a_c sums over the
 *    base applicable sub-controls of c.
 *  - A system's framework score is the flat sum over the applicable controls of all its
 *    frameworks (score(ISMS) = score(ISO 27001) when it is the only ISMS framework).
 *  - An incident whose resolved_at is after t is still unresolved at t (d = 1).
 *  - Maturity: s'_i = min(s_i, k_c over every applicable control holding i); per framework
 *    the same s'_i over the applicable sub-controls held by an applicable control of the
 *    framework. C_k >= theta is tested with a 1e-12 tolerance so that a sum that is theta
 *    in exact arithmetic is not refused for a rounding error.
 *  - Risk level: grid[likelihood][impact] of the ISO/IEC 27005 5x5 matrix, both indexes
 *    ceil(x - 1e-9) clamped to 1..5. Sum R is computed per threat as lambda_r * sum I_r.
 *  - An exercise or plan review exactly at t counts; "latest exercise" is the one with the
 *    largest time (the last given among equal times).
 *  - Samples with equal times keep their insertion order; the last one is "latest".
 *  - Evidence: an artefact with no control evidences nothing; one naming an excluded
 *    control still counts in A_c of that control (which is left out of every sum anyway).
 *  - Treatment "avoid": the pair's figures are still reported (I_r = I); it leaves the sums
 *    of rho and the pair count that decides whether RMS has pairs.
 *
 * engine_next_due(): the next instant > t at which a discrete, time-driven event changes
 * an input of the model: a future sample, incident opening or resolution, exercise or plan
 * review becomes visible; an approved artefact's review falls due (review_due + 1); a
 * metric's latest sample becomes stale (at + max_age + 1); a
 * sample leaves a mean/min/max window (at + window); an incident leaves the likelihood or
 * the review window; a plan review or exercise leaves the review window. Incident decay is
 * continuous; while any resolved incident linked to an applicable control still weighs
 * gamma * sigma/5 * d >= decay_epsilon (argument, e.g. 1e-4), the next due time is at most
 * t + decay_period (argument, e.g. 3600 s), so the daemon re-evaluates hourly while a
 * penalty decays and stops when the penalty has become negligible.
 *
 * Errors: functions that can fail return 0 or a negative IMS_E* code and, when `err` is
 * not NULL, write a message "<field>: <problem>" naming the field of the input struct
 * (the snapshot parser prefixes it with the JSON path of the item).
 */
#ifndef IMS_ENGINE_H
#define IMS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ims/error.h"

#define ENGINE_WARN_UNUSED __attribute__((warn_unused_result))

typedef struct engine_model engine_model;

/* A message naming the field and the problem, for the caller to show. */
typedef struct engine_error {
    char msg[256];
} engine_error;

/* Management systems. The engine knows a system only by how its score is formed: ISMS and
 * SMS are the flat score of their frameworks, BCMS blends in readiness, RMS blends in rho.
 * Frameworks are data: any id, attached to one system (ISO/IEC 20000-1 is
 * "iso20000-1-2018" in the catalog, an SMS framework like any other). */
enum engine_system {
    ENGINE_ISMS = 0,
    ENGINE_BCMS = 1,
    ENGINE_RMS = 2,
    ENGINE_SMS = 3,
    ENGINE_SYSTEM_COUNT = 4
};

enum engine_answer {
    ENGINE_ANSWER_NONE = 0, /* unanswered: counts 0 */
    ENGINE_ANSWER_YES,
    ENGINE_ANSWER_PARTIAL,
    ENGINE_ANSWER_NO,
    ENGINE_ANSWER_NA /* excluded */
};

enum engine_aggregation { ENGINE_AGG_LAST = 0, ENGINE_AGG_MEAN, ENGINE_AGG_MIN, ENGINE_AGG_MAX };

enum engine_finding_type {
    ENGINE_FINDING_MAJOR_NC = 0,
    ENGINE_FINDING_MINOR_NC,
    ENGINE_FINDING_OBSERVATION,
    ENGINE_FINDING_OPPORTUNITY
};

/* Bits of engine_threat_input.dimensions. */
enum { ENGINE_DIM_C = 1, ENGINE_DIM_I = 2, ENGINE_DIM_A = 4 };

/* Schema parameters (section 2). Durations in days as in the snapshot. */
typedef struct engine_params {
    double beta, gamma, half_life_days, cap_major_nc, cap_minor_nc, theta;
    double beta_risk, beta_bcms, likelihood_window_days, review_window_days;
    double evidence_weight;                    /* eta, [0, 1] */
    int appetite;                              /* 1..5 */
    double system_weight[ENGINE_SYSTEM_COUNT]; /* >= 0 */
} engine_params;

/* The defaults of section 2. */
void engine_params_default(engine_params *params);

/* Checks ranges; the message names the snapshot key ("beta: must be in [0, 1]"). */
int engine_params_check(const engine_params *params, engine_error *err) ENGINE_WARN_UNUSED;

/* ---- building a model ---------------------------------------------------------------- */

/*
 * A new empty model with the given parameters (NULL: defaults) and enabled systems
 * (bit 1 << ENGINE_ISMS etc.). Returns 0, IMS_EINVAL (bad parameter), IMS_ENOMEM.
 */
int engine_model_new(const engine_params *params, unsigned systems, engine_model **out,
                     engine_error *err) ENGINE_WARN_UNUSED;
void engine_model_free(engine_model *model);

/*
 * A deep copy (change stamps included, so a clone of the state evaluated from the original
 * evaluates the copy incrementally). Cost: O(size of the tenant), a few hundred small
 * allocations plus one copy of each array (about 0.05 ms for the benchmark tenant, see
 * bench/README.md). Returns 0 or IMS_ENOMEM.
 */
int engine_model_clone(const engine_model *model, engine_model **out) ENGINE_WARN_UNUSED;

/* Replaces *model by a copy of it holding no spare room (every array and list at its
 * length, the lists in blocks of their size): what a model built item by item, such as a
 * parsed snapshot, keeps in memory afterwards. A state evaluated from the old model does
 * not go on incrementally with the copy. Returns 0, or IMS_ENOMEM with *model unchanged. */
int engine_model_compact(engine_model **model) ENGINE_WARN_UNUSED;

/* Rebuilds the derived indexes from the inputs and stamps every part as changed, so the
 * next evaluation of any state recomputes everything. Returns 0 or IMS_ENOMEM. */
int engine_model_invalidate(engine_model *model) ENGINE_WARN_UNUSED;

/* The content of dst becomes that of src and src receives dst's former content (free it
 * with engine_model_free). dst's change stamp only grows, and dst is no longer related to
 * the model it was cloned from: the next evaluation of any state recomputes everything.
 * For changes that replace a tenant's content as a whole (a rebase, a tuning). A merging
 * dst goes on merging (src's samples are merged first). Returns 0, or IMS_ENOMEM and then
 * dst's content did not move. */
int engine_model_take(engine_model *dst, engine_model *src) ENGINE_WARN_UNUSED;

const engine_params *engine_model_params(const engine_model *model);
unsigned engine_model_systems(const engine_model *model);

/* Adds a framework. Returns 0, IMS_EINVAL, IMS_EEXISTS (duplicate id), IMS_ENOMEM. */
int engine_framework_add(engine_model *model, const char *id, enum engine_system system,
                         engine_error *err) ENGINE_WARN_UNUSED;

typedef struct engine_control_input {
    const char *id, *framework, *domain;
    double weight; /* > 0 */
    bool applicable;
} engine_control_input;

/* Returns 0, IMS_EINVAL, IMS_ENOTFOUND (framework), IMS_EEXISTS, IMS_ENOMEM. */
int engine_control_add(engine_model *model, const engine_control_input *in,
                       engine_error *err) ENGINE_WARN_UNUSED;

typedef struct engine_subcontrol_input {
    const char *id;
    const char *const *controls; /* at least one, no duplicates */
    size_t control_count;
    int level;     /* 1..3 */
    double weight; /* > 0 */
    double effort; /* > 0; 0 means the default, the level */
    enum engine_answer answer;
    bool applicable;
} engine_subcontrol_input;

/* Returns 0, IMS_EINVAL, IMS_ENOTFOUND (control), IMS_EEXISTS, IMS_ENOMEM. */
int engine_subcontrol_add(engine_model *model, const engine_subcontrol_input *in,
                          engine_error *err) ENGINE_WARN_UNUSED;

typedef struct engine_metric_mapping {
    const char *control;
    double weight; /* u_mc > 0 */
} engine_metric_mapping;

typedef struct engine_metric_input {
    const char *id;
    double target, threshold; /* threshold != target */
    enum engine_aggregation aggregation;
    int64_t window;  /* seconds, > 0 unless aggregation is last (then >= 0) */
    int64_t max_age; /* seconds, > 0 */
    const engine_metric_mapping *controls;
    size_t control_count;
    bool computed; /* sampled by the server itself (section 12); evaluated like any other */
} engine_metric_input;

/* Returns 0, IMS_EINVAL, IMS_ENOTFOUND (control), IMS_EEXISTS, IMS_ENOMEM. */
int engine_metric_add(engine_model *model, const engine_metric_input *in,
                      engine_error *err) ENGINE_WARN_UNUSED;

/* Adds one sample (incremental). Returns 0, IMS_EINVAL (not finite), IMS_ENOTFOUND, ENOMEM. */
int engine_sample_add(engine_model *model, const char *metric, int64_t at, double value,
                      engine_error *err) ENGINE_WARN_UNUSED;

/* Adds n samples at once, giving the same arrays as n calls of engine_sample_add in that
 * order, but with each metric's array moved once instead of once per sample and one
 * change stamp per metric instead of one per sample (so figures brought up to date
 * afterwards are the same). Nothing is added when one is refused: *bad is its index. Returns 0, IMS_EINVAL
 * (not finite), IMS_ENOTFOUND (unknown metric), IMS_ENOMEM (then the model may hold part of
 * the batch: drop it). */
int engine_samples_add(engine_model *model, size_t n, const char *const *metrics,
                       const int64_t *at, const double *values, size_t *bad,
                       engine_error *err) ENGINE_WARN_UNUSED;

/*
 * Forgets the samples that no evaluation at a time >= now can use: of each metric, every
 * sample before its latest one at or before now, except (mean, min, max) those inside the
 * window before now (at > now - window). Samples after now are kept. Figures and
 * engine_next_due() at every t >= now are unchanged, so no part is stamped; evaluating the
 * model at a time before now afterwards is not meaningful. A metric's array is compacted
 * only when at least a third of it can go, so calling this after every write costs a
 * binary search per metric and each sample is moved O(1) times; the array's spare room is
 * given back when it exceeds half. Returns the number of samples dropped.
 */
size_t engine_samples_prune(engine_model *model, int64_t now);

/*
 * From now on, samples of one metric at the same second are kept as one entry: the later
 * value for `last`, the smaller or larger for `min` and `max`, the sum and how many for
 * `mean`; the samples held are merged so now. What a metric holds is then bounded by its
 * window in seconds, whatever the rate at which samples come. Figures and
 * engine_next_due() are the same as without merging, except that a mean's samples are
 * summed second by second first (its last bits may differ). A merging model cannot be
 * written as a snapshot document (its samples are no longer apart); clones merge too.
 * Returns 0 or IMS_ENOMEM (then some metrics are merged, which changes no figure).
 */
int engine_samples_merge(engine_model *model) ENGINE_WARN_UNUSED;

typedef struct engine_threat_input {
    const char *id;
    double likelihood;   /* [1, 5] */
    unsigned dimensions; /* ENGINE_DIM_* bits, not empty */
} engine_threat_input;

/* Returns 0, IMS_EINVAL, IMS_EEXISTS, IMS_ENOMEM. */
int engine_threat_add(engine_model *model, const engine_threat_input *in,
                      engine_error *err) ENGINE_WARN_UNUSED;

typedef struct engine_degradation {
    const char *threat;
    double degradation; /* (0, 1] */
} engine_degradation;

typedef struct engine_asset_type_input {
    const char *id;
    const engine_degradation *threats;
    size_t threat_count;
} engine_asset_type_input;

/* Returns 0, IMS_EINVAL, IMS_ENOTFOUND (threat), IMS_EEXISTS, IMS_ENOMEM. */
int engine_asset_type_add(engine_model *model, const engine_asset_type_input *in,
                          engine_error *err) ENGINE_WARN_UNUSED;

/* Threat x control edge. Returns 0, IMS_EINVAL, IMS_ENOTFOUND, IMS_EEXISTS (same pair). */
int engine_mitigation_add(engine_model *model, const char *threat, const char *control,
                          double effectiveness, engine_error *err) ENGINE_WARN_UNUSED;

typedef struct engine_asset_input {
    const char *id, *type;
    int confidentiality, integrity, availability; /* 0..5 */
} engine_asset_input;

/* Adds the asset or replaces the one with the same id (incremental). Returns 0,
 * IMS_EINVAL, IMS_ENOTFOUND (type), IMS_ENOMEM. */
int engine_asset_put(engine_model *model, const engine_asset_input *in,
                     engine_error *err) ENGINE_WARN_UNUSED;
/* Removes an asset (incremental), and from the incidents naming it. Returns 0 or
 * IMS_ENOTFOUND. */
int engine_asset_remove(engine_model *model, const char *id, engine_error *err) ENGINE_WARN_UNUSED;

typedef struct engine_exercise {
    int64_t at;
    double recovery_min; /* >= 0 */
} engine_exercise;

typedef struct engine_process_input {
    const char *id;
    int criticality;                   /* 1..5 */
    double mtpd_min, rto_min, rpo_min; /* >= 0, rto <= mtpd */
    bool plan_reviewed;
    int64_t plan_reviewed_at;
    const engine_exercise *exercises;
    size_t exercise_count;
} engine_process_input;

/* Adds the process or replaces the one with the same id (its exercises too; incremental).
 * Returns 0, IMS_EINVAL (e.g. "rto_min: must be <= mtpd_min"), IMS_ENOMEM. */
int engine_process_put(engine_model *model, const engine_process_input *in,
                       engine_error *err) ENGINE_WARN_UNUSED;
/* Records a plan review. Returns 0 or IMS_ENOTFOUND. */
int engine_process_set_plan_review(engine_model *model, const char *process, int64_t at,
                                   engine_error *err) ENGINE_WARN_UNUSED;
/* Records an exercise. Returns 0, IMS_EINVAL, IMS_ENOTFOUND, IMS_ENOMEM. */
int engine_process_add_exercise(engine_model *model, const char *process,
                                const engine_exercise *exercise,
                                engine_error *err) ENGINE_WARN_UNUSED;

typedef struct engine_incident_input {
    const char *id;
    int severity;       /* 1..5 */
    const char *threat; /* NULL: none */
    const char *const *controls;
    size_t control_count;
    const char *const *assets;
    size_t asset_count;
    const char *const *processes;
    size_t process_count;
    int64_t opened_at;
    bool resolved;
    int64_t resolved_at;       /* >= opened_at */
    double disruption_minutes; /* >= 0 */
} engine_incident_input;

/* Opens an incident or replaces the one with the same id (incremental). Returns 0,
 * IMS_EINVAL, IMS_ENOTFOUND (a reference), IMS_ENOMEM. */
int engine_incident_put(engine_model *model, const engine_incident_input *in,
                        engine_error *err) ENGINE_WARN_UNUSED;
/* Resolves an incident at `at` (incremental). Returns 0, IMS_EINVAL, IMS_ENOTFOUND. */
int engine_incident_resolve(engine_model *model, const char *id, int64_t at,
                            engine_error *err) ENGINE_WARN_UNUSED;

typedef struct engine_finding_input {
    const char *id;
    enum engine_finding_type type;
    const char *const *controls;
    size_t control_count;
    bool open;
} engine_finding_input;

/* Opens a finding or replaces the one with the same id (incremental). Returns 0,
 * IMS_EINVAL, IMS_ENOTFOUND, IMS_ENOMEM. */
int engine_finding_put(engine_model *model, const engine_finding_input *in,
                       engine_error *err) ENGINE_WARN_UNUSED;
/* Opens or closes a finding (incremental). Returns 0 or IMS_ENOTFOUND. */
int engine_finding_set_open(engine_model *model, const char *id, bool open,
                            engine_error *err) ENGINE_WARN_UNUSED;

/* Incremental changes of the assessment. Return 0, IMS_EINVAL or IMS_ENOTFOUND. */
int engine_subcontrol_set_answer(engine_model *model, const char *id, enum engine_answer answer,
                                 engine_error *err) ENGINE_WARN_UNUSED;
int engine_subcontrol_set_applicable(engine_model *model, const char *id, bool applicable,
                                     engine_error *err) ENGINE_WARN_UNUSED;
int engine_control_set_applicable(engine_model *model, const char *id, bool applicable,
                                  engine_error *err) ENGINE_WARN_UNUSED;

/* ---- evidence and risk treatment (evidence.c) ------------------------------------------ */

enum engine_artefact_status {
    ENGINE_ARTEFACT_MISSING = 0,
    ENGINE_ARTEFACT_DRAFT,
    ENGINE_ARTEFACT_APPROVED,
    ENGINE_ARTEFACT_OBSOLETE
};

typedef struct engine_artefact_input {
    const char *id;
    const char *const *controls; /* the controls it evidences (A_c), no duplicates */
    size_t control_count;
    enum engine_artefact_status status;
    bool has_review_due;
    int64_t review_due; /* current while t <= review_due */
} engine_artefact_input;

/* Adds an artefact or replaces the one with the same id (incremental). An artefact is
 * current at t when approved and without a review due time or t <= it (section 3 step 6).
 * Returns 0, IMS_EINVAL, IMS_ENOTFOUND (control), IMS_ENOMEM. */
int engine_artefact_put(engine_model *model, const engine_artefact_input *in,
                        engine_error *err) ENGINE_WARN_UNUSED;
/* Changes an artefact's status, or its review due time (has_due false: none); both
 * incremental. Return 0, IMS_EINVAL or IMS_ENOTFOUND. */
int engine_artefact_set_status(engine_model *model, const char *id,
                               enum engine_artefact_status status,
                               engine_error *err) ENGINE_WARN_UNUSED;
int engine_artefact_set_review_due(engine_model *model, const char *id, bool has_due, int64_t due,
                                   engine_error *err) ENGINE_WARN_UNUSED;

enum engine_treatment {
    ENGINE_TREAT_NONE = 0, /* no decision */
    ENGINE_TREAT_MITIGATE,
    ENGINE_TREAT_ACCEPT,
    ENGINE_TREAT_TRANSFER,
    ENGINE_TREAT_AVOID
};

/* Sets the treatment of the pair (asset, threat) (incremental): mitigate, accept and none
 * leave the figures; transfer with share phi in [0, 1] gives I_r = I (1 - phi); avoid
 * takes the pair out of rho's sums. The pair need not exist (an asset type without a row
 * for the threat): the decision is kept and weighs nothing. Removing the asset removes its
 * treatments. Returns 0, IMS_EINVAL (share), IMS_ENOTFOUND (asset or threat), IMS_ENOMEM. */
int engine_treatment_set(engine_model *model, const char *asset, const char *threat,
                         enum engine_treatment decision, double share,
                         engine_error *err) ENGINE_WARN_UNUSED;

/* ---- evaluation ---------------------------------------------------------------------- */

typedef struct engine_summary {
    int64_t at;
    double security_level;                     /* 0..1 */
    int maturity;                              /* 0..3 */
    bool system_included[ENGINE_SYSTEM_COUNT]; /* enabled and something to score */
    double system_score[ENGINE_SYSTEM_COUNT];
    bool has_pairs;    /* a pair that is not avoided */
    double rho;        /* defined when has_pairs */
    size_t pair_count; /* pairs not avoided */
    bool has_processes;
    double readiness; /* defined when has_processes */
} engine_summary;

typedef struct engine_eval engine_eval;

/* A new, empty evaluated state: its first evaluation is a full one. Returns 0 or
 * IMS_ENOMEM. */
int engine_eval_new(engine_eval **out) ENGINE_WARN_UNUSED;
/* A copy of a state, to be brought up to date with a changed clone of its model. Returns
 * 0 or IMS_ENOMEM. */
int engine_eval_clone(const engine_eval *eval, engine_eval **out) ENGINE_WARN_UNUSED;
void engine_eval_free(engine_eval *eval);
/* Forgets what the state knows, so that its next evaluation is a full one (needed before
 * using it with a model that is not the one it was computed from, or a clone of it). */
void engine_eval_reset(engine_eval *eval);

/*
 * Brings eval up to date with the model at t (see the header comment): recomputes what the
 * model changed since eval last saw it, and everything time-dependent when t differs from
 * eval's time. The model is not changed. eval must be new (or reset), or have been
 * evaluated from this model or from the model this one was cloned from. *out (when not
 * NULL) receives the summary. Returns 0 or IMS_ENOMEM (eval is then reset).
 */
int engine_evaluate(const engine_model *model, int64_t t, engine_eval *eval,
                    engine_summary *out) ENGINE_WARN_UNUSED;

/* The model of the state's latest evaluation (NULL before the first) and its summary. */
const engine_model *engine_eval_model(const engine_eval *eval);
const engine_summary *engine_eval_summary(const engine_eval *eval);

/* The next due time > t of the state's model (see the header comment); INT64_MAX when
 * nothing is due. eval must be up to date with its model (any time). */
int64_t engine_next_due(const engine_eval *eval, int64_t t, int64_t decay_period,
                        double decay_epsilon);

/* The memory a model, and an evaluated state, hold (an estimate: every array's capacity
 * and a small allowance per allocation), for a cache's budget. */
size_t engine_model_bytes(const engine_model *model);
size_t engine_eval_bytes(const engine_eval *eval);

/* ---- figures of an evaluated state ---------------------------------------------------- */

/* Counts and indexes are those of the model at the state's latest evaluation, ids point
 * into that model; none of these functions changes anything. */

typedef struct engine_control_figures {
    bool applicable;
    double a;
    bool has_q; /* false: no deployed metric, q is meaningless */
    double q, b, p, cap, e;
    double v; /* evidence factor */
} engine_control_figures;

size_t engine_control_count(const engine_eval *eval);
const char *engine_control_id(const engine_eval *eval, size_t index);
/* The index of a control, or -1. */
long engine_control_find(const engine_eval *eval, const char *id);
void engine_control_get(const engine_eval *eval, size_t index, engine_control_figures *out);

typedef struct engine_framework_figures {
    enum engine_system system;
    bool has_score; /* false: no applicable control */
    double score, assessed;
    int maturity;
} engine_framework_figures;

size_t engine_framework_count(const engine_eval *eval);
const char *engine_framework_id(const engine_eval *eval, size_t index);
void engine_framework_get(const engine_eval *eval, size_t index, engine_framework_figures *out);

typedef struct engine_domain_figures {
    const char *id;
    size_t framework;
    bool has_score;
    double score;
} engine_domain_figures;

size_t engine_domain_count(const engine_eval *eval);
void engine_domain_get(const engine_eval *eval, size_t index, engine_domain_figures *out);

typedef struct engine_pair_figures {
    const char *asset, *threat;
    double impact, likelihood, residual_likelihood, inherent, residual;
    double residual_impact; /* I_r: I (1 - share) when transferred, else I */
    enum engine_treatment treatment;
    double share; /* when transferred */
    int level;    /* from (residual likelihood, residual impact) */
    bool within_appetite;
} engine_pair_figures;

/* Calls fn for every (asset, threat) pair, assets in order, then the rows of their type. */
void engine_pairs_foreach(const engine_eval *eval,
                          void (*fn)(void *ctx, const engine_pair_figures *pair), void *ctx);

size_t engine_process_count(const engine_eval *eval);
const char *engine_process_id(const engine_eval *eval, size_t index);
double engine_process_readiness(const engine_eval *eval, size_t index);

/* The 5x5 grid: level for likelihood and impact in 1..5. */
int engine_risk_level(int likelihood, int impact);

#endif

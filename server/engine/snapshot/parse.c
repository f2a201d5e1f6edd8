/*
 * Parsing a snapshot document into a new model, section by section, every problem named
 * by its JSON path. See snapshot.h.
 */
#include "json_read.h"
#include "model.h"
#include "names.h"
#include "snapshot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A metric's window and max_age: at most 100 years (what the database stores too). */
#define SNAPSHOT_MAX_SPAN_S INT64_C(3155760000)

static int parse_params(snapshot_parser *p, json_t *root, engine_params *params)
{
    engine_params_default(params);
    json_t *o = json_object_get(root, "params");
    if (!o)
        return 0;
    snprintf(p->path, sizeof p->path, "$.params");
    static const char *const keys[] = {"beta",
                                       "gamma",
                                       "half_life_days",
                                       "cap_major_nc",
                                       "cap_minor_nc",
                                       "theta",
                                       "beta_risk",
                                       "beta_bcms",
                                       "likelihood_window_days",
                                       "review_window_days",
                                       "appetite",
                                       "system_weights",
                                       "evidence_weight",
                                       NULL};
    int rc = snapshot_check_keys(p, o, keys);
    double *fields[] = {&params->beta,
                        &params->gamma,
                        &params->half_life_days,
                        &params->cap_major_nc,
                        &params->cap_minor_nc,
                        &params->theta,
                        &params->beta_risk,
                        &params->beta_bcms,
                        &params->likelihood_window_days,
                        &params->review_window_days};
    if (rc == 0)
        rc = snapshot_get_double(p, o, "evidence_weight", false, params->evidence_weight,
                                 &params->evidence_weight);
    for (size_t i = 0; rc == 0 && i < sizeof fields / sizeof fields[0]; i++)
        rc = snapshot_get_double(p, o, keys[i], false, *fields[i], fields[i]);
    int64_t appetite = 0;
    if (rc == 0)
        rc = snapshot_get_int(p, o, "appetite", false, params->appetite, 1, 5, &appetite);
    if (rc)
        return rc;
    params->appetite = (int)appetite;
    json_t *sw = json_object_get(o, "system_weights");
    if (sw) {
        snprintf(p->path, sizeof p->path, "$.params.system_weights");
        static const char *const skeys[] = {"ISMS", "BCMS", "RMS", "SMS", NULL};
        rc = snapshot_check_keys(p, sw, skeys);
        for (int s = 0; rc == 0 && s < ENGINE_SYSTEM_COUNT; s++)
            rc = snapshot_get_double(p, sw, skeys[s], false, params->system_weight[s],
                                     &params->system_weight[s]);
        if (rc)
            return rc;
    }
    snprintf(p->path, sizeof p->path, "$.params");
    engine_error e;
    rc = engine_params_check(params, &e);
    if (rc)
        return snapshot_model_err(p, rc, &e);
    return 0;
}

static int parse_systems(snapshot_parser *p, json_t *root, unsigned *systems)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "systems", true, &a);
    if (rc)
        return rc;
    *systems = 0;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *s = json_array_get(a, i);
        int k = json_is_string(s)
                    ? snapshot_enum_of(json_string_value(s), system_names, ENGINE_SYSTEM_COUNT)
                    : -1;
        snprintf(p->path, sizeof p->path, "$.systems[%zu]", i);
        if (k < 0)
            return snapshot_perr(p, IMS_EINVAL, NULL,
                                 "must be \"ISMS\", \"BCMS\", \"RMS\" or \"SMS\"");
        if (*systems & (1u << k))
            return snapshot_perr(p, IMS_EINVAL, NULL, "duplicate system");
        *systems |= 1u << k;
    }
    return 0;
}

static int parse_frameworks(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "frameworks", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "frameworks", i);
        static const char *const keys[] = {"id", "system", NULL};
        const char *id, *sys;
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "id", true, false, &id)) ||
            (rc = snapshot_get_string(p, o, "system", true, false, &sys)))
            return rc;
        int s = snapshot_enum_of(sys, system_names, ENGINE_SYSTEM_COUNT);
        if (s < 0)
            return snapshot_perr(p, IMS_EINVAL, "system",
                                 "must be \"ISMS\", \"BCMS\", \"RMS\" or \"SMS\"");
        engine_error e;
        if ((rc = engine_framework_add(m, id, (enum engine_system)s, &e)))
            return snapshot_model_err(p, rc, &e);
    }
    return rc;
}

static int parse_controls(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "controls", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "controls", i);
        static const char *const keys[] = {"id",     "framework",  "domain",
                                           "weight", "applicable", NULL};
        engine_control_input in = {0};
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "id", true, false, &in.id)) ||
            (rc = snapshot_get_string(p, o, "framework", true, false, &in.framework)) ||
            (rc = snapshot_get_string(p, o, "domain", false, false, &in.domain)) ||
            (rc = snapshot_get_double(p, o, "weight", false, 1, &in.weight)) ||
            (rc = snapshot_get_bool(p, o, "applicable", true, &in.applicable)))
            return rc;
        engine_error e;
        if ((rc = engine_control_add(m, &in, &e)))
            return snapshot_model_err(p, rc, &e);
    }
    return rc;
}

static int parse_subcontrols(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "subcontrols", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "subcontrols", i);
        static const char *const keys[] = {"id",     "controls", "level",      "weight",
                                           "effort", "answer",   "applicable", NULL};
        engine_subcontrol_input in = {0};
        const char **controls = NULL;
        const char *answer;
        int64_t level = 0;
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "id", true, false, &in.id)) ||
            (rc = snapshot_get_int(p, o, "level", true, 0, 1, 3, &level)) ||
            (rc = snapshot_get_double(p, o, "weight", false, 1, &in.weight)) ||
            (rc = snapshot_get_double(p, o, "effort", false, 0, &in.effort)) ||
            (rc = snapshot_get_string(p, o, "answer", false, true, &answer)) ||
            (rc = snapshot_get_bool(p, o, "applicable", true, &in.applicable)))
            return rc;
        if (json_object_get(o, "effort") && in.effort <= 0)
            return snapshot_perr(p, IMS_EINVAL, "effort", "must be > 0");
        in.level = (int)level;
        in.answer = ENGINE_ANSWER_NONE;
        if (answer) {
            int k = snapshot_enum_of(answer, answer_names, 5);
            if (k < 0)
                return snapshot_perr(p, IMS_EINVAL, "answer",
                                     "must be \"yes\", \"partial\", \"no\", \"na\" or null");
            in.answer = (enum engine_answer)k;
        }
        if ((rc = snapshot_get_strings(p, o, "controls", true, &controls, &in.control_count)))
            return rc;
        in.controls = controls;
        engine_error e;
        rc = engine_subcontrol_add(m, &in, &e);
        free(controls);
        if (rc)
            return snapshot_model_err(p, rc, &e);
    }
    return rc;
}

static int parse_metrics(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "metrics", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "metrics", i);
        static const char *const keys[] = {"id",          "target", "threshold",
                                           "aggregation", "window", "max_age",
                                           "controls",    "source", NULL};
        engine_metric_input in = {0};
        const char *agg, *source;
        json_t *maps;
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "id", true, false, &in.id)) ||
            (rc = snapshot_get_double(p, o, "target", true, 0, &in.target)) ||
            (rc = snapshot_get_double(p, o, "threshold", true, 0, &in.threshold)) ||
            (rc = snapshot_get_string(p, o, "aggregation", true, false, &agg)) ||
            (rc = snapshot_get_int(p, o, "window", false, 0, 0, SNAPSHOT_MAX_SPAN_S, &in.window)) ||
            (rc = snapshot_get_int(p, o, "max_age", true, 0, 1, SNAPSHOT_MAX_SPAN_S, &in.max_age)) ||
            (rc = snapshot_get_array(p, o, "controls", false, &maps)) ||
            (rc = snapshot_get_string(p, o, "source", false, false, &source)))
            return rc;
        if (source && strcmp(source, "computed") != 0 && strcmp(source, "pushed") != 0)
            return snapshot_perr(p, IMS_EINVAL, "source", "must be \"pushed\" or \"computed\"");
        in.computed = source && strcmp(source, "computed") == 0;
        int k = snapshot_enum_of(agg, aggregation_names, 4);
        if (k < 0)
            return snapshot_perr(p, IMS_EINVAL, "aggregation",
                                 "must be \"last\", \"mean\", \"min\" or \"max\"");
        in.aggregation = (enum engine_aggregation)k;
        size_t n = json_array_size(maps);
        engine_metric_mapping *mp = n ? calloc(n, sizeof *mp) : NULL;
        if (n && !mp)
            return snapshot_perr(p, IMS_ENOMEM, NULL, "out of memory");
        char base[192];
        snprintf(base, sizeof base, "%s", p->path);
        for (size_t j = 0; rc == 0 && j < n; j++) {
            json_t *mo = json_array_get(maps, j);
            snapshot_item_path(p, base, "controls", j);
            static const char *const mkeys[] = {"control", "weight", NULL};
            if ((rc = snapshot_check_keys(p, mo, mkeys)) ||
                (rc = snapshot_get_string(p, mo, "control", true, false, &mp[j].control)) ||
                (rc = snapshot_get_double(p, mo, "weight", false, 1, &mp[j].weight)))
                break;
        }
        snprintf(p->path, sizeof p->path, "%s", base);
        if (rc == 0) {
            in.controls = mp;
            in.control_count = n;
            engine_error e;
            if ((rc = engine_metric_add(m, &in, &e)))
                rc = snapshot_model_err(p, rc, &e);
        }
        free(mp);
    }
    return rc;
}

static int parse_samples(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "samples", false, &a);
    size_t n = rc == 0 ? json_array_size(a) : 0;
    if (n == 0)
        return rc;
    /* Read first, then added at once: a document's samples in any order cost one sort per
     * metric, not a move of the metric's array per sample (engine_samples_add). */
    const char **metrics = malloc(n * sizeof *metrics);
    int64_t *ats = malloc(n * sizeof *ats);
    double *values = malloc(n * sizeof *values);
    if (!metrics || !ats || !values)
        rc = snapshot_perr(p, IMS_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        snapshot_item_path(p, "$", "samples", i);
        rc = snapshot_read_sample(p, json_array_get(a, i), &metrics[i], &ats[i], &values[i]);
        /* The first problem in the document's order is the one named, as one by one. */
        if (rc == 0 && engine_idmap_find(m, &m->map_metrics, metrics[i]) < 0) {
            engine_error e;
            rc = snapshot_model_err(p, engine_fail(&e, IMS_ENOTFOUND,
                                                   "metric: unknown metric \"%s\"", metrics[i]),
                                    &e);
        }
    }
    if (rc == 0) {
        engine_error e;
        size_t bad = 0;
        if ((rc = engine_samples_add(m, n, metrics, ats, values, &bad, &e))) {
            snapshot_item_path(p, "$", "samples", bad < n ? bad : 0);
            rc = snapshot_model_err(p, rc, &e);
        }
    }
    free(metrics);
    free(ats);
    free(values);
    return rc;
}

static int parse_threats(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "threats", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "threats", i);
        static const char *const keys[] = {"id", "likelihood", "dimensions", NULL};
        engine_threat_input in = {0};
        const char **dims;
        size_t n;
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "id", true, false, &in.id)) ||
            (rc = snapshot_get_double(p, o, "likelihood", true, 0, &in.likelihood)) ||
            (rc = snapshot_get_strings(p, o, "dimensions", true, &dims, &n)))
            return rc;
        for (size_t k = 0; rc == 0 && k < n; k++) {
            unsigned bit = strcmp(dims[k], "C") == 0   ? ENGINE_DIM_C
                           : strcmp(dims[k], "I") == 0 ? ENGINE_DIM_I
                           : strcmp(dims[k], "A") == 0 ? ENGINE_DIM_A
                                                       : 0;
            if (!bit || (in.dimensions & bit)) {
                char key[48];
                snprintf(key, sizeof key, "dimensions[%zu]", k);
                rc = snapshot_perr(p, IMS_EINVAL, key,
                                   bit ? "duplicate dimension" : "must be \"C\", \"I\" or \"A\"");
            }
            in.dimensions |= bit;
        }
        free(dims);
        if (rc)
            return rc;
        engine_error e;
        if ((rc = engine_threat_add(m, &in, &e)))
            return snapshot_model_err(p, rc, &e);
    }
    return rc;
}

static int parse_asset_types(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "asset_types", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "asset_types", i);
        static const char *const keys[] = {"id", "threats", NULL};
        engine_asset_type_input in = {0};
        json_t *rows;
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "id", true, false, &in.id)) ||
            (rc = snapshot_get_array(p, o, "threats", false, &rows)))
            return rc;
        size_t n = json_array_size(rows);
        engine_degradation *d = n ? calloc(n, sizeof *d) : NULL;
        if (n && !d)
            return snapshot_perr(p, IMS_ENOMEM, NULL, "out of memory");
        char base[192];
        snprintf(base, sizeof base, "%s", p->path);
        for (size_t j = 0; rc == 0 && j < n; j++) {
            json_t *ro = json_array_get(rows, j);
            snapshot_item_path(p, base, "threats", j);
            static const char *const rkeys[] = {"threat", "degradation", NULL};
            if ((rc = snapshot_check_keys(p, ro, rkeys)) ||
                (rc = snapshot_get_string(p, ro, "threat", true, false, &d[j].threat)) ||
                (rc = snapshot_get_double(p, ro, "degradation", true, 0, &d[j].degradation)))
                break;
        }
        snprintf(p->path, sizeof p->path, "%s", base);
        if (rc == 0) {
            in.threats = d;
            in.threat_count = n;
            engine_error e;
            if ((rc = engine_asset_type_add(m, &in, &e)))
                rc = snapshot_model_err(p, rc, &e);
        }
        free(d);
    }
    return rc;
}

static int parse_assets(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "assets", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "assets", i);
        static const char *const keys[] = {"id", "type", "C", "I", "A", NULL};
        engine_asset_input in = {0};
        int64_t c = 0, in_ = 0, av = 0;
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "id", true, false, &in.id)) ||
            (rc = snapshot_get_string(p, o, "type", true, false, &in.type)) ||
            (rc = snapshot_get_int(p, o, "C", true, 0, 0, 5, &c)) ||
            (rc = snapshot_get_int(p, o, "I", true, 0, 0, 5, &in_)) ||
            (rc = snapshot_get_int(p, o, "A", true, 0, 0, 5, &av)))
            return rc;
        in.confidentiality = (int)c;
        in.integrity = (int)in_;
        in.availability = (int)av;
        snprintf(p->path, sizeof p->path, "$");
        if (engine_lookup(m, &m->map_assets, in.id, NULL) >= 0) {
            snapshot_item_path(p, "$", "assets", i);
            return snapshot_perr(p, IMS_EEXISTS, "id", "duplicate asset \"%s\"", in.id);
        }
        snapshot_item_path(p, "$", "assets", i);
        engine_error e;
        if ((rc = engine_asset_put(m, &in, &e)))
            return snapshot_model_err(p, rc, &e);
    }
    return rc;
}

static int parse_mitigations(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "mitigations", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "mitigations", i);
        static const char *const keys[] = {"threat", "control", "effectiveness", NULL};
        const char *threat, *control;
        double eff = 0;
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "threat", true, false, &threat)) ||
            (rc = snapshot_get_string(p, o, "control", true, false, &control)) ||
            (rc = snapshot_get_double(p, o, "effectiveness", true, 0, &eff)))
            return rc;
        engine_error e;
        if ((rc = engine_mitigation_add(m, threat, control, eff, &e)))
            return snapshot_model_err(p, rc, &e);
    }
    return rc;
}

static int parse_processes(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "processes", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "processes", i);
        static const char *const keys[] = {"id",      "criticality",      "mtpd_min",  "rto_min",
                                           "rpo_min", "plan_reviewed_at", "exercises", NULL};
        engine_process_input in = {0};
        int64_t crit = 0;
        json_t *ex;
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "id", true, false, &in.id)) ||
            (rc = snapshot_get_int(p, o, "criticality", true, 0, 1, 5, &crit)) ||
            (rc = snapshot_get_double(p, o, "mtpd_min", true, 0, &in.mtpd_min)) ||
            (rc = snapshot_get_double(p, o, "rto_min", true, 0, &in.rto_min)) ||
            (rc = snapshot_get_double(p, o, "rpo_min", false, 0, &in.rpo_min)) ||
            (rc = snapshot_get_time(p, o, "plan_reviewed_at", false, &in.plan_reviewed,
                                    &in.plan_reviewed_at)) ||
            (rc = snapshot_get_array(p, o, "exercises", false, &ex)))
            return rc;
        in.criticality = (int)crit;
        if (engine_lookup(m, &m->map_processes, in.id, NULL) >= 0)
            return snapshot_perr(p, IMS_EEXISTS, "id", "duplicate process \"%s\"", in.id);
        size_t n = json_array_size(ex);
        engine_exercise *xs = n ? calloc(n, sizeof *xs) : NULL;
        if (n && !xs)
            return snapshot_perr(p, IMS_ENOMEM, NULL, "out of memory");
        char base[192];
        snprintf(base, sizeof base, "%s", p->path);
        for (size_t j = 0; rc == 0 && j < n; j++) {
            json_t *eo = json_array_get(ex, j);
            snapshot_item_path(p, base, "exercises", j);
            static const char *const ekeys[] = {"at", "recovery_min", NULL};
            bool present;
            if ((rc = snapshot_check_keys(p, eo, ekeys)) ||
                (rc = snapshot_get_time(p, eo, "at", true, &present, &xs[j].at)) ||
                (rc = snapshot_get_double(p, eo, "recovery_min", true, 0, &xs[j].recovery_min)))
                break;
        }
        snprintf(p->path, sizeof p->path, "%s", base);
        if (rc == 0) {
            in.exercises = xs;
            in.exercise_count = n;
            engine_error e;
            if ((rc = engine_process_put(m, &in, &e)))
                rc = snapshot_model_err(p, rc, &e);
        }
        free(xs);
    }
    return rc;
}

static int parse_incidents(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "incidents", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "incidents", i);
        static const char *const keys[] = {
            "id",        "severity",  "threat",      "controls",           "assets",
            "processes", "opened_at", "resolved_at", "disruption_minutes", NULL};
        engine_incident_input in = {0};
        int64_t sev = 0;
        bool present;
        const char **controls = NULL, **assets = NULL, **processes = NULL;
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "id", true, false, &in.id)) ||
            (rc = snapshot_get_int(p, o, "severity", true, 0, 1, 5, &sev)) ||
            (rc = snapshot_get_string(p, o, "threat", false, true, &in.threat)) ||
            (rc = snapshot_get_time(p, o, "opened_at", true, &present, &in.opened_at)) ||
            (rc = snapshot_get_time(p, o, "resolved_at", false, &in.resolved, &in.resolved_at)) ||
            (rc =
                 snapshot_get_double(p, o, "disruption_minutes", false, 0, &in.disruption_minutes)))
            return rc;
        in.severity = (int)sev;
        if (engine_lookup(m, &m->map_incidents, in.id, NULL) >= 0)
            return snapshot_perr(p, IMS_EEXISTS, "id", "duplicate incident \"%s\"", in.id);
        if ((rc = snapshot_get_strings(p, o, "controls", false, &controls, &in.control_count)) ||
            (rc = snapshot_get_strings(p, o, "assets", false, &assets, &in.asset_count)) ||
            (rc = snapshot_get_strings(p, o, "processes", false, &processes, &in.process_count))) {
            free(controls);
            free(assets);
            return rc;
        }
        in.controls = controls;
        in.assets = assets;
        in.processes = processes;
        engine_error e;
        rc = engine_incident_put(m, &in, &e);
        free(controls);
        free(assets);
        free(processes);
        if (rc)
            return snapshot_model_err(p, rc, &e);
    }
    return rc;
}

static int parse_findings(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "findings", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "findings", i);
        static const char *const keys[] = {"id", "type", "controls", "open", NULL};
        engine_finding_input in = {0};
        const char *type;
        const char **controls = NULL;
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "id", true, false, &in.id)) ||
            (rc = snapshot_get_string(p, o, "type", true, false, &type)) ||
            (rc = snapshot_get_bool(p, o, "open", true, &in.open)))
            return rc;
        int k = snapshot_enum_of(type, finding_names, 4);
        if (k < 0)
            return snapshot_perr(
                p, IMS_EINVAL, "type",
                "must be \"major_nc\", \"minor_nc\", \"observation\" or \"opportunity\"");
        in.type = (enum engine_finding_type)k;
        if (engine_lookup(m, &m->map_findings, in.id, NULL) >= 0)
            return snapshot_perr(p, IMS_EEXISTS, "id", "duplicate finding \"%s\"", in.id);
        if ((rc = snapshot_get_strings(p, o, "controls", false, &controls, &in.control_count)))
            return rc;
        in.controls = controls;
        engine_error e;
        rc = engine_finding_put(m, &in, &e);
        free(controls);
        if (rc)
            return snapshot_model_err(p, rc, &e);
    }
    return rc;
}

int engine_snapshot_parse(const char *text, size_t length, engine_model **out, bool *has_at,
                          int64_t *at, engine_error *err)
{
    return engine_snapshot_parse_records(text, length, out, has_at, at, NULL, err);
}

int engine_snapshot_parse_records(const char *text, size_t length, engine_model **out, bool *has_at,
                                  int64_t *at, char **records, engine_error *err)
{
    if (records)
        *records = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(text, length, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (err)
            snprintf(err->msg, sizeof err->msg, "%d:%d: %s", jerr.line, jerr.column, jerr.text);
        return IMS_EPARSE;
    }
    snapshot_parser p = {.err = err};
    snprintf(p.path, sizeof p.path, "$");
    static const char *const keys[] = {"format",      "at",         "params",      "systems",
                                       "frameworks",  "controls",   "subcontrols", "metrics",
                                       "samples",     "incidents",  "findings",    "threats",
                                       "asset_types", "assets",     "mitigations", "processes",
                                       "artefacts",   "treatments", "records",     NULL};
    engine_model *m = NULL;
    engine_params params;
    unsigned systems = 0;
    const char *format;
    int rc = snapshot_check_keys(&p, root, keys);
    if (rc == 0)
        rc = snapshot_get_string(&p, root, "format", true, false, &format);
    if (rc == 0 && strcmp(format, "ims-snapshot/1") != 0 && strcmp(format, "ims-snapshot/2") != 0)
        rc = snapshot_perr(&p, IMS_EINVAL, "format",
                           "must be \"ims-snapshot/1\" or \"ims-snapshot/2\"");
    if (rc == 0)
        rc = snapshot_get_time(&p, root, "at", false, has_at, at);
    if (rc == 0)
        rc = parse_params(&p, root, &params);
    if (rc == 0)
        rc = parse_systems(&p, root, &systems);
    if (rc == 0) {
        engine_error e;
        rc = engine_model_new(&params, systems, &m, &e);
        if (rc)
            rc = snapshot_perr(&p, rc, NULL, "%s", e.msg);
    }
    int (*sections[])(snapshot_parser *, json_t *, engine_model *) = {parse_frameworks,
                                                                      parse_controls,
                                                                      parse_subcontrols,
                                                                      parse_metrics,
                                                                      parse_samples,
                                                                      parse_threats,
                                                                      parse_asset_types,
                                                                      parse_assets,
                                                                      parse_mitigations,
                                                                      parse_processes,
                                                                      parse_incidents,
                                                                      parse_findings,
                                                                      snapshot_parse_artefacts,
                                                                      snapshot_parse_treatments};
    for (size_t i = 0; rc == 0 && i < sizeof sections / sizeof sections[0]; i++)
        rc = sections[i](&p, root, m);
    char *rec = NULL;
    if (rc == 0)
        rc = snapshot_parse_records(&p, root, &rec);
    json_decref(root);
    if (rc) {
        free(rec);
        engine_model_free(m);
        return rc;
    }
    if (records)
        *records = rec;
    else
        free(rec);
    *out = m;
    return 0;
}

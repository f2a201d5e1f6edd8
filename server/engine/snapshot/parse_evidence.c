/*
 * Parsing the sections ims-snapshot/2 added: artefacts, risk treatments and the opaque
 * "records" object (kept as canonical JSON text for the writer). See snapshot.h.
 */
#include "json_read.h"
#include "model.h"
#include "names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int snapshot_parse_artefacts(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "artefacts", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "artefacts", i);
        static const char *const keys[] = {"id", "controls", "status", "review_due", NULL};
        engine_artefact_input in = {0};
        const char **controls = NULL;
        const char *status;
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "id", true, false, &in.id)) ||
            (rc = snapshot_get_string(p, o, "status", true, false, &status)) ||
            (rc = snapshot_get_time(p, o, "review_due", false, &in.has_review_due,
                                    &in.review_due)) ||
            (rc = snapshot_get_strings(p, o, "controls", false, &controls, &in.control_count)))
            return rc;
        int k = snapshot_enum_of(status, artefact_status_names, 4);
        if (k < 0)
            rc = snapshot_perr(p, IMS_EINVAL, "status",
                               "must be \"missing\", \"draft\", \"approved\" or \"obsolete\"");
        else if (engine_lookup(m, &m->map_artefacts, in.id, NULL) >= 0)
            rc = snapshot_perr(p, IMS_EEXISTS, "id", "duplicate artefact \"%s\"", in.id);
        if (rc == 0) {
            in.status = (enum engine_artefact_status)k;
            in.controls = controls;
            engine_error e;
            if ((rc = engine_artefact_put(m, &in, &e)))
                rc = snapshot_model_err(p, rc, &e);
        }
        free(controls);
    }
    return rc;
}

int snapshot_parse_treatments(snapshot_parser *p, json_t *root, engine_model *m)
{
    json_t *a;
    snprintf(p->path, sizeof p->path, "$");
    int rc = snapshot_get_array(p, root, "treatments", false, &a);
    for (size_t i = 0; rc == 0 && i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        snapshot_item_path(p, "$", "treatments", i);
        static const char *const keys[] = {"asset", "threat", "decision", "share", NULL};
        const char *asset, *threat, *decision;
        double share;
        if ((rc = snapshot_check_keys(p, o, keys)) ||
            (rc = snapshot_get_string(p, o, "asset", true, false, &asset)) ||
            (rc = snapshot_get_string(p, o, "threat", true, false, &threat)) ||
            (rc = snapshot_get_string(p, o, "decision", true, false, &decision)) ||
            (rc = snapshot_get_double(p, o, "share", false, 0.5, &share)))
            return rc;
        int k = snapshot_enum_of(decision, treatment_names + 1, 4);
        if (k < 0)
            return snapshot_perr(p, IMS_EINVAL, "decision",
                                 "must be \"mitigate\", \"accept\", \"transfer\" or \"avoid\"");
        enum engine_treatment d = (enum engine_treatment)(k + 1);
        if (d != ENGINE_TREAT_TRANSFER && json_object_get(o, "share"))
            return snapshot_perr(p, IMS_EINVAL, "share", "only a transfer has a share");
        int32_t ai = engine_lookup(m, &m->map_assets, asset, NULL);
        int32_t ti = engine_lookup(m, &m->map_threats, threat, NULL);
        if (ai >= 0 && ti >= 0 && engine_treatment_of(m, m->assets.v[ai].name, ti))
            return snapshot_perr(p, IMS_EEXISTS, NULL, "duplicate treatment of (\"%s\", \"%s\")",
                                 asset, threat);
        engine_error e;
        if ((rc = engine_treatment_set(m, asset, threat, d, share, &e)))
            return snapshot_model_err(p, rc, &e);
    }
    return rc;
}

int snapshot_parse_records(snapshot_parser *p, json_t *root, char **records)
{
    *records = NULL;
    json_t *r = json_object_get(root, "records");
    if (!r)
        return 0;
    snprintf(p->path, sizeof p->path, "$");
    if (!json_is_object(r))
        return snapshot_perr(p, IMS_EINVAL, "records", "must be an object");
    *records = json_dumps(r, JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(17));
    if (!*records)
        return snapshot_perr(p, IMS_ENOMEM, "records", "out of memory");
    return 0;
}

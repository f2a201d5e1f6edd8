/*
 * One element of a snapshot's "samples" array: the checks of the whole document's parse,
 * also offered for an element alone (a document read in pieces checks each sample as it
 * comes). See snapshot.h.
 */
#include "json_read.h"
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int snapshot_read_sample(snapshot_parser *p, json_t *o, const char **metric, int64_t *at,
                         double *value)
{
    static const char *const keys[] = {"metric", "at", "value", NULL};
    bool present;
    int rc;
    *value = 0;
    if ((rc = snapshot_check_keys(p, o, keys)) ||
        (rc = snapshot_get_string(p, o, "metric", true, false, metric)) ||
        (rc = snapshot_get_time(p, o, "at", true, &present, at)) ||
        (rc = snapshot_get_double(p, o, "value", true, 0, value)))
        return rc;
    return 0;
}

int engine_snapshot_parse_sample(const char *text, size_t length, size_t index, char **metric,
                                 int64_t *at, double *value, engine_error *err)
{
    *metric = NULL;
    json_error_t jerr;
    json_t *o = json_loadb(text, length, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!o) {
        if (err)
            snprintf(err->msg, sizeof err->msg, "%d:%d: %s", jerr.line, jerr.column, jerr.text);
        return IMS_EPARSE;
    }
    snapshot_parser p = {.err = err};
    snapshot_item_path(&p, "$", "samples", index);
    const char *name = NULL;
    int rc = snapshot_read_sample(&p, o, &name, at, value);
    if (rc == 0 && !(*metric = strdup(name))) {
        rc = IMS_ENOMEM;
        if (err)
            snprintf(err->msg, sizeof err->msg, "out of memory");
    }
    json_decref(o);
    return rc;
}

/*
 * The window's samples a tenant's load reads beside its document (load_samples.c).
 */
#ifndef IMS_TENANT_LOAD_SAMPLES_H
#define IMS_TENANT_LOAD_SAMPLES_H

#include "engine.h"

/* Adds the samples to the model, one metric after another, in one engine_samples_add.
 * metrics: the metric ids as a JSON array; counts: how many samples each (int[] as text);
 * ats, vals: the samples' times in seconds since 1970 and their values (bigint[] and
 * float8[] as text), grouped by metric in the ids' order. Returns 0, IMS_EPARSE (malformed
 * lists), or engine_samples_add's error (then the model may hold part of them: drop it). */
int tenant_load_samples(engine_model *model, const char *metrics, const char *counts,
                        const char *ats, const char *vals, engine_error *err);

#endif

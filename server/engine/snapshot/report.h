/*
 * The answers of `imsctl eval` as JSON, each written from an evaluated state (which is
 * read, never changed): the evaluation JSON of SECURITY-LEVEL.md section 11 (unrounded,
 * 0..1 scale), the first steps of the improvement plan, and the top controls by lost
 * level with the split of their loss.
 */
#ifndef IMS_ENGINE_SNAPSHOT_REPORT_H
#define IMS_ENGINE_SNAPSHOT_REPORT_H

#include "engine.h"

/* The evaluation JSON into *out (malloc'ed, free() it). Returns 0, IMS_EINVAL (a state
 * never evaluated) or IMS_ENOMEM. */
int engine_evaluation_write(const engine_eval *eval, char **out) ENGINE_WARN_UNUSED;

/* The first `steps` steps of the plan as JSON into *out. Returns 0 or IMS_ENOMEM. */
int engine_plan_write(const engine_eval *eval, size_t steps, char **out) ENGINE_WARN_UNUSED;

/* The top `k` controls by loss as JSON into *out. Returns 0 or IMS_ENOMEM. */
int engine_explain_write(const engine_eval *eval, size_t k, char **out) ENGINE_WARN_UNUSED;

#endif

/*
 * Snapshot I/O (SECURITY-LEVEL.md section 11) on jansson: a tenant's whole state as one
 * JSON document (parse.c, write.c), and its times (time.c). The evaluation JSON that
 * `imsctl eval` prints is in report.h.
 *
 * Parsing is strict: an unknown key, a wrong type, an out-of-range value or an invalid
 * reference is an error whose message names the JSON path ("$.controls[3].weight: must be
 * > 0"); a syntax error names the line and column ("3:14: ..."). Nothing is guessed;
 * only the keys documented as optional take their defaults.
 *
 * Writing is canonical: keys sorted, every optional key written, doubles with 17
 * significant digits (exact round trip), integers as integers, so that
 * parse -> write -> parse -> write gives identical text.
 *
 * Optional keys and their defaults: "at"; "params" and each of its keys (section 2);
 * control "domain" (""), "weight" (1), "applicable" (true); sub-control "weight" (1),
 * "effort" (the level), "answer" (null), "applicable" (true); metric "window" (0, required
 * > 0 for mean/min/max), "controls" ([]), mapping "weight" (1); incident "threat",
 * "resolved_at" (null), "controls", "assets", "processes" ([]), "disruption_minutes" (0);
 * finding "controls" ([]), "open" (true); asset type "threats" ([]); process "rpo_min" (0),
 * "plan_reviewed_at" (null), "exercises" ([]); and every top-level array ([]).
 */
#ifndef IMS_ENGINE_SNAPSHOT_H
#define IMS_ENGINE_SNAPSHOT_H

#include "engine.h"

/*
 * Parses a snapshot into a new model. *has_at / *at receive the snapshot's "at".
 * Returns 0, IMS_EPARSE (JSON syntax), IMS_EINVAL (wrong type, unknown key, bad value),
 * IMS_ENOTFOUND (unknown reference), IMS_EEXISTS (duplicate id), IMS_ENOMEM.
 */
int engine_snapshot_parse(const char *text, size_t length, engine_model **out, bool *has_at,
                          int64_t *at, engine_error *err) ENGINE_WARN_UNUSED;

/* Writes the model as a snapshot (malloc'ed text in *out, free() it). Returns 0 or
 * IMS_ENOMEM. */
int engine_snapshot_write(const engine_model *model, bool has_at, int64_t at,
                          char **out) ENGINE_WARN_UNUSED;

/* Parses "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC, whole seconds). Returns 0 or IMS_EINVAL. */
int engine_time_parse(const char *text, int64_t *out) ENGINE_WARN_UNUSED;

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 32 bytes). */
void engine_time_format(int64_t t, char *buf, size_t size);

#endif

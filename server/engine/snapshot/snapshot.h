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
 * "plan_reviewed_at" (null), "exercises" ([]); metric "source" (absent: pushed; "pushed"
 * or "computed", written only when computed); artefact "review_due" (null), "controls"
 * ([]); treatment "share" (0.5, transfer only); "records" ({}); and every top-level array
 * ([]).
 *
 * Versions: "ims-snapshot/1" and "ims-snapshot/2" are read (the keys of /2 are accepted in
 * both: a /1 document simply has none of them); /2 is written.
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

/*
 * The same, keeping the document's "records" (section 11: what the tenant keeps that does
 * not score; the engine ignores it): *records receives it as canonical compact JSON
 * (malloc'ed; keys sorted, doubles with 17 significant digits, integers as integers), or
 * NULL when the document has none. free() it.
 */
int engine_snapshot_parse_records(const char *text, size_t length, engine_model **out, bool *has_at,
                                  int64_t *at, char **records,
                                  engine_error *err) ENGINE_WARN_UNUSED;

/* Writes the model and the given records (canonical JSON of an object as
 * engine_snapshot_parse_records gives it; NULL: {}) as an ims-snapshot/2 document. Returns
 * 0, IMS_ENOMEM (or when records is not JSON), IMS_EINVAL when the model merges samples
 * (engine_samples_merge): a document keeps each sample. */
int engine_snapshot_write_records(const engine_model *model, bool has_at, int64_t at,
                                  const char *records, char **out) ENGINE_WARN_UNUSED;

/*
 * One element of a document's "samples" array, given alone (a document read in pieces):
 * the checks of engine_snapshot_parse, errors named "$.samples[index]...". *metric
 * receives the metric's id (malloc'ed, free() it). Whether the metric is one of the
 * document's is the caller's to check ("metric: unknown metric", as engine_sample_add).
 * Returns 0, IMS_EPARSE (JSON syntax; err has "<line>:<column>: ..." within text),
 * IMS_EINVAL, IMS_ENOMEM.
 */
int engine_snapshot_parse_sample(const char *text, size_t length, size_t index, char **metric,
                                 int64_t *at, double *value,
                                 engine_error *err) ENGINE_WARN_UNUSED;

/* Parses "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC, whole seconds). Returns 0 or IMS_EINVAL. */
int engine_time_parse(const char *text, int64_t *out) ENGINE_WARN_UNUSED;

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 32 bytes). */
void engine_time_format(int64_t t, char *buf, size_t size);

#endif

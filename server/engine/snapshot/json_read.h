/*
 * Reading a snapshot document: the strict readers of typed keys, each of which names the
 * JSON path of a problem in the caller's message. Internal to the snapshot parser.
 */
#ifndef IMS_ENGINE_SNAPSHOT_JSON_READ_H
#define IMS_ENGINE_SNAPSHOT_JSON_READ_H

#include <jansson.h>

#include "engine.h"

typedef struct snapshot_parser {
    engine_error *err;
    char path[192]; /* the JSON path of the object being read */
} snapshot_parser;

/* dst = the concatenation of the NULL-terminated list of parts, truncated to size. */
void snapshot_concat(char *dst, size_t size, ...);
/* Writes "<path>.<key>: <message>" (or "<path>: <message>" without key); returns code. */
__attribute__((format(printf, 4, 5))) int snapshot_perr(snapshot_parser *p, int code,
                                                        const char *key, const char *fmt, ...);
/* Prefixes a model error ("weight: must be > 0") with the item's path. */
int snapshot_model_err(snapshot_parser *p, int code, const engine_error *e);
int snapshot_check_keys(snapshot_parser *p, json_t *obj, const char *const *allowed);
int snapshot_get_double(snapshot_parser *p, json_t *obj, const char *key, bool required, double def,
                        double *out);
int snapshot_get_int(snapshot_parser *p, json_t *obj, const char *key, bool required, int64_t def,
                     int64_t lo, int64_t hi, int64_t *out);
int snapshot_get_bool(snapshot_parser *p, json_t *obj, const char *key, bool def, bool *out);
/* A string; *out = NULL when absent or null and allowed. */
int snapshot_get_string(snapshot_parser *p, json_t *obj, const char *key, bool required,
                        bool nullable, const char **out);
int snapshot_get_time(snapshot_parser *p, json_t *obj, const char *key, bool required,
                      bool *present, int64_t *out);
/* An array of strings into a malloc'ed vector (*out, *n). */
int snapshot_get_strings(snapshot_parser *p, json_t *obj, const char *key, bool required,
                         const char ***out, size_t *n);
/* The array under key (or NULL when absent and optional). */
int snapshot_get_array(snapshot_parser *p, json_t *obj, const char *key, bool required,
                       json_t **out);
void snapshot_item_path(snapshot_parser *p, const char *base, const char *key, size_t i);
int snapshot_enum_of(const char *s, const char *const *names, int n);

/* One element of "samples" (parse_sample.c): its keys and types, at p's path. */
int snapshot_read_sample(snapshot_parser *p, json_t *o, const char **metric, int64_t *at,
                         double *value);

/* The sections of ims-snapshot/2 (parse_evidence.c). */
int snapshot_parse_artefacts(snapshot_parser *p, json_t *root, engine_model *m);
int snapshot_parse_treatments(snapshot_parser *p, json_t *root, engine_model *m);
/* The "records" object as canonical compact JSON (*records NULL when absent). */
int snapshot_parse_records(snapshot_parser *p, json_t *root, char **records);

#endif

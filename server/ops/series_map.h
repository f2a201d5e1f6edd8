/*
 * Series mappings of the remote_write receiver: which Prometheus series become which
 * tenant's ims metric.
 *
 * A mapping is a list of label matchers in Prometheus's selector syntax — name="value",
 * name!="value", name=~"regex", name!~"regex" (the quotes may be left out) — and the
 * tenant and ims metric a matching series feeds. A label the series lacks matches as the
 * empty string, as in Prometheus; a regex is anchored at both ends (POSIX extended
 * syntax). A series takes the first mapping, in the table's order, whose matchers all
 * match; a series no mapping takes is dropped (and counted by the caller).
 *
 * Pure: no I/O.
 */
#ifndef IMS_OPS_SERIES_MAP_H
#define IMS_OPS_SERIES_MAP_H

#include <regex.h>
#include <stddef.h>

#define SERIES_MAP_MAX_MATCHERS 16

enum series_match_op { SERIES_MATCH_EQ, SERIES_MATCH_NE, SERIES_MATCH_RE, SERIES_MATCH_NRE };

struct series_matcher {
    char *name, *value;
    enum series_match_op op;
    regex_t re; /* for =~ and !~ */
};

struct series_label {
    const char *name, *value;
};

struct series_map_entry {
    char *id, *tenant, *metric;
    struct series_matcher matchers[SERIES_MAP_MAX_MATCHERS];
    size_t matcher_count;
};

struct series_map {
    struct series_map_entry *entries;
    size_t count, cap;
};

/* Parses one matcher ("job=\"node\"", "instance=~web-.*"). Returns 0, IMS_EINVAL with a
 * message in err ("bad label name", "bad regex: ..."), IMS_ENOMEM. */
int series_matcher_parse(const char *text, struct series_matcher *out, char *err, size_t err_len)
    __attribute__((warn_unused_result));
void series_matcher_free(struct series_matcher *m);
/* Writes the matcher back in canonical form: name="value" with \\ and \" escaped. */
int series_matcher_format(const struct series_matcher *m, char *out, size_t len);

/* Appends a mapping made of matcher texts (at least one). Returns 0, IMS_EINVAL (err
 * names the matcher), IMS_ENOMEM. */
int series_map_add(struct series_map *map, const char *id, const char *tenant,
                   const char *metric, const char *const *matchers, size_t matcher_count,
                   char *err, size_t err_len) __attribute__((warn_unused_result));
void series_map_free(struct series_map *map);

/* The first entry whose matchers all match the labels, or NULL. */
const struct series_map_entry *series_map_find(const struct series_map *map,
                                               const struct series_label *labels,
                                               size_t label_count);
/* The same among the entries whose tenant accept(tenant, ctx) takes (a sender's scope: the
 * mappings of tenants it may not push for are not looked at). */
const struct series_map_entry *series_map_find_in(const struct series_map *map,
                                                  const struct series_label *labels,
                                                  size_t label_count,
                                                  int (*accept)(const char *tenant, void *ctx),
                                                  void *ctx);

#endif

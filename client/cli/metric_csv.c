/* Metric sample files (metric,at,value CSV) for imsctl metric push --file. Pure. */
#include "metric_csv.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"

#define MAX_FIELDS 3
#define MAX_FIELD 1024

typedef struct record {
    char field[MAX_FIELDS][MAX_FIELD];
    int nfields;
    bool too_many;
    bool too_long;
    bool quoted[MAX_FIELDS];
} record;

/*
 * Reads one record starting at *pos; advances *pos past its line end and
 * *line by the lines it spans. Returns -1 for a quote that is never closed or
 * is followed by junk, else 0.
 */
static int read_record(const char *d, size_t len, size_t *pos, size_t *line, record *r)
{
    memset(r, 0, sizeof(*r));
    size_t i = *pos;
    int f = 0;
    size_t flen = 0;
    bool in_quotes = false, was_quoted = false, after_quote = false;
    r->nfields = 1;
    for (;; i++) {
        char ch = i < len ? d[i] : '\n';
        bool end = i >= len;
        if (in_quotes) {
            if (end)
                return -1;
            if (ch == '"') {
                if (i + 1 < len && d[i + 1] == '"') {
                    i++;
                } else {
                    in_quotes = false;
                    after_quote = true;
                    continue;
                }
            } else if (ch == '\n') {
                (*line)++;
            }
        } else if (ch == ',' || ch == '\n' || ch == '\r') {
            if (f < MAX_FIELDS) {
                /* Unquoted fields lose surrounding blanks. */
                char *s = r->field[f];
                s[flen < MAX_FIELD ? flen : MAX_FIELD - 1] = '\0';
                if (!was_quoted) {
                    size_t n = strlen(s);
                    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                        s[--n] = '\0';
                }
                r->quoted[f] = was_quoted;
            }
            if (ch == ',') {
                f++;
                r->nfields = f + 1;
                if (f >= MAX_FIELDS)
                    r->too_many = true;
                flen = 0;
                was_quoted = after_quote = false;
                continue;
            }
            if (ch == '\r' && i + 1 < len && d[i + 1] == '\n')
                i++;
            *pos = end ? len : i + 1;
            return 0;
        } else if (after_quote) {
            if (ch == ' ' || ch == '\t')
                continue;
            return -1;
        } else if (ch == '"' && flen == 0) {
            in_quotes = was_quoted = true;
            continue;
        } else if ((ch == ' ' || ch == '\t') && flen == 0) {
            continue;
        }
        if (f < MAX_FIELDS) {
            if (flen + 1 < MAX_FIELD)
                r->field[f][flen] = ch;
            else
                r->too_long = true;
            flen++;
        }
    }
}

static int push(imsctl_samples *out, const record *r, double value, const char *at, size_t line)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 256;
        imsctl_sample *p = realloc(out->items, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        out->items = p;
        out->cap = cap;
    }
    imsctl_sample *s = &out->items[out->n];
    s->metric = strdup(r->field[0]);
    s->at = strdup(at);
    if (s->metric == NULL || s->at == NULL) {
        free(s->metric);
        free(s->at);
        return -1;
    }
    s->value = value;
    s->line = line;
    out->n++;
    return 0;
}

int imsctl_csv_parse(const char *data, size_t len, long long now, imsctl_samples *out, char *err,
                     size_t errlen)
{
    memset(out, 0, sizeof(*out));
    size_t pos = 0, line = 1;
    bool first = true;
    record *r = malloc(sizeof(*r));
    if (r == NULL) {
        snprintf(err, errlen, "out of memory");
        return IMSCTL_EXIT_FAILURE;
    }
    int rc = 0;
    while (pos < len) {
        size_t start_line = line;
        if (read_record(data, len, &pos, &line, r) != 0) {
            snprintf(err, errlen, "line %zu: unterminated or misplaced quote", start_line);
            rc = IMSCTL_EXIT_INVALID;
            break;
        }
        line++;
        if (r->nfields == 1 && r->field[0][0] == '\0' && !r->quoted[0])
            continue; /* blank line */
        bool header = first && r->nfields == 3 && strcasecmp(r->field[0], "metric") == 0 &&
                      strcasecmp(r->field[1], "at") == 0 && strcasecmp(r->field[2], "value") == 0;
        first = false;
        if (header)
            continue;
        if (r->nfields != 3 || r->too_many) {
            snprintf(err, errlen, "line %zu: expected 3 fields (metric,at,value), found %d",
                     start_line, r->nfields);
            rc = IMSCTL_EXIT_INVALID;
            break;
        }
        if (r->too_long) {
            snprintf(err, errlen, "line %zu: field longer than %d bytes", start_line,
                     MAX_FIELD - 1);
            rc = IMSCTL_EXIT_INVALID;
            break;
        }
        if (r->field[0][0] == '\0') {
            snprintf(err, errlen, "line %zu: empty metric name", start_line);
            rc = IMSCTL_EXIT_INVALID;
            break;
        }
        char at[64] = "";
        if (r->field[1][0] && imsctl_parse_time(r->field[1], now, at, sizeof(at)) != 0) {
            snprintf(err, errlen, "line %zu: bad time \"%.64s\" (RFC 3339 expected)", start_line,
                     r->field[1]);
            rc = IMSCTL_EXIT_INVALID;
            break;
        }
        double value;
        if (imsctl_parse_double(r->field[2], &value) != 0) {
            snprintf(err, errlen, "line %zu: value \"%.64s\" is not a number", start_line,
                     r->field[2]);
            rc = IMSCTL_EXIT_INVALID;
            break;
        }
        if (push(out, r, value, at, start_line) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = IMSCTL_EXIT_FAILURE;
            break;
        }
    }
    free(r);
    if (rc != 0)
        imsctl_samples_free(out);
    return rc;
}

void imsctl_samples_free(imsctl_samples *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->items[i].metric);
        free(s->items[i].at);
    }
    free(s->items);
    memset(s, 0, sizeof(*s));
}

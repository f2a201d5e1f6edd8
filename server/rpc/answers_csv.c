/* The CSV reader of ImportAnswers (RFC 4180: quoted fields with "" escapes, CRLF or LF),
 * one record at a time into an arena. */
#include "answers_csv.h"

#include <string.h>

/* The bytes of the field starting at s as written: up to the separator, or for a quoted
 * field up to its closing quote (its unquoted text is no longer). */
static size_t csv_field_extent(const char *s)
{
    if (*s != '"')
        return strcspn(s, ",\r\n");
    const char *e = s + 1;
    while (*e && !(*e == '"' && e[1] != '"'))
        e += *e == '"' ? 2 : 1;
    return (size_t)(e - s);
}

/* Reads one record starting at *p into fields (copies in the arena). Returns the number of
 * fields, 0 at the end of the text, -1 for an unterminated quote or too many fields, -2
 * when out of memory. *line advances past the record's newlines. */
int answers_csv_record(struct arena *a, const char **p, int *line, char **fields)
{
    const char *s = *p;
    if (!*s)
        return 0;
    int n = 0;
    for (;;) {
        /* Room for this field only: sized by the rest of the text, a megabyte of blank
         * lines would ask the arena for half a terabyte. */
        char *out = arena_alloc(a, csv_field_extent(s) + 1);
        if (!out)
            return -2;
        size_t k = 0;
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s)
                    return -1;
                if (*s == '"' && s[1] == '"') {
                    out[k++] = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    if (*s == '\n')
                        (*line)++;
                    out[k++] = *s++;
                }
            }
            while (*s && *s != ',' && *s != '\n' && *s != '\r')
                s++;
        } else {
            while (*s && *s != ',' && *s != '\n' && *s != '\r')
                out[k++] = *s++;
        }
        out[k] = '\0';
        if (n == ANSWERS_CSV_FIELDS)
            return -1;
        fields[n++] = out;
        if (*s == ',') {
            s++;
            continue;
        }
        if (*s == '\r')
            s++;
        if (*s == '\n') {
            s++;
            (*line)++;
        }
        break;
    }
    *p = s;
    return n;
}

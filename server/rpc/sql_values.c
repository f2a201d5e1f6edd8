/* Values between rows and messages: booleans, integers, lists and array literals. */
#include "sql_values.h"

#include <stdlib.h>
#include <string.h>

int sql_bool(PGresult *r, int row, int col)
{
    return strcmp(PQgetvalue(r, row, col), "t") == 0;
}

int sql_int(PGresult *r, int row, int col)
{
    return atoi(PQgetvalue(r, row, col));
}

char *sql_array_literal(char **items, size_t n)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    char *p = s;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        size_t l = strlen(items[i]);
        memcpy(p, items[i], l);
        p += l;
    }
    *p++ = '}';
    *p = '\0';
    return s;
}

size_t sql_split_list(char *buf, char **items, size_t max)
{
    size_t n = 0;
    for (char *c = buf; *c && n < max;) {
        items[n++] = c;
        char *comma = strchr(c, ',');
        if (!comma)
            break;
        *comma = '\0';
        c = comma + 1;
    }
    return n;
}

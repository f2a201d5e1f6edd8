/* The check a table of named statements passes before the pool prepares it. */
#include "db_statement.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ims/error.h"

/* A dollar quote's tag at p ("$$" or "$tag$"): its length, or 0 when p starts none. */
static size_t dollar_tag_length(const char *p)
{
    const char *t = p + 1;
    if (*t != '$' && !isalpha((unsigned char)*t) && *t != '_')
        return 0;
    while (isalnum((unsigned char)*t) || *t == '_')
        t++;
    return *t == '$' ? (size_t)(t - p) + 1 : 0;
}

int db_statement_param_count(const char *sql)
{
    int highest = 0;
    const char *p = sql;
    while (*p) {
        if (*p == '\'' || *p == '"') {
            /* A doubled quote inside ends one literal and starts the next: same result. */
            const char *end = strchr(p + 1, *p);
            p = end ? end + 1 : p + strlen(p);
        } else if (p[0] == '-' && p[1] == '-') {
            const char *end = strchr(p, '\n');
            p = end ? end : p + strlen(p);
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
        } else if (p[0] == '$' && isdigit((unsigned char)p[1])) {
            int n = 0;
            for (p++; isdigit((unsigned char)*p) && n < 100000; p++)
                n = n * 10 + (*p - '0');
            if (n > highest)
                highest = n;
        } else if (*p == '$' && dollar_tag_length(p) > 0) {
            size_t tag = dollar_tag_length(p);
            char close[72];
            if (tag >= sizeof close)
                return highest;
            memcpy(close, p, tag);
            close[tag] = '\0';
            const char *end = strstr(p + tag, close);
            p = end ? end + tag : p + strlen(p);
        } else {
            p++;
        }
    }
    return highest;
}

int db_statements_check(const struct db_statement *list, int count, char *err, size_t err_len)
{
    for (int i = 0; i < count; i++) {
        const struct db_statement *s = &list[i];
        if (!s->name || !s->name[0]) {
            snprintf(err, err_len, "statement %d has no name", i);
            return IMS_EINVAL;
        }
        if (!s->sql || strspn(s->sql, " \t\r\n") == strlen(s->sql)) {
            snprintf(err, err_len, "%s: no text", s->name);
            return IMS_EINVAL;
        }
        for (int j = 0; j < i; j++) {
            if (strcmp(list[j].name, s->name) == 0) {
                snprintf(err, err_len, "%s: named twice", s->name);
                return IMS_EINVAL;
            }
        }
        int used = db_statement_param_count(s->sql);
        if (used != s->params) {
            snprintf(err, err_len, "%s: uses %d parameters, documents %d", s->name, used,
                     s->params);
            return IMS_EINVAL;
        }
    }
    return 0;
}

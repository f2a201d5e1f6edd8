/* imsctl option handling, free of I/O: global options, per-command flag tables, exit
 * codes. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ims/error.h"

/* Returns the value of "--name=value" / "--name value" (advancing *i), or NULL. */
static const char *flag_value(int argc, char **argv, int *i, const char *inline_value)
{
    if (inline_value)
        return inline_value;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

int imsctl_parse_global(int argc, char **argv, imsctl_global_options *o, int *next, char *err,
                        size_t errlen)
{
    static const struct {
        const char *name;
        size_t offset;
    } strings[] = {
        {"server", offsetof(imsctl_global_options, server)},
        {"token-file", offsetof(imsctl_global_options, token_file)},
        {"ca", offsetof(imsctl_global_options, ca_file)},
        {"cert", offsetof(imsctl_global_options, cert_file)},
        {"key", offsetof(imsctl_global_options, key_file)},
    };
    memset(o, 0, sizeof(*o));
    o->timeout_ms = -1;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            o->help = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            break;
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        const char *inline_value = eq ? eq + 1 : NULL;
        if (name_len == 4 && strncmp(name, "json", 4) == 0 && !eq) {
            o->json = true;
            continue;
        }
        if (name_len == 7 && strncmp(name, "version", 7) == 0 && !eq) {
            o->version = true;
            continue;
        }
        bool known = false;
        for (size_t k = 0; k < sizeof(strings) / sizeof(strings[0]); k++) {
            if (strlen(strings[k].name) != name_len || strncmp(strings[k].name, name, name_len))
                continue;
            const char *v = flag_value(argc, argv, &i, inline_value);
            if (v == NULL || v[0] == '\0') {
                snprintf(err, errlen, "--%s needs a value", strings[k].name);
                return IMSCTL_EXIT_USAGE;
            }
            *(const char **)((char *)o + strings[k].offset) = v;
            known = true;
        }
        if (known)
            continue;
        if (name_len == 7 && strncmp(name, "timeout", 7) == 0) {
            const char *v = flag_value(argc, argv, &i, inline_value);
            long ms;
            if (v == NULL || imsctl_parse_long(v, 0, 3600000, &ms) != 0) {
                snprintf(err, errlen, "--timeout needs milliseconds, 0..3600000");
                return IMSCTL_EXIT_USAGE;
            }
            o->timeout_ms = (int)ms;
            continue;
        }
        snprintf(err, errlen, "unknown global option %s", a);
        return IMSCTL_EXIT_USAGE;
    }
    if ((o->cert_file == NULL) != (o->key_file == NULL)) {
        snprintf(err, errlen, "--cert and --key go together");
        return IMSCTL_EXIT_USAGE;
    }
    *next = i;
    return 0;
}

int imsctl_exit_for_status(int grpc_status)
{
    switch (grpc_status) {
    case IMS_GRPC_OK:
        return IMSCTL_EXIT_OK;
    case IMS_GRPC_INVALID_ARGUMENT:
    case IMS_GRPC_OUT_OF_RANGE:
    case IMS_GRPC_FAILED_PRECONDITION:
        return IMSCTL_EXIT_INVALID;
    case IMS_GRPC_NOT_FOUND:
        return IMSCTL_EXIT_NOT_FOUND;
    case IMS_GRPC_ALREADY_EXISTS:
        return IMSCTL_EXIT_EXISTS;
    case IMS_GRPC_UNAUTHENTICATED:
    case IMS_GRPC_PERMISSION_DENIED:
        return IMSCTL_EXIT_DENIED;
    case IMS_GRPC_UNAVAILABLE:
    case IMS_GRPC_DEADLINE_EXCEEDED:
        return IMSCTL_EXIT_UNAVAILABLE;
    case IMS_GRPC_RESOURCE_EXHAUSTED:
        return IMSCTL_EXIT_EXHAUSTED;
    default:
        return IMSCTL_EXIT_FAILURE;
    }
}

void imsctl_list_free(imsctl_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

int imsctl_parse_long(const char *s, long min, long max, long *out)
{
    if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int imsctl_parse_double(const char *s, double *out)
{
    if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int set_flag(const imsctl_flag *f, const char *v, char *err, size_t errlen)
{
    switch (f->kind) {
    case IMSCTL_FLAG_STRING:
        *(const char **)f->value = v;
        break;
    case IMSCTL_FLAG_INT:
        if (imsctl_parse_long(v, f->min, f->max, (long *)f->value) != 0) {
            snprintf(err, errlen, "--%s must be an integer in %ld..%ld", f->name, f->min, f->max);
            return IMSCTL_EXIT_INVALID;
        }
        break;
    case IMSCTL_FLAG_DOUBLE:
        if (imsctl_parse_double(v, (double *)f->value) != 0) {
            snprintf(err, errlen, "--%s must be a number", f->name);
            return IMSCTL_EXIT_INVALID;
        }
        break;
    case IMSCTL_FLAG_LIST: {
        imsctl_list *l = f->value;
        const char **items = realloc(l->items, (l->n + 1) * sizeof(*items));
        if (items == NULL) {
            snprintf(err, errlen, "out of memory");
            return IMSCTL_EXIT_FAILURE;
        }
        items[l->n++] = v;
        l->items = items;
        break;
    }
    case IMSCTL_FLAG_BOOL:
        *(bool *)f->value = true;
        break;
    }
    if (f->set)
        *f->set = true;
    return 0;
}

int imsctl_parse_flags(int argc, char **argv, const imsctl_flag *flags, const char **pos, int *npos,
                       int min_pos, int max_pos, bool *help, char *err, size_t errlen)
{
    *npos = 0;
    *help = false;
    bool only_positional = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_positional || a[0] != '-' || strcmp(a, "-") == 0) {
            pos[(*npos)++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            *help = true;
            return 0;
        }
        if (strncmp(a, "--", 2) != 0) {
            /* A negative number is a value, not a flag (metric push T NAME -3). */
            double d;
            if (imsctl_parse_double(a, &d) == 0) {
                pos[(*npos)++] = a;
                continue;
            }
            snprintf(err, errlen, "unknown option %s", a);
            return IMSCTL_EXIT_USAGE;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        const imsctl_flag *f = flags;
        while (f->name && (strlen(f->name) != name_len || strncmp(f->name, name, name_len) != 0))
            f++;
        if (f->name == NULL) {
            snprintf(err, errlen, "unknown option --%.*s", (int)name_len, name);
            return IMSCTL_EXIT_USAGE;
        }
        const char *v = NULL;
        if (f->kind == IMSCTL_FLAG_BOOL) {
            if (eq) {
                snprintf(err, errlen, "--%s takes no value", f->name);
                return IMSCTL_EXIT_USAGE;
            }
        } else {
            v = flag_value(argc, argv, &i, eq ? eq + 1 : NULL);
            if (v == NULL) {
                snprintf(err, errlen, "--%s needs a value", f->name);
                return IMSCTL_EXIT_USAGE;
            }
        }
        int rc = set_flag(f, v, err, errlen);
        if (rc != 0)
            return rc;
    }
    if (*npos < min_pos || *npos > max_pos) {
        if (*npos < min_pos)
            snprintf(err, errlen, "missing argument");
        else
            snprintf(err, errlen, "unexpected argument \"%s\"", pos[max_pos]);
        return IMSCTL_EXIT_USAGE;
    }
    return 0;
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm), or just the date. */
static bool rfc3339(const char *s, bool *date_only)
{
    size_t len = strlen(s);
    if (len < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return false;
    int month = (s[5] - '0') * 10 + (s[6] - '0');
    int day = (s[8] - '0') * 10 + (s[9] - '0');
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return false;
    *date_only = len == 10;
    if (len == 10)
        return true;
    if (len < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2) ||
        s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        return true;
    return (*p == '+' || *p == '-') && digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) &&
           p[6] == '\0';
}

static void format_utc(long long t, char *out, size_t outlen)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int imsctl_parse_time(const char *s, long long now, char *out, size_t outlen)
{
    if (s == NULL || *s == '\0')
        return -1;
    if (strcmp(s, "now") == 0) {
        format_utc(now, out, outlen);
        return 0;
    }
    if (s[0] == '+' || s[0] == '-') {
        char *end;
        errno = 0;
        long long n = strtoll(s + 1, &end, 10);
        if (errno || end == s + 1 || end[0] == '\0' || end[1] != '\0' || n < 0 ||
            n > 100LL * 366 * 86400)
            return -1;
        long long unit = end[0] == 's'   ? 1
                         : end[0] == 'm' ? 60
                         : end[0] == 'h' ? 3600
                         : end[0] == 'd' ? 86400
                                         : 0;
        if (unit == 0)
            return -1;
        format_utc(now + (s[0] == '+' ? 1 : -1) * n * unit, out, outlen);
        return 0;
    }
    bool date_only;
    if (!rfc3339(s, &date_only))
        return -1;
    if (date_only)
        snprintf(out, outlen, "%.10sT00:00:00Z", s);
    else
        snprintf(out, outlen, "%s", s);
    for (char *p = out; *p; p++)
        if (*p == 't' || *p == ' ')
            *p = 'T';
        else if (*p == 'z')
            *p = 'Z';
    return 0;
}

int imsctl_token_from_text(const char *text, char *out, size_t outlen)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t n = strcspn(text, "\r\n");
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= outlen)
        return -1;
    memcpy(out, text, n);
    out[n] = '\0';
    return 0;
}

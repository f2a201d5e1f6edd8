/* Field checks shared by the handlers: text, slugs, identifiers, times and ranges. */
#include "validate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ims/error.h"
#include "rpc.h"

int validate_is_clean_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int extra;
        unsigned min;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                return 0;
            p++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            min = 0x80;
            c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            min = 0x800;
            c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            min = 0x10000;
            c &= 0x07;
        } else {
            return 0;
        }
        p++;
        for (int i = 0; i < extra; i++, p++) {
            if ((*p & 0xc0) != 0x80)
                return 0;
            c = (c << 6) | (*p & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return 0;
    }
    return 1;
}

int validate_text(struct rpc_call *call, const char *field, const char *value, size_t min,
                  size_t max)
{
    size_t n = strlen(value);
    if (n < min) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 min == 1 ? "%s: required" : "%s: shorter than %zu characters", field, min);
        return 0;
    }
    if (n > max) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s: longer than %zu bytes", field, max);
        return 0;
    }
    if (!validate_is_clean_utf8(value)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "%s: not valid UTF-8 or contains control characters", field);
        return 0;
    }
    return 1;
}

int validate_slug(struct rpc_call *call, const char *field, const char *value, size_t min,
                  size_t max)
{
    size_t n = strlen(value);
    int ok = n >= min && n <= max;
    for (size_t i = 0; ok && i < n; i++) {
        char c = value[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
    }
    if (!ok)
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "%s: must be %zu to %zu characters of a-z, 0-9 and '-', not starting with '-'",
                 field, min, max);
    return ok;
}

int validate_is_ident(const char *value, size_t max)
{
    size_t n = strlen(value);
    int ok = n >= 1 && n <= max;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)value[i];
        ok = isalnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
    }
    return ok;
}

int validate_ident(struct rpc_call *call, const char *field, const char *value, size_t max)
{
    int ok = validate_is_ident(value, max);
    if (!ok)
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "%s: must be 1 to %zu characters of A-Z, a-z, 0-9, '.', '_', ':', '-'", field,
                 max);
    return ok;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int validate_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec;
    if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return IMS_EINVAL;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return IMS_EINVAL;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (!((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') && strcmp(p, "+00:00") != 0)
        return IMS_EINVAL;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
        mi > 59 || sec > 60)
        return IMS_EINVAL;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return IMS_EINVAL;
    /* Days from the civil date (proleptic Gregorian), without the C library's time zone
     * machinery: this runs for every metric sample. */
    int yy = mo <= 2 ? y - 1 : y;
    int era = yy / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    *out = days * 86400 + h * 3600 + mi * 60 + (sec > 59 ? 59 : sec);
    return 0;
}

void validate_format_time(int64_t t, char *out, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int validate_time(struct rpc_call *call, const char *field, const char *value, int allow_empty,
                  int64_t *out)
{
    if (!*value && allow_empty) {
        *out = 0;
        return 1;
    }
    if (validate_parse_time(value, out) != 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "%s: not an RFC 3339 UTC time like 2026-06-01T00:00:00Z", field);
        return 0;
    }
    return 1;
}

int validate_range(struct rpc_call *call, const char *field, int64_t value, int64_t min,
                   int64_t max)
{
    if (value < min || value > max) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s: %lld is outside %lld..%lld", field,
                 (long long)value, (long long)min, (long long)max);
        return 0;
    }
    return 1;
}

int validate_new_tenant(struct rpc_call *call, const char *slug, const char *display_name,
                        const char *sector, const char *size_band, const char *schema_id,
                        int64_t schema_version)
{
    if (!validate_slug(call, "slug", slug, 2, 63))
        return 0;
    if (auth_is_uuid(slug)) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT,
                 "slug: \"%s\" has the form of a tenant id (a UUID); choose another", slug);
        return 0;
    }
    return validate_text(call, "display_name", display_name, 1, 200) &&
           validate_slug(call, "sector", sector, 1, 63) &&
           validate_slug(call, "size_band", size_band, 1, 20) &&
           (!*schema_id || validate_slug(call, "schema_id", schema_id, 1, 63)) &&
           validate_range(call, "schema_version", schema_version, 0, 1000000);
}

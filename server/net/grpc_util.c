/* Pure helpers of the gRPC wire protocol: header value checks, grpc-timeout, percent-
 * encoding. */
#include "grpc_util.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "grpc_server.h"
#include "ims/error.h"

/* Splits "<1..8 digits><unit>" into its number and unit; the spec allows nothing else. */
static int timeout_split(const char *text, uint64_t *value, char *unit)
{
    if (text == NULL)
        return IMS_EINVAL;
    size_t len = strlen(text);
    if (len < 2 || len > 9)
        return IMS_EINVAL;
    uint64_t v = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return IMS_EINVAL;
        v = v * 10 + (uint64_t)(text[i] - '0');
    }
    *value = v;
    *unit = text[len - 1];
    return 0;
}

int grpc_parse_timeout(const char *text, uint64_t *out_ms)
{
    uint64_t value;
    char unit;
    int rc = timeout_split(text, &value, &unit);
    if (rc < 0)
        return rc;
    /* value < 10^8, so even hours in milliseconds (3.6e14) cannot overflow. */
    switch (unit) {
    case 'H':
        *out_ms = value * 3600000u;
        return 0;
    case 'M':
        *out_ms = value * 60000u;
        return 0;
    case 'S':
        *out_ms = value * 1000u;
        return 0;
    case 'm':
        *out_ms = value;
        return 0;
    case 'u':
        *out_ms = (value + 999u) / 1000u;
        return 0;
    case 'n':
        *out_ms = (value + 999999u) / 1000000u;
        return 0;
    default:
        return IMS_EINVAL;
    }
}

int grpc_parse_timeout_ns(const char *text, uint64_t *out_ns)
{
    uint64_t value;
    char unit;
    int rc = timeout_split(text, &value, &unit);
    if (rc < 0)
        return rc;
    uint64_t scale;
    switch (unit) {
    case 'H':
        scale = 3600000000000u;
        break;
    case 'M':
        scale = 60000000000u;
        break;
    case 'S':
        scale = 1000000000u;
        break;
    case 'm':
        scale = 1000000u;
        break;
    case 'u':
        scale = 1000u;
        break;
    case 'n':
        scale = 1u;
        break;
    default:
        return IMS_EINVAL;
    }
    *out_ns = value > UINT64_MAX / scale ? UINT64_MAX : value * scale;
    return 0;
}

int grpc_percent_encode(const char *message, char *out, size_t out_len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)message; *p; p++) {
        /* The spec keeps printable ASCII except '%' as is and encodes every other byte. */
        int plain = *p >= 0x20 && *p <= 0x7e && *p != '%';
        size_t need = plain ? 1 : 3;
        if (n + need >= out_len)
            return IMS_ETOOBIG;
        if (plain) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 0x0f];
        }
    }
    if (n >= out_len)
        return IMS_ETOOBIG;
    out[n] = '\0';
    return (int)n;
}

int grpc_content_type_is_grpc(const char *value)
{
    static const char prefix[] = "application/grpc";
    size_t plen = sizeof prefix - 1;
    if (value == NULL || strncasecmp(value, prefix, plen) != 0)
        return 0;
    char next = value[plen];
    return next == '\0' || next == '+' || next == ';';
}

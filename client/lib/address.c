/* Server addresses as imsctl and libimsclient accept them. */
#include "address.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ims/error.h"

static int fail(char *err, size_t errlen, const char *text, const char *why)
{
    snprintf(err, errlen, "bad server address \"%s\": %s", text, why);
    return IMS_EINVAL;
}

static bool valid_port(const char *p)
{
    if (*p == '\0' || strlen(p) > 5)
        return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    long v = strtol(p, NULL, 10);
    return v >= 1 && v <= 65535;
}

static int parse_unix(const char *text, const char *path, ims__address *out, char *err,
                      size_t errlen)
{
    /* "unix:///p" is the URI spelling of "unix:/p". */
    if (strncmp(path, "//", 2) == 0)
        path += 2;
    if (path[0] != '/')
        return fail(err, errlen, text, "a Unix socket path must be absolute");
    if (strlen(path) >= sizeof(out->path))
        return fail(err, errlen, text, "Unix socket path too long");
    out->kind = IMS__ADDRESS_UNIX;
    strcpy(out->path, path);
    strcpy(out->authority, "localhost");
    return 0;
}

int ims__address_parse(const char *text, ims__address *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (err && errlen)
        err[0] = '\0';
    if (text == NULL || text[0] == '\0')
        return fail(err, errlen, "", "empty");
    if (strncmp(text, "unix:", 5) == 0)
        return parse_unix(text, text + 5, out, err, errlen);

    const char *rest = text;
    const char *default_port = NULL;
    if (strncmp(rest, "https://", 8) == 0) {
        out->tls = true;
        rest += 8;
        default_port = "443";
    } else if (strncmp(rest, "http://", 7) == 0) {
        rest += 7;
        default_port = "80";
    } else if (strstr(rest, "://") != NULL) {
        return fail(err, errlen, text, "unknown scheme (use https://, http:// or unix:)");
    }
    size_t len = strlen(rest);
    if (len > 0 && rest[len - 1] == '/')
        len--; /* tolerate "https://host:port/" */

    const char *host = rest;
    size_t host_len;
    const char *port = NULL;
    size_t port_len = 0;
    if (rest[0] == '[') {
        const char *close = memchr(rest, ']', len);
        if (close == NULL)
            return fail(err, errlen, text, "missing ']' after an IPv6 address");
        host = rest + 1;
        host_len = (size_t)(close - host);
        const char *after = close + 1;
        size_t after_len = len - (size_t)(after - rest);
        if (after_len > 0) {
            if (after[0] != ':')
                return fail(err, errlen, text, "expected ':' after ']'");
            port = after + 1;
            port_len = after_len - 1;
        }
    } else {
        const char *colon = NULL;
        for (size_t i = 0; i < len; i++)
            if (rest[i] == ':') {
                if (colon != NULL)
                    return fail(err, errlen, text, "write IPv6 addresses as [addr]:port");
                colon = rest + i;
            }
        host_len = colon ? (size_t)(colon - rest) : len;
        if (colon) {
            port = colon + 1;
            port_len = len - host_len - 1;
        }
    }
    if (host_len == 0)
        return fail(err, errlen, text, "missing host");
    if (host_len >= sizeof(out->host))
        return fail(err, errlen, text, "host name too long");
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';
    for (size_t i = 0; i < host_len; i++)
        if (out->host[i] == '/' || out->host[i] == ' ' || out->host[i] == '@')
            return fail(err, errlen, text, "invalid character in host");
    if (port == NULL || port_len == 0) {
        if (default_port == NULL)
            return fail(err, errlen, text, "missing port (host:port)");
        strcpy(out->port, default_port);
    } else {
        if (port_len >= sizeof(out->port))
            return fail(err, errlen, text, "port must be 1..65535");
        memcpy(out->port, port, port_len);
        out->port[port_len] = '\0';
        if (!valid_port(out->port))
            return fail(err, errlen, text, "port must be 1..65535");
    }
    out->kind = IMS__ADDRESS_TCP;
    if (strchr(out->host, ':') != NULL)
        snprintf(out->authority, sizeof(out->authority), "[%s]:%s", out->host, out->port);
    else
        snprintf(out->authority, sizeof(out->authority), "%s:%s", out->host, out->port);
    return 0;
}

/*
 * Server addresses as imsctl and libimsclient accept them.
 *
 *   host:port, [v6addr]:port, http://host:port   cleartext HTTP/2 (h2c, prior knowledge)
 *   https://host[:port]                           TLS, port 443 when omitted
 *   unix:/path, unix:///path                      cleartext over a Unix socket
 */
#ifndef IMS_CLIENT_ADDRESS_H
#define IMS_CLIENT_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

enum ims__address_kind { IMS__ADDRESS_TCP, IMS__ADDRESS_UNIX };

typedef struct ims__address {
    enum ims__address_kind kind;
    bool tls;
    char host[256]; /* without brackets for IPv6 literals */
    char port[8];
    char path[108];      /* sizeof(sockaddr_un.sun_path) */
    char authority[300]; /* the :authority pseudo-header: host:port or "localhost" */
} ims__address;

/*
 * Parses `text` into `out`. Returns 0, or IMS_EINVAL with a sentence naming
 * the problem written to err (at most errlen bytes, always terminated).
 */
__attribute__((warn_unused_result)) int ims__address_parse(const char *text, ims__address *out,
                                                           char *err, size_t errlen);

#endif

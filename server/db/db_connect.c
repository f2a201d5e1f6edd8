/* A libpq connection started with a connect timeout, TCP keepalives, a TCP user timeout
 * and a statement timeout, under whatever the DSN says itself. */
#include "db_connect.h"

#include <stdio.h>

PGconn *db_connect_start(const char *conninfo, const struct db_connect_limits *limits)
{
    char connect_timeout[16], options[64];
    /* libpq counts connect_timeout in whole seconds, at least 2. */
    int seconds = limits && limits->connect_timeout_ms > 0
                      ? (limits->connect_timeout_ms + 999) / 1000
                      : 0;
    snprintf(connect_timeout, sizeof connect_timeout, "%d", seconds < 2 && seconds ? 2 : seconds);
    snprintf(options, sizeof options, "-c statement_timeout=%d",
             limits ? limits->statement_timeout_ms : 0);
    const char *keys[] = {"keepalives",     "keepalives_idle", "keepalives_interval",
                          "keepalives_count", "tcp_user_timeout", "connect_timeout",
                          "options",        "dbname",          NULL};
    const char *values[] = {"1",
                            "10",
                            "3",
                            "3",
                            "15000",
                            seconds ? connect_timeout : "0",
                            limits && limits->statement_timeout_ms > 0 ? options : "",
                            conninfo,
                            NULL};
    return PQconnectStartParams(keys, values, 1);
}

/*
 * Starting a libpq connection with the bounds a daemon needs whatever the DSN says
 * nothing of: a connect timeout, TCP keepalives and a TCP user timeout (a database that
 * vanished without a word is noticed), and a statement timeout. Settings the DSN itself
 * names win over these defaults.
 */
#ifndef IMS_DB_CONNECT_H
#define IMS_DB_CONNECT_H

#include <libpq-fe.h>

struct db_connect_limits {
    int connect_timeout_ms;   /* 0: libpq's default (none) */
    int statement_timeout_ms; /* 0: the server's setting */
};

/* PQconnectStartParams with the limits before the DSN (expanded), so that the DSN's own
 * keywords override them. Returns what libpq returns (NULL when memory is short). */
PGconn *db_connect_start(const char *conninfo, const struct db_connect_limits *limits);

#endif

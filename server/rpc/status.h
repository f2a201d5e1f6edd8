/*
 * Which gRPC status a failure gets: errors of the daemon's own modules, and SQLSTATEs of
 * failed statements. Pure functions, so the mapping can be tested on its own.
 */
#ifndef IMS_RPC_STATUS_H
#define IMS_RPC_STATUS_H

/* The status for err (a negative IMS_E* code) raised before or around the database, and
 * in *message the text to send. Returns -1 when err is the database refusing a statement:
 * then rpc_status_for_sqlstate decides. */
int rpc_status_for_error(int err, const char **message);

/*
 * The status for a failed statement's SQLSTATE. *message is the fixed text to send, or
 * NULL when the database's own message is the answer (our functions raise 22023 with the
 * field's name first; constraint names say which rule a value broke). An unexpected
 * SQLSTATE is INTERNAL and *logged set to 1: it is a bug to be logged.
 */
int rpc_status_for_sqlstate(const char *sqlstate, const char **message, int *logged);

#endif

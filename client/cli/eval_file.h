/*
 * `imsctl eval FILE [--at TIME] [--plan N | --explain K]`: evaluates a snapshot offline.
 *
 * Prints the evaluation JSON of SECURITY-LEVEL.md section 11 (unrounded, 0..1 scale), or
 * with --plan N the first N steps of the improvement plan, or with --explain K the top K
 * controls by lost level and the split of their loss. TIME is RFC 3339 UTC
 * (2026-06-01T00:00:00Z) or integer seconds since the epoch; without --at the snapshot's
 * "at" is used (and a snapshot without "at" needs --at).
 */
#ifndef IMSCTL_EVAL_FILE_H
#define IMSCTL_EVAL_FILE_H

#include <stdio.h>

/*
 * argv[0] is "eval". Writes the result to out and messages to err. Returns the process
 * exit code: 0 ok, 2 usage error, 3 snapshot unreadable or invalid (the message names the
 * file and the JSON path or line:column), 1 out of memory or output error.
 */
int imsctl_eval_file(int argc, char **argv, FILE *out, FILE *err);

#endif

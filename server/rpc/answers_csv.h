/*
 * The CSV reader of ImportAnswers: RFC 4180 records (quoted fields with "" escapes, CRLF or
 * LF line ends) of at most ANSWERS_CSV_FIELDS fields, each field copied into an arena with
 * room for itself only.
 */
#ifndef IMS_RPC_ANSWERS_CSV_H
#define IMS_RPC_ANSWERS_CSV_H

#include "arena.h"

#define ANSWERS_CSV_FIELDS 4

/* Reads one record starting at *p into fields (copies in the arena). Returns the number of
 * fields, 0 at the end of the text, -1 for an unterminated quote or too many fields, -2
 * when out of memory. *line advances past the record's newlines. */
int answers_csv_record(struct arena *a, const char **p, int *line, char **fields);

#endif

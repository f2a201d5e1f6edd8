/* journald output of log.c (see log_journal.c). */
#ifndef IMS_LOG_JOURNAL_H
#define IMS_LOG_JOURNAL_H

/* 1 when stderr is connected to journald (systemd sets JOURNAL_STREAM). */
int log_journal_detect(void);

#define LOG_JOURNAL_MAX_FIELDS 24
#define LOG_JOURNAL_FIELD_BYTES 320

/* The journald fields of a line's key=value tail ("method=/x peer=\"a b\"" gives
 * "IMS_METHOD=/x" and "IMS_PEER=a b"): keys upper-cased with IMS_ before them, quoted
 * values unescaped. Returns how many were written (at most max). */
int log_journal_fields(const char *tail, char fields[][LOG_JOURNAL_FIELD_BYTES], int max);

/* Sends one line: msg and its key=value tail, the tail's pairs as IMS_* fields. Returns 0
 * or -1 (the caller then writes the line to stderr). */
int log_journal_send(int priority, const char *level, const char *msg, const char *tail);

/* The syslog priority of a log level (LOG_DEBUG... of log.h as an int). */
int log_journal_priority(int level);

#endif

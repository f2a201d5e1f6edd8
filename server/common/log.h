/*
 * Structured logging for imsd: one line per event, "level=... msg=... key=value".
 *
 * Callers pass the key=value tail as a printf format. Secrets (tokens, passwords, DSNs)
 * are never passed here. Only imsd logs (main.c, rpc/, tenant/); the libraries it links
 * (net/, db/) report to it instead.
 *
 * Every string value is escaped as it is formatted, so no byte a peer chose can break a
 * line or forge a field: a backslash becomes \\, a double quote \", newline, carriage
 * return and tab \n \r \t, and any other byte outside printable ASCII (controls, DEL,
 * bytes of 0x80 and above) \xNN. A %s not written between double quotes in the format
 * (peer=%s) also has its spaces escaped as \x20, so a value stays one field.
 */
#ifndef IMS_LOG_H
#define IMS_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARNING, LOG_ERROR };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "debug", "info", "warning", "error"; returns 0 or IMS_EINVAL. */
int log_parse_level(const char *text, enum log_level *out);

/* Writes value (at most max bytes of it, stopping at a NUL) escaped as above into out,
 * NUL-terminated; quoted: 0 escapes spaces too. An escape is never cut in half: when out
 * is too small the value is truncated before it. Returns the length written. */
size_t log_escape(char *out, size_t out_len, const char *value, size_t max, int quoted);

/* Formats the key=value tail: printf conversions (flags, width, precision, '*', the
 * length modifiers hh h l ll z j t L) with every %s and %c escaped. Truncates to out_len;
 * returns the length written. */
size_t log_format(char *out, size_t out_len, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* log_emit(LOG_INFO, "listening", "addr=%s", addr): the format is for the key=value tail. */
void log_emit(enum log_level level, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(msg, ...) log_emit(LOG_DEBUG, msg, __VA_ARGS__)
#define log_info(msg, ...) log_emit(LOG_INFO, msg, __VA_ARGS__)
#define log_warning(msg, ...) log_emit(LOG_WARNING, msg, __VA_ARGS__)
#define log_error(msg, ...) log_emit(LOG_ERROR, msg, __VA_ARGS__)

#endif

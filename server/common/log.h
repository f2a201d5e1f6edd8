/*
 * Structured logging for imsd: one line per event, "level=... msg=... key=value".
 *
 * Callers pass the key=value tail already formatted. Secrets (tokens, passwords,
 * DSNs) are never passed here. Only imsd logs; the libraries it links do not.
 */
#ifndef IMS_LOG_H
#define IMS_LOG_H

#include <stdarg.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARNING, LOG_ERROR };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "debug", "info", "warning", "error"; returns 0 or IMS_EINVAL. */
int log_parse_level(const char *text, enum log_level *out);

/* log_emit(LOG_INFO, "listening", "addr=%s", addr): the format is for the key=value tail. */
void log_emit(enum log_level level, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(msg, ...) log_emit(LOG_DEBUG, msg, __VA_ARGS__)
#define log_info(msg, ...) log_emit(LOG_INFO, msg, __VA_ARGS__)
#define log_warning(msg, ...) log_emit(LOG_WARNING, msg, __VA_ARGS__)
#define log_error(msg, ...) log_emit(LOG_ERROR, msg, __VA_ARGS__)

#endif

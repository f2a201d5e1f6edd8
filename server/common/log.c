#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ims/error.h"

static enum log_level current_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warning", "error"};

void log_set_level(enum log_level level)
{
    current_level = level;
}

enum log_level log_get_level(void)
{
    return current_level;
}

int log_parse_level(const char *text, enum log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(text, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return IMS_EINVAL;
}

void log_emit(enum log_level level, const char *msg, const char *fmt, ...)
{
    if (level < current_level)
        return;
    char tail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tail, sizeof tail, fmt, ap);
    va_end(ap);

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    /* One fprintf per line so concurrent writers never interleave within a line. */
    fprintf(stderr, "ts=%s.%03ldZ level=%s msg=\"%s\"%s%s\n", stamp, now.tv_nsec / 1000000L,
            level_names[level], msg, tail[0] ? " " : "", tail);
}

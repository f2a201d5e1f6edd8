/* Structured log lines for imsd, every value escaped as it is formatted. */
#include "log.h"
#include "log_limit.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ims/error.h"
#include "log_journal.h"

static enum log_level current_level = LOG_INFO;
static int journal = -1; /* -1: not looked at yet */
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

size_t log_escape(char *out, size_t out_len, const char *value, size_t max, int quoted)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    if (out_len == 0)
        return 0;
    for (size_t i = 0; i < max && value[i] != '\0'; i++) {
        unsigned char c = (unsigned char)value[i];
        char esc[4];
        size_t len = 2;
        esc[0] = '\\';
        if (c == '\\' || c == '"')
            esc[1] = (char)c;
        else if (c == '\n')
            esc[1] = 'n';
        else if (c == '\r')
            esc[1] = 'r';
        else if (c == '\t')
            esc[1] = 't';
        else if (c < 0x20 || c >= 0x7f || (c == ' ' && !quoted)) {
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 0xf];
            len = 4;
        } else {
            esc[0] = (char)c;
            len = 1;
        }
        if (n + len >= out_len)
            break;
        memcpy(out + n, esc, len);
        n += len;
    }
    out[n] = '\0';
    return n;
}

/* Appends text to out[*n], keeping room for the NUL. */
static void append(char *out, size_t out_len, size_t *n, const char *text, size_t len)
{
    if (*n + 1 >= out_len)
        return;
    if (len > out_len - 1 - *n)
        len = out_len - 1 - *n;
    memcpy(out + *n, text, len);
    *n += len;
    out[*n] = '\0';
}

size_t log_format(char *out, size_t out_len, const char *fmt, va_list ap)
{
    size_t n = 0;
    if (out_len == 0)
        return 0;
    out[0] = '\0';
    const char *f = fmt;
    while (*f) {
        if (*f != '%') {
            const char *next = strchr(f, '%');
            size_t len = next ? (size_t)(next - f) : strlen(f);
            append(out, out_len, &n, f, len);
            f += len;
            continue;
        }
        /* A string value is quoted when the format puts a double quote right before it. */
        int quoted = f > fmt && f[-1] == '"';
        f++;
        if (*f == '%') {
            append(out, out_len, &n, "%", 1);
            f++;
            continue;
        }
        /* Rebuilt without '*': "%" flags width .precision length conversion. */
        char spec[48] = "%";
        size_t s = 1;
        while (*f && strchr("-+ #0", *f) && s < 8)
            spec[s++] = *f++;
        int width = -1, precision = -1;
        if (*f == '*') {
            width = va_arg(ap, int);
            f++;
        } else {
            for (width = 0; *f >= '0' && *f <= '9'; f++)
                width = width * 10 + (*f - '0');
        }
        if (*f == '.') {
            f++;
            if (*f == '*') {
                precision = va_arg(ap, int);
                f++;
            } else {
                for (precision = 0; *f >= '0' && *f <= '9'; f++)
                    precision = precision * 10 + (*f - '0');
            }
        }
        if (width > 0)
            s += (size_t)snprintf(spec + s, sizeof spec - s, "%d", width);
        if (precision >= 0)
            s += (size_t)snprintf(spec + s, sizeof spec - s, ".%d", precision);
        char length[3] = "";
        size_t l = 0;
        while (*f && strchr("hlzjtL", *f) && l < 2)
            length[l++] = *f++;
        length[l] = '\0';
        char conversion = *f;
        if (conversion == '\0')
            break;
        f++;
        snprintf(spec + s, sizeof spec - s, "%s%c", length, conversion);

        char piece[64];
        int len = 0;
        switch (conversion) {
        case 's': {
            const char *value = va_arg(ap, const char *);
            if (value == NULL)
                value = "(null)";
            size_t max = precision >= 0 ? (size_t)precision : SIZE_MAX;
            n += log_escape(out + n, out_len - n, value, max, quoted);
            continue;
        }
        case 'c': {
            char value[2] = {(char)va_arg(ap, int), '\0'};
            n += log_escape(out + n, out_len - n, value, 1, quoted);
            continue;
        }
        case 'd':
        case 'i':
            if (strcmp(length, "ll") == 0)
                len = snprintf(piece, sizeof piece, spec, va_arg(ap, long long));
            else if (strcmp(length, "l") == 0)
                len = snprintf(piece, sizeof piece, spec, va_arg(ap, long));
            else if (strcmp(length, "z") == 0 || strcmp(length, "t") == 0)
                len = snprintf(piece, sizeof piece, spec, va_arg(ap, ptrdiff_t));
            else if (strcmp(length, "j") == 0)
                len = snprintf(piece, sizeof piece, spec, va_arg(ap, intmax_t));
            else
                len = snprintf(piece, sizeof piece, spec, va_arg(ap, int));
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            if (strcmp(length, "ll") == 0)
                len = snprintf(piece, sizeof piece, spec, va_arg(ap, unsigned long long));
            else if (strcmp(length, "l") == 0)
                len = snprintf(piece, sizeof piece, spec, va_arg(ap, unsigned long));
            else if (strcmp(length, "z") == 0 || strcmp(length, "t") == 0)
                len = snprintf(piece, sizeof piece, spec, va_arg(ap, size_t));
            else if (strcmp(length, "j") == 0)
                len = snprintf(piece, sizeof piece, spec, va_arg(ap, uintmax_t));
            else
                len = snprintf(piece, sizeof piece, spec, va_arg(ap, unsigned));
            break;
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
        case 'a':
        case 'A':
            if (strcmp(length, "L") == 0)
                len = snprintf(piece, sizeof piece, spec, va_arg(ap, long double));
            else
                len = snprintf(piece, sizeof piece, spec, va_arg(ap, double));
            break;
        case 'p':
            len = snprintf(piece, sizeof piece, spec, va_arg(ap, void *));
            break;
        default:
            /* Not a conversion log lines use: its argument cannot be consumed safely. */
            append(out, out_len, &n, "?", 1);
            return n;
        }
        if (len > 0)
            append(out, out_len, &n, piece,
                   (size_t)len < sizeof piece ? (size_t)len : sizeof piece - 1);
    }
    return n;
}

void log_emit(enum log_level level, const char *msg, const char *fmt, ...)
{
    if (level < current_level)
        return;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t suppressed = 0;
    if (level == LOG_WARNING && !log_limit_admit(msg, (int64_t)now.tv_sec, &suppressed))
        return;
    char tail[1024];
    va_list ap;
    va_start(ap, fmt);
    size_t n = log_format(tail, sizeof tail, fmt, ap);
    va_end(ap);
    if (suppressed > 0 && n < sizeof tail)
        snprintf(tail + n, sizeof tail - n, "%ssuppressed=%llu", n ? " " : "",
                 (unsigned long long)suppressed);
    char message[256];
    log_escape(message, sizeof message, msg, SIZE_MAX, 1);
    if (journal < 0)
        journal = log_journal_detect();
    if (journal &&
        log_journal_send(log_journal_priority((int)level), level_names[level], message, tail) == 0)
        return;

    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    /* One fprintf per line so concurrent writers never interleave within a line. */
    fprintf(stderr, "ts=%s.%03ldZ level=%s msg=\"%s\"%s%s\n", stamp, now.tv_nsec / 1000000L,
            level_names[level], message, tail[0] ? " " : "", tail);
}

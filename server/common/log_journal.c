/*
 * Log lines to journald with structured fields, when imsd runs under systemd with its
 * stderr connected to the journal (JOURNAL_STREAM names stderr's device and inode). Each
 * key=value of the line becomes a field IMS_<KEY> (TENANT, METHOD, STATUS, PEER, MS, ...),
 * next to MESSAGE, PRIORITY and IMS_LEVEL, so `journalctl IMS_TENANT=...` finds a
 * tenant's lines. Elsewhere the key=value lines go to stderr as before.
 */
#include "log_journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>

#include <systemd/sd-journal.h>

int log_journal_detect(void)
{
    const char *stream = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!stream || sscanf(stream, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) != 0)
        return 0;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* The value starting at p (quoted with \" and \\ escapes, or bare to the next space),
 * unescaped into out; returns where the value ends. */
static const char *take_value(const char *p, char *out, size_t len)
{
    size_t n = 0;
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1])
                p++;
            if (n + 1 < len)
                out[n++] = *p;
        }
        if (*p == '"')
            p++;
    } else {
        for (; *p && *p != ' '; p++)
            if (n + 1 < len)
                out[n++] = *p;
    }
    out[n] = '\0';
    return p;
}

int log_journal_fields(const char *tail, char fields[][LOG_JOURNAL_FIELD_BYTES], int max)
{
    int n = 0;
    for (const char *p = tail; *p && n < max;) {
        while (*p == ' ')
            p++;
        const char *eq = strchr(p, '=');
        const char *space = strchr(p, ' ');
        if (!eq || eq == p || (space && space < eq))
            break;
        char *f = fields[n];
        size_t k = (size_t)snprintf(f, LOG_JOURNAL_FIELD_BYTES, "IMS_");
        for (const char *q = p; q < eq && k < 60; q++) {
            char c = *q;
            if (c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            f[k++] = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_';
        }
        f[k++] = '=';
        p = take_value(eq + 1, f + k, LOG_JOURNAL_FIELD_BYTES - k);
        n++;
    }
    return n;
}

int log_journal_send(int priority, const char *level, const char *msg, const char *tail)
{
    static char fields[LOG_JOURNAL_MAX_FIELDS][LOG_JOURNAL_FIELD_BYTES];
    struct iovec iov[LOG_JOURNAL_MAX_FIELDS + 3];
    char message[1400], prio[16], lvl[32];
    snprintf(message, sizeof message, "MESSAGE=%s%s%s", msg, *tail ? " " : "", tail);
    snprintf(prio, sizeof prio, "PRIORITY=%d", priority);
    snprintf(lvl, sizeof lvl, "IMS_LEVEL=%s", level);
    int n = 0;
    iov[n++] = (struct iovec){message, strlen(message)};
    iov[n++] = (struct iovec){prio, strlen(prio)};
    iov[n++] = (struct iovec){lvl, strlen(lvl)};
    int count = log_journal_fields(tail, fields, LOG_JOURNAL_MAX_FIELDS);
    for (int i = 0; i < count; i++)
        iov[n++] = (struct iovec){fields[i], strlen(fields[i])};
    return sd_journal_sendv(iov, n) < 0 ? -1 : 0;
}

int log_journal_priority(int level)
{
    static const int priorities[] = {LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR};
    return level >= 0 && level < 4 ? priorities[level] : LOG_INFO;
}

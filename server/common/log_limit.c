/* Warnings rate-limited per message: so many lines a second, and a count of the rest. */
#include "log_limit.h"

#include <string.h>

struct slot {
    char msg[64]; /* "" when free */
    int64_t second;
    unsigned count;
    uint64_t suppressed;
};

static struct slot slots[LOG_LIMIT_SLOTS];

static unsigned hash(const char *msg)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % LOG_LIMIT_SLOTS;
}

int log_limit_admit(const char *msg, int64_t now_s, uint64_t *suppressed)
{
    *suppressed = 0;
    struct slot *s = &slots[hash(msg)];
    if (strncmp(s->msg, msg, sizeof s->msg - 1) != 0) {
        /* A new message, or another one sharing the slot: the slot starts over (a
         * collision only makes the limit looser). */
        strncpy(s->msg, msg, sizeof s->msg - 1);
        s->msg[sizeof s->msg - 1] = '\0';
        s->second = now_s;
        s->count = 0;
        s->suppressed = 0;
    }
    if (s->second != now_s) {
        s->second = now_s;
        s->count = 0;
    }
    if (s->count >= LOG_LIMIT_PER_SECOND) {
        s->suppressed++;
        return 0;
    }
    s->count++;
    *suppressed = s->suppressed;
    s->suppressed = 0;
    return 1;
}

/*
 * Warnings are rate-limited per message: a peer that provokes the same warning a thousand
 * times a second must not fill the disk or hold the loop writing lines. Each message (the
 * msg text of log_emit) may log LOG_LIMIT_PER_SECOND lines a second; the next line that
 * goes out tells how many were suppressed meanwhile.
 */
#ifndef IMS_LOG_LIMIT_H
#define IMS_LOG_LIMIT_H

#include <stdint.h>

#define LOG_LIMIT_PER_SECOND 20
#define LOG_LIMIT_SLOTS 128

/* 1 when a line of msg may go out at now_s (seconds); *suppressed then holds how many
 * were dropped since the last one (0 for none). Called from one thread (the loop's). */
int log_limit_admit(const char *msg, int64_t now_s, uint64_t *suppressed);

#endif

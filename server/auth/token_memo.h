/*
 * The SHA-256 of the bearer tokens seen last, by their exact bytes: a connection sends the
 * same authorization value with every call, and hashing it each time is most of what a
 * cached token costs. The hash is a pure function of the token, so this changes no
 * answer: every call still looks the hash up in the token cache, where a revoked token is
 * forgotten at once (auth_tokens_forget). A small direct-mapped table; a flood of
 * different tokens only takes turns in it.
 */
#ifndef IMS_AUTH_TOKEN_MEMO_H
#define IMS_AUTH_TOKEN_MEMO_H

#include "auth.h"

#define TOKEN_MEMO_SLOTS 64

struct token_memo_slot {
    char token[AUTH_TOKEN_LEN + 1]; /* "" for an empty slot */
    char hash[65];
};

struct token_memo {
    struct token_memo_slot slots[TOKEN_MEMO_SLOTS];
};

/* hash (65 bytes) of token: auth_token_hash_hex(), remembered for tokens of the
 * well-formed length. */
void token_memo_hash(struct token_memo *memo, const char *token, char *hash);

/* Forgets every token (when the cache goes). */
void token_memo_clear(struct token_memo *memo);

#endif

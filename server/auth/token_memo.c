/* The SHA-256 of recently seen bearer tokens, by their exact bytes: a direct-mapped table
 * in front of auth_token_hash_hex(). */
#include "token_memo.h"

#include <stdint.h>
#include <string.h>

#include "ims/hash.h"

/* The slot of a token by its last characters: a token is random base64url, and tokens
 * made to share a slot only take turns in it. */
static struct token_memo_slot *slot_of(struct token_memo *memo, const char *token)
{
    return &memo->slots[ims_hash_bytes(token + AUTH_TOKEN_LEN - 8, 8) % TOKEN_MEMO_SLOTS];
}

void token_memo_hash(struct token_memo *memo, const char *token, char *hash)
{
    if (strlen(token) != AUTH_TOKEN_LEN) {
        auth_token_hash_hex(token, hash);
        return;
    }
    struct token_memo_slot *s = slot_of(memo, token);
    if (memcmp(s->token, token, AUTH_TOKEN_LEN + 1) == 0) {
        memcpy(hash, s->hash, sizeof s->hash);
        return;
    }
    auth_token_hash_hex(token, hash);
    memcpy(s->token, token, AUTH_TOKEN_LEN + 1);
    memcpy(s->hash, hash, sizeof s->hash);
}

void token_memo_clear(struct token_memo *memo)
{
    /* The tokens are secrets: not left in freed memory either. */
    for (int i = 0; i < TOKEN_MEMO_SLOTS; i++)
        explicit_bzero(memo->slots[i].token, sizeof memo->slots[i].token);
}

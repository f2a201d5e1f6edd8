/*
 * Resolving bearer tokens to principals, with a cache in front of the token store.
 *
 * auth_lookup() answers from the cache when it can and otherwise asks the store through
 * the fetch function given at creation (the daemon's asks PostgreSQL; tests give their
 * own). The cache is bounded and evicts the least recently used entry; tokens that
 * resolve to nothing usable go to a separate, smaller negative cache, so a flood of bad
 * tokens cannot push out the good ones. However many calls wait for the same token, the
 * store is asked once (single flight), and an answer is cached once.
 *
 * The module needs only the token text and a callback: it can run as soon as a call's
 * headers have arrived, before any byte of its body. A waiter is embedded in its caller
 * (struct auth_wait) and can be withdrawn when the caller goes away first.
 *
 * Time comes from the clock given at creation (milliseconds, monotonic).
 */
#ifndef IMS_AUTH_TOKENS_H
#define IMS_AUTH_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"

struct auth_tokens;
struct auth_flight;

/* What the store knows about one token hash; all text fields NUL-terminated. */
struct auth_token_record {
    int found;               /* a token has this hash */
    int active;              /* neither revoked nor past its expiry */
    const char *token_id;    /* UUID text */
    const char *role;        /* auth_role_name() spelling */
    const char *tenants_csv; /* the token's tenants, "id,id" ("" for none) */
    long long seconds_left;  /* until expiry, or -1 for never */
};

/* Asks the store about hash (64 hex digits). It must end, now or later, with exactly one
 * auth_tokens_fetched(flight, ...). Returns 0, or a negative IMS_E* code when the question
 * could not be asked (then auth_tokens_fetched must not be called). */
typedef int (*auth_fetch_fn)(void *ctx, const char *hash, struct auth_flight *flight);

typedef uint64_t (*auth_clock_fn)(void *ctx);

struct auth_tokens_config {
    size_t capacity;          /* resolved tokens kept (at least 1) */
    size_t negative_capacity; /* unusable tokens kept (at least 1) */
    uint64_t ttl_ms;          /* how long an answer is trusted without the store */
    uint64_t negative_ttl_ms; /* the same for unusable tokens */
    auth_fetch_fn fetch;
    auth_clock_fn now;
    void *ctx; /* given to fetch and now */
};

/*
 * The result of a lookup: 0 with the principal (valid only during the callback: copy it
 * with auth_principal_copy), IMS_ENOTFOUND for a token that is unknown, revoked or
 * expired, or the store's error (IMS_EUNAVAILABLE, IMS_ENOMEM, ...).
 */
typedef void (*auth_lookup_cb)(int result, const struct auth_principal *principal, void *arg);

/* One waiting caller; embed it, leave it zeroed, and do not move it while it waits. */
struct auth_wait {
    auth_lookup_cb cb;
    void *arg;
    struct auth_flight *flight; /* non-NULL while waiting */
    struct auth_wait *next;
    struct auth_wait **prev;
};

/* Returns 0, IMS_EINVAL (a capacity of 0, no fetch or clock) or IMS_ENOMEM. */
int auth_tokens_new(const struct auth_tokens_config *config, struct auth_tokens **out)
    __attribute__((warn_unused_result));

/* Frees the cache. Flights still in the store end quietly when they come back: their
 * waiters are not called. */
void auth_tokens_free(struct auth_tokens *tokens);

/* Distinct tokens asked of the store at once: beyond, a token neither cached nor being
 * asked already is answered IMS_EUNAVAILABLE at once, so that made-up tokens cannot fill
 * the database's queue (known tokens are answered from the cache meanwhile). */
#define AUTH_MAX_FLIGHTS 64

/*
 * Resolves token (the bearer secret). cb runs exactly once unless the wait is withdrawn:
 * before auth_lookup returns when the cache answers or the store cannot be asked (or
 * AUTH_MAX_FLIGHTS lookups are in flight), later when the store is asked. wait must not
 * be waiting already.
 */
void auth_lookup(struct auth_tokens *tokens, const char *token, struct auth_wait *wait,
                 auth_lookup_cb cb, void *arg);

/* Withdraws a waiting caller (its callback will not run); no effect when not waiting. */
void auth_lookup_cancel(struct auth_wait *wait);

/* The store's answer for a flight: record NULL when err != 0. Caches the answer (unless a
 * forget came meanwhile) and calls every waiter. */
void auth_tokens_fetched(struct auth_flight *flight, int err,
                         const struct auth_token_record *record);

/* Drops every cached answer for the token with this id, and keeps answers of lookups in
 * flight out of the cache, so a revocation takes effect at once. */
void auth_tokens_forget(struct auth_tokens *tokens, const char *token_id);

/* Entries held: resolved and unusable tokens, and lookups in flight (for tests). */
void auth_tokens_counts(const struct auth_tokens *tokens, size_t *cached, size_t *negative,
                        size_t *in_flight);

/* Deep copy (the tenant list is the copy's own). Returns 0 or IMS_ENOMEM. */
int auth_principal_copy(struct auth_principal *dst, const struct auth_principal *src)
    __attribute__((warn_unused_result));

#endif

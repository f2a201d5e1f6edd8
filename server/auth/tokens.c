/* Token resolution: an LRU cache of principals, a negative cache, and single-flight
 * questions to the token store. */
#include "tokens.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ims/error.h"
#include "token_memo.h"

#define FLIGHT_BUCKETS 256

/* One cached answer, on its bucket's chain and on its table's recency list. */
struct entry {
    char hash[65];
    struct auth_principal principal; /* unused in the negative table */
    uint64_t fetched_ms;
    uint64_t expires_ms; /* when the token itself expires, or 0 */
    struct entry *chain;
    struct entry *newer, *older;
};

/* A bounded table: past capacity the least recently used entry goes. */
struct table {
    struct entry **buckets;
    size_t bucket_count;
    size_t count, capacity;
    uint64_t ttl_ms;
    struct entry *newest, *oldest;
};

struct auth_flight {
    struct auth_tokens *owner; /* NULL once the cache was freed */
    char hash[65];
    int stale; /* a forget came while the store was asked: do not cache the answer */
    struct auth_wait *waiters;
    struct auth_flight *chain;
};

struct auth_tokens {
    struct table positive, negative;
    struct auth_flight *flights[FLIGHT_BUCKETS];
    size_t flight_count;
    auth_fetch_fn fetch;
    auth_clock_fn now;
    void *ctx;
    struct token_memo memo; /* the hashes of the tokens seen last */
};

static size_t hash_index(const char *hash, size_t buckets)
{
    /* The hash is SHA-256 hex: its first digits are already uniform. */
    size_t h = 0;
    for (int i = 0; i < 8 && hash[i]; i++)
        h = h * 16 + (size_t)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 0x20) - 'a' + 10);
    return h % buckets;
}

/* --- tables --- */

static int table_init(struct table *t, size_t capacity, uint64_t ttl_ms)
{
    t->capacity = capacity;
    t->ttl_ms = ttl_ms;
    t->bucket_count = capacity < 16 ? 16 : capacity;
    t->buckets = calloc(t->bucket_count, sizeof *t->buckets);
    return t->buckets ? 0 : IMS_ENOMEM;
}

static struct entry *table_find(const struct table *t, const char *hash)
{
    for (struct entry *e = t->buckets[hash_index(hash, t->bucket_count)]; e; e = e->chain)
        if (strcmp(e->hash, hash) == 0)
            return e;
    return NULL;
}

static void recency_unlink(struct table *t, struct entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        t->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        t->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void recency_push(struct table *t, struct entry *e)
{
    e->older = t->newest;
    e->newer = NULL;
    if (t->newest)
        t->newest->newer = e;
    t->newest = e;
    if (!t->oldest)
        t->oldest = e;
}

static void table_remove(struct table *t, struct entry *e)
{
    struct entry **pp = &t->buckets[hash_index(e->hash, t->bucket_count)];
    while (*pp != e)
        pp = &(*pp)->chain;
    *pp = e->chain;
    recency_unlink(t, e);
    auth_principal_free(&e->principal);
    free(e);
    t->count--;
}

static void table_drop(struct table *t, const char *hash)
{
    struct entry *e = table_find(t, hash);
    if (e)
        table_remove(t, e);
}

/* Takes e (a new entry not in any table); evicts the oldest when full. */
static void table_insert(struct table *t, struct entry *e)
{
    table_drop(t, e->hash);
    while (t->count >= t->capacity && t->oldest)
        table_remove(t, t->oldest);
    size_t b = hash_index(e->hash, t->bucket_count);
    e->chain = t->buckets[b];
    t->buckets[b] = e;
    recency_push(t, e);
    t->count++;
}

static void table_clear(struct table *t)
{
    while (t->oldest)
        table_remove(t, t->oldest);
}

/* --- the cache --- */

int auth_tokens_new(const struct auth_tokens_config *config, struct auth_tokens **out)
{
    if (config->capacity == 0 || config->negative_capacity == 0 || !config->fetch || !config->now)
        return IMS_EINVAL;
    struct auth_tokens *t = calloc(1, sizeof *t);
    if (!t)
        return IMS_ENOMEM;
    if (table_init(&t->positive, config->capacity, config->ttl_ms) != 0 ||
        table_init(&t->negative, config->negative_capacity, config->negative_ttl_ms) != 0) {
        free(t->positive.buckets);
        free(t);
        return IMS_ENOMEM;
    }
    t->fetch = config->fetch;
    t->now = config->now;
    t->ctx = config->ctx;
    *out = t;
    return 0;
}

void auth_tokens_free(struct auth_tokens *tokens)
{
    if (!tokens)
        return;
    for (int b = 0; b < FLIGHT_BUCKETS; b++) {
        for (struct auth_flight *f = tokens->flights[b]; f; f = f->chain) {
            f->owner = NULL;
            for (struct auth_wait *w = f->waiters; w; w = w->next)
                w->flight = NULL;
            f->waiters = NULL;
        }
    }
    table_clear(&tokens->positive);
    table_clear(&tokens->negative);
    token_memo_clear(&tokens->memo);
    free(tokens->positive.buckets);
    free(tokens->negative.buckets);
    free(tokens);
}

int auth_principal_copy(struct auth_principal *dst, const struct auth_principal *src)
{
    *dst = *src;
    dst->tenants = NULL;
    if (src->tenant_count > 0) {
        dst->tenants = malloc((size_t)src->tenant_count * sizeof *dst->tenants);
        if (!dst->tenants)
            return IMS_ENOMEM;
        memcpy(dst->tenants, src->tenants, (size_t)src->tenant_count * sizeof *dst->tenants);
    }
    return 0;
}

static int parse_tenant_csv(struct auth_principal *p, const char *csv)
{
    int n = 0;
    for (const char *c = csv; *c; c++)
        n += *c == ',';
    n += *csv != '\0';
    p->tenant_count = 0;
    if (n == 0)
        return 0;
    p->tenants = calloc((size_t)n, sizeof *p->tenants);
    if (!p->tenants)
        return IMS_ENOMEM;
    const char *c = csv;
    while (*c && p->tenant_count < n) {
        const char *end = strchr(c, ',');
        size_t len = end ? (size_t)(end - c) : strlen(c);
        if (len == AUTH_UUID_LEN) {
            memcpy(p->tenants[p->tenant_count], c, len);
            p->tenants[p->tenant_count][len] = '\0';
            p->tenant_count++;
        }
        c = end ? end + 1 : c + len;
    }
    return 0;
}

static struct auth_flight **flight_slot(struct auth_tokens *t, const char *hash)
{
    struct auth_flight **pp = &t->flights[hash_index(hash, FLIGHT_BUCKETS)];
    while (*pp && strcmp((*pp)->hash, hash) != 0)
        pp = &(*pp)->chain;
    return pp;
}

static void wait_attach(struct auth_flight *f, struct auth_wait *w, auth_lookup_cb cb, void *arg)
{
    w->cb = cb;
    w->arg = arg;
    w->flight = f;
    w->next = f->waiters;
    w->prev = &f->waiters;
    if (f->waiters)
        f->waiters->prev = &w->next;
    f->waiters = w;
}

void auth_lookup_cancel(struct auth_wait *wait)
{
    if (!wait->flight)
        return;
    *wait->prev = wait->next;
    if (wait->next)
        wait->next->prev = wait->prev;
    wait->flight = NULL;
    wait->next = NULL;
    wait->prev = NULL;
}

/* Answers every waiter of f; each is detached before its callback runs, so a callback may
 * cancel or start other lookups. */
static void flight_answer(struct auth_flight *f, int result, const struct auth_principal *p)
{
    struct auth_wait *w;
    while ((w = f->waiters) != NULL) {
        auth_lookup_cancel(w);
        w->cb(result, p, w->arg);
    }
}

void auth_lookup(struct auth_tokens *tokens, const char *token, struct auth_wait *wait,
                 auth_lookup_cb cb, void *arg)
{
    assert(!wait->flight); /* one lookup at a time per waiter */
    char hash[65];
    token_memo_hash(&tokens->memo, token, hash);
    uint64_t now = tokens->now(tokens->ctx);

    struct entry *e = table_find(&tokens->positive, hash);
    if (e && now - e->fetched_ms > tokens->positive.ttl_ms) {
        table_remove(&tokens->positive, e);
        e = NULL;
    }
    if (e && e->expires_ms && now >= e->expires_ms) {
        /* Expired while cached: the store would now say so too. */
        struct entry *n = calloc(1, sizeof *n);
        if (n) {
            memcpy(n->hash, hash, sizeof n->hash);
            n->fetched_ms = now;
            table_insert(&tokens->negative, n);
        }
        table_remove(&tokens->positive, e);
        cb(IMS_ENOTFOUND, NULL, arg);
        return;
    }
    if (e) {
        recency_unlink(&tokens->positive, e);
        recency_push(&tokens->positive, e);
        cb(0, &e->principal, arg);
        return;
    }
    e = table_find(&tokens->negative, hash);
    if (e && now - e->fetched_ms > tokens->negative.ttl_ms) {
        table_remove(&tokens->negative, e);
        e = NULL;
    }
    if (e) {
        recency_unlink(&tokens->negative, e);
        recency_push(&tokens->negative, e);
        cb(IMS_ENOTFOUND, NULL, arg);
        return;
    }

    struct auth_flight **slot = flight_slot(tokens, hash);
    if (*slot) {
        wait_attach(*slot, wait, cb, arg);
        return;
    }
    if (tokens->flight_count >= AUTH_MAX_FLIGHTS) {
        cb(IMS_EUNAVAILABLE, NULL, arg);
        return;
    }
    struct auth_flight *f = calloc(1, sizeof *f);
    if (!f) {
        cb(IMS_ENOMEM, NULL, arg);
        return;
    }
    f->owner = tokens;
    memcpy(f->hash, hash, sizeof f->hash);
    *slot = f;
    tokens->flight_count++;
    wait_attach(f, wait, cb, arg);
    int rc = tokens->fetch(tokens->ctx, hash, f);
    if (rc != 0) {
        *flight_slot(tokens, hash) = f->chain;
        tokens->flight_count--;
        flight_answer(f, rc, NULL);
        free(f);
    }
}

/* The principal a record grants, or IMS_ENOTFOUND when it grants none. */
static int principal_from_record(const struct auth_token_record *rec, struct auth_principal *p)
{
    memset(p, 0, sizeof *p);
    if (!rec->found || !rec->active || !rec->token_id || strlen(rec->token_id) > AUTH_UUID_LEN ||
        !rec->role || auth_role_parse(rec->role, &p->role) != 0)
        return IMS_ENOTFOUND;
    memcpy(p->token_id, rec->token_id, strlen(rec->token_id) + 1);
    return parse_tenant_csv(p, rec->tenants_csv ? rec->tenants_csv : "");
}

void auth_tokens_fetched(struct auth_flight *flight, int err,
                         const struct auth_token_record *record)
{
    struct auth_tokens *t = flight->owner;
    if (!t) {
        free(flight);
        return;
    }
    *flight_slot(t, flight->hash) = flight->chain;
    t->flight_count--;
    if (err != 0) {
        flight_answer(flight, err, NULL);
        free(flight);
        return;
    }
    uint64_t now = t->now(t->ctx);
    struct auth_principal p;
    int result = principal_from_record(record, &p);
    if (result == 0 && record->seconds_left >= 0)
        p.expires_ms = now + (uint64_t)record->seconds_left * 1000 + 1;
    struct entry *e = flight->stale || result == IMS_ENOMEM ? NULL : calloc(1, sizeof *e);
    if (e) {
        memcpy(e->hash, flight->hash, sizeof e->hash);
        e->fetched_ms = now;
        /* No entry in both tables: the newest answer wins. */
        if (result == 0) {
            table_drop(&t->negative, e->hash);
            if (auth_principal_copy(&e->principal, &p) == 0) {
                if (record->seconds_left >= 0)
                    e->expires_ms = now + (uint64_t)record->seconds_left * 1000;
                table_insert(&t->positive, e);
            } else {
                free(e);
            }
        } else {
            table_drop(&t->positive, e->hash);
            table_insert(&t->negative, e);
        }
    }
    flight_answer(flight, result, result == 0 ? &p : NULL);
    auth_principal_free(&p);
    free(flight);
}

void auth_tokens_forget(struct auth_tokens *tokens, const char *token_id)
{
    struct entry *e = tokens->positive.oldest;
    while (e) {
        struct entry *newer = e->newer;
        if (strcasecmp(e->principal.token_id, token_id) == 0)
            table_remove(&tokens->positive, e);
        e = newer;
    }
    for (int b = 0; b < FLIGHT_BUCKETS; b++)
        for (struct auth_flight *f = tokens->flights[b]; f; f = f->chain)
            f->stale = 1;
}

void auth_tokens_counts(const struct auth_tokens *tokens, size_t *cached, size_t *negative,
                        size_t *in_flight)
{
    *cached = tokens->positive.count;
    *negative = tokens->negative.count;
    *in_flight = tokens->flight_count;
}

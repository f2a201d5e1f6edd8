/*
 * Listings, one page at a time, the same way for every list method. page_size 0 means
 * 100, else 1..1000. The statement is asked for one row more than a page (its LIMIT is
 * page->fetch): a row beyond the page means there is a next one, whose token is the key
 * of the last row shown. Tokens are opaque to clients; each listing says what its keys
 * look like, and a token that could not be one is refused.
 */
#ifndef IMS_RPC_PAGING_H
#define IMS_RPC_PAGING_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#define RPC_PAGE_DEFAULT 100
#define RPC_PAGE_MAX 1000

enum rpc_page_key {
    RPC_PAGE_KEY_TEXT,  /* clean text of at most 200 bytes (a slug, a catalog id) */
    RPC_PAGE_KEY_IDENT, /* at most 64 of A-Z a-z 0-9 . _ : - (an event id) */
    RPC_PAGE_KEY_UUID,  /* a UUID */
    RPC_PAGE_KEY_PAIR,  /* "<key>:<number>" (a schema id and version) */
};

struct rpc_page {
    int limit;             /* rows on a full page */
    char fetch[16];        /* limit + 1 as text: the statement's LIMIT */
    const char *after;     /* the token as given ("" for the first page) */
    char after_key[128];   /* RPC_PAGE_KEY_PAIR: the token's key ("" for none) */
    char after_number[16]; /* RPC_PAGE_KEY_PAIR: its number ("0" for none) */
    char next[192];        /* the next page's token, once made */
};

/* Reads a request's page size and token into page (token must outlive page). Returns 0,
 * or IMS_EINVAL with the reason, naming the field, in error. */
int rpc_page_parse(struct rpc_page *page, int32_t size, const char *token, enum rpc_page_key key,
                   char *error, size_t error_len) __attribute__((warn_unused_result));

/* How many of the fetched rows the page shows. */
int rpc_page_rows(const struct rpc_page *page, int fetched);

/* The next page's token: "" when fetched fits the page, else made of the last shown row's
 * key (and number, for a pair; NULL otherwise). Valid as long as page. */
const char *rpc_page_next(struct rpc_page *page, int fetched, const char *key, const char *number);

/* A listing that is not paged (an export, a whole report): at most max rows. */
void rpc_page_whole(struct rpc_page *page, int max);

struct rpc_call;

/* rpc_page_parse into call->page; on a bad value ends the call (INVALID_ARGUMENT) and
 * returns 0, else 1. */
int rpc_page_begin(struct rpc_call *call, int32_t size, const char *token, enum rpc_page_key key);

/* The rows of r the call's page shows, and in *next its next token (key_col and, for a
 * pair, number_col of the last row shown; number_col -1 otherwise). */
int rpc_page_result(struct rpc_call *call, PGresult *r, int key_col, int number_col,
                    const char **next);

#endif

/* Listings one page at a time: the page size, the token, and the next token. */
#include "paging.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "ims/error.h"
#include "rpc.h"
#include "validate.h"

static int ident_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n < 1 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != ':' && c != '-')
            return 0;
    }
    return 1;
}

static int number_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 9)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int token_ok(struct rpc_page *p, const char *token, enum rpc_page_key key)
{
    switch (key) {
    case RPC_PAGE_KEY_TEXT:
        return strlen(token) <= 200 && validate_is_clean_utf8(token);
    case RPC_PAGE_KEY_IDENT:
        return ident_ok(token, 64);
    case RPC_PAGE_KEY_UUID:
        return auth_is_uuid(token);
    case RPC_PAGE_KEY_PAIR: {
        const char *colon = strrchr(token, ':');
        if (!colon || (size_t)(colon - token) >= sizeof p->after_key || !number_ok(colon + 1) ||
            !validate_is_clean_utf8(token))
            return 0;
        memcpy(p->after_key, token, (size_t)(colon - token));
        p->after_key[colon - token] = '\0';
        snprintf(p->after_number, sizeof p->after_number, "%d", atoi(colon + 1));
        return 1;
    }
    }
    return 0;
}

int rpc_page_parse(struct rpc_page *page, int32_t size, const char *token, enum rpc_page_key key,
                   char *error, size_t error_len)
{
    memset(page, 0, sizeof *page);
    snprintf(page->after_number, sizeof page->after_number, "0");
    page->after = token;
    if (size != 0 && (size < 1 || size > RPC_PAGE_MAX)) {
        snprintf(error, error_len, "page_size: %d is outside 1..%d", (int)size, RPC_PAGE_MAX);
        return IMS_EINVAL;
    }
    page->limit = size == 0 ? RPC_PAGE_DEFAULT : size;
    snprintf(page->fetch, sizeof page->fetch, "%d", page->limit + 1);
    if (*token && !token_ok(page, token, key)) {
        snprintf(error, error_len, "page_token: not a token this server gave");
        return IMS_EINVAL;
    }
    return 0;
}

void rpc_page_whole(struct rpc_page *page, int max)
{
    memset(page, 0, sizeof *page);
    page->after = "";
    snprintf(page->after_number, sizeof page->after_number, "0");
    page->limit = max;
    snprintf(page->fetch, sizeof page->fetch, "%d", max + 1);
}

int rpc_page_rows(const struct rpc_page *page, int fetched)
{
    return fetched > page->limit ? page->limit : fetched;
}

const char *rpc_page_next(struct rpc_page *page, int fetched, const char *key, const char *number)
{
    if (fetched <= page->limit)
        page->next[0] = '\0';
    else if (number)
        snprintf(page->next, sizeof page->next, "%s:%s", key, number);
    else
        snprintf(page->next, sizeof page->next, "%s", key);
    return page->next;
}

int rpc_page_begin(struct rpc_call *call, int32_t size, const char *token, enum rpc_page_key key)
{
    char error[128];
    if (rpc_page_parse(&call->page, size, token, key, error, sizeof error) != 0) {
        rpc_fail(call, IMS_GRPC_INVALID_ARGUMENT, "%s", error);
        return 0;
    }
    return 1;
}

int rpc_page_result(struct rpc_call *call, PGresult *r, int key_col, int number_col,
                    const char **next)
{
    int fetched = PQntuples(r);
    int shown = rpc_page_rows(&call->page, fetched);
    if (fetched <= call->page.limit || shown == 0) {
        *next = rpc_page_next(&call->page, 0, "", NULL);
        return shown;
    }
    *next = rpc_page_next(&call->page, fetched, PQgetvalue(r, shown - 1, key_col),
                          number_col >= 0 ? PQgetvalue(r, shown - 1, number_col) : NULL);
    return shown;
}

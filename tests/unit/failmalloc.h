/*
 * Allocation failures on demand, for unit tests linked with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
 * (ims_failmalloc_link() in CMake): every malloc, calloc and realloc made by the test's
 * own objects and the project's static libraries goes through here; the Nth one (counting
 * from failmalloc_arm) returns NULL. A test runs its scenario for N = 1, 2, ... until a run
 * sees no injected failure, so that every allocation of the scenario fails once.
 * Include it in exactly one file of the test.
 */
#ifndef IMS_TEST_FAILMALLOC_H
#define IMS_TEST_FAILMALLOC_H

#include <stddef.h>

static long failmalloc_at;    /* 0: never fail */
static long failmalloc_count; /* allocations since armed */
static int failmalloc_injected;

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static int failmalloc_now(void)
{
    if (failmalloc_at == 0 || ++failmalloc_count != failmalloc_at)
        return 0;
    failmalloc_injected = 1;
    return 1;
}

void *__wrap_malloc(size_t size)
{
    return failmalloc_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return failmalloc_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return failmalloc_now() ? NULL : __real_realloc(p, size);
}

static void failmalloc_arm(long n)
{
    failmalloc_at = n;
    failmalloc_count = 0;
    failmalloc_injected = 0;
}

static void failmalloc_disarm(void)
{
    failmalloc_at = 0;
}

#endif

/* The allocator's one setting for imsd (and the benchmarks that stand for it): the heap's
 * top is given back to the system only beyond 1 MiB free. By default glibc gives back
 * anything beyond 128 KiB, and a write's model copy of a large tenant, freed whole after
 * the next write's copy was made, left that much at the top every time: each copy then
 * faulted its pages in afresh (bench_engine: a copy cloned and freed 105 µs by default,
 * 45 µs with this). Setting it also fixes the mmap threshold at its default (128 KiB):
 * larger blocks are mapped and unmapped on their own. */
#ifndef IMS_MALLOC_TUNE_H
#define IMS_MALLOC_TUNE_H

#if defined(__GLIBC__)
#include <malloc.h>
#endif

static inline void ims_malloc_tune(void)
{
#if defined(__GLIBC__) && defined(M_TRIM_THRESHOLD)
    mallopt(M_TRIM_THRESHOLD, 1 << 20);
#endif
}

#endif

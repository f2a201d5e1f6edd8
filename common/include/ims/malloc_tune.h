/* The allocator's settings for imsd (and the benchmarks that stand for it).
 *
 * The heap's top is given back to the system only beyond 1 MiB free. By default glibc gives
 * back anything beyond 128 KiB, and a write's model copy of a large tenant, freed whole
 * after the next write's copy was made, left that much at the top every time: each copy
 * then faulted its pages in afresh (bench_engine: a copy cloned and freed 105 µs by
 * default, 45 µs with this).
 *
 * Setting the trim threshold also stops glibc from raising its mmap threshold as mapped
 * blocks are freed, which it does by default: left at 128 KiB, every array of a copy above
 * that (a tenant's incidents, their index, the names) was mapped, faulted in and unmapped
 * at every write, and a copy's cost grew much faster than its size (bench_engine with 8,000
 * incidents: 606 µs a write's copy; 239 µs with blocks up to 4 MiB taken from the heap).
 * Blocks above 4 MiB (a large load's document, a long sample history) are still mapped
 * and go back to the system when freed.
 *
 * One arena for every thread. Tenant states are parsed on the thread pool and freed on the
 * loop when evicted; with glibc's arena per thread each pool thread's arena kept its own
 * high-water mark of freed states (bench/scale/run.sh, 10,000 tenants under a 1 GiB budget,
 * about 9,130 held: RSS 1,366 MiB with the default arenas, 1,054 MiB with one). The pool's
 * threads allocate while parsing only, so sharing the loop's arena costs no measurable
 * waiting. */
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
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
    mallopt(M_ARENA_MAX, 1);
#endif
}

#endif

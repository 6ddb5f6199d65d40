/* alloc.c: allocation helpers that record SP_ENOMEM with the requested size.
 * They return NULL on failure (and for size 0 they allocate 1 byte so a
 * successful call never returns NULL). On Linux, blocks of 8 MiB and more are
 * advised to use transparent huge pages (MADV_HUGEPAGE; the kernel's default
 * here is "madvise"): the Krylov basis and the vectors a sparse matvec
 * gathers from at random. Measured: power-law n = 10^7 matvec 0.69 s -> 0.53 s
 * per product (fewer TLB misses). The advice is a hint; failures are ignored. */
#define _DEFAULT_SOURCE 1
#include <stdint.h>
#include <stdlib.h>
#include "spartan/core.h"
#if defined(__linux__)
#include <sys/mman.h>
#endif

#define SP_HUGE_PAGE ((uintptr_t)2 << 20)
#define SP_HUGE_MIN ((size_t)8 << 20)

static void advise_huge_pages(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (!p || bytes < SP_HUGE_MIN) return;
    uintptr_t a = ((uintptr_t)p + SP_HUGE_PAGE - 1) & ~(SP_HUGE_PAGE - 1);
    uintptr_t e = ((uintptr_t)p + bytes) & ~(SP_HUGE_PAGE - 1);
    if (e > a) (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}

void *sp_malloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p) sp_error(SP_ENOMEM, "out of memory allocating %zu bytes", bytes);
    advise_huge_pages(p, bytes);
    return p;
}

void *sp_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) {
        sp_error(SP_ENOMEM, "allocation of %zu x %zu bytes overflows", count, size);
        return NULL;
    }
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) sp_error(SP_ENOMEM, "out of memory allocating %zu bytes", count * size);
    advise_huge_pages(p, count * size);
    return p;
}

void *sp_realloc(void *ptr, size_t bytes)
{
    void *p = realloc(ptr, bytes ? bytes : 1);
    if (!p) sp_error(SP_ENOMEM, "out of memory reallocating to %zu bytes", bytes);
    advise_huge_pages(p, bytes);
    return p;
}

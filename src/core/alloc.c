/* alloc.c: allocation helpers that record SP_ENOMEM with the requested size.
 * They return NULL on failure (and for size 0 they allocate 1 byte so a
 * successful call never returns NULL). */
#include <stdint.h>
#include <stdlib.h>
#include "spartan/core.h"

void *sp_malloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p) sp_error(SP_ENOMEM, "out of memory allocating %zu bytes", bytes);
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
    return p;
}

void *sp_realloc(void *ptr, size_t bytes)
{
    void *p = realloc(ptr, bytes ? bytes : 1);
    if (!p) sp_error(SP_ENOMEM, "out of memory reallocating to %zu bytes", bytes);
    return p;
}

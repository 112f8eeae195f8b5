#include "kz_malloc.h"
#include <malloc.h>

void kz_map_large_buffers(size_t bytes) {
    mallopt(M_MMAP_THRESHOLD, (int)bytes);
    /* Fixing the mmap threshold also freezes the trim threshold at 128 KiB, so free() would give
       the top of the heap back (and the next malloc take it again) all the time: keep it at what
       glibc's dynamic rule would reach (twice the mmap threshold). Karez trims on its own after
       messages over the limits (kz_malloc_trim). */
    mallopt(M_TRIM_THRESHOLD, (int)(2 * bytes));
}

void kz_malloc_trim(void) { malloc_trim(0); }

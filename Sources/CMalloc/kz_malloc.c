#include "kz_malloc.h"
#include <malloc.h>

void kz_map_large_buffers(size_t bytes) { mallopt(M_MMAP_THRESHOLD, (int)bytes); }

void kz_malloc_trim(void) { malloc_trim(0); }

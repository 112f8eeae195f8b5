#ifndef KZ_MALLOC_H
#define KZ_MALLOC_H
#include <stddef.h>

/// Buffers of `bytes` and more are mapped on their own and unmapped when freed (fixes glibc's
/// M_MMAP_THRESHOLD, which it otherwise raises after the first large free).
void kz_map_large_buffers(size_t bytes);

/// Gives free heap memory back to the system (glibc's malloc_trim(0)).
void kz_malloc_trim(void);

#endif

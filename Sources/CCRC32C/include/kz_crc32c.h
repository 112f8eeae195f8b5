#ifndef KZ_CRC32C_H
#define KZ_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli) of `length` bytes: the SSE4.2 crc32 instruction when the CPU has it,
/// else a table (the same result either way).
uint32_t kz_crc32c(const void *bytes, size_t length);

#endif

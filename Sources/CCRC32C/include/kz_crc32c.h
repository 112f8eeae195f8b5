#ifndef KZ_CRC32C_H
#define KZ_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli) of `length` bytes: the SSE4.2 crc32 instruction when the CPU has it,
/// else a table (the same result either way).
uint32_t kz_crc32c(const void *bytes, size_t length);

/// CRC-32C whose initial state is mixed with `key`: a checksum that only a holder of the key can
/// compute, so bytes an outsider wrote (an item body) cannot pass for a journal record.
uint32_t kz_crc32c_keyed(uint32_t key, const void *bytes, size_t length);

/// The same as kz_crc32c_keyed, always by the table (the fallback of CPUs without SSE4.2): for
/// tests that check both paths agree.
uint32_t kz_crc32c_table(uint32_t key, const void *bytes, size_t length);

#endif

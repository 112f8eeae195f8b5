#ifndef KZ_UTF8_H
#define KZ_UTF8_H
#include <stddef.h>
#include <stdint.h>

/// Decodes `count` bytes of UTF-8 into Unicode scalars, checking them in the same pass as
/// `String(validating:)` would (no overlong forms, surrogates, scalars past U+10FFFF or truncated
/// sequences). Writes scalar k to `scalars[k]` and its byte offset to `offsets[k]`, plus the end
/// offset after the last scalar; `scalars` must hold `count` entries and `offsets` `count + 1`.
/// Returns the number of scalars, or -1 when the bytes are not valid UTF-8. With SSSE3, sixteen
/// ASCII bytes or four three-byte sequences (CJK) are decoded at a time; the result is the same
/// either way.
ptrdiff_t kz_utf8_decode(const uint8_t *bytes, size_t count, uint32_t *scalars, int32_t *offsets);

#endif

#ifndef KZ_JSON_H
#define KZ_JSON_H
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Skips, sixteen bytes at a time, bytes a JSON string holds as they are: returns the offset of
/// the first quote, backslash or control character (below 0x20) at or after `start` found in a
/// whole block of sixteen, or the offset where fewer than sixteen bytes are left (`start` itself
/// without SSE2). Callers finish the last bytes themselves. Inline, so calls cost nothing.
static inline size_t kz_json_skip_plain16(const uint8_t *bytes, size_t count, size_t start) {
    size_t i = start;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1F);
    while (i + 16 <= count) {
        __m128i v = _mm_loadu_si128((const __m128i *)(bytes + i));
        /* max(v, 0x1F) == 0x1F exactly when v <= 0x1F (unsigned). */
        __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                       _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
        int hits = _mm_movemask_epi8(special);
        if (hits) return i + (size_t)__builtin_ctz((unsigned)hits);
        i += 16;
    }
#endif
    return i;
}

#endif

// UTF-8 to scalars for the news scanner: SSSE3 for runs of ASCII and of CJK, a scalar loop for
// the rest and for checking.
#include "kz_utf8.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
static int has_ssse3;

/* Runs once when the library loads, before any thread can decode. */
__attribute__((constructor))
static void setup(void) {
    __builtin_cpu_init();
    has_ssse3 = __builtin_cpu_supports("ssse3") ? 1 : 0;
}
#endif

static inline int is_continuation(uint32_t x) { return (x & 0xC0) == 0x80; }

/* Decodes the one scalar at bytes[i] into *out; returns its length in bytes, or 0 when invalid. */
static inline size_t decode_one(const uint8_t *b, size_t i, size_t count, uint32_t *out) {
    uint32_t lead = b[i];
    if (lead < 0x80) {
        *out = lead;
        return 1;
    }
    if ((lead & 0xF0) == 0xE0) {
        if (i + 2 >= count) return 0;
        uint32_t c1 = b[i + 1], c2 = b[i + 2];
        uint32_t u = (lead & 0x0F) << 12 | (c1 & 0x3F) << 6 | (c2 & 0x3F);
        /* Continuations, not overlong (below U+0800), not a surrogate. */
        if (!is_continuation(c1) || !is_continuation(c2) || u < 0x800 || (u & 0xF800) == 0xD800) return 0;
        *out = u;
        return 3;
    }
    if ((lead & 0xE0) == 0xC0) {
        if (lead < 0xC2 || i + 1 >= count) return 0;
        uint32_t c1 = b[i + 1];
        if (!is_continuation(c1)) return 0;
        *out = (lead & 0x1F) << 6 | (c1 & 0x3F);
        return 2;
    }
    if ((lead & 0xF8) != 0xF0 || i + 3 >= count) return 0;
    uint32_t c1 = b[i + 1], c2 = b[i + 2], c3 = b[i + 3];
    uint32_t u = (lead & 0x07) << 18 | (c1 & 0x3F) << 12 | (c2 & 0x3F) << 6 | (c3 & 0x3F);
    if (!is_continuation(c1) || !is_continuation(c2) || !is_continuation(c3) || u < 0x10000 || u > 0x10FFFF) return 0;
    *out = u;
    return 4;
}

static ptrdiff_t decode_scalar(const uint8_t *b, size_t count, uint32_t *scalars, int32_t *offsets) {
    size_t i = 0, n = 0, length;
    for (; i < count; i += length, n++) {
        offsets[n] = (int32_t)i;
        if (!(length = decode_one(b, i, count, &scalars[n]))) return -1;
    }
    offsets[n] = (int32_t)i;
    return (ptrdiff_t)n;
}

#if defined(__x86_64__)
__attribute__((target("ssse3")))
static ptrdiff_t decode_ssse3(const uint8_t *b, size_t count, uint32_t *scalars, int32_t *offsets) {
    /* Four three-byte sequences in bytes 0..11: leads 1110xxxx, continuations 10xxxxxx. */
    const __m128i lead_mask = _mm_setr_epi8((char)0xF0, (char)0xC0, (char)0xC0, (char)0xF0, (char)0xC0, (char)0xC0,
                                            (char)0xF0, (char)0xC0, (char)0xC0, (char)0xF0, (char)0xC0, (char)0xC0, 0, 0, 0, 0);
    const __m128i lead_bits = _mm_setr_epi8((char)0xE0, (char)0x80, (char)0x80, (char)0xE0, (char)0x80, (char)0x80,
                                            (char)0xE0, (char)0x80, (char)0x80, (char)0xE0, (char)0x80, (char)0x80, 0, 0, 0, 0);
    /* Lane k gets c2 | c1 << 8 | lead << 16 of sequence k. */
    const __m128i spread = _mm_setr_epi8(2, 1, 0, -1, 5, 4, 3, -1, 8, 7, 6, -1, 11, 10, 9, -1);
    const __m128i steps3 = _mm_setr_epi32(0, 3, 6, 9);
    const __m128i steps1 = _mm_setr_epi32(0, 1, 2, 3);
    const __m128i zero = _mm_setzero_si128();
    size_t i = 0, n = 0;
    while (i < count) {
        if (i + 16 <= count) {
            __m128i v = _mm_loadu_si128((const __m128i *)(b + i));
            if (_mm_movemask_epi8(v) == 0) {  /* sixteen ASCII bytes */
                __m128i lo = _mm_unpacklo_epi8(v, zero), hi = _mm_unpackhi_epi8(v, zero);
                _mm_storeu_si128((__m128i *)(scalars + n), _mm_unpacklo_epi16(lo, zero));
                _mm_storeu_si128((__m128i *)(scalars + n + 4), _mm_unpackhi_epi16(lo, zero));
                _mm_storeu_si128((__m128i *)(scalars + n + 8), _mm_unpacklo_epi16(hi, zero));
                _mm_storeu_si128((__m128i *)(scalars + n + 12), _mm_unpackhi_epi16(hi, zero));
                __m128i base = _mm_add_epi32(_mm_set1_epi32((int32_t)i), steps1);
                __m128i four = _mm_set1_epi32(4);
                for (int k = 0; k < 4; k++) {
                    _mm_storeu_si128((__m128i *)(offsets + n + 4 * k), base);
                    base = _mm_add_epi32(base, four);
                }
                i += 16;
                n += 16;
                continue;
            }
            if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(v, lead_mask), lead_bits)) == 0xFFFF) {
                __m128i x = _mm_shuffle_epi8(v, spread);
                __m128i u = _mm_or_si128(_mm_or_si128(_mm_and_si128(x, _mm_set1_epi32(0x3F)),
                                                      _mm_and_si128(_mm_srli_epi32(x, 2), _mm_set1_epi32(0xFC0))),
                                         _mm_and_si128(_mm_srli_epi32(x, 4), _mm_set1_epi32(0xF000)));
                /* Not overlong (below U+0800), not a surrogate: else the scalar loop says why. */
                __m128i bad = _mm_or_si128(_mm_cmplt_epi32(u, _mm_set1_epi32(0x800)),
                                           _mm_cmpeq_epi32(_mm_and_si128(u, _mm_set1_epi32(0xF800)), _mm_set1_epi32(0xD800)));
                if (_mm_movemask_epi8(bad) == 0) {
                    _mm_storeu_si128((__m128i *)(scalars + n), u);
                    _mm_storeu_si128((__m128i *)(offsets + n), _mm_add_epi32(_mm_set1_epi32((int32_t)i), steps3));
                    i += 12;
                    n += 4;
                    continue;
                }
            }
        }
        offsets[n] = (int32_t)i;
        size_t length = decode_one(b, i, count, &scalars[n++]);
        if (!length) return -1;
        i += length;
    }
    offsets[n] = (int32_t)i;
    return (ptrdiff_t)n;
}
#endif

ptrdiff_t kz_utf8_decode(const uint8_t *bytes, size_t count, uint32_t *scalars, int32_t *offsets) {
#if defined(__x86_64__)
    if (has_ssse3) return decode_ssse3(bytes, count, scalars, offsets);
#endif
    return decode_scalar(bytes, count, scalars, offsets);
}

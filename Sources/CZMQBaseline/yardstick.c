// The machine yardstick of `karez bench domain`: a fixed text workload in plain C.
#include "kz_baseline.h"
#include "kz_clock.h"
#include <stdint.h>
#include <string.h>

enum { SLOTS = 1 << 13 };

/* One round: decode `text` as UTF-8 into scalars and count every pair of adjacent scalars in an
   open-addressing table, as a keyword pass over a story does. Returns the largest count. */
static uint32_t one_round(const unsigned char *text, size_t len, uint64_t *keys, uint32_t *counts) {
    memset(counts, 0, SLOTS * sizeof *counts);
    uint32_t previous = 0, best = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = text[i];
        uint32_t scalar;
        if (c < 0x80) { scalar = c; i += 1; }
        else if ((c & 0xE0) == 0xC0 && i + 1 < len) { scalar = ((uint32_t)(c & 0x1F) << 6) | (text[i + 1] & 0x3F); i += 2; }
        else if ((c & 0xF0) == 0xE0 && i + 2 < len) { scalar = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(text[i + 1] & 0x3F) << 6) | (text[i + 2] & 0x3F); i += 3; }
        else if ((c & 0xF8) == 0xF0 && i + 3 < len) {
            scalar = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(text[i + 1] & 0x3F) << 12) | ((uint32_t)(text[i + 2] & 0x3F) << 6) | (text[i + 3] & 0x3F);
            i += 4;
        } else { scalar = 0xFFFD; i += 1; }
        uint64_t key = ((uint64_t)previous << 32) | scalar;
        uint64_t h = key * 0x9E3779B97F4A7C15ull;
        size_t slot = (size_t)(h >> 51);
        while (counts[slot] != 0 && keys[slot] != key) slot = (slot + 1) & (SLOTS - 1);
        keys[slot] = key;
        if (++counts[slot] > best) best = counts[slot];
        previous = scalar;
    }
    return best;
}

double kz_yardstick_run(const unsigned char *text, size_t len, double seconds, unsigned *checksum) {
    static uint64_t keys[SLOTS];
    static uint32_t counts[SLOTS];
    unsigned sum = 0;
    long rounds = 0;
    double start = kz_now_seconds(), elapsed = 0;
    do {
        sum += one_round(text, len, keys, counts);
        rounds++;
        elapsed = kz_now_seconds() - start;
    } while (elapsed < seconds);
    if (checksum) *checksum = sum;
    return (double)rounds / elapsed;
}

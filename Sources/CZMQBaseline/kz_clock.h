#ifndef KZ_CLOCK_H
#define KZ_CLOCK_H
#include <stdint.h>
#include <time.h>

/// Monotonic nanoseconds, for the baselines' own timing.
static inline int64_t kz_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/// Monotonic seconds.
static inline double kz_now_seconds(void) { return (double)kz_now_ns() / 1e9; }

#endif

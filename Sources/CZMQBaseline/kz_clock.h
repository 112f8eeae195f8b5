#ifndef KZ_CLOCK_H
#define KZ_CLOCK_H
#include <time.h>

/// Monotonic seconds, for the baselines' own timing.
static inline double kz_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif

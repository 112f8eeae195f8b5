#ifndef KZ_BASELINE_H
#define KZ_BASELINE_H
#include <stddef.h>

/// The messaging pattern a baseline run uses.
typedef enum {
    KZ_PATTERN_PUSH_PULL = 0,
    KZ_PATTERN_DEALER_ROUTER = 1
} kz_pattern;

/// Result of one baseline run: messages received and seconds from the first to the last.
typedef struct {
    long messages;
    double seconds;
    int error; /* errno of the first failure, 0 when the run succeeded */
} kz_baseline_result;

/// Sends `count` messages of `size` bytes from a sender thread to a receiver over `endpoint`
/// (for example "tcp://127.0.0.1:*"), written directly against libzmq: the C baseline that
/// Karez's Swift layer is measured against.
kz_baseline_result kz_baseline_run(kz_pattern pattern, const char *endpoint, size_t size, long count);

#endif

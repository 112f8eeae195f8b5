#ifndef KZ_BASELINE_H
#define KZ_BASELINE_H
#include <stddef.h>
#include <stdint.h>

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

/// How the durable baseline syncs its log: never, once per receive burst, or after every message.
typedef enum {
    KZ_FSYNC_NEVER = 0,
    KZ_FSYNC_BATCH = 1,
    KZ_FSYNC_ALWAYS = 2
} kz_fsync;

/// A durable DEALER/ROUTER queue in plain C: a DEALER thread keeps up to `window` messages of
/// `size` bytes unacknowledged; the ROUTER appends each burst of received messages to the file
/// at `log_path`, syncs it as `fsync` says (fdatasync), then acknowledges the burst with one
/// message. Measures acknowledged messages per second: what Karez's publish → journal → ACK
/// path is compared against.
kz_baseline_result kz_durable_run(const char *endpoint, size_t size, long count, kz_fsync fsync, int window, const char *log_path);

/// The lengths of a durable queue's fdatasyncs, in microseconds: `micros` has room for
/// `capacity`, `count` says how many were recorded (syncs beyond the room are not).
typedef struct {
    int64_t *micros;
    long capacity;
    long count;
} kz_syncs;

/// The same durable queue driven open loop: the DEALER sends `count` messages at `rate` per
/// second, each at its intended time (start + i / rate) whatever the acknowledgements do, and
/// waits to the microsecond (ppoll on ZMQ_FD). `latency_us[i]` (room for `count`) gets the
/// microseconds from message i's intended time to its acknowledgement: coordinated omission
/// corrected, as `karez bench --rate` measures Karez. The yardstick of Karez's open-loop latency.
/// `syncs` (or NULL) gets the length of each of the queue's fdatasyncs.
kz_baseline_result kz_durable_open_run(const char *endpoint, size_t size, long count, double rate, kz_fsync fsync, const char *log_path,
                                       int64_t *latency_us, kz_syncs *syncs);

/// What raw libzmq spent receiving the last of `messages` messages on a ROUTER bound to
/// `endpoint` (a wildcard port is resolved into `endpoint` of the result, printed at once).
typedef struct {
    char endpoint[256];
    long frames;
    long bytes;
    double cpu_ms;
} kz_drain_result;

/// Binds, prints "listening on ENDPOINT", receives `messages` whole messages and prints the CPU
/// each cost (the I/O thread's decoding included). Returns 0, or -1 when binding failed.
int kz_drain_one(const char *endpoint, int messages, kz_drain_result *out);

/// The machine yardstick of `karez bench domain`: a fixed text workload in plain C (decode `text`
/// as UTF-8 into scalars and count every pair of adjacent scalars in an open-addressing table:
/// branchy byte scanning, hashing and table probes, the kind of work validating and enriching a
/// story is), repeated for `seconds` on the calling thread. Returns rounds per second; `checksum`
/// (may be NULL) receives a value that depends on every round, so none can be optimised away.
double kz_yardstick_run(const unsigned char *text, size_t len, double seconds, unsigned *checksum);

/// What one thread waking another costs on this machine (`kz_wakeup_run`).
typedef struct {
    long wakeups;
    double cpu_us_per_wakeup; /* CPU time of both threads over the wake-ups: the waker's write and the wakee's wait and return */
    double round_trip_us;     /* wall time of one round: two wake-ups, one each way */
    int error;                /* errno of the first failure, 0 when the run succeeded */
} kz_wakeup_result;

/// The wake-up yardstick of `karez bench`: two threads wake each other in turn through eventfds
/// (each blocks in read until the other writes), unpinned, for `seconds`. Every message between
/// Karez's processes costs a few such wake-ups (ZeroMQ's I/O threads, the receiving thread), so
/// this is the figure that sets a machine's cost per turn: a few microseconds on bare metal, tens
/// under nested virtualisation.
kz_wakeup_result kz_wakeup_run(double seconds);

#endif

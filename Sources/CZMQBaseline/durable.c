// The durable baseline: DEALER → ROUTER with an append-only log synced per policy, in C.
#define _GNU_SOURCE /* ppoll */
#include "kz_baseline.h"
#include "kz_clock.h"
#include <zmq.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What both senders share: where to connect, what to send, and how it went. */
typedef struct {
    void *ctx;
    char endpoint[256];
    size_t size;
    long count;
    int error;
    long acked;
    double seconds;
} sender;

/* A DEALER connected to the queue (linger 0), and a payload of `size` bytes; NULL on failure. */
static void *sender_open(sender *c, char **payload) {
    void *s = zmq_socket(c->ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(s, c->endpoint) != 0) { c->error = zmq_errno(); zmq_close(s); return NULL; }
    *payload = malloc(c->size ? c->size : 1);
    memset(*payload, 'k', c->size);
    return s;
}

/* Records how the sender ended. A failure would leave the receiving side waiting for messages
   that never come: shutting the context down wakes it. */
static void sender_close(sender *c, void *s, char *payload, long acked, double seconds) {
    c->seconds = seconds;
    c->acked = acked;
    if (c->error) zmq_ctx_shutdown(c->ctx);
    free(payload);
    zmq_close(s);
}

typedef struct {
    sender c;
    int window;
} dealer_args;

static void *dealer_main(void *p) {
    dealer_args *a = (dealer_args *)p;
    char *payload;
    void *s = sender_open(&a->c, &payload);
    if (!s) return NULL;
    long sent = 0, acked = 0, count = a->c.count;
    double start = kz_now_seconds();
    while (acked < count) {
        while (sent < count && sent - acked < a->window) {
            if (zmq_send(s, payload, a->c.size, ZMQ_DONTWAIT) < 0) {
                if (zmq_errno() == EAGAIN || zmq_errno() == EINTR) break;
                a->c.error = zmq_errno(); goto out;
            }
            sent++;
        }
        uint32_t n;
        int rc = zmq_recv(s, &n, sizeof n, sent - acked >= a->window || sent == count ? 0 : ZMQ_DONTWAIT);
        if (rc == sizeof n) acked += n;
        else if (rc < 0 && zmq_errno() != EAGAIN && zmq_errno() != EINTR) { a->c.error = zmq_errno(); goto out; }
    }
out:
    sender_close(&a->c, s, payload, acked, kz_now_seconds() - start);
    return NULL;
}

/* The durable queue's receiving side: takes every message waiting (up to 1024) as one burst,
   appends the burst to the log, syncs it as `fsync` says and acknowledges it with one message
   carrying its count. Returns 0 or the errno of the first failure. */
/* One fdatasync, its length in microseconds added to `syncs` (when given). */
static int timed_sync(int fd, kz_syncs *syncs) {
    int64_t start = syncs ? kz_now_ns() : 0;
    int rc = fdatasync(fd);
    if (syncs && rc == 0 && syncs->count < syncs->capacity) syncs->micros[syncs->count++] = (kz_now_ns() - start) / 1000;
    return rc;
}

static int router_serve(void *s, int fd, size_t size, long count, kz_fsync fsync, kz_syncs *syncs) {
    int error = 0;
    size_t cap = (size + 8) * 1024;
    char *buffer = malloc(cap);
    char id[256];
    size_t id_len = 0;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    long received = 0;
    while (received < count) {
        size_t used = 0;
        uint32_t burst = 0;
        int flags = 0; /* the first message of a burst is waited for, the rest taken while there */
        while (burst < 1024) {
            int rc = zmq_recv(s, id, sizeof id, flags);
            if (rc < 0) {
                if (zmq_errno() == EAGAIN) break;
                if (zmq_errno() == EINTR) continue;
                error = zmq_errno(); goto done;
            }
            id_len = (size_t)rc;
            if (zmq_msg_recv(&msg, s, 0) < 0) { error = zmq_errno(); goto done; }
            size_t n = zmq_msg_size(&msg);
            if (used + n + 4 > cap) { cap = (used + n + 4) * 2; buffer = realloc(buffer, cap); }
            uint32_t len32 = (uint32_t)n;
            memcpy(buffer + used, &len32, 4);
            memcpy(buffer + used + 4, zmq_msg_data(&msg), n);
            used += n + 4;
            burst++;
            if (fsync == KZ_FSYNC_ALWAYS) {
                if (write(fd, buffer, used) < 0 || timed_sync(fd, syncs) != 0) { error = errno; goto done; }
                used = 0;
            }
            flags = ZMQ_DONTWAIT;
        }
        if (used > 0 && write(fd, buffer, used) < 0) { error = errno; goto done; }
        if (fsync == KZ_FSYNC_BATCH && timed_sync(fd, syncs) != 0) { error = errno; goto done; }
        received += burst;
        zmq_send(s, id, id_len, ZMQ_SNDMORE);
        zmq_send(s, &burst, sizeof burst, 0);
    }
done:
    zmq_msg_close(&msg);
    free(buffer);
    return error;
}

/* Runs one queue: the log at `log_path`, a ROUTER bound to `endpoint` serving `count` messages
   on this thread, and `main` sending them on another, with `c` its shared part. The side that
   fails first says why; the other one only saw the shutdown (ETERM). */
static kz_baseline_result run_queue(const char *endpoint, long count, kz_fsync fsync, const char *log_path,
                                    void *(*main)(void *), void *args, sender *c, kz_syncs *syncs) {
    kz_baseline_result r = {0, 0, 0};
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    if (fd < 0) { r.error = errno; return r; }
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(s, endpoint) != 0) { r.error = zmq_errno(); zmq_close(s); zmq_ctx_term(ctx); close(fd); return r; }
    c->ctx = ctx;
    size_t len = sizeof c->endpoint;
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, c->endpoint, &len);
    pthread_t t;
    pthread_create(&t, NULL, main, args);
    r.error = router_serve(s, fd, c->size, count, fsync, syncs);
    /* A failure here would leave the sender waiting for acknowledgements that never come. */
    if (r.error) zmq_ctx_shutdown(ctx);
    pthread_join(t, NULL);
    if ((!r.error || r.error == ETERM) && c->error && c->error != ETERM) r.error = c->error;
    r.messages = c->acked;
    r.seconds = c->seconds;
    zmq_close(s);
    zmq_ctx_term(ctx);
    close(fd);
    return r;
}

kz_baseline_result kz_durable_run(const char *endpoint, size_t size, long count, kz_fsync fsync, int window, const char *log_path) {
    dealer_args a = { { NULL, {0}, size, count, 0, 0, 0 }, window > 0 ? window : 1 };
    return run_queue(endpoint, count, fsync, log_path, dealer_main, &a, &a.c, NULL);
}

typedef struct {
    sender c;
    double rate;
    int64_t *latency_us;
} open_dealer_args;

/* Waits until `s` may have input or the monotonic `deadline` (ns, -1: none) passes, to the
   microsecond: ZMQ_EVENTS first (ZMQ_FD is edge-triggered and a send or receive may have taken
   its edge), then ppoll on ZMQ_FD. */
static void wait_readable(void *s, int fd, int64_t deadline) {
    int events = 0;
    size_t len = sizeof events;
    zmq_getsockopt(s, ZMQ_EVENTS, &events, &len);
    if (events & ZMQ_POLLIN) return;
    struct pollfd p = { fd, POLLIN, 0 };
    if (deadline < 0) { ppoll(&p, 1, NULL, NULL); return; }
    int64_t left = deadline - kz_now_ns();
    if (left <= 0) return;
    struct timespec ts = { (time_t)(left / 1000000000), (long)(left % 1000000000) };
    ppoll(&p, 1, &ts, NULL);
}

static void *open_dealer_main(void *p) {
    open_dealer_args *a = (open_dealer_args *)p;
    char *payload;
    void *s = sender_open(&a->c, &payload);
    if (!s) return NULL;
    int hwm = 0;
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm); /* open loop: never refuse a due message */
    int fd = -1;
    size_t fd_len = sizeof fd;
    zmq_getsockopt(s, ZMQ_FD, &fd, &fd_len);
    double interval = 1e9 / a->rate;
    long sent = 0, acked = 0, count = a->c.count;
    int64_t start = kz_now_ns();
    while (acked < count) {
        int64_t now = kz_now_ns();
        while (sent < count && start + (int64_t)(sent * interval) <= now) {
            if (zmq_send(s, payload, a->c.size, ZMQ_DONTWAIT) < 0) {
                if (zmq_errno() == EINTR) continue;
                a->c.error = zmq_errno(); goto out;
            }
            sent++;
        }
        uint32_t n;
        int rc;
        while ((rc = zmq_recv(s, &n, sizeof n, ZMQ_DONTWAIT)) == sizeof n) {
            int64_t t = kz_now_ns();
            for (uint32_t k = 0; k < n && acked < count; k++, acked++) {
                a->latency_us[acked] = (t - (start + (int64_t)(acked * interval))) / 1000;
            }
        }
        if (rc < 0 && zmq_errno() != EAGAIN && zmq_errno() != EINTR) { a->c.error = zmq_errno(); goto out; }
        if (acked >= count) break;
        wait_readable(s, fd, sent < count ? start + (int64_t)(sent * interval) : -1);
    }
out:
    sender_close(&a->c, s, payload, acked, (double)(kz_now_ns() - start) / 1e9);
    return NULL;
}

kz_baseline_result kz_durable_open_run(const char *endpoint, size_t size, long count, double rate, kz_fsync fsync, const char *log_path,
                                       int64_t *latency_us, kz_syncs *syncs) {
    if (count <= 0 || !(rate > 0)) return (kz_baseline_result){0, 0, EINVAL};
    open_dealer_args a = { { NULL, {0}, size, count, 0, 0, 0 }, rate, latency_us };
    return run_queue(endpoint, count, fsync, log_path, open_dealer_main, &a, &a.c, syncs);
}

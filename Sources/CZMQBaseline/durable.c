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

typedef struct {
    void *ctx;
    char endpoint[256];
    size_t size;
    long count;
    int window;
    int error;
    double seconds;
    long acked;
} dealer_args;


static void *dealer_main(void *p) {
    dealer_args *a = (dealer_args *)p;
    void *s = zmq_socket(a->ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(s, a->endpoint) != 0) { a->error = zmq_errno(); zmq_close(s); return NULL; }
    char *payload = malloc(a->size ? a->size : 1);
    memset(payload, 'k', a->size);
    long sent = 0, acked = 0;
    double start = kz_now_seconds();
    while (acked < a->count) {
        while (sent < a->count && sent - acked < a->window) {
            if (zmq_send(s, payload, a->size, ZMQ_DONTWAIT) < 0) {
                if (zmq_errno() == EAGAIN || zmq_errno() == EINTR) break;
                a->error = zmq_errno(); goto out;
            }
            sent++;
        }
        uint32_t n;
        int rc = zmq_recv(s, &n, sizeof n, sent - acked >= a->window || sent == a->count ? 0 : ZMQ_DONTWAIT);
        if (rc == sizeof n) acked += n;
        else if (rc < 0 && zmq_errno() != EAGAIN && zmq_errno() != EINTR) { a->error = zmq_errno(); goto out; }
    }
out:
    a->seconds = kz_now_seconds() - start;
    a->acked = acked;
    if (a->error) zmq_ctx_shutdown(a->ctx);  /* wakes the receiving side */
    free(payload);
    zmq_close(s);
    return NULL;
}

/* The durable queue's receiving side: takes every message waiting (up to 1024) as one burst,
   appends the burst to the log, syncs it as `fsync` says and acknowledges it with one message
   carrying its count. Returns 0 or the errno of the first failure. */
static int router_serve(void *s, int fd, size_t size, long count, kz_fsync fsync) {
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
                if (write(fd, buffer, used) < 0 || fdatasync(fd) != 0) { error = errno; goto done; }
                used = 0;
            }
            flags = ZMQ_DONTWAIT;
        }
        if (used > 0 && write(fd, buffer, used) < 0) { error = errno; goto done; }
        if (fsync == KZ_FSYNC_BATCH && fdatasync(fd) != 0) { error = errno; goto done; }
        received += burst;
        zmq_send(s, id, id_len, ZMQ_SNDMORE);
        zmq_send(s, &burst, sizeof burst, 0);
    }
done:
    zmq_msg_close(&msg);
    free(buffer);
    return error;
}

kz_baseline_result kz_durable_run(const char *endpoint, size_t size, long count, kz_fsync fsync, int window, const char *log_path) {
    kz_baseline_result r = {0, 0, 0};
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    if (fd < 0) { r.error = errno; return r; }
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_ROUTER);
    if (zmq_bind(s, endpoint) != 0) { r.error = zmq_errno(); zmq_close(s); zmq_ctx_term(ctx); close(fd); return r; }
    dealer_args a = { ctx, {0}, size, count, window > 0 ? window : 1, 0, 0, 0 };
    size_t len = sizeof a.endpoint;
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, a.endpoint, &len);
    pthread_t t;
    pthread_create(&t, NULL, dealer_main, &a);

    r.error = router_serve(s, fd, size, count, fsync);
    /* A failure here would leave the sender waiting for acknowledgements that never come. */
    if (r.error) zmq_ctx_shutdown(ctx);
    pthread_join(t, NULL);
    /* The side that failed first says why; the other one only saw the shutdown (ETERM). */
    if (r.error == ETERM && a.error) r.error = a.error;
    r.messages = a.acked;
    r.seconds = a.seconds;
    if (!r.error && a.error != ETERM) r.error = a.error;
    zmq_close(s);
    zmq_ctx_term(ctx);
    close(fd);
    return r;
}

typedef struct {
    void *ctx;
    char endpoint[256];
    size_t size;
    long count;
    double rate;
    int64_t *latency_us;
    int error;
    long acked;
    double seconds;
} open_dealer_args;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

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
    int64_t left = deadline - now_ns();
    if (left <= 0) return;
    struct timespec ts = { (time_t)(left / 1000000000), (long)(left % 1000000000) };
    ppoll(&p, 1, &ts, NULL);
}

static void *open_dealer_main(void *p) {
    open_dealer_args *a = (open_dealer_args *)p;
    void *s = zmq_socket(a->ctx, ZMQ_DEALER);
    int linger = 0, hwm = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm); /* open loop: never refuse a due message */
    if (zmq_connect(s, a->endpoint) != 0) { a->error = zmq_errno(); zmq_close(s); return NULL; }
    int fd = -1;
    size_t fd_len = sizeof fd;
    zmq_getsockopt(s, ZMQ_FD, &fd, &fd_len);
    char *payload = malloc(a->size ? a->size : 1);
    memset(payload, 'k', a->size);
    double interval = 1e9 / a->rate;
    long sent = 0, acked = 0;
    int64_t start = now_ns();
    while (acked < a->count) {
        int64_t now = now_ns();
        while (sent < a->count && start + (int64_t)(sent * interval) <= now) {
            if (zmq_send(s, payload, a->size, ZMQ_DONTWAIT) < 0) {
                if (zmq_errno() == EINTR) continue;
                a->error = zmq_errno(); goto out;
            }
            sent++;
        }
        uint32_t n;
        int rc;
        while ((rc = zmq_recv(s, &n, sizeof n, ZMQ_DONTWAIT)) == sizeof n) {
            int64_t t = now_ns();
            for (uint32_t k = 0; k < n && acked < a->count; k++, acked++) {
                a->latency_us[acked] = (t - (start + (int64_t)(acked * interval))) / 1000;
            }
        }
        if (rc < 0 && zmq_errno() != EAGAIN && zmq_errno() != EINTR) { a->error = zmq_errno(); goto out; }
        if (acked >= a->count) break;
        wait_readable(s, fd, sent < a->count ? start + (int64_t)(sent * interval) : -1);
    }
out:
    a->seconds = (double)(now_ns() - start) / 1e9;
    a->acked = acked;
    /* A failure here would leave the receiving side waiting for messages that never come. */
    if (a->error) zmq_ctx_shutdown(a->ctx);
    free(payload);
    zmq_close(s);
    return NULL;
}

kz_baseline_result kz_durable_open_run(const char *endpoint, size_t size, long count, double rate, kz_fsync fsync, const char *log_path,
                                       int64_t *latency_us) {
    kz_baseline_result r = {0, 0, 0};
    if (count <= 0 || !(rate > 0)) { r.error = EINVAL; return r; }
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    if (fd < 0) { r.error = errno; return r; }
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_ROUTER);
    if (zmq_bind(s, endpoint) != 0) { r.error = zmq_errno(); zmq_close(s); zmq_ctx_term(ctx); close(fd); return r; }
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    open_dealer_args a = { ctx, {0}, size, count, rate, latency_us, 0, 0, 0 };
    size_t len = sizeof a.endpoint;
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, a.endpoint, &len);
    pthread_t t;
    pthread_create(&t, NULL, open_dealer_main, &a);
    r.error = router_serve(s, fd, size, count, fsync);
    /* A failure here would leave the sender waiting for acknowledgements that never come. */
    if (r.error) zmq_ctx_shutdown(ctx);
    pthread_join(t, NULL);
    /* The side that failed first says why; the other one only saw the shutdown (ETERM). */
    if (r.error == ETERM && a.error) r.error = a.error;
    r.messages = a.acked;
    r.seconds = a.seconds;
    if (!r.error && a.error != ETERM) r.error = a.error;
    zmq_close(s);
    zmq_ctx_term(ctx);
    close(fd);
    return r;
}

// The durable baseline: DEALER → ROUTER with an append-only log synced per policy, in C.
#include "kz_baseline.h"
#include "kz_clock.h"
#include <zmq.h>
#include <errno.h>
#include <fcntl.h>
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
    free(payload);
    zmq_close(s);
    return NULL;
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
                r.error = zmq_errno(); goto done;
            }
            id_len = (size_t)rc;
            if (zmq_msg_recv(&msg, s, 0) < 0) { r.error = zmq_errno(); goto done; }
            size_t n = zmq_msg_size(&msg);
            if (used + n + 4 > cap) { cap = (used + n + 4) * 2; buffer = realloc(buffer, cap); }
            uint32_t len32 = (uint32_t)n;
            memcpy(buffer + used, &len32, 4);
            memcpy(buffer + used + 4, zmq_msg_data(&msg), n);
            used += n + 4;
            burst++;
            if (fsync == KZ_FSYNC_ALWAYS) {
                if (write(fd, buffer, used) < 0 || fdatasync(fd) != 0) { r.error = errno; goto done; }
                used = 0;
            }
            flags = ZMQ_DONTWAIT;
        }
        if (used > 0 && write(fd, buffer, used) < 0) { r.error = errno; goto done; }
        if (fsync == KZ_FSYNC_BATCH && fdatasync(fd) != 0) { r.error = errno; goto done; }
        received += burst;
        zmq_send(s, id, id_len, ZMQ_SNDMORE);
        zmq_send(s, &burst, sizeof burst, 0);
    }
done:
    zmq_msg_close(&msg);
    pthread_join(t, NULL);
    r.messages = a.acked;
    r.seconds = a.seconds;
    if (!r.error) r.error = a.error;
    free(buffer);
    zmq_close(s);
    zmq_ctx_term(ctx);
    close(fd);
    return r;
}

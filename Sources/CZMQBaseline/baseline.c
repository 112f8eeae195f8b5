// The raw-libzmq baseline: the same patterns as KarezBench's Swift transport benchmark,
// written the way a C programmer would, so a run can print Swift/C ratios.
#include "kz_baseline.h"
#include "kz_clock.h"
#include <zmq.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    void *ctx;
    kz_pattern pattern;
    char endpoint[256];
    size_t size;
    long count;
    int error;
} sender_args;


static void *sender_main(void *p) {
    sender_args *a = (sender_args *)p;
    void *s = zmq_socket(a->ctx, a->pattern == KZ_PATTERN_PUSH_PULL ? ZMQ_PUSH : ZMQ_DEALER);
    int linger = -1;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(s, a->endpoint) != 0) { a->error = zmq_errno(); zmq_close(s); return NULL; }
    char *payload = malloc(a->size ? a->size : 1);
    memset(payload, 'k', a->size);
    for (long i = 0; i < a->count; i++) {
        while (zmq_send(s, payload, a->size, 0) < 0) {
            if (zmq_errno() != EINTR) { a->error = zmq_errno(); goto out; }
        }
    }
out:
    free(payload);
    zmq_close(s);
    return NULL;
}

kz_baseline_result kz_baseline_run(kz_pattern pattern, const char *endpoint, size_t size, long count) {
    kz_baseline_result r = {0, 0, 0};
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, pattern == KZ_PATTERN_PUSH_PULL ? ZMQ_PULL : ZMQ_ROUTER);
    if (zmq_bind(s, endpoint) != 0) { r.error = zmq_errno(); zmq_close(s); zmq_ctx_term(ctx); return r; }
    sender_args a = { ctx, pattern, {0}, size, count, 0 };
    size_t len = sizeof a.endpoint;
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, a.endpoint, &len);
    pthread_t t;
    pthread_create(&t, NULL, sender_main, &a);

    zmq_msg_t msg;
    zmq_msg_init(&msg);
    double start = 0;
    int frames = pattern == KZ_PATTERN_PUSH_PULL ? 1 : 2; /* ROUTER adds the routing id */
    for (long i = 0; i < count; i++) {
        for (int f = 0; f < frames; f++) {
            while (zmq_msg_recv(&msg, s, 0) < 0) {
                if (zmq_errno() != EINTR) { r.error = zmq_errno(); goto done; }
            }
        }
        if (i == 0) start = kz_now_seconds();
        r.messages++;
    }
done:
    r.seconds = kz_now_seconds() - start;
    /* The first message starts the clock, so it is not counted in the rate. */
    if (r.messages > 0) r.messages--;
    zmq_msg_close(&msg);
    pthread_join(t, NULL);
    if (!r.error) r.error = a.error;
    zmq_close(s);
    zmq_ctx_term(ctx);
    return r;
}

// The yardstick of the hostile-input test: what raw libzmq spends to receive one message.
#include "kz_baseline.h"
#include <zmq.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static double cpu_ms(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec * 1e3 + u.ru_utime.tv_usec / 1e3 + u.ru_stime.tv_sec * 1e3 + u.ru_stime.tv_usec / 1e3;
}

int kz_drain_one(const char *endpoint, int messages, kz_drain_result *out) {
    memset(out, 0, sizeof *out);
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(s, endpoint) != 0) { zmq_close(s); zmq_ctx_term(ctx); return -1; }
    size_t len = sizeof out->endpoint;
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, out->endpoint, &len);
    printf("karez bench drain: listening on %s\n", out->endpoint);
    fflush(stdout);
    zmq_msg_t m;
    zmq_msg_init(&m);
    for (int i = 0; i < messages; i++) {
        // A message is handed over only once libzmq has decoded all of it: the first receive
        // waits for that, and the CPU its I/O thread spends meanwhile counts.
        double t0 = cpu_ms();
        long frames = 0, bytes = 0;
        do {
            if (zmq_msg_recv(&m, s, 0) < 0) { zmq_msg_close(&m); zmq_close(s); zmq_ctx_term(ctx); return -1; }
            frames++;
            bytes += (long)zmq_msg_size(&m);
        } while (zmq_msg_more(&m));
        double ms = cpu_ms() - t0;
        printf("karez bench drain: message %d: %ld frames, %ld bytes, %.1f ms of CPU\n", i + 1, frames, bytes, ms);
        fflush(stdout);
        out->frames = frames;
        out->bytes = bytes;
        out->cpu_ms = ms;
    }
    zmq_msg_close(&m);
    zmq_close(s);
    zmq_ctx_term(ctx);
    return 0;
}

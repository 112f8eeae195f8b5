// The wake-up yardstick of `karez bench`: what one thread waking another costs on this machine.
#include "kz_baseline.h"
#include "kz_clock.h"
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int in, out;          /* eventfds: wait on `in`, wake the other thread through `out` */
    atomic_int *stop;
    long rounds;
    double cpu_seconds;   /* this thread's CPU time over its rounds */
    int error;
} kz_side;

static double thread_cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Blocks until the other side writes, then wakes it in turn; the starter writes first. A side
   that hears nothing for a second (the other one failed, or is stopping) gives up: the run ends
   rather than hangs. */
static int pass(kz_side *s) {
    uint64_t v;
    struct pollfd p = {s->in, POLLIN, 0};
    for (;;) {
        int n = poll(&p, 1, 1000);
        if (n > 0) break;
        if (n == 0) return ETIMEDOUT;
        if (errno != EINTR) return errno;
    }
    while (read(s->in, &v, sizeof v) != (ssize_t)sizeof v) {
        if (errno != EINTR) return errno;
    }
    v = 1;
    while (write(s->out, &v, sizeof v) != (ssize_t)sizeof v) {
        if (errno != EINTR) return errno;
    }
    return 0;
}

static void *echo(void *arg) {
    kz_side *s = arg;
    double start = thread_cpu_seconds();
    while (!atomic_load(s->stop)) {
        int error = pass(s);
        if (error != 0) {
            if (!atomic_load(s->stop)) s->error = error;
            break;
        }
        s->rounds++;
    }
    s->cpu_seconds = thread_cpu_seconds() - start;
    return NULL;
}

kz_wakeup_result kz_wakeup_run(double seconds) {
    kz_wakeup_result r = {0, 0, 0, 0};
    if (!(seconds > 0)) {
        r.error = EINVAL;
        return r;
    }
    int a = eventfd(0, EFD_CLOEXEC), b = eventfd(0, EFD_CLOEXEC);
    if (a < 0 || b < 0) {
        r.error = errno;
        if (a >= 0) close(a);
        if (b >= 0) close(b);
        return r;
    }
    atomic_int stop = 0;
    kz_side main_side = {b, a, &stop, 0, 0, 0}, other = {a, b, &stop, 0, 0, 0};
    pthread_t thread;
    if ((r.error = pthread_create(&thread, NULL, echo, &other)) != 0) {
        close(a);
        close(b);
        return r;
    }
    double cpu = thread_cpu_seconds(), start = kz_now_seconds(), elapsed = 0;
    uint64_t one = 1;
    /* The first wake-up starts the ping-pong; each round is two wake-ups, one each way. */
    if (write(a, &one, sizeof one) != (ssize_t)sizeof one) r.error = errno;
    while (r.error == 0 && elapsed < seconds) {
        if ((r.error = pass(&main_side)) != 0) break;
        main_side.rounds++;
        elapsed = kz_now_seconds() - start;
    }
    atomic_store(&stop, 1);
    /* Let the other thread see `stop`: one more wake-up, then it returns. */
    if (write(a, &one, sizeof one) < 0 && r.error == 0) r.error = errno;
    pthread_join(thread, NULL);
    main_side.cpu_seconds = thread_cpu_seconds() - cpu;
    close(a);
    close(b);
    long wakes = 2 * main_side.rounds;
    if (r.error == 0 && other.error != 0) r.error = other.error;
    r.wakeups = wakes;
    r.cpu_us_per_wakeup = wakes > 0 ? (main_side.cpu_seconds + other.cpu_seconds) * 1e6 / (double)wakes : 0;
    r.round_trip_us = main_side.rounds > 0 ? elapsed * 1e6 / (double)main_side.rounds : 0;
    return r;
}

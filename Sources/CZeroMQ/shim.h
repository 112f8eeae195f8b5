#ifndef KAREZ_CZEROMQ_SHIM_H
#define KAREZ_CZEROMQ_SHIM_H
#include <zmq.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

/* ppoll(2): poll with a timeout to the nanosecond. A GNU extension, so Swift's Glibc module
   leaves it out; declared here for Poller's precise waits. */
extern int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask);
#endif

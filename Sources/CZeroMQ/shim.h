#ifndef KAREZ_CZEROMQ_SHIM_H
#define KAREZ_CZEROMQ_SHIM_H
#include <zmq.h>
#include <errno.h>
#endif

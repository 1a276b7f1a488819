// SPDX-License-Identifier: MIT
// CHECK for the zmqapi programs (built against libzmq and against zgss):
// a failed condition prints where, what and zmq_errno() on stderr and
// exits 1. A program may define CHECK_WHO (e.g. "server ") first.
#ifndef ZMQAPI_CHECK_H
#define ZMQAPI_CHECK_H
#include <stdio.h>
#include <stdlib.h>

#ifndef CHECK_WHO
#define CHECK_WHO ""
#endif
#define CHECK(x) do { if (!(x)) { fprintf(stderr, CHECK_WHO "%s:%d: %s failed (errno %d %s)\n", __FILE__, __LINE__, #x, zmq_errno(), zmq_strerror(zmq_errno())); exit(1); } } while (0)

#endif

// SPDX-License-Identifier: MIT
// Monitor helpers for the monitor_*.c programs: an event's zmq.h name, and
// a watcher PAIR connected to a socket's monitor endpoint.
#ifndef ZMQAPI_MONITOR_EVENTS_H
#define ZMQAPI_MONITOR_EVENTS_H
#include <stdint.h>
#include "check.h"

static const char *event_name(uint16_t event)
{
    switch (event) {
    case ZMQ_EVENT_CONNECTED: return "CONNECTED";
    case ZMQ_EVENT_CONNECT_DELAYED: return "CONNECT_DELAYED";
    case ZMQ_EVENT_CONNECT_RETRIED: return "CONNECT_RETRIED";
    case ZMQ_EVENT_LISTENING: return "LISTENING";
    case ZMQ_EVENT_BIND_FAILED: return "BIND_FAILED";
    case ZMQ_EVENT_ACCEPTED: return "ACCEPTED";
    case ZMQ_EVENT_ACCEPT_FAILED: return "ACCEPT_FAILED";
    case ZMQ_EVENT_CLOSED: return "CLOSED";
    case ZMQ_EVENT_CLOSE_FAILED: return "CLOSE_FAILED";
    case ZMQ_EVENT_DISCONNECTED: return "DISCONNECTED";
    case ZMQ_EVENT_MONITOR_STOPPED: return "MONITOR_STOPPED";
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: return "HANDSHAKE_FAILED_NO_DETAIL";
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return "HANDSHAKE_SUCCEEDED";
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return "HANDSHAKE_FAILED_PROTOCOL";
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: return "HANDSHAKE_FAILED_AUTH";
    default: return "unknown";
    }
}

// The watcher's side: a PAIR connected to the monitor endpoint.
static void *watch(void *ctx, void *socket, const char *endpoint)
{
    CHECK(zmq_socket_monitor(socket, endpoint, ZMQ_EVENT_ALL) == 0);
    void *pair = zmq_socket(ctx, ZMQ_PAIR);
    CHECK(pair);
    int timeout = 10000, linger = 0;
    CHECK(zmq_setsockopt(pair, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK(zmq_setsockopt(pair, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_connect(pair, endpoint) == 0);
    return pair;
}

#endif

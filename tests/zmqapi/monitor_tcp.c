// SPDX-License-Identifier: MIT
// zmq_socket_monitor over tcp:// with the NULL mechanism: the events a
// REP server and a REQ client report, in order, from bind and connect to
// the client's close, the server's unbind and the monitor's stop; then a
// DEALER connecting where nobody listens. Only event names and the values
// that do not vary (errno codes, 0) are printed, never fds or ports.
#include <zmq.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor_events.h"

// Reads one event; prints "who: NAME" and, when `show_value`, its value.
static uint16_t next_event(void *pair, const char *who, int show_value, char *endpoint, size_t room)
{
    uint8_t head[6];
    CHECK(zmq_recv(pair, head, sizeof head, 0) == 6);
    int more = 0;
    size_t size = sizeof more;
    CHECK(zmq_getsockopt(pair, ZMQ_RCVMORE, &more, &size) == 0 && more == 1);
    char text[256];
    int length = zmq_recv(pair, text, sizeof text - 1, 0);
    CHECK(length >= 0 && length < (int)sizeof text);
    text[length] = 0;
    if (endpoint) snprintf(endpoint, room, "%s", text);
    uint16_t event;
    uint32_t value;
    memcpy(&event, head, 2);
    memcpy(&value, head + 2, 4);
    if (show_value)
        printf("%s: %s %u\n", who, event_name(event), value);
    else
        printf("%s: %s\n", who, event_name(event));
    return event;
}

static void expect_event(void *pair, const char *who, uint16_t wanted, int show_value)
{
    uint16_t event = next_event(pair, who, show_value, NULL, 0);
    CHECK(event == wanted);
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    CHECK(zmq_socket_monitor(NULL, "inproc://x", ZMQ_EVENT_ALL) == -1 && zmq_errno() == ENOTSOCK);

    void *rep = zmq_socket(ctx, ZMQ_REP), *req = zmq_socket(ctx, ZMQ_REQ);
    CHECK(rep && req);
    CHECK(zmq_socket_monitor(rep, "tcp://127.0.0.1:5555", ZMQ_EVENT_ALL) == -1);
    printf("tcp monitor endpoint: %s\n", zmq_errno() == EPROTONOSUPPORT ? "EPROTONOSUPPORT" : "other");
    CHECK(zmq_socket_monitor(rep, "inproc://mon-bad", 0x10000) == -1);
    printf("event bits above 0xFFFF: %s\n", zmq_errno() == EINVAL ? "EINVAL" : "other");

    void *rep_events = watch(ctx, rep, "inproc://mon-rep");
    void *req_events = watch(ctx, req, "inproc://mon-req");
    CHECK(zmq_bind(rep, "tcp://127.0.0.1:*") == 0);
    char endpoint[256], named[256];
    size_t size = sizeof endpoint;
    CHECK(zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    CHECK(next_event(rep_events, "rep", 0, named, sizeof named) == ZMQ_EVENT_LISTENING);
    printf("LISTENING names the bound endpoint: %s\n", strcmp(named, endpoint) == 0 ? "yes" : "no");

    // The same port again fails: the new listening socket is closed, then
    // BIND_FAILED with the errno.
    void *other = zmq_socket(ctx, ZMQ_REP);
    CHECK(other);
    void *other_events = watch(ctx, other, "inproc://mon-other");
    CHECK(zmq_bind(other, endpoint) == -1);
    expect_event(other_events, "other", ZMQ_EVENT_CLOSED, 0);
    expect_event(other_events, "other", ZMQ_EVENT_BIND_FAILED, 1);
    printf("(EADDRINUSE is %d)\n", EADDRINUSE);

    CHECK(zmq_connect(req, endpoint) == 0);
    CHECK(next_event(req_events, "req", 0, named, sizeof named) == ZMQ_EVENT_CONNECT_DELAYED);
    printf("req events name the connect endpoint: %s\n", strcmp(named, endpoint) == 0 ? "yes" : "no");
    expect_event(req_events, "req", ZMQ_EVENT_CONNECTED, 0);
    expect_event(req_events, "req", ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 1);
    expect_event(rep_events, "rep", ZMQ_EVENT_ACCEPTED, 0);
    expect_event(rep_events, "rep", ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 1);

    char buffer[16];
    CHECK(zmq_send(req, "ping", 4, 0) == 4);
    CHECK(zmq_recv(rep, buffer, sizeof buffer, 0) == 4);
    CHECK(zmq_send(rep, "pong", 4, 0) == 4);
    CHECK(zmq_recv(req, buffer, sizeof buffer, 0) == 4);
    printf("round trip done\n");

    // Closing the client stops its monitor; the server sees it go.
    CHECK(zmq_close(req) == 0);
    expect_event(req_events, "req", ZMQ_EVENT_MONITOR_STOPPED, 1);
    expect_event(rep_events, "rep", ZMQ_EVENT_DISCONNECTED, 0);
    CHECK(zmq_unbind(rep, endpoint) == 0);
    expect_event(rep_events, "rep", ZMQ_EVENT_CLOSED, 0);
    CHECK(zmq_socket_monitor(rep, NULL, 0) == 0);
    expect_event(rep_events, "rep", ZMQ_EVENT_MONITOR_STOPPED, 1);

    // Nobody listens on the port any more: the DEALER's attempt fails,
    // its socket is closed and the connect is retried.
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    CHECK(dealer);
    void *dealer_events = watch(ctx, dealer, "inproc://mon-dealer");
    CHECK(zmq_connect(dealer, endpoint) == 0);
    expect_event(dealer_events, "dealer", ZMQ_EVENT_CONNECT_DELAYED, 1);
    expect_event(dealer_events, "dealer", ZMQ_EVENT_CLOSED, 0);
    expect_event(dealer_events, "dealer", ZMQ_EVENT_CONNECT_RETRIED, 0);

    void *all[] = { rep, other, dealer, rep_events, req_events, other_events, dealer_events };
    for (int i = 0; i < 7; i++) CHECK(zmq_close(all[i]) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("done\n");
    return 0;
}

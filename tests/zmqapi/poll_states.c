// SPDX-License-Identifier: MIT
// ZMQ_EVENTS and zmq_poll's ZMQ_POLLIN / ZMQ_POLLOUT answers for each
// socket type, at each step of a REQ/REP exchange (single and multipart),
// for PUB/SUB, PUSH/PULL, DEALER, ROUTER and PAIR before and after a peer
// connects, and ZMQ_EVENTS's size rules. Waits use zmq_poll with a
// generous timeout; only the answers are printed.
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#define WAIT_MS 10000

static const char *names(int events)
{
    switch (events & (ZMQ_POLLIN | ZMQ_POLLOUT)) {
    case 0: return "-";
    case ZMQ_POLLIN: return "IN";
    case ZMQ_POLLOUT: return "OUT";
    default: return "IN|OUT";
    }
}

/* ZMQ_EVENTS, or -1. */
static int events_of(void *socket)
{
    int events = 0;
    size_t size = sizeof events;
    if (zmq_getsockopt(socket, ZMQ_EVENTS, &events, &size) != 0 || size != sizeof events)
        return -1;
    return events;
}

/* Prints a socket's ZMQ_EVENTS and what zmq_poll (timeout 0, asking for
 * both) says; they must agree. */
static int show(const char *label, void *socket)
{
    int events = events_of(socket);
    zmq_pollitem_t item = { socket, 0, ZMQ_POLLIN | ZMQ_POLLOUT, 0 };
    int rc = zmq_poll(&item, 1, 0);
    if (events < 0 || rc < 0) {
        fprintf(stderr, "%s: ZMQ_EVENTS %d, zmq_poll %d (errno %d)\n", label, events, rc, zmq_errno());
        return 1;
    }
    printf("%-44s ZMQ_EVENTS %-6s zmq_poll %d %s\n", label, names(events), rc, names(item.revents));
    if (rc != (item.revents != 0) || item.revents != events) {
        fprintf(stderr, "%s: zmq_poll disagrees with ZMQ_EVENTS\n", label);
        return 1;
    }
    return 0;
}

/* Waits until `socket` shows `event`; prints zmq_poll's result. */
static int wait_for(const char *label, void *socket, short event)
{
    zmq_pollitem_t item = { socket, 0, event, 0 };
    int rc = zmq_poll(&item, 1, WAIT_MS);
    printf("%-44s zmq_poll(%s, %d ms) = %d, revents %s\n", label, names(event), WAIT_MS, rc, names(item.revents));
    return rc == 1 ? 0 : 1;
}

static void *make(void *ctx, int type)
{
    void *socket = zmq_socket(ctx, type);
    int zero = 0;
    if (socket) zmq_setsockopt(socket, ZMQ_LINGER, &zero, sizeof zero);
    return socket;
}

static int bind_any(void *socket, char *endpoint, size_t room)
{
    if (zmq_bind(socket, "tcp://127.0.0.1:*") != 0) return -1;
    return zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, endpoint, &room);
}

static int reqrep(void *ctx)
{
    char endpoint[256], buffer[64];
    void *rep = make(ctx, ZMQ_REP);
    void *req = make(ctx, ZMQ_REQ);
    CHECK(rep && req);
    CHECK(show("REP bound, nothing connected", rep) == 0);
    CHECK(show("REQ new, not connected", req) == 0);
    CHECK(bind_any(rep, endpoint, sizeof endpoint) == 0);
    CHECK(zmq_connect(req, endpoint) == 0);
    CHECK(show("REQ connected", req) == 0);
    CHECK(show("REP before a request", rep) == 0);
    for (int round = 0; round < 2; round++) {
        printf("round %d\n", round);
        CHECK(zmq_send(req, "hello", 5, 0) == 5);
        CHECK(show("REQ after sending its request", req) == 0);
        CHECK(wait_for("REP waits for the request", rep, ZMQ_POLLIN) == 0);
        CHECK(show("REP with the request queued", rep) == 0);
        CHECK(zmq_recv(rep, buffer, sizeof buffer, 0) == 5);
        CHECK(show("REP after receiving it", rep) == 0);
        CHECK(show("REQ still waiting", req) == 0);
        CHECK(zmq_send(rep, "world", 5, 0) == 5);
        CHECK(show("REP after replying", rep) == 0);
        CHECK(wait_for("REQ waits for the reply", req, ZMQ_POLLIN) == 0);
        CHECK(show("REQ with the reply queued", req) == 0);
        CHECK(zmq_recv(req, buffer, sizeof buffer, 0) == 5);
        CHECK(show("REQ after receiving it", req) == 0);
    }
    printf("multipart\n");
    CHECK(zmq_send(req, "a", 1, ZMQ_SNDMORE) == 1);
    CHECK(show("REQ with a part pending (SNDMORE)", req) == 0);
    CHECK(zmq_send(req, "b", 1, 0) == 1);
    CHECK(wait_for("REP waits for the request", rep, ZMQ_POLLIN) == 0);
    CHECK(zmq_recv(rep, buffer, sizeof buffer, 0) == 1);
    CHECK(show("REP after part 1 of 2", rep) == 0);
    CHECK(zmq_recv(rep, buffer, sizeof buffer, 0) == 1);
    CHECK(show("REP after part 2 of 2", rep) == 0);
    CHECK(zmq_send(rep, "c", 1, ZMQ_SNDMORE) == 1);
    CHECK(show("REP with a reply part pending", rep) == 0);
    CHECK(zmq_send(rep, "d", 1, 0) == 1);
    CHECK(show("REP after the last reply part", rep) == 0);
    CHECK(wait_for("REQ waits for the reply", req, ZMQ_POLLIN) == 0);
    CHECK(zmq_recv(req, buffer, sizeof buffer, 0) == 1);
    CHECK(show("REQ after reply part 1 of 2", req) == 0);
    CHECK(zmq_recv(req, buffer, sizeof buffer, 0) == 1);
    CHECK(show("REQ after reply part 2 of 2", req) == 0);
    zmq_close(req);
    zmq_close(rep);
    return 0;
}

static int pubsub(void *ctx)
{
    char endpoint[256], buffer[64];
    void *pub = make(ctx, ZMQ_PUB);
    void *sub = make(ctx, ZMQ_SUB);
    CHECK(pub && sub);
    CHECK(show("PUB without subscribers", pub) == 0);
    CHECK(show("SUB new", sub) == 0);
    CHECK(bind_any(pub, endpoint, sizeof endpoint) == 0);
    CHECK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "t", 1) == 0);
    CHECK(zmq_connect(sub, endpoint) == 0);
    CHECK(show("SUB connected, subscribed", sub) == 0);
    // Publish until the subscription has arrived and a message gets through.
    int got = 0;
    for (int i = 0; i < 400 && !got; i++) {
        CHECK(zmq_send(pub, "x-other", 7, 0) == 7);
        CHECK(zmq_send(pub, "topic", 5, 0) == 5);
        zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
        got = zmq_poll(&item, 1, 25);
        CHECK(got >= 0);
    }
    printf("%-44s %s\n", "SUB got a message", got ? "yes" : "no");
    CHECK(show("SUB with a matching message queued", sub) == 0);
    CHECK(show("PUB", pub) == 0);
    while (zmq_recv(sub, buffer, sizeof buffer, ZMQ_DONTWAIT) >= 0)
        CHECK(buffer[0] == 't');
    CHECK(zmq_errno() == EAGAIN);
    CHECK(show("SUB drained", sub) == 0);
    zmq_close(sub);
    zmq_close(pub);
    return 0;
}

/* A socket of `type` that binds: nothing to send to until a peer of
 * `peer_type` connects. */
static int bound_until_peer(void *ctx, int type, int peer_type, const char *name)
{
    char endpoint[256], label[64];
    void *socket = make(ctx, type);
    void *peer = make(ctx, peer_type);
    CHECK(socket && peer);
    CHECK(bind_any(socket, endpoint, sizeof endpoint) == 0);
    snprintf(label, sizeof label, "%s bound, no peer", name);
    CHECK(show(label, socket) == 0);
    CHECK(zmq_connect(peer, endpoint) == 0);
    snprintf(label, sizeof label, "%s waits for its peer", name);
    CHECK(wait_for(label, socket, ZMQ_POLLOUT) == 0);
    snprintf(label, sizeof label, "%s with a peer", name);
    CHECK(show(label, socket) == 0);
    CHECK(zmq_send(socket, "m", 1, 0) == 1);
    snprintf(label, sizeof label, "%s's peer waits for a message", name);
    CHECK(wait_for(label, peer, ZMQ_POLLIN) == 0);
    zmq_close(peer);
    zmq_close(socket);
    return 0;
}

/* A socket of `type` that connects to an endpoint nobody listens on: libzmq
 * queues for it at once. */
static int connected_to_nobody(void *ctx, int type, const char *name)
{
    char endpoint[256], label[64];
    void *probe = make(ctx, ZMQ_PULL);
    CHECK(probe);
    CHECK(bind_any(probe, endpoint, sizeof endpoint) == 0);
    zmq_close(probe);
    void *socket = make(ctx, type);
    CHECK(socket);
    snprintf(label, sizeof label, "%s new", name);
    CHECK(show(label, socket) == 0);
    CHECK(zmq_connect(socket, endpoint) == 0);
    snprintf(label, sizeof label, "%s connecting (nobody listens)", name);
    CHECK(show(label, socket) == 0);
    zmq_close(socket);
    return 0;
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    CHECK(reqrep(ctx) == 0);
    CHECK(pubsub(ctx) == 0);
    CHECK(bound_until_peer(ctx, ZMQ_PUSH, ZMQ_PULL, "PUSH") == 0);
    CHECK(bound_until_peer(ctx, ZMQ_DEALER, ZMQ_DEALER, "DEALER") == 0);
    CHECK(bound_until_peer(ctx, ZMQ_PAIR, ZMQ_PAIR, "PAIR") == 0);
    CHECK(connected_to_nobody(ctx, ZMQ_PUSH, "PUSH") == 0);
    CHECK(connected_to_nobody(ctx, ZMQ_DEALER, "DEALER") == 0);
    CHECK(connected_to_nobody(ctx, ZMQ_PAIR, "PAIR") == 0);
    CHECK(connected_to_nobody(ctx, ZMQ_ROUTER, "ROUTER") == 0);
    CHECK(connected_to_nobody(ctx, ZMQ_PULL, "PULL") == 0);

    /* Size rules: like ZMQ_RCVMORE, any buffer of at least an int. */
    void *pull = make(ctx, ZMQ_PULL);
    CHECK(pull);
    long long wide = 0;
    size_t size = sizeof wide;
    int rc = zmq_getsockopt(pull, ZMQ_EVENTS, &wide, &size);
    printf("ZMQ_EVENTS into 8 bytes: rc %d, size %zu\n", rc, size);
    short narrow = 0;
    size = sizeof narrow;
    rc = zmq_getsockopt(pull, ZMQ_EVENTS, &narrow, &size);
    printf("ZMQ_EVENTS into 2 bytes: rc %d, %s\n", rc, rc == -1 && zmq_errno() == EINVAL ? "EINVAL" : "other");
    int one = 1;
    rc = zmq_setsockopt(pull, ZMQ_EVENTS, &one, sizeof one);
    printf("setting ZMQ_EVENTS: rc %d, %s\n", rc, rc == -1 && zmq_errno() == EINVAL ? "EINVAL" : "other");
    zmq_pollitem_t quiet = { pull, 0, 0, 0 };
    rc = zmq_poll(&quiet, 1, 0);
    printf("zmq_poll asking for nothing: %d, revents %d\n", rc, quiet.revents);
    zmq_close(pull);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("done\n");
    return 0;
}

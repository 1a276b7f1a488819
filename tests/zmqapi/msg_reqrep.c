// SPDX-License-Identifier: MIT
// REQ/REP with zmq_msg_send / zmq_msg_recv: a multipart request with
// ZMQ_MORE on each part, small and large parts, a reply sent from an
// init_data message (its free function runs once), the message left empty
// by a successful send, EFSM leaving it untouched, EAGAIN emptying it, the
// old content released by a receive, and the properties a received message
// carries (Socket-Type, Identity, Peer-Address, ZMQ_SRCFD, User-Id).
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int freed;

static void count_free(void *data, void *hint)
{
    (void)hint;
    freed++;
    free(data);
}

static const char *errname(int e)
{
    switch (e) {
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case EAGAIN: return "EAGAIN";
    case EFSM: return "EFSM";
    case ENOTSOCK: return "ENOTSOCK";
    default: return "other";
    }
}

static void show_property(const char *side, zmq_msg_t *msg, const char *name)
{
    const char *value = zmq_msg_gets(msg, name);
    if (value)
        printf("%s gets(%s): \"%s\"\n", side, name, value);
    else
        printf("%s gets(%s): NULL %s\n", side, name, errname(zmq_errno()));
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    void *rep = zmq_socket(ctx, ZMQ_REP);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    CHECK(rep && req);
    int linger = 0;
    CHECK(zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_setsockopt(rep, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_bind(rep, "tcp://127.0.0.1:*") == 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    CHECK(zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    CHECK(zmq_connect(req, endpoint) == 0);

    // Nothing to receive: EAGAIN, and the message's old content is gone.
    zmq_msg_t msg;
    CHECK(zmq_msg_init_size(&msg, 5) == 0);
    memcpy(zmq_msg_data(&msg), "stale", 5);
    int rc = zmq_msg_recv(&msg, rep, ZMQ_DONTWAIT);
    printf("REP recv, DONTWAIT, nothing queued: %d %s, message size %zu\n", rc, errname(zmq_errno()),
           zmq_msg_size(&msg));
    // REP must receive first: EFSM, the message untouched.
    CHECK(zmq_msg_close(&msg) == 0);
    CHECK(zmq_msg_init_size(&msg, 4) == 0);
    memcpy(zmq_msg_data(&msg), "oops", 4);
    rc = zmq_msg_send(&msg, rep, 0);
    printf("REP send before a request: %d %s, message size %zu\n", rc, errname(zmq_errno()), zmq_msg_size(&msg));
    CHECK(zmq_msg_close(&msg) == 0);
    rc = zmq_msg_send(&msg, NULL, 0);
    printf("send to a NULL socket: %d %s\n", rc, errname(zmq_errno()));

    // A three-part request: small, empty, large.
    size_t part_sizes[] = { 3, 0, 5000 };
    for (int i = 0; i < 3; i++) {
        CHECK(zmq_msg_init_size(&msg, part_sizes[i]) == 0);
        memset(zmq_msg_data(&msg), 'A' + i, part_sizes[i]);
        rc = zmq_msg_send(&msg, req, i < 2 ? ZMQ_SNDMORE : 0);
        printf("REQ sent part %d: %d, message now size %zu\n", i, rc, zmq_msg_size(&msg));
        CHECK(rc == (int)part_sizes[i]);
        CHECK(zmq_msg_close(&msg) == 0);
    }

    // Receive into one message: each receive replaces the last part.
    CHECK(zmq_msg_init(&msg) == 0);
    for (int i = 0; i < 3; i++) {
        rc = zmq_msg_recv(&msg, rep, 0);
        CHECK(rc >= 0);
        const unsigned char *d = zmq_msg_data(&msg);
        printf("REP part %d: %d bytes, first %c, more %d / %d, shared %d\n", i, rc, rc ? d[0] : '-',
               zmq_msg_more(&msg), zmq_msg_get(&msg, ZMQ_MORE), zmq_msg_get(&msg, ZMQ_SHARED));
        if (i == 0) {
            show_property("REP", &msg, "Socket-Type");
            show_property("REP", &msg, "Identity");
            show_property("REP", &msg, "Peer-Address");
            show_property("REP", &msg, "User-Id");
            show_property("REP", &msg, "No-Such-Property");
            show_property("REP", &msg, "socket-type");
            printf("REP ZMQ_SRCFD is a descriptor: %s\n", zmq_msg_get(&msg, ZMQ_SRCFD) >= 0 ? "yes" : "no");
        }
    }
    // A received large part can be copied; the copy shares it.
    zmq_msg_t copy;
    CHECK(zmq_msg_init(&copy) == 0);
    CHECK(zmq_msg_copy(&copy, &msg) == 0);
    printf("copy of the large part: size %zu, shared %d, same bytes %s, Socket-Type %s\n", zmq_msg_size(&copy),
           zmq_msg_get(&copy, ZMQ_SHARED), zmq_msg_data(&copy) == zmq_msg_data(&msg) ? "yes" : "no",
           zmq_msg_gets(&copy, "Socket-Type"));
    CHECK(zmq_msg_close(&copy) == 0);
    CHECK(zmq_msg_close(&msg) == 0);
    printf("closed: gets(Socket-Type) %s %s\n", zmq_msg_gets(&msg, "Socket-Type") ? "non-NULL" : "NULL",
           errname(zmq_errno()));

    // The reply from the caller's buffer, with a free function.
    char *reply = malloc(64);
    CHECK(reply);
    memset(reply, 'r', 64);
    CHECK(zmq_msg_init_data(&msg, reply, 64, count_free, NULL) == 0);
    rc = zmq_sendmsg(rep, &msg, 0);
    printf("REP zmq_sendmsg: %d, message now size %zu\n", rc, zmq_msg_size(&msg));
    CHECK(zmq_msg_close(&msg) == 0);

    // The REQ receives into a message that holds an init_data buffer: the
    // receive hands that buffer back first.
    char *held = malloc(40);
    CHECK(held);
    memset(held, 'h', 40);
    CHECK(zmq_msg_init_data(&msg, held, 40, count_free, NULL) == 0);
    rc = zmq_recvmsg(req, &msg, 0);
    printf("REQ zmq_recvmsg: %d, first %c, more %d\n", rc, ((char *)zmq_msg_data(&msg))[0], zmq_msg_more(&msg));
    show_property("REQ", &msg, "Socket-Type");
    show_property("REQ", &msg, "Identity");
    CHECK(zmq_msg_close(&msg) == 0);

    CHECK(zmq_close(req) == 0);
    CHECK(zmq_close(rep) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("after term: free function ran %d times (2 buffers)\n", freed);
    printf("done\n");
    return 0;
}

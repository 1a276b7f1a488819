// SPDX-License-Identifier: MIT
// REQ/REP over tcp with zmq_send/zmq_recv: a three-part request, the reply
// echoed in upper case, ZMQ_RCVMORE on every part, a truncated receive
// (zmq_recv returns the full size), and EAGAIN from a DONTWAIT receive on
// an empty socket. Prints what it saw; the test compares libzmq and zgss.
#include <zmq.h>
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

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

    char buffer[64];
    CHECK(zmq_recv(rep, buffer, sizeof buffer, ZMQ_DONTWAIT) == -1);
    printf("empty REP, DONTWAIT: %s\n", zmq_errno() == EAGAIN ? "EAGAIN" : "other");

    const char *parts[] = { "alpha", "", "a part longer than the buffer" };
    for (int i = 0; i < 3; i++)
        CHECK(zmq_send(req, parts[i], strlen(parts[i]), i < 2 ? ZMQ_SNDMORE : 0) == (int)strlen(parts[i]));

    char got[3][8];
    int kept[3];
    for (int i = 0; i < 3; i++) {
        int n = zmq_recv(rep, got[i], sizeof got[i], 0);
        CHECK(n >= 0);
        int more = 0;
        size_t more_size = sizeof more;
        CHECK(zmq_getsockopt(rep, ZMQ_RCVMORE, &more, &more_size) == 0);
        kept[i] = n < (int)sizeof got[i] ? n : (int)sizeof got[i];
        printf("REP part %d: size %d, kept \"%.*s\", more %d\n", i, n, kept[i], got[i], more);
    }
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < kept[i]; j++) got[i][j] = (char)toupper((unsigned char)got[i][j]);
        CHECK(zmq_send(rep, got[i], (size_t)kept[i], i < 2 ? ZMQ_SNDMORE : 0) == kept[i]);
    }
    for (int i = 0; i < 3; i++) {
        int n = zmq_recv(req, buffer, sizeof buffer, 0);
        CHECK(n >= 0);
        printf("REQ reply %d: \"%.*s\"\n", i, n, buffer);
    }
    // The REP has answered: it may not send again before a new request.
    CHECK(zmq_send(rep, "x", 1, 0) == -1);
    printf("REP send before receive: %s\n", zmq_errno() == EFSM ? "EFSM" : "other");

    CHECK(zmq_close(req) == 0);
    CHECK(zmq_close(rep) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("done\n");
    return 0;
}

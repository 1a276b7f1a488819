// SPDX-License-Identifier: MIT
// Server half of a GSSAPI REQ/REP pair run across libraries (zgss server
// with a libzmq client and the other way round; see tools/zmqapi/run-all.sh).
// REP, ZMQ_GSSAPI_SERVER, encrypted: answers each request with its text
// reversed until "END", reading requests with zmq_msg_recv and checking
// ZMQ_RCVMORE and zmq_msg_more agree. argv[1]: the endpoint to bind.
#include <zmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_WHO "server "
#include "../../check.h"

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    void *context = zmq_ctx_new();
    void *rep = zmq_socket(context, ZMQ_REP);
    CHECK(rep);
    int one = 1, timeout = 30000, linger = 1000;
    CHECK(zmq_setsockopt(rep, ZMQ_GSSAPI_SERVER, &one, sizeof one) == 0);
    CHECK(zmq_setsockopt(rep, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK(zmq_setsockopt(rep, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_bind(rep, argv[1]) == 0);
    int mechanism = -1;
    size_t size = sizeof mechanism;
    CHECK(zmq_getsockopt(rep, ZMQ_MECHANISM, &mechanism, &size) == 0);
    printf("server mechanism %s\n", mechanism == ZMQ_GSSAPI ? "GSSAPI" : "other");
    for (;;) {
        zmq_msg_t request;
        CHECK(zmq_msg_init(&request) == 0);
        int n = zmq_msg_recv(&request, rep, 0);
        CHECK(n >= 0);
        CHECK(!zmq_msg_more(&request));
        char text[256];
        CHECK(n < (int)sizeof text);
        memcpy(text, zmq_msg_data(&request), (size_t)n);
        CHECK(zmq_msg_close(&request) == 0);
        text[n] = 0;
        printf("server got \"%s\"\n", text);
        if (strcmp(text, "END") == 0) {
            CHECK(zmq_send(rep, "BYE", 3, 0) == 3);
            break;
        }
        for (int i = 0; i < n / 2; i++) { char c = text[i]; text[i] = text[n - 1 - i]; text[n - 1 - i] = c; }
        zmq_msg_t reply;
        CHECK(zmq_msg_init_size(&reply, (size_t)n) == 0);
        memcpy(zmq_msg_data(&reply), text, (size_t)n);
        CHECK(zmq_msg_send(&reply, rep, 0) == n);
    }
    CHECK(zmq_close(rep) == 0);
    CHECK(zmq_ctx_term(context) == 0);
    printf("server done\n");
    return 0;
}

// SPDX-License-Identifier: MIT
// Client half of the GSSAPI REQ/REP pair (see server.c): REQ naming the
// service zmq@localhost, encrypted; sends a few requests and checks each
// reply. argv[1]: the endpoint.
#include <zmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_WHO "client "
#include "../../check.h"

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    void *context = zmq_ctx_new();
    void *req = zmq_socket(context, ZMQ_REQ);
    CHECK(req);
    int timeout = 30000;
    CHECK(zmq_setsockopt(req, ZMQ_GSSAPI_SERVICE_PRINCIPAL, "zmq@localhost", 13) == 0);
    CHECK(zmq_setsockopt(req, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK(zmq_connect(req, argv[1]) == 0);
    const char *words[] = { "hello", "kerberos", "abc" };
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        CHECK(zmq_send(req, words[i], n, 0) == (int)n);
        char reply[64];
        int got = zmq_recv(req, reply, sizeof reply, 0);
        CHECK(got == (int)n);
        printf("client sent \"%s\", got \"%.*s\"\n", words[i], got, reply);
    }
    CHECK(zmq_send(req, "END", 3, 0) == 3);
    char bye[8];
    CHECK(zmq_recv(req, bye, sizeof bye, 0) == 3 && memcmp(bye, "BYE", 3) == 0);
    printf("client got BYE\n");
    int mechanism = -1;
    size_t size = sizeof mechanism;
    CHECK(zmq_getsockopt(req, ZMQ_MECHANISM, &mechanism, &size) == 0);
    printf("client mechanism %s\n", mechanism == ZMQ_GSSAPI ? "GSSAPI" : "other");
    CHECK(zmq_close(req) == 0);
    CHECK(zmq_ctx_term(context) == 0);
    return 0;
}

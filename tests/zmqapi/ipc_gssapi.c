// SPDX-License-Identifier: MIT
// GSSAPI (encrypted, the default) over ipc://, as libzmq runs it: the same
// ZMTP greeting, handshake and wrapped messages as over tcp://. The client
// names the service zmq@localhost (the realm's service key is in
// KRB5_KTNAME, the client key in KRB5_CLIENT_KTNAME); the transport plays
// no part in the principal. Both directions: the GSSAPI server binds and
// the client connects (REQ/REP), then the client binds and the server
// connects (PUSH from the server to a PULL client, then DEALER/ROUTER).
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static void *make(void *ctx, int type, int server)
{
    void *socket = zmq_socket(ctx, type);
    CHECK(socket);
    int linger = 0, timeout = 20000, one = 1;
    CHECK(zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK(zmq_setsockopt(socket, ZMQ_SNDTIMEO, &timeout, sizeof timeout) == 0);
    if (server)
        CHECK(zmq_setsockopt(socket, ZMQ_GSSAPI_SERVER, &one, sizeof one) == 0);
    else
        CHECK(zmq_setsockopt(socket, ZMQ_GSSAPI_SERVICE_PRINCIPAL, "zmq@localhost", 13) == 0);
    return socket;
}

static void expect(void *socket, const char *text)
{
    char buffer[64];
    int size = zmq_recv(socket, buffer, sizeof buffer, 0);
    CHECK(size == (int)strlen(text) && memcmp(buffer, text, size) == 0);
}

// ZMQ_MECHANISM: 3 is ZMQ_GSSAPI (zmq.h).
static void show_mechanism(const char *side, void *socket)
{
    int mechanism = -1;
    size_t size = sizeof mechanism;
    CHECK(zmq_getsockopt(socket, ZMQ_MECHANISM, &mechanism, &size) == 0);
    printf("%s mechanism: %s\n", side, mechanism == 3 ? "GSSAPI" : "other");
}

int main(void)
{
    if (!getenv("ZGSS_TEST_REALM")) {
        fprintf(stderr, "ZGSS_TEST_REALM is not set: run inside tools/testrealm.py\n");
        return 1;
    }
    char directory[] = "/tmp/zgss-ipc-gss-XXXXXX";
    CHECK(mkdtemp(directory) != NULL);
    CHECK(setenv("TMPDIR", directory, 1) == 0);  // where ipc://* goes
    char endpoint[300];
    void *ctx = zmq_ctx_new();
    CHECK(ctx);

    // The server binds a fixed path; the client connects.
    snprintf(endpoint, sizeof endpoint, "ipc://%s/server.sock", directory);
    void *rep = make(ctx, ZMQ_REP, 1), *req = make(ctx, ZMQ_REQ, 0);
    show_mechanism("REP", rep);
    show_mechanism("REQ", req);
    CHECK(zmq_bind(rep, endpoint) == 0);
    CHECK(zmq_connect(req, endpoint) == 0);
    for (int i = 0; i < 3; i++) {
        CHECK(zmq_send(req, "request", 7, 0) == 7);
        expect(rep, "request");
        CHECK(zmq_send(rep, "reply", 5, 0) == 5);
        expect(req, "reply");
    }
    printf("GSSAPI server binds ipc, client connects: 3 round trips\n");

    // The client binds the wildcard; the server connects.
    void *pull = make(ctx, ZMQ_PULL, 0), *push = make(ctx, ZMQ_PUSH, 1);
    CHECK(zmq_bind(pull, "ipc://*") == 0);
    char wildcard[300];
    size_t size = sizeof wildcard;
    CHECK(zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, wildcard, &size) == 0);
    CHECK(zmq_connect(push, wildcard) == 0);
    CHECK(zmq_send(push, "part one", 8, ZMQ_SNDMORE) == 8);
    CHECK(zmq_send(push, "part two", 8, 0) == 8);
    expect(pull, "part one");
    int more = 0;
    size = sizeof more;
    CHECK(zmq_getsockopt(pull, ZMQ_RCVMORE, &more, &size) == 0);
    expect(pull, "part two");
    printf("GSSAPI client binds ipc://*, server connects: a 2-part message (more after the first: %d)\n", more);

    // DEALER (client, binds an abstract name) and ROUTER (server, connects).
    snprintf(endpoint, sizeof endpoint, "ipc://@zgss-ipc-gss-%d", (int)getpid());
    void *dealer = make(ctx, ZMQ_DEALER, 0), *router = make(ctx, ZMQ_ROUTER, 1);
    CHECK(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "client-1", 8) == 0);
    CHECK(zmq_bind(dealer, endpoint) == 0);
    CHECK(zmq_connect(router, endpoint) == 0);
    CHECK(zmq_send(dealer, "hello", 5, 0) == 5);
    char id[32];
    int id_size = zmq_recv(router, id, sizeof id, 0);
    CHECK(id_size > 0);
    printf("ROUTER sees routing id: %.*s\n", id_size, id);
    expect(router, "hello");
    CHECK(zmq_send(router, id, id_size, ZMQ_SNDMORE) == id_size);
    CHECK(zmq_send(router, "welcome", 7, 0) == 7);
    expect(dealer, "welcome");
    printf("GSSAPI DEALER binds ipc://@name, ROUTER connects: both ways\n");

    void *all[] = { rep, req, pull, push, dealer, router };
    for (int i = 0; i < 6; i++) CHECK(zmq_close(all[i]) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    snprintf(endpoint, sizeof endpoint, "%s/server.sock", directory);
    unlink(endpoint);
    CHECK(rmdir(directory) == 0);
    printf("done\n");
    return 0;
}

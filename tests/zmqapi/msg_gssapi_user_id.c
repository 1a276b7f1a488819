// SPDX-License-Identifier: MIT
// zmq_msg_gets(msg, "User-Id") on a GSSAPI server: the client's
// authenticated Kerberos principal. Client: REQ naming the service
// zmq@localhost, with the realm's default client key (KRB5_CLIENT_KTNAME);
// server: REP with ZMQ_GSSAPI_SERVER and no principal of its own (it
// accepts with any key in KRB5_KTNAME; a named libzmq server would need
// its key in the client keytab too, as libzmq asks for both usages).
//
// libzmq reports User-Id only when a ZAP handler (RFC 27) names the user,
// so this program runs the usual one: it accepts every request and names
// the principal it is shown. zgss sockets make no ZAP requests: the
// handler then waits unused and the library must report User-Id itself
// (a library without inproc:// refuses the endpoint and the program goes
// on without a handler). Either way the output must be the same. The
// client side never has a User-Id.
#include <zmq.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define ZAP_PARTS 7

// Receives one whole message into parts[]; returns how many parts, or -1
// when the context is terminated.
static int recv_parts(void *socket, zmq_msg_t *parts, int capacity)
{
    int count = 0;
    int more = 1;
    while (more) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, socket, 0) < 0) {
            zmq_msg_close(&part);
            for (int i = 0; i < count; i++) zmq_msg_close(&parts[i]);
            return -1;
        }
        more = zmq_msg_more(&part);
        if (count < capacity) {
            zmq_msg_init(&parts[count]);
            zmq_msg_move(&parts[count], &part);
            count++;
        }
        zmq_msg_close(&part);
    }
    return count;
}

static void send_part(void *socket, const void *data, size_t size, int more)
{
    zmq_msg_t part;
    CHECK(zmq_msg_init_size(&part, size) == 0);
    if (size) memcpy(zmq_msg_data(&part), data, size);
    CHECK(zmq_msg_send(&part, socket, more ? ZMQ_SNDMORE : 0) == (int)size);
    zmq_msg_close(&part);
}

// ZAP request: version, request id, domain, address, routing id,
// mechanism, credentials (GSSAPI: the principal). Reply: version, request
// id, "200", "OK", user id (the principal), metadata (none).
static void *zap_handler(void *socket)
{
    zmq_msg_t parts[ZAP_PARTS];
    int count;
    while ((count = recv_parts(socket, parts, ZAP_PARTS)) >= 0) {
        CHECK(count == ZAP_PARTS);
        CHECK(zmq_msg_size(&parts[5]) == 6 && memcmp(zmq_msg_data(&parts[5]), "GSSAPI", 6) == 0);
        send_part(socket, "1.0", 3, 1);
        send_part(socket, zmq_msg_data(&parts[1]), zmq_msg_size(&parts[1]), 1);
        send_part(socket, "200", 3, 1);
        send_part(socket, "OK", 2, 1);
        send_part(socket, zmq_msg_data(&parts[6]), zmq_msg_size(&parts[6]), 1);
        send_part(socket, "", 0, 0);
        for (int i = 0; i < count; i++) zmq_msg_close(&parts[i]);
    }
    CHECK(zmq_errno() == ETERM);
    zmq_close(socket);
    return NULL;
}

static void show_user_id(const char *side, zmq_msg_t *msg, const char *realm)
{
    const char *user = zmq_msg_gets(msg, "User-Id");
    if (!user) {
        printf("%s User-Id: NULL (%s)\n", side, zmq_errno() == EINVAL ? "EINVAL" : "other");
        return;
    }
    const char *at = strrchr(user, '@');
    printf("%s User-Id: %s (realm is the test realm: %s)\n", side, user,
           at && strcmp(at + 1, realm) == 0 ? "yes" : "no");
}

int main(void)
{
    const char *realm = getenv("ZGSS_TEST_REALM");
    if (!realm) {
        fprintf(stderr, "ZGSS_TEST_REALM is not set: run inside tools/testrealm.py\n");
        return 1;
    }
    void *ctx = zmq_ctx_new();
    CHECK(ctx);

    pthread_t zap_thread;
    void *zap = zmq_socket(ctx, ZMQ_REP);
    CHECK(zap);
    int have_zap = zmq_bind(zap, "inproc://zeromq.zap.01") == 0;
    if (have_zap) {
        CHECK(pthread_create(&zap_thread, NULL, zap_handler, zap) == 0);
    } else {
        fprintf(stderr, "no inproc:// ZAP endpoint (%s): no ZAP handler\n", zmq_strerror(zmq_errno()));
        CHECK(zmq_close(zap) == 0);
    }

    int one = 1, linger = 0, timeout = 20000;
    void *server = zmq_socket(ctx, ZMQ_REP);
    void *client = zmq_socket(ctx, ZMQ_REQ);
    CHECK(server && client);
    CHECK(zmq_setsockopt(server, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_setsockopt(client, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_setsockopt(server, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK(zmq_setsockopt(client, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK(zmq_setsockopt(server, ZMQ_GSSAPI_SERVER, &one, sizeof one) == 0);
    CHECK(zmq_setsockopt(client, ZMQ_GSSAPI_SERVICE_PRINCIPAL, "zmq@localhost", 13) == 0);
    CHECK(zmq_bind(server, "tcp://127.0.0.1:*") == 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    CHECK(zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    CHECK(zmq_connect(client, endpoint) == 0);

    zmq_msg_t msg;
    CHECK(zmq_msg_init_size(&msg, 4) == 0);
    memcpy(zmq_msg_data(&msg), "ping", 4);
    CHECK(zmq_msg_send(&msg, client, 0) == 4);
    CHECK(zmq_msg_recv(&msg, server, 0) == 4);
    show_user_id("server", &msg, realm);
    printf("server Socket-Type: %s\n", zmq_msg_gets(&msg, "Socket-Type"));
    // The property outlives a copy of the message and the original.
    zmq_msg_t copy;
    CHECK(zmq_msg_init(&copy) == 0);
    CHECK(zmq_msg_copy(&copy, &msg) == 0);
    CHECK(zmq_msg_close(&msg) == 0);
    show_user_id("server copy", &copy, realm);
    CHECK(zmq_msg_close(&copy) == 0);

    CHECK(zmq_msg_init_size(&msg, 4) == 0);
    memcpy(zmq_msg_data(&msg), "pong", 4);
    CHECK(zmq_msg_send(&msg, server, 0) == 4);
    CHECK(zmq_msg_recv(&msg, client, 0) == 4);
    show_user_id("client", &msg, realm);
    printf("client Socket-Type: %s\n", zmq_msg_gets(&msg, "Socket-Type"));
    CHECK(zmq_msg_close(&msg) == 0);

    CHECK(zmq_close(client) == 0);
    CHECK(zmq_close(server) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    if (have_zap) CHECK(pthread_join(zap_thread, NULL) == 0);
    printf("done\n");
    return 0;
}

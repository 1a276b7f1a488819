// SPDX-License-Identifier: MIT
// inproc:// between threads of one context, in the Guide's mtrelay
// pattern (PAIR sockets, each step binds before it starts the next thread,
// which connects and signals), then the Guide's mtserver pattern without
// the proxy: a DEALER binds inproc://workers, REP workers in threads
// connect to it, and a REQ client reaches them through a ROUTER on tcp://
// that hands each request to the DEALER by hand. Also: GSSAPI options on
// an inproc socket are ignored (libzmq runs no security mechanism there).
#include <zmq.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static void *context;

static void expect(void *socket, const char *text)
{
    char buffer[64];
    int size = zmq_recv(socket, buffer, sizeof buffer, 0);
    CHECK(size == (int)strlen(text) && memcmp(buffer, text, size) == 0);
}

static void *step1(void *unused)
{
    (void)unused;
    void *xmitter = zmq_socket(context, ZMQ_PAIR);
    CHECK(xmitter);
    CHECK(zmq_connect(xmitter, "inproc://step2") == 0);
    CHECK(zmq_send(xmitter, "READY", 5, 0) == 5);
    CHECK(zmq_close(xmitter) == 0);
    return NULL;
}

static void *step2(void *unused)
{
    (void)unused;
    void *receiver = zmq_socket(context, ZMQ_PAIR);
    CHECK(receiver);
    CHECK(zmq_bind(receiver, "inproc://step2") == 0);
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, step1, NULL) == 0);
    expect(receiver, "READY");
    CHECK(zmq_close(receiver) == 0);
    void *xmitter = zmq_socket(context, ZMQ_PAIR);
    CHECK(xmitter);
    CHECK(zmq_connect(xmitter, "inproc://step3") == 0);
    CHECK(zmq_send(xmitter, "READY", 5, 0) == 5);
    CHECK(zmq_close(xmitter) == 0);
    CHECK(pthread_join(thread, NULL) == 0);
    return NULL;
}

static void *worker(void *unused)
{
    (void)unused;
    void *receiver = zmq_socket(context, ZMQ_REP);
    CHECK(receiver);
    CHECK(zmq_connect(receiver, "inproc://workers") == 0);
    char buffer[64];
    int size;
    while ((size = zmq_recv(receiver, buffer, sizeof buffer - 6, 0)) >= 0) {
        if (size == 4 && memcmp(buffer, "STOP", 4) == 0) {
            CHECK(zmq_send(receiver, "STOPPED", 7, 0) == 7);
            break;
        }
        memcpy(buffer + size, " World", 6);
        CHECK(zmq_send(receiver, buffer, size + 6, 0) == size + 6);
    }
    CHECK(zmq_close(receiver) == 0);
    return NULL;
}

// Moves one whole message from one socket to another.
static void relay(void *from, void *to)
{
    int more = 1;
    while (more) {
        zmq_msg_t part;
        CHECK(zmq_msg_init(&part) == 0);
        CHECK(zmq_msg_recv(&part, from, 0) >= 0);
        more = zmq_msg_more(&part);
        CHECK(zmq_msg_send(&part, to, more ? ZMQ_SNDMORE : 0) >= 0);
    }
}

int main(void)
{
    context = zmq_ctx_new();
    CHECK(context);

    // mtrelay.
    void *receiver = zmq_socket(context, ZMQ_PAIR);
    CHECK(receiver);
    CHECK(zmq_bind(receiver, "inproc://step3") == 0);
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, step2, NULL) == 0);
    expect(receiver, "READY");
    CHECK(pthread_join(thread, NULL) == 0);
    CHECK(zmq_close(receiver) == 0);
    printf("mtrelay: test successful\n");

    // mtserver without zmq_proxy: ROUTER on tcp, DEALER on inproc, 3 REP workers.
    void *clients = zmq_socket(context, ZMQ_ROUTER);
    void *workers = zmq_socket(context, ZMQ_DEALER);
    CHECK(clients && workers);
    CHECK(zmq_bind(clients, "tcp://127.0.0.1:*") == 0);
    CHECK(zmq_bind(workers, "inproc://workers") == 0);
    char endpoint[64];
    size_t size = sizeof endpoint;
    CHECK(zmq_getsockopt(workers, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    printf("DEALER ZMQ_LAST_ENDPOINT: %s\n", endpoint);
    pthread_t threads[3];
    for (int i = 0; i < 3; i++) CHECK(pthread_create(&threads[i], NULL, worker, NULL) == 0);
    size = sizeof endpoint;
    CHECK(zmq_getsockopt(clients, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    void *client = zmq_socket(context, ZMQ_REQ);
    CHECK(client);
    CHECK(zmq_connect(client, endpoint) == 0);
    for (int i = 0; i < 6; i++) {
        CHECK(zmq_send(client, "Hello", 5, 0) == 5);
        relay(clients, workers);
        relay(workers, clients);
        expect(client, "Hello World");
    }
    printf("mtserver: 6 requests answered by inproc workers\n");
    // Stop the workers: one STOP each (DEALER round robin over 3 workers).
    for (int i = 0; i < 3; i++) {
        CHECK(zmq_send(workers, "", 0, ZMQ_SNDMORE) == 0);
        CHECK(zmq_send(workers, "STOP", 4, 0) == 4);
    }
    for (int i = 0; i < 3; i++) {
        char empty[1];
        CHECK(zmq_recv(workers, empty, sizeof empty, 0) == 0);
        expect(workers, "STOPPED");
    }
    for (int i = 0; i < 3; i++) CHECK(pthread_join(threads[i], NULL) == 0);
    printf("workers stopped\n");

    // GSSAPI options are ignored on inproc.
    void *server = zmq_socket(context, ZMQ_PAIR), *peer = zmq_socket(context, ZMQ_PAIR);
    CHECK(server && peer);
    int one = 1;
    CHECK(zmq_setsockopt(server, ZMQ_GSSAPI_SERVER, &one, sizeof one) == 0);
    CHECK(zmq_setsockopt(peer, ZMQ_GSSAPI_SERVICE_PRINCIPAL, "nobody@nowhere", 14) == 0);
    CHECK(zmq_bind(server, "inproc://secured") == 0);
    CHECK(zmq_connect(peer, "inproc://secured") == 0);
    CHECK(zmq_send(peer, "plain", 5, 0) == 5);
    expect(server, "plain");
    printf("GSSAPI options on inproc: ignored, message passed\n");

    int linger = 0;
    void *all[] = { clients, workers, client, server, peer };
    for (int i = 0; i < 5; i++) {
        CHECK(zmq_setsockopt(all[i], ZMQ_LINGER, &linger, sizeof linger) == 0);
        CHECK(zmq_close(all[i]) == 0);
    }
    CHECK(zmq_ctx_term(context) == 0);
    printf("done\n");
    return 0;
}

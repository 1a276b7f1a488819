// SPDX-License-Identifier: MIT
// A request-reply broker in the Guide's rrbroker pattern: a ROUTER
// frontend for REQ clients, a DEALER backend for REP workers, and one
// zmq_poll loop over both that moves every multipart message across.
// Two client threads and three worker threads; each client checks its
// replies. Prints only the totals and each client's result.
#include <zmq.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define CLIENTS 2
#define WORKERS 3
#define REQUESTS 50

static void *ctx;
static char frontend_endpoint[256], backend_endpoint[256];
static atomic_int stop_broker, stop_workers;
static int client_ok[CLIENTS];
static long forwarded_requests, forwarded_replies;

static void *make(int type)
{
    void *socket = zmq_socket(ctx, type);
    int zero = 0;
    if (socket) zmq_setsockopt(socket, ZMQ_LINGER, &zero, sizeof zero);
    return socket;
}

/* Moves one whole multipart message from `from` to `to`; -1 on error. */
static int forward(void *from, void *to)
{
    char buffer[256];
    for (;;) {
        int size = zmq_recv(from, buffer, sizeof buffer, 0);
        if (size < 0 || size > (int)sizeof buffer) return -1;
        int more = 0;
        size_t more_size = sizeof more;
        if (zmq_getsockopt(from, ZMQ_RCVMORE, &more, &more_size) != 0) return -1;
        if (zmq_send(to, buffer, (size_t)size, more ? ZMQ_SNDMORE : 0) != size) return -1;
        if (!more) return 0;
    }
}

static void *broker(void *arg)
{
    void **sockets = arg;
    void *frontend = sockets[0], *backend = sockets[1];
    zmq_pollitem_t items[] = {
        { frontend, 0, ZMQ_POLLIN, 0 },
        { backend, 0, ZMQ_POLLIN, 0 },
    };
    while (!atomic_load(&stop_broker)) {
        int rc = zmq_poll(items, 2, 50);
        if (rc < 0) { fprintf(stderr, "broker: zmq_poll: %s\n", zmq_strerror(zmq_errno())); return (void *)1; }
        if (items[0].revents & ZMQ_POLLIN) {
            if (forward(frontend, backend) != 0) return (void *)1;
            forwarded_requests++;
        }
        if (items[1].revents & ZMQ_POLLIN) {
            if (forward(backend, frontend) != 0) return (void *)1;
            forwarded_replies++;
        }
    }
    return NULL;
}

/* A worker answers "N" with "N done"; it waits with zmq_poll so that it
 * notices when to stop. */
static void *worker(void *arg)
{
    (void)arg;
    void *rep = make(ZMQ_REP);
    if (!rep || zmq_connect(rep, backend_endpoint) != 0) return (void *)1;
    zmq_pollitem_t item = { rep, 0, ZMQ_POLLIN, 0 };
    char request[64], reply[80];
    while (!atomic_load(&stop_workers)) {
        int rc = zmq_poll(&item, 1, 50);
        if (rc < 0) return (void *)1;
        if (rc == 0) continue;
        int size = zmq_recv(rep, request, sizeof request - 1, 0);
        if (size < 0 || size >= (int)sizeof request) return (void *)1;
        request[size] = 0;
        int length = snprintf(reply, sizeof reply, "%s done", request);
        if (zmq_send(rep, reply, (size_t)length, 0) != length) return (void *)1;
    }
    zmq_close(rep);
    return NULL;
}

static void *client(void *arg)
{
    int id = (int)(long)arg;
    void *req = make(ZMQ_REQ);
    if (!req || zmq_connect(req, frontend_endpoint) != 0) return (void *)1;
    int ok = 1;
    for (int i = 0; i < REQUESTS && ok; i++) {
        char request[64], expected[80], reply[80];
        int length = snprintf(request, sizeof request, "client %d request %d", id, i);
        snprintf(expected, sizeof expected, "%s done", request);
        if (zmq_send(req, request, (size_t)length, 0) != length) { ok = 0; break; }
        zmq_pollitem_t item = { req, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&item, 1, 20000) != 1) { ok = 0; break; }
        int size = zmq_recv(req, reply, sizeof reply - 1, 0);
        if (size < 0 || size >= (int)sizeof reply) { ok = 0; break; }
        reply[size] = 0;
        ok = strcmp(reply, expected) == 0;
    }
    client_ok[id] = ok;
    zmq_close(req);
    return NULL;
}

static int bind_any(void *socket, char *endpoint, size_t room)
{
    if (zmq_bind(socket, "tcp://127.0.0.1:*") != 0) return -1;
    return zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, endpoint, &room);
}

int main(void)
{
    ctx = zmq_ctx_new();
    void *frontend = make(ZMQ_ROUTER);
    void *backend = make(ZMQ_DEALER);
    if (!ctx || !frontend || !backend) return 1;
    if (bind_any(frontend, frontend_endpoint, sizeof frontend_endpoint) != 0
        || bind_any(backend, backend_endpoint, sizeof backend_endpoint) != 0) {
        fprintf(stderr, "bind: %s\n", zmq_strerror(zmq_errno()));
        return 1;
    }
    void *sockets[2] = { frontend, backend };
    pthread_t broker_thread, workers[WORKERS], clients[CLIENTS];
    pthread_create(&broker_thread, NULL, broker, sockets);
    for (int i = 0; i < WORKERS; i++) pthread_create(&workers[i], NULL, worker, NULL);
    for (int i = 0; i < CLIENTS; i++) pthread_create(&clients[i], NULL, client, (void *)(long)i);
    int failed = 0;
    void *result;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(clients[i], &result);
        failed |= result != NULL;
    }
    atomic_store(&stop_workers, 1);
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(workers[i], &result);
        failed |= result != NULL;
    }
    atomic_store(&stop_broker, 1);
    pthread_join(broker_thread, &result);
    failed |= result != NULL;
    if (failed) { fprintf(stderr, "a thread failed\n"); return 1; }
    for (int i = 0; i < CLIENTS; i++)
        printf("client %d: %d requests, every reply %s\n", i, REQUESTS, client_ok[i] ? "right" : "WRONG");
    printf("broker forwarded %ld requests and %ld replies\n", forwarded_requests, forwarded_replies);
    zmq_close(frontend);
    zmq_close(backend);
    zmq_ctx_term(ctx);
    printf("done\n");
    return 0;
}

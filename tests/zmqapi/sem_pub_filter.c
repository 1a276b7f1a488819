// SPDX-License-Identifier: MIT
// A PUB that sends mostly what nobody wants (the Guide's wuserver and
// wuclient): the SUB subscribes to "10001 " and "99999 ", the PUB sends
// 1,000,000 updates of which 200 are for those zipcodes, in bursts of 20
// back to back, the rest for zipcodes that match no subscription. libzmq
// drops a non-matching update at once in the sending thread; a matching
// one is queued for the SUB. Prints what the SUB got (count, order, a
// checksum), never timings.
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

enum { UPDATES = 1000000, EVERY = 100000, BURST = 20 };

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    void *pub = zmq_socket(ctx, ZMQ_PUB), *sub = zmq_socket(ctx, ZMQ_SUB);
    CHECK(pub && sub);
    int linger = 0;
    CHECK(zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_bind(pub, "tcp://127.0.0.1:*") == 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    CHECK(zmq_getsockopt(pub, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    CHECK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "10001 ", 6) == 0);
    CHECK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "99999 ", 6) == 0);
    CHECK(zmq_connect(sub, endpoint) == 0);

    // Until both subscriptions have reached the PUB, updates are lost:
    // publish a "sync" for each until the SUB has seen both.
    int timeout = 20;
    CHECK(zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    char buffer[64];
    int seen = 0;
    for (int tries = 0; seen != 3; tries++) {
        CHECK(tries < 1000);
        CHECK(zmq_send(pub, "10001 sync", 10, 0) == 10);
        CHECK(zmq_send(pub, "99999 sync", 10, 0) == 10);
        int n;
        while ((n = zmq_recv(sub, buffer, sizeof buffer, 0)) >= 0)
            seen |= (n > 0 && buffer[0] == '1') ? 1 : 2;
    }
    while (zmq_recv(sub, buffer, sizeof buffer, 0) >= 0) {}
    printf("SUB: both subscriptions in place\n");

    int matching = 0;
    for (int i = 0; i < UPDATES; i++) {
        int zipcode = (int)((i * 7919L) % 100000);
        if (i % EVERY < BURST) {
            zipcode = (i / EVERY) % 2 ? 99999 : 10001;
            matching++;
        } else if (zipcode == 10001 || zipcode == 99999) {
            zipcode = 10002;
        }
        int n = snprintf(buffer, sizeof buffer, "%05d %d %d", zipcode, i, i % 50 + 10);
        CHECK(zmq_send(pub, buffer, (size_t)n, 0) == n);
    }
    CHECK(zmq_send(pub, "10001 end", 9, 0) == 9);
    printf("PUB: %d updates sent, %d of them for 10001 or 99999\n", UPDATES, matching);

    timeout = 30000;
    CHECK(zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    int received = 0, in_order = 1, previous = -1;
    unsigned long checksum = 0;
    for (;;) {
        int n = zmq_recv(sub, buffer, sizeof buffer - 1, 0);
        CHECK(n >= 0);
        buffer[n] = 0;
        if (strcmp(buffer, "10001 end") == 0) break;
        int zipcode = 0, index = 0, humidity = 0;
        CHECK(sscanf(buffer, "%d %d %d", &zipcode, &index, &humidity) == 3);
        if (zipcode != 10001 && zipcode != 99999) printf("SUB: got an update it did not subscribe to: %s\n", buffer);
        if (index <= previous) in_order = 0;
        previous = index;
        checksum = checksum * 31 + (unsigned long)index;
        received++;
    }
    printf("SUB: received %d updates, %s, checksum %lu\n", received, in_order ? "in order" : "OUT OF ORDER", checksum);
    CHECK(zmq_close(sub) == 0);
    CHECK(zmq_close(pub) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("done\n");
    return 0;
}

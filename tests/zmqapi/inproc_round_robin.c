// SPDX-License-Identifier: MIT
// A DEALER bound on inproc:// deals its messages round robin over every
// peer that has connected, from the moment zmq_connect returned: three
// REP sockets connect, three requests are sent at once, and each REP gets
// exactly one. (libzmq attaches an inproc pipe at connect; zgss runs a
// NULL handshake over a socket pair and must still give the new peer its
// turn.) The same for a PUSH and three PULLs with single-frame messages
// (a different send path in zgss). Repeated, since the race is in the
// first microseconds.
#include <zmq.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    int rounds_ok = 0;
    for (int round = 0; round < 20; round++) {
        void *dealer = zmq_socket(ctx, ZMQ_DEALER);
        CHECK(dealer);
        char name[64];
        snprintf(name, sizeof name, "inproc://deal-%d", round);
        CHECK(zmq_bind(dealer, name) == 0);
        void *reps[3];
        for (int i = 0; i < 3; i++) {
            reps[i] = zmq_socket(ctx, ZMQ_REP);
            CHECK(reps[i]);
            int timeout = 5000;
            CHECK(zmq_setsockopt(reps[i], ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
            CHECK(zmq_connect(reps[i], name) == 0);
        }
        for (int i = 0; i < 3; i++) {
            CHECK(zmq_send(dealer, "", 0, ZMQ_SNDMORE) == 0);
            CHECK(zmq_send(dealer, "job", 3, 0) == 3);
        }
        int each_one = 1;
        for (int i = 0; i < 3; i++) {
            char buffer[8];
            if (zmq_recv(reps[i], buffer, sizeof buffer, 0) != 3) each_one = 0;
        }
        rounds_ok += each_one;
        int zero = 0;
        for (int i = 0; i < 3; i++) {
            zmq_setsockopt(reps[i], ZMQ_LINGER, &zero, sizeof zero);
            CHECK(zmq_close(reps[i]) == 0);
        }
        zmq_setsockopt(dealer, ZMQ_LINGER, &zero, sizeof zero);
        CHECK(zmq_close(dealer) == 0);
    }
    printf("rounds where each of 3 REPs got one of 3 requests: %d of 20\n", rounds_ok);

    rounds_ok = 0;
    for (int round = 0; round < 20; round++) {
        void *push = zmq_socket(ctx, ZMQ_PUSH);
        CHECK(push);
        char name[64];
        snprintf(name, sizeof name, "inproc://push-%d", round);
        CHECK(zmq_bind(push, name) == 0);
        void *pulls[3];
        for (int i = 0; i < 3; i++) {
            pulls[i] = zmq_socket(ctx, ZMQ_PULL);
            CHECK(pulls[i]);
            int timeout = 5000;
            CHECK(zmq_setsockopt(pulls[i], ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
            CHECK(zmq_connect(pulls[i], name) == 0);
        }
        for (int i = 0; i < 3; i++) CHECK(zmq_send(push, "job", 3, 0) == 3);
        int each_one = 1;
        for (int i = 0; i < 3; i++) {
            char buffer[8];
            if (zmq_recv(pulls[i], buffer, sizeof buffer, 0) != 3) each_one = 0;
        }
        rounds_ok += each_one;
        int zero = 0;
        for (int i = 0; i < 3; i++) {
            zmq_setsockopt(pulls[i], ZMQ_LINGER, &zero, sizeof zero);
            CHECK(zmq_close(pulls[i]) == 0);
        }
        zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
        CHECK(zmq_close(push) == 0);
    }
    printf("rounds where each of 3 PULLs got one of 3 messages: %d of 20\n", rounds_ok);
    CHECK(zmq_ctx_term(ctx) == 0);
    return 0;
}

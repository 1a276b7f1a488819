// SPDX-License-Identifier: MIT
// Server half of a GSSAPI ROUTER/DEALER pair run across libraries: a
// ROUTER (ZMQ_GSSAPI_SERVER, encrypted) in a zmq_poll loop with a 100 ms
// timeout, echoing every multipart message back to its sender with the
// part count prepended, until the DEALER sends "END". Prints the sender's
// routing id (set by the client) and what it received. argv[1]: endpoint.
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
    void *router = zmq_socket(context, ZMQ_ROUTER);
    CHECK(router);
    int one = 1, linger = 1000;
    CHECK(zmq_setsockopt(router, ZMQ_GSSAPI_SERVER, &one, sizeof one) == 0);
    CHECK(zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_bind(router, argv[1]) == 0);
    int idle = 0, done = 0;
    while (!done) {
        zmq_pollitem_t items[] = { { router, 0, ZMQ_POLLIN, 0 } };
        int ready = zmq_poll(items, 1, 100);
        CHECK(ready >= 0);
        if (ready == 0) {
            CHECK(++idle < 300);  // 30 s without a message: give up
            continue;
        }
        CHECK(items[0].revents & ZMQ_POLLIN);
        zmq_msg_t parts[8];
        int count = 0, more = 1;
        while (more) {
            CHECK(count < 8);
            CHECK(zmq_msg_init(&parts[count]) == 0);
            CHECK(zmq_msg_recv(&parts[count], router, 0) >= 0);
            more = zmq_msg_more(&parts[count]);
            count++;
        }
        printf("server from \"%.*s\": %d parts:", (int)zmq_msg_size(&parts[0]), (char *)zmq_msg_data(&parts[0]), count - 1);
        for (int i = 1; i < count; i++) printf(" \"%.*s\"", (int)zmq_msg_size(&parts[i]), (char *)zmq_msg_data(&parts[i]));
        printf("\n");
        done = count == 2 && zmq_msg_size(&parts[1]) == 3 && memcmp(zmq_msg_data(&parts[1]), "END", 3) == 0;
        char header[16];
        int length = snprintf(header, sizeof header, "%d", count - 1);
        CHECK(zmq_msg_send(&parts[0], router, ZMQ_SNDMORE) >= 0);
        CHECK(zmq_send(router, header, (size_t)length, count > 1 ? ZMQ_SNDMORE : 0) == length);
        for (int i = 1; i < count; i++)
            CHECK(zmq_msg_send(&parts[i], router, i + 1 < count ? ZMQ_SNDMORE : 0) >= 0);
    }
    CHECK(zmq_close(router) == 0);
    CHECK(zmq_ctx_term(context) == 0);
    printf("server done\n");
    return 0;
}

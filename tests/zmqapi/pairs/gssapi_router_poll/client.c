// SPDX-License-Identifier: MIT
// Client half of the GSSAPI ROUTER/DEALER pair (see server.c): a DEALER
// with routing id "dealer-1", encrypted, sends multipart messages (one
// with an empty part) and waits for each echo with zmq_poll, which must
// also report the DEALER writable. argv[1]: the endpoint.
#include <zmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_WHO "client "
#include "../../check.h"

static void send_parts(void *socket, const char **parts, int count)
{
    for (int i = 0; i < count; i++)
        CHECK(zmq_send(socket, parts[i], strlen(parts[i]), i + 1 < count ? ZMQ_SNDMORE : 0) == (int)strlen(parts[i]));
}

static void print_reply(void *socket)
{
    zmq_pollitem_t items[] = { { socket, 0, ZMQ_POLLIN | ZMQ_POLLOUT, 0 } };
    CHECK(zmq_poll(items, 1, 30000) == 1);
    for (int waited = 0; !(items[0].revents & ZMQ_POLLIN); waited++) {
        CHECK(waited < 3000);
        items[0].events = ZMQ_POLLIN;
        CHECK(zmq_poll(items, 1, 10) >= 0);
    }
    printf("client reply:");
    int more = 1;
    while (more) {
        char part[64];
        int n = zmq_recv(socket, part, sizeof part, 0);
        CHECK(n >= 0 && n <= (int)sizeof part);
        printf(" \"%.*s\"", n, part);
        int flag = 0;
        size_t size = sizeof flag;
        CHECK(zmq_getsockopt(socket, ZMQ_RCVMORE, &flag, &size) == 0);
        more = flag;
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    void *context = zmq_ctx_new();
    void *dealer = zmq_socket(context, ZMQ_DEALER);
    CHECK(dealer);
    CHECK(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "dealer-1", 8) == 0);
    CHECK(zmq_setsockopt(dealer, ZMQ_GSSAPI_SERVICE_PRINCIPAL, "zmq@localhost", 13) == 0);
    CHECK(zmq_connect(dealer, argv[1]) == 0);
    const char *one[] = { "alpha" };
    const char *three[] = { "a", "", "c" };
    const char *two[] = { "kerberos", "zmtp" };
    const char *end[] = { "END" };
    send_parts(dealer, one, 1);
    print_reply(dealer);
    send_parts(dealer, three, 3);
    print_reply(dealer);
    send_parts(dealer, two, 2);
    print_reply(dealer);
    send_parts(dealer, end, 1);
    print_reply(dealer);
    CHECK(zmq_close(dealer) == 0);
    CHECK(zmq_ctx_term(context) == 0);
    return 0;
}

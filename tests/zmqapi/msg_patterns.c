// SPDX-License-Identifier: MIT
// The Guide's message idioms written against zmq_msg_t: string helpers in
// the style of zhelpers.h (receive a part as a string, send, send with
// more, dump a multipart message), the multipart loop that reads
// zmq_msg_more after zmq_msg_close, PUSH/PULL and DEALER/ROUTER with the
// properties each side sees (Socket-Type, Identity, Routing-Id).
#include <zmq.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

// One part as a NUL-terminated string the caller frees (NULL on error).
static char *recv_string(void *socket)
{
    zmq_msg_t part;
    zmq_msg_init(&part);
    int size = zmq_msg_recv(&part, socket, 0);
    if (size < 0) {
        zmq_msg_close(&part);
        return NULL;
    }
    char *text = malloc((size_t)size + 1);
    if (text) {
        memcpy(text, zmq_msg_data(&part), (size_t)size);
        text[size] = 0;
    }
    zmq_msg_close(&part);
    return text;
}

static int send_string(void *socket, const char *text, int flags)
{
    zmq_msg_t part;
    size_t length = strlen(text);
    if (zmq_msg_init_size(&part, length) != 0)
        return -1;
    memcpy(zmq_msg_data(&part), text, length);
    int rc = zmq_msg_send(&part, socket, flags);
    zmq_msg_close(&part);
    return rc;
}

// Prints every part of one message: text when printable, else hex. The
// loop ends on zmq_msg_more read after the part was closed, as the Guide's
// multipart examples do.
static void dump(const char *label, void *socket)
{
    printf("%s ----\n", label);
    while (1) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        int size = zmq_msg_recv(&part, socket, 0);
        CHECK(size >= 0);
        const unsigned char *data = zmq_msg_data(&part);
        int text = 1;
        for (int i = 0; i < size; i++)
            if (!isprint(data[i])) text = 0;
        printf("[%03d] ", size);
        for (int i = 0; i < size; i++)
            printf(text ? "%c" : "%02X", data[i]);
        printf("\n");
        zmq_msg_close(&part);
        if (!zmq_msg_more(&part))
            break;
    }
}

static void show_property(const char *side, void *socket, const char *name)
{
    zmq_msg_t part;
    zmq_msg_init(&part);
    CHECK(zmq_msg_recv(&part, socket, 0) >= 0);
    const char *value = zmq_msg_gets(&part, name);
    printf("%s gets(%s): %s%s%s\n", side, name, value ? "\"" : "NULL", value ? value : "", value ? "\"" : "");
    int more = zmq_msg_more(&part);
    zmq_msg_close(&part);
    while (more) {
        zmq_msg_init(&part);
        CHECK(zmq_msg_recv(&part, socket, 0) >= 0);
        more = zmq_msg_more(&part);
        zmq_msg_close(&part);
    }
}

static void *make(void *ctx, int type)
{
    void *socket = zmq_socket(ctx, type);
    CHECK(socket);
    int linger = 0;
    CHECK(zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger) == 0);
    return socket;
}

static void bind_any(void *socket, char *endpoint, size_t size)
{
    CHECK(zmq_bind(socket, "tcp://127.0.0.1:*") == 0);
    CHECK(zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    char endpoint[256];

    // PUSH/PULL.
    void *pull = make(ctx, ZMQ_PULL);
    void *push = make(ctx, ZMQ_PUSH);
    bind_any(pull, endpoint, sizeof endpoint);
    CHECK(zmq_connect(push, endpoint) == 0);
    CHECK(send_string(push, "task", ZMQ_SNDMORE) == 4);
    CHECK(send_string(push, "", ZMQ_SNDMORE) == 0);
    CHECK(send_string(push, "payload", 0) == 7);
    dump("PULL", pull);
    for (int i = 0; i < 3; i++) {
        char text[16];
        snprintf(text, sizeof text, "work %d", i);
        CHECK(send_string(push, text, 0) > 0);
    }
    for (int i = 0; i < 3; i++) {
        char *text = recv_string(pull);
        CHECK(text);
        printf("PULL string: %s\n", text);
        free(text);
    }
    CHECK(send_string(push, "meta", 0) == 4);
    show_property("PULL", pull, "Socket-Type");
    CHECK(send_string(push, "meta", 0) == 4);
    show_property("PULL", pull, "Identity");

    // DEALER (with a routing id) / ROUTER: the ROUTER's first part is the
    // dealer's id, and every part carries the dealer's properties.
    void *router = make(ctx, ZMQ_ROUTER);
    void *dealer = make(ctx, ZMQ_DEALER);
    CHECK(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "dealer-1", 8) == 0);
    bind_any(router, endpoint, sizeof endpoint);
    CHECK(zmq_connect(dealer, endpoint) == 0);
    CHECK(send_string(dealer, "hello", ZMQ_SNDMORE) == 5);
    CHECK(send_string(dealer, "router", 0) == 6);
    dump("ROUTER", router);
    const char *names[] = { "Socket-Type", "Identity", "Routing-Id" };
    for (int i = 0; i < 3; i++) {
        CHECK(send_string(dealer, "again", 0) == 5);
        // The id frame carries the properties too.
        zmq_msg_t id;
        zmq_msg_init(&id);
        CHECK(zmq_msg_recv(&id, router, 0) == 8);
        const char *value = zmq_msg_gets(&id, names[i]);
        printf("ROUTER id frame gets(%s): %s\n", names[i], value ? value : "NULL");
        CHECK(zmq_msg_more(&id) == 1);
        zmq_msg_close(&id);
        char *body = recv_string(router);
        CHECK(body);
        free(body);
    }
    CHECK(send_string(router, "dealer-1", ZMQ_SNDMORE) == 8);
    CHECK(send_string(router, "reply", 0) == 5);
    show_property("DEALER", dealer, "Socket-Type");

    CHECK(zmq_close(push) == 0 && zmq_close(pull) == 0);
    CHECK(zmq_close(dealer) == 0 && zmq_close(router) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("done\n");
    return 0;
}

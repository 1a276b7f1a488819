// SPDX-License-Identifier: MIT
/* A GSSAPI SUB keeps its subscription when the PUB it talks to restarts
 * (tools/test-libzmq-dropin.sh). One process: a PUB (GSSAPI server,
 * zmq@localhost from KRB5_KTNAME) bound to a TCP port and a SUB (GSSAPI
 * client, KRB5_CLIENT_KTNAME) subscribed to "test". The PUB sends until
 * the SUB has "test hello"; then the PUB is closed, a new PUB binds the
 * same endpoint, and it sends "test world" until the SUB has it: the SUB
 * must reconnect, finish a new handshake and send its subscription again.
 * Last, "other" must be filtered out while "test end" gets through.
 *
 *   pubsub-restart crypt|plain
 *
 * Linked with -lzmq: stock libzmq as is, the rebuilt one with
 * LD_LIBRARY_PATH. Exit 0 when every step happened within its deadline.
 */
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_WHO "pubsub-restart: "
#include "../../tests/zmqapi/check.h"

static const char *mode; /* crypt, plain (GSSAPI) or null (no mechanism) */
static int oneshot;      /* upstream's timing: wait 1 s, send once */

static void *make_pub (void *ctx, const char *endpoint)
{
    int one = 1, zero = 0;
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    CHECK (pub != NULL);
    CHECK (zmq_setsockopt (pub, ZMQ_LINGER, &zero, sizeof zero) == 0);
    if (strcmp (mode, "null") != 0) {
        CHECK (zmq_setsockopt (pub, ZMQ_GSSAPI_SERVER, &one, sizeof one) == 0);
        CHECK (zmq_setsockopt (pub, ZMQ_GSSAPI_PRINCIPAL, "zmq@localhost", 13)
               == 0);
    }
    if (strcmp (mode, "plain") == 0)
        CHECK (zmq_setsockopt (pub, ZMQ_GSSAPI_PLAINTEXT, &one, sizeof one) == 0);
    /* the old PUB's port may take a moment to become free again */
    int rc = -1;
    for (int i = 0; i < 100 && rc != 0; i++) {
        rc = zmq_bind (pub, endpoint);
        if (rc != 0)
            usleep (100000);
    }
    CHECK (rc == 0);
    return pub;
}

/* Sends `text` every 100 ms until the SUB receives a message or the
 * deadline passes; returns 1 when the SUB received exactly `text`. */
static int publish_until_received (void *pub, void *sub, const char *text,
                                   int seconds)
{
    char buf[64];
    if (oneshot) {
        /* upstream master's test_pubsub_subscription_after_reconnect */
        usleep (1000000);
        CHECK (zmq_send (pub, text, strlen (text), 0) == (int) strlen (text));
        int timeout = 1000;
        CHECK (zmq_setsockopt (sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout)
               == 0);
        int len = zmq_recv (sub, buf, sizeof buf - 1, 0);
        timeout = -1;
        CHECK (zmq_setsockopt (sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout)
               == 0);
        printf ("pubsub-restart: one \"%s\" 1 s after the bind: %s\n", text,
                len >= 0 ? "received" : "not received");
        return len >= 0;
    }
    for (int i = 0; i < seconds * 10; i++) {
        CHECK (zmq_send (pub, text, strlen (text), 0) == (int) strlen (text));
        int len = zmq_recv (sub, buf, sizeof buf - 1, ZMQ_DONTWAIT);
        if (len < 0) {
            usleep (100000);
            len = zmq_recv (sub, buf, sizeof buf - 1, ZMQ_DONTWAIT);
        }
        if (len >= 0) {
            buf[len < (int) sizeof buf - 1 ? len : (int) sizeof buf - 1] = 0;
            printf ("pubsub-restart: SUB received \"%s\" after %d sends\n", buf,
                    i + 1);
            return strcmp (buf, text) == 0;
        }
    }
    printf ("pubsub-restart: SUB received nothing in %d s of \"%s\"\n",
            seconds, text);
    return 0;
}

static void drain (void *sub)
{
    char buf[64];
    while (zmq_recv (sub, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
        ;
}

int main (int argc, char **argv)
{
    if (argc < 2
        || (strcmp (argv[1], "crypt") && strcmp (argv[1], "plain")
            && strcmp (argv[1], "null"))
        || (argc == 3 && strcmp (argv[2], "oneshot")) || argc > 3) {
        fprintf (stderr, "usage: pubsub-restart crypt|plain|null [oneshot]\n");
        return 2;
    }
    mode = argv[1];
    int major, minor, patch, zero = 0, one = 1;
    zmq_version (&major, &minor, &patch);
    printf ("pubsub-restart: libzmq %d.%d.%d, %s\n", major, minor, patch,
            argv[1]);

    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    void *pub = make_pub (ctx, "tcp://127.0.0.1:*");
    char endpoint[256];
    size_t len = sizeof endpoint;
    CHECK (zmq_getsockopt (pub, ZMQ_LAST_ENDPOINT, endpoint, &len) == 0);

    void *sub = zmq_socket (ctx, ZMQ_SUB);
    CHECK (sub != NULL);
    CHECK (zmq_setsockopt (sub, ZMQ_LINGER, &zero, sizeof zero) == 0);
    if (strcmp (mode, "null") != 0)
        CHECK (zmq_setsockopt (sub, ZMQ_GSSAPI_SERVICE_PRINCIPAL,
                               "zmq@localhost", 13)
               == 0);
    if (strcmp (mode, "plain") == 0)
        CHECK (zmq_setsockopt (sub, ZMQ_GSSAPI_PLAINTEXT, &one, sizeof one) == 0);
    CHECK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "test", 4) == 0);
    CHECK (zmq_connect (sub, endpoint) == 0);

    if (!publish_until_received (pub, sub, "test hello", 15))
        return 1;

    CHECK (zmq_close (pub) == 0);
    oneshot = argc == 3;
    if (oneshot)
        usleep (100000);
    pub = make_pub (ctx, endpoint);
    printf ("pubsub-restart: PUB closed and bound again at %s\n", endpoint);
    /* oneshot: like upstream's test, no call on the SUB until the recv */
    if (!oneshot)
        drain (sub);
    if (!publish_until_received (pub, sub, "test world", 15))
        return 1;

    drain (sub);
    const char *other = "other message", *last = "test end";
    CHECK (zmq_send (pub, other, strlen (other), 0) == (int) strlen (other));
    CHECK (zmq_send (pub, last, strlen (last), 0) == (int) strlen (last));
    int timeout = 5000;
    CHECK (zmq_setsockopt (sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    char buf[64];
    int n = zmq_recv (sub, buf, sizeof buf - 1, 0);
    CHECK (n >= 0);
    buf[n < (int) sizeof buf - 1 ? n : (int) sizeof buf - 1] = 0;
    printf ("pubsub-restart: after \"other message\" and \"test end\" the SUB "
            "received \"%s\"\n",
            buf);
    CHECK (strcmp (buf, last) == 0);

    zmq_close (sub);
    zmq_close (pub);
    zmq_ctx_term (ctx);
    printf ("pubsub-restart: OK\n");
    return 0;
}

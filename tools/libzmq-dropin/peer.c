// SPDX-License-Identifier: MIT
/* One side of an interop run for tools/test-libzmq-dropin.sh. Linked with
 * -lzmq: run as is it uses Debian's libzmq, with LD_LIBRARY_PATH=OUTDIR/lib
 * the rebuilt one (same SONAME). It prints which one it got.
 *
 *   peer server rep|router|xpub ENDPOINT_FILE plain|crypt none|allow|deny|fail
 *   peer client req|dealer|sub ENDPOINT_FILE plain|crypt
 *
 * "fail": the client cannot authenticate (PEER_SERVICE names an unknown
 * service); the server must see HANDSHAKE_FAILED_PROTOCOL promptly, not
 * after ZMQ_HANDSHAKE_IVL, and deliver nothing. PEER_HEARTBEAT=1 turns on
 * 100 ms heartbeats (wrapped PING/PONG) and waits 1 s before the exchange.
 * PEER_REFUSED=1 (client facing a server that refuses it): the client
 * watches its own monitor for 2 s and exits 0 when the server's ERROR
 * stopped it: at most 2 handshakes (not a reconnect loop), none failed
 * without detail, and HANDSHAKE_FAILED_AUTH 400 (rebuilt libzmq reads the
 * ZAP status in the ERROR) or HANDSHAKE_FAILED_PROTOCOL (stock 4.3.4's
 * GSSAPI client takes the ERROR for an unexpected command).
 *
 * Service principal zmq@localhost (server: KRB5_KTNAME), client principal
 * from KRB5_CLIENT_KTNAME. Exit 0 when the exchange went as expected (for
 * "deny": when the server received nothing and saw HANDSHAKE_FAILED_AUTH).
 */
#define _GNU_SOURCE
#include <link.h>
#include <zmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf (stderr, "%s: ", who);                                     \
            fprintf (stderr, __VA_ARGS__);                                     \
            fprintf (stderr, " (%s)\n", zmq_strerror (zmq_errno ()));          \
            exit (1);                                                          \
        }                                                                      \
    } while (0)

static const char *who = "peer";
static const char *principal = "alice@EXAMPLE.TEST";

static void zap_handler (void *zap_socket, int allow)
{
    char frames[7][256];
    for (;;) {
        int n = 0, more = 1;
        while (more && n < 7) {
            int len = zmq_recv (zap_socket, frames[n], 255, 0);
            if (len < 0)
                return; /* context terminated */
            frames[n][len < 255 ? len : 255] = 0;
            size_t sz = sizeof more;
            zmq_getsockopt (zap_socket, ZMQ_RCVMORE, &more, &sz);
            n++;
        }
        /* version, id, domain, address, routing id, mechanism, principal */
        int ok = n == 7 && strcmp (frames[0], "1.0") == 0
                 && strcmp (frames[5], "GSSAPI") == 0;
        fprintf (stderr, "%s: ZAP request mechanism=%s credential=%s -> %s\n",
                 who, frames[5], n == 7 ? frames[6] : "?",
                 ok && allow ? "200" : "400");
        if (n == 7 && strcmp (frames[6], principal) != 0) {
            fprintf (stderr, "%s: ZAP credential is not %s\n", who, principal);
            ok = 0;
        }
        zmq_send (zap_socket, frames[0], strlen (frames[0]), ZMQ_SNDMORE);
        zmq_send (zap_socket, frames[1], strlen (frames[1]), ZMQ_SNDMORE);
        zmq_send (zap_socket, ok && allow ? "200" : "400", 3, ZMQ_SNDMORE);
        zmq_send (zap_socket, ok && allow ? "OK" : "Denied", ok && allow ? 2 : 6,
                  ZMQ_SNDMORE);
        /* empty user id: the server falls back to the principal */
        zmq_send (zap_socket, "", 0, ZMQ_SNDMORE);
        zmq_send (zap_socket, "", 0, 0);
    }
}

static void *zap_thread_fn (void *arg);
struct zap_args
{
    void *socket;
    int allow;
};
static void *zap_thread_fn (void *arg)
{
    struct zap_args *a = (struct zap_args *) arg;
    zap_handler (a->socket, a->allow);
    zmq_close (a->socket);
    return NULL;
}

static int recv_str (void *s, char *buf, size_t cap, zmq_msg_t *keep)
{
    zmq_msg_t m;
    zmq_msg_init (&m);
    int rc = zmq_msg_recv (&m, s, 0);
    if (rc < 0) {
        zmq_msg_close (&m);
        return -1;
    }
    size_t n = zmq_msg_size (&m) < cap - 1 ? zmq_msg_size (&m) : cap - 1;
    memcpy (buf, zmq_msg_data (&m), n);
    buf[n] = 0;
    if (keep)
        zmq_msg_move (keep, &m);
    zmq_msg_close (&m);
    return rc;
}

static int has_more (void *s)
{
    int more = 0;
    size_t sz = sizeof more;
    zmq_getsockopt (s, ZMQ_RCVMORE, &more, &sz);
    return more;
}

#include <pthread.h>
#include <time.h>

static long now_ms (void)
{
    struct timespec t;
    clock_gettime (CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* PEER_REFUSED: counts this client's handshakes for 2 s on its monitor. */
static int loaded_libzgss (struct dl_phdr_info *info, size_t size, void *found)
{
    (void) size;
    if (info->dlpi_name && strstr (info->dlpi_name, "/libzgss.so"))
        *(int *) found = 1;
    return 0;
}

static int refusal_check (void *mon, int rebuilt)
{
    int connected = 0, no_detail = 0, auth = 0, auth_status = 0, protocol = 0,
        succeeded = 0;
    const long end = now_ms () + 2000;
    for (long left; (left = end - now_ms ()) > 0;) {
        zmq_pollitem_t item = {mon, 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, left) <= 0)
            continue;
        zmq_msg_t ev, addr;
        zmq_msg_init (&ev);
        zmq_msg_init (&addr);
        if (zmq_msg_recv (&ev, mon, 0) >= 6 && zmq_msg_recv (&addr, mon, 0) >= 0) {
            const uint8_t *d = (const uint8_t *) zmq_msg_data (&ev);
            uint16_t event;
            uint32_t value;
            memcpy (&event, d, 2);
            memcpy (&value, d + 2, 4);
            if (event == ZMQ_EVENT_CONNECTED)
                connected++;
            else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
                no_detail++;
            else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
                auth++;
                auth_status = (int) value;
            } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
                protocol++;
            else if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
                succeeded++;
        }
        zmq_msg_close (&ev);
        zmq_msg_close (&addr);
    }
    fprintf (stderr,
             "%s: in 2 s: %d handshakes, %d failed without detail, %d "
             "HANDSHAKE_FAILED_AUTH (status %d), %d HANDSHAKE_FAILED_PROTOCOL\n",
             who, connected, no_detail, auth, auth_status, protocol);
    CHECK (succeeded == 0, "the refused handshake succeeded");
    CHECK (connected >= 1 && connected <= 2,
           "%d handshakes in 2 s: the client reconnects in a loop", connected);
    CHECK (no_detail == 0, "handshake failed without detail (no ERROR read)");
    if (rebuilt)
        CHECK (auth >= 1 && auth_status == 400,
               "no HANDSHAKE_FAILED_AUTH with status 400");
    else
        CHECK (protocol >= 1, "no HANDSHAKE_FAILED_PROTOCOL");
    return 0;
}

int main (int argc, char **argv)
{
    if (argc < 5) {
        fprintf (stderr, "usage: see source\n");
        return 2;
    }
    const int server = strcmp (argv[1], "server") == 0;
    const char *type = argv[2], *epfile = argv[3];
    const int plain = strcmp (argv[4], "plain") == 0;
    const char *zap = argc > 5 ? argv[5] : "none";
    /* the rebuilt libzmq is the one that loaded libzgss (both have CURVE) */
    int rebuilt = 0;
    dl_iterate_phdr (loaded_libzgss, &rebuilt);
    static char whobuf[64];
    snprintf (whobuf, sizeof whobuf, "%s[%s libzmq]", argv[1],
              rebuilt ? "rebuilt" : "stock");
    who = whobuf;

    void *ctx = zmq_ctx_new ();
    pthread_t zt;
    int have_zap = 0;
    if (server && (strcmp (zap, "allow") == 0 || strcmp (zap, "deny") == 0)) {
        static struct zap_args za;
        za.socket = zmq_socket (ctx, ZMQ_REP);
        CHECK (zmq_bind (za.socket, "inproc://zeromq.zap.01") == 0, "zap bind");
        za.allow = strcmp (zap, "allow") == 0;
        pthread_create (&zt, NULL, zap_thread_fn, &za);
        have_zap = 1;
    }

    int stype = strcmp (type, "rep") == 0      ? ZMQ_REP
                : strcmp (type, "router") == 0 ? ZMQ_ROUTER
                : strcmp (type, "req") == 0    ? ZMQ_REQ
                : strcmp (type, "xpub") == 0   ? ZMQ_XPUB
                : strcmp (type, "sub") == 0    ? ZMQ_SUB
                                               : ZMQ_DEALER;
    void *s = zmq_socket (ctx, stype);
    int one = 1, timeout = server ? 8000 : 6000, zero = 0;
    zmq_setsockopt (s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero);
    if (plain)
        CHECK (zmq_setsockopt (s, ZMQ_GSSAPI_PLAINTEXT, &one, sizeof one) == 0,
               "plaintext");
    const int heartbeat = getenv ("PEER_HEARTBEAT") != NULL;
    if (heartbeat) {
        int ivl = 100, hb_timeout = 1000;
        zmq_setsockopt (s, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
        zmq_setsockopt (s, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof hb_timeout);
    }
    const char *service =
      getenv ("PEER_SERVICE") ? getenv ("PEER_SERVICE") : "zmq@localhost";
    void *mon = NULL;
    if (server) {
        CHECK (zmq_setsockopt (s, ZMQ_GSSAPI_SERVER, &one, sizeof one) == 0,
               "GSSAPI_SERVER");
        CHECK (zmq_setsockopt (s, ZMQ_GSSAPI_PRINCIPAL, "zmq@localhost", 13)
                 == 0,
               "GSSAPI_PRINCIPAL");
        CHECK (zmq_socket_monitor (s, "inproc://mon",
                                   ZMQ_EVENT_HANDSHAKE_SUCCEEDED
                                     | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                                     | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
                 == 0,
               "monitor");
        mon = zmq_socket (ctx, ZMQ_PAIR);
        zmq_setsockopt (mon, ZMQ_LINGER, &zero, sizeof zero);
        CHECK (zmq_connect (mon, "inproc://mon") == 0, "monitor connect");
        CHECK (zmq_bind (s, "tcp://127.0.0.1:*") == 0, "bind");
        char ep[256];
        size_t len = sizeof ep;
        zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, ep, &len);
        char tmp[512];
        snprintf (tmp, sizeof tmp, "%s.tmp", epfile);
        FILE *f = fopen (tmp, "w");
        fprintf (f, "%s\n", ep);
        fclose (f);
        rename (tmp, epfile);
    } else {
        CHECK (zmq_setsockopt (s, ZMQ_GSSAPI_SERVICE_PRINCIPAL, service,
                               strlen (service))
                 == 0,
               "GSSAPI_SERVICE_PRINCIPAL");
        if (stype == ZMQ_DEALER)
            zmq_setsockopt (s, ZMQ_ROUTING_ID, "dealer-1", 8);
        if (getenv ("PEER_REFUSED")) {
            CHECK (zmq_socket_monitor (s, "inproc://cmon", ZMQ_EVENT_ALL) == 0,
                   "client monitor");
            mon = zmq_socket (ctx, ZMQ_PAIR);
            zmq_setsockopt (mon, ZMQ_LINGER, &zero, sizeof zero);
            CHECK (zmq_connect (mon, "inproc://cmon") == 0, "monitor connect");
        }
        char ep[256] = "";
        for (int i = 0; i < 100 && !ep[0]; i++) {
            FILE *f = fopen (epfile, "r");
            if (f) {
                if (!fgets (ep, sizeof ep, f))
                    ep[0] = 0;
                fclose (f);
            }
            if (!ep[0])
                usleep (50000);
        }
        CHECK (ep[0], "no endpoint in %s", epfile);
        ep[strcspn (ep, "\n")] = 0;
        CHECK (zmq_connect (s, ep) == 0, "connect %s", ep);
    }

    char buf[256];
    int rc = 0;
    if (!server && mon) {
        rc = refusal_check (mon, rebuilt);
        zmq_close (mon);
    } else if (stype == ZMQ_SUB) {
        /* the subscription must reach the (X)PUB through the wrap */
        CHECK (zmq_setsockopt (s, ZMQ_SUBSCRIBE, "topic-a", 7) == 0, "subscribe");
        CHECK (recv_str (s, buf, sizeof buf, NULL) >= 0, "recv publication");
        CHECK (strcmp (buf, "topic-a hello") == 0, "publication is \"%s\"", buf);
        fprintf (stderr, "%s: got \"topic-a hello\"\n", who);
    } else if (stype == ZMQ_XPUB) {
        int n = recv_str (s, buf, sizeof buf, NULL);
        CHECK (n == 8 && buf[0] == 1 && strcmp (buf + 1, "topic-a") == 0,
               "no subscription to topic-a arrived (got %d bytes)", n);
        fprintf (stderr, "%s: XPUB got the subscription \"\\1topic-a\"\n", who);
        for (int i = 0; i < 10; i++) {
            zmq_send (s, "other", 5, 0);
            zmq_send (s, "topic-a hello", 13, 0);
            usleep (100000);
        }
        zmq_close (mon);
    } else if (!server) {
        if (heartbeat)
            usleep (1000000); /* ten heartbeats each way before the data */
        if (stype == ZMQ_DEALER)
            zmq_send (s, "", 0, ZMQ_SNDMORE); /* REQ-style envelope */
        CHECK (zmq_send (s, "hello", 5, ZMQ_SNDMORE) == 5, "send");
        CHECK (zmq_send (s, "more", 4, 0) == 4, "send");
        if (stype == ZMQ_DEALER) {
            CHECK (recv_str (s, buf, sizeof buf, NULL) == 0, "recv delimiter");
        }
        CHECK (recv_str (s, buf, sizeof buf, NULL) >= 0, "recv reply");
        CHECK (strcmp (buf, "world") == 0, "reply is \"%s\"", buf);
        fprintf (stderr, "%s: got reply \"world\"\n", who);
    } else {
        const int fail = strcmp (zap, "fail") == 0;
        const int deny = strcmp (zap, "deny") == 0 || fail;
        const int expected_event =
          fail ? ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL : ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
        if (deny) {
            timeout = 2500;
            zmq_setsockopt (s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
        }
        char id[256] = "";
        if (stype == ZMQ_ROUTER) {
            int n = recv_str (s, id, sizeof id, NULL);
            if (deny) {
                CHECK (n < 0, "denied client's message was delivered");
            } else {
                CHECK (n >= 0, "recv routing id");
                CHECK (strcmp (id, "dealer-1") == 0, "routing id is \"%s\"", id);
                CHECK (recv_str (s, buf, sizeof buf, NULL) == 0 && has_more (s),
                       "recv delimiter");
            }
        }
        zmq_msg_t first;
        zmq_msg_init (&first);
        int n = (deny && stype == ZMQ_ROUTER)
                  ? -1
                  : recv_str (s, buf, sizeof buf, &first);
        if (deny) {
            CHECK (n < 0, "denied client's message was delivered");
            int event = 0;
            zmq_msg_t ev;
            zmq_msg_init (&ev);
            int t = 3000;
            zmq_setsockopt (mon, ZMQ_RCVTIMEO, &t, sizeof t);
            CHECK (zmq_msg_recv (&ev, mon, 0) >= 2, "no monitor event");
            event = *(uint16_t *) zmq_msg_data (&ev);
            zmq_msg_close (&ev);
            CHECK (event == expected_event, "first monitor event is %d, not %s",
                   event, fail ? "HANDSHAKE_FAILED_PROTOCOL" : "HANDSHAKE_FAILED_AUTH");
            fprintf (stderr, "%s: client refused (%s, nothing delivered)\n", who,
                     fail ? "HANDSHAKE_FAILED_PROTOCOL" : "HANDSHAKE_FAILED_AUTH");
        } else {
            CHECK (n >= 0, "recv");
            CHECK (strcmp (buf, "hello") == 0 && has_more (s),
                   "first part is \"%s\"", buf);
            const char *uid = zmq_msg_gets (&first, "User-Id");
            fprintf (stderr, "%s: got \"hello\", User-Id=%s\n", who,
                     uid ? uid : "(none)");
            if (rebuilt)
                CHECK (uid && strcmp (uid, principal) == 0,
                       "User-Id is not %s", principal);
            CHECK (recv_str (s, buf, sizeof buf, NULL) >= 0
                     && strcmp (buf, "more") == 0 && !has_more (s),
                   "second part is \"%s\"", buf);
            if (stype == ZMQ_ROUTER) {
                zmq_send (s, id, strlen (id), ZMQ_SNDMORE);
                zmq_send (s, "", 0, ZMQ_SNDMORE);
            }
            CHECK (zmq_send (s, "world", 5, 0) == 5, "send reply");
            usleep (200000); /* let the reply leave before closing */
        }
        zmq_msg_close (&first);
        zmq_close (mon);
    }
    zmq_close (s);
    zmq_ctx_term (ctx);
    if (have_zap)
        pthread_join (zt, NULL);
    return rc;
}

// SPDX-License-Identifier: MIT
/* A plain libzmq GSSAPI REQ/REP program: it includes only <zmq.h> and is
 * built twice by the interop tests, once against libzmq (-lzmq) and once,
 * unmodified, against zgss (-include zgss_zmq.h -lzgss).
 *   reqrep server encrypted|plaintext       prints its endpoint, serves 5
 *   reqrep client encrypted|plaintext ENDPOINT
 * Exit status 0 on success. */
#include <zmq.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, zmq_strerror(zmq_errno()));
    return 1;
}

static int set_int(void *socket, int option, int value)
{
    return zmq_setsockopt(socket, option, &value, sizeof value);
}

int main(int argc, char **argv)
{
    if (argc < 3) return 2;
    int server = strcmp(argv[1], "server") == 0;
    int plaintext = strcmp(argv[2], "plaintext") == 0;
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, server ? ZMQ_REP : ZMQ_REQ);
    if (!s) return fail("zmq_socket");
    set_int(s, ZMQ_LINGER, 1000);
    set_int(s, ZMQ_RCVTIMEO, 10000);
    set_int(s, ZMQ_SNDTIMEO, 10000);
    if (server) {
        if (set_int(s, ZMQ_GSSAPI_SERVER, 1)) return fail("GSSAPI_SERVER");
    } else {
        const char *service = "zmq@localhost";
        if (zmq_setsockopt(s, ZMQ_GSSAPI_SERVICE_PRINCIPAL, service, strlen(service)))
            return fail("GSSAPI_SERVICE_PRINCIPAL");
    }
    if (set_int(s, ZMQ_GSSAPI_PLAINTEXT, plaintext)) return fail("GSSAPI_PLAINTEXT");
    char buffer[256];
    if (server) {
        if (zmq_bind(s, "tcp://127.0.0.1:*")) return fail("zmq_bind");
        char endpoint[256];
        size_t size = sizeof endpoint;
        if (zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size)) return fail("LAST_ENDPOINT");
        printf("%s\n", endpoint);
        fflush(stdout);
        for (int i = 0; i < 5; i++) {
            int n = zmq_recv(s, buffer, sizeof buffer - 1, 0);
            if (n < 0) return fail("server zmq_recv");
            buffer[n] = 0;
            char reply[300];
            snprintf(reply, sizeof reply, "re: %s", buffer);
            if (zmq_send(s, reply, strlen(reply), 0) < 0) return fail("server zmq_send");
        }
    } else {
        if (argc < 4 || zmq_connect(s, argv[3])) return fail("zmq_connect");
        for (int i = 0; i < 5; i++) {
            char request[32];
            snprintf(request, sizeof request, "request %d", i);
            if (zmq_send(s, request, strlen(request), 0) < 0) return fail("client zmq_send");
            int n = zmq_recv(s, buffer, sizeof buffer - 1, 0);
            if (n < 0) return fail("client zmq_recv");
            buffer[n] = 0;
            char expected[64];
            snprintf(expected, sizeof expected, "re: %s", request);
            if (strcmp(buffer, expected) != 0) {
                fprintf(stderr, "got \"%s\", wanted \"%s\"\n", buffer, expected);
                return 1;
            }
        }
        int major, minor, patch;
        zmq_version(&major, &minor, &patch);
        printf("client ok (zmq API %d.%d.%d)\n", major, minor, patch);
    }
    zmq_close(s);
    zmq_ctx_term(ctx);
    return 0;
}

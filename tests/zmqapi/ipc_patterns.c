// SPDX-License-Identifier: MIT
// ipc:// (Unix domain sockets): REQ/REP on a wildcard bind (ipc://*, the
// library picks a temporary path that ZMQ_LAST_ENDPOINT reports), PUSH/PULL
// on a fixed path in a directory this program makes and removes, a
// connect that comes before the bind (the connecting side retries as over
// tcp://), Linux's abstract namespace (ipc://@name), and the address
// errors: a path too long for sockaddr_un (ENAMETOOLONG), "ipc://@"
// (EINVAL). Paths are never printed, only facts about them.
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static const char *errno_name(int code)
{
    switch (code) {
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EINVAL: return "EINVAL";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE";
    default: return "other";
    }
}

static void *make(void *ctx, int type)
{
    void *socket = zmq_socket(ctx, type);
    CHECK(socket);
    int linger = 0, timeout = 10000;
    CHECK(zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger) == 0);
    CHECK(zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    CHECK(zmq_setsockopt(socket, ZMQ_SNDTIMEO, &timeout, sizeof timeout) == 0);
    return socket;
}

static void last_endpoint(void *socket, char *out, size_t capacity)
{
    size_t size = capacity;
    CHECK(zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, out, &size) == 0);
}

static void expect(void *socket, const char *text)
{
    char buffer[64];
    int size = zmq_recv(socket, buffer, sizeof buffer, 0);
    CHECK(size == (int)strlen(text) && memcmp(buffer, text, size) == 0);
}

static const char *file_kind(const char *path)
{
    struct stat info;
    if (lstat(path, &info) != 0) return "absent";
    return S_ISSOCK(info.st_mode) ? "a socket" : "another file";
}

int main(void)
{
    printf("zmq_has(ipc): %d\n", zmq_has("ipc"));
    char directory[] = "/tmp/zgss-ipc-XXXXXX";
    CHECK(mkdtemp(directory) != NULL);
    // ipc://* makes its directory in $TMPDIR (libzmq: in the working
    // directory when TMPDIR, TEMPDIR and TMP are unset).
    CHECK(setenv("TMPDIR", directory, 1) == 0);
    void *ctx = zmq_ctx_new();
    CHECK(ctx);

    // REQ/REP on ipc://*.
    void *rep = make(ctx, ZMQ_REP), *req = make(ctx, ZMQ_REQ);
    CHECK(zmq_bind(rep, "ipc://*") == 0);
    char wildcard[256];
    last_endpoint(rep, wildcard, sizeof wildcard);
    printf("wildcard endpoint starts with ipc:// and is not ipc://*: %s\n",
           strncmp(wildcard, "ipc://", 6) == 0 && strcmp(wildcard, "ipc://*") != 0 ? "yes" : "no");
    char wildcard_path[256];
    snprintf(wildcard_path, sizeof wildcard_path, "%s", wildcard + 6);
    printf("wildcard path is absolute: %s, file is %s\n", wildcard_path[0] == '/' ? "yes" : "no",
           file_kind(wildcard_path));
    CHECK(zmq_connect(req, wildcard) == 0);
    for (int i = 0; i < 3; i++) {
        CHECK(zmq_send(req, "ping", 4, 0) == 4);
        expect(rep, "ping");
        CHECK(zmq_send(rep, "pong", 4, 0) == 4);
        expect(req, "pong");
    }
    printf("REQ/REP over ipc://*: 3 round trips\n");

    // PUSH/PULL on a fixed path; the PUSH connects first.
    char path[256], endpoint[300];
    snprintf(path, sizeof path, "%s/pipeline.sock", directory);
    snprintf(endpoint, sizeof endpoint, "ipc://%s", path);
    void *push = make(ctx, ZMQ_PUSH), *pull = make(ctx, ZMQ_PULL);
    CHECK(zmq_connect(push, endpoint) == 0);
    printf("connect before bind: file is %s\n", file_kind(path));
    CHECK(zmq_bind(pull, endpoint) == 0);
    char reported[300];
    last_endpoint(pull, reported, sizeof reported);
    printf("fixed path: ZMQ_LAST_ENDPOINT is the endpoint: %s, file is %s\n",
           strcmp(reported, endpoint) == 0 ? "yes" : "no", file_kind(path));
    for (int i = 0; i < 5; i++) {
        char text[16];
        int length = snprintf(text, sizeof text, "task %d", i);
        CHECK(zmq_send(push, text, length, i < 4 ? 0 : 0) == length);
    }
    for (int i = 0; i < 5; i++) {
        char text[16];
        snprintf(text, sizeof text, "task %d", i);
        expect(pull, text);
    }
    printf("PUSH/PULL over a fixed ipc path, connect before bind: 5 tasks in order\n");
    CHECK(zmq_close(pull) == 0);

    // A second bind of the same path (after the first socket closed): the
    // stale socket file is replaced.
    void *pull2 = make(ctx, ZMQ_PULL);
    CHECK(zmq_bind(pull2, endpoint) == 0);
    // A message sent while the old connection was going away may be lost
    // with it (with libzmq too): send until one arrives.
    int short_wait = 200, arrived = 0;
    CHECK(zmq_setsockopt(pull2, ZMQ_RCVTIMEO, &short_wait, sizeof short_wait) == 0);
    for (int i = 0; i < 100 && !arrived; i++) {
        CHECK(zmq_send(push, "again", 5, 0) == 5);
        char buffer[16];
        arrived = zmq_recv(pull2, buffer, sizeof buffer, 0) == 5;
    }
    printf("rebind over the stale file: the PUSH reconnected: %s\n", arrived ? "yes" : "no");
    CHECK(zmq_close(pull2) == 0);
    CHECK(zmq_close(push) == 0);

    // The abstract namespace: no file anywhere.
    char abstract[128];
    snprintf(abstract, sizeof abstract, "ipc://@zgss-ipc-test-%d", (int)getpid());
    void *pair_a = make(ctx, ZMQ_PAIR), *pair_b = make(ctx, ZMQ_PAIR);
    CHECK(zmq_bind(pair_a, abstract) == 0);
    last_endpoint(pair_a, reported, sizeof reported);
    printf("abstract: ZMQ_LAST_ENDPOINT is the endpoint: %s\n", strcmp(reported, abstract) == 0 ? "yes" : "no");
    CHECK(zmq_connect(pair_b, abstract) == 0);
    CHECK(zmq_send(pair_b, "hello", 5, 0) == 5);
    expect(pair_a, "hello");
    CHECK(zmq_send(pair_a, "world", 5, 0) == 5);
    expect(pair_b, "world");
    printf("PAIR over ipc://@name: both ways\n");
    CHECK(zmq_close(pair_a) == 0);
    CHECK(zmq_close(pair_b) == 0);

    // Address errors, at bind and at connect.
    char long_endpoint[320];
    memcpy(long_endpoint, "ipc:///", 7);
    memset(long_endpoint + 7, 'x', 200);
    long_endpoint[207] = 0;
    void *probe = make(ctx, ZMQ_PULL);
    const char *bad[] = { long_endpoint, "ipc://@", "ipc://" };
    const char *names[] = { "a 201-byte path", "ipc://@", "ipc://" };
    for (int i = 0; i < 3; i++) {
        int bound = zmq_bind(probe, bad[i]);
        int bind_errno = zmq_errno();
        int connected = zmq_connect(probe, bad[i]);
        int connect_errno = zmq_errno();
        printf("%s: bind %d %s, connect %d %s\n", names[i], bound, bound ? errno_name(bind_errno) : "-",
               connected, connected ? errno_name(connect_errno) : "-");
    }
    // 107 bytes fit, 108 do not.
    char edge[200];
    memcpy(edge, "ipc://@", 7);
    memset(edge + 7, 'y', 106);
    edge[113] = 0;
    printf("107-byte abstract name: bind %d\n", zmq_bind(probe, edge));
    edge[113] = 'y';
    edge[114] = 0;
    int rc = zmq_bind(probe, edge);
    printf("108-byte abstract name: bind %d %s\n", rc, rc ? errno_name(zmq_errno()) : "-");
    CHECK(zmq_close(probe) == 0);

    CHECK(zmq_close(req) == 0);
    CHECK(zmq_close(rep) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    // libzmq 4.3.4 removes a wildcard bind's file and directory at close
    // and leaves a fixed path's file in place.
    printf("after close: wildcard file %s, fixed path file %s\n", file_kind(wildcard_path), file_kind(path));
    unlink(path);
    CHECK(rmdir(directory) == 0);
    printf("done\n");
    return 0;
}

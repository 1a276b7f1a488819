// SPDX-License-Identifier: MIT
// ZMQ_BACKLOG: the default (100), a value read back, a negative value
// refused with EINVAL, and the value the kernel's listen queue really got.
// The listening descriptor is found in this process by its port (a socket
// with SO_ACCEPTCONN); for a listening socket Linux reports the listen(2)
// backlog in TCP_INFO's tcpi_sacked.
#include <zmq.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"

static int listen_backlog(int port)
{
    for (int fd = 3; fd < 4096; fd++) {
        int listening = 0;
        socklen_t length = sizeof listening;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 || !listening) continue;
        struct sockaddr_storage address;
        length = sizeof address;
        if (getsockname(fd, (struct sockaddr *)&address, &length) != 0 || address.ss_family != AF_INET) continue;
        if (ntohs(((struct sockaddr_in *)&address)->sin_port) != port) continue;
        struct tcp_info info;
        length = sizeof info;
        CHECK(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0);
        return (int)info.tcpi_sacked;
    }
    return -1;
}

static int bound_port(void *socket)
{
    char endpoint[256];
    size_t size = sizeof endpoint;
    CHECK(zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    const char *colon = strrchr(endpoint, ':');
    CHECK(colon != NULL);
    return atoi(colon + 1);
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    CHECK(ctx);
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CHECK(pull);
    int value = -1;
    size_t size = sizeof value;
    CHECK(zmq_getsockopt(pull, ZMQ_BACKLOG, &value, &size) == 0);
    printf("default ZMQ_BACKLOG %d (size %zu)\n", value, size);

    int negative = -1;
    int rc = zmq_setsockopt(pull, ZMQ_BACKLOG, &negative, sizeof negative);
    printf("ZMQ_BACKLOG -1: %s\n", rc == 0 ? "accepted" : zmq_errno() == EINVAL ? "EINVAL" : "other error");

    CHECK(zmq_bind(pull, "tcp://127.0.0.1:*") == 0);
    printf("listen backlog with the default: %d\n", listen_backlog(bound_port(pull)));

    void *wide = zmq_socket(ctx, ZMQ_PULL);
    CHECK(wide);
    int backlog = 7;
    CHECK(zmq_setsockopt(wide, ZMQ_BACKLOG, &backlog, sizeof backlog) == 0);
    size = sizeof value;
    CHECK(zmq_getsockopt(wide, ZMQ_BACKLOG, &value, &size) == 0);
    printf("ZMQ_BACKLOG read back %d\n", value);
    CHECK(zmq_bind(wide, "tcp://127.0.0.1:*") == 0);
    printf("listen backlog after setting 7: %d\n", listen_backlog(bound_port(wide)));

    int zero = 0;
    zmq_setsockopt(pull, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(wide, ZMQ_LINGER, &zero, sizeof zero);
    CHECK(zmq_close(pull) == 0);
    CHECK(zmq_close(wide) == 0);
    CHECK(zmq_ctx_term(ctx) == 0);
    return 0;
}

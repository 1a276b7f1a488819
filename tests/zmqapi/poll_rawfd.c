// SPDX-License-Identifier: MIT
// zmq_poll over a mix of sockets and raw file descriptors (a pipe):
// either side becoming readable wakes the call; a pipe's write end is
// writable; a hung-up pipe is ZMQ_POLLERR (POLLHUP); an invalid
// fd is ZMQ_POLLERR (reported, not an error); fd -1 is ignored.
#include <zmq.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int pipe_fds[2];

static void print_items(const char *label, int rc, zmq_pollitem_t *items, int n)
{
    printf("%-46s rc %d:", label, rc);
    for (int i = 0; i < n; i++) printf(" %d", items[i].revents);
    printf("\n");
}

/* Writes one byte into the pipe after a pause, while the main thread is
 * blocked in zmq_poll. */
static void *late_writer(void *arg)
{
    (void)arg;
    struct timespec pause = { 0, 100 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    return write(pipe_fds[1], "p", 1) == 1 ? NULL : (void *)1;
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CHECK(ctx && pull && push);
    int zero = 0;
    zmq_setsockopt(pull, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
    char endpoint[256];
    size_t size = sizeof endpoint;
    CHECK(zmq_bind(pull, "tcp://127.0.0.1:*") == 0);
    CHECK(zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    CHECK(zmq_connect(push, endpoint) == 0);
    CHECK(pipe(pipe_fds) == 0);

    zmq_pollitem_t items[] = {
        { pull, 0, ZMQ_POLLIN, 0 },
        { NULL, pipe_fds[0], ZMQ_POLLIN, 0 },
        { NULL, -1, ZMQ_POLLIN, 0 },
    };
    int rc = zmq_poll(items, 3, 0);
    print_items("idle (socket, pipe, fd -1)", rc, items, 3);

    /* The pipe wakes a call that waits without limit. */
    pthread_t writer;
    pthread_create(&writer, NULL, late_writer, NULL);
    rc = zmq_poll(items, 3, -1);
    void *failed;
    pthread_join(writer, &failed);
    CHECK(failed == NULL);
    print_items("pipe written while waiting (timeout -1)", rc, items, 3);

    /* A message on the socket as well: both ready. */
    CHECK(zmq_send(push, "m", 1, 0) == 1);
    rc = zmq_poll(items, 1, 10000);
    print_items("the socket alone, after a send", rc, items, 1);
    rc = zmq_poll(items, 3, 0);
    print_items("both ready", rc, items, 3);

    /* Drain the pipe: only the socket is left. */
    char byte;
    CHECK(read(pipe_fds[0], &byte, 1) == 1);
    rc = zmq_poll(items, 3, 0);
    print_items("pipe drained", rc, items, 3);
    char buffer[8];
    CHECK(zmq_recv(pull, buffer, sizeof buffer, 0) == 1);
    rc = zmq_poll(items, 3, 0);
    print_items("message received", rc, items, 3);

    /* A pipe's write end is writable; ask for IN and OUT on it. */
    zmq_pollitem_t writable[] = { { NULL, pipe_fds[1], ZMQ_POLLIN | ZMQ_POLLOUT, 0 }, { push, 0, ZMQ_POLLOUT, 0 } };
    rc = zmq_poll(writable, 2, 0);
    print_items("pipe write end and a PUSH, OUT", rc, writable, 2);

    /* Hang-up: the writer closes; reading sees EOF. */
    CHECK(close(pipe_fds[1]) == 0);
    rc = zmq_poll(items, 2, 0);
    print_items("pipe writer closed", rc, items, 2);

    /* An fd that is not open: ZMQ_POLLERR, counted. */
    CHECK(close(pipe_fds[0]) == 0);
    rc = zmq_poll(items, 2, 0);
    print_items("pipe reader closed too (invalid fd)", rc, items, 2);

    zmq_close(pull);
    zmq_close(push);
    CHECK(zmq_ctx_term(ctx) == 0);
    printf("done\n");
    return 0;
}

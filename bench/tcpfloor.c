// SPDX-License-Identifier: MIT
/* tcpfloor: the least a handshake cell iteration (zbench hs) can cost on
 * this machine, with no ZeroMQ and no Kerberos at all. One client thread
 * and one server thread, blocking sockets over TCP loopback:
 *   connect, three round trips of the sizes an encrypted zgss handshake
 *   sends (greeting + INITIATE, the client's empty command, READY + the
 *   request), close.
 * Three round trips is the minimum for ZMTP 3 with GSSAPI: the client's
 * greeting can carry its INITIATE, but the server's READY must wait for
 * the client's empty command, and the request for the server's READY.
 * Every real implementation adds I/O threads and Kerberos work on top, so
 * (this time + the Kerberos time of bench/mechbench.c) bounds the
 * handshakes per second any implementation can reach here.
 *   cc -O2 bench/tcpfloor.c -lpthread -o tcpfloor && ./tcpfloor SECONDS
 * Prints "cell=floor count=... us_per_iteration=...". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* bytes the client sends and the server answers, per round trip */
static const size_t asked[] = { 806, 2, 279 };
static const size_t answered[] = { 235, 100, 166 };
enum { ROUND_TRIPS = 3 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static int read_exactly(int fd, char *buffer, size_t count)
{
    size_t got = 0;
    while (got < count) {
        ssize_t n = read(fd, buffer + got, count - got);
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

static void no_delay(int fd)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one)) die("TCP_NODELAY");
}

static void *server(void *raw)
{
    int listener = *(int *)raw;
    char buffer[1024] = { 0 };
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) return NULL;
        no_delay(fd);
        for (int i = 0; i < ROUND_TRIPS; i++) {
            if (read_exactly(fd, buffer, asked[i])) break;
            if (write(fd, buffer, answered[i]) != (ssize_t)answered[i]) break;
        }
        close(fd);
    }
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t length = sizeof address;
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address)
        || getsockname(listener, (struct sockaddr *)&address, &length) || listen(listener, 128))
        die("listen");
    pthread_t thread;
    if (pthread_create(&thread, NULL, server, &listener)) die("pthread_create");
    char buffer[1024] = { 0 };
    long count = 0;
    double start = now(), stop = start + seconds;
    do {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) die("socket");
        no_delay(fd);
        if (connect(fd, (struct sockaddr *)&address, sizeof address)) die("connect");
        for (int i = 0; i < ROUND_TRIPS; i++) {
            if (write(fd, buffer, asked[i]) != (ssize_t)asked[i]) die("write");
            if (read_exactly(fd, buffer, answered[i])) die("read");
        }
        close(fd);
        count++;
    } while (now() < stop);
    double elapsed = now() - start;
    printf("cell=floor count=%ld seconds=%.3f us_per_iteration=%.1f\n", count, elapsed, elapsed / count * 1e6);
    return 0;
}

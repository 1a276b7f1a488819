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
 * Prints "cell=floor count=... us_per_iteration=...".
 *
 * "./tcpfloor rtt SECONDS": the least a round trip of the latency cell
 * (zbench lat: 16 bytes each way) can cost here, for two structures:
 *   direct:  two threads ping-pong on a TCP loopback connection; each
 *            reads and writes its own end (two thread wake-ups per round
 *            trip);
 *   handoff: the same, but on each side a reader thread reads the socket
 *            and hands the message to the waiting application thread
 *            (mutex + condition variable), which writes its next message
 *            to the socket itself: zgss's structure (four wake-ups).
 * Prints "cell=rttfloor direct_p50_us=... handoff_p50_us=...". */
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

/* A listening TCP socket on a free loopback port; its address in *address. */
static int loopback_listener(struct sockaddr_in *address, int backlog)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    *address = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t length = sizeof *address;
    if (listener < 0 || bind(listener, (struct sockaddr *)address, sizeof *address)
        || getsockname(listener, (struct sockaddr *)address, &length) || listen(listener, backlog))
        die("listen");
    return listener;
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

/* ---- round-trip floor ---------------------------------------------------- */

enum { RTT_SIZE = 16, RTT_SAMPLES = 1 << 16 };

/* One side's hand-off: its reader thread posts each message here and the
 * application thread waits for it. */
struct handoff {
    int fd;
    pthread_mutex_t lock;
    pthread_cond_t arrived;
    long posted, taken;
};

static void *handoff_reader(void *raw)
{
    struct handoff *h = raw;
    char buffer[RTT_SIZE];
    while (read_exactly(h->fd, buffer, RTT_SIZE) == 0) {
        pthread_mutex_lock(&h->lock);
        h->posted++;
        pthread_cond_signal(&h->arrived);
        pthread_mutex_unlock(&h->lock);
    }
    pthread_mutex_lock(&h->lock);
    h->posted = -1; /* the peer closed */
    pthread_cond_signal(&h->arrived);
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

/* Waits for the next message; -1 once the peer has closed. */
static int handoff_take(struct handoff *h)
{
    pthread_mutex_lock(&h->lock);
    while (h->posted >= 0 && h->posted == h->taken) pthread_cond_wait(&h->arrived, &h->lock);
    int closed = h->posted < 0;
    if (!closed) h->taken++;
    pthread_mutex_unlock(&h->lock);
    return closed ? -1 : 0;
}

struct echo {
    int fd;
    int handoff; /* through a reader thread, else reading the socket itself */
};

/* The server side: answers every message until the client closes. */
static void *echo_server(void *raw)
{
    struct echo *e = raw;
    char buffer[RTT_SIZE] = { 0 };
    if (!e->handoff) {
        while (read_exactly(e->fd, buffer, RTT_SIZE) == 0)
            if (write(e->fd, buffer, RTT_SIZE) != RTT_SIZE) break;
        return NULL;
    }
    struct handoff h = { .fd = e->fd, .lock = PTHREAD_MUTEX_INITIALIZER, .arrived = PTHREAD_COND_INITIALIZER };
    pthread_t reader;
    if (pthread_create(&reader, NULL, handoff_reader, &h)) die("pthread_create");
    while (handoff_take(&h) == 0)
        if (write(e->fd, buffer, RTT_SIZE) != RTT_SIZE) break;
    pthread_join(reader, NULL);
    return NULL;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median round trip (µs) of one structure over SECONDS. */
static double rtt_p50(int handoff, double seconds)
{
    int pair[2];
    struct sockaddr_in address;
    int listener = loopback_listener(&address, 1);
    pair[0] = socket(AF_INET, SOCK_STREAM, 0);
    if (pair[0] < 0 || connect(pair[0], (struct sockaddr *)&address, sizeof address)) die("connect");
    pair[1] = accept(listener, NULL, NULL);
    if (pair[1] < 0) die("accept");
    close(listener);
    no_delay(pair[0]);
    no_delay(pair[1]);
    struct echo e = { .fd = pair[1], .handoff = handoff };
    pthread_t server_thread;
    if (pthread_create(&server_thread, NULL, echo_server, &e)) die("pthread_create");
    struct handoff h = { .fd = pair[0], .lock = PTHREAD_MUTEX_INITIALIZER, .arrived = PTHREAD_COND_INITIALIZER };
    pthread_t reader;
    if (handoff && pthread_create(&reader, NULL, handoff_reader, &h)) die("pthread_create");
    char buffer[RTT_SIZE] = { 0 };
    double *samples = malloc(RTT_SAMPLES * sizeof *samples);
    if (!samples) die("malloc");
    size_t count = 0;
    long warm_up = 100;
    double stop = now() + seconds;
    while (count < RTT_SAMPLES) {
        double t0 = now();
        if (write(pair[0], buffer, RTT_SIZE) != RTT_SIZE) die("write");
        if (handoff ? handoff_take(&h) : read_exactly(pair[0], buffer, RTT_SIZE)) die("read");
        double t1 = now();
        if (warm_up > 0) {
            warm_up--;
            continue;
        }
        samples[count++] = (t1 - t0) * 1e6;
        if (t1 >= stop) break;
    }
    shutdown(pair[0], SHUT_RDWR);
    pthread_join(server_thread, NULL);
    if (handoff) pthread_join(reader, NULL);
    close(pair[0]);
    close(pair[1]);
    qsort(samples, count, sizeof *samples, compare_double);
    double median = samples[count / 2];
    free(samples);
    return median;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "rtt") == 0) {
        double seconds = argc > 2 ? atof(argv[2]) : 1;
        double direct = rtt_p50(0, seconds), handoff = rtt_p50(1, seconds);
        printf("cell=rttfloor direct_p50_us=%.1f handoff_p50_us=%.1f\n", direct, handoff);
        return 0;
    }
    double seconds = argc > 1 ? atof(argv[1]) : 1;
    struct sockaddr_in address;
    int listener = loopback_listener(&address, 128);
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

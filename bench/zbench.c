// SPDX-License-Identifier: MIT
/* zbench: one benchmark cell per run, written against the plain zmq API so
 * the same file builds twice (tools/bench.sh does both):
 *   cc zbench.c -lzmq -lpthread                                  (libzmq)
 *   cc -include zgss_zmq.h zbench.c $(pkg-config --cflags --libs zgss)
 * Each implementation talks only to itself, over TCP loopback, inside a
 * Kerberos realm (KRB5_KTNAME: zmq/localhost, KRB5_CLIENT_KTNAME: alice).
 *
 *   zbench info                       implementation and version
 *   zbench thr SIZE SECONDS enc|plain PUSH->PULL throughput
 *   zbench hs SECONDS                 connect + REQ/REP round trip + close
 *   zbench lat SECONDS                REQ/REP round-trip latency (16 B)
 *   zbench rss N                      server RSS growth for N idle connections
 *   zbench pubfilter N                PUB sending N messages of which 1 in
 *                                     1000 matches the SUB's subscription
 *
 * Prints one line of key=value pairs; exit status 0 when every message
 * sent was received. */
#define _GNU_SOURCE
#include <zmq.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef ZGSS_ZMQ_H_INCLUDED
#define IMPL "zgss"
#else
#define IMPL "libzmq"
#endif

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "zbench(%s): %s: %s\n", IMPL, what, zmq_strerror(zmq_errno()));
    exit(1);
}

static void set_int(void *s, int option, int value)
{
    if (zmq_setsockopt(s, option, &value, sizeof value)) die("zmq_setsockopt");
}

/* A GSSAPI socket: the server side accepts with KRB5_KTNAME, the client
 * authenticates as the KRB5_CLIENT_KTNAME principal to zmq@localhost. */
static void *gss_socket(void *ctx, int type, int server, int plaintext)
{
    void *s = zmq_socket(ctx, type);
    if (!s) die("zmq_socket");
    if (server) {
        set_int(s, ZMQ_GSSAPI_SERVER, 1);
    } else {
        const char *service = "zmq@localhost";
        if (zmq_setsockopt(s, ZMQ_GSSAPI_SERVICE_PRINCIPAL, service, strlen(service)))
            die("ZMQ_GSSAPI_SERVICE_PRINCIPAL");
    }
    set_int(s, ZMQ_GSSAPI_PLAINTEXT, plaintext);
    set_int(s, ZMQ_RCVTIMEO, 30000);
    set_int(s, ZMQ_SNDTIMEO, 30000);
    return s;
}

static void bind_any(void *s, char *endpoint, size_t size)
{
    if (zmq_bind(s, "tcp://127.0.0.1:*")) die("zmq_bind");
    if (zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size)) die("ZMQ_LAST_ENDPOINT");
}

/* ---- throughput ------------------------------------------------------ */

struct thr_args {
    void *pull;
    size_t size;
    long received;
    long bad;
    double first, last;
};

/* Receives until an empty message (the sender's end mark); the clock runs
 * from the first message to the end mark. */
static void *thr_receiver(void *raw)
{
    struct thr_args *a = raw;
    char *buffer = malloc(a->size + 1);
    for (;;) {
        int n = zmq_recv(a->pull, buffer, a->size + 1, 0);
        if (n < 0) die("receiver zmq_recv");
        if (n == 0) break;
        if (a->received == 0) a->first = now();
        if ((size_t)n != a->size) a->bad++;
        a->received++;
    }
    a->last = now();
    free(buffer);
    return NULL;
}

static int throughput(size_t size, double seconds, int plaintext)
{
    void *server_ctx = zmq_ctx_new(), *client_ctx = zmq_ctx_new();
    /* Bounded bytes in flight (the default 1000 messages of 1 MiB each way
     * would be 2 GB): the same limit for both implementations. */
    int hwm = (int)(64u * 1024 * 1024 / (size + 64));
    if (hwm > 1000) hwm = 1000;
    if (hwm < 8) hwm = 8;
    void *pull = gss_socket(server_ctx, ZMQ_PULL, 1, plaintext);
    set_int(pull, ZMQ_RCVHWM, hwm);
    char endpoint[256];
    bind_any(pull, endpoint, sizeof endpoint);
    void *push = gss_socket(client_ctx, ZMQ_PUSH, 0, plaintext);
    set_int(push, ZMQ_SNDHWM, hwm);
    set_int(push, ZMQ_LINGER, -1);
    if (zmq_connect(push, endpoint)) die("zmq_connect");
    /* one message through first: the handshake is not part of the cell */
    char *message = calloc(1, size ? size : 1);
    memset(message, 'x', size);
    if (zmq_send(push, "w", 1, 0) != 1) die("warm-up send");
    char w[2];
    if (zmq_recv(pull, w, sizeof w, 0) != 1) die("warm-up recv");

    struct thr_args a = { .pull = pull, .size = size };
    pthread_t thread;
    pthread_create(&thread, NULL, thr_receiver, &a);
    long sent = 0;
    double stop = now() + seconds;
    do {
        for (int i = 0; i < 64; i++, sent++)
            if (zmq_send(push, message, size, 0) != (int)size) die("zmq_send");
    } while (now() < stop);
    if (zmq_send(push, "", 0, 0) != 0) die("end-mark send");
    pthread_join(thread, NULL);
    double elapsed = a.last - a.first;
    double rate = elapsed > 0 ? a.received / elapsed : 0;
    printf("impl=%s cell=thr size=%zu mode=%s sent=%ld received=%ld bad=%ld seconds=%.3f msgs=%.0f mbs=%.2f\n",
           IMPL, size, plaintext ? "plain" : "enc", sent, a.received, a.bad, elapsed, rate,
           rate * size / 1e6);
    zmq_close(push);
    zmq_close(pull);
    zmq_ctx_term(client_ctx);
    zmq_ctx_term(server_ctx);
    free(message);
    return sent == a.received && a.bad == 0 ? 0 : 1;
}

/* ---- REP server thread (handshakes, latency) ------------------------- */

struct rep_args {
    void *rep;
    volatile int stop;
};

static void *rep_server(void *raw)
{
    struct rep_args *a = raw;
    set_int(a->rep, ZMQ_RCVTIMEO, 100);
    char buffer[256];
    while (!a->stop) {
        int n = zmq_recv(a->rep, buffer, sizeof buffer, 0);
        if (n < 0) {
            if (zmq_errno() == EAGAIN) continue;
            die("rep zmq_recv");
        }
        if (zmq_send(a->rep, buffer, n > (int)sizeof buffer ? sizeof buffer : (size_t)n, 0) < 0)
            die("rep zmq_send");
    }
    return NULL;
}

static void start_rep(void *ctx, struct rep_args *a, pthread_t *thread, char *endpoint, size_t size)
{
    a->rep = gss_socket(ctx, ZMQ_REP, 1, 0);
    a->stop = 0;
    bind_any(a->rep, endpoint, size);
    pthread_create(thread, NULL, rep_server, a);
}

static void round_trip(void *req, const char *what)
{
    char request[16] = "ping-0123456789", reply[32];
    if (zmq_send(req, request, sizeof request, 0) != sizeof request) die(what);
    if (zmq_recv(req, reply, sizeof reply, 0) != sizeof request) die(what);
}

static int handshakes(double seconds)
{
    void *server_ctx = zmq_ctx_new(), *client_ctx = zmq_ctx_new();
    struct rep_args a;
    pthread_t thread;
    char endpoint[256];
    start_rep(server_ctx, &a, &thread, endpoint, sizeof endpoint);
    long done = 0;
    /* where an iteration's time goes: socket + connect calls, the first
     * round trip (which waits for the handshake), close */
    double open_time = 0, first_time = 0, close_time = 0;
    double start = now(), stop = start + seconds;
    do {
        double t0 = now();
        void *req = gss_socket(client_ctx, ZMQ_REQ, 0, 0);
        set_int(req, ZMQ_LINGER, 0);
        if (zmq_connect(req, endpoint)) die("zmq_connect");
        double t1 = now();
        round_trip(req, "handshake round trip");
        double t2 = now();
        zmq_close(req);
        open_time += t1 - t0;
        first_time += t2 - t1;
        close_time += now() - t2;
        done++;
    } while (now() < stop);
    double elapsed = now() - start;
    printf("impl=%s cell=hs count=%ld seconds=%.3f hs=%.1f open_us=%.0f first_rt_us=%.0f close_us=%.0f\n", IMPL,
           done, elapsed, done / elapsed, open_time / done * 1e6, first_time / done * 1e6, close_time / done * 1e6);
    a.stop = 1;
    pthread_join(thread, NULL);
    zmq_close(a.rep);
    zmq_ctx_term(client_ctx);
    zmq_ctx_term(server_ctx);
    return 0;
}

static int compare_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static int latency(double seconds)
{
    void *server_ctx = zmq_ctx_new(), *client_ctx = zmq_ctx_new();
    struct rep_args a;
    pthread_t thread;
    char endpoint[256];
    start_rep(server_ctx, &a, &thread, endpoint, sizeof endpoint);
    void *req = gss_socket(client_ctx, ZMQ_REQ, 0, 0);
    set_int(req, ZMQ_LINGER, 0);
    if (zmq_connect(req, endpoint)) die("zmq_connect");
    for (int i = 0; i < 100; i++) round_trip(req, "warm-up round trip");
    size_t capacity = 1 << 16, count = 0;
    double *samples = malloc(capacity * sizeof *samples);
    double stop = now() + seconds;
    while (count < capacity) {
        double t0 = now();
        round_trip(req, "round trip");
        double t1 = now();
        samples[count++] = (t1 - t0) * 1e6;
        if (t1 >= stop) break;
    }
    qsort(samples, count, sizeof *samples, compare_double);
    printf("impl=%s cell=lat count=%zu p50=%.1f p99=%.1f\n", IMPL, count, samples[count / 2],
           samples[(size_t)(count * 0.99)]);
    free(samples);
    zmq_close(req);
    a.stop = 1;
    pthread_join(thread, NULL);
    zmq_close(a.rep);
    zmq_ctx_term(client_ctx);
    zmq_ctx_term(server_ctx);
    return 0;
}

/* ---- RSS per idle connection ----------------------------------------- */

static long vm_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
    if (f) fclose(f);
    return kib;
}

static void write_line(int fd, const char *text)
{
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n) exit(1);
}

static int read_line(int fd, char *buffer, size_t size)
{
    size_t n = 0;
    while (n + 1 < size) {
        if (read(fd, buffer + n, 1) != 1) return -1;
        if (buffer[n++] == '\n') break;
    }
    buffer[n] = 0;
    return (int)n;
}

/* The server, in a child process: a GSSAPI PULL socket. Its baseline is
 * taken after one warm-up connection (so one-time Kerberos set-up is not
 * counted), then N more clients connect and each sends one message. */
static void rss_server(int n, int to_parent, int from_parent)
{
    void *ctx = zmq_ctx_new();
    void *pull = gss_socket(ctx, ZMQ_PULL, 1, 0);
    char endpoint[256], line[64], buffer[16];
    bind_any(pull, endpoint, sizeof endpoint);
    write_line(to_parent, endpoint);
    write_line(to_parent, "\n");
    if (zmq_recv(pull, buffer, sizeof buffer, 0) < 0) die("rss warm-up recv");
    usleep(200000);
    long base = vm_rss_kib();
    write_line(to_parent, "base\n");
    for (int i = 0; i < n; i++)
        if (zmq_recv(pull, buffer, sizeof buffer, 0) < 0) die("rss recv");
    usleep(300000);
    snprintf(line, sizeof line, "%ld %ld\n", base, vm_rss_kib());
    write_line(to_parent, line);
    read_line(from_parent, line, sizeof line); /* EOF: the parent is done */
    _exit(0);
}

static void *rss_client(void *ctx, const char *endpoint)
{
    void *push = gss_socket(ctx, ZMQ_PUSH, 0, 0);
    set_int(push, ZMQ_LINGER, 0);
    if (zmq_connect(push, endpoint)) die("zmq_connect");
    if (zmq_send(push, "hello", 5, 0) != 5) die("rss send");
    return push;
}

static int rss(int n)
{
    int up[2], down[2];
    if (pipe(up) || pipe(down)) return 1;
    pid_t child = fork();
    if (child == 0) {
        close(up[0]);
        close(down[1]);
        rss_server(n, up[1], down[0]);
    }
    close(up[1]);
    close(down[0]);
    char endpoint[256], line[64];
    if (read_line(up[0], endpoint, sizeof endpoint) <= 0) return 1;
    endpoint[strcspn(endpoint, "\n")] = 0;
    void *ctx = zmq_ctx_new();
    void **clients = calloc((size_t)n + 1, sizeof *clients);
    clients[0] = rss_client(ctx, endpoint);
    if (read_line(up[0], line, sizeof line) <= 0) return 1;
    for (int i = 1; i <= n; i++) clients[i] = rss_client(ctx, endpoint);
    long base = 0, after = 0;
    if (read_line(up[0], line, sizeof line) <= 0 || sscanf(line, "%ld %ld", &base, &after) != 2) {
        fprintf(stderr, "zbench(%s): the rss server died\n", IMPL);
        return 1;
    }
    printf("impl=%s cell=rss conns=%d base_kib=%ld rss_kib=%ld kib_per_conn=%.1f\n", IMPL, n, base, after,
           (double)(after - base) / n);
    close(down[1]);
    int status;
    waitpid(child, &status, 0);
    for (int i = 0; i <= n; i++) zmq_close(clients[i]);
    zmq_ctx_term(ctx);
    free(clients);
    return 0;
}

/* ---- PUB with mostly non-matching messages ----------------------------- */

/* The Guide's weather server and client (wuserver/wuclient): a PUB sends
 * "%05d temperature humidity" updates, a SUB wants only "10001 ". Here 1
 * in 1000 of the N updates is for 10001; the others are for zipcodes that
 * never match. NULL security, as in the Guide. The clock runs from the
 * first update to the SUB's receipt of the end mark ("10001 end"), so the
 * cell measures how fast a PUB gets rid of updates nobody wants. */
static int pub_filter(long count)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB), *sub = zmq_socket(ctx, ZMQ_SUB);
    if (!pub || !sub) die("zmq_socket");
    set_int(sub, ZMQ_RCVTIMEO, 30000);
    set_int(pub, ZMQ_LINGER, 0);
    set_int(sub, ZMQ_LINGER, 0);
    char endpoint[256];
    bind_any(pub, endpoint, sizeof endpoint);
    if (zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "10001 ", 6)) die("ZMQ_SUBSCRIBE");
    if (zmq_connect(sub, endpoint)) die("zmq_connect");
    /* Until the subscription has reached the PUB, updates are lost:
     * publish "10001 sync" until one arrives. */
    set_int(sub, ZMQ_RCVTIMEO, 10);
    char buffer[64];
    for (int tries = 0;; tries++) {
        if (tries > 3000) die("subscription never reached the PUB");
        if (zmq_send(pub, "10001 sync", 10, 0) != 10) die("sync send");
        if (zmq_recv(sub, buffer, sizeof buffer, 0) >= 0) break;
    }
    while (zmq_recv(sub, buffer, sizeof buffer, 0) >= 0) {}
    set_int(sub, ZMQ_RCVTIMEO, 30000);
    long matching = 0;
    double start = now();
    for (long i = 0; i < count; i++) {
        int zipcode = (int)((i * 7919) % 100000);
        if (i % 1000 == 0) {
            zipcode = 10001;
            matching++;
        } else if (zipcode == 10001) {
            zipcode = 10002;
        }
        int n = snprintf(buffer, sizeof buffer, "%05d %d %d", zipcode, (int)(i % 215) - 80, (int)(i % 50) + 10);
        if (zmq_send(pub, buffer, (size_t)n, 0) != n) die("zmq_send");
    }
    double sent_at = now();
    if (zmq_send(pub, "10001 end", 9, 0) != 9) die("end-mark send");
    long received = 0;
    for (;;) {
        int n = zmq_recv(sub, buffer, sizeof buffer, 0);
        if (n < 0) die("zmq_recv");
        if (n == 9 && memcmp(buffer, "10001 end", 9) == 0) break;
        received++;
    }
    double elapsed = now() - start;
    printf("impl=%s cell=pubfilter count=%ld matching=%ld received=%ld send_seconds=%.3f seconds=%.3f msgs=%.0f\n",
           IMPL, count, matching, received, sent_at - start, elapsed, elapsed > 0 ? count / elapsed : 0);
    zmq_close(sub);
    zmq_close(pub);
    zmq_ctx_term(ctx);
    return received == matching ? 0 : 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && strcmp(argv[1], "info") == 0) {
        int major, minor, patch;
        zmq_version(&major, &minor, &patch);
#ifdef ZGSS_ZMQ_H_INCLUDED
        printf("impl=%s api=%d.%d.%d version=%s\n", IMPL, major, minor, patch, zgss_version());
#else
        printf("impl=%s api=%d.%d.%d version=%d.%d.%d\n", IMPL, major, minor, patch, major, minor, patch);
#endif
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "thr") == 0)
        return throughput((size_t)atol(argv[2]), atof(argv[3]), strcmp(argv[4], "plain") == 0);
    if (argc >= 3 && strcmp(argv[1], "hs") == 0) return handshakes(atof(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "lat") == 0) return latency(atof(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "rss") == 0) return rss(atoi(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "pubfilter") == 0) return pub_filter(atol(argv[2]));
    fprintf(stderr, "usage: zbench info | thr SIZE SECONDS enc|plain | hs SECONDS | lat SECONDS | rss N"
            " | pubfilter N\n");
    return 2;
}

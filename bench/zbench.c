// SPDX-License-Identifier: MIT
/* zbench: one benchmark cell per run, written against the plain zmq API so
 * the same file builds twice (tools/bench.sh does both):
 *   cc zbench.c -lzmq -lpthread                                  (libzmq)
 *   cc -include zgss_zmq.h zbench.c $(pkg-config --cflags --libs zgss)
 * Each implementation talks only to itself, over TCP loopback, inside a
 * Kerberos realm (KRB5_KTNAME: zmq/localhost, KRB5_CLIENT_KTNAME: alice).
 *
 *   zbench info                       implementation and version
 *   zbench thr SIZE SECONDS enc|plain|null [window|default]
 *                                     PUSH->PULL throughput: GSSAPI encrypted,
 *                                     GSSAPI plaintext, or the NULL mechanism
 *                                     (no security options at all); "window"
 *                                     (the default) sets SNDHWM/RCVHWM to 1000
 *                                     or fewer so at most 64 MiB is in flight,
 *                                     "default" leaves them at the library's
 *                                     default (libzmq: 1000)
 *   zbench thrconns N SECONDS         N encrypted PUSH sockets (one connection
 *                                     each) to one PULL, 1 KiB messages
 *   zbench hs SECONDS                 connect + REQ/REP round trip + close
 *   zbench lat SECONDS                REQ/REP round-trip latency (16 B)
 *   zbench rss N                      server RSS growth for N idle connections
 *   zbench pubfilter N                PUB sending N messages of which 1 in
 *                                     1000 matches the SUB's subscription
 *   zbench fanout enc|plain filter|all N
 *                                     one PUB, 10 SUBs: "filter": each SUB
 *                                     subscribes to its own prefix and 9 in 10
 *                                     messages match nobody; "all": every SUB
 *                                     gets every message
 *   zbench conc N SECONDS             N encrypted REQ clients connect at once
 *                                     to one ROUTER in another process, one
 *                                     round trip each; repeated in waves for
 *                                     at least SECONDS (the ROUTER's
 *                                     ZMQ_BACKLOG is 1024)
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
#include <sys/resource.h>
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

/* Security of a cell: GSSAPI encrypted, GSSAPI plaintext, or NULL (no
 * security option set at all, as an application without security). */
enum security { ENCRYPTED, PLAINTEXT, NULL_MECHANISM };

static const char *security_name(enum security security)
{
    return security == ENCRYPTED ? "enc" : security == PLAINTEXT ? "plain" : "null";
}

static void *secured_socket(void *ctx, int type, int server, enum security security)
{
    if (security == NULL_MECHANISM) {
        void *s = zmq_socket(ctx, type);
        if (!s) die("zmq_socket");
        set_int(s, ZMQ_RCVTIMEO, 30000);
        set_int(s, ZMQ_SNDTIMEO, 30000);
        return s;
    }
    return gss_socket(ctx, type, server, security == PLAINTEXT);
}

static int get_int(void *s, int option)
{
    int value = 0;
    size_t size = sizeof value;
    if (zmq_getsockopt(s, option, &value, &size)) die("zmq_getsockopt");
    return value;
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

static int throughput(size_t size, double seconds, enum security security, int window)
{
    void *server_ctx = zmq_ctx_new(), *client_ctx = zmq_ctx_new();
    /* "window": bounded bytes in flight (the default 1000 messages of 1 MiB
     * each way would be 2 GB), the same limit for both implementations;
     * 1000, the default, up to 64 KiB messages, 63 at 1 MiB. Otherwise the
     * high-water marks stay at the library's defaults. */
    int hwm = (int)(64u * 1024 * 1024 / (size + 64));
    if (hwm > 1000) hwm = 1000;
    if (hwm < 8) hwm = 8;
    void *pull = secured_socket(server_ctx, ZMQ_PULL, 1, security);
    if (window) set_int(pull, ZMQ_RCVHWM, hwm);
    char endpoint[256];
    bind_any(pull, endpoint, sizeof endpoint);
    void *push = secured_socket(client_ctx, ZMQ_PUSH, 0, security);
    if (window) set_int(push, ZMQ_SNDHWM, hwm);
    int sndhwm = get_int(push, ZMQ_SNDHWM), rcvhwm = get_int(pull, ZMQ_RCVHWM);
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
    printf("impl=%s cell=thr size=%zu mode=%s hwm=%s sndhwm=%d rcvhwm=%d sent=%ld received=%ld bad=%ld"
           " seconds=%.3f msgs=%.0f mbs=%.2f\n",
           IMPL, size, security_name(security), window ? "window" : "default", sndhwm, rcvhwm, sent, a.received,
           a.bad, elapsed, rate, rate * size / 1e6);
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

/* ---- PUB fan-out to ten subscribers ------------------------------------ */

#define FANOUT_SUBS 10
#define FANOUT_SIZE 48 /* bytes of every data message */

struct fanout_sub {
    void *sub;
    char end[16];   /* this SUB's end mark */
    long received;  /* data messages */
    long bad;       /* data messages not meant for this SUB */
    char topic[8];  /* its prefix ("" in "all" mode) */
    double last;
};

/* Counts data messages (FANOUT_SIZE bytes; sync and end marks are
 * shorter) until the end mark. */
static void *fanout_receiver(void *raw)
{
    struct fanout_sub *a = raw;
    char buffer[FANOUT_SIZE + 16];
    size_t end_length = strlen(a->end), topic_length = strlen(a->topic);
    for (;;) {
        int n = zmq_recv(a->sub, buffer, sizeof buffer, 0);
        if (n < 0) die("fanout zmq_recv");
        if ((size_t)n == end_length && memcmp(buffer, a->end, end_length) == 0) break;
        if (n != FANOUT_SIZE) continue; /* a late sync message */
        if (memcmp(buffer, a->topic, topic_length) != 0) a->bad++;
        a->received++;
    }
    a->last = now();
    return NULL;
}

/* Subscribes a SUB to TOPIC. Encrypted, libzmq 4.3.4's GSSAPI encoder drops
 * a subscription's marker, so its PUB receives the bare topic and ignores
 * it: the subscription never arrives. What a libzmq program does about it,
 * and so this one in both builds: also subscribe to "\x01" TOPIC, which
 * arrives at the PUB as "\x01" TOPIC, the subscription to TOPIC (the SUB
 * itself filters on both, and TOPIC lets the messages through). */
static void subscribe(void *sub, const char *topic, enum security security)
{
    size_t n = strlen(topic);
    if (zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic, n)) die("ZMQ_SUBSCRIBE");
    if (security == ENCRYPTED) {
        char marked[16] = "\x01";
        memcpy(marked + 1, topic, n < sizeof marked - 1 ? n : sizeof marked - 1);
        if (zmq_setsockopt(sub, ZMQ_SUBSCRIBE, marked, n + 1)) die("ZMQ_SUBSCRIBE");
    }
}

/* One PUB, ten SUBs in their own context, each read by its own thread.
 * "filter": SUB i subscribes to "K<i> "; message j goes to SUB (j/10)%10
 * when j is a multiple of 10 and otherwise carries a topic ("N...") nobody
 * wants, so the PUB drops 9 in 10 messages. "all": every SUB subscribes to
 * everything. High-water marks are 0 (no limit) on the PUB and the SUBs in
 * both implementations, so nothing may be dropped: every message meant
 * for a SUB must arrive. The clock runs from the first message to the
 * last SUB's receipt of its end mark; msgs is messages published per
 * second. */
static int fanout(enum security security, int all, long count)
{
    void *pub_ctx = zmq_ctx_new(), *sub_ctx = zmq_ctx_new();
    void *pub = gss_socket(pub_ctx, ZMQ_PUB, 1, security == PLAINTEXT);
    set_int(pub, ZMQ_SNDHWM, 0);
    set_int(pub, ZMQ_LINGER, 0);
    char endpoint[256], buffer[FANOUT_SIZE + 16];
    bind_any(pub, endpoint, sizeof endpoint);
    struct fanout_sub subs[FANOUT_SUBS];
    memset(subs, 0, sizeof subs);
    for (int i = 0; i < FANOUT_SUBS; i++) {
        struct fanout_sub *a = &subs[i];
        a->sub = gss_socket(sub_ctx, ZMQ_SUB, 0, security == PLAINTEXT);
        set_int(a->sub, ZMQ_RCVHWM, 0);
        set_int(a->sub, ZMQ_LINGER, 0);
        if (!all) snprintf(a->topic, sizeof a->topic, "K%d ", i);
        snprintf(a->end, sizeof a->end, "%send", all ? "" : a->topic);
        subscribe(a->sub, a->topic, security);
        if (zmq_connect(a->sub, endpoint)) die("zmq_connect");
    }
    /* Until a subscription has reached the PUB, messages for it are lost:
     * publish a sync message for each SUB until one arrives. */
    for (int i = 0; i < FANOUT_SUBS; i++) {
        set_int(subs[i].sub, ZMQ_RCVTIMEO, 10);
        char sync[16];
        int n = snprintf(sync, sizeof sync, "%ssync", subs[i].topic);
        for (int tries = 0;; tries++) {
            if (tries > 3000) die("a subscription never reached the PUB");
            if (zmq_send(pub, sync, (size_t)n, 0) != n) die("sync send");
            if (zmq_recv(subs[i].sub, buffer, sizeof buffer, 0) >= 0) break;
        }
    }
    for (int i = 0; i < FANOUT_SUBS; i++) {
        while (zmq_recv(subs[i].sub, buffer, sizeof buffer, 0) >= 0) {}
        set_int(subs[i].sub, ZMQ_RCVTIMEO, 60000);
    }
    pthread_t threads[FANOUT_SUBS];
    for (int i = 0; i < FANOUT_SUBS; i++) pthread_create(&threads[i], NULL, fanout_receiver, &subs[i]);
    long expected = 0;
    memset(buffer, '.', sizeof buffer);
    double start = now();
    for (long j = 0; j < count; j++) {
        if (all) {
            snprintf(buffer, sizeof buffer, "update %ld", j);
            expected += FANOUT_SUBS;
        } else if (j % 10 == 0) {
            snprintf(buffer, sizeof buffer, "K%ld %ld", (j / 10) % FANOUT_SUBS, j);
            expected++;
        } else {
            snprintf(buffer, sizeof buffer, "N%05ld %ld", j % 100000, j);
        }
        buffer[strlen(buffer)] = '.';
        if (zmq_send(pub, buffer, FANOUT_SIZE, 0) != FANOUT_SIZE) die("zmq_send");
    }
    double sent_at = now();
    for (int i = 0; i < FANOUT_SUBS; i++) {
        size_t n = strlen(subs[i].end);
        if (zmq_send(pub, subs[i].end, n, 0) != (int)n) die("end-mark send");
        if (all) break; /* one end mark reaches every SUB */
    }
    long received = 0, bad = 0;
    double last = start;
    for (int i = 0; i < FANOUT_SUBS; i++) {
        pthread_join(threads[i], NULL);
        received += subs[i].received;
        bad += subs[i].bad;
        if (subs[i].last > last) last = subs[i].last;
    }
    double elapsed = last - start;
    printf("impl=%s cell=fanout mode=%s subs=%s count=%ld matching=%ld received=%ld bad=%ld send_seconds=%.3f"
           " seconds=%.3f msgs=%.0f\n",
           IMPL, security_name(security), all ? "all" : "filter", count, expected, received, bad, sent_at - start,
           elapsed, elapsed > 0 ? count / elapsed : 0);
    for (int i = 0; i < FANOUT_SUBS; i++) zmq_close(subs[i].sub);
    zmq_close(pub);
    zmq_ctx_term(sub_ctx);
    zmq_ctx_term(pub_ctx);
    return received == expected && bad == 0 ? 0 : 1;
}

/* ---- throughput over N connections ------------------------------------- */

struct conns_args {
    void *pull;
    int conns;
    long received;
    long bad;
    double first, last;
};

/* Receives until every sender's end mark (an empty message) arrived. */
static void *conns_receiver(void *raw)
{
    struct conns_args *a = raw;
    char buffer[1025];
    int ends = 0;
    while (ends < a->conns) {
        int n = zmq_recv(a->pull, buffer, sizeof buffer, 0);
        if (n < 0) die("receiver zmq_recv");
        if (n == 0) {
            ends++;
            continue;
        }
        if (a->received == 0) a->first = now();
        if (n != 1024) a->bad++;
        a->received++;
    }
    a->last = now();
    return NULL;
}

/* N encrypted PUSH sockets in one context (one connection each), fed
 * round robin by one thread, to one PULL: 1 KiB messages, default
 * high-water marks. Every PUSH gets one message through before the clock
 * starts, so the handshakes are not part of the cell. */
static int throughput_conns(int conns, double seconds)
{
    void *server_ctx = zmq_ctx_new(), *client_ctx = zmq_ctx_new();
    void *pull = gss_socket(server_ctx, ZMQ_PULL, 1, 0);
    char endpoint[256], w[2], message[1024];
    bind_any(pull, endpoint, sizeof endpoint);
    void **pushes = calloc((size_t)conns, sizeof *pushes);
    for (int i = 0; i < conns; i++) {
        pushes[i] = gss_socket(client_ctx, ZMQ_PUSH, 0, 0);
        set_int(pushes[i], ZMQ_LINGER, -1);
        if (zmq_connect(pushes[i], endpoint)) die("zmq_connect");
        if (zmq_send(pushes[i], "w", 1, 0) != 1) die("warm-up send");
    }
    for (int i = 0; i < conns; i++)
        if (zmq_recv(pull, w, sizeof w, 0) != 1) die("warm-up recv");
    memset(message, 'x', sizeof message);
    struct conns_args a = { .pull = pull, .conns = conns };
    pthread_t thread;
    pthread_create(&thread, NULL, conns_receiver, &a);
    long sent = 0;
    double stop = now() + seconds;
    do {
        for (int round = 0; round < (conns < 64 ? 64 / conns : 1); round++)
            for (int i = 0; i < conns; i++, sent++)
                if (zmq_send(pushes[i], message, sizeof message, 0) != (int)sizeof message) die("zmq_send");
    } while (now() < stop);
    for (int i = 0; i < conns; i++)
        if (zmq_send(pushes[i], "", 0, 0) != 0) die("end-mark send");
    pthread_join(thread, NULL);
    double elapsed = a.last - a.first;
    double rate = elapsed > 0 ? a.received / elapsed : 0;
    printf("impl=%s cell=thrconns conns=%d sent=%ld received=%ld bad=%ld seconds=%.3f msgs=%.0f mbs=%.2f\n", IMPL,
           conns, sent, a.received, a.bad, elapsed, rate, rate * 1024 / 1e6);
    for (int i = 0; i < conns; i++) zmq_close(pushes[i]);
    zmq_close(pull);
    zmq_ctx_term(client_ctx);
    zmq_ctx_term(server_ctx);
    free(pushes);
    return sent == a.received && a.bad == 0 ? 0 : 1;
}

/* ---- concurrent handshakes ----------------------------------------------- */

static double process_cpu_seconds(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
           usage.ru_stime.tv_usec / 1e6;
}

/* The conc server's ZMQ_BACKLOG (the kernel caps it at somaxconn). */
#define CONC_BACKLOG 1024

/* Answers the parent's "cpu" requests with this process's CPU seconds (all
 * threads: the application's and the library's); exits at EOF. */
struct cpu_reporter {
    int to_parent, from_parent;
};

static void *cpu_reporter(void *raw)
{
    struct cpu_reporter *r = raw;
    char line[64];
    while (read_line(r->from_parent, line, sizeof line) > 0) {
        snprintf(line, sizeof line, "%.6f\n", process_cpu_seconds());
        write_line(r->to_parent, line);
    }
    _exit(0);
}

/* The server, in a child process: one encrypted ROUTER that answers every
 * request (a REQ envelope: routing id, empty delimiter, body). */
static void conc_server(int to_parent, int from_parent)
{
    void *ctx = zmq_ctx_new();
    void *router = gss_socket(ctx, ZMQ_ROUTER, 1, 0);
    set_int(router, ZMQ_RCVTIMEO, -1);
    set_int(router, ZMQ_SNDHWM, 0);
    set_int(router, ZMQ_LINGER, 0);
    /* A listen queue that holds a whole wave: with the default (100 in
     * both libraries) a burst of 200 SYNs overflows it before any
     * handshake work, the kernel resends the lost SYNs after 1 s, and
     * that second, not the handshakes, becomes the measurement. */
    set_int(router, ZMQ_BACKLOG, CONC_BACKLOG);
    char endpoint[256], id[256], body[64];
    bind_any(router, endpoint, sizeof endpoint);
    write_line(to_parent, endpoint);
    write_line(to_parent, "\n");
    static struct cpu_reporter reporter;
    reporter.to_parent = to_parent;
    reporter.from_parent = from_parent;
    pthread_t thread;
    pthread_create(&thread, NULL, cpu_reporter, &reporter);
    for (;;) {
        int id_size = zmq_recv(router, id, sizeof id, 0);
        if (id_size < 0 || zmq_recv(router, body, sizeof body, 0) != 0) die("router recv");
        int n = zmq_recv(router, body, sizeof body, 0);
        if (n < 0) die("router recv");
        if (zmq_send(router, id, (size_t)id_size, ZMQ_SNDMORE) < 0 || zmq_send(router, "", 0, ZMQ_SNDMORE) < 0 ||
            zmq_send(router, body, (size_t)(n > (int)sizeof body ? (int)sizeof body : n), 0) < 0)
            die("router send");
    }
}

static double server_cpu(int to_server, int from_server)
{
    char line[64];
    write_line(to_server, "cpu\n");
    if (read_line(from_server, line, sizeof line) <= 0) {
        fprintf(stderr, "zbench(%s): the conc server died\n", IMPL);
        exit(1);
    }
    return atof(line);
}

/* N encrypted REQ clients in one context (the client process) connect at
 * once to one ROUTER in another process, each sends one request and
 * waits for its reply. A wave is timed from the first zmq_socket call
 * until the last reply ("all ready": every client has finished its
 * handshake and one round trip); the server's CPU seconds are measured
 * over the same span. Waves repeat, with all clients closed in between,
 * until SECONDS have passed (at least one). A client whose request or
 * reply fails (30 s timeouts) counts as a failure. */
static int concurrent(int conns, double seconds)
{
    int up[2], down[2];
    if (pipe(up) || pipe(down)) return 1;
    pid_t child = fork();
    if (child == 0) {
        close(up[0]);
        close(down[1]);
        conc_server(up[1], down[0]);
        _exit(1);
    }
    close(up[1]);
    close(down[0]);
    char endpoint[256];
    if (read_line(up[0], endpoint, sizeof endpoint) <= 0) return 1;
    endpoint[strcspn(endpoint, "\n")] = 0;
    void *ctx = zmq_ctx_new();
    /* Room for two waves of sockets: a closed socket may hold its slot
     * until the library's reaper is done with it (libzmq's default of 1023
     * fails the second wave of 1000 with EMFILE). */
    if (zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 2 * conns + 64)) die("ZMQ_MAX_SOCKETS");
    void **clients = calloc((size_t)conns, sizeof *clients);
    double *waves = calloc(1024, sizeof *waves);
    long failures = 0;
    int count = 0;
    double total = 0, cpu = 0, client_cpu = 0, stop = now() + seconds;
    do {
        double cpu0 = server_cpu(down[1], up[0]);
        double client0 = process_cpu_seconds();
        double t0 = now();
        for (int i = 0; i < conns; i++) {
            clients[i] = gss_socket(ctx, ZMQ_REQ, 0, 0);
            set_int(clients[i], ZMQ_LINGER, 0);
            if (zmq_connect(clients[i], endpoint)) die("zmq_connect");
        }
        char request[16] = "ping-0123456789", reply[32];
        int *ok = calloc((size_t)conns, sizeof *ok);
        for (int i = 0; i < conns; i++) ok[i] = zmq_send(clients[i], request, sizeof request, 0) == sizeof request;
        for (int i = 0; i < conns; i++)
            if (!ok[i] || zmq_recv(clients[i], reply, sizeof reply, 0) != sizeof request) failures++;
        double t1 = now();
        client_cpu += process_cpu_seconds() - client0;
        cpu += server_cpu(down[1], up[0]) - cpu0;
        free(ok);
        for (int i = 0; i < conns; i++) zmq_close(clients[i]);
        waves[count++] = t1 - t0;
        total += t1 - t0;
        usleep(20000); /* let the server see the disconnects */
    } while (now() < stop && count < 1024);
    qsort(waves, (size_t)count, sizeof *waves, compare_double);
    double median = waves[count / 2];
    printf("impl=%s cell=conc conns=%d backlog=%d waves=%d failures=%ld all_ready_ms=%.2f hs=%.1f server_cpu_s=%.4f"
           " server_cpu_us_per_hs=%.0f client_cpu_s=%.4f\n",
           IMPL, conns, CONC_BACKLOG, count, failures, median * 1e3, (double)conns * count / total, cpu / count,
           cpu / ((double)conns * count) * 1e6, client_cpu / count);
    close(down[1]);
    int status;
    waitpid(child, &status, 0);
    zmq_ctx_term(ctx);
    free(clients);
    free(waves);
    return failures == 0 ? 0 : 1;
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
    if (argc >= 5 && strcmp(argv[1], "thr") == 0) {
        enum security security = strcmp(argv[4], "plain") == 0  ? PLAINTEXT
                                 : strcmp(argv[4], "null") == 0 ? NULL_MECHANISM
                                                                : ENCRYPTED;
        return throughput((size_t)atol(argv[2]), atof(argv[3]), security,
                          argc < 6 || strcmp(argv[5], "default") != 0);
    }
    if (argc >= 4 && strcmp(argv[1], "thrconns") == 0) return throughput_conns(atoi(argv[2]), atof(argv[3]));
    if (argc >= 5 && strcmp(argv[1], "fanout") == 0)
        return fanout(strcmp(argv[2], "plain") == 0 ? PLAINTEXT : ENCRYPTED, strcmp(argv[3], "all") == 0,
                      atol(argv[4]));
    if (argc >= 4 && strcmp(argv[1], "conc") == 0) return concurrent(atoi(argv[2]), atof(argv[3]));
    if (argc >= 3 && strcmp(argv[1], "hs") == 0) return handshakes(atof(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "lat") == 0) return latency(atof(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "rss") == 0) return rss(atoi(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "pubfilter") == 0) return pub_filter(atol(argv[2]));
    fprintf(stderr, "usage: zbench info | thr SIZE SECONDS enc|plain|null [window|default] | thrconns N SECONDS"
            " | hs SECONDS | lat SECONDS | rss N | pubfilter N | fanout enc|plain filter|all N | conc N SECONDS\n");
    return 2;
}

// SPDX-License-Identifier: MIT
/* mechbench: handshakes per second through the sans-I/O mechanism alone
 * (zgss.h, both sides in one process, no sockets), so the Kerberos cost
 * of a handshake can be measured without the transport.
 *   cc -O2 bench/mechbench.c $(pkg-config --cflags --libs zgss) -o mechbench
 * Run it inside a realm (tools/testrealm.py run -- ./mechbench ...):
 *   mechbench SECONDS fresh    a new client config per handshake (what a
 *                              new socket per connection costs)
 *   mechbench SECONDS shared   one client config for every handshake
 * Each handshake is the five ZMTP GSSAPI commands plus one encrypted
 * message each way. Prints "mode=... count=... hs=...". */
#define _GNU_SOURCE
#include <zgss.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *what, const char *why)
{
    fprintf(stderr, "mechbench: %s: %s\n", what, why);
    exit(1);
}

static zgss_config_t *client_config(void)
{
    zgss_config_t *config = zgss_config_new();
    const char *service = "zmq@localhost";
    if (zgss_config_set(config, ZMQ_GSSAPI_SERVICE_PRINCIPAL, service, strlen(service)))
        fail("client config", zgss_config_last_error(config));
    return config;
}

/* Moves commands between the two sides until neither has one to send. */
static void handshake(zgss_mech_t *client, zgss_mech_t *server)
{
    for (int round = 0; round < 10; round++) {
        const uint8_t *body;
        size_t len;
        int moved = 0, rc;
        while ((rc = zgss_mech_next_command(client, &body, &len)) == 1) {
            if (zgss_mech_process_command(server, body, len)) fail("server", zgss_mech_last_error(server));
            moved = 1;
        }
        if (rc < 0) fail("client", zgss_mech_last_error(client));
        while ((rc = zgss_mech_next_command(server, &body, &len)) == 1) {
            if (zgss_mech_process_command(client, body, len)) fail("client", zgss_mech_last_error(client));
            moved = 1;
        }
        if (rc < 0) fail("server", zgss_mech_last_error(server));
        if (!moved) break;
    }
    if (zgss_mech_status(client) != ZGSS_STATUS_READY || zgss_mech_status(server) != ZGSS_STATUS_READY)
        fail("handshake", "did not finish");
}

static void round_trip(zgss_mech_t *from, zgss_mech_t *to)
{
    const uint8_t *wire, *plain;
    size_t wire_len, plain_len;
    int wire_flags, plain_flags;
    if (zgss_mech_encode(from, (const uint8_t *)"ping-0123456789", 16, 0, &wire, &wire_len, &wire_flags))
        fail("encode", zgss_mech_last_error(from));
    if (zgss_mech_decode(to, wire, wire_len, wire_flags, &plain, &plain_len, &plain_flags) || plain_len != 16)
        fail("decode", zgss_mech_last_error(to));
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[2], "fresh") && strcmp(argv[2], "shared"))) {
        fprintf(stderr, "usage: mechbench SECONDS fresh|shared\n");
        return 2;
    }
    double seconds = atof(argv[1]);
    int fresh = strcmp(argv[2], "fresh") == 0;
    zgss_config_t *server_config = zgss_config_new();
    int one = 1;
    zgss_config_set(server_config, ZMQ_GSSAPI_SERVER, &one, sizeof one);
    zgss_config_t *shared = fresh ? NULL : client_config();
    long done = 0;
    double start = now(), stop = start + seconds;
    do {
        zgss_config_t *cc = fresh ? client_config() : shared;
        zgss_mech_t *client = zgss_mech_new(cc, ZMQ_REQ, NULL, 0);
        zgss_mech_t *server = zgss_mech_new(server_config, ZMQ_REP, NULL, 0);
        if (!client || !server) fail("zgss_mech_new", "NULL");
        handshake(client, server);
        round_trip(client, server);
        round_trip(server, client);
        zgss_mech_destroy(client);
        zgss_mech_destroy(server);
        if (fresh) zgss_config_destroy(cc);
        done++;
    } while (now() < stop);
    double elapsed = now() - start;
    printf("mode=%s count=%ld seconds=%.3f hs=%.1f\n", argv[2], done, elapsed, done / elapsed);
    if (shared) zgss_config_destroy(shared);
    zgss_config_destroy(server_config);
    return 0;
}

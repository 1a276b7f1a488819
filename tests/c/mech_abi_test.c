// SPDX-License-Identifier: MIT
/* C-ABI test of the sans-I/O mechanism: two handles, one client and one
 * server, run a real Kerberos handshake through zgss.h alone and exchange
 * protected messages. Built with `pkg-config --cflags --libs zgss` only,
 * with zmq.h included first to prove the headers coexist. Needs the test
 * realm's environment (tools/testrealm.py run -- ...). */
#include <zmq.h>
#include <zgss.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mech_pair.h"

static void test_handshake_and_messages(int plaintext) {
    zgss_config_t *sc = server_config(plaintext);
    zgss_config_t *cc = client_config(plaintext, "zmq@localhost");
    zgss_mech_t *server = zgss_mech_new(sc, ZMQ_ROUTER, NULL, 0);
    zgss_mech_t *client = zgss_mech_new(cc, ZMQ_DEALER, "c1", 2);
    CHECK(server && client, "mech_new failed: %s", zgss_config_last_error(cc));
    /* The configs can go: mechanisms hold their own reference. */
    zgss_config_destroy(sc);
    zgss_config_destroy(cc);
    CHECK(zgss_mech_is_server(server) == 1 && zgss_mech_is_server(client) == 0, "roles");

    int frames = 0;
    int rc = run_handshake(client, server, &frames);
    CHECK(rc == 0, "handshake: %s / %s", zgss_mech_last_error(client), zgss_mech_last_error(server));
    CHECK(frames == 5, "expected 5 handshake frames, saw %d", frames);
    CHECK(zgss_mech_status(client) == ZGSS_STATUS_READY, "client ready");
    CHECK(zgss_mech_status(server) == ZGSS_STATUS_READY, "server ready");
    const char *who = zgss_mech_peer_principal(server);
    CHECK(who && strcmp(who, "alice@EXAMPLE.TEST") == 0, "server sees %s", who ? who : "(null)");
    const uint8_t *value;
    size_t value_len;
    CHECK(zgss_mech_peer_property(server, "identity", &value, &value_len) == 1 && value_len == 2 &&
          memcmp(value, "c1", 2) == 0, "Identity property");
    CHECK(zgss_mech_peer_property(client, "Socket-Type", &value, &value_len) == 1 && value_len == 6 &&
          memcmp(value, "ROUTER", 6) == 0, "Socket-Type property");
    CHECK(zgss_mech_peer_property(client, "X-Nothing", &value, &value_len) == 0, "absent property");

    const char *text = "hello, kerberos";
    const uint8_t *wire;
    size_t wire_len;
    int wire_flags = -1;
    rc = zgss_mech_encode(client, (const uint8_t *)text, strlen(text), ZGSS_MSG_MORE, &wire, &wire_len, &wire_flags);
    CHECK(rc == 0, "encode: %d", rc);
    if (plaintext) {
        CHECK(wire_len == strlen(text) && wire_flags == ZGSS_MSG_MORE, "plaintext passes unchanged");
    } else {
        CHECK(wire_len == 12 + 60 + 1 + strlen(text) && wire_flags == 0 && memcmp(wire, "\x07MESSAGE", 8) == 0,
              "encrypted MESSAGE layout (len %zu flags %d)", wire_len, wire_flags);
        CHECK(memmem(wire, wire_len, text, strlen(text)) == NULL, "plaintext visible on the wire");
    }
    uint8_t *copy = malloc(wire_len);
    memcpy(copy, wire, wire_len);
    const uint8_t *plain;
    size_t plain_len;
    int plain_flags = -1;
    rc = zgss_mech_decode(server, copy, wire_len, wire_flags, &plain, &plain_len, &plain_flags);
    CHECK(rc == 0 && plain_len == strlen(text) && memcmp(plain, text, plain_len) == 0 &&
          plain_flags == ZGSS_MSG_MORE, "decode round trip (rc %d)", rc);
    if (!plaintext) {
        /* Replaying the same token is refused, and kills the session. */
        rc = zgss_mech_decode(server, copy, wire_len, 0, &plain, &plain_len, &plain_flags);
        CHECK(rc == ZGSS_E_PROTO, "replay refused (rc %d)", rc);
        CHECK(zgss_mech_status(server) == ZGSS_STATUS_FAILED, "failed after replay");
        CHECK(strlen(zgss_mech_last_error(server)) > 0, "replay has a reason");
        rc = zgss_mech_encode(server, (const uint8_t *)"x", 1, 0, &wire, &wire_len, &wire_flags);
        CHECK(rc == ZGSS_E_PROTO, "failed session stays failed (rc %d)", rc);
    }
    free(copy);
    zgss_mech_destroy(client);
    zgss_mech_destroy(server);
}

static void test_kerberos_failure_text(void) {
    zgss_config_t *cc = client_config(0, "nosuch@localhost");
    zgss_mech_t *client = zgss_mech_new(cc, ZMQ_REQ, NULL, 0);
    const uint8_t *body;
    size_t len;
    int rc = zgss_mech_next_command(client, &body, &len);
    CHECK(rc == ZGSS_E_GSS, "unknown service gives ZGSS_E_GSS (rc %d)", rc);
    CHECK(strstr(zgss_mech_last_error(client), "not found in Kerberos database") != NULL,
          "reason names Kerberos: %s", zgss_mech_last_error(client));
    CHECK(zgss_mech_status(client) == ZGSS_STATUS_FAILED, "status failed");
    zgss_mech_destroy(client);
    zgss_config_destroy(cc);
}

static void test_garbage_token(void) {
    zgss_config_t *sc = server_config(0);
    zgss_mech_t *server = zgss_mech_new(sc, ZMQ_REP, NULL, 0);
    uint8_t garbage[64] = "\x08INITIATE\x00\x00\x00\x20";
    for (int i = 13; i < 45; i++) garbage[i] = (uint8_t)(i * 37);
    int rc = zgss_mech_process_command(server, garbage, 45);
    CHECK(rc == ZGSS_E_GSS, "garbage token refused (rc %d): %s", rc, zgss_mech_last_error(server));
    zgss_mech_destroy(server);

    server = zgss_mech_new(sc, ZMQ_REP, NULL, 0);
    uint8_t huge[13] = "\x08INITIATE\xff\xff\xff\xff";
    rc = zgss_mech_process_command(server, huge, 13);
    CHECK(rc == ZGSS_E_PROTO, "4 GiB declared token refused (rc %d)", rc);
    zgss_mech_destroy(server);

    server = zgss_mech_new(sc, ZMQ_REP, NULL, 0);
    rc = zgss_mech_process_command(server, (const uint8_t *)"\x05READY", 6);
    CHECK(rc == ZGSS_E_PROTO, "READY before INITIATE refused (rc %d)", rc);
    zgss_mech_destroy(server);
    zgss_config_destroy(sc);
}

static void test_options(void) {
    zgss_config_t *config = zgss_config_new();
    int one = 1, two = 2, five = 5;
    char buf[300];
    size_t len;

    CHECK(zgss_config_set(config, ZMQ_GSSAPI_SERVER, &two, sizeof two) == ZGSS_E_INVAL, "SERVER=2");
    CHECK(zgss_config_set(config, ZMQ_GSSAPI_SERVER, &one, 2) == ZGSS_E_INVAL, "SERVER short");
    CHECK(strlen(zgss_config_last_error(config)) > 0, "option error has a reason");
    CHECK(zgss_config_set(config, ZMQ_GSSAPI_PRINCIPAL, NULL, 0) == ZGSS_E_INVAL, "NULL principal");
    CHECK(zgss_config_set(config, ZMQ_GSSAPI_PRINCIPAL, "x", 0) == ZGSS_E_INVAL, "empty principal");
    memset(buf, 'a', sizeof buf);
    CHECK(zgss_config_set(config, ZMQ_GSSAPI_PRINCIPAL, buf, 256) == ZGSS_E_INVAL, "256-byte principal");
    CHECK(zgss_config_set(config, ZMQ_GSSAPI_PRINCIPAL, "alice", 6) == 0, "trailing NUL tolerated");
    CHECK(zgss_config_set(config, ZMQ_GSSAPI_PRINCIPAL, "al\0ce", 5) == ZGSS_E_INVAL, "inner NUL");
    /* Names are compared as bytes, so a value that is not UTF-8 is refused,
     * never repaired ("caf\xe9" and "caf\xe8" would both become U+FFFD). */
    CHECK(zgss_config_set(config, ZGSS_ALLOW_PRINCIPAL, "caf\xe9", 4) == ZGSS_E_INVAL
          && strstr(zgss_config_last_error(config), "not valid UTF-8") != NULL, "allow entry not UTF-8");
    /* An empty allow entry would admit every client (it used to clear the
     * list): refused, and the entries already set stay. */
    CHECK(zgss_config_set(config, ZGSS_ALLOW_PRINCIPAL, "bob@EXAMPLE.TEST", 16) == 0, "allow entry");
    CHECK(zgss_config_set(config, ZGSS_ALLOW_PRINCIPAL, "", 0) == ZGSS_E_INVAL
          && strstr(zgss_config_last_error(config), "ZGSS_ALLOW_PRINCIPAL") != NULL, "empty allow entry refused");
    CHECK(zgss_config_set(config, ZGSS_ALLOW_PRINCIPAL, NULL, 0) == ZGSS_E_INVAL, "NULL allow entry refused");
    CHECK(zgss_config_set(config, ZMQ_GSSAPI_PRINCIPAL_NAMETYPE, &five, sizeof five) == ZGSS_E_INVAL, "nametype 5");
    CHECK(zgss_config_set(config, ZMQ_GSSAPI_PRINCIPAL_NAMETYPE, &one, sizeof one) == 0, "nametype 1");
    CHECK(zgss_config_set(config, 12345, &one, sizeof one) == ZGSS_E_INVAL, "unknown option");
    CHECK(zgss_config_set(config, ZGSS_LAST_ERROR, "x", 1) == ZGSS_E_INVAL, "read-only option");

    len = sizeof buf;
    CHECK(zgss_config_get(config, ZMQ_GSSAPI_PRINCIPAL, buf, &len) == 0 && len == 6 && strcmp(buf, "alice") == 0,
          "principal reads back with NUL (len %zu)", len);
    len = 3;
    CHECK(zgss_config_get(config, ZMQ_GSSAPI_PRINCIPAL, buf, &len) == ZGSS_E_INVAL, "small buffer");
    int value = -1;
    len = sizeof value;
    CHECK(zgss_config_get(config, ZMQ_GSSAPI_PRINCIPAL_NAMETYPE, &value, &len) == 0 && value == 1, "nametype back");
    len = 8;
    CHECK(zgss_config_get(config, ZMQ_GSSAPI_PRINCIPAL_NAMETYPE, &value, &len) == ZGSS_E_INVAL, "int size");
    len = sizeof buf;
    CHECK(zgss_config_get(config, ZMQ_GSSAPI_SERVICE_PRINCIPAL, buf, &len) == 0 && len == 1 && buf[0] == 0,
          "unset string is \"\"");
    /* A client without a service principal cannot make a mechanism. */
    CHECK(zgss_mech_new(config, ZMQ_REQ, NULL, 0) == NULL, "client without service principal");
    CHECK(zgss_mech_new(config, 99, NULL, 0) == NULL, "bad socket type");
    zgss_config_destroy(config);
}

static void test_null_and_wrong_handles(void) {
    const uint8_t *body;
    size_t len;
    int flags;
    CHECK(zgss_mech_next_command(NULL, &body, &len) == ZGSS_E_INVAL, "NULL mech");
    CHECK(zgss_mech_process_command(NULL, NULL, 0) == ZGSS_E_INVAL, "NULL mech process");
    CHECK(zgss_mech_encode(NULL, NULL, 0, 0, &body, &len, &flags) == ZGSS_E_INVAL, "NULL encode");
    CHECK(zgss_mech_status(NULL) == ZGSS_STATUS_FAILED, "NULL status");
    CHECK(zgss_mech_peer_principal(NULL) == NULL, "NULL principal");
    CHECK(strcmp(zgss_mech_last_error(NULL), "") == 0, "NULL last error");
    CHECK(zgss_config_set(NULL, ZMQ_GSSAPI_SERVER, NULL, 0) == ZGSS_E_INVAL, "NULL config");
    CHECK(zgss_mech_new(NULL, ZMQ_REQ, NULL, 0) == NULL, "NULL config for mech");
    zgss_config_destroy(NULL);
    zgss_mech_destroy(NULL);

    /* A config handle passed where a mechanism is expected is refused. */
    zgss_config_t *config = zgss_config_new();
    CHECK(zgss_mech_status((zgss_mech_t *)config) == ZGSS_STATUS_FAILED, "wrong handle kind");
    CHECK(zgss_mech_next_command((zgss_mech_t *)config, &body, &len) == ZGSS_E_INVAL, "wrong kind next");
    zgss_mech_t *mech = zgss_mech_new(config, ZMQ_REQ, NULL, 0);
    CHECK(mech == NULL, "no service principal");
    zgss_config_set(config, ZMQ_GSSAPI_SERVICE_PRINCIPAL, "zmq@localhost", 13);
    mech = zgss_mech_new(config, ZMQ_REQ, NULL, 0);
    CHECK(zgss_mech_next_command(mech, NULL, &len) == ZGSS_E_INVAL, "NULL out pointer");
    CHECK(zgss_mech_encode(mech, (const uint8_t *)"x", 1, 0, &body, &len, &flags) == ZGSS_E_STATE,
          "encode before ready is a state error");
    CHECK(zgss_mech_status(mech) == ZGSS_STATUS_HANDSHAKING, "still handshaking after a local error");
    CHECK(zgss_mech_authorize(mech, 1, NULL) == ZGSS_E_STATE, "authorize on a client");
    zgss_mech_destroy(mech);
    zgss_config_destroy(config);
}

/* A server that refuses the client offers ERROR "400"; the client reads
 * it as a refusal (ZGSS_E_DENIED) and answers nothing. */
static void test_refusal_error_command(void) {
    zgss_config_t *sc = server_config(0);
    zgss_config_set(sc, ZGSS_ALLOW_PRINCIPAL, "bob@EXAMPLE.TEST", 16);
    zgss_config_t *cc = client_config(0, "zmq@localhost");
    zgss_mech_t *server = zgss_mech_new(sc, ZMQ_REP, NULL, 0);
    zgss_mech_t *client = zgss_mech_new(cc, ZMQ_REQ, NULL, 0);
    const uint8_t *body = NULL;
    size_t len = 0;
    CHECK(zgss_mech_error_command(server, NULL, &body, &len) == 0 && body == NULL && len == 0,
          "no ERROR before a failure");
    CHECK(zgss_mech_error_command(NULL, NULL, &body, &len) == ZGSS_E_INVAL, "NULL mech");
    CHECK(zgss_mech_error_command(server, NULL, NULL, &len) == ZGSS_E_INVAL, "NULL body");
    CHECK(zgss_mech_error_command(server, "", &body, &len) == ZGSS_E_INVAL, "empty reason");
    char long_reason[300];
    memset(long_reason, 'x', sizeof long_reason - 1);
    long_reason[sizeof long_reason - 1] = 0;
    CHECK(zgss_mech_error_command(server, long_reason, &body, &len) == ZGSS_E_INVAL, "reason over 255 bytes");
    int frames = 0;
    CHECK(run_handshake(client, server, &frames) == ZGSS_E_DENIED, "alice is refused");
    CHECK(zgss_mech_error_command(server, NULL, &body, &len) == 1 && len == 10
            && memcmp(body, "\x05" "ERROR\x03" "400", 10) == 0,
          "ERROR 400 after the refusal");
    uint8_t error[10];
    memcpy(error, body, sizeof error);
    CHECK(zgss_mech_error_command(server, "500", &body, &len) == 1 && len == 10
            && memcmp(body, "\x05" "ERROR\x03" "500", 10) == 0,
          "the host's status code");
    CHECK(zgss_mech_process_command(client, error, sizeof error) == ZGSS_E_DENIED, "client reads the refusal");
    CHECK(strstr(zgss_mech_last_error(client), "server refused the handshake with ERROR \"400\"") != NULL,
          "client's last error: %s", zgss_mech_last_error(client));
    CHECK(zgss_mech_error_command(client, "x", &body, &len) == 0, "no ERROR answers an ERROR");
    zgss_mech_destroy(client);
    zgss_mech_destroy(server);
    zgss_config_destroy(cc);
    zgss_config_destroy(sc);
}

static void test_library(void) {
    char version[32];
    snprintf(version, sizeof version, "%d.%d.%d", ZGSS_VERSION_MAJOR, ZGSS_VERSION_MINOR, ZGSS_VERSION_PATCH);
    CHECK(strcmp(zgss_version(), version) == 0, "version %s, header %s", zgss_version(), version);
    CHECK(zgss_has("gssapi") == 1 && zgss_has("curve") == 0 && zgss_has(NULL) == 0, "zgss_has");
    CHECK(strlen(zgss_mech_strerror(ZGSS_E_PROTO)) > 0 && strlen(zgss_mech_strerror(-999)) > 0, "strerror");
    CHECK(strlen(zgss_strerror(ZMQ_HAUSNUMERO + 53)) > 0, "zmq errno text");
}

/* zgss_error: an enum whose constants keep the old #define names and
 * values, and zgss_is_fatal telling which codes end a session. */
static void test_error_codes(void) {
    static const struct { zgss_error code; int value; int fatal; } codes[] = {
        {ZGSS_E_INVAL, -1, 0}, {ZGSS_E_AGAIN, -2, 0}, {ZGSS_E_PROTO, -3, 1}, {ZGSS_E_GSS, -4, 1},
        {ZGSS_E_DENIED, -5, 1}, {ZGSS_E_STATE, -6, 0}, {ZGSS_E_NOMEM, -7, 1},
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        CHECK((int)codes[i].code == codes[i].value, "code %d keeps its value", codes[i].value);
        CHECK(zgss_is_fatal(codes[i].code) == codes[i].fatal, "zgss_is_fatal(%d)", codes[i].value);
        CHECK(strcmp(zgss_mech_strerror(codes[i].code), zgss_mech_strerror(-999)) != 0, "text for %d",
              codes[i].value);
    }
    CHECK(zgss_is_fatal(0) == 0 && zgss_is_fatal(1) == 0 && zgss_is_fatal(-99) == 1, "zgss_is_fatal edges");
    int rc = ZGSS_E_GSS;
    switch (rc) {
    case ZGSS_E_GSS: CHECK(1, "switch on an int result"); break;
    default: CHECK(0, "switch on an int result"); break;
    }
    /* What a failed session's code says, end to end: a replayed message
     * fails the server for good, a local misuse does not. */
    zgss_config_t *cc = client_config(0, "zmq@localhost");
    zgss_mech_t *client = zgss_mech_new(cc, ZMQ_REQ, NULL, 0);
    const uint8_t *out;
    size_t out_len;
    int out_flags;
    rc = zgss_mech_encode(client, (const uint8_t *)"x", 1, 0, &out, &out_len, &out_flags);
    CHECK(rc == ZGSS_E_STATE && !zgss_is_fatal(rc) && zgss_mech_status(client) != ZGSS_STATUS_FAILED,
          "encode before READY is usable (rc %d)", rc);
    zgss_mech_destroy(client);
    zgss_config_destroy(cc);
}

/* Int options take exactly sizeof(int) bytes, as in libzmq 4.3.4: a
 * larger buffer is refused like a smaller one. */
static void test_int_option_lengths(void) {
    zgss_config_t *config = zgss_config_new();
    int64_t wide = 1;
    int value = 1;
    size_t len;
    CHECK(zgss_config_set(config, ZMQ_GSSAPI_PLAINTEXT, &wide, sizeof wide) == ZGSS_E_INVAL, "set int with 8 bytes");
    CHECK(zgss_config_set(config, ZMQ_GSSAPI_PLAINTEXT, &value, 2) == ZGSS_E_INVAL, "set int with 2 bytes");
    CHECK(zgss_config_set(config, ZMQ_GSSAPI_PLAINTEXT, &value, sizeof value) == 0, "set int with sizeof(int)");
    len = sizeof wide;
    CHECK(zgss_config_get(config, ZMQ_GSSAPI_PLAINTEXT, &wide, &len) == ZGSS_E_INVAL, "get int into 8 bytes");
    len = 2;
    CHECK(zgss_config_get(config, ZMQ_GSSAPI_PLAINTEXT, &value, &len) == ZGSS_E_INVAL, "get int into 2 bytes");
    value = -1;
    len = sizeof value;
    CHECK(zgss_config_get(config, ZMQ_GSSAPI_PLAINTEXT, &value, &len) == 0 && value == 1 && len == sizeof value,
          "get int into sizeof(int)");
    zgss_config_destroy(config);
}

int main(void) {
    test_library();
    test_error_codes();
    test_int_option_lengths();
    test_options();
    test_null_and_wrong_handles();
    test_handshake_and_messages(0);
    test_handshake_and_messages(1);
    test_kerberos_failure_text();
    test_garbage_token();
    test_refusal_error_command();
    printf("c-abi: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

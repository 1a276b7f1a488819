// SPDX-License-Identifier: MIT
/* Messages and tokens past 2 GiB through the mechanism's C ABI: a forged
 * MESSAGE token of 2^31 + 64 bytes (no key needed to send one) and a real
 * 2^31 + 64-byte message must be refused or processed, never kill the
 * process; a message whose token would not fit MESSAGE's 32-bit length is
 * refused and the session goes on. Run without valgrind (too slow at this
 * size) in the test realm (tools/testrealm.py run -- ...).
 *
 * The caller's buffers are anonymous mappings that are almost never
 * written, so they cost next to no memory; zgss holds at most two 2 GiB
 * copies of a message at a time. */
#include <zgss.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "mech_pair.h"

#define BIG (((size_t)1 << 31) + 64)
#define PREFIX 12 /* "\x07MESSAGE" and the 4-byte token length */

static uint8_t *zero_mapping(size_t size) {
    void *region = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return region == MAP_FAILED ? NULL : region;
}

/* A ready client/server pair (encrypted), or 0. */
static int ready_pair(zgss_mech_t **client, zgss_mech_t **server) {
    zgss_config_t *sc = server_config(0);
    zgss_config_t *cc = client_config(0, "zmq@localhost");
    *server = zgss_mech_new(sc, ZMQ_PULL, NULL, 0);
    *client = zgss_mech_new(cc, ZMQ_PUSH, NULL, 0);
    zgss_config_destroy(sc);
    zgss_config_destroy(cc);
    if (!*server || !*client) return 0;
    int frames = 0;
    return run_handshake(*client, *server, &frames) == 0 && zgss_mech_status(*client) == ZGSS_STATUS_READY &&
           zgss_mech_status(*server) == ZGSS_STATUS_READY;
}

static void test_forged_token_past_2gib(void) {
    zgss_mech_t *client, *server;
    CHECK(ready_pair(&client, &server), "handshake");
    /* A genuine small MESSAGE lends the forgery a header that passes the
     * checks before the crypto (token id, flags). */
    const uint8_t *wire;
    size_t wire_len;
    int wire_flags;
    CHECK(zgss_mech_encode(client, (const uint8_t *)"x", 1, 0, &wire, &wire_len, &wire_flags) == 0, "small encode");
    size_t body_len = PREFIX + BIG;
    uint8_t *body = zero_mapping(body_len);
    CHECK(body != NULL, "no 2 GiB mapping");
    if (body) {
        memcpy(body, wire, PREFIX + 16);
        uint32_t token_len = (uint32_t)BIG;
        for (int i = 0; i < 4; i++) body[8 + i] = (uint8_t)(token_len >> (24 - 8 * i));
        const uint8_t *plain;
        size_t plain_len;
        int plain_flags;
        int rc = zgss_mech_decode(server, body, body_len, 0, &plain, &plain_len, &plain_flags);
        CHECK(rc == ZGSS_E_PROTO, "forged 2 GiB token refused (rc %d): %s", rc, zgss_mech_last_error(server));
        CHECK(zgss_mech_status(server) == ZGSS_STATUS_FAILED, "session failed after the forgery");
        munmap(body, body_len);
    }
    zgss_mech_destroy(client);
    zgss_mech_destroy(server);
}

static void test_message_past_2gib(void) {
    zgss_mech_t *client, *server;
    CHECK(ready_pair(&client, &server), "handshake");
    uint8_t *data = zero_mapping(BIG);
    CHECK(data != NULL, "no 2 GiB mapping");
    if (data) {
        const uint8_t *wire;
        size_t wire_len;
        int wire_flags = -1;
        int rc = zgss_mech_encode(client, data, BIG, 0, &wire, &wire_len, &wire_flags);
        CHECK(rc == 0, "2 GiB message encoded (rc %d): %s", rc, zgss_mech_last_error(client));
        if (rc == 0) {
            /* AES256-SHA1: 60 bytes of RFC 4121 overhead, 1 flags byte. */
            CHECK(wire_len == PREFIX + 60 + 1 + BIG && wire_flags == 0, "MESSAGE of %zu bytes", wire_len);
            uint32_t declared = (uint32_t)wire[8] << 24 | (uint32_t)wire[9] << 16 | (uint32_t)wire[10] << 8 | wire[11];
            CHECK(memcmp(wire, "\x07MESSAGE", 8) == 0 && declared == wire_len - PREFIX, "MESSAGE header");
        }
        munmap(data, BIG);
    }
    /* Too large for MESSAGE's 32-bit token length: refused before any
     * copy, and the session goes on. */
    size_t huge = (size_t)1 << 32;
    uint8_t *untouched = zero_mapping(huge);
    CHECK(untouched != NULL, "no 4 GiB mapping");
    if (untouched) {
        const uint8_t *wire;
        size_t wire_len;
        int wire_flags;
        int rc = zgss_mech_encode(client, untouched, huge, 0, &wire, &wire_len, &wire_flags);
        CHECK(rc == ZGSS_E_INVAL, "4 GiB message refused (rc %d)", rc);
        CHECK(zgss_mech_status(client) == ZGSS_STATUS_READY, "session still ready");
        rc = zgss_mech_encode(client, (const uint8_t *)"small", 5, 0, &wire, &wire_len, &wire_flags);
        CHECK(rc == 0, "small message after the refusal (rc %d)", rc);
        munmap(untouched, huge);
    }
    zgss_mech_destroy(client);
    zgss_mech_destroy(server);
}

int main(void) {
    test_forged_token_past_2gib();
    test_message_past_2gib();
    printf("c-large: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

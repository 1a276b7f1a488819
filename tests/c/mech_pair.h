// SPDX-License-Identifier: MIT
/* Shared by the C-ABI mechanism tests: the counter of check.h, configs for
 * the test realm's server and client, and a loop that moves handshake
 * commands between two mechanism handles. Include after zgss.h. */
#ifndef ZGSS_TESTS_MECH_PAIR_H
#define ZGSS_TESTS_MECH_PAIR_H

#include <string.h>

#include "check.h"

static zgss_config_t *server_config(int plaintext) {
    zgss_config_t *config = zgss_config_new();
    int one = 1;
    zgss_config_set(config, ZMQ_GSSAPI_SERVER, &one, sizeof one);
    zgss_config_set(config, ZMQ_GSSAPI_PLAINTEXT, &plaintext, sizeof plaintext);
    return config;
}

static zgss_config_t *client_config(int plaintext, const char *service) {
    zgss_config_t *config = zgss_config_new();
    zgss_config_set(config, ZMQ_GSSAPI_SERVICE_PRINCIPAL, service, strlen(service));
    zgss_config_set(config, ZMQ_GSSAPI_PLAINTEXT, &plaintext, sizeof plaintext);
    return config;
}

/* Moves commands between the two handles until neither has one to send.
 * Returns 0 or the first negative code. */
static int run_handshake(zgss_mech_t *client, zgss_mech_t *server, int *frames) {
    for (int round = 0; round < 16; round++) {
        int moved = 0;
        const uint8_t *body;
        size_t len;
        int rc = zgss_mech_next_command(client, &body, &len);
        if (rc < 0) return rc;
        if (rc == 1) {
            (*frames)++;
            rc = zgss_mech_process_command(server, body, len);
            if (rc < 0) return rc;
            moved = 1;
        }
        rc = zgss_mech_next_command(server, &body, &len);
        if (rc < 0) return rc;
        if (rc == 1) {
            (*frames)++;
            rc = zgss_mech_process_command(client, body, len);
            if (rc < 0) return rc;
            moved = 1;
        }
        if (!moved) return 0;
    }
    return ZGSS_E_STATE;
}

#endif

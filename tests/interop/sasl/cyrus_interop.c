// SPDX-License-Identifier: MIT
/* Interop between zgss's SASL GSSAPI and Cyrus SASL 2.1.28 (libsasl2 with
 * the gssapiv2 plugin), both in this process and sans I/O: the tokens
 * are passed by hand, exactly as a protocol would carry them.
 *
 *   cyrus_interop zgss-client  LAYER [nonmutual] [AUTHZID]
 *       zgss client  <-> Cyrus server ("mqtt"@"localhost")
 *   cyrus_interop cyrus-client LAYER [nonmutual] [AUTHZID]
 *       Cyrus client <-> zgss server (mqtt/localhost@EXAMPLE.TEST)
 * With ZGSS_EXPECT_DENY=1 in the environment the server must refuse (an
 * authzid other than the client's identity) and nothing else is checked.
 * LAYER: none | integrity | confidentiality. Cyrus picks layers through
 * SASL_SEC_PROPS (min_ssf/max_ssf); zgss through ZGSS_SASL_LAYERS. After
 * authentication one message goes each way through the layer (Cyrus
 * sasl_encode/sasl_decode against zgss_sasl_decode/zgss_sasl_encode).
 * Prints "ok"/"not ok" lines; exit 0 when all passed. Needs the realm
 * environment of tools/testrealm.py (KRB5_KTNAME, KRB5_CLIENT_KTNAME). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sasl/sasl.h>
#include <zgss.h>

static int failures = 0;
#define CHECK(cond, ...) do { if (cond) printf("ok - "); else { failures++; printf("not ok - "); } \
    printf(__VA_ARGS__); printf("\n"); } while (0)

static const char *authzid = "";
static int expect_deny = 0;

static int get_user(void *context, int id, const char **result, unsigned *len) {
    (void)context;
    if (id != SASL_CB_USER && id != SASL_CB_AUTHNAME) return SASL_BADPARAM;
    *result = id == SASL_CB_USER ? authzid : "";
    if (len) *len = (unsigned)strlen(*result);
    return SASL_OK;
}

static sasl_callback_t client_callbacks[] = {
    {SASL_CB_USER, (int (*)(void))(void (*)(void))get_user, NULL},
    {SASL_CB_LIST_END, NULL, NULL},
};

static void cyrus_props(sasl_conn_t *conn, int layer) {
    sasl_security_properties_t props;
    memset(&props, 0, sizeof props);
    props.maxbufsize = 65536;
    switch (layer) {
    case ZGSS_SASL_LAYER_NONE: props.min_ssf = 0; props.max_ssf = 0; break;
    case ZGSS_SASL_LAYER_INTEGRITY: props.min_ssf = 1; props.max_ssf = 1; break;
    default: props.min_ssf = 2; props.max_ssf = 256; break;
    }
    sasl_setprop(conn, SASL_SEC_PROPS, &props);
}

static int layer_named(const char *name) {
    if (strcmp(name, "none") == 0) return ZGSS_SASL_LAYER_NONE;
    if (strcmp(name, "integrity") == 0) return ZGSS_SASL_LAYER_INTEGRITY;
    if (strcmp(name, "confidentiality") == 0) return ZGSS_SASL_LAYER_CONFIDENTIALITY;
    return 0;
}

/* One message each way through the negotiated layer. */
static void exchange_messages(sasl_conn_t *cyrus, zgss_sasl_t *z, const char *tag) {
    const char *out; unsigned outlen;
    const uint8_t *zout; size_t zlen;
    uint8_t copy[70000];
    const char *msg1 = "from cyrus", *msg2 = "from zgss";
    int rc = sasl_encode(cyrus, msg1, (unsigned)strlen(msg1), &out, &outlen);
    CHECK(rc == SASL_OK, "%s: sasl_encode", tag);
    if (rc != SASL_OK) return;
    memcpy(copy, out, outlen);
    rc = zgss_sasl_decode(z, copy, outlen, &zout, &zlen);
    CHECK(rc == 0 && zlen == strlen(msg1) && memcmp(zout, msg1, zlen) == 0,
          "%s: zgss_sasl_decode of Cyrus's buffer (%d%s%s)", tag, rc, rc ? ": " : "", rc ? zgss_sasl_last_error(z) : "");
    rc = zgss_sasl_encode(z, (const uint8_t *)msg2, strlen(msg2), &zout, &zlen);
    CHECK(rc == 0, "%s: zgss_sasl_encode", tag);
    if (rc != 0) return;
    memcpy(copy, zout, zlen);
    rc = sasl_decode(cyrus, (const char *)copy, (unsigned)zlen, &out, &outlen);
    CHECK(rc == SASL_OK && outlen == strlen(msg2) && memcmp(out, msg2, outlen) == 0,
          "%s: sasl_decode of zgss's buffer (%s)", tag, sasl_errstring(rc, NULL, NULL));
}

static int run_zgss_client(int layer, int mutual) {
    sasl_conn_t *conn = NULL;
    int rc = sasl_server_init(NULL, "zgss-interop");
    CHECK(rc == SASL_OK, "sasl_server_init");
    rc = sasl_server_new("mqtt", "localhost", NULL, NULL, NULL, NULL, 0, &conn);
    CHECK(rc == SASL_OK, "sasl_server_new");
    if (rc != SASL_OK) return 1;
    cyrus_props(conn, layer);

    zgss_sasl_config_t *cfg = zgss_sasl_config_new();
    zgss_sasl_config_set_string(cfg, ZGSS_SASL_SERVICE, "mqtt@localhost");
    zgss_sasl_config_set_int(cfg, ZGSS_SASL_MUTUAL, mutual);
    zgss_sasl_config_set_int(cfg, ZGSS_SASL_LAYERS, layer);
    zgss_sasl_config_set_string(cfg, ZGSS_SASL_AUTHZID, authzid);
    zgss_sasl_t *z = zgss_sasl_client_new(cfg);
    const uint8_t *zout; size_t zlen;
    uint8_t token[16384]; size_t tlen;
    rc = zgss_sasl_client_start(z, &zout, &zlen);
    CHECK(rc == 0, "zgss_sasl_client_start (%s)", zgss_sasl_last_error(z));
    if (rc != 0) return 1;
    memcpy(token, zout, zlen); tlen = zlen;
    const char *sout = NULL; unsigned soutlen = 0;
    rc = sasl_server_start(conn, "GSSAPI", (const char *)token, (unsigned)tlen, &sout, &soutlen);
    int rounds = 0;
    while (rc == SASL_CONTINUE && rounds++ < 10) {
        memcpy(token, sout, soutlen); tlen = soutlen;
        int zrc = zgss_sasl_step(z, token, tlen, &zout, &zlen);
        if (zrc != 1) { CHECK(0, "zgss_sasl_step: %s", zgss_sasl_last_error(z)); return 1; }
        memcpy(token, zout, zlen); tlen = zlen;
        rc = sasl_server_step(conn, (const char *)token, (unsigned)tlen, &sout, &soutlen);
    }
    if (expect_deny) {
        CHECK(rc != SASL_OK && rc != SASL_CONTINUE, "Cyrus server refuses authzid '%s' (%s)", authzid, sasl_errdetail(conn));
        return 0;
    }
    CHECK(rc == SASL_OK, "Cyrus server accepts the zgss client (%s)", rc == SASL_OK ? "SASL_OK" : sasl_errdetail(conn));
    CHECK(zgss_sasl_status(z) == ZGSS_SASL_STATUS_COMPLETE, "zgss client complete");
    if (rc != SASL_OK) return 1;
    const char *user = NULL;
    sasl_getprop(conn, SASL_USERNAME, (const void **)&user);
    CHECK(user && strcmp(user, "alice") == 0, "Cyrus reports user '%s'", user ? user : "(null)");
    const sasl_ssf_t *ssf = NULL;
    sasl_getprop(conn, SASL_SSF, (const void **)&ssf);
    CHECK(zgss_sasl_layer(z) == layer, "layer %d negotiated (Cyrus SSF %u)", zgss_sasl_layer(z), ssf ? *ssf : 0);
    CHECK(ssf && (layer == ZGSS_SASL_LAYER_NONE ? *ssf == 0 : layer == ZGSS_SASL_LAYER_INTEGRITY ? *ssf == 1 : *ssf > 1),
          "Cyrus SSF matches the layer");
    CHECK(zgss_sasl_peer_principal(z) && strcmp(zgss_sasl_peer_principal(z), "mqtt/localhost@EXAMPLE.TEST") == 0,
          "zgss client's server principal is mqtt/localhost@EXAMPLE.TEST");
    exchange_messages(conn, z, "zgss client / Cyrus server");
    zgss_sasl_destroy(z);
    zgss_sasl_config_destroy(cfg);
    sasl_dispose(&conn);
    return 0;
}

static int run_cyrus_client(int layer) {
    sasl_conn_t *conn = NULL;
    int rc = sasl_client_init(NULL);
    CHECK(rc == SASL_OK, "sasl_client_init");
    rc = sasl_client_new("mqtt", "localhost", NULL, NULL, client_callbacks, 0, &conn);
    CHECK(rc == SASL_OK, "sasl_client_new");
    if (rc != SASL_OK) return 1;
    cyrus_props(conn, layer);

    zgss_sasl_config_t *cfg = zgss_sasl_config_new();
    zgss_sasl_config_set_string(cfg, ZGSS_SASL_PRINCIPAL, "mqtt/localhost@EXAMPLE.TEST");
    zgss_sasl_config_set_int(cfg, ZGSS_SASL_LAYERS, layer);
    rc = zgss_sasl_config_check_server(cfg);
    CHECK(rc == 0, "zgss server config (%s)", zgss_sasl_config_last_error(cfg));
    zgss_sasl_t *z = zgss_sasl_server_new(cfg);
    const char *cout = NULL; unsigned coutlen = 0; const char *mech = NULL;
    sasl_interact_t *interact = NULL;
    rc = sasl_client_start(conn, "GSSAPI", &interact, &cout, &coutlen, &mech);
    CHECK(rc == SASL_CONTINUE || rc == SASL_OK, "sasl_client_start (%s)", rc == SASL_CONTINUE || rc == SASL_OK ? "ok" : sasl_errdetail(conn));
    if (rc != SASL_CONTINUE && rc != SASL_OK) return 1;
    uint8_t token[16384]; size_t tlen;
    const uint8_t *zout; size_t zlen;
    memcpy(token, cout, coutlen); tlen = coutlen;
    int zrc = zgss_sasl_step(z, tlen ? token : NULL, tlen, &zout, &zlen);
    int rounds = 0;
    while (zrc == 1 && rounds++ < 10) {
        memcpy(token, zout, zlen); tlen = zlen;
        rc = sasl_client_step(conn, (const char *)token, (unsigned)tlen, &interact, &cout, &coutlen);
        if (rc != SASL_CONTINUE && rc != SASL_OK) break;
        memcpy(token, cout, coutlen); tlen = coutlen;
        zrc = zgss_sasl_step(z, tlen ? token : NULL, tlen, &zout, &zlen);
    }
    if (expect_deny) {
        CHECK(zrc == ZGSS_E_DENIED, "zgss server refuses authzid '%s' (%s)", authzid, zgss_sasl_last_error(z));
        return 0;
    }
    CHECK(zrc == 0, "zgss server accepts the Cyrus client (%s)", zrc == 0 ? "done" : rc != SASL_OK && rc != SASL_CONTINUE ? sasl_errdetail(conn) : zgss_sasl_last_error(z));
    if (zrc != 0) return 1;
    CHECK(strcmp(zgss_sasl_username(z), "alice") == 0, "zgss reports user '%s'", zgss_sasl_username(z));
    CHECK(strcmp(zgss_sasl_peer_principal(z), "alice@EXAMPLE.TEST") == 0, "client principal alice@EXAMPLE.TEST");
    CHECK(strcmp(zgss_sasl_authzid(z), "alice") == 0, "authzid '%s'", zgss_sasl_authzid(z));
    const sasl_ssf_t *ssf = NULL;
    sasl_getprop(conn, SASL_SSF, (const void **)&ssf);
    CHECK(zgss_sasl_layer(z) == layer, "layer %d negotiated (Cyrus SSF %u)", zgss_sasl_layer(z), ssf ? *ssf : 0);
    exchange_messages(conn, z, "Cyrus client / zgss server");
    zgss_sasl_destroy(z);
    zgss_sasl_config_destroy(cfg);
    sasl_dispose(&conn);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3 || !layer_named(argv[2])) {
        fprintf(stderr, "usage: %s zgss-client|cyrus-client none|integrity|confidentiality [nonmutual] [AUTHZID]\n", argv[0]);
        return 2;
    }
    int mutual = !(argc > 3 && strcmp(argv[3], "nonmutual") == 0);
    if (argc > 4) authzid = argv[4];
    expect_deny = getenv("ZGSS_EXPECT_DENY") && strcmp(getenv("ZGSS_EXPECT_DENY"), "1") == 0;
    int layer = layer_named(argv[2]);
    if (strcmp(argv[1], "zgss-client") == 0) run_zgss_client(layer, mutual);
    else if (strcmp(argv[1], "cyrus-client") == 0) run_cyrus_client(layer);
    else { fprintf(stderr, "unknown direction %s\n", argv[1]); return 2; }
    sasl_done();
    return failures ? 1 : 0;
}

// SPDX-License-Identifier: MIT
/* C-ABI tests for zgss_sasl_* and zgss_mqtt_*, run inside a test realm
 * (tools/testrealm.py). Prints one "ok"/"not ok" line per check and exits
 * non-zero when any failed. Compiles as C99 and as C++.
 *   sasl_abi                                   the full set
 *   sasl_abi PRINCIPAL CLIENT_KEYTAB EXPECTED  a client whose ticket request
 *       must fail with EXPECTED in zgss_sasl_last_error (Kerberos's text,
 *       e.g. "Preauthentication failed") */
#define _POSIX_C_SOURCE 200809L /* setenv, strdup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zgss.h>

static int failures = 0, passes = 0;
#define CHECK(cond, what) do { if (cond) { passes++; printf("ok - %s\n", what); } \
    else { failures++; printf("not ok - %s (line %d)\n", what, __LINE__); } } while (0)

static zgss_sasl_config_t *server_config(const char *principal, const char *keytab) {
    zgss_sasl_config_t *cfg = zgss_sasl_config_new();
    zgss_sasl_config_set_string(cfg, ZGSS_SASL_PRINCIPAL, principal);
    if (keytab) zgss_sasl_config_set_string(cfg, ZGSS_SASL_KEYTAB, keytab);
    return cfg;
}

static zgss_sasl_config_t *client_config(int mutual, int layers) {
    zgss_sasl_config_t *cfg = zgss_sasl_config_new();
    zgss_sasl_config_set_string(cfg, ZGSS_SASL_SERVICE, "mqtt@localhost");
    zgss_sasl_config_set_int(cfg, ZGSS_SASL_MUTUAL, mutual);
    zgss_sasl_config_set_int(cfg, ZGSS_SASL_LAYERS, layers);
    return cfg;
}

/* Runs an exchange; returns the number of tokens that crossed, or -1. */
static int exchange(zgss_sasl_t *c, zgss_sasl_t *s) {
    const uint8_t *out = NULL; size_t len = 0;
    uint8_t buf[8192]; size_t blen;
    int n = 1;
    if (zgss_sasl_client_start(c, &out, &len) != 0) return -1;
    for (;;) {
        memcpy(buf, out, len); blen = len;
        int rc = zgss_sasl_step(s, buf, blen, &out, &len);
        if (rc == 0) return n;
        if (rc != 1) return -1;
        n++;
        memcpy(buf, out, len); blen = len;
        if (zgss_sasl_step(c, buf, blen, &out, &len) != 1) return -1;
        n++;
    }
}

/* A client for `principal` from `keytab` whose start must fail. */
static int client_error(const char *principal, const char *keytab, const char *expected) {
    zgss_sasl_config_t *cfg = client_config(1, ZGSS_SASL_LAYER_NONE);
    zgss_sasl_config_set_string(cfg, ZGSS_SASL_PRINCIPAL, principal);
    zgss_sasl_config_set_string(cfg, ZGSS_SASL_CLIENT_KEYTAB, keytab);
    zgss_sasl_config_set_string(cfg, ZGSS_SASL_CCACHE, "MEMORY:sasl-abi-error");
    zgss_sasl_t *c = zgss_sasl_client_new(cfg);
    const uint8_t *out; size_t len;
    int rc = zgss_sasl_client_start(c, &out, &len);
    char what[512];
    snprintf(what, sizeof what, "%s: start fails with ZGSS_E_GSS and \"%s\" (got %d: %s)",
             principal, expected, rc, zgss_sasl_last_error(c));
    CHECK(rc == ZGSS_E_GSS && strstr(zgss_sasl_last_error(c), expected) != NULL, what);
    CHECK(zgss_sasl_status(c) == ZGSS_SASL_STATUS_FAILED, "client failed for good");
    zgss_sasl_destroy(c);
    zgss_sasl_config_destroy(cfg);
    return failures ? 1 : 0;
}

int main(int argc, char **argv) {
    const char *dir = getenv("ZGSS_TEST_DIR");
    if (argc == 4) return client_error(argv[1], argv[2], argv[3]);
    char keytab[1024], wrong[1024];
    if (!dir) { fprintf(stderr, "run under tools/testrealm.py\n"); return 2; }
    snprintf(keytab, sizeof keytab, "%s/keytabs/mqtt_localhost.keytab", dir);
    snprintf(wrong, sizeof wrong, "%s/keytabs/zmq_localhost.keytab", dir);

    CHECK(zgss_has("sasl") == 1 && zgss_has("mqtt") == 1, "zgss_has sasl, mqtt");
    CHECK(strcmp(zgss_mqtt_auth_method(), ZGSS_MQTT_AUTH_METHOD) == 0, "method name");

    /* NULLs never crash. */
    CHECK(zgss_sasl_step(NULL, NULL, 0, NULL, NULL) == ZGSS_E_INVAL, "step(NULL)");
    CHECK(zgss_sasl_status(NULL) == ZGSS_SASL_STATUS_FAILED, "status(NULL)");
    CHECK(strcmp(zgss_sasl_last_error(NULL), "") == 0, "last_error(NULL)");
    CHECK(zgss_sasl_client_new(NULL) == NULL && zgss_sasl_server_new(NULL) == NULL, "new(NULL)");
    zgss_sasl_destroy(NULL);
    zgss_sasl_config_destroy(NULL);
    /* A handle of another kind is refused. */
    zgss_config_t *zmq = zgss_config_new();
    CHECK(zgss_sasl_config_set_int((zgss_sasl_config_t *)zmq, ZGSS_SASL_MUTUAL, 1) == ZGSS_E_INVAL, "wrong handle kind");
    zgss_config_destroy(zmq);

    /* Server configuration checks. */
    zgss_sasl_config_t *bad = server_config("mqtt@localhost", NULL);
    CHECK(zgss_sasl_config_check_server(bad) == ZGSS_E_INVAL, "malformed principal refused");
    CHECK(strstr(zgss_sasl_config_last_error(bad), "service/host@REALM") != NULL, "malformed principal explained");
    CHECK(zgss_sasl_server_new(bad) == NULL, "no server from a bad config");
    zgss_sasl_config_destroy(bad);
    bad = server_config("mqtt/localhost@EXAMPLE.TEST", wrong);
    CHECK(zgss_sasl_config_check_server(bad) == ZGSS_E_GSS, "keytab without the principal refused");
    CHECK(strstr(zgss_sasl_config_last_error(bad), "no suitable keys in keytab") != NULL
          && strstr(zgss_sasl_config_last_error(bad), wrong) != NULL, "error names the keytab");
    printf("# %s\n", zgss_sasl_config_last_error(bad));
    zgss_sasl_config_destroy(bad);
    /* A replay cache the server cannot write is found at the check, not
     * by the first client. */
    const char *rcdir = getenv("KRB5RCACHEDIR");
    char *saved_rcdir = rcdir ? strdup(rcdir) : NULL;
    setenv("KRB5RCACHEDIR", "/nonexistent-zgss-rcache", 1);
    bad = server_config("mqtt/localhost@EXAMPLE.TEST", keytab);
    CHECK(zgss_sasl_config_check_server(bad) == ZGSS_E_GSS
          && strstr(zgss_sasl_config_last_error(bad), "cannot write the replay cache") != NULL
          && strstr(zgss_sasl_config_last_error(bad), "/nonexistent-zgss-rcache/krb5_") != NULL,
          "unwritable replay cache refused by the server check, file named");
    printf("# %s\n", zgss_sasl_config_last_error(bad));
    zgss_sasl_config_destroy(bad);
    if (saved_rcdir) setenv("KRB5RCACHEDIR", saved_rcdir, 1); else unsetenv("KRB5RCACHEDIR");
    free(saved_rcdir);
    zgss_sasl_config_t *cfg = zgss_sasl_config_new();
    CHECK(zgss_sasl_config_set_string(cfg, ZGSS_SASL_MAPPING_RULES, "RULE:[1:$1](") == ZGSS_E_INVAL, "bad rule refused");
    CHECK(strstr(zgss_sasl_config_last_error(cfg), "RULE:[1:$1](") != NULL, "bad rule named");
    /* Not UTF-8: refused, never repaired into U+FFFD (which would make
     * "caf\xe9" and "caf\xe8" one name). */
    CHECK(zgss_sasl_config_set_string(cfg, ZGSS_SASL_ALLOW, "caf\xe9") == ZGSS_E_INVAL
          && strstr(zgss_sasl_config_last_error(cfg), "not valid UTF-8") != NULL, "allow entry not UTF-8 refused");
    CHECK(zgss_sasl_config_set_string(cfg, ZGSS_SASL_PRINCIPAL, "caf\xe8@EXAMPLE.TEST") == ZGSS_E_INVAL, "principal not UTF-8 refused");
    CHECK(zgss_sasl_config_set_string(cfg, ZGSS_SASL_MAPPING_RULES, " , ") == ZGSS_E_INVAL
          && strstr(zgss_sasl_config_last_error(cfg), "hold no rule") != NULL, "rules text without a rule refused");
    CHECK(zgss_sasl_config_set_string(cfg, ZGSS_SASL_MAPPING_RULES, "") == 0, "empty rules text unsets");
    CHECK(zgss_sasl_config_set_int(cfg, ZGSS_SASL_LAYERS, 0) == ZGSS_E_INVAL, "layers 0 refused");
    CHECK(zgss_sasl_config_set_string(cfg, ZGSS_SASL_PRINCIPAL, "mqtt//h@R") == ZGSS_E_INVAL
          && strstr(zgss_sasl_config_last_error(cfg), "invalid principal") != NULL, "unparsable principal refused when set");
    CHECK(zgss_sasl_config_set_int(cfg, ZGSS_SASL_MUTUAL, 2) == ZGSS_E_INVAL, "mutual 2 refused");
    CHECK(zgss_sasl_config_set_int(cfg, 999, 1) == ZGSS_E_INVAL, "unknown option refused");
    CHECK(zgss_sasl_client_new(cfg) == NULL && strstr(zgss_sasl_config_last_error(cfg), "ZGSS_SASL_SERVICE"), "client needs a service");
    zgss_sasl_config_destroy(cfg);

    /* Full exchanges, each layer, mutual and not. */
    zgss_sasl_config_t *scfg = server_config("mqtt/localhost@EXAMPLE.TEST", keytab);
    CHECK(zgss_sasl_config_check_server(scfg) == 0, "server check passes");
    int layers[3] = {ZGSS_SASL_LAYER_NONE, ZGSS_SASL_LAYER_INTEGRITY, ZGSS_SASL_LAYER_CONFIDENTIALITY};
    for (int mutual = 0; mutual <= 1; mutual++) {
        for (int i = 0; i < 3; i++) {
            char what[128];
            zgss_sasl_config_t *ccfg = client_config(mutual, layers[i]);
            zgss_sasl_t *c = zgss_sasl_client_new(ccfg), *s = zgss_sasl_server_new(scfg);
            int n = exchange(c, s);
            snprintf(what, sizeof what, "exchange mutual=%d layer=%d: %d tokens", mutual, layers[i], n);
            CHECK(n == (mutual ? 5 : 3), what);
            CHECK(zgss_sasl_status(c) == ZGSS_SASL_STATUS_COMPLETE && zgss_sasl_status(s) == ZGSS_SASL_STATUS_COMPLETE, "both complete");
            CHECK(zgss_sasl_layer(c) == layers[i] && zgss_sasl_layer(s) == layers[i], "layer agreed");
            CHECK(zgss_sasl_username(s) && strcmp(zgss_sasl_username(s), "alice") == 0, "username alice");
            CHECK(zgss_sasl_peer_principal(s) && strcmp(zgss_sasl_peer_principal(s), "alice@EXAMPLE.TEST") == 0, "client principal");
            CHECK(zgss_sasl_peer_principal(c) && strcmp(zgss_sasl_peer_principal(c), "mqtt/localhost@EXAMPLE.TEST") == 0, "server principal");
            const uint8_t *out; size_t len; uint8_t tok[4096];
            CHECK(zgss_sasl_encode(c, (const uint8_t *)"ping", 4, &out, &len) == 0, "encode");
            memcpy(tok, out, len);
            CHECK(zgss_sasl_decode(s, tok, len, &out, &len) == 0 && len == 4 && memcmp(out, "ping", 4) == 0, "decode");
            CHECK(zgss_sasl_step(s, NULL, 0, &out, &len) == ZGSS_E_STATE, "step after completion is STATE");
            zgss_sasl_destroy(c); zgss_sasl_destroy(s); zgss_sasl_config_destroy(ccfg);
        }
    }

    /* Garbage first token: GSS error, session stays failed. */
    zgss_sasl_t *s = zgss_sasl_server_new(scfg);
    const uint8_t *out; size_t len;
    CHECK(zgss_sasl_step(s, (const uint8_t *)"garbage", 7, &out, &len) == ZGSS_E_GSS, "garbage token is GSS");
    CHECK(zgss_sasl_status(s) == ZGSS_SASL_STATUS_FAILED, "failed");
    printf("# %s\n", zgss_sasl_last_error(s));
    CHECK(zgss_sasl_step(s, (const uint8_t *)"x", 1, &out, &len) == ZGSS_E_GSS, "stays failed");
    CHECK(zgss_sasl_wrap(s, (const uint8_t *)"x", 1, &out, &len) == ZGSS_E_GSS, "no wrap when failed: the failure again");
    zgss_sasl_destroy(s);

    /* MQTT decisions. */
    zgss_sasl_config_t *ccfg = client_config(1, ZGSS_SASL_LAYER_NONE);
    zgss_sasl_t *c = zgss_sasl_client_new(ccfg);
    s = zgss_sasl_server_new(scfg);
    uint8_t buf[8192]; size_t blen; int reason = -1;
    CHECK(zgss_sasl_client_start(c, &out, &len) == 0, "client start");
    memcpy(buf, out, len); blen = len;
    CHECK(zgss_mqtt_server_connect(s, "SCRAM-SHA-1", buf, blen, &out, &len, &reason) == ZGSS_MQTT_NOT_MINE, "other method not mine");
    int action = zgss_mqtt_server_connect(s, ZGSS_MQTT_AUTH_METHOD, buf, blen, &out, &len, &reason);
    int auths = 0;
    while (action == ZGSS_MQTT_SEND_AUTH) {
        auths++;
        memcpy(buf, out, len); blen = len;
        if (zgss_mqtt_client_auth(c, 0x18, ZGSS_MQTT_AUTH_METHOD, buf, blen, &out, &len, &reason) != ZGSS_MQTT_SEND_AUTH) break;
        memcpy(buf, out, len); blen = len;
        action = zgss_mqtt_server_auth(s, 0x18, ZGSS_MQTT_AUTH_METHOD, blen ? buf : NULL, blen, &out, &len, &reason);
    }
    CHECK(action == ZGSS_MQTT_ACCEPT && auths == 2 && reason == 0, "MQTT exchange accepted after 2 AUTH");
    CHECK(zgss_mqtt_client_connack(c, 0x00, NULL) == 0, "CONNACK 0x00 judged connected");
    zgss_sasl_destroy(c); zgss_sasl_destroy(s);
    c = zgss_sasl_client_new(ccfg);
    s = zgss_sasl_server_new(scfg);
    zgss_sasl_client_start(c, &out, &len);
    memcpy(buf, out, len); blen = len;
    CHECK(zgss_mqtt_server_connect(s, ZGSS_MQTT_AUTH_METHOD, buf, blen, &out, &len, &reason) == ZGSS_MQTT_SEND_AUTH, "AP-REP");
    CHECK(zgss_mqtt_server_auth(s, 0x18, "PLAIN", NULL, 0, &out, &len, &reason) == ZGSS_MQTT_REFUSE && reason == 0x8C, "mismatched method 0x8C");
    CHECK(zgss_mqtt_client_connack(c, 0x87, NULL) == ZGSS_E_DENIED && strstr(zgss_sasl_last_error(c), "not authorized"), "CONNACK 0x87 refused");
    CHECK(zgss_mqtt_client_connack(c, 0x00, NULL) == ZGSS_E_DENIED, "early CONNACK 0x00 refused");
    zgss_sasl_destroy(c); zgss_sasl_destroy(s);
    s = zgss_sasl_server_new(scfg);
    CHECK(zgss_mqtt_server_connect(s, ZGSS_MQTT_AUTH_METHOD, (const uint8_t *)"\x60\x01\x00", 3, &out, &len, &reason) == ZGSS_MQTT_REFUSE && reason == 0x87, "garbage CONNECT data 0x87");
    zgss_sasl_destroy(s);

    /* Re-authentication (AUTH 0x19) keeps the principal. */
    c = zgss_sasl_client_new(ccfg);
    s = zgss_sasl_server_new(scfg);
    zgss_sasl_client_start(c, &out, &len);
    memcpy(buf, out, len); blen = len;
    CHECK(zgss_mqtt_server_reauth(NULL, "alice@EXAMPLE.TEST", ZGSS_MQTT_AUTH_METHOD, buf, blen, &out, &len, &reason) == ZGSS_E_INVAL, "reauth: NULL session EINVAL");
    CHECK(zgss_mqtt_server_reauth(s, NULL, ZGSS_MQTT_AUTH_METHOD, buf, blen, &out, &len, &reason) == ZGSS_E_INVAL, "reauth: NULL principal EINVAL");
    CHECK(zgss_mqtt_server_reauth(c, "alice@EXAMPLE.TEST", ZGSS_MQTT_AUTH_METHOD, buf, blen, &out, &len, &reason) == ZGSS_E_INVAL, "reauth: client session EINVAL");
    CHECK(zgss_mqtt_server_reauth(s, "bob@EXAMPLE.TEST", ZGSS_MQTT_AUTH_METHOD, buf, blen, &out, &len, &reason) == ZGSS_MQTT_REFUSE
          && reason == 0x87 && strstr(zgss_sasl_last_error(s), "re-authentication as 'alice@EXAMPLE.TEST' refused") != NULL,
          "reauth: alice on bob's connection refused 0x87 at her AP-REQ");
    zgss_sasl_destroy(c); zgss_sasl_destroy(s);
    c = zgss_sasl_client_new(ccfg);
    s = zgss_sasl_server_new(scfg);
    zgss_sasl_client_start(c, &out, &len);
    memcpy(buf, out, len); blen = len;
    action = zgss_mqtt_server_reauth(s, "alice@EXAMPLE.TEST", ZGSS_MQTT_AUTH_METHOD, buf, blen, &out, &len, &reason);
    while (action == ZGSS_MQTT_SEND_AUTH) {
        memcpy(buf, out, len); blen = len;
        if (zgss_mqtt_client_auth(c, 0x18, ZGSS_MQTT_AUTH_METHOD, buf, blen, &out, &len, &reason) != ZGSS_MQTT_SEND_AUTH) break;
        memcpy(buf, out, len); blen = len;
        action = zgss_mqtt_server_auth(s, 0x18, ZGSS_MQTT_AUTH_METHOD, blen ? buf : NULL, blen, &out, &len, &reason);
    }
    CHECK(action == ZGSS_MQTT_ACCEPT && strcmp(zgss_sasl_peer_principal(s), "alice@EXAMPLE.TEST") == 0, "reauth: alice again accepted");
    zgss_sasl_destroy(c); zgss_sasl_destroy(s);

    /* Allowlist and mapping through the config. */
    zgss_sasl_config_set_string(scfg, ZGSS_SASL_ALLOW, "bob");
    c = zgss_sasl_client_new(ccfg); s = zgss_sasl_server_new(scfg);
    CHECK(exchange(c, s) == -1 && zgss_sasl_status(s) == ZGSS_SASL_STATUS_FAILED, "alice not in allowlist");
    CHECK(strstr(zgss_sasl_last_error(s), "allowlist") != NULL, "allowlist reason");
    zgss_sasl_destroy(c); zgss_sasl_destroy(s);
    CHECK(zgss_sasl_config_set_string(scfg, ZGSS_SASL_ALLOW, "") == ZGSS_E_INVAL
          && strstr(zgss_sasl_config_last_error(scfg), "ZGSS_SASL_ALLOW") != NULL, "empty allow entry refused");
    c = zgss_sasl_client_new(ccfg); s = zgss_sasl_server_new(scfg);
    CHECK(exchange(c, s) == -1, "alice still refused after an empty allow entry");
    zgss_sasl_destroy(c); zgss_sasl_destroy(s);
    CHECK(zgss_sasl_config_set_string(scfg, ZGSS_SASL_ALLOW, NULL) == 0, "NULL clears the allowlist");
    CHECK(zgss_sasl_config_set_string(scfg, ZGSS_SASL_MAPPING_RULES, "RULE:[1:$1@$0](.*@EXAMPLE\\.TEST)s/@.*/-krb/") == 0, "rules set");
    c = zgss_sasl_client_new(ccfg); s = zgss_sasl_server_new(scfg);
    CHECK(exchange(c, s) > 0 && strcmp(zgss_sasl_username(s), "alice-krb") == 0, "mapped username");
    zgss_sasl_destroy(c); zgss_sasl_destroy(s);

    zgss_sasl_config_destroy(ccfg);
    zgss_sasl_config_destroy(scfg);
    printf("# sasl_abi: %d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}

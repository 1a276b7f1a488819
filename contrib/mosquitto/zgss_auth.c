// SPDX-License-Identifier: MIT
/* mosquitto_zgss: MQTT 5 "GSSAPI-KERBEROS" enhanced authentication for
 * Mosquitto 2.0 (plugin interface v5), over libzgss's SASL GSSAPI.
 *
 * The broker calls MOSQ_EVT_EXT_AUTH_START on CONNECT (and re-AUTH) with
 * the client's Authentication-Method and -Data, then
 * MOSQ_EVT_EXT_AUTH_CONTINUE for each AUTH packet (auth_method is NULL
 * there: the broker has already refused a method that differs from
 * CONNECT's). Each client's exchange lives in a zgss_sasl_t kept in a
 * table keyed by the client pointer (clients.c); it is freed when the
 * exchange ends and on MOSQ_EVT_DISCONNECT. On success the mapped principal
 * becomes the client's username (mosquitto_set_username), so ACLs apply to
 * it. The principal is then fixed for the connection: a re-authentication
 * (AUTH 0x19) as another principal is refused and the broker drops the
 * client; as the same principal it succeeds (AUTH 0x00).
 *
 * Options (mosquitto.conf, after `plugin .../mosquitto_zgss.so`; see
 * options.c and docs/mosquitto.md):
 *   plugin_opt_principal      service principal, service/host@REALM (required)
 *   plugin_opt_keytab         keytab path (default: KRB5_KTNAME, then
 *                             krb5.conf default_keytab_name)
 *   plugin_opt_mapping_rules  Kafka-style rules, comma separated
 *                             ("RULE:[1:$1@$0](.+@EXAMPLE\.COM)s/@[A-Z.]+$//,DEFAULT")
 *   plugin_opt_allow          comma-separated usernames or principals
 *                             allowed to connect (absent: all)
 *   plugin_opt_default_realm  realm stripped by the default mapping
 *                             (default: krb5.conf default_realm)
 *   plugin_opt_auth_timeout   seconds an authentication or re-authentication
 *                             may take before the client is dropped (1..3600,
 *                             default 30)
 *   plugin_opt_allow_password_logins  true: leave CONNECTs with a username
 *                             or password to password_file (or another
 *                             plugin); false (default): refuse them
 * The broker does not start when an option is unknown, empty, a list with
 * an empty entry, or given twice, or when the keytab is missing, unreadable
 * or lacks the principal: the log line names the option or the keytab. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>
#include <zgss.h>
#include "clients.h"
#include "options.h"

/* The entry points mosquitto looks up; everything else is hidden. */
#define PLUGIN_EXPORT __attribute__((visibility("default")))

static mosquitto_plugin_id_t *plugin_id = NULL;
static zgss_sasl_config_t *config = NULL;
static int allow_password_logins = 0;
static int auth_timeout = PLUGIN_DEFAULT_AUTH_TIMEOUT;
static unsigned long drops = 0;

static const char *client_name(const struct mosquitto *client) {
    const char *id = mosquitto_client_id(client);
    return id && *id ? id : "(no id)";
}

/* The client is who its exchange proved: its first success fixes the
 * principal (a re-authentication keeps it, checked by libzgss), and the
 * mapped username takes effect for ACLs. */
static int accept_client(struct mosquitto *client, struct client_state *state) {
    const char *user = zgss_sasl_username(state->sasl);
    const char *principal = zgss_sasl_peer_principal(state->sasl);
    int reauth = state->principal != NULL;
    if (!user || !principal) return MOSQ_ERR_AUTH;
    char *pinned = reauth ? NULL : strdup(principal);
    if (!reauth && !pinned) return MOSQ_ERR_NOMEM;
    if (mosquitto_set_username(client, user) != MOSQ_ERR_SUCCESS) {
        free(pinned);
        return MOSQ_ERR_AUTH;
    }
    if (!reauth) state->principal = pinned;
    mosquitto_log_printf(MOSQ_LOG_NOTICE, "zgss: client %s %s as %s (username %s)", client_name(client),
                         reauth ? "re-authenticated" : "authenticated", principal, user);
    return MOSQ_ERR_SUCCESS;
}

/* Turns one zgss decision into the broker's answer. */
static int answer(struct mosquitto_evt_extended_auth *ed, struct client_state *state, int action,
                  const uint8_t *out, size_t out_len) {
    int rc;
    switch (action) {
    case ZGSS_MQTT_SEND_AUTH:
        if (out_len > UINT16_MAX) {
            mosquitto_log_printf(MOSQ_LOG_WARNING, "zgss: token for %s too large (%zu octets)",
                                 client_name(ed->client), out_len);
            clients_end_exchange(state);
            return MOSQ_ERR_AUTH;
        }
        ed->data_out = NULL;
        ed->data_out_len = 0;
        if (out_len > 0) {
            ed->data_out = mosquitto_malloc(out_len);
            if (!ed->data_out) { clients_end_exchange(state); return MOSQ_ERR_NOMEM; }
            memcpy(ed->data_out, out, out_len);
            ed->data_out_len = (uint16_t)out_len;
        }
        return MOSQ_ERR_AUTH_CONTINUE;
    case ZGSS_MQTT_ACCEPT:
        rc = accept_client(ed->client, state);
        clients_end_exchange(state);
        return rc;
    case ZGSS_MQTT_NOT_MINE:
        clients_end_exchange(state);
        return MOSQ_ERR_PLUGIN_DEFER;
    default:
        mosquitto_log_printf(MOSQ_LOG_NOTICE, "zgss: client %s refused: %s",
                             client_name(ed->client), zgss_sasl_last_error(state->sasl));
        clients_end_exchange(state);
        return MOSQ_ERR_AUTH;
    }
}

/* Drops one client whose exchange has run past plugin_opt_auth_timeout
 * (a client that sends CONNECT and the first AUTH, then nothing, with
 * keepalive 0, is held by mosquitto for ever). The plugin API kicks by
 * client id or username only. A client id does not do: mosquitto indexes
 * a client by id only once it is authenticated, and another, connected
 * client may already hold the same id. So the client first gets a
 * username no client can have (MQTT forbids control characters, and
 * mosquitto enforces it), then that username is kicked, without its will. */
static void drop(struct client_state *state) {
    struct mosquitto *client = state->client;
    char marker[64];
    snprintf(marker, sizeof marker, "\001zgss-auth-timeout-%lu-%p", ++drops, (void *)client);
    mosquitto_log_printf(MOSQ_LOG_NOTICE,
                         "zgss: client %s dropped: %sauthentication unfinished after %d s (plugin_opt_auth_timeout)",
                         client_name(client), state->principal ? "re-" : "", auth_timeout);
    if (mosquitto_set_username(client, marker) == MOSQ_ERR_SUCCESS)
        mosquitto_kick_client_by_username(marker, false);
    /* The kick's MOSQ_EVT_DISCONNECT removed the entry; if it did not, the
     * exchange still ends: a late AUTH finds nothing to continue. */
    if ((state = clients_find(client)) && state->sasl) clients_end_exchange(state);
}

/* Drops every expired exchange but `except`'s (the client being served). */
static void drop_expired(const struct mosquitto *except) {
    double now = clients_now();
    struct client_state *state;
    while ((state = clients_find_expired(now, except))) drop(state);
}

/* Every pass of mosquitto's main loop (about 10 times a second). mosquitto
 * 2.0 sends no MOSQ_EVT_TICK to plugins configured per listener
 * (per_listener_settings true); there the sweep runs when the next client
 * starts or continues an exchange, and a late exchange is refused. */
static int on_tick(int event, void *event_data, void *userdata) {
    (void)event; (void)event_data; (void)userdata;
    drop_expired(NULL);
    return MOSQ_ERR_SUCCESS;
}

/* CONNECT, or AUTH 0x19 (re-authenticate) from a connected client: the
 * broker says which only through the client's history, so an entry with a
 * principal means re-authentication. */
static int on_auth_start(int event, void *event_data, void *userdata) {
    struct mosquitto_evt_extended_auth *ed = event_data;
    (void)event; (void)userdata;
    if (!ed->auth_method || strcmp(ed->auth_method, ZGSS_MQTT_AUTH_METHOD) != 0)
        return MOSQ_ERR_PLUGIN_DEFER;
    drop_expired(ed->client);
    struct client_state *state = clients_find(ed->client);
    if (!(state && state->principal) && !(state = clients_add(ed->client))) return MOSQ_ERR_NOMEM;
    zgss_sasl_t *sasl = zgss_sasl_server_new(config);
    clients_begin_exchange(state, sasl, clients_now() + auth_timeout);
    if (!sasl) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: cannot start an exchange: %s", zgss_sasl_config_last_error(config));
        clients_end_exchange(state);
        return MOSQ_ERR_AUTH;
    }
    const uint8_t *out = NULL;
    size_t out_len = 0;
    int reason = 0;
    int action = state->principal
        ? zgss_mqtt_server_reauth(state->sasl, state->principal, ed->auth_method, ed->data_in, ed->data_in_len,
                                  &out, &out_len, &reason)
        : zgss_mqtt_server_connect(state->sasl, ed->auth_method, ed->data_in, ed->data_in_len,
                                   &out, &out_len, &reason);
    return answer(ed, state, action, out, out_len);
}

static int on_auth_continue(int event, void *event_data, void *userdata) {
    struct mosquitto_evt_extended_auth *ed = event_data;
    (void)event; (void)userdata;
    drop_expired(ed->client);
    struct client_state *state = clients_find(ed->client);
    if (!state || !state->sasl) return MOSQ_ERR_PLUGIN_DEFER; /* not an exchange of ours */
    if (state->deadline <= clients_now()) {
        mosquitto_log_printf(MOSQ_LOG_NOTICE, "zgss: client %s refused: authentication unfinished after %d s "
                             "(plugin_opt_auth_timeout)", client_name(ed->client), auth_timeout);
        clients_end_exchange(state);
        return MOSQ_ERR_AUTH;
    }
    const uint8_t *out = NULL;
    size_t out_len = 0;
    int reason = 0;
    /* The broker matched the method against CONNECT's before calling us. */
    int action = zgss_mqtt_server_auth(state->sasl, 0x18, ZGSS_MQTT_AUTH_METHOD, ed->data_in, ed->data_in_len,
                                       &out, &out_len, &reason);
    return answer(ed, state, action, out, out_len);
}

/* A CONNECT without an Authentication-Method. mosquitto calls this before
 * password_file's check and, with allow_anonymous true and nobody else
 * answering, would let a client that merely sends the username "alice"
 * have alice's ACLs. So a username or password is refused here unless
 * plugin_opt_allow_password_logins is true (then password_file or another
 * plugin decides, and mosquitto refuses a username nobody vouches for). A
 * CONNECT with neither is anonymous: allow_anonymous decides. */
static int on_basic_auth(int event, void *event_data, void *userdata) {
    struct mosquitto_evt_basic_auth *ed = event_data;
    (void)event; (void)userdata;
    if (allow_password_logins || (!ed->username && !ed->password)) return MOSQ_ERR_PLUGIN_DEFER;
    mosquitto_log_printf(MOSQ_LOG_NOTICE,
                         "zgss: client %s refused: username '%s' without Kerberos (GSSAPI-KERBEROS logins only; "
                         "plugin_opt_allow_password_logins true leaves password logins to password_file)",
                         client_name(ed->client), ed->username ? ed->username : "(none, a password only)");
    return MOSQ_ERR_AUTH;
}

static int on_disconnect(int event, void *event_data, void *userdata) {
    struct mosquitto_evt_disconnect *ed = event_data;
    (void)event; (void)userdata;
    struct client_state *state = clients_find(ed->client);
    if (state && state->sasl)
        mosquitto_log_printf(MOSQ_LOG_INFO, "zgss: client %s left during authentication", client_name(ed->client));
    clients_remove(ed->client);
    return MOSQ_ERR_SUCCESS;
}

PLUGIN_EXPORT int mosquitto_plugin_version(int supported_version_count, const int *supported_versions) {
    for (int i = 0; i < supported_version_count; i++)
        if (supported_versions[i] == 5) return 5;
    return -1;
}

/* Sets one string option of the library's configuration; a refusal names
 * the plugin option and quotes its value. */
static int configure(int option, const char *key, const char *value) {
    if (!value || zgss_sasl_config_set_string(config, option, value) == 0) return 0;
    mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: plugin_opt_%s '%s': %s", key, value, zgss_sasl_config_last_error(config));
    return -1;
}

static int configure_all(const struct plugin_options *opts) {
    /* MQTT traffic is not protected by the SASL layer: offer none only. */
    if (zgss_sasl_config_set_int(config, ZGSS_SASL_LAYERS, ZGSS_SASL_LAYER_NONE) != 0) return -1;
    if (configure(ZGSS_SASL_PRINCIPAL, "principal", opts->principal) != 0
        || configure(ZGSS_SASL_KEYTAB, "keytab", opts->keytab) != 0
        || configure(ZGSS_SASL_MAPPING_RULES, "mapping_rules", opts->mapping_rules) != 0
        || configure(ZGSS_SASL_DEFAULT_REALM, "default_realm", opts->default_realm) != 0)
        return -1;
    for (size_t i = 0; i < opts->allow_count; i++)
        if (configure(ZGSS_SASL_ALLOW, "allow", opts->allow[i]) != 0) return -1;
    return 0;
}

PLUGIN_EXPORT int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
                          struct mosquitto_opt *options, int option_count) {
    (void)userdata;
    if (config) {
        /* mosquitto loads the same .so once: a second `plugin` line for it
         * (per_listener_settings true, several listeners) would replace the
         * first one's settings, allowlist included, for both listeners. */
        mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: mosquitto_zgss.so is configured twice (a plugin line on "
                             "several listeners with per_listener_settings true); its settings would apply to "
                             "every listener, so configure it once");
        return MOSQ_ERR_INVAL;
    }
    plugin_id = identifier;
    struct plugin_options opts;
    if (plugin_options_parse(options, option_count, &opts) != 0) return MOSQ_ERR_INVAL;
    config = zgss_sasl_config_new();
    if (!config) { plugin_options_free(&opts); return MOSQ_ERR_NOMEM; }
    int failed = configure_all(&opts) != 0;
    allow_password_logins = opts.allow_password_logins;
    auth_timeout = opts.auth_timeout;
    if (!failed && zgss_sasl_config_check_server(config) != 0) {
        /* The values as the plugin used them, quoted: the library's text
         * names the keytab and principal, but not where they came from. */
        mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: %s (plugin_opt_principal '%s', plugin_opt_keytab %s%s%s)",
                             zgss_sasl_config_last_error(config), opts.principal,
                             opts.keytab ? "'" : "", opts.keytab ? opts.keytab : "unset: the default keytab",
                             opts.keytab ? "'" : "");
        failed = 1;
    }
    plugin_options_free(&opts);
    if (failed) return MOSQ_ERR_INVAL;
    mosquitto_log_printf(MOSQ_LOG_INFO, "zgss: GSSAPI-KERBEROS authentication ready (libzgss %s; "
                         "unfinished authentications are dropped after %d s)", zgss_version(), auth_timeout);
    int rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_EXT_AUTH_START, on_auth_start, NULL, NULL);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_EXT_AUTH_CONTINUE, on_auth_continue, NULL, NULL);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, NULL);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_DISCONNECT, on_disconnect, NULL, NULL);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_TICK, on_tick, NULL, NULL);
    return rc;
}

PLUGIN_EXPORT int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count) {
    (void)userdata; (void)options; (void)option_count;
    if (plugin_id) {
        mosquitto_callback_unregister(plugin_id, MOSQ_EVT_EXT_AUTH_START, on_auth_start, NULL);
        mosquitto_callback_unregister(plugin_id, MOSQ_EVT_EXT_AUTH_CONTINUE, on_auth_continue, NULL);
        mosquitto_callback_unregister(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
        mosquitto_callback_unregister(plugin_id, MOSQ_EVT_DISCONNECT, on_disconnect, NULL);
        mosquitto_callback_unregister(plugin_id, MOSQ_EVT_TICK, on_tick, NULL);
    }
    clients_clear();
    zgss_sasl_config_destroy(config);
    config = NULL;
    return MOSQ_ERR_SUCCESS;
}
